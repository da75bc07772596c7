"""Small actions the browser tests share."""

from __future__ import annotations

from selenium.webdriver.common.keys import Keys


def retype(element, text: str, *, then: str = Keys.TAB) -> None:
    """Replace the text of an input and commit it (TAB for debounced boxes, ENTER for tables)."""
    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.BACKSPACE)
    element.send_keys(text, then)
