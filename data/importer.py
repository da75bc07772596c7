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

Files that are not time series (e.g. a TreasuryDirect auction export with its camelCase
columns) are refused with a clear message.
Every file is parsed before anything is written; then ONE :meth:`data.store.Store.write` of all
batches, so a malformed file leaves the store exactly as it was. Unknown series ids in tidy
files are accepted (stored as uncatalogued series).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

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


def _read(path: Path) -> bytes:
    if path.is_dir():
        raise ImportFileError(path, "is a folder; name the files to import")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ImportFileError(path, f"cannot be read: {exc.strerror or exc}") from exc


def detect_format(path: str | Path) -> str:
    """The format of the file at `path`, from its content (see the module docstring).

    Raises
    ------
    ImportFileError
        Unreadable, empty, or not a format this app imports (the message says why).
    """
    file = Path(path)
    payload = _read(file)
    try:
        return _detect(payload, file.name)
    except PayloadError as exc:
        raise ImportFileError(file, exc.problem, line=exc.line, column=exc.column) from exc


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
    file = Path(path)
    return _parse_with_format(file)[1]


def _parse_with_format(file: Path) -> tuple[str, Batch]:
    payload = _read(file)
    try:
        fmt = _detect(payload, file.name)
        batch = _parse(payload, fmt, file)
    except PayloadError as exc:
        raise ImportFileError(file, exc.problem, line=exc.line, column=exc.column) from exc
    if len(batch) == 0:
        raise ImportFileError(file, f"no observations in the file (read as {fmt})")
    return fmt, batch


# -- import ---------------------------------------------------------------------------------
_OBS_KEY: Final[tuple[str, ...]] = ("series_id", "date")
_CFTC_KEY: Final[tuple[str, ...]] = ("report_date", "contract_code", "trader_group")
_CFTC_VALUES: Final[tuple[str, ...]] = ("long", "short", "spreading", "open_interest")


@dataclass(frozen=True)
class _Changes:
    """Counts of one incoming frame and the positions of its rows that change the store."""

    counts: WriteResult
    changing: np.ndarray


def _sequential_changes(
    stored: pd.DataFrame, incoming: Sequence[pd.DataFrame], key: Sequence[str], values: Sequence[str]
) -> list[_Changes]:
    """Per incoming frame, what a sequential write would insert, update or leave alone.

    Mirrors :meth:`data.store.Store.write`: frames apply in order, a key repeated within a
    frame keeps its last row, equal values (NaN equal to NaN) are unchanged. Vectorised: sort
    all rows (stored first) by key and compare each row with its predecessor of equal key.
    """
    parts = [stored[[*key, *values]].assign(_file=-1, _row=np.arange(len(stored)))]
    parts += [f[[*key, *values]].assign(_file=i, _row=np.arange(len(f))) for i, f in enumerate(incoming)]
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.drop_duplicates([*key, "_file"], keep="last")
    rows = rows.sort_values([*key, "_file"], kind="stable").reset_index(drop=True)
    n = len(incoming)
    if rows.empty:
        return [_Changes(WriteResult(), np.empty(0, dtype=np.int64)) for _ in range(n)]
    same_key = np.ones(len(rows), dtype=bool)
    for column in key:
        col = rows[column].to_numpy()
        same_key[1:] &= col[1:] == col[:-1]
    same_key[0] = False
    current = rows[list(values)].to_numpy(dtype=float)
    previous = np.roll(current, 1, axis=0)
    equal = ((current == previous) | (np.isnan(current) & np.isnan(previous))).all(axis=1)
    files = rows["_file"].to_numpy()
    mine = files >= 0
    inserted = np.bincount(files[mine & ~same_key], minlength=n)
    unchanged_mask = mine & same_key & equal
    unchanged = np.bincount(files[unchanged_mask], minlength=n)
    updated = np.bincount(files[mine & same_key & ~equal], minlength=n)
    changing = mine & ~unchanged_mask
    positions = rows["_row"].to_numpy()
    out = []
    for i in range(n):
        picked = np.sort(positions[changing & (files == i)])
        out.append(_Changes(WriteResult(int(inserted[i]), int(updated[i]), int(unchanged[i])), picked))
    return out


def _plan_writes(store: Store, batches: Sequence[Batch]) -> tuple[list[WriteResult], list[Batch]]:
    """Each batch's new / revised / unchanged counts, and the batches cut down to the rows that
    change the store (re-importing unchanged history then costs the store nothing)."""
    obs = [
        b.observations.assign(
            series_id=b.observations["series_id"].astype(str),
            date=pd.to_datetime(b.observations["date"]).astype("datetime64[ns]"),
        )
        for b in batches
    ]
    ids = sorted({s for frame in obs for s in frame["series_id"].unique()})
    stored = pd.DataFrame({"series_id": pd.Series(dtype=str),
                           "date": pd.Series(dtype="datetime64[ns]"),
                           "value": pd.Series(dtype=float)})
    if ids and store.has_observations():
        wide = store.read_series(ids)
        melted = wide.reset_index().melt(id_vars="date", var_name="series_id", value_name="value")
        stored = melted.dropna(subset=["value"]).assign(
            date=lambda f: pd.to_datetime(f["date"]).astype("datetime64[ns]"))
    obs_changes = _sequential_changes(stored, obs, _OBS_KEY, ("value",))
    if any(not b.cftc.empty for b in batches):
        positions = [
            b.cftc.assign(report_date=pd.to_datetime(b.cftc["report_date"]).astype("datetime64[ns]"),
                          contract_code=b.cftc["contract_code"].astype(str),
                          trader_group=b.cftc["trader_group"].astype(str))
            for b in batches
        ]
        held = store.read_cftc()
        held = held.assign(report_date=held["report_date"].astype("datetime64[ns]"))
        cftc_changes = _sequential_changes(held, positions, _CFTC_KEY, _CFTC_VALUES)
    else:
        cftc_changes = [_Changes(WriteResult(), np.empty(0, dtype=np.int64)) for _ in batches]
    counts = []
    writes = []
    for batch, o, c in zip(batches, obs_changes, cftc_changes, strict=True):
        counts.append(o.counts + c.counts)
        if len(o.changing) or len(c.changing):
            writes.append(Batch(
                source=batch.source, origin=batch.origin, label=batch.label,
                observations=batch.observations.iloc[o.changing].reset_index(drop=True),
                cftc=batch.cftc.iloc[c.changing].reset_index(drop=True),
            ))
    return counts, writes


def import_paths(store: Store, paths: Iterable[str | Path]) -> ImportReport:
    """Import `paths` into `store`: parse all, then one write of all batches.

    Only the rows that change the store are written (new or revised); the report counts the
    unchanged ones too. The total's inserted and updated counts are the store's own.

    Raises
    ------
    ImportFileError
        The first file that cannot be imported; the store is left exactly as it was.
    data.store.StoreError
        The write failed; the transaction was rolled back, nothing was written.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("import_paths needs at least one path")
    parsed = [_parse_with_format(f) for f in files]
    batches = [b for _, b in parsed]
    counts, writes = _plan_writes(store, batches)
    reports = []
    for file, (fmt, batch), count in zip(files, parsed, counts, strict=True):
        series = tuple(batch.series_ids) + ((CFTC_STATUS_ID,) if not batch.cftc.empty else ())
        reports.append(FileReport(file, fmt, series, len(batch), count.inserted, count.updated,
                                  count.unchanged, batch.notes))
    # One write, of the rows that change something: all land or none do.
    written = store.write(writes) if writes else WriteResult()
    unchanged = sum(c.unchanged for c in counts)
    return ImportReport(files=tuple(reports), total=WriteResult(written.inserted, written.updated, unchanged))
