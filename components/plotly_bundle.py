"""Serving plotly.js's basic bundle (:mod:`data.plotly_bundle`) in place of Dash's full one.

When ``tsm plotly-bundle`` has fetched it, the app serves it at a content-hashed URL and the
index page's plotly.js script tag points there; otherwise the page is left as Dash renders it.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from data.plotly_bundle import BasicBundle, local_bundle

log = logging.getLogger(__name__)

__all__ = ["ROUTE_PREFIX", "install", "url_path"]

#: Dash's script tag for plotly.js (eager loading, served from the plotly package).
_PLOTLY_TAG = re.compile(r'<script src="[^"]*/_dash-component-suites/plotly/package_data/plotly[^"]*\.js"></script>')

#: Where the app serves the basic bundle (an open, static prefix: components/serving.py).
ROUTE_PREFIX: Final[str] = "/_tsm/"


def url_path(bundle: BasicBundle) -> str:
    """A URL path that changes with the content (so browsers may keep it for a year)."""
    return f"{ROUTE_PREFIX}plotly-basic-{bundle.version}.{bundle.digest[:12]}.min.js"


def install(app: Any, bundle: BasicBundle | None = None) -> BasicBundle | None:
    """Serve the basic bundle in place of Dash's plotly.js script, if one has been fetched.

    Adds the bundle's route (immutable, a year in browser caches) and rewrites the index
    page's plotly.js script tag to point at it. Returns the bundle served, or None (the page
    is left as Dash renders it). ``bundle`` defaults to the fetched one, if any.
    """
    from flask import Response

    bundle = bundle or local_bundle()
    if bundle is None:
        return None
    path = url_path(bundle)
    body = bundle.body

    def plotly_basic() -> Response:
        response = Response(body, mimetype="application/javascript")
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    # Under Dash's prefixes, as its own routes (the server's, and the browser's URL).
    routes = (app.config.routes_pathname_prefix or "/").rstrip("/")
    requests = (app.config.requests_pathname_prefix or "/").rstrip("/")
    app.server.add_url_rule(routes + path, endpoint="tsm_plotly_basic", view_func=plotly_basic)
    tag = f'<script src="{requests}{path}"></script>'
    render = app.interpolate_index

    def interpolate_index(**parts: Any) -> str:
        # The first full-bundle tag becomes the basic one; any other copy goes.
        first = iter([tag])
        parts["scripts"] = _PLOTLY_TAG.sub(lambda _: next(first, ""), parts["scripts"])
        return str(render(**parts))

    app.interpolate_index = interpolate_index
    log.info("serving plotly.js %s basic bundle (%s, %.1f MB)", bundle.version, bundle.path,
             len(body) / 1e6)
    return bundle
