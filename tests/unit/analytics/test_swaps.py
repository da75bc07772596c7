"""Swap spreads: id mapping, interpolation, coverage and the real 2000-2016 history."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.swaps import (
    STANDARD_SWAP_TENORS_Y,
    swap_coverage,
    swap_spreads_bp,
    swap_tenor_years,
    swaps_snapshot,
    treasury_yield_at,
)
from analytics.tenors import TENORS
from tests.conftest import read_shared_series


def _yields(dates: pd.DatetimeIndex, **columns: float) -> pd.DataFrame:
    frame = pd.DataFrame({t: [columns.get(t, np.nan)] * len(dates) for t in TENORS}, index=dates)
    frame.index.name = "date"
    return frame.astype(float)


@pytest.mark.parametrize(
    ("series_id", "years"),
    [
        ("DSWP10", 10),
        ("DSWP1", 1),
        ("WSWP2", 2),
        ("SOFRSWP10", 10),
        ("sofrswp2y", 2),
        ("SOFR", None),
        ("DSWP", None),
        ("DSWP40", None),  # beyond the Treasury curve
        ("SWPT10", None),
    ],
)
def test_swap_ids_map_to_tenor_years(series_id: str, years: int | None) -> None:
    assert swap_tenor_years(series_id) == years


def test_treasury_yield_is_interpolated_linearly_in_maturity() -> None:
    dates = pd.bdate_range("2010-01-04", periods=1)
    frame = _yields(dates, **{"2y": 1.0, "3y": 3.0, "5y": 4.0, "7y": 5.0, "10y": 5.6})
    assert treasury_yield_at(frame, 4.0).iloc[0] == pytest.approx(3.5)
    assert treasury_yield_at(frame, 10.0).iloc[0] == pytest.approx(5.6)
    assert treasury_yield_at(frame, 8.0).iloc[0] == pytest.approx(5.0 + 0.6 / 3)
    frame.loc[:, "3y"] = np.nan  # then 4y lies between 2y and 5y
    assert treasury_yield_at(frame, 4.0).iloc[0] == pytest.approx(1.0 + 3.0 * 2 / 3)
    assert np.isnan(treasury_yield_at(frame, 30.0).iloc[0])  # no extrapolation
    with pytest.raises(ValueError, match="years must be within"):
        treasury_yield_at(frame, 50.0)


def test_swap_spread_is_swap_minus_treasury_in_bp() -> None:
    dates = pd.bdate_range("2010-01-04", periods=2)
    yields = _yields(dates, **{"3y": 3.0, "5y": 4.0, "10y": 4.5})
    series = pd.DataFrame({"DSWP4": [4.0, 3.2], "DSWP10": [4.3, np.nan], "SOFR": [0.1, 0.1]}, index=dates)
    spreads = swap_spreads_bp(yields, series)
    assert list(spreads.columns) == ["4y", "10y"]
    assert spreads["4y"].tolist() == pytest.approx([50.0, -30.0])
    assert spreads.loc[dates[0], "10y"] == pytest.approx(-20.0)
    assert np.isnan(spreads.loc[dates[1], "10y"])


def test_sources_of_one_tenor_are_combined_and_listed_in_the_coverage() -> None:
    dates = pd.bdate_range("2016-10-24", "2018-04-06")
    series = pd.DataFrame(index=dates, dtype=float)
    series["DSWP10"] = np.where(dates <= "2016-10-28", 1.8, np.nan)
    series["SOFRSWP10"] = np.where(dates >= "2018-04-02", 2.7, np.nan)
    yields = _yields(dates, **{"10y": 2.0})
    spreads = swap_spreads_bp(yields, series)["10y"]
    assert spreads.loc["2016-10-28"] == pytest.approx(-20.0)
    assert spreads.loc["2018-04-03"] == pytest.approx(70.0)
    coverage = swap_coverage(series)
    ten = coverage[coverage["tenor"] == "10y"].set_index("source_id")
    assert list(ten.index) == ["SOFRSWP10", "DSWP10"]  # newest source first
    assert ten.loc["DSWP10", "last_date"] == pd.Timestamp("2016-10-28")
    assert ten.loc["DSWP10", "n_obs"] == 5
    assert ten.loc["SOFRSWP10", "first_date"] == pd.Timestamp("2018-04-02")
    absent = coverage[coverage["tenor"] == "2y"].iloc[0]
    assert pd.isna(absent["source_id"]) and absent["n_obs"] == 0
    assert set(coverage["tenor_years"]) == set(STANDARD_SWAP_TENORS_Y)


def test_snapshot_reports_stale_and_absent_swap_rates_plainly() -> None:
    dates = pd.bdate_range("2016-10-03", "2016-11-30")
    yields = _yields(dates, **{"5y": 1.2, "10y": 1.8, "30y": 2.5})
    series = pd.DataFrame(index=dates, dtype=float)
    for sid, rate in (("DSWP5", 1.3), ("DSWP10", 1.6), ("DSWP30", 2.0)):
        series[sid] = np.where(dates <= "2016-10-28", rate, np.nan)
    fresh = swaps_snapshot(yields, series, as_of="2016-11-04")  # 7 days after the last rate
    assert fresh["swap_spreads_bp"]["10y"] == pytest.approx(-20.0)
    assert fresh["swap_spreads_bp"]["30y"] == pytest.approx(-50.0)
    assert fresh["swap_spreads_bp"]["2y"] is None
    assert "1y, 2y, 3y, 4y, 7y swap rates: none stored (import SOFR swap rates)" in fresh["missing"]
    stale = swaps_snapshot(yields, series, as_of="2016-11-30")
    assert stale["swap_spreads_bp"]["10y"] is None
    assert (
        "5y, 10y, 30y swap rates after 2016-10-28: none stored (import SOFR swap rates)"
        in stale["missing"]
    )
    json.dumps(stale)


# --- real history ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def swap_series(shared_data: Path) -> pd.DataFrame:
    ids = ("DSWP1", "DSWP2", "DSWP3", "DSWP4", "DSWP5", "DSWP7", "DSWP10", "DSWP30")
    return pd.concat([read_shared_series(shared_data, f"fred/{i}.csv") for i in ids], axis=1)


def test_real_30y_swap_spread_positive_in_2005_negative_after_2008(
    real_yields: pd.DataFrame, swap_series: pd.DataFrame
) -> None:
    spread = swap_spreads_bp(real_yields, swap_series)["30y"].dropna()
    assert (spread.loc["2005"] > 0).all()
    monthly = spread.loc["2009-01":"2016-10"].resample("ME").median().dropna()  # 2011 gap
    assert len(monthly) >= 90
    assert (monthly < 0).all()


def test_real_coverage_shows_where_swap_history_ends(swap_series: pd.DataFrame) -> None:
    coverage = swap_coverage(swap_series).set_index("tenor")
    assert coverage.loc["10y", "last_date"] == pd.Timestamp("2016-10-28")
    assert coverage.loc["2y", "last_date"] == pd.Timestamp("2011-08-12")
    assert coverage.loc["10y", "first_date"] == pd.Timestamp("2000-07-03")


def test_real_snapshot_in_2025_has_no_swap_spreads_and_says_why(
    real_yields: pd.DataFrame, swap_series: pd.DataFrame
) -> None:
    snap = swaps_snapshot(real_yields, swap_series, as_of="2025-04-11")
    assert all(v is None for v in snap["swap_spreads_bp"].values())
    assert any("after 2016-10-28: none stored" in m for m in snap["missing"])


def test_real_weekly_2y_swap_is_compared_with_the_same_weeks_average_2y(
    shared_data: Path, real_yields: pd.DataFrame
) -> None:
    # Issue 9 item 3: as of Tuesday 2014-12-16 the 2y reading is WSWP2 of Friday 2014-12-12
    # (a week's average, 0.83 %), which must be compared with DGS2's average over Mon 12-08 ..
    # Fri 12-12, not with the one day 12-12 (0.56 %: 27 bp, the old value).
    wswp2 = read_shared_series(shared_data, "fred/WSWP2.csv")
    dgs2 = read_shared_series(shared_data, "fred/DGS2.csv")
    week = dgs2.loc["2014-12-08":"2014-12-12"]
    assert len(week) == 5
    by_hand = (wswp2.loc["2014-12-12"] - week.mean()) * 100
    snap = swaps_snapshot(real_yields, wswp2.to_frame("WSWP2"), as_of="2014-12-16")
    assert snap["swap_spreads_bp"]["2y"] == pytest.approx(round(by_hand, 1), abs=1e-9)
    assert 20.0 < snap["swap_spreads_bp"]["2y"] < 24.0
    assert snap["swap_spreads_date"]["2y"] == "2014-12-12"
    assert snap["swap_spreads_weekly"] == ["2y"]
    # A daily source keeps the same-day comparison and is dated on its own day.
    dswp10 = read_shared_series(shared_data, "fred/DSWP10.csv")
    daily = swaps_snapshot(real_yields, dswp10.to_frame("DSWP10"), as_of="2014-12-16")
    assert daily["swap_spreads_date"]["10y"] == "2014-12-16"
    assert daily["swap_spreads_bp"]["10y"] == pytest.approx(
        round((dswp10.loc["2014-12-16"] - real_yields.loc["2014-12-16", "10y"]) * 100, 1), abs=1e-9)
