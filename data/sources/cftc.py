"""CFTC Traders in Financial Futures (futures only) for the six Treasury futures.

Primary: the public Socrata API (dataset ``gpe5-46if``): a JSON array of flat objects, every
value a string, absent key = missing; the ``_all`` suffix is applied unevenly across fields.
Fallback: the annual zip files ``fut_fin_txt_YYYY.zip`` holding ``FinFutYY.txt``, a CSV with 87
quoted headers, space-padded numbers and ``.`` for missing (DATA_SOURCES.md section 4).

Both become long rows (report date, contract code, trader group, long, short, spreading,
open interest) in contracts, keyed on the contract code as a string (leading zeros kept), for
the codes in :data:`analytics.tenors.TREASURY_FUTURES` only. Non-reportables have no
spreading (NaN).
"""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import ClassVar, Final

import numpy as np
import pandas as pd

import config
from analytics.tenors import TRADER_GROUPS, TREASURY_FUTURES
from data.http import SourceError
from data.model import Batch, empty_cftc, empty_observations
from data.sources import (
    FetchUnit,
    PayloadError,
    Provider,
    Query,
    decode_text,
    read_csv_table,
    restrict,
    to_dates,
    to_float,
)
from data.store import CFTC_STATUS_ID

__all__ = [
    "CONTRACT_CODES",
    "DATASET_ID",
    "DEFAULT_API_URL",
    "DEFAULT_FILES_URL",
    "FIRST_ANNUAL_YEAR",
    "HISTORY_ZIP",
    "MAX_UNZIPPED_BYTES",
    "CftcProvider",
    "PROVIDER",
    "normalise_code",
    "parse_cftc_annual",
    "parse_cftc_socrata_json",
    "parse_cftc_zip",
    "positions_frame",
]

log = logging.getLogger(__name__)

SOURCE: Final[str] = "cftc"
DEFAULT_API_URL: Final[str] = "https://publicreporting.cftc.gov"
DEFAULT_FILES_URL: Final[str] = "https://www.cftc.gov"
#: Socrata dataset of the TFF futures-only report.
DATASET_ID: Final[str] = "gpe5-46if"
#: Rows per Socrata request (SODA returns 1000 unless told).
SOCRATA_LIMIT: Final[int] = 100_000
#: First per-year annual file; earlier years are in :data:`HISTORY_ZIP`.
FIRST_ANNUAL_YEAR: Final[int] = 2017
HISTORY_ZIP: Final[str] = "fin_fut_txt_2006_2016.zip"
#: Largest text member accepted from a zip, in bytes (guards against zip bombs).
MAX_UNZIPPED_BYTES: Final[int] = 256 * 1024 * 1024
#: The six Treasury futures, by CFTC contract code.
CONTRACT_CODES: Final[tuple[str, ...]] = tuple(c.code for c in TREASURY_FUTURES)

#: Trader group -> field stems of (long, short, spreading) in both formats, lower case; each
#: stem is tried with and without the ``_all`` suffix. Non-reportables have no spreading.
_GROUP_FIELDS: Final[Mapping[str, tuple[str, str, str | None]]] = MappingProxyType(
    {
        "dealer": ("dealer_positions_long", "dealer_positions_short", "dealer_positions_spread"),
        "asset_mgr": ("asset_mgr_positions_long", "asset_mgr_positions_short", "asset_mgr_positions_spread"),
        "lev_money": ("lev_money_positions_long", "lev_money_positions_short", "lev_money_positions_spread"),
        "other_rept": ("other_rept_positions_long", "other_rept_positions_short", "other_rept_positions_spread"),
        "nonrept": ("nonrept_positions_long", "nonrept_positions_short", None),
    }
)
_OPEN_INTEREST: Final[str] = "open_interest"
_FUTURES_ONLY: Final[frozenset[str]] = frozenset({"", "futonly", "futures only", "futures_only"})


def normalise_code(code: str) -> str:
    """A contract code as the CFTC writes it: stripped, and all-digit codes padded to 6
    digits (spreadsheets drop the leading zeros of ``043602``)."""
    text = str(code).strip().upper()
    return text.zfill(6) if text.isdigit() and len(text) < 6 else text


def positions_frame(
    report_dates: pd.Series,
    codes: pd.Series,
    column: Callable[[str, bool], pd.Series | None],
    *,
    where: str,
) -> pd.DataFrame:
    """Long CFTC rows from per-(date, contract) columns.

    Parameters
    ----------
    report_dates, codes : aligned on the rows of the source (index = line or record).
    column : ``column(stem, required)`` returns the float column of a field stem (with or
        without ``_all``), or None when it is optional and absent.
    where : prefix of the location named in a duplicate error ("line" or "record").
    """
    keys = pd.DataFrame({"d": report_dates.to_numpy(), "c": codes.to_numpy()}, index=report_dates.index)
    repeated = keys.duplicated().to_numpy()
    if repeated.any():
        at = keys.index[int(np.argmax(repeated))]
        raise PayloadError(
            f"contract {keys.loc[at, 'c']} on {pd.Timestamp(keys.loc[at, 'd']):%Y-%m-%d} appears twice",
            line=int(at) if where == "line" else None,
            column=None if where == "line" else f"record {at}",
        )
    oi = column(_OPEN_INTEREST, True)
    assert oi is not None
    parts = []
    for group in TRADER_GROUPS:
        long_stem, short_stem, spread_stem = _GROUP_FIELDS[group]
        long_ = column(long_stem, True)
        short = column(short_stem, True)
        spread = column(spread_stem, False) if spread_stem else None
        assert long_ is not None and short is not None
        parts.append(
            pd.DataFrame(
                {
                    "report_date": pd.to_datetime(report_dates).to_numpy(dtype="datetime64[ns]"),
                    "contract_code": codes.to_numpy(dtype=object),
                    "trader_group": group,
                    "long": long_.to_numpy(dtype=float),
                    "short": short.to_numpy(dtype=float),
                    "spreading": spread.to_numpy(dtype=float) if spread is not None else np.nan,
                    "open_interest": oi.to_numpy(dtype=float),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["contract_code"] = out["contract_code"].astype(object)
    out["trader_group"] = out["trader_group"].astype(object)
    return out.sort_values(["report_date", "contract_code", "trader_group"], kind="stable").reset_index(drop=True)


def _batch(cftc: pd.DataFrame, origin: str, label: str) -> Batch:
    return Batch(source=SOURCE, origin=origin, observations=empty_observations(), cftc=cftc, label=label)


def _check_futures_only(values: pd.Series | None, *, line_based: bool) -> None:
    if values is None:
        return
    kinds = values.astype(str).str.strip().str.lower()
    bad = ~kinds.isin(list(_FUTURES_ONLY))
    if bad.any():
        at = kinds.index[int(np.argmax(bad.to_numpy()))]
        raise PayloadError(
            f"{values[at]!r} rows: this is the futures-and-options combined report; "
            "import the futures-only file (fut_fin_txt / FinFutYY.txt)",
            line=int(at) if line_based else None, column="FutOnly_or_Combined",
        )


def parse_cftc_annual(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse a TFF futures-only annual text file (``FinFutYY.txt``, any vintage of header).

    The date comes from ``As_of_Date_In_Form_YYMMDD`` when present (stable across vintages),
    else from ``Report_Date_as_YYYY-MM-DD`` / ``Report_Date_as_MM_DD_YYYY``.

    Raises
    ------
    PayloadError
        Missing column, bad date or number (line and column), a combined report, or a
        contract listed twice for one date.
    """
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    lower = {c.lower(): c for c in frame.columns}
    code_col = lower.get("cftc_contract_market_code")
    if code_col is None:
        raise PayloadError("not a CFTC TFF file: no CFTC_Contract_Market_Code column",
                           line=table.header_line)
    codes = frame[code_col].astype(str).map(normalise_code)
    frame = frame[codes.isin(CONTRACT_CODES).to_numpy()]
    codes = codes[codes.isin(CONTRACT_CODES)]
    _check_futures_only(frame[lower["futonly_or_combined"]] if "futonly_or_combined" in lower else None,
                        line_based=True)
    if "as_of_date_in_form_yymmdd" in lower:
        name = lower["as_of_date_in_form_yymmdd"]
        dates = to_dates(frame[name], fmt="%y%m%d", column=name, shown="YYMMDD")
    else:
        found = lower.get("report_date_as_yyyy-mm-dd") or lower.get("report_date_as_mm_dd_yyyy")
        if found is None:
            raise PayloadError("no report date column (As_of_Date_In_Form_YYMMDD or Report_Date_as_...)",
                               line=table.header_line)
        dates = _flexible_dates(frame[found], column=found)

    def column(stem: str, required: bool) -> pd.Series | None:
        for candidate in (f"{stem}_all", stem):
            if candidate in lower:
                return to_float(frame, lower[candidate], missing=("", "."))
        if required:
            raise PayloadError(f"missing column {stem.title()}_All", line=table.header_line)
        return None

    return _batch(positions_frame(dates, codes, column, where="line"), origin, label)


def _flexible_dates(raw: pd.Series, *, column: str) -> pd.Series:
    """ISO dates, or MM/DD/YYYY (older files' column name promises it)."""
    text = raw.astype(str).str.strip()
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if iso.notna().all():
        return iso
    return to_dates(text, fmt="%m/%d/%Y", column=column, shown="YYYY-MM-DD or MM/DD/YYYY")


def parse_cftc_zip(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse an annual zip (``fut_fin_txt_YYYY.zip``): its one text member is read with
    :func:`parse_cftc_annual`.

    Raises
    ------
    PayloadError
        Not a zip, no or several candidate members, a member too large, or a bad member.
    """
    member = unzip_single(payload, pattern=r"(?i)\.(txt|csv)$")
    return parse_cftc_annual(member, origin=origin, label=label)


def unzip_single(payload: bytes, *, pattern: str) -> bytes:
    """The bytes of the one member of a zip whose name matches `pattern` (or its only member)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(payload))
    except zipfile.BadZipFile as exc:
        raise PayloadError(f"not a readable zip archive: {exc}") from exc
    with archive:
        files = [i for i in archive.infolist() if not i.is_dir()]
        matching = [i for i in files if re.search(pattern, i.filename)] if len(files) > 1 else files
        if len(matching) != 1:
            names = ", ".join(i.filename for i in files) or "nothing"
            raise PayloadError(f"the zip should hold exactly one data file, it holds {names}")
        info = matching[0]
        if info.file_size > MAX_UNZIPPED_BYTES:
            raise PayloadError(f"{info.filename} unpacks to {info.file_size} bytes, over the "
                               f"{MAX_UNZIPPED_BYTES}-byte limit")
        try:
            return archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise PayloadError(f"cannot unpack {info.filename}: {exc}") from exc


def parse_cftc_socrata_json(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse a Socrata TFF response (JSON array of string-valued records).

    Raises
    ------
    PayloadError
        Not an array of records, a required field absent from every record, a bad value (the
        column names record and field), a combined report or a repeated contract and date.
    """
    try:
        data = json.loads(decode_text(payload))
    except json.JSONDecodeError as exc:
        raise PayloadError(f"invalid JSON: {exc.msg}", line=exc.lineno) from exc
    if isinstance(data, dict) and ("error" in data or "message" in data):
        raise PayloadError(f"Socrata error: {data.get('message') or data.get('error')}")
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise PayloadError("not a Socrata response: expected a JSON array of records")
    if not data:
        return _batch(empty_cftc(), origin, label)
    frame = pd.DataFrame.from_records(data)
    frame.columns = [str(c).lower() for c in frame.columns]
    if "cftc_contract_market_code" not in frame.columns:
        raise PayloadError("records lack cftc_contract_market_code")
    codes = frame["cftc_contract_market_code"].astype(str).map(normalise_code)
    keep = codes.isin(CONTRACT_CODES).to_numpy()
    frame, codes = frame[keep], codes[keep]
    # Socrata drops null fields: an absent key is a missing value.
    text = frame.astype(object).where(frame.notna(), "")
    _check_futures_only(text["futonly_or_combined"] if "futonly_or_combined" in text else None,
                        line_based=False)
    if "report_date_as_yyyy_mm_dd" not in frame.columns:
        raise PayloadError("records lack report_date_as_yyyy_mm_dd")
    raw_dates = text["report_date_as_yyyy_mm_dd"].astype(str).str.slice(0, 10)
    try:
        dates = to_dates(raw_dates, fmt="%Y-%m-%d", column="report_date_as_yyyy_mm_dd",
                         shown="YYYY-MM-DDT00:00:00.000")
    except PayloadError as exc:
        raise PayloadError(exc.problem, column=f"record {exc.line}: {exc.column}") from exc

    def column(stem: str, required: bool) -> pd.Series | None:
        for candidate in (f"{stem}_all", stem):
            if candidate in text.columns:
                try:
                    return to_float(text, candidate, missing=("",))
                except PayloadError as exc:
                    raise PayloadError(exc.problem, column=f"record {exc.line}: {exc.column}") from exc
        if required and len(text):
            raise PayloadError(f"no record has field {stem}_all or {stem}")
        return None if not required else pd.Series(np.nan, index=text.index)

    return _batch(positions_frame(dates, codes, column, where="record"), origin, label)


class CftcProvider(Provider):
    """CFTC: one Socrata request from the start date; the annual files if it fails."""

    name: ClassVar[str] = SOURCE
    own_series: ClassVar[tuple[str, ...]] = (CFTC_STATUS_ID,)

    def series_ids(self) -> tuple[str, ...]:
        return (CFTC_STATUS_ID,)

    def plan(self, query: Query) -> list[FetchUnit]:
        if CFTC_STATUS_ID not in query.starts:
            return []
        start = query.starts[CFTC_STATUS_ID]
        codes = ",".join(f"'{c}'" for c in CONTRACT_CODES)
        where = f"cftc_contract_market_code in({codes})"
        if start is not None:
            where += f" AND report_date_as_yyyy_mm_dd >= '{start.isoformat()}'"
        params = {
            "$where": where,
            "$order": "report_date_as_yyyy_mm_dd ASC",
            "$limit": str(SOCRATA_LIMIT),
        }
        url = f"{config.base_url(SOURCE, DEFAULT_API_URL)}/resource/{DATASET_ID}.json"
        unit = FetchUnit((CFTC_STATUS_ID,), url, params, start, "TFF")
        return [unit] if start is None or start <= query.end else []

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        if unit.url.endswith(".zip"):
            batch = parse_cftc_zip(payload, label=unit.url)
        else:
            batch = parse_cftc_socrata_json(payload, label=unit.url)
        return restrict(batch, series_ids=None, start=unit.start)

    def annual_units(self, unit: FetchUnit, *, end: date) -> list[FetchUnit]:
        """The fallback requests covering `unit`'s dates: one zip per year (and the
        2006-2016 history file when the start is before 2017)."""
        base = f"{config.base_url('cftc_files', DEFAULT_FILES_URL)}/files/dea/history"
        first = unit.start.year if unit.start is not None else 2006
        units = []
        if first < FIRST_ANNUAL_YEAR:
            units.append(FetchUnit(unit.series_ids, f"{base}/{HISTORY_ZIP}", {}, unit.start, "TFF 2006-2016"))
        for year in range(max(first, FIRST_ANNUAL_YEAR), end.year + 1):
            units.append(FetchUnit(unit.series_ids, f"{base}/fut_fin_txt_{year}.zip", {}, unit.start,
                                   f"TFF {year}"))
        return units

    def fetch(self, unit: FetchUnit) -> Batch:
        if unit.url.endswith(".zip"):
            return super().fetch(unit)
        try:
            return super().fetch(unit)
        except SourceError as primary:
            log.warning("cftc: Socrata API failed (%s); trying the annual files", primary.cause)
            try:
                return self._fetch_annual(unit)
            except SourceError as fallback:
                raise SourceError(
                    source=SOURCE, series=unit.label,
                    cause=f"API failed ({primary.cause}); annual files failed too ({fallback})",
                ) from fallback

    def _fetch_annual(self, unit: FetchUnit) -> Batch:
        units = self.annual_units(unit, end=date.today())
        frames: list[pd.DataFrame] = []
        for position, year_unit in enumerate(units):
            try:
                frames.append(super().fetch(year_unit).cftc)
            except SourceError as exc:
                # The current year's file may not exist yet in early January.
                if exc.status == 404 and position == len(units) - 1 and frames:
                    continue
                raise
        merged = pd.concat(frames, ignore_index=True) if frames else empty_cftc()
        return _batch(merged, "live", f"{units[0].url} ... ({len(units)} files)" if units else "")


PROVIDER = CftcProvider
