"""Treasury Stress Monitor: the Dash app factory; `python app.py` serves it locally.

`server` is the Flask app for gunicorn: `gunicorn app:server`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dash import Dash

import config
from components import serving, shell
from components.context import AppContext
from components.pages import load_pages


def create_app(store_path: str | Path | None = None, *, warm_up: bool = False) -> Dash:
    """Build the dashboard on the store at `store_path` (default from config / TSM_STORE).

    With `warm_up`, the market state is loaded (or built, if no process has persisted it
    yet) in a background thread at once.
    """
    ctx = AppContext(store_path=config.store_path(store_path))
    app = Dash(
        __name__,
        title="Treasury Stress Monitor",
        suppress_callback_exceptions=True,
        assets_folder=str(Path(__file__).resolve().parent / "assets"),
        update_title=None,
        compress=True,  # gzip/brotli: chart payloads of 100-300 kB shrink several-fold
        # Plotly's bundle comes with the page, not after the router's first response.
        eager_loading=True,
    )
    pages = load_pages()
    app.layout = lambda: shell.layout(ctx, pages)
    shell.register(app, ctx, pages)
    for page in pages:
        page.register(app, ctx)
    serving.install(app, ctx, [p.PATH for p in pages])
    app.context = ctx  # type: ignore[attr-defined]  # for gunicorn's pre-fork warm-up
    if warm_up:
        ctx.warm_up()
    return app


app = create_app(warm_up=config.warm_up())
server = app.server
CONTEXT: AppContext = app.context  # type: ignore[attr-defined]

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    app.run(host=config.host(), port=config.port(), debug=False)
