"""The view in the URL: one app-wide as-of date and each page's controls, as a query string.

`/curve?as_of=2020-03-18&spread=5s30s` reproduces a view: the router renders the page from the
query, and every bound control writes its value back to the URL (``history.pushState``: back and
forward step through the views). Pages declare their bound controls as ``URL_STATE``: a tuple of
:class:`Bound` (query key, component id, property, reader of the query text).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from components.widgets import parse_as_of

__all__ = ["Bound", "parse_query", "build_search", "with_params", "resolve_as_of", "AsOf",
           "read_number", "read_choice", "read_json_list"]

#: Query key of the app-wide as-of date.
AS_OF = "as_of"


@dataclass(frozen=True)
class Bound:
    """A control whose value lives in the URL query under ``key``.

    ``read`` turns the query text into the control's value (ValueError when unreadable: the page
    then keeps its default and says so); ``write`` turns the value into query text.
    """

    key: str
    component_id: str | dict[str, Any]  # a dict with ALL: one query value for the whole group
    prop: str = "value"
    read: Callable[[str], Any] = str
    write: Callable[[Any], str] = str
    #: The control's default: it is left out of the URL (a view on defaults has a clean link,
    #: and a freshly rendered page writes nothing).
    default: Any = None


def parse_query(search: str | None) -> dict[str, str]:
    """``?a=1&b=x`` -> {"a": "1", "b": "x"} (the last value wins for a repeated key)."""
    if not search:
        return {}
    return dict(parse_qsl(search.lstrip("?"), keep_blank_values=False))


def build_search(params: Mapping[str, str | None]) -> str:
    """The query string of ``params`` (None values left out), as_of first, "" when empty."""
    items = [(k, v) for k, v in params.items() if v not in (None, "")]
    items.sort(key=lambda kv: (kv[0] != AS_OF, kv[0]))
    return "?" + urlencode(items) if items else ""


def with_params(search: str | None, updates: Mapping[str, str | None]) -> str:
    """``search`` with ``updates`` applied (a None value removes the key)."""
    params: dict[str, str | None] = dict(parse_query(search))
    params.update(updates)
    return build_search(params)


@dataclass(frozen=True)
class AsOf:
    """The as-of date a view is read at, and what to tell the user about it.

    ``date`` is None only when no Treasury yield is stored; ``explicit`` says whether the URL
    chose it; ``message`` explains a refused or moved date.
    """

    date: pd.Timestamp | None
    explicit: bool
    message: str | None = None

    @property
    def iso(self) -> str | None:
        return None if self.date is None else self.date.strftime("%Y-%m-%d")


def resolve_as_of(text: str | None, *, first: pd.Timestamp | None,
                  last: pd.Timestamp | None) -> AsOf:
    """The as-of date of a query value: the date given if it is one within the stored history,
    else the default (the latest date with core yields), with a message saying why."""
    if text in (None, ""):
        return AsOf(last, False)
    try:
        when = parse_as_of(text)  # the app's one date parser (components.widgets)
    except ValueError:
        when = None
    if when is None:
        shown = str(text)[:40]
        latest = "" if last is None else f"; showing the latest date, {last:%Y-%m-%d}"
        return AsOf(last, False, f"as_of={shown!r} is not a date (use YYYY-MM-DD){latest}.")
    when = when.normalize()
    if last is not None and when > last:
        return AsOf(last, True, f"No data after {last:%Y-%m-%d}: showing {last:%Y-%m-%d} "
                                f"instead of {when:%Y-%m-%d}.")
    if first is not None and when < first:
        return AsOf(first, True, f"The stored yields start {first:%Y-%m-%d}: showing that date "
                                 f"instead of {when:%Y-%m-%d}.")
    return AsOf(when, True)


def read_number(lo: float, hi: float) -> Callable[[str], float]:
    """A reader of a number within [lo, hi] (ValueError outside)."""

    def read(text: str) -> float:
        value = float(text)
        if not lo <= value <= hi:
            raise ValueError(f"{value:g} is outside {lo:g}-{hi:g}")
        return value

    return read


def read_choice(choices: Sequence[str]) -> Callable[[str], str]:
    """A reader of one of ``choices`` (ValueError otherwise)."""

    def read(text: str) -> str:
        if text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        return text

    return read


def read_json_list(text: str) -> list[Any]:
    """A list stored as compact JSON (weights, tenors)."""
    value = json.loads(text)
    if not isinstance(value, list):
        raise ValueError("expected a list")
    return value


def write_json_list(value: Any) -> str:
    return json.dumps(list(value or []), separators=(",", ":"))


def initial_values(bound: Sequence[Bound], query: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The values of the bound controls the query sets ({query key: value}) and a message per
    query value that could not be read (its control keeps its default)."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for b in bound:
        if b.key not in query:
            continue
        try:
            values[b.key] = b.read(query[b.key])
        except (ValueError, TypeError) as exc:
            problems.append(f"{b.key}={query[b.key][:40]!r} ignored: {exc}.")
    return values, problems
