"""The last step of `tsm import` and `tsm refresh`: build the new revision's market state.

The dashboard's workers then load it instead of computing it, so the first request after a
refresh never waits for a recompute. A failure here never fails the import or refresh (the
data is stored; the app builds the state itself when it finds it missing).
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from config import StoreLocation
from data.market import load_market_data
from data.store import StoreError
from market_state import ensure_persisted, state_dir


def build_state_step(store_path: StoreLocation, out: TextIO | None = None) -> None:
    """Build and persist the market state of the store's current revision, saying so (the
    callers run it before printing their report, whose last line stays the summary)."""
    started = time.perf_counter()
    try:
        if load_market_data(store_path).is_demo:
            return  # nothing stored yet: the DEMO set is never persisted
        state = ensure_persisted(store_path)
    except (StoreError, OSError, ValueError) as exc:
        print(f"market state: not built ({exc}); the dashboard will build it when it starts",
              file=sys.stderr)
        return
    print(f"market state: revision {state.revision} ready in {time.perf_counter() - started:.1f} s "
          f"({state_dir(store_path)})", file=out or sys.stdout)
