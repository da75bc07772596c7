"""The data page and live updates in headless Chromium: series listed, a file imported (and a
bad one refused with nothing stored), and a store revision landing while a page is open."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from dash.testing.wait import until

from data.model import Batch
from data.store import Store
from tests.e2e.helpers import start_at

pytestmark = pytest.mark.e2e


def text_of(dash_duo, selector: str) -> str:
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", selector)


def _upload(dash_duo, *files: Path) -> None:
    box = dash_duo.find_element("#data-upload input[type=file]")
    # chromedriver adds to a multiple input's files: start from none, as a user's pick does.
    dash_duo.driver.execute_script("arguments[0].value = ''", box)
    box.send_keys("\n".join(str(f) for f in files))


def test_data_page_lists_series_and_imports_a_file_all_or_nothing(dash_duo, tmp_path):
    from app import create_app
    from data.market import demo_market_data

    store = tmp_path / "s.sqlite"
    start_at(dash_duo, create_app(store), "/data")
    dash_duo.wait_for_element("#data-status-table tbody tr", timeout=30)
    rows = dash_duo.find_elements("#data-status-table tbody tr")
    assert len(rows) == len(demo_market_data().status_rows)
    assert "DEMO data" in text_of(dash_duo, "#data-store-line")

    good = tmp_path / "DGS10.csv"
    good.write_text("date,value\n2024-06-03,4.41\n2024-06-04,4.33\n")
    bad = tmp_path / "DGS2.csv"
    bad.write_text("date,value\n2024-06-03,4.89\n2024-06-04,n/a?\n")
    _upload(dash_duo, good, bad)
    until(lambda: "import failed" in text_of(dash_duo, "#data-import-result"), timeout=20)
    message = text_of(dash_duo, "#data-import-error")
    assert message.startswith("import failed: DGS2.csv line 3, column value")
    assert message.endswith("nothing was written")
    assert not store.exists() or not Store.open(store).has_observations()

    _upload(dash_duo, good)
    until(lambda: "Imported 1 file(s)" in text_of(dash_duo, "#data-import-result"), timeout=20)
    assert "import failed" not in text_of(dash_duo, "#data-import-result")  # old error cleared
    assert "2 new" in text_of(dash_duo, "#data-import-ok")
    with Store.open(store) as opened:
        assert float(opened.read_series(["DGS10"]).loc["2024-06-04", "DGS10"]) == 4.33
    # The status now lists what the store holds: DGS10 only, imported.
    until(lambda: "imported data" in text_of(dash_duo, "#data-store-line"), timeout=20)
    assert text_of(dash_duo, "#data-status-table tbody tr td") == "DGS10"


def test_new_revision_is_announced_and_drawn_without_a_reload(dash_duo, tmp_path, monkeypatch):
    from app import create_app
    from market_state import ensure_persisted

    monkeypatch.setenv("TSM_LIVE_POLL_SECONDS", "1")
    store = tmp_path / "s.sqlite"
    days = pd.bdate_range("2024-01-02", periods=30)
    frame = pd.DataFrame({"series_id": ["DGS10"] * 30, "date": days, "value": 4.0})
    with Store.open(store) as opened:
        opened.write([Batch("fred", "imported", frame)])
    ensure_persisted(store)
    dash_duo.start_server(create_app(store))
    dash_duo.wait_for_contains_text("#data-banner", "IMPORTED DATA", timeout=30)
    banner_before = text_of(dash_duo, "#data-banner")
    assert "2024-02-12" in banner_before
    history = dash_duo.driver.execute_script("return window.history.length")

    # A refresh lands a new day (what `tsm refresh` does: write, then build the state).
    new = pd.DataFrame({"series_id": ["DGS10"], "date": [pd.Timestamp("2024-02-13")], "value": [4.1]})
    with Store.open(store) as opened:
        opened.write([Batch("fred", "live", new)])
        revision = opened.revision()
    ensure_persisted(store)

    dash_duo.wait_for_contains_text("#live-notice", f"New data (revision {revision}) loaded at",
                                    timeout=30)
    until(lambda: "2024-02-13" in text_of(dash_duo, "#data-banner"), timeout=15)
    assert dash_duo.driver.current_url.rstrip("/") == dash_duo.server_url.rstrip("/")
    # Drawn again in place: no new entry for the back button.
    assert dash_duo.driver.execute_script("return window.history.length") == history


def test_offline_refresh_shows_progress_then_each_failing_source(dash_duo, tmp_path, monkeypatch):
    import socket

    from app import create_app

    with socket.socket() as sock:  # a port nobody listens on: every source is unreachable
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    for name in ("FRED", "FREDAPI", "NYFED", "TREASURY", "CFTC", "CFTC_FILES", "GSW", "OFR", "ACM",
                 "AUCTIONS", "ERIS"):
        monkeypatch.setenv(f"TSM_{name}_URL", closed)
    monkeypatch.delenv("FRED_API_KEY", raising=False)
    monkeypatch.setenv("TSM_HTTP_RETRIES", "1")
    monkeypatch.setenv("TSM_HTTP_BACKOFF", "0.01")
    store = tmp_path / "s.sqlite"
    start_at(dash_duo, create_app(store), "/data")
    dash_duo.wait_for_element("#data-refresh", timeout=30).click()
    until(lambda: "Refresh finished with failures" in text_of(dash_duo, "#data-refresh-text"),
          timeout=60)
    assert "0 series ok" in text_of(dash_duo, "#data-refresh-text")
    failures = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#data-refresh-failures tbody tr')]"
        ".map(r => [...r.cells].map(c => c.innerText))")
    assert {row[0] for row in failures if row[0]} >= {"fred", "nyfed", "cftc", "gsw"}
    assert all("127.0.0.1" in row[2] for row in failures if row[0])
    assert dash_duo.find_element("#data-refresh-bar").get_attribute("aria-valuenow") == "100"  # every request made
