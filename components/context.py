"""What every page gets from the app shell: the market state of the store's newest revision."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pandas as pd

from analytics.measures import Measures
from analytics.state import MarketState, Snapshot, snapshot
from components.memo import Memo
from config import StoreLocation
from data.market import MarketData, load_market_data
from market_state import StateKeeper, StateView

# One keeper per store file and process: every page and user shares the state it holds.
_keepers: dict[StoreLocation, StateKeeper] = {}
_keepers_lock = threading.Lock()
# Snapshots by (state identity, date): a date seen once is a dictionary hit afterwards, and
# callbacks asking for the same new date at once compute it once.
_SNAPSHOTS_KEPT = 512
_snapshots: Memo[tuple[int, int, pd.Timestamp], Snapshot] = Memo(_SNAPSHOTS_KEPT)


def _keeper(path: StoreLocation) -> StateKeeper:
    with _keepers_lock:
        found = _keepers.get(path)
        if found is None:
            found = _keepers[path] = StateKeeper(path)
        return found


@dataclass(frozen=True)
class AppContext:
    """Per-app settings handed to each page's `register` (no module globals of state)."""

    store_path: StoreLocation

    def data(self) -> MarketData:
        """The store's data (cached per store revision), or the DEMO set."""
        return load_market_data(self.store_path)

    def view(self) -> StateView:
        """The state to serve now, and the revision being prepared if it is older (see
        :class:`market_state.StateKeeper`). Raises StoreError when the store is unreadable."""
        return _keeper(self.store_path).view()

    def state(self) -> MarketState:
        """Every full-history table of the newest available revision (a lookup per request)."""
        return self.view().state

    def snapshot(self, as_of: str | pd.Timestamp | None = None) -> Snapshot:
        """Every measure as of ``as_of`` (default: the latest yield date), memoised per state.

        Raises ValueError for a value that is not a date, StoreError for an unreadable store.
        """
        state = self.state()
        when = state.last_date if as_of in (None, "") else as_of
        if when is None:
            when = pd.Timestamp.today()
        key_date = pd.Timestamp(when).normalize()
        key = (id(state), state.revision, key_date)
        return _snapshots.get(key, lambda: snapshot(state, as_of=key_date))

    def measures(self) -> Measures:
        """The full-history measures of :meth:`state`."""
        return self.state().measures

    def state_ready(self) -> bool:
        """True when the state of the store's current revision is loaded (for /readyz)."""
        return _keeper(self.store_path).ready()

    def warm_up(self) -> None:
        """Load or build the state in a background thread so the first page view is quick."""
        _keeper(self.store_path).warm_up()
