"""What every page gets from the app shell: the current market data and its measures."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from analytics.measures import Measures, compute_measures
from config import StoreLocation
from data.market import MarketData, load_market_data

log = logging.getLogger(__name__)

# Full-history measures per (store path, revision): computed once per process and data
# revision (about 3 s, the NSS fit of every day dominates), shared by every page and user.
_measures: dict[tuple[StoreLocation, int], Measures] = {}
_measures_lock = threading.Lock()


@dataclass(frozen=True)
class AppContext:
    """Per-app settings handed to each page's `register` (no module globals of state)."""

    store_path: StoreLocation

    def data(self) -> MarketData:
        """The store's data (cached per store revision), or the DEMO set."""
        return load_market_data(self.store_path)

    def measures(self) -> Measures:
        """Every analytics measure over the full history of :meth:`data`, cached per revision."""
        data = self.data()
        key = (self.store_path, data.revision)
        with _measures_lock:  # one computation at a time; later callers get the cached one
            found = _measures.get(key)
            if found is None:
                found = compute_measures(data.yields, data.series, data.cftc)
                for old in [k for k in _measures if k[0] == self.store_path]:
                    del _measures[old]
                _measures[key] = found
        return found

    def warm_up(self) -> None:
        """Compute the measures in a background thread so the first page view is quick."""

        def run() -> None:
            try:
                self.measures()
            except Exception:  # the pages show the error when they need the measures
                log.exception("warming up the measures failed")

        threading.Thread(target=run, name="tsm-warm-up", daemon=True).start()
