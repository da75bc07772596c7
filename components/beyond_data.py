"""The issue-11 full-history frames for the pages, computed once per store revision.

Like :meth:`components.context.AppContext.measures`: keyed by (store path, revision), shared
by every page and user of the process, recomputed after a refresh or import. The sell-America
history is taken from the measures (computed there already).
"""

from __future__ import annotations

import threading
from pathlib import Path

from analytics.beyond import BeyondHistories, beyond_histories
from components.context import AppContext

__all__ = ["histories"]

_cache: dict[tuple[Path, int], BeyondHistories] = {}
_lock = threading.Lock()


def histories(ctx: AppContext) -> BeyondHistories:
    """:func:`analytics.beyond.beyond_histories` of the app's data, cached per revision."""
    data = ctx.data()
    key = (ctx.store_path, data.revision)
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    computed = beyond_histories(data.series, sell_america=ctx.measures().sell_america)
    with _lock:
        for old in [k for k in _cache if k[0] == ctx.store_path]:
            del _cache[old]
        _cache[key] = computed
    return computed
