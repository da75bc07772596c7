"""TreasuryDirect FedInvest end-of-day prices of every Treasury security (``securityprice.csv``).

Payload (DATA_SOURCES.md section 9, recorded): **no header**; 8 columns CUSIP, type, rate,
maturity, call date, buy, sell, end-of-day; CRLF; types ``MARKET BASED BILL|NOTE|BOND``,
``TIPS``, ``MARKET BASED FRN``; ``rate`` a decimal fraction (0.04375 = 4.375 %); dates
``MM/DD/YYYY``; prices per 100 with 6 decimals; ``0.000000`` = no price. End-of-day was 0 on
every recorded row, so the price used is end-of-day when above 0, else the buy/sell mid when
both are above 0, else whichever is above 0.

The file carries no date: an imported file must have its price date in its name
(``securityprice_2024-06-26.csv`` or ``..._20240626...``). It is not stored as prices but turned
into the day's Hu-Pan-Wang noise (:func:`analytics.noise.hpw_noise`): series
:data:`NOISE_SERIES` (bp), :data:`COUNT_SERIES` and ``OTR_GAP_<n>Y_BP``. The form POST that
serves the file is not fetched by ``tsm refresh`` (the HTTP client is GET-only): save the day's
file and import it. Live data only: there is no shared history.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from analytics.noise import OTR_TENORS, hpw_noise
from data.model import Batch
from data.sources import PayloadError, decode_text, observations_batch

__all__ = ["COUNT_SERIES", "NOISE_SERIES", "TYPES", "fedinvest_series", "looks_like_fedinvest",
           "parse_fedinvest_csv", "parse_fedinvest_prices"]

NOISE_SERIES: Final[str] = "HPW_NOISE_BP"
COUNT_SERIES: Final[str] = "HPW_N_BONDS"
TYPES: Final[dict[str, str]] = {
    "MARKET BASED BILL": "BILL", "MARKET BASED NOTE": "NOTE", "MARKET BASED BOND": "BOND",
    "TIPS": "TIPS", "MARKET BASED FRN": "FRN",
}
_NAME_DATE = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
_SOURCE: Final[str] = "file"


def fedinvest_series() -> tuple[str, ...]:
    """Series ids written from a FedInvest file."""
    return (NOISE_SERIES, COUNT_SERIES, *(f"OTR_GAP_{n}Y_BP" for n in OTR_TENORS))


def looks_like_fedinvest(first_line: str) -> bool:
    """True when `first_line` is a FedInvest price row (8 fields, a known security type)."""
    fields = [f.strip() for f in next(csv.reader([first_line]), [])]
    return len(fields) == 8 and fields[1].upper() in TYPES


def parse_fedinvest_prices(payload: bytes) -> pd.DataFrame:
    """The file as a frame: ``cusip``, ``kind`` (BILL, NOTE, BOND, TIPS, FRN), ``coupon_pct``,
    ``maturity``, ``price`` (clean per 100; NaN when none).

    Raises
    ------
    PayloadError
        A row without 8 fields, an unknown type, a bad date or number (line and column named).
    """
    records = []
    for line_no, fields in enumerate(csv.reader(io.StringIO(decode_text(payload))), start=1):
        if not fields or not "".join(fields).strip():
            continue
        if len(fields) != 8:
            raise PayloadError(f"row has {len(fields)} fields, a FedInvest row has 8", line=line_no)
        cusip, kind, rate, maturity, _call, buy, sell, eod = (f.strip() for f in fields)
        if kind.upper() not in TYPES:
            raise PayloadError(f"{kind!r} is not a FedInvest security type", line=line_no, column="type")
        try:
            when = pd.Timestamp(pd.to_datetime(maturity, format="%m/%d/%Y"))
        except ValueError as exc:
            raise PayloadError(f"{maturity!r} is not a date (MM/DD/YYYY)", line=line_no,
                               column="maturity") from exc
        numbers = []
        for name, text in (("rate", rate), ("buy", buy), ("sell", sell), ("end-of-day", eod)):
            try:
                numbers.append(float(text))
            except ValueError as exc:
                raise PayloadError(f"{text!r} is not a number", line=line_no, column=name) from exc
        coupon, b, s, e = numbers
        price = e if e > 0 else ((b + s) / 2 if b > 0 and s > 0 else (b if b > 0 else (s if s > 0 else np.nan)))
        records.append({"cusip": cusip, "kind": TYPES[kind.upper()], "coupon_pct": coupon * 100.0,
                        "maturity": when, "price": price})
    if not records:
        raise PayloadError("the file is empty")
    return pd.DataFrame(records)


def _date_from(label: str) -> date | None:
    for match in _NAME_DATE.finditer(label):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    return None


def parse_fedinvest_csv(payload: bytes, *, label: str = "", price_date: date | None = None) -> Batch:
    """The day's noise measure from a FedInvest file (the date from `price_date` or `label`).

    Raises
    ------
    PayloadError
        No date, a malformed file, or too few notes and bonds for the fit.
    """
    day = price_date or _date_from(label.rsplit("/", 1)[-1])
    if day is None:
        raise PayloadError("a FedInvest price file carries no date: put it in the file name, e.g. "
                           "securityprice_2024-06-26.csv")
    prices = parse_fedinvest_prices(payload)
    try:
        result = hpw_noise(prices, day)
    except ValueError as exc:
        raise PayloadError(str(exc)) from exc
    values = {NOISE_SERIES: result.noise_bp, COUNT_SERIES: float(result.n_bonds)}
    values.update({f"OTR_GAP_{k[:-1]}Y_BP": v for k, v in result.otr_gap_bp.items()})
    frame = pd.DataFrame({"series_id": pd.Series(list(values), dtype=object),
                          "date": pd.Series([pd.Timestamp(day)] * len(values), dtype="datetime64[ns]"),
                          "value": pd.Series(list(values.values()), dtype=float)})
    return observations_batch(_SOURCE, "imported", frame, label)
