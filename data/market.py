"""What the app and the CLI read: a :class:`MarketData` from the store, or the DEMO set.

The store is read once per revision and kept per process: every worker computes the same
thing from the same file, and a refresh or import (which bumps the revision) is picked up on the
next call. Real and demo data are never mixed: an empty (or absent) store gives the DEMO set,
any stored data gives only stored data, with absent series shown as missing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

import pandas as pd

import config
from analytics.tenors import CMT_SERIES, TENORS
from config import StoreLocation
from data.catalogue import freshness, spec
from data.demo import DemoData, generate_demo
from data.derived_cache import code_digest, get_or_make
from data.store import CFTC_STATUS_ID, SeriesStatus, Store, StoreError

__all__ = ["Mode", "MarketData", "load_market_data", "demo_market_data", "clear_cache", "StoreError"]

Mode = Literal["live", "imported", "demo"]


@dataclass(frozen=True)
class MarketData:
    """Everything the analytics need, in the shapes documented in :mod:`data.model`.

    Attributes
    ----------
    mode : "live" (refreshed from the sources), "imported" (from files) or "demo".
    series : wide frame, DatetimeIndex "date", one float column per series id.
    cftc : CFTC positions, long form.
    revision : store revision the data was read at (-1 for demo).
    store_path : the store file (even when absent and the data is the demo set).
    """

    mode: Mode
    series: pd.DataFrame
    cftc: pd.DataFrame
    revision: int
    store_path: StoreLocation
    status_rows: tuple[SeriesStatus, ...] = field(default=(), repr=False)

    @cached_property
    def yields(self) -> pd.DataFrame:
        """CMT yields by tenor ("1m".."30y", %), rows with at least one tenor."""
        cols = {sid: tenor for tenor, sid in CMT_SERIES.items()}
        frame = self.series.reindex(columns=list(cols)).rename(columns=cols)
        frame = frame.reindex(columns=list(TENORS)).dropna(how="all")
        frame.index.name = "date"
        return frame

    @property
    def is_demo(self) -> bool:
        return self.mode == "demo"

    def column(self, series_id: str) -> pd.Series:
        """One series without its NaN rows (empty when absent)."""
        if series_id not in self.series.columns:
            return pd.Series(dtype=float, name=series_id)
        return self.series[series_id].dropna()

    def last_date(self) -> pd.Timestamp | None:
        ylds = self.yields
        return None if ylds.empty else ylds.index[-1]


_cache: dict[StoreLocation, MarketData] = {}
_demo: list[MarketData] = []
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def demo_market_data(store_path: StoreLocation | None = None) -> MarketData:
    """The DEMO data set (generated once per process)."""
    with _lock:
        if not _demo:
            # Seeded and fixed-length: the same on every start of the same code, so kept
            # between runs (data/derived_cache.py); the status rows depend on today. Keyed by
            # the whole of data/ and analytics/: the generator reads modules of both.
            demo = get_or_make("demo-data", code_digest("analytics", "data"), generate_demo,
                               DemoData)
            _demo.append(
                MarketData("demo", demo.series, demo.cftc, -1, Path(), _demo_status(demo.series, demo.cftc))
            )
    base = _demo[0]
    return MarketData(base.mode, base.series, base.cftc, base.revision,
                      store_path or config.store_path(), base.status_rows)


def load_market_data(store_path: str | Path | None = None) -> MarketData:
    """Read the store at `store_path` (default: config), or the DEMO set if it is empty.

    Raises
    ------
    StoreError
        When the file exists but is not a readable store (the message says why).
    """
    path = config.store_path(store_path)
    if not path.exists():
        return demo_market_data(path)
    with Store.open(path, create=False) as store:
        revision = store.revision()
        cached = _cache.get(path)
        if cached is not None and cached.revision == revision:
            return cached
        origin = store.origin()
        if origin is None:
            return demo_market_data(path)
        data = MarketData(
            "live" if origin == "live" else "imported",
            store.read_series(),
            store.read_cftc(),
            revision,
            path,
            tuple(store.status()),
        )
    with _lock:
        _cache[path] = data
    return data


def _demo_status(series: pd.DataFrame, cftc: pd.DataFrame) -> tuple[SeriesStatus, ...]:
    today = datetime.now(UTC).date()
    rows = []
    for sid in series.columns:
        col = series[sid].dropna()
        rows.append(_status_row(sid, col.index.min(), col.index.max(), len(col), today))
    rows.append(_status_row(CFTC_STATUS_ID, cftc["report_date"].min(), cftc["report_date"].max(),
                            len(cftc), today))
    return tuple(sorted(rows, key=lambda r: r.series_id))


def _status_row(sid: str, first: pd.Timestamp, last: pd.Timestamp, rows: int, today: date) -> SeriesStatus:
    entry = spec(sid) if sid != CFTC_STATUS_ID else None
    freq = entry.frequency if entry else "weekly"
    title = entry.title if entry else "CFTC Traders in Financial Futures (6 Treasury futures)"
    last_iso = last.date().isoformat()
    stale, label = freshness(sid, freq, last_iso, today)
    return SeriesStatus(sid, title, "DEMO", "demo", first.date().isoformat(), last_iso,
                        rows, None, None, None, stale, (today - last.date()).days, freq, label)
