"""Data: what the store holds and how fresh it is, a refresh with progress, and file imports.

The refresh runs ``tsm refresh``'s code (:func:`cli.refresh.refresh_store`) in a background thread
(:mod:`components.refresh_job`); the page polls its progress once a second while it runs. An
import follows ``tsm import``'s rules: every file is parsed before anything is written, and a
bad file stops the import with its name, line and column; nothing is stored then.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update

import config
from components import refresh_job
from components.context import AppContext
from components.theme import BAD, GOOD, MUTED
from components.widgets import card, error_box, note, simple_table
from data.importer import ImportFileError, ImportReport, import_paths
from data.market import MarketData
from data.store import SeriesStatus, Store, StoreError

PATH = "/data"
LABEL = "Data"

STATUS_HEADERS = ("series", "title", "source", "first", "last", "age, days", "rows",
                  "last refresh", "fresh", "last error")
REPORT_HEADERS = ("file", "format", "series", "rows", "new", "revised", "unchanged")
#: Series ids listed per imported file before "+N more".
SHOWN_SERIES = 4
POLL_MS = 1000


# --- status ----------------------------------------------------------------------------------
def status_summary(rows: tuple[SeriesStatus, ...] | list[SeriesStatus]) -> str:
    """One line: how many series, how many stale or empty, with errors, and the oldest stale."""
    stale = [r for r in rows if r.stale]
    errors = sum(1 for r in rows if r.last_error)
    text = f"{len(rows)} series: {len(stale)} stale or empty, {errors} with a refresh error"
    dated = [r for r in stale if r.last_date]
    if dated:
        oldest = min(dated, key=lambda r: r.last_date or "")
        text += f"; oldest: {oldest.series_id} (last {oldest.last_date})"
    return text + "."


def status_table(data: MarketData) -> html.Table:
    """Every series, those with a refresh error first, then the stale ones, then the rest."""
    ordered = sorted(data.status_rows,
                     key=lambda r: (not r.last_error, not r.stale, r.series_id))
    rows = [
        (r.series_id, r.title, r.source or "-", r.first_date, r.last_date,
         "" if r.age_days is None else str(r.age_days), f"{r.rows:,}",
         "DEMO" if data.is_demo else (r.last_success or "never")[:16], r.freshness,
         r.last_error or "")
        for r in ordered
    ]
    classes = ["row-error" if r.last_error else ("row-stale" if r.stale else "")
               for r in ordered]
    return simple_table("data-status-table", STATUS_HEADERS, rows, row_classes=classes)


def _status_block(ctx: AppContext) -> html.Div:
    try:
        data = ctx.data()
    except StoreError as exc:
        return html.Div(error_box(f"The store cannot be read: {exc}", id_="data-store-error"))
    head = (f"DEMO data: the store {data.store_path} is empty or absent."
            if data.is_demo else f"Store {data.store_path}, {data.mode} data, revision {data.revision}.")
    return html.Div([
        html.P(head, id="data-store-line"),
        html.P(status_summary(data.status_rows), id="data-status-summary", className="headline"),
        html.Div(status_table(data), style={"maxHeight": "560px", "overflowY": "auto"}),
    ])


# --- import ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportOutcome:
    """What an upload did: the report, or the one error (nothing was written then)."""

    report: ImportReport | None
    error: str | None
    revision: int | None = None


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip()
    if base in ("", ".", ".."):
        raise ValueError(f"unusable file name {name!r}")
    return base


def decode_upload(content: str) -> bytes:
    """The bytes of a dcc.Upload ``contents`` data URL. Raises ValueError."""
    _, sep, payload = content.partition(",")
    if not sep:
        raise ValueError("the upload is not a data URL")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the upload is not valid base64: {exc}") from exc


def import_uploads(store_path: Path, files: list[tuple[str, bytes]]) -> ImportOutcome:
    """Import ``files`` (name, bytes) into the store at ``store_path`` as ``tsm import`` would:
    all parsed first, one write. Errors name the file as uploaded, with line and column."""
    if not files:
        return ImportOutcome(None, "no file to import")
    limit = config.upload_max_mb() * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="tsm-upload-") as tmp:
        folder = Path(tmp)
        paths: list[Path] = []
        for name, payload in files:
            try:
                safe = _safe_name(name)
            except ValueError as exc:
                return ImportOutcome(None, f"{exc}; nothing was written")
            if len(payload) > limit:
                return ImportOutcome(None, f"{safe}: {len(payload) / 1e6:.1f} MB is more than the "
                                           f"{config.upload_max_mb():g} MB accepted; nothing was written")
            if any(p.name == safe for p in paths):
                return ImportOutcome(None, f"{safe}: uploaded twice; nothing was written")
            path = folder / safe
            path.write_bytes(payload)
            paths.append(path)
        try:
            with Store.open(store_path) as store:
                report = import_paths(store, paths)
                revision = store.revision()
        except ImportFileError as exc:
            shown = ImportFileError(Path(exc.path.name), exc.problem, line=exc.line, column=exc.column)
            return ImportOutcome(None, f"import failed: {shown.describe()}; nothing was written")
        except StoreError as exc:
            return ImportOutcome(None, f"import failed: {exc}")
    # Name the files as uploaded, not by their temporary folder.
    files_shown = tuple(replace(f, path=Path(f.path.name)) for f in report.files)
    return ImportOutcome(ImportReport(files_shown, report.total), None, revision)


def report_view(outcome: ImportOutcome) -> html.Div:
    if outcome.error is not None or outcome.report is None:
        return html.Div(error_box(outcome.error or "nothing imported", id_="data-import-error"))
    rows = []
    for item in outcome.report.files:
        shown = ", ".join(item.series[:SHOWN_SERIES])
        if len(item.series) > SHOWN_SERIES:
            shown += f" +{len(item.series) - SHOWN_SERIES} more"
        rows.append((str(item.path), item.format, shown, f"{item.rows:,}", f"{item.inserted:,}",
                     f"{item.updated:,}", f"{item.unchanged:,}"))
    total = outcome.report.total
    return html.Div([
        html.P(f"Imported {len(outcome.report.files)} file(s): {total.inserted:,} new, "
               f"{total.updated:,} revised, {total.unchanged:,} unchanged rows (store revision "
               f"{outcome.revision}). The pages pick the new data up within a minute.",
               id="data-import-ok", style={"color": GOOD}),
        simple_table("data-import-report", REPORT_HEADERS, rows),
    ])


# --- refresh progress ------------------------------------------------------------------------
def progress_view(status: refresh_job.JobStatus) -> list[Any]:
    pct = round(100 * status.fraction)
    aria: dict[str, Any] = {"aria-valuenow": str(pct)}
    if status.state == "idle":
        return [note("No refresh started from this page yet (`tsm refresh` does the same from a "
                     "shell).", id_="data-refresh-text")]
    if status.running:
        text = (f"Refreshing: {status.done} of {status.total} requests ({pct}%)"
                + (f", now {status.label}" if status.label else "") + f". Started {status.started}.")
    else:
        word = {"done": "Refresh finished", "partial": "Refresh finished with failures",
                "failed": "Refresh failed", "interrupted": "Refresh interrupted"}[status.state]
        text = f"{word} at {status.finished or '?'}: {status.message}"
    colour = BAD if status.state in ("failed", "interrupted", "partial") else MUTED
    parts: list[Any] = [
        html.Div(html.Div(className="progress-bar", style={"width": f"{pct}%"}),
                 className="progress", id="data-refresh-bar",
                 role="progressbar", **aria),
        html.P(text, id="data-refresh-text", style={"color": colour}),
    ]
    if status.failures:
        parts.append(simple_table("data-refresh-failures", ("source", "series", "error"),
                                  status.failures))
    return parts


def layout(ctx: AppContext, query: Mapping[str, str] | None = None) -> html.Div:
    del query  # nothing on the Data page is in the URL
    status = refresh_job.read_status(ctx.store_path)
    return html.Div([
        html.H2("Data"),
        card("Refresh from the sources",
             html.Div([html.Button("Refresh now", id="data-refresh", n_clicks=0),
                       html.Span(id="data-refresh-start")], className="controls"),
             html.Div(progress_view(status), id="data-refresh-progress"),
             dcc.Interval(id="data-refresh-poll", interval=POLL_MS, disabled=not status.running),
             note("Fetches every catalogued series from its public source, from its last stored "
                  "date, as `tsm refresh` does. A source that fails is named with its error; the "
                  "others go on and nothing stored is deleted.")),
        card("Import files",
             # No size limit in the browser (it would drop a large file without a word): the
             # server refuses one over TSM_UPLOAD_MAX_MB with a message.
             dcc.Upload(id="data-upload", multiple=True,
                        children=html.Div(["Drop files here or ", html.A("choose files")]),
                        style={"border": "2px dashed #8c959f", "borderRadius": "6px",
                               "padding": "18px", "textAlign": "center", "cursor": "pointer"}),
             html.Div(id="data-import-result"),
             note("The same formats and rules as `tsm import`: the format is detected from each "
                  "file's content; every file is checked before anything is written, and one bad "
                  "file stops the import with its line and column.")),
        card("Series", html.Div(_status_block(ctx), id="data-status")),
    ])


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("data-refresh-start", "children"),
                  Output("data-refresh-poll", "disabled"),
                  Output("data-refresh-progress", "children"),
                  Input("data-refresh", "n_clicks"), prevent_initial_call=True)
    def _start(_clicks: int) -> tuple[Any, bool, Any]:
        started, message = refresh_job.start_refresh(ctx.store_path)
        status = refresh_job.read_status(ctx.store_path)
        shown = "" if started else error_box(message, id_="data-refresh-error")
        return shown, not status.running, progress_view(status)

    @app.callback(Output("data-refresh-progress", "children", allow_duplicate=True),
                  Output("data-refresh-poll", "disabled", allow_duplicate=True),
                  Output("data-status", "children"),
                  Input("data-refresh-poll", "n_intervals"), prevent_initial_call=True)
    def _poll(_n: int) -> tuple[Any, bool, Any]:
        status = refresh_job.read_status(ctx.store_path)
        if status.running:
            return progress_view(status), False, no_update
        return progress_view(status), True, _status_block(ctx)

    @app.callback(Output("data-import-result", "children"),
                  Output("data-status", "children", allow_duplicate=True),
                  Output("data-upload", "contents"),
                  Input("data-upload", "contents"), State("data-upload", "filename"),
                  prevent_initial_call=True)
    def _import(contents: list[str] | None, names: list[str] | None) -> tuple[Any, Any, Any]:
        if not contents:
            return no_update, no_update, no_update
        files: list[tuple[str, bytes]] = []
        for content, name in zip(contents, names or [], strict=False):
            try:
                files.append((name, decode_upload(content)))
            except ValueError as exc:
                return report_view(ImportOutcome(None, f"{name}: {exc}; nothing was written")), \
                    no_update, None
        outcome = import_uploads(ctx.store_path, files)
        if outcome.error is not None:
            return report_view(outcome), no_update, None
        ctx.warm_up()  # the new revision's market state, built in the background
        return report_view(outcome), _status_block(ctx), None
