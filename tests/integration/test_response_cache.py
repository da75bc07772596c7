"""Callback answers kept per data revision: repeats are hits, new data or acting inputs are not."""

from __future__ import annotations

import json

import pandas as pd

from app import create_app
from components.response_cache import HIT_HEADER, ResponseCache
from data.model import Batch
from data.store import Store
from tests.conftest import route_request

URL = "/_dash-update-component"


def _write(path, value: float, day: str = "2024-01-02") -> None:
    frame = pd.DataFrame({"series_id": ["DGS2", "DGS10"], "date": pd.to_datetime([day] * 2),
                          "value": [4.3, value]})
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", frame)])


def _post(web, body):
    resp = web.post(URL, json=body)
    assert resp.status_code == 200, resp.data[:200]
    return resp.headers.get(HIT_HEADER), resp.get_data()


def test_a_repeated_page_view_is_answered_from_the_cache_with_the_same_body(tmp_path):
    path = tmp_path / "s.sqlite"
    _write(path, 3.9)
    web = create_app(path).server.test_client()
    first = _post(web, route_request("/curve"))
    again = _post(web, route_request("/curve"))
    other = _post(web, route_request("/funding"))
    assert (first[0], again[0], other[0]) == ("miss", "hit", "miss")
    assert again[1] == first[1] and other[1] != first[1]


def test_new_data_is_computed_afresh_not_served_from_the_cache(tmp_path):
    path = tmp_path / "s.sqlite"
    _write(path, 3.9)
    app = create_app(path)
    web = app.server.test_client()
    assert _post(web, route_request("/"))[0] == "miss"
    _write(path, 3.5, day="2024-01-03")  # a new revision: the 10y on a new day
    app.context.view()  # the new revision's state (built here: nothing older was shown)
    status, body = _post(web, route_request("/"))
    assert status == "miss"
    assert "2024-01-03" in body.decode()


def test_clicks_timers_and_uploads_are_never_answered_from_the_cache(tmp_path):
    web = create_app(tmp_path / "absent.sqlite").server.test_client()
    body = {"output": "copy-summary.content", "outputs": {"id": "copy-summary", "property": "content"},
            "inputs": [{"id": "copy-summary", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["copy-summary.n_clicks"],
            "state": [{"id": "url", "property": "pathname", "value": "/"},
                      {"id": "url", "property": "search", "value": ""}]}
    for _ in range(2):
        resp = web.post(URL, json=body)
        assert resp.status_code == 200
        assert HIT_HEADER not in resp.headers
        assert json.loads(resp.data)["response"]["copy-summary"]["content"]


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("TSM_RESPONSE_CACHE_MB", "0")
    web = create_app(tmp_path / "absent.sqlite").server.test_client()
    for _ in range(2):
        assert web.post(URL, json=route_request("/stress")).headers.get(HIT_HEADER) is None


def test_the_cache_keeps_the_most_recent_answers_within_its_bytes():
    cache = ResponseCache(max_bytes=800)
    for i in range(10):
        cache.put(f"k{i}", bytes(90), "application/json")
    assert len(cache) == 8 and cache.get("k0") is None and cache.get("k9") is not None
    cache.get("k2")  # used: kept over older ones
    cache.put("k10", bytes(90), "application/json")
    assert cache.get("k2") is not None and cache.get("k3") is None
    cache.put("huge", bytes(500), "application/json")  # more than an eighth: not kept
    assert cache.get("huge") is None
