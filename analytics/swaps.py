"""Swap spreads: swap fixed rate minus the Treasury yield of the same tenor, in bp.

Swap series ids
---------------
A column of the series frame is a swap rate when its id ends in ``SWP`` followed by the
tenor in whole years (1 to 30), optionally with a trailing ``Y`` (case-insensitive): ``DSWP10``
(FRED/ICE, 10y), ``WSWP2`` (weekly, 2y), ``SOFRSWP10`` or ``SOFRSWP10Y`` (a user's SOFR swap
import, 10y). The tenor is labelled ``"<n>y"``. Values are in percent.

When several ids give the same tenor, they are combined date by date: the source whose last
observation is the most recent wins where both have a value, the others fill its gaps. (The
ICE LIBOR series end in 2016 and SOFR swaps start in 2018, so in practice they do not
overlap; the coverage table shows which source covers which dates.)

The Treasury side is the CMT yield at the swap tenor; tenors without a CMT series (4y) use
linear interpolation in maturity between the nearest observed tenors on each side (no
extrapolation).

Weekly sources. A weekly series (an id starting with ``W`` such as FRED's ``WSWP2``, or any
source whose observations are five or more days apart) is a **week's average** dated on the
Friday that ends the week. It is compared with the same week's average of the daily Treasury
yield (the days in the seven calendar days ending on that date), never with one day's yield,
and its spread exists only on those dates. A snapshot says the date of every reading
(``swap_spreads_date``), so a value from last Friday is not mistaken for today's. No day-count or compounding adjustment is made between swap quotes
(semiannual 30/360 fixed legs for the ICE series) and CMT bond-equivalent yields: the
difference is well under a basis point at these levels.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.checks import InputError
from analytics.lookup import Observed
from analytics.tenors import TENOR_YEARS, TENORS

__all__ = [
    "STANDARD_SWAP_TENORS_Y",
    "STALE_AFTER_DAYS",
    "IMPORT_HINT",
    "swap_tenor_years",
    "swap_columns",
    "treasury_yield_at",
    "swap_rates_by_tenor",
    "swap_spreads_bp",
    "swap_coverage",
    "swaps_snapshot",
    "SwapsHistory",
    "swaps_history",
    "WEEKLY_MIN_SPACING_DAYS",
    "is_weekly_source",
]

#: Tenors (years) the app always reports, stored or not (the FRED DSWP set).
STANDARD_SWAP_TENORS_Y: Final[tuple[int, ...]] = (1, 2, 3, 4, 5, 7, 10, 30)
#: A swap rate older than this many calendar days before ``as_of`` is reported as missing.
STALE_AFTER_DAYS: Final[int] = 10
#: A source whose observations are at least this many days apart (median) is weekly.
WEEKLY_MIN_SPACING_DAYS: Final[int] = 5
#: What the user can do about missing swap rates.
IMPORT_HINT: Final[str] = "import SOFR swap rates"
_SWAP_ID: Final[re.Pattern[str]] = re.compile(r"^[A-Z0-9_]*SWP(\d{1,2})Y?$", re.IGNORECASE)
_BP_DECIMALS: Final[int] = 1
_MAX_TENOR_Y: Final[int] = 30


def _label(years: int) -> str:
    return f"{years}y"


def swap_tenor_years(series_id: str) -> int | None:
    """Tenor in whole years of a swap-rate series id, or None if the id is not a swap rate.

    ``"DSWP10"`` -> 10, ``"SOFRSWP2Y"`` -> 2, ``"SOFR"`` -> None.
    """
    match = _SWAP_ID.match(str(series_id))
    if match is None:
        return None
    years = int(match.group(1))
    # Beyond the Treasury curve (1m-30y) there is nothing to compare with.
    return years if 1 <= years <= _MAX_TENOR_Y else None


def swap_columns(series: pd.DataFrame) -> dict[str, int]:
    """Swap-rate columns of a series frame and their tenors in years."""
    found = {str(c): swap_tenor_years(str(c)) for c in series.columns}
    return {c: y for c, y in found.items() if y is not None}


def _check_frames(yields: pd.DataFrame, series: pd.DataFrame) -> None:
    for name, frame in (("yields", yields), ("series", series)):
        if not isinstance(frame, pd.DataFrame) or not isinstance(frame.index, pd.DatetimeIndex):
            raise ValueError(f"{name} must be a DataFrame with a DatetimeIndex named 'date'")
        if not frame.index.is_monotonic_increasing:
            raise ValueError(f"{name} must be sorted by date, oldest first")


def treasury_yield_at(yields: pd.DataFrame, years: float) -> pd.Series:
    """Treasury yield at a maturity, interpolated linearly in maturity each day (percent).

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).
    years : maturity in years, within [1m, 30y].

    Returns
    -------
    Series indexed like ``yields``: the tenor's own yield where it exists and is observed,
    else the linear interpolation between the nearest observed tenors below and above;
    NaN where there is no observed tenor on one side.
    """
    lo_y, hi_y = min(TENOR_YEARS.values()), max(TENOR_YEARS.values())
    if not lo_y <= years <= hi_y:
        raise InputError("years", f"years must be within [{lo_y:.4f}, {hi_y}] years, got {years}")
    tenors = [t for t in TENORS if t in yields.columns]
    values = yields[tenors].to_numpy(dtype=np.float64)
    mats = np.array([TENOR_YEARS[t] for t in tenors])
    n = len(yields)
    lo_val, lo_mat = np.full(n, np.nan), np.full(n, np.nan)
    hi_val, hi_mat = np.full(n, np.nan), np.full(n, np.nan)
    # Walking up (down) the curve leaves the nearest observed tenor below (above) the target.
    for j in range(len(tenors)):
        if mats[j] <= years:
            ok = np.isfinite(values[:, j])
            lo_val[ok], lo_mat[ok] = values[ok, j], mats[j]
    for j in reversed(range(len(tenors))):
        if mats[j] >= years:
            ok = np.isfinite(values[:, j])
            hi_val[ok], hi_mat[ok] = values[ok, j], mats[j]
    span = hi_mat - lo_mat
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(span > 0, (years - lo_mat) / span, 0.0)
    out = lo_val + weight * (hi_val - lo_val)
    return pd.Series(out, index=yields.index, name=f"treasury_{years:g}y_pct")


def _last_date(values: pd.Series) -> pd.Timestamp | None:
    dates = values.index[values.notna().to_numpy()]
    return pd.Timestamp(dates[-1]) if len(dates) else None


def _ranked_sources(series: pd.DataFrame, ids: list[str]) -> list[str]:
    last = {c: _last_date(series[c]) for c in ids}

    def newest_first(col: str) -> tuple[bool, int]:
        date = last[col]
        # Ids without data go last.
        return (date is None, 0 if date is None else -date.value)

    return sorted(ids, key=newest_first)


def is_weekly_source(series_id: str, values: pd.Series) -> bool:
    """True for a weekly-average swap series (see the module notes): a FRED weekly id
    (``W...``) or observations :data:`WEEKLY_MIN_SPACING_DAYS` or more days apart (median)."""
    if str(series_id).upper().startswith("W"):
        return True
    dates = values.dropna().index
    if len(dates) < 3:
        return False
    gaps = np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(np.int64)
    return bool(np.median(gaps) >= WEEKLY_MIN_SPACING_DAYS)


def _week_average(daily: pd.Series, week_ends: pd.DatetimeIndex) -> pd.Series:
    """Mean of the daily values in the seven calendar days ending on each date (NaN if none)."""
    obs = daily.dropna()
    days = obs.index.to_numpy()
    csum = np.concatenate(([0.0], np.cumsum(obs.to_numpy(dtype=np.float64))))
    hi = np.searchsorted(days, week_ends.to_numpy(), side="right")
    lo = np.searchsorted(days, (week_ends - pd.Timedelta(days=7)).to_numpy(), side="right")
    count = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, (csum[hi] - csum[lo]) / np.maximum(count, 1), np.nan)
    return pd.Series(mean, index=week_ends)


def _sources_by_tenor(series: pd.DataFrame) -> dict[int, list[str]]:
    by_tenor: dict[int, list[str]] = {}
    for col, years in swap_columns(series).items():
        by_tenor.setdefault(years, []).append(col)
    return {y: _ranked_sources(series, ids) for y, ids in sorted(by_tenor.items())}


def swap_rates_by_tenor(series: pd.DataFrame) -> pd.DataFrame:
    """Swap rates (percent) per tenor label ("2y", ...), sources combined (module docstring)."""
    by_tenor: dict[int, list[str]] = {}
    for col, years in swap_columns(series).items():
        by_tenor.setdefault(years, []).append(col)
    out = {}
    for years in sorted(by_tenor):
        ranked = _ranked_sources(series, by_tenor[years])
        combined = series[ranked[0]].astype(float)
        for col in ranked[1:]:
            combined = combined.combine_first(series[col].astype(float))
        out[_label(years)] = combined
    return pd.DataFrame(out, index=series.index)


def swap_spreads_bp(yields: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """Swap spreads (swap rate - Treasury yield at the same tenor) in bp.

    Parameters
    ----------
    yields : yields frame (percent, tenor columns, DatetimeIndex).
    series : wide series frame (DatetimeIndex); its swap-rate columns (percent) are used.

    Returns
    -------
    DataFrame on the dates of both frames, one column per swap tenor found ("2y", ...),
    bp; NaN where either side is absent. No columns if there is no swap-rate column.
    """
    _check_frames(yields, series)
    sources = _sources_by_tenor(series)
    dates = yields.index.intersection(series.index)
    per_label: dict[str, pd.Series] = {}
    for years, ranked in sources.items():
        treasury = treasury_yield_at(yields, float(years))
        combined: pd.Series | None = None
        for col in ranked:
            rate = series[col].astype(float).dropna()
            if is_weekly_source(col, rate):
                week = _week_average(treasury, pd.DatetimeIndex(rate.index))
                spread = ((rate - week) * 100.0).dropna()
                dates = dates.union(spread.index)
            else:
                spread = (rate - treasury.reindex(rate.index)) * 100.0
            combined = spread if combined is None else combined.combine_first(spread)
        if combined is not None:
            per_label[_label(years)] = combined
    return pd.DataFrame({k: v.reindex(dates) for k, v in per_label.items()}, index=dates)


def swap_coverage(series: pd.DataFrame) -> pd.DataFrame:
    """Where each swap tenor is stored: one row per (tenor, source id).

    Returns
    -------
    DataFrame with columns ``tenor`` ("2y"), ``tenor_years``, ``source_id`` (missing when no
    source), ``first_date``, ``last_date`` (NaT when none), ``n_obs``; every tenor of
    :data:`STANDARD_SWAP_TENORS_Y` appears, with ``n_obs`` 0 when nothing is stored.
    """
    if not isinstance(series, pd.DataFrame) or not isinstance(series.index, pd.DatetimeIndex):
        raise InputError("series", "series must be a DataFrame with a DatetimeIndex named 'date'")
    found = swap_columns(series)
    rows: list[dict[str, Any]] = []
    for years in sorted(set(STANDARD_SWAP_TENORS_Y) | set(found.values())):
        ids = [c for c, y in found.items() if y == years]
        for col in _ranked_sources(series, ids) if ids else [None]:
            valid = series[col].dropna() if col is not None else pd.Series(dtype=float)
            rows.append(
                {
                    "tenor": _label(years),
                    "tenor_years": years,
                    "source_id": col,
                    "first_date": valid.index[0] if len(valid) else pd.NaT,
                    "last_date": valid.index[-1] if len(valid) else pd.NaT,
                    "n_obs": len(valid),
                }
            )
    return pd.DataFrame(
        rows, columns=["tenor", "tenor_years", "source_id", "first_date", "last_date", "n_obs"]
    )


@dataclass(frozen=True, eq=False)
class _Source:
    """One swap-rate column: its tenor, whether its id says weekly, its observation dates and,
    per number of observations ``k + 1``, whether the first ``k + 1`` look weekly."""

    years: int
    weekly_id: bool
    dates: Observed
    weekly_upto: npt.NDArray[np.bool_]

    def weekly_at(self, when: pd.Timestamp) -> bool:
        """:func:`is_weekly_source` of the column cut at ``when``."""
        if self.weekly_id:
            return True
        count = self.dates.last_at(when) + 1
        return count >= 3 and bool(self.weekly_upto[count - 1])


def _weekly_by_count(dates: Observed) -> npt.NDArray[np.bool_]:
    """Element ``k``: the median gap of the first ``k + 1`` observations is weekly (as
    :func:`is_weekly_source` computes it on the series cut after them); False below 3."""
    gaps = (
        np.diff(dates.dates.astype("datetime64[ns]")).astype("timedelta64[D]").astype(np.int64)
    )
    out = np.zeros(len(dates), dtype=bool)
    ordered: list[int] = []
    for k in range(1, len(dates)):
        bisect.insort(ordered, int(gaps[k - 1]))
        if k >= 2:  # k gaps, k + 1 observations
            mid = k // 2
            median = ordered[mid] if k % 2 else (ordered[mid - 1] + ordered[mid]) / 2
            out[k] = median >= WEEKLY_MIN_SPACING_DAYS
    return out


@dataclass(frozen=True, eq=False)
class SwapsHistory:
    """The date-independent part of :func:`swaps_snapshot`, built once per data revision.

    Attributes
    ----------
    labels : every tenor the snapshot reports ("1y", ...).
    rates : tenor -> the dates on which any of its sources has a rate.
    spreads : tenor -> the observed swap spreads (bp) of the full-history table.
    from_weekly : tenor -> per observed spread, True when it comes from a weekly source.
    sources : the swap-rate columns (for the weekly test of the series cut at a date).
    """

    labels: tuple[str, ...]
    rates: dict[str, Observed]
    spreads: dict[str, Observed]
    from_weekly: dict[str, npt.NDArray[np.bool_]]
    sources: tuple[_Source, ...]


def swaps_history(
    yields: pd.DataFrame, series: pd.DataFrame, *, spreads: pd.DataFrame | None = None
) -> SwapsHistory:
    """Everything of :func:`swaps_snapshot` that does not depend on the date.

    ``spreads`` is the full-history :func:`swap_spreads_bp` of these frames (computed when
    absent); a snapshot with the history reads the same as one given these ``spreads``.
    """
    _check_frames(yields, series)
    spreads = swap_spreads_bp(yields, series) if spreads is None else spreads
    found = swap_columns(series)
    labels = tuple(_label(y) for y in sorted(set(STANDARD_SWAP_TENORS_Y) | set(found.values())))
    by_tenor = _sources_by_tenor(series)
    rates: dict[str, Observed] = {}
    for years, ids in by_tenor.items():
        present = series[ids].notna().any(axis=1).to_numpy()
        rates[_label(years)] = Observed.of_dates(series.index[present])
    observed = {label: Observed.of(spreads[label]) for label in spreads.columns}
    from_weekly: dict[str, npt.NDArray[np.bool_]] = {}
    for label, obs in observed.items():
        days = pd.to_datetime(obs.dates)
        flags = np.zeros(len(days), dtype=bool)
        decided = np.zeros(len(days), dtype=bool)
        # The first ranked source with a value that day decides (as _from_weekly reads it).
        for col in by_tenor.get(int(label[:-1]), []):
            has = np.isfinite(series[col].astype(float).reindex(days).to_numpy()) & ~decided
            flags[has] = is_weekly_source(col, series[col])
            decided |= has
        from_weekly[label] = flags
    sources = []
    for col, years in found.items():
        dates = Observed.of_dates(series[col].dropna().index)
        sources.append(_Source(years, str(col).upper().startswith("W"), dates, _weekly_by_count(dates)))
    return SwapsHistory(labels, rates, observed, from_weekly, tuple(sources))


def swaps_snapshot(
    yields: pd.DataFrame,
    series: pd.DataFrame,
    *,
    as_of: str | pd.Timestamp,
    spreads: pd.DataFrame | None = None,
    history: SwapsHistory | None = None,
) -> dict[str, Any]:
    """Swap spreads as of a date, as plain JSON-ready values.

    A tenor's value is the spread on its last date on or before ``as_of`` with both a swap
    rate and a Treasury yield, if the swap rate is at most :data:`STALE_AFTER_DAYS` calendar
    days old; else None, and ``missing`` says so (e.g. "5y, 10y, 30y swap rates after
    2016-10-28: none stored (import SOFR swap rates)").

    ``spreads`` is optional: the full-history :func:`swap_spreads_bp` of these frames,
    computed once per data revision (each row depends only on its own day). ``history`` is
    optional too: the :func:`swaps_history` of these frames and spreads, built once per data
    revision; each tenor is then a binary search (same result).

    Returns
    -------
    ``{"swap_spreads_bp": {"1y": float | None, ...}, "swap_spreads_date": {"1y": "YYYY-MM-DD" |
    None, ...}, "swap_spreads_weekly": [tenor, ...], "missing": [str]}``: bp rounded to 0.1;
    every tenor of :data:`STANDARD_SWAP_TENORS_Y` plus any other stored tenor; the date of the
    reading behind each value (earlier than ``as_of`` for a weekly average or after a holiday);
    the tenors whose reading is a weekly average against the week's average Treasury yield.
    """
    _check_frames(yields, series)
    when = pd.Timestamp(as_of)
    if history is not None:
        return _snapshot_lookup(history, when)
    rates = swap_rates_by_tenor(series.loc[:when])
    spreads = (swap_spreads_bp(yields.loc[:when], series.loc[:when]) if spreads is None
               else spreads.loc[:when])
    labels = [
        _label(y) for y in sorted(set(STANDARD_SWAP_TENORS_Y) | set(swap_columns(series).values()))
    ]
    weekly_ids = {swap_tenor_years(c) for c in swap_columns(series) if is_weekly_source(c, series[c].loc[:when])}
    readings: dict[str, _Reading] = {}
    for label in labels:
        last_rate = _last_date(rates[label]) if label in rates.columns else None
        if last_rate is None or (when - last_rate).days > STALE_AFTER_DAYS:
            readings[label] = (last_rate, None, False)
            continue
        reading = spreads[label].dropna()
        if reading.empty:
            readings[label] = (last_rate, None, False)
            continue
        day = pd.Timestamp(reading.index[-1])
        weekly = int(label[:-1]) in weekly_ids and _from_weekly(series, label, day)
        readings[label] = (last_rate, (day, float(reading.iloc[-1])), weekly)
    return _assemble(labels, readings, when)


#: Per tenor: date of the last swap rate (None: never), the last spread (date, bp) when the
#: rate is fresh (None: no spread), and whether that spread comes from a weekly source.
_Reading = tuple[pd.Timestamp | None, tuple[pd.Timestamp, float] | None, bool]


def _snapshot_lookup(history: SwapsHistory, when: pd.Timestamp) -> dict[str, Any]:
    readings: dict[str, _Reading] = {}
    weekly_ids: set[int] | None = None
    for label in history.labels:
        dates = history.rates.get(label)
        pos = -1 if dates is None else dates.last_at(when)
        last_rate = None if dates is None or pos < 0 else dates.date(pos)
        if last_rate is None or (when - last_rate).days > STALE_AFTER_DAYS:
            readings[label] = (last_rate, None, False)
            continue
        obs = history.spreads[label]
        at = obs.last_at(when)
        if at < 0:
            readings[label] = (last_rate, None, False)
            continue
        if weekly_ids is None:
            weekly_ids = {s.years for s in history.sources if s.weekly_at(when)}
        weekly = int(label[:-1]) in weekly_ids and bool(history.from_weekly[label][at])
        readings[label] = (last_rate, (obs.date(at), obs.value(at)), weekly)
    return _assemble(list(history.labels), readings, when)


def _assemble(labels: list[str], readings: dict[str, _Reading], when: pd.Timestamp) -> dict[str, Any]:
    values: dict[str, float | None] = dict.fromkeys(labels)
    dated: dict[str, str | None] = dict.fromkeys(labels)
    weekly: list[str] = []
    never: list[str] = []
    stale: dict[pd.Timestamp, list[str]] = {}
    missing: list[str] = []
    for label in labels:
        last_rate, spread, from_weekly = readings[label]
        if last_rate is None:
            never.append(label)
            continue
        if (when - last_rate).days > STALE_AFTER_DAYS:
            stale.setdefault(last_rate, []).append(label)
            continue
        if spread is None or (when - spread[0]).days > STALE_AFTER_DAYS:
            missing.append(
                f"{label} swap spread: no Treasury yield at {label} on the swap dates within "
                f"{STALE_AFTER_DAYS} days before {when.date()}"
            )
            continue
        values[label] = round(spread[1], _BP_DECIMALS)
        dated[label] = spread[0].strftime("%Y-%m-%d")
        if from_weekly:
            weekly.append(label)
    for date in sorted(stale):
        missing.append(
            f"{', '.join(stale[date])} swap rates after {date.date()}: none stored ({IMPORT_HINT})"
        )
    if never:
        missing.append(f"{', '.join(never)} swap rates: none stored ({IMPORT_HINT})")
    return {"swap_spreads_bp": values, "swap_spreads_date": dated, "swap_spreads_weekly": weekly,
            "missing": missing}


def _from_weekly(series: pd.DataFrame, label: str, day: pd.Timestamp) -> bool:
    """True when the value of ``label`` on ``day`` comes from a weekly source (ranking as in
    :func:`swap_spreads_bp`: the first ranked source with a value that day)."""
    years = int(label[:-1])
    for col in _sources_by_tenor(series).get(years, []):
        value = series[col].get(day)
        if value is not None and np.isfinite(float(value)):
            return is_weekly_source(col, series[col])
    return False
