"""Cost of the issue-9 page controls on the real history: the Curve page's percentile basis and
the Funding page's calendar-adjusted lights.

Run: python benchmarks/bench_issue9_pages.py. Reads ../shared/data (or $TSM_SHARED_DIR/data),
builds the market state of the 1962-2026 CMT yields, then prints the wall time of
``moves_frame`` per basis (first call: every move table re-ranked; then a cached lookup), of
``episodes_frame`` and of the funding snapshot and light history with and without the calendar
adjustment. Nothing is asserted.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.funding import CalendarAdjustment, funding_snapshot, liquidity_light_history  # noqa: E402
from analytics.tenors import CMT_SERIES, TENORS  # noqa: E402
from components.pages import curve  # noqa: E402
from tests.conftest import read_shared_series, state_of_yields  # noqa: E402

SHARED = Path(os.environ.get("TSM_SHARED_DIR", ROOT.parent / "shared")) / "data"


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000.0


def main() -> None:
    wide = pd.read_csv(SHARED / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"]).set_index("date")
    yields = wide.sort_index().rename(columns={v: k for k, v in CMT_SERIES.items()})[list(TENORS)]
    state = state_of_yields(yields.astype(float))
    as_of = pd.Timestamp("2025-04-11")
    rows: list[tuple[str, float]] = []
    for basis in ("all", "since-2000", "rolling-10y"):
        rows.append((f"moves_frame basis={basis}, first call", timed(
            lambda b=basis: curve.moves_frame(state, as_of=as_of, basis=b))))
        rows.append((f"moves_frame basis={basis}, cached", timed(
            lambda b=basis: curve.moves_frame(state, as_of=as_of, basis=b))))
    rows.append(("episodes_frame 2s10s 1w rolling-10y", timed(lambda: curve.episodes_frame(
        state, spread="2s10s", regime="bear steepener", window="1w", as_of=as_of,
        parallel_band_bp=2.0, basis="rolling-10y"))))
    series = pd.concat({sid: read_shared_series(SHARED, f"fred/{sid}.csv") for sid in
                        ("SOFR", "EFFR", "IORB", "IOER", "RRPONTSYD", "RPONTSYD", "WRESBAL")},
                       axis=1, sort=True)
    for label, cal in (("plain", None), ("calendar-adjusted", CalendarAdjustment())):
        rows.append((f"funding_snapshot {label}", timed(
            lambda c=cal: funding_snapshot(series, as_of="2024-12-31", calendar=c))))
        rows.append((f"liquidity_light_history {label}", timed(
            lambda c=cal: liquidity_light_history(series, calendar=c))))
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  ms")
    for name, ms in rows:
        print(f"{name:<{width}}  {ms:8.1f}")


if __name__ == "__main__":
    main()
