"""The Flask-level pieces of serving the app: limits, security headers, health endpoints,
404s for unknown paths, clean 4xx answers to malformed requests, optional login, and the
refresh endpoint.

:func:`install` adds them all to a Dash app with one call from ``create_app``.

Login (optional, off by default)
--------------------------------
``TSM_AUTH_USER`` + ``TSM_AUTH_PASSWORD_HASH``
    HTTP basic auth against a Werkzeug password hash (``tsm hash-password`` makes one); the
    password itself never sits in the environment.
``TSM_AUTH_PROXY_HEADER``
    Trust a reverse proxy that authenticates users and passes the name in this header (for
    example ``X-Forwarded-User``); requests without it are refused. Only use it when the proxy
    strips the header from clients' requests.

``/healthz`` and ``/readyz`` never ask for a login (probes do not have one).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

from dash import Dash
from dash.exceptions import DependencyException
from flask import Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.security import check_password_hash

import config
from components import response_cache
from components.context import AppContext
from data.catalogue import freshness, spec
from data.store import Store, StoreError

__all__ = ["CORE_SERIES", "enable_compression", "install", "security_headers", "readiness"]

log = logging.getLogger(__name__)

#: Series whose freshness /readyz requires (the curve every page starts from).
CORE_SERIES: tuple[str, ...] = ("DGS2", "DGS10")

#: Paths that are not pages but are served (Dash's own, assets, probes, the API).
_OPEN_PREFIXES: tuple[str, ...] = (
    "/_dash-", "/assets/", "/_favicon.ico", "/_reload-hash", "/healthz", "/readyz", "/api/",
    "/_tsm/",
)
_PROBES: frozenset[str] = frozenset({"/healthz", "/readyz"})


def security_headers(app: Dash) -> dict[str, str]:
    """Headers every response carries. The CSP allows the app's own scripts plus the hash of
    Dash's one inline bootstrap script; styles need 'unsafe-inline' (Plotly and React set
    inline styles); images may be data: URLs (Plotly's mode-bar icons)."""
    script_src = " ".join(["'self'", *app.csp_hashes()])
    csp = "; ".join([
        "default-src 'self'",
        f"script-src {script_src}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


def _json(payload: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def _malformed_callback(body: Any) -> str | None:
    """Why a ``/_dash-update-component`` body is not a callback request (None when it is)."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if not isinstance(body.get("output"), str):
        return "'output' is missing or not a string"
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list):
            return f"'{key}' is not a list"
        for item in _flat(items):
            if not isinstance(item, dict) or "id" not in item or "property" not in item:
                return f"an entry of '{key}' lacks an id or a property"
    outputs = body.get("outputs")
    if outputs is not None and not isinstance(outputs, (dict, list)):
        return "'outputs' is not an object or a list"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "'changedPropIds' is not a list of strings"
    return None


def _flat(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        if isinstance(item, list):  # pattern-matching (ALL) inputs arrive as nested lists
            yield from _flat(item)
        else:
            yield item


def readiness(ctx: AppContext, *, today: date | None = None) -> tuple[bool, dict[str, Any]]:
    """(ready, checks): the store is readable, the per-revision state is built, and the core
    series are fresh (an empty or absent store serves the DEMO set and counts as fresh)."""
    checks: dict[str, Any] = {}
    ready = True
    location = ctx.store_path
    rows: dict[str, str | None] = {}
    if location.exists():
        try:
            with Store.open(location, create=False) as store:
                checks["store"] = f"ok (revision {store.revision()})"
                if store.has_observations():
                    for sid in CORE_SERIES:
                        last = store.last_date(sid)
                        rows[sid] = last.isoformat() if last else None
        except StoreError as exc:
            ready = False
            checks["store"] = f"unreadable: {exc}"
    else:
        checks["store"] = "absent (DEMO data)"
    state_ready = getattr(ctx, "state_ready", None)
    built = bool(state_ready()) if callable(state_ready) else True
    checks["state"] = "built" if built else "building"
    ready = ready and built
    day = today or datetime.now(UTC).date()
    stale = []
    for sid, last in rows.items():
        is_stale, label = freshness(sid, spec(sid).frequency, last, day)
        if is_stale:
            stale.append(f"{sid} {label} (last {last})")
    if stale:
        checks["core data"] = "stale: " + "; ".join(stale)
        if os.environ.get("TSM_READY_STALE_OK", "").strip() not in ("1", "true", "yes"):
            ready = False
    else:
        checks["core data"] = "fresh" if rows else "not stored (DEMO data)"
    return ready, checks


def _auth_check() -> Callable[[], Response | None]:
    user = os.environ.get("TSM_AUTH_USER", "").strip()
    hashed = os.environ.get("TSM_AUTH_PASSWORD_HASH", "").strip()
    header = os.environ.get("TSM_AUTH_PROXY_HEADER", "").strip()
    if bool(user) != bool(hashed):
        raise ValueError("set both TSM_AUTH_USER and TSM_AUTH_PASSWORD_HASH for basic auth, or neither")

    def check() -> Response | None:
        if header:
            if request.headers.get(header, "").strip():
                return None
            return _json({"error": "not signed in through the proxy"}, 401)
        if user:
            auth = request.authorization
            if (auth is not None and auth.type == "basic" and auth.username is not None
                    and hmac.compare_digest(auth.username, user)
                    and check_password_hash(hashed, auth.password or "")):
                return None
            return Response("sign-in required", 401,
                            {"WWW-Authenticate": 'Basic realm="Treasury Stress Monitor", charset="UTF-8"'})
        return None

    return check


#: Paths whose GET responses are fixed while the process runs: Dash's component suites and
#: the app's assets (their URLs carry a version or modification time).
_STATIC_PREFIXES: tuple[str, ...] = ("/_dash-component-suites/", "/assets/", "/_tsm/")


class _StaticCompressionCache:
    """flask-compress's cache, holding only the compressed bodies of static files.

    Every browser with an empty cache fetches Plotly's 4.8 MB bundle; compressing it took the
    server about 250 ms of CPU each time, on the path to the first chart. Static bodies are
    now compressed once per worker and algorithm (a few MB in all). Any other response (a
    callback's POST shares one URL among different bodies) is never looked up or kept.
    """

    def __init__(self) -> None:
        self._items: dict[str, bytes] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(req: Any) -> str:
        cacheable = req.method == "GET" and req.path.startswith(_STATIC_PREFIXES)
        return f"static {req.full_path}" if cacheable else "never"

    def get(self, key: str) -> bytes | None:
        return self._items.get(key) if not key.endswith(";never") else None

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";never"):
            with self._lock:
                self._items[key] = value


def enable_compression(server: Any) -> None:
    """gzip/brotli for responses over 500 bytes (chart payloads shrink several-fold), static
    files compressed once (:class:`_StaticCompressionCache`)."""
    from flask_compress import Compress

    server.config["COMPRESS_CACHE_BACKEND"] = _StaticCompressionCache
    server.config["COMPRESS_CACHE_KEY"] = _StaticCompressionCache.key
    Compress(server)


def install(app: Dash, ctx: AppContext, page_paths: Iterable[str]) -> None:
    """Add limits, headers, probes, 404s, clean 4xx answers, login and the refresh API."""
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes()
    pages = frozenset(page_paths) | {"/"}
    auth = _auth_check()
    headers: dict[str, str] = {}
    headers_lock = threading.Lock()

    @server.before_request
    def _guard() -> Response | None:
        path = request.path
        if path in _PROBES:
            return None
        denied = auth()
        if denied is not None:
            return denied
        if ".." in path.split("/") or "\\" in path or "\0" in path:
            return _json({"error": "not found"}, 404)
        if not path.startswith(_OPEN_PREFIXES) and path not in pages:
            return _json({"error": f"no page at {path}"}, 404)
        if path == "/_dash-update-component" and request.method == "POST":
            body = request.get_json(silent=True)
            problem = _malformed_callback(body)
            if problem is not None:
                return _json({"error": f"malformed callback request: {problem}"}, 400)
        return None

    # After the guard: a request is authorised and checked before any cached answer.
    response_cache.install(server, ctx)

    @server.after_request
    def _headers(response: Response) -> Response:
        with headers_lock:
            if not headers:
                headers.update(security_headers(app))
        for key, value in headers.items():
            response.headers.setdefault(key, value)
        response.headers.pop("Server", None)
        return response

    @server.errorhandler(DependencyException)
    def _no_component(_: Exception) -> Response:
        return _json({"error": "not found"}, 404)

    @server.errorhandler(RequestEntityTooLarge)
    def _too_large(_: Exception) -> Response:
        limit = config.max_request_bytes()
        return _json({"error": f"request body larger than {limit:,} bytes (TSM_MAX_REQUEST_BYTES)"}, 413)

    @server.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return _json({"error": exc.description or exc.name}, exc.code or 500)
        if request.path == "/_dash-update-component" and isinstance(exc, (KeyError, TypeError, IndexError)):
            # Dash itself chokes on a body of the right shape but the wrong contents.
            log.warning("malformed callback request: %s: %s", type(exc).__name__, exc)
            return _json({"error": "malformed callback request"}, 400)
        log.exception("unexpected error on %s", request.path)
        return _json({"error": "internal error (logged on the server)"}, 500)

    @server.route("/healthz")
    def _healthz() -> Response:
        return _json({"status": "ok"}, 200)

    @server.route("/readyz")
    def _readyz() -> Response:
        ready, checks = readiness(ctx)
        return _json({"status": "ready" if ready else "not ready", "checks": checks},
                     200 if ready else 503)

    @server.route("/api/refresh", methods=["GET", "POST"])
    def _refresh() -> Response:
        from service import scheduler

        if request.method == "POST":
            # A JSON content type cannot be sent cross-site without a CORS preflight, which
            # this app never grants: a forged form post cannot start a refresh.
            if not request.is_json:
                return _json({"error": "send Content-Type: application/json"}, 415)
            started, message = scheduler.trigger_refresh(ctx.store_path)
            return _json({"started": started, "message": message}, 202 if started else 409)
        return _json(scheduler.progress(ctx.store_path), 200)
