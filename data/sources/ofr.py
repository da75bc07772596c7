"""Office of Financial Research: the OFR Financial Stress Index (``fsi.csv``).

Payload (DATA_SOURCES.md section 13b): header
``Date,OFR FSI,Credit,Equity valuation,Safe assets,Funding,Volatility,United States,
Other advanced economies,Emerging markets``, ISO dates, oldest first, business days, no empty
fields (an empty field is still read as missing, to be safe). 0 is average stress. The five
category columns and the three region columns each sum to the index, to rounding.

Columns are matched by name (case and spaces ignored), never by position, so a reordered or
extended live file still parses; the index column is required, the others are optional.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from types import MappingProxyType
from typing import ClassVar, Final

import config
from data.model import Batch
from data.sources import (
    FetchUnit,
    PayloadError,
    Provider,
    Query,
    check_unique_dates,
    decode_text,
    observations_batch,
    read_csv_table,
    restrict,
    to_dates,
    to_float,
    wide_to_observations,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "COLUMN_SERIES",
    "CATEGORY_SERIES",
    "INDEX_SERIES",
    "OfrProvider",
    "PROVIDER",
    "looks_like_ofr_fsi",
    "parse_ofr_fsi",
]

SOURCE: Final[str] = "ofr"
DEFAULT_BASE_URL: Final[str] = "https://www.financialresearch.gov"
_PATH: Final[str] = "/financial-stress-index/data/fsi.csv"

#: The index itself.
INDEX_SERIES: Final[str] = "OFR_FSI"
#: Normalised header (lower case, single spaces) -> series id.
COLUMN_SERIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "ofr fsi": INDEX_SERIES,
        "credit": "OFR_FSI_CREDIT",
        "equity valuation": "OFR_FSI_EQUITY",
        "safe assets": "OFR_FSI_SAFE",
        "funding": "OFR_FSI_FUNDING",
        "volatility": "OFR_FSI_VOLATILITY",
        "united states": "OFR_FSI_US",
        "other advanced economies": "OFR_FSI_OTHER_ADV",
        "emerging markets": "OFR_FSI_EM",
    }
)
#: The five category contributions (they sum to the index), in OFR's order.
CATEGORY_SERIES: Final[tuple[str, ...]] = (
    "OFR_FSI_CREDIT", "OFR_FSI_EQUITY", "OFR_FSI_SAFE", "OFR_FSI_FUNDING", "OFR_FSI_VOLATILITY",
)


def _normal(name: str) -> str:
    return " ".join(name.strip().lower().split())


def looks_like_ofr_fsi(first_line: str) -> bool:
    """True when `first_line` is an OFR FSI header (a date column, then ``OFR FSI``)."""
    fields = [_normal(f) for f in next(csv.reader([first_line]), [])]
    return len(fields) >= 2 and fields[0] == "date" and "ofr fsi" in fields[1:]


def parse_ofr_fsi(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse the OFR FSI CSV into ``OFR_FSI`` and its category / region contributions.

    Raises
    ------
    PayloadError
        No ``Date`` or ``OFR FSI`` column, a bad date (YYYY-MM-DD) or value, a repeated date.
    """
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    columns = list(frame.columns)
    if _normal(columns[0]) != "date":
        raise PayloadError(f"not an OFR FSI file: the first column is {columns[0]!r}, not 'Date'",
                           line=table.header_line)
    kept = {c: COLUMN_SERIES[_normal(c)] for c in columns[1:] if _normal(c) in COLUMN_SERIES}
    if INDEX_SERIES not in kept.values():
        raise PayloadError("not an OFR FSI file: no 'OFR FSI' column", line=table.header_line)
    dates = to_dates(frame[columns[0]], fmt="%Y-%m-%d", column=columns[0], shown="YYYY-MM-DD")
    check_unique_dates(dates, column=columns[0])
    values = {sid: to_float(frame, c, missing=("", ".", "NA")) for c, sid in kept.items()}
    return observations_batch(SOURCE, origin, wide_to_observations(dates, values), label)


class OfrProvider(Provider):
    """OFR: the whole file in one request (no date query); rows before the start are dropped.
    One client reports that the site wants a browser-like User-Agent, so one is sent."""

    name: ClassVar[str] = SOURCE

    def series_ids(self) -> tuple[str, ...]:
        return tuple(COLUMN_SERIES.values())

    def plan(self, query: Query) -> list[FetchUnit]:
        wanted = tuple(s for s in self.series_ids() if s in query.starts)
        if not wanted:
            return []
        url = config.base_url(SOURCE, DEFAULT_BASE_URL) + _PATH
        return [FetchUnit(wanted, url, {}, query.start_of(wanted), "fsi.csv", browser=True)]

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        batch = parse_ofr_fsi(payload, label=unit.url)
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


PROVIDER = OfrProvider
