"""Meeting mode (``?present=1``): the monitor, one screen of the key levels in large type.

In meeting mode the overview's place ("/") is taken by the monitor grid of
:func:`analytics.monitor.build_board`; every other page keeps its content in the meeting
look (high-contrast dark theme, larger type, see assets/style.css), and the left/right arrow
keys step through the pages with the query string kept (assets/keys.js), so the monitor is
the first slide of the meeting. ``?as_of=YYYY-MM-DD`` shows the board as of that date.

Not a navigation page: the shell's router calls :func:`shows_monitor` and :func:`layout`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
from dash import dcc, html

from analytics.monitor import Change, LightCell, MonitorBoard, MonitorCell, build_board
from analytics.state import Snapshot
from components.context import AppContext
from components.widgets import error_box

#: Paths on which meeting mode shows the monitor instead of the page.
MONITOR_PATHS = frozenset({"/", ""})
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MINUS = "\u2212"


def query(search: str | None) -> dict[str, str]:
    """The URL query as {key: first value}."""
    parsed = parse_qs((search or "").lstrip("?"), keep_blank_values=True)
    return {k: v[0] for k, v in parsed.items() if v}


def is_present(search: str | None) -> bool:
    """True when the URL asks for meeting mode (``present=1``)."""
    return query(search).get("present") == "1"


def shows_monitor(pathname: str | None, search: str | None) -> bool:
    """True when the router should show the monitor grid rather than the page."""
    return is_present(search) and (pathname or "/") in MONITOR_PATHS


def parse_as_of(search: str | None) -> tuple[pd.Timestamp | None, str | None]:
    """``as_of`` of the query: (date, None), (None, None) when absent, (None, message) when bad."""
    raw = query(search).get("as_of", "").strip()
    if not raw:
        return None, None
    if not _DATE.fullmatch(raw):
        return None, f"as_of must be a date written YYYY-MM-DD, got {raw!r}."
    try:
        return pd.Timestamp(raw), None
    except ValueError:
        return None, f"as_of {raw!r} is not a calendar date."


# --------------------------------------------------------------------------- formatting


def _signed(text: str) -> str:
    return text.replace("-", _MINUS)


def _number(value: float, decimals: int) -> str:
    # A CMT yield has 2 decimals: spreads and changes in bp are whole numbers; say so.
    if decimals == 0 or abs(value - round(value)) < 0.05:
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def format_value(cell: MonitorCell) -> str:
    """The value in large type: "4.47%", "75 bp", "10.5 bn", "0.45 z"."""
    v = cell.value
    if v is None:
        return "n/a"
    if cell.units == "%":
        return f"{v:.2f}%"
    if cell.units == "bp":
        return _signed(f"{_number(v, 1)} bp")
    if cell.units == "USD bn":  # a whole number from $100bn: "-718 bn" fits a cell
        return _signed(f"{v:,.0f} bn" if abs(v) >= 100 else f"{v:,.1f} bn")
    if cell.units == "index":  # an index of its own scale (OFR FSI), not z units
        return _signed(f"{v:+.2f}")
    return _signed(f"{v:+.2f} z")


def format_change(change: Change, units: str) -> str:
    """A change with its direction written out (arrows, not colour): "▲ +16", "▼ −5", "= 0"."""
    c = change.change
    if c is None:
        return "n/a"
    if units in ("z", "pt"):  # one decimal: seven cells a row leave about 60 px per change
        text, zero = f"{c:+.1f}", abs(c) < 0.05
    elif units == "USD bn":  # whole numbers from 10 bn: "-17.7" does not fit a 1366-px cell
        text, zero = (f"{c:+,.0f}" if abs(c) >= 10 else f"{c:+,.1f}"), abs(c) < 0.05
    else:
        text, zero = ("+" if c > 0 else "") + _number(c, 1), abs(c) < 0.05
    arrow = "=" if zero else ("\u25b2" if c > 0 else "\u25bc")
    return _signed(f"{arrow}\u2009{text}")


def _change_units(cell: MonitorCell) -> str:
    return {"bp": "bp", "USD bn": "bn", "z": "z"}.get(cell.change_units, cell.change_units)


def _date_line(cell: MonitorCell, as_of: pd.Timestamp) -> html.Div | None:
    if cell.date is None:
        return html.Div(cell.why or "no data", className="mon-date")
    if cell.stale:
        return html.Div(f"STALE: last {cell.date:%Y-%m-%d}", className="mon-date",
                        title=cell.why)
    if cell.date.normalize() != as_of.normalize():
        return html.Div(f"as of {cell.date:%Y-%m-%d}", className="mon-date")
    return None


def _change_box(cell: MonitorCell, change: Change) -> html.Div:
    if change.why == "weekly series":  # a placeholder keeps the 1d/1w/1m columns aligned
        return html.Div([html.Span(change.window, className="mon-chg-w"),
                         html.Span("\u2014", className="mon-chg-v")],
                        className="mon-chg", title="weekly series: no 1-day change")
    title = (f"since {change.from_date:%Y-%m-%d}, {_change_units(cell)}"
             if change.from_date is not None else change.why)
    return html.Div([html.Span(change.window, className="mon-chg-w"),
                     html.Span(format_change(change, cell.change_units), className="mon-chg-v")],
                    id=f"mon-chg-{cell.key}-{change.window}", className="mon-chg", title=title)


def level_box(cell: MonitorCell, as_of: pd.Timestamp, *, detail: str = "") -> html.Div:
    classes = ["mon-cell", f"mon-group-{cell.group}"]
    if cell.stale and cell.value is not None:
        classes.append("mon-stale")
    if cell.value is None:
        classes.append("mon-missing")
    return html.Div([
        html.Div([html.Span(cell.label, className="mon-label-text", title=cell.label),
                  html.Span(f"\u0394 {_change_units(cell)}", className="mon-units",
                            title=f"changes in {_change_units(cell)}")],
                 className="mon-label"),
        html.Div(format_value(cell), id=f"mon-value-{cell.key}", className="mon-value"),
        html.Div([_change_box(cell, c) for c in cell.changes], className="mon-changes"),
        html.Div(detail, className="mon-detail") if detail else None,
        _date_line(cell, as_of),
    ], id=f"mon-{cell.key}", className=" ".join(classes))


_LIGHT_TEXT = {"on": "\u25cf ON", "off": "\u25cb off", "unknown": "? cannot evaluate"}


def light_box(light: LightCell, as_of: pd.Timestamp) -> html.Div:
    units = "bn" if light.units == "USD bn" else light.units
    if light.reading is not None and light.threshold is not None:
        detail = _signed(f"{light.reading:,.1f} {units} (on above {light.threshold:,.0f} {units})")
    else:
        detail = "no reading: see the Funding page"
    date = None
    if light.date is not None and light.date.normalize() != as_of.normalize():
        date = html.Div(f"as of {light.date:%Y-%m-%d}", className="mon-date")
    return html.Div([
        html.Div(html.Span(light.label, className="mon-label-text"), className="mon-label",
                 title=light.label),
        html.Div(_LIGHT_TEXT.get(light.state, light.state), id=f"mon-value-light-{light.name}",
                 className="mon-value"),
        html.Div(detail, className="mon-detail"),
        date,
    ], id=f"mon-light-{light.name}",
        className=f"mon-cell mon-group-funding mon-light-{light.state}")


def top_box(board: MonitorBoard) -> html.Div:
    top = board.top
    if top is None:
        return html.Div([html.Div("Top stress driver", className="mon-label"),
                         html.Div("n/a", id="mon-value-top", className="mon-value"),
                         html.Div("no indicator on this date", className="mon-detail")],
                        id="mon-top", className="mon-cell mon-group-stress mon-missing")
    date = (html.Div(f"as of {top.date:%Y-%m-%d}", className="mon-date")
            if top.date.normalize() != board.as_of.normalize() else None)
    return html.Div([
        html.Div("Top stress driver", className="mon-label"),
        html.Div(_signed(f"{top.contribution:+.2f} z"), id="mon-value-top", className="mon-value"),
        html.Div(top.label, className="mon-detail", title=f"{top.label} ({top.category})"),
        html.Div(top.category, className="mon-detail"),
        date,
    ], id="mon-top", className="mon-cell mon-group-stress")


def board_grid(board: MonitorBoard, snap: Snapshot) -> html.Div:
    """The grid: curve points, spreads, funding, positioning, flows, stress, lights."""
    boxes: list[html.Div] = []
    for cell in board.cells:
        detail = ""
        if cell.key == "lev_net" and snap.positioning.zscore is not None:
            z = _signed(f"{snap.positioning.zscore:+.2f}")
            detail = f"z-score {z} (156 weeks); negative = net short"
        elif cell.key == "lev_net":
            detail = "negative = net short futures"
        boxes.append(level_box(cell, board.as_of, detail=detail))
    boxes.append(top_box(board))
    boxes.extend(light_box(light, board.as_of) for light in board.lights)
    return html.Div(boxes, id="monitor-grid", className="mon-grid")


def _header(board: MonitorBoard, mode: str) -> html.Div:
    known, on = board.lights_known, board.lights_on
    lights = f"Liquidity lights: {on} on, {known} of {len(board.lights)} evaluated"
    return html.Div([
        html.H2(f"Treasury monitor, as of {board.as_of:%a %Y-%m-%d}", className="mon-title",
                id="monitor-as-of"),
        html.Span(f"{mode.upper()} data · {lights}", className="mon-sub"),
        html.Span("\u2190 \u2192 step through the pages · changes over 1, 5 and 21 "
                  "observations (weekly: 1 and 4 reports)", className="mon-hint"),
    ], className="mon-head")


def layout(ctx: AppContext, search: str | None) -> html.Div:
    """The monitor for the query's ``as_of`` (default: the latest yield date)."""
    as_of, problem = parse_as_of(search)
    if problem:
        return html.Div([error_box(problem, id_="monitor-error"),
                         dcc.Link("Show the latest date", href="/?present=1")], id="monitor")
    state = ctx.state()
    try:
        snap = ctx.snapshot(as_of)
    except ValueError as exc:
        return html.Div(error_box(str(exc), id_="monitor-error"), id="monitor")
    board = build_board(state, snap)
    children: list[Any] = [_header(board, state.mode), board_grid(board, snap)]
    return html.Div(children, id="monitor")
