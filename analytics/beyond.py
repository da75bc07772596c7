"""The issue-11 snapshot keys in one call, and their full-history precomputation.

:func:`beyond_histories` runs every full-history computation once (per store revision) and
keeps the histories ready for as-of lookups (:class:`BeyondLookups`: observation dates sorted,
NaN rows dropped, auction rows built); :func:`beyond_snapshot` reads the seven snapshot keys as
of a date from those (binary searches and array reads), else computing them. Keys and their
contract:

* ``foreign_official{custody_bn, change_1w_bn, change_4w_bn, zscore}``
* ``liquidity{fed_assets_bn, tga_bn, rrp_bn, net_liquidity_bn, change_4w_bn}``
* ``term_premium{acm_10y_pct, kim_wright_10y_pct, change_1m_bp, expected_path_1m_bp}``
* ``real_yields{real_10y_pct, breakeven_10y_pct, forward_5y5y_pct}``
* ``auctions{recent: [{date, tenor, high_yield_pct, tail_bp, bid_to_cover, indirect_pct,
  dealer_pct, weak}]}``
* ``official_indices{ofr_fsi, stlfsi4, nfci}``
* ``sell_america{signal, dollar_pct, equities_pct, yield_10y_bp, window_days}``

Each also carries the observation date(s) of its values and a ``missing`` list saying what is
absent and why.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from analytics.asof import AsOfRows, as_of_rows
from analytics.auctions import AuctionLookup, auction_lookup, auction_table, auctions_as_of
from analytics.crossasset import (
    DEFAULT_MIN_YIELD_CHANGE_BP,
    DEFAULT_WINDOW_DAYS,
    sell_america_as_of,
    sell_america_history,
)
from analytics.official import (
    custody_history,
    foreign_official_as_of,
    liquidity_as_of,
    net_liquidity_history,
    official_indices_as_of,
    official_indices_lookup,
)
from analytics.real_yields import (
    RealYieldsLookup,
    real_yield_history,
    real_yields_as_of,
    real_yields_lookup,
)
from analytics.tenors import CMT_SERIES, TENORS
from analytics.term_premium import (
    TermPremiumLookup,
    term_premium_as_of,
    term_premium_history,
    term_premium_lookup,
)

__all__ = ["BEYOND_KEYS", "BeyondHistories", "BeyondLookups", "SellAmerica", "beyond_histories",
           "beyond_lookups", "beyond_snapshot", "yields_from_series"]

#: The snapshot keys :func:`beyond_snapshot` returns, in order.
BEYOND_KEYS: Final[tuple[str, ...]] = (
    "foreign_official", "liquidity", "term_premium", "real_yields", "auctions", "official_indices",
    "sell_america",
)


def yields_from_series(series: pd.DataFrame) -> pd.DataFrame:
    """The CMT yields frame (tenor columns "1m".."30y", %) from the wide series frame."""
    cols = {sid: tenor for tenor, sid in CMT_SERIES.items()}
    frame = series.reindex(columns=list(cols)).rename(columns=cols).reindex(columns=list(TENORS))
    frame = frame.dropna(how="all")
    frame.index.name = "date"
    return frame


@dataclass(frozen=True, eq=False)
class BeyondLookups:
    """The histories ready for as-of lookups: what :func:`beyond_snapshot` reads per date
    (binary searches and array reads, no pass over a history)."""

    custody: AsOfRows
    liquidity: AsOfRows
    term_premium: TermPremiumLookup
    real_yields: RealYieldsLookup
    auctions: AuctionLookup
    official_indices: dict[str, AsOfRows]
    sell_america: AsOfRows


@dataclass(frozen=True)
class BeyondHistories:
    """Every full-history frame the snapshot keys read (compute once per data revision).

    ``lookups`` holds the same histories ready for as-of lookups (None in a state persisted
    before they existed: :func:`beyond_lookups` then builds them from the frames).
    """

    custody: pd.DataFrame
    liquidity: pd.DataFrame
    term_premium: pd.DataFrame
    real_yields: pd.DataFrame
    auctions: pd.DataFrame
    sell_america: pd.DataFrame
    # A default, so that a state pickled without the field loads with None (see above).
    lookups: BeyondLookups | None = None


#: The columns of the sell-America history a reading needs.
_SELL_AMERICA_COLUMNS: Final = ("yield_change_bp", "dollar_change_pct", "equity_change_pct", "flag",
                                "score")


def _lookups(series: pd.DataFrame, custody: pd.DataFrame, liquidity: pd.DataFrame,
             term_premium: pd.DataFrame, real_yields: pd.DataFrame, auctions: pd.DataFrame,
             sell_america: pd.DataFrame) -> BeyondLookups:
    return BeyondLookups(
        custody=as_of_rows(custody),
        liquidity=as_of_rows(liquidity),
        term_premium=term_premium_lookup(term_premium),
        real_yields=real_yields_lookup(real_yields),
        auctions=auction_lookup(auctions),
        official_indices=official_indices_lookup(series),
        sell_america=as_of_rows(sell_america, _SELL_AMERICA_COLUMNS),
    )


def beyond_histories(series: pd.DataFrame, *, sell_america: pd.DataFrame | None = None) -> BeyondHistories:
    """The full-history frames of `series` and their lookups (`sell_america`: an already
    computed :func:`analytics.crossasset.sell_america_history`)."""
    custody = custody_history(series)
    liquidity = net_liquidity_history(series)
    term_premium = term_premium_history(series)
    real_yields = real_yield_history(series)
    auctions = auction_table(series)
    sell = (sell_america_history(yields_from_series(series), series)
            if sell_america is None else sell_america)
    return BeyondHistories(
        custody=custody, liquidity=liquidity, term_premium=term_premium, real_yields=real_yields,
        auctions=auctions, sell_america=sell,
        lookups=_lookups(series, custody, liquidity, term_premium, real_yields, auctions, sell),
    )


#: Lookups built for histories persisted without them, by the histories' identity (the
#: histories held too, so that an id is never reused while its entry lives); a few kept.
_BUILT: dict[int, tuple[BeyondHistories, BeyondLookups]] = {}
_BUILT_KEPT: Final = 2
_BUILT_LOCK = threading.Lock()


def beyond_lookups(histories: BeyondHistories, series: pd.DataFrame) -> BeyondLookups:
    """The lookups of `histories` (the histories of `series`): the precomputed ones; for
    histories persisted before they existed, built from the frames once per histories object."""
    if histories.lookups is not None:
        return histories.lookups
    with _BUILT_LOCK:
        found = _BUILT.get(id(histories))
        if found is not None and found[0] is histories:
            return found[1]
        h = histories
        built = _lookups(series, h.custody, h.liquidity, h.term_premium, h.real_yields, h.auctions,
                         h.sell_america)
        while len(_BUILT) >= _BUILT_KEPT:
            _BUILT.pop(next(iter(_BUILT)))
        _BUILT[id(histories)] = (histories, built)
        return built


def _r(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


@dataclass(frozen=True)
class SellAmerica:
    """The sell-America signature as of a date (legs over ``window_days`` business days)."""

    signal: bool | None
    dollar_pct: float | None
    equities_pct: float | None
    yield_10y_bp: float | None
    window_days: int
    date: pd.Timestamp | None
    score: float | None
    min_yield_change_bp: float
    missing: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"signal": self.signal, "dollar_pct": _r(self.dollar_pct, 3),
                "equities_pct": _r(self.equities_pct, 3), "yield_10y_bp": _r(self.yield_10y_bp, 2),
                "window_days": self.window_days,
                "date": None if self.date is None else self.date.strftime("%Y-%m-%d"),
                "score": _r(self.score, 3), "min_yield_change_bp": self.min_yield_change_bp,
                "missing": list(self.missing)}


def _sell_america(history: AsOfRows, as_of: pd.Timestamp) -> SellAmerica:
    reading = sell_america_as_of(history, as_of=as_of)
    missing = []
    for value, what in ((reading.yield_change_bp, "10y yield (DGS10)"),
                        (reading.dollar_change_pct, "broad dollar (DTWEXBGS)"),
                        (reading.equity_change_pct, "S&P 500 (SP500)")):
        if value is None:
            missing.append(f"sell America: {what} change over {DEFAULT_WINDOW_DAYS} days not available")
    return SellAmerica(reading.flag, reading.dollar_change_pct, reading.equity_change_pct,
                       reading.yield_change_bp, reading.window_days, reading.date, reading.score,
                       DEFAULT_MIN_YIELD_CHANGE_BP, tuple(missing))


def beyond_snapshot(
    series: pd.DataFrame, as_of: pd.Timestamp, *, histories: BeyondHistories | None = None
) -> dict[str, Any]:
    """The seven issue-11 snapshot keys (:data:`BEYOND_KEYS`) as of `as_of`.

    Parameters
    ----------
    series : wide series frame (DatetimeIndex, one column per series id).
    as_of : date of the snapshot; each value is the last on or before it.
    histories : optional :func:`beyond_histories` of `series`, precomputed; with its lookups
        the call is row lookups only (well under a millisecond per key).
    """
    when = pd.Timestamp(as_of)
    h = beyond_histories(series) if histories is None else histories
    lk = beyond_lookups(h, series)
    return {
        "foreign_official": foreign_official_as_of(series, when, history=lk.custody).to_dict(),
        "liquidity": liquidity_as_of(series, when, history=lk.liquidity).to_dict(),
        "term_premium": term_premium_as_of(series, when, history=lk.term_premium).to_dict(),
        "real_yields": real_yields_as_of(series, when, history=lk.real_yields).to_dict(),
        "auctions": auctions_as_of(series, when, table=lk.auctions).to_dict(),
        "official_indices": official_indices_as_of(series, when, lookup=lk.official_indices).to_dict(),
        "sell_america": _sell_america(lk.sell_america, when).to_dict(),
    }
