"""CFTC Traders in Financial Futures: Treasury futures positioning in comparable units.

Input is the store's long CFTC frame, one row per (report_date, contract_code,
trader_group) with ``long``, ``short``, ``spreading`` and ``open_interest`` in contracts
(``report_date`` is the Tuesday "as of" date; the report is published the Friday after).

Units. Net = long - short, in contracts (negative = net short). Notional = net x face, USD bn.
DV01 = net x DV01 per contract, USD mn per bp. 10y-equivalents = DV01 / DV01 of the 10-year
contract (043602), in contracts. The DV01 per contract comes from an editable table,
by default ``analytics.tenors.TREASURY_FUTURES`` (round 2024-2025 values of CTD DV01 /
conversion factor), overridable per contract.

Gaps. The weekly history has holes (all of 2016, parts of 2020, 2023, 2024 and 2025 in the
shared file). A weekly change is only computed between two consecutive reports at most
:data:`MAX_WEEKLY_GAP_DAYS` apart: 7 days, or 6 or 8 when a holiday moves the report date
(2017-07-03/2017-07-11, 2018-12-31/2019-01-08); across a missing week (14 days or more) it
is NaN, never a multi-month change. Z-scores use a time-based window (``window`` weeks of
calendar time), so a gap shortens the sample instead of stretching the window.

Publication. A report is dated Tuesday and released the following Friday at 15:30 ET; when a
federal holiday falls on the Wednesday, Thursday or Friday of that week the release moves to
the next business day after the Friday (e.g. the report of 2024-11-26 came out on Monday
2024-12-02, after Thanksgiving). :func:`release_dates` applies this rule and every as-of view
uses only reports released on or before the as-of date. Caveat: unscheduled delays (the
2013 and 2018-19 government shutdowns, when reports came out weeks late) are not modelled; the
rule then treats a report as public earlier than it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.checks import InputError, as_timestamp, us_federal_holidays
from analytics.tenors import CFTC_COLUMNS, TRADER_GROUPS, TREASURY_FUTURES

__all__ = [
    "DEFAULT_WINDOW_WEEKS",
    "DEFAULT_MIN_PERIODS",
    "MAX_WEEKLY_GAP_DAYS",
    "STALE_AFTER_DAYS",
    "REFERENCE_CODE",
    "REQUIRED_COLUMNS",
    "default_dv01_usd",
    "resolve_dv01_usd",
    "positions_table",
    "rescaled_positions_table",
    "aggregate_net",
    "leveraged_funds_net",
    "asset_managers_net",
    "positioning_snapshot",
    "PositioningHistory",
    "positioning_history",
    "rescaled_history",
    "CFTC_RELEASE_LAG_DAYS",
    "release_dates",
]

#: Z-score window, in weeks (three years).
DEFAULT_WINDOW_WEEKS: Final = 156
#: Fewest reports in the window before a z-score is given (one year of weekly reports).
DEFAULT_MIN_PERIODS: Final = 52
#: Longest gap between two reports that still counts as "one week" (holiday shifts give 6
#: and 8 days; a missing report gives 14).
MAX_WEEKLY_GAP_DAYS: Final = 10
#: A latest report older than this before ``as_of`` is flagged as stale in the snapshot.
STALE_AFTER_DAYS: Final = 14
#: Days from the Tuesday report date to the Friday release.
CFTC_RELEASE_LAG_DAYS: Final = 3
#: CFTC code of the 10-year T-note contract, the unit of 10y-equivalents.
REFERENCE_CODE: Final = "043602"
#: Columns the CFTC frame must have.
REQUIRED_COLUMNS: Final[tuple[str, ...]] = CFTC_COLUMNS
#: Spacing of group keys in the rolling window search, days (far more than any window).
_GROUP_STRIDE_DAYS: Final = 10_000_000
USD_PER_BN: Final = 1e9
USD_PER_MN: Final = 1e6
PCT: Final = 100.0

_BY_CODE: Final = {c.code: c for c in TREASURY_FUTURES}
_CODE_BY_KEY: Final = {c.key: c.code for c in TREASURY_FUTURES}


def release_dates(report_dates: pd.DatetimeIndex | pd.Series) -> pd.DatetimeIndex:
    """Release date of each CFTC report date (see the module notes on publication).

    The report date plus :data:`CFTC_RELEASE_LAG_DAYS` days; when a U.S. federal holiday falls
    in the three days up to and including that day, the next business day after it.
    """
    from pandas.tseries.offsets import CustomBusinessDay

    dates = pd.DatetimeIndex(pd.to_datetime(report_dates)).normalize()
    if len(dates) == 0:
        return dates
    friday = dates + pd.Timedelta(days=CFTC_RELEASE_LAG_DAYS)
    holidays = us_federal_holidays(dates.min() - pd.Timedelta(days=7),
                                   friday.max() + pd.Timedelta(days=14))
    hit = np.zeros(len(dates), dtype=bool)
    for lag in range(1, CFTC_RELEASE_LAG_DAYS + 1):
        hit |= (dates + pd.Timedelta(days=lag)).isin(holidays)
    if not hit.any():
        return friday
    next_business = CustomBusinessDay(holidays=list(holidays))
    later = pd.DatetimeIndex([d + next_business for d in friday[hit]])
    out = friday.to_numpy(copy=True)
    out[hit] = later.to_numpy()
    return pd.DatetimeIndex(out)


def default_dv01_usd() -> dict[str, float]:
    """Default DV01 per contract, USD per bp, keyed by CFTC code (from TREASURY_FUTURES)."""
    return {c.code: c.dv01_usd for c in TREASURY_FUTURES}


def resolve_dv01_usd(dv01: Mapping[str, float] | None = None) -> dict[str, float]:
    """The DV01 table in use: defaults overridden by ``dv01``.

    Parameters
    ----------
    dv01 : mapping, optional
        DV01 per contract in USD per bp, keyed by CFTC code (``"043602"``) or contract key
        (``"UST_10Y"``). Contracts not named keep their default.

    Returns
    -------
    dict
        CFTC code -> DV01 (USD per bp) for the six contracts.

    Raises
    ------
    ValueError
        On an unknown contract or a DV01 that is not a finite number > 0.
    """
    table = default_dv01_usd()
    if dv01 is None:
        return table
    for name, value in dv01.items():
        code = _CODE_BY_KEY.get(name, name)
        if code not in table:
            allowed = ", ".join(f"{c.code} ({c.key})" for c in TREASURY_FUTURES)
            raise ValueError(f"dv01: unknown contract {name!r}; allowed: {allowed}")
        fval = float(value)
        if not np.isfinite(fval) or fval <= 0:
            raise InputError(
                "dv01",
                f"dv01[{name!r}] must be a finite number > 0 (USD per bp), got {value!r}"
            )
        table[code] = fval
    return table


def _validate(cftc: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(cftc, pd.DataFrame):
        raise InputError("cftc", f"cftc must be a pandas DataFrame, got {type(cftc).__name__}")
    absent = [c for c in REQUIRED_COLUMNS if c not in cftc.columns]
    if absent:
        raise InputError("cftc", f"cftc is missing columns {absent}; required: {list(REQUIRED_COLUMNS)}")
    frame = cftc.loc[:, list(REQUIRED_COLUMNS)].copy()
    frame["report_date"] = pd.to_datetime(frame["report_date"])
    codes = frame["contract_code"].astype(str)
    # Codes read as numbers lose their leading zeros ("43602"): restore them.
    if (codes.str.len() < 6).any():
        codes = codes.str.zfill(6)
    frame["contract_code"] = codes
    unknown = ~frame["trader_group"].isin(list(TRADER_GROUPS))
    if unknown.any():
        bad_groups = sorted(map(str, frame.loc[unknown, "trader_group"].unique()))
        raise InputError(
            "cftc.trader_group",
            f"cftc.trader_group has unknown values {bad_groups}; allowed: {list(TRADER_GROUPS)}"
        )
    for col in ("long", "short", "spreading", "open_interest"):
        try:
            frame[col] = pd.to_numeric(frame[col], errors="raise").astype(float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"cftc.{col} must be numeric (contracts): {exc}") from exc
    # Only the six Treasury contracts have a face and a DV01; others (if a store ever holds
    # them) are left out rather than given made-up units.
    frame = frame[frame["contract_code"].isin(list(_BY_CODE))]
    dup = frame.duplicated(["report_date", "contract_code", "trader_group"])
    if dup.any():
        first = frame.loc[dup].iloc[0]
        raise InputError(
            "cftc",
            "cftc has duplicate rows for (report_date, contract_code, trader_group), e.g. "
            f"({first['report_date']:%Y-%m-%d}, {first['contract_code']}, {first['trader_group']})"
        )
    return frame.sort_values(["contract_code", "trader_group", "report_date"]).reset_index(
        drop=True
    )


def _check_window(window: int, min_periods: int) -> None:
    if isinstance(window, bool) or not isinstance(window, int) or not 4 <= window <= 2_600:
        raise InputError("window", f"window must be an int number of weeks in [4, 2600], got {window!r}")
    if (
        isinstance(min_periods, bool)
        or not isinstance(min_periods, int)
        or not 2 <= min_periods <= window
    ):
        raise InputError("min_periods", f"min_periods must be an int in [2, window={window}], got {min_periods!r}")


def _day_numbers(dates: pd.Series | pd.Index) -> npt.NDArray[np.int64]:
    """Dates as integer days since 1970-01-01."""
    return np.asarray(pd.DatetimeIndex(dates).to_numpy(dtype="datetime64[D]").astype(np.int64))


def _grouped_weekly_change(
    values: npt.NDArray[np.float64], group: npt.NDArray[np.int64], days: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Change from the previous row of the same group, NaN across a gap > a week (+ slack).

    Rows must be sorted by group, then date.
    """
    out = np.full(len(values), np.nan)
    if len(values) > 1:
        same = (group[1:] == group[:-1]) & (days[1:] - days[:-1] <= MAX_WEEKLY_GAP_DAYS)
        out[1:] = np.where(same, values[1:] - values[:-1], np.nan)
    return out


def _grouped_rolling_z(
    values: npt.NDArray[np.float64],
    group: npt.NDArray[np.int64],
    days: npt.NDArray[np.int64],
    window_weeks: int,
    min_periods: int,
) -> npt.NDArray[np.float64]:
    """Z-score of each value against its group's reports of the trailing ``window_weeks``.

    The window is calendar time, (t - 7 x window_weeks days, t], and includes the current
    report: the z-score says where this week stands in the last three years as they were
    known that week, with no later data. A gap in the history shortens the sample rather
    than stretching the window. ``min_periods`` counts non-NaN values; std uses ddof=1.
    Rows must be sorted by group, then date. Vectorised with cumulative sums (of values
    centred on their group mean, which keeps the sums of squares well conditioned).
    """
    n = len(values)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    key = group * _GROUP_STRIDE_DAYS + days
    start = np.searchsorted(key, key - 7 * window_weeks, side="right")
    ok = np.isfinite(values)
    centred = np.zeros(n)
    for g in np.unique(group):
        rows = group == g
        sel = rows & ok
        if sel.any():
            centred[sel] = values[sel] - values[sel].mean()
    c0 = np.concatenate([[0.0], np.cumsum(ok)])
    c1 = np.concatenate([[0.0], np.cumsum(centred)])
    c2 = np.concatenate([[0.0], np.cumsum(centred * centred)])
    end = np.arange(1, n + 1)
    cnt = c0[end] - c0[start]
    s1 = c1[end] - c1[start]
    s2 = c2[end] - c2[start]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s1 / cnt
        var = (s2 - s1 * mean) / (cnt - 1)
        # A flat window gives a variance of rounding noise: treat it as zero (no z-score).
        flat = var <= 1e-12 * np.maximum(s2 / cnt, np.finfo(float).tiny)
        z = (centred - mean) / np.sqrt(var)
    valid = ok & (cnt >= min_periods) & ~flat
    out[valid] = z[valid]
    return out


def positions_table(
    cftc: pd.DataFrame,
    *,
    dv01: Mapping[str, float] | None = None,
    window: int = DEFAULT_WINDOW_WEEKS,
    min_periods: int = DEFAULT_MIN_PERIODS,
) -> pd.DataFrame:
    """Per contract and trader group: net, % of open interest, notional, DV01, z-scores.

    Parameters
    ----------
    cftc : pandas.DataFrame
        Long CFTC TFF frame (columns :data:`REQUIRED_COLUMNS`; positions in contracts).
    dv01 : mapping, optional
        DV01 overrides, USD per bp per contract (see :func:`resolve_dv01_usd`).
    window : int, optional
        Z-score window in weeks (default 156).
    min_periods : int, optional
        Fewest reports in the window for a z-score (default 52).

    Returns
    -------
    pandas.DataFrame
        One row per input row of the six Treasury contracts, sorted by contract, group and
        date, with ``contract_key``, ``long``, ``short``, ``spreading``, ``open_interest``,
        ``net_contracts`` (long - short), ``net_pct_oi`` (net / open interest x 100, %),
        ``net_notional_bn`` (USD bn), ``net_dv01_mn`` (USD mn per bp),
        ``net_10y_eq_contracts``, ``weekly_change_contracts`` and
        ``weekly_change_10y_eq_contracts`` (NaN across a missing week), ``zscore_net`` (of
        ``net_10y_eq_contracts``) and ``zscore_weekly_change``.
    """
    _check_window(window, min_periods)
    table = resolve_dv01_usd(dv01)
    frame = _validate(cftc)
    ref = table[REFERENCE_CODE]
    face = frame["contract_code"].map({c.code: c.face_usd for c in TREASURY_FUTURES}).astype(float)
    dv = frame["contract_code"].map(table).astype(float)
    frame.insert(
        2, "contract_key", frame["contract_code"].map({c.code: c.key for c in TREASURY_FUTURES})
    )
    net = frame["long"] - frame["short"]
    frame["net_contracts"] = net
    frame["net_pct_oi"] = net / frame["open_interest"].where(frame["open_interest"] > 0) * PCT
    frame["net_notional_bn"] = net * face / USD_PER_BN
    frame["net_dv01_mn"] = net * dv / USD_PER_MN
    frame["net_10y_eq_contracts"] = net * dv / ref
    # Rows are sorted by contract, group and date (see _validate): number the groups.
    keys = frame["contract_code"] + "|" + frame["trader_group"].astype(str)
    group = np.cumsum(keys.ne(keys.shift()).to_numpy()).astype(np.int64)
    days = _day_numbers(frame["report_date"])
    net10 = frame["net_10y_eq_contracts"].to_numpy(dtype=float)
    change10 = _grouped_weekly_change(net10, group, days)
    frame["weekly_change_contracts"] = _grouped_weekly_change(
        frame["net_contracts"].to_numpy(dtype=float), group, days
    )
    frame["weekly_change_10y_eq_contracts"] = change10
    frame["zscore_net"] = _grouped_rolling_z(net10, group, days, window, min_periods)
    frame["zscore_weekly_change"] = _grouped_rolling_z(change10, group, days, window, min_periods)
    return frame


def rescaled_positions_table(
    table: pd.DataFrame,
    *,
    from_dv01: Mapping[str, float] | None,
    to_dv01: Mapping[str, float] | None,
) -> pd.DataFrame:
    """:func:`positions_table` with other DV01s, from a table built with ``from_dv01``.

    Only three columns depend on the DV01s, and each scales by a constant per contract:
    ``net_dv01_mn`` by the contract's DV01 ratio, ``net_10y_eq_contracts`` and
    ``weekly_change_10y_eq_contracts`` by that ratio over the reference contract's. The
    z-scores are of the 10y-equivalents within one contract and group, and a z-score does not
    change when its whole series is scaled by a positive constant, so they are kept. Equal to
    the table built from scratch up to rounding, at a small part of its cost (the DV01 table
    editor re-derives the whole history this way on every edit).
    """
    old, new = resolve_dv01_usd(from_dv01), resolve_dv01_usd(to_dv01)
    if old == new:
        return table
    ratio = table["contract_code"].map({code: new[code] / old[code] for code in new}).to_numpy(dtype=float)
    to_ref = old[REFERENCE_CODE] / new[REFERENCE_CODE]
    out = table.copy()
    out["net_dv01_mn"] = table["net_dv01_mn"].to_numpy(dtype=float) * ratio
    for col in ("net_10y_eq_contracts", "weekly_change_10y_eq_contracts"):
        out[col] = table[col].to_numpy(dtype=float) * (ratio * to_ref)
    return out


def aggregate_net(
    table: pd.DataFrame,
    *,
    trader_group: str,
    window: int = DEFAULT_WINDOW_WEEKS,
    min_periods: int = DEFAULT_MIN_PERIODS,
) -> pd.DataFrame:
    """One trader group's net position summed over the contracts, by report date.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`positions_table`.
    trader_group : str
        One of ``analytics.tenors.TRADER_GROUPS`` (``"lev_money"`` for the basis-trade
        proxy, ``"asset_mgr"`` for its mirror).
    window, min_periods : int, optional
        Z-score window in weeks and fewest reports (defaults 156 and 52).
    table, lev_net, am_net : pandas.DataFrame, optional
        The full-history :func:`positions_table`, :func:`leveraged_funds_net` and
        :func:`asset_managers_net` for these ``dv01``/``window``/``min_periods``, computed
        once per data revision; every row of them depends only on reports up to its date, so
        the as-of view is a row selection (computed here when absent).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``report_date``: ``n_contracts`` (contracts reporting), ``net_contracts``
        (sum of raw contracts: mixed face values, for reference), ``net_notional_bn``,
        ``net_dv01_mn``, ``net_10y_eq_contracts``, ``weekly_change_10y_eq_contracts`` (NaN
        across a missing week or when the set of contracts changed, e.g. when the Ultra 10y
        started in 2016), ``zscore_net`` and ``zscore_weekly_change``.
    """
    if trader_group not in TRADER_GROUPS:
        raise InputError("trader_group", f"trader_group must be one of {list(TRADER_GROUPS)}, got {trader_group!r}")
    _check_window(window, min_periods)
    rows = table[table["trader_group"] == trader_group]
    # One bit per contract: equal masks = same set of contracts reporting.
    bits = rows["contract_code"].map({c.code: 1 << i for i, c in enumerate(TREASURY_FUTURES)})
    grouped = rows.assign(contract_bit=bits).groupby("report_date", sort=True)
    agg = pd.DataFrame(
        {
            "n_contracts": grouped["contract_code"].nunique(),
            "net_contracts": grouped["net_contracts"].sum(),
            "net_notional_bn": grouped["net_notional_bn"].sum(),
            "net_dv01_mn": grouped["net_dv01_mn"].sum(),
            "net_10y_eq_contracts": grouped["net_10y_eq_contracts"].sum(),
        }
    )
    agg.index.name = "report_date"
    mask = grouped["contract_bit"].sum().to_numpy()
    same_set = np.concatenate([[False], mask[1:] == mask[:-1]])
    group = np.zeros(len(agg), dtype=np.int64)
    days = _day_numbers(agg.index)
    change = _grouped_weekly_change(agg["net_10y_eq_contracts"].to_numpy(dtype=float), group, days)
    change = np.where(same_set, change, np.nan)
    agg["weekly_change_10y_eq_contracts"] = change
    agg["zscore_net"] = _grouped_rolling_z(
        agg["net_10y_eq_contracts"].to_numpy(dtype=float), group, days, window, min_periods
    )
    agg["zscore_weekly_change"] = _grouped_rolling_z(change, group, days, window, min_periods)
    return agg


def leveraged_funds_net(
    table: pd.DataFrame,
    *,
    window: int = DEFAULT_WINDOW_WEEKS,
    min_periods: int = DEFAULT_MIN_PERIODS,
) -> pd.DataFrame:
    """Leveraged funds' aggregate net position: the cash-futures basis-trade proxy.

    See :func:`aggregate_net` (``trader_group="lev_money"``); negative = net short futures.
    """
    return aggregate_net(table, trader_group="lev_money", window=window, min_periods=min_periods)


def asset_managers_net(
    table: pd.DataFrame,
    *,
    window: int = DEFAULT_WINDOW_WEEKS,
    min_periods: int = DEFAULT_MIN_PERIODS,
) -> pd.DataFrame:
    """Asset managers' aggregate net position, the mirror image of the basis trade.

    See :func:`aggregate_net` (``trader_group="asset_mgr"``); positive = net long futures.
    """
    return aggregate_net(table, trader_group="asset_mgr", window=window, min_periods=min_periods)


def _none_if_nan(value: object) -> float | None:
    if value is None:
        return None
    fval = float(value)  # type: ignore[arg-type]
    return None if np.isnan(fval) else round(fval, 10)


def positioning_snapshot(
    cftc: pd.DataFrame,
    *,
    as_of: object,
    dv01: Mapping[str, float] | None = None,
    window: int = DEFAULT_WINDOW_WEEKS,
    min_periods: int = DEFAULT_MIN_PERIODS,
    table: pd.DataFrame | None = None,
    lev_net: pd.DataFrame | None = None,
    am_net: pd.DataFrame | None = None,
    history: PositioningHistory | None = None,
) -> dict[str, Any]:
    """Leveraged-fund (basis-trade) positioning as of a date, JSON-ready.

    Parameters
    ----------
    cftc : pandas.DataFrame
        Long CFTC TFF frame.
    as_of : date-like
        The latest report **released** on or before it is used (:func:`release_dates`).
    dv01 : mapping, optional
        DV01 overrides (USD per bp per contract), see :func:`resolve_dv01_usd`.
    window, min_periods : int, optional
        Z-score window in weeks and fewest reports (defaults 156 and 52).
    table, lev_net, am_net : pandas.DataFrame, optional
        The full-history :func:`positions_table`, :func:`leveraged_funds_net` and
        :func:`asset_managers_net` for these ``dv01``/``window``/``min_periods``, computed
        once per data revision; every row of them depends only on reports up to its date, so
        the as-of view is a row selection (computed here when absent).
    history : PositioningHistory, optional
        :func:`positioning_history` of these tables, built once per data revision: the
        released reports are then found by binary search (same result). Used only when built
        for the same DV01s, window and minimum (:meth:`PositioningHistory.fits`).

    Returns
    -------
    dict
        ``report_date`` (YYYY-MM-DD or None), ``release_date`` (when that report was
        published, YYYY-MM-DD or None), ``lev_funds_net_contracts`` ({contract key:
        int}), ``lev_funds_net_notional_bn``, ``lev_funds_net_10y_eq_contracts``,
        ``weekly_change_10y_eq_contracts`` (None across a missing week), ``zscore`` (of the
        aggregate 10y-equivalent net, None before ``min_periods`` reports),
        ``zscore_weekly_change``, ``asset_mgr_net_10y_eq_contracts``,
        ``dv01_usd_per_contract`` ({contract key: USD per bp} in use), ``stale`` (report
        older than :data:`STALE_AFTER_DAYS` days) and ``missing`` (readable lines).
    """
    ts = as_timestamp(as_of, example="2025-04-29")
    dv_table = resolve_dv01_usd(dv01)
    out: dict[str, Any] = {
        "report_date": None,
        "release_date": None,
        "lev_funds_net_contracts": {},
        "lev_funds_net_notional_bn": None,
        "lev_funds_net_10y_eq_contracts": None,
        "weekly_change_10y_eq_contracts": None,
        "zscore": None,
        "zscore_weekly_change": None,
        "asset_mgr_net_10y_eq_contracts": None,
        "dv01_usd_per_contract": {c.key: dv_table[c.code] for c in TREASURY_FUTURES},
        "stale": False,
        "missing": [],
    }
    missing: list[str] = out["missing"]
    if history is not None and history.fits(dv_table, window, min_periods):
        return _snapshot_lookup(history, ts, out, window, min_periods)
    if table is None:
        table = positions_table(cftc, dv01=dv01, window=window, min_periods=min_periods)
    report_days = pd.DatetimeIndex(table["report_date"].unique())
    released = report_days[release_dates(report_days) <= ts]
    table = table[table["report_date"].isin(released)]
    if lev_net is None:
        lev = leveraged_funds_net(table, window=window, min_periods=min_periods)
    else:  # rows of the full history depend only on earlier reports: keep the released ones
        lev = lev_net[lev_net.index.isin(released)]
    if lev.empty:
        missing.append(f"CFTC: no leveraged-funds report released on or before {ts:%Y-%m-%d}")
        return out
    last_date = pd.Timestamp(lev.index[-1])
    row = lev.iloc[-1]
    latest = table[(table["report_date"] == last_date) & (table["trader_group"] == "lev_money")]
    by_key = dict(zip(latest["contract_key"], latest["net_contracts"], strict=True))
    am = (asset_managers_net(table, window=window, min_periods=min_periods) if am_net is None
          else am_net[am_net.index.isin(released)])
    am_value = None
    if not am.empty and pd.Timestamp(am.index[-1]) == last_date:
        am_value = am["net_10y_eq_contracts"].iloc[-1]
    _fill(out, ts, last_date, release_dates(pd.DatetimeIndex([last_date]))[0],
          {k: row[k] for k in _ROW_COLUMNS}, by_key, am_value, window, min_periods)
    return out


#: Columns of the aggregate row a snapshot reads.
_ROW_COLUMNS: Final[tuple[str, ...]] = (
    "net_notional_bn", "net_10y_eq_contracts", "weekly_change_10y_eq_contracts", "zscore_net",
    "zscore_weekly_change",
)


def _fill(
    out: dict[str, Any],
    ts: pd.Timestamp,
    last_date: pd.Timestamp,
    release: pd.Timestamp,
    row: Mapping[str, Any],
    by_key: Mapping[str, Any],
    am_value: object,
    window: int,
    min_periods: int,
) -> None:
    """The snapshot's readings of the latest released report ``last_date``: its aggregate
    ``row``, leveraged funds' net by contract key, the asset managers' net (None when they did
    not report that day)."""
    missing: list[str] = out["missing"]
    out["report_date"] = last_date.strftime("%Y-%m-%d")
    out["release_date"] = release.strftime("%Y-%m-%d")
    age = (ts - last_date).days
    if age > STALE_AFTER_DAYS:
        out["stale"] = True
        missing.append(
            f"CFTC: latest report {last_date:%Y-%m-%d} is {age} days before as_of (stale after {STALE_AFTER_DAYS})"
        )
    # In the order of TREASURY_FUTURES (2y first) so that tables read the same every week.
    out["lev_funds_net_contracts"] = {
        c.key: int(by_key[c.key]) for c in TREASURY_FUTURES if c.key in by_key
    }
    absent = [c.key for c in TREASURY_FUTURES if c.key not in out["lev_funds_net_contracts"]]
    if absent:
        missing.append(f"CFTC {last_date:%Y-%m-%d}: no leveraged-funds row for {', '.join(absent)}")
    out["lev_funds_net_notional_bn"] = _none_if_nan(row["net_notional_bn"])
    out["lev_funds_net_10y_eq_contracts"] = _none_if_nan(row["net_10y_eq_contracts"])
    out["weekly_change_10y_eq_contracts"] = _none_if_nan(row["weekly_change_10y_eq_contracts"])
    if out["weekly_change_10y_eq_contracts"] is None:
        missing.append(
            f"weekly change: no report a week before {last_date:%Y-%m-%d} (gap in the history)"
        )
    out["zscore"] = _none_if_nan(row["zscore_net"])
    if out["zscore"] is None:
        missing.append(f"zscore: fewer than {min_periods} reports in the {window}-week window")
    out["zscore_weekly_change"] = _none_if_nan(row["zscore_weekly_change"])
    if am_value is not None:
        out["asset_mgr_net_10y_eq_contracts"] = _none_if_nan(am_value)


@dataclass(frozen=True, eq=False)
class PositioningHistory:
    """The date-independent part of :func:`positioning_snapshot`, built once per data revision.

    Attributes
    ----------
    dv01_usd, window, min_periods : what the tables were built with.
    lev_dates, lev_release : leveraged funds' report dates (ns since 1970, ascending) and their
        release dates (:func:`release_dates`).
    lev_rows : per report, the aggregate readings (columns ``_ROW_COLUMNS``).
    lev_by_key : per report, leveraged funds' net contracts by contract key.
    am_dates, am_release, am_net : the asset managers' report dates, release dates and
        aggregate 10y-equivalent net.
    """

    dv01_usd: dict[str, float]
    window: int
    min_periods: int
    lev_dates: npt.NDArray[np.int64]
    lev_release: npt.NDArray[np.int64]
    lev_rows: dict[str, npt.NDArray[np.float64]]
    lev_by_key: tuple[dict[str, float], ...]
    am_dates: npt.NDArray[np.int64]
    am_release: npt.NDArray[np.int64]
    am_net: npt.NDArray[np.float64]

    def fits(self, dv01_usd: Mapping[str, float], window: int, min_periods: int) -> bool:
        """True when built for these DV01s (resolved, by code), window and minimum."""
        return dict(dv01_usd) == self.dv01_usd and (window, min_periods) == (self.window, self.min_periods)


def _ns(index: pd.Index) -> npt.NDArray[np.int64]:
    return np.asarray(pd.DatetimeIndex(index).as_unit("ns").asi8, dtype=np.int64)


def positioning_history(
    cftc: pd.DataFrame,
    *,
    dv01: Mapping[str, float] | None = None,
    window: int = DEFAULT_WINDOW_WEEKS,
    min_periods: int = DEFAULT_MIN_PERIODS,
    table: pd.DataFrame | None = None,
    lev_net: pd.DataFrame | None = None,
    am_net: pd.DataFrame | None = None,
) -> PositioningHistory:
    """Everything of :func:`positioning_snapshot` that does not depend on the date.

    ``table``, ``lev_net`` and ``am_net`` as in :func:`positioning_snapshot` (computed when
    absent); the release date of every report is computed once here.
    """
    if table is None:
        table = positions_table(cftc, dv01=dv01, window=window, min_periods=min_periods)
    lev = leveraged_funds_net(table, window=window, min_periods=min_periods) if lev_net is None else lev_net
    am = asset_managers_net(table, window=window, min_periods=min_periods) if am_net is None else am_net
    rows = table[table["trader_group"] == "lev_money"]
    nets: dict[pd.Timestamp, dict[str, float]] = {}
    for day, key, net in zip(rows["report_date"], rows["contract_key"], rows["net_contracts"], strict=True):
        nets.setdefault(pd.Timestamp(day), {})[str(key)] = net
    lev_days = pd.DatetimeIndex(lev.index)
    am_days = pd.DatetimeIndex(am.index)
    return PositioningHistory(
        dv01_usd=resolve_dv01_usd(dv01),
        window=window,
        min_periods=min_periods,
        lev_dates=_ns(lev_days),
        lev_release=_ns(release_dates(lev_days)),
        lev_rows={k: lev[k].to_numpy(dtype=np.float64) for k in _ROW_COLUMNS},
        lev_by_key=tuple(nets.get(pd.Timestamp(d), {}) for d in lev_days),
        am_dates=_ns(am_days),
        am_release=_ns(release_dates(am_days)),
        am_net=am["net_10y_eq_contracts"].to_numpy(dtype=np.float64),
    )


def rescaled_history(
    base: PositioningHistory,
    *,
    dv01: Mapping[str, float] | None,
    lev_net: pd.DataFrame,
    am_net: pd.DataFrame,
) -> PositioningHistory:
    """:func:`positioning_history` for other DV01s from one built on the same CFTC rows.

    ``lev_net`` and ``am_net`` are the aggregates of the rescaled table
    (:func:`rescaled_positions_table`). Report and release dates and the raw net contracts by
    contract do not depend on the DV01s and are kept from ``base``.

    Raises
    ------
    ValueError
        When the aggregates are not on the base history's report dates.
    """
    if not (np.array_equal(_ns(pd.DatetimeIndex(lev_net.index)), base.lev_dates)
            and np.array_equal(_ns(pd.DatetimeIndex(am_net.index)), base.am_dates)):
        raise ValueError("rescaled_history: the aggregates are not on the base history's report dates")
    return replace(
        base,
        dv01_usd=resolve_dv01_usd(dv01),
        lev_rows={k: lev_net[k].to_numpy(dtype=np.float64) for k in _ROW_COLUMNS},
        am_net=am_net["net_10y_eq_contracts"].to_numpy(dtype=np.float64),
    )


def _snapshot_lookup(
    history: PositioningHistory, ts: pd.Timestamp, out: dict[str, Any], window: int, min_periods: int
) -> dict[str, Any]:
    # A report counts once released; release dates need not be in report order, so select
    # rather than search.
    released = np.flatnonzero(history.lev_release <= ts.value)
    if len(released) == 0:
        out["missing"].append(f"CFTC: no leveraged-funds report released on or before {ts:%Y-%m-%d}")
        return out
    pos = int(released[-1])
    last_date = pd.Timestamp(history.lev_dates[pos])
    am_value = None
    am_released = np.flatnonzero(history.am_release <= ts.value)
    if len(am_released) and history.am_dates[am_released[-1]] == history.lev_dates[pos]:
        am_value = history.am_net[am_released[-1]]
    row = {k: history.lev_rows[k][pos] for k in _ROW_COLUMNS}
    _fill(out, ts, last_date, pd.Timestamp(history.lev_release[pos]), row,
          history.lev_by_key[pos], am_value, window, min_periods)
    return out
