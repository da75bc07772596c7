"""Import of users' files into the store (``tsm import PATH...``).

The format of each file is detected from its CONTENT, never its extension:

=====================  ======================================================================
format                 what identifies it
=====================  ======================================================================
``fred-csv``           header ``observation_date,<ID>...`` (current) or ``DATE,<ID>...`` (legacy)
``fred-json``          JSON object with an ``observations`` array (series id = file stem)
``fred-xml``           XML whose root is ``<observations>`` (series id = file stem)
``treasury-csv``       header ``Date,"1 Mo",...`` (tenor columns)
``nyfed-rates-json``   JSON object with a ``refRates`` array
``nyfed-repo-json``    JSON object ``{"repo": {"operations": [...]}}``
``cftc-annual``        CFTC TFF text file (``Market_and_Exchange_Names``... 87 columns)
``cftc-socrata-json``  JSON array of records with ``cftc_contract_market_code``
``gsw-csv``            a line starting ``Date,`` with SVEN/BETA columns (``feds200628.csv``)
``h15-csv``            Fed DDP package with a ``"Time Period"`` header
``tidy-series``        ``date,value`` (series id = file stem, e.g. ``fred/DGS10.csv``)
``tidy-wide``          ``date,<ID>,<ID>...`` (one column per series id)
``cftc-tidy``          long CFTC CSV: ``report_date, contract, cftc_code, ..., lev_money_long``
``ofr-fsi-csv``        OFR Financial Stress Index (header ``Date,OFR FSI,Credit,...``)
``acm-xls``            NY Fed ACM term premium workbook (legacy .xls, sheet ``ACM Daily``)
``auctions-csv``       auction table ``date,tenor,...,high_yield,...,bid_to_cover,...``
``auctions-json``      Fiscal Data ``auctions_query`` response (``{"data": [...auction_date...]}``)
``eris-curve-csv``     Eris SOFR par coupon curve (``Symbol,...,FairCoupon (%)``)
``swap-curve-csv``     desk swap curve export ``date,tenor,rate``
``fedinvest-csv``      FedInvest end-of-day prices (no header; date in the file name) -> HPW noise
``zip:<format>``       a zip holding one file of any format above (CFTC annual zips)
=====================  ======================================================================

Files that are not time series (e.g. an auction table) are refused with a clear message.
All files go into ONE transaction (:meth:`data.store.Store.write_each`), so a malformed file
leaves the store exactly as it was. Unknown series ids in tidy files are accepted (stored as
uncatalogued series).

Limits: a file larger than ``TSM_IMPORT_MAX_BYTES`` (default 256 MB) is refused before it is
read. Line-based CSVs are streamed: parsed :data:`CHUNK_CELLS` cells at a time and written as
they go (inside the one transaction), so memory stays bounded and an error on line 3 stops the
import after reading one chunk. Structured files (JSON, XML, zip, CFTC text, GSW, H.15) are
read whole.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

import config
from data.model import Batch
from data.sources import (
    PayloadError,
    check_unique_dates,
    decode_text,
    location,
    observations_batch,
    read_csv_table,
    to_dates,
    to_float,
    wide_to_observations,
)
from data.sources.acm import looks_like_acm_xls, parse_acm_xls
from data.sources.auctions import (
    looks_like_auction_table,
    looks_like_auctions_json,
    parse_auction_table,
    parse_auctions_json,
)
from data.sources.cftc import (
    CONTRACT_CODES,
    normalise_code,
    parse_cftc_annual,
    parse_cftc_socrata_json,
    positions_frame,
    unzip_single,
)
from data.sources.eris import looks_like_eris_curve, parse_eris_curve
from data.sources.fedinvest import looks_like_fedinvest, parse_fedinvest_csv
from data.sources.fred import parse_fred_json, parse_fred_xml, parse_fredgraph_csv
from data.sources.gsw import parse_gsw_csv
from data.sources.h15 import parse_h15_csv
from data.sources.nyfed import parse_nyfed_rates_json, parse_nyfed_repo_json
from data.sources.ofr import looks_like_ofr_fsi, parse_ofr_fsi
from data.sources.swapcurve import looks_like_swap_curve, parse_swap_curve_csv
from data.sources.treasury import parse_treasury_csv, tenor_series_id
from data.store import CFTC_STATUS_ID, Store, WriteResult

__all__ = [
    "FORMATS",
    "TIDY_MISSING",
    "FileReport",
    "ImportFileError",
    "ImportReport",
    "detect_format",
    "import_paths",
    "parse_file",
]

#: Source recorded for tidy files (their origin is the user's file, not a publisher).
TIDY_SOURCE: Final[str] = "file"
#: Missing-value markers accepted in tidy files.
TIDY_MISSING: Final[tuple[str, ...]] = ("", ".", "NA", "ND", "NaN", "nan")
#: A series id taken from a file stem or a header: letters, digits, "_", "." and "-".
_SERIES_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_ZIP_MAGIC: Final[bytes] = b"PK\x03\x04"
_SNIFF_LINES: Final[int] = 50


class ImportFileError(ValueError):
    """A file cannot be imported; nothing was written.

    Attributes
    ----------
    path : the file.
    line : 1-based line of the problem, when known.
    column : column (header name, or JSON record and field) where it applies, else None.
    problem : what is wrong.
    """

    def __init__(self, path: Path, problem: str, *, line: int | None = None, column: str | None = None):
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
        super().__init__(self.describe())

    def describe(self) -> str:
        """``FILE line N, column C: problem`` (line and column when known)."""
        where = location(self.line, self.column)
        return f"{self.path} {where}: {self.problem}" if where else f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class FileReport:
    """What one file contributed.

    Attributes
    ----------
    path : the file.
    format : detected format (see :data:`FORMATS`).
    series : series ids in the file ("CFTC_TFF" for positions).
    rows : observations (or position rows) read.
    inserted, updated, unchanged : rows new to the store, replacing a different value, or
        identical to what was stored.
    notes : what the parser decided that the reader should know (the batch's notes).
    """

    path: Path
    format: str
    series: tuple[str, ...]
    rows: int
    inserted: int
    updated: int
    unchanged: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """Result of :func:`import_paths`: one :class:`FileReport` per file and the store's total."""

    files: tuple[FileReport, ...]
    total: WriteResult


# -- tidy formats -----------------------------------------------------------------------------
def _series_id(name: str, *, what: str) -> str:
    if not _SERIES_ID.match(name):
        raise PayloadError(f"{what} {name!r} is not a usable series id (letters, digits, _ . -)")
    return name


def parse_tidy_series(payload: bytes, *, series_id: str, label: str = "") -> Batch:
    """``date,value`` CSV of one series (ISO dates; empty, ``.``, ``NA`` or ``ND`` missing)."""
    sid = _series_id(series_id, what="file name")
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    dates = to_dates(frame["date"], fmt="%Y-%m-%d", column="date", shown="YYYY-MM-DD")
    check_unique_dates(dates, column="date")
    values = {sid: to_float(frame, "value", missing=TIDY_MISSING)}
    return observations_batch(TIDY_SOURCE, "imported", wide_to_observations(dates, values), label)


def parse_tidy_wide(payload: bytes, *, label: str = "") -> Batch:
    """CSV with a ``date`` column first and one column per series id."""
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    date_col, *series_cols = list(frame.columns)
    if not series_cols:
        raise PayloadError("only a date column: no series", line=table.header_line)
    for name in series_cols:
        try:
            _series_id(name, what="column")
        except PayloadError as exc:
            raise PayloadError(exc.problem, line=table.header_line, column=name) from exc
    dates = to_dates(frame[date_col], fmt="%Y-%m-%d", column=date_col, shown="YYYY-MM-DD")
    check_unique_dates(dates, column=date_col)
    values = {c: to_float(frame, c, missing=TIDY_MISSING) for c in series_cols}
    return observations_batch(TIDY_SOURCE, "imported", wide_to_observations(dates, values), label)


def parse_cftc_tidy(payload: bytes, *, label: str = "") -> Batch:
    """Long CFTC CSV (``report_date``, ``cftc_code``, ``open_interest``, ``<group>_long``,
    ``<group>_short``, ``<group>_spread``; non-reportables without spread)."""
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    lower = {c.lower(): c for c in frame.columns}
    code_name = lower.get("cftc_code") or lower.get("contract_code")
    if code_name is None:
        raise PayloadError("missing column cftc_code", line=table.header_line)
    codes = frame[code_name].astype(str).map(normalise_code)
    keep = codes.isin(CONTRACT_CODES).to_numpy()
    frame, codes = frame[keep], codes[keep]
    dates = to_dates(frame[lower["report_date"]], fmt="%Y-%m-%d", column=lower["report_date"],
                     shown="YYYY-MM-DD")

    def column(stem: str, required: bool) -> pd.Series | None:
        # The CFTC field stems ("lev_money_positions_long") read "lev_money_long" here.
        name = stem.replace("_positions", "")
        if name in lower:
            return to_float(frame, lower[name], missing=TIDY_MISSING)
        if required:
            raise PayloadError(f"missing column {name}", line=table.header_line)
        return None

    cftc = positions_frame(dates, codes, column, where="line")
    return Batch(source="cftc", origin="imported", cftc=cftc, label=label)


# -- detection ------------------------------------------------------------------------------
def _header_fields(line: str) -> list[str]:
    return [f.strip() for f in next(csv.reader([line]), [])]


def _detect(payload: bytes, name: str) -> str:
    """Format name of `payload` (file name `name`, used only for messages and zip members)."""
    if not payload.strip():
        raise PayloadError("the file is empty")
    if payload.startswith(_ZIP_MAGIC):
        return "zip:" + _detect(unzip_single(payload, pattern=r"(?i)\.(txt|csv|json|xml)$"), name)
    if looks_like_acm_xls(payload):
        return "acm-xls"
    if payload.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
        return _detect_json(decode_text(payload))
    # Sniffing needs only the head of a large file.
    text = decode_text(payload[: 256 * 1024])
    head = text.lstrip()
    if head[:1] == "<":
        body = re.sub(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", head[:4096], flags=re.S).lstrip()
        root = re.match(r"<([A-Za-z_][\w:.\-]*)", body)
        tag = root.group(1) if root else "?"
        if tag in ("observations", "error"):
            return "fred-xml"
        raise PayloadError(f"XML with root <{tag}> is not a format this app imports "
                           "(FRED API XML has <observations>)")
    lines = [line for line in text.splitlines()[:_SNIFF_LINES]]
    if any(line.startswith("Date,") and ("SVEN" in line or "BETA0" in line) for line in lines):
        return "gsw-csv"
    if any(line.lstrip('"').startswith("Time Period") for line in lines[:20]):
        return "h15-csv"
    if looks_like_eris_curve(text):
        return "eris-curve-csv"
    first = next((line for line in lines if line.strip()), "")
    if looks_like_fedinvest(first):
        return "fedinvest-csv"
    if looks_like_ofr_fsi(first):
        return "ofr-fsi-csv"
    if looks_like_auction_table(first):
        return "auctions-csv"
    if looks_like_swap_curve(first):
        return "swap-curve-csv"
    fields = _header_fields(first)
    lower = [f.lower() for f in fields]
    if lower[:1] == ["market_and_exchange_names"] or "cftc_contract_market_code" in lower:
        return "cftc-annual"
    if "report_date" in lower and ("cftc_code" in lower or "contract_code" in lower):
        return "cftc-tidy"
    if lower == ["date", "value"]:
        return "tidy-series"
    if fields[:1] in (["observation_date"], ["DATE"]) and len(fields) >= 2:
        return "fred-csv"
    if lower[:1] == ["date"] and any(tenor_series_id(f) for f in fields[1:]):
        return "treasury-csv"
    if lower[:1] == ["date"] and len(fields) >= 2:
        return "tidy-wide"
    shown = first if len(first) <= 80 else first[:77] + "..."
    raise PayloadError(
        f"not a time series this app imports: the first column should be a date, the header is "
        f"{shown!r} (accepted: FRED CSV/JSON/XML, Treasury yield curve CSV, NY Fed JSON, CFTC TFF "
        "text/JSON/CSV, GSW CSV, H.15 CSV, date,value or date,<series...> CSV, or a zip of one)",
        line=1,
    )


def _detect_json(text: str) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if isinstance(data, dict):
        if "observations" in data or "error_message" in data:
            return "fred-json"
        if "refRates" in data:
            return "nyfed-rates-json"
        if isinstance(data.get("repo"), dict):
            return "nyfed-repo-json"
        if looks_like_auctions_json(data):
            return "auctions-json"
        keys = ", ".join(list(data)[:5])
        raise PayloadError(f"JSON object with keys {keys} is not a format this app imports")
    if isinstance(data, list) and data and isinstance(data[0], dict):
        fields = {str(k).lower() for k in data[0]}
        if "cftc_contract_market_code" in fields or "report_date_as_yyyy_mm_dd" in fields:
            return "cftc-socrata-json"
    raise PayloadError("JSON array that is not a CFTC Socrata response (or is empty)")


_Parser = Callable[[bytes, str, str], Batch]

#: Format name -> parser ``(payload, series id from the file stem, label) -> Batch``.
FORMATS: Final[Mapping[str, _Parser]] = MappingProxyType(
    {
        "fred-csv": lambda p, stem, label: parse_fredgraph_csv(p, origin="imported", label=label),
        "fred-json": lambda p, stem, label: parse_fred_json(
            p, series_id=_series_id(stem, what="file name"), origin="imported", label=label),
        "fred-xml": lambda p, stem, label: parse_fred_xml(
            p, series_id=_series_id(stem, what="file name"), origin="imported", label=label),
        "treasury-csv": lambda p, stem, label: parse_treasury_csv(p, origin="imported", label=label),
        "nyfed-rates-json": lambda p, stem, label: parse_nyfed_rates_json(p, origin="imported", label=label),
        "nyfed-repo-json": lambda p, stem, label: parse_nyfed_repo_json(p, origin="imported", label=label),
        "cftc-annual": lambda p, stem, label: parse_cftc_annual(p, origin="imported", label=label),
        "cftc-socrata-json": lambda p, stem, label: parse_cftc_socrata_json(p, origin="imported", label=label),
        "gsw-csv": lambda p, stem, label: parse_gsw_csv(p, origin="imported", label=label),
        "h15-csv": lambda p, stem, label: parse_h15_csv(p, origin="imported", label=label),
        "tidy-series": lambda p, stem, label: parse_tidy_series(p, series_id=stem, label=label),
        "tidy-wide": lambda p, stem, label: parse_tidy_wide(p, label=label),
        "cftc-tidy": lambda p, stem, label: parse_cftc_tidy(p, label=label),
        "ofr-fsi-csv": lambda p, stem, label: parse_ofr_fsi(p, origin="imported", label=label),
        "acm-xls": lambda p, stem, label: parse_acm_xls(p, origin="imported", label=label),
        "auctions-csv": lambda p, stem, label: parse_auction_table(p, origin="imported", label=label),
        "auctions-json": lambda p, stem, label: parse_auctions_json(p, origin="imported", label=label),
        "eris-curve-csv": lambda p, stem, label: parse_eris_curve(p, origin="imported", label=label),
        "swap-curve-csv": lambda p, stem, label: parse_swap_curve_csv(p, label=label),
        "fedinvest-csv": lambda p, stem, label: parse_fedinvest_csv(p, label=label),
    }
)


#: Line-based CSV formats whose header is their first line: parsed in chunks of lines, so a
#: large file never sits in memory whole and an error stops the read where it is.
STREAMED_FORMATS: Final[frozenset[str]] = frozenset({"tidy-series", "tidy-wide", "fred-csv", "treasury-csv", "cftc-tidy"})
#: Cells (lines x columns) parsed per chunk of a streamed file.
CHUNK_CELLS: Final[int] = 100_000
_HEAD_BYTES: Final[int] = 256 * 1024
_UTF16_BOMS: Final[tuple[bytes, bytes]] = (b"\xff\xfe", b"\xfe\xff")


def _check_size(path: Path) -> int:
    if path.is_dir():
        raise ImportFileError(path, "is a folder; name the files to import")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    limit = config.import_max_bytes()
    if size > limit:
        raise ImportFileError(path, f"{size / 1e6:,.1f} MB is more than the {limit / 1e6:,.1f} MB "
                                    "an import reads (TSM_IMPORT_MAX_BYTES); split the file")
    return size


def _read(path: Path, limit: int | None = None) -> bytes:
    _check_size(path)
    try:
        with path.open("rb") as handle:
            payload = handle.read() if limit is None else handle.read(limit)
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    if payload.startswith(_UTF16_BOMS) and limit is None:
        # Excel's "Unicode text": read once, parse as UTF-8 like every other file.
        try:
            return payload.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError(path, f"starts as UTF-16 but is not valid UTF-16 (byte {exc.start}); "
                                        "save it as UTF-8") from exc
    return payload


def detect_format(path: str | Path) -> str:
    """The format of the file at `path`, from its content (see the module docstring).

    Raises
    ------
    ImportFileError
        Unreadable, empty, too large, or not a format this app imports (the message says why).
    """
    file = Path(path)
    return _Prepared.open(file).fmt


def _parse(payload: bytes, fmt: str, path: Path) -> Batch:
    if fmt.startswith("zip:"):
        inner = unzip_single(payload, pattern=r"(?i)\.(txt|csv|json|xml)$")
        return _parse(inner, fmt[4:], path)
    return FORMATS[fmt](payload, path.stem, str(path))


def parse_file(path: str | Path) -> Batch:
    """The file at `path` as a batch (origin "imported"); nothing is written.

    Raises
    ------
    ImportFileError
        With the file, line, column and problem of the first thing wrong.
    """
    prepared = _Prepared.open(Path(path))
    parts = list(prepared.batches())
    obs = [b.observations for b in parts if not b.observations.empty]
    cftc = [b.cftc for b in parts if not b.cftc.empty]
    first = parts[0]
    return Batch(
        source=first.source, origin=first.origin, label=first.label,
        observations=pd.concat(obs, ignore_index=True) if obs else first.observations,
        cftc=pd.concat(cftc, ignore_index=True) if cftc else first.cftc,
    )


@dataclass
class _Prepared:
    """A file checked (size, format) and ready to yield its batches.

    Small or structured files (JSON, XML, zip, CFTC text, GSW, H.15) are parsed whole when
    opened; line-based CSVs (:data:`STREAMED_FORMATS`) are read and parsed a chunk of lines
    at a time by :meth:`batches`.
    """

    path: Path
    fmt: str
    whole: Batch | None
    rows: int = 0
    series: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def open(cls, path: Path) -> _Prepared:
        head = _read(path, _HEAD_BYTES)
        try:
            if head.startswith(_ZIP_MAGIC) or head.startswith(_UTF16_BOMS) \
                    or head.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"[", b"<"):
                payload = _read(path)
                fmt = _detect(payload, path.name)
            else:
                fmt = _detect(head, path.name)
                if fmt in STREAMED_FORMATS:
                    return cls(path, fmt, None)
                payload = _read(path)
            batch = _parse(payload, fmt, path)
        except PayloadError as exc:
            raise ImportFileError(path, exc.problem, line=exc.line, column=exc.column) from exc
        if len(batch) == 0:
            raise ImportFileError(path, f"no observations in the file (read as {fmt})")
        return cls(path, fmt, batch)

    def batches(self) -> Iterator[Batch]:
        """The file's batches in order; a streamed file stops at its first bad chunk.

        Raises
        ------
        ImportFileError
            The first problem, with the file's own line number.
        """
        if self.whole is not None:
            self._count(self.whole)
            yield self.whole
            return
        yield from self._stream()

    def _count(self, batch: Batch) -> None:
        self.rows += len(batch)
        self.notes += tuple(batch.notes)
        ids = set(self.series) | set(batch.series_ids)
        if not batch.cftc.empty:
            ids.add(CFTC_STATUS_ID)
        self.series = tuple(sorted(ids - {CFTC_STATUS_ID})) + ((CFTC_STATUS_ID,) if CFTC_STATUS_ID in ids else ())

    def _stream(self) -> Iterator[Batch]:
        path = self.path
        seen: dict[np.datetime64, int] = {}
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise ImportFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
        with handle:
            header = handle.readline()
            columns = max(1, header.count(b",") + 1)
            per_chunk = max(500, CHUNK_CELLS // columns)
            first_line = 2
            while True:
                lines = list(itertools.islice(handle, per_chunk))
                if not lines:
                    break
                chunk = header.rstrip(b"\r\n") + b"\n" + b"".join(
                    line if line.endswith(b"\n") else line + b"\n" for line in lines)
                try:
                    batch = FORMATS[self.fmt](chunk, path.stem, str(path))
                except PayloadError as exc:
                    raise ImportFileError(path, exc.problem, line=_file_line(exc.line, first_line),
                                          column=exc.column) from exc
                self._check_repeats(batch, lines, first_line, seen)
                first_line += len(lines)
                if len(batch):
                    self._count(batch)
                    yield batch
        if self.rows == 0:
            raise ImportFileError(path, f"no observations in the file (read as {self.fmt})")

    def _check_repeats(self, batch: Batch, lines: list[bytes], first_line: int,
                       seen: dict[np.datetime64, int]) -> None:
        # Within a chunk the parser checks repeated dates; across chunks it is done here.
        if self.fmt == "cftc-tidy" or batch.observations.empty:
            return
        days = np.unique(batch.observations["date"].to_numpy(dtype="datetime64[D]"))
        repeated = [d for d in days if d in seen]
        if repeated:
            day = pd.Timestamp(repeated[0])
            shown = (day.strftime("%m/%d/%Y") if self.fmt == "treasury-csv" else day.strftime("%Y-%m-%d"))
            at = next((first_line + i for i, line in enumerate(lines)
                       if line.split(b",", 1)[0].strip(b'" \r\n').decode("latin-1") == shown), None)
            raise ImportFileError(self.path, f"date {day:%Y-%m-%d} already appears on line {seen[repeated[0]]}",
                                  line=at)
        for d in days:
            seen[d] = first_line


def _file_line(chunk_line: int | None, first_line: int) -> int | None:
    """A chunk's line number as the file's (line 1 of a chunk is the file's header)."""
    if chunk_line is None or chunk_line <= 1:
        return chunk_line
    return first_line + chunk_line - 2


def import_paths(store: Store, paths: Iterable[str | Path], *,
                 on_wait: Callable[[str], None] | None = None) -> ImportReport:
    """Import `paths` into `store` in ONE transaction, holding the store's writer lease.

    Every file's size and format are checked first, and structured files parsed; then the
    line-based CSVs are streamed in chunks straight into the transaction. The first problem
    anywhere rolls everything back. Another refresh or import writing to the store is waited
    for (up to TSM_LOCK_WAIT seconds; `on_wait` hears who it is).

    Raises
    ------
    ImportFileError
        The first file that cannot be imported; the store is left exactly as it was.
    data.store.StoreError
        The write failed (rolled back, nothing written), or another writer held the store
        longer than the wait (:class:`data.store.LeaseHeld`).
    """
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("import_paths needs at least one path")
    prepared = [_Prepared.open(f) for f in files]
    owners: list[int] = []

    def batches() -> Iterator[Batch]:
        for index, item in enumerate(prepared):
            for batch in item.batches():
                owners.append(index)
                yield batch

    with store.lease(kind="import", wait_s=config.lock_wait_s(), on_wait=on_wait):
        results = store.write_each(batches())
    per_file = [WriteResult() for _ in files]
    for index, result in zip(owners, results, strict=True):
        per_file[index] += result
    reports = tuple(
        FileReport(item.path, item.fmt, item.series, item.rows, count.inserted, count.updated,
                   count.unchanged, item.notes)
        for item, count in zip(prepared, per_file, strict=True)
    )
    return ImportReport(files=reports, total=sum(per_file, WriteResult()))
