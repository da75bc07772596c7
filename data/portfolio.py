"""Portfolio files: CSV text -> positions, with an error per bad cell naming file, line and column.

The format is documented in docs/portfolio_format.md. Parsing is a pure function of the text
(:func:`parse_portfolio`); :func:`read_portfolio` adds the file reader, which callers (tests)
may replace. Each row's bond is built by the instrument factory
(:func:`analytics.instruments.build_instrument`), whose :class:`~analytics.checks.InputError`
names the term at fault; :data:`TERM_COLUMNS` maps it back to the file's column.
"""

from __future__ import annotations

import csv
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final, TypeVar

from analytics.bonds import (
    DAY_COUNTS,
    DEFAULT_DAY_COUNT,
    DEFAULT_FREQUENCY,
    FREQUENCIES,
    MAX_COUPON_PCT,
    MAX_MATURITY_YEARS,
    MAX_PRICE,
    YIELD_RANGE_PCT,
    maturity_years_from_dates,
)
from analytics.checks import InputError
from analytics.hullwhite import (
    DEFAULT_CALL_PRICE,
    DEFAULT_MEAN_REVERSION,
    DEFAULT_TREE_STEPS,
    DEFAULT_VOL_BP,
    MAX_VOL_BP,
    MEAN_REVERSION_RANGE,
    HullWhiteParams,
)
from analytics.instruments import InstrumentTerms, build_instrument
from analytics.muni import DEFAULT_CAPITAL_GAINS_RATE, DEFAULT_ORDINARY_RATE
from analytics.portfolio import Position
from config import StoreLocation

__all__ = [
    "MAX_BOOK_BYTES",
    "MAX_BOOK_POSITIONS",
    "BookStore",
    "BookTooLarge",
    "book_key",
    "check_book_text",
    "INSTRUMENT_TYPES",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "COLUMN_ALIASES",
    "TERM_COLUMNS",
    "RowError",
    "PortfolioFile",
    "parse_portfolio",
    "read_portfolio",
]

#: Values of the `type` column.
INSTRUMENT_TYPES: Final[tuple[str, ...]] = ("bullet", "callable", "muni")
#: Columns every file must have.
REQUIRED_COLUMNS: Final[tuple[str, ...]] = ("id", "type", "coupon_pct", "maturity", "face_usd")
#: Columns a file may have (empty cells take the documented defaults).
OPTIONAL_COLUMNS: Final[tuple[str, ...]] = (
    "price",
    "yield_pct",
    "frequency",
    "day_count",
    "call_after",
    "call_price",
    "vol_bp",
    "mean_reversion",
    "ordinary_rate",
    "capital_gains_rate",
    "issue_price",
    "years_since_issue",
)
#: Other names accepted for a column (header only).
COLUMN_ALIASES: Final[dict[str, str]] = {"notional": "face_usd", "notional_usd": "face_usd", "face": "face_usd"}
#: Largest book the web app takes, in bytes of UTF-8 text (the CLI has no limit).
MAX_BOOK_BYTES: Final[int] = 2_000_000
#: Most positions the web app prices (``tsm risk --portfolio`` takes larger books).
MAX_BOOK_POSITIONS: Final[int] = 300
#: The file's column of each term of analytics.instruments.InstrumentTerms (the ``param`` of
#: the factory's InputError).
TERM_COLUMNS: Final[dict[str, str]] = {
    "coupon_pct": "coupon_pct",
    "maturity_years": "maturity",
    "frequency": "frequency",
    "call_after_years": "call_after",
    "call_price": "call_price",
    "ordinary_rate": "ordinary_rate",
    "capital_gains_rate": "capital_gains_rate",
    "issue_price": "issue_price",
    "years_since_issue": "years_since_issue",
}
_MUNI_ONLY: Final[tuple[str, ...]] = ("ordinary_rate", "capital_gains_rate", "issue_price", "years_since_issue")
_CALL_COLUMNS: Final[tuple[str, ...]] = ("call_after", "call_price", "vol_bp", "mean_reversion")
_T = TypeVar("_T")


@dataclass(frozen=True, kw_only=True)
class RowError:
    """A problem in a portfolio file.

    Attributes
    ----------
    source : file name (or the name given to the text).
    line : 1-based line number in the file.
    column : column name ("" when the problem is the whole line).
    problem : what is wrong, readable.
    """

    source: str
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        where = f", column {self.column}" if self.column else ""
        return f"{self.source}: line {self.line}{where}: {self.problem}"


@dataclass(frozen=True, kw_only=True)
class PortfolioFile:
    """Result of parsing: the positions of the good rows and every error found."""

    positions: tuple[Position, ...]
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


class _CellError(ValueError):
    def __init__(self, column: str, problem: str) -> None:
        super().__init__(problem)
        self.column = column
        self.problem = problem


def _number(cells: dict[str, str], column: str, *, lo: float, hi: float, lo_open: bool = False,
            hi_open: bool = False, default: float | None = None) -> float | None:
    raw = cells.get(column, "").strip()
    if raw == "":
        return default
    try:
        value = float(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise _CellError(column, f"{raw!r} is not a number") from None
    low_ok = value > lo if lo_open else value >= lo
    high_ok = value < hi if hi_open else value <= hi
    if not math.isfinite(value) or not (low_ok and high_ok):
        lb = "(" if lo_open else "["
        rb = ")" if hi_open else "]"
        raise _CellError(column, f"{raw} is outside the allowed range {lb}{lo:g}, {hi:g}{rb}")
    return value


def _years_or_date(cells: dict[str, str], column: str, *, settlement: date, frequency: int,
                   day_count: str) -> float | None:
    raw = cells.get(column, "").strip()
    if raw == "":
        return None
    if "-" in raw[1:]:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise _CellError(column, f"{raw!r} is neither a date (YYYY-MM-DD) nor a number of years") from None
        if day <= settlement:
            raise _CellError(column, f"{raw} is not after the settlement date {settlement.isoformat()}")
        return maturity_years_from_dates(settlement=settlement, maturity=day, frequency=frequency,
                                         day_count=day_count)
    return _number(cells, column, lo=0.0, hi=MAX_MATURITY_YEARS, lo_open=True)


def _row_position(cells: dict[str, str], *, settlement: date) -> Position:
    kind = cells.get("type", "").strip().lower()
    if kind not in INSTRUMENT_TYPES:
        raise _CellError("type", f"{cells.get('type', '')!r} is not one of {', '.join(INSTRUMENT_TYPES)}")
    pid = cells.get("id", "").strip()
    if not pid:
        raise _CellError("id", "is empty")
    freq_value = _number(cells, "frequency", lo=1, hi=12, default=DEFAULT_FREQUENCY)
    frequency = int(freq_value) if freq_value is not None else DEFAULT_FREQUENCY
    if freq_value is not None and (freq_value != frequency or frequency not in FREQUENCIES):
        raise _CellError("frequency", f"{cells['frequency'].strip()} is not one of {FREQUENCIES}")
    day_count = cells.get("day_count", "").strip().lower() or DEFAULT_DAY_COUNT
    if day_count not in DAY_COUNTS:
        raise _CellError("day_count", f"{day_count!r} is not one of {', '.join(DAY_COUNTS)}")
    coupon = _number(cells, "coupon_pct", lo=0.0, hi=MAX_COUPON_PCT, hi_open=True)
    if coupon is None:
        raise _CellError("coupon_pct", "is required")
    maturity = _years_or_date(cells, "maturity", settlement=settlement, frequency=frequency, day_count=day_count)
    if maturity is None:
        raise _CellError("maturity", "is required (YYYY-MM-DD or years)")
    face = _number(cells, "face_usd", lo=-1e15, hi=1e15)
    if face is None or face == 0.0:
        raise _CellError("face_usd", "is required and must not be 0 (negative = short)")
    price = _number(cells, "price", lo=0.0, hi=MAX_PRICE, lo_open=True)
    yld = _number(cells, "yield_pct", lo=YIELD_RANGE_PCT[0], hi=YIELD_RANGE_PCT[1])
    if price is not None and yld is not None:
        raise _CellError("yield_pct", "give price or yield_pct, not both")
    if kind != "muni":
        for column in _MUNI_ONLY:
            if cells.get(column, "").strip():
                raise _CellError(column, f"applies to type muni only, not {kind}")
    call_after = _years_or_date(cells, "call_after", settlement=settlement, frequency=frequency,
                                day_count=day_count)
    if kind == "callable" and call_after is None:
        raise _CellError("call_after", "is required for a callable (YYYY-MM-DD or years)")
    if kind == "bullet":
        for column in _CALL_COLUMNS:
            if cells.get(column, "").strip():
                raise _CellError(column, "applies to callables and callable munis, not bullets")
    params = HullWhiteParams()
    call_price = DEFAULT_CALL_PRICE
    if call_after is not None:
        cp = _number(cells, "call_price", lo=0.0, hi=MAX_PRICE, lo_open=True, default=DEFAULT_CALL_PRICE)
        vol = _number(cells, "vol_bp", lo=0.0, hi=MAX_VOL_BP, default=DEFAULT_VOL_BP)
        mr = _number(cells, "mean_reversion", lo=MEAN_REVERSION_RANGE[0], hi=MEAN_REVERSION_RANGE[1],
                     default=DEFAULT_MEAN_REVERSION)
        assert cp is not None and vol is not None and mr is not None  # defaults given
        call_price = cp
        params = _build(lambda: HullWhiteParams(mean_reversion=mr, vol_bp=vol, steps=DEFAULT_TREE_STEPS))
    ordinary, gains, issue_price, since_issue = DEFAULT_ORDINARY_RATE, DEFAULT_CAPITAL_GAINS_RATE, None, 0.0
    if kind == "muni":
        o = _number(cells, "ordinary_rate", lo=0.0, hi=1.0, hi_open=True, default=DEFAULT_ORDINARY_RATE)
        g = _number(cells, "capital_gains_rate", lo=0.0, hi=1.0, hi_open=True, default=DEFAULT_CAPITAL_GAINS_RATE)
        assert o is not None and g is not None  # defaults given
        ordinary, gains = o, g
        issue_price = _number(cells, "issue_price", lo=0.0, hi=MAX_PRICE, lo_open=True)
        y = _number(cells, "years_since_issue", lo=0.0, hi=100.0, default=0.0)
        assert y is not None  # default given
        since_issue = y
    terms = InstrumentTerms(
        coupon_pct=coupon, maturity_years=maturity, frequency=frequency, call_after_years=call_after,
        call_price=call_price, muni=kind == "muni", ordinary_rate=ordinary, capital_gains_rate=gains,
        issue_price=issue_price, years_since_issue=since_issue,
    )
    instrument = _build(lambda: build_instrument(terms))
    return Position(position_id=pid, instrument=instrument, face_usd=face, price_clean=price,
                    yield_pct=yld, params=params)


def _build(make: Callable[[], _T]) -> _T:
    """``make()``, its InputError reported on the file's column of the term at fault (a plain
    ValueError, which names no term, on the whole line)."""
    try:
        return make()
    except InputError as exc:
        raise _CellError(TERM_COLUMNS.get(exc.param, exc.param), exc.message) from None
    except ValueError as exc:
        raise _CellError("", str(exc)) from None


def parse_portfolio(text: str, *, source: str, settlement: date) -> PortfolioFile:
    """Parse a portfolio CSV.

    Parameters
    ----------
    text : the file's text. The first line that is neither blank nor a ``#`` comment is the
        header; each further such line is one position (one line per record).
    source : the file name used in error messages.
    settlement : settlement date for maturities and call dates given as YYYY-MM-DD.

    Returns
    -------
    PortfolioFile
        Positions of the good rows and one :class:`RowError` per bad row (or header problem).
    """
    errors: list[RowError] = []
    positions: list[Position] = []
    header: list[str] | None = None
    header_line = 0
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells_list = next(csv.reader([line]))
        if header is None:
            header_line = number
            header = [COLUMN_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in cells_list]
            known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
            for name in header:
                if name not in known:
                    errors.append(RowError(source=source, line=number, column=name,
                                           problem=f"unknown column; expected among {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"))
            for name in REQUIRED_COLUMNS:
                if name not in header:
                    errors.append(RowError(source=source, line=number, column=name, problem="required column is missing"))
            for name in {h for h in header if header.count(h) > 1}:
                errors.append(RowError(source=source, line=number, column=name, problem="column appears twice"))
            if errors:
                return PortfolioFile(positions=(), errors=tuple(errors))
            continue
        if len(cells_list) != len(header):
            errors.append(RowError(source=source, line=number, column="",
                                   problem=f"has {len(cells_list)} cells, the header (line {header_line}) has {len(header)}"))
            continue
        cells = dict(zip(header, cells_list, strict=True))
        try:
            position = _row_position(cells, settlement=settlement)
        except _CellError as exc:
            errors.append(RowError(source=source, line=number, column=exc.column, problem=exc.problem))
            continue
        if position.position_id in seen:
            errors.append(RowError(source=source, line=number, column="id",
                                   problem=f"{position.position_id!r} already used on line {seen[position.position_id]}"))
            continue
        seen[position.position_id] = number
        positions.append(position)
    if header is None:
        errors.append(RowError(source=source, line=1, column="", problem="no header line: the file is empty"))
    elif not positions and not errors:
        errors.append(RowError(source=source, line=header_line, column="", problem="no positions after the header"))
    return PortfolioFile(positions=tuple(positions), errors=tuple(errors))


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def read_portfolio(
    path: Path, *, settlement: date, reader: Callable[[Path], str] = _read_text
) -> PortfolioFile:
    """Read and parse a portfolio file.

    Raises
    ------
    ValueError
        When the file cannot be read (missing, not UTF-8); the message names the file.
    """
    try:
        text = reader(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the portfolio file ({exc})") from exc
    return parse_portfolio(text, source=str(path), settlement=settlement)


# -- limits and the server-side book store (web app) ------------------------------------------
class BookTooLarge(ValueError):
    """A book above the web app's limits; checked before any row is parsed."""


def check_book_text(text: str, *, source: str, max_bytes: int = MAX_BOOK_BYTES,
                    max_positions: int = MAX_BOOK_POSITIONS) -> None:
    """Refuse a book over `max_bytes` or with more than `max_positions` rows, BEFORE parsing.

    Counting rows is one pass over the lines (no CSV parsing); a header line is allowed on top.

    Raises
    ------
    BookTooLarge
        With the size or row count and the limit.
    """
    if len(text) > max_bytes or len(text.encode("utf-8", errors="replace")) > max_bytes:
        raise BookTooLarge(f"{source}: more than the {max_bytes:,} bytes accepted here "
                           "(use `tsm risk --portfolio` for larger books)")
    rows = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            rows += 1
            if rows > max_positions + 1:
                raise BookTooLarge(f"{source}: more than {max_positions} positions; at most "
                                   f"{max_positions} are priced here (use `tsm risk --portfolio` "
                                   "for larger books)")


def book_key(text: str, source: str) -> str:
    """Content hash naming a book on the server (file name included: it appears in messages)."""
    return hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()


class BookStore:
    """Uploaded books kept on the server by :func:`book_key`; the browser holds only the key.

    Books live in the store (table ``books``), so every worker and replica finds them; a small
    per-process LRU avoids a store read per callback.

    Parameters
    ----------
    location : the app's store (SQLite path or PostgreSQL URL); created if absent.
    memory : books kept in this process.
    """

    def __init__(self, location: StoreLocation, *, memory: int = 16) -> None:
        self.location = location
        self._memory = memory
        self._recent: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, text: str, source: str) -> str:
        """Keep `text` (after :func:`check_book_text`); its key.

        Raises
        ------
        BookTooLarge
            Over the limits (nothing kept).
        data.store.StoreError
            The store cannot keep it.
        """
        from data.store import Store

        check_book_text(text, source=source)
        key = book_key(text, source)
        with Store.open(self.location) as store:
            store.put_book(key, source, text)
        self._remember(key, (source, text))
        return key

    def get(self, key: object) -> tuple[str, str] | None:
        """(source, text) of the book under `key`, None when unknown (or `key` is not one)."""
        from data.store import Store, StoreError

        if not isinstance(key, str) or len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            return None
        with self._lock:
            found = self._recent.get(key)
            if found is not None:
                self._recent.move_to_end(key)
                return found
        if not self.location.exists():
            return None
        try:
            with Store.open(self.location, create=False) as store:
                found = store.get_book(key)
        except StoreError:
            return None
        if found is not None:
            self._remember(key, found)
        return found

    def _remember(self, key: str, book: tuple[str, str]) -> None:
        with self._lock:
            self._recent[key] = book
            self._recent.move_to_end(key)
            while len(self._recent) > self._memory:
                self._recent.popitem(last=False)
