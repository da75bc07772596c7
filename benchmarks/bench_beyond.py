"""Issue-11 measures on the real history: timings, and the stress index against the OFR FSI.

Run: python benchmarks/bench_beyond.py [--repeat N]. Imports ../shared/data (or
$TSM_SHARED_DIR/data) into a temporary store through `tsm import`'s code, computes the measures,
then prints two tables:

1. wall time (median and worst over N runs after a warm-up) of the issue-11 full-history
   frames, the snapshot keys with and without those frames, and the three pages' callbacks;
2. Spearman rank correlation of our composite stress index with the OFR Financial Stress Index
   (daily, on shared dates; and on Fridays), for the index as it is ("before") and with
   each candidate issue-11 indicator added in a "flows & liquidity" category ("after": foreign
   official custody 4-week change and net liquidity 4-week change, signed so that a fall is
   stress; the ACM term premium's 21-day change; the latest auction's weakness score).
   analytics/stress.py is not changed here; the "after" rows show what each would add.

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
        from analytics.auctions import auction_table
        from analytics.term_premium import term_premium_history

        held = auction_table(series)
        weakness = held.groupby("date")["weakness"].max()
        candidates = {
            "custody_change_4w_bn": (custody_history(series)["change_4w_bn"], -1,
                                     "Foreign official custody, 4w change"),
            "net_liquidity_change_4w_bn": (net_liquidity_history(series)["change_4w_bn"], -1,
                                           "Net liquidity, 4w change"),
            "acm_tp_change_21d": (term_premium_history(series)["acm_10y_pct"].diff(21), 1,
                                  "ACM term premium, 21-day change"),
            "auction_weakness": (weakness, 1, "Auction weakness score (latest auction)"),
        }

        def with_extra(names: list[str]) -> pd.Series:
            extra = pd.DataFrame({n: candidates[n][0] for n in names})
            specs_extra = [IndicatorSpec(n, "flows & liquidity", candidates[n][1], candidates[n][2],
                                         max_ffill_days=25) for n in names]
            return compute_stress_index(values.join(extra, how="outer"), [*specs, *specs_extra]).total.dropna()

        variants = [("before: index as built", index)]
        variants += [(f"+ {n}", with_extra([n])) for n in candidates]
        variants.append(("+ custody and net liquidity", with_extra(["custody_change_4w_bn",
                                                                     "net_liquidity_change_4w_bn"])))
        print()
        print(f"{'Spearman rank correlation with OFR FSI':45s} {'daily':>8s} {'Fridays':>8s} {'since 2018':>10s} {'n':>7s}")
        for label, idx in variants:
            rho, n = spearman(idx, ofr)
            rho_w, _ = spearman(idx.resample("W-FRI").last(), ofr.resample("W-FRI").last())
            rho_r, _ = spearman(idx.loc["2018":], ofr)
            print(f"{label:45s} {rho:8.3f} {rho_w:8.3f} {rho_r:10.3f} {n:7d}")


if __name__ == "__main__":
    main()
