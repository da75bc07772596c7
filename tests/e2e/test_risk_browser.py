"""The Risk page in a real headless Chromium on DEMO data: the stress sliders change the bond's
P&L, an absurd input shows the analytics' message next to its control without touching the
outputs, and a portfolio file uploads into positions, hedges and P&L (bad rows listed)."""

from __future__ import annotations

import pytest
from dash.testing.wait import until
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.helpers import retype, start_at

pytestmark = pytest.mark.e2e



def _type(dash_duo, selector: str, text: str) -> None:
    retype(dash_duo.find_element(selector), text)


def _usd(text: str) -> float:
    """The number in "USD -12,345"."""
    return float(text.split()[1].replace(",", ""))


def _pnl(dash_duo) -> float | None:
    """The bond's P&L per 1mm, or None while the tiles are being re-rendered."""
    try:
        return _usd(dash_duo.find_element("#risk-stress-pnl").text)
    except StaleElementReferenceException:
        return None


def _trace_y(dash_duo, graph_id: str, trace: int) -> list[float] | None:
    """A trace's y values, or None while the chart has no such trace (a withdrawn result)."""
    return dash_duo.driver.execute_script(
        f"const g = document.querySelector('#{graph_id} .js-plotly-plot'); "
        f"return g && g.data[{trace}] ? g.data[{trace}].y : null"
    )


def test_parallel_slider_moves_the_pnl_and_a_negative_maturity_shows_the_message(dash_duo, demo_app):
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(1400, 1600)
    dash_duo.wait_for_element("#nav-risk", timeout=20).click()
    dash_duo.wait_for_element("#risk-sweep-chart .main-svg", timeout=20)
    dash_duo.wait_for_text_to_equal("#data-banner strong", "DEMO DATA")
    assert _usd(dash_duo.find_element("#risk-stress-pnl").text) == 0.0
    krd_bars = _trace_y(dash_duo, "risk-krd-chart", 0)
    assert len(krd_bars) == 8

    # Keyboard on the parallel slider's handle: four 5 bp steps up -> a long bond loses.
    thumb = dash_duo.find_element("#risk-parallel").find_element(By.CSS_SELECTOR, "[role=slider]")
    thumb.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    until(lambda: (_pnl(dash_duo) or 0.0) < 0.0, 10)
    pnl_up = dash_duo.find_element("#risk-stress-pnl").text
    # Roughly -D x dP x 20 bp per 1mm face for an ~8-year duration note: -USD 15k to -17k.
    assert -17_500 < _usd(pnl_up) < -14_500

    # An absurd maturity: the analytics' message next to the maturity box, and the results it
    # invalidates withdrawn (bond table, charts, stress tiles), not left on screen as if valid.
    _type(dash_duo, "#risk-maturity", "-5")
    dash_duo.wait_for_contains_text("#risk-bond-card", "Maturity must be in (0, 100] years",
                                    timeout=10)
    dash_duo.wait_for_contains_text("#risk-bond-summary", "No result for these inputs", timeout=10)
    assert not dash_duo.find_elements("#risk-bond-table")
    dash_duo.wait_for_contains_text("#risk-krd-chart", "No result", timeout=10)
    dash_duo.wait_for_contains_text("#risk-stress-tiles", "No result for these inputs", timeout=10)
    assert not dash_duo.find_elements("#risk-stress-pnl")

    # Back to a good maturity: the message goes, the bond changes (shorter = smaller KRDs).
    _type(dash_duo, "#risk-maturity", "5")
    until(lambda: _trace_y(dash_duo, "risk-krd-chart", 0) not in (None, krd_bars), 10)
    dash_duo.wait_for_element("#risk-stress-pnl", timeout=10)
    assert "Maturity must be" not in dash_duo.find_element("#risk-bond-card").text
    dash_duo.driver.save_screenshot("/tmp/risk.png")
    # Reset puts every slider back to 0: no shock, no P&L.
    dash_duo.find_element("#risk-reset").click()
    until(lambda: _pnl(dash_duo) == 0.0, 10)
    assert dash_duo.get_logs() == [] or all(e["level"] != "SEVERE" for e in dash_duo.get_logs())


def test_portfolio_upload_lists_bad_rows_and_prices_the_good_ones(dash_duo, demo_app, tmp_path):
    book = tmp_path / "book.csv"
    book.write_text(
        "id,type,coupon_pct,maturity,face_usd,price\n"
        "UST-10,bullet,4.25,10,10000000,98.5\n"
        "UST-2,bullet,3.875,2,-20000000,99.8\n"
        "BAD,bond,4,10,1000000,99\n"
    )
    dash_duo.driver.set_window_size(1400, 2400)
    start_at(dash_duo, demo_app, "/risk")
    dash_duo.wait_for_element("#risk-pf-upload", timeout=20)
    upload = dash_duo.find_element("#risk-pf-upload input[type=file]")
    upload.send_keys(str(book))
    dash_duo.wait_for_contains_text("#risk-pf-errors", "book.csv: line 4, column type", timeout=15)
    dash_duo.wait_for_element("#risk-pf-table", timeout=15)
    rows = dash_duo.find_elements("#risk-pf-table tbody tr")
    assert [r.find_element(By.TAG_NAME, "td").text for r in rows] == ["UST-10", "UST-2", "total"]
    dash_duo.wait_for_element("#risk-pnl-table", timeout=15)
    assert "replay 2025-04-04..2025-04-11" in dash_duo.find_element("#risk-pnl-table").text
    # A futures DV01 of 0 is refused with the analytics' message; the positions stay.
    _type(dash_duo, "#risk-pf-card input[type=number]", "0")
    dash_duo.wait_for_contains_text("#risk-pf-hedge-table", "must be a positive USD amount",
                                    timeout=10)
    assert len(dash_duo.find_elements("#risk-pf-table tbody tr")) == 3
    dash_duo.driver.save_screenshot("/tmp/risk_portfolio.png")
