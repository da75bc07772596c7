"""The Dash app through Flask's test client: pages render, the banner tells the data mode."""

from __future__ import annotations

import gzip
import json

import pandas as pd

from app import create_app
from data.model import Batch
from data.store import Store


def route(client, path: str) -> dict:
    body = {
        "output": "..page.children...banner-slot.children..",
        "outputs": [{"id": "page", "property": "children"},
                    {"id": "banner-slot", "property": "children"}],
        "inputs": [{"id": "url", "property": "pathname", "value": path},
                   {"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["url.pathname"],
    }
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:500]
    return json.loads(resp.data)["response"]


def test_index_serves_the_shell(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    resp = client.get("/")
    assert resp.status_code == 200
    assert b"Treasury Stress Monitor" in resp.data


def test_overview_on_empty_store_is_labelled_demo(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    out = route(client, "/")
    assert "DEMO DATA" in json.dumps(out["banner-slot"])
    assert "overview-curve" in json.dumps(out["page"])


def test_overview_on_imported_store_is_labelled_imported(tmp_path):
    path = tmp_path / "s.sqlite"
    frame = pd.DataFrame({"series_id": ["DGS2", "DGS10"], "date": pd.to_datetime(["2024-01-02"] * 2),
                          "value": [4.3, 3.9]})
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", frame)])
    out = route(create_app(path).server.test_client(), "/")
    banner = json.dumps(out["banner-slot"])
    assert "IMPORTED DATA" in banner and "DEMO" not in banner


def test_unreadable_store_shows_an_error_not_a_crash(tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_text("not a database\n" * 50)
    out = route(create_app(path).server.test_client(), "/")
    assert "cannot be read" in json.dumps(out["page"])


def test_unknown_path_says_page_not_found(tmp_path):
    out = route(create_app(tmp_path / "absent.sqlite").server.test_client(), "/nope")
    assert "Page not found" in json.dumps(out["page"])


def test_callback_responses_are_compressed_for_browsers_that_accept_gzip(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    body = {
        "output": "..page.children...banner-slot.children..",
        "outputs": [{"id": "page", "property": "children"},
                    {"id": "banner-slot", "property": "children"}],
        "inputs": [{"id": "url", "property": "pathname", "value": "/"},
                   {"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["url.pathname"],
    }
    resp = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") == "gzip"
    plain = gzip.decompress(resp.data)
    assert len(resp.data) * 3 < len(plain)
