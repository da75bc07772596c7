"""Treasury coupon auctions: tail proxy, bid-to-cover, bidder shares, z-scores, weak flags.

Input: the auction series ``AUCT_<TENOR>_<FIELD>`` (see ``data.sources.auctions``) keyed by
auction date, and the CMT yields ``DGS<n>``.

* **Tail proxy** (bp) = high yield - the same tenor's CMT yield at the close of the business day
  *before* the auction. The market's tail is measured against the when-issued yield at the 1 pm
  bidding deadline, which is not freely published; the previous close also holds the move
  from that close to 1 pm (and a reopening's off-the-run gap), so read the proxy against the
  same tenor's history (its z-score), not as an absolute tail. See :data:`TAIL_CAVEAT`.
* **Z-scores** of tail, bid-to-cover, indirect and dealer shares against the same tenor's
  previous :data:`Z_AUCTIONS` auctions (at least :data:`Z_MIN_AUCTIONS`; auctions under
  :data:`TINY_SIZE_BN` are left out of both sides: small odd-lot reopenings).
* **Weak**: the mean of (tail z, -bid-to-cover z, dealer z) over those available (at least 2)
  is :data:`WEAK_SCORE` or more: a wide tail, thin cover and dealers left holding the issue
  are the usual signs, and requiring their average keeps one noisy leg from flagging.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = [
    "TENORS",
    "CMT_BY_TENOR",
    "Z_AUCTIONS",
    "Z_MIN_AUCTIONS",
    "TINY_SIZE_BN",
    "WEAK_SCORE",
    "RECENT_BUSINESS_DAYS",
    "TAIL_CAVEAT",
    "AuctionRow",
    "Auctions",
    "auction_table",
    "auctions_as_of",
    "AuctionLookup",
    "auction_lookup",
]

#: Tenor labels of the auction series, shortest first.
TENORS: Final[tuple[str, ...]] = ("2Y", "3Y", "5Y", "7Y", "10Y", "20Y", "30Y")
#: Tenor -> CMT series of the pre-auction yield.
CMT_BY_TENOR: Final[Mapping[str, str]] = MappingProxyType({t: f"DGS{t[:-1]}" for t in TENORS})
Z_AUCTIONS: Final = 12
Z_MIN_AUCTIONS: Final = 6
TINY_SIZE_BN: Final = 1.0
WEAK_SCORE: Final = 1.0
#: Business days covered by the snapshot's ``recent`` list (the date included).
RECENT_BUSINESS_DAYS: Final = 10
#: Most calendar days between the auction and the pre-auction close used.
MAX_PRE_GAP_DAYS: Final = 5
TAIL_CAVEAT: Final = (
    "Tail proxy = high yield minus the same tenor's CMT yield at the previous business day's "
    "close (when-issued yields at the 1 pm deadline are not free); it includes the market's "
    "move from that close to the auction, so compare it with the tenor's own history (z).")
_FIELDS: Final[Mapping[str, str]] = MappingProxyType({
    "HIGH_YIELD": "high_yield_pct", "DISPERSION": "dispersion_bp", "BTC": "bid_to_cover",
    "INDIRECT": "indirect_pct", "DIRECT": "direct_pct", "DEALER": "dealer_pct",
    "SIZE": "size_bn", "REOPENING": "reopening",
})
_Z_COLUMNS: Final[Mapping[str, str]] = MappingProxyType({
    "tail_bp": "tail_z", "bid_to_cover": "btc_z", "indirect_pct": "indirect_z", "dealer_pct": "dealer_z",
})
_COLUMNS: Final[tuple[str, ...]] = (
    "date", "tenor", *_FIELDS.values(), "pre_yield_pct", "pre_yield_date", "tail_bp",
    *_Z_COLUMNS.values(), "weakness", "weak",
)


def _pre_auction_yield(cmt: pd.Series, dates: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """CMT close of the last date strictly before each auction date (within 5 days)."""
    cmt = cmt.dropna().sort_index()
    if cmt.empty:
        return np.full(len(dates), np.nan), np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    pos = cmt.index.searchsorted(dates, side="left") - 1
    ok = pos >= 0
    values = np.full(len(dates), np.nan)
    days = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    values[ok] = cmt.to_numpy()[pos[ok]]
    days[ok] = cmt.index.to_numpy()[pos[ok]]
    gap = (dates.to_numpy() - days) / np.timedelta64(1, "D")
    stale = ~(gap <= MAX_PRE_GAP_DAYS)
    values[stale] = np.nan
    days[stale] = np.datetime64("NaT")
    return values, days


def _trailing_z(values: pd.Series, usable: pd.Series) -> pd.Series:
    """z of each value against the previous :data:`Z_AUCTIONS` usable values of the tenor."""
    # Usable rows are not always adjacent: roll over the usable, observed values only.
    keep = usable.to_numpy(dtype=bool) & np.isfinite(values.to_numpy(dtype=float))
    kept = pd.Series(values.to_numpy(dtype=float)[keep])
    past = kept.shift(1).rolling(Z_AUCTIONS, min_periods=Z_MIN_AUCTIONS)
    sd = past.std(ddof=1)
    z = (kept - past.mean()) / sd.where(sd > 0)
    out = np.full(len(values), np.nan)
    out[keep] = z.to_numpy()
    return pd.Series(out, index=values.index)


def auction_table(series: pd.DataFrame) -> pd.DataFrame:
    """One row per stored auction, oldest first (see the module docstring).

    Returns
    -------
    DataFrame with columns ``date``, ``tenor``, ``high_yield_pct``, ``dispersion_bp``,
    ``bid_to_cover``, ``indirect_pct``, ``direct_pct``, ``dealer_pct``, ``size_bn``,
    ``reopening``, ``pre_yield_pct``, ``pre_yield_date``, ``tail_bp``, ``tail_z``, ``btc_z``,
    ``indirect_z``, ``dealer_z``, ``weakness`` and ``weak`` (1.0 / 0.0, NaN when unscored).
    """
    parts = []
    for tenor in TENORS:
        cols = {f"AUCT_{tenor}_{f}": name for f, name in _FIELDS.items()}
        present = [c for c in cols if c in series.columns]
        if f"AUCT_{tenor}_HIGH_YIELD" not in present and f"AUCT_{tenor}_BTC" not in present:
            continue
        frame = series[present].dropna(how="all").rename(columns=cols)
        frame = frame.reindex(columns=list(_FIELDS.values()))
        if frame.empty:
            continue
        dates = pd.DatetimeIndex(frame.index)
        cmt = series[CMT_BY_TENOR[tenor]] if CMT_BY_TENOR[tenor] in series.columns else pd.Series(dtype=float)
        pre, pre_days = _pre_auction_yield(cmt, dates)
        frame["pre_yield_pct"] = pre
        frame["pre_yield_date"] = pre_days
        frame["tail_bp"] = (frame["high_yield_pct"] - frame["pre_yield_pct"]) * 100.0
        usable = ~(frame["size_bn"] < TINY_SIZE_BN)
        for source, target in _Z_COLUMNS.items():
            frame[target] = _trailing_z(frame[source], usable)
        legs = pd.concat([frame["tail_z"], -frame["btc_z"], frame["dealer_z"]], axis=1)
        enough = legs.notna().sum(axis=1) >= 2
        frame["weakness"] = legs.mean(axis=1).where(enough)
        frame["weak"] = (frame["weakness"] >= WEAK_SCORE).astype(float).where(enough)
        frame["tenor"] = tenor
        frame["date"] = dates
        parts.append(frame.reset_index(drop=True))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in _COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    order = {t: i for i, t in enumerate(TENORS)}
    out = out.assign(_o=out["tenor"].map(order)).sort_values(["date", "_o"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)[list(_COLUMNS)]


def _opt(value: object, decimals: int) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if not np.isfinite(number) else round(number, decimals)


@dataclass(frozen=True)
class AuctionRow:
    """One auction in the snapshot."""

    date: pd.Timestamp
    tenor: str
    high_yield_pct: float | None
    tail_bp: float | None
    bid_to_cover: float | None
    indirect_pct: float | None
    dealer_pct: float | None
    weak: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.strftime("%Y-%m-%d"), "tenor": self.tenor.lower(),
                "high_yield_pct": self.high_yield_pct, "tail_bp": self.tail_bp,
                "bid_to_cover": self.bid_to_cover, "indirect_pct": self.indirect_pct,
                "dealer_pct": self.dealer_pct, "weak": self.weak}


@dataclass(frozen=True)
class Auctions:
    """The auctions of the :data:`RECENT_BUSINESS_DAYS` business days up to a date."""

    start: pd.Timestamp
    end: pd.Timestamp
    recent: tuple[AuctionRow, ...]
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"recent": [r.to_dict() for r in self.recent], "from": self.start.strftime("%Y-%m-%d"),
                "to": self.end.strftime("%Y-%m-%d"), "tail_caveat": TAIL_CAVEAT,
                "missing": list(self.missing)}


#: The columns of the table a snapshot row reads.
_ROW_COLUMNS: Final = ("date", "tenor", "high_yield_pct", "tail_bp", "bid_to_cover", "indirect_pct",
                       "dealer_pct", "weak")


@dataclass(frozen=True, eq=False)
class AuctionLookup:
    """:func:`auction_table` ready for as-of lookups (computed once per data revision).

    ``dates``: the auction dates as int64 nanoseconds, in table order; ``columns``: the
    columns a snapshot row reads, as numpy arrays; ``last``: the latest auction date (None
    without auctions).
    """

    dates: np.ndarray
    columns: dict[str, np.ndarray]
    last: pd.Timestamp | None

    def row(self, i: int) -> AuctionRow:
        """The snapshot row of the auction at position ``i``."""
        c = self.columns
        weak = c["weak"][i]
        return AuctionRow(pd.Timestamp(c["date"][i]), str(c["tenor"][i]),
                          _opt(c["high_yield_pct"][i], 4), _opt(c["tail_bp"][i], 2),
                          _opt(c["bid_to_cover"][i], 3), _opt(c["indirect_pct"][i], 2),
                          _opt(c["dealer_pct"][i], 2), None if pd.isna(weak) else bool(weak))


def auction_lookup(table: pd.DataFrame) -> AuctionLookup:
    """The :class:`AuctionLookup` of an :func:`auction_table`."""
    columns = {name: table[name].to_numpy(copy=True) for name in _ROW_COLUMNS}
    if table.empty:
        return AuctionLookup(np.empty(0, dtype=np.int64), columns, None)
    dates = np.asarray(pd.DatetimeIndex(table["date"]).as_unit("ns").asi8, dtype=np.int64).copy()
    return AuctionLookup(dates, columns, pd.Timestamp(table["date"].max()))


def auctions_as_of(
    series: pd.DataFrame, as_of: pd.Timestamp, *,
    table: pd.DataFrame | AuctionLookup | None = None,
) -> Auctions:
    """Coupon auctions held in the 10 business days up to `as_of` (inclusive), oldest first.

    `table` is :func:`auction_table` of `series` or its :func:`auction_lookup` (then the call
    is a selection of precomputed rows), when already computed.
    """
    found = auction_table(series) if table is None else table
    lookup = found if isinstance(found, AuctionLookup) else auction_lookup(found)
    end = as_of.normalize()
    start = (end - pd.offsets.BDay(RECENT_BUSINESS_DAYS - 1)) if end.day_of_week < 5 else \
        (end - pd.offsets.BDay(RECENT_BUSINESS_DAYS))
    missing = []
    if lookup.last is None:
        missing.append("auctions: none stored (import the auction table or refresh --source auctions)")
    elif lookup.last < start:
        missing.append(f"auctions: none stored after {lookup.last.date()}")
    inside = (lookup.dates >= pd.Timestamp(start).value) & (lookup.dates <= end.value)
    recent = tuple(lookup.row(int(i)) for i in np.flatnonzero(inside))
    return Auctions(pd.Timestamp(start), end, recent, tuple(missing))
