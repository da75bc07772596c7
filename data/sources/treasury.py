"""U.S. Treasury daily par yield curve CSV (home.treasury.gov), one file per year.

Payload (DATA_SOURCES.md section 3a): header ``Date,"1 Mo","2 Mo",...,"30 Yr"``; rows newest
first, dates ``MM/DD/YYYY``, percent with 2 decimals, empty = missing. The column set changes
between years (a year lists only tenors that existed; ``"1.5 Month"`` from 2025), so columns
are matched by name (number and unit), never by position.

Tenors map to the FRED ids of the same constant maturities (the values are the same CMT
yields); the bill-only tenors FRED does not carry are kept as :data:`EXTRA_TENOR_SERIES`.
"""

from __future__ import annotations

import re
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
    "FIRST_YEAR",
    "TENOR_SERIES",
    "EXTRA_TENOR_SERIES",
    "TreasuryProvider",
    "PROVIDER",
    "parse_treasury_csv",
    "tenor_series_id",
]

SOURCE: Final[str] = "treasury"
DEFAULT_BASE_URL: Final[str] = "https://home.treasury.gov"
#: First year of the par yield curve files (a full-history refresh starts there).
FIRST_YEAR: Final[int] = 1990
_YEAR_PATH: Final[str] = "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv"

#: (months, unit) -> FRED CMT series id; tenors in months for "Mo"/"Month", years for "Yr".
TENOR_SERIES: Final[Mapping[tuple[float, str], str]] = MappingProxyType(
    {
        (1.0, "m"): "DGS1MO",
        (3.0, "m"): "DGS3MO",
        (6.0, "m"): "DGS6MO",
        (1.0, "y"): "DGS1",
        (2.0, "y"): "DGS2",
        (3.0, "y"): "DGS3",
        (5.0, "y"): "DGS5",
        (7.0, "y"): "DGS7",
        (10.0, "y"): "DGS10",
        (20.0, "y"): "DGS20",
        (30.0, "y"): "DGS30",
    }
)
#: Tenors FRED has no CMT series for: stored under these ids (%).
EXTRA_TENOR_SERIES: Final[Mapping[tuple[float, str], str]] = MappingProxyType(
    {(1.5, "m"): "UST1_5MO", (2.0, "m"): "UST2MO", (4.0, "m"): "UST4MO"}
)

_TENOR_HEADER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mo|mos|month|months|yr|yrs|year|years)\.?\s*$", re.I)


def tenor_series_id(header: str) -> str | None:
    """Series id of a Treasury CSV column header ("1 Mo", "1.5 Month", "30 Yr"...), or None."""
    match = _TENOR_HEADER.match(header)
    if match is None:
        return None
    key = (float(match.group(1)), "m" if match.group(2).lower().startswith("mo") else "y")
    return TENOR_SERIES.get(key) or EXTRA_TENOR_SERIES.get(key)


def parse_treasury_csv(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse a daily par yield curve CSV (any year's column set) into CMT observations (%).

    Raises
    ------
    PayloadError
        No ``Date`` column, no recognised tenor column, a bad date (``MM/DD/YYYY``) or value.
    """
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    columns = list(frame.columns)
    if not columns or columns[0].lower() != "date":
        raise PayloadError(f"not a Treasury yield curve CSV: first column is {columns[0]!r}, not 'Date'",
                           line=table.header_line)
    tenors = {c: tenor_series_id(c) for c in columns[1:]}
    if not any(tenors.values()):
        raise PayloadError("no tenor columns ('1 Mo' ... '30 Yr') in the header", line=table.header_line)
    dates = to_dates(frame[columns[0]], fmt="%m/%d/%Y", column=columns[0], shown="MM/DD/YYYY")
    check_unique_dates(dates, column=columns[0])
    values = {sid: to_float(frame, c) for c, sid in tenors.items() if sid is not None}
    return observations_batch(SOURCE, origin, wide_to_observations(dates, values), label)


class TreasuryProvider(Provider):
    """Treasury: one CSV per calendar year from the start year to the end year.

    A plain refresh takes nothing from here (FRED is the primary source of the CMT yields);
    ``tsm refresh --source treasury`` fetches it, e.g. when FRED is unreachable.
    """

    name: ClassVar[str] = SOURCE

    def series_ids(self) -> tuple[str, ...]:
        return (*TENOR_SERIES.values(), *EXTRA_TENOR_SERIES.values())

    def plan(self, query: Query) -> list[FetchUnit]:
        wanted = tuple(s for s in self.series_ids() if s in query.starts)
        if not wanted:
            return []
        start = query.start_of(wanted)
        first = start.year if start is not None else FIRST_YEAR
        base = config.base_url(SOURCE, DEFAULT_BASE_URL)
        units = []
        for year in range(first, query.end.year + 1):
            params = {
                "type": "daily_treasury_yield_curve",
                "field_tdr_date_value": str(year),
                "page": "",
                "_format": "csv",
            }
            # The site's firewall rejects requests without a browser-like User-Agent.
            units.append(FetchUnit(wanted, f"{base}{_YEAR_PATH}/{year}/all", params, start,
                                   str(year), browser=True))
        return units

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        batch = parse_treasury_csv(payload, label=f"{unit.url} ({unit.label})")
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


PROVIDER = TreasuryProvider
