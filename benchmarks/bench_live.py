"""What the live-update check and an offline refresh cost.

Run: python benchmarks/bench_live.py [--repeat N]. Prints:

* the revision check an open page makes every TSM_LIVE_POLL_SECONDS (open the store, read its
  revision and origin), on an empty folder (DEMO) and on a store holding the real CMT history
  from ../shared/data when it is there (else 10 years of synthetic daily rows);
* the wall time of a refresh with no network (every source host unresolvable) and with every
  source down (a closed local port), with the HTTP retry settings of the environment
  (defaults: 3 retries, 1 s backoff) and with none.

Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.refresh import refresh_store  # noqa: E402
from components.context import AppContext  # noqa: E402
from components.desk_tools import store_revision  # noqa: E402
from data.model import Batch  # noqa: E402
from data.store import Store  # noqa: E402

SHARED = Path(os.environ.get("TSM_SHARED_DIR", ROOT.parent / "shared")) / "data"
SOURCES = ("FRED", "FREDAPI", "NYFED", "TREASURY", "CFTC", "CFTC_FILES", "GSW", "OFR", "ACM",
           "AUCTIONS", "ERIS")


def _filled_store(path: Path) -> str:
    cmt = SHARED / "fred" / "treasury_cmt_wide.csv"
    if cmt.exists():
        wide = pd.read_csv(cmt, parse_dates=["date"]).set_index("date")
        what = "real CMT history"
    else:
        days = pd.bdate_range("2015-01-02", periods=2600)
        wide = pd.DataFrame({"DGS10": 4.0, "DGS2": 3.5}, index=pd.Index(days, name="date"))
        what = "synthetic 10y"
    long = wide.reset_index().melt(id_vars="date", var_name="series_id", value_name="value")
    long = long.dropna()
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", long[["series_id", "date", "value"]])])
    return f"{what}, {len(long):,} rows"


def _time_check(ctx: AppContext, repeat: int) -> tuple[float, float]:
    store_revision(ctx)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        store_revision(ctx)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, max(times) * 1e3


def _offline_refresh(folder: Path, retries: str | None, *, dns: bool) -> tuple[float, int, int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    if dns:
        closed = "http://tsm-offline.invalid"  # never resolves: what no network looks like
    saved = {k: os.environ.get(k) for k in [f"TSM_{s}_URL" for s in SOURCES] + ["TSM_HTTP_RETRIES"]}
    try:
        for name in SOURCES:
            os.environ[f"TSM_{name}_URL"] = closed
        if retries is not None:
            os.environ["TSM_HTTP_RETRIES"] = retries
        start = time.perf_counter()
        with Store.open(folder / f"offline-{retries}-{dns}.sqlite") as store:
            result = refresh_store(store)
        return time.perf_counter() - start, len(result.outcomes), result.failed
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        med, worst = _time_check(AppContext(folder / "absent.sqlite"), args.repeat)
        rows.append(("revision check, no store (DEMO)", f"{med:.3f} ms", f"{worst:.3f} ms"))
        filled = folder / "filled.sqlite"
        what = _filled_store(filled)
        med, worst = _time_check(AppContext(filled), args.repeat)
        rows.append((f"revision check, store of {what}", f"{med:.3f} ms", f"{worst:.3f} ms"))
        for dns, what in ((True, "no network (names do not resolve)"),
                          (False, "sources down (connection refused)")):
            for retries in (None, "0"):
                label = os.environ.get("TSM_HTTP_RETRIES", "default") if retries is None else retries
                seconds, series, failed = _offline_refresh(folder, retries, dns=dns)
                rows.append((f"refresh, {what}, retries={label}", f"{seconds:.1f} s",
                             f"{failed}/{series} series failed"))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'median / time':>14}  {'worst / result':>22}")
    for name, a, b in rows:
        print(f"{name:<{width}}  {a:>14}  {b:>22}")


if __name__ == "__main__":
    main()
