"""The app under its security headers in a real headless Chromium: the Content-Security-Policy
blocks nothing the app needs (pages, charts, the stress page's controls)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_pages_render_under_the_content_security_policy(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_element("#overview-curve .main-svg", timeout=30)
    dash_duo.find_element("#nav-stress").click()
    dash_duo.wait_for_element("#stress-history .main-svg", timeout=60)
    # Long histories are WebGL traces (regl): they must draw without 'unsafe-eval'.
    dash_duo.wait_for_element("#stress-history canvas", timeout=30)
    kinds = dash_duo.driver.execute_script(
        "return document.querySelector('#stress-history .js-plotly-plot')._fullData.map(t => t.type)")
    assert "scattergl" in kinds
    headers = dash_duo.driver.execute_script(
        "const r = new XMLHttpRequest(); r.open('GET', '/', false); r.send(null);"
        "return r.getResponseHeader('Content-Security-Policy');")
    assert "script-src 'self' 'sha256-" in headers
    violations = [entry for entry in dash_duo.get_logs() or []
                  if "Content Security Policy" in entry.get("message", "")]
    assert violations == []
