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
