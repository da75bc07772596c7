"""gunicorn configuration of `tsm serve` (also usable as ``gunicorn -c python:service.gunicorn_conf
app:server``). Every setting comes from the environment (README.md, "Serving").

Why these choices
-----------------
- **gthread workers** (``TSM_WORKERS`` processes x ``TSM_THREADS`` threads): callbacks are
  mostly numpy/pandas work that releases the GIL in places and waits on the store; threads
  share each worker's per-revision caches.
- **keep-alive longer than a user's think time** (75 s; a load balancer's idle timeout in front
  should be shorter). With a plain ``gunicorn --workers 2 --threads 4`` (2 s keep-alive), 50
  simulated users who pause 0.5-4 s between requests saw connection resets (8 in 60 s): the
  server closed idle keep-alive connections just as clients sent their next request on them.
  The same command with only ``--keep-alive 75`` gave none (benchmarks/bench_load.py,
  ``--profile old`` vs ``--profile old-keepalive``). ``backlog`` and ``worker_connections``
  stay at gunicorn's generous defaults, and ``timeout`` (120 s) stays well above the slowest
  callback so no worker is killed with connections open.
- **preload without stranding the warm-up**: with ``preload_app`` the app module is imported
  in the master. A warm-up *thread* started there would be lost at the fork (and could leave
  the measures lock held in every child). So the import-time warm-up is switched off and
  :func:`on_starting` computes the measures synchronously in the master: the workers inherit
  them, copy-on-write, and the first page view is fast in every worker.
- **no Server banner**: gunicorn always writes ``Server: gunicorn``; the response's default
  headers are filtered once here.
- The refresh **scheduler** starts in each worker after the fork (threads do not survive a
  fork); the store's lease makes exactly one of them refresh.
"""

from __future__ import annotations

import gc
import logging
import os
from typing import Any

import config as tsm_config


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        return int(raw) if raw else default
    except ValueError as exc:
        raise ValueError(f"environment variable {name}={raw!r} is not a whole number") from exc


bind = f"{tsm_config.host()}:{tsm_config.port()}"
worker_class = "gthread"
workers = _int("TSM_WORKERS", 2)
threads = _int("TSM_THREADS", 4)
timeout = _int("TSM_WORKER_TIMEOUT", 120)
graceful_timeout = _int("TSM_GRACEFUL_TIMEOUT", 30)
keepalive = _int("TSM_KEEPALIVE", 75)
backlog = _int("TSM_BACKLOG", 2048)
worker_connections = _int("TSM_WORKER_CONNECTIONS", 1000)
max_requests = _int("TSM_MAX_REQUESTS", 0)
max_requests_jitter = _int("TSM_MAX_REQUESTS_JITTER", 0)
preload_app = os.environ.get("TSM_PRELOAD", "1").strip().lower() not in ("0", "false", "no")
accesslog = os.environ.get("TSM_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("TSM_LOG_LEVEL", "info")
# Requests larger than this are refused before the app sees them (the app caps bodies too).
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("TSM_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn >= 25 opens a control socket at one fixed path per user: two services on one host
# would fight over it, and nothing here uses it.
control_socket_disable = True

_WARM_UP = tsm_config.warm_up()
if preload_app:
    # The import in the master must not start a warm-up thread (see the module docstring).
    os.environ["TSM_WARM_UP"] = "0"


def _hide_server_banner() -> None:
    from gunicorn.http import wsgi

    original = wsgi.Response.default_headers
    if getattr(original, "_tsm_no_banner", False):
        return

    def default_headers(self: Any) -> list[str]:
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers._tsm_no_banner = True  # type: ignore[attr-defined]
    wsgi.Response.default_headers = default_headers


_hide_server_banner()


def on_starting(server: Any) -> None:
    if preload_app and _WARM_UP:
        import app as app_module

        ctx = getattr(app_module, "CONTEXT", None)
        if ctx is not None:
            try:
                ctx.measures()
                server.log.info("measures computed in the master before forking")
            except Exception:  # the pages show the error when they need the measures
                server.log.exception("warming up the measures failed")
    if preload_app:
        _freeze_startup_objects()


def _freeze_startup_objects() -> None:
    """Move everything the master has built (modules, the app, the market state: ~200k
    objects) out of the cyclic collector's reach before forking. A full collection in a worker
    then scans only what requests create: replaying every page's callbacks three times, the
    longest collection paused the app 145 ms before this and 25 ms after. The objects are not
    leaked: they live as long as the process anyway. Workers also stop touching (and so
    copying) the master's pages when the collector runs."""
    gc.collect()
    gc.freeze()


def post_fork(server: Any, worker: Any) -> None:
    from service import scheduler

    if scheduler.enabled():
        logging.basicConfig(level=logging.INFO, format="[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s")
        scheduler.start(tsm_config.store_path())


def worker_exit(server: Any, worker: Any) -> None:
    from service import scheduler

    scheduler.stop()
