"""plotly.js's basic bundle in a real headless Chromium: served in place of the full one, it
draws the charts (every trace type the app uses is one it registers)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until

from tests.e2e.helpers import start_at

pytestmark = pytest.mark.e2e

CHART_TYPES = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (gd) {
  return {id: (gd.closest('[id]') || gd).id,
          drawn: !!gd.querySelector('.main-svg'),
          types: (gd.data || []).map(function (t) { return t.type || 'scatter'; })};
});"""


@pytest.fixture()
def basic_bundle():
    from data.plotly_bundle import local_bundle

    bundle = local_bundle()
    if bundle is None:
        pytest.skip("plotly.js's basic bundle is not fetched here: run `tsm plotly-bundle` "
                    "(.ci/run does)")
    return bundle


@pytest.mark.parametrize(("path", "charts"), [("/", 2), ("/curve", 4), ("/risk", 4)])
def test_pages_draw_every_chart_with_the_basic_bundle_alone(dash_duo, demo_app, basic_bundle,
                                                            path, charts):
    from components.plotly_bundle import url_path
    from data.plotly_bundle import TRACE_TYPES

    dash_duo.driver.set_window_size(1400, 2400)
    start_at(dash_duo, demo_app, path)
    until(lambda: sum(c["drawn"] for c in dash_duo.driver.execute_script(CHART_TYPES)) >= charts,
          timeout=30)
    found = dash_duo.driver.execute_script(CHART_TYPES)
    assert all(c["drawn"] for c in found), found
    assert {t for c in found for t in c["types"]} <= TRACE_TYPES, found
    loaded = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (r) { return r.name; })")
    assert any(url_path(basic_bundle) in url for url in loaded), loaded
    assert not any("package_data/plotly" in url for url in loaded)  # the full bundle never came
    severe = [e for e in dash_duo.get_logs() or [] if e["level"] == "SEVERE"]
    assert not severe, severe
