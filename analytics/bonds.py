"""Fixed-rate bullet bonds (Treasury, agency, corporate): cash flows, yield and curve pricing.

Conventions
-----------
* Prices are per 100 of face. *Clean* prices exclude accrued interest, *dirty* (full) prices
  include it; every function says which it returns.
* A bond is described by its coupon (percent a year), its coupon frequency (default 2) and its
  time to maturity in years **measured in coupon periods**: ``maturity_years = (n - 1 + f1) / f``
  where ``n`` is the number of remaining coupons and ``f1`` the fraction of the current coupon
  period still to run. Cash flows fall at ``maturity_years - k / f``. Accrued interest is
  ``coupon / f * (1 - f1)``. :func:`maturity_years_from_dates` computes ``f1`` from dates with
  the act/act (ICMA) or 30/360 (bond basis) day count; these period-based times are also the
  times used to discount on a :class:`~analytics.curves.ZeroCurve` (a documented
  simplification: no separate Act/365 calendar for the curve).
* Yield is the street convention: compounded at the coupon frequency, including in the final
  period, ``dirty = sum CF_i (1 + y/f) ** (-f t_i)``.
* Pricing off a curve adds a constant continuously-compounded spread ``s`` (bp) to the zero
  rates: ``dirty = sum CF_i D(t_i) exp(-s t_i)`` (a z-spread).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

from analytics.checks import InputError
from analytics.curves import BP, ZeroCurve

__all__ = [
    "FACE",
    "DEFAULT_FREQUENCY",
    "FREQUENCIES",
    "DAY_COUNTS",
    "DEFAULT_DAY_COUNT",
    "MAX_MATURITY_YEARS",
    "MAX_COUPON_PCT",
    "MAX_PRICE",
    "YIELD_RANGE_PCT",
    "SPREAD_RANGE_BP",
    "Bullet",
    "CashFlowMatrix",
    "maturity_years_from_dates",
    "bullet_from_dates",
    "price_from_yield",
    "yield_from_price",
    "yield_to_date",
    "modified_duration",
    "dirty_price_on_curve",
    "price_on_curve",
    "z_spread_bp",
    "cash_flow_matrix",
    "solve_spread_bp",
]

FloatArray = NDArray[np.float64]

#: Face value all prices are quoted per.
FACE: Final[float] = 100.0
#: Coupons a year unless told otherwise (U.S. Treasury, agency and corporate bonds).
DEFAULT_FREQUENCY: Final[int] = 2
#: Coupon frequencies accepted (per year).
FREQUENCIES: Final[tuple[int, ...]] = (1, 2, 4, 12)
#: Day counts accepted by :func:`maturity_years_from_dates`.
DAY_COUNTS: Final[tuple[str, ...]] = ("act/act", "30/360")
DEFAULT_DAY_COUNT: Final[str] = "act/act"
#: Longest maturity accepted, years.
MAX_MATURITY_YEARS: Final[float] = 100.0
#: Coupons accepted, percent a year: [0, this).
MAX_COUPON_PCT: Final[float] = 100.0
#: Largest clean price per 100 that input files and flags accept (a typo guard).
MAX_PRICE: Final[float] = 1_000.0
#: Yields a price may imply (percent); outside it the price is rejected.
YIELD_RANGE_PCT: Final[tuple[float, float]] = (-50.0, 500.0)
#: Spreads a price may imply over a curve (bp); the root finder widens up to this range.
SPREAD_RANGE_BP: Final[tuple[float, float]] = (-20_000.0, 20_000.0)
#: First bracket tried by the spread root finder (bp).
_SPREAD_FIRST_BRACKET_BP: Final[float] = 1_000.0
#: Secant start of :func:`solve_spread_bp`: the second point, bp below the given one.
_SECANT_SECOND_POINT_BP: Final[float] = 25.0
#: Secant steps before falling back to bracketing.
_SECANT_MAX_STEPS: Final[int] = 12
#: Secant stops when a step is this small (bp; Brent's xtol in the bracketing search)...
_SECANT_XTOL_BP: Final[float] = 1e-10
#: ... or when the value is this close to the target (per 100 face: about 1e-10 bp of spread).
_SECANT_FTOL: Final[float] = 1e-12
#: Time tolerance in coupon periods: a maturity this close to a coupon date is on it.
_PERIOD_TOL: Final[float] = 1e-7


def _check_frequency(frequency: int) -> None:
    if frequency not in FREQUENCIES:
        raise InputError("frequency", f"frequency must be one of {FREQUENCIES} coupons a year, got {frequency!r}")


@dataclass(frozen=True, kw_only=True)
class Bullet:
    """A fixed-rate bullet bond (no option), per 100 face.

    Parameters
    ----------
    coupon_pct : annual coupon rate in percent, in [0, 100).
    maturity_years : time to maturity in years (coupon periods / frequency), in (0, 100].
    frequency : coupons a year, one of 1, 2, 4, 12 (default 2).
    """

    coupon_pct: float
    maturity_years: float
    frequency: int = DEFAULT_FREQUENCY

    def __post_init__(self) -> None:
        if not math.isfinite(self.coupon_pct) or not 0.0 <= self.coupon_pct < MAX_COUPON_PCT:
            raise InputError("coupon_pct", f"coupon_pct must be in [0, {MAX_COUPON_PCT:g}) %, got {self.coupon_pct}")
        if not math.isfinite(self.maturity_years) or not 0.0 < self.maturity_years <= MAX_MATURITY_YEARS:
            raise InputError(
                "maturity_years",
                f"maturity_years must be in (0, {MAX_MATURITY_YEARS:g}] years, got {self.maturity_years}"
            )
        _check_frequency(self.frequency)

    @property
    def n_flows(self) -> int:
        """Number of remaining coupon dates (the last one also pays the principal)."""
        return max(1, math.ceil(self.frequency * self.maturity_years - _PERIOD_TOL))

    @property
    def first_flow_years(self) -> float:
        """Time to the next coupon, years."""
        return self.maturity_years - (self.n_flows - 1) / self.frequency

    @property
    def accrued(self) -> float:
        """Accrued interest per 100 face (coupon / f times the elapsed part of the period)."""
        elapsed = min(max(1.0 - self.frequency * self.first_flow_years, 0.0), 1.0)
        return self.coupon_pct / self.frequency * elapsed

    def flow_times(self) -> FloatArray:
        """Cash-flow times in years, ascending."""
        k = np.arange(self.n_flows - 1, -1, -1, dtype=np.float64)
        return self.maturity_years - k / self.frequency

    def flow_amounts(self) -> FloatArray:
        """Cash flows per 100 face: coupons, plus 100 at maturity."""
        amounts = np.full(self.n_flows, self.coupon_pct / self.frequency)
        amounts[-1] += FACE
        return amounts


def _add_months(d: date, months: int, *, end_of_month: bool) -> date:
    total = d.year * 12 + (d.month - 1) + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    day = last if end_of_month else min(d.day, last)
    return date(year, month + 1, day)


def _days_30_360(start: date, end: date) -> int:
    # 30/360 bond basis (ISDA 2006 4.16(f)): day 31 -> 30, and end 31 -> 30 only if start >= 30.
    d1 = min(start.day, 30)
    d2 = end.day
    if d2 == 31 and d1 == 30:
        d2 = 30
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def maturity_years_from_dates(
    *,
    settlement: date,
    maturity: date,
    frequency: int = DEFAULT_FREQUENCY,
    day_count: str = DEFAULT_DAY_COUNT,
) -> float:
    """Time to maturity in coupon-period years from dates.

    Parameters
    ----------
    settlement : settlement date (strictly before ``maturity``).
    maturity : maturity date; coupon dates step back from it by ``12 / frequency`` months
        (end-of-month maturities keep month ends).
    frequency : coupons a year (default 2).
    day_count : "act/act" (ICMA: actual days over actual days in the period) or "30/360"
        (bond basis) for the fraction of the current period still to run.

    Returns
    -------
    float
        ``(n - 1 + f1) / frequency`` in years (see the module docstring).
    """
    _check_frequency(frequency)
    if day_count not in DAY_COUNTS:
        raise InputError("day_count", f"day_count must be one of {DAY_COUNTS}, got {day_count!r}")
    if maturity <= settlement:
        raise ValueError(f"maturity {maturity} must be after settlement {settlement}")
    step = 12 // frequency
    eom = maturity.day == calendar.monthrange(maturity.year, maturity.month)[1]
    n = 0
    nxt = maturity
    prev = maturity
    while prev > settlement:
        nxt = prev
        n += 1
        prev = _add_months(maturity, -n * step, end_of_month=eom)
    if day_count == "act/act":
        fraction = (nxt - settlement).days / (nxt - prev).days
    else:
        fraction = _days_30_360(settlement, nxt) / (360 / frequency)
    return (n - 1 + fraction) / frequency


def bullet_from_dates(
    *,
    coupon_pct: float,
    settlement: date,
    maturity: date,
    frequency: int = DEFAULT_FREQUENCY,
    day_count: str = DEFAULT_DAY_COUNT,
) -> Bullet:
    """A :class:`Bullet` from its coupon (percent) and settlement and maturity dates."""
    years = maturity_years_from_dates(
        settlement=settlement, maturity=maturity, frequency=frequency, day_count=day_count
    )
    return Bullet(coupon_pct=coupon_pct, maturity_years=years, frequency=frequency)


def _check_yield(yield_pct: float) -> None:
    lo, hi = YIELD_RANGE_PCT
    if not math.isfinite(yield_pct) or not lo <= yield_pct <= hi:
        raise InputError("yield_pct", f"yield_pct must be in [{lo:g}, {hi:g}] %, got {yield_pct}")


def _dirty_from_yield(bond: Bullet, y: float) -> float:
    f = bond.frequency
    return float(np.sum(bond.flow_amounts() * (1.0 + y / f) ** (-f * bond.flow_times())))


def price_from_yield(bond: Bullet, yield_pct: float) -> float:
    """Clean price per 100 at a street-convention yield (percent, compounded at the frequency)."""
    _check_yield(yield_pct)
    return _dirty_from_yield(bond, yield_pct / 100.0) - bond.accrued


def yield_from_price(bond: Bullet, price_clean: float) -> float:
    """Street-convention yield in percent from a clean price per 100.

    Raises
    ------
    ValueError
        When the price is not positive or implies a yield outside :data:`YIELD_RANGE_PCT`.
    """
    if not math.isfinite(price_clean) or price_clean <= 0.0:
        raise InputError("price", f"price must be a positive clean price per 100, got {price_clean}")
    target = price_clean + bond.accrued
    lo, hi = (v / 100.0 for v in YIELD_RANGE_PCT)
    f_lo = _dirty_from_yield(bond, lo) - target
    f_hi = _dirty_from_yield(bond, hi) - target
    if f_lo < 0.0 or f_hi > 0.0:
        raise ValueError(
            f"price {price_clean} implies a yield outside [{YIELD_RANGE_PCT[0]:g}, "
            f"{YIELD_RANGE_PCT[1]:g}] %"
        )
    root = brentq(lambda y: _dirty_from_yield(bond, y) - target, lo, hi, xtol=1e-14, rtol=1e-14)
    return float(root) * 100.0


def _dirty_to_date(bond: Bullet, y: float, workout_years: float, redemption: float) -> float:
    f = bond.frequency
    t = bond.flow_times()
    live = t <= workout_years + _PERIOD_TOL / f
    amounts = np.full(int(live.sum()), bond.coupon_pct / f)
    amounts[-1] += redemption
    return float(np.sum(amounts * (1.0 + y / f) ** (-f * t[live])))


def yield_to_date(bond: Bullet, price_clean: float, *, workout_years: float, redemption: float = FACE) -> float:
    """Street yield in percent to a workout date (a call date, or maturity).

    Parameters
    ----------
    bond : the bond.
    price_clean : clean price per 100.
    workout_years : the workout date in years; must be a coupon date of the bond.
    redemption : price paid on that date per 100 face (the call price; 100 at maturity).

    Returns
    -------
    float
        The yield, compounded at the coupon frequency, at which the coupons up to and
        including the workout date and the redemption then are worth the dirty price.
    """
    if not math.isfinite(price_clean) or price_clean <= 0.0:
        raise InputError("price", f"price must be a positive clean price per 100, got {price_clean}")
    t = bond.flow_times()
    if not np.any(np.abs(t - workout_years) <= _PERIOD_TOL / bond.frequency):
        raise InputError("workout_years", f"workout_years = {workout_years:g} is not a coupon date of the bond")
    target = price_clean + bond.accrued
    lo, hi = (v / 100.0 for v in YIELD_RANGE_PCT)

    def gap(y: float) -> float:
        return _dirty_to_date(bond, y, workout_years, redemption) - target

    if gap(lo) < 0.0 or gap(hi) > 0.0:
        raise InputError(
            "price",
            f"price {price_clean} implies a yield to {workout_years:g}y outside "
            f"[{YIELD_RANGE_PCT[0]:g}, {YIELD_RANGE_PCT[1]:g}] %",
        )
    return float(brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14)) * 100.0


def modified_duration(bond: Bullet, yield_pct: float) -> float:
    """Modified duration in years: ``-(1/P) dP/dy`` at the bond's own yield (dirty price).

    Shifts the bond's own street yield, not a curve; it ignores any option.
    """
    _check_yield(yield_pct)
    f = bond.frequency
    y = yield_pct / 100.0
    t = bond.flow_times()
    disc = (1.0 + y / f) ** (-f * t)
    cf = bond.flow_amounts()
    dirty = float(np.sum(cf * disc))
    return float(np.sum(t * cf * disc)) / (1.0 + y / f) / dirty


def dirty_price_on_curve(bond: Bullet, curve: ZeroCurve, *, spread_bp: float = 0.0) -> float:
    """Dirty price per 100 off a zero curve plus a constant continuous spread (bp)."""
    t = bond.flow_times()
    return float(np.sum(bond.flow_amounts() * curve.discount(t) * np.exp(-spread_bp * BP * t)))


def price_on_curve(bond: Bullet, curve: ZeroCurve, *, spread_bp: float = 0.0) -> float:
    """Clean price per 100 off a zero curve plus a constant continuous spread (bp)."""
    return dirty_price_on_curve(bond, curve, spread_bp=spread_bp) - bond.accrued


def solve_spread_bp(value_at: Callable[[float], float], target: float, *, what: str = "price",
                    near: float | None = None) -> float:
    """Spread in bp at which the decreasing function ``value_at(spread_bp)`` equals ``target``.

    With ``near`` (a spread close to the root, for example a bound from a cheaper model), it
    first tries secant steps from ``near`` and ``near - 25`` bp: about 7 evaluations instead of
    the 10 or 11 of the bracketing search (callables from their bullet's z-spread), which
    matters when one evaluation is a tree's backward induction. A secant run that leaves :data:`SPREAD_RANGE_BP`, stalls or has not
    converged after :data:`_SECANT_MAX_STEPS` steps falls back to the bracketing search.

    Otherwise, or then, starts with a +/-1000 bp bracket and widens it up to
    :data:`SPREAD_RANGE_BP` (Brent's method inside it).

    Raises
    ------
    ValueError
        When no spread in :data:`SPREAD_RANGE_BP` reaches the target.
    """
    if near is not None and math.isfinite(near):
        root = _secant_spread_bp(value_at, target, near)
        if root is not None:
            return root
    lo, hi = -_SPREAD_FIRST_BRACKET_BP, _SPREAD_FIRST_BRACKET_BP
    while True:
        f_lo = value_at(lo) - target
        f_hi = value_at(hi) - target
        if f_lo >= 0.0 >= f_hi:
            break
        if lo <= SPREAD_RANGE_BP[0] and hi >= SPREAD_RANGE_BP[1]:
            raise ValueError(
                f"{what} {target:.6g} cannot be reached with a spread within "
                f"[{SPREAD_RANGE_BP[0]:g}, {SPREAD_RANGE_BP[1]:g}] bp over the curve"
            )
        lo, hi = max(lo * 4.0, SPREAD_RANGE_BP[0]), min(hi * 4.0, SPREAD_RANGE_BP[1])
    if f_lo == 0.0:
        return lo
    if f_hi == 0.0:
        return hi
    ends = {lo: f_lo, hi: f_hi}  # brentq starts by evaluating both ends: a tree pricing each

    def gap(s: float) -> float:
        known = ends.get(s)
        return value_at(s) - target if known is None else known

    return float(brentq(gap, lo, hi, xtol=1e-10, rtol=1e-14))


def _secant_spread_bp(value_at: Callable[[float], float], target: float, near: float) -> float | None:
    """Secant iteration for :func:`solve_spread_bp` (None when it does not converge cleanly)."""
    x0, x1 = near, near - _SECANT_SECOND_POINT_BP
    f0, f1 = value_at(x0) - target, value_at(x1) - target
    for _ in range(_SECANT_MAX_STEPS):
        if f1 == 0.0:
            return x1
        if not (math.isfinite(f0) and math.isfinite(f1)) or f1 == f0:
            return None
        x2 = x1 - f1 * (x1 - x0) / (f1 - f0)
        if not SPREAD_RANGE_BP[0] <= x2 <= SPREAD_RANGE_BP[1]:
            return None
        if abs(x2 - x1) <= _SECANT_XTOL_BP:
            return x2
        x0, f0, x1, f1 = x1, f1, x2, value_at(x2) - target
        if abs(f1) <= _SECANT_FTOL:
            return x1
    return None


def z_spread_bp(bond: Bullet, curve: ZeroCurve, *, price_clean: float) -> float:
    """Constant continuous spread over the zero curve (bp) that reprices ``price_clean``."""
    if not math.isfinite(price_clean) or price_clean <= 0.0:
        raise InputError("price", f"price must be a positive clean price per 100, got {price_clean}")
    return solve_spread_bp(lambda s: price_on_curve(bond, curve, spread_bp=s), price_clean)


@dataclass(frozen=True, eq=False, kw_only=True)
class CashFlowMatrix:
    """Padded cash flows of many bullets, for vectorised pricing.

    Attributes
    ----------
    times_years : array (N, F) of flow times in years; padding is 0.
    amounts : array (N, F) of flows per 100 face; padding is 0.
    accrued : array (N,) of accrued interest per 100 face.
    """

    times_years: FloatArray
    amounts: FloatArray
    accrued: FloatArray

    @property
    def n_bonds(self) -> int:
        return int(self.amounts.shape[0])


def cash_flow_matrix(
    *, coupons_pct: ArrayLike, maturities_years: ArrayLike, frequency: int = DEFAULT_FREQUENCY
) -> CashFlowMatrix:
    """Padded (N x max flows) cash-flow matrices of N bullets with a common frequency.

    Parameters
    ----------
    coupons_pct : N coupons in percent, each in [0, 100).
    maturities_years : N maturities in years (coupon periods / frequency), each in (0, 100].
    frequency : coupons a year (default 2).

    Returns
    -------
    CashFlowMatrix
        Flows ordered from maturity backwards (column 0 is the final flow).
    """
    _check_frequency(frequency)
    cpn = np.atleast_1d(np.asarray(coupons_pct, dtype=np.float64))
    mat = np.atleast_1d(np.asarray(maturities_years, dtype=np.float64))
    if cpn.shape != mat.shape or cpn.ndim != 1:
        raise ValueError(
            f"coupons_pct and maturities_years must be 1-D of equal length, got {cpn.shape} and {mat.shape}"
        )
    bad_c = ~(np.isfinite(cpn) & (cpn >= 0.0) & (cpn < MAX_COUPON_PCT))
    if bad_c.any():
        i = int(np.argmax(bad_c))
        raise ValueError(f"coupons_pct[{i}] = {cpn[i]} must be in [0, {MAX_COUPON_PCT:g}) %")
    bad_m = ~(np.isfinite(mat) & (mat > 0.0) & (mat <= MAX_MATURITY_YEARS))
    if bad_m.any():
        i = int(np.argmax(bad_m))
        raise ValueError(f"maturities_years[{i}] = {mat[i]} must be in (0, {MAX_MATURITY_YEARS:g}] years")
    n_flows = np.maximum(1, np.ceil(frequency * mat - _PERIOD_TOL)).astype(np.int64)
    width = int(n_flows.max()) if n_flows.size else 1
    k = np.arange(width, dtype=np.float64)
    live = k[None, :] < n_flows[:, None]
    times = np.where(live, mat[:, None] - k[None, :] / frequency, 0.0)
    amounts = np.where(live, (cpn / frequency)[:, None], 0.0)
    amounts[:, 0] += FACE
    first = mat - (n_flows - 1) / frequency
    accrued = cpn / frequency * np.clip(1.0 - frequency * first, 0.0, 1.0)
    return CashFlowMatrix(times_years=times, amounts=amounts, accrued=accrued)
