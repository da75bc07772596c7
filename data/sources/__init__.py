"""Data-source providers and the registry that lists them.

Every provider follows the same three steps (the fetcher pattern of OpenBB, our own code):

1. **query -> source parameters**: :meth:`Provider.plan` turns a :class:`Query` (which series,
   from which date) into :class:`FetchUnit` s (URL and parameters of one request);
2. **extract**: :meth:`Provider.extract` gets the raw payload bytes through
   :class:`data.http.HttpClient`;
3. **transform**: :meth:`Provider.transform` calls a module-level, pure ``parse_*`` function
   of the payload bytes that returns a :class:`data.model.Batch`.

The parse functions are shared with the file importer; they raise :class:`PayloadError`
(naming line and column where it applies) on a malformed payload. This module also holds the
small vectorised CSV helpers they use.

The registry (:data:`PROVIDER_MODULES`, :func:`make_provider`) imports provider modules
lazily, so that provider modules can import this one without a cycle.
"""

from __future__ import annotations

import csv
import importlib
import io
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import ClassVar, Final

import numpy as np
import pandas as pd

from data.catalogue import CATALOGUE
from data.http import HttpClient, HttpSettings, SourceError
from data.model import Batch, empty_cftc, empty_observations

__all__ = [
    "PROVIDER_MODULES",
    "CsvTable",
    "FetchUnit",
    "PayloadError",
    "Provider",
    "Query",
    "decode_text",
    "make_provider",
    "provider_names",
    "read_csv_table",
    "to_dates",
    "to_float",
    "check_unique_dates",
    "wide_to_observations",
    "observations_batch",
    "restrict",
    "location",
]

_QUOTED = re.compile(r'"[^"]*"')

#: Source name -> module holding its provider class (as ``PROVIDER``). H.15 has no live
#: provider: its DDP package is only imported from files.
PROVIDER_MODULES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "fred": "data.sources.fred",
        "nyfed": "data.sources.nyfed",
        "treasury": "data.sources.treasury",
        "cftc": "data.sources.cftc",
        "gsw": "data.sources.gsw",
        "ofr": "data.sources.ofr",
        "acm": "data.sources.acm",
        "auctions": "data.sources.auctions",
        "eris": "data.sources.eris",
    }
)


# -- errors ---------------------------------------------------------------------------------
class PayloadError(ValueError):
    """A payload (downloaded or imported) is not in the expected format.

    Attributes
    ----------
    problem : what is wrong, readable.
    line : 1-based line of the payload where it is wrong, when known.
    column : column (CSV header name or JSON field) where it applies, else None.
    """

    def __init__(self, problem: str, *, line: int | None = None, column: str | None = None):
        self.problem = problem
        self.line = line
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        where = location(self.line, self.column)
        return f"{where}: {self.problem}" if where else self.problem


def location(line: int | None, column: str | None) -> str:
    """``line N, column C`` with whichever parts are known ("" when neither is)."""
    parts = []
    if line is not None:
        parts.append(f"line {line}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)


# -- text and CSV helpers -------------------------------------------------------------------
def decode_text(payload: bytes) -> str:
    """Payload bytes as text: UTF-8 (a BOM is dropped), else Latin-1 (never fails)."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        return payload.decode("latin-1")


@dataclass(frozen=True)
class CsvTable:
    """A CSV body read as strings.

    Attributes
    ----------
    frame : one str column per header name, indexed by the 1-based line number of each row
        in the payload (blank lines dropped), so errors can name the line.
    header_line : 1-based line number of the header.
    """

    frame: pd.DataFrame
    header_line: int


def read_csv_table(text: str, *, header_index: int = 0, lines: Sequence[str] | None = None) -> CsvTable:
    """Read the CSV whose header is line ``header_index`` (0-based) of `text`.

    Checks the structure before pandas reads the values: the header has no empty or repeated
    names, and every non-blank row has as many fields as the header.

    Raises
    ------
    PayloadError
        Empty payload, bad header, or a row with the wrong number of fields.
    """
    all_lines = list(lines) if lines is not None else text.splitlines()
    if not any(line.strip() for line in all_lines):
        raise PayloadError("the file is empty")
    if header_index >= len(all_lines):
        raise PayloadError("no header line found")
    header_line = header_index + 1
    names = [n.strip() for n in next(csv.reader([all_lines[header_index]]))]
    for position, name in enumerate(names):
        if not name:
            raise PayloadError(f"header field {position + 1} is empty", line=header_line)
        if name in names[:position]:
            raise PayloadError(f"duplicate header {name!r}", line=header_line, column=name)
    # Plain list comprehensions: several times faster than pandas' object-string methods.
    body = all_lines[header_index + 1:]
    keep = [bool(line.strip()) for line in body]
    kept = [line for line, k in zip(body, keep, strict=True) if k]
    line_numbers = np.arange(header_line + 1, header_line + 1 + len(body))[np.asarray(keep, dtype=bool)]
    if kept:
        # Quoted fields may hold commas (CFTC's Contract_Units): drop them before counting.
        counts = np.fromiter(
            (_QUOTED.sub("", line).count(",") if '"' in line else line.count(",") for line in kept),
            dtype=np.int64, count=len(kept),
        ) + 1
        wrong = np.flatnonzero(counts != len(names))
        if wrong.size:
            i = int(wrong[0])
            raise PayloadError(
                f"row has {int(counts[i])} fields, the header has {len(names)}",
                line=int(line_numbers[i]),
            )
        try:
            frame = pd.read_csv(
                io.StringIO("\n".join(kept)), header=None, names=names, dtype=str,
                keep_default_na=False, na_filter=False,
            )
        except (pd.errors.ParserError, ValueError) as exc:
            raise PayloadError(f"not readable as CSV: {exc}") from exc
        if len(frame) != len(line_numbers):
            raise PayloadError("a quoted field spans several lines, which this format never has")
    else:
        frame = pd.DataFrame({n: pd.Series(dtype=str) for n in names})
    frame.index = pd.Index(line_numbers, name="line")
    return CsvTable(frame=frame, header_line=header_line)


def to_float(
    frame: pd.DataFrame, column: str, *, missing: Iterable[str] = ("",), scale: float = 1.0
) -> pd.Series:
    """Column `column` of a :class:`CsvTable` frame as floats (NaN where missing).

    Surrounding spaces are ignored (CFTC pads numbers). A value that is neither a missing
    marker nor a finite number raises :class:`PayloadError` naming its line.
    """
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    suspect = np.flatnonzero(~np.isfinite(values.to_numpy()))
    if suspect.size:
        # Only the non-numbers need a closer look: are they missing markers?
        texts = raw.iloc[suspect].astype(str).str.strip()
        bad = ~texts.isin(list(missing)).to_numpy()
        if bad.any():
            at = texts.index[int(np.argmax(bad))]
            raise PayloadError(f"{raw[at]!r} is not a number", line=int(at), column=column)
        values.iloc[suspect] = np.nan
    return values * scale if scale != 1.0 else values


def to_dates(raw: pd.Series, *, fmt: str, column: str, shown: str) -> pd.Series:
    """Strings as datetime64, every one required; `shown` is the format named in errors."""
    parsed = pd.to_datetime(raw, format=fmt, errors="coerce")
    failed = np.flatnonzero(parsed.isna().to_numpy())
    if failed.size:
        # Retry the failures stripped of spaces before calling them bad.
        texts = raw.iloc[failed].astype(str).str.strip()
        retried = pd.to_datetime(texts, format=fmt, errors="coerce")
        bad = retried.isna().to_numpy()
        if bad.any():
            at = texts.index[int(np.argmax(bad))]
            raise PayloadError(f"{texts[at]!r} is not a date ({shown})", line=int(at), column=column)
        fixed = pd.Series(retried.to_numpy(), index=texts.index).reindex(parsed.index)
        parsed = parsed.where(parsed.notna(), fixed)
    return parsed


def check_unique_dates(dates: pd.Series, *, column: str) -> None:
    """Raise :class:`PayloadError` at the second occurrence of a repeated date."""
    repeated = dates.duplicated().to_numpy()
    if repeated.any():
        at = dates.index[int(np.argmax(repeated))]
        first = dates.index[int(np.argmax((dates == dates[at]).to_numpy()))]
        raise PayloadError(
            f"date {dates[at]:%Y-%m-%d} already appears on line {first}", line=int(at), column=column
        )


def wide_to_observations(dates: pd.Series, columns: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Long observations (series_id, date, value) from aligned date and value columns; rows
    with a missing value are dropped."""
    parts = []
    date_values = pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]")
    for series_id, values in columns.items():
        numbers = values.to_numpy(dtype=float)
        mask = ~np.isnan(numbers)
        if mask.any():
            parts.append(
                pd.DataFrame(
                    {
                        "series_id": np.full(int(mask.sum()), series_id, dtype=object),
                        "date": date_values[mask],
                        "value": numbers[mask],
                    }
                )
            )
    if not parts:
        return empty_observations()
    out = pd.concat(parts, ignore_index=True)
    out["series_id"] = out["series_id"].astype(object)
    return out


def observations_batch(source: str, origin: str, observations: pd.DataFrame, label: str) -> Batch:
    """A :class:`Batch` of observations only, sorted by series and date."""
    ordered = observations.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)
    return Batch(source=source, origin=origin, observations=ordered, cftc=empty_cftc(), label=label)


def restrict(batch: Batch, *, series_ids: Sequence[str] | None, start: date | None) -> Batch:
    """`batch` keeping only `series_ids` (all when None) and dates from `start` on."""
    obs = batch.observations
    cftc = batch.cftc
    if series_ids is not None:
        obs = obs[obs["series_id"].isin(list(series_ids))]
    if start is not None:
        cutoff = pd.Timestamp(start)
        obs = obs[pd.to_datetime(obs["date"]) >= cutoff]
        cftc = cftc[pd.to_datetime(cftc["report_date"]) >= cutoff]
    return Batch(
        source=batch.source, origin=batch.origin, observations=obs.reset_index(drop=True),
        cftc=cftc.reset_index(drop=True), label=batch.label,
    )


# -- the provider contract ------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    """What a refresh asks of a provider.

    Attributes
    ----------
    starts : series id -> first date wanted (None: the whole history the source offers).
    end : last date wanted (normally today).
    """

    starts: Mapping[str, date | None]
    end: date

    def start_of(self, series_ids: Iterable[str]) -> date | None:
        """Earliest start among `series_ids` (None if any of them wants the full history)."""
        wanted = [self.starts[s] for s in series_ids if s in self.starts]
        if not wanted or any(w is None for w in wanted):
            return None
        return min(w for w in wanted if w is not None)


@dataclass(frozen=True)
class FetchUnit:
    """One request of a refresh.

    Attributes
    ----------
    series_ids : series this request refreshes (their status is recorded together).
    url : request URL without the query string.
    params : query parameters.
    start : rows dated before it are dropped after parsing (None: keep all).
    label : what error messages call it (a series id, "SOFR", "2024", ...).
    browser : send a browser-like User-Agent.
    """

    series_ids: tuple[str, ...]
    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    start: date | None = None
    label: str = ""
    browser: bool = False


class Provider(ABC):
    """A data source in three steps: :meth:`plan`, :meth:`extract`, :meth:`transform`.

    Parameters
    ----------
    client : HTTP client to use; one with the source's pacing is built from config if None.
    """

    #: Source name (one of :data:`data.catalogue.SOURCES`).
    name: ClassVar[str]
    #: Series this provider is the home of although the catalogue does not list them yet.
    own_series: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *, client: HttpClient | None = None) -> None:
        self.client = client or HttpClient(
            settings=HttpSettings.from_config(min_interval_s=self.min_interval_s())
        )

    def min_interval_s(self) -> float:
        """Least seconds between two requests to this source (0: no pacing)."""
        return 0.0

    @abstractmethod
    def series_ids(self) -> tuple[str, ...]:
        """Every series id this provider can refresh."""

    def default_series(self) -> tuple[str, ...]:
        """Series a plain ``tsm refresh`` takes from here: those whose primary (first) source
        in the catalogue is this one, plus :attr:`own_series`."""
        out = []
        for series_id in self.series_ids():
            entry = CATALOGUE.get(series_id)
            if series_id in self.own_series or (entry is not None and entry.sources[:1] == (self.name,)):
                out.append(series_id)
        return tuple(out)

    @abstractmethod
    def plan(self, query: Query) -> list[FetchUnit]:
        """Step 1: the requests that answer `query`."""

    def extract(self, unit: FetchUnit) -> bytes:
        """Step 2: the raw payload of `unit`."""
        return self.client.get(
            unit.url, params=unit.params, source=self.name, series=unit.label or None,
            browser=unit.browser,
        )

    @abstractmethod
    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        """Step 3: the payload parsed (purely) into a batch, restricted to the unit."""

    def fetch(self, unit: FetchUnit) -> Batch:
        """Extract then transform; a malformed payload becomes a :class:`SourceError`."""
        payload = self.extract(unit)
        try:
            return self.transform(unit, payload)
        except PayloadError as exc:
            raise SourceError(
                source=self.name, series=unit.label or None,
                cause=f"unexpected payload ({exc.describe()})",
            ) from exc

    def close(self) -> None:
        self.client.close()


def provider_names() -> tuple[str, ...]:
    """Names of the registered providers, in refresh order."""
    return tuple(PROVIDER_MODULES)


def make_provider(name: str, *, client: HttpClient | None = None) -> Provider:
    """A new provider of source `name`.

    Raises
    ------
    ValueError
        When `name` is not one of :func:`provider_names`.
    """
    module_name = PROVIDER_MODULES.get(name)
    if module_name is None:
        raise ValueError(f"unknown source {name!r}; choose one of {', '.join(PROVIDER_MODULES)}")
    cls = importlib.import_module(module_name).PROVIDER
    provider = cls(client=client)
    assert isinstance(provider, Provider)
    return provider
