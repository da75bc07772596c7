"""Where the server time of each callback goes: the app in this process (werkzeug, threaded,
on 127.0.0.1), every page's callbacks replayed as bench_callbacks.py replays them, each request
profiled with cProfile.

    python benchmarks/profile_callbacks.py [--store PATH] [--match TEXT] [-n 6] [--top 25]

Prints, per callback (or page view router) whose output label contains --match, the median
server time and the functions with the largest cumulative time over its requests. A tool for
finding hot spots, not a benchmark: cProfile slows Python code about 1.5-2x.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _dash_replay import Client, DashApp, business_days  # noqa: E402


class Profiler:
    """WSGI middleware: one cProfile per callback request, merged per callback output."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.stats: dict[str, pstats.Stats] = {}
        self.times: dict[str, list[float]] = defaultdict(list)
        self.enabled = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not self.enabled or environ.get("PATH_INFO") != "/_dash-update-component":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            label = str(json.loads(body).get("output", "?"))[:90]
        except ValueError:
            label = "?"
        prof = cProfile.Profile()
        start = time.perf_counter()
        prof.enable()
        try:
            return list(self.app(environ, start_response))
        finally:
            prof.disable()
            with self.lock:
                self.times[label].append(time.perf_counter() - start)
                if label in self.stats:
                    self.stats[label].add(prof)
                else:
                    self.stats[label] = pstats.Stats(prof)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default=os.environ.get("TSM_STORE", ""),
                        help="the store to serve (default TSM_STORE)")
    parser.add_argument("--match", default="", help="only callbacks whose outputs contain this")
    parser.add_argument("-n", type=int, default=6, help="requests per callback (default 6)")
    parser.add_argument("--top", type=int, default=25, help="functions shown per callback")
    parser.add_argument("--views", action="store_true", help="also profile page views")
    args = parser.parse_args()
    if args.store:
        os.environ["TSM_STORE"] = args.store
    os.environ.setdefault("TSM_WARM_UP", "0")

    from werkzeug.serving import make_server

    import app as app_module

    profiler = Profiler(app_module.server.wsgi_app)
    app_module.server.wsgi_app = profiler  # type: ignore[method-assign]
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    httpd = make_server("127.0.0.1", 0, app_module.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    client = Client(f"http://127.0.0.1:{httpd.server_port}")
    dash_app = DashApp(client)
    fallback = business_days(dash_app_last_date())
    replays, _, _ = dash_app.replays(fallback)
    rng = random.Random(7)
    for replay in replays:  # warm: first-time costs are not what this looks for
        client.callback(replay.next_body(rng))
    profiler.enabled = True
    if args.views:
        for path in dash_app.pages():
            for _ in range(args.n):
                dash_app.page_view(path)
    for replay in replays:
        if args.match and args.match not in replay.cb.label(400):
            continue
        for _ in range(args.n):
            client.callback(replay.next_body(rng))
    profiler.enabled = False
    httpd.shutdown()
    for label, times in sorted(profiler.times.items(), key=lambda kv: -statistics.median(kv[1])):
        if args.match and args.match not in label:
            continue
        print(f"\n## {label}\nn={len(times)} median {statistics.median(times) * 1000:.0f} ms "
              f"max {max(times) * 1000:.0f} ms (profiled)\n")
        out = io.StringIO()
        stats = profiler.stats[label]
        stats.stream = out  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(args.top)
        lines = [ln for ln in out.getvalue().splitlines()
                 if ln.strip() and "{built-in method builtins.exec}" not in ln]
        print("\n".join(lines[4:]))
    return 0


def dash_app_last_date() -> Any:
    import datetime as dt

    return dt.date.today()


if __name__ == "__main__":
    sys.exit(main())
