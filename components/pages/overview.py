"""Overview: the curve today vs 1 week and 1 month ago, 2s10s history, and data status."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Dash, Input, Output, dcc, html

from components import figures
from components.context import AppContext
from components.widgets import card, graph, note, simple_table
from data.market import MarketData

PATH = "/"
LABEL = "Overview"

#: Look-backs of the curve comparison, in calendar days.
COMPARE = (("1 week ago", 7), ("1 month ago", 30))


def _curve_on_or_before(yields: pd.DataFrame, when: pd.Timestamp) -> tuple[pd.Timestamp, pd.Series] | None:
    sub = yields.loc[:when].dropna(how="all")
    if sub.empty:
        return None
    return sub.index[-1], sub.iloc[-1]


def curve_figure(data: MarketData, as_of: str | None) -> dict[str, Any]:
    yields = data.yields
    if yields.empty:
        return figures.empty("No Treasury yields in the store: import DGS* files or run `tsm refresh`.",
                             title="Treasury curve")
    when = pd.Timestamp(as_of) if as_of else yields.index[-1]
    today = _curve_on_or_before(yields, when)
    if today is None:
        return figures.empty(f"No yields on or before {when:%Y-%m-%d}.", title="Treasury curve")
    curves = {f"{today[0]:%Y-%m-%d}": today[1]}
    for label, days in COMPARE:
        past = _curve_on_or_before(yields, today[0] - pd.Timedelta(days=days))
        if past is not None:
            curves[f"{label} ({past[0]:%Y-%m-%d})"] = past[1]
    return figures.curve_comparison(curves, title="Treasury curve: today vs 1 week and 1 month ago")


def spread_figure(data: MarketData) -> dict[str, Any]:
    yields = data.yields
    spread = ((yields["10y"] - yields["2y"]) * 100.0).dropna()
    if spread.empty:
        return figures.empty("2s10s needs the 2y and 10y yields.", title="2s10s")
    return figures.history({"2s10s": spread}, title="2s10s spread (10y - 2y)", y_title="bp",
                           zero_line=True)


def status_table(data: MarketData) -> html.Table:
    rows = [
        (r.series_id, r.title, r.source or "-", r.first_date, r.last_date, f"{r.rows:,}",
         "DEMO" if data.is_demo else (r.last_success or "never")[:16],
         r.freshness, r.last_error or "")
        for r in data.status_rows
    ]
    classes = ["row-error" if r.last_error else ("row-stale" if r.stale else "") for r in data.status_rows]
    return simple_table("status-table", ["series", "title", "source", "first", "last", "rows",
                                         "last refresh", "fresh", "last error"], rows,
                        row_classes=classes)


def layout(ctx: AppContext) -> html.Div:
    data = ctx.data()
    last = data.last_date()
    return html.Div([
        card("Curve", html.Div([
            html.Label("As of", htmlFor="overview-asof"),
            dcc.DatePickerSingle(id="overview-asof", date=last.date() if last is not None else None,
                                 display_format="YYYY-MM-DD",
                                 max_date_allowed=last.date() if last is not None else None),
        ], className="controls"), graph("overview-curve", curve_figure(data, None))),
        card("2s10s history", graph("overview-2s10s", spread_figure(data)),
             note("Shaded: stress episodes (Lehman, taper tantrum, repo spike, dash for cash, "
                  "UK LDI, 10y at 5%, tariff sell-off).")),
        card("Data status", status_table(data)),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("overview-curve", "figure"), Input("overview-asof", "date"),
                  prevent_initial_call=True)
    def _update_curve(as_of: str | None) -> dict[str, Any]:
        return curve_figure(ctx.data(), as_of)
