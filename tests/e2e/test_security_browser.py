"""The app under its security headers in a real headless Chromium: the Content-Security-Policy
blocks nothing the app needs (pages, charts, the stress page's controls)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

pytestmark = pytest.mark.e2e


def test_pages_render_under_the_content_security_policy(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_element("#overview-curve .main-svg", timeout=30)
    dash_duo.find_element("#nav-stress").click()
    dash_duo.wait_for_element("#stress-history .main-svg", timeout=60)
    # Long histories are SVG lines (no WebGL: a GPU-less desktop would get a blank panel), and
    # they draw under the policy.
    script = ("const g = document.querySelector('#stress-history .js-plotly-plot');"
              "return g && g._fullData ? g._fullData.map(t => t.type) : []")
    until(lambda: dash_duo.driver.execute_script(script), timeout=60)
    assert set(dash_duo.driver.execute_script(script)) == {"scatter"}
    assert not dash_duo.driver.find_elements("css selector", "#stress-history .no-webgl")
    headers = dash_duo.driver.execute_script(
        "const r = new XMLHttpRequest(); r.open('GET', '/', false); r.send(null);"
        "return r.getResponseHeader('Content-Security-Policy');")
    assert "script-src 'self' 'sha256-" in headers
    violations = [entry for entry in dash_duo.get_logs() or []
                  if "Content Security Policy" in entry.get("message", "")]
    assert violations == []
