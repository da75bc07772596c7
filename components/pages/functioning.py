"""Market functioning: is the Treasury market itself breaking?

Curve-fit noise (NSS RMSE, a coarse proxy from CMT tenors), the on-the-run premium (CMT minus
GSW par yield) by tenor, the fitted NSS curve against the CMT points on the as-of date, and
swap spreads by tenor with a table that says which swap tenors are stored, and where they stop.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, dcc, html, no_update
from dash import ctx as dash_ctx

from analytics.fitting import NSSFit, nss_yield_pct
from analytics.functioning import (
    NOISE_TENORS,
    OTR_TENORS,
    STALE_AFTER_DAYS,
    functioning_snapshot,
    gsw_frame,
)
from analytics.state import SnapshotHistories
from analytics.swaps import IMPORT_HINT, swap_coverage, swaps_snapshot
from analytics.tenors import TENOR_YEARS, TENORS
from components import figures, widgets
from components.context import AppContext
from components.figures_beyond import hpw_noise_figure, swap_segments_figure
from components.figures_curve import asof_update, history_with_asof
from components.kit import sized_graph
from components.pages.curve import parse_as_of
from components.theme import ACCENT, BAD, INK, MUTED, SERIES, base_layout
from components.urlstate import (
    Bound,
    initial_values,
    read_choice,
    read_json_list,
    write_json_list,
)
from components.widgets import card, note, simple_table

PATH = "/functioning"
LABEL = "Functioning"

#: On-the-run premium tenor shown first.
DEFAULT_OTR_TENOR = "10y"
#: Swap-spread tenors shown first (those stored).
DEFAULT_SWAP_TENORS: tuple[str, ...] = ("2y", "10y", "30y")
#: Points of the maturity grid the fitted NSS curve is drawn on.
NSS_GRID_POINTS = 200
#: Rolling mean of the fit noise drawn over the daily readings, in observations (~1 month).
NOISE_MEAN_OBS = 21
#: What to do when there is no GSW curve in the store.
GSW_HINT = ("import the Fed's GSW file (feds200628.csv, SVENY zero yields) with `tsm import`, "
            "or run `tsm refresh`")
#: What to do about missing swap rates (the analytics' hint, with the command).
SWAP_HINT = (f"{IMPORT_HINT} with `tsm import` (a CSV with a date column and columns such as "
             "SOFRSWP2, SOFRSWP10, SOFRSWP30, in %)")
#: Series-id prefixes of the (LIBOR-based, discontinued) ICE swap rates on FRED.
ICE_SWAP_PREFIXES: tuple[str, ...] = ("DSWP", "WSWP")
COVERAGE_HEADERS = ("tenor", "source", "first", "last", "observations", "status")


def _day(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def _with_stale_note(fig: dict[str, Any], last: pd.Timestamp | None, as_of: pd.Timestamp | None,
                     what: str) -> dict[str, Any]:
    """Say on the chart when the series stops long before the as-of date."""
    if last is None or as_of is None or (as_of - last).days <= STALE_AFTER_DAYS:
        return fig
    fig["layout"].setdefault("annotations", []).append({
        "text": f"{what}: nothing stored after {last:%Y-%m-%d}", "xref": "paper",
        "yref": "paper", "x": 0.99, "y": 0.98, "xanchor": "right", "showarrow": False,
        "font": {"size": 12, "color": BAD}, "bgcolor": "rgba(255,255,255,0.8)"})
    return fig


# --- fit noise and the fitted curve ---------------------------------------------------------


def noise_figure(fit: NSSFit | None, *, as_of: pd.Timestamp | None) -> dict[str, Any]:
    """Daily NSS fit RMSE (bp) with its 1-month rolling mean."""
    title = f"NSS fit RMSE, bp (coarse proxy, CMT {NOISE_TENORS[0]}-{NOISE_TENORS[-1]})"
    rmse = fit.rmse_bp.dropna() if fit is not None else pd.Series(dtype=float)
    if rmse.empty:
        return figures.empty(f"No day has at least 5 of the CMT tenors {', '.join(NOISE_TENORS)}: "
                             "import DGS* files or run `tsm refresh`.", title=title)
    mean = rmse.rolling(NOISE_MEAN_OBS, min_periods=NOISE_MEAN_OBS // 2).mean()
    fig = history_with_asof({"daily RMSE": rmse, f"{NOISE_MEAN_OBS}-day mean": mean},
                            title=title, y_title="bp", as_of=as_of)
    # The daily readings are noisy: draw them light so that the mean reads on top.
    fig["data"][0]["line"] = {"color": "#a8b8c8", "width": 1}
    if len(fig["data"]) > 1:
        fig["data"][1]["line"] = {"color": ACCENT, "width": 2}
    return fig


def fit_on(fit: NSSFit | None, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The last fitted day on or before ``as_of`` (None if none)."""
    if fit is None:
        return None
    params = fit.params.loc[:as_of].dropna()
    return None if params.empty else pd.Timestamp(params.index[-1])


def fitted_curve_figure(fit: NSSFit | None, yields: pd.DataFrame, *,
                        as_of: pd.Timestamp) -> dict[str, Any]:
    """The NSS curve of the as-of day on a fine maturity grid, against the CMT yields.

    The curve is drawn over the fitted maturities only (bills are not in the fit and NSS
    extrapolation with weakly identified betas can be wild); bills are shown hollow.
    """
    title = "Fitted NSS curve vs CMT yields"
    day = fit_on(fit, as_of)
    if fit is None or day is None:
        return figures.empty(f"No NSS fit on or before {as_of:%Y-%m-%d} (a fit needs at least 5 "
                             "CMT tenors of 1y and more).", title=title)
    if (as_of - day).days > STALE_AFTER_DAYS:
        return figures.empty(f"No NSS fit within {STALE_AFTER_DAYS} days before "
                             f"{as_of:%Y-%m-%d} (last fit {day:%Y-%m-%d}).", title=title)
    params = fit.params.loc[day]
    fitted = fit.fitted_pct.loc[day].dropna()
    fitted_years = [TENOR_YEARS[t] for t in fitted.index]
    grid = np.geomspace(min(fitted_years), max(fitted_years), NSS_GRID_POINTS)
    curve = nss_yield_pct(grid, **{k: float(params[k]) for k in params.index})
    cmt = yields.loc[day, [t for t in TENORS if t in yields.columns]].dropna() \
        if day in yields.index else pd.Series(dtype=float)
    in_fit = cmt[[t for t in cmt.index if t in fitted.index]]
    bills = cmt[[t for t in cmt.index if t not in fitted.index]]
    residual_bp = (in_fit - fitted.reindex(in_fit.index)) * 100.0
    rmse = float(fit.rmse_bp.loc[day])
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "NSS fit",
         "x": np.round(grid, 5).tolist(), "y": np.round(curve, 5).tolist(),
         "line": {"color": ACCENT, "width": 2.5},
         "hovertemplate": "%{x:.2f}y: %{y:.3f}%<extra>NSS fit</extra>"},
        {"type": "scatter", "mode": "markers", "name": "CMT yields in the fit",
         "x": [TENOR_YEARS[t] for t in in_fit.index], "y": np.round(in_fit.to_numpy(dtype=float), 4).tolist(),
         "text": list(in_fit.index), "customdata": np.round(residual_bp.to_numpy(dtype=float), 2).tolist(),
         "marker": {"color": SERIES[1], "size": 9},
         "hovertemplate": "%{text}: %{y:.2f}% (CMT - fit %{customdata:+.1f} bp)<extra></extra>"},
    ]
    if len(bills):
        traces.append({
            "type": "scatter", "mode": "markers", "name": "CMT bills (not in the fit)",
            "x": [TENOR_YEARS[t] for t in bills.index],
            "y": np.round(bills.to_numpy(dtype=float), 4).tolist(),
            "text": list(bills.index),
            "marker": {"color": "white", "size": 8, "line": {"color": MUTED, "width": 1.5}},
            "hovertemplate": "%{text}: %{y:.2f}%<extra>not in the fit</extra>"})
    layout = base_layout(f"NSS fit on {day:%Y-%m-%d}: RMSE {rmse:.1f} bp over {len(fitted)} "
                         "tenors", y_title="yield, %", height=380)
    layout["hovermode"] = "closest"
    layout["xaxis"] = {**layout["xaxis"], "type": "log", "tickvals": list(TENOR_YEARS.values()),
                       "ticktext": list(TENOR_YEARS), "title": {"text": "maturity"}}
    return {"data": traces, "layout": layout}


# --- on-the-run premium and swap spreads ----------------------------------------------------


def otr_figure(premium: pd.DataFrame | None, tenor: str | None, *,
               as_of: pd.Timestamp | None) -> dict[str, Any]:
    """On-the-run premium (CMT minus GSW par yield, bp) history of one tenor."""
    title = "On-the-run premium: CMT minus GSW par yield, bp"
    if premium is None:
        return figures.empty(f"No GSW curve stored: {GSW_HINT}.", title=title)
    if tenor not in OTR_TENORS:
        return figures.empty(f"Pick a tenor: one of {', '.join(OTR_TENORS)}.", title=title)
    values = premium[tenor].dropna() if tenor in premium else pd.Series(dtype=float)
    if values.empty:
        return figures.empty(f"No {tenor} on-the-run premium: the GSW curve or the {tenor} CMT "
                             f"yield is missing ({GSW_HINT}).", title=title)
    fig = history_with_asof({tenor: values}, title=f"{title} ({tenor})", y_title="bp",
                            as_of=as_of, zero_line=True)
    return _with_stale_note(fig, pd.Timestamp(values.index[-1]), as_of, f"{tenor} premium")


def default_swap_tenors(available: list[str]) -> list[str]:
    chosen = [t for t in DEFAULT_SWAP_TENORS if t in available]
    return chosen or available[:3]


def swap_figure(spreads: pd.DataFrame, tenors: list[str] | None, *,
                as_of: pd.Timestamp | None) -> dict[str, Any]:
    """Swap spread (swap rate minus Treasury yield, bp) history of the chosen tenors."""
    title = "Swap spreads: swap rate minus Treasury yield, bp"
    stored = [c for c in spreads.columns if spreads[c].notna().any()]
    if not stored:
        return figures.empty(f"No swap rates stored: {SWAP_HINT}.", title=title)
    if not tenors:
        return figures.empty("Pick at least one tenor.", title=title)
    unknown = [t for t in tenors if t not in stored]
    if unknown:
        return figures.empty(f"No swap rates stored for {', '.join(unknown)}: {SWAP_HINT}.",
                             title=title)
    fig = history_with_asof({t: spreads[t].dropna() for t in tenors}, title=title, y_title="bp",
                            as_of=as_of, zero_line=True)
    last = max(pd.Timestamp(spreads[t].dropna().index[-1]) for t in tenors)
    return _with_stale_note(fig, last, as_of, "swap rates")


def coverage_frame(series: pd.DataFrame, *, as_of: pd.Timestamp) -> pd.DataFrame:
    """:func:`analytics.swaps.swap_coverage` with a plain-words ``status`` per row."""
    table = swap_coverage(series)
    statuses = []
    for row in table.to_dict("records"):
        source_id = row["source_id"]
        if source_id is None or row["n_obs"] == 0:
            statuses.append(f"missing: none stored; {IMPORT_HINT}")
        elif pd.Timestamp(row["first_date"]) > as_of:
            statuses.append(f"starts {_day(row['first_date'])}, after the as-of date")
        elif (as_of - pd.Timestamp(row["last_date"])).days > STALE_AFTER_DAYS:
            ice = str(source_id).upper().startswith(ICE_SWAP_PREFIXES)
            source = "ICE swap rates" if ice else str(source_id)
            statuses.append(f"{source} stop on {_day(row['last_date'])}; {IMPORT_HINT}")
        else:
            statuses.append("covers the as-of date")
    return table.assign(status=statuses)


def coverage_table(coverage: pd.DataFrame) -> html.Table:
    rows = [(r["tenor"], r["source_id"] or "-", _day(r["first_date"]), _day(r["last_date"]),
             f"{int(r['n_obs']):,}", r["status"]) for r in coverage.to_dict("records")]
    classes = ["row-error" if s.startswith("missing") else
               ("" if s == "covers the as-of date" else "row-stale") for s in coverage["status"]]
    table = simple_table("func-swap-coverage", COVERAGE_HEADERS, rows, row_classes=classes)
    for tr in table.children[1].children:
        for td in tr.children[:4]:
            td.style = {"whiteSpace": "nowrap"}
    return table


# --- as-of readings -------------------------------------------------------------------------


def _reading(label: str, value: float | None, unit: str, id_: str, *,
             signed: bool = True, why: str | None = None) -> html.Div:
    """A headline number; when absent, "n/a" and the reason (with its since-when date)."""
    if value is None or not math.isfinite(value):
        shown = "n/a"
    else:
        shown = f"{value:+.1f} {unit}" if signed else f"{value:.1f} {unit}"
    reason = (html.Div(why, id=f"{id_}-why", style={"color": MUTED, "fontSize": "11px",
                                                    "maxWidth": "220px"})
              if shown == "n/a" and why else None)
    return html.Div([html.Div(label, style={"color": MUTED, "fontSize": "12px"}),
                     html.Div(shown, id=id_, style={"fontSize": "22px", "fontWeight": 600,
                                                    "color": INK}), reason],
                    style={"minWidth": "170px"})


def _why(missing: list[str], *keys: str) -> str | None:
    """The first missing-line that names one of ``keys`` (it says why and since when)."""
    return next((m for m in missing if any(k in m for k in keys)), None)


def readings(yields: pd.DataFrame, series: pd.DataFrame, fit: NSSFit | None, *,
             as_of: pd.Timestamp, swap_spreads: pd.DataFrame | None = None,
             lookups: SnapshotHistories | None = None) -> html.Div:
    """As-of numbers (fit noise, 10y on-the-run premium, swap spreads) and what is missing.

    ``swap_spreads`` is the full-history swap-spread table when already computed; ``lookups``
    the market state's histories of these frames (each reading is then a binary search)."""
    if lookups is not None:
        func = functioning_snapshot(yields, lookups.functioning.gsw_zero, as_of=as_of, fit=fit,
                                    history=lookups.functioning)
    else:
        func = functioning_snapshot(yields, gsw_frame(series), as_of=as_of, fit=fit)
    swaps = swaps_snapshot(yields, series, as_of=as_of, spreads=swap_spreads,
                           history=None if lookups is None else lookups.swaps)
    spreads = swaps["swap_spreads_bp"]
    missing = [*func["missing"], *swaps["missing"]]
    cells = [
        _reading("Fit noise (NSS RMSE, coarse proxy)", func["fit_noise_bp"], "bp",
                 "func-reading-noise", signed=False, why=_why(missing, "fit noise")),
        _reading("On-the-run premium 10y", func["otr_premium_10y_bp"], "bp", "func-reading-otr",
                 why=_why(missing, "on-the-run premium 10y")),
        *[_reading(f"Swap spread {t}", spreads.get(t), "bp", f"func-reading-swap-{t}",
                   why=_why(missing, f"{t} swap", f"{t}, ", f", {t}"))
          for t in DEFAULT_SWAP_TENORS],
    ]
    return html.Div([
        html.Div(cells, style={"display": "flex", "gap": "24px", "flexWrap": "wrap"}),
        html.Ul([html.Li(m) for m in missing], id="func-missing",
                style={"color": "#7a5c00", "fontSize": "13px", "margin": "8px 0 0 0"})
        if missing else html.Div(id="func-missing"),
    ])


# --- callbacks as plain functions (tested without a browser) --------------------------------


def update_asof(ctx: AppContext, as_of: str | None) -> tuple[Any, Any, Any, Any, Any]:
    """(readings, as-of message, fitted-curve figure, coverage table, noise-chart patch)."""
    try:
        when = parse_as_of(as_of)
    except ValueError as exc:
        return no_update, str(exc), no_update, no_update, no_update
    state = ctx.state()
    measures = state.measures
    yields, series = measures.yields, measures.series
    if yields.empty:
        msg = "No Treasury yields stored: import DGS* files or run `tsm refresh`."
        return html.Div(), msg, figures.empty(msg, title="Fitted NSS curve"), no_update, no_update
    when = when if when is not None else pd.Timestamp(yields.index[-1])
    message = ""
    if when < yields.index[0]:
        message = (f"No data on or before {when:%Y-%m-%d}: the Treasury yields start "
                   f"{yields.index[0]:%Y-%m-%d}.")
    return (readings(yields, series, measures.fit, as_of=when,
                     swap_spreads=measures.swap_spreads_bp, lookups=state.histories), message,
            fitted_curve_figure(measures.fit, yields, as_of=when),
            coverage_table(coverage_frame(series, as_of=when)),
            asof_update(noise_figure(measures.fit, as_of=when)))


def _as_of_or_last(ctx: AppContext, as_of: str | None) -> pd.Timestamp | None:
    when = parse_as_of(as_of)
    return when if when is not None else ctx.state().last_date


def update_otr(ctx: AppContext, tenor: str | None, as_of: str | None,
               triggered: str | None) -> Any:
    """On-the-run premium figure; only the as-of line (a Patch) when only the date changed."""
    try:
        when = _as_of_or_last(ctx, as_of)
    except ValueError:
        return no_update
    fig = otr_figure(ctx.measures().otr_premium_bp, tenor, as_of=when)
    return asof_update(fig) if triggered == "app-asof" else fig


def update_swaps(ctx: AppContext, tenors: list[str] | None, as_of: str | None,
                 triggered: str | None) -> Any:
    """Swap-spread figure; only the as-of line (a Patch) when only the date changed."""
    try:
        when = _as_of_or_last(ctx, as_of)
    except ValueError:
        return no_update
    fig = swap_figure(ctx.measures().swap_spreads_bp, tenors, as_of=when)
    return asof_update(fig) if triggered == "app-asof" else fig


# --- layout and registration ----------------------------------------------------------------


#: The page's controls in the URL (see components.urlstate).
URL_STATE = (
    Bound("tenor", "func-otr-tenor", read=read_choice(tuple(OTR_TENORS)), default=DEFAULT_OTR_TENOR),
    Bound("swaps", "func-swap-tenors", read=read_json_list, write=write_json_list),
)


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    as_of = (query or {}).get("as_of") or None
    values, _ = initial_values(URL_STATE, query or {})
    try:
        when = _as_of_or_last(ctx, as_of)
    except ValueError:
        when = ctx.state().last_date
    measures = ctx.measures()
    stored_swaps = [c for c in measures.swap_spreads_bp.columns
                    if measures.swap_spreads_bp[c].notna().any()]
    swap_tenors = [t for t in values.get("swaps", default_swap_tenors(stored_swaps))
                   if t in stored_swaps]
    otr_tenor = values.get("tenor", DEFAULT_OTR_TENOR)
    first_readings, message, curve_fig, coverage, _ = update_asof(ctx, as_of)
    return html.Div([
        card("Is the Treasury market itself breaking?", html.Div([
            html.Div(message, id="func-asof-error", role="alert",
                     style={"color": BAD, "fontWeight": 600}),
        ], className="controls"), html.Div(first_readings, id="func-readings")),
        html.Div([
            card("Curve-fit noise", sized_graph("func-noise", noise_figure(measures.fit, as_of=when)),
                 note("A Nelson-Siegel-Svensson curve is fitted each day to the CMT yields of 1y "
                      "to 30y; the chart is the root-mean-square fitting error. After Hu, Pan and "
                      "Wang (2013), who use hundreds of bonds: with at most 8 CMT tenors this is "
                      "only a coarse proxy. Before 1977 fewer tenors exist and the fit nearly "
                      "interpolates, so early readings are not comparable.")),
            card("Fitted curve on the as-of date", sized_graph("func-curve", curve_fig),
                 note("Hover a point for CMT minus fitted yield. Bills are not in the fit; the "
                      "curve is not extrapolated beyond the fitted maturities.")),
        ], className="grid-2"),
        html.Div([
            card("On-the-run premium", html.Div([
                html.Label("Tenor", htmlFor="func-otr-tenor"),
                dcc.RadioItems(id="func-otr-tenor", options=list(OTR_TENORS),
                               value=otr_tenor, inline=True,
                               inputStyle={"marginRight": "4px"},
                               labelStyle={"marginRight": "12px"}),
            ], className="controls"),
                sized_graph("func-otr", otr_figure(measures.otr_premium_bp, otr_tenor,
                                             as_of=when)),
                note("CMT yields come from on-the-run issues, the Fed's GSW curve from "
                     "off-the-run ones: CMT minus GSW par yield at the same tenor is a standard "
                     "proxy of the on-the-run liquidity premium (more negative = on-the-run "
                     "richer). It widens in stress.")),
            card("Swap spreads", html.Div([
                html.Label("Tenors", htmlFor="func-swap-tenors"),
                dcc.Checklist(id="func-swap-tenors", options=stored_swaps, value=swap_tenors,
                              inline=True, inputStyle={"marginRight": "4px"},
                              labelStyle={"marginRight": "12px"}),
            ], className="controls"),
                sized_graph("func-swaps", swap_figure(measures.swap_spreads_bp, swap_tenors,
                                                as_of=when)),
                html.Div(coverage, id="func-coverage"),
                note("Swap spread = swap fixed rate minus the CMT yield of the same tenor "
                     "(interpolated for 4y). The ICE (LIBOR) swap rates on FRED stop on "
                     "2016-10-28; SOFR swap rates are not freely published: " + SWAP_HINT
                     + ".")),
        ], className="grid-2"),
        card("10y swap spread: LIBOR era, then SOFR", widgets.graph("func-swap-segments", swap_segments_figure(
            measures.series, measures.yields, 10, as_of=when))),  # issue 11
        card("Hu-Pan-Wang noise", widgets.graph("func-hpw", hpw_noise_figure(measures.series))),  # issue 11
    ])


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("func-readings", "children"), Output("func-asof-error", "children"),
                  Output("func-curve", "figure"), Output("func-coverage", "children"),
                  Output("func-noise", "figure"),
                  Input("app-asof", "date"), prevent_initial_call=True)
    def _asof(as_of: str | None) -> tuple[Any, Any, Any, Any, Any]:
        return update_asof(ctx, as_of)

    @app.callback(Output("func-otr", "figure"), Input("func-otr-tenor", "value"),
                  Input("app-asof", "date"), prevent_initial_call=True)
    def _otr(tenor: str | None, as_of: str | None) -> Any:
        return update_otr(ctx, tenor, as_of, dash_ctx.triggered_id)

    @app.callback(Output("func-swaps", "figure"), Input("func-swap-tenors", "value"),
                  Input("app-asof", "date"), prevent_initial_call=True)
    def _swaps(tenors: list[str] | None, as_of: str | None) -> Any:
        return update_swaps(ctx, tenors, as_of, dash_ctx.triggered_id)
