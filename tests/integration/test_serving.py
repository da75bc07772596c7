"""Serving through Flask's test client: limits, headers, probes, 404s, 4xx, login, refresh API;
and `tsm serve` for real (gunicorn) on a loopback port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from werkzeug.security import generate_password_hash

from app import create_app
from components.serving import readiness
from data.model import Batch
from data.store import Store
from tests.conftest import route_request

ROOT = Path(__file__).resolve().parents[2]


def client(store: Path):
    return create_app(store).server.test_client()


def callback_body(path: str = "/") -> dict:
    return route_request(path)


def test_every_response_carries_the_security_headers(tmp_path):
    resp = client(tmp_path / "absent.sqlite").get("/")
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-eval'" not in csp
    assert "'sha256-" in csp  # Dash's inline bootstrap script, allowed by its hash only
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in resp.headers


@pytest.mark.parametrize("path", ["/nope", "/admin", "/.env", "/stress/extra", "/static/app.py"])
def test_unknown_paths_are_404(tmp_path, path):
    assert client(tmp_path / "absent.sqlite").get(path).status_code == 404


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/../../app.py",
    "/_dash-component-suites/dash/../../../config.py",
    "/_dash-component-suites/nope/thing.js",
    "/_dash-component-suites/dash/not-a-file.js",
])
def test_component_suite_traversal_and_unknown_files_are_404_not_500(tmp_path, path):
    resp = client(tmp_path / "absent.sqlite").get(path)
    assert resp.status_code == 404
    assert b"Traceback" not in resp.data


def test_known_pages_are_served(tmp_path):
    c = client(tmp_path / "absent.sqlite")
    for path in ("/", "/stress", "/risk", "/curve"):
        assert c.get(path).status_code == 200, path


@pytest.mark.parametrize("body", [
    "not json",
    "[1, 2, 3]",
    json.dumps({"inputs": []}),
    json.dumps({"output": 3}),
    json.dumps({"output": "page.children", "inputs": "x"}),
    json.dumps({"output": "page.children", "inputs": [{"value": 1}]}),
    json.dumps({"output": "page.children", "inputs": [], "changedPropIds": [1]}),
    json.dumps({"output": "nope.children", "outputs": {"id": "nope", "property": "children"},
                "inputs": [{"id": "nope", "property": "x", "value": 1}], "changedPropIds": []}),
])
def test_malformed_callback_bodies_get_a_clean_4xx(tmp_path, body):
    resp = client(tmp_path / "absent.sqlite").post("/_dash-update-component", data=body,
                                                   content_type="application/json")
    assert 400 <= resp.status_code < 500, resp.data[:300]
    assert b"Traceback" not in resp.data


def test_request_bodies_above_the_cap_are_refused_with_413(tmp_path, monkeypatch):
    monkeypatch.setenv("TSM_MAX_REQUEST_BYTES", "100000")
    body = callback_body()
    body["inputs"][0]["value"] = "/" + "x" * 200_000
    resp = client(tmp_path / "absent.sqlite").post("/_dash-update-component", json=body)
    assert resp.status_code == 413
    assert b"TSM_MAX_REQUEST_BYTES" in resp.data


def test_healthz_is_up_and_readyz_reports_each_check(tmp_path):
    c = client(tmp_path / "absent.sqlite")
    assert c.get("/healthz").get_json() == {"status": "ok"}
    # Ready once the market state is built (the probe itself starts the build).
    deadline = time.monotonic() + 90
    ready = c.get("/readyz")
    while ready.status_code != 200 and time.monotonic() < deadline:
        assert ready.get_json()["checks"]["state"] == "building"
        time.sleep(0.2)
        ready = c.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"]["store"] == "absent (DEMO data)"


def write_core(store: Path, last: str) -> None:
    frame = pd.DataFrame({"series_id": ["DGS2", "DGS10"], "date": pd.to_datetime([last] * 2),
                          "value": [4.3, 3.9]})
    with Store.open(store) as opened:
        opened.write([Batch("fred", "imported", frame)])


def test_readyz_fails_on_stale_core_data_and_an_unreadable_store(tmp_path, monkeypatch):
    store = tmp_path / "s.sqlite"
    write_core(store, "2026-11-30")
    app = create_app(store)
    app.context.state()  # the market state of the store, as a warmed-up worker has it
    ready, checks = readiness(app.context, today=date(2026, 12, 1))
    assert checks["state"] == "built"
    assert ready and checks["core data"] == "fresh"
    ready, checks = readiness(app.context, today=date(2026, 12, 20))
    assert not ready and checks["core data"].startswith("stale: DGS2 stale (last 2026-11-30)")
    monkeypatch.setenv("TSM_READY_STALE_OK", "1")
    assert readiness(app.context, today=date(2026, 12, 20))[0]
    broken = tmp_path / "broken.sqlite"
    broken.write_text("not a database\n" * 50)
    resp = client(broken).get("/readyz")
    assert resp.status_code == 503 and "unreadable" in resp.get_json()["checks"]["store"]


def test_readyz_waits_for_the_state_when_the_context_builds_one(tmp_path):
    app = create_app(tmp_path / "absent.sqlite")

    class Building:
        store_path = app.context.store_path

        @staticmethod
        def state_ready() -> bool:
            return False

    ready, checks = readiness(Building())  # type: ignore[arg-type]
    assert not ready and checks["state"] == "building"


def test_basic_auth_protects_pages_but_not_probes(tmp_path, monkeypatch):
    monkeypatch.setenv("TSM_AUTH_USER", "ops")
    monkeypatch.setenv("TSM_AUTH_PASSWORD_HASH", generate_password_hash("correct horse"))
    c = client(tmp_path / "absent.sqlite")
    assert c.get("/").status_code == 401
    assert "Basic" in c.get("/").headers["WWW-Authenticate"]
    assert c.get("/", auth=("ops", "wrong")).status_code == 401
    assert c.get("/", auth=("ops", "correct horse")).status_code == 200
    assert c.post("/_dash-update-component", json=callback_body()).status_code == 401
    assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200


def test_a_trusted_proxy_header_signs_users_in(tmp_path, monkeypatch):
    monkeypatch.setenv("TSM_AUTH_PROXY_HEADER", "X-Forwarded-User")
    c = client(tmp_path / "absent.sqlite")
    assert c.get("/").status_code == 401
    assert c.get("/", headers={"X-Forwarded-User": "alice"}).status_code == 200


def test_refresh_api_refuses_forms_and_busy_stores_and_reports_progress(tmp_path):
    store = tmp_path / "s.sqlite"
    write_core(store, "2026-11-30")
    c = client(store)
    assert c.post("/api/refresh", data={"x": "1"}).status_code == 415
    with Store.open(store) as holder, holder.lease(kind="import"):
        busy = c.post("/api/refresh", json={})
        assert busy.status_code == 409 and "a import (pid" in busy.get_json()["message"]
    assert c.get("/api/refresh").get_json() == {"state": "never"}


# -- the real server ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_tsm_serve_runs_gunicorn_without_a_server_banner(tmp_path):
    port = free_port()
    env = {**os.environ, "TSM_WARM_UP": "0", "TSM_SCHEDULE": "0", "TSM_ACCESS_LOG": "",
           "TSM_WORKERS": "1", "TSM_THREADS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys, cli; sys.exit(cli.main(sys.argv[1:]))",
         "--store", str(tmp_path / "s.sqlite"), "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as resp:
                    headers = dict(resp.headers)
                    body = resp.read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):  # a busy CI box
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "tsm serve did not answer within 90 s"
                time.sleep(0.5)
        assert json.loads(body) == {"status": "ok"}
        assert "Server" not in headers and headers["X-Content-Type-Options"] == "nosniff"
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page", timeout=5)
        assert missing.value.code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def refresh_click(c, clicks: int):
    body = {"output": "..refresh-status.children...refresh-poll.disabled..",
            "outputs": [{"id": "refresh-status", "property": "children"},
                        {"id": "refresh-poll", "property": "disabled"}],
            "inputs": [{"id": "refresh-now", "property": "n_clicks", "value": clicks},
                       {"id": "refresh-poll", "property": "n_intervals", "value": None}],
            "changedPropIds": ["refresh-now.n_clicks"] if clicks else []}
    resp = c.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:300]
    return json.loads(resp.data)["response"]


def test_the_overview_refresh_button_goes_through_the_lease(tmp_path):
    store = tmp_path / "s.sqlite"
    write_core(store, "2026-11-30")
    c = client(store)
    idle = refresh_click(c, 0)
    assert idle["refresh-status"]["children"] == "No refresh has run from this service yet."
    assert idle["refresh-poll"]["disabled"] is True
    with Store.open(store) as holder, holder.lease(kind="import"):
        busy = refresh_click(c, 1)
    assert "Not started: a import (pid" in json.dumps(busy["refresh-status"])
    with Store.open(store) as opened:
        opened.set_note("refresh_progress", json.dumps(
            {"state": "running", "reason": "button", "done": 3, "total": 9, "current": "fred DGS10"}))
        with opened.lease(kind="refresh"):
            running = refresh_click(c, 0)
    assert running["refresh-status"]["children"].startswith("Refreshing (button): 3 of 9 requests, now fred DGS10")
    assert running["refresh-poll"]["disabled"] is False


def test_hash_password_prints_a_hash_that_basic_auth_accepts(monkeypatch, capsys):
    import io

    from werkzeug.security import check_password_hash

    import cli

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert cli.main(["hash-password"]) == 0
    hashed = capsys.readouterr().out.strip()
    assert "correct horse" not in hashed and check_password_hash(hashed, "correct horse battery")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["hash-password"]) == 2


def test_static_bundles_are_compressed_once_and_callbacks_every_time(tmp_path):
    """Plotly's bundle is compressed on the first request and served from the cache after;
    callback responses (one URL, many bodies) are compressed afresh each time."""
    import gzip
    import re

    app = create_app(tmp_path / "absent.sqlite")
    web = app.server.test_client()
    index = web.get("/").get_data(as_text=True)
    # Dash's full plotly.js, or the basic bundle when `tsm plotly-bundle` has fetched it.
    bundle = re.search(r'/_dash-component-suites/plotly/[^"]+|/_tsm/plotly-basic[^"]+', index).group(0)
    first = web.get(bundle, headers={"Accept-Encoding": "gzip"})
    second = web.get(bundle, headers={"Accept-Encoding": "gzip"})
    plain = web.get(bundle)
    assert first.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.data) == plain.data and second.data == first.data
    compressor = next(f.__self__ for f in app.server.after_request_funcs[None]
                      if type(getattr(f, "__self__", None)).__name__ == "Compress")
    assert any(key.startswith(f"gzip;static {bundle}") for key in compressor.cache._items)

    bodies = []
    for path in ("/curve", "/funding"):
        resp = web.post("/_dash-update-component", json=callback_body(path),
                        headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
        bodies.append(json.loads(gzip.decompress(resp.data)))
    assert bodies[0] != bodies[1]
    assert not any("never" in key or "update-component" in key for key in compressor.cache._items)


def test_every_script_is_servable_before_the_first_request(tmp_path):
    """Dash's setup (which registers the script paths it serves) is done when the app is
    created: a worker's first requests, twenty scripts at once, never race it into a 404."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    app = create_app(tmp_path / "absent.sqlite")
    assert app.registered_paths["plotly"], "script paths registered before any request"
    index = create_app(tmp_path / "absent.sqlite").server.test_client().get("/").get_data(as_text=True)
    scripts = re.findall(r'src="(/_dash-component-suites/[^"]+)"', index)
    assert len(scripts) > 10
    web = app.server.test_client()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda url: web.get(url).status_code, scripts))
    assert statuses == [200] * len(scripts)
