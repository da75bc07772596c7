"""Scenarios: the forced-selling sliders of DOMAIN.md section 7.

Three panels, each one model of :mod:`analytics.forced_selling` or :mod:`analytics.mortgage`:

* basis-trade doom loop, sized from the inputs or from the latest leveraged-fund net short
  in Treasury futures in the store (CFTC positions);
* swap-spread unwind (the same loop with the swap-spread trade's haircut, margin, duration);
* mortgage convexity hedging: CPR, duration extension and the hedgers' 10y-equivalent flow,
  with the flow swept over shocks.

Each callback is a thin wrapper around a pure function (:func:`basis_view`,
:func:`swap_view`, :func:`mortgage_view`) that reads the controls into the models' frozen
dataclasses (which validate their ranges), runs the model and builds the outputs. A bad input
(an emptied box, an absurd number, an inconsistent combination) is shown as a readable message
under the controls and the results it invalidates are withdrawn ("No result for these
inputs", an empty chart, no table). Next to each panel's results: the model assumptions they
rest on (:func:`analytics.assumptions.assumptions_table`), the values the user changed marked.
The leverage slider's range follows the haircut and margin: the models refuse leverage above
1 / (haircut + margin).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from dash import Dash, Input, Output, dcc, html, no_update

from analytics import forced_selling as fs
from analytics import mortgage as mtg
from analytics.assumptions import assumptions_table
from components import figures
from components.context import AppContext
from components.figures_scenarios import (
    ROUNDS_HEIGHT,
    SWEEP_HEIGHT,
    Figure,
    rounds_figure,
    sweep_figure,
)
from components.kit import MODE_TEXT, mode_label, read_number, safe_data, sized_graph
from components.theme import BAD, GOOD, GRID, MUTED, WARN
from components.widgets import card, error_box, note, simple_table, tile, tiles
from data.market import MarketData
from data.store import StoreError

__all__ = [
    "PATH",
    "LABEL",
    "Control",
    "BASIS_CONTROLS",
    "SWAP_CONTROLS",
    "MORTGAGE_CONTROLS",
    "DEFAULT_SHOCK_BP",
    "SWEEP_SHOCKS_BP",
    "MAX_ROUNDS_SHOWN",
    "LoopView",
    "MortgageView",
    "RateDefault",
    "control_id",
    "leverage_max",
    "leverage_marks",
    "assumptions_view",
    "store_short",
    "mortgage_rate_default",
    "ten_year_yield",
    "basis_view",
    "swap_view",
    "mortgage_view",
    "layout",
    "register",
]

PATH = "/scenarios"
LABEL = "Scenarios"

#: Rate shock the mortgage panel opens with, bp (rates up: hedgers sell).
DEFAULT_SHOCK_BP = 50.0
#: Shocks of the mortgage sweep chart, bp (finer than the model's default 25 bp grid so that
#: the slider's point sits on a smooth curve).
SWEEP_SHOCKS_BP: tuple[float, ...] = tuple(float(x) for x in range(-200, 201, 10))
#: Rounds listed in a per-round table (the chart shows them all).
MAX_ROUNDS_SHOWN = 20
#: How a data mode is named next to a store-derived number.
_STORE_MODE_TEXT = MODE_TEXT

Panel = Literal["basis", "swap", "mtg"]


@dataclass(frozen=True)
class Control:
    """One input of a panel: a slider or a number box.

    Attributes
    ----------
    name : keyword of the model parameter it feeds (also the end of its component id).
    label : what the user reads, with units.
    short : how error messages name it (units in parentheses).
    low, high, step : slider range and step (for a number box: only the step is used, the
        model checks the range so that an absurd typed value gets the model's message).
    default : initial value.
    marks : slider positions that get a label (value + ``unit``).
    unit : suffix of the mark labels.
    kind : "slider" or "number".
    """

    name: str
    label: str
    short: str
    low: float
    high: float
    step: float
    default: float
    marks: tuple[float, ...] = ()
    unit: str = ""
    kind: Literal["slider", "number"] = "slider"


def _loop_controls(
    *,
    leverage_high: float,
    leverage_default: float,
    leverage_marks: tuple[float, ...],
    haircut: float,
    haircut_after: float,
    margin: float,
    margin_after: float,
    margin_name: str,
    move: Control,
    capital: float,
) -> tuple[Control, ...]:
    """The controls both leveraged trades share, in display order."""
    return (
        Control("leverage", "Leverage, x (position / capital)", "leverage", 1.0,
                leverage_high, 1.0, leverage_default, leverage_marks, "x"),
        Control("haircut_pct", "Repo haircut before the shock, %", "haircut before", 0.0,
                5.0, 0.05, haircut, (0.0, 2.5, 5.0), "%"),
        Control("haircut_after_pct", "Repo haircut after the shock, %", "haircut after (%)",
                0.0, 10.0, 0.1, haircut_after, (0.0, 5.0, 10.0), "%"),
        Control("margin_pct", f"{margin_name} before the shock, %", "margin before", 0.0,
                5.0, 0.05, margin, (0.0, 2.5, 5.0), "%"),
        Control("margin_after_pct", f"{margin_name} after the shock, %", "margin after (%)",
                0.0, 10.0, 0.1, margin_after, (0.0, 5.0, 10.0), "%"),
        move,
        Control("impact_bp_per_100bn", "Price impact, bp per USD 100bn sold",
                "price impact (bp per USD 100bn)", 0.0, 20.0, 0.5,
                fs.DEFAULT_IMPACT_BP_PER_100BN, (0.0, 10.0, 20.0), " bp"),
        Control("capital_bn", "Capital, USD bn", "capital (USD bn)", 0.0, 10_000.0, 0.5,
                capital, kind="number"),
    )


#: Basis trade: defaults are the model's (as `tsm scenario basis`).
BASIS_CONTROLS: tuple[Control, ...] = _loop_controls(
    leverage_high=100.0,
    leverage_default=fs.DEFAULT_BASIS_LEVERAGE,
    leverage_marks=(1.0, 25.0, 50.0, 75.0, 100.0),
    haircut=fs.DEFAULT_BASIS_HAIRCUT_PCT,
    haircut_after=fs.DEFAULT_BASIS_HAIRCUT_AFTER_PCT,
    margin=fs.DEFAULT_BASIS_MARGIN_PCT,
    margin_after=fs.DEFAULT_BASIS_MARGIN_AFTER_PCT,
    margin_name="Futures initial margin",
    move=Control("basis_move_bp", "Basis move at the shock, bp (+ = cash cheapens vs futures, "
                 "a loss)", "basis move (bp)", -20.0, 50.0, 1.0, 0.0, (-20.0, 0.0, 25.0, 50.0),
                 " bp"),
    capital=fs.DEFAULT_BASIS_CAPITAL_BN,
)
#: Swap-spread trade: defaults are the model's (as `tsm scenario swap-spread`).
SWAP_CONTROLS: tuple[Control, ...] = _loop_controls(
    leverage_high=50.0,
    leverage_default=fs.DEFAULT_SWAP_LEVERAGE,
    leverage_marks=(1.0, 25.0, 50.0),
    haircut=fs.DEFAULT_SWAP_HAIRCUT_PCT,
    haircut_after=fs.DEFAULT_SWAP_HAIRCUT_AFTER_PCT,
    margin=fs.DEFAULT_SWAP_MARGIN_PCT,
    margin_after=fs.DEFAULT_SWAP_MARGIN_AFTER_PCT,
    margin_name="Swap initial margin",
    move=Control("spread_move_bp", "Swap-spread move at the shock, bp (- = more negative, "
                 "a loss)", "swap-spread move (bp)", -50.0, 20.0, 1.0, 0.0,
                 (-50.0, -25.0, 0.0, 20.0), " bp"),
    capital=fs.DEFAULT_SWAP_CAPITAL_BN,
)
#: Mortgage panel; the mortgage rate's default comes from the store when it can.
MORTGAGE_CONTROLS: tuple[Control, ...] = (
    Control("shock_bp", "Parallel rate shock, bp", "rate shock (bp)", -200.0, 200.0, 5.0,
            DEFAULT_SHOCK_BP, (-200.0, -100.0, 0.0, 100.0, 200.0), " bp"),
    Control("hedged_share_pct", "Hedged share of the MBS universe, %", "hedged share (%)", 0.0,
            100.0, 1.0, mtg.DEFAULT_HEDGED_SHARE * 100.0, (0.0, 25.0, 50.0, 75.0, 100.0), "%"),
    Control("mortgage_rate_pct", "Current 30y mortgage rate, %", "mortgage rate (%)", 0.0,
            25.0, 0.01, mtg.DEFAULT_MORTGAGE_RATE_PCT, kind="number"),
    Control("outstanding_bn", "Agency MBS outstanding, USD bn", "MBS outstanding (USD bn)",
            0.0, 50_000.0, 100.0, mtg.DEFAULT_OUTSTANDING_BN, kind="number"),
)

#: Model parameter names that appear in the models' messages without a control of their own.
_EXTRA_NAMES: Mapping[str, str] = {
    "position_bn": "position (from the store, USD bn)",
    "duration_yrs": "duration (years)",
    "hedged_share": "hedged share (fraction)",
    "yield_pct": "10y yield (%)",
}

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


def control_id(panel: Panel, name: str) -> str:
    """Component id of a control: ``scen-<panel>-<name with dashes>``."""
    return f"scen-{panel}-{name.replace('_', '-')}"


# -- reading inputs ----------------------------------------------------------------------------
def _read(control: Control, raw: object) -> float:
    """A control's value as a float, or a ValueError naming the control."""
    return read_number(raw, name=control.short)


def _readable(message: str, controls: Sequence[Control]) -> str:
    """The model's message with its parameter names replaced by what the controls say."""
    names = {**_EXTRA_NAMES, **{c.name: c.short for c in controls}}
    for name in sorted(names, key=len, reverse=True):
        message = re.sub(rf"(?<![\w-]){re.escape(name)}(?!\w)", names[name], message)
    message = message.splitlines()[0] if message else message
    return message[:1].upper() + message[1:]


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


# -- layout ------------------------------------------------------------------------------------
def _control(panel: Panel, control: Control, *, value: float | None = None,
             disabled: bool = False) -> html.Div:
    cid = control_id(panel, control.name)
    start = control.default if value is None else value
    widget: Any
    if control.kind == "slider":
        widget = dcc.Slider(
            id=cid, min=control.low, max=control.high, step=control.step, value=start,
            marks={float(m): f"{m:g}{control.unit}" for m in control.marks},
            tooltip={"always_visible": False, "placement": "bottom"},
            # The models run in a few ms: follow the handle while it moves.
            updatemode="drag",
        )
    else:
        # No min/max on the box: an absurd number reaches the model, whose message says the
        # allowed range (a browser-side clamp would change the value silently).
        widget = dcc.Input(id=cid, type="number", value=start, step=control.step,
                           debounce=True, disabled=disabled,
                           style={"width": "10em", "padding": "3px 6px"})
    return html.Div([html.Label(control.label, htmlFor=cid, style={"fontSize": "13px"}), widget],
                    style={"marginBottom": "6px"})


def _graph(id_: str, figure: Figure, height: int) -> Any:
    return sized_graph(id_, figure, height)


def _with_placeholders(view: LoopView | MortgageView, title: str) -> list[Any]:
    """Layout-time outputs: a failed first run gets an empty chart that says why."""
    out = list(view)
    for i, value in enumerate(out):
        if value is no_update:
            out[i] = figures.empty("See the message under the controls.", title=title) \
                if i == 2 else None
    return out


def _loop_card(panel: Panel, title: str, controls: Sequence[Control], view: LoopView,
               explanation: str, *, head: Sequence[Any] = (), capital_disabled: bool = False
               ) -> html.Div:
    error, headline, figure, table, source, assumptions = _with_placeholders(view, title)
    left = html.Div([
        *head,
        html.Div(source, id=f"scen-{panel}-source", className="note",
                 style={"color": MUTED, "marginBottom": "8px"}),
        *[_control(panel, c, disabled=capital_disabled and c.name == "capital_bn")
          for c in controls],
        html.Div(error, id=f"scen-{panel}-error"),
    ])
    right = html.Div([html.Div(headline, id=f"scen-{panel}-headline"),
                      _graph(f"scen-{panel}-chart", figure, ROUNDS_HEIGHT)])
    return card(title, html.Div([left, right], className="grid-2"),
                html.Div(table, id=f"scen-{panel}-table", style={"marginTop": "8px"}),
                html.Div(assumptions, id=f"scen-{panel}-assumptions"),
                note(explanation), id_=f"scen-{panel}-card")


def leverage_max(controls: Sequence[Control], haircut_pct: object, margin_pct: object) -> float:
    """The leverage slider's top: the largest leverage the model accepts, 100 / (haircut +
    margin, %), capped at the slider's own top; the slider's top when they are unreadable or 0."""
    top = next(c for c in controls if c.name == "leverage").high
    try:
        total = read_number(haircut_pct, name="haircut") + read_number(margin_pct, name="margin")
    except ValueError:
        return top
    if total <= 0.0:
        return top
    return max(1.0, min(top, 100.0 / total))


def leverage_marks(controls: Sequence[Control], high: float) -> dict[float, str]:
    """Marks of the leverage slider up to ``high``: the panel's marks below it, and ``high``
    itself labelled as the model's limit."""
    lever = next(c for c in controls if c.name == "leverage")
    marks = {float(m): f"{m:g}{lever.unit}" for m in lever.marks if m < high - 0.5}
    marks[float(high)] = f"{high:.0f}{lever.unit} max" if high < lever.high else f"{high:g}{lever.unit}"
    return marks


def _defaults(controls: Sequence[Control]) -> dict[str, object]:
    return {c.name: c.default for c in controls}


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    del query  # the scenario inputs are not in the URL yet
    data, store_error = safe_data(ctx)
    if data is None:
        return html.Div(error_box(store_error, id_="scen-store-error"))
    short, reason = store_short(data)
    from_store = short is not None
    toggle = dcc.Checklist(
        id="scen-basis-from-store",
        options=[{"label": " Start from the latest leveraged-fund short in the store",
                  "value": "store", "disabled": short is None}],
        value=["store"] if from_store else [],
        style={"fontSize": "14px", "marginBottom": "4px"},
    )
    head: list[Any] = [toggle]
    if short is None:
        head.append(note(f"Store sizing unavailable: {reason}.", id_="scen-basis-store-note"))
    basis = _loop_card(
        "basis", "Basis-trade doom loop", BASIS_CONTROLS,
        basis_view(data, from_store=from_store, values=_defaults(BASIS_CONTROLS)),
        "Long cash Treasuries in repo (haircut) against short futures (initial margin). The "
        "shock raises haircut and margin and moves the basis; when the requirement exceeds "
        "capital the fund sells, its sales widen the basis (price impact), the losses call for "
        "more margin, until a fixed point or full liquidation. Leverage x (haircut + margin) "
        "before the shock must be at most 100%.",
        head=head, capital_disabled=from_store,
    )
    swap = _loop_card(
        "swap", "Swap-spread unwind", SWAP_CONTROLS,
        swap_view(data, values=_defaults(SWAP_CONTROLS)),
        "Long 10y Treasuries in repo against pay-fixed swaps (swap initial margin). The same "
        "loop: a more negative swap spread is the loss; sales push the spread further down.",
    )
    rate = mortgage_rate_default(data)
    ten = ten_year_yield(data)
    controls = [
        _control("mtg", c, value=rate.value_pct if c.name == "mortgage_rate_pct" else None)
        for c in MORTGAGE_CONTROLS
    ]
    rate_text = (f"Mortgage rate default {rate.value_pct:.2f}% = MORTGAGE30US on "
                 f"{rate.date:%Y-%m-%d} in the store" if rate.date is not None else
                 f"Mortgage rate default {rate.value_pct:.2f}% = model default (no MORTGAGE30US "
                 "in the store)")
    ten_text = (f"hedge = 10y par note at the store's 10y yield {ten.value_pct:.2f}% "
                f"({ten.date:%Y-%m-%d})" if ten.date is not None else
                f"hedge = 10y par note at {ten.value_pct:.2f}% (model default; no 10y yield in "
                "the store)")
    values = {**_defaults(MORTGAGE_CONTROLS), "mortgage_rate_pct": rate.value_pct}
    error, headline, figure, buckets, assumptions = _with_placeholders(
        mortgage_view(data, values=values), "Convexity hedging")
    mortgage = card(
        "Mortgage convexity hedging",
        html.Div([
            html.Div([
                html.Div([rate_text, " (", _mode_label(data), "); ", ten_text, "."],
                         id="scen-mtg-source", className="note",
                         style={"color": MUTED, "marginBottom": "8px"}),
                *controls,
                html.Div(error, id="scen-mtg-error"),
                html.Div(buckets, id="scen-mtg-buckets", style={"marginTop": "8px"}),
            ]),
            html.Div([html.Div(headline, id="scen-mtg-headline"),
                      _graph("scen-mtg-chart", figure, SWEEP_HEIGHT)]),
        ], className="grid-2"),
        html.Div(assumptions, id="scen-mtg-assumptions"),
        note("Rates up: refinancing slows (CPR falls), MBS duration extends, and the hedged "
             "holders sell duration to re-hedge; flow = hedged market value x prepayment "
             "extension / 10y duration. Model: logistic prepayment S-curve, one 30y term for "
             "all coupons, illustrative coupon mix and hedged share (assumptions, not data)."),
        id_="scen-mtg-card",
    )
    return html.Div([basis, swap, mortgage])


# -- callbacks ---------------------------------------------------------------------------------
def _inputs(panel: Panel, controls: Sequence[Control]) -> list[Input]:
    return [Input(control_id(panel, c.name), "value") for c in controls]


def _store_error(exc: StoreError, n_outputs: int, panel: Panel) -> tuple[Any, ...]:
    box = error_box(f"The store cannot be read: {exc}", id_=f"scen-{panel}-error-msg")
    return (box, *([no_update] * (n_outputs - 1)))


def register(app: Dash, ctx: AppContext) -> None:
    basis_names = [c.name for c in BASIS_CONTROLS]
    swap_names = [c.name for c in SWAP_CONTROLS]
    mtg_names = [c.name for c in MORTGAGE_CONTROLS]

    def loop_outputs(panel: Panel) -> list[Output]:
        return [Output(f"scen-{panel}-{part}", prop) for part, prop in (
            ("error", "children"), ("headline", "children"), ("chart", "figure"),
            ("table", "children"), ("source", "children"), ("assumptions", "children"))]

    for panel, controls in (("basis", BASIS_CONTROLS), ("swap", SWAP_CONTROLS)):
        def _range(haircut: object, margin: object, controls: Sequence[Control] = controls
                   ) -> tuple[float, dict[float, str]]:
            high = leverage_max(controls, haircut, margin)
            return high, leverage_marks(controls, high)

        app.callback(Output(control_id(panel, "leverage"), "max"),
                     Output(control_id(panel, "leverage"), "marks"),
                     Input(control_id(panel, "haircut_pct"), "value"),
                     Input(control_id(panel, "margin_pct"), "value"))(_range)

    @app.callback(*loop_outputs("basis"),
                  Output(control_id("basis", "capital_bn"), "disabled"),
                  Input("scen-basis-from-store", "value"), *_inputs("basis", BASIS_CONTROLS),
                  prevent_initial_call=True)
    def _update_basis(toggle: list[str] | None, *values: object) -> tuple[Any, ...]:
        from_store = bool(toggle) and "store" in (toggle or [])
        try:
            data = ctx.data()
        except StoreError as exc:
            return (*_store_error(exc, 6, "basis"), from_store)
        view = basis_view(data, from_store=from_store,
                          values=dict(zip(basis_names, values, strict=True)))
        return (*view, from_store)

    @app.callback(*loop_outputs("swap"), *_inputs("swap", SWAP_CONTROLS),
                  prevent_initial_call=True)
    def _update_swap(*values: object) -> tuple[Any, ...]:
        try:
            data = ctx.data()
        except StoreError as exc:
            return _store_error(exc, 6, "swap")
        return tuple(swap_view(data, values=dict(zip(swap_names, values, strict=True))))

    @app.callback(Output("scen-mtg-error", "children"), Output("scen-mtg-headline", "children"),
                  Output("scen-mtg-chart", "figure"), Output("scen-mtg-buckets", "children"),
                  Output("scen-mtg-assumptions", "children"),
                  *_inputs("mtg", MORTGAGE_CONTROLS),
                  prevent_initial_call=True)
    def _update_mortgage(*values: object) -> tuple[Any, ...]:
        try:
            data = ctx.data()
        except StoreError as exc:
            return _store_error(exc, 5, "mtg")
        return tuple(mortgage_view(data, values=dict(zip(mtg_names, values, strict=True))))

