"""Zero curves: bootstrap from par yields, vectorised discount factors and curve shifts.

Representation
--------------
A :class:`ZeroCurve` is a set of continuously-compounded zero rates (decimal, e.g. 0.04 for
4 %) on a strictly increasing grid of times in years. Between nodes the zero rate is **linear
in time**; before the first node and after the last one it is held flat. The discount factor is
``D(t) = exp(-z(t) t)``.

Time axis
---------
Times are year fractions from settlement. The bond code measures them in coupon periods
(act/act ICMA or 30/360 periods divided by the frequency), so a semiannual bond pays at
exactly 0.5, 1.0, ... years when it settles on a coupon date. This is a documented
simplification: the curve and the bonds share one time axis, not an Act/365 calendar.

Bootstrap from par yields
-------------------------
Input: semiannual bond-equivalent par yields in percent by tenor (the H.15 CMT curve of a date,
a user curve, ...). Tenors shorter than 6 months (the 1m and 3m bills) are zero-coupon
bond-equivalent yields, ``D(t) = 1 / (1 + y t)``. From 6 months on, par yields are linearly
interpolated in maturity (flat beyond the first and last tenor) at every semiannual point
``t_k = 0.5 k`` up to 30 years (or the longest tenor if longer), and each point is treated as a
par bond paying ``p/2`` every six months::

    D(t_k) = (1 - p_k / 2 * sum_{i<k} D(t_i)) / (1 + p_k / 2)

At 6 months this is the same as the bill formula, so bills and notes join without a seam.

Shifts
------
Every shift is applied to the **zero rates** (in bp, 1 bp = 0.0001) and returns a new curve.
The ``basis`` keyword says which zero rates move:

* ``"semiannual"`` (:data:`SHIFT_BASIS`, the market's convention, used by every risk measure
  of :mod:`analytics.risk`): the semiannual bond-equivalent zero rate
  ``z2(t) = 2 (exp(z(t) / 2) - 1)`` moves by the amount at every maturity (the curve keeps the
  move as :attr:`ZeroCurve.semiannual_shift`). On a flat curve a shift of ``dy`` is then
  exactly a move of ``dy`` in every bond's semiannual yield, so a bullet's effective duration is
  its modified duration and its convexity its yield convexity (up to the O(dy^2) error of the
  central differences);
* ``"continuous"`` (:data:`SCENARIO_BASIS`, the default of the shift functions, used by the
  scenario shocks of the pages and :mod:`analytics.portfolio`): the continuously-compounded
  zeros move by the amount as is (a move of the short rate in the Hull-White tree). The two
  differ by a factor ``1 + z2 / 2`` (about 2 % at 4 %).

Profiles:

* parallel: the same amount at every maturity;
* twist: ``-x/2`` at or below 1 year, ``0`` at the pivot (default 5 years), ``+x/2`` at or
  beyond 30 years, linear in maturity in between (a steepener for ``x > 0``);
* key rate: a triangular profile equal to 1 at its key tenor (1, 2, 3, 5, 7, 10, 20, 30 years),
  falling linearly to 0 at the neighbouring keys, flat (1) below 1 year for the 1y key and
  beyond 30 years for the 30y key. The eight profiles sum to 1 at every maturity, so eight key
  shifts of ``x`` bp add up to a parallel shift of ``x`` bp.

Shifted curves carry the key tenors (and twist breakpoints) as grid nodes, so the linear
interpolation reproduces each profile exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from analytics.checks import InputError
from analytics.tenors import KEY_TENOR_YEARS, KEY_TENORS, TENOR_YEARS, TENORS

__all__ = [
    "BP",
    "PAR_FREQUENCY",
    "PAR_GRID_STEP_YEARS",
    "CURVE_HORIZON_YEARS",
    "BILL_MAX_YEARS",
    "PAR_YIELD_RANGE_PCT",
    "TWIST_SHORT_YEARS",
    "TWIST_LONG_YEARS",
    "DEFAULT_TWIST_PIVOT_YEARS",
    "SHIFT_BASIS",
    "SCENARIO_BASIS",
    "SHIFT_BASES",
    "ShiftBasis",
    "ZeroCurve",
    "flat_curve",
    "bootstrap_par_curve",
    "par_yields_on",
    "par_yield_pct",
    "key_rate_profile",
    "key_rate_profiles",
    "twist_profile",
    "twist_key_weights",
    "combined_key_shifts_bp",
    "parallel_shift",
    "twist_shift",
    "key_rate_shift",
    "key_rate_shifts",
    "curve_change_shift",
]

FloatArray = NDArray[np.float64]

#: One basis point as a decimal rate.
BP: Final[float] = 1e-4
#: Coupon frequency of the par yields the bootstrap takes (bond-equivalent, semiannual).
PAR_FREQUENCY: Final[int] = 2
#: Spacing of the bootstrap grid in years.
PAR_GRID_STEP_YEARS: Final[float] = 0.5
#: The bootstrap grid runs at least this far (years), further if the input has longer tenors.
CURVE_HORIZON_YEARS: Final[float] = 30.0
#: Tenors strictly shorter than this (years) are bills: simple-interest bond-equivalent zeros.
BILL_MAX_YEARS: Final[float] = 0.5
#: Twist breakpoints in years: -x/2 at or below the short end, +x/2 at or beyond the long end.
TWIST_SHORT_YEARS: Final[float] = 1.0
TWIST_LONG_YEARS: Final[float] = 30.0
#: Default pivot of a twist (years): the maturity whose zero rate does not move.
DEFAULT_TWIST_PIVOT_YEARS: Final[float] = 5.0
#: Par yields outside this range (percent) are rejected as input errors.
PAR_YIELD_RANGE_PCT: Final[tuple[float, float]] = (-5.0, 50.0)
#: How a shift moves the zero rates (see the module docstring).
ShiftBasis = Literal["semiannual", "continuous"]
#: The bases accepted by the shift functions.
SHIFT_BASES: Final[tuple[str, ...]] = ("semiannual", "continuous")
#: Basis of the risk shifts: semiannual bond-equivalent zero rates, the market's convention.
SHIFT_BASIS: Final[ShiftBasis] = "semiannual"
#: Default basis of the shift functions (scenario shocks): continuously-compounded zero rates.
SCENARIO_BASIS: Final[ShiftBasis] = "continuous"
#: Nodes of a flat curve: the bootstrap grid plus the key tenors (years).
_FLAT_GRID_YEARS: Final[FloatArray] = np.arange(1, 61, dtype=np.float64) * 0.5

_KEY_YEARS: Final[FloatArray] = np.asarray(KEY_TENOR_YEARS, dtype=np.float64)


def _as_times(t: ArrayLike) -> FloatArray:
    return np.asarray(t, dtype=np.float64)


@dataclass(frozen=True, eq=False)
class ZeroCurve:
    """Continuously-compounded zero rates on a time grid, linear in time between nodes.

    Parameters
    ----------
    times_years : strictly increasing positive times, in years.
    zero_rates : continuously-compounded zero rate at each time, decimal (0.04 = 4 %).
    semiannual_shift : optional move of the semiannual bond-equivalent zero rate at each node,
        decimal, linear in time between nodes and flat outside them (see
        :meth:`shifted`); ``None`` (the default) for no move. At time ``t`` the curve's zero
        rate is then ``2 ln(1 + (2 (exp(z(t) / 2) - 1) + s(t)) / 2)``: the semiannual zero moves
        by exactly ``s(t)`` at every maturity, between nodes too.

    Notes
    -----
    Zero rates are held flat before the first and after the last node. The arrays are copied
    and made read-only, so a curve can be shared safely.
    """

    times_years: FloatArray
    zero_rates: FloatArray
    semiannual_shift: FloatArray | None = None

    def __post_init__(self) -> None:
        times = np.array(self.times_years, dtype=np.float64, copy=True).ravel()
        zeros = np.array(self.zero_rates, dtype=np.float64, copy=True).ravel()
        if times.size == 0 or times.size != zeros.size:
            raise InputError(
                "zero_rates",
                f"times_years and zero_rates must be non-empty and of equal length, got "
                f"{times.size} and {zeros.size}",
            )
        if not (np.all(np.isfinite(times)) and np.all(np.isfinite(zeros))):
            raise InputError("zero_rates", "times_years and zero_rates must be finite numbers")
        if times[0] <= 0.0 or np.any(np.diff(times) <= 0.0):
            raise InputError("times_years", "times_years must be positive and strictly increasing")
        times.setflags(write=False)
        zeros.setflags(write=False)
        object.__setattr__(self, "times_years", times)
        object.__setattr__(self, "zero_rates", zeros)
        if self.semiannual_shift is not None:
            shift = np.array(self.semiannual_shift, dtype=np.float64, copy=True).ravel()
            if shift.size != times.size or not np.all(np.isfinite(shift)):
                raise InputError("semiannual_shift", "semiannual_shift must be finite, one value per node")
            if np.any(PAR_FREQUENCY * np.expm1(zeros / PAR_FREQUENCY) + shift <= -PAR_FREQUENCY):
                raise InputError("semiannual_shift", "the shift takes a semiannual zero rate to -200 % or below")
            shift.setflags(write=False)
            object.__setattr__(self, "semiannual_shift", shift)

    def zero_rate(self, t: ArrayLike) -> FloatArray:
        """Zero rate(s), continuously compounded, decimal, at time(s) ``t`` in years."""
        times = _as_times(t)
        base = np.interp(times, self.times_years, self.zero_rates)
        if self.semiannual_shift is None:
            return base
        semi = PAR_FREQUENCY * np.expm1(base / PAR_FREQUENCY)
        semi = semi + np.interp(times, self.times_years, self.semiannual_shift)
        return PAR_FREQUENCY * np.log1p(semi / PAR_FREQUENCY)

    def discount(self, t: ArrayLike) -> FloatArray:
        """Discount factor(s) ``exp(-z(t) t)`` at time(s) ``t`` in years (any shape)."""
        times = _as_times(t)
        return np.exp(-self.zero_rate(times) * times)

    def with_nodes(self, extra_years: ArrayLike) -> ZeroCurve:
        """The same curve with extra grid nodes (values interpolated); the function is unchanged
        inside the grid and the flat extrapolation keeps its levels."""
        extra = _as_times(extra_years).ravel()
        times = np.union1d(self.times_years, extra[extra > 0.0])
        base = np.interp(times, self.times_years, self.zero_rates)
        if self.semiannual_shift is None:
            return ZeroCurve(times, base)
        return ZeroCurve(times, base, np.interp(times, self.times_years, self.semiannual_shift))

    def shifted(self, shift_decimal: ArrayLike, *, basis: ShiftBasis = SCENARIO_BASIS) -> ZeroCurve:
        """A new curve whose zero rates are moved by ``shift_decimal`` (decimal, one value per
        node or a scalar; linear in time between nodes).

        ``basis`` "semiannual" moves the semiannual bond-equivalent zero rate at every maturity,
        "continuous" the continuously-compounded one (see the module docstring).
        """
        shift = np.broadcast_to(np.asarray(shift_decimal, dtype=np.float64), self.zero_rates.shape)
        if basis == "semiannual":
            total = shift if self.semiannual_shift is None else self.semiannual_shift + shift
            return ZeroCurve(self.times_years, self.zero_rates, total)
        if basis != "continuous":
            raise InputError("basis", f"basis must be one of {SHIFT_BASES}, got {basis!r}")
        return ZeroCurve(self.times_years, self.zero_rate(self.times_years) + shift)


def flat_curve(rate_pct: float, *, frequency: int | None = None) -> ZeroCurve:
    """A flat curve.

    Parameters
    ----------
    rate_pct : the flat rate in percent.
    frequency : optional compounding frequency per year of ``rate_pct`` (2 = semiannual bond
        yield); ``None`` means the rate is already continuously compounded.

    Returns
    -------
    ZeroCurve
        Flat continuously-compounded zero rate ``f ln(1 + y/f)`` (or ``y``), with nodes every
        6 months to 30 years.
    """
    if not math.isfinite(rate_pct) or not PAR_YIELD_RANGE_PCT[0] <= rate_pct <= PAR_YIELD_RANGE_PCT[1]:
        raise InputError(
            "rate_pct",
            f"rate_pct must be a number in [{PAR_YIELD_RANGE_PCT[0]}, {PAR_YIELD_RANGE_PCT[1]}] %, "
            f"got {rate_pct}"
        )
    rate = rate_pct / 100.0
    if frequency is not None:
        if frequency <= 0:
            raise InputError("frequency", f"frequency must be a positive number of periods a year, got {frequency}")
        rate = frequency * math.log1p(rate / frequency)
    grid = np.concatenate(([1.0 / 12.0], _FLAT_GRID_YEARS))
    return ZeroCurve(grid, np.full(grid.shape, rate))


def _par_points(par_yields_pct: Mapping[str, float] | Mapping[float, float]) -> tuple[FloatArray, FloatArray]:
    years: list[float] = []
    values: list[float] = []
    for key, value in par_yields_pct.items():
        if isinstance(key, str):
            if key not in TENOR_YEARS:
                raise ValueError(f"par_yields_pct: unknown tenor {key!r}; expected one of {list(TENOR_YEARS)}")
            tenor_years = float(TENOR_YEARS[key])
        else:
            tenor_years = float(key)
            if not math.isfinite(tenor_years) or tenor_years <= 0.0:
                raise ValueError(f"par_yields_pct: tenor {key!r} must be a positive number of years")
        if value is None or not math.isfinite(float(value)):
            continue  # a tenor with no observation that day
        lo, hi = PAR_YIELD_RANGE_PCT
        if not lo <= float(value) <= hi:
            raise ValueError(f"par_yields_pct[{key!r}] = {value} % is outside [{lo}, {hi}] %")
        years.append(tenor_years)
        values.append(float(value))
    if not years:
        raise InputError("par_yields_pct", "par_yields_pct has no finite yield: cannot build a curve")
    order = np.argsort(years)
    yrs = np.asarray(years, dtype=np.float64)[order]
    if np.any(np.diff(yrs) == 0.0):
        raise InputError("par_yields_pct", "par_yields_pct names the same maturity twice")
    return yrs, np.asarray(values, dtype=np.float64)[order] / 100.0


def bootstrap_par_curve(par_yields_pct: Mapping[str, float] | Mapping[float, float]) -> ZeroCurve:
    """Bootstrap a zero curve from semiannual bond-equivalent par yields.

    Parameters
    ----------
    par_yields_pct : par yield in percent by tenor; keys are tenor names of
        :data:`analytics.tenors.TENORS` ("1m".."30y") or maturities in years. NaN/None values
        (no observation) are skipped; at least one finite yield is needed.

    Returns
    -------
    ZeroCurve
        Continuously-compounded zero rates at the bill tenors below 6 months and every
        6 months from 0.5 to 30 years (longer if the input goes further).

    Raises
    ------
    ValueError
        Unknown tenor, yield outside [-5, 50] %, no finite yield, or a curve so inverted that a
        discount factor would not be positive.

    Notes
    -----
    See the module docstring for the conventions (bills as simple bond-equivalent zeros, linear
    interpolation of par yields between tenors, flat beyond them).
    """
    years, par = _par_points(par_yields_pct)
    bills = years < BILL_MAX_YEARS
    bill_t = years[bills]
    bill_df = 1.0 / (1.0 + par[bills] * bill_t)

    horizon = max(CURVE_HORIZON_YEARS, math.ceil(years[-1] / PAR_GRID_STEP_YEARS) * PAR_GRID_STEP_YEARS)
    n_points = int(round(horizon / PAR_GRID_STEP_YEARS))
    grid = np.arange(1, n_points + 1, dtype=np.float64) * PAR_GRID_STEP_YEARS
    par_grid = np.interp(grid, years, par)
    coupon = par_grid / PAR_FREQUENCY
    dfs = np.empty_like(grid)
    annuity = 0.0
    # Sequential by construction: each point needs the discount factors before it.
    for k in range(grid.size):
        df = (1.0 - coupon[k] * annuity) / (1.0 + coupon[k])
        if df <= 0.0:
            raise ValueError(
                f"par_yields_pct imply a non-positive discount factor at {grid[k]:g} years: "
                "the curve is not arbitrage-free"
            )
        dfs[k] = df
        annuity += df
    times = np.concatenate((bill_t, grid))
    all_df = np.concatenate((bill_df, dfs))
    return ZeroCurve(times, -np.log(all_df) / times)


def par_yields_on(
    yields: pd.DataFrame, as_of: str | pd.Timestamp | None = None
) -> tuple[pd.Timestamp, dict[str, float]]:
    """The par curve of the last row on or before ``as_of`` with at least one yield.

    Parameters
    ----------
    yields : the store's yields frame (DatetimeIndex, columns "1m".."30y", percent, NaN where
        absent).
    as_of : a date (ISO string or Timestamp); ``None`` means the last row.

    Returns
    -------
    (date, dict)
        The row's date and its finite yields in percent by tenor.

    Raises
    ------
    ValueError
        When no row with a yield lies on or before ``as_of`` (the message gives the first date).
    """
    frame = yields.reindex(columns=list(TENORS)).dropna(how="all").sort_index()
    if frame.empty:
        raise ValueError("the yields frame has no observation")
    if as_of is not None:
        try:
            stamp = pd.Timestamp(as_of)
        except (ValueError, TypeError) as exc:
            raise InputError("as_of", f"as_of must be a date (YYYY-MM-DD), got {as_of!r}") from exc
        frame = frame.loc[:stamp]
        if frame.empty:
            first = yields.dropna(how="all").index.min()
            raise ValueError(f"no yields on or before {stamp.date()} (the data start on {first.date()})")
    day = pd.Timestamp(frame.index[-1])
    row = frame.iloc[-1]
    return day, {str(tenor): float(v) for tenor, v in row.items() if pd.notna(v)}


def par_yield_pct(curve: ZeroCurve, maturity_years: ArrayLike) -> FloatArray:
    """Semiannual par yield(s) in percent for maturities on the semiannual cycle.

    Parameters
    ----------
    curve : the zero curve.
    maturity_years : maturities in years, multiples of 0.5 (rounded to the nearest half year).

    Returns
    -------
    numpy.ndarray
        ``2 (1 - D(T)) / sum_i D(t_i)`` over the semiannual dates ``t_i <= T``, in percent.
    """
    mats = np.atleast_1d(_as_times(maturity_years))
    n = np.rint(mats / PAR_GRID_STEP_YEARS).astype(np.int64)
    if np.any(n < 1):
        raise InputError("maturity_years", "maturity_years must be at least 0.5 years")
    grid = np.arange(1, int(n.max()) + 1, dtype=np.float64) * PAR_GRID_STEP_YEARS
    cum = np.cumsum(curve.discount(grid))
    annuity = cum[n - 1]
    return PAR_FREQUENCY * (1.0 - curve.discount(n * PAR_GRID_STEP_YEARS)) / annuity * 100.0


def key_rate_profile(t: ArrayLike, key: str) -> FloatArray:
    """Triangular key-rate profile (0..1) of key tenor ``key`` ("1y".."30y") at times ``t``."""
    if key not in KEY_TENORS:
        raise InputError("key", f"key must be one of {list(KEY_TENORS)}, got {key!r}")
    unit = np.zeros(len(KEY_TENORS))
    unit[KEY_TENORS.index(key)] = 1.0
    # np.interp holds the end values flat, which is exactly the flat tails of the 1y and 30y keys.
    return np.interp(_as_times(t), _KEY_YEARS, unit)


def key_rate_profiles(t: ArrayLike) -> FloatArray:
    """All eight key-rate profiles at times ``t``: array of shape ``(8,) + shape(t)``."""
    return np.stack([key_rate_profile(t, key) for key in KEY_TENORS])


def _check_pivot(pivot_years: float) -> None:
    if not TWIST_SHORT_YEARS < pivot_years < TWIST_LONG_YEARS:
        raise InputError(
            "pivot_years",
            f"pivot_years must be strictly between {TWIST_SHORT_YEARS} and {TWIST_LONG_YEARS} years, "
            f"got {pivot_years}"
        )


def twist_profile(t: ArrayLike, *, pivot_years: float = DEFAULT_TWIST_PIVOT_YEARS) -> FloatArray:
    """Twist profile at times ``t``: -0.5 up to 1y, 0 at the pivot, +0.5 from 30y, linear between."""
    _check_pivot(pivot_years)
    return np.interp(_as_times(t), [TWIST_SHORT_YEARS, pivot_years, TWIST_LONG_YEARS], [-0.5, 0.0, 0.5])


def twist_key_weights(*, pivot_years: float = DEFAULT_TWIST_PIVOT_YEARS) -> dict[str, float]:
    """The twist profile at each key tenor: the weights that write a twist as key-rate shifts.

    Exact when every knot of the twist (1y, the pivot, 30y) is a key tenor: the triangular
    key-rate profiles are the piecewise-linear "hat" basis on the key tenors, so any profile
    linear between key tenors (and flat outside 1y..30y) equals the sum of the key profiles
    weighted by its values at the keys.
    """
    if pivot_years not in KEY_TENOR_YEARS:
        raise InputError("pivot_years", f"pivot_years must be a key tenor ({list(KEY_TENOR_YEARS)}) for "
                                        f"the twist to be a sum of key-rate shifts, got {pivot_years}")
    values = twist_profile(_KEY_YEARS, pivot_years=pivot_years)
    return {key: float(values[i]) for i, key in enumerate(KEY_TENORS)}


def combined_key_shifts_bp(*, parallel_bp: float = 0.0, twist_bp: float = 0.0,
                           key_rates_bp: Mapping[str, float] | None = None,
                           pivot_years: float = DEFAULT_TWIST_PIVOT_YEARS) -> dict[str, float]:
    """A parallel shift, a twist and extra key-rate bumps (bp) as one set of eight key-rate
    shifts (bp): the parallel shift is all eight keys at once (the key profiles sum to one
    everywhere), the twist is :func:`twist_key_weights` times ``twist_bp``."""
    extra = dict(key_rates_bp or {})
    unknown = sorted(set(extra) - set(KEY_TENORS))
    if unknown:
        raise InputError("key_rates_bp", f"key_rates_bp has keys that are not key tenors: {unknown}")
    _check_bp("parallel_bp", parallel_bp)
    _check_bp("twist_bp", twist_bp)
    for key, value in extra.items():
        _check_bp(f"key_rates_bp[{key!r}]", value)
    weights = twist_key_weights(pivot_years=pivot_years)
    return {key: parallel_bp + twist_bp * weights[key] + float(extra.get(key, 0.0)) for key in KEY_TENORS}


def _check_bp(name: str, value: float) -> None:
    if not math.isfinite(value) or abs(value) > 10_000.0:
        raise ValueError(f"{name} must be a finite shift within +/-10000 bp, got {value}")


def parallel_shift(curve: ZeroCurve, *, shift_bp: float, basis: ShiftBasis = SCENARIO_BASIS) -> ZeroCurve:
    """The curve with every zero rate moved by ``shift_bp`` basis points (in ``basis``)."""
    _check_bp("shift_bp", shift_bp)
    return curve.shifted(np.full(curve.times_years.shape, shift_bp * BP), basis=basis)


def twist_shift(
    curve: ZeroCurve,
    *,
    twist_bp: float,
    pivot_years: float = DEFAULT_TWIST_PIVOT_YEARS,
    basis: ShiftBasis = SCENARIO_BASIS,
) -> ZeroCurve:
    """The curve twisted by ``twist_bp`` (30y minus 1y zero-rate change, bp) around the pivot."""
    _check_bp("twist_bp", twist_bp)
    _check_pivot(pivot_years)
    dense = curve.with_nodes([TWIST_SHORT_YEARS, pivot_years, TWIST_LONG_YEARS])
    return dense.shifted(twist_profile(dense.times_years, pivot_years=pivot_years) * twist_bp * BP, basis=basis)


def key_rate_shift(
    curve: ZeroCurve, *, key: str, shift_bp: float, basis: ShiftBasis = SCENARIO_BASIS
) -> ZeroCurve:
    """The curve with key tenor ``key`` moved by ``shift_bp`` bp on its triangular profile."""
    _check_bp("shift_bp", shift_bp)
    dense = curve.with_nodes(_KEY_YEARS)
    return dense.shifted(key_rate_profile(dense.times_years, key) * shift_bp * BP, basis=basis)


def key_rate_shifts(
    curve: ZeroCurve, *, shifts_bp: Mapping[str, float], basis: ShiftBasis = SCENARIO_BASIS
) -> ZeroCurve:
    """The curve with several key tenors moved at once (bp by key tenor; absent keys stay put)."""
    dense = curve.with_nodes(_KEY_YEARS)
    total = np.zeros(dense.times_years.shape)
    for key, bp in shifts_bp.items():
        _check_bp(f"shifts_bp[{key!r}]", bp)
        total += key_rate_profile(dense.times_years, key) * bp * BP
    return dense.shifted(total, basis=basis)


def curve_change_shift(curve: ZeroCurve, *, start: ZeroCurve, end: ZeroCurve) -> ZeroCurve:
    """``curve`` moved by the zero-rate change from ``start`` to ``end`` (historical replay).

    The change ``end.z(t) - start.z(t)`` is added on the union of the three grids, so it is
    reproduced exactly between nodes.
    """
    times = np.union1d(np.union1d(curve.times_years, start.times_years), end.times_years)
    return ZeroCurve(times, curve.zero_rate(times) + end.zero_rate(times) - start.zero_rate(times))
