"""The scheduled refresh inside the service: each source fetched soon after its release.

Every gunicorn worker of every replica runs the same schedule (APScheduler, in a background
thread started after the fork), and every run goes through :func:`cli.refresh.refresh_store`,
which first takes the store's writer lease: the first worker to ask refreshes, the others find
the lease held and skip. So there is exactly one refresher at a time across workers and
replicas, and a worker or replica that dies frees the lease within its time-to-live.

The data page's refresh button and ``POST /api/refresh`` call :func:`trigger_refresh`, the
same path. Progress (units done of total, current unit, last summary) is kept in the store
(a note in ``meta``), so any worker can answer ``GET /api/refresh``.

Release times (US Eastern, :data:`RELEASE_SCHEDULE`)
----------------------------------------------------
- NY Fed reference rates (SOFR, EFFR...) are published about 08:00 on business days: 08:20.
- FRED's daily H.15 series (CMT yields) appear in the late afternoon: 16:45 and again 18:30.
- Treasury's par yield curve is posted after the close: 18:00.
- The CFTC's Traders in Financial Futures report comes out Fridays 15:30: 15:50.
- The Fed's GSW curve file is updated about weekly: Mondays 10:00.
- Treasury auction results are out minutes after the 11:30/13:00 closes: 13:30 on business days.
- The OFR Financial Stress Index is updated each business morning: 10:15.
- The NY Fed's ACM term-premium workbook lags and is updated irregularly: Mondays 12:00.
- Eris's end-of-day SOFR par curve file appears in the evening: 19:00.

``TSM_SCHEDULE=0`` turns the schedule off (``tsm serve`` runs it by default).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from config import StoreLocation
from data.store import LeaseHeld, Store, StoreError

__all__ = ["RELEASE_SCHEDULE", "Release", "StoreProgress", "progress", "run_refresh", "start",
           "stop", "trigger_refresh"]

log = logging.getLogger(__name__)

_NOTE = "refresh_progress"
_TIMEZONE = "America/New_York"


@dataclass(frozen=True)
class Release:
    """When to refresh one source: APScheduler cron fields in US Eastern time."""

    day_of_week: str
    hour: str
    minute: str


#: Source -> release-timed refreshes (see the module docstring for the reasons).
RELEASE_SCHEDULE: Mapping[str, tuple[Release, ...]] = {
    "nyfed": (Release("mon-fri", "8", "20"),),
    "fred": (Release("mon-fri", "16", "45"), Release("mon-fri", "18", "30")),
    "treasury": (Release("mon-fri", "18", "0"),),
    "cftc": (Release("fri", "15", "50"),),
    "gsw": (Release("mon", "10", "0"),),
    "auctions": (Release("mon-fri", "13", "30"),),
    "ofr": (Release("mon-fri", "10", "15"),),
    "acm": (Release("mon", "12", "0"),),
    "eris": (Release("mon-fri", "19", "0"),),
}


class StoreProgress:
    """Progress of the running refresh, written to the store for every worker to read."""

    def __init__(self, store: Store, *, reason: str) -> None:
        self.store = store
        self.reason = reason
        self.total = 0
        self.done = 0
        self.started = datetime.now(UTC).replace(microsecond=0).isoformat()

    def _write(self, **extra: Any) -> None:
        state = {"state": "running", "reason": self.reason, "started": self.started,
                 "done": self.done, "total": self.total, "pid": os.getpid(), **extra}
        try:
            self.store.set_note(_NOTE, json.dumps(state))
        except StoreError:
            log.warning("cannot record the refresh progress", exc_info=True)

    def begin(self, total: int) -> None:
        self.total = total
        self._write(current="planning")

    def step(self, label: str) -> None:
        self._write(current=label)
        self.done += 1

    def finish(self) -> None:
        self._write(current="recording the outcome")


def run_refresh(location: StoreLocation, *, source: str | None = None, reason: str = "schedule") -> str:
    """One refresh of `source` (all when None) under the store lease; the summary line, or
    why it did not run. Never raises: a scheduler thread has nobody to raise to."""
    from cli.refresh import refresh_store

    try:
        with Store.open(location) as store:
            sink = StoreProgress(store, reason=reason)
            try:
                result = refresh_store(store, source=source, progress=sink)
            except LeaseHeld as exc:
                log.info("refresh (%s) skipped: %s", reason, exc)
                return f"skipped: {exc}"
            total = result.total
            summary = (f"{len(result.outcomes) - result.failed} series ok, {result.failed} failed; "
                       f"{total.inserted} new, {total.updated} revised")
            store.set_note(_NOTE, json.dumps({
                "state": "idle", "reason": reason, "started": sink.started,
                "finished": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "done": sink.done, "total": sink.total, "summary": summary,
                "failed": [f"{o.series_id}: {o.errors[0]}" for o in result.outcomes if o.errors][:20],
            }))
            log.info("refresh (%s, %s): %s", reason, source or "all sources", summary)
            return summary
    except Exception as exc:  # noqa: BLE001 - logged; the next run tries again
        log.exception("refresh (%s) failed", reason)
        return f"failed: {exc}"


def trigger_refresh(location: StoreLocation, *, source: str | None = None) -> tuple[bool, str]:
    """Start a refresh in the background now (the data page's button). (started, message):
    not started when another refresh or import holds the store."""
    try:
        with Store.open(location) as store:
            holder = store.lease_holder()
    except StoreError as exc:
        return False, f"the store cannot be opened: {exc}"
    if holder is not None:
        return False, f"{holder} is already writing to the store"
    thread = threading.Thread(target=run_refresh, args=(location,),
                              kwargs={"source": source, "reason": "button"},
                              name="tsm-refresh", daemon=True)
    thread.start()
    return True, "refresh started"


def progress(location: StoreLocation) -> dict[str, Any]:
    """The last recorded refresh progress (``{"state": "never"}`` before the first run)."""
    if not location.exists():
        return {"state": "never"}
    try:
        with Store.open(location, create=False) as store:
            raw = store.get_note(_NOTE)
            holder = store.lease_holder()
    except StoreError as exc:
        return {"state": "unknown", "error": str(exc)}
    state: dict[str, Any] = json.loads(raw) if raw else {"state": "never"}
    if state.get("state") == "running" and holder is None:
        state["state"] = "interrupted"  # its process died; the lease has expired
    return state


_lock = threading.Lock()
_running: dict[int, Any] = {}


def start(location: StoreLocation) -> Any:
    """Start this process's scheduler (once per process; call after a fork, never before)."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger

    with _lock:
        found = _running.get(os.getpid())
        if found is not None:
            return found
        scheduler = BackgroundScheduler(timezone=_TIMEZONE, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
        for source, releases in RELEASE_SCHEDULE.items():
            for i, release in enumerate(releases):
                scheduler.add_job(
                    run_refresh, CronTrigger(day_of_week=release.day_of_week, hour=release.hour,
                                             minute=release.minute, timezone=_TIMEZONE, jitter=30),
                    args=(location,), kwargs={"source": source, "reason": f"schedule {source}"},
                    id=f"refresh-{source}-{i}", replace_existing=True)
        scheduler.start()
        _running[os.getpid()] = scheduler
        log.info("refresh schedule started in pid %d: %s", os.getpid(),
                 ", ".join(f"{j.id} next {j.next_run_time:%Y-%m-%d %H:%M %Z}" for j in scheduler.get_jobs()))
        return scheduler


def stop() -> None:
    """Stop this process's scheduler (worker exit)."""
    with _lock:
        scheduler = _running.pop(os.getpid(), None)
    if scheduler is not None:
        scheduler.shutdown(wait=False)


def enabled() -> bool:
    """TSM_SCHEDULE (default 1 under `tsm serve`)."""
    return os.environ.get("TSM_SCHEDULE", "1").strip().lower() not in ("0", "false", "no")
