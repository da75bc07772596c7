"""The overview page in a real headless Chromium: it loads, says DEMO, draws the charts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_overview_shows_demo_banner_curve_and_status_table(dash_duo, tmp_path):
    from app import create_app

    app = create_app(tmp_path / "absent.sqlite")
    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("#data-banner strong", "DEMO DATA", timeout=20)
    dash_duo.wait_for_element("#overview-curve .main-svg", timeout=20)
    traces = dash_duo.driver.execute_script(
        "return document.querySelector('#overview-curve .js-plotly-plot').data.length"
    )
    assert traces == 3  # today, 1 week ago, 1 month ago
    rows = dash_duo.find_elements("#status-table tbody tr")
    assert len(rows) > 20
    assert dash_duo.get_logs() == [] or all(e["level"] != "SEVERE" for e in dash_duo.get_logs())
