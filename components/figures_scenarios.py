"""Pure figure builders of the Scenarios page: results in, a Plotly figure dict out.

Tested without a browser (trace count, points per trace, payload size). Values are rounded
before they go out: the charts need four decimals, the JSON payload does not need seventeen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from components.figures import empty
from components.theme import ACCENT, BAD, MUTED, SERIES, WARN, base_layout

__all__ = ["Figure", "ROUNDS_HEIGHT", "SWEEP_HEIGHT", "rounds_figure", "sweep_figure"]

Figure = dict[str, Any]

#: Chart heights, px (the per-round chart sits beside the headline numbers).
ROUNDS_HEIGHT = 320
SWEEP_HEIGHT = 340
#: Decimals kept in the payload.
_DECIMALS = 4


def _legend_below(layout: dict[str, Any]) -> None:
    """Legend under the x-axis title rather than on top of it."""
    layout["legend"] = {"orientation": "h", "x": 0, "y": -0.32}
    layout["margin"] = {**layout["margin"], "b": 78}


def _rounded(values: Any) -> list[float]:
    return [float(v) for v in np.round(np.asarray(values, dtype=float), _DECIMALS)]


def rounds_figure(table: pd.DataFrame, *, title: str, impact_label: str = "yield impact") -> Figure:
    """Cumulative amount sold (bars, USD bn, left axis) and the cumulative yield impact of the
    sales (line, bp, right axis) by round of a forced-selling loop.

    Parameters
    ----------
    table : pandas.DataFrame
        ``DeleveragingResult.rounds_table``: columns round, cumulative_sold_bn,
        yield_impact_bp (cumulative, bp), ... ; one row per round with sales.
    title : str
        Chart title.
    impact_label : str, optional
        Name of the bp line in the legend.
    """
    if table.empty:
        return empty(
            "No forced sales: the fund meets the new haircut and margin (no margin call).",
            title=title,
            height=ROUNDS_HEIGHT,
        )
    rounds = [int(r) for r in table["round"]]
    bars = {
        "type": "bar",
        "name": "cumulative sold, USD bn",
        "x": rounds,
        "y": _rounded(table["cumulative_sold_bn"]),
        "marker": {"color": SERIES[0]},
        "hovertemplate": "round %{x}: USD %{y:,.1f}bn sold so far<extra></extra>",
    }
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": f"{impact_label}, bp (right axis)",
        "x": rounds,
        "y": _rounded(table["yield_impact_bp"]),
        "yaxis": "y2",
        "line": {"color": SERIES[1], "width": 2.5},
        "marker": {"size": 7},
        "hovertemplate": "round %{x}: %{y:.2f} bp<extra></extra>",
    }
    layout = base_layout(title, y_title="cumulative sold, USD bn", height=ROUNDS_HEIGHT)
    layout["hovermode"] = "closest"
    layout["bargap"] = 0.35
    # Integer rounds; a single round must not get fractional ticks.
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": "round"}, "tickformat": "d"}
    if len(rounds) <= 20:
        layout["xaxis"]["dtick"] = 1
    layout["yaxis"] = {**layout["yaxis"], "rangemode": "tozero"}
    layout["yaxis2"] = {"title": {"text": "yield impact, bp"}, "overlaying": "y", "side": "right",
                        "rangemode": "tozero", "showgrid": False, "zeroline": False,
                        "tickformat": ".1f"}
    _legend_below(layout)
    layout["margin"]["r"] = 56
    return {"data": [bars, line], "layout": layout}


def sweep_figure(
    sweep: pd.DataFrame,
    *,
    current_shock_bp: float,
    current_flow_bn: float,
    title: str = "Hedge flow vs rate shock",
) -> Figure:
    """Hedgers' 10y-equivalent flow (USD bn, + = sell) against the parallel rate shock (bp),
    with the current shock marked by a point and a vertical line.

    Parameters
    ----------
    sweep : pandas.DataFrame
        ``convexity_hedge_sweep`` output: indexed by shock_bp, column hedge_flow_10y_bn.
    current_shock_bp, current_flow_bn : float
        The slider's shock (bp) and its flow (USD bn), drawn as the marked point.
    title : str, optional
        Chart title.
    """
    if sweep.empty:
        return empty("No rate shock keeps the mortgage rate positive.", title=title,
                     height=SWEEP_HEIGHT)
    curve = {
        "type": "scatter",
        "mode": "lines",
        "name": "hedge flow, USD bn (10y-equivalent)",
        "x": _rounded(sweep.index.to_numpy(dtype=float)),
        "y": _rounded(sweep["hedge_flow_10y_bn"]),
        "line": {"color": ACCENT, "width": 2.5},
        "hovertemplate": "%{x:+.0f} bp: %{y:+,.1f} USD bn<extra></extra>",
    }
    colour = BAD if current_flow_bn > 0 else (SERIES[3] if current_flow_bn < 0 else MUTED)
    point = {
        "type": "scatter",
        "mode": "markers",
        "name": f"current shock {current_shock_bp:+g} bp: USD {current_flow_bn:+,.1f}bn",
        "x": _rounded([current_shock_bp]),
        "y": _rounded([current_flow_bn]),
        "marker": {"color": colour, "size": 13, "line": {"color": "white", "width": 2}},
        "hovertemplate": "current %{x:+.0f} bp: %{y:+,.1f} USD bn<extra></extra>",
    }
    layout = base_layout(title, y_title="flow, USD bn (+ = sell)",
                         height=SWEEP_HEIGHT)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": "parallel rate shock, bp"}}
    _legend_below(layout)
    layout["shapes"] = [
        {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 0, "y1": 0,
         "line": {"color": "#8c959f", "width": 1}},
        {"type": "line", "xref": "x", "yref": "paper", "x0": current_shock_bp,
         "x1": current_shock_bp, "y0": 0, "y1": 1, "line": {"color": WARN, "width": 1.5,
                                                            "dash": "dash"}},
    ]
    return {"data": [curve, point], "layout": layout}
