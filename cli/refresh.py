"""``tsm refresh [--source NAME] [--since DATE] [--series ID]``: fetch new data into the store.

Incremental: each series is fetched from its last stored date minus
:data:`OVERLAP_DAYS` (sources revise recent values), or from ``--since``, or over its whole
history when nothing is stored. A plain refresh takes each catalogued series from its primary
source; ``--source`` takes everything that source can give.

One failure never stops the others and never deletes data: it is recorded in the store
(``record_refresh(..., ok=False)``) and named in the summary table. Exit code 0 when all
succeeded, 1 when some failed (what succeeded is written), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol, TextIO

from cli.state_step import build_state_step
from cli.table import format_table
from data.http import SourceError, redact
from data.model import Batch
from data.sources import FetchUnit, Provider, Query, make_provider, provider_names
from data.store import CFTC_STATUS_ID, Store, StoreError, WriteResult

__all__ = ["OVERLAP_DAYS", "Progress", "ProgressSink", "RefreshResult", "UnknownSeries",
           "format_summary", "refresh_store", "register", "run"]

#: Calendar days re-fetched before each series' last stored date, to pick up revisions.
OVERLAP_DAYS: Final[int] = 14
#: Width of the progress bar, in characters.
BAR_WIDTH: Final[int] = 24


class ProgressSink(Protocol):
    """Receives a refresh's progress: the CLI draws a bar, the service keeps the state."""

    def begin(self, total: int) -> None: ...

    def step(self, label: str) -> None: ...

    def finish(self) -> None: ...


class Progress:
    """A one-line progress bar on a terminal (nothing at all when `stream` is not a tty)."""

    def __init__(self, total: int, *, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.enabled = stream is not None and bool(getattr(stream, "isatty", lambda: False)())

    @classmethod
    def on(cls, stream: TextIO) -> Progress:
        return cls(0, stream=stream)

    def begin(self, total: int) -> None:
        self.total = max(total, 1)
        self.done = 0

    def step(self, label: str) -> None:
        """Show that the item `label` is being worked on."""
        if not self.enabled or self.stream is None:
            self.done += 1
            return
        filled = int(BAR_WIDTH * self.done / self.total)
        text = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total} {label}"
        self.stream.write(text[:100].ljust(100))
        self.stream.flush()
        self.done += 1

    def finish(self) -> None:
        if self.enabled and self.stream is not None:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


@dataclass
class _Outcome:
    source: str
    series_id: str
    counts: WriteResult = field(default_factory=WriteResult)
    errors: list[str] = field(default_factory=list)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "refresh",
        help="fetch new observations from the public sources",
        description=(
            "Fetch new data from FRED, the NY Fed, Treasury, the CFTC and the Fed's GSW curve. "
            "Each series is fetched from its last stored date (less a small overlap for "
            "revisions), or from --since. A failing source is reported and recorded; the others "
            "go on and stored data is never deleted."
        ),
    )
    parser.add_argument("--source", choices=provider_names(),
                        help="only this source (all it publishes, including secondary copies)")
    parser.add_argument("--since", metavar="YYYY-MM-DD",
                        help="fetch from this date instead of each series' last stored date")
    parser.add_argument("--series", action="append", metavar="ID",
                        help="only this series id (repeatable; CFTC positions are CFTC_TFF)")
    parser.set_defaults(func=run)


def _parse_since(text: str | None, today: date) -> date | None:
    if text is None:
        return None
    try:
        since = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"--since must be a date YYYY-MM-DD, got {text!r}") from exc
    if since > today:
        raise ValueError(f"--since must not be after today ({today.isoformat()}), got {text}")
    return since


def _start(store: Store, series_id: str, since: date | None) -> date | None:
    if since is not None:
        return since
    last = store.last_cftc_date() if series_id == CFTC_STATUS_ID else store.last_date(series_id)
    return None if last is None else last - timedelta(days=OVERLAP_DAYS)


def _write(store: Store, batch: Batch, unit: FetchUnit, outcomes: dict[str, _Outcome]) -> None:
    # One write per series, so the summary can give per-series counts.
    for series_id in unit.series_ids:
        outcome = outcomes[series_id]
        if series_id == CFTC_STATUS_ID:
            part = Batch(source=batch.source, origin="live", cftc=batch.cftc, label=batch.label)
        else:
            obs = batch.observations
            part = Batch(source=batch.source, origin="live", label=batch.label,
                         observations=obs[obs["series_id"] == series_id].reset_index(drop=True))
        if len(part) == 0:
            continue
        try:
            outcome.counts += store.write([part])
        except (StoreError, ValueError) as exc:
            outcome.errors.append(f"store write failed: {exc}")


def run(args: argparse.Namespace) -> int:
    today = datetime.now(UTC).date()
    try:
        since = _parse_since(args.since, today)
    except ValueError as exc:
        print(f"refresh: {exc}", file=sys.stderr)
        return 2
    try:
        store = Store.open(args.store)
    except StoreError as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        return 1
    with store:
        try:
            result = refresh_store(store, source=args.source, series=args.series, since=since,
                                   today=today, progress=Progress.on(sys.stderr))
        except UnknownSeries as exc:
            print(f"refresh: {exc}", file=sys.stderr)
            return 2
    print(format_summary(result))
    build_state_step(args.store)  # something may have been stored (even when some failed)
    return 1 if result.failed else 0


class UnknownSeries(ValueError):
    """--series names a series no selected source refreshes."""


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did: per series counts and first error, and notes."""

    outcomes: tuple[_Outcome, ...]
    notes: tuple[str, ...]

    @property
    def failed(self) -> int:
        return sum(1 for o in self.outcomes if o.errors)

    @property
    def total(self) -> WriteResult:
        return sum((o.counts for o in self.outcomes), WriteResult())


def format_summary(result: RefreshResult) -> str:
    """The per-series table, the notes and a totals line."""
    rows: list[list[object]] = [
        [o.source, o.series_id, o.counts.inserted, o.counts.updated, o.counts.unchanged,
         "ok" if not o.errors else f"FAILED: {o.errors[0]}"]
        for o in result.outcomes
    ]
    lines = [format_table(["source", "series", "new", "revised", "unchanged", "status"], rows)]
    lines += list(result.notes)
    total = result.total
    lines.append(f"{len(result.outcomes) - result.failed} series ok, {result.failed} failed; "
                 f"{total.inserted} new, {total.updated} revised, {total.unchanged} unchanged rows")
    return "\n".join(lines)


def refresh_store(
    store: Store,
    *,
    source: str | None = None,
    series: Sequence[str] | None = None,
    since: date | None = None,
    today: date | None = None,
    progress: ProgressSink | None = None,
) -> RefreshResult:
    """Refresh `store` from the sources (all, or `source`): what ``tsm refresh`` does, without
    the printing and without building the market state. The data page's button calls it too.

    Raises
    ------
    UnknownSeries
        `series` names a series no selected source refreshes.
    """
    day = today or datetime.now(UTC).date()
    return _refresh(store, source, list(series or []), since, day, progress or Progress(0))


def _refresh(store: Store, source: str | None, series_wanted: list[str], since: date | None,
             today: date, progress: ProgressSink) -> RefreshResult:
    names = [source] if source else list(provider_names())
    wanted = set(series_wanted)
    providers: list[Provider] = []
    plans: list[tuple[Provider, list[FetchUnit]]] = []
    outcomes: dict[str, _Outcome] = {}
    starts: dict[str, date | None] = {}
    notes: list[str] = []
    try:
        for name in names:
            provider = make_provider(name)
            providers.append(provider)
            ids = provider.series_ids() if source else provider.default_series()
            if wanted:
                ids = tuple(s for s in provider.series_ids() if s in wanted)
            if not ids:
                if not source and not wanted:
                    notes.append(f"{name}: nothing by default (a secondary source; use --source {name})")
                continue
            for series_id in ids:
                outcomes.setdefault(series_id, _Outcome(name, series_id))
                starts[series_id] = _start(store, series_id, since)
            try:
                units = provider.plan(Query({s: starts[s] for s in ids}, today))
            except (SourceError, ValueError) as exc:
                for series_id in ids:
                    outcomes[series_id].errors.append(redact(str(exc)))
                continue
            plans.append((provider, units))
        unknown = wanted - set(outcomes)
        if unknown:
            scope = f"source {source}" if source else "any source"
            raise UnknownSeries(f"unknown series {', '.join(sorted(unknown))} for {scope}")

        progress.begin(sum(len(units) for _, units in plans))
        for provider, units in plans:
            unreachable: str | None = None
            for unit in units:
                progress.step(f"{provider.name} {unit.label}")
                if unreachable is not None:
                    # The host did not answer at all: retrying it for every series only makes
                    # an offline refresh take minutes.
                    for series_id in unit.series_ids:
                        outcomes[series_id].errors.append(
                            f"{provider.name} {unit.label}: skipped, {unreachable} earlier in this run")
                    continue
                try:
                    batch = provider.fetch(unit)
                except SourceError as exc:
                    for series_id in unit.series_ids:
                        outcomes[series_id].errors.append(str(exc))
                    if exc.status is None and exc.cause.startswith("cannot connect to "):
                        unreachable = exc.cause.split(" (gave up")[0]
                    continue
                except Exception as exc:  # noqa: BLE001 - a bug in one source must not stop the rest
                    for series_id in unit.series_ids:
                        outcomes[series_id].errors.append(
                            redact(f"{provider.name} {unit.label}: internal error {type(exc).__name__}: {exc}"))
                    continue
                _write(store, batch, unit, outcomes)
        progress.finish()
    finally:
        for provider in providers:
            provider.close()

    for outcome in outcomes.values():
        error = outcome.errors[0] if outcome.errors else None
        store.record_refresh(outcome.series_id, source=outcome.source, ok=error is None, error=error)
    return RefreshResult(tuple(outcomes.values()), tuple(notes))
