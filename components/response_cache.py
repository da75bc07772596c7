"""Callback responses kept per data revision: a request seen before is a dictionary hit.

Most requests repeat: every desk opening the Overview at the latest date sends the same router
request and the same initial callbacks, and a date once looked at is looked at again. The
pages are pure functions of the request body and of the data: the market state of one
revision, the store's data of one revision, and (for freshness labels) today's date. So the
response body is kept under a key of exactly those, and a repeat is answered without
running the callback. A new store revision, or the state of a new revision becoming the one
served, changes the key: nothing stale is ever served.

Never kept: a callback triggered by a click, a timer or an upload (``n_clicks``,
``n_intervals``, ``contents``): those may act (start a refresh, import a file) or read the
clock. Nor an answer other than 200 (errors, ``no_update``'s 204), nor a request whose store
cannot be read. ``TSM_RESPONSE_CACHE_MB`` (default 64 per worker; 0 turns it off) bounds the
memory; the least recently used answers go first.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, request

import config
from components.context import AppContext
from data.store import StoreError

__all__ = ["ResponseCache", "install", "ACTING_PROPS", "HIT_HEADER"]

#: Input properties whose callbacks are never answered from the cache.
ACTING_PROPS: frozenset[str] = frozenset({"n_clicks", "n_intervals", "contents"})
#: Response header saying whether the body came from the cache ("hit") or was computed ("miss").
HIT_HEADER = "X-TSM-Cache"
_PATH = "/_dash-update-component"


class ResponseCache:
    """An LRU of response bodies bounded in bytes (thread-safe)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._gzipped: dict[str, bytes] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, body: bytes, mimetype: str) -> None:
        if len(body) > self.max_bytes // 8:  # one answer never takes more than an eighth
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0])
                self._gzipped.pop(key, None)
            self._items[key] = (body, mimetype)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._items:
                gone, (dropped, _) = self._items.popitem(last=False)
                self._bytes -= len(dropped)
                self._gzipped.pop(gone, None)

    def gzipped(self, key: str, body: bytes) -> bytes:
        """The body gzip-compressed, compressed once per key."""
        with self._lock:
            done = self._gzipped.get(key)
        if done is None:
            done = gzip.compress(body, compresslevel=6)
            with self._lock:
                if key in self._items:
                    self._gzipped[key] = done
        return done

    def __len__(self) -> int:
        return len(self._items)


def _acts(body: Any) -> bool:
    """True when the callback has an input that acts or reads the clock."""
    for item in body.get("inputs") or []:
        for entry in item if isinstance(item, list) else [item]:
            if isinstance(entry, dict) and entry.get("property") in ACTING_PROPS:
                return True
    return False


def _key(ctx: AppContext, raw: bytes) -> str | None:
    """The cache key of a callback request, None when it must be computed."""
    try:
        view = ctx.view()  # reads the store's revision: one store open, as every page does
    except StoreError:
        return None
    # The store's revision is the pending one while an older state is served, else the
    # state's own: (state revision, pending revision) names both the data and the state.
    today = datetime.now(UTC).date().isoformat()
    digest = hashlib.sha256(raw).hexdigest()
    return (f"{view.state.mode}:{view.state.revision}:{view.pending_revision}:{today}:{digest}")


def install(server: Flask, ctx: AppContext) -> ResponseCache | None:
    """Answer repeated callback requests from a :class:`ResponseCache` (None when turned off).

    Call after the request guard is registered: a request is authorised and checked first.
    """
    max_bytes = int(config.response_cache_mb() * 1024 * 1024)
    if max_bytes <= 0:
        return None
    cache = ResponseCache(max_bytes)

    @server.before_request
    def _answer_from_cache() -> Response | None:
        if request.path != _PATH or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or _acts(body):
            return None
        key = _key(ctx, request.get_data(cache=True))
        if key is None:
            return None
        found = cache.get(key)
        if found is None:
            g.tsm_cache_key = key
            return None
        response = Response(status=200, mimetype=found[1])
        if "gzip" in request.headers.get("Accept-Encoding", "").lower():
            response.set_data(cache.gzipped(key, found[0]))
            response.headers["Content-Encoding"] = "gzip"  # compressed once, not per answer
            response.headers["Vary"] = "Accept-Encoding"
        else:
            response.set_data(found[0])
        response.headers[HIT_HEADER] = "hit"
        return response

    @server.after_request
    def _keep(response: Response) -> Response:
        key = g.pop("tsm_cache_key", None)
        if key is None:
            return response
        response.headers[HIT_HEADER] = "miss"
        if response.status_code == 200 and not response.direct_passthrough \
                and "Content-Encoding" not in response.headers:
            cache.put(key, response.get_data(), response.mimetype or "application/json")
        return response

    return cache
