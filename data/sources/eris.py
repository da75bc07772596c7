"""Eris (CME) free daily SOFR par swap curve: ``Eris_YYYYMMDD_EOD_ParCouponCurve_SOFR.csv``.

Where (other projects' clients, no recording here): the file of a day is at
``https://files.erisfutures.com/ftp/Eris_YYYYMMDD_EOD_ParCouponCurve_SOFR.csv`` for recent
dates and under ``ftp/archives/YYYY/MM-MonthName/`` for older ones; a day without a file
(holiday) answers 404.

**Assumed format, to be checked on the first live run** (DATA_SOURCES.md has no recording; it
is taken from other projects' parsers): one row per tenor, columns including ``Symbol``
(``SOFR1M`` ... ``SOFR10Y`` ... ``SOFR50Y``), ``EvaluationDate`` (``MM/DD/YYYY``) and
``FairCoupon (%)`` (the par swap rate, already in percent). The parser is defensive: the header
is the first line (among the first 20) naming a symbol/tenor column and a coupon/rate column;
columns are matched by name; dates may be ``MM/DD/YYYY``, ISO or ``YYYYMMDD``, and when no
date column exists the date in the file name (the fetch label) is used; rates in a column
without ``%`` whose values all look like fractions (below 0.25) are multiplied by 100.

Stored: whole-year tenors of :data:`data.sources.swapcurve.SWAP_TENORS_Y` as
``SOFRSWP<n>Y`` (%). Swap spreads (analytics.swaps) pick them up next to FRED's ICE (LIBOR)
series, which stop in 2016.
"""

from __future__ import annotations

import calendar
import csv
import re
from datetime import date, timedelta
from typing import Any, ClassVar, Final

import numpy as np
import pandas as pd

import config
from data.http import SourceError
from data.model import Batch
from data.sources import (
    FetchUnit,
    PayloadError,
    Provider,
    Query,
    decode_text,
    observations_batch,
    read_csv_table,
    restrict,
)
from data.sources.swapcurve import ERIS_PREFIX, SWAP_TENORS_Y, swap_series_id, tenor_years

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_LOOKBACK_DAYS",
    "MAX_DAYS_PER_REFRESH",
    "ErisProvider",
    "PROVIDER",
    "eris_file_name",
    "eris_series",
    "looks_like_eris_curve",
    "parse_eris_curve",
]

SOURCE: Final[str] = "eris"
DEFAULT_BASE_URL: Final[str] = "https://files.erisfutures.com"
#: Calendar days fetched when nothing is stored yet (one request per business day).
DEFAULT_LOOKBACK_DAYS: Final[int] = 30
#: Most business days one refresh asks for (older history: import the files).
MAX_DAYS_PER_REFRESH: Final[int] = 120
_HEADER_SEARCH_LINES: Final[int] = 20
_FRACTION_LIMIT: Final[float] = 0.25
_NAME_DATE = re.compile(r"(\d{8})")


def eris_series() -> tuple[str, ...]:
    """Series ids this module writes."""
    return tuple(f"{ERIS_PREFIX}{n}Y" for n in SWAP_TENORS_Y)


def eris_file_name(day: date) -> str:
    """``Eris_20250411_EOD_ParCouponCurve_SOFR.csv`` for 2025-04-11."""
    return f"Eris_{day:%Y%m%d}_EOD_ParCouponCurve_SOFR.csv"


def _fields(line: str) -> list[str]:
    return [f.strip().lower() for f in next(csv.reader([line]), [])]


def _is_symbol(name: str) -> bool:
    return name in ("symbol", "tenor", "instrument", "contract")


def _is_rate(name: str) -> bool:
    return "coupon" in name or name in ("rate", "par rate", "parrate", "swap rate")


def _header_index(lines: list[str]) -> int | None:
    for i, line in enumerate(lines[:_HEADER_SEARCH_LINES]):
        names = _fields(line)
        if any(_is_symbol(n) for n in names) and any(_is_rate(n) for n in names):
            return i
    return None


def looks_like_eris_curve(head: str) -> bool:
    """True when a line among the first ones names a ``Symbol`` and a ``FairCoupon`` column."""
    lines = head.splitlines()[:_HEADER_SEARCH_LINES]
    return any("symbol" in _fields(line) and any("coupon" in n for n in _fields(line))
               for line in lines)


def _parse_day(text: str) -> pd.Timestamp | None:
    text = text.strip()
    for fmt in ("%m/%d/%Y", "%Y-%m-%d", "%Y%m%d", "%m/%d/%y"):
        try:
            return pd.Timestamp(pd.to_datetime(text, format=fmt))
        except ValueError:
            continue
    return None


def parse_eris_curve(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse one Eris par coupon curve file into ``SOFRSWP<n>Y`` observations (%).

    `label` (the URL or file name) gives the date when the file has no date column.

    Raises
    ------
    PayloadError
        No header with a symbol and a coupon column, a bad date, tenor or rate, or a tenor
        given twice for one date.
    """
    text = decode_text(payload)
    lines = text.splitlines()
    header = _header_index(lines)
    if header is None:
        raise PayloadError("not an Eris par coupon curve: no header with a Symbol and a "
                           "FairCoupon column within the first lines")
    table = read_csv_table(text, header_index=header, lines=lines)
    frame = table.frame
    names = {c.strip().lower(): c for c in frame.columns}
    symbol_col = next(names[n] for n in names if _is_symbol(n))
    rate_col = next(names[n] for n in names if _is_rate(n))
    date_col = next((names[n] for n in names if "evaluation" in n), None) or names.get("date")
    fallback = _NAME_DATE.search(label or "")
    fallback_day = _parse_day(fallback.group(1)) if fallback else None
    ids, days, values = [], [], []
    records: list[dict[Any, Any]] = frame.to_dict("records")
    for line, row in zip(frame.index.tolist(), records, strict=True):
        sid = swap_series_id(ERIS_PREFIX, tenor_years(row[symbol_col]))
        if sid is None:
            continue  # 1W, 18M, 40Y...: not a stored tenor
        if date_col is not None:
            day = _parse_day(str(row[date_col]))
            if day is None:
                raise PayloadError(f"{row[date_col]!r} is not a date (MM/DD/YYYY)", line=int(line),
                                   column=date_col)
        elif fallback_day is not None:
            day = fallback_day
        else:
            raise PayloadError("no EvaluationDate column and no date in the file name")
        raw = str(row[rate_col]).strip()
        if raw in ("", "NA", "N/A", "."):
            continue
        try:
            value = float(raw)
        except ValueError as exc:
            raise PayloadError(f"{raw!r} is not a number", line=int(line), column=rate_col) from exc
        if not np.isfinite(value):
            raise PayloadError(f"{raw!r} is not a finite number", line=int(line), column=rate_col)
        ids.append(sid)
        days.append(day)
        values.append(value)
    out = pd.DataFrame({"series_id": pd.Series(ids, dtype=object),
                        "date": pd.Series(days, dtype="datetime64[ns]"),
                        "value": pd.Series(values, dtype=float)})
    if "%" not in rate_col and len(out) and float(out["value"].abs().max()) < _FRACTION_LIMIT:
        out["value"] = out["value"] * 100.0  # a fraction column (0.0412 = 4.12 %)
    repeated = out.duplicated(["series_id", "date"]).to_numpy()
    if repeated.any():
        at = int(np.argmax(repeated))
        raise PayloadError(f"{out['series_id'].iloc[at]} on {out['date'].iloc[at]:%Y-%m-%d} appears twice")
    return observations_batch(SOURCE, origin, out, label)


class ErisProvider(Provider):
    """Eris: one file per business day from the start (the last :data:`DEFAULT_LOOKBACK_DAYS`
    days when nothing is stored), at most :data:`MAX_DAYS_PER_REFRESH` days per refresh; a
    day whose file is absent at both places (a holiday) gives no rows, not an error."""

    name: ClassVar[str] = SOURCE

    def series_ids(self) -> tuple[str, ...]:
        return eris_series()

    def plan(self, query: Query) -> list[FetchUnit]:
        wanted = tuple(s for s in self.series_ids() if s in query.starts)
        if not wanted:
            return []
        start = query.start_of(wanted) or (query.end - timedelta(days=DEFAULT_LOOKBACK_DAYS))
        days = pd.bdate_range(start, query.end)[-MAX_DAYS_PER_REFRESH:]
        base = config.base_url(SOURCE, DEFAULT_BASE_URL) + "/ftp"
        return [FetchUnit(wanted, f"{base}/{eris_file_name(d.date())}", {}, None,
                          f"{d:%Y-%m-%d}", browser=True) for d in days]

    def extract(self, unit: FetchUnit) -> bytes:
        try:
            return super().extract(unit)
        except SourceError as exc:
            if exc.status != 404:
                raise
        day = date.fromisoformat(unit.label)
        base, name = unit.url.rsplit("/", 1)
        archive = f"{base}/archives/{day.year}/{day.month:02d}-{calendar.month_name[day.month]}/{name}"
        try:
            return self.client.get(archive, source=self.name, series=unit.label, browser=True)
        except SourceError as exc:
            if exc.status == 404:
                return b""  # no file that day: a holiday
            raise

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        if not payload.strip():
            return observations_batch(SOURCE, "live", pd.DataFrame(
                {"series_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]"),
                 "value": pd.Series(dtype=float)}), unit.url)
        batch = parse_eris_curve(payload, label=unit.url)
        return restrict(batch, series_ids=unit.series_ids, start=None)


PROVIDER = ErisProvider
