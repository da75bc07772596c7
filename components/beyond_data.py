"""The issue-11 full-history frames for the pages: part of the market state of the revision
(:attr:`analytics.state.MarketState.beyond`), computed once and persisted with it, and the
pages' date-independent pieces (full-history figures), built once per state."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final, TypeVar

from analytics.beyond import BeyondHistories, BeyondLookups, beyond_lookups
from analytics.state import MarketState
from components.context import AppContext

__all__ = ["histories", "lookups", "per_state"]

T = TypeVar("T")

#: Pieces by (state identity, name), with the state held so that an id is not reused while its
#: entry lives. A few states are kept: the one served and the one before it, for readers still
#: on it during a refresh.
_PIECES: dict[tuple[int, str], tuple[MarketState, Any]] = {}
_STATES_KEPT: Final = 3
_LOCK = threading.Lock()


def histories(ctx: AppContext) -> BeyondHistories:
    """:func:`analytics.beyond.beyond_histories` of the state the app serves."""
    return ctx.state().beyond


def lookups(state: MarketState) -> BeyondLookups:
    """The state's issue-11 histories ready for as-of lookups (a date change reads rows)."""
    return beyond_lookups(state.beyond, state.measures.series)


def per_state(state: MarketState, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per state and ``name``: for what depends on the data revision only
    (the same for every user and date, e.g. a full-history figure). The value is shared by
    every request: callers must not mutate it."""
    key = (id(state), name)
    with _LOCK:
        found = _PIECES.get(key)
        if found is not None and found[0] is state:
            return found[1]  # type: ignore[no-any-return]
        value = build()
        states = {k[0] for k in _PIECES} - {id(state)}
        while len(states) >= _STATES_KEPT:
            oldest = next(k[0] for k in _PIECES if k[0] in states)
            for k in [k for k in _PIECES if k[0] == oldest]:
                del _PIECES[k]
            states.discard(oldest)
        _PIECES[key] = (state, value)
        return value
