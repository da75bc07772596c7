"""Load on the real server: N simulated users for T seconds against `tsm serve` on loopback.

Each user is a keep-alive HTTP session (like a browser tab) that opens a page (the router
callback), then changes a control on it (a page callback), with a think time between requests.
Prints errors by kind, latency percentiles, throughput and the memory of each worker.

    python benchmarks/bench_load.py                        # our gunicorn configuration
    python benchmarks/bench_load.py --profile old          # the old `gunicorn --workers 2 --threads 4`
    python benchmarks/bench_load.py --profile old-keepalive  # the same with --keep-alive 75
    python benchmarks/bench_load.py --users 50 --seconds 60 --store path/or/url

Only loopback is ever contacted; the loop is bounded in time and stops by itself.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/curve", "/functioning", "/funding", "/positioning", "/stress", "/risk", "/scenarios"]
OLD_ARGS = ["--workers", "2", "--threads", "4", "--timeout", "120"]
#: The old command with only the keep-alive changed: isolates that cause of the resets.
OLD_KEEPALIVE_ARGS = [*OLD_ARGS, "--keep-alive", "75"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(profile: str, port: int, store: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TSM_STORE": store, "TSM_PORT": str(port), "TSM_HOST": "127.0.0.1",
           "TSM_SCHEDULE": "0", "TSM_ACCESS_LOG": ""}
    if profile in ("old", "old-keepalive"):
        extra = OLD_ARGS if profile == "old" else OLD_KEEPALIVE_ARGS
        cmd = [sys.executable, "-m", "gunicorn", *extra, "--bind", f"127.0.0.1:{port}", "app:server"]
    else:
        cmd = [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf", "app:server"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def wait_up(port: int, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.5)
    raise SystemExit("the server did not come up")


def route_body(path: str) -> dict[str, object]:
    return {
        "output": "..page.children...banner-slot.children..",
        "outputs": [{"id": "page", "property": "children"}, {"id": "banner-slot", "property": "children"}],
        "inputs": [{"id": "url", "property": "pathname", "value": path}],
        "changedPropIds": ["url.pathname"],
    }


def stress_body(window: float) -> dict[str, object]:
    from analytics.stress import CATEGORIES

    outs = [("stress-history", "figure"), ("stress-contrib", "figure"), ("stress-value", "children"),
            ("stress-categories", "children"), ("stress-missing", "children"), ("stress-error", "children")]
    return {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outs],
        "inputs": [{"id": "stress-asof", "property": "date", "value": None},
                   {"id": "stress-window", "property": "value", "value": window},
                   {"id": "stress-clip", "property": "value", "value": 4},
                   [{"id": {"type": "stress-weight", "category": c}, "property": "value", "value": 1}
                    for c in CATEGORIES]],
        "changedPropIds": ["stress-window.value"],
    }


def user(port: int, stop_at: float, latencies: list[float], errors: collections.Counter[str],
         lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    session = requests.Session()
    url = f"http://127.0.0.1:{port}/_dash-update-component"
    while time.monotonic() < stop_at:
        body = route_body(rng.choice(PAGES)) if rng.random() < 0.7 else stress_body(rng.choice([3, 5, 7, 10]))
        started = time.monotonic()
        try:
            resp = session.post(url, json=body, timeout=120)
            kind = None if resp.status_code == 200 else f"HTTP {resp.status_code}"
        except requests.ConnectionError as exc:
            text = str(exc)
            kind = ("connection reset" if "reset" in text.lower() or "aborted" in text.lower()
                    else "connection error")
        except requests.Timeout:
            kind = "timeout"
        elapsed = time.monotonic() - started
        with lock:
            if kind is None:
                latencies.append(elapsed)
            else:
                errors[kind] += 1
        time.sleep(rng.uniform(0.5, 4.0))  # think time: longer than a 2 s keep-alive, at times


def worker_memory_mb(master_pid: int) -> list[float]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid):
            out.append(int(fields.get("VmRSS", "0 kB").split()[0]) / 1024)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=["new", "old", "old-keepalive"], default="new")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--store", default=os.environ.get("TSM_STORE", str(ROOT / "absent-demo.sqlite")))
    args = parser.parse_args()
    port = free_port()
    server = start_server(args.profile, port, args.store)
    try:
        wait_up(port)
        # Each page once, so the measures are computed before the clock starts.
        for path in PAGES:
            requests.post(f"http://127.0.0.1:{port}/_dash-update-component", json=route_body(path), timeout=300)
        before = worker_memory_mb(server.pid)
        latencies: list[float] = []
        errors: collections.Counter[str] = collections.Counter()
        lock = threading.Lock()
        stop_at = time.monotonic() + args.seconds
        threads = [threading.Thread(target=user, args=(port, stop_at, latencies, errors, lock, i), daemon=True)
                   for i in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 180)
        after = worker_memory_mb(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    done = len(latencies)
    q = statistics.quantiles(latencies, n=100) if done >= 2 else [float("nan")] * 99
    print(f"profile {args.profile}: {args.users} users x {args.seconds:g} s, load {os.getloadavg()[0]:.1f}")
    print(f"{'requests ok':<22}{done:>10}")
    print(f"{'errors':<22}{sum(errors.values()):>10}  {dict(errors) or ''}")
    print(f"{'throughput (req/s)':<22}{done / args.seconds:>10.1f}")
    for name, value in (("p50 (ms)", q[49]), ("p95 (ms)", q[94]), ("p99 (ms)", q[98])):
        print(f"{name:<22}{value * 1000:>10.0f}")
    print(f"{'worker RSS before (MB)':<22}{', '.join(f'{m:.0f}' for m in before):>10}")
    print(f"{'worker RSS after (MB)':<22}{', '.join(f'{m:.0f}' for m in after):>10}")


if __name__ == "__main__":
    main()
