"""Overview: the curve today vs 1 week and 1 month ago, 2s10s history, and data status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from dash import Dash, Input, Output, dcc, html

from analytics.curve import curve_as_of
from analytics.state import MarketState, Snapshot
from components import figures
from components.context import AppContext
from components.figures_beyond import beyond_tiles_block
from components.theme import BAD, GRID, WARN
from components.widgets import card, error_box, graph, note, simple_table, tile, tiles
from components.zoom import register_zoom
from data.market import MarketData

PATH = "/"
LABEL = "Overview"

#: The curve comparison's look-backs: the windows of the moves (5 and 21 observations back).
COMPARE = (("1w", "1 week ago"), ("1m", "1 month ago"))


def curve_figure(state: MarketState, as_of: str | None) -> dict[str, Any]:
    yields = state.yields
    if yields.empty:
        return figures.empty("No Treasury yields in the store: import DGS* files or run `tsm refresh`.",
                             title="Treasury curve")
    when = pd.Timestamp(as_of) if as_of else yields.index[-1]
    table = curve_as_of(yields, as_of=when)
    today = table.loc["as_of"]
    if pd.isna(today["date"]):
        return figures.empty(f"No yields on or before {when:%Y-%m-%d}.", title="Treasury curve")
    tenors = [t for t in table.columns if t != "date"]
    curves = {f"{today['date']:%Y-%m-%d}": today[tenors].astype(float)}
    for key, label in COMPARE:
        past = table.loc[key]
        if not pd.isna(past["date"]):
            curves[f"{label} ({past['date']:%Y-%m-%d})"] = past[tenors].astype(float)
    return figures.curve_comparison(
        curves, title="Treasury curve: today vs 5 and 21 observations back (the 1w and 1m moves)")


def spread_figure(state: MarketState) -> dict[str, Any]:
    trace = state.trace("spread:2s10s")
    if trace.empty:
        return figures.empty("2s10s needs the 2y and 10y yields.", title="2s10s")
    return figures.history({"2s10s": trace}, title="2s10s spread (10y - 2y)", y_title="bp",
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


def _num(value: Any, fmt: str, missing: str = "n/a") -> str:
    return missing if value is None else format(value, fmt)


def glance(snap: Snapshot) -> html.Div:
    """Headline tiles from a snapshot: the morning meeting's first look."""
    move = snap.curve.move("2s10s", "1w")
    y10 = snap.curve.yields_pct.get("10y")
    funding = snap.funding
    on, known = funding.lights_on, funding.lights_known
    warning = bool(funding.warning)
    stress = snap.stress
    pos = snap.positioning
    mf = snap.functioning
    pct = move.percentile if move is not None else None

    def why(*keys: str) -> str:
        line = next((m for m in snap.missing if any(k in m for k in keys)), None)
        return f"n/a: {line}" if line else ""

    since = f"since {move.from_date:%Y-%m-%d}" if move is not None else "no 1-week move"
    return tiles([
        tile("2s10s over 1 week (5 obs)",
             f"{_num(move.spread_bp if move else None, '+.0f')} bp {(move.regime if move else None) or 'n/a'}",
             f"{since}; percentile {_num(pct, '.0f')} of weeks to date", id_="glance-2s10s",
             colour=WARN if (pct or 50) >= 95 or (pct or 50) <= 5 else GRID),
        tile("10y yield", f"{_num(y10, '.2f')}%",
             f"{_num(move.long_bp if move else None, '+.0f')} bp {since}", id_="glance-10y"),
        tile("Stress index", f"{_num(stress.value, '+.2f')} z",
             f"composite, 3-year window, {stress.date}" if stress.value is not None
             else why("stress index"),
             id_="glance-stress",
             colour=BAD if (stress.value or 0) >= 2 else WARN if (stress.value or 0) >= 1 else GRID),
        tile("Liquidity warning", "ON" if warning else f"off ({on} of 3 lights)" if known == 3
             else f"{known} of 3 lights readable", f"{on} on; {3 - known} cannot be evaluated"
             if known < 3 else "all three lights evaluated", id_="glance-funding",
             colour=BAD if warning else WARN if on or known < 3 else GRID),
        tile("Leveraged funds net", f"{_num(pos.lev_funds_net_notional_bn, ',.0f')} bn",
             f"CFTC {pos.report_date or 'n/a'}; z {_num(pos.zscore, '+.1f')}"
             if pos.report_date else why("positioning", "CFTC"), id_="glance-positioning"),
        tile("Fit noise / OTR 10y", f"{_num(mf.fit_noise_bp, '.1f')} / "
             f"{_num(mf.otr_premium_10y_bp, '+.1f')} bp",
             "market functioning" if mf.fit_noise_bp is not None and mf.otr_premium_10y_bp
             is not None else why("on-the-run premium", "fit noise"),
             id_="glance-functioning"),
    ], min_width_px=200)


def glance_for(ctx: AppContext, as_of: str | None) -> html.Div:
    state = ctx.state()
    if state.last_date is None:
        return note("No Treasury yields stored: nothing to summarise.")
    try:
        snap = ctx.snapshot(as_of or None)
    except ValueError as exc:
        return error_box(f"As-of date: {exc}")
    return html.Div([glance(snap), beyond_tiles_block(snap.to_dict()),  # issue 11 tiles
                     note(f"As of {snap.as_of:%Y-%m-%d}; details on each page.")])


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    data = ctx.data()
    state = ctx.state()
    as_of = (query or {}).get("as_of") or None
    return html.Div([
        card("At a glance", dcc.Loading(html.Div(glance_for(ctx, as_of), id="overview-glance"),
                                        type="dot", delay_show=300)),
        card("Curve", graph("overview-curve", curve_figure(state, as_of))),
        card("2s10s history", graph("overview-2s10s", spread_figure(state)),
             note("Shaded: stress episodes (Lehman, taper tantrum, repo spike, dash for cash, "
                  "UK LDI, 10y at 5%, tariff sell-off).")),
        card("Data status", status_table(data)),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("overview-curve", "figure"), Input("app-asof", "date"),
                  prevent_initial_call=True)
    def _update_curve(as_of: str | None) -> dict[str, Any]:
        return curve_figure(ctx.state(), as_of)

    register_zoom(app, ctx, "overview-2s10s", lambda state: [state.measures.spreads_bp["2s10s"]])

    @app.callback(Output("overview-glance", "children"), Input("app-asof", "date"),
                  prevent_initial_call=True)
    def _update_glance(as_of: str | None) -> html.Div:
        return glance_for(ctx, as_of)
