"""The issue-11 snapshot keys at a new as-of date: row lookups against the slices of before.

Run: python benchmarks/bench_beyond_lookups.py [--store PATH] [--dates N]. Loads (or builds) the
market state of the store (default: ../shared/data imported into a temporary store), then, in
one process and on the same dates, times

* ``beyond_snapshot`` from the state's lookups (what the app does now);
* the same keys computed as before the lookups (tests/unit/analytics/beyond_before.py:
  ``.loc[:as_of]`` slices of the full-history frames on every call), and checks they agree;
* the Flows & liquidity, Rates drivers and Auctions callbacks (now).

Prints the median and 95th percentile per call and the ratio old / new. Nothing is asserted
but the agreement of the two snapshot paths.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.beyond import beyond_snapshot  # noqa: E402
from components.context import AppContext  # noqa: E402
from components.pages import auctions, drivers, flows  # noqa: E402
from tests.unit.analytics import beyond_before as before  # noqa: E402

SHARED = Path(os.environ.get("TSM_SHARED_DIR", ROOT.parent / "shared")) / "data"


def timed(fn: Callable[[pd.Timestamp], object], dates: list[pd.Timestamp]) -> tuple[float, float]:
    fn(dates[0])
    runs = []
    for day in dates:
        start = time.perf_counter()
        fn(day)
        runs.append((time.perf_counter() - start) * 1e3)
    runs.sort()
    return statistics.median(runs), runs[max(0, int(0.95 * len(runs)) - 1)]


def run(store: Path, count: int) -> None:
    ctx = AppContext(store)
    state = ctx.state()
    series = state.measures.series
    h = state.beyond
    frames = {name: getattr(h, name) for name in ("custody", "liquidity", "term_premium",
                                                    "real_yields", "auctions", "sell_america")}
    rng = random.Random(7)
    days = pd.bdate_range("2008-01-01", series.index[-1])
    dates = [days[rng.randrange(len(days))] for _ in range(count)]
    for day in dates[:20]:
        assert json.dumps(beyond_snapshot(series, day, histories=h)) == json.dumps(
            before.beyond_snapshot(series, day, frames)), day
    new = timed(lambda d: beyond_snapshot(series, d, histories=h), dates)
    old = timed(lambda d: before.beyond_snapshot(series, d, frames), dates)
    print(f"store {store}, revision {state.revision}, {len(dates)} dates (load {os.getloadavg()[0]:.2f})")
    print(f"{'per call':42s} {'p50 ms':>8s} {'p95 ms':>8s}")
    print(f"{'beyond_snapshot before (slices)':42s} {old[0]:8.2f} {old[1]:8.2f}")
    print(f"{'beyond_snapshot now (lookups)':42s} {new[0]:8.2f} {new[1]:8.2f}   "
          f"{old[0] / new[0]:.0f}x faster (p50)")
    for name, fn in (("Flows & liquidity callback", lambda d: flows.update(ctx, f"{d:%Y-%m-%d}")),
                     ("Rates drivers callback", lambda d: drivers.update(ctx, f"{d:%Y-%m-%d}")),
                     ("Curve page term-premium card", lambda d: drivers.curve_card_figure(ctx, f"{d:%Y-%m-%d}")),
                     ("Auctions callback", lambda d: auctions.update(ctx, f"{d:%Y-%m-%d}", "all"))):
        med, p95 = timed(fn, dates)
        print(f"{name:42s} {med:8.2f} {p95:8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--dates", type=int, default=100)
    args = parser.parse_args()
    if args.store is not None:
        run(args.store, args.dates)
        return
    from data.importer import import_paths
    from data.store import Store

    files = [p for p in sorted(SHARED.rglob("*.csv")) if p.name != "auctions_2025_2026.csv"]
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store.sqlite"
        with Store.open(store) as opened:
            import_paths(opened, files)
        run(store, args.dates)


if __name__ == "__main__":
    main()
