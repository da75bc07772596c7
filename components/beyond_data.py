"""The issue-11 full-history frames for the pages: part of the market state of the revision
(:attr:`analytics.state.MarketState.beyond`), computed once and persisted with it, and the
pages' date-independent pieces (full-history figures), built once per state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from analytics.beyond import BeyondLookups, beyond_lookups
from analytics.state import MarketState
from components.memo import Memo

__all__ = ["lookups", "per_state"]

T = TypeVar("T")

#: Pieces by (state identity, name). Each entry holds its state, so that the id cannot be
#: reused by another state while the entry lives. Two pieces (flows, drivers) of two states:
#: the one served and the one before it, for readers still on it during a refresh.
_PIECES_KEPT: Final = 4
_pieces: Memo[tuple[int, str], tuple[MarketState, Any]] = Memo(_PIECES_KEPT)


def lookups(state: MarketState) -> BeyondLookups:
    """The state's issue-11 histories ready for as-of lookups (a date change reads rows)."""
    return beyond_lookups(state.beyond, state.measures.series)


def per_state(state: MarketState, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per state and ``name`` (requests arriving meanwhile wait for it): for
    what depends on the data revision only, the same for every user and date (e.g. a
    full-history figure). The value is shared by every request: callers must not mutate it."""
    return cast(T, _pieces.get((id(state), name), lambda: (state, build()))[1])
