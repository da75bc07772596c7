"""Auctions: every stored coupon auction with its tail proxy, bid-to-cover, indirect and dealer
shares and dispersion, z-scores against the same tenor's last 12 auctions, weak flags, and a
calendar of the recent ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, dcc, html

from analytics.auctions import (
    TAIL_CAVEAT,
    TENORS,
    WEAK_SCORE,
    Z_AUCTIONS,
    auctions_as_of,
)
from components import figures
from components.beyond_data import lookups
from components.context import AppContext
from components.figures_beyond import auction_calendar_figure, auction_rows, auction_table_component
from components.widgets import card, graph, note

PATH = "/auctions"
LABEL = "Auctions"

ALL_TENORS = "all"
#: Rows of the table.
TABLE_ROWS = 25


def update(ctx: AppContext, as_of: str | None, tenor: str | None) -> tuple[Any, ...]:
    """The page's callback as a plain function: (calendar figure, table, headline)."""
    state = ctx.state()
    table = state.beyond.auctions
    when = pd.Timestamp(as_of) if as_of else (
        table["date"].max() if len(table) else state.last_date)
    if when is None or pd.isna(when) or table.empty:
        msg = "No auctions stored: `tsm import ../shared/data/treasury/auctions_2008_2026.csv` or " \
              "`tsm refresh --source auctions`."
        return figures.empty(msg, height=300), note(msg), ""
    recent = auctions_as_of(state.measures.series, when, table=lookups(state).auctions)
    weak = [r for r in recent.recent if r.weak]
    headline = (f"{len(recent.recent)} coupon auction(s) in the 10 business days to {when:%Y-%m-%d}; "
                f"{len(weak)} weak" + (": " + ", ".join(f"{r.tenor} on {r.date:%Y-%m-%d}" for r in weak)
                                       if weak else ""))
    rows = auction_rows(table, when, count=TABLE_ROWS, tenor=None if tenor in (None, ALL_TENORS) else tenor)
    return auction_calendar_figure(table, when), auction_table_component(rows), headline


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    return html.Div([
        card("Treasury coupon auctions", html.Div([
            html.Label("Tenor", htmlFor="auct-tenor"),
            dcc.Dropdown(id="auct-tenor", options=[ALL_TENORS, *TENORS], value=ALL_TENORS,
                         clearable=False, style={"width": "110px"}),
        ], className="controls"),
            html.Strong(id="auct-headline"),
            graph("auct-calendar", figures.empty("Computing...", height=300), height=300)),
        card("Recent auctions", dcc.Loading(html.Div(id="auct-table-box"), type="dot"),
             note(TAIL_CAVEAT),
             note(f"(z) = z-score against the same tenor's previous {Z_AUCTIONS} auctions (at least 6; "
                  "auctions under $1bn are left out). WEAK when the mean of tail z, minus "
                  f"bid-to-cover z and dealer-share z is {WEAK_SCORE:g} or more. Shares are "
                  "percentages of the competitive amount accepted. Dispersion = high minus median "
                  "yield. Tenor = the standard tenor nearest the term at the auction (a reopening "
                  "of an old 10-year note with 3 years left is a 3-year auction).")),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("auct-calendar", "figure"), Output("auct-table-box", "children"),
                  Output("auct-headline", "children"),
                  Input("app-asof", "date"), Input("auct-tenor", "value"))
    def _update(as_of: str | None, tenor: str | None) -> tuple[Any, ...]:
        return update(ctx, as_of, tenor)
