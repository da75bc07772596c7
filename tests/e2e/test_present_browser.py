"""Meeting mode, the arrow keys and the dark theme in a real headless Chromium (DEMO data).

Screenshots of every page in the light theme, the dark theme and meeting mode are saved to
the folder printed at the end of the run (``$TSM_SCREENSHOT_DIR`` or a temporary folder).
"""

from __future__ import annotations

import re
import time

import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from components.pages import load_pages
from tests.e2e.helpers import start_at

pytestmark = pytest.mark.e2e

PATHS = [page.PATH for page in load_pages()]

_READY = """
const page = document.getElementById('page');
if (!page || !page.children.length) { return false; }
if (document.querySelector('[data-dash-is-loading="true"]')) { return false; }
const graphs = [...document.querySelectorAll('#page .dash-graph')];
return graphs.every(g => g.querySelector('.main-svg'));
"""


def js(dash_duo, script: str, *args):
    return dash_duo.driver.execute_script(script, *args)


def wait_ready(dash_duo, timeout: float = 40) -> None:
    until(lambda: js(dash_duo, _READY), timeout=timeout)
    time.sleep(0.4)  # Plotly's last relayout after the graphs are drawn


def location(dash_duo) -> tuple[str, str]:
    return tuple(js(dash_duo, "return [location.pathname, location.search]"))


def press(dash_duo, key: str) -> None:
    ActionChains(dash_duo.driver).send_keys(key).perform()


def body_background(dash_duo) -> str:
    return js(dash_duo, "return getComputedStyle(document.body).backgroundColor")


def test_meeting_mode_renders_the_grid_with_numbers_on_one_screen(dash_duo, demo_app,
                                                                   screenshot_dir):
    dash_duo.driver.set_window_size(1920, 1080)
    start_at(dash_duo, demo_app, "/?present=1")
    dash_duo.wait_for_element("#monitor-grid", timeout=30)
    wait_ready(dash_duo)
    assert js(dash_duo, "return document.documentElement.dataset.theme") == "dark"
    assert body_background(dash_duo) == "rgb(0, 0, 0)"  # the high-contrast meeting look
    assert len(dash_duo.find_elements("#monitor-grid .mon-cell")) == 21
    # issue 11's levels: foreign official custody, net liquidity, the OFR stress index
    for key in ("custody", "net_liquidity", "ofr_fsi"):
        assert re.search(r"\d", dash_duo.find_element(f"#mon-value-{key}").text), key
    assert re.fullmatch(r"\d\.\d\d%", dash_duo.find_element("#mon-value-10y").text)
    assert re.fullmatch(r"\u2212?\d+ bp", dash_duo.find_element("#mon-value-2s10s").text)
    assert re.fullmatch(r"1w\s?[\u25b2\u25bc=]\s?[+\u2212]?\d+(\.\d)?",
                        dash_duo.find_element("#mon-chg-10y-1w").text.replace("\n", " "))
    for name in ("sofr_up", "sofr_effr_widening", "fed_facilities"):
        assert dash_duo.find_element(f"#mon-value-light-{name}").text in (
            "\u25cf ON", "\u25cb off", "? cannot evaluate")
    assert "Treasury monitor, as of" in dash_duo.find_element("#monitor-as-of").text
    # One screen: the grid ends above the fold, and no value is cut off.
    bottom = js(dash_duo, "return document.getElementById('monitor-grid').getBoundingClientRect().bottom")
    assert bottom <= js(dash_duo, "return window.innerHeight")
    clipped = js(dash_duo, "return [...document.querySelectorAll('.mon-value, .mon-chg-v')]"
                           ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.textContent)")
    assert clipped == []
    dash_duo.driver.save_screenshot(str(screenshot_dir / "meeting-monitor-1920x1080.png"))
    dash_duo.driver.set_window_size(1366, 768)
    time.sleep(0.5)
    bottom = js(dash_duo, "return document.getElementById('monitor-grid').getBoundingClientRect().bottom")
    assert bottom <= js(dash_duo, "return window.innerHeight")  # one screen at 1366x768 too
    clipped = js(dash_duo, "return [...document.querySelectorAll('.mon-value, .mon-chg-v')]"
                           ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.textContent)")
    assert clipped == []
    dash_duo.driver.save_screenshot(str(screenshot_dir / "meeting-monitor-1366x768.png"))


def test_meeting_mode_with_a_bad_as_of_says_so(dash_duo, demo_app):
    start_at(dash_duo, demo_app, "/?present=1&as_of=2020-02-30")
    dash_duo.wait_for_contains_text("#monitor-error", "2020-02-30", timeout=30)
    dash_duo.driver.get(dash_duo.server_url + "/?present=1&as_of=2026-03-18")
    dash_duo.wait_for_contains_text("#monitor-as-of", "2026-03-18", timeout=30)


def test_arrow_keys_step_through_the_pages_keeping_the_query(dash_duo, demo_app):
    start_at(dash_duo, demo_app, "/?present=1")
    dash_duo.wait_for_element("#monitor-grid", timeout=30)
    press(dash_duo, Keys.ARROW_RIGHT)
    until(lambda: location(dash_duo) == (PATHS[1], "?present=1"), timeout=10)
    dash_duo.wait_for_element("#curve-band", timeout=30)
    assert not dash_duo.find_elements("#monitor-grid")
    assert js(dash_duo, "return document.documentElement.dataset.present") == "1"
    # Keys typed into an input stay there.
    box = dash_duo.find_element("#curve-band")
    box.click()
    box.send_keys(Keys.ARROW_RIGHT)
    time.sleep(0.5)
    assert location(dash_duo)[0] == PATHS[1]
    js(dash_duo, "document.activeElement.blur()")
    press(dash_duo, Keys.ARROW_LEFT)
    until(lambda: location(dash_duo) == ("/", "?present=1"), timeout=10)
    dash_duo.wait_for_element("#monitor-grid", timeout=30)
    press(dash_duo, Keys.ARROW_LEFT)  # wraps round to the last page
    until(lambda: location(dash_duo)[0] == PATHS[-1], timeout=10)
    # A click on a navigation link keeps meeting mode too.
    dash_duo.find_element("#nav-funding").click()
    until(lambda: location(dash_duo) == ("/funding", "?present=1"), timeout=10)
    dash_duo.find_element("#nav-overview").click()
    dash_duo.wait_for_element("#monitor-grid", timeout=30)
    # Normal mode alike.
    dash_duo.driver.get(dash_duo.server_url + PATHS[2])
    dash_duo.wait_for_element("#page > *", timeout=30)
    press(dash_duo, Keys.ARROW_RIGHT)
    until(lambda: location(dash_duo) == (PATHS[3], ""), timeout=10)


def test_theme_toggle_switches_the_page_and_the_charts_and_is_kept(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_element("#overview-curve .main-svg", timeout=30)
    assert body_background(dash_duo) == "rgb(244, 246, 248)"
    tick_fill = ("return getComputedStyle(document.querySelector("
                 "'#overview-curve .xtick text')).fill")
    light_ticks = js(dash_duo, tick_fill)
    dash_duo.find_element("#theme-toggle").click()
    until(lambda: body_background(dash_duo) == "rgb(13, 17, 23)", timeout=5)
    assert location(dash_duo)[1] == "?theme=dark"
    assert js(dash_duo, tick_fill) == "rgb(230, 237, 243)" != light_ticks
    card = js(dash_duo, "return getComputedStyle(document.querySelector('.card')).backgroundColor")
    assert card == "rgb(22, 27, 34)"
    # Kept across a reload without the query (localStorage) ...
    dash_duo.driver.get(dash_duo.server_url + "/curve")
    dash_duo.wait_for_element("#curve-band", timeout=30)
    assert body_background(dash_duo) == "rgb(13, 17, 23)"
    # ... and the URL wins over the stored choice.
    dash_duo.driver.get(dash_duo.server_url + "/curve?theme=light")
    dash_duo.wait_for_element("#curve-band", timeout=30)
    assert body_background(dash_duo) == "rgb(244, 246, 248)"
    dash_duo.find_element("#theme-toggle").click()
    until(lambda: body_background(dash_duo) == "rgb(13, 17, 23)", timeout=5)
    assert location(dash_duo)[1] == "?theme=dark"


def test_screenshots_of_every_page_in_both_themes_and_meeting_mode(dash_duo, demo_app,
                                                                    screenshot_dir):
    dash_duo.driver.set_window_size(1920, 1080)
    dash_duo.start_server(demo_app)
    for mode, query in (("light", "?theme=light"), ("dark", "?theme=dark"),
                        ("meeting", "?present=1")):
        dash_duo.driver.get(dash_duo.server_url + "/" + query)
        for i, path in enumerate(PATHS):
            if i:
                js(dash_duo, "document.activeElement && document.activeElement.blur()")
                press(dash_duo, Keys.ARROW_RIGHT)  # the arrow keys drive the tour
                until(lambda p=path, q=query: location(dash_duo) == (p, q), timeout=10)
            wait_ready(dash_duo)
            name = path.strip("/") or ("monitor" if mode == "meeting" else "overview")
            js(dash_duo, "window.scrollTo(0, 0)")
            assert dash_duo.driver.save_screenshot(str(screenshot_dir / f"{mode}-{i}-{name}.png"))
        expected = "rgb(244, 246, 248)" if mode == "light" else (
            "rgb(13, 17, 23)" if mode == "dark" else "rgb(0, 0, 0)")
        assert body_background(dash_duo) == expected
    assert len(list(screenshot_dir.glob("*-*-*.png"))) >= 3 * len(PATHS)
