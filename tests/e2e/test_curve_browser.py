"""The Curve page in headless Chromium: moves table, band re-classification, bad band message."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.e2e.helpers import start_at

pytestmark = pytest.mark.e2e



def regimes(dash_duo) -> list[str]:
    # Read in the page (one script call): the table is re-rendered under the test's feet.
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#curve-moves-table .regime')].map(e => e.innerText)")


def text_of(dash_duo, selector: str) -> str:
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", selector)


def test_band_reclassifies_moves_and_absurd_band_shows_message(dash_duo, tmp_path):
    from app import create_app

    dash_duo.driver.set_window_size(1500, 2300)
    dash_duo.start_server(create_app(tmp_path / "absent.sqlite"))
    dash_duo.wait_for_element("#nav-curve", timeout=20).click()
    dash_duo.wait_for_element("#curve-moves-table", timeout=20)
    dash_duo.wait_for_element("#curve-history .main-svg", timeout=20)
    before = regimes(dash_duo)
    assert len(before) == 15  # 3 windows x 5 spreads
    assert before.count("parallel") < 15

    # A 50 bp band makes every move smaller than 50 bp "parallel".
    box = dash_duo.find_element("#curve-band")
    box.clear()
    box.send_keys("50\n")
    until(lambda: regimes(dash_duo).count("parallel") > before.count("parallel"),
                        timeout=10)
    wide = regimes(dash_duo)

    # An absurd band: a readable message next to the control, the table left as it was.
    box.clear()
    box.send_keys("500\n")
    dash_duo.wait_for_contains_text("#curve-band-error", "between 0 and 50 bp", timeout=10)
    assert regimes(dash_duo) == wide

    # Back to a sensible band: the message goes.
    box.clear()
    box.send_keys("2\n")
    dash_duo.wait_for_text_to_equal("#curve-band-error", "", timeout=10)

    # Another regime in the episodes selector gives another table.
    first_rows = text_of(dash_duo, "#curve-episodes-table")
    dash_duo.find_elements("#curve-episode-regime input")[3].click()  # bull flattener
    until(lambda: text_of(dash_duo, "#curve-episodes-table") not in ("", first_rows),
                        timeout=10)
    trace = dash_duo.driver.execute_script(
        "return document.querySelector('#curve-history .js-plotly-plot').data[0].name")
    assert trace == "2s10s"
    dash_duo.driver.save_screenshot("/tmp/curve.png")
    assert all(e["level"] != "SEVERE" for e in dash_duo.get_logs() or [])


def percentiles(dash_duo) -> list[str]:
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#curve-moves-table tbody tr')]"
        ".map(r => r.children[9].innerText)")


def test_percentile_basis_from_the_link_reranks_and_writes_the_url(dash_duo, demo_app):
    dash_duo.driver.set_window_size(1500, 2300)
    start_at(dash_duo, demo_app, "/curve?as_of=2020-03-18&basis=since-2000")
    dash_duo.wait_for_element("#curve-moves-table", timeout=30)
    dash_duo.wait_for_text_to_equal("#curve-basis-label", "percentile since 2000-01-01", timeout=15)
    checked = dash_duo.driver.execute_script(
        "return document.querySelector('#curve-basis input:checked').value")
    assert checked == "since-2000"
    since_2000 = percentiles(dash_duo)
    assert len(since_2000) == 15

    # Rolling 10 years: another label, other percentiles, and the URL follows.
    dash_duo.find_elements("#curve-basis input")[2].click()
    dash_duo.wait_for_text_to_equal("#curve-basis-label", "percentile over the last 10 years",
                                    timeout=10)
    until(lambda: "basis=rolling-10y" in dash_duo.driver.execute_script(
        "return window.location.search"), timeout=10)
    until(lambda: percentiles(dash_duo) != since_2000, timeout=10)

    # Back to all history: the default leaves the URL.
    dash_duo.find_elements("#curve-basis input")[0].click()
    dash_duo.wait_for_text_to_equal("#curve-basis-label", "percentile over all history", timeout=10)
    until(lambda: "basis=" not in dash_duo.driver.execute_script(
        "return window.location.search"), timeout=10)
    assert "as_of=2020-03-18" in dash_duo.driver.execute_script("return window.location.search")
    assert all(e["level"] != "SEVERE" for e in dash_duo.get_logs() or [])
