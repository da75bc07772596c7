"""Swap curves by tenor: the tenor vocabulary and a desk export ``date,tenor,rate``.

A desk export (Bloomberg, a dealer run...) is a long CSV with a header whose first three
columns are ``date,tenor,rate`` (more columns are ignored): ISO dates, tenors such as ``10Y``,
``10y``, ``10`` (years) or ``6M``, rates in **percent**. Whole-year tenors of
:data:`SWAP_TENORS_Y` are stored as ``DESKSWP<n>Y`` (source ``file``), apart from the Eris
series ``SOFRSWP<n>Y``, so that each segment of a swap-spread history keeps its source; other
tenors are skipped and the batch's notes say so.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from typing import Final

import numpy as np
import pandas as pd

from data.model import Batch
from data.sources import (
    PayloadError,
    decode_text,
    observations_batch,
    read_csv_table,
    to_dates,
    to_float,
)

__all__ = [
    "DESK_PREFIX",
    "ERIS_PREFIX",
    "MAX_RATE_PCT",
    "SWAP_TENORS_Y",
    "looks_like_swap_curve",
    "parse_swap_curve_csv",
    "swap_series_id",
    "tenor_years",
]

#: Whole-year tenors stored (the catalogue's).
SWAP_TENORS_Y: Final[tuple[int, ...]] = (1, 2, 3, 4, 5, 7, 10, 20, 30)
#: Series-id prefixes: Eris SOFR par swaps, and a user's desk file.
ERIS_PREFIX: Final[str] = "SOFRSWP"
DESK_PREFIX: Final[str] = "DESKSWP"
#: A swap rate beyond this (in absolute value, percent) is taken as a unit error.
MAX_RATE_PCT: Final[float] = 25.0
_SOURCE: Final[str] = "file"
_TENOR = re.compile(r"(?i)^\s*(?:[A-Z]*?)?(\d+(?:\.\d+)?)\s*(Y|YR|YRS|YEAR|YEARS|M|MO|MONTH|MONTHS|W|D)?\s*$")


def tenor_years(text: str) -> float | None:
    """Tenor in years of ``"10Y"``, ``"SOFR10Y"``, ``"18M"``, ``"10"`` (years); None for
    ``"1W"``, ``"1D"`` and anything unreadable."""
    match = _TENOR.match(str(text))
    if match is None:
        return None
    number = float(match.group(1))
    unit = (match.group(2) or "Y").upper()
    if unit.startswith("Y"):
        return number
    if unit.startswith("M"):
        return number / 12.0
    return None


def swap_series_id(prefix: str, years: float | None) -> str | None:
    """``SOFRSWP10Y`` for (ERIS_PREFIX, 10.0); None when `years` is not a stored tenor."""
    if years is None or not float(years).is_integer() or int(years) not in SWAP_TENORS_Y:
        return None
    return f"{prefix}{int(years)}Y"


def looks_like_swap_curve(first_line: str) -> bool:
    """True when the header starts ``date,tenor,rate`` (case-insensitive)."""
    fields = [f.strip().lower() for f in next(csv.reader([first_line]), [])]
    return fields[:3] == ["date", "tenor", "rate"]


def parse_swap_curve_csv(payload: bytes, *, label: str = "") -> Batch:
    """Parse a desk export ``date,tenor,rate`` into ``DESKSWP<n>Y`` series (percent).

    Raises
    ------
    PayloadError
        Bad date, unreadable tenor, a rate that is not a number or is beyond
        :data:`MAX_RATE_PCT` (percent expected), or one (date, tenor) given twice.
    """
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    date_col, tenor_col, rate_col = list(frame.columns)[:3]
    dates = to_dates(frame[date_col], fmt="%Y-%m-%d", column=date_col, shown="YYYY-MM-DD")
    rates = to_float(frame, rate_col, missing=("", ".", "NA", "ND"))
    too_big = np.flatnonzero(rates.abs().to_numpy() > MAX_RATE_PCT)
    if too_big.size:
        at = rates.index[int(too_big[0])]
        raise PayloadError(f"{frame.loc[at, rate_col]!r} is not a swap rate in percent "
                           f"(|rate| > {MAX_RATE_PCT:g}; basis points or a typo?)",
                           line=int(at), column=rate_col)
    ids: list[str | None] = []
    skipped: set[str] = set()
    for line, text in zip(frame.index.tolist(), frame[tenor_col].tolist(), strict=True):
        years = tenor_years(text)
        if years is None and not re.fullmatch(r"(?i)\s*\d+\s*[WD]\s*", str(text)):
            raise PayloadError(f"{text!r} is not a tenor such as '10Y' or '6M'", line=int(line),
                               column=tenor_col)
        sid = swap_series_id(DESK_PREFIX, years)
        if sid is None:
            skipped.add(str(text).strip())
        ids.append(sid)
    out = pd.DataFrame({"series_id": ids, "date": dates.to_numpy(), "value": rates.to_numpy()},
                       index=frame.index)
    out = out[out["series_id"].notna() & out["value"].notna()]
    repeated = out.duplicated(["series_id", "date"]).to_numpy()
    if repeated.any():
        at = out.index[int(np.argmax(repeated))]
        raise PayloadError(f"tenor {frame.loc[at, tenor_col]!r} on {out.loc[at, 'date']:%Y-%m-%d} "
                           "appears twice", line=int(at), column=tenor_col)
    observations = out.reset_index(drop=True).astype({"series_id": object, "value": float})
    batch = observations_batch(_SOURCE, "imported", observations, label)
    notes = (f"tenors not stored (only {', '.join(f'{y}Y' for y in SWAP_TENORS_Y)}): "
             f"{', '.join(sorted(skipped))}",) if skipped else ()
    return replace(batch, notes=notes)
