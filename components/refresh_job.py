"""A refresh started from the data page: ``tsm refresh``'s code path in a background thread.

Its progress lives in a small JSON file beside the store (``<store>.refresh.json``), so every
worker process of the app reads the same progress whichever of them runs the job, and a
``flock`` on ``<store>.refresh.lock`` makes it one refresh per store at a time (the kernel
releases it if the process dies; the file then says "interrupted").
"""

from __future__ import annotations

import fcntl
import io
import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cli.refresh import RefreshResult, refresh_store
from cli.state_step import build_state_step
from data.store import Store, StoreError

__all__ = ["JobStatus", "start_refresh", "read_status", "status_path", "lock_path"]

log = logging.getLogger(__name__)

#: Failed series listed in the status (the rest are counted).
SHOWN_FAILURES = 60


def status_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".refresh.json")


def lock_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".refresh.lock")


@dataclass
class JobStatus:
    """What the data page shows of the latest refresh started from it.

    ``state``: "idle" (none yet), "running", "done" (every series refreshed), "partial" (some
    failed; what succeeded is stored), "failed" (nothing could be done: ``message`` says why)
    or "interrupted" (the process running it ended).
    """

    state: str = "idle"
    done: int = 0
    total: int = 0
    label: str = ""
    started: str | None = None
    finished: str | None = None
    message: str = ""
    failures: list[list[str]] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def fraction(self) -> float:
        if self.state in ("done", "partial"):
            return 1.0
        return self.done / self.total if self.total else 0.0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _write(store_path: Path, status: JobStatus) -> None:
    target = status_path(store_path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(asdict(status)), encoding="utf-8")
    os.replace(tmp, target)  # readers never see half a file


def _locked(store_path: Path) -> bool:
    """True when some process holds the refresh lock."""
    try:
        with open(lock_path(store_path), "a+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def read_status(store_path: Path) -> JobStatus:
    """The latest refresh's status ("idle" when there was none)."""
    try:
        doc: dict[str, Any] = json.loads(status_path(store_path).read_text(encoding="utf-8"))
        status = JobStatus(**doc)
    except (OSError, ValueError, TypeError):
        return JobStatus()
    if status.running and not _locked(store_path):
        status.state = "interrupted"
        status.message = "the refresh stopped before it finished (its process ended)"
    return status


class _Sink:
    """refresh_store's progress, written to the status file."""

    def __init__(self, store_path: Path, status: JobStatus) -> None:
        self.path = store_path
        self.status = status

    def begin(self, total: int) -> None:
        self.status.total = total
        self.status.done = 0
        _write(self.path, self.status)

    def step(self, label: str) -> None:
        self.status.label = label
        _write(self.path, self.status)
        self.status.done += 1

    def finish(self) -> None:
        self.status.label = ""
        _write(self.path, self.status)


def _summary(result: RefreshResult) -> tuple[str, list[list[str]]]:
    total = result.total
    ok = len(result.outcomes) - result.failed
    text = (f"{ok} series ok, {result.failed} failed; {total.inserted} new, {total.updated} "
            f"revised, {total.unchanged} unchanged rows")
    failures = [[o.source, o.series_id, o.errors[0]] for o in result.outcomes if o.errors]
    if len(failures) > SHOWN_FAILURES:
        rest = len(failures) - SHOWN_FAILURES
        failures = [*failures[:SHOWN_FAILURES], ["", "", f"... and {rest} more"]]
    return text, failures


def _refresh_path(store_path: Path, *, progress: _Sink) -> RefreshResult:
    with Store.open(store_path) as store:
        return refresh_store(store, progress=progress)


def _run(store_path: Path, handle: IO[bytes], status: JobStatus,
         refresh: Callable[..., RefreshResult]) -> None:
    try:
        result = refresh(store_path, progress=_Sink(store_path, status))
        status.message, status.failures = _summary(result)
        status.state = "partial" if result.failed else "done"
        # The new revision's market state, as `tsm refresh` builds it: the pages then load it.
        build_state_step(store_path, out=io.StringIO())
    except StoreError as exc:
        status.state, status.message = "failed", f"the store cannot be written: {exc}"
    except Exception as exc:  # the page must say what happened, whatever it was
        if type(exc).__name__ == "LeaseHeld":  # another writer holds the store (issue 10)
            status.state, status.message = "failed", f"not started: {exc}"
        else:
            log.exception("refresh from the data page failed")
            status.state, status.message = "failed", f"internal error {type(exc).__name__}: {exc}"
    finally:
        status.finished = _now()
        status.label = ""
        try:
            _write(store_path, status)
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()


def _try_lock(handle: IO[bytes], store_path: Path) -> bool:
    # A refresh that has written its final status lets go of the lock a moment later.
    for _ in range(20):
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if read_status(store_path).running:
                return False
            time.sleep(0.05)
    return False


def start_refresh(store_path: Path, *,
                  refresh: Callable[..., RefreshResult] = _refresh_path) -> tuple[bool, str]:
    """Start a refresh of the store at ``store_path`` in a background thread.

    Returns (started, message): False with the reason when one is already running or the
    store's folder cannot be written.
    """
    try:
        store_path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path(store_path), "a+b")  # noqa: SIM115 - held by the thread
    except OSError as exc:
        return False, f"cannot start a refresh: {exc}"
    if not _try_lock(handle, store_path):
        handle.close()
        return False, "a refresh of this store is already running"
    status = JobStatus(state="running", started=_now(), label="planning")
    try:
        _write(store_path, status)
    except OSError as exc:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
        return False, f"cannot start a refresh: {exc}"
    threading.Thread(target=_run, args=(store_path, handle, status, refresh),
                     name="tsm-refresh", daemon=True).start()
    return True, "refresh started"
