"""Overview: the curve today vs 1 week and 1 month ago, 2s10s history, and data status."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import Dash, Input, Output, dcc, html

from analytics.measures import snapshot
from components import figures, refresh_panel
from components.context import AppContext
from components.theme import BAD, GRID, WARN
from components.widgets import (
    as_of_picker,
    card,
    error_box,
    graph,
    note,
    parse_as_of,
    simple_table,
    tile,
    tiles,
)
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
    try:
        when = parse_as_of(as_of) or yields.index[-1]
    except ValueError as exc:
        return figures.empty(str(exc), title="Treasury curve")
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


def _num(value: Any, fmt: str, missing: str = "n/a") -> str:
    return missing if value is None else format(value, fmt)


def glance(doc: dict[str, Any]) -> html.Div:
    """Headline tiles from a snapshot document: the morning meeting's first look."""
    move = doc["moves"]["1w"]["2s10s"]
    y10 = doc["yields_pct"].get("10y")
    ten_move = doc["moves"]["1w"]["2s10s"]["long_bp"]
    funding = doc["funding"]
    lights = funding.get("lights") or []
    on = sum(1 for light in lights if light.get("state") == "on")
    known = sum(1 for light in lights if light.get("state") in ("on", "off"))
    warning = bool(funding.get("warning"))
    stress = doc["stress_index"]
    pos = doc["positioning"]
    mf = doc["market_functioning"]
    regime = move["regime"] or "n/a"
    return tiles([
        tile("2s10s over 1 week", f"{_num(move['spread_bp'], '+.0f')} bp {regime}",
             f"percentile {_num(move['percentile'], '.0f')} of all weeks", id_="glance-2s10s",
             colour=WARN if (move["percentile"] or 50) >= 95 or (move["percentile"] or 50) <= 5 else GRID),
        tile("10y yield", f"{_num(y10, '.2f')}%", f"{_num(ten_move, '+.0f')} bp over 1 week",
             id_="glance-10y"),
        tile("Stress index", f"{_num(stress['value'], '+.2f')} z", "composite, 3-year window",
             id_="glance-stress",
             colour=BAD if (stress["value"] or 0) >= 2 else WARN if (stress["value"] or 0) >= 1 else GRID),
        tile("Liquidity warning", "ON" if warning else f"off ({on} of 3 lights)",
             f"{known} of 3 lights with fresh data", id_="glance-funding",
             colour=BAD if warning else WARN if on else GRID),
        tile("Leveraged funds net", f"{_num(pos['lev_funds_net_notional_bn'], ',.0f')} bn",
             f"CFTC {pos['report_date'] or 'n/a'}; z {_num(pos['zscore'], '+.1f')}",
             id_="glance-positioning"),
        tile("Fit noise / OTR 10y", f"{_num(mf['fit_noise_bp'], '.1f')} / "
             f"{_num(mf['otr_premium_10y_bp'], '+.1f')} bp", "market functioning",
             id_="glance-functioning"),
    ], min_width_px=200)


def glance_for(ctx: AppContext, as_of: str | None) -> html.Div:
    data = ctx.data()
    last = data.last_date()
    if last is None:
        return note("No Treasury yields stored: nothing to summarise.")
    try:
        when = parse_as_of(as_of) or last
    except ValueError as exc:
        return html.Div(error_box(str(exc), id_="overview-asof-error"))
    doc = snapshot(ctx.measures(), as_of=when, data=data.mode)
    return html.Div([glance(doc), note(f"As of {doc['as_of']}; details on each page.")])


def layout(ctx: AppContext) -> html.Div:
    data = ctx.data()
    last = data.last_date()
    return html.Div([
        card("At a glance", dcc.Loading(html.Div(id="overview-glance"), type="dot")),
        card("Curve", html.Div([
            html.Label("As of", htmlFor="overview-asof"),
            as_of_picker("overview-asof", last.strftime("%Y-%m-%d") if last is not None else None,
                         latest=last.strftime("%Y-%m-%d") if last is not None else None),
        ], className="controls"), graph("overview-curve", curve_figure(data, None))),
        card("2s10s history", graph("overview-2s10s", spread_figure(data)),
             note("Shaded: stress episodes (Lehman, taper tantrum, repo spike, dash for cash, "
                  "UK LDI, 10y at 5%, tariff sell-off).")),
        card("Data status", refresh_panel.layout(), status_table(data)),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    refresh_panel.register(app, ctx)
    @app.callback(Output("overview-curve", "figure"), Input("overview-asof", "date"),
                  prevent_initial_call=True)
    def _update_curve(as_of: str | None) -> dict[str, Any]:
        return curve_figure(ctx.data(), as_of)

    @app.callback(Output("overview-glance", "children"), Input("overview-asof", "date"))
    def _update_glance(as_of: str | None) -> html.Div:
        return glance_for(ctx, as_of)
