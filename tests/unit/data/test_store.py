"""The store on both backends (SQLite and PostgreSQL): round trips, idempotence, revisions,
atomicity, refresh history, status, leases, books, migration."""

from __future__ import annotations

import threading
import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

import config
from data.model import Batch, empty_cftc
from data.store import CFTC_STATUS_ID, LeaseHeld, Store, StoreError


def obs(series_id: str, dates: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"series_id": series_id, "date": pd.to_datetime(dates), "value": values})


def dump(store: Store) -> list[tuple]:
    return [tuple(row) for table in ("observations", "series", "cftc_positions", "series_cache")
            for row in store._conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]


@pytest.fixture()
def store(store_location):
    with Store.open(store_location) as s:
        yield s


def test_round_trip_returns_written_values_as_wide_frame(store):
    store.write([Batch("fred", "imported", obs("DGS10", ["2024-01-02", "2024-01-03"], [4.0, 4.1])),
                 Batch("fred", "imported", obs("DGS2", ["2024-01-03"], [4.3]))])
    wide = store.read_series(["DGS2", "DGS10", "DGS30"])
    assert list(wide.columns) == ["DGS2", "DGS10", "DGS30"]
    assert wide.loc["2024-01-02", "DGS10"] == 4.0
    assert np.isnan(wide.loc["2024-01-02", "DGS2"])
    assert wide["DGS30"].isna().all()
    assert wide.index.is_monotonic_increasing


def test_rewriting_identical_data_changes_nothing(store):
    batch = Batch("fred", "imported", obs("DGS10", ["2024-01-02", "2024-01-03"], [4.0, 4.1]))
    first = store.write([batch])
    rev = store.revision()
    again = store.write([batch])
    assert (first.inserted, first.updated) == (2, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert store.revision() == rev


def test_revised_value_replaces_old_one_and_bumps_revision(store):
    store.write([Batch("fred", "imported", obs("DGS10", ["2024-01-02"], [4.0]))])
    rev = store.revision()
    result = store.write([Batch("nyfed", "live", obs("DGS10", ["2024-01-02"], [4.02]))])
    assert (result.inserted, result.updated) == (0, 1)
    assert store.read_series(["DGS10"]).iloc[0, 0] == 4.02
    assert store.revision() == rev + 1


def test_failed_batch_leaves_store_exactly_as_it_was(store):
    store.write([Batch("fred", "imported", obs("DGS10", ["2024-01-02"], [4.0]))])
    before = dump(store)
    good = Batch("fred", "imported", obs("DGS2", ["2024-01-02"], [4.4]))
    bad = Batch("fred", "imported", obs("DGS5", ["2024-01-02"], [float("nan")]))
    with pytest.raises(ValueError, match="NaN"):
        store.write([good, bad])
    assert dump(store) == before


def test_cftc_positions_round_trip_and_idempotence(store):
    frame = empty_cftc()
    frame = pd.DataFrame({
        "report_date": pd.to_datetime(["2025-04-29", "2025-04-29"]),
        "contract_code": ["043602", "043602"],
        "trader_group": ["lev_money", "nonrept"],
        "long": [558118.0, 410501.0], "short": [2070536.0, 387473.0],
        "spreading": [237175.0, np.nan], "open_interest": [4880010.0, 4880010.0],
    })
    first = store.write([Batch("cftc", "imported", cftc=frame)])
    again = store.write([Batch("cftc", "imported", cftc=frame)])
    assert first.inserted == 2 and again.changed == 0
    back = store.read_cftc()
    lev = back[back.trader_group == "lev_money"].iloc[0]
    assert lev["long"] - lev["short"] == 558118 - 2070536
    assert np.isnan(back[back.trader_group == "nonrept"].iloc[0]["spreading"])
    assert store.last_cftc_date() == date(2025, 4, 29)
    assert any(s.series_id == CFTC_STATUS_ID for s in store.status())


def test_refresh_failure_keeps_data_and_reports_error_until_next_success(store):
    store.write([Batch("fred", "live", obs("SOFR", ["2024-06-06"], [5.33]))])
    store.record_refresh("SOFR", source="nyfed", ok=True, at="2024-06-07T12:00:00+00:00")
    store.record_refresh("SOFR", source="nyfed", ok=False, error="nyfed SOFR: HTTP 503")
    row = next(s for s in store.status() if s.series_id == "SOFR")
    assert row.last_error == "nyfed SOFR: HTTP 503"
    assert row.last_success == "2024-06-07T12:00:00+00:00"
    assert row.rows == 1
    store.record_refresh("SOFR", source="nyfed", ok=True)
    assert next(s for s in store.status() if s.series_id == "SOFR").last_error is None
    assert store.origin() == "live"


def test_staleness_is_judged_against_frequency(store):
    store.write([Batch("fred", "imported", obs("DGS10", ["2026-11-10"], [4.0])),
                 Batch("fred", "imported", obs("WRESBAL", ["2026-11-11"], [3.0e6]))])
    rows = {s.series_id: s for s in store.status(today=date(2026, 11, 20))}
    assert rows["DGS10"].stale  # daily, 10 days old
    assert not rows["WRESBAL"].stale  # weekly, 9 days old
    assert rows["DGS10"].age_days == 10


def test_opening_a_file_that_is_not_sqlite_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database\n" * 100)
    with pytest.raises(StoreError, match="junk.sqlite"):
        Store.open(junk)


def test_open_without_create_does_not_create_a_file(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "absent.sqlite", create=False)
    assert not (tmp_path / "absent.sqlite").exists()


def test_columnar_cache_agrees_with_the_rows_after_revisions(store):
    store.write([Batch("fred", "imported", obs("DGS10", ["2024-01-03", "2024-01-02"], [4.1, 4.0]))])
    store.write([Batch("fred", "imported", obs("DGS10", ["2024-01-02", "2024-01-04"], [3.9, 4.2]))])
    wide = store.read_series(["DGS10"], start="2024-01-02", end="2024-01-03")
    assert wide["DGS10"].tolist() == [3.9, 4.1]
    store._conn.execute("DELETE FROM series_cache")  # a store whose cache was never built
    assert store.read_series(["DGS10"])["DGS10"].tolist() == [3.9, 4.1, 4.2]
    assert store.series_ids() == ["DGS10"]
    row = next(s for s in store.status() if s.series_id == "DGS10")
    assert (row.first_date, row.last_date, row.rows) == ("2024-01-02", "2024-01-04", 3)


def test_discontinued_series_is_complete_not_stale(store):
    store.write([Batch("fred", "imported", obs("DSWP10", ["2016-10-27", "2016-10-28"], [1.5, 1.6])),
                 Batch("fred", "imported", obs("DSWP30", ["2011-08-12"], [3.5]))])
    rows = {s.series_id: s for s in store.status(today=date(2026, 11, 20))}
    assert (rows["DSWP10"].stale, rows["DSWP10"].freshness) == (False, "discontinued")
    # A discontinued series that stops before its end date is still missing data.
    assert (rows["DSWP30"].stale, rows["DSWP30"].freshness) == (True, "stale")


def test_a_second_writer_is_told_who_holds_the_lease(store_location):
    with Store.open(store_location) as first, Store.open(store_location) as second:
        with first.lease(kind="refresh"):
            with pytest.raises(LeaseHeld, match=r"a refresh \(pid \d+ on .*, since .*\) is already writing"):
                with second.lease(kind="import"):
                    pass
            assert "a refresh" in (second.lease_holder() or "")
        assert second.lease_holder() is None
        with second.lease(kind="import"):  # released: free again
            pass


def test_a_waiting_writer_gets_the_lease_when_the_holder_finishes(store_location):
    order: list[str] = []
    with Store.open(store_location) as first:
        def hold() -> None:
            with first.lease(kind="import"):
                order.append("first in")
                time.sleep(0.6)
                order.append("first out")

        thread = threading.Thread(target=hold)
        thread.start()
        while not order:
            time.sleep(0.01)
        with Store.open(store_location) as second:
            waited: list[str] = []
            with second.lease(kind="import", wait_s=10, on_wait=waited.append):
                order.append("second in")
        thread.join()
    assert order == ["first in", "first out", "second in"]
    assert waited and waited[0].startswith("a import")


def test_a_lease_whose_holder_died_expires(store_location):
    with Store.open(store_location) as store:
        # A holder killed without releasing: its row stays, with an expiry in the past.
        store._conn.execute(
            "INSERT INTO leases(name, owner, kind, acquired_at, expires_at) "
            "VALUES ('writer', 'gone:1:x', 'refresh', '2026-01-01T00:00:00+00:00', ?)",
            (time.time() - 1,))
        with store.lease(kind="refresh"):
            assert "pid" in (store.lease_holder() or "")


def test_books_are_kept_by_key_without_changing_the_revision(store):
    rev = store.revision()
    store.put_book("abc", "book.csv", "id,type\nx,bullet\n")
    assert store.get_book("abc") == ("book.csv", "id,type\nx,bullet\n")
    assert store.get_book("nope") is None
    assert store.revision() == rev


def test_migrating_a_sqlite_store_to_postgresql_copies_everything(tmp_path, pg_url):
    source_path = tmp_path / "old.sqlite"
    frame = pd.DataFrame({
        "report_date": pd.to_datetime(["2025-04-29"]), "contract_code": ["043602"],
        "trader_group": ["lev_money"], "long": [558118.0], "short": [2070536.0],
        "spreading": [np.nan], "open_interest": [4880010.0],
    })
    with Store.open(source_path) as old:
        old.write([Batch("fred", "imported", obs("DGS10", ["2024-01-02", "2024-01-03"], [4.0, 4.1])),
                   Batch("cftc", "imported", cftc=frame)])
        old.record_refresh("DGS10", source="fred", ok=False, error="fred DGS10: HTTP 503")
        with Store.open(pg_url) as new:
            counts = old.copy_to(new)
            assert counts["observations"] == 2 and counts["cftc_positions"] == 1
            assert new.revision() == old.revision()
            pd.testing.assert_frame_equal(new.read_series(), old.read_series())
            pd.testing.assert_frame_equal(new.read_cftc(), old.read_cftc())
            assert [s.last_error for s in new.status()] == [s.last_error for s in old.status()]
            with pytest.raises(StoreError, match="already holds data"):
                old.copy_to(new)


def test_a_postgresql_url_never_shows_its_password(pg_url):
    url = config.store_path(pg_url.replace("postgresql:///", "postgresql://u:s3cret@/"))
    assert isinstance(url, config.StoreUrl)
    assert "s3cret" not in f"{url}" and "s3cret" not in str(url) and "s3cret" not in repr(url)
    with pytest.raises(StoreError) as caught:
        Store.open(url)
    assert "s3cret" not in str(caught.value)


def test_a_store_from_before_leases_and_books_reads_as_free_and_empty(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    with Store.open(path):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE leases")
        conn.execute("DROP TABLE books")
    with Store.open(path, create=False) as old:
        assert old.lease_holder() is None
        with pytest.raises(StoreError, match="cannot read uploaded books"):
            old.get_book("0" * 64)
    with Store.open(path) as upgraded:  # opening to write adds the tables
        upgraded.put_book("k", "b.csv", "x")
        assert upgraded.get_book("k") == ("b.csv", "x")


def test_opening_a_store_waits_out_another_process_that_holds_it_locked(tmp_path, monkeypatch):
    """A second process creating the same new store meets the first one's lock (SQLite can
    answer "database is locked" at once there): the open tries again instead of failing."""
    import sqlite3 as sq

    import data.store as store_module

    path = tmp_path / "s.sqlite"
    calls = {"n": 0}
    real_connect = sq.connect

    class Flaky:
        """A connection whose first two journal-mode switches meet a lock."""

        def __init__(self, conn):
            self._conn = conn

        def execute(self, sql, *args):
            if sql.startswith("PRAGMA journal_mode=") and calls["n"] < 2:
                calls["n"] += 1
                raise sq.OperationalError("database is locked")
            return self._conn.execute(sql, *args)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    monkeypatch.setattr(store_module.sqlite3, "connect",
                        lambda *a, **k: Flaky(real_connect(*a, **k)))
    with Store.open(path) as opened:
        assert opened.revision() == 0
    assert calls["n"] == 2
    monkeypatch.setattr(store_module, "_SQLITE_OPEN_WAIT_S", 0.0)
    calls["n"] = 0
    other = tmp_path / "t.sqlite"
    with pytest.raises(StoreError, match="stayed locked"):
        Store.open(other)
