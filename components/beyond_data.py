"""The issue-11 full-history frames for the pages: part of the market state of the revision
(:attr:`analytics.state.MarketState.beyond`), computed once and persisted with it."""

from __future__ import annotations

from analytics.beyond import BeyondHistories
from components.context import AppContext

__all__ = ["histories"]


def histories(ctx: AppContext) -> BeyondHistories:
    """:func:`analytics.beyond.beyond_histories` of the state the app serves."""
    return ctx.state().beyond
