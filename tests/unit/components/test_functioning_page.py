"""The Functioning page without a browser: figure builders, coverage wording, callbacks.

Real history from ../shared/data is written to a temporary store (CMT yields, the GSW zero
curve and the ICE swap rates from 2005) and read back through the app's context, so the page
is checked on what a user would have. Expected numbers are hand calculations in the tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import plotly
import pytest
from dash import Patch, no_update

from analytics.tenors import CMT_SERIES
from components.context import AppContext
from components.pages import functioning as page
from data.model import Batch
from data.store import Store
from tests.conftest import read_shared_series

#: Stored history starts here: long enough for 2008 and 2020, short enough to fit fast.
START = "2007-01-02"
STRESS_DAY = pd.Timestamp("2020-03-18")  # dash for cash
SWAP_IDS = ("DSWP1", "DSWP2", "DSWP3", "DSWP4", "DSWP5", "DSWP7", "DSWP10", "DSWP30", "WSWP2")


def _observations(frame: pd.DataFrame) -> pd.DataFrame:
    long = frame.rename_axis("date").reset_index().melt(id_vars="date", var_name="series_id",
                                                        value_name="value")
    return long.dropna()[["series_id", "date", "value"]]


def _store(path: Path, frames: dict[str, pd.DataFrame]) -> AppContext:
    with Store.open(path) as store:
        store.write([Batch(source, "imported", _observations(f)) for source, f in frames.items()])
    return AppContext(path)


@pytest.fixture(scope="module")
def cmt_wide(real_yields) -> pd.DataFrame:
    ids = {tenor: sid for tenor, sid in CMT_SERIES.items()}
    return real_yields.loc[START:].rename(columns=ids)


@pytest.fixture(scope="module")
def gsw_zero(shared_data) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "gsw" / "gsw_extract.csv", parse_dates=["date"])
    return frame.set_index("date").sort_index().loc[START:]


@pytest.fixture(scope="module")
def swaps(shared_data) -> pd.DataFrame:
    return pd.DataFrame({sid: read_shared_series(shared_data, f"fred/{sid}.csv")
                         for sid in SWAP_IDS}).loc[START:]


@pytest.fixture(scope="module")
def real_ctx(tmp_path_factory, cmt_wide, gsw_zero, swaps) -> AppContext:
    path = tmp_path_factory.mktemp("functioning") / "real.sqlite"
    return _store(path, {"fred": pd.concat([cmt_wide, swaps], axis=1, sort=True), "gsw": gsw_zero})


@pytest.fixture(scope="module")
def cmt_only_ctx(tmp_path_factory, cmt_wide) -> AppContext:
    path = tmp_path_factory.mktemp("functioning") / "cmt_only.sqlite"
    return _store(path, {"fred": cmt_wide.loc["2019-01-01":]})


def payload_bytes(obj) -> int:
    return len(json.dumps(obj, cls=plotly.utils.PlotlyJSONEncoder))


def hand_nss_pct(t: np.ndarray, b0, b1, b2, b3, tau1, tau2) -> np.ndarray:
    x1, x2 = t / tau1, t / tau2
    f1 = (1 - np.exp(-x1)) / x1
    return b0 + b1 * f1 + b2 * (f1 - np.exp(-x1)) + b3 * ((1 - np.exp(-x2)) / x2 - np.exp(-x2))


def hand_gsw_par_pct(zeros_pct: dict[float, float], years: float) -> float:
    """DOMAIN.md section 2: par(T) = 2 (1 - D(T)) / sum D(t_i), semiannual t_i <= T, with the
    zero curve linear in maturity between published tenors and flat below the first."""
    mats = sorted(zeros_pct)
    grid = np.arange(1, int(years * 2) + 1) / 2.0
    z = np.interp(grid, mats, [zeros_pct[m] / 100.0 for m in mats])
    disc = np.exp(-z * grid)
    return 2.0 * (1.0 - disc[-1]) / disc.sum() * 100.0


# --- fit noise and the fitted curve ---------------------------------------------------------


def test_fitted_curve_on_dash_for_cash_day_is_the_nss_formula_against_cmt(real_ctx, real_yields):
    fit = real_ctx.measures().fit
    fig = page.fitted_curve_figure(fit, real_ctx.data().yields, as_of=STRESS_DAY)
    names = [t["name"] for t in fig["data"]]
    assert names == ["NSS fit", "CMT yields in the fit", "CMT bills (not in the fit)"]
    line, points, bills = fig["data"]
    # The line is the NSS function of the day's parameters (written out by hand here).
    p = fit.params.loc[STRESS_DAY]
    x = np.asarray(line["x"])
    assert len(x) == page.NSS_GRID_POINTS and x[0] == pytest.approx(1.0) and x[-1] == pytest.approx(30.0)
    expected = hand_nss_pct(x, p["beta0_pct"], p["beta1_pct"], p["beta2_pct"], p["beta3_pct"],
                            p["tau1_y"], p["tau2_y"])
    assert np.asarray(line["y"]) == pytest.approx(expected, abs=1e-4)
    # The points are the CMT yields of the day, straight from the CSV.
    cmt = real_yields.loc[STRESS_DAY]
    assert points["text"] == ["1y", "2y", "3y", "5y", "7y", "10y", "20y", "30y"]
    assert points["y"] == pytest.approx([cmt[t] for t in points["text"]], abs=1e-9)
    assert bills["text"] == ["1m", "3m", "6m"]
    # The title's RMSE is the root mean square of the residuals shown on hover.
    resid = np.asarray(points["customdata"], dtype=float)
    rmse = math.sqrt(float(np.mean(resid**2)))
    assert f"RMSE {rmse:.1f} bp" in fig["layout"]["title"]["text"]
    assert "2020-03-18" in fig["layout"]["title"]["text"]


def test_fitted_curve_on_a_weekend_uses_the_friday_fit(real_ctx):
    fig = page.fitted_curve_figure(real_ctx.measures().fit, real_ctx.data().yields,
                                   as_of=pd.Timestamp("2020-03-22"))
    assert "2020-03-20" in fig["layout"]["title"]["text"]


def test_fitted_curve_without_a_fit_says_why(real_ctx):
    fig = page.fitted_curve_figure(real_ctx.measures().fit, real_ctx.data().yields,
                                   as_of=pd.Timestamp("1990-01-02"))
    assert fig["data"] == []
    assert "No NSS fit on or before 1990-01-02" in fig["layout"]["annotations"][0]["text"]


def test_noise_chart_is_labelled_a_coarse_proxy_and_downsampled(real_ctx):
    fig = page.noise_figure(real_ctx.measures().fit, as_of=STRESS_DAY)
    assert "coarse proxy" in fig["layout"]["title"]["text"]
    assert [t["name"] for t in fig["data"]] == ["daily RMSE", "21-day mean"]
    assert all(len(t["x"]) <= 2_002 for t in fig["data"])
    assert payload_bytes(fig) < 200_000
    assert fig["layout"]["shapes"][0]["x0"] == "2020-03-18"
    assert page.noise_figure(None, as_of=None)["data"] == []


# --- on-the-run premium -----------------------------------------------------------------------


def test_otr_premium_reading_matches_hand_par_yield(real_ctx, real_yields, gsw_zero):
    day = pd.Timestamp("2020-03-18")
    row = gsw_zero.loc[day]
    zeros = {float(c[5:]): float(row[c]) for c in gsw_zero.columns if pd.notna(row[c])}
    expected_bp = (real_yields.at[day, "10y"] - hand_gsw_par_pct(zeros, 10.0)) * 100.0
    box = page.readings(real_ctx.data().yields, real_ctx.data().series,
                        real_ctx.measures().fit, as_of=day)
    text = json.dumps(box.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert f"{expected_bp:+.1f} bp" in text


def test_otr_figure_plots_the_chosen_tenor(real_ctx):
    premium = real_ctx.measures().otr_premium_bp
    fig = page.otr_figure(premium, "30y", as_of=STRESS_DAY)
    assert len(fig["data"]) == 1 and fig["data"][0]["name"] == "30y"
    assert len(fig["data"][0]["x"]) <= 2_002
    assert "(30y)" in fig["layout"]["title"]["text"]


def test_otr_figure_without_gsw_says_what_to_import():
    fig = page.otr_figure(None, "10y", as_of=STRESS_DAY)
    text = fig["layout"]["annotations"][0]["text"]
    assert fig["data"] == []
    assert "No GSW curve stored" in text and "tsm import" in text and "feds200628.csv" in text


def test_otr_figure_marks_where_gsw_stops(real_ctx, gsw_zero):
    premium = real_ctx.measures().otr_premium_bp
    last = gsw_zero["SVENY10"].dropna().index[-1]
    fig = page.otr_figure(premium, "10y", as_of=last + pd.Timedelta(days=60))
    assert any(f"nothing stored after {last:%Y-%m-%d}" in a["text"]
               for a in fig["layout"]["annotations"])


# --- swap spreads -------------------------------------------------------------------------------


def test_swap_spreads_are_swap_minus_cmt_and_negative_at_30y_after_lehman(real_ctx, swaps,
                                                                         real_yields):
    spreads = real_ctx.measures().swap_spreads_bp.loc["2010-01-01":"2010-06-30"]
    fig = page.swap_figure(spreads, ["10y", "30y"], as_of=pd.Timestamp("2010-06-30"))
    assert [t["name"] for t in fig["data"]] == ["10y", "30y"]
    ten = dict(zip(fig["data"][0]["x"], fig["data"][0]["y"], strict=True))
    day = pd.Timestamp("2010-03-01")
    assert ten["2010-03-01"] == pytest.approx(
        (swaps.at[day, "DSWP10"] - real_yields.at[day, "10y"]) * 100.0, abs=1e-3)
    # Long-tenor swap spreads have been negative since about 2008 (DOMAIN.md section 3).
    assert max(fig["data"][1]["y"]) < 0


def test_swap_figure_messages_for_no_tenor_and_no_swaps():
    spreads = pd.DataFrame({"10y": [1.0, 2.0]}, index=pd.DatetimeIndex(["2010-01-04", "2010-01-05"]))
    assert "Pick at least one tenor" in page.swap_figure(spreads, [], as_of=None)[
        "layout"]["annotations"][0]["text"]
    none = page.swap_figure(pd.DataFrame(index=spreads.index), ["10y"], as_of=None)
    assert "No swap rates stored: import SOFR swap rates with `tsm import`" in \
        none["layout"]["annotations"][0]["text"]


def test_swap_chart_says_ice_rates_stop_in_2016(real_ctx):
    fig = page.swap_figure(real_ctx.measures().swap_spreads_bp, ["10y"],
                           as_of=pd.Timestamp("2025-04-11"))
    assert any("nothing stored after 2016-10-28" in a["text"] for a in fig["layout"]["annotations"])
    assert fig["layout"]["shapes"][0]["x0"] == "2025-04-11"


def test_coverage_says_which_tenors_stop_where(real_ctx):
    coverage = page.coverage_frame(real_ctx.data().series, as_of=pd.Timestamp("2025-04-11"))
    status = {(r.tenor, r.source_id): r.status for r in coverage.itertuples()}
    assert status[("10y", "DSWP10")] == "ICE swap rates stop on 2016-10-28; import SOFR swap rates"
    # DSWP2 of ../shared stops on 2011-08-12 (PROVENANCE.md); the weekly WSWP2 runs to 2016.
    assert status[("2y", "DSWP2")] == "ICE swap rates stop on 2011-08-12; import SOFR swap rates"
    assert status[("2y", "WSWP2")] == "ICE swap rates stop on 2016-10-28; import SOFR swap rates"
    early = page.coverage_frame(real_ctx.data().series, as_of=pd.Timestamp("2010-01-04"))
    assert early.loc[early["source_id"] == "DSWP10", "status"].item() == "covers the as-of date"


def test_coverage_without_swaps_lists_every_standard_tenor_as_missing(cmt_only_ctx):
    coverage = page.coverage_frame(cmt_only_ctx.data().series, as_of=pd.Timestamp("2025-04-11"))
    assert coverage["tenor"].tolist() == ["1y", "2y", "3y", "4y", "5y", "7y", "10y", "30y"]
    assert (coverage["status"] == "missing: none stored; import SOFR swap rates").all()
    table = page.coverage_table(coverage)
    assert all(tr.className == "row-error" for tr in table.children[1].children)


# --- callbacks and layout -------------------------------------------------------------------


def test_as_of_after_swaps_stop_lists_what_is_missing(real_ctx):
    readings, message, fig, coverage, noise = page.update_asof(real_ctx, "2025-04-11")
    text = json.dumps(readings.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert message == ""
    assert "swap rates after 2016-10-28: none stored (import SOFR swap rates)" in text
    assert "2025-04-11" in fig["layout"]["title"]["text"]
    assert coverage.id == "func-swap-coverage"
    assert isinstance(noise, Patch)


def test_as_of_before_the_history_shows_a_message(cmt_only_ctx):
    readings, message, fig, _, _ = page.update_asof(cmt_only_ctx, "1950-01-02")
    assert message == "No data on or before 1950-01-02: the Treasury yields start 2019-01-02."
    assert fig["data"] == []
    assert page.update_asof(cmt_only_ctx, "garbage")[1].startswith("As-of date must be a date")


def test_date_change_patches_charts_with_data_and_resends_empty_ones(real_ctx, cmt_only_ctx):
    out = page.update_otr(real_ctx, "10y", "2020-03-18", "app-asof")
    assert isinstance(out, Patch)
    assert out.to_plotly_json()["operations"][0]["params"]["value"]["x0"] == "2020-03-18"
    full = page.update_otr(real_ctx, "5y", "2020-03-18", "func-otr-tenor")
    assert full["data"][0]["name"] == "5y"
    empty = page.update_otr(cmt_only_ctx, "10y", "2020-03-18", "app-asof")
    assert isinstance(empty, dict) and empty["data"] == []
    swaps = page.update_swaps(real_ctx, ["2y", "30y"], None, "func-swap-tenors")
    assert [t["name"] for t in swaps["data"]] == ["2y", "30y"]
    assert page.update_swaps(real_ctx, ["2y"], "bad", "app-asof") is no_update


def test_layout_without_gsw_or_swaps_says_what_is_missing(cmt_only_ctx):
    page_div = page.layout(cmt_only_ctx)
    text = json.dumps(page_div.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    assert "No GSW curve stored" in text
    assert "No swap rates stored: import SOFR swap rates" in text
    assert "coarse proxy" in text


def test_layout_on_real_data_has_every_control_and_a_bounded_payload(real_ctx):
    page_div = page.layout(real_ctx)
    text = json.dumps(page_div.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)
    for id_ in ("func-asof-error", "func-readings", "func-noise", "func-curve",
                "func-otr-tenor", "func-otr", "func-swap-tenors", "func-swaps",
                "func-swap-coverage", "func-reading-noise", "func-reading-otr"):
        assert f'"{id_}"' in text, id_
    assert len(text) < 500_000
    assert page.PATH == "/functioning" and page.LABEL == "Functioning"
