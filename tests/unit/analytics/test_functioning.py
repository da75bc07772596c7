"""GSW par yields, on-the-run premium and fit noise: hand values, QuantLib and history."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import QuantLib as ql

from analytics.fitting import NSSFit
from analytics.functioning import (
    fit_noise,
    functioning_snapshot,
    gsw_par_yields,
    otr_premium_bp,
)
from analytics.tenors import TENORS

GSW_COLUMNS = ["SVENY01", "SVENY02", "SVENY03", "SVENY05", "SVENY07", "SVENY10", "SVENY20", "SVENY30"]
GSW_YEARS = [1, 2, 3, 5, 7, 10, 20, 30]


def _gsw(rows: list[list[float]], start: str = "2024-01-01") -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=GSW_COLUMNS, index=pd.bdate_range(start, periods=len(rows)))
    frame.index.name = "date"
    return frame


@pytest.fixture(scope="module")
def gsw_real(shared_data: Path) -> pd.DataFrame:
    frame = pd.read_csv(shared_data / "gsw" / "gsw_extract.csv", parse_dates=["date"])
    return frame.set_index("date").sort_index().astype(float)


def test_flat_continuous_zero_curve_gives_the_closed_form_par_yield() -> None:
    par = gsw_par_yields(_gsw([[5.0] * 8]), tenors=("1y", "2y", "10y", "30y"))
    expected = 2 * (math.exp(0.025) - 1) * 100  # 5.0630 %
    assert expected == pytest.approx(5.0630, abs=1e-4)
    assert par.iloc[0].to_numpy() == pytest.approx([expected] * 4, abs=1e-10)


def test_par_yields_price_a_bond_at_par_on_the_same_curve_in_quantlib() -> None:
    zeros = [4.5, 4.1, 3.9, 3.8, 3.95, 4.2, 4.7, 4.6]  # a humped, non-flat curve (%, cc)
    par = gsw_par_yields(_gsw([zeros]), tenors=("2y", "5y", "10y", "30y")).iloc[0]
    today = ql.Date(15, 1, 2020)
    ql.Settings.instance().evaluationDate = today
    day_count = ql.Thirty360(ql.Thirty360.BondBasis)
    # Node at t = 0 equal to the 1y zero: the curve is flat below the first published tenor.
    dates = [today] + [today + ql.Period(n, ql.Years) for n in GSW_YEARS]
    rates = [zeros[0] / 100] + [z / 100 for z in zeros]
    curve = ql.ZeroCurve(dates, rates, day_count, ql.NullCalendar(), ql.Linear(), ql.Continuous)
    handle = ql.YieldTermStructureHandle(curve)
    for tenor, years in (("2y", 2), ("5y", 5), ("10y", 10), ("30y", 30)):
        schedule = ql.Schedule(
            today,
            today + ql.Period(years, ql.Years),
            ql.Period(ql.Semiannual),
            ql.NullCalendar(),
            ql.Unadjusted,
            ql.Unadjusted,
            ql.DateGeneration.Backward,
            False,
        )
        bond = ql.FixedRateBond(0, 100.0, schedule, [par[tenor] / 100], day_count)
        bond.setPricingEngine(ql.DiscountingBondEngine(handle))
        assert bond.cleanPrice() == pytest.approx(100.0, abs=1e-8), tenor


def test_par_yield_beyond_the_longest_published_zero_is_nan() -> None:
    row = [3.0, 3.1, 3.2, 3.3, 3.4, np.nan, np.nan, np.nan]  # 1960s: up to 7y only
    par = gsw_par_yields(_gsw([row]), tenors=("5y", "10y")).iloc[0]
    assert np.isfinite(par["5y"]) and np.isnan(par["10y"])


def test_gsw_frame_without_zero_columns_is_rejected() -> None:
    frame = pd.DataFrame({"BETA0": [1.0]}, index=pd.DatetimeIndex(["2024-01-02"], name="date"))
    with pytest.raises(ValueError, match="SVENY"):
        gsw_par_yields(frame)


def test_otr_premium_is_cmt_minus_gsw_par_in_bp() -> None:
    gsw = _gsw([[5.0] * 8])
    yields = pd.DataFrame({t: [5.0] for t in TENORS}, index=gsw.index)
    premium = otr_premium_bp(yields, gsw).iloc[0]
    assert premium["10y"] == pytest.approx((5.0 - 2 * (math.exp(0.025) - 1) * 100) * 100)  # -6.3


def test_snapshot_uses_a_given_fit_and_reports_absent_gsw() -> None:
    dates = pd.bdate_range("2024-01-01", periods=3)
    yields = pd.DataFrame({t: [4.0] * 3 for t in TENORS}, index=dates)
    rmse = pd.Series([1.0, 2.25, np.nan], index=dates)
    fit = NSSFit(
        params=pd.DataFrame(index=dates),
        fitted_pct=pd.DataFrame(index=dates),
        rmse_bp=rmse,
        n_tenors=pd.Series([8, 8, 0], index=dates),
    )
    snap = functioning_snapshot(yields, None, as_of=dates[-1], fit=fit)
    assert snap["fit_noise_bp"] == pytest.approx(2.2)  # last valid reading, rounded to 0.1
    assert snap["otr_premium_10y_bp"] is None
    assert any("no GSW curve stored" in m for m in snap["missing"])
    json.dumps(snap)


def test_snapshot_computes_premium_and_noise_from_frames() -> None:
    gsw = _gsw([[5.0] * 8] * 5)
    yields = pd.DataFrame({t: [5.0] * 5 for t in TENORS}, index=gsw.index)
    snap = functioning_snapshot(yields, gsw, as_of=gsw.index[-1])
    assert snap["otr_premium_10y_bp"] == pytest.approx(-6.3)
    assert snap["fit_noise_bp"] == pytest.approx(0.0, abs=0.05)  # a flat curve fits exactly
    assert snap["missing"] == []


# --- real history ---------------------------------------------------------------------------


def test_real_10y_otr_premium_is_small_in_2010s_and_wider_in_the_dash_for_cash(
    real_yields: pd.DataFrame, gsw_real: pd.DataFrame
) -> None:
    premium = otr_premium_bp(real_yields.loc["2010":"2020"], gsw_real.loc["2010":"2020"])["10y"]
    calm = premium.loc["2010":"2019"].median()
    assert abs(calm) < 15.0
    assert premium.loc["2020-03-09":"2020-03-20"].median() < calm - 3.0


def test_real_fit_noise_is_higher_in_2008_and_2020_stress_than_in_2017(
    real_yields: pd.DataFrame,
) -> None:
    noise = fit_noise(real_yields.loc["2008":"2020"]).rmse_bp
    calm = noise.loc["2017"].median()
    assert noise.loc["2008-10"].median() > calm
    assert noise.loc["2020-03"].median() > calm


def test_real_snapshot_after_gsw_ends_names_the_last_gsw_date(
    real_yields: pd.DataFrame, gsw_real: pd.DataFrame
) -> None:
    snap = functioning_snapshot(real_yields, gsw_real, as_of="2026-06-24")
    assert snap["fit_noise_bp"] is not None
    assert snap["otr_premium_10y_bp"] is None
    assert any("2025-12-26" in m for m in snap["missing"])
    during = functioning_snapshot(real_yields, gsw_real, as_of="2020-03-18")
    assert during["otr_premium_10y_bp"] is not None and during["otr_premium_10y_bp"] < 0
