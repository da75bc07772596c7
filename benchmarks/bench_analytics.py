"""Full-history recompute of the funding, positioning, cross-asset and stress analytics.

Run: python benchmarks/bench_analytics.py [--repeat N]. Reads the real history in ../shared/data
(or $TSM_SHARED_DIR/data), builds the store's frames in memory, then prints the median and worst
wall time of each step over N runs (after one warm-up) and the total. The NSS fit
(analytics/fitting.py, another module) is timed on its own row when that module exists and is
excluded from the total. Nothing is asserted; the target is a total under 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analytics.crossasset import sell_america_history  # noqa: E402
from analytics.funding import (  # noqa: E402
    fed_facilities,
    funding_snapshot,
    funding_spreads,
    liquidity_light_history,
)
from analytics.positioning import (  # noqa: E402
    asset_managers_net,
    leveraged_funds_net,
    positioning_snapshot,
    positions_table,
)
from analytics.stress import build_indicators, compute_stress_index, stress_snapshot  # noqa: E402
from analytics.tenors import CMT_SERIES, TENORS, TRADER_GROUPS  # noqa: E402

SHARED = Path(os.environ.get("TSM_SHARED_DIR", ROOT.parent / "shared")) / "data"
FRED_SERIES = ("EFFR", "IORB", "IOER", "RRPONTSYD", "RPONTSYD", "WRESBAL", "DTWEXBGS", "SP500")
FRED_SERIES += ("VIXCLS", "DSWP10")


def _date_value(relpath: str) -> pd.Series:
    frame = pd.read_csv(SHARED / relpath, parse_dates=["date"])
    return frame.set_index("date")["value"].astype(float)


def load_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Yields, wide series and long CFTC frames in the store's conventions."""
    wide = pd.read_csv(SHARED / "fred" / "treasury_cmt_wide.csv", parse_dates=["date"])
    wide = wide.set_index("date").sort_index()
    yields = wide.rename(columns={v: k for k, v in CMT_SERIES.items()})[list(TENORS)].astype(float)
    yields.index.name = "date"

    detail = pd.read_csv(SHARED / "nyfed" / "sofr_detail.csv", parse_dates=["date"]).set_index(
        "date"
    )
    cols = {name: _date_value(f"fred/{name}.csv") for name in FRED_SERIES}
    cols["MOVE"] = _date_value("ice/MOVE.csv")
    series = pd.concat([detail.astype(float), pd.DataFrame(cols)], axis=1, sort=True)
    series = series[series.index.day_of_week < 5]
    series.index.name = "date"

    tff = pd.read_csv(
        SHARED / "cftc" / "tff_treasury_futures.csv",
        parse_dates=["report_date"],
        dtype={"cftc_code": str},
    )
    parts = []
    for group in TRADER_GROUPS:
        spreading = tff[f"{group}_spread"] if f"{group}_spread" in tff.columns else np.nan
        parts.append(
            pd.DataFrame(
                {
                    "report_date": tff["report_date"],
                    "contract_code": tff["cftc_code"],
                    "trader_group": group,
                    "long": tff[f"{group}_long"],
                    "short": tff[f"{group}_short"],
                    "spreading": spreading,
                    "open_interest": tff["open_interest"],
                }
            )
        )
    return yields, series, pd.concat(parts, ignore_index=True)


def timed_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time of ``fn`` over ``repeat`` calls, ms (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1e3)
    return statistics.median(runs), max(runs)


def format_rows(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per row (default 5)")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"real history not found at {SHARED} (set TSM_SHARED_DIR)", file=sys.stderr)
        return 1
    yields, series, cftc = load_frames()
    as_of = series.index.max()
    frame, specs = build_indicators(yields, series, cftc)
    result = compute_stress_index(frame, specs)
    table = positions_table(cftc)

    def positioning_all() -> None:
        t = positions_table(cftc)
        leveraged_funds_net(t)
        asset_managers_net(t)

    steps: list[tuple[str, str, Callable[[], object]]] = [
        (
            "funding spreads + facilities",
            f"{len(series)} days",
            lambda: (funding_spreads(series), fed_facilities(series)),
        ),
        ("liquidity light history", f"{len(series)} days", lambda: liquidity_light_history(series)),
        (
            "funding_snapshot",
            f"as of {as_of:%Y-%m-%d}",
            lambda: funding_snapshot(series, as_of=as_of),
        ),
        ("positions_table + aggregates", f"{len(cftc)} rows", positioning_all),
        (
            "positioning_snapshot",
            f"{table['report_date'].nunique()} reports",
            lambda: positioning_snapshot(cftc, as_of=as_of),
        ),
        (
            "sell_america_history",
            f"{len(yields)} days",
            lambda: sell_america_history(yields, series),
        ),
        (
            "build_indicators",
            f"{len(frame)} days x {len(specs)}",
            lambda: build_indicators(yields, series, cftc),
        ),
        (
            "compute_stress_index",
            f"window {result.window}",
            lambda: compute_stress_index(frame, specs),
        ),
        (
            "stress_snapshot",
            f"as of {as_of:%Y-%m-%d}",
            lambda: stress_snapshot(result, as_of=as_of),
        ),
    ]
    rows: list[list[str]] = []
    total_med = total_worst = 0.0
    for name, size, fn in steps:
        med, worst = timed_ms(fn, args.repeat)
        total_med += med
        total_worst += worst
        rows.append([name, size, f"{med:.1f}", f"{worst:.1f}"])
    rows.append(["TOTAL (excl. fit_nss)", "", f"{total_med:.1f}", f"{total_worst:.1f}"])

    from analytics.fitting import fit_nss
    from analytics.functioning import fit_noise
    from analytics.measures import compute_measures, snapshot

    med, worst = timed_ms(lambda: fit_nss(yields), 1)
    rows.append(["fit_nss, all 11 tenors", f"{len(yields)} days, 1 run", f"{med:.1f}", f"{worst:.1f}"])
    med, worst = timed_ms(lambda: fit_noise(yields), 1)
    rows.append(["fit_noise (NSS on 1y-30y)", f"{len(yields)} days, 1 run", f"{med:.1f}", f"{worst:.1f}"])
    measures = compute_measures(yields, series, cftc)
    med, worst = timed_ms(lambda: compute_measures(yields, series, cftc), max(1, args.repeat // 2))
    rows.append(["compute_measures: EVERY measure incl. the fit", "full history", f"{med:.1f}", f"{worst:.1f}"])
    med, worst = timed_ms(lambda: snapshot(measures, as_of=as_of, data="imported"), args.repeat)
    rows.append(["snapshot (tsm snapshot) from the measures", f"as of {as_of:%Y-%m-%d}", f"{med:.1f}", f"{worst:.1f}"])
    note = ""
    print(format_rows(["step", "size", "median ms", "worst ms"], rows))
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
