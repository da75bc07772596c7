"""The Functioning page in headless Chromium: tenor picker, as-of date, message for a date
before the history."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.e2e



def text_of(dash_duo, selector: str) -> str:
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", selector)


def chart(dash_duo, graph_id: str, expr: str):
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot'); return g ? {expr} : null")


def type_date(dash_duo, text: str) -> None:
    box = dash_duo.find_element("input#app-asof")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text, Keys.ENTER)


def test_tenor_and_date_update_charts_and_early_date_shows_message(dash_duo, tmp_path):
    from app import create_app

    dash_duo.driver.set_window_size(1500, 2300)
    dash_duo.start_server(create_app(tmp_path / "absent.sqlite"))
    dash_duo.wait_for_element("#nav-functioning", timeout=20).click()
    dash_duo.wait_for_element("#func-otr .main-svg", timeout=30)
    dash_duo.wait_for_element("#func-swaps .main-svg", timeout=20)
    assert chart(dash_duo, "func-otr", "g.data[0].name") == "10y"
    assert chart(dash_duo, "func-swaps", "g.data.length") == 3  # 2y, 10y, 30y
    assert "none stored (import SOFR swap rates)" in text_of(dash_duo, "#func-missing")

    # Another on-the-run tenor redraws the premium chart.
    dash_duo.find_elements("#func-otr-tenor input")[1].click()  # 5y
    until(lambda: chart(dash_duo, "func-otr", "g.data[0].name") == "5y", timeout=10)

    # A date in the dash for cash: the fitted curve and the as-of line follow.
    type_date(dash_duo, "2020-03-18")
    until(lambda: "2020-03-18" in (chart(dash_duo, "func-curve", "g.layout.title.text") or ""),
          timeout=15)
    until(lambda: chart(dash_duo, "func-otr", "g.layout.shapes[0].x0") == "2020-03-18",
          timeout=10)
    dash_duo.driver.save_screenshot("/tmp/functioning.png")

    # A date before the history, from a pasted link: a readable message, the first date shown.
    dash_duo.driver.get(dash_duo.server_url + "/functioning?as_of=1950-01-02")
    dash_duo.wait_for_contains_text("#asof-error", "The stored yields start", timeout=15)
    dash_duo.wait_for_element("#func-curve .main-svg", timeout=20)
    assert all(e["level"] != "SEVERE" for e in dash_duo.get_logs() or [])
