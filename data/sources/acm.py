"""NY Fed Adrian-Crump-Moench (ACM) term premium workbook (``ACMTermPremium.xls``).

Payload (DATA_SOURCES.md section 13a, [FIX/DOC], no recording): a legacy ``.xls`` workbook read
with ``xlrd`` (openpyxl cannot open it). Sheet ``ACM Daily``, header in the first row: ``DATE``,
``ACMTP01``..``ACMTP10`` (term premium), ``ACMRNY01``..``ACMRNY10`` (risk-neutral yield, the
expected path of short rates), ``ACMY01``..``ACMY10`` (fitted zero-coupon yield), in percent.
``DATE`` is an Excel date or text such as ``14-Jun-1961``; ISO text is accepted as well.

Parsed defensively (the format is to be checked on the first live run): the sheet is found by
name (case-insensitive; else the only sheet with a ``DATE`` and an ``ACMTP10`` column), the
header row is the first row whose first cell reads ``DATE``, columns are matched by name, and
rows may come in any order. Kept: :data:`KEPT_COLUMNS` (the 10-year tenor).

``THREEFYTP10`` on FRED is the Kim-Wright model, **not** ACM; the two are kept apart.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Final

import numpy as np
import pandas as pd

import config
from data.model import Batch
from data.sources import (
    FetchUnit,
    PayloadError,
    Provider,
    Query,
    check_unique_dates,
    observations_batch,
    restrict,
    wide_to_observations,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "KEPT_COLUMNS",
    "OLE2_MAGIC",
    "SHEET",
    "AcmProvider",
    "PROVIDER",
    "looks_like_acm_xls",
    "parse_acm_xls",
]

SOURCE: Final[str] = "acm"
DEFAULT_BASE_URL: Final[str] = "https://www.newyorkfed.org"
_PATH: Final[str] = "/medialibrary/media/research/data_indicators/ACMTermPremium.xls"
#: Sheet with the daily estimates.
SHEET: Final[str] = "ACM Daily"
#: Workbook columns kept (their names are the series ids).
KEPT_COLUMNS: Final[tuple[str, ...]] = ("ACMTP10", "ACMRNY10", "ACMY10")
#: First bytes of every legacy Office (OLE2 / BIFF) file.
OLE2_MAGIC: Final[bytes] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TEXT_DATE_FORMATS: Final[tuple[str, ...]] = ("%d-%b-%Y", "%Y-%m-%d", "%m/%d/%Y", "%d-%b-%y")
_HEADER_SEARCH_ROWS: Final[int] = 20


def looks_like_acm_xls(payload: bytes) -> bool:
    """True when `payload` is a legacy Excel workbook (the only .xls format this app reads)."""
    return payload[:8] == OLE2_MAGIC


def _text_date(text: str) -> datetime | None:
    for fmt in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def _open_sheet(payload: bytes) -> Any:
    import xlrd  # noqa: PLC0415 - only the ACM workbook needs it

    try:
        book = xlrd.open_workbook(file_contents=payload, on_demand=True)
    except Exception as exc:  # noqa: BLE001 - xlrd raises many types for a bad file
        raise PayloadError(f"not a readable .xls workbook: {exc}") from exc
    names = list(book.sheet_names())
    wanted = next((n for n in names if n.strip().lower() == SHEET.lower()), None)
    if wanted is not None:
        return book.sheet_by_name(wanted), book.datemode
    for name in names:
        sheet = book.sheet_by_name(name)
        if _header_row(sheet) is not None:
            return sheet, book.datemode
    raise PayloadError(f"no sheet {SHEET!r} (sheets: {', '.join(names)}) and no sheet with a "
                       "DATE and an ACMTP10 column")


def _header_row(sheet: Any) -> int | None:
    for r in range(min(sheet.nrows, _HEADER_SEARCH_ROWS)):
        cells = [str(v).strip().upper() for v in sheet.row_values(r)]
        if cells[:1] == ["DATE"] and "ACMTP10" in cells:
            return r
    return None


def parse_acm_xls(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse the ACM workbook into :data:`KEPT_COLUMNS` (percent).

    Raises
    ------
    PayloadError
        Not a workbook, no daily sheet, no header, a bad date or value (line = worksheet row,
        1-based), a repeated date.
    """
    import xlrd  # noqa: PLC0415

    sheet, datemode = _open_sheet(payload)
    header = _header_row(sheet)
    if header is None:
        raise PayloadError(f"sheet {sheet.name!r} has no header row starting with DATE and "
                           "holding ACMTP10")
    names = [str(v).strip().upper() for v in sheet.row_values(header)]
    positions = {c: names.index(c) for c in KEPT_COLUMNS if c in names}
    dates: list[pd.Timestamp] = []
    lines: list[int] = []
    columns: dict[str, list[float]] = {c: [] for c in positions}
    for r in range(header + 1, sheet.nrows):
        row = sheet.row(r)
        if not row or all(cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) for cell in row):
            continue
        cell = row[0]
        when: datetime | None
        if cell.ctype in (xlrd.XL_CELL_DATE, xlrd.XL_CELL_NUMBER):
            try:
                when = xlrd.xldate_as_datetime(cell.value, datemode)
            except Exception as exc:  # noqa: BLE001 - xlrd's XLDateError family
                raise PayloadError(f"{cell.value!r} is not a date", line=r + 1, column="DATE") from exc
        else:
            when = _text_date(str(cell.value))
            if when is None:
                raise PayloadError(f"{cell.value!r} is not a date (e.g. 14-Jun-1961)", line=r + 1,
                                   column="DATE")
        dates.append(pd.Timestamp(when).normalize())
        lines.append(r + 1)
        for name, c in positions.items():
            value = row[c].value if c < len(row) else ""
            if isinstance(value, str):
                text = value.strip()
                if text in ("", ".", "NA", "#N/A"):
                    columns[name].append(np.nan)
                    continue
                if not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", text):
                    raise PayloadError(f"{value!r} is not a number", line=r + 1, column=name)
                value = float(text)
            number = float(value)
            if not np.isfinite(number):
                raise PayloadError(f"{value!r} is not a finite number", line=r + 1, column=name)
            columns[name].append(number)
    index = pd.Index(lines, name="line")
    date_series = pd.Series(dates, index=index, dtype="datetime64[ns]")
    check_unique_dates(date_series, column="DATE")
    values = {name: pd.Series(v, index=index, dtype=float) for name, v in columns.items()}
    return observations_batch(SOURCE, origin, wide_to_observations(date_series, values), label)


class AcmProvider(Provider):
    """ACM: the whole workbook in one request; rows before the start are dropped."""

    name: ClassVar[str] = SOURCE

    def series_ids(self) -> tuple[str, ...]:
        return KEPT_COLUMNS

    def plan(self, query: Query) -> list[FetchUnit]:
        wanted = tuple(s for s in self.series_ids() if s in query.starts)
        if not wanted:
            return []
        url = config.base_url(SOURCE, DEFAULT_BASE_URL) + _PATH
        return [FetchUnit(wanted, url, {}, query.start_of(wanted), "ACMTermPremium.xls",
                          browser=True)]

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        batch = parse_acm_xls(payload, label=unit.url)
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


PROVIDER = AcmProvider
