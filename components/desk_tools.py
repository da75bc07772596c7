"""What the shell adds to every page for desk use: "Copy summary" and live updates.

* **Copy summary** (header): puts :func:`components.summary.page_summary` of the page in view,
  as of the page's date (the URL's ``?as_of=``, resolved as the router does), on the clipboard.
* **Live updates**: every :func:`config.live_poll_s` seconds the page asks for the store's
  revision (one SQLite read, no recompute). A new revision is acted on once two checks agree
  (a refresh bumps the revision once per series while it runs); when the market state of that
  revision is ready (``tsm refresh`` builds it as its last step), the page is rendered again
  and a line says "New data (revision N) loaded at HH:MM UTC". While it is being prepared the
  line says so and the page keeps what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update

import config
from components.context import AppContext
from components.summary import page_summary
from components.urlstate import AS_OF, parse_query, resolve_as_of
from data.store import Store, StoreError

__all__ = ["header_tools", "live_parts", "register", "store_revision", "next_live_state"]

DEMO_REVISION = -1


def header_tools() -> html.Div:
    """The header's right-hand tools."""
    return html.Div([
        html.Div([dcc.Clipboard(id="copy-summary", title="Copy a summary of this page's readings",
                                style={"display": "inline-block", "fontSize": "16px"}),
                  html.Span("Copy summary")],
                 className="copy-summary", id="copy-summary-box"),
    ], className="desk-tools")


def live_parts(ctx: AppContext) -> list[Any]:
    """The revision check's timer, its memory and its notice line."""
    poll_s = config.live_poll_s()
    return [
        dcc.Interval(id="live-interval", interval=int(max(poll_s, 1.0) * 1000),
                     disabled=poll_s <= 0),
        # revision: the one the page shows (None: not known to be current when it was drawn);
        # candidate: a newer store revision seen once, acted on when the next check agrees.
        dcc.Store(id="live-seen", data={"revision": _shown_revision(ctx), "candidate": None}),
        html.Div(id="live-notice"),
    ]


def _shown_revision(ctx: AppContext) -> int | None:
    # The revision of the state the router is about to draw (the same lookup it makes).
    try:
        return ctx.view().state.revision
    except StoreError:
        return None


def store_revision(ctx: AppContext) -> int:
    """The store's revision, :data:`DEMO_REVISION` without stored data. Raises StoreError."""
    path = ctx.store_path
    if not path.exists():
        return DEMO_REVISION
    with Store.open(path, create=False) as store:
        return store.revision() if store.origin() is not None else DEMO_REVISION


def next_live_state(seen: dict[str, Any] | None, store_rev: int,
                    ready_revision: Callable[[], int]) -> tuple[dict[str, Any], str | None, bool]:
    """One revision check: (new memory, notice or None, draw the page again?).

    ``seen`` holds the revision the page shows and a newer one seen once ("candidate").
    ``ready_revision`` gives the revision of the state the app can serve now; it is called only
    when a new store revision has been seen on two checks in a row. Notices: "loaded" (the page
    is drawn again), "preparing" (the state of the new revision is being built).
    """
    memory = dict(seen or {"revision": None, "candidate": None})
    if store_rev == memory.get("revision"):
        return {"revision": store_rev, "candidate": None}, None, False
    if store_rev != memory.get("candidate"):
        return {**memory, "candidate": store_rev}, None, False
    if ready_revision() == store_rev:
        return {"revision": store_rev, "candidate": None}, "loaded", True
    return memory, "preparing", False


def register(app: Dash, ctx: AppContext) -> None:
    @app.callback(Output("copy-summary", "content"), Input("copy-summary", "n_clicks"),
                  State("url", "pathname"), State("url", "search"), prevent_initial_call=True)
    def _copy(_clicks: int | None, pathname: str | None, search: str | None) -> str:
        try:
            state = ctx.state()
            first = None if state.yields.empty else state.yields.index[0]
            # The page's own as-of: the router resolves the URL's the same way.
            as_of = resolve_as_of(parse_query(search).get(AS_OF), first=first, last=state.last_date)
            snap = ctx.snapshot(as_of.iso)
        except ValueError as exc:
            return f"No summary: {exc}"
        except StoreError as exc:
            return f"No summary: the store cannot be read ({exc})"
        return page_summary(pathname, snap)

    @app.callback(Output("live-seen", "data"), Output("live-notice", "children"),
                  Output("url", "pathname", allow_duplicate=True),
                  Input("live-interval", "n_intervals"),
                  State("live-seen", "data"), State("url", "pathname"), prevent_initial_call=True)
    def _check(_n: int | None, seen: dict[str, Any] | None,
               pathname: str | None) -> tuple[Any, Any, Any]:
        try:
            store_rev = store_revision(ctx)
            memory, kind, rerender = next_live_state(seen, store_rev,
                                                     lambda: ctx.view().state.revision)
        except StoreError:
            return no_update, no_update, no_update
        if kind is None:
            return memory, no_update, no_update
        now = datetime.now(UTC).strftime("%H:%M")
        if kind == "preparing":
            text = (f"New data (revision {store_rev}) is being prepared; this page updates itself "
                    "when it is ready.")
            return memory, html.Div(text, className="live-notice", id="live-notice-text"), no_update
        text = f"New data (revision {store_rev}) loaded at {now} UTC."
        # Setting the pathname to itself re-runs the page router: the page is drawn again on
        # the new revision, with everything the URL holds.
        return (memory, html.Div(text, className="live-notice", id="live-notice-text"),
                pathname if rerender else no_update)
