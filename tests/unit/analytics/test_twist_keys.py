"""Twist and parallel shifts written as key-rate shifts (analytics.curves.twist_key_weights,
combined_key_shifts_bp), checked against hand-computed values of the twist profile."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.checks import InputError
from analytics.curves import (
    combined_key_shifts_bp,
    key_rate_profile,
    twist_key_weights,
    twist_profile,
)
from analytics.tenors import KEY_TENORS


def test_twist_weights_by_hand_pivot_5y():
    # Profile: -1/2 up to 1y, 0 at 5y, +1/2 from 30y, linear between.
    # 2y: -0.5 + 0.5 * (2-1)/(5-1) = -0.375; 3y: -0.5 + 0.5 * 2/4 = -0.25;
    # 7y: 0.5 * (7-5)/(30-5) = 0.04; 10y: 0.5 * 5/25 = 0.1; 20y: 0.5 * 15/25 = 0.3.
    expected = {"1y": -0.5, "2y": -0.375, "3y": -0.25, "5y": 0.0, "7y": 0.04, "10y": 0.1,
                "20y": 0.3, "30y": 0.5}
    assert twist_key_weights() == pytest.approx(expected, abs=1e-15)


def test_twist_weights_with_a_10y_pivot_by_hand():
    w = twist_key_weights(pivot_years=10.0)
    # 5y: -0.5 + 0.5 * (5-1)/(10-1) = -0.5 + 2/9; 20y: 0.5 * (20-10)/(30-10) = 0.25.
    assert w["5y"] == pytest.approx(-0.5 + 2.0 / 9.0, abs=1e-15)
    assert w["20y"] == pytest.approx(0.25, abs=1e-15)
    assert w["10y"] == 0.0


def test_a_pivot_that_is_not_a_key_tenor_is_refused():
    with pytest.raises(InputError, match="must be a key tenor"):
        twist_key_weights(pivot_years=6.0)


def test_combined_shifts_by_hand():
    got = combined_key_shifts_bp(parallel_bp=10.0, twist_bp=40.0, key_rates_bp={"10y": -5.0})
    # 1y: 10 + 40 * -0.5 = -10; 10y: 10 + 40 * 0.1 - 5 = 9; 30y: 10 + 20 = 30; 5y: 10.
    assert got["1y"] == pytest.approx(-10.0)
    assert got["10y"] == pytest.approx(9.0)
    assert got["30y"] == pytest.approx(30.0)
    assert got["5y"] == pytest.approx(10.0)
    assert list(got) == list(KEY_TENORS)


def test_the_key_shifts_reproduce_the_twist_and_parallel_profile_at_every_maturity():
    t = np.linspace(0.1, 40.0, 400)
    shifts = combined_key_shifts_bp(parallel_bp=-25.0, twist_bp=60.0)
    rebuilt = sum(bp * key_rate_profile(t, k) for k, bp in shifts.items())
    direct = -25.0 + 60.0 * twist_profile(t)
    np.testing.assert_allclose(rebuilt, direct, atol=1e-12)


def test_bad_inputs_are_named():
    with pytest.raises(InputError, match="not key tenors"):
        combined_key_shifts_bp(key_rates_bp={"4y": 1.0})
    with pytest.raises(ValueError, match="parallel_bp must be a finite shift"):
        combined_key_shifts_bp(parallel_bp=float("nan"))


def test_first_order_change_from_key_rate_durations_by_hand():
    from analytics.risk import krd_first_order_change

    # Dirty 100, 10y KRD 8 years, +10 bp at 10y: -100 x 8 x 0.0010 = -0.8 per 100.
    assert krd_first_order_change(100.0, {"10y": 8.0}, {"10y": 10.0}) == pytest.approx(-0.8)
    # Dirty 102; 5y KRD 2, 10y KRD 3; +20 bp at 5y, -10 bp at 10y: 2*20 - 3*10 = 10 bp-years,
    # -102 x 10e-4 = -0.102; keys missing from either side count as 0.
    got = krd_first_order_change(102.0, {"5y": 2.0, "10y": 3.0, "30y": 1.0},
                                 {"5y": 20.0, "10y": -10.0, "2y": 50.0})
    assert got == pytest.approx(-0.102)
    with pytest.raises(ValueError, match="dirty_price must be a positive price"):
        krd_first_order_change(0.0, {}, {})
