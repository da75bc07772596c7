"""The "Refresh now" button and the refresh progress, for the page that shows the data status.

The button goes through the service's one refresh path (:func:`service.scheduler.trigger_refresh`,
the store's writer lease), so it never runs beside a scheduled refresh, a `tsm refresh` or an
import; progress is read from the store, so any worker can show it.
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, dcc, html
from dash import ctx as dash_ctx

from components.context import AppContext
from components.widgets import error_box, note

__all__ = ["layout", "register", "describe"]

#: Milliseconds between progress polls while a refresh runs.
POLL_MS = 2000


def layout() -> html.Div:
    return html.Div([
        html.Button("Refresh now", id="refresh-now", n_clicks=0, style={"fontSize": "13px"}),
        html.Span(id="refresh-status", className="note", style={"marginLeft": "8px"}),
        dcc.Interval(id="refresh-poll", interval=POLL_MS, disabled=True),
    ], className="controls")


def describe(state: dict[str, Any]) -> str:
    """One line for the progress state of :func:`service.scheduler.progress`."""
    kind = state.get("state")
    if kind == "running":
        return (f"Refreshing ({state.get('reason', '')}): {state.get('done', 0)} of "
                f"{state.get('total', '?')} requests, now {state.get('current', '')}.")
    if kind == "idle":
        return f"Last refresh {state.get('finished', '')[:16]} ({state.get('reason', '')}): {state.get('summary', '')}."
    if kind == "interrupted":
        return "The last refresh was interrupted (its process stopped); the next one starts over."
    return "No refresh has run from this service yet."


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("refresh-status", "children"), Output("refresh-poll", "disabled"),
                  Input("refresh-now", "n_clicks"), Input("refresh-poll", "n_intervals"))
    def _refresh(clicks: object, _ticks: object) -> tuple[Any, bool]:
        from service import scheduler

        if dash_ctx.triggered_id == "refresh-now" and clicks:
            started, message = scheduler.trigger_refresh(ctx.store_path)
            if not started:
                return error_box(f"Not started: {message}.", id_="refresh-error"), True
            return note("Refresh started..."), False
        state = scheduler.progress(ctx.store_path)
        return describe(state), state.get("state") != "running"
