"""Risk page inputs: defaults and ranges, the typed input objects (:class:`BondSpec`, :class:`BondInputs`,
:class:`StressShock`) and the readers that turn the controls' raw values into them, with readable
messages (:class:`FieldError` names the control a message belongs to).
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

import numpy as np
import pandas as pd

from analytics.bonds import (
    DEFAULT_FREQUENCY,
    MAX_PRICE,
    Bullet,
)
from analytics.curves import (
    DEFAULT_TWIST_PIVOT_YEARS,
    combined_key_shifts_bp,
    key_rate_profile,
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
)
from analytics.portfolio import (
    KeyRateShock,
)
from analytics.risk import (
    DEFAULT_SHIFT_BP,
    SHIFT_BP_RANGE,
    Instrument,
)
from analytics.tenors import KEY_TENORS, TREASURY_FUTURES
from components.kit import read_number
from data.portfolio import (
    MAX_BOOK_BYTES,
    MAX_BOOK_POSITIONS,
)

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
