"""The market state of a store, persisted per revision beside it and built once, by one process.

:func:`analytics.state.build_state` computes every full-history table of one data revision
(a few seconds). This module makes that work happen once per revision for every worker and
replica that reads the same store:

* The state is persisted with `diskcache` in ``<store>.state/`` (a directory beside the
  SQLite file), keyed by state format and revision. A process that finds it loads it (a
  fraction of a second) instead of computing it.
* One process builds at a time: an exclusive ``flock`` on ``<store>.state/build.lock``. The
  kernel releases it if the builder dies, so a crash never wedges the others. A process that
  gets the lock after waiting looks in the cache again before building.
* ``tsm refresh`` and ``tsm import`` build the new revision as their last step
  (:func:`ensure_persisted`), so the dashboard's first request after a refresh finds it ready.
  The app builds it itself, in the background, when it is missing, and meanwhile serves the
  newest state it has, saying so (:class:`StateKeeper`).
* The DEMO set (no store) is built once per process and kept between runs of the same
  code in ``config.cache_dir()`` (:mod:`data.derived_cache`), not beside any store.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import diskcache

import config
from analytics.state import STATE_FORMAT, MarketState, build_state
from config import StoreLocation
from data.derived_cache import code_digest, get_or_make
from data.market import MarketData, demo_market_data, load_market_data
from data.store import StoreError

__all__ = ["state_dir", "load_persisted", "ensure_persisted", "build_for", "StateKeeper",
           "StateView", "demo_state"]

log = logging.getLogger(__name__)

#: Revisions kept on disk: the newest, and the one before it for readers still on it.
_KEEP_REVISIONS = 2
_demo_lock = threading.Lock()
_demo_states: list[MarketState] = []


def state_dir(store_path: StoreLocation) -> Path:
    """Where the persisted states of the store at ``store_path`` live (config.state_dir)."""
    return config.state_dir(store_path)


def _key(revision: int) -> str:
    return f"state/f{STATE_FORMAT}/r{revision}"


def _cache(store_path: StoreLocation) -> diskcache.Cache:
    directory = state_dir(store_path)
    directory.mkdir(parents=True, exist_ok=True)
    # No size-based eviction: a state is tens of MB and we prune by revision ourselves.
    return diskcache.Cache(str(directory), size_limit=2**40, eviction_policy="none")


def load_persisted(store_path: StoreLocation, revision: int) -> MarketState | None:
    """The persisted state of ``revision``, or None (absent, other format, unreadable)."""
    if not state_dir(store_path).is_dir():
        return None
    try:
        with _cache(store_path) as cache:
            found = cache.get(_key(revision))
    except Exception as exc:  # a damaged cache is rebuilt, never fatal
        log.warning("persisted market state of revision %s unreadable (%s): it will be rebuilt",
                    revision, exc)
        return None
    return found if isinstance(found, MarketState) and found.revision == revision else None


def _newest_persisted(store_path: StoreLocation, below: int) -> MarketState | None:
    if not state_dir(store_path).is_dir():
        return None
    try:
        with _cache(store_path) as cache:
            prefix = f"state/f{STATE_FORMAT}/r"
            revisions = sorted((int(str(k)[len(prefix):]) for k in cache.iterkeys()
                                if str(k).startswith(prefix)), reverse=True)
    except Exception:
        return None
    for rev in revisions:
        if rev < below:
            found = load_persisted(store_path, rev)
            if found is not None:
                return found
    return None


@contextmanager
def _build_lock(store_path: StoreLocation) -> Iterator[None]:
    directory = state_dir(store_path)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "build.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _persist(store_path: StoreLocation, state: MarketState) -> None:
    with _cache(store_path) as cache:
        cache.set(_key(state.revision), state)
        prefix = f"state/f{STATE_FORMAT}/r"
        keys = [str(k) for k in cache.iterkeys()]
        ours = sorted((int(k[len(prefix):]) for k in keys if k.startswith(prefix)), reverse=True)
        for rev in ours[_KEEP_REVISIONS:]:
            cache.delete(_key(rev))
        for other in (k for k in keys if not k.startswith(prefix)):
            cache.delete(other)  # states of an older format


def _clear_cache_files(store_path: StoreLocation) -> None:
    """Remove everything in the state directory but the build lock (held by us)."""
    for entry in state_dir(store_path).iterdir():
        if entry.name == "build.lock":
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def build_for(data: MarketData) -> MarketState:
    """Build the state of ``data`` (no persistence)."""
    return build_state(data.yields, data.series, data.cftc, revision=data.revision, mode=data.mode)


def demo_state() -> MarketState:
    """The DEMO set's state: once per process, and kept between runs of the same code in the
    derived-data cache (data/derived_cache.py), so a start does not spend seconds on it."""
    with _demo_lock:
        if not _demo_states:
            key = f"f{STATE_FORMAT}-{code_digest('analytics', 'data', 'market_state')}"
            _demo_states.append(get_or_make("demo-state", key,
                                            lambda: build_for(demo_market_data()), MarketState))
        return _demo_states[0]


def ensure_persisted(store_path: StoreLocation) -> MarketState:
    """The state of the store's current revision: loaded if persisted, else built under the
    build lock and persisted. Raises StoreError when the store cannot be read."""
    data = load_market_data(store_path)
    if data.is_demo:
        return demo_state()
    found = load_persisted(store_path, data.revision)
    if found is not None:
        return found
    with _build_lock(store_path):
        data = load_market_data(store_path)  # the revision may have moved while we waited
        found = load_persisted(store_path, data.revision)
        if found is not None:
            return found
        state = build_for(data)
        try:
            _persist(store_path, state)
        except sqlite3.DatabaseError as exc:  # a damaged cache: start it afresh, once
            log.warning("market state cache beside %s is damaged (%s): recreating it",
                        store_path, exc)
            _clear_cache_files(store_path)
            try:
                _persist(store_path, state)
            except (OSError, sqlite3.Error) as again:
                log.warning("could not persist the market state beside %s: %s", store_path, again)
        except OSError as exc:  # read-only volume: serve it from memory all the same
            log.warning("could not persist the market state beside %s: %s", store_path, exc)
        log.info("built the market state of revision %s in %.1f s", state.revision,
                 state.built_seconds)
        return state


@dataclass(frozen=True)
class StateView:
    """The state a request should read, and whether a newer revision is being prepared.

    ``pending_revision`` is the store's current revision when ``state`` is older (pages say
    "showing revision N while N+1 is prepared"); None when the state is current.
    """

    state: MarketState
    pending_revision: int | None = None

    @property
    def note(self) -> str | None:
        if self.pending_revision is None:
            return None
        return (f"Showing data revision {self.state.revision} while revision "
                f"{self.pending_revision} is being prepared (refreshes itself).")


class StateKeeper:
    """Per process: the state of the newest revision, never making a request wait for a build
    when an older state can be shown."""

    def __init__(self, store_path: StoreLocation) -> None:
        self._path = store_path
        self._lock = threading.Lock()
        self._current: MarketState | None = None
        self._building: threading.Thread | None = None
        self._error: str | None = None

    @property
    def build_error(self) -> str | None:
        """Why the last background build failed (None when it did not)."""
        return self._error

    def _store_revision(self) -> int | None:
        """The store's revision, None without stored data (DEMO). Raises StoreError.

        Through :func:`data.market.load_market_data`: its rule for "no data, so DEMO" and its
        per-revision cache are the ones every page's banner uses."""
        data = load_market_data(self._path)
        return None if data.is_demo else data.revision

    def view(self) -> StateView:
        """The state to serve now. Raises StoreError when the store cannot be read."""
        revision = self._store_revision()
        if revision is None:
            return StateView(demo_state())
        current = self._current
        if current is not None and current.revision == revision:
            return StateView(current)
        found = load_persisted(self._path, revision)
        if found is not None:
            with self._lock:
                self._current = found
            return StateView(found)
        older = current if current is not None else _newest_persisted(self._path, revision)
        if older is None:
            # Nothing to show yet (first start on this store): wait for the build.
            state = ensure_persisted(self._path)
            with self._lock:
                self._current = state
            return StateView(state)
        with self._lock:
            self._current = older
        self._start_build()
        return StateView(older, pending_revision=revision)

    def ready(self) -> bool:
        """True when the state of the store's current revision is loaded in this process;
        when it is not, its loading or building starts in the background (a readiness probe
        then turns ready by itself, even without the warm-up at start)."""
        try:
            revision = self._store_revision()
        except StoreError:
            return False
        if revision is None:
            done = bool(_demo_states)
        else:
            done = self._current is not None and self._current.revision == revision
        if not done:
            self._start_build()
        return done

    def warm_up(self) -> None:
        """Load or build the current state in a background thread."""
        self._start_build()

    def _start_build(self) -> None:
        with self._lock:
            if self._building is not None and self._building.is_alive():
                return
            self._building = threading.Thread(target=self._build, name="tsm-state-build",
                                              daemon=True)
            self._building.start()

    def _build(self) -> None:
        started = time.perf_counter()
        try:
            state = (ensure_persisted(self._path) if self._path.exists() else demo_state())
        except Exception as exc:  # shown by the pages; the older state stays in service
            self._error = f"{type(exc).__name__}: {exc}"
            log.exception("building the market state failed")
            return
        self._error = None
        with self._lock:
            if self._current is None or state.revision >= self._current.revision:
                self._current = state
        log.info("market state of revision %s ready after %.1f s", state.revision,
                 time.perf_counter() - started)

