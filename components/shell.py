"""The app shell: header with the app-wide as-of date, DEMO/data banner, navigation, the router.

The URL holds the view: ``/funding?as_of=2019-09-17``. The router renders the page from the
path and the query; the as-of picker in the header and each page's bound controls
(``URL_STATE``, see :mod:`components.urlstate`) write their values back to the query, so a
pasted link reproduces the view and back/forward step through views. A control's own write is
recognised (``url-written``) and does not re-render the page.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from analytics.state import MarketState
from components import desk_tools
from components.context import AppContext
from components.pages import present
from components.theme import theme_toggle
from components.urlstate import (
    AS_OF,
    Bound,
    initial_values,
    parse_query,
    resolve_as_of,
    with_params,
)
from components.widgets import data_banner, error_box, note
from data.store import StoreError

#: Query keys that follow the user from page to page (the others belong to one page).
GLOBAL_KEYS = (AS_OF, "present", "theme")


def nav_id(page: ModuleType) -> str:
    return "nav-" + (page.PATH.strip("/") or "overview")


def layout(ctx: AppContext, pages: list[ModuleType]) -> html.Div:
    # The picker starts on the default as-of date (the latest with yields) and its range, as the
    # router sets them for a URL without as_of: opening a page then changes no date, so the
    # page's date callbacks do not all run again right after its layout drew the same figures.
    low, high = _served_range(ctx)
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Store(id="url-written"),
        html.Header([
            html.H1("Treasury Stress Monitor"),
            html.Nav([dcc.Link(p.LABEL, href=p.PATH, className="nav-link", id=nav_id(p))
                      for p in pages]),
            html.Div([
                html.Label("As of", htmlFor="app-asof"),
                html.Div(dcc.DatePickerSingle(id="app-asof", display_format="YYYY-MM-DD", clearable=False,
                                              date=high, min_date_allowed=low, max_date_allowed=high),
                         style={"width": "150px"}),
                html.Button("Latest", id="app-asof-latest", n_clicks=0, className="asof-latest",
                            title="the latest date with Treasury yields"),
            ], className="app-asof"),
            theme_toggle(),
            desk_tools.header_tools(),
        ], className="header"),
        html.Div(id="banner-slot"),
        *desk_tools.live_parts(ctx),
        html.Div(id="asof-message", role="alert"),
        html.Main(id="page"),
    ], className="shell")


def _served_range(ctx: AppContext) -> tuple[str | None, str | None]:
    """:func:`_date_range` of the served state, (None, None) if the store cannot be read."""
    try:
        return _date_range(ctx.view().state)
    except StoreError:
        return None, None


def _date_range(state: MarketState) -> tuple[str | None, str | None]:
    """The picker's range: the first and the last date with yields (None when absent)."""
    first = None if state.yields.empty else state.yields.index[0]
    return (None if first is None else f"{first:%Y-%m-%d}",
            None if state.last_date is None else f"{state.last_date:%Y-%m-%d}")


def state_notes(pending: str | None) -> list[html.P]:
    """Say so when the pages show an older revision while the newest is being prepared."""
    return [note(pending, id_="state-pending")] if pending else []


def render_page(page: ModuleType, ctx: AppContext, query: Mapping[str, str]) -> Any:
    """``page.layout`` with the query when the page reads one (``layout(ctx, query)``)."""
    params = inspect.signature(page.layout).parameters
    return page.layout(ctx, query) if len(params) >= 2 else page.layout(ctx)


def page_query(page: ModuleType, query: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The query a page renders from, with the bound controls' values checked: unreadable
    values are dropped (the control keeps its default) and reported."""
    bound: tuple[Bound, ...] = getattr(page, "URL_STATE", ())
    _, problems = initial_values(bound, query)
    bad_keys = {p.split("=", 1)[0] for p in problems}
    return {k: v for k, v in query.items() if k not in bad_keys}, problems


def register(app: Dash, ctx: AppContext, pages: list[ModuleType]) -> None:
    by_path = {p.PATH: p for p in pages}
    desk_tools.register(app, ctx)

    @app.callback(
        Output("page", "children"), Output("banner-slot", "children"),
        Output("asof-message", "children"), Output("app-asof", "date"),
        Output("app-asof", "min_date_allowed"), Output("app-asof", "max_date_allowed"),
        Output("url-written", "data"),
        *[Output(nav_id(p), "href") for p in pages],
        Input("url", "pathname"), Input("url", "search"),
        State("url-written", "data"), State("app-asof", "date"),
    )
    def _route(pathname: str | None, search: str | None, written: str | None,
               current: str | None) -> tuple[Any, ...]:
        triggered = set(dash_ctx.triggered_prop_ids or {})
        if "url.pathname" not in triggered and triggered and (search or "") == (written or ""):
            raise PreventUpdate  # a control wrote its own value to the URL
        query = parse_query(search)
        hrefs = [p.PATH + with_params("", {k: query.get(k) for k in GLOBAL_KEYS})
                 for p in pages]
        try:
            data = ctx.data()
            view = ctx.view()
        except StoreError as exc:
            return (error_box(f"The store cannot be read: {exc}", id_="store-error"), None, None,
                    no_update, None, None, search or "", *hrefs)
        state = view.state
        yields = state.yields
        first = None if yields.empty else yields.index[0]
        as_of = resolve_as_of(query.get(AS_OF), first=first, last=state.last_date)
        messages = [as_of.message] if as_of.message else []
        page = by_path.get(pathname or "/")
        banner = html.Div([data_banner(data), *state_notes(view.note)])
        if present.shows_monitor(pathname, search):  # meeting mode: the monitor on "/"
            body: Any = present.layout(ctx, search)
        elif page is None:
            body = html.Div([html.H2("Page not found"),
                             dcc.Link("Back to the overview", href="/")])
        else:
            query = {**query, AS_OF: as_of.iso or ""}
            page_params, problems = page_query(page, query)
            messages += problems
            body = render_page(page, ctx, page_params)
        message = (html.Div([html.Div(m) for m in messages], className="error-box",
                            id="asof-error") if messages else None)
        date = as_of.iso if as_of.iso != current else no_update
        return (body, banner, message, date, *_date_range(state), search or "", *hrefs)

    @app.callback(Output("app-asof", "date", allow_duplicate=True),
                  Input("app-asof-latest", "n_clicks"), prevent_initial_call=True)
    def _latest(_clicks: int | None) -> Any:
        last = ctx.state().last_date
        return no_update if last is None else f"{last:%Y-%m-%d}"

    @app.callback(Output("url", "search", allow_duplicate=True),
                  Output("url-written", "data", allow_duplicate=True),
                  *[Output(nav_id(p), "href", allow_duplicate=True) for p in pages],
                  Input("app-asof", "date"), State("url", "search"), prevent_initial_call=True)
    def _write_as_of(date: str | None, search: str | None) -> tuple[Any, ...]:
        last = ctx.state().last_date
        latest = last is not None and date == f"{last:%Y-%m-%d}"
        new = with_params(search, {AS_OF: None if latest or not date else str(date)[:10]})
        query = parse_query(new)
        hrefs = [p.PATH + with_params("", {k: query.get(k) for k in GLOBAL_KEYS}) for p in pages]
        if new == (search or ""):
            return (no_update, no_update, *hrefs)
        return (new, new, *hrefs)

    for page in pages:
        bound: tuple[Bound, ...] = getattr(page, "URL_STATE", ())
        if bound:
            _register_bound(app, bound)


def _same(value: Any, default: Any) -> bool:
    """Whether a control holds its default (numbers compared as numbers: 2 == 2.0)."""
    if default is None:
        return False
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple)) and len(value) == len(default) and all(
            _same(v, d) for v, d in zip(value, default, strict=True))
    try:
        return float(value) == float(default)
    except (TypeError, ValueError):
        return bool(value == default)


def _register_bound(app: Dash, bound: tuple[Bound, ...]) -> None:
    """One callback per page: its bound controls write their values to the URL query."""

    @app.callback(Output("url", "search", allow_duplicate=True),
                  Output("url-written", "data", allow_duplicate=True),
                  *[Input(b.component_id, b.prop) for b in bound], State("url", "search"),
                  prevent_initial_call=True)
    def _write(*args: Any) -> tuple[Any, Any]:
        if not dash_ctx.triggered_id:
            # Fired because the page was rendered, not because the user moved a control.
            return no_update, no_update
        *values, search = args
        updates: dict[str, str | None] = {}
        for b, value in zip(bound, values, strict=True):
            try:
                updates[b.key] = (None if value in (None, "", []) or _same(value, b.default)
                                  else b.write(value))
            except (TypeError, ValueError):
                updates[b.key] = None
        new = with_params(search, updates)
        if new == (search or ""):
            return no_update, no_update
        return new, new


__all__ = ["layout", "register", "render_page", "state_notes", "nav_id", "GLOBAL_KEYS"]
