"""Hull-White tree: fits the curve, reduces to hand-computable cases, callables below bullets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.bonds import Bullet, price_on_curve
from analytics.curves import bootstrap_par_curve, flat_curve
from analytics.hullwhite import (
    CallableBond,
    CallableTreePricer,
    HullWhiteParams,
    build_tree,
    callable_oas_bp,
    callable_price,
    time_grid,
)

UPWARD = bootstrap_par_curve({"3m": 4.3, "1y": 4.0, "2y": 3.8, "5y": 3.9, "10y": 4.3, "30y": 4.8})


@pytest.mark.parametrize("curve", [flat_curve(4.0), UPWARD], ids=["flat", "upward"])
def test_tree_reprices_a_bond_that_is_never_called_as_the_curve_does(curve):
    bullet = Bullet(coupon_pct=4.5, maturity_years=12.3)
    never = CallableBond(bullet=bullet, call_after_years=1.0, call_price=1e9)
    tree_price = callable_price(never, curve, params=HullWhiteParams(vol_bp=150.0, steps=300))
    assert tree_price == pytest.approx(price_on_curve(bullet, curve), abs=1e-10)


def test_zero_volatility_callable_is_the_deterministic_backward_recursion():
    bullet = Bullet(coupon_pct=6.0, maturity_years=5.0)
    bond = CallableBond(bullet=bullet, call_after_years=2.0, call_price=100.0)
    curve = UPWARD
    # By hand on forward discount factors: V(T) = 103; at each earlier coupon date
    # V = min(forward-discounted V, 100 if callable) + 3; the root is discounted to today.
    times = bullet.flow_times()
    value = 103.0
    for k in range(len(times) - 2, -1, -1):
        cont = value * float(curve.discount(times[k + 1]) / curve.discount(times[k]))
        if times[k] >= 2.0 - 1e-12:
            cont = min(cont, 100.0)
        value = cont + 3.0
    expected = value * float(curve.discount(times[0]))
    got = callable_price(bond, curve, params=HullWhiteParams(vol_bp=0.0, steps=100))
    assert got == pytest.approx(expected, abs=1e-10)


def test_tree_probabilities_are_positive_and_sum_to_one():
    times, dts, _ = time_grid(np.array([0.3, 0.8, 1.3, 1.8]), steps=50)
    tree = build_tree(times, dts, HullWhiteParams(mean_reversion=0.1, vol_bp=120.0))
    for level in range(tree.steps):
        p, children = tree.branching(level)
        assert p.shape == (2 * tree.half_widths[level] + 1, 3)
        assert (p > 0).all()
        # Children are nodes of the next level.
        rows = tree.level_rows(level + 1)
        assert children.min() >= rows.start and children.max() < rows.stop
    # Level 0 is the single node x = 0, where exp(-x dt) = 1.
    assert tree.branching(0)[0].sum() == pytest.approx(1.0, abs=1e-15)


def test_time_grid_hits_every_mandatory_time_with_about_the_requested_steps():
    mandatory = np.array([0.3, 0.8, 1.3, 1.8])
    times, dts, levels = time_grid(mandatory, steps=90)
    np.testing.assert_allclose(times[levels], mandatory, atol=1e-14)
    assert abs(dts.size - 90) <= 4
    np.testing.assert_allclose(np.cumsum(dts), times[1:], atol=1e-13)


def test_oas_round_trips_a_price():
    bond = CallableBond(bullet=Bullet(coupon_pct=5.25, maturity_years=9.7), call_after_years=3.0)
    params = HullWhiteParams(steps=200)
    price = callable_price(bond, UPWARD, oas_bp=37.0, params=params)
    assert callable_oas_bp(bond, UPWARD, price_clean=price, params=params) == pytest.approx(37.0, abs=1e-6)


def test_more_volatility_makes_the_call_worth_more():
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.0), call_after_years=2.0)
    prices = [callable_price(bond, UPWARD, params=HullWhiteParams(vol_bp=v, steps=150)) for v in (25, 75, 150)]
    assert prices[0] > prices[1] > prices[2]


@settings(max_examples=20, deadline=None)
@given(
    coupon=st.floats(1.0, 9.0),
    maturity=st.floats(3.0, 20.0),
    lockout_share=st.floats(0.0, 0.8),
    vol=st.floats(10.0, 200.0),
    level=st.floats(1.0, 8.0),
)
def test_callable_is_worth_no_more_than_its_bullet(coupon, maturity, lockout_share, vol, level):
    bullet = Bullet(coupon_pct=coupon, maturity_years=maturity)
    bond = CallableBond(bullet=bullet, call_after_years=lockout_share * (maturity - 0.5))
    curve = flat_curve(level)
    pricer = CallableTreePricer(bond, params=HullWhiteParams(vol_bp=vol, steps=60))
    assert pricer.price(curve) <= price_on_curve(bullet, curve) + 1e-9


def test_redemption_pv_is_the_maturity_discount_when_never_called():
    bullet = Bullet(coupon_pct=2.0, maturity_years=8.0)
    never = CallableBond(bullet=bullet, call_after_years=1.0, call_price=1e9)
    value = CallableTreePricer(never, params=HullWhiteParams(steps=120)).value(UPWARD, redemption=True)
    assert value.redemption_pv == pytest.approx(float(UPWARD.discount(8.0)), abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"vol_bp": -1.0}, r"vol_bp must be in \[0, 2000\]"),
        ({"mean_reversion": -0.1}, r"mean_reversion must be in \[0, 2\]"),
        ({"steps": 5}, r"steps must be an integer in \[10, 20000\]"),
    ],
)
def test_bad_model_settings_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        HullWhiteParams(**kwargs)


def test_bad_call_features_are_rejected():
    bullet = Bullet(coupon_pct=5.0, maturity_years=5.0)
    with pytest.raises(ValueError, match="call_after_years must be in"):
        CallableBond(bullet=bullet, call_after_years=6.0)
    with pytest.raises(ValueError, match="no coupon date"):
        CallableBond(bullet=bullet, call_after_years=4.9)
    with pytest.raises(ValueError, match="call_price must be a positive"):
        CallableBond(bullet=bullet, call_after_years=1.0, call_price=0.0)


def test_one_backward_induction_over_many_curves_equals_each_curve_alone():
    """`values` runs the bumped curves as columns of one induction; each column must be the
    bond's value off that curve alone (calls exercised in some columns and not in others)."""
    from analytics.curves import bootstrap_par_curve, key_rate_shift, parallel_shift

    base = bootstrap_par_curve({"1m": 4.3, "3m": 4.3, "6m": 4.2, "1y": 4.0, "2y": 3.8,
                                "3y": 3.8, "5y": 3.9, "7y": 4.1, "10y": 4.3, "20y": 4.8,
                                "30y": 4.8})
    curves = [parallel_shift(base, shift_bp=s) for s in (-300.0, -25.0, 0.0, 25.0, 300.0)]
    curves.append(key_rate_shift(base, key="5y", shift_bp=50.0))
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=12.0), call_after_years=2.0)
    pricer = CallableTreePricer(bond)
    for spread in (0.0, 85.0):
        batch = pricer.values(curves, spread_bp=spread)
        alone = [pricer.value(c, spread_bp=spread).dirty for c in curves]
        np.testing.assert_allclose(batch, alone, rtol=0, atol=1e-11)
    assert pricer.values([]).size == 0


@pytest.mark.parametrize(("coupon", "years", "call_after", "price"), [
    (5.0, 10.0, 3.0, 99.0), (4.0, 30.0, 5.0, 90.0), (6.0, 20.0, 2.0, 104.0), (5.0, 10.0, 3.0, 60.0),
    (2.0, 5.0, 0.5, 99.99), (8.0, 30.0, 1.0, 100.0), (1.0, 30.0, 5.0, 40.0),
])
def test_oas_from_the_bullet_z_spread_start_is_the_bracketed_brent_root(coupon, years, call_after, price):
    from analytics.bonds import Bullet, solve_spread_bp
    from analytics.curves import ZeroCurve
    from analytics.hullwhite import CallableBond, CallableTreePricer, HullWhiteParams

    curve = ZeroCurve(np.array([0.25, 1, 2, 5, 10, 30.0]), np.array([0.043, 0.041, 0.039, 0.038, 0.040, 0.044]))
    bond = CallableBond(bullet=Bullet(coupon_pct=coupon, maturity_years=years), call_after_years=call_after)
    pricer = CallableTreePricer(bond, params=HullWhiteParams(steps=200))
    brent = solve_spread_bp(lambda s: pricer.price(curve, spread_bp=s), price)  # no start: brackets
    oas = pricer.oas_bp(curve, price_clean=price)
    assert oas == pytest.approx(brent, abs=1e-8)
    assert pricer.price(curve, spread_bp=oas) == pytest.approx(price, abs=1e-9)


def _level_by_level(pricer, curve, spread_bp):
    """The induction of the module docstring one level at a time, written out here: forward
    alpha-free state prices per level, alpha fitted per level, then back from maturity with
    the call and the coupon applied at their levels. Returns (dirty, redemption PV)."""
    tree, bond = pricer.tree, pricer.bond
    bullet = bond.bullet
    n = tree.steps
    sums = [1.0]
    g = np.zeros(tree.width)
    g[tree.center] = 1.0
    for level in range(n):
        p, children = tree.branching(level)
        mass = p * g[tree.level_rows(level), None]
        g = np.bincount(children.ravel(), weights=mass.ravel(), minlength=tree.width)
        sums.append(g.sum())
    c = np.array([float(curve.discount(t)) for t in tree.times]) / np.array(sums)
    fac = c[1:] / c[:-1] * np.exp(-spread_bp * 1e-4 * tree.dts)
    flows = bullet.flow_times()
    level_of = {round(float(t), 9): k for k, t in enumerate(tree.times)}
    coupon = np.zeros(n + 1)
    call = np.zeros(n + 1, dtype=bool)
    for t in flows:
        coupon[level_of[round(float(t), 9)]] = bullet.coupon_pct / bullet.frequency
    for t in bond.call_times():
        call[level_of[round(float(t), 9)]] = True
    v = np.full(tree.width, 100.0 + coupon[n])
    u = np.ones(tree.width)
    for level in range(n - 1, -1, -1):
        p, children = tree.branching(level)
        rows = tree.level_rows(level)
        new_v = (v[children] * p).sum(axis=1) * fac[level]
        new_u = (u[children] * p).sum(axis=1) * fac[level]
        if call[level]:
            called = new_v > bond.call_price
            new_v[called] = bond.call_price
            new_u[called] = 1.0
        v[rows] = new_v + coupon[level]
        u[rows] = new_u
    return v[tree.center], u[tree.center]


@pytest.mark.parametrize(("years", "call_after", "call_price", "a", "vol", "steps"), [
    (5.0, 2.0, 100.0, 0.03, 80.0, 500),     # 50 levels a coupon period: blocks of 16, 16, 16, 2
    (4.83, 2.0, 100.0, 0.03, 80.0, 500),    # a short first period
    (30.0, 5.0, 101.0, 0.03, 100.0, 500),   # the frame stops growing (mean reversion bites)
    (10.0, 1.0, 100.0, 2.0, 150.0, 300),    # strong mean reversion: children shift inwards
    (7.37, 0.5, 99.5, 0.0, 120.0, 211),     # no mean reversion
    (3.0, 1.0, 100.0, 0.1, 0.0, 40),        # zero volatility
    (2.2, 0.2, 100.0, 0.05, 200.0, 10),     # fewer levels than a block
])
def test_block_induction_is_the_level_by_level_induction(years, call_after, call_price, a, vol, steps):
    bond = CallableBond(bullet=Bullet(coupon_pct=5.5, maturity_years=years), call_after_years=call_after,
                        call_price=call_price)
    pricer = CallableTreePricer(bond, params=HullWhiteParams(mean_reversion=a, vol_bp=vol, steps=steps))
    for curve in (UPWARD, flat_curve(6.0)):
        for spread in (0.0, 60.0):
            dirty, redemption = _level_by_level(pricer, curve, spread)
            got = pricer.value(curve, spread_bp=spread, redemption=True)
            assert got.dirty == pytest.approx(dirty, abs=1e-11)
            assert got.redemption_pv == pytest.approx(redemption, abs=1e-13)
            assert pricer.value(curve, spread_bp=spread).dirty == pytest.approx(dirty, abs=1e-11)
            assert pricer.values([curve, curve], spread_bp=spread) == pytest.approx([dirty, dirty], abs=1e-11)
    # Every payment and call date ends a block, and no block is longer than BLOCK_STEPS.
    from analytics.hullwhite import BLOCK_STEPS

    bounds = pricer.blocks.bounds
    assert bounds[0] == 0 and bounds[-1] == pricer.tree.steps
    assert np.diff(bounds).max() <= BLOCK_STEPS and np.diff(bounds).min() >= 1
    flow_levels = np.searchsorted(pricer.tree.times, bond.bullet.flow_times() - 1e-9)
    assert set(flow_levels.tolist()) <= set(bounds.tolist())


def _held_bytes(blocks) -> int:
    """Bytes of the distinct buffers behind the blocks' matrices (views counted once)."""
    buffers = {}
    for matrix in blocks.matrices:
        for array in (matrix.data, matrix.indices, matrix.indptr):
            while isinstance(array.base, np.ndarray):
                array = array.base
            buffers[id(array)] = array.nbytes
    return sum(buffers.values())


def test_a_wide_lattice_keeps_its_blocks_within_a_bounded_memory():
    """No mean reversion and many steps: the frame never stops growing, so every block starts
    from a different width. Row copies per block would keep O(steps x width) entries; the
    blocks stay within a few products and the copy budget, and price as level by level."""
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=30.0), call_after_years=1.0)
    pricer = CallableTreePricer(bond, params=HullWhiteParams(mean_reversion=0.0, vol_bp=100.0, steps=4000))
    tree = pricer.tree
    assert tree.width == 2 * tree.steps + 1  # the frame grows at every level
    held = _held_bytes(pricer.blocks)
    # Unbounded row copies would hold about steps x width / 2 entries (16 B each): 1 GB here.
    assert held < 64e6, f"{held / 1e6:.0f} MB"
    dirty, _ = _level_by_level(pricer, UPWARD, 25.0)
    assert pricer.value(UPWARD, spread_bp=25.0).dirty == pytest.approx(dirty, abs=1e-10)


def test_a_tree_whose_rates_explode_is_refused_with_the_settings_to_change():
    """100 years at 2,000 bp of normal volatility and no mean reversion: the alpha-free state
    prices overflow, so no curve can be fitted. The pricer says so and what to change, instead
    of pricing NaN (which the OAS search reported as an unreachable price)."""
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=100.0), call_after_years=1.0)
    with pytest.raises(ValueError, match="overflows .* 2000 bp .* lower the volatility") as caught:
        CallableTreePricer(bond, params=HullWhiteParams(mean_reversion=0.0, vol_bp=2000.0))
    assert caught.value.param == "vol_bp"
    # The same bond at a sane volatility prices.
    assert np.isfinite(CallableTreePricer(bond, params=HullWhiteParams(vol_bp=100.0)).price(UPWARD))
