"""The page kit: the small controls every page repeats, in one place.

* :func:`sized_graph` - a chart whose box is the figure's height (a responsive dcc.Graph in a
  grid cell otherwise collapses to the cell's content height), with the shared toolbar config
  (:data:`components.widgets.GRAPH_CONFIG`: no cloud Share button).
* :func:`read_number` - one reader for number boxes and sliders: a finite float in a range, or
  a ValueError whose message names the control, its unit and the range.
* :func:`mode_label` - "DEMO data, synthetic" in the demo colour, else "live data" /
  "imported data", to put next to a number taken from the store.
* :func:`safe_data` - the store's data, or None and a readable message when the store cannot be
  read (a page then says so instead of failing its callback).
"""

from __future__ import annotations

import math
from typing import Any

from dash import html

from components.context import AppContext
from components.theme import DEMO
from components.widgets import graph
from data.market import MarketData
from data.store import StoreError

__all__ = ["DEFAULT_GRAPH_HEIGHT", "MODE_TEXT", "mode_label", "read_number", "safe_data", "sized_graph"]

#: Height of a chart whose figure does not say, px.
DEFAULT_GRAPH_HEIGHT = 360
#: How a data mode is named next to a store-derived number.
MODE_TEXT: dict[str, str] = {"live": "live data", "imported": "imported data", "demo": "DEMO data"}


def sized_graph(id_: str | dict[str, Any], figure: dict[str, Any], height: int | None = None) -> Any:
    """A dcc.Graph in a box as tall as ``height`` (default: the figure's layout height, else
    :data:`DEFAULT_GRAPH_HEIGHT`), with the shared toolbar config."""
    if height is None:
        layout = figure.get("layout", {}) if isinstance(figure, dict) else {}
        height = int(layout.get("height") or DEFAULT_GRAPH_HEIGHT)
    if height <= 0:
        raise ValueError(f"graph height must be a positive number of px, got {height}")
    return html.Div(graph(id_, figure, height=height), style={"height": f"{height}px"})


def _bound(value: float) -> str:
    return f"{value:g}"


def read_number(raw: object, *, name: str, lo: float | None = None, hi: float | None = None,
                unit: str = "") -> float:
    """A control's value as a finite float in ``[lo, hi]`` (either bound may be None).

    Raises
    ------
    ValueError
        Empty, not a number, not finite or out of range; the message starts with ``name``
        and says what to type (with ``unit``).
    """
    what = f"a number{' of ' + unit if unit else ''}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(f"{name} is empty: type {what}")
    if isinstance(raw, bool):
        raise ValueError(f"{name} must be {what}, got {raw!r}")
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {what}, got {raw!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {raw!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        low = _bound(lo) if lo is not None else "-inf"
        high = _bound(hi) if hi is not None else "inf"
        suffix = f" {unit}" if unit else ""
        raise ValueError(f"{name} must be in [{low}, {high}]{suffix}, got {value:g}")
    return value


def mode_label(data: MarketData) -> html.Span:
    """Where the store's numbers come from: DEMO in bold colour, else live / imported data."""
    if data.is_demo:
        return html.Span([html.Strong("DEMO", style={"color": DEMO}), " data, synthetic"])
    return html.Span(MODE_TEXT.get(data.mode, data.mode))


def safe_data(ctx: AppContext) -> tuple[MarketData | None, str]:
    """The store's data and "", or None and "The store cannot be read: ..." on a StoreError."""
    try:
        return ctx.data(), ""
    except StoreError as exc:
        return None, f"The store cannot be read: {exc}"
