"""Mortgage convexity hedging: S-curve, pool duration, universe shock and hedge flow.

References: QuantLib (amortizing and bullet bonds), a month-by-month pool written here, closed
forms for the limiting cases, and the Freddie Mac mortgage-rate history in ../shared/data.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import QuantLib as ql
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.mortgage import (
    DEFAULT_SWEEP_SHOCKS_BP,
    MortgageUniverse,
    PrepaymentCurve,
    convexity_hedge_flow,
    convexity_hedge_sweep,
    cpr_pct,
    par_bond_modified_duration,
    pool_price_duration,
)
from tests.conftest import read_shared_series

FAST = settings(max_examples=60, deadline=None)


# -- prepayment S-curve ------------------------------------------------------------------------
def test_cpr_at_midpoint_is_halfway_between_base_and_max() -> None:
    curve = PrepaymentCurve(base_cpr_pct=6.0, max_cpr_pct=60.0, midpoint_pct=1.0, slope_per_pct=3.0)
    assert cpr_pct(1.0, curve=curve) == pytest.approx(33.0, abs=1e-12)


def test_cpr_matches_the_logistic_formula_by_hand() -> None:
    curve = PrepaymentCurve(
        base_cpr_pct=7.0, max_cpr_pct=55.0, midpoint_pct=0.75, slope_per_pct=2.5
    )
    # incentive 0: 7 + 48 / (1 + e^(2.5 x 0.75))
    assert cpr_pct(0.0, curve=curve) == pytest.approx(
        7.0 + 48.0 / (1.0 + math.exp(1.875)), rel=1e-12
    )


def test_cpr_tends_to_base_out_of_the_money_and_to_max_deep_in_the_money() -> None:
    curve = PrepaymentCurve()
    far = cpr_pct(np.array([-50.0, 50.0]), curve=curve)
    assert far[0] == pytest.approx(curve.base_cpr_pct, abs=1e-9)
    assert far[1] == pytest.approx(curve.max_cpr_pct, abs=1e-9)


@FAST
@given(
    x=st.floats(-6, 6),
    dx=st.floats(1e-3, 3),
    slope=st.floats(0.5, 10),
    mid=st.floats(-2, 2),
)
def test_cpr_is_increasing_in_the_incentive(x: float, dx: float, slope: float, mid: float) -> None:
    curve = PrepaymentCurve(midpoint_pct=mid, slope_per_pct=slope)
    low, high = cpr_pct(np.array([x, x + dx]), curve=curve)
    assert high >= low
    assert curve.base_cpr_pct <= low <= high <= curve.max_cpr_pct


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_cpr_pct": -1.0}, r"base_cpr_pct must be in \[0, 100\]"),
        ({"max_cpr_pct": 5.0, "base_cpr_pct": 7.0}, r"max_cpr_pct must be above base_cpr_pct"),
        ({"slope_per_pct": 0.0}, r"slope_per_pct must be in \(0, 20\]"),
        ({"midpoint_pct": 9.0}, r"midpoint_pct must be in \[-5, 5\]"),
    ],
)
def test_prepayment_curve_rejects_out_of_range_parameters(
    kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PrepaymentCurve(**kwargs)


# -- pool duration -----------------------------------------------------------------------------
def _quantlib_level_pay(coupon_pct: float, rate_pct: float) -> tuple[float, float]:
    """Price (per 1) and modified duration of a 30y level-pay amortizing bond in QuantLib."""
    start = ql.Date(15, 1, 2025)
    ql.Settings.instance().evaluationDate = start
    dc = ql.Thirty360(ql.Thirty360.BondBasis)
    schedule = ql.sinkingSchedule(start, ql.Period(30, ql.Years), ql.Monthly, ql.NullCalendar())
    notionals = ql.sinkingNotionals(ql.Period(30, ql.Years), ql.Monthly, coupon_pct / 100, 100.0)
    bond = ql.AmortizingFixedRateBond(0, notionals, schedule, [coupon_pct / 100], dc)
    rate = ql.InterestRate(rate_pct / 100, dc, ql.Compounded, ql.Monthly)
    price = ql.BondFunctions.cleanPrice(bond, rate, start) / 100.0
    duration = ql.BondFunctions.duration(bond, rate, ql.Duration.Modified, start)
    return price, duration


@pytest.mark.parametrize(("coupon", "rate"), [(5.5, 6.25), (3.0, 7.0), (7.0, 4.0)])
def test_pool_without_prepayments_matches_quantlib_amortizing_bond(
    coupon: float, rate: float
) -> None:
    ql_price, ql_duration = _quantlib_level_pay(coupon, rate)
    price, duration = pool_price_duration(coupon, 0.0, rate)
    assert float(price) == pytest.approx(ql_price, abs=1e-10)
    assert float(duration) == pytest.approx(ql_duration, abs=1e-8)


def test_pool_discounted_at_its_own_note_rate_without_prepayments_is_at_par() -> None:
    price, _ = pool_price_duration(6.0, 0.0, 6.0)
    assert float(price) == pytest.approx(1.0, abs=1e-12)


def test_pool_prepaying_everything_in_the_first_month_has_one_month_duration() -> None:
    # CPR 100%: SMM = 1, the whole balance plus a month of interest comes back at month 1.
    price, duration = pool_price_duration(5.0, 100.0, 6.0)
    assert float(price) == pytest.approx((1 + 0.05 / 12) / (1 + 0.06 / 12), rel=1e-12)
    assert float(duration) == pytest.approx((1 / 12) / (1 + 0.06 / 12), rel=1e-12)


def _pool_by_month(
    coupon_pct: float, cpr: float, rate_pct: float, months: int
) -> tuple[float, float]:
    """Month-by-month pool: re-amortise the level payment on the surviving balance each month."""
    i = coupon_pct / 1200.0
    smm = 1.0 - (1.0 - cpr / 100.0) ** (1.0 / 12.0)
    v = 1.0 / (1.0 + rate_pct / 1200.0)
    balance, pv, pv_t = 1.0, 0.0, 0.0
    for k in range(1, months + 1):
        left = months - k + 1
        payment = balance * i / (1.0 - (1.0 + i) ** (-left))
        interest = balance * i
        scheduled = payment - interest
        prepaid = smm * (balance - scheduled)
        flow = interest + scheduled + prepaid
        balance -= scheduled + prepaid
        pv += flow * v**k
        pv_t += (k / 12.0) * flow * v**k
    return pv, pv_t / pv * v


@pytest.mark.parametrize(
    ("coupon", "cpr", "rate", "months"), [(4.5, 8.0, 6.25, 360), (6.5, 35.0, 5.5, 300)]
)
def test_pool_with_prepayments_matches_a_month_by_month_pool(
    coupon: float, cpr: float, rate: float, months: int
) -> None:
    ref_price, ref_duration = _pool_by_month(coupon, cpr, rate, months)
    price, duration = pool_price_duration(coupon, cpr, rate, remaining_term_months=months)
    assert float(price) == pytest.approx(ref_price, rel=1e-10)
    assert float(duration) == pytest.approx(ref_duration, rel=1e-10)


def test_pool_first_month_cash_flow_by_hand() -> None:
    # 1-month pool = one payment of balance + interest, whatever the CPR: price = 1.005 / 1.006.
    price, duration = pool_price_duration(6.0, 20.0, 7.2, remaining_term_months=1)
    assert float(price) == pytest.approx(1.005 / 1.006, rel=1e-12)
    assert float(duration) == pytest.approx((1 / 12) / 1.006, rel=1e-12)


@FAST
@given(
    coupon=st.floats(1.0, 9.0),
    rate=st.floats(1.0, 10.0),
    cpr=st.floats(0.0, 80.0),
    dcpr=st.floats(0.5, 20.0),
)
def test_pool_duration_shortens_when_prepayments_speed_up(
    coupon: float, rate: float, cpr: float, dcpr: float
) -> None:
    _, durations = pool_price_duration(coupon, np.array([cpr, cpr + dcpr]), rate)
    assert durations[1] < durations[0]


def test_pool_duration_is_vectorised_over_broadcast_arrays() -> None:
    coupons = np.array([3.0, 5.0, 7.0])
    prices, durations = pool_price_duration(coupons[:, None], np.array([[0.0, 10.0]]), 6.0)
    assert prices.shape == durations.shape == (3, 2)
    single = pool_price_duration(5.0, 10.0, 6.0)
    assert durations[1, 1] == pytest.approx(float(single[1]), rel=1e-14)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.0, 5.0, 6.0), r"coupon_pct must be in \(0, 25\]"),
        ((5.0, 120.0, 6.0), r"cpr must be in \[0, 100\]"),
        ((5.0, 5.0, -1.0), r"discount_rate_pct must be in \(0, 25\]"),
    ],
)
def test_pool_rejects_out_of_range_inputs(args: tuple[float, float, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pool_price_duration(*args)


# -- hedge instrument --------------------------------------------------------------------------
@pytest.mark.parametrize("yield_pct", [1.5, 4.25, 8.0])
def test_ten_year_par_duration_matches_quantlib(yield_pct: float) -> None:
    start = ql.Date(15, 1, 2025)
    dc = ql.Thirty360(ql.Thirty360.BondBasis)
    schedule = ql.Schedule(
        start,
        start + ql.Period(10, ql.Years),
        ql.Period(ql.Semiannual),
        ql.NullCalendar(),
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        False,
    )
    bond = ql.FixedRateBond(0, 100.0, schedule, [yield_pct / 100], dc)
    rate = ql.InterestRate(yield_pct / 100, dc, ql.Compounded, ql.Semiannual)
    expected = ql.BondFunctions.duration(bond, rate, ql.Duration.Modified, start)
    assert par_bond_modified_duration(yield_pct) == pytest.approx(expected, abs=1e-10)


# -- universe, shock and flow ------------------------------------------------------------------
def test_no_shock_gives_no_extension_and_no_flow() -> None:
    result = convexity_hedge_flow(MortgageUniverse(), shock_bp=0.0)
    assert result.duration_extension_yrs == pytest.approx(0.0, abs=1e-12)
    assert result.hedge_flow_10y_bn == pytest.approx(0.0, abs=1e-9)
    assert result.cpr_after_pct == pytest.approx(result.cpr_before_pct, abs=1e-12)


def test_single_coupon_shock_by_hand() -> None:
    # One 6% bucket, mortgage rate 6%, +100bp; every step recomputed here from the formulas.
    universe = MortgageUniverse.single_coupon(
        6.0, outstanding_bn=1000.0, hedged_share=0.5, mortgage_rate_pct=6.0
    )
    result = convexity_hedge_flow(universe, shock_bp=100.0, hedge_duration_yrs=8.0)
    cpr0 = 7.0 + 48.0 / (1.0 + math.exp(-2.5 * (0.0 - 0.75)))
    cpr1 = 7.0 + 48.0 / (1.0 + math.exp(-2.5 * (-1.0 - 0.75)))
    price0, d0 = _pool_by_month(6.0, cpr0, 6.0, 360)
    _, d1_prepay = _pool_by_month(6.0, cpr1, 6.0, 360)
    _, d1 = _pool_by_month(6.0, cpr1, 7.0, 360)
    assert result.cpr_before_pct == pytest.approx(cpr0, rel=1e-12)
    assert result.cpr_after_pct == pytest.approx(cpr1, rel=1e-12)
    assert result.duration_before_yrs == pytest.approx(d0, rel=1e-10)
    assert result.duration_after_yrs == pytest.approx(d1, rel=1e-10)
    assert result.prepay_extension_yrs == pytest.approx(d1_prepay - d0, rel=1e-9)
    hedged_mv = 1000.0 * price0 * 0.5
    assert result.hedged_market_value_bn == pytest.approx(hedged_mv, rel=1e-10)
    # 1 bn x 1 year of dollar duration is USD 0.1mn per bp.
    assert result.dv01_change_usd_mn == pytest.approx(hedged_mv * (d1_prepay - d0) * 0.1, rel=1e-9)
    assert result.hedge_flow_10y_bn == pytest.approx(hedged_mv * (d1_prepay - d0) / 8.0, rel=1e-9)


def test_par_coupon_universe_extends_when_rates_rise() -> None:
    # Near par, the prepayment slowdown dominates discounting: total duration extends too.
    universe = MortgageUniverse.single_coupon(6.5, mortgage_rate_pct=6.5)
    result = convexity_hedge_flow(universe, shock_bp=50.0)
    assert result.duration_after_yrs > result.duration_before_yrs
    assert result.cpr_after_pct < result.cpr_before_pct


_shares = st.dictionaries(
    st.sampled_from([2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5]),
    st.floats(0.01, 1.0),
    min_size=1,
    max_size=6,
)


@FAST
@given(
    shares=_shares,
    rate=st.floats(3.0, 8.0),
    # below 300 bp: a 300 bp fall from a 3% mortgage rate is a 0% rate, which the model refuses
    shock=st.floats(1.0, 290.0),
    hedged=st.floats(0.01, 1.0),
)
def test_rates_up_extend_duration_and_hedgers_sell_rates_down_they_buy(
    shares: dict[float, float], rate: float, shock: float, hedged: float
) -> None:
    universe = MortgageUniverse(coupon_shares=shares, mortgage_rate_pct=rate, hedged_share=hedged)
    up = convexity_hedge_flow(universe, shock_bp=shock)
    down = convexity_hedge_flow(universe, shock_bp=-shock)
    assert up.prepay_extension_yrs > 0 and up.hedge_flow_10y_bn > 0
    assert down.prepay_extension_yrs < 0 and down.hedge_flow_10y_bn < 0
    assert up.cpr_after_pct < up.cpr_before_pct < down.cpr_after_pct


def test_sweep_agrees_with_single_shocks_and_flow_rises_with_the_shock() -> None:
    universe = MortgageUniverse()
    sweep = convexity_hedge_sweep(universe)
    assert list(sweep.index) == list(DEFAULT_SWEEP_SHOCKS_BP)
    assert sweep.index[0] == -200 and sweep.index[-1] == 200
    assert sweep["hedge_flow_10y_bn"].is_monotonic_increasing
    for shock in (-150.0, 0.0, 75.0):
        one = convexity_hedge_flow(universe, shock_bp=shock)
        row = sweep.loc[shock]
        assert row["hedge_flow_10y_bn"] == pytest.approx(one.hedge_flow_10y_bn, rel=1e-12, abs=1e-9)
        assert row["duration_yrs"] == pytest.approx(one.duration_after_yrs, rel=1e-12)


def test_coupon_shares_are_normalised_and_frozen() -> None:
    shares = {3.0: 20.0, 5.0: 60.0}
    universe = MortgageUniverse(coupon_shares=shares)
    shares[3.0] = 1000.0  # the universe keeps its own copy
    assert dict(universe.coupon_shares) == {3.0: 0.25, 5.0: 0.75}
    assert universe.average_coupon_pct == pytest.approx(4.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outstanding_bn": 0.0}, r"outstanding_bn must be in \(0, 50000\]"),
        ({"hedged_share": 1.5}, r"hedged_share must be in \[0, 1\]"),
        ({"mortgage_rate_pct": 30.0}, r"mortgage_rate_pct must be in \(0, 25\]"),
        ({"coupon_shares": {}}, r"coupon_shares must name at least one coupon"),
        ({"coupon_shares": {4.0: -0.1}}, r"share of 4% must be in \[0, 100\]"),
    ],
)
def test_universe_rejects_out_of_range_inputs(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MortgageUniverse(**kwargs)  # type: ignore[arg-type]


def test_shock_that_would_push_the_mortgage_rate_below_zero_is_rejected() -> None:
    universe = MortgageUniverse(mortgage_rate_pct=2.0)
    with pytest.raises(ValueError, match=r"shock_bp must be in \(-200, 1000\]"):
        convexity_hedge_flow(universe, shock_bp=-250.0)
    with pytest.raises(ValueError, match=r"shock_bp must be in \[-1000, 1000\]"):
        convexity_hedge_flow(universe, shock_bp=5000.0)


def test_2022_rate_rise_extends_the_2021_universe_on_real_mortgage_rates(shared_data: Path) -> None:
    # History: the 30y mortgage rate went from ~3% (end 2021) to ~7% (end 2022), the
    # textbook extension episode. A universe at the end-2021 rate, all at 3%-3.5% note rates,
    # slows from refinancing speeds to turnover and extends by well over a year.
    rate = read_shared_series(shared_data, "fred/MORTGAGE30US.csv")
    start = float(rate.loc["2021-12-30"])
    end = float(rate.loc["2022-12-29"])
    assert 3.0 < start < 3.3 and 6.3 < end < 6.5  # PMMS: 3.11% and 6.42%
    universe = MortgageUniverse(coupon_shares={3.0: 0.5, 3.5: 0.5}, mortgage_rate_pct=start)
    result = convexity_hedge_flow(universe, shock_bp=(end - start) * 100.0)
    assert result.cpr_before_pct > 10.0
    assert result.cpr_after_pct == pytest.approx(7.0, abs=0.1)
    assert result.prepay_extension_yrs > 1.0
    assert result.hedge_flow_10y_bn > 0
