"""Risk: what happens to our book if rates move X? (DOMAIN.md section 6.)

Three panels on the risk engine of :mod:`analytics.risk` and :mod:`analytics.portfolio`:

1. **Bond**: one bullet, callable and/or muni priced from a clean price or a street yield off a
   flat curve at the bond's own yield or the store's CMT curve of a date (bootstrapped, as
   ``tsm risk`` does): price, yield, OAS, durations, convexity, up/down durations, the eight
   key-rate durations and the price against a parallel shift of -300..+300 bp.
2. **Stress sliders**: a parallel shift, a twist around 5 years and one slider per key rate.
   The three are added into one set of key-rate shifts (:class:`StressShock`): the twist
   profile is piecewise linear with its knots at key tenors (1, 5 and 30 years), so it is
   exactly a combination of the triangular key-rate profiles, and a parallel shift is all
   eight at once. The bond is revalued on the shocked curve with its spread (and muni tax
   regime) held, reusing one pricer (one Hull-White lattice for callables) per bond.
3. **Portfolio**: a CSV upload (docs/portfolio_format.md) parsed with row-level errors, priced
   off the store curve of a date: positions, key-rate DV01, futures hedges, and the P&L under
   the sliders and under a historical replay between two dates of the store.

Each callback is a thin wrapper around a view function (:func:`bond_view`, :func:`stress_view`,
:func:`book_view`, :func:`book_pnl_view`) that reads the controls into frozen dataclasses,
calls the analytics and builds the outputs. A bad input never raises: its ValueError message
is shown next to the control and the results it invalidates are withdrawn ("No result for
these inputs", empty charts), never left on screen as if they answered the new input.

Caches: the lattices of callables and the priced portfolios are memoised per app (created in
:func:`register`, bounded, keyed by the bond's terms or the file's content hash); they hold
computations, not user state, and a miss only recomputes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Final, Generic, Literal, NamedTuple, TypeVar

import numpy as np
import pandas as pd
from dash import ALL, Dash, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx

from analytics.bonds import (
    DEFAULT_FREQUENCY,
    MAX_PRICE,
    Bullet,
    price_from_yield,
    yield_from_price,
)
from analytics.curves import (
    DEFAULT_TWIST_PIVOT_YEARS,
    ZeroCurve,
    bootstrap_par_curve,
    combined_key_shifts_bp,
    flat_curve,
    key_rate_profile,
    par_yields_on,
)
from analytics.hullwhite import (
    DEFAULT_CALL_PRICE,
    DEFAULT_VOL_BP,
    CallableBond,
    HullWhiteParams,
)
from analytics.muni import (
    DEFAULT_CAPITAL_GAINS_RATE,
    DEFAULT_ORDINARY_RATE,
    MuniBond,
    de_minimis_threshold_price,
)
from analytics.portfolio import (
    HistoricalReplay,
    KeyRateShock,
    ParallelShock,
    PricedPortfolio,
    Scenario,
    scenario_curve,
)
from analytics.risk import (
    DEFAULT_SHIFT_BP,
    SHIFT_BP_RANGE,
    Anchor,
    Instrument,
    InstrumentValuer,
    PortfolioRisk,
    RiskReport,
    bond_risk,
    futures_hedges,
)
from analytics.tenors import KEY_TENORS, TREASURY_FUTURES
from components import figures
from components.context import AppContext
from components.figures_risk import (
    KRD_HEIGHT,
    PNL_HEIGHT,
    PROFILE_HEIGHT,
    SWEEP_HEIGHT,
    Figure,
    krd_figure,
    pnl_figure,
    price_shift_figure,
    shock_profile_figure,
)
from components.kit import mode_label, read_number, safe_data, sized_graph
from components.theme import BAD, DEMO, GOOD, GRID, MUTED, WARN
from components.widgets import card, error_box, note, parse_as_of, simple_table, tile, tiles
from data.market import MarketData
from data.portfolio import (
    MAX_BOOK_BYTES,
    MAX_BOOK_POSITIONS,
    BookStore,
    BookTooLarge,
    PortfolioFile,
    check_book_text,
    parse_portfolio,
)
from data.store import StoreError

__all__ = [
    "PATH",
    "LABEL",
    "BOND_FIELDS",
    "DEFAULT_INPUTS",
    "SWEEP_RANGE_BP",
    "PARALLEL_RANGE_BP",
    "TWIST_RANGE_BP",
    "KEY_RATE_RANGE_BP",
    "FACE_PER_MM_USD",
    "DEFAULT_REPLAY_DATES",
    "EXAMPLE_PORTFOLIO",
    "FieldError",
    "BondSpec",
    "BondInputs",
    "read_bond_inputs",
    "StressShock",
    "read_stress",
    "ValuerCache",
    "BookCache",
    "BondView",
    "StressView",
    "BookView",
    "PnlView",
    "PricedBook",
    "bond_view",
    "sweep_shifts_bp",
    "threshold_crossing_bp",
    "stress_view",
    "decode_upload",
    "price_book",
    "default_replay_dates",
    "read_futures_dv01",
    "book_view",
    "book_pnl_view",
    "layout",
    "register",
]

PATH = "/risk"
LABEL = "Risk"

# -- defaults (one place) ----------------------------------------------------------------------
#: Inputs of the bond panel when the page opens (a 10y note a little below par).
DEFAULT_INPUTS: Final[Mapping[str, Any]] = MappingProxyType({
    "coupon": 4.25,
    "maturity": 10.0,
    "quote_kind": "price",
    "quote": 98.5,
    "callable": [],
    "call_after": 2.0,
    "call_price": DEFAULT_CALL_PRICE,
    "vol": DEFAULT_VOL_BP,
    "muni": [],
    "ordinary": DEFAULT_ORDINARY_RATE,
    "gains": DEFAULT_CAPITAL_GAINS_RATE,
    "curve_kind": "flat",
    "curve_date": None,
    "shift": DEFAULT_SHIFT_BP,
})
#: Fields of the bond panel in display order (component id ``risk-<field>``).
BOND_FIELDS: Final[tuple[str, ...]] = tuple(DEFAULT_INPUTS)
#: Range of the price-vs-shift chart, bp.
SWEEP_RANGE_BP: Final[tuple[float, float]] = (-300.0, 300.0)
#: Step of that chart, bp: fine for closed-form prices, coarser when each point is a tree.
SWEEP_STEP_BP: Final[float] = 5.0
SWEEP_STEP_TREE_BP: Final[float] = 25.0
#: Slider ranges, bp, and their step.
PARALLEL_RANGE_BP: Final[tuple[float, float]] = (-300.0, 300.0)
TWIST_RANGE_BP: Final[tuple[float, float]] = (-200.0, 200.0)
KEY_RATE_RANGE_BP: Final[tuple[float, float]] = (-200.0, 200.0)
SLIDER_STEP_BP: Final[float] = 5.0
#: P&L is also shown per this face amount, USD.
FACE_PER_MM_USD: Final[float] = 1_000_000.0
#: Default historical replay: the April 2025 tariff sell-off week (DOMAIN.md section 8).
DEFAULT_REPLAY_DATES: Final[tuple[str, str]] = ("2025-04-04", "2025-04-11")
#: Fallback replay length when those dates are outside the data, calendar days.
FALLBACK_REPLAY_DAYS: Final[int] = 7
#: Largest portfolio file accepted, bytes, and most positions priced.
MAX_UPLOAD_BYTES: Final[int] = MAX_BOOK_BYTES
MAX_POSITIONS: Final[int] = MAX_BOOK_POSITIONS
#: Memoised pricers / portfolios per app.
VALUER_CACHE_SIZE: Final[int] = 16
BOOK_CACHE_SIZE: Final[int] = 4
#: Maturities of the shock-profile chart, years.
PROFILE_MATURITIES: Final[tuple[float, ...]] = tuple(float(x) for x in np.arange(0.25, 30.01, 0.25))

#: An example book for the "load the example" button (the format of docs/portfolio_format.md).
EXAMPLE_PORTFOLIO: Final[str] = """\
# Example book: maturities in years from the curve date, so it works on any date.
id,type,coupon_pct,maturity,face_usd,price,yield_pct,call_after,call_price,vol_bp,ordinary_rate
UST-2,bullet,3.875,2,25000000,99.80,,,,,
UST-10,bullet,4.25,10,10000000,98.50,,,,,
UST-30,bullet,4.625,30,-5000000,,4.90,,,,
AGY-5NC2,callable,5.00,5,2000000,,5.10,2,100,80,
NYC-15,muni,3.00,15,5000000,97.25,,,,,0.37
"""

_BOX_STYLE: Final[Mapping[str, str]] = MappingProxyType({"width": "9.5em", "padding": "3px 6px"})
_INLINE: Final[Mapping[str, str]] = MappingProxyType({"display": "flex", "alignItems": "center",
                                                      "gap": "8px", "whiteSpace": "nowrap"})
_FUTURES_NAME: Final[Mapping[str, str]] = {c.key: c.label for c in TREASURY_FUTURES}

#: Labels of the bond fields, as the messages and the page name them.
_FIELD_LABELS: Final[Mapping[str, str]] = {
    "coupon": "Coupon (%)",
    "maturity": "Maturity (years)",
    "quote_kind": "Quote",
    "quote": "Price / yield",
    "callable": "Callable",
    "call_after": "Callable after (years)",
    "call_price": "Call price (per 100)",
    "vol": "Short-rate vol (bp/yr)",
    "muni": "Municipal",
    "ordinary": "Ordinary-income tax rate",
    "gains": "Capital-gains tax rate",
    "curve_kind": "Curve",
    "curve_date": "Curve date",
    "shift": "Shift size (bp)",
}
#: Analytics parameter names -> (the bond field whose control they come from, how the message
#: names it).
_PARAM_FIELDS: Final[tuple[tuple[str, str, str], ...]] = (
    ("coupon_pct", "coupon", "Coupon"),
    ("maturity_years", "maturity", "Maturity"),
    ("call_after_years", "call_after", "Callable after"),
    ("call_price", "call_price", "Call price"),
    ("vol_bp", "vol", "Short-rate vol"),
    ("ordinary_rate", "ordinary", "Ordinary-income tax rate"),
    ("capital_gains_rate", "gains", "Capital-gains tax rate"),
    ("shift_bp", "shift", "Shift size"),
    ("yield_pct", "quote", "Yield"),
    ("rate_pct", "quote", "The bond's yield (flat curve)"),
    ("price", "quote", "Price"),
    ("as_of", "curve_date", "Curve date"),
)

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


class FieldError(ValueError):
    """A bad input, with the bond field (or "" for the panel) whose control it belongs to."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


def _field_of(message: str, default: str) -> tuple[str, str]:
    """The field an analytics message names first, and the message with that parameter named as
    the page names it ("maturity_years must be ..." -> ("maturity", "Maturity must be ..."))."""
    for param, name, readable in _PARAM_FIELDS:
        if message.startswith(param) and not message[len(param):len(param) + 1].isalnum() \
                and message[len(param):len(param) + 1] != "_":
            return name, readable + message[len(param):]
    return default, _capital(message)


def _capital(message: str) -> str:
    line = message.splitlines()[0] if message else message
    return line[:1].upper() + line[1:]


def _build(make: Callable[[], T], default_field: str) -> T:
    """Run an analytics constructor; its ValueError becomes a FieldError for the right control."""
    try:
        return make()
    except FieldError:
        raise
    except ValueError as exc:
        name, message = _field_of(str(exc), default_field)
        raise FieldError(name, _capital(message)) from None


def _number(raw: object, field_name: str, what: str) -> float:
    """A control's value as a finite float, or a FieldError saying what to type."""
    label = _FIELD_LABELS.get(field_name, field_name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise FieldError(field_name, f"{label} is empty: type {what}")
    try:
        return read_number(raw, name=label)
    except ValueError as exc:
        raise FieldError(field_name, str(exc)) from None


def _ticked(raw: object) -> bool:
    """A one-option dcc.Checklist's value as a bool."""
    return bool(raw) and isinstance(raw, list | tuple) and len(raw) > 0


# -- the bond ----------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class BondSpec:
    """The terms of one bond (hashable: it keys the pricer cache).

    Attributes
    ----------
    coupon_pct : annual coupon, percent.
    maturity_years : years to maturity (coupon periods / 2).
    call_after_years : first call in years (callable on every coupon date after), or None.
    call_price : call price per 100 (used when callable).
    vol_bp : Hull-White normal short-rate volatility, bp a year (used when callable).
    is_muni : a tax-exempt muni under the de minimis rule.
    ordinary_rate, capital_gains_rate : tax rates, decimals (used for munis).
    """

    coupon_pct: float
    maturity_years: float
    call_after_years: float | None = None
    call_price: float = DEFAULT_CALL_PRICE
    vol_bp: float = DEFAULT_VOL_BP
    is_muni: bool = False
    ordinary_rate: float = DEFAULT_ORDINARY_RATE
    capital_gains_rate: float = DEFAULT_CAPITAL_GAINS_RATE

    @property
    def is_callable(self) -> bool:
        return self.call_after_years is not None

    def params(self) -> HullWhiteParams:
        """Hull-White settings (model defaults but the volatility)."""
        return _build(lambda: HullWhiteParams(vol_bp=self.vol_bp), "vol")

    def instrument(self) -> Instrument:
        """The analytics instrument; its constructors' ValueErrors become FieldErrors."""
        bullet = _build(lambda: Bullet(coupon_pct=self.coupon_pct, maturity_years=self.maturity_years,
                                       frequency=DEFAULT_FREQUENCY), "maturity")
        bond: Bullet | CallableBond = bullet
        if self.call_after_years is not None:
            after = self.call_after_years
            bond = _build(lambda: CallableBond(bullet=bullet, call_after_years=after,
                                               call_price=self.call_price), "call_after")
        if self.is_muni:
            base = bond
            return _build(lambda: MuniBond(bond=base, ordinary_rate=self.ordinary_rate,
                                           capital_gains_rate=self.capital_gains_rate), "ordinary")
        return bond

    def describe(self) -> str:
        text = f"{self.coupon_pct:g}% {self.maturity_years:g}y"
        if self.call_after_years is not None:
            text += f", callable after {self.call_after_years:g}y at {self.call_price:g} (vol {self.vol_bp:g} bp)"
        if self.is_muni:
            text += f", muni (tax {self.ordinary_rate:g} / {self.capital_gains_rate:g})"
        return text

    def to_json(self) -> dict[str, Any]:
        return {"coupon_pct": self.coupon_pct, "maturity_years": self.maturity_years,
                "call_after_years": self.call_after_years, "call_price": self.call_price,
                "vol_bp": self.vol_bp, "is_muni": self.is_muni, "ordinary_rate": self.ordinary_rate,
                "capital_gains_rate": self.capital_gains_rate}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BondSpec:
        after = data.get("call_after_years")
        return cls(coupon_pct=float(data["coupon_pct"]), maturity_years=float(data["maturity_years"]),
                   call_after_years=None if after is None else float(after),
                   call_price=float(data["call_price"]), vol_bp=float(data["vol_bp"]),
                   is_muni=bool(data["is_muni"]), ordinary_rate=float(data["ordinary_rate"]),
                   capital_gains_rate=float(data["capital_gains_rate"]))


@dataclass(frozen=True, kw_only=True)
class BondInputs:
    """Everything the bond panel reads, validated.

    Attributes
    ----------
    spec : the bond's terms.
    quote_kind : "price" (clean, per 100) or "yield" (street yield, %, bullet-equivalent for
        callables, pre-tax for munis).
    quote : the price or yield.
    curve_kind : "flat" (flat at the bond's own yield) or "store" (the store's CMT curve).
    curve_date : ISO date of the store curve (the last day on or before it is used).
    shift_bp : curve shift of the finite differences, bp, in (0, 500].
    """

    spec: BondSpec
    quote_kind: Literal["price", "yield"]
    quote: float
    curve_kind: Literal["flat", "store"]
    curve_date: str | None
    shift_bp: float

    def __post_init__(self) -> None:
        lo, hi = SHIFT_BP_RANGE
        if not math.isfinite(self.shift_bp) or not lo < self.shift_bp <= hi:
            raise FieldError("shift", f"Shift size must be in ({lo:g}, {hi:g}] bp, got {self.shift_bp:g}")
        if self.quote_kind == "price" and not 0.0 < self.quote <= MAX_PRICE:
            raise FieldError("quote", f"Price must be a clean price per 100 in (0, {MAX_PRICE:g}], "
                                      f"got {self.quote:g}")


def read_bond_inputs(values: Mapping[str, object]) -> BondInputs:
    """The bond panel's controls (by field name) as :class:`BondInputs`.

    Raises
    ------
    FieldError
        The first bad input, naming its field; the message is the analytics' own where the
        analytics check the value.
    """
    quote_kind = values.get("quote_kind")
    if quote_kind not in ("price", "yield"):
        raise FieldError("quote_kind", f"Quote must be price or yield, got {quote_kind!r}")
    coupon = _number(values.get("coupon"), "coupon", "the coupon in percent a year")
    maturity = _number(values.get("maturity"), "maturity", "the years to maturity")
    quote = _number(values.get("quote"), "quote",
                    "a clean price per 100" if quote_kind == "price" else "a yield in percent")
    is_callable = _ticked(values.get("callable"))
    is_muni = _ticked(values.get("muni"))
    call_after: float | None = None
    call_price, vol = DEFAULT_CALL_PRICE, DEFAULT_VOL_BP
    if is_callable:
        call_after = _number(values.get("call_after"), "call_after", "the years to the first call")
        call_price = _number(values.get("call_price"), "call_price", "the call price per 100")
        vol = _number(values.get("vol"), "vol", "the short-rate volatility in bp a year")
    ordinary, gains = DEFAULT_ORDINARY_RATE, DEFAULT_CAPITAL_GAINS_RATE
    if is_muni:
        ordinary = _number(values.get("ordinary"), "ordinary", "a decimal tax rate such as 0.40")
        gains = _number(values.get("gains"), "gains", "a decimal tax rate such as 0.20")
    curve_kind = values.get("curve_kind")
    if curve_kind not in ("flat", "store"):
        raise FieldError("curve_kind", f"Curve must be flat or store, got {curve_kind!r}")
    raw_date = values.get("curve_date")
    curve_date = str(raw_date)[:10] if raw_date else None
    if curve_kind == "store" and curve_date is not None:
        try:
            date.fromisoformat(curve_date)
        except ValueError:
            raise FieldError("curve_date", f"Curve date must be YYYY-MM-DD, got {raw_date!r}") from None
    shift = _number(values.get("shift"), "shift", "the shift size in bp")
    spec = BondSpec(coupon_pct=coupon, maturity_years=maturity, call_after_years=call_after,
                    call_price=call_price, vol_bp=vol, is_muni=is_muni, ordinary_rate=ordinary,
                    capital_gains_rate=gains)
    inputs = BondInputs(spec=spec, quote_kind=quote_kind, quote=quote, curve_kind=curve_kind,
                        curve_date=curve_date, shift_bp=shift)
    # Build once here so that a bad term is reported before any pricing.
    spec.params()
    spec.instrument()
    return inputs


class _LRU(Generic[K, T]):
    """A small thread-safe memo: at most ``size`` entries, least recently used dropped."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], T]) -> T:
        # Built under the lock: two requests for the same new bond build its lattice once.
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            value = make()
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            return value

    def __len__(self) -> int:
        return len(self._items)


class ValuerCache(_LRU[BondSpec, InstrumentValuer]):
    """Pricers by bond terms: a callable's Hull-White lattice is built once and reused by the
    risk, the sweep and every slider move."""

    def __init__(self, size: int = VALUER_CACHE_SIZE) -> None:
        super().__init__(size)

    def valuer(self, spec: BondSpec) -> InstrumentValuer:
        return self.get(spec, lambda: InstrumentValuer(spec.instrument(), params=spec.params()))


def _valuer(spec: BondSpec, cache: ValuerCache | None) -> InstrumentValuer:
    if cache is not None:
        return cache.valuer(spec)
    return InstrumentValuer(spec.instrument(), params=spec.params())


def _store_curve(yields: pd.DataFrame, as_of: str | None, field_name: str) -> tuple[ZeroCurve, pd.Timestamp]:
    if yields.empty:
        raise FieldError(field_name, "The store has no Treasury yields: import DGS* files or run "
                                     "`tsm refresh`, or use the flat curve")
    try:
        when = parse_as_of(as_of)
    except ValueError as exc:
        raise FieldError(field_name, _capital(str(exc))) from None
    day, par = _build(lambda: par_yields_on(yields, when), field_name)
    return _build(lambda: bootstrap_par_curve(par), field_name), day


def withdrawn(id_: str) -> html.Div:
    """What replaces a result that an invalid input invalidates: an old result left on screen
    would read as the answer to the new input."""
    return html.Div("No result for these inputs (see the message).", id=id_,
                    className="results-withdrawn")


def _no_chart(title: str, height: int, message: str = "No result: fix the input (see the message).") -> Figure:
    return figures.empty(message, title=title, height=height)


class BondView(NamedTuple):
    """Outputs of the bond panel. ``errors`` maps a field ("" = the panel) to its message; when
    it is not empty the results are withdrawn (see :func:`failed_bond`)."""

    errors: Mapping[str, str]
    summary: Any
    krd: Any
    sweep: Any
    spec: Any
    curve_note: Any


def failed_bond(errors: Mapping[str, str]) -> BondView:
    """The bond panel for inputs it cannot price: the messages, no summary, empty charts and no
    stored bond (so the stress tiles are withdrawn too)."""
    return BondView(dict(errors), withdrawn("risk-bond-withdrawn"),
                    _no_chart("Key-rate durations", KRD_HEIGHT),
                    _no_chart("Price vs parallel shift (-300..+300 bp)", SWEEP_HEIGHT), None, "")


def sweep_shifts_bp(spec: BondSpec) -> np.ndarray:
    """Parallel shifts of the price chart, bp: every 5 bp, every 25 bp for tree-priced bonds."""
    step = SWEEP_STEP_TREE_BP if spec.is_callable else SWEEP_STEP_BP
    lo, hi = SWEEP_RANGE_BP
    return np.arange(lo, hi + step / 2.0, step)


def threshold_crossing_bp(shifts_bp: Sequence[float], prices: Sequence[float],
                          threshold: float) -> float | None:
    """The first shift (bp, going up from 0) whose price is below ``threshold``, if the price at 0
    is at or above it; None otherwise."""
    shifts = np.asarray(shifts_bp, dtype=float)
    below = np.asarray(prices, dtype=float) < threshold
    at_zero = np.flatnonzero(shifts == 0.0)
    if at_zero.size == 0 or below[at_zero[0]]:
        return None
    after = np.flatnonzero(below & (shifts > 0.0))
    return float(shifts[after[0]]) if after.size else None


def _fmt(value: float | None, decimals: int = 4, unit: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "-"
    return f"{round(value, decimals) + 0.0:,.{decimals}f}{unit}"  # + 0.0: never "-0.00"


def _whole(value: float) -> str:
    """USD amounts in tables: thousands separators, no decimals, never "-0"."""
    return _fmt(value, 0)


def _workout_text(report: RiskReport, spec: BondSpec) -> str:
    years = report.workout_years if report.workout_years is not None else spec.maturity_years
    at = "maturity" if years >= spec.maturity_years - 1e-9 else "a call"
    return f"street, workout in {years:g} years ({at})"


def ytw_warning(report: RiskReport, quote_kind: str) -> str:
    """The warning a callable quoted by yield needs: the yield was read to maturity
    (bullet-equivalent) while the price's yield to worst is lower (as `tsm risk` warns)."""
    ytw, workout = report.yield_to_worst_pct, report.workout_years
    if quote_kind != "yield" or ytw is None or workout is None or not ytw < report.yield_pct - 1e-9:
        return ""
    return (f"The yield was read as yield to maturity (bullet-equivalent); this price's yield to "
            f"worst is {ytw:.4f}% to the call in {workout:g} years.")


def _summary(report: RiskReport, spec: BondSpec, quote_kind: str) -> html.Div:
    """The measures table, the shift convention and, for a callable quoted by yield, the
    yield-to-maturity warning."""
    warning = ytw_warning(report, quote_kind)
    return html.Div([
        _summary_table(report, spec, quote_kind),
        html.P(f"Shifts move the {report.shift_convention}: a bullet's effective duration equals "
               "its modified duration.", id="risk-shift-convention", className="note",
               style={"color": MUTED}),
        html.Div(warning, id="risk-ytw-warning", role="status",
                 style={"borderLeft": f"3px solid {WARN}", "padding": "4px 8px", "fontSize": "13px"})
        if warning else None,
    ])


def _summary_table(report: RiskReport, spec: BondSpec, quote_kind: str) -> html.Table:
    rows: list[tuple[str, str, str]] = [
        ("price (clean)", _fmt(report.price_clean), "per 100" + (" (given)" if quote_kind == "price" else "")),
        ("accrued interest", _fmt(report.accrued), "per 100"),
        ("yield", _fmt(report.yield_pct, 4, "%"),
         "street" + (", bullet-equivalent" if spec.is_callable else "")
         + (", pre-tax" if spec.is_muni else "") + (" (given)" if quote_kind == "yield" else "")),
    ]
    if report.yield_to_worst_pct is not None:
        rows.append(("yield to worst", _fmt(report.yield_to_worst_pct, 4, "%"), _workout_text(report, spec)))
    if report.oas_bp is not None:
        rows.append(("OAS", _fmt(report.oas_bp, 2, " bp"), "over the Hull-White tree"))
    else:
        rows.append(("z-spread over the curve", _fmt(report.spread_bp, 2, " bp"),
                     "before tax" if spec.is_muni else "continuous"))
    rows += [
        ("modified duration", _fmt(report.modified_duration), "years, own yield, ignores options"),
        ("effective duration", _fmt(report.effective_duration), f"years, curve +/-{report.shift_bp:g} bp"),
        ("convexity", _fmt(report.convexity, 2), "years^2"),
        ("up-duration", _fmt(report.up_duration), f"years, curve +{report.shift_bp:g} bp"),
        ("down-duration", _fmt(report.down_duration), f"years, curve -{report.shift_bp:g} bp"),
        ("sum of key-rate durations", _fmt(report.krd_sum), "years"),
    ]
    if spec.is_muni:
        threshold = de_minimis_threshold_price(spec.maturity_years)
        rows.append(("de minimis threshold", _fmt(threshold, 2), "price per 100 (100 - 0.25 x full years)"))
        rows.append(("tax rate on the discount", _fmt((report.tax_rate or 0.0) * 100.0, 0, "%"),
                     "at the base price"))
    return simple_table("risk-bond-table", ["measure", "value", "unit / note"], rows)


def bond_view(
    data: MarketData | None, values: Mapping[str, object], *, cache: ValuerCache | None = None
) -> BondView:
    """Outputs of the bond panel for the controls' ``values`` (by field name).

    ``data`` is only read for the store curve (None is fine for a flat curve).
    """
    try:
        inputs = read_bond_inputs(values)
        spec = inputs.spec
        val = _valuer(spec, cache)
        bullet = val.bullet
        if inputs.quote_kind == "yield":
            price = _build(lambda: price_from_yield(bullet, inputs.quote), "quote")
        else:
            price = inputs.quote
        if inputs.curve_kind == "flat":
            own = _build(lambda: yield_from_price(bullet, price), "quote") \
                if inputs.quote_kind == "price" else inputs.quote
            curve = _build(lambda: flat_curve(own, frequency=DEFAULT_FREQUENCY), "quote")
            curve_text: Any = f"Curve: flat at the bond's own yield {own:.4f}% (semiannual)."
        else:
            if data is None:
                raise FieldError("curve_kind", "The store curve needs the store's data")
            curve, day = _store_curve(data.yields, inputs.curve_date, "curve_date")
            curve_text = html.Span([f"Curve: the store's CMT curve of {day:%Y-%m-%d}, bootstrapped "
                                    "(", mode_label(data), ")."])
        anchor = _build(lambda: val.anchor(curve, price_clean=price), "quote")
        report = _build(lambda: bond_risk(val.instrument, curve, anchor=anchor, valuer=val,
                                          shift_bp=inputs.shift_bp), "shift")
        shifts = sweep_shifts_bp(spec)
        prices = [val.price(scenario_curve(curve, ParallelShock(shift_bp=float(s))), anchor)
                  for s in shifts]
    except FieldError as exc:
        return failed_bond({exc.field: str(exc)})
    krd = krd_figure(dict(report.krd), effective_duration=report.effective_duration,
                     krd_sum=report.krd_sum)
    threshold = de_minimis_threshold_price(spec.maturity_years) if spec.is_muni else None
    sweep = price_shift_figure(
        shifts.tolist(), prices, base_price=report.price_clean, base_dirty=report.price_dirty,
        effective_duration=report.effective_duration, threshold_price=threshold,
        call_price=spec.call_price if spec.is_callable else None,
        crossing_bp=threshold_crossing_bp(shifts.tolist(), prices, threshold) if threshold is not None else None,
        title="Price vs parallel shift (-300..+300 bp)",
    )
    stored = {
        "bond": spec.to_json(),
        "curve": {"times": curve.times_years.tolist(), "zeros": curve.zero_rates.tolist()},
        "anchor": {"spread_bp": anchor.spread_bp, "tax_regime": anchor.tax_regime},
        "price_clean": report.price_clean,
        "price_dirty": report.price_dirty,
        "effective_duration": report.effective_duration,
        "krd": dict(report.krd),
        "describe": spec.describe(),
    }
    return BondView({}, _summary(report, spec, inputs.quote_kind), krd, sweep, stored,
                    curve_text)


# -- stress sliders ----------------------------------------------------------------------------
def _check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    lo, hi = bounds
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo:g}, {hi:g}] bp, got {value:g}")


@dataclass(frozen=True, kw_only=True)
class StressShock:
    """The sliders' combined shock of the zero curve.

    Attributes
    ----------
    parallel_bp : every zero rate, bp, in [-300, 300].
    twist_bp : 30y minus 1y change of a twist around 5 years, bp, in [-200, 200].
    key_rates_bp : extra triangular key-rate bumps by key tenor, bp, each in [-200, 200].
    """

    parallel_bp: float = 0.0
    twist_bp: float = 0.0
    key_rates_bp: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_range("parallel shift", self.parallel_bp, PARALLEL_RANGE_BP)
        _check_range("twist", self.twist_bp, TWIST_RANGE_BP)
        for key, value in self.key_rates_bp.items():
            if key not in KEY_TENORS:
                raise ValueError(f"key rate {key!r} is not one of {', '.join(KEY_TENORS)}")
            _check_range(f"{key} key rate", value, KEY_RATE_RANGE_BP)
        object.__setattr__(self, "key_rates_bp", MappingProxyType(dict(self.key_rates_bp)))

    def key_shifts_bp(self) -> dict[str, float]:
        """The whole shock as eight key-rate shifts, bp.

        Exact (:func:`analytics.curves.combined_key_shifts_bp`): the eight triangular profiles
        sum to one everywhere (parallel), and the twist profile has its knots at key tenors.
        """
        return combined_key_shifts_bp(parallel_bp=self.parallel_bp, twist_bp=self.twist_bp,
                                      key_rates_bp=dict(self.key_rates_bp),
                                      pivot_years=DEFAULT_TWIST_PIVOT_YEARS)

    def scenario(self) -> KeyRateShock:
        return KeyRateShock(shifts_bp=self.key_shifts_bp())

    @property
    def is_zero(self) -> bool:
        return all(v == 0.0 for v in self.key_shifts_bp().values())

    def profile_bp(self, maturities_years: Sequence[float]) -> np.ndarray:
        """Zero-rate change, bp, at each maturity."""
        t = np.asarray(maturities_years, dtype=float)
        return sum((bp * key_rate_profile(t, key) for key, bp in self.key_shifts_bp().items()),
                   np.zeros_like(t))

    def describe(self) -> str:
        parts = [f"parallel {self.parallel_bp:+g}", f"twist {self.twist_bp:+g}"]
        parts += [f"{k} {v:+g}" for k, v in self.key_rates_bp.items() if v]
        return ", ".join(parts) + " bp"


def read_stress(parallel: object, twist: object, key_values: Sequence[object],
                key_ids: Sequence[Mapping[str, Any]]) -> StressShock:
    """The sliders' values as a :class:`StressShock` (ValueError with a readable message)."""
    def number(raw: object, name: str) -> float:
        return read_number(raw, name=name, unit="bp")

    keys = {str(i["tenor"]): number(v, f"{i['tenor']} key rate")
            for v, i in zip(key_values, key_ids, strict=True)}
    return StressShock(parallel_bp=number(parallel, "parallel shift"),
                       twist_bp=number(twist, "twist"), key_rates_bp=keys)


class StressView(NamedTuple):
    """Outputs of the stress panel: error, the P&L tiles, the shock-profile chart."""

    error: Any
    tiles: Any
    profile: Any


def _usd(value: float, *, sign: bool = True, decimals: int = 0) -> str:
    value = round(value, decimals) + 0.0  # no "-0"
    return f"USD {value:{'+' if sign else ''},.{decimals}f}"


def _curve_of(stored: Mapping[str, Any]) -> ZeroCurve:
    curve = stored["curve"]
    return ZeroCurve(np.asarray(curve["times"], dtype=float), np.asarray(curve["zeros"], dtype=float))


def stress_view(stored: Mapping[str, Any] | None, shock: StressShock | Exception, *,
                cache: ValuerCache | None = None) -> StressView:
    """P&L of the bond of the panel (``stored``: the bond panel's spec) under the shock.

    ``shock`` may be the ValueError :func:`read_stress` raised; it is then shown as the
    message and the tiles and the chart are withdrawn (they would answer another shock).
    """
    if isinstance(shock, Exception):
        return StressView(error_box(_capital(str(shock)), id_="risk-stress-error-msg"),
                          withdrawn("risk-stress-withdrawn"),
                          _no_chart("Shock by maturity", PROFILE_HEIGHT, "No shock: fix the slider value."))
    profile = shock_profile_figure(PROFILE_MATURITIES, shock.profile_bp(PROFILE_MATURITIES).tolist(),
                                   title=f"Shock by maturity: {shock.describe()}")
    if not stored:
        return StressView(error_box("Fix the bond inputs above first: no bond to revalue.",
                                    id_="risk-stress-error-msg"), withdrawn("risk-stress-withdrawn"),
                          profile)
    try:
        spec = BondSpec.from_json(stored["bond"])
        val = _valuer(spec, cache)
        curve = _curve_of(stored)
        anchor = Anchor(spread_bp=float(stored["anchor"]["spread_bp"]),
                        tax_regime=stored["anchor"]["tax_regime"])
        base = val.price(curve, anchor)
        new = val.price(scenario_curve(curve, shock.scenario()), anchor) if not shock.is_zero else base
    except ValueError as exc:
        return StressView(error_box(_capital(str(exc)), id_="risk-stress-error-msg"),
                          withdrawn("risk-stress-withdrawn"), profile)
    change = new - base
    dirty = base + val.bullet.accrued
    krd = stored.get("krd", {})
    shifts = shock.key_shifts_bp()
    first_order = -dirty * sum(float(krd.get(k, 0.0)) * shifts[k] * 1e-4 for k in KEY_TENORS)
    colour = BAD if change < 0 else GOOD if change > 0 else GRID
    pnl_tiles = tiles(min_width_px=190, items=[
        tile("Price change (clean, per 100)", f"{change:+.4f}",
              f"{base:.4f} -> {new:.4f} ({change / dirty:+.2%} of the dirty price)",
              id_="risk-stress-dprice", colour=colour),
        tile("P&L per USD 1mm face", _usd(change / 100.0 * FACE_PER_MM_USD),
              f"long {spec.describe()}", id_="risk-stress-pnl", colour=colour),
        tile("First-order estimate from the KRDs", _usd(first_order / 100.0 * FACE_PER_MM_USD),
              "- dirty x sum(KRD x shift); the gap is convexity / options / tax",
              id_="risk-stress-estimate"),
    ])
    return StressView("", pnl_tiles, profile)


# -- portfolio ---------------------------------------------------------------------------------
def decode_upload(contents: str, filename: str | None) -> str:
    """The text of a dcc.Upload payload ("data:...;base64,...").

    Raises
    ------
    ValueError
        Not base64, too large, or not UTF-8 text; the message names the file.
    """
    name = filename or "the file"
    _, sep, payload = contents.partition(",")
    if not sep:
        raise ValueError(f"{name}: the upload is not a data URL")
    if len(payload) // 4 * 3 > MAX_UPLOAD_BYTES + 3:  # before decoding anything
        raise ValueError(f"{name}: about {len(payload) // 4 * 3:,} bytes is more than the "
                         f"{MAX_UPLOAD_BYTES:,} accepted")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{name}: the upload is not valid base64") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{name}: {len(raw):,} bytes is more than the {MAX_UPLOAD_BYTES:,} accepted")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: not a UTF-8 text file (byte {exc.start}); save the CSV as UTF-8") from None


@dataclass(frozen=True, eq=False)
class PricedBook:
    """A parsed and priced portfolio file.

    Attributes
    ----------
    parsed : positions of the good rows and the row errors.
    book : the positions priced off the curve (None when no row is good or pricing failed).
    risk : per-position and aggregated risk (None likewise).
    day : date of the store curve (also the settlement date of dated maturities).
    error : a whole-book problem (a position whose price cannot be matched, no curve...).
    """

    parsed: PortfolioFile
    book: PricedPortfolio | None
    risk: PortfolioRisk | None
    day: pd.Timestamp | None
    error: str = ""


class BookCache(_LRU[tuple[str, str, str, int], PricedBook]):
    """Priced portfolios by (content hash, file name, curve date, store revision): a refresh
    reprices the book on the new curve."""

    def __init__(self, size: int = BOOK_CACHE_SIZE) -> None:
        super().__init__(size)


def price_book(text: str, source: str, yields: pd.DataFrame, as_of: str | None) -> PricedBook:
    """Parse ``text`` and price its good rows off the store curve of ``as_of``.

    Rows with errors are listed and left out; the other rows are priced.
    """
    empty_file = PortfolioFile(positions=(), errors=())
    try:
        check_book_text(text, source=source)  # limits before any row is parsed, on every path
    except BookTooLarge as exc:
        return PricedBook(empty_file, None, None, None, str(exc))
    try:
        curve, day = _store_curve(yields, as_of, "pf")
    except FieldError as exc:
        return PricedBook(empty_file, None, None, None, str(exc))
    parsed = parse_portfolio(text, source=source, settlement=day.date())
    if not parsed.positions:
        return PricedBook(parsed, None, None, day)
    if len(parsed.positions) > MAX_POSITIONS:
        return PricedBook(parsed, None, None, day,
                          f"{source}: {len(parsed.positions)} positions; at most {MAX_POSITIONS} are priced here "
                          "(use `tsm risk --portfolio` for larger books)")
    try:
        book = PricedPortfolio(parsed.positions, curve)
        risk = book.risk()
    except ValueError as exc:
        return PricedBook(parsed, None, None, day, f"{source}: {exc}")
    return PricedBook(parsed, book, risk, day)


def _book(cache: BookCache | None, text: str, source: str, yields: pd.DataFrame,
          as_of: str | None, revision: int = -1) -> PricedBook:
    if cache is None:
        return price_book(text, source, yields, as_of)
    key = (hashlib.sha256(text.encode()).hexdigest(), source, str(as_of), revision)
    return cache.get(key, lambda: price_book(text, source, yields, as_of))


def default_replay_dates(yields: pd.DataFrame) -> tuple[str | None, str | None]:
    """The replay window: 2025-04-04 -> 2025-04-11 when the data cover it, else the last week."""
    frame = yields.dropna(how="all")
    if frame.empty:
        return None, None
    first, last = frame.index[0], frame.index[-1]
    start, end = (pd.Timestamp(d) for d in DEFAULT_REPLAY_DATES)
    if first <= start and end <= last:
        return DEFAULT_REPLAY_DATES
    return ((last - pd.Timedelta(days=FALLBACK_REPLAY_DAYS)).strftime("%Y-%m-%d"),
            last.strftime("%Y-%m-%d"))


class BookView(NamedTuple):
    """Outputs of the portfolio panel: row errors, the positions table, totals, hedges."""

    errors: Any
    positions: Any
    totals: Any
    hedges: Any


def _bold(cells: Sequence[str]) -> list[Any]:
    """A totals row: every non-empty cell in bold."""
    return [html.Strong(c) if c else c for c in cells]


def _row_errors(priced: PricedBook) -> Any:
    items: list[Any] = []
    if priced.error:
        items.append(html.Li(priced.error))
    items += [html.Li(str(e)) for e in priced.parsed.errors]
    if not items:
        return ""
    skipped = (f"{len(priced.parsed.errors)} row problem(s): those rows are left out"
               + (f"; {len(priced.parsed.positions)} good row(s) priced." if priced.book else "."))
    return html.Div([html.Strong(skipped if priced.parsed.errors else "The book cannot be priced"),
                     html.Ul(items, id="risk-pf-error-list", style={"margin": "4px 0 0 0"})],
                    className="error-box", role="alert")


def read_futures_dv01(values: Sequence[object], ids: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """The futures DV01 boxes (USD per bp per contract) by contract key.

    Raises
    ------
    ValueError
        An empty or non-positive box, naming the contract.
    """
    out: dict[str, float] = {}
    for raw, id_ in zip(values, ids, strict=True):
        key = str(id_["key"])
        label = _FUTURES_NAME.get(key, key)
        if raw is None or isinstance(raw, bool) or (isinstance(raw, str) and not raw.strip()):
            raise ValueError(f"{label}: DV01 per contract is empty: type USD per bp")
        try:
            value = float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{label}: DV01 per contract must be a number, got {raw!r}") from None
        out[key] = value
    return out


def _hedges_table(risk: PortfolioRisk, futures_dv01_usd: Mapping[str, float] | Exception | None) -> Any:
    try:
        if isinstance(futures_dv01_usd, Exception):
            raise futures_dv01_usd
        hedges = futures_hedges(risk.krd_dv01_usd, futures_dv01_usd=futures_dv01_usd)
    except ValueError as exc:
        message = str(exc)
        for key, label in _FUTURES_NAME.items():
            # "futures_dv01_usd['UST_2Y'] must be ..." -> "2-Year T-Note (TU) DV01 must be ..."
            message = message.replace(f"futures_dv01_usd[{key!r}]", f"{label} DV01 per contract")
        return error_box(_capital(message), id_="risk-pf-hedge-error")
    rows = [
        [h.bucket, _whole(h.bucket_dv01_usd), _FUTURES_NAME.get(h.contract_key, h.contract_key),
         _fmt(h.contract_dv01_usd, 2), _fmt(h.hedge_ratio, 1)]
        for h in hedges
    ]
    return html.Div([
        simple_table("risk-pf-hedges", ["bucket", "KRD DV01 USD/bp", "future",
                                        "DV01 per contract USD", "contracts to sell"], rows),
        note("Hedge ratio = bucket DV01 / futures DV01 per contract (editable above; defaults "
             "from analytics.tenors.TREASURY_FUTURES); negative: buy. Not rounded to whole "
             "contracts."),
    ])


def book_view(priced: PricedBook, data: MarketData,
              futures_dv01_usd: Mapping[str, float] | Exception | None = None) -> BookView:
    """Tables of a priced book (positions with KRD DV01 buckets, totals, futures hedges).

    ``futures_dv01_usd`` overrides the default DV01 per contract (by contract key); a
    ValueError from :func:`read_futures_dv01` is shown in place of the hedge table.
    """
    errors = _row_errors(priced)
    risk = priced.risk
    if risk is None or priced.day is None:
        waiting = note("No position to show." if priced.parsed.errors or priced.error else "")
        return BookView(errors, waiting, "", "")
    headers = ["id", "kind", "face USD", "price", "yield %", "spread/OAS bp", "eff dur", "MV USD",
               "DV01 USD/bp", *[f"{k} DV01" for k in KEY_TENORS]]
    rows = [
        [p.position_id, p.report.kind, _whole(p.face_usd), _fmt(p.report.price_clean, 3),
         _fmt(p.report.yield_pct, 3), _fmt(p.report.spread_bp, 1), _fmt(p.report.effective_duration, 2),
         _whole(p.market_value_usd), _whole(p.dv01_usd), *[_whole(p.krd_dv01_usd[k]) for k in KEY_TENORS]]
        for p in risk.positions
    ]
    rows.append(_bold(["total", "", "", "", "", "", _fmt(risk.effective_duration, 2),
                       _whole(risk.market_value_usd), _whole(risk.dv01_usd),
                       *[_whole(risk.krd_dv01_usd[k]) for k in KEY_TENORS]]))
    table = html.Div(simple_table("risk-pf-table", headers, rows), style={"overflowX": "auto"})
    totals = tiles(min_width_px=190, items=[
        tile("Market value (dirty)", _usd(risk.market_value_usd, sign=False), id_="risk-pf-mv"),
        tile("DV01", f"{_usd(risk.dv01_usd, sign=False)}/bp", "gain for a 1 bp parallel fall",
              id_="risk-pf-dv01"),
        tile("Effective duration", f"{risk.effective_duration:.2f} years", id_="risk-pf-duration"),
        tile("Curve", f"{priced.day:%Y-%m-%d}",
              ("DEMO (synthetic) " if data.is_demo else "") + "store CMT curve; settlement of "
              "dated maturities", id_="risk-pf-curve-date",
              colour=DEMO if data.is_demo else GRID),
    ])
    hedges = _hedges_table(risk, futures_dv01_usd)
    return BookView(errors, table, totals, hedges)


class PnlView(NamedTuple):
    """Outputs of the portfolio P&L: replay-date error, the P&L table, the P&L chart."""

    error: Any
    table: Any
    figure: Any


def failed_pnl(message: str) -> PnlView:
    """The P&L for inputs it cannot use: the message, no table, an empty chart."""
    return PnlView(error_box(message, id_="risk-pnl-error-msg"), withdrawn("risk-pnl-withdrawn"),
                   _no_chart("P&L by position", PNL_HEIGHT))


def _replay(yields: pd.DataFrame, start: str | None, end: str | None) -> HistoricalReplay:
    if not start or not end:
        raise ValueError("Replay dates are empty: pick a start and an end date")
    s_day, s_par = par_yields_on(yields, parse_as_of(start))
    e_day, e_par = par_yields_on(yields, parse_as_of(end))
    if s_day >= e_day:
        raise ValueError(f"Replay start ({s_day:%Y-%m-%d}) must be before its end ({e_day:%Y-%m-%d})")
    return HistoricalReplay(start_par_pct=s_par, end_par_pct=e_par,
                            label=f"{s_day:%Y-%m-%d}..{e_day:%Y-%m-%d}")


def book_pnl_view(priced: PricedBook | None, yields: pd.DataFrame, shock: StressShock | Exception,
                  replay_start: str | None, replay_end: str | None) -> PnlView:
    """P&L per position under the sliders' shock and a historical replay of the store.

    A bad replay window is reported and the slider P&L is still shown.
    """
    if priced is None or priced.book is None:
        return PnlView("", note("Upload a portfolio (or load the example) to see its P&L."),
                       figures.empty("No portfolio loaded.", title="P&L by position", height=PNL_HEIGHT))
    if isinstance(shock, Exception):
        return failed_pnl(_capital(str(shock)))
    scenarios: list[Scenario] = [shock.scenario()]
    names = ["sliders"]
    error: Any = ""
    try:
        scenarios.append(_replay(yields, replay_start, replay_end))
        names.append(f"replay {scenarios[-1].label}")  # type: ignore[union-attr]
    except ValueError as exc:
        error = error_box(_capital(str(exc)), id_="risk-pnl-error-msg")
    try:
        pnl = priced.book.scenario_pnl(scenarios)
    except ValueError as exc:
        return failed_pnl(_capital(str(exc)))
    ids = [p.position_id for p in priced.book.positions]
    columns: dict[str, list[float]] = {}
    for name, (_, group) in zip(names, pnl.groupby("scenario", sort=False), strict=True):
        columns[name] = [float(v) for v in group["pnl_usd"]]
    headers = ["id", *[f"P&L USD, {n}" for n in names]]
    rows = [[pid, *[_usd(columns[n][i]) for n in names]] for i, pid in enumerate(ids)]
    rows.append(_bold(["total", *[_usd(sum(columns[n])) for n in names]]))
    table = html.Div([
        simple_table("risk-pnl-table", headers, rows),
        note(f"Sliders: {shock.describe()}. Replay: the store's zero-curve change between the two "
             "dates added to today's curve. Instantaneous revaluation, spreads (and muni tax "
             "regimes) held; no carry or roll-down."),
    ])
    return PnlView(error, table, pnl_figure(ids, columns, title="P&L by position, USD"))


# -- layout ------------------------------------------------------------------------------------
_BOOK_GONE = "This portfolio is not on the server (any more): upload it again."
_NO_BOOK = ("No portfolio loaded: upload a CSV (format: docs/portfolio_format.md) or load the "
            "example.")


def _cid(name: str) -> str:
    return "risk-" + name.replace("_", "-")


def _error_slot(name: str) -> html.Div:
    return html.Div(id={"type": "risk-field-error", "field": name}, className="field-error",
                    style={"color": BAD, "fontSize": "12px", "minHeight": "0"})


def _number_box(name: str, value: Any, step: float, unit: str, *, disabled: bool = False) -> html.Div:
    cid = _cid(name)
    # No min/max: an absurd number reaches the analytics, whose message gives the range.
    box = dcc.Input(id=cid, type="number", value=value, step=step, debounce=True, disabled=disabled,
                    style=dict(_BOX_STYLE))
    return html.Div([
        html.Label(_FIELD_LABELS[name], htmlFor=cid, style={"fontSize": "13px", "display": "block"}),
        html.Div([box, html.Span(unit, className="muted", style={"marginLeft": "4px", "fontSize": "12px"})]),
        _error_slot(name),
    ], style={"marginBottom": "6px"})


def _fieldset(legend: Any, *children: Any) -> html.Fieldset:
    return html.Fieldset([html.Legend(legend, style={"fontSize": "13px", "fontWeight": 600}), *children],
                         style={"border": f"1px solid {GRID}", "borderRadius": "4px",
                                "padding": "4px 10px", "margin": "0 0 8px 0",
                                "display": "flex", "gap": "12px", "flexWrap": "wrap"})


def _bond_controls(data: MarketData | None) -> html.Div:
    d = DEFAULT_INPUTS
    last = data.last_date() if data is not None else None
    first = data.yields.index[0] if data is not None and not data.yields.empty else None
    return html.Div([
        _fieldset("Bond",
                  _number_box("coupon", d["coupon"], 0.125, "% a year"),
                  _number_box("maturity", d["maturity"], 0.5, "years"),
                  html.Div([
                      dcc.RadioItems(id=_cid("quote_kind"), value=d["quote_kind"], inline=True,
                                     options=[{"label": " clean price", "value": "price"},
                                              {"label": " yield %", "value": "yield"}],
                                     inputStyle={"marginLeft": "6px"}, style={"fontSize": "13px"}),
                      dcc.Input(id=_cid("quote"), type="number", value=d["quote"], step=0.01,
                                debounce=True, style=dict(_BOX_STYLE)),
                      _error_slot("quote"), _error_slot("quote_kind"),
                  ], style={"marginBottom": "6px"})),
        _fieldset(dcc.Checklist(id=_cid("callable"), value=list(d["callable"]),
                                options=[{"label": " Callable (Hull-White tree)", "value": "yes"}],
                                style={"display": "inline-block"}),
                  _number_box("call_after", d["call_after"], 0.5, "years", disabled=True),
                  _number_box("call_price", d["call_price"], 0.5, "per 100", disabled=True),
                  _number_box("vol", d["vol"], 5, "bp a year", disabled=True),
                  _error_slot("callable")),
        _fieldset(dcc.Checklist(id=_cid("muni"), value=list(d["muni"]),
                                options=[{"label": " Municipal (de minimis tax)", "value": "yes"}],
                                style={"display": "inline-block"}),
                  _number_box("ordinary", d["ordinary"], 0.01, "decimal", disabled=True),
                  _number_box("gains", d["gains"], 0.01, "decimal", disabled=True),
                  _error_slot("muni")),
        _fieldset("Curve and shift",
                  html.Div([
                      dcc.RadioItems(id=_cid("curve_kind"), value=d["curve_kind"],
                                     options=[{"label": " flat at the bond's yield", "value": "flat"},
                                              {"label": " store curve on", "value": "store"}],
                                     style={"fontSize": "13px"}),
                      _error_slot("curve_kind"),
                  ]),
                  html.Div([
                      dcc.DatePickerSingle(id=_cid("curve_date"),
                                           date=_iso(last),
                                           min_date_allowed=_iso(first),
                                           max_date_allowed=_iso(last),
                                           display_format="YYYY-MM-DD", disabled=True),
                      _error_slot("curve_date"),
                  ]),
                  _number_box("shift", d["shift"], 5, "bp (durations, KRDs)")),
        html.Div(id={"type": "risk-field-error", "field": ""}),
    ])


def _slider(id_: Any, bounds: tuple[float, float], marks: Sequence[float]) -> dcc.Slider:
    return dcc.Slider(id=id_, min=bounds[0], max=bounds[1], step=SLIDER_STEP_BP, value=0.0,
                      marks={float(m): f"{m:+g}" if m else "0" for m in marks},
                      tooltip={"always_visible": False, "placement": "bottom"},
                      # A callable's revaluation is a tree pass and the portfolio P&L follows
                      # the same sliders: recompute when the handle is released.
                      updatemode="mouseup")


def _stress_controls() -> html.Div:
    kr = [
        html.Div([html.Div(f"{key} key rate, bp", style={"fontSize": "12px"}),
                  _slider({"type": "risk-kr", "tenor": key}, KEY_RATE_RANGE_BP, (-200, 0, 200))],
                 className="slider-block")
        for key in KEY_TENORS
    ]
    return html.Div([
        html.Div([html.Label("Parallel shift, bp (all maturities)", style={"fontSize": "13px"}),
                  _slider("risk-parallel", PARALLEL_RANGE_BP, (-300, -100, 0, 100, 300))],
                 className="slider-block"),
        html.Div([html.Label("Twist, bp (30y minus 1y change; pivot 5y; + = steeper)",
                             style={"fontSize": "13px"}),
                  _slider("risk-twist", TWIST_RANGE_BP, (-200, 0, 200))], className="slider-block"),
        html.Details([html.Summary("Key-rate sliders (1y..30y, triangular bumps)",
                                   style={"fontSize": "13px", "cursor": "pointer"}),
                      html.Div(kr, style={"display": "grid", "gap": "0 16px",
                                          "gridTemplateColumns": "repeat(auto-fill, minmax(230px, 1fr))"})],
                     open=True),
        html.Button("Reset shocks to 0", id="risk-reset", n_clicks=0,
                    style={"marginTop": "6px", "fontSize": "13px"}),
        html.Div(id="risk-stress-error"),
    ])


def _iso(day: pd.Timestamp | None) -> str | None:
    return None if day is None else day.strftime("%Y-%m-%d")


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    data, store_error = safe_data(ctx)
    asked = (query or {}).get("as_of") or None
    values = dict(DEFAULT_INPUTS)
    view = bond_view(data, values)
    stress = stress_view(view.spec, StressShock())
    yields = data.yields if data is not None else pd.DataFrame()
    last = data.last_date() if data is not None else None
    first = yields.index[0] if not yields.empty else None
    r_start, r_end = default_replay_dates(yields)

    def picker(id_: str, day: Any) -> dcc.DatePickerSingle:
        return dcc.DatePickerSingle(id=id_, date=day, display_format="YYYY-MM-DD",
                                    min_date_allowed=_iso(first),
                                    max_date_allowed=_iso(last))

    bond = card(
        "Bond: price, durations, key rates",
        html.Div([
            html.Div([_bond_controls(data),
                      error_box(store_error, id_="risk-store-error") if store_error else None]),
            html.Div([
                html.Div(view.curve_note, id="risk-curve-note", className="note",
                         style={"color": MUTED, "marginBottom": "6px"}),
                dcc.Loading(html.Div(view.summary,
                                     id="risk-bond-summary"), type="dot", delay_show=400),
            ]),
        ], className="grid-2"),
        html.Div([
            sized_graph("risk-krd-chart", view.krd, KRD_HEIGHT),
            sized_graph("risk-sweep-chart", view.sweep, SWEEP_HEIGHT),
        ], className="grid-2", style={"marginTop": "8px"}),
        dcc.Store(id="risk-bond-spec", data=view.spec),
        note("Effective duration and convexity shift the whole zero curve by +/- the shift size "
             "with the spread (OAS for callables) held; modified duration shifts the bond's own "
             "yield. Up/down durations show the asymmetry an average hides: a callable shortens as "
             "rates fall, a muni near the de minimis threshold falls faster as rates rise (its "
             "tax-aware KRDs need not sum to the effective duration)."),
        id_="risk-bond-card",
    )
    stress_card = card(
        "Stress: what if rates move?",
        html.Div([
            _stress_controls(),
            html.Div([html.Div(stress.tiles, id="risk-stress-tiles"),
                      sized_graph("risk-profile-chart", stress.profile, PROFILE_HEIGHT)]),
        ], className="grid-2"),
        note("Parallel + twist + key rates add up on the zero curve; the bond above is revalued "
             "on the shocked curve with its spread held (full revaluation, not a duration "
             "estimate). The portfolio below follows the same sliders."),
        id_="risk-stress-card",
    )
    upload = dcc.Upload(
        id="risk-pf-upload", max_size=MAX_UPLOAD_BYTES, multiple=False, accept=".csv,text/csv,text/plain",
        children=html.Div(["Drop a portfolio CSV here or ", html.A("choose a file", style={"textDecoration": "underline"})]),
        style={"border": f"2px dashed {MUTED}", "borderRadius": "6px", "padding": "12px 16px",
               "textAlign": "center", "cursor": "pointer", "fontSize": "14px", "minWidth": "280px"},
    )
    portfolio = card(
        "Portfolio: risk, hedges and scenario P&L",
        html.Div([
            upload,
            html.Button("Load the example portfolio", id="risk-pf-example", n_clicks=0,
                        style={"fontSize": "13px"}),
            html.Div([html.Label("Curve date", htmlFor="risk-pf-asof"),
                      picker("risk-pf-asof", asked or _iso(last))], style=dict(_INLINE)),
            html.Div([html.Label("Historical replay from", htmlFor="risk-replay-start"),
                      picker("risk-replay-start", r_start),
                      html.Label("to", htmlFor="risk-replay-end"),
                      picker("risk-replay-end", r_end)], style=dict(_INLINE)),
        ], className="controls"),
        html.Div(id="risk-pf-file", className="note", style={"color": MUTED}),
        html.Div(id="risk-pf-upload-error"),
        html.Div(id="risk-pf-errors"),
        dcc.Loading(html.Div([
            html.Div(id="risk-pf-totals"),
            html.Div(note(_NO_BOOK), id="risk-pf-positions"),
        ]), type="dot", delay_show=400),
        html.H4("Futures hedge per key-rate bucket", style={"margin": "12px 0 4px 0"}),
        html.Div([
            html.Div([html.Label(f"{c.label} DV01, USD/bp",
                                 style={"fontSize": "12px", "display": "block"}),
                      dcc.Input(id={"type": "risk-fut-dv01", "key": c.key}, type="number",
                                value=c.dv01_usd, step=1, debounce=True,
                                style=dict(_BOX_STYLE))])
            for c in TREASURY_FUTURES
        ], className="controls"),
        html.Div(id="risk-pf-hedge-table"),
        html.H4("P&L under the sliders and the historical replay", style={"margin": "12px 0 4px 0"}),
        html.Div(id="risk-pnl-error"),
        html.Div([
            html.Div(id="risk-pnl-table"),
            sized_graph("risk-pnl-chart", figures.empty("No portfolio loaded.", title="P&L by position",
                                                         height=PNL_HEIGHT), PNL_HEIGHT),
        ], className="grid-2"),
        dcc.Store(id="risk-pf-source"),
        note("Positions are priced off the store's CMT curve of the curve date (bootstrapped); a "
             "given price or yield fixes the spread (OAS for callables), held in every scenario. "
             "DV01 and KRD DV01 in USD per bp, positive when the position gains as rates fall."
             + (" DEMO data: the curves are synthetic." if data is not None and data.is_demo else "")),
        id_="risk-pf-card",
    )
    return html.Div([bond, stress_card, portfolio])


# -- callbacks ---------------------------------------------------------------------------------
def _field_outputs(errors: Mapping[str, str], outputs: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Each field's error slot: the message where the field matches, else empty."""
    return [errors.get(str(o["id"]["field"]), "") for o in outputs]


def register(app: Dash, ctx: AppContext) -> None:
    valuers = ValuerCache()
    books = BookCache()
    # Uploaded books stay on the server (in the store, by hash); the browser holds the key.
    kept = BookStore(ctx.store_path)

    def book_of(source: Mapping[str, Any]) -> tuple[str, str] | None:
        if source.get("key") == "example":
            return "example.csv", EXAMPLE_PORTFOLIO
        return kept.get(source.get("key"))
    bond_fields = [f for f in BOND_FIELDS if f != "curve_date"]

    @app.callback(
        Output({"type": "risk-field-error", "field": ALL}, "children"),
        Output("risk-bond-summary", "children"),
        Output("risk-krd-chart", "figure"),
        Output("risk-sweep-chart", "figure"),
        Output("risk-bond-spec", "data"),
        Output("risk-curve-note", "children"),
        *[Input(_cid(f), "value") for f in bond_fields],
        Input(_cid("curve_date"), "date"),
        prevent_initial_call=True,
    )
    def _update_bond(*raw: object) -> tuple[Any, ...]:
        values = dict(zip([*bond_fields, "curve_date"], raw, strict=True))
        data, store_error = safe_data(ctx)
        if data is None and values.get("curve_kind") == "store":
            view = failed_bond({"curve_kind": store_error})
        else:
            view = bond_view(data, values, cache=valuers)
        slots = _field_outputs(view.errors, dash_ctx.outputs_list[0])
        return (slots, *view[1:])

    @app.callback(
        Output(_cid("call_after"), "disabled"), Output(_cid("call_price"), "disabled"),
        Output(_cid("vol"), "disabled"), Input(_cid("callable"), "value"),
    )
    def _toggle_callable(ticked: object) -> tuple[bool, bool, bool]:
        off = not _ticked(ticked)
        return off, off, off

    @app.callback(
        Output(_cid("ordinary"), "disabled"), Output(_cid("gains"), "disabled"),
        Input(_cid("muni"), "value"),
    )
    def _toggle_muni(ticked: object) -> tuple[bool, bool]:
        off = not _ticked(ticked)
        return off, off

    @app.callback(Output(_cid("curve_date"), "disabled"), Input(_cid("curve_kind"), "value"))
    def _toggle_date(kind: object) -> bool:
        return kind != "store"

    def shock_of(parallel: object, twist: object, keys: Sequence[object],
                 ids: Sequence[Mapping[str, Any]]) -> StressShock | Exception:
        try:
            return read_stress(parallel, twist, keys, ids)
        except ValueError as exc:
            return exc

    @app.callback(
        Output("risk-stress-error", "children"), Output("risk-stress-tiles", "children"),
        Output("risk-profile-chart", "figure"),
        Input("risk-parallel", "value"), Input("risk-twist", "value"),
        Input({"type": "risk-kr", "tenor": ALL}, "value"), Input("risk-bond-spec", "data"),
        State({"type": "risk-kr", "tenor": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _update_stress(parallel: object, twist: object, keys: list[object],
                       stored: dict[str, Any] | None, ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        return tuple(stress_view(stored, shock_of(parallel, twist, keys, ids), cache=valuers))

    @app.callback(
        Output("risk-parallel", "value"), Output("risk-twist", "value"),
        Output({"type": "risk-kr", "tenor": ALL}, "value"),
        Input("risk-reset", "n_clicks"), prevent_initial_call=True,
    )
    def _reset(_: int) -> tuple[Any, ...]:
        return 0.0, 0.0, [0.0] * len(dash_ctx.outputs_list[2])

    @app.callback(
        Output("risk-pf-source", "data"), Output("risk-pf-upload-error", "children"),
        Output("risk-pf-file", "children"),
        Input("risk-pf-upload", "contents"), Input("risk-pf-example", "n_clicks"),
        State("risk-pf-upload", "filename"), prevent_initial_call=True,
    )
    def _load(contents: str | None, _clicks: int, filename: str | None) -> tuple[Any, ...]:
        if dash_ctx.triggered_id == "risk-pf-example":
            return ({"key": "example", "source": "example.csv"}, "",
                    "File: the example portfolio (example.csv).")
        if not contents:
            return no_update, no_update, no_update
        name = str(filename or "upload.csv")[:200]
        try:
            if not isinstance(contents, str):
                raise ValueError(f"{name}: the upload is not a data URL")
            text = decode_upload(contents, name)
            key = kept.put(text, name)
        except (ValueError, StoreError) as exc:
            # The new file replaces the old one even when it is refused: the previous file's
            # rows, messages and P&L go (they would read as this file's).
            return None, error_box(str(exc), id_="risk-pf-upload-error-msg"), ""
        return {"key": key, "source": name}, "", f"File: {name}."

    @app.callback(
        Output("risk-pf-errors", "children"), Output("risk-pf-positions", "children"),
        Output("risk-pf-totals", "children"), Output("risk-pf-hedge-table", "children"),
        Input("risk-pf-source", "data"), Input("risk-pf-asof", "date"),
        Input({"type": "risk-fut-dv01", "key": ALL}, "value"),
        State({"type": "risk-fut-dv01", "key": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _update_book(source: dict[str, str] | None, as_of: str | None, dv01s: list[object],
                     dv01_ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        if not source:
            return "", note(_NO_BOOK), "", ""
        book = book_of(source) if isinstance(source, Mapping) else None
        if book is None:
            return error_box(_BOOK_GONE), withdrawn("risk-pf-withdrawn"), "", ""
        data, store_error = safe_data(ctx)
        if data is None:
            return error_box(store_error), withdrawn("risk-pf-withdrawn"), "", ""
        priced = _book(books, book[1], book[0], data.yields, as_of, data.revision)
        futures: dict[str, float] | Exception
        try:
            futures = read_futures_dv01(dv01s, dv01_ids)
        except ValueError as exc:
            futures = exc
        return tuple(book_view(priced, data, futures))

    @app.callback(
        Output("risk-pnl-error", "children"), Output("risk-pnl-table", "children"),
        Output("risk-pnl-chart", "figure"),
        Input("risk-pf-source", "data"), Input("risk-pf-asof", "date"),
        Input("risk-parallel", "value"), Input("risk-twist", "value"),
        Input({"type": "risk-kr", "tenor": ALL}, "value"),
        Input("risk-replay-start", "date"), Input("risk-replay-end", "date"),
        State({"type": "risk-kr", "tenor": ALL}, "id"),
        prevent_initial_call=True,
    )
    def _update_pnl(source: dict[str, str] | None, as_of: str | None, parallel: object,
                    twist: object, keys: list[object], start: str | None, end: str | None,
                    ids: list[dict[str, Any]]) -> tuple[Any, ...]:
        if not source:
            return tuple(book_pnl_view(None, pd.DataFrame(), StressShock(), None, None))
        book = book_of(source) if isinstance(source, Mapping) else None
        if book is None:
            return tuple(failed_pnl(_BOOK_GONE))
        data, store_error = safe_data(ctx)
        if data is None:
            return tuple(failed_pnl(store_error))
        priced = _book(books, book[1], book[0], data.yields, as_of, data.revision)
        return tuple(book_pnl_view(priced, data.yields, shock_of(parallel, twist, keys, ids),
                                   start, end))
