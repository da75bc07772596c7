"""Scenarios page views: data and read inputs in, Dash components and figures out (no callback
wiring): :func:`basis_view`, :func:`swap_view`, :func:`mortgage_view`, and the assumptions
table next to each panel's results (:func:`assumptions_view`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from dash import html, no_update

from analytics import forced_selling as fs
from analytics import mortgage as mtg
from analytics.assumptions import assumptions_table
from components import figures
from components.figures_scenarios import (
    rounds_figure,
    sweep_figure,
)
from components.kit import mode_label
from components.pages.scenarios.inputs import (
    _STORE_MODE_TEXT,
    BASIS_CONTROLS,
    MAX_ROUNDS_SHOWN,
    MORTGAGE_CONTROLS,
    SWAP_CONTROLS,
    SWEEP_SHOCKS_BP,
    Control,
    Panel,
    _read,
    _readable,
)
from components.theme import BAD, GOOD, GRID, WARN
from components.widgets import error_box, note, simple_table, tile, tiles
from data.market import MarketData

#: Outcome of a loop: tile text, its colour, and the line under it.
_STATUS_TEXT: Mapping[str, tuple[str, str]] = {
    "no_call": ("Absorbed", GOOD),
    "converged": ("Converged", WARN),
    "liquidated": ("Liquidated", BAD),
    "max_rounds": ("Round limit hit", BAD),
}


_STATUS_DETAIL: Mapping[str, str] = {
    "no_call": "no margin call: haircut + margin {before:g}% -> {after:g}% is covered",
    "converged": "margin met after {rounds} round(s) of sales",
    "liquidated": "the whole position was sold",
    "max_rounds": "stopped after {rounds} rounds, call not met",
}


_ROUND_HEADERS = (
    "round",
    "sold, USD bn",
    "cumulative sold, USD bn",
    "yield impact, bp",
    "loss, USD bn",
    "capital after, USD bn",
    "position after, USD bn",
    "margin call, USD bn",
)


# -- store-derived defaults ----------------------------------------------------------------------
_mode_label = mode_label


def store_short(data: MarketData) -> tuple[fs.LeveragedShort | None, str]:
    """The latest leveraged-fund net short in the store, or None and the reason why not."""
    if data.cftc is None or data.cftc.empty:
        return None, (f"the store holds no CFTC positions ({_STORE_MODE_TEXT.get(data.mode)}); "
                      "run `tsm refresh --source cftc`")
    try:
        short = fs.leveraged_fund_net_short(data.cftc)
    except ValueError as exc:
        return None, str(exc)
    if not short.net_short_notional_bn > 0.0:
        return None, (f"leveraged funds were not net short Treasury futures on "
                      f"{short.report_date:%Y-%m-%d} (net USD "
                      f"{short.net_short_notional_bn:,.1f}bn)")
    return short, ""


class RateDefault(NamedTuple):
    """Default of a rate input: value (%), and where it comes from (date None = model)."""

    value_pct: float
    date: pd.Timestamp | None


def _latest(series: pd.Series) -> RateDefault | None:
    series = series.dropna()
    series = series[(series > 0.0) & (series <= 25.0)]
    if series.empty:
        return None
    return RateDefault(round(float(series.iloc[-1]), 2), pd.Timestamp(series.index[-1]))


def mortgage_rate_default(data: MarketData) -> RateDefault:
    """The store's latest MORTGAGE30US (%), else the model default with date None."""
    latest = _latest(data.column("MORTGAGE30US"))
    return latest if latest is not None else RateDefault(mtg.DEFAULT_MORTGAGE_RATE_PCT, None)


def ten_year_yield(data: MarketData) -> RateDefault:
    """The store's latest 10y CMT yield (%), else the model's hedge-note yield (date None)."""
    ylds = data.yields
    latest = _latest(ylds["10y"]) if "10y" in ylds.columns else None
    return latest if latest is not None else RateDefault(mtg.DEFAULT_TEN_YEAR_YIELD_PCT, None)


# -- outputs -----------------------------------------------------------------------------------
class LoopView(NamedTuple):
    """Outputs of a forced-selling panel, in the callback's output order."""

    error: Any
    headline: Any
    figure: Any
    table: Any
    source: Any
    assumptions: Any = None


class MortgageView(NamedTuple):
    """Outputs of the mortgage panel, in the callback's output order."""

    error: Any
    headline: Any
    figure: Any
    buckets: Any
    assumptions: Any = None


#: Which control feeds which model assumption (analytics.assumptions key), and the factor
#: from the control's units to the assumption's.
_ASSUMPTION_OF: Mapping[Panel, Mapping[str, tuple[str, float]]] = {
    "basis": {"leverage": ("basis_leverage", 1.0), "haircut_pct": ("basis_haircut_pct", 1.0),
              "margin_pct": ("basis_margin_pct", 1.0),
              "impact_bp_per_100bn": ("impact_bp_per_100bn", 1.0)},
    "swap": {"leverage": ("swap_leverage", 1.0), "impact_bp_per_100bn": ("impact_bp_per_100bn", 1.0)},
    "mtg": {"hedged_share_pct": ("hedged_share", 0.01), "outstanding_bn": ("outstanding_bn", 1.0)},
}


_SCENARIO_OF: Mapping[Panel, str] = {"basis": "basis", "swap": "swap-spread", "mtg": "mortgage"}


def _value_text(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def assumptions_view(panel: Panel, values: Mapping[str, float]) -> html.Div:
    """The model assumptions a panel's results rest on: value used, units, a range to try, the
    evidence and the source; a value the user changed from the default is marked "(changed)".

    ``values`` are the panel's read control values by control name (in the controls' units).
    """
    used = {key: values[name] * factor for name, (key, factor) in _ASSUMPTION_OF[panel].items()
            if name in values}
    rows = []
    for row in assumptions_table(_SCENARIO_OF[panel], used):
        changed = row["origin"] == "user"
        value = _value_text(row["used"]) + (f" (changed; default {_value_text(row['value'])})"
                                            if changed else "")
        low, high = row["range"]
        rows.append([row["label"], html.Strong(value) if changed else value, row["units"],
                     f"{_value_text(low)} to {_value_text(high)}", row["evidence"], row["source"]])
    return html.Div([
        html.H4("Assumptions these results rest on", style={"margin": "10px 0 4px 0"}),
        simple_table(f"scen-{panel}-assumptions-table",
                     ("assumption", "value used", "units", "range to try", "evidence", "source"),
                     rows),
    ])


def _usd_bn(value: float, decimals: int = 2, *, sign: bool = False) -> str:
    """``USD 1,234.56bn``; a value that rounds to zero never shows as -0.00."""
    value = round(value, decimals) + 0.0
    return f"USD {value:{'+' if sign else ''},.{decimals}f}bn"


def _loop_headline(panel: Panel, result: fs.DeleveragingResult) -> html.Div:
    text, colour = _STATUS_TEXT[result.status]
    spread_label = "Basis widening" if result.trade == "basis" else "Swap-spread change"
    return tiles([
        tile("Outcome", text, _STATUS_DETAIL[result.status].format(
            rounds=result.rounds, before=result.requirement_before_pct,
            after=result.requirement_after_pct), id_=f"scen-{panel}-status", colour=colour),
        tile("Rounds of forced sales", f"{result.rounds}", id_=f"scen-{panel}-rounds"),
        tile("Amount sold", _usd_bn(result.total_sold_bn, 1),
              f"{result.sold_share:.1%} of USD {result.position_before_bn:,.0f}bn",
              id_=f"scen-{panel}-sold", colour=colour),
        tile("Yield impact of the sales", f"{result.yield_impact_bp:+.2f} bp",
              f"{spread_label.lower()} {result.spread_change_bp:+.2f} bp in all",
              id_=f"scen-{panel}-impact"),
        tile("First margin call", _usd_bn(result.initial_margin_call_bn),
              f"loss at the shock {_usd_bn(result.shock_loss_bn)}", id_=f"scen-{panel}-call"),
        tile("Total loss", _usd_bn(result.total_loss_bn),
              f"capital USD {result.capital_before_bn:,.2f}bn -> {result.capital_after_bn:,.2f}bn",
              id_=f"scen-{panel}-loss"),
    ])


def _rounds_table(panel: Panel, result: fs.DeleveragingResult) -> html.Div:
    table = result.rounds_table
    if table.empty:
        return html.Div(note("No rounds: nothing was sold.", id_=f"scen-{panel}-rounds-note"))
    shown = table.head(MAX_ROUNDS_SHOWN)
    records: list[dict[str, Any]] = shown.to_dict(orient="records")  # type: ignore[assignment]
    rows = [
        [int(r["round"]), f"{r['sold_bn']:,.2f}", f"{r['cumulative_sold_bn']:,.2f}",
         f"{r['yield_impact_bp']:,.2f}", f"{r['loss_bn']:,.3f}", f"{r['capital_bn']:,.2f}",
         f"{r['position_bn']:,.1f}", f"{r['margin_call_bn']:,.3f}"]
        for r in records
    ]
    children: list[Any] = [simple_table(f"scen-{panel}-rounds-table", _ROUND_HEADERS, rows)]
    if len(table) > len(shown):
        children.append(note(f"... {len(table) - len(shown)} more round(s), all in the chart.",
                             id_=f"scen-{panel}-rounds-note"))
    else:
        children.append(note("Yield impact is cumulative; capital, position: after the round; "
                             "margin call: at its start.", id_=f"scen-{panel}-rounds-note"))
    return html.Div(children)


def _failed_loop(message: str, panel: Panel) -> LoopView:
    """An input the model refuses: the message, and the results it invalidates withdrawn
    (an old result left on screen would read as the answer to the new input)."""
    return LoopView(error_box(message, id_=f"scen-{panel}-error-msg"),
                    _withdrawn(panel), figures.empty("No result: fix the input on the left.",
                                                     title="Forced sales by round"),
                    None, no_update, None)


def _withdrawn(panel: str) -> html.Div:
    return html.Div("No result for these inputs (see the message).",
                    id=f"scen-{panel}-withdrawn", className="results-withdrawn")


def _loop_options(controls: Sequence[Control], values: Mapping[str, object],
                  *, skip: Sequence[str] = ()) -> dict[str, Any]:
    return {c.name: _read(c, values.get(c.name)) for c in controls if c.name not in skip}


def basis_view(data: MarketData, *, from_store: bool, values: Mapping[str, object]) -> LoopView:
    """Outputs of the basis-trade panel for the controls' ``values`` (by control name).

    With ``from_store`` the position is the store's latest leveraged-fund net short and the
    duration its DV01 / notional; the capital box is then ignored (capital = position /
    leverage). A bad input gives a LoopView whose only update is the error message.
    """
    try:
        options = _loop_options(BASIS_CONTROLS, values,
                                skip=("capital_bn",) if from_store else ())
        if from_store:
            short, reason = store_short(data)
            if short is None:
                raise ValueError(f"Cannot start from the store: {reason}. Untick the box to "
                                 "use the capital input.")
            if math.isfinite(short.duration_yrs) and 0.0 < short.duration_yrs <= 40.0:
                options["duration_yrs"] = short.duration_yrs
            scenario = fs.BasisTradeScenario(**options).with_position(short.net_short_notional_bn)
            source = html.Span([
                "Position = leveraged-fund net short in Treasury futures on ",
                html.Strong(f"{short.report_date:%Y-%m-%d}", id="scen-basis-report-date"),
                " (", _mode_label(data), f"): USD {short.net_short_notional_bn:,.1f}bn, DV01 "
                f"USD {short.dv01_usd_mn:,.1f}mn/bp, duration {scenario.duration_yrs:.2f} years; "
                f"capital = position / leverage = USD {scenario.capital_bn:,.2f}bn.",
                (f" Contracts missing that week: {', '.join(short.missing_contracts)}."
                 if short.missing_contracts else ""),
            ])
        else:
            scenario = fs.BasisTradeScenario(**options)
            source = html.Span(
                f"Position = capital x leverage = USD {scenario.capital_bn:,.2f}bn x "
                f"{scenario.leverage:g} = USD {scenario.position_bn:,.1f}bn; duration "
                f"{scenario.duration_yrs:g} years (model default)."
            )
        result = fs.basis_trade_doom_loop(scenario)
    except ValueError as exc:
        return _failed_loop(_readable(str(exc), BASIS_CONTROLS), "basis")
    return LoopView(
        "",
        _loop_headline("basis", result),
        rounds_figure(result.rounds_table, title="Basis-trade doom loop: forced sales by round"),
        _rounds_table("basis", result),
        source,
        assumptions_view("basis", options),
    )


def swap_view(data: MarketData, *, values: Mapping[str, object]) -> LoopView:
    """Outputs of the swap-spread panel for the controls' ``values`` (by control name)."""
    del data  # the swap-spread trade has no store-derived size (no public position data)
    try:
        options = _loop_options(SWAP_CONTROLS, values)
        scenario = fs.SwapSpreadScenario(**options)
        result = fs.swap_spread_unwind(scenario)
    except ValueError as exc:
        return _failed_loop(_readable(str(exc), SWAP_CONTROLS), "swap")
    source = html.Span(
        f"Position = capital x leverage = USD {scenario.capital_bn:,.2f}bn x "
        f"{scenario.leverage:g} = USD {scenario.position_bn:,.1f}bn of 10y Treasuries against "
        f"pay-fixed swaps; duration {scenario.duration_yrs:g} years (model default)."
    )
    return LoopView(
        "",
        _loop_headline("swap", result),
        rounds_figure(result.rounds_table, title="Swap-spread unwind: forced sales by round"),
        _rounds_table("swap", result),
        source,
        assumptions_view("swap", options),
    )


def _sweep_shocks(rate_pct: float) -> np.ndarray:
    """The sweep's shocks that keep the shocked mortgage rate in (0, 25]%."""
    shocks = np.asarray(SWEEP_SHOCKS_BP, dtype=float)
    after = rate_pct + shocks / 100.0
    return shocks[(after > 0.0) & (after <= 25.0)]


def mortgage_view(data: MarketData, *, values: Mapping[str, object]) -> MortgageView:
    """Outputs of the mortgage panel for the controls' ``values`` (by control name)."""
    try:
        read = {c.name: _read(c, values.get(c.name)) for c in MORTGAGE_CONTROLS}
        shock, rate = read["shock_bp"], read["mortgage_rate_pct"]
        share_pct = read["hedged_share_pct"]
        if not 0.0 <= share_pct <= 100.0:
            raise ValueError(f"hedged share (%) must be in [0, 100], got {share_pct:g}")
        universe = mtg.MortgageUniverse(outstanding_bn=read["outstanding_bn"],
                                        hedged_share=share_pct / 100.0, mortgage_rate_pct=rate)
        if rate + shock / 100.0 <= 0.0:
            raise ValueError(f"rate shock {shock:+g} bp would take the mortgage rate ({rate:g}%) "
                             f"to zero or below: with this rate the shock must be above "
                             f"{-rate * 100.0:g} bp")
        ten_year = ten_year_yield(data).value_pct
        result = mtg.convexity_hedge_flow(universe, shock_bp=shock, ten_year_yield_pct=ten_year)
        shocks = _sweep_shocks(rate)
        sweep = (mtg.convexity_hedge_sweep(universe, shocks_bp=shocks, ten_year_yield_pct=ten_year)
                 if shocks.size else pd.DataFrame(columns=["hedge_flow_10y_bn"]))
    except ValueError as exc:
        return MortgageView(
            error_box(_readable(str(exc), MORTGAGE_CONTROLS), id_="scen-mtg-error-msg"),
            _withdrawn("mtg"), figures.empty("No result: fix the input on the left.",
                                             title="Hedging flow by rate shock"), None, None)
    flow = result.hedge_flow_10y_bn
    direction = ("hedgers sell duration" if flow > 0 else "hedgers buy duration" if flow < 0
                 else "no re-hedging")
    headline = tiles([
        tile("Mortgage rate", f"{result.mortgage_rate_before_pct:.2f}% -> "
              f"{result.mortgage_rate_after_pct:.2f}%", id_="scen-mtg-rate"),
        tile("CPR (prepayment speed)", f"{result.cpr_before_pct:.1f}% -> "
              f"{result.cpr_after_pct:.1f}% a year", id_="scen-mtg-cpr"),
        tile("MBS duration", f"{result.duration_before_yrs:.2f} -> "
              f"{result.duration_after_yrs:.2f} years",
              f"extension {result.duration_extension_yrs:+.2f} years, from prepayments "
              f"{result.prepay_extension_yrs:+.2f}", id_="scen-mtg-duration"),
        tile("Hedge flow, 10y-equivalent", _usd_bn(flow, 1, sign=True), f"+ = sell: {direction}",
              id_="scen-mtg-flow", colour=BAD if flow > 0 else GOOD if flow < 0 else GRID),
        tile("Hedged DV01 change", f"USD {result.dv01_change_usd_mn:+,.1f}mn/bp",
              f"hedged market value USD {result.hedged_market_value_bn:,.0f}bn",
              id_="scen-mtg-dv01"),
        tile("Hedge: 10y par note duration", f"{result.hedge_duration_yrs:.2f} years",
              f"10y yield {ten_year:.2f}%", id_="scen-mtg-hedge"),
    ])
    figure = sweep_figure(sweep, current_shock_bp=shock, current_flow_bn=flow,
                          title="Hedge flow vs rate shock (10y-equivalent)")
    return MortgageView("", headline, figure, _buckets_table(result), assumptions_view("mtg", read))


def _buckets_table(result: mtg.ConvexityHedgeResult) -> html.Div:
    """Per note-rate bucket: share, CPR and duration before -> after the shock."""
    rows = [
        [f"{b['coupon_pct']:g}", f"{100.0 * b['share']:.0f}",
         f"{b['cpr_before_pct']:.1f} -> {b['cpr_after_pct']:.1f}",
         f"{b['duration_before_yrs']:.2f} -> {b['duration_after_yrs']:.2f}"]
        for b in result.buckets.to_dict(orient="records")
    ]
    return html.Div([
        simple_table("scen-mtg-buckets-table", ("note rate, %", "share, %", "CPR, % a year",
                                                "duration, years"), rows),
        note("By note rate (illustrative mix): coupons above the mortgage rate prepay fast "
             "and extend most when rates rise."),
    ])
