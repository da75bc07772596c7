"""The Funding page in a real headless Chromium: lights, editable thresholds, charts."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.keys import Keys

from tests.e2e.helpers import retype, start_at

pytestmark = pytest.mark.e2e



def _start(dash_duo, tmp_path):
    from app import create_app

    dash_duo.driver.set_window_size(1400, 2200)
    start_at(dash_duo, create_app(tmp_path / "absent.sqlite"), "/funding")
    dash_duo.wait_for_element("#funding-warning", timeout=40)  # cold measures on a busy box


def _type(dash_duo, name: str, text: str) -> None:
    retype(dash_duo.find_element(f'input[name="{name}"]'), text, then=Keys.ENTER)


def _spread_threshold_labels(dash_duo) -> list[str]:
    dash_duo.wait_for_element("#funding-spreads .main-svg", timeout=20)
    return dash_duo.driver.execute_script(
        "const p = document.querySelector('#funding-spreads .js-plotly-plot');"
        "return (p.layout.shapes || []).filter(s => s.label && s.label.text)"
        ".map(s => s.label.text);"
    )


def test_funding_page_draws_three_lights_and_the_charts(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    lights = dash_duo.find_elements(".funding-light")
    assert len(lights) == 3
    for chart in ("funding-spreads", "funding-dispersion", "funding-stress-facilities",
                  "funding-balance", "funding-lights-history"):
        dash_duo.wait_for_element(f"#{chart} .main-svg", timeout=20)
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#funding-spreads .js-plotly-plot').data.map(t => t.name)")
    # SOFR - EFFR and SOFR - IORB, then the calendar marks.
    assert names == ["SOFR - EFFR", "SOFR - IORB/IOER", "quarter-ends", "month-ends"]
    dash_duo.driver.save_screenshot("/tmp/funding.png")
    assert all(e["level"] != "SEVERE" for e in dash_duo.get_logs() or [])


def test_editing_a_threshold_moves_the_light_and_the_chart_line(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    assert "light 2: 10 bp" in _spread_threshold_labels(dash_duo)
    _type(dash_duo, "sofr_effr_bp", "35")
    dash_duo.wait_for_contains_text("#funding-light-sofr_effr_widening", "threshold 35 bp",
                                    timeout=10)
    assert "light 2: 35 bp" in _spread_threshold_labels(dash_duo)


def test_a_negative_threshold_shows_the_message_and_keeps_the_lights(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    before = dash_duo.find_element("#funding-lights").text
    _type(dash_duo, "facility_take_up_bn", "-5")
    dash_duo.wait_for_contains_text("#funding-input-error", "must be a finite number >= 0",
                                    timeout=10)
    assert "facility_take_up_bn" in dash_duo.find_element("#funding-input-error").text
    assert dash_duo.find_element("#funding-lights").text == before
    dash_duo.driver.save_screenshot("/tmp/funding_error.png")


def test_picking_the_repo_spike_date_turns_the_warning_on(dash_duo, tmp_path):
    _start(dash_duo, tmp_path)
    assert "LIQUIDITY WARNING ON" not in dash_duo.find_element("#funding-warning").text
    picker = dash_duo.find_element("input#app-asof")
    picker.send_keys(Keys.CONTROL, "a")
    picker.send_keys(Keys.BACKSPACE)
    picker.send_keys("2019-09-17", Keys.ENTER)
    # The DEMO set injects the September 2019 repo spike: all three lights light up.
    dash_duo.wait_for_contains_text("#funding-warning", "LIQUIDITY WARNING ON", timeout=30)
    assert "as of 2019-09-17" in dash_duo.find_element("#funding-warning").text
    picker.send_keys(Keys.ESCAPE)  # close the calendar before the screenshot
    dash_duo.driver.save_screenshot("/tmp/funding_spike.png")


def test_calendar_toggle_adjusts_the_thresholds_and_writes_the_url(dash_duo, tmp_path):
    from dash.testing.wait import until

    _start(dash_duo, tmp_path)
    dash_duo.wait_for_contains_text("#funding-calendar-line", "Plain thresholds", timeout=10)
    dash_duo.find_element("#funding-calendar input").click()
    dash_duo.wait_for_contains_text("#funding-calendar-line", "Calendar-adjusted thresholds",
                                    timeout=15)
    until(lambda: "calendar=1" in dash_duo.driver.execute_script("return window.location.search"),
          timeout=10)
    assert all(e["level"] != "SEVERE" for e in dash_duo.get_logs() or [])
