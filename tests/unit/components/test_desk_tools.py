"""The live revision check: act on a new revision once two checks agree and its state is ready."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from components.context import AppContext
from components.desk_tools import DEMO_REVISION, next_live_state, store_revision
from data.model import Batch
from data.store import Store


def never() -> int:
    raise AssertionError("the state must not be asked for")


def test_same_revision_is_a_no_op_and_never_asks_for_the_state() -> None:
    memory, notice, rerender = next_live_state({"revision": 7, "candidate": None}, 7, never)
    assert memory == {"revision": 7, "candidate": None} and notice is None and not rerender


def test_a_new_revision_is_acted_on_at_the_second_check() -> None:
    seen = {"revision": 7, "candidate": None}
    seen, notice, rerender = next_live_state(seen, 9, never)  # first sight: remember it only
    assert seen == {"revision": 7, "candidate": 9} and notice is None and not rerender
    seen, notice, rerender = next_live_state(seen, 9, lambda: 9)
    assert seen == {"revision": 9, "candidate": None} and notice == "loaded" and rerender


def test_a_revision_still_moving_waits() -> None:
    seen = {"revision": 7, "candidate": 8}
    seen, notice, rerender = next_live_state(seen, 12, never)  # a refresh still writing
    assert seen["candidate"] == 12 and notice is None and not rerender


def test_state_not_ready_says_preparing_and_keeps_the_page() -> None:
    seen = {"revision": 7, "candidate": 9}
    after, notice, rerender = next_live_state(seen, 9, lambda: 7)
    assert after == seen and notice == "preparing" and not rerender
    after, notice, rerender = next_live_state(after, 9, lambda: 9)
    assert notice == "loaded" and rerender and after["revision"] == 9


def test_store_revision_reads_the_store_and_is_demo_without_data(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ctx = AppContext(store_path=path)
    assert store_revision(ctx) == DEMO_REVISION  # no file
    Store.open(path).close()
    assert store_revision(ctx) == DEMO_REVISION  # a store without data: the DEMO set is shown
    frame = pd.DataFrame({"series_id": ["DGS10"], "date": pd.to_datetime(["2024-06-04"]),
                          "value": [4.33]})
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", frame)])
        expected = store.revision()
    assert store_revision(ctx) == expected > 0
