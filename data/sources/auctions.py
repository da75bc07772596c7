"""U.S. Treasury coupon auction results: Fiscal Data ``auctions_query`` API and auction tables.

Two payloads give the same standard model:

* the Fiscal Data API (DATA_SOURCES.md section 8a): ``{"data": [...], "meta": {"total-pages":
  N, ...}, "links": {...}}``; every value a string, ``"null"`` missing, amounts in whole
  dollars, rates with 6 decimals; paginated (``page[number]`` from 1 to ``total-pages``).
  Coupon rows use ``high_yield``, ``avg_med_yield``, ``bid_to_cover_ratio``,
  ``primary_dealer_accepted``, ``direct_bidder_accepted``, ``indirect_bidder_accepted`` and
  ``offering_amt``. Bills, TIPS and FRNs are skipped (by ``security_type`` and, when present,
  the ``inflation_index_security`` / ``floating_rate`` flags: only coupon rows were never
  recorded, DATA_SOURCES section 12);
* an auction table CSV with the columns ``date,tenor,term,reopening,cusip,size_bn,high_yield,
  median_yield,bid_to_cover,dealer_pct,direct_pct,indirect_pct[,dispersion_bp]`` (the shared
  ``auctions_2008_2026.csv``).

Standard model: one series per (tenor, field), keyed by auction date, named
``AUCT_<TENOR>_<FIELD>`` (:func:`auction_series_id`), fields :data:`FIELDS`. Shares are
percentages of the competitive accepted amount (dealer + direct + indirect).

Tenor: the standard tenor (2, 3, 5, 7, 10, 20, 30 years) nearest the term *at this auction*
(``9-Year 10-Month`` -> 10Y), not the original security's label: a 2019 "10-Year" reopening of
an old note with 3 years left is a 3-year auction. If one tenor auctions twice on one date (the
October 2008 reopenings), the larger offering is kept (on a tie, the term closest to the tenor)
and the batch's ``notes`` say which was dropped.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import replace
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
    read_csv_table,
    restrict,
    to_dates,
    to_float,
    wide_to_observations,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "FIELDS",
    "FIRST_DATE",
    "TENORS",
    "AuctionsProvider",
    "PROVIDER",
    "auction_series",
    "auction_series_id",
    "auctions_to_batch",
    "looks_like_auction_table",
    "looks_like_auctions_json",
    "parse_auction_table",
    "parse_auctions_json",
    "tenor_of_term",
]

SOURCE: Final[str] = "auctions"
DEFAULT_BASE_URL: Final[str] = "https://api.fiscaldata.treasury.gov"
_PATH: Final[str] = "/services/api/fiscal_service/v1/accounting/od/auctions_query"
#: Start of a full-history refresh.
FIRST_DATE: Final[date] = date(2008, 1, 1)
#: Standard coupon tenors, years -> label.
TENORS: Final[Mapping[int, str]] = MappingProxyType(
    {2: "2Y", 3: "3Y", 5: "5Y", 7: "7Y", 10: "10Y", 20: "20Y", 30: "30Y"}
)
#: Stored fields: name -> unit.
FIELDS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "HIGH_YIELD": "%",
        "DISPERSION": "bp",
        "BTC": "ratio",
        "INDIRECT": "%",
        "DIRECT": "%",
        "DEALER": "%",
        "SIZE": "$bn",
        "REOPENING": "flag",
    }
)
_PAGE_SIZE: Final[int] = 10000
_MAX_PAGES: Final[int] = 50
_USD_PER_BN: Final[float] = 1e9
_TERM = re.compile(r"(?i)^\s*(?:(\d+)\s*-?\s*year)?\s*(?:(\d+)\s*-?\s*month)?\s*$")
#: Columns of the standard auctions frame built by both parsers.
_FRAME_COLUMNS: Final[tuple[str, ...]] = (
    "date", "tenor", "term_years", "cusip", "size_bn", "high_yield", "median_yield",
    "dispersion_bp", "bid_to_cover", "dealer_pct", "direct_pct", "indirect_pct", "reopening",
)


def auction_series_id(tenor: str, field_name: str) -> str:
    """``AUCT_10Y_BTC`` for tenor ``"10Y"`` and field ``"BTC"``."""
    return f"AUCT_{tenor}_{field_name}"


def auction_series() -> tuple[str, ...]:
    """Every auction series id (tenor x field)."""
    return tuple(auction_series_id(t, f) for t in TENORS.values() for f in FIELDS)


def tenor_of_term(term: str) -> tuple[str, float] | None:
    """(standard tenor label, term in years) of a term such as ``"9-Year 10-Month"``; None when
    the term is not ``N-Year``/``M-Month`` text or is below 18 months (a bill)."""
    match = _TERM.match(str(term))
    if match is None or not (match.group(1) or match.group(2)):
        return None
    years = int(match.group(1) or 0) + int(match.group(2) or 0) / 12.0
    if years < 1.5:
        return None
    nearest = min(TENORS, key=lambda t: (abs(t - years), t))
    return TENORS[nearest], years


# -- the common standard model ----------------------------------------------------------------
def auctions_to_batch(frame: pd.DataFrame, *, origin: str, label: str) -> Batch:
    """Observations of the auction series from a frame with the standard columns.

    One row per (tenor, date) is kept: the larger offering, on a tie the term closest to the
    tenor; the batch's ``notes`` name what was dropped.
    """
    work = frame.copy()
    target = work["tenor"].map(lambda t: float(str(t)[:-1]))
    work["_gap"] = (work["term_years"] - target).abs()
    work["_size"] = work["size_bn"].fillna(-1.0)
    work = work.sort_values(["date", "tenor", "_size", "_gap"], ascending=[True, True, False, True],
                            kind="stable")
    repeated = work.duplicated(["date", "tenor"], keep="first")
    notes = []
    for (day, tenor), group in work[work.duplicated(["date", "tenor"], keep=False)].groupby(
            ["date", "tenor"], sort=True):
        kept, *dropped = group.to_dict("records")
        notes.append(
            f"{str(day)[:10]} {tenor}: {len(group)} auctions on one date; kept "
            f"{kept['cusip'] or '?'} (${kept['size_bn']:g}bn, {kept['term_years']:.1f}y left), dropped "
            + ", ".join(f"{d['cusip'] or '?'} (${d['size_bn']:g}bn, {d['term_years']:.1f}y left)"
                        for d in dropped)
        )
    work = work[~repeated.to_numpy()]
    parts = []
    for tenor, group in work.groupby("tenor", sort=True):
        dates = pd.Series(group["date"].to_numpy(), index=pd.RangeIndex(len(group)))
        columns = {
            "HIGH_YIELD": group["high_yield"], "DISPERSION": group["dispersion_bp"],
            "BTC": group["bid_to_cover"], "INDIRECT": group["indirect_pct"],
            "DIRECT": group["direct_pct"], "DEALER": group["dealer_pct"],
            "SIZE": group["size_bn"], "REOPENING": group["reopening"],
        }
        values = {auction_series_id(str(tenor), k): pd.Series(v.to_numpy(dtype=float))
                  for k, v in columns.items()}
        parts.append(wide_to_observations(dates, values))
    observations = (pd.concat(parts, ignore_index=True) if parts
                    else wide_to_observations(pd.Series([], dtype="datetime64[ns]"), {}))
    batch = observations_batch(SOURCE, origin, observations, label)
    return replace(batch, notes=tuple(notes))


def _shares(dealer: pd.Series, direct: pd.Series, indirect: pd.Series) -> tuple[pd.Series, ...]:
    total = dealer + direct + indirect
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = 100.0 / total.where(total > 0)
    return dealer * scale, direct * scale, indirect * scale


# -- auction table CSV ------------------------------------------------------------------------
_TABLE_REQUIRED: Final[tuple[str, ...]] = ("date", "tenor", "high_yield", "bid_to_cover")


def looks_like_auction_table(first_line: str) -> bool:
    """True when `first_line` is an auction table header (date, tenor, high_yield,
    bid_to_cover...)."""
    fields = {f.strip().lower() for f in next(csv.reader([first_line]), [])}
    return all(c in fields for c in _TABLE_REQUIRED)


def parse_auction_table(payload: bytes, *, origin: str = "imported", label: str = "") -> Batch:
    """Parse an auction table CSV (module docstring) into the auction series.

    Raises
    ------
    PayloadError
        A required column is absent, a bad date (YYYY-MM-DD) or number, a tenor that is not
        ``N-Year``.
    """
    table = read_csv_table(decode_text(payload))
    frame = table.frame
    lower = {c.strip().lower(): c for c in frame.columns}
    for name in _TABLE_REQUIRED:
        if name not in lower:
            raise PayloadError(f"not an auction table: no {name!r} column", line=table.header_line)
    missing = ("", "NA", "null", "None", "nan")

    def number(name: str) -> pd.Series:
        if name not in lower:
            return pd.Series(np.nan, index=frame.index)
        return to_float(frame, lower[name], missing=missing)

    dates = to_dates(frame[lower["date"]], fmt="%Y-%m-%d", column=lower["date"], shown="YYYY-MM-DD")
    terms = frame[lower["term"]] if "term" in lower else frame[lower["tenor"]]
    tenors, years = [], []
    for line, label_text, term in zip(frame.index, frame[lower["tenor"]], terms, strict=True):
        found = tenor_of_term(term) or tenor_of_term(label_text)
        if found is None:
            raise PayloadError(f"{term!r} is not a coupon term such as '10-Year'", line=int(line),
                               column=lower["term"] if "term" in lower else lower["tenor"])
        tenors.append(found[0])
        years.append(found[1])
    high, median = number("high_yield"), number("median_yield")
    dispersion = number("dispersion_bp") if "dispersion_bp" in lower else (high - median) * 100.0
    reopening = (frame[lower["reopening"]].str.strip().str.lower().isin(["true", "yes", "1"])
                 .astype(float) if "reopening" in lower else pd.Series(np.nan, index=frame.index))
    out = pd.DataFrame({
        "date": dates.to_numpy(), "tenor": tenors, "term_years": years,
        "cusip": frame[lower["cusip"]].to_numpy() if "cusip" in lower else "",
        "size_bn": number("size_bn").to_numpy(), "high_yield": high.to_numpy(),
        "median_yield": median.to_numpy(), "dispersion_bp": dispersion.round(6).to_numpy(),
        "bid_to_cover": number("bid_to_cover").to_numpy(), "dealer_pct": number("dealer_pct").to_numpy(),
        "direct_pct": number("direct_pct").to_numpy(), "indirect_pct": number("indirect_pct").to_numpy(),
        "reopening": reopening.to_numpy(),
    }, columns=list(_FRAME_COLUMNS))
    return auctions_to_batch(out, origin=origin, label=label)


# -- Fiscal Data API JSON ---------------------------------------------------------------------
def _is_auctions_doc(data: object) -> bool:
    """A ``{"data": [...]}`` document whose first row (if any) has an ``auction_date``."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        return False
    rows = data["data"]
    return not rows or (isinstance(rows[0], dict) and "auction_date" in rows[0])


def looks_like_auctions_json(data: object) -> bool:
    """True when `data` (parsed JSON) is a Fiscal Data auctions_query response: auction rows,
    or no rows but ``meta.labels`` naming ``auction_date`` (an empty page)."""
    if not _is_auctions_doc(data):
        return False
    assert isinstance(data, dict)
    if data["data"]:
        return True
    meta = data.get("meta")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    return isinstance(labels, dict) and "auction_date" in labels


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row.get(key)
    text = "" if value is None else str(value).strip()
    return "" if text.lower() in ("null", "none", "n/a") else text


def _is_nominal_coupon(row: Mapping[str, Any]) -> bool:
    kind = _text(row, "security_type").lower()
    if kind not in ("note", "bond"):
        return False  # Bill, CMB, "TIPS Note", "FRN Note"
    for flag in ("inflation_index_security", "floating_rate", "tips", "frn"):
        if _text(row, flag).lower() in ("yes", "y", "true"):
            return False
    return True


def _load(payload: bytes) -> Any:
    try:
        return json.loads(decode_text(payload))
    except json.JSONDecodeError as exc:
        raise PayloadError(f"invalid JSON: {exc.msg}", line=exc.lineno) from exc


def parse_auctions_json(payload: bytes, *, origin: str = "live", label: str = "") -> Batch:
    """Parse an ``auctions_query`` response (one page or several merged) into the auction
    series; bills, TIPS and FRNs are skipped.

    Raises
    ------
    PayloadError
        Not an auctions_query document, or a bad date or number (the column names the record
        and field).
    """
    data = _load(payload)
    if not _is_auctions_doc(data):
        raise PayloadError("not a Fiscal Data auctions_query response: no 'data' array of auctions")
    records: list[dict[str, Any]] = []
    for position, row in enumerate(data["data"]):
        where = f"data[{position}]"
        if not isinstance(row, dict):
            raise PayloadError("an auction record is not an object", column=where)
        if not _is_nominal_coupon(row):
            continue
        term = _text(row, "security_term") or _text(row, "original_security_term")
        found = tenor_of_term(term) or tenor_of_term(_text(row, "original_security_term"))
        if found is None:
            continue  # a term outside 2y-30y coupons
        day = _text(row, "auction_date")[:10]
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            raise PayloadError(f"{row.get('auction_date')!r} is not a date (YYYY-MM-DD)",
                               column=f"{where}.auction_date")

        def num(key: str, *, row: Mapping[str, Any] = row, where: str = where) -> float:
            text = _text(row, key).replace(",", "")
            if not text:
                return np.nan
            try:
                value = float(text)
            except ValueError as exc:
                raise PayloadError(f"{row.get(key)!r} is not a number", column=f"{where}.{key}") from exc
            if not np.isfinite(value):
                raise PayloadError(f"{row.get(key)!r} is not a finite number", column=f"{where}.{key}")
            return value

        high, median = num("high_yield"), num("avg_med_yield")
        records.append({
            "date": pd.Timestamp(day), "tenor": found[0], "term_years": found[1],
            "cusip": _text(row, "cusip"), "size_bn": num("offering_amt") / _USD_PER_BN,
            "high_yield": high, "median_yield": median, "dispersion_bp": (high - median) * 100.0,
            "bid_to_cover": num("bid_to_cover_ratio"),
            "dealer": num("primary_dealer_accepted"), "direct": num("direct_bidder_accepted"),
            "indirect": num("indirect_bidder_accepted"),
            "reopening": {"yes": 1.0, "no": 0.0}.get(_text(row, "reopening").lower(), np.nan),
        })
    frame = pd.DataFrame(records, columns=[*_FRAME_COLUMNS, "dealer", "direct", "indirect"])
    dealer, direct, indirect = _shares(frame["dealer"].astype(float), frame["direct"].astype(float),
                                       frame["indirect"].astype(float))
    frame = frame.assign(dealer_pct=dealer, direct_pct=direct, indirect_pct=indirect,
                         date=pd.to_datetime(frame["date"]))
    return auctions_to_batch(frame[list(_FRAME_COLUMNS)], origin=origin, label=label)


class AuctionsProvider(Provider):
    """Fiscal Data: one query of every note and bond auction from the start date, read page by
    page (the filter and sort are re-sent with each page)."""

    name: ClassVar[str] = SOURCE

    def series_ids(self) -> tuple[str, ...]:
        return auction_series()

    def plan(self, query: Query) -> list[FetchUnit]:
        wanted = tuple(s for s in self.series_ids() if s in query.starts)
        if not wanted:
            return []
        start = query.start_of(wanted)
        first = start or FIRST_DATE
        params = {
            "filter": (f"auction_date:gte:{first.isoformat()},auction_date:lte:{query.end.isoformat()},"
                       "security_type:in:(Note,Bond)"),
            "sort": "auction_date",
            "page[size]": str(_PAGE_SIZE),
        }
        url = config.base_url(SOURCE, DEFAULT_BASE_URL) + _PATH
        return [FetchUnit(wanted, url, params, start, "auctions_query")]

    def extract(self, unit: FetchUnit) -> bytes:
        rows: list[Any] = []
        pages = 1
        page = 1
        while page <= pages:
            params = {**unit.params, "page[number]": str(page)}
            body = self.client.get(unit.url, params=params, source=self.name,
                                   series=f"{unit.label} page {page}")
            data = _load(body)
            if not _is_auctions_doc(data):
                # Let transform report it with its own message.
                return body
            rows.extend(data["data"])
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            try:
                pages = min(int(meta.get("total-pages", 1) or 1), _MAX_PAGES)
            except (TypeError, ValueError):
                pages = 1
            page += 1
        return json.dumps({"data": rows, "meta": {"total-count": len(rows)}}).encode()

    def transform(self, unit: FetchUnit, payload: bytes) -> Batch:
        batch = parse_auctions_json(payload, label=unit.url)
        return restrict(batch, series_ids=unit.series_ids, start=unit.start)


PROVIDER = AuctionsProvider
