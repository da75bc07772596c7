"""Foreign official demand, net liquidity and the official stress indices.

* **Foreign official custody** (``WMTSECL1``, H.4.1, Wednesday level, $mn): holdings in $bn,
  their 1-week and 4-week changes (against the level exactly 7 and 28 days earlier, so a
  missing week gives a missing change rather than a longer one), and the z-score of the
  4-week change against the previous :data:`CUSTODY_Z_WEEKS` weeks (past only; at least
  :data:`CUSTODY_Z_MIN_WEEKS`).
* **Net liquidity** on Wednesdays: Fed total assets (``WALCL``, $mn) minus the Treasury General
  Account (``WDTGAL``, Wednesday level, $mn; the week average ``WTREGEN`` in $bn fills weeks
  without it) minus ON RRP take-up (``RRPONTSYD``, else ``NYFED_RRP``, $bn, that Wednesday). A
  Wednesday without an ON RRP operation counts as 0 (the series omits days with no operation);
  after the last stored RRP date it is unknown. All in $bn, with the 4-week change.
* **Official stress indices**: OFR FSI (daily, 0 = average), St. Louis Fed STLFSI4 (weekly) and
  Chicago Fed NFCI (weekly), each as of a date with its own observation date.

Pure: frames in, frames and frozen dataclasses out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from analytics.asof import AsOfRows, as_of_rows
from analytics.checks import iso_day, series_column

__all__ = [
    "CUSTODY_ID",
    "CUSTODY_Z_WEEKS",
    "CUSTODY_Z_MIN_WEEKS",
    "FED_ASSETS_ID",
    "TGA_ID",
    "TGA_WEEK_AVG_ID",
    "RRP_IDS",
    "OFFICIAL_INDEX_IDS",
    "ForeignOfficial",
    "Liquidity",
    "OfficialIndices",
    "custody_history",
    "foreign_official_as_of",
    "net_liquidity_history",
    "liquidity_as_of",
    "official_indices_as_of",
    "official_indices_lookup",
    "value_as_of",
]

CUSTODY_ID: Final = "WMTSECL1"
FED_ASSETS_ID: Final = "WALCL"
TGA_ID: Final = "WDTGAL"
TGA_WEEK_AVG_ID: Final = "WTREGEN"
#: ON RRP take-up series, preferred first ($bn).
RRP_IDS: Final[tuple[str, ...]] = ("RRPONTSYD", "NYFED_RRP")
#: Weeks of past 4-week changes the custody z-score compares with (3 years), and the least.
CUSTODY_Z_WEEKS: Final = 156
CUSTODY_Z_MIN_WEEKS: Final = 52
#: Snapshot key -> series id of the official stress indices.
OFFICIAL_INDEX_IDS: Final[dict[str, str]] = {"ofr_fsi": "OFR_FSI", "stlfsi4": "STLFSI4", "nfci": "NFCI"}
#: A weekly value older than this many calendar days before the date is not reported.
MAX_AGE_WEEKLY_DAYS: Final = 21
#: A daily value older than this is not reported.
MAX_AGE_DAILY_DAYS: Final = 10
_MN_PER_BN: Final = 1000.0
_DECIMALS: Final = 3


_column = series_column


def _lagged(values: pd.Series, days: int) -> pd.Series:
    """The value exactly `days` calendar days before each date (NaN when not observed)."""
    earlier = values.reindex(pd.DatetimeIndex(values.index) - pd.Timedelta(days=days))
    return pd.Series(earlier.to_numpy(), index=values.index)


def _opt(value: object, decimals: int = _DECIMALS) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if not np.isfinite(number) else round(number, decimals)


_iso = iso_day


# -- foreign official custody -------------------------------------------------------------------
def custody_history(series: pd.DataFrame) -> pd.DataFrame:
    """Weekly custody holdings and changes.

    Returns
    -------
    DataFrame on the dates of ``WMTSECL1``: ``custody_bn``, ``change_1w_bn``,
    ``change_4w_bn`` and ``zscore`` (of the 4-week change, see the module docstring). Empty
    when the series is not stored.
    """
    level = _column(series, CUSTODY_ID) / _MN_PER_BN
    out = pd.DataFrame(index=level.index)
    out["custody_bn"] = level
    out["change_1w_bn"] = level - _lagged(level, 7)
    out["change_4w_bn"] = level - _lagged(level, 28)
    past = out["change_4w_bn"].shift(1).rolling(CUSTODY_Z_WEEKS, min_periods=CUSTODY_Z_MIN_WEEKS)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["zscore"] = (out["change_4w_bn"] - past.mean()) / past.std()
    out.index.name = "date"
    return out


@dataclass(frozen=True)
class ForeignOfficial:
    """Custody holdings as of a date (``date`` is the Wednesday of the reading)."""

    date: pd.Timestamp | None
    custody_bn: float | None
    change_1w_bn: float | None
    change_4w_bn: float | None
    zscore: float | None
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"custody_bn": self.custody_bn, "change_1w_bn": self.change_1w_bn,
                "change_4w_bn": self.change_4w_bn, "zscore": self.zscore, "date": _iso(self.date),
                "missing": list(self.missing)}


def _rows(history: pd.DataFrame | AsOfRows) -> AsOfRows:
    return history if isinstance(history, AsOfRows) else as_of_rows(history)


def foreign_official_as_of(
    series: pd.DataFrame, as_of: pd.Timestamp, *, history: pd.DataFrame | AsOfRows | None = None
) -> ForeignOfficial:
    """The custody reading of the last Wednesday on or before `as_of` (at most 3 weeks old).

    `history` is :func:`custody_history` of `series` or its
    :func:`analytics.asof.as_of_rows` (then the call is a row lookup), when already computed.
    """
    rows = _rows(custody_history(series) if history is None else history)
    pos = rows.fresh(as_of, MAX_AGE_WEEKLY_DAYS)
    if pos < 0:
        why = ("custody (WMTSECL1): not stored" if rows.empty
               else f"custody (WMTSECL1): no value within {MAX_AGE_WEEKLY_DAYS} days before {as_of.date()}")
        return ForeignOfficial(None, None, None, None, None, (why,))
    col = rows.columns
    return ForeignOfficial(rows.date(pos), _opt(col["custody_bn"][pos]), _opt(col["change_1w_bn"][pos]),
                           _opt(col["change_4w_bn"][pos]), _opt(col["zscore"][pos]))


# -- net liquidity --------------------------------------------------------------------------
def _rrp_on(series: pd.DataFrame, days: pd.DatetimeIndex) -> pd.Series:
    combined: pd.Series | None = None
    for sid in RRP_IDS:
        col = _column(series, sid)
        if col.empty:
            continue
        combined = col if combined is None else combined.combine_first(col)
    if combined is None:
        return pd.Series(np.nan, index=days)
    on_day = combined.reindex(days)
    # No operation that day = no take-up; after the last stored date it is not known yet.
    return on_day.where(on_day.notna() | (days > combined.index.max()), 0.0)


def net_liquidity_history(series: pd.DataFrame) -> pd.DataFrame:
    """Net liquidity on the Wednesdays of ``WALCL``, in $bn.

    Returns
    -------
    DataFrame: ``fed_assets_bn``, ``tga_bn``, ``rrp_bn``, ``net_liquidity_bn`` (NaN when a
    part is missing) and ``change_4w_bn`` (against exactly 28 days earlier).
    """
    assets = _column(series, FED_ASSETS_ID) / _MN_PER_BN
    days = pd.DatetimeIndex(assets.index, name="date")
    tga = (_column(series, TGA_ID) / _MN_PER_BN).reindex(days)
    tga = tga.combine_first(_column(series, TGA_WEEK_AVG_ID).reindex(days))
    out = pd.DataFrame(index=days)
    out["fed_assets_bn"] = assets
    out["tga_bn"] = tga
    out["rrp_bn"] = _rrp_on(series, days)
    out["net_liquidity_bn"] = out["fed_assets_bn"] - out["tga_bn"] - out["rrp_bn"]
    out["change_4w_bn"] = out["net_liquidity_bn"] - _lagged(out["net_liquidity_bn"], 28)
    return out


@dataclass(frozen=True)
class Liquidity:
    """Net liquidity and its parts as of a date ($bn; ``date`` is the Wednesday)."""

    date: pd.Timestamp | None
    fed_assets_bn: float | None
    tga_bn: float | None
    rrp_bn: float | None
    net_liquidity_bn: float | None
    change_4w_bn: float | None
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"fed_assets_bn": self.fed_assets_bn, "tga_bn": self.tga_bn, "rrp_bn": self.rrp_bn,
                "net_liquidity_bn": self.net_liquidity_bn, "change_4w_bn": self.change_4w_bn,
                "date": _iso(self.date), "missing": list(self.missing)}


def liquidity_as_of(
    series: pd.DataFrame, as_of: pd.Timestamp, *, history: pd.DataFrame | AsOfRows | None = None
) -> Liquidity:
    """Net liquidity on the last Wednesday on or before `as_of` (at most 3 weeks old).

    `history` is :func:`net_liquidity_history` of `series` or its
    :func:`analytics.asof.as_of_rows` (then the call is a row lookup), when already computed.
    """
    rows = _rows(net_liquidity_history(series) if history is None else history)
    pos = rows.fresh(as_of, MAX_AGE_WEEKLY_DAYS)
    if pos < 0:
        why = ("net liquidity: Fed assets (WALCL) not stored" if rows.empty
               else f"net liquidity: no WALCL within {MAX_AGE_WEEKLY_DAYS} days before {as_of.date()}")
        return Liquidity(None, None, None, None, None, None, (why,))
    col, day = rows.columns, rows.date(pos)
    missing = [f"net liquidity: {name} not stored for {day.date()}"
               for name, key in (("TGA (WDTGAL)", "tga_bn"), ("ON RRP (RRPONTSYD)", "rrp_bn"))
               if pd.isna(col[key][pos])]
    return Liquidity(day, _opt(col["fed_assets_bn"][pos]), _opt(col["tga_bn"][pos]),
                     _opt(col["rrp_bn"][pos]), _opt(col["net_liquidity_bn"][pos]),
                     _opt(col["change_4w_bn"][pos]), tuple(missing))


# -- official stress indices ------------------------------------------------------------------
def value_as_of(series: pd.DataFrame | AsOfRows, series_id: str, as_of: pd.Timestamp,
                max_age_days: int) -> tuple[float | None, pd.Timestamp | None]:
    """(value, its date) of the last observation on or before `as_of`, if at most
    `max_age_days` old; (None, None) otherwise.

    `series` is the wide series frame, or the :func:`analytics.asof.as_of_rows` of the one
    series' observations (then `series_id` only names it).
    """
    rows = series if isinstance(series, AsOfRows) else as_of_rows(_column(series, series_id))
    pos = rows.fresh(as_of, max_age_days)
    if pos < 0:
        return None, None
    return float(rows.columns["value"][pos]), rows.date(pos)


def official_indices_lookup(series: pd.DataFrame) -> dict[str, AsOfRows]:
    """Snapshot key -> the observations of that official index (NaN rows dropped), for
    :func:`official_indices_as_of` (computed once per data revision)."""
    return {key: as_of_rows(_column(series, sid)) for key, sid in OFFICIAL_INDEX_IDS.items()}


@dataclass(frozen=True)
class OfficialIndices:
    """OFR FSI, STLFSI4 and NFCI as of a date, each with its observation date."""

    ofr_fsi: float | None
    ofr_fsi_date: pd.Timestamp | None
    stlfsi4: float | None
    stlfsi4_date: pd.Timestamp | None
    nfci: float | None
    nfci_date: pd.Timestamp | None
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"ofr_fsi": self.ofr_fsi, "stlfsi4": self.stlfsi4, "nfci": self.nfci,
                "ofr_fsi_date": _iso(self.ofr_fsi_date), "stlfsi4_date": _iso(self.stlfsi4_date),
                "nfci_date": _iso(self.nfci_date), "missing": list(self.missing)}


def official_indices_as_of(series: pd.DataFrame, as_of: pd.Timestamp, *,
                           lookup: Mapping[str, AsOfRows] | None = None) -> OfficialIndices:
    """The three official indices on or before `as_of` (OFR within 10 days, the weeklies
    within 21).

    `lookup` is :func:`official_indices_lookup` of `series` (then the call is row lookups),
    when already computed.
    """
    observed = official_indices_lookup(series) if lookup is None else lookup
    found: dict[str, tuple[float | None, pd.Timestamp | None]] = {}
    missing = []
    for key, sid in OFFICIAL_INDEX_IDS.items():
        age = MAX_AGE_DAILY_DAYS if key == "ofr_fsi" else MAX_AGE_WEEKLY_DAYS
        value, day = value_as_of(observed[key], sid, as_of, age)
        found[key] = (_opt(value), day)
        if value is None:
            missing.append(f"{sid}: {'not stored' if sid not in series.columns else f'no value within {age} days before {as_of.date()}'}")
    return OfficialIndices(found["ofr_fsi"][0], found["ofr_fsi"][1], found["stlfsi4"][0],
                           found["stlfsi4"][1], found["nfci"][0], found["nfci"][1], tuple(missing))
