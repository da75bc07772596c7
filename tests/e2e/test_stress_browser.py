"""The stress page in headless Chromium: index shown; an absurd window gives a message."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_stress_page_shows_index_and_rejects_absurd_window(dash_duo, tmp_path):
    from app import create_app

    dash_duo.start_server(create_app(tmp_path / "absent.sqlite"))
    dash_duo.find_element("#nav-stress").click()
    dash_duo.wait_for_contains_text("#stress-value", " z on ", timeout=30)
    assert "coverage" in dash_duo.find_element("#stress-value").text
    key = dash_duo.find_element("#stress-category-key").text
    assert all(c in key for c in ("curve", "funding"))
    box = dash_duo.find_element("#stress-window")
    box.clear()
    box.send_keys("500\n")
    dash_duo.wait_for_contains_text("#stress-error", "between 1 and 20 years", timeout=10)
    dash_duo.driver.save_screenshot("/tmp/stress.png")
