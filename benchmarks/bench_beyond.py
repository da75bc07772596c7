"""Issue-11 measures on the real history: timings, and the stress index against the OFR FSI.

Run: python benchmarks/bench_beyond.py [--repeat N]. Imports ../shared/data (or
$TSM_SHARED_DIR/data) into a temporary store through `tsm import`'s code, computes the measures,
then prints two tables:

1. wall time (median and worst over N runs after a warm-up) of the issue-11 full-history
   frames, the snapshot keys with and without those frames, and the three pages' callbacks;
2. Spearman rank correlation of our composite stress index with the OFR Financial Stress Index
   (daily, on shared dates; and on Fridays), for the index as it is ("before") and with
   candidate issue-11 indicators added in a "flows & liquidity" category ("after": foreign
   official custody 4-week change and net liquidity 4-week change, both signed so that a fall
   is stress). analytics/stress.py is not changed here; the "after" rows show what those
   indicators would add.

Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.beyond import beyond_histories, beyond_snapshot  # noqa: E402
from analytics.measures import compute_measures  # noqa: E402
from analytics.official import custody_history, net_liquidity_history  # noqa: E402
from analytics.stress import IndicatorSpec, build_indicators, compute_stress_index  # noqa: E402
from components.context import AppContext  # noqa: E402
from data.importer import import_paths  # noqa: E402
from data.market import load_market_data  # noqa: E402
from data.store import Store  # noqa: E402

SHARED = Path(os.environ.get("TSM_SHARED_DIR", ROOT.parent / "shared")) / "data"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), max(runs)


def spearman(a: pd.Series, b: pd.Series) -> tuple[float, int]:
    both = a.rename("a").to_frame().join(b.rename("b"), how="inner").dropna()
    return float(both.iloc[:, 0].rank().corr(both.iloc[:, 1].rank())), len(both)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files = [p for p in sorted(SHARED.rglob("*.csv")) if p.name != "auctions_2025_2026.csv"]
    with tempfile.TemporaryDirectory() as tmp:
        store_path = Path(tmp) / "store.sqlite"
        start = time.perf_counter()
        with Store.open(store_path) as store:
            import_paths(store, files)
        import_s = time.perf_counter() - start
        data = load_market_data(store_path)
        series = data.series
        start = time.perf_counter()
        measures = compute_measures(data.yields, series, data.cftc)
        measures_s = time.perf_counter() - start
        ctx = AppContext(store_path)
        when = pd.Timestamp("2025-04-11")
        hist = beyond_histories(series, sell_america=measures.sell_america)

        from components.pages import auctions, drivers, flows

        ctx.measures()
        rows = [
            ("beyond_histories (all issue-11 frames)", lambda: beyond_histories(series, sell_america=measures.sell_america)),
            ("beyond_snapshot, precomputed frames", lambda: beyond_snapshot(series, when, histories=hist)),
            ("beyond_snapshot, from scratch", lambda: beyond_snapshot(series, when)),
            ("Flows & liquidity callback", lambda: flows.update(ctx, "2025-04-11")),
            ("Rates drivers callback", lambda: drivers.update(ctx, "2025-04-11")),
            ("Auctions callback", lambda: auctions.update(ctx, "2025-04-11", "all")),
        ]
        print(f"import of {len(files)} shared files: {import_s:.2f} s; compute_measures: {measures_s:.2f} s "
              f"(load: {os.getloadavg()[0]:.2f})")
        print(f"{'step':45s} {'median ms':>10s} {'worst ms':>10s}")
        for name, fn in rows:
            med, worst = timed(fn, args.repeat)
            print(f"{name:45s} {med * 1e3:10.1f} {worst * 1e3:10.1f}")

        ofr = series["OFR_FSI"].dropna()
        index = measures.stress.total.dropna()
        values, specs = build_indicators(
            data.yields, series, data.cftc if len(data.cftc) else None,
            fit_noise_bp=measures.fit.rmse_bp if measures.fit is not None else None,
            otr_premium_bp=measures.otr_premium_bp["10y"] if measures.otr_premium_bp is not None else None,
            swap_spread_bp=measures.swap_spreads_bp["10y"] if "10y" in measures.swap_spreads_bp else None,
        )
        extra = pd.DataFrame({
            "custody_change_4w_bn": custody_history(series)["change_4w_bn"],
            "net_liquidity_change_4w_bn": net_liquidity_history(series)["change_4w_bn"],
        })
        extra_specs = [
            IndicatorSpec("custody_change_4w_bn", "flows & liquidity", -1, "Foreign official custody, 4w change",
                          "$bn", max_ffill_days=5),
            IndicatorSpec("net_liquidity_change_4w_bn", "flows & liquidity", -1, "Net liquidity, 4w change",
                          "$bn", max_ffill_days=5),
        ]
        combined = values.join(extra, how="outer")
        after = compute_stress_index(combined, [*specs, *extra_specs]).total.dropna()
        print()
        print(f"{'Spearman rank correlation with OFR FSI':45s} {'rho':>8s} {'n':>7s}")
        for label, idx in (("before: index as built", index), ("after: + custody and net liquidity", after)):
            rho, n = spearman(idx, ofr)
            print(f"{label + ', daily':45s} {rho:8.3f} {n:7d}")
            fri = idx.resample("W-FRI").last()
            rho_w, n_w = spearman(fri, ofr.resample("W-FRI").last())
            print(f"{label + ', Fridays':45s} {rho_w:8.3f} {n_w:7d}")
            since = idx.loc["2018":]
            rho_r, n_r = spearman(since, ofr)
            print(f"{label + ', daily since 2018':45s} {rho_r:8.3f} {n_r:7d}")


if __name__ == "__main__":
    main()
