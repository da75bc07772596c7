"""Risk measures: closed forms for zero-coupon bonds, batch = one by one, KRD sums, hedges."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.bonds import Bullet, cash_flow_matrix
from analytics.curves import bootstrap_par_curve, flat_curve
from analytics.hullwhite import CallableBond, HullWhiteParams
from analytics.risk import (
    PositionRisk,
    aggregate_risk,
    bond_risk,
    bullet_risk_batch,
    futures_hedges,
)
from analytics.tenors import KEY_TENORS

CURVE = bootstrap_par_curve({"1m": 4.3, "3m": 4.3, "6m": 4.2, "1y": 4.0, "2y": 3.8, "3y": 3.8,
                             "5y": 3.9, "7y": 4.1, "10y": 4.3, "20y": 4.8, "30y": 4.8})


def test_zero_coupon_durations_and_convexity_in_closed_form():
    # The shifts move the semiannual zero z2 = 2 (exp(z / 2) - 1): P(s) = 100 (a + s/2)^(-2T)
    # with a = exp(z / 2) on a flat continuous curve z.
    t_years, h = 8.0, 0.0025
    a = math.exp(0.02)

    def p(s: float) -> float:
        return 100 * (a + s / 2) ** (-2 * t_years)

    report = bond_risk(Bullet(coupon_pct=0.0, maturity_years=t_years), flat_curve(4.0), shift_bp=25.0)
    assert report.price_clean == pytest.approx(p(0.0), abs=1e-12)
    assert report.effective_duration == pytest.approx((p(-h) - p(h)) / (2 * p(0.0) * h), rel=1e-12)
    assert report.convexity == pytest.approx((p(-h) + p(h) - 2 * p(0.0)) / (p(0.0) * h**2), rel=1e-8)
    assert report.up_duration == pytest.approx((p(0.0) - p(h)) / (p(0.0) * h), rel=1e-12)
    assert report.down_duration == pytest.approx((p(h * -1) - p(0.0)) / (p(0.0) * h), rel=1e-12)
    assert report.modified_duration == pytest.approx(t_years / (1 + report.yield_pct / 200), rel=1e-12)
    assert report.shift_basis == "semiannual"


def test_zero_coupon_between_two_keys_splits_its_duration_by_the_triangles():
    # At 4y the 3y and 5y triangles both weigh 0.5: each KRD is the central difference of a
    # half-size move of the 4y semiannual zero.
    h = 0.0025
    report = bond_risk(Bullet(coupon_pct=0.0, maturity_years=4.0), CURVE)
    a = math.exp(float(CURVE.zero_rate(4.0)) / 2)

    def p(s: float) -> float:
        return (a + s / 2) ** -8

    half = (p(-h / 2) - p(h / 2)) / (2 * p(0.0) * h)
    assert report.krd["3y"] == pytest.approx(half, rel=1e-12)
    assert report.krd["5y"] == pytest.approx(half, rel=1e-12)
    assert all(report.krd[k] == 0.0 for k in KEY_TENORS if k not in ("3y", "5y"))


def test_batch_risk_equals_bond_by_bond_risk_off_explicitly_shifted_curves():
    coupons = np.array([0.0, 2.5, 4.0, 6.75, 3.0])
    mats = np.array([0.4, 2.0, 7.3, 19.9, 33.0])
    spreads = np.array([0.0, 15.0, -10.0, 80.0, 5.0])
    batch = bullet_risk_batch(cash_flow_matrix(coupons_pct=coupons, maturities_years=mats), CURVE,
                              spreads_bp=spreads)
    for i in range(coupons.size):
        one = bond_risk(Bullet(coupon_pct=coupons[i], maturity_years=mats[i]), CURVE, spread_bp=spreads[i])
        assert batch.price_clean[i] == pytest.approx(one.price_clean, abs=1e-10)
        assert batch.effective_duration[i] == pytest.approx(one.effective_duration, abs=1e-10)
        assert batch.convexity[i] == pytest.approx(one.convexity, abs=1e-6)
        assert batch.up_duration[i] == pytest.approx(one.up_duration, abs=1e-10)
        np.testing.assert_allclose(batch.krd[i], [one.krd[k] for k in KEY_TENORS], atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(coupon=st.floats(0.0, 10.0), maturity=st.floats(0.2, 40.0), shift=st.floats(1.0, 100.0),
       spread=st.floats(-100.0, 300.0))
def test_taxable_bullet_krds_sum_to_the_effective_duration(coupon, maturity, shift, spread):
    # Per unit of PV at time t the parallel difference is g(h) / 2h with
    # g(x) = (1 - x/c)^(-2t) - (1 + x/c)^(-2t), c = 2 + z2(t); the key-rate ones add up to
    # sum_k g(w_k h) / 2h with sum_k w_k = 1. g is convex on [0, c) with g(0) = 0, hence
    # superadditive: 0 <= D - sum KRD <= (g(h) - g'(0) h) / 2h, largest for the longest flow
    # and the lowest c.
    report = bond_risk(Bullet(coupon_pct=coupon, maturity_years=maturity), CURVE, spread_bp=spread,
                       shift_bp=shift)
    h = shift * 1e-4
    c = 2 + 2 * math.expm1(float(CURVE.zero_rates.min()) / 2)
    n = 2 * maturity
    bound = ((1 - h / c) ** -n - (1 + h / c) ** -n - 2 * n * h / c) / (2 * h)
    gap = report.effective_duration - report.krd_sum
    assert -1e-10 <= gap <= bound + 1e-10


def test_callable_has_negative_convexity_and_longer_up_than_down_duration():
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.0), call_after_years=2.0)
    report = bond_risk(bond, flat_curve(4.9, frequency=2), price_clean=99.0,
                       params=HullWhiteParams(steps=150))
    assert report.oas_bp is not None
    assert report.convexity < 0
    assert report.up_duration > report.down_duration
    assert report.effective_duration < report.modified_duration  # the call shortens it


def test_price_given_is_repriced_by_the_solved_spread():
    report = bond_risk(Bullet(coupon_pct=4.0, maturity_years=7.3), CURVE, price_clean=98.0)
    assert report.price_clean == pytest.approx(98.0, abs=1e-9)
    assert report.oas_bp is None


def test_futures_hedge_is_bucket_dv01_over_contract_dv01():
    hedges = {h.bucket: h for h in futures_hedges({"10y": 6_500.0, "2y": -380.0})}
    assert hedges["10y"].contract_key == "ULTRA_10Y"
    assert hedges["10y"].hedge_ratio == pytest.approx(6_500.0 / 90.0)
    assert hedges["2y"].hedge_ratio == pytest.approx(-10.0)  # 38 USD per contract: buy 10
    edited = {h.bucket: h for h in futures_hedges({"10y": 6_500.0}, futures_dv01_usd={"ULTRA_10Y": 100.0})}
    assert edited["10y"].hedge_ratio == pytest.approx(65.0)
    with pytest.raises(ValueError, match="unknown contract 'XYZ'"):
        futures_hedges({}, futures_dv01_usd={"XYZ": 1.0})
    with pytest.raises(ValueError, match="must be a positive USD amount"):
        futures_hedges({}, futures_dv01_usd={"UST_2Y": 0.0})


def test_position_and_portfolio_dv01_add_up():
    zero = bond_risk(Bullet(coupon_pct=0.0, maturity_years=4.0), flat_curve(4.0))
    long_pos = PositionRisk(position_id="a", face_usd=1_000_000.0, report=zero)
    short_pos = PositionRisk(position_id="b", face_usd=-250_000.0, report=zero)
    mv = 1_000_000.0 / 100 * zero.price_dirty
    assert long_pos.market_value_usd == pytest.approx(mv)
    assert long_pos.dv01_usd == pytest.approx(mv * zero.effective_duration * 1e-4)
    book = aggregate_risk([long_pos, short_pos])
    assert book.market_value_usd == pytest.approx(0.75 * mv)
    assert book.dv01_usd == pytest.approx(0.75 * mv * zero.effective_duration * 1e-4)
    assert sum(book.krd_dv01_usd.values()) == pytest.approx(0.75 * mv * zero.krd_sum * 1e-4)
    assert book.effective_duration == pytest.approx(zero.effective_duration)


def test_bad_risk_requests_are_rejected():
    bond = Bullet(coupon_pct=4.0, maturity_years=5.0)
    with pytest.raises(ValueError, match=r"shift_bp must be in \(0, 500\]"):
        bond_risk(bond, CURVE, shift_bp=0.0)
    with pytest.raises(ValueError, match="at most one of price_clean, yield_pct"):
        bond_risk(bond, CURVE, price_clean=99.0, yield_pct=4.0)


def test_a_callable_quoted_at_its_yield_to_worst_is_priced_to_the_worst_date():
    # 6 % callable at 100 from 2y, 10y to maturity, quoted at 4 % to worst: the price is the
    # lower of the price to the 2y call and to maturity (here the call): by hand,
    # 3 a(4, 1.02) + 100 / 1.02^4 with a(n, r) = (1 - r^-n) / (r - 1).
    bond = CallableBond(bullet=Bullet(coupon_pct=6.0, maturity_years=10.0), call_after_years=2.0)
    to_call = 3 * (1 - 1.02**-4) / 0.02 + 100 / 1.02**4
    report = bond_risk(bond, flat_curve(4.0, frequency=2), yield_pct=4.0, yield_basis="worst",
                       params=HullWhiteParams(steps=100))
    assert report.price_clean == pytest.approx(to_call, abs=1e-9)
    assert report.yield_to_worst_pct == pytest.approx(4.0, abs=1e-9)
    assert report.workout_years == pytest.approx(2.0)
    assert report.yield_basis == "worst"
    as_ytm = bond_risk(bond, flat_curve(4.0, frequency=2), yield_pct=4.0, params=HullWhiteParams(steps=100))
    assert as_ytm.price_clean > report.price_clean  # read as yield to maturity: a higher price
    assert as_ytm.yield_to_worst_pct < 4.0


def test_one_lattice_serves_the_oas_solve_the_bumps_and_the_convexity_fit(monkeypatch):
    import analytics.hullwhite as hw

    builds = []
    real_build = hw.build_tree

    def counting_build(*args, **kwargs):
        builds.append(1)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(hw, "build_tree", counting_build)
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.0), call_after_years=3.0)
    report = bond_risk(bond, CURVE, price_clean=99.0, params=HullWhiteParams(steps=200))
    assert report.price_clean == pytest.approx(99.0, abs=1e-8)
    assert len(builds) == 1


def test_registry_names_its_pricers_and_rejects_unknown_instruments():
    from analytics.risk import PRICERS, pricer_for

    assert {t.__name__ for t in PRICERS} == {"Bullet", "CallableBond", "MuniBond"}
    assert pricer_for(Bullet(coupon_pct=1.0, maturity_years=2.0)).kind == "bullet"
    with pytest.raises(TypeError, match="no pricer for str"):
        pricer_for("a bond")


def test_shared_risk_curves_give_the_same_report_and_refuse_another_curve():
    """A book builds the shifted curves once for all its positions: the reports are those of
    bonds priced alone, and curves built for another curve or shift are refused."""
    from analytics.risk import risk_curves

    bonds = [Bullet(coupon_pct=4.0, maturity_years=7.0),
             CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.0), call_after_years=2.0)]
    shared = risk_curves(CURVE, shift_bp=10.0)
    for bond in bonds:
        alone = bond_risk(bond, CURVE, price_clean=99.0, shift_bp=10.0)
        with_shared = bond_risk(bond, CURVE, price_clean=99.0, shift_bp=10.0, shared=shared)
        assert with_shared == alone
    with pytest.raises(ValueError, match="another curve"):
        bond_risk(bonds[0], flat_curve(4.0), price_clean=99.0, shift_bp=10.0, shared=shared)
    with pytest.raises(ValueError, match="another curve, shift"):
        bond_risk(bonds[0], CURVE, price_clean=99.0, shift_bp=25.0, shared=shared)
