"""Bullet bonds: street-convention prices and yields by hand, dates to times, curve pricing."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.bonds import (
    Bullet,
    bullet_from_dates,
    cash_flow_matrix,
    maturity_years_from_dates,
    modified_duration,
    price_from_yield,
    price_on_curve,
    yield_from_price,
    z_spread_bp,
)
from analytics.curves import flat_curve


def test_par_bond_prices_at_par_at_its_coupon_yield():
    assert price_from_yield(Bullet(coupon_pct=6.0, maturity_years=2.0), 6.0) == pytest.approx(100.0, abs=1e-12)


def test_stub_bond_price_and_accrued_by_hand():
    # 1.5 periods left: flows 2 at 0.25y and 102 at 0.75y; half a coupon period accrued.
    bond = Bullet(coupon_pct=4.0, maturity_years=0.75)
    assert bond.accrued == pytest.approx(1.0, abs=1e-14)
    dirty = 2 / 1.02**0.5 + 102 / 1.02**1.5
    assert price_from_yield(bond, 4.0) == pytest.approx(dirty - 1.0, abs=1e-12)
    np.testing.assert_allclose(bond.flow_times(), [0.25, 0.75])
    np.testing.assert_allclose(bond.flow_amounts(), [2.0, 102.0])


def test_zero_coupon_price_and_modified_duration_by_hand():
    bond = Bullet(coupon_pct=0.0, maturity_years=10.0)
    assert price_from_yield(bond, 5.0) == pytest.approx(100 / 1.025**20, abs=1e-12)
    assert modified_duration(bond, 5.0) == pytest.approx(10 / 1.025, abs=1e-12)


def test_yield_from_price_inverts_price_from_yield():
    bond = Bullet(coupon_pct=4.125, maturity_years=7.3)
    assert yield_from_price(bond, price_from_yield(bond, 4.37)) == pytest.approx(4.37, abs=1e-10)


def test_modified_duration_matches_a_central_difference_of_the_price():
    bond = Bullet(coupon_pct=3.5, maturity_years=12.4)
    y, h = 4.2, 1e-5
    dirty = lambda yy: price_from_yield(bond, yy) + bond.accrued  # noqa: E731
    numeric = (dirty(y - h) - dirty(y + h)) / (2 * h / 100) / dirty(y)
    assert modified_duration(bond, y) == pytest.approx(numeric, rel=1e-8)


@settings(max_examples=60, deadline=None)
@given(
    coupon=st.floats(0.0, 12.0),
    maturity=st.floats(0.1, 40.0),
    y1=st.floats(-1.0, 15.0),
    bump=st.floats(0.01, 5.0),
)
def test_price_falls_as_yield_rises(coupon, maturity, y1, bump):
    bond = Bullet(coupon_pct=coupon, maturity_years=maturity)
    assert price_from_yield(bond, y1 + bump) < price_from_yield(bond, y1)


def test_curve_price_on_flat_curve_equals_price_at_that_yield():
    bond = Bullet(coupon_pct=5.0, maturity_years=9.6)
    curve = flat_curve(4.4, frequency=2)
    assert price_on_curve(bond, curve) == pytest.approx(price_from_yield(bond, 4.4), abs=1e-11)


def test_z_spread_over_a_flat_curve_is_the_rate_difference():
    bond = Bullet(coupon_pct=3.0, maturity_years=6.25)
    price = price_on_curve(bond, flat_curve(4.5))  # continuous 4.5 %
    assert z_spread_bp(bond, flat_curve(4.0), price_clean=price) == pytest.approx(50.0, abs=1e-7)


def test_maturity_from_dates_act_act_and_30_360():
    settle, mat = date(2025, 1, 15), date(2030, 5, 15)
    # Next coupon 2025-05-15, previous 2024-11-15: 120 of 181 days left; 10 more periods after it.
    assert maturity_years_from_dates(settlement=settle, maturity=mat) == pytest.approx((10 + 120 / 181) / 2)
    assert maturity_years_from_dates(settlement=settle, maturity=mat, day_count="30/360") == pytest.approx(
        (10 + 120 / 180) / 2
    )
    on_cycle = bullet_from_dates(coupon_pct=4.0, settlement=date(2025, 2, 15), maturity=date(2035, 2, 15))
    assert on_cycle.maturity_years == pytest.approx(10.0) and on_cycle.accrued == pytest.approx(0.0, abs=1e-12)


def test_end_of_month_maturities_keep_month_ends():
    # Maturity 2030-08-31 pays on the last day of February and August: previous coupon 2025-02-28.
    years = maturity_years_from_dates(settlement=date(2025, 3, 31), maturity=date(2030, 8, 31))
    assert years == pytest.approx((10 + 153 / 184) / 2)


def test_cash_flow_matrix_matches_single_bonds():
    coupons, mats = [0.0, 4.0, 7.5], [0.3, 0.75, 12.1]
    flows = cash_flow_matrix(coupons_pct=coupons, maturities_years=mats)
    assert flows.times_years.shape == (3, 25)
    for i, (c, m) in enumerate(zip(coupons, mats, strict=True)):
        bond = Bullet(coupon_pct=c, maturity_years=m)
        live = flows.amounts[i] != 0.0
        np.testing.assert_allclose(np.sort(flows.times_years[i][live]), bond.flow_times())
        assert flows.amounts[i].sum() == pytest.approx(bond.flow_amounts().sum())
        assert flows.accrued[i] == pytest.approx(bond.accrued, abs=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"coupon_pct": -1.0, "maturity_years": 5.0}, r"coupon_pct must be in \[0, 100\)"),
        ({"coupon_pct": 5.0, "maturity_years": 0.0}, r"maturity_years must be in \(0, 100\]"),
        ({"coupon_pct": 5.0, "maturity_years": 5.0, "frequency": 3}, "frequency must be one of"),
    ],
)
def test_bad_bonds_are_rejected_naming_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Bullet(**kwargs)


def test_bad_prices_and_yields_are_rejected():
    bond = Bullet(coupon_pct=5.0, maturity_years=5.0)
    with pytest.raises(ValueError, match="price must be a positive"):
        yield_from_price(bond, 0.0)
    with pytest.raises(ValueError, match="yield outside"):
        yield_from_price(bond, 1e6)
    with pytest.raises(ValueError, match="yield_pct must be in"):
        price_from_yield(bond, math.inf)
    with pytest.raises(ValueError, match="after settlement"):
        maturity_years_from_dates(settlement=date(2025, 1, 1), maturity=date(2024, 1, 1))


def test_the_spread_solver_prices_each_bracket_end_once():
    """A tree pricing costs milliseconds: the solver reuses the bracket ends it has priced."""
    from collections import Counter

    from analytics.bonds import solve_spread_bp

    seen: Counter[float] = Counter()

    def price_at(spread_bp: float) -> float:
        seen[spread_bp] += 1
        return 100.0 - 0.05 * spread_bp - 1e-5 * spread_bp**2

    spread = solve_spread_bp(price_at, 97.0)
    assert 100.0 - 0.05 * spread - 1e-5 * spread**2 == pytest.approx(97.0, abs=1e-10)
    assert seen[-1000.0] == 1 and seen[1000.0] == 1


@pytest.mark.parametrize("near", [0.0, 73.0, 500.0, -900.0, 19_000.0])
def test_spread_solve_from_a_start_point_finds_the_hand_computed_root(near: float) -> None:
    from analytics.bonds import solve_spread_bp

    # 100 exp(-7e-4 s) = 95 at s = -ln(0.95) / 7e-4 bp
    root = -math.log(0.95) / 7e-4
    got = solve_spread_bp(lambda s: 100.0 * math.exp(-7e-4 * s), 95.0, near=near)
    assert got == pytest.approx(root, abs=1e-8)


def test_spread_solve_falls_back_to_bracketing_where_secant_steps_stall() -> None:
    from analytics.bonds import solve_spread_bp

    # Flat above 40 bp: the secant's two start points have equal values, so it must bracket.
    def value(s: float) -> float:
        return 100.0 - 0.05 * min(s, 40.0)

    assert solve_spread_bp(value, 99.0, near=100.0) == pytest.approx(20.0, abs=1e-8)
    with pytest.raises(ValueError, match="cannot be reached"):
        solve_spread_bp(value, 90.0, near=100.0)
