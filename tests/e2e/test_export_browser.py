"""Export in headless Chromium: a chart's and a table's CSV downloads hold the numbers shown,
"Copy summary" puts the page's readings on the clipboard, Plotly's "Share chart" is gone."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pandas as pd
import pytest
from dash.testing.wait import until
from selenium.webdriver.common.action_chains import ActionChains

from tests.e2e.helpers import start_at

pytestmark = pytest.mark.e2e

CSV_TITLE = "Download data as CSV (the visible range)"


def _allow_downloads(dash_duo, folder: Path) -> None:
    dash_duo.driver.execute_cdp_cmd("Page.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": str(folder)})


def _downloaded(folder: Path, prefix: str) -> str:
    def done() -> list[Path]:
        return [p for p in folder.glob(f"{prefix}_*.csv") if p.stat().st_size > 0]

    until(lambda: done(), timeout=15)
    time.sleep(0.3)  # let Chromium finish writing
    return done()[0].read_text(encoding="utf-8")


def _modebar_titles(dash_duo, graph_id: str) -> list[str]:
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(`#${arguments[0]} .modebar-btn`)]"
        ".map(b => b.getAttribute('data-title'))", graph_id)


def test_chart_csv_has_the_visible_points_and_share_is_gone(dash_duo, tmp_path):
    from app import create_app
    from data.market import demo_market_data

    _allow_downloads(dash_duo, tmp_path)
    dash_duo.start_server(create_app(tmp_path / "absent.sqlite"))
    dash_duo.wait_for_element("#overview-2s10s .main-svg", timeout=30)
    until(lambda: CSV_TITLE in _modebar_titles(dash_duo, "overview-2s10s"), timeout=10)
    titles = _modebar_titles(dash_duo, "overview-2s10s")
    assert "Download plot as a PNG" in titles  # the PNG export stays
    assert not [t for t in titles if "Share" in t or "Cloud" in t or "Chart Studio" in t]

    graph = dash_duo.find_element("#overview-2s10s .js-plotly-plot")
    ActionChains(dash_duo.driver).move_to_element(graph).perform()
    dash_duo.find_element(
        f"#overview-2s10s .modebar-btn[data-title='{CSV_TITLE}']").click()
    text = _downloaded(tmp_path, "overview-2s10s")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "date" and rows[0][1].startswith("2s10s")
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    dates = pd.to_datetime(frame["date"])
    # The chart opens on its last two years: the CSV holds that window, not the whole history.
    visible = dash_duo.driver.execute_script(
        "return document.querySelector('#overview-2s10s .js-plotly-plot')._fullLayout.xaxis.range")
    assert dates.min() >= pd.Timestamp(visible[0]).normalize()
    assert dates.max() <= pd.Timestamp(visible[1])
    assert 200 < len(frame) < 1000
    # The numbers are the data's: 10y - 2y in bp, from the DEMO series themselves.
    data = demo_market_data()
    spread = (data.column("DGS10") - data.column("DGS2")).dropna() * 100
    for _, row in frame.iloc[[0, len(frame) // 2, -1]].iterrows():
        assert float(row.iloc[1]) == pytest.approx(spread[pd.Timestamp(row["date"])], abs=1e-6)
    assert pd.Timestamp(frame["date"].iloc[-1]) == spread.index[-1]

    # Zoomed in on three months, the CSV is those three months at full resolution (the zoom
    # loads every observation of the window).
    start, end = spread.index[-1] - pd.Timedelta(days=120), spread.index[-1] - pd.Timedelta(days=30)
    dash_duo.driver.execute_script(
        "Plotly.relayout(document.querySelector('#overview-2s10s .js-plotly-plot'),"
        " {'xaxis.range': [arguments[0], arguments[1]]})",
        start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d"))
    window = spread[start:end]

    def zoomed() -> pd.DataFrame:
        text = dash_duo.driver.execute_script(
            "return window.tsmExport.figureCsv("
            "document.querySelector('#overview-2s10s .js-plotly-plot'))")
        got = list(csv.reader(io.StringIO(text)))
        return pd.DataFrame(got[1:], columns=got[0])

    until(lambda: len(zoomed()) == len(window), timeout=15)
    shown = zoomed()
    assert list(pd.to_datetime(shown["date"])) == list(window.index)
    assert shown.iloc[:, 1].astype(float).to_numpy() == pytest.approx(window.to_numpy(), abs=1e-6)


def test_table_csv_and_copy_summary(dash_duo, tmp_path):
    from app import create_app
    from data.market import demo_market_data

    _allow_downloads(dash_duo, tmp_path)
    dash_duo.driver.execute_cdp_cmd("Browser.grantPermissions", {
        "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    dash_duo.start_server(create_app(tmp_path / "absent.sqlite"))
    dash_duo.wait_for_element("#status-table tbody tr", timeout=30)
    dash_duo.find_element("#status-table .csv-button").click()
    rows = list(csv.reader(io.StringIO(_downloaded(tmp_path, "status-table"))))
    assert rows[0][:3] == ["series", "title", "source"]
    status = {r.series_id: r for r in demo_market_data().status_rows}
    assert len(rows) - 1 == len(status)
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["DGS10"][4] == status["DGS10"].last_date
    assert by_id["DGS10"][5] == f"{status['DGS10'].rows:,}"

    dash_duo.find_element("#copy-summary").click()
    text = ""

    def copied() -> bool:
        nonlocal text
        text = dash_duo.driver.execute_async_script(
            "const done = arguments[0];"
            "navigator.clipboard.readText().then(done, e => done('ERR ' + e))")
        return text.startswith("Treasury Stress Monitor")

    until(copied, timeout=10)
    data = demo_market_data()
    last = data.yields.index[-1]
    assert f"Overview, as of {last:%Y-%m-%d} (demo data" in text
    assert f"10y {data.yields['10y'].iloc[-1]:.2f}%" in text
    spread = (data.yields["10y"].iloc[-1] - data.yields["2y"].iloc[-1]) * 100
    assert f"2s10s {spread:.1f} bp" in text

    # Another page at another date: its own readings, as of the URL's date.
    dash_duo.wait_for_page(dash_duo.server_url + "/curve?as_of=2020-03-18")
    dash_duo.wait_for_element("#curve-moves-table", timeout=30)
    dash_duo.find_element("#copy-summary").click()
    until(lambda: copied() and "Curve, as of 2020-03-18" in text, timeout=10)
    day = data.yields.loc["2020-03-18"]
    assert f"10y {day['10y']:.2f}%" in text and f"30y {day['30y']:.2f}%" in text
    assert "5s30s" in text and "10s30s" in text


def test_data_table_csv_has_the_cells_shown(dash_duo, tmp_path):
    from analytics.tenors import TREASURY_FUTURES
    from app import create_app

    _allow_downloads(dash_duo, tmp_path)
    start_at(dash_duo, create_app(tmp_path / "absent.sqlite"), "/positioning")
    dash_duo.wait_for_element("#positioning-dv01-table td", timeout=30)
    dash_duo.find_element(".csv-button[data-csv-target='positioning-dv01-table']").click()
    rows = list(csv.reader(io.StringIO(_downloaded(tmp_path, "positioning-dv01-table"))))
    assert rows[0][:2] == ["Contract", "CFTC code"]
    assert len(rows) == 1 + len(TREASURY_FUTURES)
    shown = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#positioning-dv01-table tbody tr')]"
        ".filter(r => r.querySelector('td')).map(r => [...r.querySelectorAll('td')]"
        ".map(c => c.innerText.trim()))")
    assert rows[1:] == shown
    from components.pages.positioning import dv01_rows

    assert [r[0] for r in rows[1:]] == [str(d["label"]) for d in dv01_rows()]
    assert [r[1] for r in rows[1:]] == [str(d["code"]) for d in dv01_rows()]


@pytest.mark.parametrize("path", ["/funding", "/positioning"])
def test_every_chart_has_csv_and_no_share_on_pages_with_their_own_wrappers(dash_duo, tmp_path, path):
    from app import create_app

    start_at(dash_duo, create_app(tmp_path / "absent.sqlite"), path)
    dash_duo.wait_for_element(".js-plotly-plot .main-svg", timeout=30)

    def toolbars() -> list[list[str]]:
        return dash_duo.driver.execute_script(
            "return [...document.querySelectorAll('.js-plotly-plot')].map(gd =>"
            " [...gd.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title')))")

    until(lambda: len(toolbars()) >= 3 and all(CSV_TITLE in t for t in toolbars()), timeout=45)
    for titles in toolbars():
        assert "Download plot as a PNG" in titles
        assert not [t for t in titles if "Share" in t or "Cloud" in t or "Chart Studio" in t]
