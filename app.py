"""Treasury Stress Monitor: the Dash app factory; `python app.py` serves it locally.

`server` is the Flask app for gunicorn: `gunicorn app:server`.
"""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import plotly.io.json
from dash import Dash, html

import config
from components import plotly_bundle, serving, shell
from components.context import AppContext
from components.pages import load_pages, present


def _components(node: Any) -> Iterator[Any]:
    """Every Dash component in a layout tree, depth first."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from _components(child)
        return
    if not hasattr(node, "to_plotly_json"):
        return
    yield node
    yield from _components(getattr(node, "children", None))


def _bare(node: Any) -> Any:
    """A childless copy of a component holding only its id (what callback validation reads:
    the id, and the component's type for its properties)."""
    bare = copy.copy(node)
    for prop in list(getattr(bare, "_prop_names", ())):
        if prop != "id" and prop in bare.__dict__:
            delattr(bare, prop)
    return bare


def validation_layout(pages: list[ModuleType]) -> html.Div:
    """Every component with an id, of the shell and of every page rendered on the DEMO set,
    so that Dash can check each callback's ids against a layout that holds them all (the
    shell shows one page at a time). Dash ships it with every index page, so it is flat and
    bare: one childless copy of each id-bearing component, its other properties dropped."""
    demo = AppContext(store_path=Path(tempfile.gettempdir()) / "tsm-validation" / "absent.sqlite")
    parts: list[Any] = [shell.layout(demo, pages)]
    parts += [shell.render_page(page, demo, {}) for page in pages]
    parts.append(present.layout(demo, "?present=1"))
    return html.Div([_bare(node) for node in _components(parts)
                     if getattr(node, "id", None) is not None])


#: Script chunks of Dash's component libraries that no page needs to draw its first chart:
#: Markdown, code highlighting and MathJax (never rendered here), and the DataTable (one
#: table, on Positioning) with its export. With eager loading they came with every page,
#: about 1 MB of script for the browser to parse before anything was drawn; marked "lazy",
#: the renderer fetches one only when a component asks for it.
_LAZY_CHUNKS: frozenset[str] = frozenset({
    "dcc/async-markdown.js", "dcc/async-highlight.js", "dcc/async-mathjax.js",
    "dash_table/async-table.js", "dash_table/async-export.js", "dash_table/async-highlight.js",
})


def _defer_unused_chunks() -> None:
    from dash import dash_table, dcc

    for dist in (dcc._js_dist, dash_table._js_dist):  # noqa: SLF001 - Dash's own resource lists
        for resource in dist:
            if resource.get("relative_package_path") in _LAZY_CHUNKS:
                resource["async"] = "lazy"


def _one_plotly_script() -> None:
    """Keep one plotly.js entry in dcc's script list.

    Each ``Dash()`` appends plotly.js to that module-level list (``Dash._setup_plotlyjs``), so
    in a process that creates several apps (the test suite creates one per test) the page of
    the n-th app loaded and ran the 4.8 MB bundle n times.
    """
    from dash import dcc

    seen = False
    kept = []
    for resource in dcc._js_dist:  # noqa: SLF001 - Dash's own resource list
        if resource.get("namespace") == "plotly":
            if seen:
                continue
            seen = True
        kept.append(resource)
    dcc._js_dist[:] = kept  # noqa: SLF001


def _set_up_now(app: Dash) -> None:
    """Run Dash's once-per-process setup now, not on the first request.

    Dash does it in a before-request hook that marks itself done before it has registered the
    script paths it serves; a worker's first requests arrive together (a browser asks for
    twenty scripts at once), so a second one could find no path registered and get a 404 for
    a script: the page then never drew (seen on freshly started servers here). Done here, in the process
    that imports the app (gunicorn's master, before forking), no request ever races it.
    """
    with app.server.test_request_context("/"):
        app._setup_server()  # noqa: SLF001 - Dash's own setup, see above


def create_app(store_path: str | Path | None = None, *, warm_up: bool = False) -> Dash:
    """Build the dashboard on the store at `store_path` (default from config / TSM_STORE).

    With `warm_up`, the market state is loaded (or built, if no process has persisted it
    yet) in a background thread at once.
    """
    ctx = AppContext(store_path=config.store_path(store_path))
    app = Dash(
        __name__,
        title="Treasury Stress Monitor",
        # Every callback's ids are checked against app.validation_layout (all pages at once).
        suppress_callback_exceptions=False,
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
        update_title=None,
        compress=False,  # enabled below, with static files compressed once
        # Plotly's bundle comes with the page, not after the router's first response.
        eager_loading=True,
    )
    # Dash serialises every response with plotly's JSON writer. Its "orjson" engine (the
    # default when orjson is installed) first walks the whole tree in Python; the standard
    # library engine was faster on every page and callback here (5-25 ms a response, the
    # Data page's status table 62 -> 29 ms).
    plotly.io.json.config.default_engine = "json"
    _one_plotly_script()
    _defer_unused_chunks()
    plotly_bundle.install(app)  # the 1.2 MB basic plotly.js, when fetched (tsm plotly-bundle)
    serving.enable_compression(app.server)
    pages = load_pages()
    app.layout = lambda: shell.layout(ctx, pages)
    app.validation_layout = validation_layout(pages)
    shell.register(app, ctx, pages)
    for page in pages:
        page.register(app, ctx)
    serving.install(app, ctx, [p.PATH for p in pages])
    app.context = ctx  # type: ignore[attr-defined]  # for gunicorn's pre-fork warm-up
    _set_up_now(app)
    if warm_up:
        ctx.warm_up()
    return app


app = create_app(warm_up=config.warm_up())
server = app.server
CONTEXT: AppContext = app.context  # type: ignore[attr-defined]

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host=config.host(), port=config.port(), debug=False)
