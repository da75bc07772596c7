"""New York Fed Markets API: reference rates and repo / reverse repo operations.

Payload formats (DATA_SOURCES.md section 2):

* rates: ``{"refRates": [{"effectiveDate": "YYYY-MM-DD", "type": "SOFR", "percentRate": 5.33,
  "percentPercentile1": ..., "volumeInBillions": 2008, ...}, ...]}``, newest first; an absent
  key is a missing value; rows of several types may be mixed (filter on ``type``).
* operations: ``{"repo": {"operations": [{"operationDate": ..., "operationType": "Reverse Repo"
  | "Repo", "totalAmtAccepted": 545000000, ...}]}}``; amounts are USD (possibly strings); the
  server may ignore ``operationTypes``, so the type is filtered here. A day can hold several
  operations of one type (ON RRP plus a small-value test, SRF morning and afternoon): they are
  summed.

Series written: SOFR, SOFR1, SOFR25, SOFR75, SOFR99 (%), SOFRVOL ($bn), EFFR, TGCR, BGCR (%),
and :data:`RRP_SERIES` / :data:`SRF_SERIES` ($bn).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
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
    decode_text,
    observations_batch,
    restrict,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "RATE_FIELDS",
    "RATE_PATHS",
    "RATE_FIRST_DATES",
    "RRP_SERIES",
    "SRF_SERIES",
    "OPERATIONS_FIRST_DATE",
    "NyFedProvider",
    "PROVIDER",
    "parse_nyfed_rates_json",
    "parse_nyfed_repo_json",
]

SOURCE: Final[str] = "nyfed"
DEFAULT_BASE_URL: Final[str] = "https://markets.newyorkfed.org"

#: ON RRP take-up: total accepted in the day's reverse repo operations, $bn.
RRP_SERIES: Final[str] = "NYFED_RRP"
#: Repo take-up (the Standing Repo Facility from 2021-07-28): total accepted in the day's repo
#: operations, $bn.
SRF_SERIES: Final[str] = "NYFED_SRF"

#: Rate type -> {JSON field: series id}. Only catalogued series are kept.
RATE_FIELDS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "SOFR": MappingProxyType(
            {
                "percentRate": "SOFR",
                "percentPercentile1": "SOFR1",
                "percentPercentile25": "SOFR25",
                "percentPercentile75": "SOFR75",
                "percentPercentile99": "SOFR99",
                "volumeInBillions": "SOFRVOL",
            }
        ),
        "EFFR": MappingProxyType({"percentRate": "EFFR"}),
        "TGCR": MappingProxyType({"percentRate": "TGCR"}),
        "BGCR": MappingProxyType({"percentRate": "BGCR"}),
    }
)

#: Rate type -> API path of its search endpoint.
RATE_PATHS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "SOFR": "/api/rates/secured/sofr/search.json",
        "TGCR": "/api/rates/secured/tgcr/search.json",
        "BGCR": "/api/rates/secured/bgcr/search.json",
        "EFFR": "/api/rates/unsecured/effr/search.json",
    }
)

#: First date each rate exists on the API (a full-history refresh starts there).
RATE_FIRST_DATES: Final[Mapping[str, date]] = MappingProxyType(
    {
        "SOFR": date(2018, 4, 2),
        "TGCR": date(2018, 4, 2),
        "BGCR": date(2018, 4, 2),
        "EFFR": date(2000, 7, 3),
    }
)

#: Start of a full-history operations refresh: the ON RRP testing programme began 2013-09-23.
OPERATIONS_FIRST_DATE: Final[date] = date(2013, 9, 23)
OPERATIONS_PATH: Final[str] = "/api/rp/results/search.json"

_OPERATION_SERIES: Final[Mapping[str, str]] = MappingProxyType(
    {"reverse repo": RRP_SERIES, "repo": SRF_SERIES}
)
_USD_PER_BN: Final[float] = 1e9


def _load(payload: bytes) -> Any:
    try:
        return json.loads(decode_text(payload))
    except json.JSONDecodeError as exc:
        raise PayloadError(f"invalid JSON: {exc.msg}", line=exc.lineno) from exc


def _number(value: object, *, where: str) -> float:
    """A JSON number or numeric string (thousands commas allowed) as float."""
    if isinstance(value, bool):
        raise PayloadError(f"{value!r} is not a number", column=where)
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?[\d,]*\.?\d+([eE][-+]?\d+)?\s*", value):
        number = float(value.replace(",", ""))
    else:
        raise PayloadError(f"{value!r} is not a number", column=where)
    if not np.isfinite(number):
        raise PayloadError(f"{value!r} is not a finite number", column=where)
    return number


def _iso_date(value: object, *, where: str) -> pd.Timestamp:
    text = str(value).strip()[:10] if value is not None else ""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise PayloadError(f"{value!r} is not a date (YYYY-MM-DD)", column=where)
    try:
        return pd.Timestamp(text)
    except ValueError as exc:
        raise PayloadError(f"{value!r} is not a date (YYYY-MM-DD)", column=where) from exc


def _frame(series_ids: list[str], dates: list[pd.Timestamp], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "series_id": pd.Series(series_ids, dtype=object),
            "date": pd.Series(dates, dtype="datetime64[ns]"),
            "value": pd.Series(values, dtype=float),
        }
    )


def parse_nyfed_rates_json(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse a ``/api/rates/...`` JSON response (any of SOFR, EFFR, TGCR, BGCR; mixed types
    allowed; other types such as OBFR are ignored).

    Raises
    ------
    PayloadError
        Not a ``refRates`` document, a bad date or value (the column names record and field),
        or one date given twice for one type.
    """
    data = _load(payload)
    if not isinstance(data, dict) or not isinstance(data.get("refRates"), list):
        raise PayloadError("not a NY Fed rates response: no 'refRates' array")
    series_ids: list[str] = []
    dates: list[pd.Timestamp] = []
    values: list[float] = []
    seen: dict[tuple[str, pd.Timestamp], int] = {}
    for position, row in enumerate(data["refRates"]):
        where = f"refRates[{position}]"
        if not isinstance(row, dict):
            raise PayloadError("a rate record is not an object", column=where)
        fields = RATE_FIELDS.get(str(row.get("type", "")).strip().upper())
        if fields is None:
            continue
        day = _iso_date(row.get("effectiveDate"), where=f"{where}.effectiveDate")
        key = (str(row["type"]).upper(), day)
        if key in seen:
            raise PayloadError(
                f"{key[0]} {day:%Y-%m-%d} appears twice (also refRates[{seen[key]}])", column=where
            )
        seen[key] = position
        for field_name, series_id in fields.items():
            raw = row.get(field_name)
            if raw is None or raw == "":
                continue  # absent key: not published that day (early percentiles, ...)
            series_ids.append(series_id)
            dates.append(day)
            values.append(_number(raw, where=f"{where}.{field_name}"))
    return observations_batch(SOURCE, origin, _frame(series_ids, dates, values), label)


def parse_nyfed_repo_json(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse a ``/api/rp/...`` operations JSON response into daily take-up in $bn.

    Only operations with results are counted (``auctionStatus`` "Results" when the field is
    present); the day's accepted amounts are summed per operation type.

    Raises
    ------
    PayloadError
        Not a ``repo.operations`` document, or a bad date or amount.
    """
    data = _load(payload)
    operations = data.get("repo", {}).get("operations") if isinstance(data, dict) else None
    if not isinstance(operations, list):
        raise PayloadError("not a NY Fed operations response: no 'repo.operations' array")
    totals: dict[tuple[str, pd.Timestamp], float] = {}
    for position, op in enumerate(operations):
        where = f"repo.operations[{position}]"
        if not isinstance(op, dict):
            raise PayloadError("an operation is not an object", column=where)
        status = op.get("auctionStatus")
        if status is not None and str(status).strip().lower() != "results":
            continue
        series_id = _OPERATION_SERIES.get(str(op.get("operationType", "")).strip().lower())
        if series_id is None:
            continue
        day = _iso_date(op.get("operationDate"), where=f"{where}.operationDate")
        amount = op.get("totalAmtAccepted")
        if amount is None:
            raise PayloadError("operation lacks totalAmtAccepted", column=where)
        usd = _number(amount, where=f"{where}.totalAmtAccepted")
        totals[(series_id, day)] = totals.get((series_id, day), 0.0) + usd / _USD_PER_BN
    keys = sorted(totals)
    frame = _frame([k[0] for k in keys], [k[1] for k in keys], [totals[k] for k in keys])
    return observations_batch(SOURCE, origin, frame, label)


class NyFedProvider(Provider):
    """NY Fed: one search request per rate (SOFR brings its percentiles and volume) and one
    for all repo / reverse repo operations."""

    name: ClassVar[str] = SOURCE
    own_series: ClassVar[tuple[str, ...]] = (RRP_SERIES, SRF_SERIES)

    def series_ids(self) -> tuple[str, ...]:
        rates = [s for fields in RATE_FIELDS.values() for s in fields.values()]
        return (*rates, RRP_SERIES, SRF_SERIES)

    def plan(self, query: Query) -> list[FetchUnit]:
        base = config.base_url(SOURCE, DEFAULT_BASE_URL)
        end = query.end.isoformat()
        units = []
        for rate, fields in RATE_FIELDS.items():
            wanted = tuple(s for s in fields.values() if s in query.starts)
            if not wanted:
                continue
            start = query.start_of(wanted)
            params = {"startDate": (start or RATE_FIRST_DATES[rate]).isoformat(), "endDate": end}
            units.append(FetchUnit(wanted, base + RATE_PATHS[rate], params, start, rate))
        wanted = tuple(s for s in (RRP_SERIES, SRF_SERIES) if s in query.starts)
        if wanted:
            start = query.start_of(wanted)
            params = {"startDate": (start or OPERATIONS_FIRST_DATE).isoformat(), "endDate": end}
            units.append(FetchUnit(wanted, base + OPERATIONS_PATH, params, start, "repo operations"))
        return units

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        label = f"{unit.url}?startDate={unit.params.get('startDate')}&endDate={unit.params.get('endDate')}"
        if unit.url.endswith(OPERATIONS_PATH):
            batch = parse_nyfed_repo_json(payload, label=label)
        else:
            batch = parse_nyfed_rates_json(payload, label=label)
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


PROVIDER = NyFedProvider
