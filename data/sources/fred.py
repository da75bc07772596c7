"""FRED (St. Louis Fed): the API through fredapi when a key is set, else the no-key CSV.

Payload formats (DATA_SOURCES.md section 1):

* ``fredgraph.csv``: header ``observation_date,<ID>`` with empty missing values (current) or
  ``DATE,<ID>`` with ``.`` (legacy); oldest first. Several ids give several value columns.
* API JSON: ``{"observations": [{"date": "YYYY-MM-DD", "value": "4.06"}, ...]}``, values are
  strings and ``"."`` is missing.
* API XML (what fredapi requests): ``<observations><observation date=".." value=".."/>``;
  ``<error code=".." message=".."/>`` on failure.

FRED rejects bursts, so requests are paced (:data:`DEFAULT_MIN_INTERVAL_S`, overridable by
the environment variable ``TSM_FRED_MIN_INTERVAL``).
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from typing import Any, ClassVar, Final
from xml.parsers import expat

import fredapi
import numpy as np
import pandas as pd

import config
from data.catalogue import CATALOGUE
from data.http import HttpClient, SourceError, redact
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
    "DEFAULT_API_ROOT",
    "DEFAULT_MIN_INTERVAL_S",
    "EXTRA_SERIES",
    "FredProvider",
    "PROVIDER",
    "fred_series",
    "min_interval_s",
    "parse_fred_json",
    "parse_fred_xml",
    "parse_fredgraph_csv",
]

SOURCE: Final[str] = "fred"
#: Site of the no-key CSV download (TSM_FRED_URL overrides it).
DEFAULT_BASE_URL: Final[str] = "https://fred.stlouisfed.org"
#: Root of the keyed API, as fredapi's ``root_url`` (TSM_FREDAPI_URL overrides it).
DEFAULT_API_ROOT: Final[str] = "https://api.stlouisfed.org/fred"
#: Seconds between two FRED requests: third parties report 429s on bursts above ~2/s.
DEFAULT_MIN_INTERVAL_S: Final[float] = 0.5
#: FRED also republishes the NY Fed's SOFR distribution under these ids.
EXTRA_SERIES: Final[tuple[str, ...]] = ("SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL")

_MISSING_CSV: Final[tuple[str, ...]] = ("", ".")
_DATE_HEADERS: Final[frozenset[str]] = frozenset({"observation_date", "date"})


def min_interval_s() -> float:
    """Pacing between FRED requests in seconds (TSM_FRED_MIN_INTERVAL, default 0.5)."""
    raw = os.environ.get("TSM_FRED_MIN_INTERVAL", "").strip()
    if not raw:
        return DEFAULT_MIN_INTERVAL_S
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"TSM_FRED_MIN_INTERVAL={raw!r} is not a number of seconds") from exc
    if value < 0:
        raise ValueError(f"TSM_FRED_MIN_INTERVAL must be >= 0 seconds, got {value}")
    return value


def fred_series() -> tuple[str, ...]:
    """Catalogue series FRED publishes, plus :data:`EXTRA_SERIES`."""
    ids = [s.id for s in CATALOGUE.values() if "fred" in s.sources]
    return tuple(ids + [s for s in EXTRA_SERIES if s not in ids])


# -- pure parsers -----------------------------------------------------------------------------
def parse_fredgraph_csv(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse a ``fredgraph.csv`` download (current or legacy header) into a batch.

    Column 0 is the date (``YYYY-MM-DD``); each further column is a series named by its
    header, values in the series' units; empty and ``.`` are missing.

    Raises
    ------
    PayloadError
        Not a FRED CSV, bad date or value (with line and column).
    """
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    columns = list(frame.columns)
    if len(columns) < 2 or columns[0].lower() not in _DATE_HEADERS:
        raise PayloadError(
            f"not a FRED CSV: the header should be 'observation_date,<SERIES>' or 'DATE,<SERIES>', "
            f"found {','.join(columns)!r}",
            line=table.header_line,
        )
    dates = to_dates(frame[columns[0]], fmt="%Y-%m-%d", column=columns[0], shown="YYYY-MM-DD")
    check_unique_dates(dates, column=columns[0])
    values = {c: to_float(frame, c, missing=_MISSING_CSV) for c in columns[1:]}
    return observations_batch(SOURCE, origin, wide_to_observations(dates, values), label)


def parse_fred_json(payload: bytes, *, series_id: str, origin: str = "live", label: str = "") -> Batch:
    """Parse a FRED API ``series/observations`` JSON response for `series_id`.

    Raises
    ------
    PayloadError
        Invalid JSON, a FRED error body, or a bad date/value (the column names the record).
    """
    data = _load_json(payload)
    if isinstance(data, dict) and "error_message" in data:
        raise PayloadError(f"FRED error {data.get('error_code', '')}: {data['error_message']}")
    if not isinstance(data, dict) or not isinstance(data.get("observations"), list):
        raise PayloadError("not a FRED API response: no 'observations' array")
    rows = data["observations"]
    dates_raw = []
    values_raw = []
    for position, row in enumerate(rows):
        if not isinstance(row, dict) or "date" not in row or "value" not in row:
            raise PayloadError("observation lacks 'date' or 'value'",
                               column=f"observations[{position}]")
        dates_raw.append(str(row["date"]))
        values_raw.append(str(row["value"]))
    return _records_to_batch(series_id, dates_raw, values_raw, None, origin, label)


def parse_fred_xml(payload: bytes, *, series_id: str, origin: str = "live", label: str = "") -> Batch:
    """Parse a FRED API XML response (fredapi's format) for `series_id`.

    Raises
    ------
    PayloadError
        Malformed XML (with its line), a FRED ``<error>`` body, or a bad date/value (line).
    """
    dates_raw: list[str] = []
    values_raw: list[str] = []
    lines: list[int] = []
    root: list[str] = []
    error: dict[str, str] = {}
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if not root:
            root.append(tag)
            if tag == "error":
                error.update(attrs)
            return
        if tag == "observation":
            if "date" not in attrs or "value" not in attrs:
                raise PayloadError("<observation> lacks a date or value attribute",
                                   line=parser.CurrentLineNumber)
            dates_raw.append(attrs["date"])
            values_raw.append(attrs["value"])
            lines.append(parser.CurrentLineNumber)

    parser.StartElementHandler = start
    try:
        parser.Parse(payload, True)
    except expat.ExpatError as exc:
        raise PayloadError(f"malformed XML: {expat.ErrorString(exc.code)}", line=exc.lineno) from exc
    if error:
        raise PayloadError(f"FRED error {error.get('code', '')}: {error.get('message', '')}")
    if root[:1] != ["observations"]:
        raise PayloadError(f"not a FRED observations XML (root element {root[:1]})")
    return _records_to_batch(series_id, dates_raw, values_raw, lines, origin, label)


def _records_to_batch(
    series_id: str,
    dates_raw: list[str],
    values_raw: list[str],
    lines: list[int] | None,
    origin: str,
    label: str,
) -> Batch:
    index = pd.Index(lines if lines is not None else np.arange(len(dates_raw)), name="line")
    frame = pd.DataFrame({"date": dates_raw, "value": values_raw}, index=index, dtype=str)
    try:
        dates = to_dates(frame["date"], fmt="%Y-%m-%d", column="date", shown="YYYY-MM-DD")
        check_unique_dates(dates, column="date")
        values = to_float(frame, "value", missing=(".",))
    except PayloadError as exc:
        if lines is None:
            # JSON has no line numbers worth giving: name the record instead.
            raise PayloadError(exc.problem, column=f"observations[{exc.line}].{exc.column}") from exc
        raise
    return observations_batch(SOURCE, origin, wide_to_observations(dates, {series_id: values}), label)


def _load_json(payload: bytes) -> Any:
    try:
        return json.loads(decode_text(payload))
    except json.JSONDecodeError as exc:
        raise PayloadError(f"invalid JSON: {exc.msg}", line=exc.lineno) from exc


# -- provider -------------------------------------------------------------------------------
class _RoutedFred(fredapi.Fred):  # type: ignore[misc]
    """fredapi's client with its downloads routed through our HTTP client.

    fredapi builds the request (URL, date formatting, key last) and turns the XML into a
    Series; its own ``urlopen`` has no timeout and no retries, so the private fetch method is
    replaced. The raw payload is kept so that our pure parser makes the batch.
    """

    def __init__(self, api_key: str, client: HttpClient, series: str) -> None:
        super().__init__(api_key=api_key)
        self.root_url = config.base_url("fredapi", DEFAULT_API_ROOT)
        self._client = client
        self._series = series
        self.payload = b""

    def _Fred__fetch_data(self, url: str) -> ET.Element:  # noqa: N802 - fredapi's private name
        self.payload = self._client.get(
            f"{url}&api_key={self.api_key}", source=SOURCE, series=self._series
        )
        if looks_like_html(self.payload):
            raise SourceError(source=SOURCE, series=self._series,
                              cause="unexpected payload: an HTML page instead of FRED's XML "
                                    "(a proxy, captive portal or maintenance page?)")
        try:
            root = ET.fromstring(self.payload)
        except ET.ParseError as exc:
            raise SourceError(source=SOURCE, series=self._series,
                              cause=f"unexpected payload (malformed XML: {exc})") from exc
        if root.tag not in ("observations", "error"):
            raise SourceError(source=SOURCE, series=self._series,
                              cause=f"unexpected payload: XML with root <{root.tag}>, "
                                    "FRED's has <observations>")
        return root


class FredProvider(Provider):
    """FRED: one request per series (keyed API via fredapi, else ``fredgraph.csv``)."""

    name: ClassVar[str] = SOURCE

    def min_interval_s(self) -> float:
        return min_interval_s()

    def series_ids(self) -> tuple[str, ...]:
        return fred_series()

    def plan(self, query: Query) -> list[FetchUnit]:
        key = config.fred_api_key()
        units = []
        for series_id in self.series_ids():
            if series_id not in query.starts:
                continue
            start = query.starts[series_id]
            if key:
                params = {"series_id": series_id}
                if start is not None:
                    params["observation_start"] = start.isoformat()
                url = f"{config.base_url('fredapi', DEFAULT_API_ROOT)}/series/observations"
            else:
                params = {"id": series_id}
                if start is not None:
                    params["cosd"] = start.isoformat()
                url = f"{config.base_url('fred', DEFAULT_BASE_URL)}/graph/fredgraph.csv"
            # FRED's graph site sits behind a bot filter that stalls plain clients.
            units.append(FetchUnit((series_id,), url, params, start, series_id, browser=not key))
        return units

    def extract(self, unit: FetchUnit) -> bytes:
        key = config.fred_api_key()
        if not key:
            return super().extract(unit)
        series_id = unit.series_ids[0]
        fred = _RoutedFred(key, self.client, series_id)
        try:
            fred.get_series(series_id, observation_start=unit.params.get("observation_start"))
        except SourceError:
            raise
        except ValueError as exc:  # fredapi: "No data exists..." or a FRED error message
            raise SourceError(source=SOURCE, series=series_id, cause=redact(str(exc))) from exc
        return bytes(fred.payload)

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        series_id = unit.series_ids[0]
        label = f"{unit.url}?{'&'.join(f'{k}={v}' for k, v in unit.params.items())}"
        if config.fred_api_key():
            batch = parse_fred_xml(payload, series_id=series_id, label=redact(label))
        else:
            if looks_like_html(payload):
                raise PayloadError("an HTML page instead of FRED's CSV (a proxy, captive portal "
                                   "or maintenance page?)", line=1)
            # A renamed column is not "no new data": the series must be in the header.
            header = _header_ids(payload)
            if series_id not in header:
                raise PayloadError(f"the CSV does not carry series {series_id} "
                                   f"(its columns: {', '.join(header) or 'none'})", line=1)
            batch = parse_fredgraph_csv(payload, label=label)
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


def looks_like_html(payload: bytes) -> bool:
    """True when `payload` is an HTML page (what proxies and maintenance pages send)."""
    head = payload[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def _header_ids(payload: bytes) -> list[str]:
    first = decode_text(payload[:4096]).splitlines()[:1]
    return [c.strip() for c in re.split(",", first[0])[1:]] if first else []


PROVIDER = FredProvider
