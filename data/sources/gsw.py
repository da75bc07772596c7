"""Federal Reserve Board GSW nominal yield curve (FEDS 2006-28, ``feds200628.csv``).

Payload (DATA_SOURCES.md section 5): a disclaimer and a legend table, then the header line that
starts with ``Date,`` (line 10 in the recorded file; found by content, not position), then rows
oldest first. ``NA`` is missing; ``TAU2`` uses ``-999.99`` for "not used".

Series kept: the catalogued zero-coupon yields ``SVENYnn`` (%, continuously compounded) and par
yields ``SVENPYnn`` (%, coupon-equivalent) at :data:`KEPT_TENORS`, and the Svensson parameters
``BETA0``..``BETA3`` (%) and ``TAU1``, ``TAU2`` (years).
"""

from __future__ import annotations

from typing import ClassVar, Final

import numpy as np

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
    "KEPT_TENORS",
    "PARAMETER_SERIES",
    "TAU_SENTINEL",
    "GswProvider",
    "PROVIDER",
    "gsw_series",
    "parse_gsw_csv",
]

SOURCE: Final[str] = "gsw"
DEFAULT_BASE_URL: Final[str] = "https://www.federalreserve.gov"
_PATH: Final[str] = "/data/yield-curve-tables/feds200628.csv"
#: Tenors (years) of the SVENY / SVENPY columns kept (the catalogue's).
KEPT_TENORS: Final[tuple[int, ...]] = (1, 2, 3, 5, 7, 10, 20, 30)
#: Svensson parameters kept: BETA0..3 in %, TAU1 and TAU2 in years.
PARAMETER_SERIES: Final[tuple[str, ...]] = ("BETA0", "BETA1", "BETA2", "BETA3", "TAU1", "TAU2")
#: Value the file writes for "parameter not used".
TAU_SENTINEL: Final[float] = -999.99
#: Lines searched for the header.
_HEADER_SEARCH_LINES: Final[int] = 50


def gsw_series() -> tuple[str, ...]:
    """Every series id this module writes."""
    zeros = tuple(f"SVENY{n:02d}" for n in KEPT_TENORS)
    pars = tuple(f"SVENPY{n:02d}" for n in KEPT_TENORS)
    return (*zeros, *pars, *PARAMETER_SERIES)


def parse_gsw_csv(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse ``feds200628.csv`` (with or without its preamble) into the kept series.

    Raises
    ------
    PayloadError
        No ``Date,`` header within the first lines, no kept column, a bad date or value.
    """
    text = decode_text(payload)
    lines = text.splitlines()
    header_index = next(
        (i for i, line in enumerate(lines[:_HEADER_SEARCH_LINES]) if line.startswith("Date,")), None
    )
    if header_index is None:
        raise PayloadError("not a GSW yield curve file: no header line starting with 'Date,'")
    table = read_csv_table(text, header_index=header_index, lines=lines)
    frame = table.frame
    kept = [c for c in gsw_series() if c in frame.columns]
    if not kept:
        raise PayloadError("no SVENY, SVENPY or BETA columns in the header", line=table.header_line)
    dates = to_dates(frame["Date"], fmt="%Y-%m-%d", column="Date", shown="YYYY-MM-DD")
    check_unique_dates(dates, column="Date")
    values = {}
    for column in kept:
        numbers = to_float(frame, column, missing=("", "NA"))
        if column.startswith("TAU"):
            numbers = numbers.where(~np.isclose(numbers.to_numpy(dtype=float), TAU_SENTINEL))
        values[column] = numbers
    return observations_batch(SOURCE, origin, wide_to_observations(dates, values), label)


class GswProvider(Provider):
    """GSW: the whole file in one request (it has no date query); rows before the start are
    dropped after parsing."""

    name: ClassVar[str] = SOURCE
    own_series: ClassVar[tuple[str, ...]] = PARAMETER_SERIES

    def series_ids(self) -> tuple[str, ...]:
        return gsw_series()

    def plan(self, query: Query) -> list[FetchUnit]:
        wanted = tuple(s for s in self.series_ids() if s in query.starts)
        if not wanted:
            return []
        url = config.base_url(SOURCE, DEFAULT_BASE_URL) + _PATH
        return [FetchUnit(wanted, url, {}, query.start_of(wanted), "feds200628")]

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        batch = parse_gsw_csv(payload, label=unit.url)
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


PROVIDER = GswProvider
