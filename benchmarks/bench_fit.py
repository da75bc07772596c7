"""Timings of the NSS fits and the curve measures over the full CMT history.

Usage: ``python benchmarks/bench_fit.py`` from the repository root. The history is read from
``$TSM_SHARED_DIR/data/fred/treasury_cmt_wide.csv`` (default: ../shared beside the repo).
The naive per-day scipy fit is timed on an evenly spaced sample of days and extrapolated to
the full history; the table says so. BLAS is pinned to one thread (the target is "one
core"; on a busy 2-core machine threaded BLAS is also slower).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Before numpy is imported: BLAS reads these once.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.curve import (  # noqa: E402
    WINDOWS,
    classify_moves,
    curve_factors,
    curve_pca,
    curve_spreads_bp,
    largest_episodes,
    spread_moves,
)
from analytics.fitting import fit_nss, fit_nss_naive  # noqa: E402
from analytics.functioning import fit_noise  # noqa: E402
from analytics.tenors import CMT_SERIES, SPREADS, TENORS  # noqa: E402

#: Days of the naive fit's timing sample.
NAIVE_SAMPLE_DAYS = 300
SHARED_DIR = Path(
    os.environ.get("TSM_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
)


def load_yields() -> pd.DataFrame:
    wide = pd.read_csv(SHARED_DIR / "data" / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    frame = wide.set_index("date").sort_index().rename(columns={v: k for k, v in CMT_SERIES.items()})
    return frame[list(TENORS)].astype(float)


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def curve_measures(yields: pd.DataFrame) -> None:
    curve_spreads_bp(yields)
    for spread in SPREADS:
        for window in WINDOWS:
            moves = spread_moves(yields, spread, window=window)
            classify_moves(moves["short_bp"].to_numpy(), moves["long_bp"].to_numpy())
        largest_episodes(yields, spread, window="1w")
    curve_factors(yields)
    curve_pca(yields)


def main() -> int:
    yields = load_yields()
    n_days = len(yields)
    sample = yields.iloc[:: max(1, n_days // NAIVE_SAMPLE_DAYS)].iloc[:NAIVE_SAMPLE_DAYS]
    rows: list[tuple[str, int, float, str]] = []
    seconds = timed(lambda: fit_nss(yields))
    rows.append(("fast NSS fit, all 11 tenors (grid + refine)", n_days, seconds, "measured"))
    seconds = timed(lambda: fit_nss(yields, refine=False))
    rows.append(("fast NSS fit, grid only", n_days, seconds, "measured"))
    seconds = timed(lambda: fit_noise(yields))
    rows.append(("fit noise (NSS on 1y-30y tenors)", n_days, seconds, "measured"))
    sample_seconds = timed(lambda: fit_nss_naive(sample))
    rows.append(
        (
            f"naive scipy NSS fit per day (sample of {len(sample)} days)",
            len(sample),
            sample_seconds,
            "measured",
        )
    )
    rows.append(
        (
            "naive scipy NSS fit per day, full history",
            n_days,
            sample_seconds / len(sample) * n_days,
            f"extrapolated from {len(sample)} days",
        )
    )
    seconds = timed(lambda: curve_measures(yields))
    rows.append(
        (
            "curve measures (spreads, 5x3 moves+classes, episodes, factors, PCA)",
            n_days,
            seconds,
            "measured",
        )
    )
    print(f"history: {yields.index[0].date()} .. {yields.index[-1].date()}, {n_days} days")
    header = f"{'task':<70} {'rows':>7} {'seconds':>9} {'us/day':>9}  note"
    print(header)
    print("-" * len(header))
    for name, count, secs, note in rows:
        print(f"{name:<70} {count:>7} {secs:>9.3f} {secs / count * 1e6:>9.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
