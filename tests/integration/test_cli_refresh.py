"""`tsm refresh` against a local server replaying payloads in each source's format."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

import cli
from cli.refresh import OVERLAP_DAYS, Progress
from data.model import Batch
from data.sources.fred import fred_series
from data.store import CFTC_STATUS_ID, Store
from tests.fixtures import payload
from tests.fixtures.http_server import LocalServer, Reply

KEY = "fedcba9876543210fedcba9876543210"
NYFED_PATHS = (
    "/api/rates/secured/sofr/search.json",
    "/api/rates/secured/tgcr/search.json",
    "/api/rates/secured/bgcr/search.json",
    "/api/rates/unsecured/effr/search.json",
    "/api/rp/results/search.json",
)


def fredgraph(query: dict[str, list[str]]) -> Reply:
    # Two observations per series; DGS10 gets its real 2024-06-03/04 values (4.41, 4.33) and an
    # empty 06-05 (not yet published).
    series_id = query["id"][0]
    if series_id == "DGS10":
        return Reply(200, b"observation_date,DGS10\n2024-06-03,4.41\n2024-06-04,4.33\n2024-06-05,\n")
    return Reply(200, f"observation_date,{series_id}\n2024-06-03,1.5\n2024-06-04,1.25\n".encode())


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    with LocalServer() as running:
        for name in ("FRED", "FREDAPI", "NYFED", "TREASURY", "CFTC", "CFTC_FILES", "GSW", "OFR", "ACM",
                     "AUCTIONS", "ERIS"):
            monkeypatch.setenv(f"TSM_{name}_URL", running.url)
        monkeypatch.delenv("FRED_API_KEY", raising=False)
        monkeypatch.setenv("TSM_FRED_MIN_INTERVAL", "0")
        monkeypatch.setenv("TSM_HTTP_RETRIES", "1")
        monkeypatch.setenv("TSM_HTTP_BACKOFF", "0.01")
        monkeypatch.setenv("TSM_HTTP_TIMEOUT", "5")
        running.route_fn("/graph/fredgraph.csv", fredgraph)
        for path, name in zip(NYFED_PATHS, ("sofr", "tgcr", "bgcr", "effr", "rp"), strict=True):
            running.route(path, Reply(200, payload(f"nyfed/{name}_search.json")))
        running.route("/resource/gpe5-46if.json", Reply(200, payload("cftc/socrata_tff.json")))
        running.route("/data/yield-curve-tables/feds200628.csv", Reply(200, payload("gsw/feds200628.csv")))
        route_issue11_sources(running)
        yield running


ACM_PATH = "/medialibrary/media/research/data_indicators/ACMTermPremium.xls"
AUCTIONS_PATH = "/services/api/fiscal_service/v1/accounting/od/auctions_query"


def acm_workbook() -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("ACM Daily")
    for c, name in enumerate(["DATE", "ACMTP10", "ACMRNY10", "ACMY10"]):
        sheet.write(0, c, name)
    for r, (day, tp) in enumerate([("08-Apr-2025", 0.50), ("09-Apr-2025", 0.525772)], start=1):
        sheet.write(r, 0, day)
        sheet.write(r, 1, tp)
        sheet.write(r, 2, 3.9)
        sheet.write(r, 3, 3.9 + tp)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def route_issue11_sources(running: LocalServer) -> None:
    # OFR, ACM, Fiscal Data auctions (two pages) and Eris (no file on any day: holidays only).
    running.route("/financial-stress-index/data/fsi.csv", Reply(200, payload("ofr/fsi.csv")))
    running.route(ACM_PATH, Reply(200, acm_workbook()))
    pages = {"1": payload("auctions/auctions_query_page1.json"), "2": payload("auctions/auctions_query_page2.json")}
    running.route_fn(AUCTIONS_PATH, lambda q: Reply(200, pages[q.get("page[number]", ["1"])[0]]))


def refresh(capsys: pytest.CaptureFixture[str], store: Path, *extra: str) -> tuple[int, str, str]:
    code = cli.main(["--store", str(store), "refresh", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def row_of(out: str, source: str, series_id: str) -> list[str]:
    for line in out.splitlines():
        cells = line.split()
        if cells[:2] == [source, series_id]:
            return cells
    raise AssertionError(f"no summary row for {source} {series_id}:\n{out}")


def value(store: Path, series_id: str, day: str) -> float:
    with Store.open(store) as opened:
        return float(opened.read_series([series_id], start=day, end=day)[series_id].iloc[0])


def test_refresh_fetches_every_source_into_the_store(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    code, out, err = refresh(capsys, store)
    assert code == 0, out + err
    assert err == ""  # no progress bar when stderr is not a terminal
    assert value(store, "DGS10", "2024-06-04") == 4.33
    assert value(store, "SOFR99", "2019-09-17") == 9.0
    assert value(store, "NYFED_SRF", "2026-07-10") == pytest.approx(1.75)
    assert value(store, "SVENY30", "2026-01-23") == 5.049
    with Store.open(store) as opened:
        cftc = opened.read_cftc()
        statuses = {s.series_id: s for s in opened.status()}
    assert len(cftc) == 10 and set(cftc["contract_code"]) == {"043602", "042601"}
    assert statuses["DGS10"].last_error is None and statuses["DGS10"].last_success is not None
    # SOFR comes from its primary source (NY Fed), not also from FRED.
    assert {h.query["id"][0] for h in server.hits("/graph/fredgraph.csv")} == (
        set(fred_series()) - {"SOFR", "EFFR", "SOFR1", "SOFR25", "SOFR75", "SOFR99", "SOFRVOL"})
    # An empty store asks for the whole history.
    assert all("cosd" not in h.query for h in server.hits("/graph/fredgraph.csv"))
    assert row_of(out, "fred", "DGS10")[2:] == ["2", "0", "0", "ok"]
    assert row_of(out, "cftc", CFTC_STATUS_ID)[2:] == ["10", "0", "0", "ok"]
    assert "treasury: nothing by default" in out
    assert out.rstrip().splitlines()[-1].endswith("unchanged rows")
    # Issue 11: OFR FSI, ACM, auctions refresh like every source; Eris days without a file
    # (holidays; here every day) are not failures.
    assert value(store, "OFR_FSI", "2008-10-10") == 29.32
    assert value(store, "ACMTP10", "2025-04-09") == 0.525772
    assert value(store, "AUCT_10Y_BTC", "2023-11-08") == 2.45
    assert [h.query["page[number]"] for h in server.hits(AUCTIONS_PATH)] == [["1"], ["2"]]
    assert row_of(out, "eris", "SOFRSWP10Y")[2:] == ["0", "0", "0", "ok"]
    assert statuses["OFR_FSI"].source == "ofr" and statuses["ACMTP10"].last_error is None


def test_second_refresh_starts_from_the_last_date_less_the_overlap(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    assert refresh(capsys, store, "--source", "fred", "--series", "DGS10")[0] == 0
    code, out, _ = refresh(capsys, store, "--source", "fred", "--series", "DGS10")
    assert code == 0
    last = date(2024, 6, 4)
    cosd = [h.query.get("cosd") for h in server.hits("/graph/fredgraph.csv")]
    assert cosd == [None, [date.fromordinal(last.toordinal() - OVERLAP_DAYS).isoformat()]]
    assert row_of(out, "fred", "DGS10")[2:] == ["0", "0", "2", "ok"]
    # --since overrides the stored last date.
    refresh(capsys, store, "--source", "fred", "--series", "DGS10", "--since", "2020-01-02")
    assert server.hits("/graph/fredgraph.csv")[-1].query["cosd"] == ["2020-01-02"]


def test_a_failing_source_does_not_stop_the_others_nor_delete_data(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    with Store.open(store) as opened:
        opened.write([Batch(source="nyfed", origin="live", observations=pd.DataFrame(
            {"series_id": ["SOFR", "SOFR"], "date": pd.to_datetime(["2019-09-16", "2019-09-17"]),
             "value": [2.43, 5.25]}))])
    for path in NYFED_PATHS:
        server.route(path, Reply(500, b"maintenance"))
    code, out, err = refresh(capsys, store)
    assert code == 1
    assert value(store, "SOFR", "2019-09-17") == 5.25  # kept
    assert value(store, "DGS10", "2024-06-03") == 4.41  # the other sources went on
    assert value(store, "SVENY30", "2026-01-23") == 5.049
    sofr = row_of(out, "nyfed", "SOFR")
    assert sofr[2:6] == ["0", "0", "0", "FAILED:"]
    assert "nyfed SOFR: HTTP 500 Internal Server Error (gave up after 2 attempts)" in out
    assert row_of(out, "fred", "DGS10")[-1] == "ok"
    assert "11 failed" in out.splitlines()[-1]
    with Store.open(store) as opened:
        statuses = {s.series_id: s for s in opened.status()}
    assert "HTTP 500" in (statuses["SOFR"].last_error or "")
    assert statuses["NYFED_RRP"].last_error is not None
    assert statuses["DGS10"].last_error is None


def test_treasury_source_fetches_year_files_with_changed_columns(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {"2025": payload("treasury/daily_treasury_yield_curve_2025.csv")}

    def by_year(query: dict[str, list[str]]) -> Reply:
        year = query["field_tdr_date_value"][0]
        return Reply(200, files.get(year, b'Date,"1 Mo","1.5 Month","2 Mo","3 Mo"\r\n'))

    this_year = datetime.now(UTC).year
    for year in range(2025, this_year + 1):
        server.route_fn(f"/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv/{year}/all",
                        by_year)
    store = tmp_path / "s.sqlite"
    code, out, _ = refresh(capsys, store, "--source", "treasury", "--since", "2025-01-01")
    assert code == 0, out
    assert value(store, "DGS10", "2025-05-09") == 4.37
    assert value(store, "UST1_5MO", "2025-05-09") == 4.36
    assert value(store, "DGS3MO", "2025-05-09") == 4.34
    hits = [h for h in server.requests if "daily-treasury-rates" in h.path]
    assert len(hits) == this_year - 2025 + 1
    assert all(h.headers["User-Agent"].startswith("Mozilla/5.0") for h in hits)


def test_cftc_falls_back_to_the_annual_zip_when_the_api_fails(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.route("/resource/gpe5-46if.json", Reply(503, b"busy"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("FinFutYY.txt", payload("cftc/FinFut25.txt"))
    header_only = io.BytesIO()
    with zipfile.ZipFile(header_only, "w") as archive:
        archive.writestr("FinFutYY.txt", payload("cftc/FinFut25.txt").splitlines(keepends=True)[0])
    server.route("/files/dea/history/fut_fin_txt_2025.zip", Reply(200, buffer.getvalue()))
    for year in range(2026, datetime.now(UTC).year + 1):
        server.route(f"/files/dea/history/fut_fin_txt_{year}.zip", Reply(200, header_only.getvalue()))
    store = tmp_path / "s.sqlite"
    code, out, _ = refresh(capsys, store, "--source", "cftc", "--since", "2025-01-01")
    assert code == 0, out
    with Store.open(store) as opened:
        cftc = opened.read_cftc()
    lev = cftc[(cftc["contract_code"] == "043602") & (cftc["trader_group"] == "lev_money")
               & (cftc["report_date"] == pd.Timestamp("2025-04-29"))]
    assert lev[["long", "short"]].to_numpy().tolist() == [[237175.0, 2070536.0]]


def test_keyed_fred_goes_through_the_api_and_never_shows_the_key(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRED_API_KEY", KEY)
    monkeypatch.setenv("TSM_FREDAPI_URL", server.url + "/fred")

    def api(query: dict[str, list[str]]) -> Reply:
        if query["series_id"] == ["SP500"]:
            return Reply(200, payload("fred/SP500.xml"))
        return Reply(400, b'<error code="400" message="Bad Request.  The series does not exist."/>')

    server.route_fn("/fred/series/observations", api)
    store = tmp_path / "s.sqlite"
    code, out, err = refresh(capsys, store, "--source", "fred", "--series", "SP500", "--series", "VIXCLS")
    assert code == 1
    assert value(store, "SP500", "2014-09-05") == 2007.71
    assert "fred VIXCLS: HTTP 400 Bad Request: " in out and "The series does not exist." in out
    assert KEY not in out + err
    with Store.open(store) as opened:
        errors = [s.last_error or "" for s in opened.status()]
    assert all(KEY not in e for e in errors)
    assert all(h.query["api_key"] == [KEY] for h in server.hits("/fred/series/observations"))


def test_bad_arguments_exit_2(server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "s.sqlite"
    code, _, err = refresh(capsys, store, "--since", "2024-02-30")
    assert code == 2 and "--since must be a date YYYY-MM-DD, got '2024-02-30'" in err
    code, _, err = refresh(capsys, store, "--since", "2999-01-01")
    assert code == 2 and "must not be after today" in err
    code, _, err = refresh(capsys, store, "--source", "gsw", "--series", "DGS10")
    assert code == 2 and "unknown series DGS10 for source gsw" in err
    assert server.requests == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_and_stays_silent_otherwise() -> None:
    terminal = _Terminal()
    bar = Progress(4, stream=terminal)
    for label in ("fred DGS10", "fred DGS2", "nyfed SOFR", "gsw feds200628"):
        bar.step(label)
    bar.finish()
    text = terminal.getvalue()
    assert "[" + "." * 24 + "] 0/4 fred DGS10" in text
    assert "[" + "#" * 18 + "." * 6 + "] 3/4 gsw feds200628" in text
    quiet = io.StringIO()
    Progress(4, stream=quiet).step("fred DGS10")
    assert quiet.getvalue() == ""


def test_an_unreachable_source_is_tried_once_then_skipped_for_its_other_series(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    monkeypatch.setenv("TSM_FRED_URL", f"http://127.0.0.1:{closed}")
    code, out, _ = refresh(capsys, tmp_path / "s.sqlite", "--source", "fred")
    assert code == 1
    failed = [line for line in out.splitlines() if "FAILED" in line]
    assert len(failed) == len(fred_series()) > 1
    assert sum("connection refused (gave up" in line for line in failed) == 1
    assert all("skipped, cannot connect to 127.0.0.1" in line
               for line in failed if "gave up" not in line)
