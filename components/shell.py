"""The app shell: header, DEMO/data banner, navigation and the page router."""

from __future__ import annotations

from types import ModuleType

from dash import Dash, Input, Output, dcc, html

from components import desk_tools
from components.context import AppContext
from components.widgets import data_banner, error_box, note
from data.store import StoreError


def layout(ctx: AppContext, pages: list[ModuleType]) -> html.Div:
    return html.Div([
        dcc.Location(id="url"),
        html.Header([
            html.H1("Treasury Stress Monitor"),
            html.Nav([dcc.Link(p.LABEL, href=p.PATH, className="nav-link", id="nav-" + (p.PATH.strip("/") or "overview"))
                      for p in pages]),
            desk_tools.header_tools(),
        ], className="header"),
        html.Div(id="banner-slot"),
        *desk_tools.live_parts(ctx),
        html.Main(id="page"),
    ], className="shell")


def state_notes(pending: str | None) -> list[html.P]:
    """Say so when the pages show an older revision while the newest is being prepared."""
    return [note(pending, id_="state-pending")] if pending else []


def register(app: Dash, ctx: AppContext, pages: list[ModuleType]) -> None:
    by_path = {p.PATH: p for p in pages}
    desk_tools.register(app, ctx)

    @app.callback(Output("page", "children"), Output("banner-slot", "children"),
                  Input("url", "pathname"))
    def _route(pathname: str | None) -> tuple[object, object]:
        page = by_path.get(pathname or "/")
        try:
            data = ctx.data()
            view = ctx.view()
        except StoreError as exc:
            return error_box(f"The store cannot be read: {exc}", id_="store-error"), None
        banner = html.Div([data_banner(data), *state_notes(view.note)])
        if page is None:
            return html.Div([html.H2("Page not found"), dcc.Link("Back to the overview", href="/")]), \
                banner
        return page.layout(ctx), banner
