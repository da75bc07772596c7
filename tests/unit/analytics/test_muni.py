"""Munis and the de minimis rule: hand-computed prices on both sides of the threshold."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.bonds import Bullet, price_on_curve
from analytics.curves import flat_curve, key_rate_shift
from analytics.hullwhite import CallableBond, CallableTreePricer, HullWhiteParams
from analytics.muni import (
    MuniBond,
    MuniPricer,
    de_minimis_threshold_price,
    regime_for_price,
    solve_tax_aware_price,
    tax_rate_for_price,
)
from analytics.risk import bond_risk


def _flat_with_discount(discount: float, years: float):
    """A flat continuous curve whose discount factor at `years` is `discount`."""
    return flat_curve(-math.log(discount) / years * 100.0)


def _annual_flat(yield_pct: float):
    return flat_curve(math.log1p(yield_pct / 100.0) * 100.0)  # annual compounding as continuous


def test_threshold_counts_full_years_only():
    assert de_minimis_threshold_price(10.0) == 97.5
    assert de_minimis_threshold_price(10.9) == 97.5
    assert de_minimis_threshold_price(0.6) == 100.0
    assert tax_rate_for_price(97.51, maturity_years=10.0, ordinary_rate=0.4, capital_gains_rate=0.2) == 0.2
    assert tax_rate_for_price(97.49, maturity_years=10.0, ordinary_rate=0.4, capital_gains_rate=0.2) == 0.4
    assert tax_rate_for_price(100.0, maturity_years=10.0, ordinary_rate=0.4, capital_gains_rate=0.2) == 0.0


def test_zero_coupon_just_above_the_threshold_pays_capital_gains_rate():
    # 5y zero, D(5) = 0.99, threshold 100 - 0.25 x 5 = 98.75.
    # P = 99 - 0.2 (100 - P) 0.99  =>  P = (99 - 19.8) / (1 - 0.198) = 79.2 / 0.802 = 98.7531...
    muni = MuniBond(bond=Bullet(coupon_pct=0.0, maturity_years=5.0))
    got = MuniPricer(muni).price(_flat_with_discount(0.99, 5.0))
    assert got.price_clean == pytest.approx(79.2 / 0.802, abs=1e-10)
    assert got.regime == "capital_gains" and got.tax_rate == 0.2
    assert got.price_clean >= 98.75


def test_zero_coupon_below_the_threshold_pays_ordinary_rate():
    # D(5) = 0.98: the capital-gains candidate (98 - 19.6) / 0.804 = 97.51 is below 98.75, so
    # P = (98 - 0.4 x 100 x 0.98) / (1 - 0.4 x 0.98) = 58.8 / 0.608 = 96.7105...
    muni = MuniBond(bond=Bullet(coupon_pct=0.0, maturity_years=5.0))
    got = MuniPricer(muni).price(_flat_with_discount(0.98, 5.0))
    assert got.price_clean == pytest.approx(58.8 / 0.608, abs=1e-10)
    assert got.regime == "ordinary" and got.tax_rate == 0.4


def test_annual_pay_muni_on_both_sides_of_the_threshold():
    bond = Bullet(coupon_pct=2.0, maturity_years=3.0, frequency=1)
    muni = MuniBond(bond=bond)  # threshold 100 - 0.75 = 99.25
    near = MuniPricer(muni).price(_annual_flat(2.1))
    pretax = 2 / 1.021 + 2 / 1.021**2 + 102 / 1.021**3
    u = 1.021**-3
    assert near.price_clean == pytest.approx((pretax - 100 * 0.2 * u) / (1 - 0.2 * u), abs=1e-10)
    assert near.regime == "capital_gains"
    far = MuniPricer(muni).price(_annual_flat(2.5))
    pretax = 2 / 1.025 + 2 / 1.025**2 + 102 / 1.025**3
    u = 1.025**-3
    assert far.price_clean == pytest.approx((pretax - 100 * 0.4 * u) / (1 - 0.4 * u), abs=1e-10)
    assert far.regime == "ordinary"


def test_annual_pay_muni_above_par_carries_no_tax():
    muni = MuniBond(bond=Bullet(coupon_pct=5.0, maturity_years=3.0, frequency=1))
    got = MuniPricer(muni).price(_annual_flat(4.0))
    assert got.price_clean == pytest.approx(5 / 1.04 + 5 / 1.04**2 + 105 / 1.04**3, abs=1e-10)
    assert got.regime == "none" and got.tax_rate == 0.0


def test_two_self_consistent_prices_resolve_to_the_capital_gains_one():
    # V = 98, U = 0.7, 10y (threshold 97.5): capital gains gives (98 - 14) / 0.86 = 97.67 >= 97.5
    # and ordinary gives (98 - 28) / 0.72 = 97.22 < 97.5: both hold; the higher one is taken.
    got = solve_tax_aware_price(pretax_dirty=98.0, redemption_pv=0.7, accrued=0.0, maturity_years=10.0)
    assert got.price_clean == pytest.approx(84.0 / 0.86, abs=1e-12)
    assert got.two_solutions and got.regime == "capital_gains"
    # A book that holds it at the ordinary-rate price keeps that one (the observed regime).
    kept = solve_tax_aware_price(pretax_dirty=98.0, redemption_pv=0.7, accrued=0.0, maturity_years=10.0,
                                 prefer="ordinary")
    assert kept.price_clean == pytest.approx(70.0 / 0.72, abs=1e-12) and kept.regime == "ordinary"


def test_a_price_exactly_at_the_threshold_is_taxed_as_capital_gains():
    # U = 0.5, capital gains 0.25: V = 97.5 x 0.875 + 12.5 = 97.8125 puts P exactly on 97.5.
    got = solve_tax_aware_price(
        pretax_dirty=97.8125, redemption_pv=0.5, accrued=0.0, maturity_years=10.0, capital_gains_rate=0.25
    )
    assert got.price_clean == 97.5
    assert got.regime == "capital_gains"


def test_parallel_shift_falls_through_the_threshold_but_single_key_rates_do_not():
    muni = MuniBond(bond=Bullet(coupon_pct=3.0, maturity_years=15.0))  # threshold 96.25
    curve = flat_curve(3.3, frequency=2)
    report = bond_risk(muni, curve, price_clean=98.5)
    threshold = de_minimis_threshold_price(15.0)
    assert report.price_up < threshold  # +25 bp parallel: now taxed at the ordinary rate
    assert report.up_duration > report.down_duration + 2.0  # the asymmetry an average hides
    assert report.krd_sum < report.effective_duration - 0.5  # tax-aware KRDs do not add up
    pricer = MuniPricer(muni)
    for key in ("10y", "20y"):
        moved = key_rate_shift(curve, key=key, shift_bp=25.0)
        assert pricer.price(moved, spread_bp=report.spread_bp).regime == "capital_gains"


def test_spread_for_a_market_price_round_trips():
    muni = MuniBond(bond=Bullet(coupon_pct=2.5, maturity_years=12.0))
    curve = flat_curve(3.0)
    pricer = MuniPricer(muni)
    spread = pricer.spread_for_price(curve, price_clean=96.0)
    assert pricer.price(curve, spread_bp=spread).price_clean == pytest.approx(96.0, abs=1e-8)


def test_callable_muni_without_tax_is_the_callable_price():
    bond = CallableBond(bullet=Bullet(coupon_pct=4.0, maturity_years=10.0), call_after_years=5.0)
    params = HullWhiteParams(steps=100)
    curve = flat_curve(4.2)
    untaxed = MuniPricer(MuniBond(bond=bond, ordinary_rate=0.0, capital_gains_rate=0.0), params=params)
    assert untaxed.price(curve).price_clean == pytest.approx(
        CallableTreePricer(bond, params=params).price(curve), abs=1e-12
    )
    taxed = MuniPricer(MuniBond(bond=bond), params=params).price(curve)
    assert taxed.price_clean < untaxed.price(curve).price_clean


@settings(max_examples=60, deadline=None)
@given(
    coupon=st.floats(0.0, 8.0),
    maturity=st.floats(0.5, 30.0),
    level=st.floats(0.0, 9.0),
    ordinary=st.floats(0.0, 0.6),
    gains_share=st.floats(0.0, 1.0),
)
def test_munis_at_or_above_par_carry_no_tax_and_tax_never_adds_value(coupon, maturity, level, ordinary, gains_share):
    gains = ordinary * gains_share  # the rule's premise: capital gains taxed at most as income
    bullet = Bullet(coupon_pct=coupon, maturity_years=maturity)
    curve = flat_curve(level)
    got = MuniPricer(MuniBond(bond=bullet, ordinary_rate=ordinary, capital_gains_rate=gains)).price(curve)
    pretax = price_on_curve(bullet, curve)
    if pretax >= 100.0:
        assert got.price_clean == pytest.approx(pretax, abs=1e-9)
        assert got.tax_rate == 0.0
    assert got.price_clean <= pretax + 1e-9


def test_capital_gains_rate_above_the_ordinary_rate_is_rejected():
    # Found by hypothesis: ordinary 0 and gains 0.25 left no self-consistent price near 98.75.
    with pytest.raises(ValueError, match="must be at least capital_gains_rate"):
        MuniBond(bond=Bullet(coupon_pct=7.0, maturity_years=1.75), ordinary_rate=0.0,
                 capital_gains_rate=0.25)


def test_bad_tax_rates_are_rejected():
    with pytest.raises(ValueError, match=r"ordinary_rate must be a decimal tax rate in \[0, 1\)"):
        MuniBond(bond=Bullet(coupon_pct=3.0, maturity_years=5.0), ordinary_rate=1.0)
    with pytest.raises(ValueError, match="capital_gains_rate"):
        MuniBond(bond=Bullet(coupon_pct=3.0, maturity_years=5.0), capital_gains_rate=-0.1)


def test_a_discount_exactly_at_the_de_minimis_amount_is_taxed_as_ordinary_income():
    # IRC 1278(a)(2)(C): only a discount *less than* 0.25 x full years is treated as zero.
    # 10 full years: de minimis amount 2.5 points; a price of 97.5 has exactly that discount.
    assert regime_for_price(97.5, maturity_years=10.0) == "ordinary"
    assert tax_rate_for_price(97.5, maturity_years=10.0, ordinary_rate=0.4, capital_gains_rate=0.2) == 0.4
    assert regime_for_price(97.5 + 1e-9, maturity_years=10.0) == "capital_gains"


def test_zero_coupon_muni_bought_at_its_accreted_issue_price_owes_no_tax():
    # A 10y zero issued today at 60: the whole 40-point discount is tax-exempt OID. On a curve
    # that prices it at exactly 60 the tax-aware price is 60 (the old model taxed all 40 points
    # as ordinary income: P = (60 - 0.4 x 100 x 0.6) / (1 - 0.4 x 0.6) = 36 / 0.76 = 47.37).
    curve = _flat_with_discount(0.6, 10.0)
    plain = MuniPricer(MuniBond(bond=Bullet(coupon_pct=0.0, maturity_years=10.0))).price(curve)
    assert plain.price_clean == pytest.approx(36.0 / 0.76, abs=1e-10)
    oid = MuniPricer(MuniBond(bond=Bullet(coupon_pct=0.0, maturity_years=10.0), issue_price=60.0)).price(curve)
    assert oid.price_clean == pytest.approx(60.0, abs=1e-10)
    assert oid.regime == "none" and oid.tax_rate == 0.0


def test_oid_accretes_at_the_issue_yield_and_only_the_market_discount_is_taxed():
    # 10y zero issued 2 years ago at 60: issue yield y with 100 (1 + y/2)^-20 = 60; accreted
    # value today A = 100 (1 + y/2)^-16 = 100 x 0.6^(16/20). Bought at a pre-tax value below A
    # by more than the de minimis amount (8 full years: 2 points): ordinary rate on (A - P).
    from analytics.muni import adjusted_issue_price

    muni = MuniBond(bond=Bullet(coupon_pct=0.0, maturity_years=8.0), issue_price=60.0, years_since_issue=2.0)
    aip = 100.0 * 0.6 ** (16 / 20)
    assert adjusted_issue_price(muni) == pytest.approx(aip, abs=1e-9)
    d = 0.60  # D(8): pre-tax value 60, about 6.6 points below A
    got = MuniPricer(muni).price(_flat_with_discount(d, 8.0))
    # P = V - 0.4 (A - P) d  =>  P = (60 - 0.4 A d) / (1 - 0.4 d)
    assert got.price_clean == pytest.approx((60.0 - 0.4 * aip * d) / (1 - 0.4 * d), abs=1e-9)
    assert got.regime == "ordinary"
