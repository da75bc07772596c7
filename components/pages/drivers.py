"""Rates drivers: ACM and Kim-Wright term premia side by side (labelled by model), the 10y move
split into term premium and expected path, the real-yield / breakeven split and the 5y5y.

Also registers the callback of the Curve page's term-premium card
(:func:`components.figures_beyond.term_premium_split_card`), which follows that page's as-of
date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, dcc, html

from analytics.beyond import beyond_snapshot
from analytics.real_yields import WINDOWS as REAL_WINDOWS
from analytics.real_yields import real_yield_split
from analytics.state import MarketState
from analytics.term_premium import WINDOWS, term_premium_split
from components import figures
from components.beyond_data import lookups, per_state, register_dated, served_on
from components.context import AppContext
from components.figures_beyond import (
    beyond_tiles,
    date_patches,
    real_split_figure,
    real_yields_figure,
    split_figure,
    term_premium_figure,
    with_asof_line,
)
from components.urlstate import AS_OF
from components.widgets import card, graph, note, tiles

PATH = "/drivers"
LABEL = "Rates drivers"

TILE_IDS = ("glance-term-premium", "glance-real")
GRAPH_IDS = ("drivers-tp", "drivers-tp-split", "drivers-real-split", "drivers-real")


def curve_card_figure(ctx: AppContext, as_of: str | None) -> dict[str, Any]:
    """The Curve page card's figure: the term-premium split as of the Curve page's date."""
    state = ctx.state()
    when = pd.Timestamp(as_of) if as_of else state.last_date
    if when is None:
        return figures.empty("No data stored.")
    tp = lookups(state).term_premium
    return split_figure([term_premium_split(tp, when, w) for w in WINDOWS])


def _base_figures(state: MarketState) -> dict[str, Any]:
    """The page's full-history figures without the as-of line (per data revision)."""
    h = state.beyond
    return {"drivers-tp": term_premium_figure(h.term_premium),
            "drivers-real": real_yields_figure(h.real_yields)}


def update(ctx: AppContext, as_of: str | None) -> tuple[Any, ...]:
    """The page as of a date: (tiles, *figures), :func:`tiles_view` and :func:`figures_view`.

    Everything comes from the served state (one data revision): tiles and splits are row
    lookups, the full-history figures are built once per state and marked with the date here.
    """
    return (tiles_view(ctx, as_of), *figures_view(ctx, as_of))


def tiles_view(ctx: AppContext, as_of: str | None) -> Any:
    """The tiles, the split method and what is missing, as of a date."""
    state, when = served_on(ctx, as_of)
    if when is None:
        return note("No data stored: nothing to show.")
    doc = beyond_snapshot(state.measures.series, when, histories=state.beyond)
    missing = [*doc["term_premium"]["missing"], *doc["real_yields"]["missing"]]
    method = doc["term_premium"]["split_method"]
    how = ("expected path = ACM risk-neutral 10y yield (ACMRNY10)" if method == "acm" else
           "expected path = CMT 10y minus ACMTP10 (ACMRNY10 not stored; includes the par-vs-zero gap)"
           if method == "residual" else "no split on this date")
    return html.Div([tiles(beyond_tiles(doc, TILE_IDS), min_width_px=240),
                     html.P(how, id="drivers-split-method", className="note"),
                     html.Ul([html.Li(m) for m in missing], id="drivers-missing") if missing else None])


def figures_view(ctx: AppContext, as_of: str | None) -> list[Any]:
    """The figures of :data:`GRAPH_IDS` as of a date."""
    state, when = served_on(ctx, as_of)
    if when is None:
        return [figures.empty("No data stored.")] * len(GRAPH_IDS)
    lk = lookups(state)
    tp_splits = [term_premium_split(lk.term_premium, when, w) for w in WINDOWS]
    real_splits = [real_yield_split(lk.real_yields, when, w) for w in REAL_WINDOWS]
    base = per_state(state, "drivers", lambda: _base_figures(state))
    return [with_asof_line(base["drivers-tp"], when), split_figure(tp_splits),
            real_split_figure(real_splits), with_asof_line(base["drivers-real"], when)]


def date_change(ctx: AppContext, as_of: str | None) -> list[Any]:
    """The figures on a date change: the two splits whole and, for each full-history figure, a
    Patch of its shapes only (the as-of line moves; the traces stay in the browser)."""
    return date_patches(("drivers-tp", "drivers-real"), GRAPH_IDS, figures_view(ctx, as_of))


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    # The figures come with the page (a date change then patches their as-of lines); the tiles
    # come from their callback (their ids are the Overview's too, so no layout holds both).
    fig = dict(zip(GRAPH_IDS, figures_view(ctx, (query or {}).get(AS_OF) or None), strict=True))
    return html.Div([
        card("Rates drivers", html.Div([
        ], className="controls"), dcc.Loading(html.Div(id="drivers-tiles"), type="dot")),
        card("Term premium: two models", graph("drivers-tp", fig["drivers-tp"], height=380),
             note("ACM (Adrian-Crump-Moench, NY Fed, ACMTP10) and Kim-Wright (Federal Reserve Board, "
                  "FRED THREEFYTP10) are different models; FRED carries no ACM series and "
                  "THREEFYTP10 is often mislabelled as ACM. ACM fell much lower in 2020.")),
        html.Div([
            card("10y move: term premium or expected path?", graph("drivers-tp-split", fig["drivers-tp-split"], height=320),
                 note("Windows count observations: 1d = 1, 1w = 5, 1m = 21 dates with both sides.")),
            card("10y move: real yield or breakeven?", graph("drivers-real-split", fig["drivers-real-split"], height=320),
                 note("Nominal 10y change = change of the 10y TIPS real yield (DFII10) + change of "
                      "the 10y breakeven (T10YIE = DGS10 - DFII10).")),
        ], className="grid-2"),
        card("Real yields, breakevens and the 5y5y forward", graph("drivers-real", fig["drivers-real"], height=380),
             note("5y5y forward inflation expectation: FRED T5YIFR, or FRED's formula from the 5y and "
                  "10y breakevens where it is not stored.")),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    register_dated(app, ctx, tiles_id="drivers-tiles", graph_ids=GRAPH_IDS, tiles=tiles_view,
                   date_change=date_change)

    # The Curve page's term-premium card follows that page's as-of date.
    @app.callback(Output("curve-tp-split", "figure"), Input("app-asof", "date"))
    def _curve_card(as_of: str | None) -> dict[str, Any]:
        return curve_card_figure(ctx, as_of)
