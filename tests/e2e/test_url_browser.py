"""The view in the URL, in a real headless Chromium: a pasted link reproduces the view, controls
write the URL, back/forward step through views, and the as-of date follows across pages."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.keys import Keys

from tests.e2e.helpers import start_at, text_now

pytestmark = pytest.mark.e2e


def _search(dash_duo) -> str:
    return dash_duo.driver.execute_script("return window.location.search")


def _value(dash_duo, selector: str) -> str:
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.value : null", selector)


def test_a_pasted_link_reproduces_the_curve_view_and_controls_write_the_url(dash_duo, demo_app):
    dash_duo.driver.set_window_size(1400, 1000)
    start_at(dash_duo, demo_app, "/curve?as_of=2020-03-18&spread=5s30s")
    dash_duo.wait_for_element("#curve-moves-table", timeout=30)
    until(lambda: _value(dash_duo, "input#app-asof") == "2020-03-18", timeout=15)
    ink, paper = dash_duo.driver.execute_script(
        "const c = getComputedStyle(document.querySelector('input#app-asof'));"
        "return [c.color, c.backgroundColor]")
    assert ink != paper and paper != "rgba(0, 0, 0, 0)"  # the date is readable in the header
    assert "5s30s" in text_now(dash_duo, "#curve-spread")
    assert "2020-03-18" in text_now(dash_duo, "#curve-moves-table")

    # A control writes its value to the URL.
    dash_duo.find_elements("#curve-episode-window input")[2].click()  # 1m
    until(lambda: "window=1m" in _search(dash_duo), timeout=10)
    assert "as_of=2020-03-18" in _search(dash_duo) and "spread=5s30s" in _search(dash_duo)

    # A reload restores the whole view.
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#curve-moves-table", timeout=30)
    until(lambda: _value(dash_duo, "input#app-asof") == "2020-03-18", timeout=15)
    checked = dash_duo.driver.execute_script(
        "return document.querySelector('#curve-episode-window input:checked').value")
    assert checked == "1m"

    # Another date in the header: the URL follows; back returns to 2020-03-18.
    box = dash_duo.find_element("input#app-asof")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys("2023-10-19", Keys.ENTER)
    until(lambda: "as_of=2023-10-19" in _search(dash_duo), timeout=10)
    until(lambda: "2023-10-19" in text_now(dash_duo, "#curve-moves-table"), timeout=15)
    dash_duo.driver.back()
    until(lambda: "as_of=2020-03-18" in _search(dash_duo), timeout=10)
    until(lambda: "2020-03-18" in text_now(dash_duo, "#curve-moves-table"), timeout=15)
    until(lambda: _value(dash_duo, "input#app-asof") == "2020-03-18", timeout=10)


def test_the_as_of_date_is_kept_when_moving_between_pages(dash_duo, demo_app):
    dash_duo.driver.set_window_size(1400, 1000)
    start_at(dash_duo, demo_app, "/?as_of=2019-09-17")
    dash_duo.wait_for_element("#overview-glance", timeout=30)
    until(lambda: "As of 2019-09-17" in text_now(dash_duo, "#overview-glance"), timeout=15)
    until(lambda: "as_of=2019-09-17" in (dash_duo.find_element("#nav-funding").get_attribute("href")
                                         or ""), timeout=10)
    dash_duo.find_element("#nav-funding").click()
    dash_duo.wait_for_contains_text("#funding-warning", "as of 2019-09-17", timeout=20)
    assert "as_of=2019-09-17" in _search(dash_duo)


def test_a_bad_as_of_in_the_link_gets_a_message_not_an_error_page(dash_duo, demo_app):
    start_at(dash_duo, demo_app, "/stress?as_of=2020-02-30")
    dash_duo.wait_for_contains_text("#asof-error", "is not a date", timeout=20)
    dash_duo.wait_for_element("#stress-history", timeout=20)


ROUND_TRIPS = (
    # page, query, element whose value the query sets, the value it must show
    ("/curve", "?as_of=2020-03-18&band=5", "input#curve-band", "5"),
    ("/functioning", "?as_of=2020-03-18&tenor=5y", "#func-otr-tenor input:checked", "5y"),
    ("/funding", "?as_of=2019-09-17&calendar=1", "#funding-calendar input:checked", "adjusted"),
    ("/stress", "?as_of=2020-03-18&window=5", "input#stress-window", "5"),
    ("/risk", "?bond.coupon=5.5&bond.maturity=20", "input#risk-coupon", "5.5"),
    ("/scenarios", "?swap.capital_bn=12", "input#scen-swap-capital-bn", "12"),
)


@pytest.mark.parametrize(("path", "query", "selector", "expected"), ROUND_TRIPS,
                         ids=[r[0].strip("/") for r in ROUND_TRIPS])
def test_every_page_restores_its_view_from_a_pasted_link_and_a_reload(
        dash_duo, demo_app, path, query, selector, expected):
    start_at(dash_duo, demo_app, path + query)
    for _ in range(2):  # the pasted link, then a reload of the same URL
        until(lambda: _value(dash_duo, selector) not in (None, ""), timeout=30)
        value = _value(dash_duo, selector)
        assert value == expected or (value.replace(".0", "") == expected), (path, value)
        search = dash_duo.driver.execute_script("return window.location.search")
        wanted = set(query.lstrip("?").split("&"))
        assert wanted <= set(search.lstrip("?").split("&")), search  # the link's keys are kept
        dash_duo.driver.refresh()
    assert not dash_duo.driver.find_elements("css selector", "#asof-error")
