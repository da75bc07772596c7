"""Federal Reserve H.15 through the Data Download Program (DDP): import only.

Payload (DATA_SOURCES.md section 6): five metadata rows (``"Series Description"``, ``"Unit:"``,
``"Multiplier:"``, ``"Currency:"``, ``"Unique Identifier:"``), then the header
``"Time Period","RIFLGFCM01_N.B",...``; ISO dates oldest first; ``ND`` = no data (holiday),
empty = the series did not exist yet. The Treasury constant maturities map to FRED's DGS ids
(FRED republishes H.15 under them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from data.model import Batch
from data.sources import (
    PayloadError,
    check_unique_dates,
    decode_text,
    observations_batch,
    read_csv_table,
    to_dates,
    to_float,
    wide_to_observations,
)

__all__ = ["H15_SERIES", "parse_h15_csv"]

SOURCE: Final[str] = "h15"

#: DDP series code -> stored series id (%).
H15_SERIES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "RIFLGFCM01_N.B": "DGS1MO",
        "RIFLGFCM03_N.B": "DGS3MO",
        "RIFLGFCM06_N.B": "DGS6MO",
        "RIFLGFCY01_N.B": "DGS1",
        "RIFLGFCY02_N.B": "DGS2",
        "RIFLGFCY03_N.B": "DGS3",
        "RIFLGFCY05_N.B": "DGS5",
        "RIFLGFCY07_N.B": "DGS7",
        "RIFLGFCY10_N.B": "DGS10",
        "RIFLGFCY20_N.B": "DGS20",
        "RIFLGFCY30_N.B": "DGS30",
    }
)
_HEADER_SEARCH_LINES: Final[int] = 20


def parse_h15_csv(payload: bytes, *, origin: str = "imported", label: str = "") -> Batch:
    """Parse an H.15 DDP CSV package (Treasury constant maturities) into DGS observations (%).

    Columns other than the eleven constant maturities are ignored.

    Raises
    ------
    PayloadError
        No ``"Time Period"`` header, no known series column, a bad date or value.
    """
    text = decode_text(payload)
    lines = text.splitlines()
    header_index = next(
        (i for i, line in enumerate(lines[:_HEADER_SEARCH_LINES])
         if line.lstrip('"').startswith("Time Period")),
        None,
    )
    if header_index is None:
        raise PayloadError('not an H.15 DDP file: no "Time Period" header line')
    table = read_csv_table(text, header_index=header_index, lines=lines)
    frame = table.frame
    known = {c: H15_SERIES[c] for c in frame.columns if c in H15_SERIES}
    if not known:
        raise PayloadError("no Treasury constant-maturity column (RIFLGFC..._N.B) in the header",
                           line=table.header_line)
    dates = to_dates(frame["Time Period"], fmt="%Y-%m-%d", column="Time Period", shown="YYYY-MM-DD")
    check_unique_dates(dates, column="Time Period")
    values = {sid: to_float(frame, c, missing=("", "ND")) for c, sid in known.items()}
    return observations_batch(SOURCE, origin, wide_to_observations(dates, values), label)
