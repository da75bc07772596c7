"""`tsm import` of the whole real history in ../shared/data, through the CLI entry point."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import cli
from data.store import Store

#: Not a time series: one row per auction with a dozen fields. Refused (the bid-to-cover
#: extracts beside it ARE dated series and import as tidy series).
AUCTIONS = "treasury/auctions_2025_2026.csv"
SKIPPED = frozenset({AUCTIONS})


@dataclass(frozen=True)
class Imported:
    store: Path
    code: int
    out: str
    err: str
    files: list[Path]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def data_files(shared_data: Path) -> list[Path]:
    return sorted(p for p in shared_data.rglob("*") if p.is_file() and p.suffix == ".csv"
                  and p.relative_to(shared_data).as_posix() not in SKIPPED)


@pytest.fixture(scope="module")
def imported(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Imported:
    store = tmp_path_factory.mktemp("import") / "store.sqlite"
    files = data_files(shared_data)
    code, out, err = run("--store", str(store), "import", *map(str, files))
    return Imported(store, code, out, err, files)


def store_fingerprint(store: Path) -> tuple[object, ...]:
    # Row counts, a checksum of every value and the write revision: cheap on 600k rows.
    with sqlite3.connect(store) as conn:
        return tuple(conn.execute(
            "SELECT (SELECT COUNT(*) FROM observations), (SELECT TOTAL(value) FROM observations), "
            "(SELECT COUNT(*) FROM cftc_positions), (SELECT COUNT(*) FROM series), "
            "(SELECT value FROM meta WHERE key = 'revision')").fetchone())


def value(store: Path, series_id: str, day: str) -> float:
    with Store.open(store) as opened:
        frame = opened.read_series([series_id], start=day, end=day)
    return float(frame[series_id].iloc[0])


def test_every_shared_data_file_imports_in_one_go(imported: Imported, shared_data: Path) -> None:
    assert imported.code == 0, imported.err
    assert imported.err == ""
    present = {p.relative_to(shared_data).as_posix() for p in shared_data.rglob("*.csv")}
    assert len(imported.files) == len(present) - len(SKIPPED & present)
    for path in imported.files:
        assert str(path) in imported.out
    assert "cftc-tidy" in imported.out and "tidy-wide" in imported.out and "tidy-series" in imported.out
    assert "ofr-fsi-csv" in imported.out and "auctions-csv" in imported.out
    # One tenor auctioned twice on one date: the report says which auction was kept.
    assert (f"note: {shared_data / 'treasury' / 'auctions_2008_2026.csv'}: 2008-10-08 7Y: 2 auctions on one "
            "date; kept 912828EE6") in imported.out


@pytest.mark.parametrize(
    ("series_id", "day", "expected"),
    [
        ("DGS10", "1962-01-02", 4.06),
        ("SOFR", "2019-09-17", 5.25),
        ("SOFR99", "2019-09-17", 9.00),
        ("SOFR1", "2019-09-17", 2.25),
        ("TGCR", "2019-09-17", 5.25),
        ("MOVE", "2008-10-10", 264.6),
        ("RPONTSYD", "2019-09-17", 40.85),
        ("SP500", "2020-03-16", 2386.13),
        ("SVENY01", "1961-06-14", 2.9825),
        ("BIDTOCOVER_10Y", "2000-02-09", 1.45),
        ("OFR_FSI", "2008-10-10", 29.32),
        ("OFR_FSI_FUNDING", "2008-10-10", 9.582),
        ("AUCT_10Y_BTC", "2023-11-08", 2.45),
        ("AUCT_10Y_HIGH_YIELD", "2025-04-09", 4.435),
        ("ACMTP10", "2020-03-09", -1.644568),
        ("WMTSECL1", "2020-04-08", 2843669),
    ],
)
def test_known_historical_values_are_stored(imported: Imported, series_id: str, day: str, expected: float) -> None:
    assert value(imported.store, series_id, day) == pytest.approx(expected, abs=1e-12)


def test_cftc_positions_of_the_april_2025_selloff_are_stored(imported: Imported) -> None:
    with Store.open(imported.store) as opened:
        cftc = opened.read_cftc(start="2025-04-29")
    ten = cftc[(cftc["report_date"] == pd.Timestamp("2025-04-29")) & (cftc["contract_code"] == "043602")]
    rows = ten.set_index("trader_group")
    # As published for UST 10Y on 2025-04-29 (DATA_SOURCES.md section 4b): leveraged funds long
    # 237,175 and short 2,070,536; 558,118 is the asset managers' spreading.
    assert (rows.loc["lev_money", "long"], rows.loc["lev_money", "short"]) == (237175.0, 2070536.0)
    assert rows.loc["asset_mgr", "spreading"] == 558118.0
    assert set(rows["open_interest"]) == {4880010.0}
    assert rows["spreading"].isna().to_dict() == {"nonrept": True, "dealer": False, "asset_mgr": False,
                                                   "lev_money": False, "other_rept": False}
    assert len(cftc["contract_code"].unique()) == 6


def test_reimport_changes_nothing(imported: Imported) -> None:
    with Store.open(imported.store) as opened:
        revision = opened.revision()
    code, out, err = run("--store", str(imported.store), "import", *map(str, imported.files))
    assert code == 0, err
    assert out.strip().splitlines()[-1].startswith(f"{len(imported.files)} file(s): 0 new, 0 revised, ")
    with Store.open(imported.store) as opened:
        assert opened.revision() == revision


def test_auction_table_is_refused_with_a_clear_message_and_nothing_written(
    imported: Imported, shared_data: Path
) -> None:
    before = store_fingerprint(imported.store)
    code, out, err = run("--store", str(imported.store), "import", str(shared_data / "fred" / "DGS2.csv"),
                         str(shared_data / AUCTIONS))
    assert code == 2 and out == ""
    assert err.startswith(f"import failed: {shared_data / AUCTIONS} line 1: not a time series")
    assert err.rstrip().endswith("; nothing was written")
    assert store_fingerprint(imported.store) == before


def test_malformed_file_error_line_names_file_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "VIXCLS.csv"
    bad.write_text("date,value\n2020-03-16,82.69\n2020-03-17,n/a\n")
    code, out, err = run("--store", str(tmp_path / "s.sqlite"), "import", str(bad))
    assert code == 2 and out == ""
    assert err == f"import failed: {bad} line 3, column value: 'n/a' is not a number; nothing was written\n"
