"""The data page and "Copy summary" through Flask's test client."""

from __future__ import annotations

import json

from app import create_app
from data.market import demo_market_data
from tests.conftest import route_request


def copy_summary(client, pathname: str, search: str) -> str:
    body = {
        "output": "copy-summary.content",
        "outputs": {"id": "copy-summary", "property": "content"},
        "inputs": [{"id": "copy-summary", "property": "n_clicks", "value": 1}],
        "state": [{"id": "url", "property": "pathname", "value": pathname},
                  {"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["copy-summary.n_clicks"],
    }
    resp = client.post("/_dash-update-component", json=body)
    assert resp.status_code == 200, resp.data[:500]
    return json.loads(resp.data)["response"]["copy-summary"]["content"]


def test_data_page_renders_the_status_of_every_series(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    resp = client.post("/_dash-update-component", json=route_request("/data"))
    assert resp.status_code == 200
    page = json.dumps(json.loads(resp.data)["response"]["page"])
    assert "data-status-table" in page and "data-upload" in page and "data-refresh" in page
    for row in demo_market_data().status_rows:
        assert f'"{row.series_id}"' in page


def test_copy_summary_is_the_pages_readings_at_the_urls_date(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    data = demo_market_data()
    text = copy_summary(client, "/funding", "?as_of=2024-06-04")
    assert text.splitlines()[0] == ("Treasury Stress Monitor - Funding, as of 2024-06-04 "
                                    "(demo data, revision -1)")
    sofr = data.column("SOFR")[:"2024-06-04"].iloc[-1]
    assert f"SOFR {sofr:.2f}%" in text


def test_copy_summary_of_a_bad_date_is_the_latest_as_the_page_shows(tmp_path):
    client = create_app(tmp_path / "absent.sqlite").server.test_client()
    latest = demo_market_data().yields.index[-1]
    text = copy_summary(client, "/curve", "?as_of=yesterday-ish")
    assert text.startswith(f"Treasury Stress Monitor - Curve, as of {latest:%Y-%m-%d}")
