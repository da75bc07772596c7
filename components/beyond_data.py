"""The issue-11 full-history frames for the pages: part of the market state of the revision
(:attr:`analytics.state.MarketState.beyond`), computed once and persisted with it, and the
pages' date-independent pieces (full-history figures), built once per state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final, TypeVar, cast

import pandas as pd
from dash import Dash, Input, Output

from analytics.beyond import BeyondLookups, beyond_lookups
from analytics.state import MarketState
from components.context import AppContext
from components.memo import OwnedMemo

__all__ = ["lookups", "per_state", "served_on", "register_dated"]

T = TypeVar("T")

#: Pieces by (state, name). Two pieces (flows, drivers) of two states: the one served and
#: the one before it, for readers still on it during a refresh.
_PIECES_KEPT: Final = 4
_pieces: OwnedMemo[Any] = OwnedMemo(_PIECES_KEPT)


def lookups(state: MarketState) -> BeyondLookups:
    """The state's issue-11 histories ready for as-of lookups (a date change reads rows)."""
    return beyond_lookups(state.beyond, state.measures.series)


def per_state(state: MarketState, name: str, build: Callable[[], T]) -> T:
    """``build()`` once per state and ``name`` (requests arriving meanwhile wait for it): for
    what depends on the data revision only, the same for every user and date (e.g. a
    full-history figure). The value is shared by every request: callers must not mutate it."""
    return cast(T, _pieces.get(state, name, build))


def served_on(ctx: AppContext, as_of: str | None) -> tuple[MarketState, pd.Timestamp | None]:
    """The served state and a page's as-of date: ``as_of``, else the state's last date (None
    when nothing is stored)."""
    state = ctx.state()
    return state, pd.Timestamp(as_of) if as_of else state.last_date


def register_dated(app: Dash, ctx: AppContext, *, tiles_id: str, graph_ids: Sequence[str],
                   tiles: Callable[[AppContext, str | None], Any],
                   date_change: Callable[[AppContext, str | None], list[Any]]) -> None:
    """A page's two date callbacks: its tiles (also when the page opens: their ids are the
    Overview's too, so no page layout holds them), and its figures on a date change only (the
    layout brings them as of the page's date)."""
    @app.callback(Output(tiles_id, "children"), Input("app-asof", "date"))
    def _tiles(as_of: str | None) -> Any:
        return tiles(ctx, as_of)

    @app.callback(*(Output(g, "figure") for g in graph_ids), Input("app-asof", "date"),
                  prevent_initial_call=True)
    def _figures(as_of: str | None) -> list[Any]:
        return date_change(ctx, as_of)
