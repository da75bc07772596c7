"""A refresh started from the data page: tsm refresh's code in a background thread, its
progress in a file every worker reads, one at a time, readable errors when offline."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components import refresh_job
from data.store import Store
from tests.fixtures import payload
from tests.fixtures.http_server import LocalServer, Reply
from tests.integration.test_cli_refresh import NYFED_PATHS, fredgraph, route_issue11_sources

SOURCES = ("FRED", "FREDAPI", "NYFED", "TREASURY", "CFTC", "CFTC_FILES", "GSW", "OFR", "ACM",
           "AUCTIONS", "ERIS")


def _fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("TSM_FRED_MIN_INTERVAL", "0")
    monkeypatch.setenv("TSM_HTTP_RETRIES", "1")
    monkeypatch.setenv("TSM_HTTP_BACKOFF", "0.01")
    monkeypatch.setenv("TSM_HTTP_TIMEOUT", "5")


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalServer]:
    with LocalServer() as running:
        for name in SOURCES:
            monkeypatch.setenv(f"TSM_{name}_URL", running.url)
        _fast_http(monkeypatch)
        running.route_fn("/graph/fredgraph.csv", fredgraph)
        for path, name in zip(NYFED_PATHS, ("sofr", "tgcr", "bgcr", "effr", "rp"), strict=True):
            running.route(path, Reply(200, payload(f"nyfed/{name}_search.json")))
        running.route("/resource/gpe5-46if.json", Reply(200, payload("cftc/socrata_tff.json")))
        running.route("/data/yield-curve-tables/feds200628.csv", Reply(200, payload("gsw/feds200628.csv")))
        route_issue11_sources(running)
        yield running


def _wait(store: Path, timeout: float = 120.0) -> refresh_job.JobStatus:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = refresh_job.read_status(store)
        if not status.running:
            return status
        time.sleep(0.1)
    raise AssertionError(f"refresh still running after {timeout} s: {status}")


def test_refresh_from_the_page_fills_the_store_and_reports_done(server, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    started, message = refresh_job.start_refresh(store)
    assert started, message
    status = _wait(store)
    assert status.state == "done", status
    assert status.total > 0 and status.done == status.total
    assert status.message.startswith(f"{status.message.split()[0]} series ok, 0 failed")
    with Store.open(store) as opened:
        assert float(opened.read_series(["DGS10"]).loc["2024-06-04", "DGS10"]) == 4.33
    # As `tsm refresh` does, the new revision's market state is built at the end.
    from market_state import load_persisted
    with Store.open(store) as opened:
        revision = opened.revision()
    assert load_persisted(store, revision) is not None


def test_second_start_while_running_is_refused(server, tmp_path: Path) -> None:
    server.route("/data/yield-curve-tables/feds200628.csv",
                 Reply(200, payload("gsw/feds200628.csv"), delay_s=1.5))
    store = tmp_path / "s.sqlite"
    assert refresh_job.start_refresh(store)[0]
    again, message = refresh_job.start_refresh(store)
    assert not again and message == "a refresh of this store is already running"
    assert _wait(store).state == "done"
    assert refresh_job.start_refresh(store)[0]  # free again once finished
    _wait(store)


def test_offline_refresh_names_each_source_and_its_cause(monkeypatch, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in SOURCES:
        monkeypatch.setenv(f"TSM_{name}_URL", closed)
    _fast_http(monkeypatch)
    store = tmp_path / "s.sqlite"
    assert refresh_job.start_refresh(store)[0]
    status = _wait(store)
    assert status.state == "partial"
    assert status.message.startswith("0 series ok,")
    sources = {source for source, _, _ in status.failures if source}
    assert {"fred", "nyfed", "cftc", "gsw"} <= sources
    for source, series, error in status.failures:
        if source:
            assert "cannot connect to 127.0.0.1" in error or "skipped" in error, (source, series, error)
    with Store.open(store) as opened:
        assert not opened.has_observations()
