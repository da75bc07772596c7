"""What the app reads: DEMO for an empty store, only stored data otherwise, cached by revision."""

from __future__ import annotations

import pandas as pd

from data.market import load_market_data
from data.model import Batch
from data.store import Store


def _obs(series_id, dates, values):
    return pd.DataFrame({"series_id": series_id, "date": pd.to_datetime(dates), "value": values})


def test_absent_store_gives_demo_and_creates_no_file(tmp_path):
    path = tmp_path / "absent.sqlite"
    data = load_market_data(path)
    assert data.mode == "demo"
    assert not path.exists()
    assert all(r.source == "DEMO" for r in data.status_rows)


def test_empty_store_gives_demo(tmp_path):
    Store.open(tmp_path / "empty.sqlite").close()
    assert load_market_data(tmp_path / "empty.sqlite").mode == "demo"


def test_imported_data_replaces_demo_entirely(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", _obs("DGS10", ["2024-01-02"], [4.0]))])
    data = load_market_data(path)
    assert data.mode == "imported"
    assert list(data.yields.index) == [pd.Timestamp("2024-01-02")]
    assert data.yields.loc["2024-01-02", "10y"] == 4.0
    assert data.yields["2y"].isna().all()  # absent, not filled from the demo set
    assert data.cftc.empty


def test_new_write_is_seen_on_next_load_and_refresh_makes_it_live(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", _obs("DGS10", ["2024-01-02"], [4.0]))])
    first = load_market_data(path)
    assert load_market_data(path) is first  # same revision: cached
    with Store.open(path) as store:
        store.write([Batch("fred", "live", _obs("DGS10", ["2024-01-03"], [4.1]))])
        store.record_refresh("DGS10", source="fred", ok=True)
    second = load_market_data(path)
    assert second.mode == "live"
    assert second.yields.loc["2024-01-03", "10y"] == 4.1
