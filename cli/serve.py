"""``tsm serve``: run the dashboard under gunicorn with the project's configuration
(service/gunicorn_conf.py), the scheduled refresh and the health endpoints.
``tsm hash-password``: the hash to put in TSM_AUTH_PASSWORD_HASH for basic auth.
``tsm plotly-bundle``: fetch plotly.js's basic bundle, served in place of the full one
(data/plotly_bundle.py, served by components/plotly_bundle.py).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from werkzeug.security import generate_password_hash

__all__ = ["register", "run", "gunicorn_argv", "plotly_bundle"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve", help="serve the dashboard with gunicorn (workers, health checks, scheduled refresh)",
        description=(
            "Run the dashboard under gunicorn with the configuration in service/gunicorn_conf.py. "
            "Every option also has an environment variable (README.md, Serving); the options win."
        ),
    )
    parser.add_argument("--host", help="interface to bind (TSM_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (TSM_PORT, default 8050)")
    parser.add_argument("--workers", type=int, help="worker processes (TSM_WORKERS, default 2)")
    parser.add_argument("--threads", type=int, help="threads per worker (TSM_THREADS, default 4)")
    parser.add_argument("--no-schedule", action="store_true",
                        help="no scheduled refresh in this service (TSM_SCHEDULE=0)")
    parser.set_defaults(func=run)
    hasher = subparsers.add_parser(
        "hash-password", help="print a password hash for TSM_AUTH_PASSWORD_HASH",
        description="Read a password (prompted, or one line on standard input) and print its "
                    "hash for TSM_AUTH_PASSWORD_HASH; the password itself is never stored.")
    hasher.set_defaults(func=hash_password)
    bundle = subparsers.add_parser(
        "plotly-bundle", help="download plotly.js's basic bundle (first chart ~1 s sooner)",
        description="Download plotly.js's basic bundle (scatter, bar and pie traces: every chart "
                    "here) from the npm registry, check its pinned sha512 and keep it in "
                    "TSM_PLOTLY_DIR (default: plotly/ in the cache folder); the dashboard then "
                    "serves it in place of the full 4.8 MB bundle. Run once per install, with "
                    "network (the Dockerfile does).")
    bundle.add_argument("--registry", help="npm registry base URL (default: registry.npmjs.org)")
    bundle.set_defaults(func=plotly_bundle)


def gunicorn_argv() -> list[str]:
    """The command `tsm serve` runs."""
    return [sys.executable, "-m", "gunicorn", "-c", "python:service.gunicorn_conf", "app:server"]


def run(args: argparse.Namespace) -> int:
    env = os.environ
    env["TSM_STORE"] = str(getattr(args.store, "dsn", args.store))
    for name, value in (("TSM_HOST", args.host), ("TSM_PORT", args.port),
                        ("TSM_WORKERS", args.workers), ("TSM_THREADS", args.threads)):
        if value is not None:
            env[name] = str(value)
    if args.no_schedule:
        env["TSM_SCHEDULE"] = "0"
    argv = gunicorn_argv()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
    return 0  # pragma: no cover - execv does not return


def hash_password(args: argparse.Namespace) -> int:
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("hash-password: the two entries differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("hash-password: use at least 8 characters", file=sys.stderr)
        return 2
    print(generate_password_hash(password))
    return 0


def plotly_bundle(args: argparse.Namespace) -> int:
    from data import plotly_bundle as bundle

    try:
        path = bundle.fetch(**({"registry": args.registry} if args.registry else {}))
    except bundle.BundleError as exc:
        print(f"plotly-bundle: {exc}", file=sys.stderr)
        return 1
    print(f"plotly.js {bundle.plotlyjs_version()} basic bundle: {path} ({path.stat().st_size:,} bytes); "
          "served from the next start of the dashboard")
    return 0
