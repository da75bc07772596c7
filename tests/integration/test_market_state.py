"""The market state beside the store: built once per revision by one process, loaded by the
others, the previous revision served (and said) while the next one is built."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.model import Batch
from data.store import Store
from market_state import StateKeeper, ensure_persisted, load_persisted, state_dir


def _yields(days: int, start: str = "2015-01-02", shift: float = 0.0) -> pd.DataFrame:
    dates = pd.bdate_range(start, periods=days)
    rng = np.random.default_rng(days)
    rows = []
    for sid, base in (("DGS3MO", 1.0), ("DGS2", 1.5), ("DGS5", 2.0), ("DGS10", 2.5),
                      ("DGS30", 3.0)):
        values = base + shift + rng.normal(0, 0.03, days).cumsum()
        rows.append(pd.DataFrame({"series_id": sid, "date": dates, "value": values}))
    return pd.concat(rows, ignore_index=True)


def _write(path: Path, frame: pd.DataFrame) -> None:
    with Store.open(path) as store:
        store.write([Batch("fred", "imported", frame)])


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.sqlite"
    _write(path, _yields(700))
    return path


def _revision(path: Path) -> int:
    with Store.open(path, create=False) as opened:
        return opened.revision()


def test_the_state_is_built_once_then_loaded_from_beside_the_store(store: Path) -> None:
    first = ensure_persisted(store)
    assert first.revision == _revision(store)
    assert state_dir(store).is_dir()
    loaded = load_persisted(store, first.revision)
    assert loaded is not None and loaded.built_seconds == first.built_seconds  # not rebuilt
    again = ensure_persisted(store)
    assert again.built_seconds == first.built_seconds
    pd.testing.assert_frame_equal(again.moves[("2s10s", "1w")], first.moves[("2s10s", "1w")])


def test_a_new_revision_is_served_old_while_it_builds_then_new(store: Path) -> None:
    ensure_persisted(store)
    keeper = StateKeeper(store)
    old = keeper.view()
    assert old.pending_revision is None and keeper.ready()
    _write(store, _yields(30, start="2017-09-01", shift=0.5))  # bumps the revision
    new_rev = _revision(store)
    view = keeper.view()  # must not wait for the build
    assert view.state.revision == old.state.revision
    assert view.pending_revision == new_rev and view.note is not None
    assert f"revision {new_rev}" in view.note
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and keeper.view().pending_revision is not None:
        time.sleep(0.1)
    final = keeper.view()
    assert final.pending_revision is None and final.state.revision == new_rev
    assert keeper.build_error is None


def test_a_damaged_cache_is_rebuilt_not_fatal(store: Path) -> None:
    ensure_persisted(store)
    for file in state_dir(store).glob("*"):
        if file.suffix in (".db", ".val") or file.is_file():
            file.write_bytes(b"garbage" * 10)
    state = ensure_persisted(store)
    assert state.revision == _revision(store)


def _build_in_child(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    state = ensure_persisted(Path(path))
    queue.put((state.revision, state.built_seconds))


def test_two_processes_build_the_state_once(store: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_build_in_child, args=(str(store), queue)) for _ in range(2)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    # The second waited on the build lock, then loaded the first one's state from disk.
    assert results[0] == results[1]
