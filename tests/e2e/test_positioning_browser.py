"""The Positioning page in a real headless Chromium: key numbers, charts, editable DV01s."""

from __future__ import annotations

import time

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from tests.e2e.helpers import start_at

pytestmark = pytest.mark.e2e

DV01_CELL = '#positioning-dv01-table td[data-dash-column="dv01_usd"]'


def _start(dash_duo, tmp_path):
    from app import create_app

    dash_duo.driver.set_window_size(1400, 2000)
    start_at(dash_duo, create_app(tmp_path / "absent.sqlite"), "/positioning")
    dash_duo.wait_for_element("#positioning-lev-net", timeout=40)  # cold measures on a busy box
    dash_duo.wait_for_element("#positioning-contracts .main-svg", timeout=20)


def _edit_dv01(dash_duo, row: int, text: str) -> None:
    cell = dash_duo.find_elements(DV01_CELL)[row]
    cell.click()
    ActionChains(dash_duo.driver).send_keys(text).send_keys(Keys.ENTER).perform()


def _bar_values(dash_duo) -> list[float]:
    return dash_duo.driver.execute_script(
        "return document.querySelector('#positioning-contracts .js-plotly-plot').data[0].y")


def test_positioning_page_shows_report_numbers_charts_and_dv01_table(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    assert dash_duo.find_element("#positioning-latest").text.startswith("Latest CFTC report: ")
    assert len(_bar_values(dash_duo)) == 6  # the six Treasury contracts
    for chart in ("positioning-aggregate", "positioning-zscores"):
        dash_duo.wait_for_element(f"#{chart} .main-svg", timeout=20)
    assert len(dash_duo.find_elements(DV01_CELL)) == 6
    assert "CTD DV01 / conversion factor" in dash_duo.find_element("#positioning-dv01-note").text
    time.sleep(1)  # let the grid settle after the charts' first draw
    dash_duo.driver.save_screenshot("/tmp/positioning.png")
    assert all(e["level"] != "SEVERE" for e in dash_duo.get_logs() or [])


def test_editing_a_dv01_recomputes_the_10y_equivalents(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    before_bars = _bar_values(dash_duo)
    before = dash_duo.find_element("#positioning-lev-net").text
    _edit_dv01(dash_duo, 0, "76")  # 2y: 38 -> 76 USD/bp doubles its 10y-equivalents
    until(lambda: _bar_values(dash_duo)[0] != before_bars[0], timeout=10)
    after_bars = _bar_values(dash_duo)
    assert after_bars[0] == pytest.approx(2 * before_bars[0], rel=1e-3)
    assert after_bars[1:] == before_bars[1:]
    assert dash_duo.find_element("#positioning-lev-net").text != before


def test_negative_and_non_numeric_dv01_show_a_message_not_a_crash(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    before = _bar_values(dash_duo)
    _edit_dv01(dash_duo, 2, "-5")
    dash_duo.wait_for_contains_text("#positioning-input-error", "must be a finite number > 0",
                                    timeout=10)
    assert _bar_values(dash_duo) == before  # the charts keep the last valid DV01s
    dash_duo.driver.save_screenshot("/tmp/positioning_error.png")
    _edit_dv01(dash_duo, 2, "abc")
    dash_duo.wait_for_contains_text("#positioning-input-error", "must be a number", timeout=10)
