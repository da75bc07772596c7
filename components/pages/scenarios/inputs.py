"""Scenarios page inputs: the panels' controls (:class:`Control`, one per model parameter, with its
range and default), their ids, the reader of a control's value, the models' messages in the
controls' words, and the leverage slider's valid range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from analytics import forced_selling as fs
from analytics import mortgage as mtg
from components.kit import MODE_TEXT, read_number

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
