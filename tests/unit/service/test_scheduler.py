"""The scheduled refresh: one refresher at a time across processes, progress in the store,
a schedule per source."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from data.store import Store
from service import scheduler
from tests.fixtures.http_server import LocalServer, Reply

ROOT = Path(__file__).resolve().parents[3]
CSV = b"observation_date,DGS10\n2024-06-03,4.41\n2024-06-04,4.33\n"


@pytest.fixture()
def fred(monkeypatch: pytest.MonkeyPatch):
    with LocalServer() as running:
        monkeypatch.setenv("TSM_FRED_URL", running.url)
        monkeypatch.delenv("FRED_API_KEY", raising=False)
        monkeypatch.setenv("TSM_FRED_MIN_INTERVAL", "0")
        monkeypatch.setenv("TSM_HTTP_RETRIES", "0")
        yield running


def test_a_scheduled_run_refreshes_and_leaves_its_summary(fred: LocalServer, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Only DGS10 answers: every other FRED series fails with a 404 and is reported.
    fred.route_fn("/graph/fredgraph.csv", lambda q: Reply(200, CSV) if q["id"] == ["DGS10"] else Reply(404, b"no"))
    store = tmp_path / "s.sqlite"
    summary = scheduler.run_refresh(store, source="fred", reason="test")
    assert "failed" in summary and "2 new" in summary
    state = scheduler.progress(store)
    assert state["state"] == "idle" and state["reason"] == "test"
    assert state["done"] == state["total"] > 1
    assert any(f.startswith("DGS2: fred DGS2: HTTP 404") for f in state["failed"])
    with Store.open(store) as opened:
        assert opened.read_series(["DGS10"])["DGS10"].dropna().tolist() == [4.41, 4.33]


def test_concurrent_refreshers_in_several_processes_run_exactly_once(fred: LocalServer, store_location) -> None:
    # Several workers or replicas on one store (SQLite file, or PostgreSQL shared by replicas).
    import os
    import time

    # The first request is held until the other processes have given up: the winner is busy
    # the whole time they try.
    release = threading.Event()
    first = threading.Lock()

    def answer(query: dict[str, list[str]]) -> Reply:
        if first.acquire(blocking=False):
            release.wait(120)
            return Reply(200, CSV)
        return Reply(404, b"no")

    fred.route_fn("/graph/fredgraph.csv", answer)
    store = store_location
    Store.open(store).close()
    code = ("import sys; from service import scheduler; "
            "print(scheduler.run_refresh(sys.argv[1], source='fred', reason='proc'))")
    env = {**os.environ, "TSM_FRED_URL": fred.url, "TSM_FRED_MIN_INTERVAL": "0", "TSM_HTTP_RETRIES": "0"}
    env.pop("FRED_API_KEY", None)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(store)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    deadline = time.monotonic() + 120
    while sum(p.poll() is not None for p in procs) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    release.set()
    outs = [p.communicate(timeout=300)[0].strip() for p in procs]
    ran = [o for o in outs if not o.startswith("skipped")]
    assert len(ran) == 1, outs
    assert all("a refresh (pid" in o for o in outs if o.startswith("skipped")), outs


def test_the_button_path_refuses_while_a_refresh_runs(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    with Store.open(store) as holder, holder.lease(kind="refresh"):
        started, message = scheduler.trigger_refresh(store)
    assert not started and "a refresh (pid" in message


def test_a_running_state_whose_holder_died_reads_as_interrupted(tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    with Store.open(store) as opened:
        opened.set_note("refresh_progress", json.dumps({"state": "running", "done": 3, "total": 9}))
    assert scheduler.progress(store)["state"] == "interrupted"


def test_every_source_has_a_release_timed_schedule_and_the_scheduler_starts_once(tmp_path: Path) -> None:
    from data.sources import provider_names

    assert set(scheduler.RELEASE_SCHEDULE) == set(provider_names())
    first = scheduler.start(tmp_path / "s.sqlite")
    try:
        assert scheduler.start(tmp_path / "s.sqlite") is first
        jobs = {job.id: job for job in first.get_jobs()}
        assert "refresh-nyfed-0" in jobs and "refresh-cftc-0" in jobs
        cftc_next = jobs["refresh-cftc-0"].next_run_time
        assert cftc_next.weekday() == 4 and (cftc_next.hour, cftc_next.minute) == (15, 50)
        assert str(cftc_next.tzinfo) == "America/New_York"
    finally:
        scheduler.stop()
    assert threading.active_count() >= 1
