"""The embedded DEMO data set: deterministic, plausible, and carrying the stress episodes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.tenors import CMT_SERIES
from data.demo import generate_demo


def test_demo_is_deterministic():
    a, b = generate_demo(), generate_demo()
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.cftc, b.cftc)


def test_demo_yields_are_plausible_and_curve_inverts_sometimes():
    s = generate_demo().series
    yields = s[list(CMT_SERIES.values())]
    assert yields.min().min() >= 0.0 and yields.max().max() < 15.0
    two_ten = s["DGS10"] - s["DGS2"]
    assert (two_ten < 0).any() and (two_ten > 1.0).any()


def test_demo_tariff_week_is_a_bear_steepener():
    s = generate_demo().series
    d2 = s.loc["2025-04-11", "DGS2"] - s.loc["2025-04-04", "DGS2"]
    d10 = s.loc["2025-04-11", "DGS10"] - s.loc["2025-04-04", "DGS10"]
    assert d10 > 0.2 and d10 > d2


def test_demo_repo_spike_and_facility_use_on_2019_09_17():
    s = generate_demo().series
    day = s.loc["2019-09-17"]
    assert (day["SOFR"] - day["EFFR"]) * 100 > 100
    assert day["SOFR99"] - day["SOFR1"] > 3.0
    assert day["RPONTSYD"] > 40


def test_demo_leveraged_funds_are_net_short_in_2024():
    cftc = generate_demo().cftc
    lev = cftc[(cftc.trader_group == "lev_money") & (cftc.report_date.dt.year == 2024)]
    assert ((lev["long"] - lev["short"]) < 0).all()
    assert set(cftc.contract_code) == {"042601", "044601", "043602", "043607", "020601", "020604"}
    assert np.isnan(cftc[cftc.trader_group == "nonrept"]["spreading"]).all()
