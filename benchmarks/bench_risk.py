"""Risk engine speed, side by side with QuantLib on the same instruments, in one run.

    python benchmarks/bench_risk.py [--bonds 10000] [--ql-sample 200] [--repeat 5]

1. Full risk (price, effective duration, 8 key-rate durations) of a portfolio of bullets:
   ours vectorised on padded cash-flow matrices; QuantLib bond by bond (FixedRateBond,
   DiscountingBondEngine, curves shifted with ZeroSpreadedTermStructure and, for key rates,
   SpreadedLinearZeroInterpolatedTermStructure, both in semiannual compounding, the convention
   of our shifts) on a random subsample, extrapolated linearly to the whole portfolio (said so
   in the table).
2. A 10y 5% callable (Bermudan after 3y) on a 500-step Hull-White tree: ours cold (lattice
   built and priced), warm (lattice reused, as in OAS and duration loops), and QuantLib's
   TreeCallableFixedRateBondEngine with 500 steps.
3. Full risk of that callable (OAS solve, effective duration, convexity fit, 8 KRDs) on one
   lattice, and the same work done with QuantLib (its engine rebuilds the tree for every
   shifted curve): OAS from the price, the two parallel and 16 key-rate bumps, and the 8
   further tree prices of the convexity fit.

Prints a table; no assertion (timings belong here, not in the test suite).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.bonds import Bullet, cash_flow_matrix  # noqa: E402
from analytics.curves import ZeroCurve, bootstrap_par_curve  # noqa: E402
from analytics.hullwhite import CallableBond, CallableTreePricer, HullWhiteParams  # noqa: E402
from analytics.risk import bond_risk, bullet_risk_batch  # noqa: E402
from analytics.tenors import KEY_TENOR_YEARS  # noqa: E402

#: A par curve of the shape of spring 2025 (percent), typed in so the benchmark needs no data.
PAR_CURVE_PCT = {"1m": 4.29, "3m": 4.32, "6m": 4.23, "1y": 4.05, "2y": 3.96, "3y": 3.94, "5y": 4.16,
                 "7y": 4.34, "10y": 4.49, "20y": 4.87, "30y": 4.85}
SHIFT_BP = 25.0


def best_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, best) wall time of `fn` in milliseconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def quantlib_setup(curve: ZeroCurve) -> tuple[Any, Any, Any, Any, Any]:
    import QuantLib as ql

    settle = ql.Date(15, 1, 2025)
    ql.Settings.instance().evaluationDate = settle
    dc = ql.Thirty360(ql.Thirty360.BondBasis)
    cal = ql.NullCalendar()
    dates = [settle] + [settle + ql.Period(int(round(t * 12)), ql.Months) for t in curve.times_years]
    rates = [float(curve.zero_rates[0])] + [float(z) for z in curve.zero_rates]
    base = ql.YieldTermStructureHandle(ql.ZeroCurve(dates, rates, dc, cal, ql.Linear(), ql.Continuous))
    return ql, settle, dc, cal, base


def ql_schedule(ql: Any, settle: Any, cal: Any, months: int) -> Any:
    maturity = settle + ql.Period(months, ql.Months)
    first = maturity - ql.Period(6 * math.ceil(months / 6), ql.Months)
    return ql.Schedule(first, maturity, ql.Period(ql.Semiannual), cal, ql.Unadjusted, ql.Unadjusted,
                       ql.DateGeneration.Backward, False)


def quantlib_bullet_risk(curve: ZeroCurve, coupons: np.ndarray, months: np.ndarray) -> tuple[float, np.ndarray]:
    """Seconds for price + effective duration + 8 KRDs of each bond, and their durations."""
    ql, settle, dc, cal, base = quantlib_setup(curve)
    start = time.perf_counter()
    handle = ql.RelinkableYieldTermStructureHandle(base.currentLink())
    bonds = []
    for c, m in zip(coupons, months, strict=True):
        bond = ql.FixedRateBond(0, 100.0, ql_schedule(ql, settle, cal, int(m)), [float(c) / 100], dc)
        bond.setPricingEngine(ql.DiscountingBondEngine(handle))
        bonds.append(bond)
    key_dates = [settle + ql.Period(int(y * 12), ql.Months) for y in KEY_TENOR_YEARS]
    dy = SHIFT_BP * 1e-4

    def dirty_prices(ts: Any) -> np.ndarray:
        handle.linkTo(ts)
        return np.array([b.dirtyPrice() for b in bonds])

    p0 = dirty_prices(base.currentLink())
    parallel = {}
    for bp in (SHIFT_BP, -SHIFT_BP):
        q = ql.QuoteHandle(ql.SimpleQuote(bp * 1e-4))
        parallel[bp] = dirty_prices(ql.ZeroSpreadedTermStructure(base, q, ql.Compounded, ql.Semiannual, dc))
    krds = []
    for k in range(len(key_dates)):
        bumped = {}
        for bp in (SHIFT_BP, -SHIFT_BP):
            quotes = [ql.QuoteHandle(ql.SimpleQuote(bp * 1e-4 if i == k else 0.0)) for i in range(len(key_dates))]
            ts = ql.SpreadedLinearZeroInterpolatedTermStructure(base, quotes, key_dates, ql.Compounded,
                                                                ql.Semiannual, dc)
            bumped[bp] = dirty_prices(ts)
        krds.append((bumped[-SHIFT_BP] - bumped[SHIFT_BP]) / (2 * p0 * dy))
    elapsed = time.perf_counter() - start
    eff = (parallel[-SHIFT_BP] - parallel[SHIFT_BP]) / (2 * p0 * dy)
    return elapsed, np.column_stack([eff, *krds])


def quantlib_callable_price(curve: ZeroCurve, steps: int) -> tuple[float, float]:
    """(milliseconds, clean price) of QuantLib's tree engine on the benchmark callable."""
    ql, settle, dc, cal, base = quantlib_setup(curve)
    schedule = ql_schedule(ql, settle, cal, 120)
    calls = ql.CallabilitySchedule()
    for d in list(schedule)[1:-1]:
        if d >= settle + ql.Period(36, ql.Months):
            calls.append(ql.Callability(ql.BondPrice(100.0, ql.BondPrice.Clean), ql.Callability.Call, d))
    start = time.perf_counter()
    bond = ql.CallableFixedRateBond(0, 100.0, schedule, [0.05], dc, ql.Unadjusted, 100.0, schedule[0], calls)
    bond.setPricingEngine(ql.TreeCallableFixedRateBondEngine(ql.HullWhite(base, 0.03, 0.01), steps))
    price = bond.cleanPrice()
    return (time.perf_counter() - start) * 1e3, price


def quantlib_callable_full_risk(curve: ZeroCurve, steps: int) -> float:
    """Milliseconds for QuantLib to do the callable's full risk: the OAS of a price, 2 parallel
    and 16 key-rate bumps at that OAS, and 8 more prices for the convexity fit (27 tree prices)."""
    ql, settle, dc, cal, base = quantlib_setup(curve)
    schedule = ql_schedule(ql, settle, cal, 120)
    calls = ql.CallabilitySchedule()
    for d in list(schedule)[1:-1]:
        if d >= settle + ql.Period(36, ql.Months):
            calls.append(ql.Callability(ql.BondPrice(100.0, ql.BondPrice.Clean), ql.Callability.Call, d))
    key_dates = [settle + ql.Period(int(y * 12), ql.Months) for y in KEY_TENOR_YEARS]
    start = time.perf_counter()
    handle = ql.RelinkableYieldTermStructureHandle(base.currentLink())
    bond = ql.CallableFixedRateBond(0, 100.0, schedule, [0.05], dc, ql.Unadjusted, 100.0, schedule[0], calls)
    bond.setPricingEngine(ql.TreeCallableFixedRateBondEngine(ql.HullWhite(handle, 0.03, 0.01), steps))
    oas = bond.OAS(99.0, base, dc, ql.Continuous, ql.NoFrequency)
    oas_q = ql.QuoteHandle(ql.SimpleQuote(oas))
    at_oas = ql.YieldTermStructureHandle(ql.ZeroSpreadedTermStructure(base, oas_q, ql.Continuous))
    bumps = [ql.ZeroSpreadedTermStructure(at_oas, ql.QuoteHandle(ql.SimpleQuote(bp * 1e-4)), ql.Compounded,
                                          ql.Semiannual, dc) for bp in (-25, 25, -50, -37.5, -12.5, 12.5, 37.5, 50)]
    for k in range(len(key_dates)):
        for bp in (-25, 25):
            quotes = [ql.QuoteHandle(ql.SimpleQuote(bp * 1e-4 if i == k else 0.0)) for i in range(len(key_dates))]
            bumps.append(ql.SpreadedLinearZeroInterpolatedTermStructure(at_oas, quotes, key_dates, ql.Compounded,
                                                                        ql.Semiannual, dc))
    for ts in bumps:
        handle.linkTo(ts)
        bond.cleanPrice()
    return (time.perf_counter() - start) * 1e3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bonds", type=int, default=10_000)
    parser.add_argument("--ql-sample", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    curve = bootstrap_par_curve(PAR_CURVE_PCT)
    rng = np.random.default_rng(20250411)
    months = rng.integers(3, 361, size=args.bonds)
    coupons = np.round(rng.uniform(0.0, 8.0, size=args.bonds), 3)
    spreads = rng.uniform(-20.0, 150.0, size=args.bonds)

    def ours_batch() -> object:
        flows = cash_flow_matrix(coupons_pct=coupons, maturities_years=months / 12.0)
        return bullet_risk_batch(flows, curve, spreads_bp=spreads, shift_bp=SHIFT_BP)

    ours_batch()  # warm-up (imports, page faults)
    batch_med, batch_best = best_ms(ours_batch, args.repeat)
    batch = bullet_risk_batch(cash_flow_matrix(coupons_pct=coupons, maturities_years=months / 12.0), curve,
                              shift_bp=SHIFT_BP)

    rows: list[tuple[str, str, str, str, str]] = []
    sample = rng.choice(args.bonds, size=min(args.ql_sample, args.bonds), replace=False)
    try:
        ql_seconds, ql_risk = quantlib_bullet_risk(curve, coupons[sample], months[sample])
        ql_total = ql_seconds / sample.size * args.bonds * 1e3
        ours = np.column_stack([batch.effective_duration[sample], batch.krd[sample]])
        agree = f"max |dD|, |dKRD| {np.max(np.abs(ours - ql_risk)):.1e}"
        ql_text = f"{ql_total:,.0f} (extrapolated from {sample.size})"
    except ImportError:
        ql_text, agree = "QuantLib not installed", "-"
    rows.append((f"{args.bonds:,} bullets: price, eff. duration, 8 KRDs", f"{batch_med:,.1f} (best {batch_best:,.1f})",
                 ql_text, "< 200", agree))

    bond = CallableBond(bullet=Bullet(coupon_pct=5.0, maturity_years=10.0), call_after_years=3.0)
    params = HullWhiteParams(mean_reversion=0.03, vol_bp=100.0, steps=500)
    pricer = CallableTreePricer(bond, params=params)
    cold_med, cold_best = best_ms(lambda: CallableTreePricer(bond, params=params).price(curve), args.repeat)
    warm_med, warm_best = best_ms(lambda: pricer.price(curve), args.repeat)
    ours_price = pricer.price(curve)
    try:
        ql_ms, ql_price = quantlib_callable_price(curve, 500)
        ql_col, agree = f"{ql_ms:,.1f}", f"|dP| {abs(ours_price - ql_price):.1e} per 100"
    except ImportError:
        ql_col, agree = "QuantLib not installed", "-"
    rows.append((f"callable, {params.steps}-step tree, cold (build + price)", f"{cold_med:,.1f} (best {cold_best:,.1f})",
                 ql_col, "< 20", agree))
    rows.append((f"callable, {params.steps}-step tree, warm (lattice reused)",
                 f"{warm_med:,.1f} (best {warm_best:,.1f})", "-", "< 20", "-"))
    full_med, full_best = best_ms(lambda: bond_risk(bond, curve, price_clean=99.0, params=params), max(1, args.repeat // 2))
    try:
        ql_full = quantlib_callable_full_risk(curve, 500)
        full_ql = f"{ql_full:,.1f}"
        ratio = f"QuantLib / ours {ql_full / full_med:.1f}x"
    except ImportError:
        full_ql, ratio = "QuantLib not installed", "-"
    rows.append(("callable full risk: OAS + eff. dur. + convexity fit + 8 KRDs, one lattice",
                 f"{full_med:,.1f} (best {full_best:,.1f})", full_ql, "-", ratio))
    if cold_med > 0:
        rows[1] = (*rows[1][:4], rows[1][4] + (f"; QuantLib / ours {float(ql_col.replace(',', '')) / cold_med:.1f}x"
                                                if ql_col[:1].isdigit() else ""))

    headers = ("task", "ours ms", "QuantLib ms", "target ms", "agreement")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"risk engine benchmark ({args.bonds:,} bonds, shift {SHIFT_BP:g} bp, numpy {np.__version__}, "
          f"{os.cpu_count()} cores, load average {load}); ours: median (best) of {args.repeat} runs")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
