"""Independent reference: QuantLib prices the same bonds on the same curves.

Setup shared by both libraries: settlement 2025-01-15, every date on the 15th, 30/360 (bond
basis) for accruals and for the curve's time axis, so a coupon period is exactly 0.5 years on
both sides. Curves: a flat continuously-compounded curve, and the real CMT curve of 2025-04-11
(bootstrapped here, handed to QuantLib as a linear-in-zero-rate curve on the same nodes).

Tolerances (absolute): bootstrap zero rates 1e-10; bullet clean price 1e-9 per 100, effective
duration and modified duration 1e-8 years, yield 1e-8 %; callable clean price 1e-8 per 100 and
effective duration 1e-7 years (QuantLib's Hull-White trinomial tree with the same number of
steps builds the same lattice), OAS 1e-4 bp.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.bonds import Bullet, modified_duration, yield_from_price
from analytics.curves import ZeroCurve, bootstrap_par_curve, flat_curve, parallel_shift
from analytics.hullwhite import CallableBond, CallableTreePricer, HullWhiteParams
from analytics.risk import bond_risk
from analytics.tenors import TENOR_YEARS

ql = pytest.importorskip("QuantLib")

SETTLE = ql.Date(15, 1, 2025)
DC = ql.Thirty360(ql.Thirty360.BondBasis)
CAL = ql.NullCalendar()
SHIFT_BP = 25.0


@pytest.fixture(autouse=True)
def _evaluation_date():
    before = ql.Settings.instance().evaluationDate
    ql.Settings.instance().evaluationDate = SETTLE
    yield
    ql.Settings.instance().evaluationDate = before


@pytest.fixture(scope="module")
def cmt_2025_04_11(real_yields: pd.DataFrame) -> dict[str, float]:
    return real_yields.loc["2025-04-11"].dropna().to_dict()


def _ql_curve(curve: ZeroCurve):
    dates = [SETTLE] + [SETTLE + ql.Period(int(round(t * 12)), ql.Months) for t in curve.times_years]
    rates = [float(curve.zero_rates[0])] + [float(z) for z in curve.zero_rates]
    return ql.ZeroCurve(dates, rates, DC, CAL, ql.Linear(), ql.Continuous)


def _schedule(months: int):
    maturity = SETTLE + ql.Period(months, ql.Months)
    first = maturity - ql.Period(6 * math.ceil(months / 6), ql.Months)  # regular first period
    return ql.Schedule(first, maturity, ql.Period(ql.Semiannual), CAL, ql.Unadjusted, ql.Unadjusted,
                       ql.DateGeneration.Backward, False)


def _spreaded(base_handle, bp: float):
    quote = ql.QuoteHandle(ql.SimpleQuote(bp * 1e-4))
    return ql.YieldTermStructureHandle(
        ql.ZeroSpreadedTermStructure(base_handle, quote, ql.Compounded, ql.Semiannual, DC))


def _ql_effective_duration(make_priced_bond, handle) -> float:
    dirty = {bp: make_priced_bond(_spreaded(handle, bp)).dirtyPrice() for bp in (-SHIFT_BP, 0.0, SHIFT_BP)}
    dy = SHIFT_BP * 1e-4
    return (dirty[-SHIFT_BP] - dirty[SHIFT_BP]) / (2 * dirty[0.0] * dy)


def test_bootstrap_matches_quantlib_piecewise_linear_zero(cmt_2025_04_11):
    curve = bootstrap_par_curve(cmt_2025_04_11)
    years = np.array([TENOR_YEARS[t] for t in cmt_2025_04_11])
    par = np.array(list(cmt_2025_04_11.values())) / 100
    order = np.argsort(years)
    years, par = years[order], par[order]
    helpers = []
    for t, y in zip(years, par, strict=True):
        if t < 0.5:  # bills: simple-interest deposits on the same 30/360 time axis
            helpers.append(ql.DepositRateHelper(ql.QuoteHandle(ql.SimpleQuote(float(y))),
                                                ql.Period(int(round(t * 12)), ql.Months), 0, CAL,
                                                ql.Unadjusted, False, DC))
    for k in range(1, 61):  # par bonds every six months, par yields interpolated in maturity
        coupon = float(np.interp(0.5 * k, years, par))
        helpers.append(ql.FixedRateBondHelper(ql.QuoteHandle(ql.SimpleQuote(100.0)), 0, 100.0,
                                              _schedule(6 * k), [coupon], DC, ql.Unadjusted))
    ref = ql.PiecewiseLinearZero(SETTLE, helpers, DC)
    for t, z in zip(curve.times_years, curve.zero_rates, strict=True):
        d = SETTLE + ql.Period(int(round(t * 12)), ql.Months)
        assert z == pytest.approx(ref.zeroRate(d, DC, ql.Continuous).rate(), abs=1e-10), t


@pytest.mark.parametrize("coupon", [0.0, 2.5, 5.0, 8.0])
@pytest.mark.parametrize("months", [6, 27, 84, 123, 360])
def test_bullets_agree_with_quantlib_on_a_flat_curve(coupon, months):
    _check_bullet(coupon, months, flat_curve(4.5))


@pytest.mark.parametrize(("coupon", "months"), [(0.0, 27), (4.25, 123), (4.75, 360), (3.0, 57)])
def test_bullets_agree_with_quantlib_on_the_real_curve(coupon, months, cmt_2025_04_11):
    _check_bullet(coupon, months, bootstrap_par_curve(cmt_2025_04_11))


def _check_bullet(coupon: float, months: int, curve: ZeroCurve) -> None:
    handle = ql.YieldTermStructureHandle(_ql_curve(curve))

    def priced(h):
        bond = ql.FixedRateBond(0, 100.0, _schedule(months), [coupon / 100], DC)
        bond.setPricingEngine(ql.DiscountingBondEngine(h))
        return bond

    ref = priced(handle)
    mine = bond_risk(Bullet(coupon_pct=coupon, maturity_years=months / 12), curve, shift_bp=SHIFT_BP)
    assert mine.price_clean == pytest.approx(ref.cleanPrice(), abs=1e-9)
    assert mine.accrued == pytest.approx(ref.accruedAmount(), abs=1e-12)
    assert mine.effective_duration == pytest.approx(_ql_effective_duration(priced, handle), abs=1e-8)
    ql_yield = ref.bondYield(ql.BondPrice(ref.cleanPrice(), ql.BondPrice.Clean), DC, ql.Compounded, ql.Semiannual)
    bullet = Bullet(coupon_pct=coupon, maturity_years=months / 12)
    assert yield_from_price(bullet, mine.price_clean) == pytest.approx(ql_yield * 100, abs=1e-8)
    rate = ql.InterestRate(ql_yield, DC, ql.Compounded, ql.Semiannual)
    ql_mod = ql.BondFunctions.duration(ref, rate, ql.Duration.Modified)
    assert modified_duration(bullet, ql_yield * 100) == pytest.approx(ql_mod, abs=1e-8)


def _ql_callable(coupon: float, months: int, lock_months: int, handle, a: float, vol_bp: float, steps: int):
    schedule = _schedule(months)
    calls = ql.CallabilitySchedule()
    lock = SETTLE + ql.Period(lock_months, ql.Months)
    for d in list(schedule)[1:-1]:
        if d >= lock:
            calls.append(ql.Callability(ql.BondPrice(100.0, ql.BondPrice.Clean), ql.Callability.Call, d))
    bond = ql.CallableFixedRateBond(0, 100.0, schedule, [coupon / 100], DC, ql.Unadjusted, 100.0,
                                    schedule[0], calls)
    bond.setPricingEngine(ql.TreeCallableFixedRateBondEngine(ql.HullWhite(handle, a, vol_bp * 1e-4), steps))
    return bond


CALLABLE_GRID = [
    # coupon %, months to maturity, lockout months, vol bp, curve
    (3.0, 120, 24, 50.0, "flat"),
    (6.0, 120, 60, 150.0, "flat"),
    (5.0, 183, 24, 100.0, "flat"),
    (7.0, 360, 120, 80.0, "flat"),
    (3.0, 183, 60, 150.0, "real"),
    (6.0, 120, 24, 100.0, "real"),
    (4.5, 123, 36, 60.0, "real"),
]


@pytest.mark.parametrize(("coupon", "months", "lock", "vol", "which"), CALLABLE_GRID)
def test_callables_agree_with_quantlib_tree_engine(coupon, months, lock, vol, which, request):
    curve = flat_curve(4.5) if which == "flat" else bootstrap_par_curve(request.getfixturevalue("cmt_2025_04_11"))
    handle = ql.YieldTermStructureHandle(_ql_curve(curve))
    a, steps = 0.03, 300
    ref = _ql_callable(coupon, months, lock, handle, a, vol, steps)
    bond = CallableBond(bullet=Bullet(coupon_pct=coupon, maturity_years=months / 12), call_after_years=lock / 12)
    pricer = CallableTreePricer(bond, params=HullWhiteParams(mean_reversion=a, vol_bp=vol, steps=steps))
    assert pricer.price(curve) == pytest.approx(ref.cleanPrice(), abs=1e-8)


def test_callable_effective_duration_and_oas_agree_with_quantlib():
    curve = flat_curve(4.2)
    handle = ql.YieldTermStructureHandle(_ql_curve(curve))
    a, vol, steps = 0.03, 100.0, 300
    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.25), call_after_years=3.0)
    params = HullWhiteParams(mean_reversion=a, vol_bp=vol, steps=steps)
    mine = bond_risk(bond, curve, shift_bp=SHIFT_BP, params=params)

    def priced(h):
        return _ql_callable(5.0, 123, 36, h, a, vol, steps)

    assert mine.effective_duration == pytest.approx(_ql_effective_duration(priced, handle), abs=1e-7)
    ref = priced(handle)
    ql_oas_bp = ref.OAS(99.0, handle, DC, ql.Continuous, ql.NoFrequency) * 1e4
    mine_oas = CallableTreePricer(bond, params=params).oas_bp(curve, price_clean=99.0)
    assert mine_oas == pytest.approx(ql_oas_bp, abs=1e-4)
    # The shifted-curve prices themselves: our parallel shift equals QuantLib's spreaded curve.
    up = CallableTreePricer(bond, params=params).price(parallel_shift(curve, shift_bp=SHIFT_BP, basis="semiannual"))
    assert up == pytest.approx(priced(_spreaded(handle, SHIFT_BP)).cleanPrice(), abs=1e-8)


@pytest.mark.parametrize("coupon", [0.0, 2.5, 5.0, 8.0])
@pytest.mark.parametrize("months", [6, 27, 84, 123, 360])
@pytest.mark.parametrize("yield_pct", [1.0, 4.5, 8.556])
def test_bullet_effective_duration_is_modified_and_convexity_is_yield_convexity(coupon, months, yield_pct):
    # Priced at its own yield on the flat curve of that yield (semiannual), as `tsm risk --yield`
    # does: the semiannual curve shift is a move of the bond's own yield, so the effective
    # duration is QuantLib's modified duration and the convexity QuantLib's yield convexity,
    # up to the O(dy^2) error of the central differences (tiny at 0.1 bp, < 0.1 % at 25 bp).
    bond = ql.FixedRateBond(0, 100.0, _schedule(months), [coupon / 100], DC)
    rate = ql.InterestRate(yield_pct / 100, DC, ql.Compounded, ql.Semiannual)
    ql_mod = ql.BondFunctions.duration(bond, rate, ql.Duration.Modified)
    ql_cvx = ql.BondFunctions.convexity(bond, rate)
    bullet = Bullet(coupon_pct=coupon, maturity_years=months / 12)
    curve = flat_curve(yield_pct, frequency=2)
    fine = bond_risk(bullet, curve, yield_pct=yield_pct, shift_bp=0.1)
    assert fine.effective_duration == pytest.approx(ql_mod, rel=1e-7)
    assert fine.convexity == pytest.approx(ql_cvx, rel=1e-4)
    default = bond_risk(bullet, curve, yield_pct=yield_pct)
    assert default.effective_duration == pytest.approx(ql_mod, rel=1e-3)
    assert default.convexity == pytest.approx(ql_cvx, rel=2e-3)
    assert sum(default.krd.values()) == pytest.approx(default.effective_duration, rel=1e-3)


def test_six_month_zero_convexity_matches_quantlib_not_t_squared():
    # The review's case: a continuous shift gives t^2 = 0.25; the yield convexity of a 6-month
    # zero is 2 x 0.25 / (1 + y/2)^2 ~ 0.48 at 4 %.
    bond = ql.FixedRateBond(0, 100.0, _schedule(6), [0.0], DC)
    rate = ql.InterestRate(0.04, DC, ql.Compounded, ql.Semiannual)
    got = bond_risk(Bullet(coupon_pct=0.0, maturity_years=0.5), flat_curve(4.0, frequency=2), yield_pct=4.0)
    assert got.convexity == pytest.approx(ql.BondFunctions.convexity(bond, rate), rel=1e-5)
    assert got.convexity == pytest.approx(0.5 / 1.02**2, rel=1e-5)


CONVEXITY_GRID = [
    # coupon %, months, lockout months, vol bp, curve: the review's case (-37.1 before) and one
    # with large positive convexity on the real curve.
    (4.5, 240, 60, 150.0, "flat4"),
    (3.0, 183, 60, 150.0, "real"),
]


@pytest.mark.parametrize(("coupon", "months", "lock", "vol", "which"), CONVEXITY_GRID)
def test_callable_convexity_is_within_one_of_a_converged_quantlib_tree(coupon, months, lock, vol, which, request):
    # Ours: the default 500-step tree, convexity fitted over +/- 2 node spacings. QuantLib: its
    # tree engine with 1500 steps fitted the same way (same shifts of the semiannual zeros), so
    # the ripple of exercise decisions flipping between nodes is averaged out on both sides.
    if which == "real":
        curve = bootstrap_par_curve(request.getfixturevalue("cmt_2025_04_11"))
    else:
        curve = flat_curve(float(which[4:]), frequency=2)
    handle = ql.YieldTermStructureHandle(_ql_curve(curve))
    a = 0.03
    bond = CallableBond(bullet=Bullet(coupon_pct=coupon, maturity_years=months / 12), call_after_years=lock / 12)
    mine = bond_risk(bond, curve, params=HullWhiteParams(mean_reversion=a, vol_bp=vol, steps=500))
    shifts = np.linspace(-mine.convexity_span_bp, mine.convexity_span_bp, 9)
    prices = [_ql_callable(coupon, months, lock, _spreaded(handle, float(s)), a, vol, 1500).dirtyPrice()
              for s in shifts]
    fit = np.polyfit(shifts * 1e-4, prices, 2)
    ql_convexity = 2 * fit[0] / prices[4]
    # Within 1 (years^2), or 1 % where the convexity is beyond +/-100 (the converged reference
    # itself moves by about 1 between 1500 and 6000 steps there).
    assert mine.convexity == pytest.approx(ql_convexity, abs=max(1.0, 0.01 * abs(ql_convexity)))
    assert mine.price_dirty == pytest.approx(prices[4], abs=0.05)  # 500 steps vs 1500: converged


@pytest.mark.parametrize(("price", "workout_months"), [(104.0, 39), (96.0, 123)])
def test_callable_yield_to_worst_is_quantlibs_yield_to_the_workout_date(price, workout_months):
    # 5 % callable at 100 from 3y (first call date 3.25y), 10.25y to maturity: at a premium the
    # first call is worst, at a
    # discount maturity is. QuantLib prices a bullet maturing on the workout date.
    from analytics.hullwhite import yield_to_worst

    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.25), call_after_years=3.0)
    got = yield_to_worst(bond, price)
    ref = ql.FixedRateBond(0, 100.0, _schedule(workout_months), [0.05], DC)
    expected = ref.bondYield(ql.BondPrice(price, ql.BondPrice.Clean), DC, ql.Compounded, ql.Semiannual) * 100
    assert got.yield_to_worst_pct == pytest.approx(expected, abs=1e-8)
    assert got.workout_years == pytest.approx(workout_months / 12)
    assert got.is_call == (workout_months == 39)
    report = bond_risk(bond, flat_curve(4.5, frequency=2), price_clean=price,
                       params=HullWhiteParams(steps=100))
    assert report.yield_to_worst_pct == pytest.approx(expected, abs=1e-8)
    assert report.workout_years == pytest.approx(workout_months / 12)
