"""What every page gets from the app shell: a way to read the current market data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from data.market import MarketData, load_market_data


@dataclass(frozen=True)
class AppContext:
    """Per-app settings handed to each page's `register` (no module globals)."""

    store_path: Path

    def data(self) -> MarketData:
        """The store's data (cached per store revision), or the DEMO set."""
        return load_market_data(self.store_path)


DataGetter = Callable[[], MarketData]
