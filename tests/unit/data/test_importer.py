"""File import: format detection by content, parsing, errors with line numbers, atomicity."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from data.importer import ImportFileError, detect_format, import_paths, parse_file
from data.store import Store
from tests.fixtures import FIXTURES, payload


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def stored(store: Store, series_id: str) -> dict[str, float]:
    column = store.read_series([series_id])[series_id].dropna()
    return {f"{d:%Y-%m-%d}": float(v) for d, v in column.items()}


# -- detection --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("fred/DGS10_current.csv", "fred-csv"),
        ("fred/DGS10_legacy.csv", "fred-csv"),
        ("fred/T10Y3M.json", "fred-json"),
        ("fred/SP500.xml", "fred-xml"),
        ("nyfed/sofr_search.json", "nyfed-rates-json"),
        ("nyfed/rp_search.json", "nyfed-repo-json"),
        ("treasury/daily_treasury_yield_curve_2025.csv", "treasury-csv"),
        ("treasury/daily_treasury_yield_curve_2000.csv", "treasury-csv"),
        ("cftc/FinFut25.txt", "cftc-annual"),
        ("cftc/socrata_tff.json", "cftc-socrata-json"),
        ("gsw/feds200628.csv", "gsw-csv"),
        ("h15/FRB_H15.csv", "h15-csv"),
    ],
)
def test_official_formats_are_detected_from_content(relpath: str, expected: str) -> None:
    assert detect_format(FIXTURES / relpath) == expected


def test_detection_ignores_the_extension(tmp_path: Path) -> None:
    # A FRED JSON saved as .csv and a Treasury CSV saved as .txt are still recognised.
    assert detect_format(write(tmp_path, "T10Y3M.csv", payload("fred/T10Y3M.json"))) == "fred-json"
    assert detect_format(write(tmp_path, "curve.txt", payload("treasury/daily_treasury_yield_curve_2023.csv"))) \
        == "treasury-csv"
    assert detect_format(write(tmp_path, "tff.bin", zipped("FinFutYY.txt", payload("cftc/FinFut25.txt")))) \
        == "zip:cftc-annual"


def test_tidy_forms_are_detected(tmp_path: Path) -> None:
    assert detect_format(write(tmp_path, "MOVE.csv", "date,value\n2008-10-10,264.6\n")) == "tidy-series"
    assert detect_format(write(tmp_path, "w.csv", "date,SOFR,SOFR99\n2019-09-17,5.25,9.0\n")) == "tidy-wide"
    assert detect_format(write(tmp_path, "c.csv", "report_date,contract,cftc_code,open_interest\n")) == "cftc-tidy"


def test_a_table_that_is_not_a_time_series_is_refused_clearly(tmp_path: Path) -> None:
    path = write(tmp_path, "auctions.csv",
                 "Cusip,SecurityType,SecurityTerm,AuctionDate,HighYield\n912810UE6,Bond,30-Year,2025-01-08,4.9130\n")
    with pytest.raises(ImportFileError) as info:
        detect_format(path)
    assert info.value.path == path and info.value.line == 1
    assert "not a time series" in info.value.problem and "'Cusip,SecurityType" in info.value.problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b'{"meta": {}, "data": []}', "JSON object with keys meta, data is not a format"),
        (b"[]", "not a CFTC Socrata response"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "root <feed>"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a time series"),
    ],
)
def test_unknown_or_empty_content_is_refused(tmp_path: Path, data: bytes, problem: str) -> None:
    with pytest.raises(ImportFileError) as info:
        detect_format(write(tmp_path, "x.dat", data))
    assert problem in info.value.problem


# -- parsing --------------------------------------------------------------------------------
def test_every_official_format_parses_to_an_imported_batch() -> None:
    expectations = {
        "fred/DGS10_current.csv": ("DGS10", "2025-12-26", 4.14),
        "fred/DGS10_legacy.csv": ("DGS10", "1962-02-13", 4.05),
        "fred/T10Y3M.json": ("T10Y3M", "2023-01-03", -0.74),
        "fred/SP500.xml": ("SP500", "2014-09-05", 2007.71),
        "nyfed/sofr_search.json": ("SOFR99", "2019-09-17", 9.0),
        "nyfed/rp_search.json": ("NYFED_RRP", "2026-07-09", 2.1),
        "treasury/daily_treasury_yield_curve_2025.csv": ("DGS10", "2025-05-09", 4.37),
        "gsw/feds200628.csv": ("SVENY30", "2026-01-23", 5.049),
        "h15/FRB_H15.csv": ("DGS10", "1962-01-02", 4.06),
    }
    for relpath, (series_id, day, value) in expectations.items():
        batch = parse_file(FIXTURES / relpath)
        assert batch.origin == "imported"
        obs = batch.observations
        hit = obs[(obs["series_id"] == series_id) & (obs["date"] == pd.Timestamp(day))]["value"]
        assert hit.tolist() == [pytest.approx(value, abs=1e-12)], relpath


def test_cftc_files_parse_to_positions() -> None:
    for relpath in ("cftc/FinFut25.txt", "cftc/socrata_tff.json"):
        cftc = parse_file(FIXTURES / relpath).cftc
        row = cftc[(cftc["contract_code"] == "043602") & (cftc["trader_group"] == "lev_money")
                   & (cftc["report_date"] == pd.Timestamp("2025-04-29"))]
        assert row[["long", "short"]].to_numpy().tolist() == [[237175.0, 2070536.0]], relpath


def test_zip_holding_a_fred_csv(tmp_path: Path) -> None:
    batch = parse_file(write(tmp_path, "dl.zip", zipped("DGS10.csv", payload("fred/DGS10_current.csv"))))
    assert len(batch.observations) == 4


def test_tidy_series_takes_its_id_from_the_file_stem_and_accepts_unknown_ids(tmp_path: Path) -> None:
    batch = parse_file(write(tmp_path, "SOFR_OIS_10Y.csv", "date,value\n2024-01-02,3.61\n2024-01-03,\n"))
    assert batch.series_ids == ["SOFR_OIS_10Y"]
    assert batch.observations["value"].tolist() == [3.61]
    assert batch.source == "file"


def test_cftc_tidy_keeps_leading_zeros_lost_by_spreadsheets(tmp_path: Path) -> None:
    header = ("report_date,contract,cftc_code,open_interest,dealer_long,dealer_short,dealer_spread,"
              "asset_mgr_long,asset_mgr_short,asset_mgr_spread,lev_money_long,lev_money_short,"
              "lev_money_spread,other_rept_long,other_rept_short,other_rept_spread,nonrept_long,nonrept_short")
    row = "2025-04-29,UST_10Y,43602,4880010,1,2,3,4,5,6,237175,2070536,99802,7,8,9,10,11"
    cftc = parse_file(write(tmp_path, "tff.csv", f"{header}\n{row}\n")).cftc
    assert set(cftc["contract_code"]) == {"043602"}
    assert len(cftc) == 5


# -- malformed files: FILE, LINE, COLUMN, problem ---------------------------------------------
@pytest.mark.parametrize(
    ("name", "text", "line", "column", "problem"),
    [
        ("DGS10.csv", "date,value\n2024-01-02,3.95\n2024-01-03,3,91\n", 3, None, "row has 3 fields, the header has 2"),
        ("DGS10.csv", "date,value\n2024-01-02,3.95\n2024-01-32,3.91\n", 3, "date", "'2024-01-32' is not a date"),
        ("DGS10.csv", "date,value\n2024-01-02,3.95\n\n2024-01-03,abc\n", 4, "value", "'abc' is not a number"),
        ("DGS10.csv", "date,value\n2024-01-02,3.95\n2024-01-02,3.96\n", 3, "date", "already appears on line 2"),
        ("w.csv", "date,DGS2,DGS2\n2024-01-02,4.3,4.3\n", 1, "DGS2", "duplicate header 'DGS2'"),
        ("w.csv", "date,DGS2,\n2024-01-02,4.3,4.3\n", 1, None, "header field 3 is empty"),
        ("w.csv", "date,DGS 2\n2024-01-02,4.3\n", 1, "DGS 2", "not a usable series id"),
        ("only.csv", "date,value\n", None, None, "no observations in the file"),
        ("tff.csv", "report_date,contract,cftc_code,open_interest,dealer_long\n2025-04-29,UST_10Y,043602,1,2\n",
         1, None, "missing column dealer_short"),
        ("curve.csv", 'Date,"1 Mo","3 Mo"\n09/01/2023,5.51,5.53\n09/31/2023,5.52,5.56\n', 3, "Date",
         "'09/31/2023' is not a date (MM/DD/YYYY)"),
    ],
)
def test_malformed_files_name_line_column_and_problem(
    tmp_path: Path, name: str, text: str, line: int | None, column: str | None, problem: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ImportFileError) as info:
        parse_file(path)
    error = info.value
    assert (error.path, error.line, error.column) == (path, line, column)
    assert problem in error.problem
    assert str(error).startswith(f"{path} line {line}" if line is not None else f"{path}: ")


def test_invalid_json_names_its_line(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as info:
        parse_file(write(tmp_path, "T10Y3M.json", '{"observations": [\n{"date": "2023-01-03", "value": "1"},\n]}'))
    assert info.value.line == 3 and "invalid JSON" in info.value.problem


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="is a folder"):
        parse_file(tmp_path)


# -- import: one write, per-file counts, atomicity ----------------------------------------------
def test_import_counts_new_revised_and_unchanged_per_file(tmp_path: Path) -> None:
    first = write(tmp_path, "DGS10.csv", "date,value\n2024-01-02,3.95\n2024-01-03,3.91\n2024-01-04,3.99\n")
    with Store.open(tmp_path / "s.sqlite") as store:
        report = import_paths(store, [first])
        assert [(f.inserted, f.updated, f.unchanged) for f in report.files] == [(3, 0, 0)]
        # Second import: one value revised (01-04), one identical (01-03), one new (01-05); a wide
        # file in the same import then repeats 01-05 with the same value and revises 01-02.
        revised = write(tmp_path, "DGS10_rev.csv",
                        "observation_date,DGS10\n2024-01-03,3.91\n2024-01-04,4.00\n2024-01-05,4.05\n")
        wide = write(tmp_path, "wide.csv", "date,DGS10,DGS2\n2024-01-02,3.94,4.33\n2024-01-05,4.05,4.38\n")
        report = import_paths(store, [revised, wide])
        assert [(f.inserted, f.updated, f.unchanged) for f in report.files] == [(1, 1, 1), (2, 1, 1)]
        assert (report.total.inserted, report.total.updated, report.total.unchanged) == (3, 2, 2)
        assert stored(store, "DGS10") == {"2024-01-02": 3.94, "2024-01-03": 3.91, "2024-01-04": 4.00,
                                          "2024-01-05": 4.05}
        assert report.files[1].format == "tidy-wide" and report.files[1].series == ("DGS10", "DGS2")


def test_cftc_reimport_counts_positions_as_unchanged(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.sqlite") as store:
        first = import_paths(store, [FIXTURES / "cftc/FinFut25.txt"])
        again = import_paths(store, [FIXTURES / "cftc/socrata_tff.json"])
    assert (first.total.inserted, first.total.updated) == (15, 0)
    # The Socrata fixture repeats the 2025-04-29 rows; its 2Y record lacks other_rept spreading.
    assert (again.files[0].inserted, again.files[0].updated, again.files[0].unchanged) == (0, 1, 9)
    assert again.files[0].series == ("CFTC_TFF",)
    # The per-file counts are computed before the write; the store counts on its own.
    assert (again.total.inserted, again.total.updated, again.total.unchanged) == (0, 1, 9)


def test_a_malformed_file_leaves_the_store_exactly_as_it_was(tmp_path: Path) -> None:
    store_path = tmp_path / "s.sqlite"
    good = write(tmp_path, "DGS10.csv", "date,value\n2024-01-02,3.95\n")
    with Store.open(store_path) as store:
        import_paths(store, [good])
    before = dump(store_path)
    newer = write(tmp_path, "DGS2.csv", "date,value\n2024-01-02,4.33\n")
    bad = write(tmp_path, "VIXCLS.csv", "date,value\n2024-01-02,13.2\n2024-01-03,x\n")
    with Store.open(store_path) as store:
        with pytest.raises(ImportFileError) as info:
            import_paths(store, [newer, FIXTURES / "gsw/feds200628.csv", bad])
        assert store.revision() == 1
    assert (info.value.path, info.value.line, info.value.column) == (bad, 3, "value")
    assert dump(store_path) == before


@pytest.mark.parametrize(
    ("line3", "problem"),
    [
        ("9999-12-31,4.1", r"line 3, column date: date '9999-12-31' is in the future"),
        ("1677-01-01,4.1", r"line 3, column date: date '1677-01-01' is before 1800-01-01"),
        ("2999-01-04,4.1", r"line 3, column date: date '2999-01-04' is in the future"),
        ("2024-01-03,-1e308", r"line 3, column DGS10: -1e\+308 is outside the plausible range of DGS10"),
        ("2024-01-03,412", r"line 3, column DGS10: 412 is outside the plausible range of DGS10 \[-20, 50\] %"),
    ],
)
def test_implausible_dates_and_values_are_refused_with_file_and_line(
    tmp_path: Path, line3: str, problem: str
) -> None:
    path = write(tmp_path, "DGS10.csv", f"date,value\n2024-01-02,4.0\n{line3}\n2024-01-04,4.2\n")
    with Store.open(tmp_path / "s.sqlite") as store:
        before = dump(tmp_path / "s.sqlite")
        with pytest.raises(ImportFileError, match=rf"DGS10.csv {problem}"):
            import_paths(store, [path])
        assert dump(tmp_path / "s.sqlite") == before


def test_a_year_beyond_the_nanosecond_range_is_never_stored_as_another_date(tmp_path: Path) -> None:
    # 9999-12-31 used to wrap to 1816-03-29 and 1677-01-01 to 2261-07-22.
    for day in ("9999-12-31", "1677-01-01"):
        path = write(tmp_path, "DGS2.csv", f"date,value\n{day},4.0\n")
        with pytest.raises(ImportFileError, match="not a plausible observation date"):
            parse_file(path)


def test_uncatalogued_series_get_generic_bounds(tmp_path: Path) -> None:
    ok = write(tmp_path, "MYIDX.csv", "date,value\n2024-01-02,123456.5\n")
    assert len(parse_file(ok)) == 1
    bad = write(tmp_path, "MYIDX.csv", "date,value\n2024-01-02,-1e308\n")
    with pytest.raises(ImportFileError, match="line 2, column MYIDX: .*outside the plausible range"):
        parse_file(bad)


def test_every_shared_series_lies_within_its_catalogue_bounds(shared_data: Path) -> None:
    from data.catalogue import plausible_bounds

    checked = 0
    for path in sorted((shared_data / "fred").glob("*.csv")) + [shared_data / "ice" / "MOVE.csv"]:
        frame = pd.read_csv(path)
        for column in frame.columns[1:]:
            series_id = path.stem if column == "value" else column
            low, high = plausible_bounds(series_id)
            values = frame[column].dropna()
            assert values.between(low, high).all(), (series_id, values.min(), values.max())
            checked += 1
    assert checked > 40


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSM_IMPORT_MAX_BYTES", "1000")
    path = write(tmp_path, "DGS10.csv", "date,value\n" + "".join(
        f"{day:%Y-%m-%d},4.0\n" for day in pd.date_range("2000-01-01", periods=200)))
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(ImportFileError, match=r"DGS10.csv: 0.0 MB is more than the 0.0 MB an import reads \(TSM_IMPORT_MAX_BYTES\)"):
            import_paths(store, [path])
        assert not store.has_observations()


def big_wide_file(folder: Path, rows: int, *, bad_line: int | None = None, repeat_at: int | None = None) -> Path:
    days = pd.date_range("1900-01-01", periods=rows).strftime("%Y-%m-%d").tolist()
    cells = ",".join(["4.125"] * 40)
    lines = ["date," + ",".join(f"S{i:02d}" for i in range(40))]
    for i, day in enumerate(days):
        line_no = i + 2
        if repeat_at is not None and line_no == repeat_at:
            day = days[0]
        row = f"{day},{cells}"
        if line_no == bad_line:
            row = f"{day},abc," + ",".join(["4.125"] * 39)
        lines.append(row)
    path = folder / "wide.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_error_early_in_a_large_file_stops_the_read_with_little_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = big_wide_file(tmp_path, 40_000, bad_line=3)  # about 8 MB
    assert path.stat().st_size > 7_000_000
    with Store.open(tmp_path / "s.sqlite") as store:
        tracemalloc.start()
        try:
            with pytest.raises(ImportFileError, match="line 3, column S00: 'abc' is not a number"):
                import_paths(store, [path])
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert not store.has_observations()
    # The whole file used to be read and split into lines first: many times its own size.
    assert peak < path.stat().st_size, peak


def test_a_streamed_file_names_the_right_line_in_a_later_chunk(tmp_path: Path) -> None:
    path = big_wide_file(tmp_path, 10_000, bad_line=9_007)
    with pytest.raises(ImportFileError, match=r"wide.csv line 9007, column S00: 'abc' is not a number"):
        parse_file(path)


def test_a_date_repeated_across_chunks_is_found_with_both_lines(tmp_path: Path) -> None:
    path = big_wide_file(tmp_path, 10_000, repeat_at=9_000)
    with Store.open(tmp_path / "s.sqlite") as store:
        with pytest.raises(ImportFileError, match=r"wide.csv line 9000: date 1900-01-01 already appears on line 2"):
            import_paths(store, [path])
        assert not store.has_observations()


def test_a_large_streamed_file_lands_whole(tmp_path: Path) -> None:
    path = big_wide_file(tmp_path, 12_000)  # five chunks
    with Store.open(tmp_path / "s.sqlite") as store:
        report = import_paths(store, [path])
        assert report.total.inserted == 12_000 * 40
        wide = store.read_series(["S00", "S39"])
    assert len(wide) == 12_000 and (wide == 4.125).all().all()


def test_an_import_waits_for_a_running_refresh_then_lands(tmp_path: Path) -> None:
    import threading
    import time

    path = write(tmp_path, "DGS10.csv", "date,value\n2024-01-02,4.0\n")
    held = threading.Event()

    def refresh_for_a_while() -> None:
        with Store.open(tmp_path / "s.sqlite") as holder, holder.lease(kind="refresh"):
            held.set()
            time.sleep(0.6)

    thread = threading.Thread(target=refresh_for_a_while)
    thread.start()
    held.wait(5)
    heard: list[str] = []
    with Store.open(tmp_path / "s.sqlite") as store:
        report = import_paths(store, [path], on_wait=heard.append)
    thread.join()
    assert heard and heard[0].startswith("a refresh (pid")
    assert report.total.inserted == 1


def test_two_imports_started_together_both_finish(tmp_path: Path) -> None:
    import subprocess
    import sys

    store = tmp_path / "s.sqlite"
    files = [big_wide_file(tmp_path / d, 4_000) for d in ("a", "b") if (tmp_path / d).mkdir() is None]
    code = "import sys, cli; sys.exit(cli.main(sys.argv[1:]))"
    procs = [subprocess.Popen([sys.executable, "-c", code, "--store", str(store), "import", str(f)],
                              cwd=Path(__file__).resolve().parents[3], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    with Store.open(store) as opened:
        assert opened.read_series(["S00"])["S00"].count() == 4_000
