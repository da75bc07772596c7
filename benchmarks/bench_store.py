"""Store benchmarks: import of all ../shared/data, app cold start, full-history read.

Run: python benchmarks/bench_store.py [--shared PATH]. Prints a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cli.table import format_table  # noqa: E402
from data.importer import import_paths  # noqa: E402
from data.market import clear_cache, load_market_data  # noqa: E402
from data.store import Store  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), min(runs)


def cold_start(store: Path) -> float:
    """Seconds for a fresh interpreter to import the app, build it and render the overview."""
    code = (
        "import time; t=time.perf_counter(); from app import create_app; "
        f"app=create_app({str(store)!r}); c=app.server.test_client(); c.get('/'); "
        "from components.pages import overview; from components.context import AppContext; "
        f"overview.layout(AppContext(__import__('pathlib').Path({str(store)!r}))); "
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    shared = Path(args.shared)
    files = sorted(p for p in shared.rglob("*.csv") if "treasury" not in p.parts)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"

        def do_import() -> None:
            path.unlink(missing_ok=True)
            with Store.open(path) as store:
                import_paths(store, files)

        med, best = timed(do_import, args.repeat)
        with Store.open(path) as store:
            n_obs = store._conn.execute("SELECT COUNT(*) FROM observations").fetchone()[0]
            n_cftc = store._conn.execute("SELECT COUNT(*) FROM cftc_positions").fetchone()[0]
        rows.append(("import all ../shared/data (empty store)", f"{len(files)} files, {n_obs + n_cftc:,} rows", med, best))
        with Store.open(path) as store:
            med, best = timed(lambda: import_paths(store, files), args.repeat)
        rows.append(("re-import (all unchanged)", f"{n_obs + n_cftc:,} rows", med, best))

        yields_ids = ["DGS1MO", "DGS3MO", "DGS6MO", "DGS1", "DGS2", "DGS3", "DGS5", "DGS7", "DGS10", "DGS20", "DGS30"]
        with Store.open(path) as store:
            frame = store.read_series(yields_ids)
            med, best = timed(lambda: store.read_series(yields_ids), args.repeat)
        rows.append(("full-history read, 11 yields", f"{frame.shape[0]:,} days x {frame.shape[1]}", med, best))
        with Store.open(path) as store:
            med, best = timed(lambda: store.read_series(), args.repeat)
        rows.append(("full-history read, every series", f"{n_obs:,} rows", med, best))

        def load_cold() -> None:
            clear_cache()
            load_market_data(path)

        med, best = timed(load_cold, args.repeat)
        rows.append(("load_market_data, cold (store + CFTC + status)", "", med, best))
        med, best = timed(lambda: load_market_data(path), 20)
        rows.append(("load_market_data, cached (same revision)", "", med, best))
        starts = [cold_start(path) for _ in range(args.repeat)]
        rows.append(("app cold start + overview render, imported store", "new interpreter", statistics.median(starts), min(starts)))
        absent = Path(tmp) / "absent.sqlite"
        starts = [cold_start(absent) for _ in range(args.repeat)]
        rows.append(("app cold start + overview render, DEMO", "new interpreter", statistics.median(starts), min(starts)))
    print(format_table(["benchmark", "size", "median s", "best s"],
                       [(a, b, f"{c:.4f}", f"{d:.4f}") for a, b, c, d in rows]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
