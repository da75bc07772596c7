"""Pure figure builders of the Curve and Functioning pages: frames in, Plotly dicts out.

Every history chart carries the as-of marker as ``layout.shapes[0]`` so that a callback can
move it with a :class:`dash.Patch` (:func:`asof_update`) instead of resending the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from dash import Patch

from components import figures
from components.downsample import DEFAULT_MAX_POINTS, minmax_downsample
from components.theme import GRID, INK, MUTED, SERIES, base_layout

__all__ = [
    "ASOF_COLOUR",
    "FACTOR_PANELS",
    "asof_shape",
    "asof_update",
    "history_with_asof",
    "factors_figure",
]

Figure = dict[str, Any]

#: Colour of the dashed vertical line that marks the as-of date.
ASOF_COLOUR = INK
#: Panels of the factor chart: (column of analytics.curve.curve_factors, title, unit).
FACTOR_PANELS: tuple[tuple[str, str, str], ...] = (
    ("level_pct", "Level (3m + 2y + 10y) / 3", "%"),
    ("slope_bp", "Slope 10y - 3m", "bp"),
    ("curvature_bp", "Curvature 2 x 2y - 3m - 10y", "bp"),
)
#: Vertical gap between the factor panels, as a fraction of the plot height.
_PANEL_GAP = 0.07


def asof_shape(as_of: pd.Timestamp | None, *, yref: str = "paper") -> dict[str, Any]:
    """The as-of marker: a dashed vertical line (invisible when there is no date)."""
    if as_of is None:
        return {"type": "line", "visible": False, "xref": "x", "yref": yref,
                "x0": 0, "x1": 0, "y0": 0, "y1": 1}
    day = pd.Timestamp(as_of).strftime("%Y-%m-%d")
    return {"type": "line", "visible": True, "xref": "x", "yref": yref, "x0": day, "x1": day,
            "y0": 0, "y1": 1, "line": {"color": ASOF_COLOUR, "width": 1, "dash": "dash"},
            "name": f"as of {day}"}


def asof_update(fig: Figure) -> Figure | Patch:
    """What a callback sends when only the as-of date changed: for a chart with data, a Patch
    of its as-of marker and annotations (the data stay in the browser); else the whole
    (small, empty) figure."""
    if not fig["data"]:
        return fig
    shapes = fig["layout"].get("shapes") or [asof_shape(None)]
    patch = Patch()
    patch["layout"]["shapes"][0] = shapes[0]
    patch["layout"]["annotations"] = fig["layout"].get("annotations", [])
    return patch


def history_with_asof(
    series: Mapping[str, pd.Series],
    *,
    title: str,
    y_title: str,
    as_of: pd.Timestamp | None,
    zero_line: bool = False,
    height: int = 360,
    max_points: int = DEFAULT_MAX_POINTS,
) -> Figure:
    """:func:`components.figures.history` (downsampled, episodes shaded) with the as-of line
    as its first shape."""
    fig = figures.history(series, title=title, y_title=y_title, zero_line=zero_line,
                          height=height, max_points=max_points)
    fig["layout"]["shapes"] = [asof_shape(as_of), *fig["layout"]["shapes"]]
    return fig


def _panel_domains(n: int) -> list[tuple[float, float]]:
    height = (1.0 - _PANEL_GAP * (n - 1)) / n
    # Top panel first.
    return [(round(1.0 - (i + 1) * height - i * _PANEL_GAP, 4),
             round(1.0 - i * height - i * _PANEL_GAP, 4)) for i in range(n)]


def factors_figure(
    factors: pd.DataFrame,
    *,
    as_of: pd.Timestamp | None,
    panels: Sequence[tuple[str, str, str]] = FACTOR_PANELS,
    max_points: int = DEFAULT_MAX_POINTS,
    height: int = 560,
) -> Figure:
    """Level, slope and curvature in stacked panels sharing the date axis.

    Parameters
    ----------
    factors : frame of :func:`analytics.curve.curve_factors` (level in %, slope and
        curvature in bp), indexed by date.
    as_of : date of the marker line (None: no marker).
    """
    layout = base_layout("Level, slope and curvature (Diebold-Li empirical factors)",
                         height=height)
    layout["showlegend"] = False
    layout["hovermode"] = "x unified"
    traces: list[dict[str, Any]] = []
    domains = _panel_domains(len(panels))
    first: pd.Timestamp | None = None
    for i, ((column, label, unit), domain) in enumerate(zip(panels, domains, strict=True)):
        axis = "" if i == 0 else str(i + 1)
        small = minmax_downsample(factors[column], max_points) if column in factors else \
            pd.Series(dtype=float)
        if len(small):
            first = small.index[0] if first is None else min(first, small.index[0])
        traces.append({
            # SVG, never WebGL: remote desktops and headless browsers often have no GPU, and
            # plotly then covers a WebGL chart with a "WebGL is not supported" panel.
            "type": "scatter", "mode": "lines",
            "name": f"{label} ({unit})",
            "x": pd.DatetimeIndex(small.index).strftime("%Y-%m-%d").tolist(),
            "y": np.round(small.to_numpy(dtype=float), 4).tolist(),
            "xaxis": "x", "yaxis": f"y{axis}",
            "line": {"color": SERIES[i % len(SERIES)], "width": 1.3},
            "hovertemplate": "%{y:.2f} " + unit + "<extra>" + label + "</extra>",
        })
        layout[f"yaxis{axis}"] = {"domain": list(domain), "gridcolor": GRID, "zeroline": True,
                                  "zerolinecolor": "#8c959f", "title": {"text": unit},
                                  "anchor": "x"}
        layout.setdefault("annotations", []).append({
            "text": f"<b>{label}</b> ({unit})", "xref": "paper", "yref": "paper", "x": 0,
            "y": domain[1], "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 12, "color": MUTED},
        })
    layout["xaxis"] = {"gridcolor": GRID, "zeroline": False, "anchor": f"y{len(panels)}"}
    shapes: list[dict[str, Any]] = [asof_shape(as_of), *figures.episode_shapes(first)]
    layout["shapes"] = shapes
    layout["margin"] = {**layout["margin"], "t": 56}
    return {"data": traces, "layout": layout}
