"""Flows & liquidity: foreign official custody, the broad dollar and the sell-America signal, net
liquidity and its parts, and the official stress indices (OFR FSI with its categories,
STLFSI4, NFCI) beside our own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import Dash, dcc, html

from analytics.beyond import beyond_snapshot
from analytics.state import MarketState
from components import figures
from components.beyond_data import per_state, register_dated, served_on
from components.context import AppContext
from components.figures_beyond import (
    OFR_CATEGORY_LABELS,
    beyond_tiles,
    custody_figure,
    date_patches,
    dollar_figure,
    liquidity_figure,
    official_figure,
    ofr_categories_figure,
    sell_america_figure,
    with_asof_line,
)
from components.urlstate import AS_OF
from components.widgets import card, graph, note, tiles

PATH = "/flows"
LABEL = "Flows & liquidity"

#: Tiles of this page, by id (a subset of figures_beyond.beyond_tiles).
TILE_IDS = ("glance-custody", "glance-liquidity", "glance-sell-america", "glance-ofr")
#: Figures updated by the as-of date, in callback order.
GRAPH_IDS = ("flows-custody", "flows-dollar", "flows-sell-america", "flows-liquidity",
             "flows-official", "flows-ofr-categories")


def _base_figures(state: MarketState) -> dict[str, Any]:
    """The page's full-history figures without the as-of line (they depend on the data
    revision only); the OFR categories' frame, which the date windows."""
    h, series = state.beyond, state.measures.series
    ofr_cols = [c for c in OFR_CATEGORY_LABELS if c in series.columns]
    return {
        "flows-custody": custody_figure(h.custody),
        "flows-dollar": dollar_figure(series, h.sell_america),
        "flows-sell-america": sell_america_figure(h.sell_america),
        "flows-liquidity": liquidity_figure(h.liquidity),
        "flows-official": official_figure(series),
        "ofr-categories": series[ofr_cols].dropna(how="all"),
    }


def update(ctx: AppContext, as_of: str | None) -> tuple[Any, ...]:
    """The page as of a date: (tiles, *figures), :func:`tiles_view` and :func:`figures_view`.

    Everything comes from the served state (one data revision): the tiles are row lookups,
    the full-history figures are built once per state and marked with the date here.
    """
    return (tiles_view(ctx, as_of), *figures_view(ctx, as_of))


def tiles_view(ctx: AppContext, as_of: str | None) -> Any:
    """The tiles (and what is missing) as of a date."""
    state, when = served_on(ctx, as_of)
    if when is None:
        return note("No data stored: nothing to show.")
    doc = beyond_snapshot(state.measures.series, when, histories=state.beyond)
    picked = beyond_tiles(doc, TILE_IDS)
    missing = [m for key in ("foreign_official", "liquidity", "official_indices", "sell_america")
               for m in doc[key]["missing"]]
    return html.Div([tiles(picked, min_width_px=220),
                     html.Ul([html.Li(m) for m in missing], id="flows-missing") if missing else None])


def figures_view(ctx: AppContext, as_of: str | None) -> list[Any]:
    """The figures of :data:`GRAPH_IDS` as of a date."""
    state, when = served_on(ctx, as_of)
    if when is None:
        return [figures.empty("No data stored.")] * len(GRAPH_IDS)
    base = per_state(state, "flows", lambda: _base_figures(state))
    marked = [with_asof_line(base[g], when) for g in GRAPH_IDS[:-1]]
    return [*marked, ofr_categories_figure(base["ofr-categories"], as_of=when)]


def date_change(ctx: AppContext, as_of: str | None) -> list[Any]:
    """The figures on a date change: the OFR categories figure whole (its three years end on
    the date) and, for each full-history figure, a Patch of its shapes only (the as-of line
    moves; the traces, most of the bytes, stay in the browser)."""
    return date_patches(GRAPH_IDS[:-1], GRAPH_IDS, figures_view(ctx, as_of))


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    # The figures come with the page (a date change then patches their as-of lines); the tiles
    # come from their callback (their ids are the Overview's too, so no layout holds both).
    fig = dict(zip(GRAPH_IDS, figures_view(ctx, (query or {}).get(AS_OF) or None), strict=True))
    return html.Div([
        card("Flows & liquidity", html.Div([
        ], className="controls"), dcc.Loading(html.Div(id="flows-tiles"), type="dot")),
        html.Div([
            card("Foreign official demand", graph("flows-custody", fig["flows-custody"], height=380),
                 note("H.4.1 marketable Treasuries held at the New York Fed for foreign official "
                      "and international accounts (WMTSECL1, Wednesday level). The z-score compares "
                      "the 4-week change with the previous 3 years of 4-week changes.")),
            card("Dollar and the sell-America signature", graph("flows-dollar", fig["flows-dollar"], height=380),
                 note("Marked: days when, over 5 business days, the 10y yield rose more than 5 bp "
                      "while the broad dollar and the S&P 500 both fell.")),
        ], className="grid-2"),
        card("Sell-America signal history", graph("flows-sell-america", fig["flows-sell-america"], height=340),
             note("Score = the weakest of the three legs in typical-move units (10 bp, 1 %, 2 %); "
                  "above 0 only when all three point the sell-America way.")),
        card("Net liquidity", graph("flows-liquidity", fig["flows-liquidity"], height=400),
             note("Fed total assets (WALCL) minus the Treasury General Account (WDTGAL) minus ON RRP "
                  "take-up (RRPONTSYD) on Wednesdays; a Wednesday without an ON RRP operation counts "
                  "as 0. A common gauge of dollar liquidity, not an official statistic.")),
        html.Div([
            card("Official stress indices", graph("flows-official", fig["flows-official"], height=380),
                 note("OFR Financial Stress Index (daily, OFR), STLFSI4 (weekly, St. Louis Fed) and "
                      "NFCI (weekly, Chicago Fed): 0 is average stress / conditions, positive is "
                      "tighter. Our composite index is on the Stress index page.")),
            card("OFR FSI by category", graph("flows-ofr-categories", fig["flows-ofr-categories"], height=380),
                 note("Credit, equity valuation, safe assets, funding and volatility contributions "
                      "(weekly, last 3 years to the date); they add up to the index.")),
        ], className="grid-2"),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    register_dated(app, ctx, tiles_id="flows-tiles", graph_ids=GRAPH_IDS, tiles=tiles_view,
                   date_change=date_change)
