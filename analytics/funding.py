"""Dollar funding and liquidity: repo spreads, Fed facility use and the three-light warning.

Inputs are the store's wide "other series" frame: a DatetimeIndex named ``date`` and one
column per series id (FRED ids: ``SOFR``, ``EFFR``, ``IORB``, ``IOER``, ``SOFR1``,
``SOFR99``, ``RRPONTSYD``, ``RPONTSYD``, ``WLCFLPCL``, ``WRESBAL``), NaN where a series has
no observation. Rates are in percent, spreads in basis points, amounts in USD billions
(``_bn``; FRED's ``$mn`` series are divided by 1,000).

The liquidity warning (DOMAIN.md section 4) needs three signs together:

1. *SOFR up significantly*: SOFR rose by more than ``sofr_rise_bp`` over the last
   ``change_window_obs`` observations net of any move of the policy floor (so that a Fed
   hike does not light it), or SOFR trades more than ``sofr_above_floor_bp`` above the floor
   (IORB, IOER before 2021-07-29).
2. *SOFR-EFFR widening*: SOFR - EFFR above ``sofr_effr_bp``, or its change over
   ``change_window_obs`` observations above ``sofr_effr_change_bp``.
3. *Rising use of Fed facilities*: standing repo / overnight repo take-up (``RPONTSYD``) above
   ``facility_take_up_bn``, or discount-window loans (``WLCFLPCL``) up more than
   ``discount_window_rise_bn`` over a week.

A light is "on" when any of its criteria is on, "off" when at least one criterion could be
evaluated and none is on, and "unknown" when no criterion has fresh data.

Calendar. Repo rates jump at month-ends and quarter-ends (dealers shrink balance sheets for
reporting dates), on the first business day after them (the "turn") and around mid-month
Treasury coupon settlement. :func:`calendar_flags` marks those days (U.S. federal holidays
excluded from business days). With ``calendar=CalendarAdjustment()`` the two
level criteria (SOFR - EFFR and SOFR - floor) compare a reading on such a day with the same
calendar point in past years: the threshold becomes the highest reading on the same kind of
day over the previous ``lookback_years`` years (only past days, never below the base
threshold), so a quarter-end lights only when it is worse than every quarter-end of those
years; ordinary days keep the base threshold. The
default (``calendar=None``) keeps the plain thresholds, so a quarter-end spike
still lights; the snapshot says which days are calendar points either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.checks import InputError, as_timestamp, us_federal_holidays
from analytics.lookup import Observed
from analytics.tenors import BP_PER_PCT

__all__ = [
    "SOFR_ID",
    "EFFR_ID",
    "IORB_ID",
    "IOER_ID",
    "SOFR_P1_ID",
    "SOFR_P99_ID",
    "RRP_ID",
    "SRF_ID",
    "DISCOUNT_WINDOW_ID",
    "RESERVES_ID",
    "IORB_START",
    "DAILY_MAX_AGE_DAYS",
    "WEEKLY_MAX_AGE_DAYS",
    "LIGHT_NAMES",
    "LightState",
    "LiquidityThresholds",
    "LightCriterion",
    "LiquidityLight",
    "floor_rate_pct",
    "calendar_change",
    "funding_spreads",
    "fed_facilities",
    "liquidity_lights",
    "liquidity_light_history",
    "LightReadings",
    "light_readings",
    "funding_snapshot",
    "FundingHistory",
    "funding_history",
    "CALENDAR_POINTS",
    "DEFAULT_CALENDAR_LOOKBACK_YEARS",
    "calendar_flags",
    "calendar_adjusted_threshold",
    "CalendarAdjustment",
]

# --- series ids (FRED's) -----------------------------------------------------------------
SOFR_ID: Final = "SOFR"
EFFR_ID: Final = "EFFR"
IORB_ID: Final = "IORB"
IOER_ID: Final = "IOER"
SOFR_P1_ID: Final = "SOFR1"
SOFR_P99_ID: Final = "SOFR99"
RRP_ID: Final = "RRPONTSYD"
SRF_ID: Final = "RPONTSYD"
DISCOUNT_WINDOW_ID: Final = "WLCFLPCL"
RESERVES_ID: Final = "WRESBAL"

# --- every default of the module -----------------------------------------------------------
#: First day of IORB; IOER (its predecessor) is used before this date.
IORB_START: Final = pd.Timestamp("2021-07-29")
#: Basis points per percentage point.
#: USD millions per USD billion (FRED publishes WLCFLPCL and WRESBAL in $mn).
MN_PER_BN: Final = 1_000.0
#: A daily series whose last observation is older than this (calendar days) counts as missing.
DAILY_MAX_AGE_DAYS: Final = 10
#: The same for weekly series (one missed H.4.1 release plus a holiday).
WEEKLY_MAX_AGE_DAYS: Final = 14
#: Horizons of the facility changes, calendar days.
WEEK_DAYS: Final = 7
MONTH_DAYS: Final = 28
#: Slack when looking for the observation a week / month earlier (weekly series drift by a
#: day around holidays), calendar days.
CHANGE_TOLERANCE_DAYS: Final = 4

DEFAULT_CHANGE_WINDOW_OBS: Final = 5
DEFAULT_SOFR_RISE_BP: Final = 20.0
DEFAULT_SOFR_ABOVE_FLOOR_BP: Final = 10.0
DEFAULT_SOFR_EFFR_BP: Final = 10.0
DEFAULT_SOFR_EFFR_CHANGE_BP: Final = 10.0
DEFAULT_FACILITY_TAKE_UP_BN: Final = 5.0
DEFAULT_DISCOUNT_WINDOW_RISE_BN: Final = 5.0

#: Years of past calendar points a calendar-adjusted threshold looks back over.
DEFAULT_CALENDAR_LOOKBACK_YEARS: Final = 3
#: Calendar points, most specific first (a day has at most one).
CALENDAR_POINTS: Final[tuple[str, ...]] = ("quarter_end", "month_end", "quarter_turn", "month_turn", "mid_month")
#: Day of the month of mid-month coupon settlement (or the next business day).
MID_MONTH_DAY: Final = 15

#: Keys of the three lights, in the order they are shown.
LIGHT_NAMES: Final[tuple[str, str, str]] = ("sofr_up", "sofr_effr_widening", "fed_facilities")
_LIGHT_LABELS: Final = {
    "sofr_up": "SOFR up significantly",
    "sofr_effr_widening": "SOFR-EFFR widening",
    "fed_facilities": "Rising use of Fed facilities",
}

LightState = Literal["on", "off", "unknown"]


def _check_positive(name: str, value: float, *, allow_zero: bool = True) -> None:
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")


@dataclass(frozen=True)
class LiquidityThresholds:
    """Thresholds of the three liquidity lights (all strict: a reading must exceed them).

    Attributes
    ----------
    change_window_obs : int
        Observations over which SOFR and SOFR-EFFR changes are measured (default 5, about a
        business week).
    sofr_rise_bp : float
        Light 1: SOFR rise over the window net of the floor's move, bp (default 20).
    sofr_above_floor_bp : float
        Light 1: SOFR - IORB (IOER before 2021-07-29), bp (default 10).
    sofr_effr_bp : float
        Light 2: SOFR - EFFR level, bp (default 10).
    sofr_effr_change_bp : float
        Light 2: change of SOFR - EFFR over the window, bp (default 10).
    facility_take_up_bn : float
        Light 3: overnight repo / standing repo facility take-up (RPONTSYD), USD bn
        (default 5; daily test operations of a few million do not count).
    discount_window_rise_bn : float
        Light 3: one-week rise of discount-window primary credit (WLCFLPCL), USD bn
        (default 5).
    """

    change_window_obs: int = DEFAULT_CHANGE_WINDOW_OBS
    sofr_rise_bp: float = DEFAULT_SOFR_RISE_BP
    sofr_above_floor_bp: float = DEFAULT_SOFR_ABOVE_FLOOR_BP
    sofr_effr_bp: float = DEFAULT_SOFR_EFFR_BP
    sofr_effr_change_bp: float = DEFAULT_SOFR_EFFR_CHANGE_BP
    facility_take_up_bn: float = DEFAULT_FACILITY_TAKE_UP_BN
    discount_window_rise_bn: float = DEFAULT_DISCOUNT_WINDOW_RISE_BN

    def __post_init__(self) -> None:
        if isinstance(self.change_window_obs, bool) or not isinstance(self.change_window_obs, int):
            raise InputError(
                "change_window_obs",
                f"change_window_obs must be an int in [1, 260], got {self.change_window_obs!r}"
            )
        if not 1 <= self.change_window_obs <= 260:
            raise InputError("change_window_obs", f"change_window_obs must be in [1, 260], got {self.change_window_obs}")
        for name in (
            "sofr_rise_bp",
            "sofr_above_floor_bp",
            "sofr_effr_bp",
            "sofr_effr_change_bp",
            "facility_take_up_bn",
            "discount_window_rise_bn",
        ):
            value = getattr(self, name)
            # A negative threshold would light in calm markets: only values >= 0 make sense.
            _check_positive(name, float(value))


@dataclass(frozen=True)
class CalendarAdjustment:
    """Calendar-adjusted thresholds for the level criteria (see the module notes).

    Attributes
    ----------
    lookback_years : int
        Years of past calendar points compared with (default 3, in [1, 30]).
    """

    lookback_years: int = DEFAULT_CALENDAR_LOOKBACK_YEARS

    def __post_init__(self) -> None:
        lb = self.lookback_years
        if isinstance(lb, bool) or not isinstance(lb, int) or not 1 <= lb <= 30:
            raise InputError("lookback_years", f"lookback_years must be an int in [1, 30], got {lb!r}")


@dataclass(frozen=True)
class LightCriterion:
    """One test inside a light.

    Attributes
    ----------
    name : str
        Criterion key (e.g. ``"sofr_minus_floor_bp"``).
    state : {"on", "off", "unknown"}
    reading : float or None
        The value compared with the threshold, in ``units``; None when unknown.
    threshold : float
        The reading is "on" when strictly above it.
    units : str
        ``"bp"`` or ``"USD bn"``.
    date : pandas.Timestamp or None
        Date of the observation behind the reading.
    note : str
        Why a criterion is unknown, or how a gap was read; empty otherwise.
    """

    name: str
    state: LightState
    reading: float | None
    threshold: float
    units: str
    date: pd.Timestamp | None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (date as ``YYYY-MM-DD`` or None)."""
        return {
            "name": self.name,
            "state": self.state,
            "reading": self.reading,
            "threshold": self.threshold,
            "units": self.units,
            "date": None if self.date is None else self.date.strftime("%Y-%m-%d"),
            "note": self.note,
        }


@dataclass(frozen=True)
class LiquidityLight:
    """One of the three lights.

    ``reading``, ``threshold``, ``units`` and ``date`` are those of the deciding criterion: the
    first criterion that is on, else the first one that could be evaluated, else the first.
    ``criteria`` lists every criterion.
    """

    name: str
    label: str
    state: LightState
    reading: float | None
    threshold: float
    units: str
    date: pd.Timestamp | None
    criteria: tuple[LightCriterion, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "name": self.name,
            "label": self.label,
            "state": self.state,
            "reading": self.reading,
            "threshold": self.threshold,
            "units": self.units,
            "date": None if self.date is None else self.date.strftime("%Y-%m-%d"),
            "criteria": [c.to_dict() for c in self.criteria],
        }


# --- helpers ---------------------------------------------------------------------------------


def _column(series: pd.DataFrame, name: str) -> pd.Series:
    """Column ``name`` as float, or an all-NaN column when absent."""
    if name in series.columns:
        return series[name].astype(float)
    return pd.Series(np.nan, index=series.index, dtype=float, name=name)


def _validate_frame(series: pd.DataFrame, *, param: str = "series") -> None:
    if not isinstance(series, pd.DataFrame):
        raise ValueError(f"{param} must be a pandas DataFrame, got {type(series).__name__}")
    if not isinstance(series.index, pd.DatetimeIndex):
        raise ValueError(f"{param} must have a DatetimeIndex named 'date'")
    if not series.index.is_monotonic_increasing:
        raise ValueError(f"{param} index must be sorted ascending")


def _as_timestamp(value: object, *, param: str = "as_of") -> pd.Timestamp:
    return as_timestamp(value, param=param, example="2019-09-17")


def floor_rate_pct(series: pd.DataFrame) -> pd.Series:
    """The Fed's floor rate: IORB from 2021-07-29, IOER before, spliced into one series.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame; uses columns ``IORB`` and ``IOER`` (percent) when present.

    Returns
    -------
    pandas.Series
        ``floor_pct`` in percent on ``series.index``; NaN where the relevant rate is missing
        (IOER is not used to fill IORB gaps after the switch: they are different rates).
    """
    _validate_frame(series)
    before = series.index < IORB_START
    floor = _column(series, IORB_ID).where(~before, _column(series, IOER_ID))
    floor.name = "floor_pct"
    return floor


def calendar_change(
    values: pd.Series, *, days: int, tolerance_days: int = CHANGE_TOLERANCE_DAYS
) -> pd.Series:
    """Change of a series over a calendar horizon, on the dates it is observed.

    Parameters
    ----------
    values : pandas.Series
        Values on a DatetimeIndex (any units); NaN = not observed.
    days : int
        Horizon in calendar days (7 = one week), >= 1.
    tolerance_days : int, optional
        The earlier observation must lie within this many days before ``t - days``
        (default 4); otherwise the change is NaN rather than a change over a longer gap.

    Returns
    -------
    pandas.Series
        ``values[t] - values[s]`` (same units) where ``s`` is the last observation on or before
        ``t - days``; NaN where the series is not observed or no earlier value is close enough.
    """
    if days < 1:
        raise InputError("days", f"days must be >= 1, got {days}")
    if tolerance_days < 0:
        raise InputError("tolerance_days", f"tolerance_days must be >= 0, got {tolerance_days}")
    obs = values.dropna()
    out = pd.Series(np.nan, index=values.index, dtype=float, name=values.name)
    if obs.empty:
        return out
    dates = obs.index.to_numpy(dtype="datetime64[ns]")
    target = dates - np.timedelta64(days, "D")
    pos = np.searchsorted(dates, target, side="right") - 1
    ok = pos >= 0
    prev_dates = dates[np.clip(pos, 0, None)]
    ok &= (target - prev_dates) <= np.timedelta64(tolerance_days, "D")
    arr = obs.to_numpy(dtype=float)
    change = np.where(ok, arr - arr[np.clip(pos, 0, None)], np.nan)
    out.loc[obs.index] = change
    return out


def _change_over_obs(values: pd.Series, n_obs: int) -> pd.Series:
    """Change over the last ``n_obs`` observations (NaNs skipped), on observed dates."""
    obs = values.dropna()
    return (obs - obs.shift(n_obs)).reindex(values.index)


def funding_spreads(series: pd.DataFrame) -> pd.DataFrame:
    """Daily funding spreads.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame with (any of) ``SOFR``, ``EFFR``, ``IORB``, ``IOER``, ``SOFR1``,
        ``SOFR99`` in percent.

    Returns
    -------
    pandas.DataFrame
        On ``series.index``: ``sofr_pct``, ``effr_pct``, ``floor_pct`` (IORB/IOER, %),
        ``sofr_effr_bp`` (SOFR - EFFR), ``sofr_iorb_bp`` (SOFR - floor) and
        ``sofr_p99_p1_bp`` (99th - 1st percentile of SOFR transactions), in bp. A spread is
        NaN unless both legs are observed that day.
    """
    _validate_frame(series)
    sofr = _column(series, SOFR_ID)
    effr = _column(series, EFFR_ID)
    floor = floor_rate_pct(series)
    out = pd.DataFrame(
        {
            "sofr_pct": sofr,
            "effr_pct": effr,
            "floor_pct": floor,
            "sofr_effr_bp": (sofr - effr) * BP_PER_PCT,
            "sofr_iorb_bp": (sofr - floor) * BP_PER_PCT,
            "sofr_p99_p1_bp": (_column(series, SOFR_P99_ID) - _column(series, SOFR_P1_ID))
            * BP_PER_PCT,
        },
        index=series.index,
    )
    # Percentiles are quoted to 2 decimals: rounding removes float noise such as 674.9999.
    return out.round(10)


def fed_facilities(series: pd.DataFrame) -> pd.DataFrame:
    """Fed facility use and reserves, in USD bn, with one-week and one-month changes.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame with (any of) ``RRPONTSYD`` and ``RPONTSYD`` ($bn), ``WLCFLPCL``
        and ``WRESBAL`` ($mn).

    Returns
    -------
    pandas.DataFrame
        On ``series.index``: ``rrp_bn`` (ON RRP take-up), ``srf_bn`` (overnight repo incl. the
        standing repo facility), ``discount_window_bn`` and ``reserves_bn`` (converted from
        $mn), ``discount_window_chg_1w_bn``, ``reserves_chg_1w_bn`` and
        ``reserves_chg_1m_bn`` (changes over 7 / 28 calendar days, on the dates the weekly
        series is observed; NaN across a missing release).
    """
    _validate_frame(series)
    dw = _column(series, DISCOUNT_WINDOW_ID) / MN_PER_BN
    res = _column(series, RESERVES_ID) / MN_PER_BN
    return pd.DataFrame(
        {
            "rrp_bn": _column(series, RRP_ID),
            "srf_bn": _column(series, SRF_ID),
            "discount_window_bn": dw,
            "discount_window_chg_1w_bn": calendar_change(dw, days=WEEK_DAYS),
            "reserves_bn": res,
            "reserves_chg_1w_bn": calendar_change(res, days=WEEK_DAYS),
            "reserves_chg_1m_bn": calendar_change(res, days=MONTH_DAYS),
        },
        index=series.index,
    )


# --- the lights ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CriterionDef:
    light: str
    name: str
    units: str
    threshold: Callable[[LiquidityThresholds], float]
    reading: Callable[[pd.DataFrame, LiquidityThresholds], pd.Series]
    max_age_days: int
    #: Event series: FRED has no row on days without an operation.
    event: bool = False
    #: A level criterion whose threshold may be calendar-adjusted.
    calendar: bool = False


def _sofr_rise_net_of_floor(series: pd.DataFrame, th: LiquidityThresholds) -> pd.Series:
    sofr = _column(series, SOFR_ID)
    floor = floor_rate_pct(series)
    both = pd.DataFrame({"s": sofr, "f": floor}).dropna()
    net = (both["s"] - both["s"].shift(th.change_window_obs)) - (
        both["f"] - both["f"].shift(th.change_window_obs)
    )
    return (net * BP_PER_PCT).reindex(series.index)


_CRITERIA: Final[tuple[_CriterionDef, ...]] = (
    _CriterionDef(
        "sofr_up",
        "sofr_rise_net_of_floor_bp",
        "bp",
        lambda t: t.sofr_rise_bp,
        _sofr_rise_net_of_floor,
        DAILY_MAX_AGE_DAYS,
    ),
    _CriterionDef(
        "sofr_up",
        "sofr_minus_floor_bp",
        "bp",
        lambda t: t.sofr_above_floor_bp,
        lambda s, t: funding_spreads(s)["sofr_iorb_bp"],
        DAILY_MAX_AGE_DAYS,
        calendar=True,
    ),
    _CriterionDef(
        "sofr_effr_widening",
        "sofr_effr_bp",
        "bp",
        lambda t: t.sofr_effr_bp,
        lambda s, t: funding_spreads(s)["sofr_effr_bp"],
        DAILY_MAX_AGE_DAYS,
        calendar=True,
    ),
    _CriterionDef(
        "sofr_effr_widening",
        "sofr_effr_change_bp",
        "bp",
        lambda t: t.sofr_effr_change_bp,
        lambda s, t: _change_over_obs(funding_spreads(s)["sofr_effr_bp"], t.change_window_obs),
        DAILY_MAX_AGE_DAYS,
    ),
    _CriterionDef(
        "fed_facilities",
        "srf_take_up_bn",
        "USD bn",
        lambda t: t.facility_take_up_bn,
        lambda s, t: _column(s, SRF_ID),
        DAILY_MAX_AGE_DAYS,
        event=True,
    ),
    _CriterionDef(
        "fed_facilities",
        "discount_window_rise_1w_bn",
        "USD bn",
        lambda t: t.discount_window_rise_bn,
        lambda s, t: fed_facilities(s)["discount_window_chg_1w_bn"],
        WEEKLY_MAX_AGE_DAYS,
    ),
)


def _threshold_on_last_day(
    cdef: _CriterionDef, upto: pd.Series, th: LiquidityThresholds, calendar: CalendarAdjustment | None
) -> float | None:
    """The calendar-adjusted threshold of ``upto``'s last observation
    (:func:`calendar_adjusted_threshold`), from the lookback years before it only: a date's
    lights read that one threshold. None for a plain criterion or no observation."""
    if not (cdef.calendar and calendar is not None) or upto.empty:
        return None
    day = pd.Timestamp(upto.index[-1])
    window = upto.loc[day - pd.DateOffset(years=calendar.lookback_years):]
    return float(calendar_adjusted_threshold(window, base_threshold=float(cdef.threshold(th)),
                                             lookback_years=calendar.lookback_years).iloc[-1])


def _criterion_at(
    cdef: _CriterionDef,
    reading: pd.Series,
    raw: pd.Series,
    th: LiquidityThresholds,
    as_of: pd.Timestamp,
    calendar: CalendarAdjustment | None = None,
) -> LightCriterion:
    """One criterion as of a date, from its full-history ``reading`` (the from-scratch path;
    :func:`_criterion_lookup` reads the same from a :class:`FundingHistory`)."""
    threshold = float(cdef.threshold(th))
    upto = reading.loc[:as_of].dropna()
    adjusted = _threshold_on_last_day(cdef, upto, th, calendar)
    if adjusted is not None:
        threshold = round(adjusted, 10)
    if cdef.event:
        raw_obs = raw.dropna()
        recent = raw_obs.loc[as_of - pd.Timedelta(days=cdef.max_age_days) : as_of]
        before = raw_obs.loc[:as_of]
        after = raw_obs.loc[as_of + pd.Timedelta(days=1) :]
        return _event_criterion(
            cdef, threshold, as_of,
            observed=not raw_obs.empty,
            recent=None if recent.empty else (pd.Timestamp(recent.index[-1]), float(recent.iloc[-1])),
            last_before=None if before.empty else pd.Timestamp(before.index[-1]),
            any_after=not after.empty,
        )
    last = None if upto.empty else (pd.Timestamp(upto.index[-1]), float(upto.iloc[-1]))
    return _level_criterion(cdef, threshold, as_of, last)


def _criterion_lookup(
    cdef: _CriterionDef,
    obs: Observed,
    th: LiquidityThresholds,
    as_of: pd.Timestamp,
    calendar: CalendarAdjustment | None = None,
) -> LightCriterion:
    """:func:`_criterion_at` by binary search in the criterion's observed readings."""
    threshold = float(cdef.threshold(th))
    pos = obs.last_at(as_of)
    if cdef.calendar and calendar is not None and pos >= 0:
        adjusted = _threshold_on_last_day(cdef, obs.upto(pos), th, calendar)
        if adjusted is not None:
            threshold = round(adjusted, 10)
    if cdef.event:
        recent = None
        if pos >= 0 and obs.date(pos) >= as_of - pd.Timedelta(days=cdef.max_age_days):
            recent = (obs.date(pos), obs.value(pos))
        return _event_criterion(
            cdef, threshold, as_of,
            observed=len(obs) > 0,
            recent=recent,
            last_before=obs.date(pos) if pos >= 0 else None,
            any_after=obs.first_from(as_of + pd.Timedelta(days=1)) < len(obs),
        )
    last = (obs.date(pos), obs.value(pos)) if pos >= 0 else None
    return _level_criterion(cdef, threshold, as_of, last)


def _event_criterion(
    cdef: _CriterionDef,
    threshold: float,
    as_of: pd.Timestamp,
    *,
    observed: bool,
    recent: tuple[pd.Timestamp, float] | None,
    last_before: pd.Timestamp | None,
    any_after: bool,
) -> LightCriterion:
    """An event criterion from what its raw observations say about ``as_of``: any at all,
    the last within the staleness limit, the last on or before ``as_of``, any after it."""
    # RPONTSYD has no row on days without an operation (years of gaps before 2019-09), so a
    # gap between two rows means zero take-up; but after the last row we cannot tell a
    # quiet day from a series that stopped, hence the staleness rule there.
    if not observed:
        return _unknown(cdef, threshold, None, f"{SRF_ID}: not in the data")
    if recent is not None:
        date = recent[0]
        value = round(recent[1], 10)
        state: LightState = "on" if value > threshold else "off"
        return LightCriterion(cdef.name, state, value, threshold, cdef.units, date)
    if last_before is not None and any_after:
        return LightCriterion(
            cdef.name,
            "off",
            0.0,
            threshold,
            cdef.units,
            as_of,
            f"{SRF_ID}: no operation on or in the {cdef.max_age_days} days before "
            f"{as_of:%Y-%m-%d} (FRED has no row on days without an operation)",
        )
    last = "none" if last_before is None else f"{last_before:%Y-%m-%d}"
    return _unknown(cdef, threshold, None,
                    f"{SRF_ID}: no observation after {last} up to {as_of:%Y-%m-%d} "
                    "(series not loaded or stale)")


def _unknown(cdef: _CriterionDef, threshold: float, date: pd.Timestamp | None,
             note: str) -> LightCriterion:
    """A criterion that cannot be read, and why."""
    return LightCriterion(cdef.name, "unknown", None, threshold, cdef.units, date, note)


def _level_criterion(
    cdef: _CriterionDef,
    threshold: float,
    as_of: pd.Timestamp,
    last: tuple[pd.Timestamp, float] | None,
) -> LightCriterion:
    """A level or change criterion from its last reading on or before ``as_of``."""
    if last is None:
        return _unknown(cdef, threshold, None, f"{cdef.name}: no data on or before {as_of:%Y-%m-%d}")
    date = last[0]
    age = (as_of - date).days
    if age > cdef.max_age_days:
        return _unknown(cdef, threshold, date, f"{cdef.name}: last reading {date:%Y-%m-%d} is "
                        f"{age} days old (stale after {cdef.max_age_days})")
    # Rounding drops float noise of percent-to-bp arithmetic (31.000000000000007 bp).
    value = round(last[1], 10)
    return LightCriterion(
        cdef.name, "on" if value > threshold else "off", value, threshold, cdef.units, date
    )


def _combine(name: str, criteria: tuple[LightCriterion, ...]) -> LiquidityLight:
    on = [c for c in criteria if c.state == "on"]
    known = [c for c in criteria if c.state != "unknown"]
    deciding = on[0] if on else (known[0] if known else criteria[0])
    state: LightState = "on" if on else ("off" if known else "unknown")
    return LiquidityLight(
        name=name,
        label=_LIGHT_LABELS[name],
        state=state,
        reading=deciding.reading,
        threshold=deciding.threshold,
        units=deciding.units,
        date=deciding.date,
        criteria=criteria,
    )


def liquidity_lights(
    series: pd.DataFrame,
    *,
    as_of: object,
    thresholds: LiquidityThresholds | None = None,
    calendar: CalendarAdjustment | None = None,
    history: FundingHistory | None = None,
) -> tuple[LiquidityLight, LiquidityLight, LiquidityLight]:
    """The three liquidity lights as of a date.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame (see the module docstring for the columns used).
    as_of : date-like
        Readings are the last observations on or before this date; a daily reading older than
        :data:`DAILY_MAX_AGE_DAYS` (weekly: :data:`WEEKLY_MAX_AGE_DAYS`) calendar days is
        "unknown".
    thresholds : LiquidityThresholds, optional
        Defaults to ``LiquidityThresholds()``.
    calendar : CalendarAdjustment, optional
        Calendar-adjusted thresholds for the level criteria; None (default) for the plain ones.
    history : FundingHistory, optional
        :func:`funding_history` of ``series``, built once per data revision: each criterion
        is then a binary search in its observed readings instead of a pass over the history.
        Used only when built for the same ``change_window_obs`` (:meth:`FundingHistory.fits`);
        otherwise the readings are computed here.

    Returns
    -------
    tuple of LiquidityLight
        In the order of :data:`LIGHT_NAMES`. The warning is on when all three are "on".
    """
    _validate_frame(series)
    th = LiquidityThresholds() if thresholds is None else thresholds
    ts = _as_timestamp(as_of)
    by_light: dict[str, list[LightCriterion]] = {n: [] for n in LIGHT_NAMES}
    use = history if history is not None and history.fits(th) else None
    for cdef in _CRITERIA:
        if use is not None:
            by_light[cdef.light].append(_criterion_lookup(cdef, use.criteria[cdef.name], th, ts, calendar))
            continue
        reading = cdef.reading(series, th)
        raw = _column(series, SRF_ID) if cdef.event else reading
        by_light[cdef.light].append(_criterion_at(cdef, reading, raw, th, ts, calendar))
    l1, l2, l3 = (_combine(n, tuple(by_light[n])) for n in LIGHT_NAMES)
    return l1, l2, l3


@dataclass(frozen=True, eq=False)
class LightReadings:
    """Everything of :func:`liquidity_light_history` but the thresholds' values.

    Built once per data revision (and change window, and calendar lookback), the history at any
    thresholds is then one comparison per day and criterion.

    Attributes
    ----------
    index : pandas.DatetimeIndex
        The series' days.
    change_window_obs : int
        The ``LiquidityThresholds.change_window_obs`` of the change readings.
    lookback_years : int or None
        The calendar lookback of ``past_highest`` (None: built for plain thresholds only).
    filled : dict
        Criterion name -> its reading on ``index``, carried forward within its staleness limit
        (NaN: unknown).
    past_highest : dict
        Calendar-adjusted criterion name -> per day, the highest reading on the same calendar
        point in the ``lookback_years`` before the reading's day (-inf on ordinary days and
        points without a past one; NaN where ``filled`` is NaN): the adjusted threshold is the
        larger of it and the plain threshold.
    """

    index: pd.DatetimeIndex
    change_window_obs: int
    lookback_years: int | None
    filled: dict[str, npt.NDArray[np.float64]]
    past_highest: dict[str, npt.NDArray[np.float64]]

    def fits(self, thresholds: LiquidityThresholds, calendar: CalendarAdjustment | None) -> bool:
        """True when these readings serve ``thresholds`` and ``calendar``."""
        return self.change_window_obs == thresholds.change_window_obs and (
            calendar is None or calendar.lookback_years == self.lookback_years)


def light_readings(
    series: pd.DataFrame, *, change_window_obs: int = LiquidityThresholds().change_window_obs,
    lookback_years: int | None = None,
) -> LightReadings:
    """The :class:`LightReadings` of ``series`` (``lookback_years``: also the calendar part)."""
    _validate_frame(series)
    th = replace(LiquidityThresholds(), change_window_obs=change_window_obs)
    filled: dict[str, npt.NDArray[np.float64]] = {}
    past_highest: dict[str, npt.NDArray[np.float64]] = {}
    for cdef in _CRITERIA:
        reading = cdef.reading(series, th)
        if cdef.event:
            obs = reading.dropna()
            if not obs.empty:
                inside = (series.index >= obs.index[0]) & (series.index <= obs.index[-1])
                reading = reading.where(~(inside & reading.isna()), 0.0)
        # Staleness limit in rows: a business week has 5 rows for 7 calendar days.
        limit = max(1, cdef.max_age_days * 5 // 7)
        filled[cdef.name] = reading.ffill(limit=limit).to_numpy(dtype=np.float64)
        if cdef.calendar and lookback_years is not None:
            observed = reading.dropna()
            highest = pd.Series(_past_highest(observed, lookback_years), index=observed.index)
            past_highest[cdef.name] = np.asarray(highest.reindex(series.index).ffill(limit=limit), dtype=np.float64)
    return LightReadings(index=pd.DatetimeIndex(series.index), change_window_obs=change_window_obs,
                         lookback_years=lookback_years, filled=filled, past_highest=past_highest)


def liquidity_light_history(
    series: pd.DataFrame,
    *,
    thresholds: LiquidityThresholds | None = None,
    calendar: CalendarAdjustment | None = None,
    readings: LightReadings | None = None,
) -> pd.DataFrame:
    """Daily history of the three lights and of the warning.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame.
    thresholds : LiquidityThresholds, optional
        Defaults to ``LiquidityThresholds()``.
    calendar : CalendarAdjustment, optional
        Calendar-adjusted thresholds for the level criteria (default None: plain).
    readings : LightReadings, optional
        :func:`light_readings` of ``series``, kept between calls: used when it fits the
        thresholds' change window and the calendar lookback and has the series' days, else
        built here.

    Returns
    -------
    pandas.DataFrame
        On ``series.index``, one column per light (:data:`LIGHT_NAMES`) and ``warning``:
        1.0 on, 0.0 off, NaN unknown. Readings are carried forward for at most the staleness
        limits used by :func:`liquidity_lights`, counted in rows of ``series`` (business days);
        RPONTSYD gaps between two operations count as zero take-up.
    """
    th = LiquidityThresholds() if thresholds is None else thresholds
    if readings is None or not readings.fits(th, calendar) or not readings.index.equals(series.index):
        readings = light_readings(series, change_window_obs=th.change_window_obs,
                                  lookback_years=None if calendar is None else calendar.lookback_years)
    else:
        _validate_frame(series)
    states: dict[str, list[npt.NDArray[np.float64]]] = {n: [] for n in LIGHT_NAMES}
    for cdef in _CRITERIA:
        filled = readings.filled[cdef.name]
        bar: npt.NDArray[np.floating[Any]] | float = float(cdef.threshold(th))
        if cdef.calendar and calendar is not None:
            bar = np.maximum(bar, readings.past_highest[cdef.name])
        with np.errstate(invalid="ignore"):
            states[cdef.light].append(np.where(np.isnan(filled), np.nan, (filled > bar).astype(float)))
    columns: dict[str, npt.NDArray[np.float64]] = {}
    for name in LIGHT_NAMES:
        stacked = np.column_stack(states[name])
        # on if any criterion is on; off if any is known; else unknown (NaN).
        columns[name] = np.fmax.reduce(stacked, axis=1)
    lights = np.column_stack([columns[n] for n in LIGHT_NAMES])
    # Warning on when all three are on, off as soon as one is off, unknown otherwise.
    lowest = np.fmin.reduce(lights, axis=1)
    columns["warning"] = np.where((lowest == 0.0) | ~np.isnan(lights).any(axis=1), lowest, np.nan)
    return pd.DataFrame(columns, index=series.index)


# --- snapshot --------------------------------------------------------------------------------


def _last_fresh(
    values: pd.Series, as_of: pd.Timestamp, max_age_days: int, label: str
) -> tuple[float | None, str | None]:
    upto = values.loc[:as_of].dropna()
    last = None if upto.empty else (pd.Timestamp(upto.index[-1]), float(upto.iloc[-1]))
    return _fresh(last, as_of, max_age_days, label)


def _fresh(
    last: tuple[pd.Timestamp, float] | None, as_of: pd.Timestamp, max_age_days: int, label: str
) -> tuple[float | None, str | None]:
    """The last observation's value if it is fresh, else None and why."""
    if last is None:
        return None, f"{label}: no observation on or before {as_of:%Y-%m-%d}"
    date = last[0]
    age = (as_of - date).days
    if age > max_age_days:
        return (
            None,
            f"{label}: last observation {date:%Y-%m-%d} is {age} days before as_of (stale after {max_age_days})",
        )
    return round(last[1], 10), None


def _fresh_lookup(
    obs: Observed, as_of: pd.Timestamp, max_age_days: int, label: str
) -> tuple[float | None, str | None]:
    pos = obs.last_at(as_of)
    return _fresh((obs.date(pos), obs.value(pos)) if pos >= 0 else None, as_of, max_age_days, label)


#: The readings of :func:`funding_snapshot`: key, column of the spreads (False) or of the
#: facilities (True), label in the missing-lines, staleness limit in days.
_READINGS: Final[tuple[tuple[str, bool, str, int], ...]] = (
    ("sofr_pct", False, SOFR_ID, DAILY_MAX_AGE_DAYS),
    ("effr_pct", False, EFFR_ID, DAILY_MAX_AGE_DAYS),
    ("floor_pct", False, "IORB/IOER", DAILY_MAX_AGE_DAYS),
    ("sofr_effr_bp", False, "SOFR-EFFR", DAILY_MAX_AGE_DAYS),
    ("sofr_iorb_bp", False, "SOFR-IORB", DAILY_MAX_AGE_DAYS),
    ("sofr_p99_p1_bp", False, "SOFR p99-p1", DAILY_MAX_AGE_DAYS),
    ("rrp_bn", True, RRP_ID, DAILY_MAX_AGE_DAYS),
    ("discount_window_bn", True, DISCOUNT_WINDOW_ID, WEEKLY_MAX_AGE_DAYS),
    ("reserves_bn", True, RESERVES_ID, WEEKLY_MAX_AGE_DAYS),
    ("reserves_chg_1w_bn", True, "WRESBAL 1w change", WEEKLY_MAX_AGE_DAYS),
    ("reserves_chg_1m_bn", True, "WRESBAL 1m change", WEEKLY_MAX_AGE_DAYS),
)
#: Days before the first and after the last row of the series that the history's calendar
#: table covers (as-of dates beyond it compute their calendar point directly).
_CALENDAR_MARGIN_DAYS: Final = 3 * 366


@dataclass(frozen=True, eq=False)
class FundingHistory:
    """The date-independent part of :func:`funding_snapshot`, built once per data revision.

    Attributes
    ----------
    change_window_obs : int
        The ``LiquidityThresholds.change_window_obs`` the change readings were built with (the
        only threshold a reading depends on: the others are compared at lookup time).
    readings : dict
        Snapshot key (``sofr_pct``, ``reserves_bn``, ...) -> its observations (units of
        :func:`funding_spreads` / :func:`fed_facilities`).
    criteria : dict
        Light criterion name -> its observed readings (bp or USD bn; for RPONTSYD the raw
        operations, FRED having no row on days without one).
    calendar_start : pandas.Timestamp
        First day of ``calendar_codes``.
    calendar_codes : numpy.ndarray
        Per calendar day from ``calendar_start``: index in :data:`CALENDAR_POINTS` of the day's
        calendar point (:func:`calendar_flags`), -1 for none.
    """

    change_window_obs: int
    readings: dict[str, Observed]
    criteria: dict[str, Observed]
    calendar_start: pd.Timestamp
    calendar_codes: npt.NDArray[np.int8]

    def fits(self, thresholds: LiquidityThresholds) -> bool:
        """True when the history's readings are those of ``thresholds``."""
        return self.change_window_obs == thresholds.change_window_obs

    def calendar_point(self, day: pd.Timestamp) -> str | None:
        """The calendar point of a midnight ``day`` (:func:`calendar_flags`)."""
        i = (day - self.calendar_start).days
        if 0 <= i < len(self.calendar_codes):
            code = int(self.calendar_codes[i])
            return None if code < 0 else CALENDAR_POINTS[code]
        point: str | None = calendar_flags(pd.DatetimeIndex([day]))["point"].iloc[0]
        return point


def funding_history(
    series: pd.DataFrame,
    *,
    thresholds: LiquidityThresholds | None = None,
    spreads: pd.DataFrame | None = None,
    facilities: pd.DataFrame | None = None,
) -> FundingHistory:
    """Everything of :func:`funding_snapshot` that does not depend on the date.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame.
    thresholds : LiquidityThresholds, optional
        Its ``change_window_obs`` sets the change readings (default 5 observations).
    spreads, facilities : pandas.DataFrame, optional
        :func:`funding_spreads` and :func:`fed_facilities` of ``series`` (computed when absent).
    """
    _validate_frame(series)
    th = LiquidityThresholds() if thresholds is None else thresholds
    spreads = funding_spreads(series) if spreads is None else spreads
    facilities = fed_facilities(series) if facilities is None else facilities
    readings = {key: Observed.of((facilities if fac else spreads)[key]) for key, fac, _, _ in _READINGS}
    criteria = {cdef.name: Observed.of(cdef.reading(series, th)) for cdef in _CRITERIA}
    if len(series.index):
        start = (series.index[0] - pd.Timedelta(days=_CALENDAR_MARGIN_DAYS)).normalize()
        days = pd.date_range(start, series.index[-1] + pd.Timedelta(days=_CALENDAR_MARGIN_DAYS), freq="D")
    else:
        start, days = pd.Timestamp(0), pd.DatetimeIndex([])
    points = calendar_flags(days)["point"].to_numpy()
    codes = np.full(len(days), -1, dtype=np.int8)
    for i, kind in enumerate(CALENDAR_POINTS):
        codes[points == kind] = i
    return FundingHistory(th.change_window_obs, readings, criteria, pd.Timestamp(start), codes)


def funding_snapshot(
    series: pd.DataFrame,
    *,
    as_of: object,
    thresholds: LiquidityThresholds | None = None,
    spreads: pd.DataFrame | None = None,
    facilities: pd.DataFrame | None = None,
    calendar: CalendarAdjustment | None = None,
    history: FundingHistory | None = None,
) -> dict[str, Any]:
    """Funding readings and the liquidity lights as of a date, JSON-ready.

    Parameters
    ----------
    series : pandas.DataFrame
        Wide series frame.
    as_of : date-like
        Each value is the last observation on or before it; older than 10 calendar days
        (weekly series: 14) counts as missing.
    thresholds : LiquidityThresholds, optional
        Light thresholds; defaults to ``LiquidityThresholds()``.
    spreads, facilities : pandas.DataFrame, optional
        The full-history :func:`funding_spreads` and :func:`fed_facilities` of ``series``,
        computed once per data revision (computed here when absent).
    calendar : CalendarAdjustment, optional
        Calendar-adjusted thresholds for the level criteria (default None: plain).
    history : FundingHistory, optional
        :func:`funding_history` of ``series``, built once per data revision: every reading is
        then a binary search (same result). The light readings are used only when it was built
        for the same ``change_window_obs``; otherwise they are computed here.

    Returns
    -------
    dict
        ``as_of`` (YYYY-MM-DD), ``sofr_pct``, ``effr_pct``, ``floor_pct``, ``sofr_effr_bp``,
        ``sofr_iorb_bp``, ``sofr_p99_p1_bp``, ``rrp_bn``, ``srf_bn``, ``discount_window_bn``,
        ``reserves_bn``, ``reserves_chg_1w_bn``, ``reserves_chg_1m_bn`` (None when missing or
        stale), ``lights`` (list of three light dicts, see :class:`LiquidityLight`),
        ``warning`` (True when all three lights are on, False when one is off, None
        otherwise), ``thresholds`` (the values used), ``calendar_adjustment`` (None, or
        ``{"lookback_years": n}``), ``calendar_point`` (the as-of date's calendar point of
        :func:`calendar_flags`, or None) and ``missing`` (one readable line per missing or
        stale value).
    """
    _validate_frame(series)
    th = LiquidityThresholds() if thresholds is None else thresholds
    ts = _as_timestamp(as_of)
    if history is None:
        spreads = funding_spreads(series) if spreads is None else spreads
        facilities = fed_facilities(series) if facilities is None else facilities
    out: dict[str, Any] = {"as_of": ts.strftime("%Y-%m-%d")}
    missing: list[str] = []
    for key, fac, label, max_age in _READINGS:
        if history is not None:
            value, why = _fresh_lookup(history.readings[key], ts, max_age, label)
        else:
            frame = facilities if fac else spreads
            assert frame is not None
            value, why = _last_fresh(frame[key], ts, max_age, label)
        out[key] = value
        if why:
            missing.append(why)
    lights = liquidity_lights(series, as_of=ts, thresholds=th, calendar=calendar, history=history)
    # RPONTSYD is an event series (no row = no operation): take the light's reading of it,
    # which tells a quiet day (0.0) from a series that stopped (None).
    srf = next(c for c in lights[2].criteria if c.name == "srf_take_up_bn")
    out["srf_bn"] = srf.reading
    if srf.reading is None:
        missing.append(srf.note)
    out["lights"] = [light.to_dict() for light in lights]
    states = [light.state for light in lights]
    out["warning"] = (
        True if all(s == "on" for s in states) else (False if "off" in states else None)
    )
    out["thresholds"] = {
        "change_window_obs": th.change_window_obs,
        "sofr_rise_bp": th.sofr_rise_bp,
        "sofr_above_floor_bp": th.sofr_above_floor_bp,
        "sofr_effr_bp": th.sofr_effr_bp,
        "sofr_effr_change_bp": th.sofr_effr_change_bp,
        "facility_take_up_bn": th.facility_take_up_bn,
        "discount_window_rise_bn": th.discount_window_rise_bn,
    }
    out["calendar_adjustment"] = None if calendar is None else {"lookback_years": calendar.lookback_years}
    if history is not None:
        out["calendar_point"] = history.calendar_point(ts)
    else:
        out["calendar_point"] = calendar_flags(pd.DatetimeIndex([ts]))["point"].iloc[0]
    out["missing"] = missing
    return out


def _business_days(start: pd.Timestamp, end: pd.Timestamp) -> pd.DatetimeIndex:
    weekdays = pd.bdate_range(start, end)
    return weekdays[~weekdays.isin(us_federal_holidays(start, end))]


def calendar_flags(index: pd.DatetimeIndex) -> pd.DataFrame:
    """Funding calendar points of each date: month-end, quarter-end, the turn, mid-month.

    Business days are weekdays other than U.S. federal holidays. ``month_end`` is the last
    business day of a month, ``quarter_end`` one of March, June, September or December;
    ``turn`` the first business day after a month-end; ``mid_month`` the 15th, or the next
    business day when the 15th is not one (coupon settlement).

    Returns
    -------
    pandas.DataFrame
        On ``index``: booleans ``month_end``, ``quarter_end``, ``turn``, ``mid_month`` and
        ``point``, the most specific of :data:`CALENDAR_POINTS` ("quarter_end",
        "month_end", "quarter_turn", "month_turn", "mid_month") or None.
    """
    idx = pd.DatetimeIndex(index).normalize()
    cols = ["month_end", "quarter_end", "turn", "mid_month", "point"]
    if len(idx) == 0:
        return pd.DataFrame(columns=cols, index=index)
    start = (idx.min() - pd.offsets.MonthBegin(2)).normalize()
    end = (idx.max() + pd.offsets.MonthEnd(2)).normalize()
    days = _business_days(start, end)
    bdays = pd.Series(days, index=days)
    month = days.to_period("M")
    last = pd.DatetimeIndex(bdays.groupby(month).max().to_numpy())
    first = pd.DatetimeIndex(bdays.groupby(month).min().to_numpy())
    fifteenth = pd.DatetimeIndex(bdays[days.day >= MID_MONTH_DAY].groupby(month[days.day >= MID_MONTH_DAY]).min().to_numpy())
    month_end = idx.isin(last)
    quarter_end = month_end & np.isin(idx.month, (3, 6, 9, 12))
    turn = idx.isin(first)
    after_quarter = turn & np.isin(idx.month, (1, 4, 7, 10))
    mid = idx.isin(fifteenth)
    point = np.select(
        [quarter_end, month_end, after_quarter, turn, mid],
        list(CALENDAR_POINTS),
        default="",
    ).astype(object)
    point[point == ""] = None
    return pd.DataFrame(
        {"month_end": month_end, "quarter_end": quarter_end, "turn": turn, "mid_month": mid, "point": point},
        index=index,
    )


def calendar_adjusted_threshold(
    reading: pd.Series,
    *,
    base_threshold: float,
    lookback_years: int = DEFAULT_CALENDAR_LOOKBACK_YEARS,
) -> pd.Series:
    """Threshold of each day, adjusted on calendar points by the same point in past years.

    Parameters
    ----------
    reading : daily readings (e.g. SOFR - EFFR, bp) on an ascending DatetimeIndex.
    base_threshold : the plain threshold, in the units of ``reading``.
    lookback_years : years of past calendar points to look at (default 3).

    Returns
    -------
    pandas.Series
        On the index of ``reading``: ``base_threshold`` on ordinary days; on a calendar point
        (:func:`calendar_flags`) the larger of ``base_threshold`` and the highest reading on
        the same kind of point in the ``lookback_years`` years before the day (that day
        excluded). No past point of the kind: the base threshold. Look-ahead free.
    """
    base = float(base_threshold)
    _check_positive("base_threshold", base)
    values = reading.dropna()
    out = pd.Series(base, index=reading.index, dtype=float)
    if not values.empty:
        out.loc[values.index] = np.maximum(base, _past_highest(values, lookback_years))
    return out


def _past_highest(values: pd.Series, lookback_years: int) -> npt.NDArray[np.float64]:
    """Per observation of ``values`` (no NaN, ascending days): the highest observation on the
    same calendar point (:func:`calendar_flags`) from ``lookback_years`` before the day to
    the day before it; -inf on ordinary days and where no such observation exists."""
    out = np.full(len(values), -np.inf)
    if values.empty:
        return out
    kinds = calendar_flags(pd.DatetimeIndex(values.index))["point"].to_numpy()
    seen_all = values.to_numpy(dtype=np.float64)
    for kind in CALENDAR_POINTS:
        on = np.flatnonzero(kinds == kind)
        if not on.size:
            continue
        days = pd.DatetimeIndex(values.index[on])
        seen = seen_all[on]
        # The same kind of point from `lookback_years` before the day to the day before it.
        first = np.searchsorted(days.asi8, (days - pd.DateOffset(years=lookback_years)).asi8, side="left")
        last = np.searchsorted(days.asi8, (days - pd.Timedelta(days=1)).asi8, side="right")
        for i in np.flatnonzero(last > first):
            out[on[i]] = seen[first[i]:last[i]].max()
    return out
