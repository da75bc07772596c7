"""Meeting mode: building the monitor board and its layout, on the DEMO set and the real history.

Run: python benchmarks/bench_present.py [--repeat N]. Builds the market state once per data set
(not timed: that is the state's own benchmark), then prints the median and worst wall time of
the snapshot (row selection), of :func:`analytics.monitor.build_board` and of the whole
meeting-mode layout for three as-of dates over N runs after one warm-up. Nothing is asserted;
the target is well under 100 ms per board so that opening meeting mode is a lookup.
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
os.environ.setdefault("TSM_WARM_UP", "0")

from analytics.monitor import build_board  # noqa: E402
from analytics.state import MarketState, build_state, snapshot  # noqa: E402
from analytics.tenors import CFTC_COLUMNS, CMT_SERIES, TENORS  # noqa: E402

SHARED = Path(os.environ.get("TSM_SHARED_DIR", ROOT.parent / "shared")) / "data"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs) * 1e3, max(runs) * 1e3


def real_state() -> MarketState | None:
    if not SHARED.is_dir():
        return None
    wide = pd.read_csv(SHARED / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    yields = wide.set_index("date").sort_index().rename(
        columns={v: k for k, v in CMT_SERIES.items()})[list(TENORS)].astype(float)
    yields.index.name = "date"
    parts = []
    for sid in ("SOFR", "EFFR", "IOER", "IORB", "RRPONTSYD", "WRESBAL"):
        frame = pd.read_csv(SHARED / "fred" / f"{sid}.csv", parse_dates=["date"])
        parts.append(frame.set_index("date")["value"].astype(float).rename(sid))
    series = pd.concat(parts, axis=1, sort=True)
    series.index.name = "date"
    cftc = pd.DataFrame(columns=list(CFTC_COLUMNS))
    return build_state(yields, series, cftc, revision=0, mode="imported")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from components.context import AppContext
    from components.pages import present

    ctx = AppContext(Path(tempfile.mkdtemp()) / "absent.sqlite")
    sets: list[tuple[str, MarketState]] = [("DEMO", ctx.state())]
    real = real_state()
    if real is not None:
        sets.append(("real 1962-2026 (no CFTC)", real))
    rows = []
    for name, state in sets:
        last = state.last_date
        assert last is not None
        for as_of in (last, last - pd.Timedelta(days=365), pd.Timestamp("2020-03-18")):
            snap = snapshot(state, as_of=as_of)
            rows.append((name, f"{as_of:%Y-%m-%d}", "snapshot",
                         *timed(lambda a=as_of, s=state: snapshot(s, as_of=a), args.repeat)))
            rows.append((name, f"{as_of:%Y-%m-%d}", "build_board",
                         *timed(lambda s=state, n=snap: build_board(s, n), args.repeat)))
    search = f"?present=1&as_of={sets[0][1].last_date:%Y-%m-%d}"
    rows.append(("DEMO", "latest", "present.layout (cached snapshot)",
                 *timed(lambda: present.layout(ctx, search), args.repeat)))
    print(f"{'data':26} {'as of':11} {'step':32} {'median ms':>10} {'worst ms':>10}")
    for data, as_of, step, median, worst in rows:
        print(f"{data:26} {as_of:11} {step:32} {median:10.1f} {worst:10.1f}")


if __name__ == "__main__":
    main()
