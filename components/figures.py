"""Pure figure builders: data in, a Plotly figure dict out (tested without a browser)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analytics.downsample import OPEN_ON_YEARS
from analytics.tenors import TENOR_YEARS
from components.downsample import DEFAULT_MAX_POINTS, minmax_downsample
from components.theme import EPISODES, SERIES, base_layout

Figure = dict[str, Any]


def curve_comparison(curves: Mapping[str, pd.Series], *, title: str = "Treasury curve") -> Figure:
    """One line per labelled curve (tenor -> yield %), x in years on a log axis."""
    traces = []
    tick_vals = [TENOR_YEARS[t] for t in TENOR_YEARS]
    for i, (label, curve) in enumerate(curves.items()):
        curve = curve.dropna()
        traces.append({
            "type": "scatter", "mode": "lines+markers", "name": label,
            "x": [TENOR_YEARS[t] for t in curve.index], "y": [round(float(v), 4) for v in curve.values],
            "text": list(curve.index), "hovertemplate": "%{text}: %{y:.2f}%<extra>" + label + "</extra>",
            "line": {"color": SERIES[i % len(SERIES)], "width": 3 if i == 0 else 1.5,
                     "dash": "solid" if i == 0 else "dot"},
        })
    layout = base_layout(title, y_title="yield, %")
    layout["hovermode"] = "closest"
    layout["xaxis"] = {**layout["xaxis"], "type": "log", "tickvals": tick_vals,
                       "ticktext": list(TENOR_YEARS), "title": {"text": "tenor"}}
    return {"data": traces, "layout": layout}


def history(
    series: Mapping[str, pd.Series],
    *,
    title: str,
    y_title: str,
    max_points: int = DEFAULT_MAX_POINTS,
    episodes: bool = True,
    zero_line: bool = False,
    height: int = 360,
) -> Figure:
    """Time-series lines, each downsampled to at most `max_points`, episodes shaded."""
    traces = []
    starts = []
    for i, (name, values) in enumerate(series.items()):
        small = minmax_downsample(values, max_points)
        if small.empty:
            continue
        starts.append(small.index[0])
        traces.append({
            # SVG, never WebGL: remote desktops and headless browsers often have no GPU, and
            # plotly then covers a WebGL chart with a "WebGL is not supported" panel.
            "type": "scatter", "mode": "lines", "name": name,
            "x": pd.DatetimeIndex(small.index).strftime("%Y-%m-%d").tolist(),
            "y": np.round(small.to_numpy(dtype=float), 4).tolist(),
            "line": {"color": SERIES[i % len(SERIES)], "width": 1.5},
        })
    layout = base_layout(title, y_title=y_title, height=height)
    shapes: list[dict[str, Any]] = []
    if zero_line:
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
                       "line": {"color": "#8c959f", "width": 1}})
    if episodes and starts:
        shapes += episode_shapes(min(starts))
    layout["shapes"] = shapes
    if traces:
        ends = [pd.Timestamp(t["x"][-1]) for t in traces if t["x"]]
        layout["xaxis"] = {**layout["xaxis"], **time_axis(max(ends) if ends else None)}
    return {"data": traces, "layout": layout}


#: Range buttons of every time chart.
RANGE_BUTTONS: tuple[dict[str, Any], ...] = (
    {"count": 1, "label": "1M", "step": "month", "stepmode": "backward"},
    {"count": 3, "label": "3M", "step": "month", "stepmode": "backward"},
    {"count": 1, "label": "1Y", "step": "year", "stepmode": "backward"},
    {"count": 5, "label": "5Y", "step": "year", "stepmode": "backward"},
    {"label": "Max", "step": "all"},
)


def time_axis(last: pd.Timestamp | None) -> dict[str, Any]:
    """A date axis with 1M/3M/1Y/5Y/Max buttons, opening on the last :data:`OPEN_ON_YEARS`
    years (a zoom then loads that range at full resolution, see components.zoom)."""
    axis: dict[str, Any] = {
        "type": "date",
        "rangeselector": {"buttons": list(RANGE_BUTTONS), "x": 0, "y": 1.0,
                          "yanchor": "bottom", "font": {"size": 11}},
    }
    if last is not None:
        start = last - pd.DateOffset(years=OPEN_ON_YEARS)
        axis["range"] = [start.strftime("%Y-%m-%d"), (last + pd.Timedelta(days=3)).strftime("%Y-%m-%d")]
    return axis


#: Fill of the stress-episode bands (the same on every chart).
EPISODE_FILL = "#bf8700"


def episode_shapes(first: pd.Timestamp | None) -> list[dict[str, Any]]:
    """The stress episodes (Lehman, taper tantrum, ...) from ``first`` on, as shaded bands
    labelled with their names (vertical text at the top, so that neighbours do not collide)."""
    if first is None:
        return []
    return [
        {"type": "rect", "xref": "x", "yref": "paper", "x0": start, "x1": end, "y0": 0, "y1": 1,
         "fillcolor": EPISODE_FILL, "opacity": 0.12, "line": {"width": 0}, "layer": "below",
         "name": label,
         "label": {"text": label, "textposition": "top center", "textangle": -90,
                   "xanchor": "right", "font": {"size": 10, "color": "#7a5c00"}}}
        for start, end, label in EPISODES
        if pd.Timestamp(end) >= pd.Timestamp(first)
    ]


def robust_range(series: Sequence[pd.Series], *, lower_q: float = 0.005,
                 upper_q: float = 0.995, pad: float = 0.08) -> list[float] | None:
    """A y-range that leaves out the rare spikes (below the ``lower_q`` and above the
    ``upper_q`` quantile of all the values) so that the rest of the history is readable; None
    when there is nothing to range."""
    values = pd.concat([s.dropna() for s in series]) if series else pd.Series(dtype=float)
    if values.empty:
        return None
    lo, hi = float(values.quantile(lower_q)), float(values.quantile(upper_q))
    if not hi > lo:
        return None
    margin = (hi - lo) * pad
    return [round(lo - margin, 6), round(hi + margin, 6)]


def bar(labels: Sequence[str], values: Sequence[float], *, title: str, y_title: str,
        colors: Sequence[str] | None = None, height: int = 320) -> Figure:
    """A simple bar chart (categories -> values)."""
    trace: dict[str, Any] = {"type": "bar", "x": list(labels), "y": [float(v) for v in values]}
    if colors is not None:
        trace["marker"] = {"color": list(colors)}
    layout = base_layout(title, y_title=y_title, height=height)
    layout["hovermode"] = "closest"
    return {"data": [trace], "layout": layout}


def empty(message: str, *, title: str = "", height: int = 320) -> Figure:
    """A blank chart that says why it is blank."""
    layout = base_layout(title, height=height)
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["annotations"] = [{"text": message, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                              "showarrow": False, "font": {"size": 14, "color": "#5b6570"}}]
    return {"data": [], "layout": layout}
