"""Portfolio CSV parsing: good rows become positions, each bad cell names file, line and column."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from analytics.bonds import Bullet
from analytics.hullwhite import CallableBond
from analytics.muni import MuniBond
from data.portfolio import parse_portfolio, read_portfolio

SETTLE = date(2025, 1, 15)

GOOD = """# my book, as of the close
id,type,coupon_pct,maturity,notional,price,yield_pct,frequency,call_after,call_price,vol_bp,ordinary_rate

UST-10,bullet,4.25,2035-01-15,"10,000,000",98.5,,,,,,
AGY-5,callable,5.0,5,2000000,,5.1,2,2,100.5,80,
NYC-15,muni,3.0,15.5,-500000,97.25,,,,,,0.37
"""


def test_good_file_gives_positions_with_their_instruments():
    parsed = parse_portfolio(GOOD, source="book.csv", settlement=SETTLE)
    assert parsed.ok, [str(e) for e in parsed.errors]
    ust, agy, nyc = parsed.positions
    assert isinstance(ust.instrument, Bullet)
    assert ust.instrument.maturity_years == pytest.approx(10.0)  # dated: 20 semiannual periods
    assert ust.face_usd == 10_000_000.0 and ust.price_clean == 98.5
    assert isinstance(agy.instrument, CallableBond)
    assert agy.instrument.call_after_years == 2.0 and agy.instrument.call_price == 100.5
    assert agy.yield_pct == 5.1 and agy.params.vol_bp == 80.0
    assert isinstance(nyc.instrument, MuniBond)
    assert nyc.instrument.ordinary_rate == 0.37 and nyc.instrument.capital_gains_rate == 0.2
    assert nyc.face_usd == -500_000.0


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ("X,swap,4,5,100,,,", "type", "not one of bullet, callable, muni"),
        ("X,bullet,abc,5,100,,,", "coupon_pct", "'abc' is not a number"),
        ("X,bullet,4,-5,100,,,", "maturity", r"outside the allowed range \(0, 100\]"),
        ("X,bullet,4,2024-01-01,100,,,", "maturity", "not after the settlement date 2025-01-15"),
        ("X,bullet,4,2030-02-30,100,,,", "maturity", "neither a date"),
        ("X,bullet,4,5,0,,,", "face_usd", "must not be 0"),
        ("X,bullet,4,5,100,0,,", "price", r"outside the allowed range \(0, 1000\]"),
        ("X,bullet,4,5,100,99,4.1,", "yield_pct", "not both"),
        ("X,bullet,4,5,100,,,0.3", "ordinary_rate", "applies to type muni only"),
        ("X,muni,4,5,100,,,1.2", "ordinary_rate", r"outside the allowed range \[0, 1\)"),
        ("X,callable,4,5,100,,,", "call_after", "is required for a callable"),
        ("X,callable,4,5,100,,,,7", "call_after", "call_after_years must be in"),
        # Refused by the instrument factory (a term the range checks cannot see alone):
        ("X,muni,4,5,100,,,0.1", "ordinary_rate", "must be at least capital_gains_rate"),
        ("X,callable,4,5,100,,,,4.9", "call_after", "leaves no coupon date before maturity"),
        ("X,bullet,4,5,100,,,,2", "call_after", "applies to callables"),
        (",bullet,4,5,100,,,", "id", "is empty"),
    ],
)
def test_each_bad_cell_is_reported_with_file_line_and_column(row, column, problem):
    text = "id,type,coupon_pct,maturity,face_usd,price,yield_pct,ordinary_rate,call_after\n"
    text += "OK,bullet,4,5,100,,,,\n" + row + "," * (8 - row.count(",")) + "\n"
    parsed = parse_portfolio(text, source="book.csv", settlement=SETTLE)
    assert [p.position_id for p in parsed.positions] == ["OK"]  # the good row still parses
    (err,) = parsed.errors
    assert (err.source, err.line, err.column) == ("book.csv", 3, column)
    assert re.search(problem, err.problem), err.problem
    assert str(err).startswith(f"book.csv: line 3, column {column}: ")


def test_header_problems_are_reported_on_the_header_line():
    parsed = parse_portfolio("# c\nid,type,coupon,maturity\n", source="b.csv", settlement=SETTLE)
    found = {(e.line, e.column, e.problem.split(";")[0]) for e in parsed.errors}
    assert (2, "coupon", "unknown column") in found
    assert (2, "coupon_pct", "required column is missing") in found
    assert (2, "face_usd", "required column is missing") in found
    assert not parsed.positions


def test_duplicate_ids_and_short_rows_are_reported():
    text = "id,type,coupon_pct,maturity,face_usd\nA,bullet,4,5,100\nA,bullet,3,2,100\nB,bullet,3\n"
    parsed = parse_portfolio(text, source="b.csv", settlement=SETTLE)
    assert [str(e) for e in parsed.errors] == [
        "b.csv: line 3, column id: 'A' already used on line 2",
        "b.csv: line 4: has 3 cells, the header (line 1) has 5",
    ]


def test_empty_file_is_an_error():
    parsed = parse_portfolio("\n# nothing\n", source="e.csv", settlement=SETTLE)
    assert [str(e) for e in parsed.errors] == ["e.csv: line 1: no header line: the file is empty"]


def test_read_portfolio_uses_the_given_reader_and_names_unreadable_files(tmp_path: Path):
    seen: list[Path] = []

    def reader(path: Path) -> str:
        seen.append(path)
        return "id,type,coupon_pct,maturity,face_usd\nA,bullet,4,5,100\n"

    parsed = read_portfolio(Path("virtual.csv"), settlement=SETTLE, reader=reader)
    assert seen == [Path("virtual.csv")] and len(parsed.positions) == 1
    missing = tmp_path / "nope.csv"
    with pytest.raises(ValueError, match="nope.csv: cannot read the portfolio file"):
        read_portfolio(missing, settlement=SETTLE)


def test_book_limits_are_checked_before_any_row_is_parsed() -> None:
    from data.portfolio import BookTooLarge, check_book_text

    header = "id,type,coupon_pct,maturity,face_usd\n"
    check_book_text(header + "# a comment\n\n" + "A,bullet,4,5,1\n" * 300, source="ok.csv")
    with pytest.raises(BookTooLarge, match="more than 300 positions"):
        # Rows that would not even parse still count: nothing is parsed before the limit.
        check_book_text(header + "x\n" * 301, source="big.csv")
    with pytest.raises(BookTooLarge, match="more than the 100 bytes"):
        check_book_text(header + "A,bullet,4,5,1\n" * 10, source="b.csv", max_bytes=100)


def test_book_store_keeps_books_by_hash_across_processes_stores(tmp_path) -> None:
    from data.portfolio import BookStore, book_key

    text = "id,type,coupon_pct,maturity,face_usd\nA,bullet,4,5,1\n"
    first = BookStore(tmp_path / "s.sqlite")
    key = first.put(text, "mine.csv")
    assert key == book_key(text, "mine.csv")
    # Another worker (a new BookStore on the same store) finds it.
    assert BookStore(tmp_path / "s.sqlite").get(key) == ("mine.csv", text)
    assert BookStore(tmp_path / "s.sqlite").get("0" * 64) is None
    assert BookStore(tmp_path / "s.sqlite").get({"text": text}) is None
    assert BookStore(tmp_path / "absent.sqlite").get(key) is None


def test_every_factory_term_maps_to_a_column_of_the_file():
    import dataclasses

    from analytics.instruments import InstrumentTerms
    from data.portfolio import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TERM_COLUMNS

    fields = {f.name for f in dataclasses.fields(InstrumentTerms)} - {"muni"}
    assert set(TERM_COLUMNS) == fields
    assert set(TERM_COLUMNS.values()) <= set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)


def test_muni_original_issue_discount_columns_reach_the_instrument():
    text = ("id,type,coupon_pct,maturity,face_usd,issue_price,years_since_issue\n"
            "ZERO,muni,0,10,1000000,60,2.5\n"
            "BAD,bullet,4,5,100,99,\n"
            "OLD,muni,0,10,100,60,250\n")
    parsed = parse_portfolio(text, source="oid.csv", settlement=SETTLE)
    (zero,) = parsed.positions
    assert isinstance(zero.instrument, MuniBond)
    assert zero.instrument.issue_price == 60.0 and zero.instrument.years_since_issue == 2.5
    assert [str(e) for e in parsed.errors] == [
        "oid.csv: line 3, column issue_price: applies to type muni only, not bullet",
        "oid.csv: line 4, column years_since_issue: 250 is outside the allowed range [0, 100]",
    ]
