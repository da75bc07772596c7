"""Treasury market functioning: GSW par yields, on-the-run premium and curve-fit noise.

On-the-run premium
------------------
H.15 CMT yields are read off on-the-run securities; the Fed's Gurkaynak-Sack-Wright (GSW)
curve is fitted to off-the-run securities. CMT par yield minus GSW par yield at the same
tenor, in bp, is the standard proxy for the on-the-run liquidity premium (negative when the
on-the-run issue trades rich). GSW publish zero-coupon yields (``SVENYnn``, percent,
continuously compounded); we turn them into semiannual bond-equivalent par yields, the same
convention as CMT::

    D(t) = exp(-z(t) t),   par(T) = 2 (1 - D(T)) / sum_{i=1..2T} D(i / 2)

with the zero curve interpolated linearly in maturity between the published tenors, held
flat below the shortest one (for the 0.5y coupon date) and not extrapolated beyond the
longest one (par yields there are NaN).

Fit noise
---------
The daily NSS fit RMSE of :mod:`analytics.fitting`, in bp: a *coarse proxy* of Hu, Pan and
Wang's (2013) noise measure, which uses hundreds of bonds; we have at most 11 CMT tenors.
Like them we leave bills out of the noise measure: the default fit uses the tenors of one year
and more (:data:`NOISE_TENORS`); bill yields move with money-market supply and policy and
would dominate the reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.fitting import NSSFit, fit_nss
from analytics.lookup import Observed
from analytics.tenors import TENOR_YEARS, TENORS

__all__ = [
    "gsw_frame",
    "NOISE_TENORS",
    "OTR_TENORS",
    "STALE_AFTER_DAYS",
    "gsw_zero_columns",
    "gsw_par_yields",
    "fit_noise",
    "otr_premium_bp",
    "functioning_snapshot",
    "FunctioningHistory",
    "functioning_history",
]

FloatArray = npt.NDArray[np.float64]

#: Tenors whose NSS fit gives the fit-noise reading (maturities of one year and more).
NOISE_TENORS: Final[tuple[str, ...]] = ("1y", "2y", "3y", "5y", "7y", "10y", "20y", "30y")
#: Tenors of the on-the-run premium.
OTR_TENORS: Final[tuple[str, ...]] = ("2y", "5y", "10y", "30y")
#: A reading older than this many calendar days before ``as_of`` is reported as missing.
STALE_AFTER_DAYS: Final[int] = 10
#: Coupon dates per year of the par yields (semiannual, as CMT).
_COUPONS_PER_YEAR: Final[int] = 2
_GSW_ZERO: Final[re.Pattern[str]] = re.compile(r"^SVENY(\d{2})$")
#: Decimals of the snapshot's bp values.
_BP_DECIMALS: Final[int] = 1


def gsw_zero_columns(frame: pd.DataFrame) -> dict[str, float]:
    """GSW zero-yield columns of a frame (``SVENY01`` ... ``SVENY30``) and their years."""
    cols = {str(c): float(m.group(1)) for c in frame.columns if (m := _GSW_ZERO.match(str(c)))}
    return dict(sorted(cols.items(), key=lambda kv: kv[1]))


def gsw_frame(series: pd.DataFrame) -> pd.DataFrame | None:
    """The GSW zero-yield columns of a wide series frame, or None when none holds data."""
    cols = list(gsw_zero_columns(series))
    if not cols:
        return None
    frame = series[cols].dropna(how="all")
    return frame if not frame.empty else None


def _check_dated(frame: pd.DataFrame, name: str) -> None:
    if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError(f"{name} must be a DataFrame with a DatetimeIndex named 'date'")
    if not frame.index.is_monotonic_increasing:
        raise ValueError(f"{name} must be sorted by date, oldest first")


def gsw_par_yields(gsw_zero: pd.DataFrame, *, tenors: tuple[str, ...] = OTR_TENORS) -> pd.DataFrame:
    """Semiannual par yields (percent, bond-equivalent) from GSW zero-coupon yields.

    Parameters
    ----------
    gsw_zero : DataFrame indexed by date with GSW zero yields ``SVENYnn`` (percent,
        continuously compounded; other columns are ignored), NaN where not published.
    tenors : optional; tenor names of :data:`analytics.tenors.TENORS` whose maturity is a
        whole number of half-years, at least 0.5y.

    Returns
    -------
    DataFrame indexed like ``gsw_zero``, one column per tenor, percent; NaN where the
    published zero curve does not reach the tenor.
    """
    _check_dated(gsw_zero, "gsw_zero")
    zero_cols = gsw_zero_columns(gsw_zero)
    if not zero_cols:
        raise ValueError("gsw_zero has no SVENYnn zero-yield columns (e.g. SVENY10)")
    for tenor in tenors:
        years = TENOR_YEARS.get(tenor)
        if years is None or years < 0.5 or (years * _COUPONS_PER_YEAR) % 1 != 0:
            raise ValueError(
                f"tenors must be names from {TENORS} with a maturity of whole half-years "
                f">= 0.5y, got {tenor!r}"
            )
    target = np.array([TENOR_YEARS[t] for t in tenors])
    grid = np.arange(1, int(round(target.max() * _COUPONS_PER_YEAR)) + 1) / _COUPONS_PER_YEAR
    target_idx = np.rint(target * _COUPONS_PER_YEAR).astype(int) - 1
    maturities = np.array(list(zero_cols.values()))
    zeros = gsw_zero[list(zero_cols)].to_numpy(dtype=np.float64) / 100.0
    present = np.isfinite(zeros)
    out = np.full((len(gsw_zero), len(tenors)), np.nan)
    # Days with the same published tenors share one interpolation matrix.
    patterns, inverse = np.unique(present, axis=0, return_inverse=True)
    for p, pattern in enumerate(patterns):
        if pattern.sum() < 1:
            continue
        rows = np.flatnonzero(inverse.ravel() == p)
        mats = maturities[pattern]
        # Column j of `weights` interpolates the j-th published tenor onto the grid; np.interp
        # holds the ends flat, which is the rule below the shortest tenor.
        weights = np.column_stack(
            [np.interp(grid, mats, np.eye(len(mats))[j]) for j in range(len(mats))]
        )
        z_grid = zeros[np.ix_(rows, np.flatnonzero(pattern))] @ weights.T
        disc = np.exp(-z_grid * grid[None, :])
        annuity = np.cumsum(disc, axis=1) / _COUPONS_PER_YEAR
        par = (1.0 - disc[:, target_idx]) / annuity[:, target_idx] * 100.0
        par[:, target > mats.max()] = np.nan
        out[rows] = par
    return pd.DataFrame(out, index=gsw_zero.index, columns=list(tenors))


def fit_noise(yields: pd.DataFrame, *, tenors: tuple[str, ...] = NOISE_TENORS) -> NSSFit:
    """NSS fit of the given tenors of every day; its ``rmse_bp`` is the fit-noise proxy (bp).

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).
    tenors : optional; tenors fitted (default: one year and more, see module docstring).
    """
    _check_dated(yields, "yields")
    absent = [t for t in tenors if t not in yields.columns]
    if absent:
        raise ValueError(f"yields lacks tenor columns {absent} needed for the fit noise")
    return fit_nss(yields[list(tenors)])


def otr_premium_bp(
    yields: pd.DataFrame, gsw_zero: pd.DataFrame, *, tenors: tuple[str, ...] = OTR_TENORS
) -> pd.DataFrame:
    """On-the-run premium proxy: CMT par yield minus GSW par yield, in bp.

    Parameters
    ----------
    yields : yields frame (percent, CMT tenor columns, DatetimeIndex).
    gsw_zero : GSW zero yields frame (see :func:`gsw_par_yields`).
    tenors : optional; tenors to compare (default 2y, 5y, 10y, 30y).

    Returns
    -------
    DataFrame on the dates both frames have, one column per tenor, bp; NaN where either
    side is absent.
    """
    _check_dated(yields, "yields")
    absent = [t for t in tenors if t not in yields.columns]
    if absent:
        raise ValueError(f"yields lacks tenor columns {absent}")
    par = gsw_par_yields(gsw_zero, tenors=tenors)
    dates = yields.index.intersection(par.index)
    return (yields.loc[dates, list(tenors)] - par.loc[dates]) * 100.0


def _last_valid(series: pd.Series, as_of: pd.Timestamp) -> tuple[pd.Timestamp, float] | None:
    valid = series.loc[:as_of].dropna()
    if valid.empty:
        return None
    return pd.Timestamp(valid.index[-1]), float(valid.iloc[-1])


def _is_stale(date: pd.Timestamp, as_of: pd.Timestamp) -> bool:
    return (as_of - date).days > STALE_AFTER_DAYS


@dataclass(frozen=True, eq=False)
class FunctioningHistory:
    """The date-independent part of :func:`functioning_snapshot`, built once per data revision.

    Attributes
    ----------
    noise : the observed fit noise (NSS RMSE, bp); None without a fit.
    gsw_zero : the GSW zero-yield frame (None when not stored).
    has_10y : whether the yields have a 10y column.
    premium : the observed 10y on-the-run premium (bp) over the whole history.
    gsw_10y : the dates with a GSW 10y par yield.
    """

    noise: Observed | None
    gsw_zero: pd.DataFrame | None
    has_10y: bool
    premium: Observed
    gsw_10y: Observed


def functioning_history(
    yields: pd.DataFrame, gsw_zero: pd.DataFrame | None, *, fit: NSSFit | None = None
) -> FunctioningHistory:
    """Everything of :func:`functioning_snapshot` that does not depend on the date.

    ``fit`` is the full-history :func:`fit_noise` of ``yields`` (fitted here when absent).
    """
    _check_dated(yields, "yields")
    if fit is None and len(yields):
        fit = fit_noise(yields)
    noise = Observed.of(fit.rmse_bp) if fit is not None else None
    empty = Observed.of(pd.Series(dtype=float, index=pd.DatetimeIndex([])))
    if gsw_zero is None or not gsw_zero_columns(gsw_zero) or "10y" not in yields.columns:
        return FunctioningHistory(noise, gsw_zero, "10y" in yields.columns, empty, empty)
    premium = Observed.of(otr_premium_bp(yields, gsw_zero, tenors=("10y",))["10y"])
    par = gsw_par_yields(gsw_zero, tenors=("10y",))["10y"]
    return FunctioningHistory(noise, gsw_zero, True, premium, Observed.of_dates(par.dropna().index))


def functioning_snapshot(
    yields: pd.DataFrame,
    gsw_zero: pd.DataFrame | None,
    *,
    as_of: str | pd.Timestamp,
    fit: NSSFit | None = None,
    history: FunctioningHistory | None = None,
) -> dict[str, Any]:
    """Market-functioning readings as of a date, as plain JSON-ready values.

    Parameters
    ----------
    yields : yields frame (percent, CMT tenor columns, DatetimeIndex).
    gsw_zero : GSW zero yields frame, or None when not stored.
    as_of : the date of the reading; the last observation on or before it is used, if it is
        at most :data:`STALE_AFTER_DAYS` calendar days old.
    fit : optional precomputed :func:`fit_noise` result (else the days needed are fitted).
    history : optional :func:`functioning_history` of these ``yields``, ``gsw_zero`` and
        ``fit``, built once per data revision: each reading is then a binary search (same
        result).

    Returns
    -------
    ``{"fit_noise_bp": float | None, "otr_premium_10y_bp": float | None, "missing": [str]}``
    (bp rounded to 0.1; ``missing`` says in words what is absent and why).
    """
    _check_dated(yields, "yields")
    when = pd.Timestamp(as_of)
    if history is not None and history.noise is not None:
        return _snapshot_lookup(yields, history, history.noise, when)
    missing: list[str] = []

    if fit is None:
        recent = yields.loc[when - pd.Timedelta(days=STALE_AFTER_DAYS) : when]
        rmse = fit_noise(recent).rmse_bp if len(recent) else pd.Series(dtype=float)
    else:
        rmse = fit.rmse_bp
    noise = _noise_reading(_last_valid(rmse, when), when, missing)

    premium: float | None = None
    if gsw_zero is None or not gsw_zero_columns(gsw_zero):
        missing.append(_NO_GSW)
    elif "10y" not in yields.columns:
        missing.append(_NO_10Y)
    else:
        last_prem = _last_valid(_window_premium(yields, gsw_zero, when), when)
        if last_prem is None:
            gsw_last = _last_valid(gsw_par_yields(gsw_zero, tenors=("10y",))["10y"], when)
            missing.append(_premium_why(None if gsw_last is None else gsw_last[0], when))
        else:
            premium = round(last_prem[1], _BP_DECIMALS)
    return {"fit_noise_bp": noise, "otr_premium_10y_bp": premium, "missing": missing}


_NO_GSW: Final = "on-the-run premium 10y: no GSW curve stored (import the Fed GSW zero-coupon yields)"
_NO_10Y: Final = "on-the-run premium 10y: 10y CMT yield absent"
#: A premium this close (bp) to a rounding tie is recomputed as the from-scratch path does:
#: the full-history and the windowed computations may differ in the last bits.
_TIE_TOLERANCE_BP: Final = 1e-7


def _window_premium(yields: pd.DataFrame, gsw_zero: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    window = slice(when - pd.Timedelta(days=STALE_AFTER_DAYS), when)
    return otr_premium_bp(yields.loc[window], gsw_zero.loc[window], tenors=("10y",))["10y"]


def _noise_reading(
    last: tuple[pd.Timestamp, float] | None, when: pd.Timestamp, missing: list[str]
) -> float | None:
    if last is None or _is_stale(last[0], when):
        missing.append(
            f"fit noise: no day with >= 5 of the tenors {', '.join(NOISE_TENORS)} within "
            f"{STALE_AFTER_DAYS} days before {when.date()}"
        )
        return None
    return round(last[1], _BP_DECIMALS)


def _premium_why(gsw_last: pd.Timestamp | None, when: pd.Timestamp) -> str:
    """Why there is no premium reading, from the date of the last GSW 10y par yield."""
    if gsw_last is not None and not _is_stale(gsw_last, when):
        return (
            f"on-the-run premium 10y: no 10y CMT yield within {STALE_AFTER_DAYS} days "
            f"before {when.date()}"
        )
    after = f" after {gsw_last.date()}" if gsw_last is not None else ""
    return f"on-the-run premium 10y: GSW 10y yields{after}: none stored (import newer GSW yields)"


def _near_tie(value: float, decimals: int) -> bool:
    scaled = abs(value) * 10**decimals
    return bool(abs(scaled - np.floor(scaled) - 0.5) < _TIE_TOLERANCE_BP * 10**decimals)


def _snapshot_lookup(
    yields: pd.DataFrame, history: FunctioningHistory, noise: Observed, when: pd.Timestamp
) -> dict[str, Any]:
    missing: list[str] = []
    pos = noise.last_at(when)
    fit_noise_bp = _noise_reading((noise.date(pos), noise.value(pos)) if pos >= 0 else None, when, missing)
    premium: float | None = None
    gsw_zero = history.gsw_zero
    if gsw_zero is None or not gsw_zero_columns(gsw_zero):
        missing.append(_NO_GSW)
    elif not history.has_10y:
        missing.append(_NO_10Y)
    else:
        at = history.premium.last_at(when)
        if at >= 0 and history.premium.date(at) >= when - pd.Timedelta(days=STALE_AFTER_DAYS):
            value = history.premium.value(at)
            if _near_tie(value, _BP_DECIMALS):
                last = _last_valid(_window_premium(yields, gsw_zero, when), when)
                value = value if last is None else last[1]
            premium = round(value, _BP_DECIMALS)
        else:
            gsw = history.gsw_10y.last_at(when)
            missing.append(_premium_why(history.gsw_10y.date(gsw) if gsw >= 0 else None, when))
    return {"fit_noise_bp": fit_noise_bp, "otr_premium_10y_bp": premium, "missing": missing}
