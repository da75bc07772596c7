"""The Dash app through Flask's test client: pages render, the banner tells the data mode."""

from __future__ import annotations

import gzip
import json

import pandas as pd

from app import create_app
from data.model import Batch
from data.store import Store
from tests.conftest import route_request


def route(client, path: str) -> dict:
    body = route_request(path)
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
    body = route_request("/")
    resp = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers.get("Content-Encoding") == "gzip"
    plain = gzip.decompress(resp.data)
    assert len(resp.data) * 3 < len(plain)


def _route_search(client, path: str, search: str) -> dict:
    resp = client.post("/_dash-update-component", json=route_request(path, search))
    assert resp.status_code == 200, resp.data[:500]
    return json.loads(resp.data)["response"]


def test_the_url_as_of_and_controls_render_the_view(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    out = _route_search(client, "/curve", "?as_of=2020-03-18&spread=5s30s&window=1m")
    assert out["app-asof"]["date"] == "2020-03-18"
    page = json.dumps(out["page"])
    assert '"value": "5s30s"' in page and '"value": "1m"' in page
    assert "2020-03-18" in page  # the moves end on the as-of date
    # the nav keeps the as-of date, not the page's own controls
    assert out["nav-funding"]["href"] == "/funding?as_of=2020-03-18"
    assert out["asof-message"]["children"] is None


def test_a_bad_as_of_or_control_value_gets_a_message_not_a_500(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    out = _route_search(client, "/curve", "?as_of=2020-13-45&band=wide")
    message = json.dumps(out["asof-message"])
    assert "is not a date" in message and "band='wide' ignored" in message
    assert "curve-moves-table" in json.dumps(out["page"])  # the page still renders, on defaults
    for search in ("?as_of=9999-12-31", "?as_of=1066-10-14", "?as_of=%00"):
        out = _route_search(client, "/stress", search)
        assert "stress-history" in json.dumps(out["page"])


def test_an_as_of_after_the_data_is_moved_to_the_last_date_and_said(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    out = _route_search(client, "/", "?as_of=2099-01-01")
    assert "No data after" in json.dumps(out["asof-message"])
    assert out["app-asof"]["date"] == out["app-asof"]["max_date_allowed"]


def test_the_banner_counts_stale_series_and_names_the_oldest_core_one(tmp_path):
    path = tmp_path / "s.sqlite"
    frame = pd.DataFrame({"series_id": ["DGS2", "DGS10", "SOFR"],
                          "date": pd.to_datetime(["2024-01-02", "2024-01-02", "2023-06-01"]),
                          "value": [4.3, 3.9, 5.1]})
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", frame)])
    banner = json.dumps(route(create_app(path).server.test_client(), "/")["banner-slot"])
    assert "3 of 3 series stale" in banner
    assert "oldest core series SOFR, last 2023-06-01" in banner
    assert "banner-stale" in banner and "banner-real" not in banner


def test_stress_weights_window_and_cap_come_from_the_url(tmp_path):
    from components.pages.stress import CATEGORIES

    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    weights = ["0"] + ["2"] * (len(CATEGORIES) - 1)
    out = _route_search(client, "/stress", f"?weights={','.join(weights)}&window=5&cap=3")
    page = out["page"]
    text = json.dumps(page)
    assert '"id": "stress-window"' in text and '"value": 5.0' in text
    sliders = [c for c in _walk(page) if isinstance(c.get("props", {}).get("id"), dict)
               and c["props"]["id"].get("type") == "stress-weight"]
    assert [s["props"]["value"] for s in sliders] == [0.0] + [2.0] * (len(CATEGORIES) - 1)
    bad = _route_search(client, "/stress", "?weights=1,2")
    assert "weights='1,2' ignored" in json.dumps(bad["asof-message"])


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_scenario_inputs_come_from_the_url_and_run_the_models(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    plain = json.dumps(_route_search(client, "/scenarios", "")["page"])
    out = _route_search(client, "/scenarios", "?swap.leverage=30&mtg.shock_bp=150")
    page = json.dumps(out["page"])
    sliders = {c["props"]["id"]: c["props"]["value"] for c in _walk(out["page"])
               if isinstance(c.get("props", {}).get("id"), str)
               and c["props"]["id"] in ("scen-swap-leverage", "scen-mtg-shock-bp")}
    assert sliders == {"scen-swap-leverage": 30.0, "scen-mtg-shock-bp": 150.0}
    assert page != plain  # the panels ran with those inputs, not the defaults
    bad = _route_search(client, "/scenarios", "?basis.leverage=1000")
    assert "basis.leverage='1000' ignored" in json.dumps(bad["asof-message"])


def test_funding_thresholds_come_from_the_url_and_move_the_lights(tmp_path):
    from analytics.funding import LiquidityThresholds
    from components.pages.funding import THRESHOLD_FIELDS

    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    defaults = [getattr(LiquidityThresholds(), f.name) for f in THRESHOLD_FIELDS]
    low = [0.0 if isinstance(v, float) else v for v in defaults]  # every level threshold at 0
    search = "?as_of=2019-09-17&thresholds=" + ",".join(f"{v:g}" for v in low)
    page = _route_search(client, "/funding", search)["page"]
    boxes = [c["props"]["value"] for c in _walk(page)
             if isinstance(c.get("props", {}).get("id"), dict)
             and c["props"]["id"].get("type") == "funding-threshold"]
    assert boxes == low
    bad = _route_search(client, "/funding", "?thresholds=1,2")
    assert "thresholds='1,2' ignored" in json.dumps(bad["asof-message"])


def test_the_risk_bond_comes_from_the_url(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    out = _route_search(client, "/risk", "?bond.coupon=5&bond.maturity=20&bond.callable=1"
                                         "&bond.quote_kind=yield&bond.quote=5.2")
    ids = {c["props"]["id"]: c["props"] for c in _walk(out["page"])
           if isinstance(c.get("props", {}).get("id"), str)}
    assert ids["risk-coupon"]["value"] == 5.0 and ids["risk-maturity"]["value"] == 20.0
    assert ids["risk-callable"]["value"] == ["yes"] and ids["risk-call-after"]["disabled"] is False
    assert ids["risk-quote-kind"]["value"] == "yield"
    # the bond priced on the page is that one: a callable, so its yield to worst is shown
    assert "yield to worst" in json.dumps(out["page"])


def _find(node, id_):
    """The component of id ``id_`` in a layout's JSON."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == id_:
            return node
        for value in props.values():
            found = _find(value, id_)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find(item, id_)
            if found is not None:
                return found
    return None


def test_opening_a_page_sets_no_date_so_its_date_callbacks_do_not_run_again(tmp_path):
    """The layout's date picker starts on the default as-of date, so the router of a URL
    without as_of changes no date: the page's date callbacks do not all run again right after
    its layout drew the same figures. A URL with another as_of still sets it."""
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    layout = json.loads(client.get("/_dash-layout").data)
    picker = _find(layout, "app-asof")["props"]
    default = _route_search(client, "/", "?as_of=2099-01-01")["app-asof"]
    assert picker["date"] == default["date"] == default["max_date_allowed"]
    assert picker["min_date_allowed"] == default["min_date_allowed"]
    for path in ("/", "/curve", "/funding"):
        resp = client.post("/_dash-update-component", json=route_request(path, current_as_of=picker["date"]))
        out = json.loads(resp.data)["response"]
        assert "date" not in out.get("app-asof", {}), path
        assert path == "/" or f'"{path[1:]}' in json.dumps(out["page"])
    resp = client.post("/_dash-update-component",
                       json=route_request("/curve", "?as_of=2020-03-18", current_as_of=picker["date"]))
    assert json.loads(resp.data)["response"]["app-asof"]["date"] == "2020-03-18"
