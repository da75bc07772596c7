"""Callback benchmark of issue 7: every page's callbacks replayed over HTTP against gunicorn.

    python benchmarks/bench_callbacks.py [--quick] [--store PATH] [--browser]
                                         [--users 50 --duration 60] [-n 20]

1. Builds a temporary store of all of ../shared/data with `tsm import` (files the importer
   rejects are listed and left out); `--store PATH` reuses (or builds and keeps) a store.
2. Starts gunicorn as the Dockerfile's CMD does (its workers/threads/timeout, `app:server`, from
   the repo root) on 127.0.0.1 and a free port; cold start = spawn to the first 200 of `/`,
   then the layout, the dependencies and the router for `/` (the first page).
3. Reads the callbacks from /_dash-dependencies and each page's components from the router's
   response (pages = the layout's dcc.Link hrefs), and replays every server callback as
   dash-renderer sends it, with varied inputs: dates from the last 10 years of business days,
   numbers jittered within min/max, dropdowns cycled, harmless buttons pressed. A page view is
   the router plus the initial callbacks and the chain they start, wave by wave.
4. p50/p95 server time (wall time of the HTTP request on loopback) and response bytes
   (uncompressed and gzip) per callback, with 1 and 4 concurrent clients.
5. A naive ANCHOR app (benchmarks/_anchor_app.py: one dcc.Graph of the whole CMT history whose
   slider re-sends the full figure) on the same store and gunicorn settings, measured just
   before and just after the app's callbacks; every callback's p95 is divided by the mean of
   the anchor's two p95s at the same client count.
6. `--users 50 --duration 60`: simulated users doing page views and date changes with think
   times; errors, p50/p95/p99 and gunicorn worker RSS.
7. `--browser`: headless Chromium, time from navigation to the first Plotly chart on a warm
   server, with an empty browser cache and again with the scripts cached.
8. Markdown tables with the targets of issue 7 and pass/fail; `uptime` at start and end.

The servers are stopped on exit, Ctrl-C or error. Only 127.0.0.1 is contacted (the servers'
source URLs point at a closed local port). Prints tables; nothing is asserted.
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _dash_replay import (  # noqa: E402
    Client,
    DashApp,
    PageView,
    Replay,
    Result,
    business_days,
    date_inputs,
)
from _servers import (  # noqa: E402
    ROOT,
    Gunicorn,
    build_store,
    dockerfile_gunicorn,
    server_env,
    status_kb,
    uptime,
)

# Targets of issue 7
CB_P95_1 = 0.100
CB_P95_4 = 0.250
ANCHOR_RATIO = 0.3
PAGE_VIEW = 0.150
MAX_BYTES = 1_000_000
BROWSER_FIRST_CHART = 2.0
COLD_START = 5.0
LOAD_P95 = 0.300
BROWSER_PATHS = ("/", "/curve")


# ---------------------------------------------------------------------------------------------
# statistics


@dataclass
class Sample:
    seconds: float
    nbytes: int
    wire_bytes: int
    largest: int  # largest single response in the sample (a page view has several)
    error: str | None = None


@dataclass
class Stats:
    samples: list[Sample] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.samples)

    def pct(self, q: float) -> float:
        """Nearest-rank percentile of the times, seconds (NaN without samples)."""
        times = sorted(s.seconds for s in self.samples if not math.isnan(s.seconds))
        if not times:
            return math.nan
        return times[max(0, math.ceil(q / 100 * len(times)) - 1)]

    @property
    def errors(self) -> list[str]:
        return [s.error for s in self.samples if s.error]

    @property
    def max_bytes(self) -> int:
        return max((s.nbytes for s in self.samples), default=0)

    @property
    def max_wire(self) -> int:
        return max((s.wire_bytes for s in self.samples), default=0)

    @property
    def largest(self) -> int:
        return max((s.largest for s in self.samples), default=0)


def from_result(r: Result) -> Sample:
    return Sample(r.seconds, r.nbytes, r.wire_bytes, r.nbytes, None if r.ok else r.error)


def from_view(v: PageView) -> Sample:
    errors = v.errors
    largest = max((r.nbytes for _, r in v.requests), default=0)
    return Sample(v.seconds, v.nbytes, v.wire_bytes, largest, errors[0] if errors else None)


def run_clients(fn: Callable[[int], Sample], clients: int, n: int, min_n: int,
                max_seconds: float) -> Stats:
    """`clients` threads call fn until n samples are taken, or max_seconds passed and at least
    min_n are (bounded in both count and time)."""
    stats = Stats()
    lock = threading.Lock()
    counter = [0]
    start = time.perf_counter()

    def worker() -> None:
        while True:
            with lock:
                taken = counter[0]
                elapsed = time.perf_counter() - start
                if taken >= n or (taken >= min_n and elapsed > max_seconds):
                    return
                counter[0] += 1
            try:
                sample = fn(taken)
            except Exception as exc:  # a bug or a surprise in a response: count it, go on
                sample = Sample(math.nan, 0, 0, 0, f"benchmark error: {type(exc).__name__}: {exc}")
            with lock:
                stats.samples.append(sample)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats


# ---------------------------------------------------------------------------------------------
# formatting


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:,.0f}"


def kb(nbytes: int) -> str:
    return f"{nbytes / 1000:,.1f}"


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "/") for c in row) + " |")
    return "\n".join(lines)


def verdict(failures: list[str]) -> str:
    return "pass" if not failures else "FAIL " + ", ".join(failures)


def section(title: str, table: str, note: str = "") -> None:
    print(f"\n### {title}\n")
    if note:
        print(note + "\n")
    print(table, flush=True)


# ---------------------------------------------------------------------------------------------
# the run


@dataclass
class Config:
    n: int
    min_n: int
    max_seconds: float
    users: int
    duration: float
    seed: int
    browser: bool
    clients: tuple[int, ...]


def measure_callbacks(replays: list[Replay], client: Client, cfg: Config,
                      ) -> dict[int, dict[int, Stats]]:
    out: dict[int, dict[int, Stats]] = {}
    for i, replay in enumerate(replays):
        out[i] = {}
        for clients in cfg.clients:
            rng = random.Random(f"{cfg.seed}-{replay.cb.output}-{clients}")
            rng_lock = threading.Lock()

            def fn(_k: int, replay: Replay = replay, rng: random.Random = rng,
                   rng_lock: threading.Lock = rng_lock) -> Sample:
                with rng_lock:
                    body = replay.next_body(rng)
                return from_result(client.callback(body))

            out[i][clients] = run_clients(fn, clients, cfg.n, cfg.min_n, cfg.max_seconds)
        print(f"  measured {replay.page} {replay.cb.label(50)}: "
              + ", ".join(f"{c} client(s) p95 {ms(s.pct(95))} ms" for c, s in out[i].items()),
              file=sys.stderr, flush=True)
    return out


def measure_page_views(app: DashApp, pages: list[str], cfg: Config) -> dict[str, dict[int, Stats]]:
    out: dict[str, dict[int, Stats]] = {}
    for path in pages:
        out[path] = {}
        for clients in cfg.clients:
            local = threading.local()
            pools: list[ThreadPoolExecutor] = []

            def fn(_k: int, path: str = path, local: threading.local = local,
                   pools: list[ThreadPoolExecutor] = pools) -> Sample:
                pool = getattr(local, "pool", None)
                if pool is None:  # per client: a browser's 6 connections per host
                    pool = local.pool = ThreadPoolExecutor(6)
                    pools.append(pool)
                view, _state = app.page_view(path, pool)
                return from_view(view)

            out[path][clients] = run_clients(fn, clients, cfg.n, cfg.min_n, cfg.max_seconds)
            for pool in pools:
                pool.shutdown()
        print(f"  page view {path}: " + ", ".join(
            f"{c} client(s) p95 {ms(s.pct(95))} ms" for c, s in out[path].items()),
            file=sys.stderr, flush=True)
    return out


@dataclass
class LoadResult:
    requests: Stats
    page_views: Stats
    date_changes: Stats
    errors: dict[str, int]
    rss_max_kb: dict[int, int]
    hwm_kb: dict[int, int]
    users: int
    seconds: float
    client_cpu: float  # CPU seconds the simulated users themselves used (shares the cores)
    idle_before_error: dict[str, list[float]]  # seconds the connection sat idle before it failed


def load_test(app: DashApp, server: Gunicorn, pages: list[str], users: int, duration: float,
              seed: int, fallback: list[Any]) -> LoadResult:
    requests_stats, views, changes = Stats(), Stats(), Stats()
    errors: dict[str, int] = {}
    idle: dict[str, list[float]] = {}
    lock = threading.Lock()
    deadline = time.perf_counter() + duration
    rss_max: dict[int, int] = {}
    stop = threading.Event()

    def record(view: PageView, into: Stats) -> None:
        with lock:
            into.samples.append(from_view(view))
            for _, r in view.requests:
                requests_stats.samples.append(from_result(r))
                if not r.ok:
                    kind = (r.error or "error") if r.status == 0 else f"HTTP {r.status}"
                    errors[kind] = errors.get(kind, 0) + 1
                    if r.status == 0:
                        idle.setdefault(kind, []).append(r.idle_s)

    def user(uid: int) -> None:
        try:
            user_loop(uid)
        except Exception as exc:  # a bug or a surprise in a response: count it
            with lock:
                kind = f"benchmark error: {type(exc).__name__}: {exc}"[:120]
                errors[kind] = errors.get(kind, 0) + 1
        finally:
            app.client.close()

    def user_loop(uid: int) -> None:
        rng = random.Random(f"{seed}-user-{uid}")
        time.sleep(rng.uniform(0, 2.0))  # users arrive over two seconds
        while time.perf_counter() < deadline:
            path = rng.choice(pages)
            view, state = app.page_view(path)
            record(view, views)
            if view.errors:
                continue
            dates = date_inputs(app, state)
            for _ in range(rng.randint(1, 3)):
                time.sleep(rng.uniform(0.3, 1.5))
                if time.perf_counter() >= deadline or not dates:
                    break
                key, prop = rng.choice(dates)
                comp = state.comps.get(key)
                end = comp.props.get("max_date_allowed") if comp else None
                pool = business_days(_date(end)) if _date(end) else fallback
                change = app.gesture(state, {(key, prop): rng.choice(pool).isoformat()})
                record(change, changes)
            time.sleep(rng.uniform(0.3, 1.5))

    def sample_rss() -> None:
        while not stop.is_set():
            for pid in server.worker_pids():
                rss = status_kb(pid).get("VmRSS", 0)
                rss_max[pid] = max(rss_max.get(pid, 0), rss)
            stop.wait(1.0)

    sampler = threading.Thread(target=sample_rss, daemon=True)
    sampler.start()
    start = time.perf_counter()
    cpu_start = time.process_time()
    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(1.0, deadline - time.perf_counter()) + 180)
    seconds = time.perf_counter() - start
    client_cpu = time.process_time() - cpu_start
    stop.set()
    sampler.join()
    hwm = {pid: status_kb(pid).get("VmHWM", 0) for pid in server.worker_pids()}
    return LoadResult(requests_stats, views, changes, errors, rss_max, hwm, users, seconds,
                      client_cpu, idle)


def _date(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def browser_first_chart(base: str, paths: tuple[str, ...], repeat: int,
                        ) -> dict[tuple[str, str], list[float | str]]:
    """Seconds from navigation to the first `.js-plotly-plot .main-svg`, per (path, cache):
    "cold" is a fresh headless Chromium (empty cache); "warm" is the same browser navigating
    to the page again (scripts from its HTTP cache, as on a desk's next morning)."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_bin = shutil.which("chromedriver")
    keys = [(p, c) for p in paths for c in ("cold", "warm")]
    if not chromium or not driver_bin:
        return {k: ["chromium/chromedriver not installed"] for k in keys}
    out: dict[tuple[str, str], list[float | str]] = {k: [] for k in keys}

    def first_chart(driver: Any, url: str) -> float | str:
        driver.get("about:blank")
        start = time.perf_counter()
        driver.get(url)
        while time.perf_counter() - start < 30:
            try:
                if driver.execute_script(
                        "return !!document.querySelector('.js-plotly-plot .main-svg')"):
                    return time.perf_counter() - start
            except WebDriverException:
                pass
            time.sleep(0.02)
        return "timeout (30 s)"

    for path in paths:
        for _ in range(repeat):
            options = webdriver.ChromeOptions()
            options.binary_location = chromium
            for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                        "--disable-gpu", "--window-size=1400,1000", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-proxy-server",
                        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
                options.add_argument(arg)
            options.page_load_strategy = "none"
            driver = webdriver.Chrome(service=Service(driver_bin), options=options)
            try:
                out[(path, "cold")].append(first_chart(driver, base + path))
                out[(path, "warm")].append(first_chart(driver, base + path))
            finally:
                driver.quit()
    return out


def plotly_served(base: str) -> str:
    """Which plotly.js the index page loads (components/plotly_bundle.py)."""
    import urllib.request

    from components.plotly_bundle import ROUTE_PREFIX

    with urllib.request.urlopen(base + "/", timeout=10) as response:
        page = response.read().decode("utf-8", "replace")
    if f"{ROUTE_PREFIX}plotly-basic" in page:
        return "the basic bundle (tsm plotly-bundle)"
    if "package_data/plotly" in page:
        return "Dash's full bundle (run `tsm plotly-bundle` for the basic one)"
    return "none found in the index page"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"),
                        help="the real history to import (default ../shared/data)")
    parser.add_argument("--store", help="reuse this store (built here first if missing)")
    parser.add_argument("-n", "--requests", type=int, default=20,
                        help="requests per callback and client count (default 20)")
    parser.add_argument("--max-seconds", type=float, default=6.0,
                        help="stop a callback's loop after this long once --min-requests are in")
    parser.add_argument("--min-requests", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="6 requests per callback (3 s cap), 15 s of simulated users")
    parser.add_argument("--users", type=int, default=50, help="simulated users (0: skip)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of simulated users")
    parser.add_argument("--browser", action="store_true", help="first chart in headless Chromium")
    parser.add_argument("--browser-repeat", type=int, default=3)
    parser.add_argument("--pages", help="only these pages, e.g. /,/curve (default: every nav link)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.quick:
        args.requests, args.max_seconds, args.min_requests = 6, 3.0, 3
        args.duration = min(args.duration, 15.0)
    cfg = Config(args.requests, min(args.min_requests, args.requests), args.max_seconds,
                 args.users, args.duration, args.seed, args.browser, (1, 4))

    servers: list[Gunicorn] = []
    temporary: list[str] = []

    def on_term(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    try:
        return run(args, cfg, servers, temporary)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the servers", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.stop()
        for path in temporary:
            shutil.rmtree(path, ignore_errors=True)


def run(args: argparse.Namespace, cfg: Config, servers: list[Gunicorn],
        temporary: list[str]) -> int:
    """The benchmark; every server it starts goes into `servers`, every temporary directory
    into `temporary` (the caller stops and removes them)."""
    t_run = time.perf_counter()
    load_start = uptime()
    summary: list[list[Any]] = []
    print(f"# Callback benchmark (issue 7 targets)\n\nload at start: `{load_start}`\n"
          f"requests per callback and client count: {cfg.n} (at least {cfg.min_n}, "
          f"{cfg.max_seconds:g} s cap per loop)", flush=True)

    # 1. store
    shared = Path(args.shared)
    if args.store and Path(args.store).exists():
        store = Path(args.store).resolve()
        build = None
    else:
        if args.store:
            store = Path(args.store).resolve()
            store.parent.mkdir(parents=True, exist_ok=True)
        else:
            tmp = tempfile.mkdtemp(prefix="bench-callbacks-")
            temporary.append(tmp)
            store = Path(tmp) / "store.sqlite"
        if not shared.is_dir():
            print(f"no shared data at {shared}: pass --shared or --store", file=sys.stderr)
            return 2
        print(f"building the store at {store} from {shared} ...", file=sys.stderr, flush=True)
        build = build_store(shared, store)
    rows = []
    if build is None:
        rows.append(["store", str(store), "reused (--store)"])
    else:
        rows.append(["store", str(store), f"built by `tsm import` in {build.seconds:.1f} s"])
        rows.append(["imported", f"{len(build.imported)} files", ""])
        for path, reason in build.rejected:
            rows.append(["rejected", str(path.relative_to(shared)), reason[:140]])
    section("Store", md_table(["", "what", "detail"], rows))

    # 2. gunicorn as the Dockerfile runs it; cold start
    options, app_spec = dockerfile_gunicorn()
    workdir = Path(tempfile.mkdtemp(prefix="bench-gunicorn-"))  # logs, control sockets
    temporary.append(str(workdir))
    server = Gunicorn("app", app_spec, ROOT, server_env(store), options, workdir)
    servers.append(server)
    print(f"starting: {' '.join(server.command)}", file=sys.stderr, flush=True)
    server.start()
    t_root = server.wait_ready("/")
    client = Client(server.base)
    app = DashApp(client)
    t_meta = time.perf_counter() - server.spawned_at
    first_view, _ = app.page_view("/")
    router_s = first_view.requests[0][1].seconds if first_view.requests else math.nan
    t_first_page = t_meta + router_s
    t_drawn = t_meta + first_view.seconds
    cold_rows = [
        ["spawn to first 200 of `/`", f"{t_root:.2f}", "", ""],
        ["+ /_dash-layout, /_dash-dependencies, router for `/` (first page)",
         f"{t_first_page:.2f}", f"< {COLD_START:g} s", verdict([] if t_first_page < COLD_START
                                                              else ["slow"])],
        ["+ the page's initial callbacks (first page drawn)", f"{t_drawn:.2f}", "", ""],
    ]
    if first_view.errors:
        cold_rows.append(["errors", "; ".join(first_view.errors[:3]), "none", "FAIL"])
    shown = " ".join(w for w in server.command[2:] if not w.endswith(".ctl")
                     and w != "--control-socket")
    section(f"Cold start (`{shown}`)",
            md_table(["step", "seconds", "target", "result"], cold_rows),
            note="On the store as `tsm import` left it (the target of issue 7 assumes the "
                 "persisted per-revision state is there).")
    summary.append(["cold start to first page", f"{t_first_page:.2f} s", f"< {COLD_START:g} s",
                    verdict([] if t_first_page < COLD_START else ["slow"])])

    # 3. discover pages and callbacks (one page view per page, harmless buttons pressed)
    pages = app.pages()
    fallback = business_days(time_today())
    replays, skipped, states = app.replays(fallback)
    if args.pages:
        wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
        unknown = [p for p in wanted if p not in pages]
        if unknown:
            print(f"unknown page(s) {', '.join(unknown)}; the app has {', '.join(pages)}",
                  file=sys.stderr)
            return 2
        pages = wanted
        replays = [r for r in replays if r.page in pages]
        skipped = [r for r in skipped if r[0] in pages]
    ends = [_date(st.comps[key].props.get("max_date_allowed") or st.comps[key].props.get(prop))
            for st in states.values() for key, prop in date_inputs(app, st)]
    if any(ends):  # fallback dates (charts' zoom windows): the latest as-of any page offers
        fallback[:] = business_days(max(e for e in ends if e))
    print(f"pages: {', '.join(pages)}; {len(app.callbacks)} callbacks, {len(replays)} replayed, "
          f"{len(skipped)} not replayed on their own", file=sys.stderr, flush=True)

    # warm-up: every page twice and every callback once (not recorded)
    warm_rng = random.Random(cfg.seed)
    for _ in range(2):
        for path in pages:
            app.page_view(path)
    for replay in replays:
        client.callback(replay.next_body(warm_rng))

    # 5. the anchor app, measured just before and just after the app's callbacks (the machine
    # is shared: its load drifts), so the ratio compares like with like
    anchor_server = Gunicorn("anchor", "_anchor_app:server", ROOT / "benchmarks",
                             server_env(store, ANCHOR_STORE=str(store), TSM_WARM_UP="0"),
                             options, workdir)
    servers.append(anchor_server)
    anchor_server.start()
    anchor_server.wait_ready("/")
    anchor_app = DashApp(Client(anchor_server.base))
    anchor_replays, _, _ = anchor_app.replays(fallback)
    for _ in range(2):
        for replay in anchor_replays[:1]:
            anchor_app.client.callback(replay.next_body(warm_rng))

    def measure_anchor(phase: str) -> dict[int, Stats]:
        out: dict[int, Stats] = {}
        for replay in anchor_replays[:1]:
            for clients in cfg.clients:
                rng = random.Random(f"{cfg.seed}-anchor-{phase}-{clients}")
                lock = threading.Lock()

                def fn(_k: int, rng: random.Random = rng, lock: threading.Lock = lock,
                       replay: Replay = replay) -> Sample:
                    with lock:
                        body = replay.next_body(rng)
                    return from_result(anchor_app.client.callback(body))

                out[clients] = run_clients(fn, clients, cfg.n, cfg.min_n, cfg.max_seconds)
        return out

    anchor_before = measure_anchor("before")

    # 4. page views and callbacks, 1 and 4 clients
    views = measure_page_views(app, pages, cfg)
    cb_stats = measure_callbacks(replays, client, cfg)

    anchor_after = measure_anchor("after")
    anchor_server.stop()
    servers.remove(anchor_server)
    anchor_p95 = {c: (anchor_before[c].pct(95) + anchor_after[c].pct(95)) / 2
                  for c in anchor_before if c in anchor_after}
    rows = [[phase, c, s.n, ms(s.pct(50)), ms(s.pct(95)), kb(s.max_bytes), kb(s.max_wire),
             len(s.errors)]
            for phase, stats in (("before the callbacks", anchor_before),
                                 ("after the callbacks", anchor_after))
            for c, s in stats.items()]
    rows += [["mean of the two p95 (the ratios' denominator)", c, "", "", ms(p95), "", "", ""]
             for c, p95 in anchor_p95.items()]
    section("Anchor: naive app, whole CMT history in one figure, slider re-sends it",
            md_table(["measured", "clients", "n", "p50 ms", "p95 ms", "response kB", "gzip kB",
                      "errors"], rows) if anchor_replays else "the anchor app has no callback")

    # tables: page views
    rows = []
    for path, per in views.items():
        for clients, s in per.items():
            fails = []
            if clients == 1 and s.pct(95) > PAGE_VIEW:
                fails.append("p95")
            if s.largest > MAX_BYTES:
                fails.append("bytes")
            if s.errors:
                fails.append(f"{len(s.errors)} errors")
            target = f"p95 <= {PAGE_VIEW * 1000:.0f} ms" if clients == 1 else "(none at 4)"
            rows.append([path, clients, s.n, ms(s.pct(50)), ms(s.pct(95)), kb(s.max_bytes),
                         kb(s.max_wire), kb(s.largest), f"{target}; each <= 1 MB",
                         verdict(fails) if clients == 1 or fails else "-"])
    if views:
        worst_path = max(views, key=lambda p: views[p][1].pct(95))
        worst = views[worst_path][1].pct(95)
        n_fail = sum(1 for per in views.values() if per[1].pct(95) > PAGE_VIEW)
        summary.append(["page views, worst p95 (1 client)",
                        f"{ms(worst)} ms ({worst_path}); {len(views) - n_fail} of {len(views)} "
                        "pages within", f"<= {PAGE_VIEW * 1000:.0f} ms",
                        verdict(["slow"] if n_fail else [])])
    section("Page views (router + initial callbacks + their chain; a wave in parallel)",
            md_table(["page", "clients", "n", "p50 ms", "p95 ms", "total kB", "total gzip kB",
                      "largest kB", "target", "result"], rows))

    # tables: callbacks
    largest = max([s.max_bytes for per in cb_stats.values() for s in per.values()]
                  + [s.largest for per in views.values() for s in per.values()], default=0)
    for clients, limit in ((1, CB_P95_1), (4, CB_P95_4)):
        rows = []
        n_slow = n_ratio = 0
        worst_i = max(cb_stats, key=lambda i: cb_stats[i][clients].pct(95), default=None)
        for i, replay in enumerate(replays):
            s = cb_stats[i][clients]
            ratio = s.pct(95) / anchor_p95[clients] if anchor_p95.get(clients) else math.nan
            fails = []
            if s.pct(95) > limit:
                fails.append("p95")
                n_slow += 1
            if not math.isnan(ratio) and ratio > ANCHOR_RATIO:
                fails.append("ratio")
                n_ratio += 1
            if s.max_bytes > MAX_BYTES:
                fails.append("bytes")
            if s.errors:
                fails.append(f"{len(s.errors)} errors ({s.errors[0][:60]})")
            rows.append([replay.page, replay.cb.label(70), replay.describe_inputs(), s.n,
                         ms(s.pct(50)), ms(s.pct(95)), kb(s.max_bytes), kb(s.max_wire),
                         "-" if math.isnan(ratio) else f"{ratio:.2f}", verdict(fails)])
        section(f"Callbacks, {clients} client{'s' if clients > 1 else ''} "
                f"(target: p95 <= {limit * 1000:.0f} ms, <= {ANCHOR_RATIO}x anchor p95 "
                f"{ms(anchor_p95.get(clients, math.nan))} ms, each response <= 1 MB)",
                md_table(["page", "callback outputs", "inputs varied", "n", "p50 ms", "p95 ms",
                          "max kB", "max gzip kB", "p95/anchor", "result"], rows))
        if worst_i is not None:
            worst = cb_stats[worst_i][clients].pct(95)
            summary.append([f"callbacks, worst p95 ({clients} client{'s' if clients > 1 else ''})",
                            f"{ms(worst)} ms ({replays[worst_i].cb.label(40)}); "
                            f"{len(replays) - n_slow} of {len(replays)} within",
                            f"<= {limit * 1000:.0f} ms", verdict(["slow"] if n_slow else [])])
            anchor = anchor_p95.get(clients, math.nan)
            summary.append([f"callbacks, worst p95 / anchor p95 ({clients} client"
                            f"{'s' if clients > 1 else ''})",
                            f"{worst / anchor:.2f} (anchor {ms(anchor)} ms); "
                            f"{len(replays) - n_ratio} of {len(replays)} within",
                            f"<= {ANCHOR_RATIO}", verdict(["ratio"] if n_ratio else [])])
    summary.append(["largest response (callbacks and page views)", f"{kb(largest)} kB",
                    "<= 1 MB", verdict(["bytes"] if largest > MAX_BYTES else [])])
    section("Callbacks not replayed on their own",
            md_table(["page", "callback outputs", "why"],
                     [list(r) for r in skipped] or [["-", "none", "every server callback was replayed"]]))
    fixed = [r for r in replays if not r.variable]
    if fixed:
        section("Replayed with the page's values only (no input a script can vary)",
                md_table(["page", "callback outputs", "inputs"],
                         [[r.page, r.cb.label(70), r.describe_inputs()] for r in fixed]))

    # 6. simulated users
    if cfg.users > 0:
        print(f"{cfg.users} simulated users for {cfg.duration:g} s ...", file=sys.stderr, flush=True)
        result = load_test(app, server, pages, cfg.users, cfg.duration, cfg.seed, fallback)
        r = result.requests
        n_err = sum(result.errors.values())
        rows = [
            ["requests", r.n, ms(r.pct(50)), ms(r.pct(95)), ms(r.pct(99)),
             f"p95 <= {LOAD_P95 * 1000:.0f} ms, 0 errors",
             verdict((["p95"] if r.pct(95) > LOAD_P95 else []) + ([f"{n_err} errors"] if n_err else []))],
            ["page views", result.page_views.n, ms(result.page_views.pct(50)),
             ms(result.page_views.pct(95)), ms(result.page_views.pct(99)), "", ""],
            ["date changes (all callbacks of a date)", result.date_changes.n,
             ms(result.date_changes.pct(50)), ms(result.date_changes.pct(95)),
             ms(result.date_changes.pct(99)), "", ""],
        ]
        summary.append([f"{result.users} users: request p95, errors",
                        f"{ms(r.pct(95))} ms, {n_err} errors",
                        f"<= {LOAD_P95 * 1000:.0f} ms, 0 errors",
                        verdict((["p95"] if r.pct(95) > LOAD_P95 else [])
                                + ([f"{n_err} errors"] if n_err else []))])
        errors = "; ".join(
            f"{k} x{v}" + (f" (this client idle {min(result.idle_before_error[k]):.1f}-"
                           f"{max(result.idle_before_error[k]):.1f} s before; gunicorn closes "
                           "kept-alive connections idle for its --keep-alive, default 2 s)"
                           if result.idle_before_error.get(k) else "")
            for k, v in result.errors.items()) or "none"
        rss = ", ".join(f"pid {pid}: max RSS {rss_kb / 1024:,.0f} MB, peak (VmHWM) "
                        f"{result.hwm_kb.get(pid, 0) / 1024:,.0f} MB"
                        for pid, rss_kb in sorted(result.rss_max_kb.items()))
        section(f"{result.users} simulated users, {result.seconds:.0f} s on loopback "
                f"(think times 0.3-1.5 s; clients share the 2 cores)",
                md_table(["what", "n", "p50 ms", "p95 ms", "p99 ms", "target", "result"], rows),
                note=f"errors: {errors}\n\ngunicorn workers: {rss or 'not found'}\n\n"
                     f"the simulated users themselves used {result.client_cpu:.0f} CPU s "
                     f"({result.client_cpu / result.seconds:.2f} cores on average)")

    # 7. browser
    if cfg.browser:
        print("headless Chromium ...", file=sys.stderr, flush=True)
        found = browser_first_chart(server.base, BROWSER_PATHS, args.browser_repeat)
        rows = []
        for (path, cache), times in found.items():
            numbers = [t for t in times if isinstance(t, float)]
            other = [t for t in times if isinstance(t, str)]
            worst = max(numbers) if numbers else math.nan
            fails = (["slow"] if numbers and worst > BROWSER_FIRST_CHART else []) + other[:1]
            rows.append([path, cache, ", ".join(f"{t:.2f}" for t in numbers) or "-",
                         f"<= {BROWSER_FIRST_CHART:g} s", verdict(fails if numbers else other[:1])])
            summary.append([f"first chart in Chromium, {path}, {cache} browser cache (worst)",
                            f"{worst:.2f} s" if numbers else "-", f"<= {BROWSER_FIRST_CHART:g} s",
                            verdict(fails if numbers else other[:1])])
        section("First chart in headless Chromium (warm server)",
                md_table(["page", "browser cache", "seconds per navigation", "target", "result"],
                         rows),
                note="cold: a fresh browser, empty cache (every script downloaded and compiled); "
                     "warm: the same browser opening the page again. The browser shares the "
                     "2 cores with the idle server. plotly.js served: "
                     + plotly_served(server.base) + ".")

    summary.append(["callable, 500-step tree, cold", "not measured here",
                    "<= 20 ms", "see benchmarks/bench_risk.py"])
    section("Summary (targets of issue 7)",
            md_table(["target", "measured", "target value", "result"], summary))
    print(f"\nload at end: `{uptime()}`; whole run {time.perf_counter() - t_run:.0f} s", flush=True)
    return 0


def time_today() -> Any:
    import datetime as dt

    return dt.date.today()


if __name__ == "__main__":
    sys.exit(main())
