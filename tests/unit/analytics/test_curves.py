"""Zero curves: bootstrap arithmetic by hand, real CMT curves repriced, shifts and their profiles."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.curves import (
    ZeroCurve,
    bootstrap_par_curve,
    curve_change_shift,
    flat_curve,
    key_rate_profile,
    key_rate_profiles,
    key_rate_shift,
    key_rate_shifts,
    par_yield_pct,
    par_yields_on,
    parallel_shift,
    twist_shift,
)
from analytics.tenors import KEY_TENORS, TENOR_YEARS


def test_two_point_bootstrap_matches_hand_calculation():
    curve = bootstrap_par_curve({"6m": 4.0, "1y": 5.0})
    d6 = 1 / 1.02  # a 6-month par bond pays 102 once
    d12 = (1 - 0.025 * d6) / 1.025  # 2.5 + 102.5 D(1) + 2.5 D(0.5) = 100
    assert curve.discount(0.5) == pytest.approx(d6, abs=1e-14)
    assert curve.discount(1.0) == pytest.approx(d12, abs=1e-14)
    assert curve.zero_rate(1.0) == pytest.approx(-math.log(d12), abs=1e-14)


def test_bills_are_simple_interest_bond_equivalent_zeros():
    curve = bootstrap_par_curve({"1m": 4.8, "3m": 4.0, "1y": 4.0})
    assert curve.discount(0.25) == pytest.approx(1 / (1 + 0.04 * 0.25), abs=1e-14)
    assert curve.discount(1 / 12) == pytest.approx(1 / (1 + 0.048 / 12), abs=1e-14)


def test_par_yields_are_interpolated_linearly_between_tenors_and_repriced():
    curve = bootstrap_par_curve({"2y": 4.0, "10y": 5.0})
    # 6y lies halfway: the 6y par yield must be 4.5 %, and flat 4 % below 2y, 5 % beyond 10y.
    assert par_yield_pct(curve, 6.0)[0] == pytest.approx(4.5, abs=1e-10)
    assert par_yield_pct(curve, 1.0)[0] == pytest.approx(4.0, abs=1e-10)
    assert par_yield_pct(curve, 30.0)[0] == pytest.approx(5.0, abs=1e-10)


def test_flat_curve_from_semiannual_yield_is_continuous_equivalent():
    curve = flat_curve(5.0, frequency=2)
    assert curve.zero_rate(7.3) == pytest.approx(2 * math.log(1.025), abs=1e-15)
    assert flat_curve(5.0).zero_rate(40.0) == pytest.approx(0.05, abs=1e-15)


def test_zero_rates_are_linear_between_nodes_and_flat_outside():
    curve = ZeroCurve(np.array([1.0, 2.0]), np.array([0.02, 0.04]))
    assert curve.zero_rate(1.5) == pytest.approx(0.03, abs=1e-15)
    assert curve.zero_rate(0.1) == pytest.approx(0.02, abs=1e-15)
    assert curve.zero_rate(50.0) == pytest.approx(0.04, abs=1e-15)
    t = np.array([[0.5, 1.5], [2.5, 3.0]])
    assert curve.discount(t).shape == (2, 2)
    assert curve.discount(t)[1, 1] == pytest.approx(math.exp(-0.12), abs=1e-15)


def test_key_rate_profiles_are_triangles_that_sum_to_one():
    t = np.linspace(0.0, 45.0, 901)
    assert np.allclose(key_rate_profiles(t).sum(axis=0), 1.0, atol=1e-15)
    assert key_rate_profile(4.0, "5y") == pytest.approx(0.5)  # halfway from 3y to 5y
    assert key_rate_profile(6.0, "5y") == pytest.approx(0.5)  # halfway from 5y to 7y
    assert key_rate_profile(3.0, "5y") == 0.0 and key_rate_profile(7.0, "5y") == 0.0
    assert key_rate_profile(0.25, "1y") == 1.0 and key_rate_profile(40.0, "30y") == 1.0
    assert key_rate_profile(15.0, "10y") == pytest.approx(0.5)


def test_eight_key_rate_shifts_add_up_to_a_parallel_shift():
    curve = bootstrap_par_curve({"3m": 4.3, "2y": 3.9, "10y": 4.4, "30y": 4.9})
    t = np.linspace(0.05, 40.0, 400)
    c = "continuous"
    summed = sum(key_rate_shift(curve, key=k, shift_bp=17.0, basis=c).zero_rate(t) - curve.zero_rate(t)
                 for k in KEY_TENORS)
    parallel = parallel_shift(curve, shift_bp=17.0, basis=c).zero_rate(t) - curve.zero_rate(t)
    assert np.allclose(summed, 17e-4, atol=1e-15)
    assert np.allclose(parallel, 17e-4, atol=1e-15)
    together = key_rate_shifts(curve, shifts_bp=dict.fromkeys(KEY_TENORS, 17.0), basis=c)
    assert np.allclose(together.zero_rate(t) - curve.zero_rate(t), 17e-4, atol=1e-15)


def test_key_rate_shift_between_grid_nodes_keeps_the_triangle_exact():
    curve = ZeroCurve(np.array([0.5, 30.0]), np.array([0.03, 0.05]))  # no node at the keys
    moved = key_rate_shift(curve, key="7y", shift_bp=10.0, basis="continuous")
    for t, weight in ((6.0, 0.5), (7.0, 1.0), (8.5, 0.5), (10.0, 0.0), (5.0, 0.0)):
        assert moved.zero_rate(t) - curve.zero_rate(t) == pytest.approx(10e-4 * weight, abs=1e-15)


def test_twist_moves_short_end_down_and_long_end_up_around_the_pivot():
    curve = flat_curve(4.0)
    moved = twist_shift(curve, twist_bp=40.0, pivot_years=5.0, basis="continuous")
    change = lambda t: (moved.zero_rate(t) - curve.zero_rate(t)) / 1e-4  # noqa: E731
    assert change(0.5) == pytest.approx(-20.0)
    assert change(3.0) == pytest.approx(-10.0)  # halfway from 1y to the 5y pivot
    assert change(5.0) == pytest.approx(0.0, abs=1e-10)
    assert change(17.5) == pytest.approx(10.0)  # halfway from the pivot to 30y
    assert change(35.0) == pytest.approx(20.0)
    with pytest.raises(ValueError, match="pivot_years"):
        twist_shift(curve, twist_bp=10.0, pivot_years=40.0)


def test_replaying_a_curve_change_onto_the_start_curve_gives_the_end_curve():
    start = bootstrap_par_curve({"3m": 1.0, "2y": 0.6, "10y": 0.5, "30y": 1.0})
    end = bootstrap_par_curve({"3m": 0.2, "2y": 0.5, "10y": 1.2, "30y": 1.8})
    replayed = curve_change_shift(start, start=start, end=end)
    t = np.linspace(0.05, 40.0, 300)
    assert np.allclose(replayed.zero_rate(t), end.zero_rate(t), atol=1e-15)


def test_real_cmt_curves_are_repriced_at_every_tenor(real_yields: pd.DataFrame):
    # 2025-04-11 (tariff sell-off), 2020-03-18 (dash for cash) and 1990-06-01 (no 20y CMT then).
    for day in ("2025-04-11", "2020-03-18", "1990-06-01"):
        row = real_yields.loc[day].dropna()
        curve = bootstrap_par_curve(row.to_dict())
        for tenor, yld in row.items():
            years = TENOR_YEARS[str(tenor)]
            if years < 0.5:
                assert curve.discount(years) == pytest.approx(1 / (1 + yld / 100 * years), abs=1e-13)
            else:
                assert par_yield_pct(curve, years)[0] == pytest.approx(yld, abs=1e-10), (day, tenor)
    assert "20y" not in real_yields.loc["1990-06-01"].dropna()


def test_par_yields_on_takes_the_last_row_on_or_before_the_date(real_yields: pd.DataFrame):
    day, par = par_yields_on(real_yields, "2025-04-12")  # a Saturday
    assert day == pd.Timestamp("2025-04-11")
    assert par["10y"] == real_yields.loc["2025-04-11", "10y"]
    with pytest.raises(ValueError, match="no yields on or before 1900-01-01"):
        par_yields_on(real_yields, "1900-01-01")


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"9y": 4.0}, "unknown tenor '9y'"),
        ({"10y": float("nan")}, "no finite yield"),
        ({"10y": 80.0}, r"outside \[-5.0, 50.0\]"),
        ({}, "no finite yield"),
    ],
)
def test_bad_par_curves_are_rejected_with_the_reason(bad, match):
    with pytest.raises(ValueError, match=match):
        bootstrap_par_curve(bad)


def test_curve_arrays_are_validated_and_read_only():
    with pytest.raises(ValueError, match="strictly increasing"):
        ZeroCurve(np.array([1.0, 1.0]), np.array([0.01, 0.02]))
    curve = flat_curve(3.0)
    with pytest.raises(ValueError):
        curve.zero_rates[0] = 1.0


def _semiannual_zero(curve, t):
    return 2.0 * np.expm1(curve.zero_rate(t) / 2.0)


def test_semiannual_shifts_move_semiannual_bond_equivalent_zero_rates():
    # The market's convention: z2 = 2 (exp(z / 2) - 1) moves by the shift, not z.
    curve = bootstrap_par_curve({"3m": 4.3, "2y": 3.9, "10y": 4.4, "30y": 4.9})
    nodes = curve.times_years
    moved = parallel_shift(curve, shift_bp=25.0, basis="semiannual")
    assert np.allclose(_semiannual_zero(moved, nodes) - _semiannual_zero(curve, nodes), 25e-4, atol=1e-14)
    # On a flat curve the discount factor becomes (1 + (y + dy) / 2) ** (-2 t) at every time.
    flat = flat_curve(5.0, frequency=2)
    t = np.array([0.3, 1.0, 7.25, 29.5])
    shifted = parallel_shift(flat, shift_bp=-40.0, basis="semiannual")
    assert np.allclose(shifted.discount(t), (1 + 0.046 / 2) ** (-2 * t), rtol=1e-13)
    # Eight key shifts add up to the parallel one in semiannual terms as well.
    s = "semiannual"
    together = key_rate_shifts(curve, shifts_bp=dict.fromkeys(KEY_TENORS, 17.0), basis=s)
    grid = np.linspace(0.1, 35.0, 200)
    assert np.allclose(_semiannual_zero(together, grid),
                       _semiannual_zero(parallel_shift(curve, shift_bp=17.0, basis=s), grid), atol=1e-9)
    with pytest.raises(ValueError, match="basis must be one of"):
        curve.shifted(np.zeros(curve.times_years.shape), basis="annual")  # type: ignore[arg-type]
