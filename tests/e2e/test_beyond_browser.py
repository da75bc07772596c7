"""The issue-11 pages in headless Chromium on real history: Auctions, Flows & liquidity, Rates
drivers render their numbers, and the auction table follows the tenor picker."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

FILES = ["fred/DGS2.csv", "fred/DGS3.csv", "fred/DGS10.csv", "fred/DGS30.csv", "fred/WMTSECL1.csv",
         "fred/THREEFYTP10.csv", "nyfed/ACMTP10.csv", "ofr/OFR_FSI.csv", "treasury/auctions_2008_2026.csv"]


def test_beyond_pages_show_real_numbers(dash_duo, tmp_path, shared_data):
    from app import create_app
    from data.importer import import_paths
    from data.store import Store

    store = tmp_path / "store.sqlite"
    with Store.open(store) as opened:
        import_paths(opened, [shared_data / f for f in FILES])
    dash_duo.start_server(create_app(store))

    dash_duo.find_element("#nav-auctions").click()
    dash_duo.wait_for_contains_text("#auct-headline", "coupon auction(s) in the 10 business days", timeout=30)
    dash_duo.select_dcc_dropdown("#auct-tenor", value="10Y")
    dash_duo.wait_for_contains_text("#auct-table tbody tr:first-child td:nth-child(2)", "10Y", timeout=15)
    rows = dash_duo.find_elements("#auct-table tbody tr")
    assert rows and all(r.find_elements("css selector", "td")[1].text.startswith("10Y") for r in rows)

    dash_duo.find_element("#nav-flows").click()
    dash_duo.wait_for_contains_text("#glance-custody", "bn / 4w", timeout=30)
    dash_duo.find_element("#nav-drivers").click()
    dash_duo.wait_for_contains_text("#glance-term-premium", "ACM", timeout=30)
    assert dash_duo.get_logs() == []


_AS_OF_LINES = """
const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');
if (!gd || !gd.layout || !gd.data) return null;
return [(gd.layout.shapes || []).filter(s => s.line && s.line.dash === 'dot').map(s => String(s.x0).slice(0, 10)),
        gd.data.length, gd.data.reduce((n, t) => n + (t.x ? t.x.length : 0), 0)];
"""


def test_a_date_change_moves_the_as_of_lines_and_keeps_the_traces(dash_duo, tmp_path):
    """The Flows figures come with the page; the Latest button's date change patches their
    as-of lines in the browser (the traces are not sent again, and stay drawn)."""
    from dash.testing.wait import until

    from app import create_app

    from .helpers import start_at

    start_at(dash_duo, create_app(tmp_path / "absent.sqlite"), "/flows?as_of=2020-03-20")
    dash_duo.wait_for_element("#glance-custody", timeout=30)
    read = lambda: dash_duo.driver.execute_script(_AS_OF_LINES, "#flows-custody")  # noqa: E731
    until(lambda: (read() or [None])[0] == ["2020-03-20"], timeout=30)
    _, traces, points = read()
    assert traces >= 1 and points > 100
    dash_duo.find_element("#app-asof-latest").click()
    until(lambda: dash_duo.driver.execute_script(
        "return document.querySelector('#app-asof').value") != "2020-03-20", timeout=30)
    latest = dash_duo.driver.execute_script("return document.querySelector('#app-asof').value")
    until(lambda: read()[0] == [latest], timeout=30)
    assert read()[1:] == [traces, points]
    assert dash_duo.get_logs() == []
