"""Pure figure builders of the Risk page: numbers in, a Plotly figure dict out.

Tested without a browser (trace count, points per trace, payload size). Values are rounded
before they go out: four to six decimals are plenty on a chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from components.figures import empty
from components.theme import ACCENT, BAD, DEMO, GOOD, INK, MUTED, SERIES, WARN, base_layout

__all__ = [
    "Figure",
    "KRD_HEIGHT",
    "SWEEP_HEIGHT",
    "PROFILE_HEIGHT",
    "PNL_HEIGHT",
    "krd_figure",
    "price_shift_figure",
    "shock_profile_figure",
    "pnl_figure",
]

Figure = dict[str, Any]

#: Chart heights, px.
KRD_HEIGHT = 340
SWEEP_HEIGHT = 340
PROFILE_HEIGHT = 260
PNL_HEIGHT = 300
#: Decimals kept in the payload.
_DECIMALS = 6


def _rounded(values: Any, decimals: int = _DECIMALS) -> list[float]:
    return [float(v) for v in np.round(np.asarray(values, dtype=float), decimals)]


def _legend_below(layout: dict[str, Any], *, y: float = -0.25, bottom: int = 70) -> None:
    layout["legend"] = {"orientation": "h", "x": 0, "y": y}
    layout["margin"] = {**layout["margin"], "b": bottom}


def krd_figure(
    krd: Mapping[str, float],
    *,
    effective_duration: float,
    krd_sum: float,
    title: str = "Key-rate durations",
) -> Figure:
    """Key-rate durations (years) as bars, with their sum beside the effective duration.

    Parameters
    ----------
    krd : key-rate duration by key tenor ("1y".."30y"), years, in display order.
    effective_duration : effective duration of the whole-curve shift, years.
    krd_sum : sum of the key-rate durations, years.
    title : chart title.

    Returns
    -------
    Figure
        Two bar traces: the eight keys, then "sum of KRDs" and "effective duration" (a
        separate colour, so the comparison reads at a glance).
    """
    if not krd:
        return empty("No key-rate durations to show.", title=title, height=KRD_HEIGHT)
    keys = list(krd)
    values = _rounded([krd[k] for k in keys], 4)
    bars = {
        "type": "bar", "name": "key-rate duration", "x": keys, "y": values,
        "marker": {"color": [ACCENT if v >= 0 else BAD for v in values]},
        "text": [f"{v:.2f}" for v in values], "textposition": "outside",
        "hovertemplate": "%{x} key rate: %{y:.4f} years<extra></extra>",
    }
    totals = {
        "type": "bar", "name": "sum vs effective", "x": ["KRD sum", "eff. dur."],
        "y": _rounded([krd_sum, effective_duration], 4),
        "marker": {"color": [WARN, MUTED]},
        "text": [f"{krd_sum:.2f}", f"{effective_duration:.2f}"], "textposition": "outside",
        "hovertemplate": "%{x}: %{y:.4f} years<extra></extra>",
    }
    layout = base_layout(f"{title}: sum {krd_sum:.3f} vs effective {effective_duration:.3f}",
                         y_title="years", height=KRD_HEIGHT)
    layout["hovermode"] = "closest"
    layout["showlegend"] = False
    layout["xaxis"] = {**layout["xaxis"], "type": "category"}
    top = max([0.0, *values, krd_sum, effective_duration])
    bottom = min([0.0, *values, krd_sum, effective_duration])
    pad = 0.15 * max(top - bottom, 1e-9)
    layout["yaxis"] = {**layout["yaxis"], "range": [bottom - (pad if bottom < 0 else 0.0), top + pad]}
    return {"data": [bars, totals], "layout": layout}


def price_shift_figure(
    shifts_bp: Sequence[float],
    prices: Sequence[float],
    *,
    base_price: float,
    base_dirty: float,
    effective_duration: float,
    threshold_price: float | None = None,
    call_price: float | None = None,
    crossing_bp: float | None = None,
    title: str = "Price vs parallel shift of the curve",
) -> Figure:
    """Clean price per 100 against a parallel shift of the zero curve, with the duration line.

    Parameters
    ----------
    shifts_bp : parallel shifts, bp (ascending).
    prices : clean price per 100 at each shift.
    base_price : clean price per 100 with no shift.
    base_dirty : dirty price per 100 with no shift (the duration line's slope is per dirty
        price).
    effective_duration : years; the straight line ``base - D x dirty x shift`` shows what an
        average duration predicts, so the gap to the curve is the convexity / asymmetry.
    threshold_price : de minimis threshold price per 100 (munis): drawn as a dotted line.
    call_price : call price per 100 (callables): drawn as a dotted line.
    crossing_bp : shift (bp) at which a muni's price falls through the threshold: marked with
        an arrow, as the jump is small beside the chart's price range.
    title : chart title.

    Returns
    -------
    Figure
        Traces: full revaluation, duration line, base point (3 traces) plus the shapes.
    """
    x = _rounded(shifts_bp, 2)
    y = _rounded(prices, 4)
    if not x or len(x) != len(y):
        return empty("No prices to plot.", title=title, height=SWEEP_HEIGHT)
    shift = np.asarray(x) * 1e-4
    linear = base_price - effective_duration * base_dirty * shift
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "full revaluation", "x": x, "y": y,
         "line": {"color": SERIES[0], "width": 3},
         "hovertemplate": "%{x:+.0f} bp: %{y:.3f}<extra>full revaluation</extra>"},
        {"type": "scatter", "mode": "lines", "name": "effective-duration line", "x": x,
         "y": _rounded(linear, 4), "line": {"color": MUTED, "width": 1.5, "dash": "dash"},
         "hovertemplate": "%{x:+.0f} bp: %{y:.3f}<extra>duration line</extra>"},
        {"type": "scatter", "mode": "markers", "name": "today", "x": [0.0],
         "y": [round(float(base_price), 4)], "marker": {"color": INK, "size": 9},
         "hovertemplate": "base: %{y:.3f}<extra></extra>"},
    ]
    layout = base_layout(title, y_title="clean price per 100", height=SWEEP_HEIGHT)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": "parallel shift of the zero curve, bp"},
                       "zeroline": True, "zerolinecolor": "#c4ccd4"}
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    for level, label, colour in ((threshold_price, "de minimis threshold", DEMO),
                                 (call_price, "call price", GOOD)):
        if level is None:
            continue
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": level,
                       "y1": level, "line": {"color": colour, "width": 1.5, "dash": "dot"}})
        annotations.append({"text": f"{label} {level:.2f}", "xref": "paper", "x": 1.0,
                            "xanchor": "right", "y": level, "yanchor": "bottom",
                            "showarrow": False, "font": {"size": 11, "color": colour}})
    if crossing_bp is not None and threshold_price is not None:
        annotations.append({"text": f"falls through the threshold at {crossing_bp:+.0f} bp: taxed "
                                    "at the ordinary rate", "x": crossing_bp, "y": threshold_price,
                            "xref": "x", "yref": "y", "showarrow": True, "arrowhead": 2, "ax": 40,
                            "ay": -60, "xanchor": "left", "font": {"size": 11, "color": DEMO},
                            "bgcolor": "rgba(255,255,255,0.85)"})
    layout["shapes"] = shapes
    layout["annotations"] = annotations
    _legend_below(layout, y=-0.3, bottom=84)
    return {"data": traces, "layout": layout}


def shock_profile_figure(
    maturities_years: Sequence[float],
    shift_bp: Sequence[float],
    *,
    title: str = "The combined shock: zero-rate change by maturity",
) -> Figure:
    """The zero-rate change (bp) the sliders apply, against maturity (years)."""
    x = _rounded(maturities_years, 3)
    y = _rounded(shift_bp, 3)
    if not x:
        return empty("No shock to show.", title=title, height=PROFILE_HEIGHT)
    trace = {"type": "scatter", "mode": "lines", "name": "shift", "x": x, "y": y,
             "line": {"color": SERIES[1], "width": 2.5}, "fill": "tozeroy",
             "fillcolor": "rgba(207,106,0,0.12)",
             "hovertemplate": "%{x:.1f}y: %{y:+.1f} bp<extra></extra>"}
    layout = base_layout(title, y_title="bp", height=PROFILE_HEIGHT)
    layout["hovermode"] = "closest"
    layout["showlegend"] = False
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": "maturity, years"},
                       "tickvals": [1, 2, 3, 5, 7, 10, 20, 30]}
    low, high = min([0.0, *y]), max([0.0, *y])
    pad = max(5.0, 0.1 * (high - low))
    layout["yaxis"] = {**layout["yaxis"], "range": [low - pad, high + pad], "zeroline": True,
                       "zerolinecolor": "#8c959f"}
    return {"data": [trace], "layout": layout}


def pnl_figure(
    position_ids: Sequence[str],
    pnl_by_scenario: Mapping[str, Sequence[float]],
    *,
    title: str = "P&L by position",
) -> Figure:
    """Grouped bars of P&L (USD) by position, one trace per scenario."""
    ids = list(position_ids)
    if not ids or not pnl_by_scenario:
        return empty("No positions.", title=title, height=PNL_HEIGHT)
    traces = []
    for i, (name, values) in enumerate(pnl_by_scenario.items()):
        traces.append({"type": "bar", "name": name, "x": ids, "y": _rounded(values, 2),
                       "marker": {"color": SERIES[i % len(SERIES)]},
                       "hovertemplate": "%{x}: USD %{y:,.0f}<extra>" + name + "</extra>"})
    layout = base_layout(title, y_title="USD", height=PNL_HEIGHT)
    layout["hovermode"] = "closest"
    layout["barmode"] = "group"
    layout["xaxis"] = {**layout["xaxis"], "type": "category"}
    _legend_below(layout, y=-0.22, bottom=64)
    return {"data": traces, "layout": layout}
