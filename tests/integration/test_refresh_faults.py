"""Refresh against a misbehaving source: the last good data stays, the error shows in
`tsm status` and on the Overview page, and the run ends in bounded time."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import cli
from app import create_app
from data.market import clear_cache
from data.store import Store
from tests.conftest import route_request
from tests.fixtures.http_server import LocalServer, Reply

GOOD = b"observation_date,DGS10\n2024-06-03,4.41\n2024-06-04,4.33\n"

FAULTS = {
    "timeout": (Reply(200, GOOD, delay_s=3.0), "timed out after 1 s"),
    "trickle": (Reply(200, GOOD + b"2024-06-05,4.30\n" * 20, trickle_s=0.2), "deadline"),
    "429-retry-after": (Reply(429, b"slow down", headers={"Retry-After": "3600"}), "rate-limited"),
    "500": (Reply(500, b"oops"), "HTTP 500"),
    "truncated": (Reply(200, GOOD, declared_length=len(GOOD) + 500), "truncated body"),
    "renamed-column": (Reply(200, b"observation_date,DGS10_V2\n2024-06-03,4.41\n"),
                       "does not carry series DGS10"),
    "html-200": (Reply(200, b"<!DOCTYPE html><html><body>Maintenance</body></html>"),
                 "an HTML page instead of FRED's CSV"),
    "gzip-bomb": (Reply(raw_body=gzip.compress(b"0" * (30 * 1024 * 1024)),
                        headers={"Content-Encoding": "gzip"}), "byte limit"),
}


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    with LocalServer() as running:
        monkeypatch.setenv("TSM_FRED_URL", running.url)
        monkeypatch.delenv("FRED_API_KEY", raising=False)
        monkeypatch.setenv("TSM_FRED_MIN_INTERVAL", "0")
        monkeypatch.setenv("TSM_HTTP_RETRIES", "1")
        monkeypatch.setenv("TSM_HTTP_BACKOFF", "0.01")
        monkeypatch.setenv("TSM_HTTP_TIMEOUT", "1")
        monkeypatch.setenv("TSM_HTTP_DEADLINE", "1.5")
        monkeypatch.setenv("TSM_HTTP_MAX_BYTES", "1000000")
        yield running


def refresh(store: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["--store", str(store), "refresh", "--source", "fred", "--series", "DGS10"])
    out, err = capsys.readouterr()
    return code, out, err


def overview_text(store: Path) -> str:
    clear_cache()
    client = create_app(store).server.test_client()
    resp = client.post("/_dash-update-component", json=route_request("/"))
    assert resp.status_code == 200
    return json.dumps(json.loads(resp.data)["response"]["page"])


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_failing_refresh_keeps_the_last_good_data_and_shows_the_error(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str
) -> None:
    store = tmp_path / "s.sqlite"
    server.route("/graph/fredgraph.csv", Reply(200, GOOD))
    assert refresh(store, capsys)[0] == 0

    reply, cause = FAULTS[fault]
    server.route("/graph/fredgraph.csv", reply)
    started = time.monotonic()
    code, out, _ = refresh(store, capsys)
    assert time.monotonic() - started < 15
    assert code == 1
    assert "FAILED" in out and cause in out

    with Store.open(store) as opened:
        kept = opened.read_series(["DGS10"])["DGS10"].dropna()
    assert kept.to_dict() == {kept.index[0]: 4.41, kept.index[1]: 4.33}

    assert cli.main(["--store", str(store), "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    row = next(r for r in status["series"] if r["series_id"] == "DGS10")
    assert cause in row["last_error"] and row["rows"] == 2 and row["last_success"]
    assert cause in overview_text(store)


def test_a_second_refresh_started_meanwhile_says_one_is_running(
    server: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "s.sqlite"
    server.route("/graph/fredgraph.csv", Reply(200, GOOD))
    with Store.open(store) as holder, holder.lease(kind="refresh"):
        code, _, err = refresh(store, capsys)
    assert code == 3
    assert "not started, a refresh (pid" in err and "is already writing" in err
    assert refresh(store, capsys)[0] == 0  # free again afterwards


def test_a_series_missing_from_a_renamed_payload_fails_instead_of_counting_as_ok(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Treasury renames its "10 Yr" column beyond recognition: DGS10 gets no row at all.
    from tests.fixtures import payload

    good = payload("treasury/daily_treasury_yield_curve_2025.csv")
    renamed = good.replace(b'"10 Yr"', b'"Ten Year"')
    store = tmp_path / "s.sqlite"
    with LocalServer() as running:
        monkeypatch.setenv("TSM_TREASURY_URL", running.url)
        monkeypatch.setenv("TSM_HTTP_RETRIES", "0")
        replies = {"body": good}
        running.route_fn(
            "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv/2025/all",
            lambda query: Reply(200, replies["body"]))
        running.route(  # this year's file: no rows yet
            "/resource-center/data-chart-center/interest-rates/daily-treasury-rates.csv/2026/all",
            Reply(200, good.splitlines()[0] + b"\n"))
        args = ["--store", str(store), "refresh", "--source", "treasury", "--series", "DGS10",
                "--since", "2025-01-01"]
        assert cli.main(args) == 0, capsys.readouterr()
        capsys.readouterr()
        with Store.open(store) as opened:
            before = opened.read_series(["DGS10"])["DGS10"].dropna()
        replies["body"] = renamed
        code = cli.main(args)
        out = capsys.readouterr().out
    assert code == 1
    assert "the source sent no rows of DGS10 since 2025-01-01 although the store has it" in out
    with Store.open(store) as opened:
        assert opened.read_series(["DGS10"])["DGS10"].dropna().equals(before)
        row = next(s for s in opened.status() if s.series_id == "DGS10")
    assert row.last_error and "renamed or missing column" in row.last_error
