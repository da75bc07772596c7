"""The Scenarios page in a real headless Chromium: it opens from the nav bar on DEMO data,
moving a slider or typing a value changes the numbers and the charts, and an absurd value
shows a readable message without touching the charts."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.helpers import retype, start_at, text_now

pytestmark = pytest.mark.e2e



def _type(dash_duo, selector: str, text: str) -> None:
    retype(dash_duo.find_element(selector), text)


def _usd_bn(text: str) -> float:
    """The number in "USD 1,234.5bn" (NaN while the result is withdrawn or re-rendering)."""
    try:
        return float(text.split()[1].rstrip("bn").replace(",", ""))
    except (IndexError, ValueError):
        return float("nan")


def _wait_changed(dash_duo, selector: str, before: str, timeout: float = 10) -> str:
    dash_duo.wait_for_element(selector)
    until(lambda: text_now(dash_duo, selector) != before, timeout)
    return dash_duo.find_element(selector).text


def _trace_x(dash_duo, graph_id: str, trace: int) -> list[float]:
    return dash_duo.driver.execute_script(
        f"return document.querySelector('#{graph_id} .js-plotly-plot').data[{trace}].x"
    )


def _trace_y(dash_duo, graph_id: str, trace: int) -> list[float]:
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot'); "
        f"return g && g.data[{trace}] ? g.data[{trace}].y : null"
    )


def test_basis_leverage_changes_the_sale_and_an_absurd_leverage_shows_the_message(
    dash_duo, demo_app
):
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(1400, 1000)
    dash_duo.wait_for_element("#nav-scenarios", timeout=20).click()
    dash_duo.wait_for_element("#scen-basis-chart .main-svg", timeout=20)
    dash_duo.wait_for_text_to_equal("#data-banner strong", "DEMO DATA")
    source = dash_duo.find_element("#scen-basis-source").text
    assert "DEMO" in source and "leveraged-fund net short" in source

    sold_50x = dash_duo.find_element("#scen-basis-sold").text
    bars_50x = _trace_y(dash_duo, "scen-basis-chart", 0)
    # The slider's own number box: 50x -> 60x sells more of the same position. (The box may
    # send the "6" it sees on the way, 6x sells nothing: wait for the final, larger sale.)
    _type(dash_duo, "#scen-basis-leverage input", "60")
    until(lambda: _usd_bn(text_now(dash_duo, "#scen-basis-sold")) > _usd_bn(sold_50x),
          10)
    until(lambda: _trace_y(dash_duo, "scen-basis-chart", 0) != bars_50x, 10)
    sold_60x = dash_duo.find_element("#scen-basis-sold").text
    bars_60x = _trace_y(dash_duo, "scen-basis-chart", 0)

    assert sold_60x and bars_60x
    # The slider's range is the valid range: with 0.5% haircut + 1% margin the model accepts
    # at most 100 / 1.5 = 66.7x, and the End key stops there (marked "67x max"), no error.
    dash_duo.wait_for_contains_text("#scen-basis-leverage", "67x max", timeout=10)
    thumb = dash_duo.find_element("#scen-basis-leverage").find_element(By.CSS_SELECTOR,
                                                                         "[role=slider]")
    thumb.send_keys(Keys.END)
    until(lambda: float(thumb.get_attribute("aria-valuenow") or 0) > 66.0, 10)
    assert float(thumb.get_attribute("aria-valuenow")) <= 66.67
    until(lambda: _usd_bn(text_now(dash_duo, "#scen-basis-sold")) > _usd_bn(sold_60x), 10)
    assert "leverage must be" not in dash_duo.find_element("#scen-basis-error").text
    # A higher haircut lowers the limit (2% + 1% -> 33x): the mark follows, and the leverage
    # already chosen (66.7x) is refused with a message, its results withdrawn.
    _type(dash_duo, "#scen-basis-haircut-pct input", "2")
    dash_duo.wait_for_contains_text("#scen-basis-leverage", "33x max", timeout=10)
    dash_duo.wait_for_contains_text("#scen-basis-headline", "No result for these inputs",
                                    timeout=10)
    assert "at most 100%" in dash_duo.find_element("#scen-basis-error").text
    until(lambda: _trace_y(dash_duo, "scen-basis-chart", 0) in (None, []), 10)
    assert dash_duo.get_logs() == [] or all(e["level"] != "SEVERE" for e in dash_duo.get_logs())


def test_mortgage_shock_slider_moves_the_marked_point_and_a_bad_rate_is_refused(
    dash_duo, demo_app
):
    dash_duo.driver.set_window_size(1400, 2900)
    start_at(dash_duo, demo_app, "/scenarios")
    dash_duo.wait_for_element("#scen-mtg-chart .main-svg", timeout=20)
    assert "MORTGAGE30US on" in dash_duo.find_element("#scen-mtg-source").text
    assert _trace_x(dash_duo, "scen-mtg-chart", 1) == [50]

    flow_50 = dash_duo.find_element("#scen-mtg-flow").text
    # Keyboard on the slider handle: two steps of 5 bp to the right.
    thumb = dash_duo.find_element("#scen-mtg-shock-bp").find_element(By.CSS_SELECTOR,
                                                                       "[role=slider]")
    thumb.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    flow_60 = _wait_changed(dash_duo, "#scen-mtg-flow", flow_50)
    assert flow_60.startswith("USD +")
    assert _trace_x(dash_duo, "scen-mtg-chart", 1) == [60]

    _type(dash_duo, "#scen-mtg-mortgage-rate-pct", "99")
    dash_duo.wait_for_contains_text("#scen-mtg-error",
                                    "Mortgage rate (%) must be in (0, 25], got 99", timeout=10)
    # The 60 bp result is withdrawn: no number is left on screen for an input that was refused.
    dash_duo.wait_for_contains_text("#scen-mtg-headline", "No result for these inputs",
                                    timeout=10)
    assert not dash_duo.driver.find_elements("css selector", "#scen-mtg-flow")
    dash_duo.driver.save_screenshot("/tmp/scenarios.png")
