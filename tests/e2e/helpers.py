"""Small actions the browser tests share."""

from __future__ import annotations

from selenium.webdriver.common.keys import Keys


def retype(element, text: str, *, then: str = Keys.TAB) -> None:
    """Replace the text of an input and commit it (TAB for debounced boxes, ENTER for tables)."""
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text, then)


def text_now(dash_duo, selector: str) -> str:
    """The element's text read in the page itself: unlike a WebElement, it cannot go stale
    when Dash re-renders the element between two polls of a wait."""
    return dash_duo.driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", selector)


def start_at(dash_duo, app, path: str, *, timeout: float = 30) -> None:
    """Start ``app``'s server and open ``path`` (with its query) directly.

    ``dash_duo.start_server`` first opens ``/``, so a test that then goes to another page pays
    for the Overview's charts (Plotly, its callbacks, in the browser and the server) only to
    leave them at once. ``dash_duo.server_url`` stays the server's root, as after start_server.
    """
    dash_duo.start_server(app, navigate=False)
    dash_duo._url = dash_duo.server.url  # what the server_url setter stores, without its page load
    dash_duo.wait_for_page(dash_duo.server.url + path, timeout=timeout)
