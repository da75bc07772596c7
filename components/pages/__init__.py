"""Pages of the dashboard, in navigation order. Each module has PATH, LABEL, layout(ctx) and
register(app, ctx)."""

from __future__ import annotations

import importlib
from types import ModuleType

PAGE_MODULES: tuple[str, ...] = (
    "components.pages.overview",
    "components.pages.curve",
    "components.pages.functioning",
    "components.pages.funding",
    "components.pages.positioning",
    "components.pages.stress",
    "components.pages.risk",
    "components.pages.scenarios",
    "components.pages.flows",
    "components.pages.drivers",
    "components.pages.auctions",
    "components.pages.data",
)


def load_pages() -> list[ModuleType]:
    return [importlib.import_module(name) for name in PAGE_MODULES]
