"""The local store: one SQLite file behind a small API (`write`, `read_*`, `status`).

Schema (version 1)
------------------
``observations(series_id, date, value, source, fetched_at)``
    One row per series and date; primary key (series_id, date). ``date`` is ISO ``YYYY-MM-DD``;
    ``value`` is in the series' catalogue units (never NULL: missing markers are dropped at
    parse time); ``source`` the source that wrote it; ``fetched_at`` the UTC time of that write.
``series(series_id, title, units, frequency, source, origin, last_refresh, last_success,
last_error)``
    Metadata: catalogue fields, ``origin`` ("live" after a refresh, "imported" after a file
    import), and the refresh history (UTC timestamps; ``last_error`` is the latest failure's
    message, cleared by the next success).
``cftc_positions(report_date, contract_code, trader_group, long, short, spreading,
open_interest, source, fetched_at)``
    CFTC Traders in Financial Futures positions in contracts; primary key (report_date,
    contract_code, trader_group).
``series_cache(series_id, n, days, vals)``
    A derived, columnar copy of each series for fast full-history reads: ``days`` is the
    int32 array of dates (days since 1970-01-01, ascending), ``vals`` the float64 values, both
    as little-endian bytes. Rebuilt inside the write transaction for every series a write
    touches; ``observations`` stays the source of truth (a series without a cache row is read
    from it).
``meta(key, value)``
    ``schema_version`` and ``revision`` (incremented by every write that changes something, so
    readers can cache by revision).
``leases(name, owner, kind, acquired_at, expires_at)``
    Writer locks held in the store (:meth:`Store.lease`): one refresh or import at a time
    across processes, workers and replicas. ``expires_at`` (Unix seconds) is renewed by a
    heartbeat while the holder lives, so a killed holder frees it after its time-to-live.
``books(book_key, source, text, stored_at)``
    Portfolio files uploaded to the web app, by content hash: the browser keeps only the key.

Backends: a SQLite file (the default), or a PostgreSQL database when the location is a
``postgresql://`` URL (through psycopg 3), so that several replicas share one store. The SQL is
written once in the common dialect; :class:`_Pg` translates the few differences.

Writes are transactional and idempotent: :meth:`Store.write` applies a list of batches in one
transaction; re-writing identical data changes nothing; a revised value replaces the old one.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from config import StoreLocation, StoreUrl, is_store_url
from data.catalogue import freshness, spec
from data.model import CFTC_COLUMNS, Batch

__all__ = [
    "SCHEMA_VERSION",
    "LeaseHeld",
    "Store",
    "StoreError",
    "WriteResult",
    "SeriesStatus",
    "utc_now",
]

SCHEMA_VERSION = 1
#: How long opening a SQLite store waits out another process that holds it locked, seconds.
_SQLITE_OPEN_WAIT_S = 60.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    series_id  TEXT NOT NULL,
    date       TEXT NOT NULL,
    value      REAL NOT NULL,
    source     TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (series_id, date)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (
    series_id    TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    units        TEXT NOT NULL,
    frequency    TEXT NOT NULL,
    source       TEXT NOT NULL,
    origin       TEXT,
    last_refresh TEXT,
    last_success TEXT,
    last_error   TEXT
);
CREATE TABLE IF NOT EXISTS series_cache (
    series_id TEXT PRIMARY KEY,
    n         INTEGER NOT NULL,
    days      BLOB NOT NULL,
    vals      BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS cftc_positions (
    report_date   TEXT NOT NULL,
    contract_code TEXT NOT NULL,
    trader_group  TEXT NOT NULL,
    long          REAL,
    short         REAL,
    spreading     REAL,
    open_interest REAL,
    source        TEXT NOT NULL,
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (report_date, contract_code, trader_group)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
    name        TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS books (
    book_key  TEXT PRIMARY KEY,
    source    TEXT NOT NULL,
    text      TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
"""

#: Seconds a lease lives without a heartbeat (a killed holder frees it after this).
LEASE_TTL_S = 60.0
#: Uploaded books kept in the store (the oldest are dropped beyond this).
MAX_STORED_BOOKS = 500

#: Pseudo series id under which CFTC refreshes record their status.
CFTC_STATUS_ID = "CFTC_TFF"


class StoreError(RuntimeError):
    """The store file cannot be opened or written; the message says which file and why."""


class LeaseHeld(StoreError):
    """Another process holds the writer lease; the message says who and since when.

    Attributes
    ----------
    holder : ``kind`` of the holder ("refresh", "import"...).
    """

    def __init__(self, message: str, *, holder: str) -> None:
        super().__init__(message)
        self.holder = holder


class _Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class _Db(Protocol):
    """What the store needs of a connection: both backends speak it."""

    #: SQL expression of the ``date`` column as days since 1970-01-01.
    days_expr: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def executescript(self, script: str) -> None: ...

    def begin_write(self) -> None: ...

    def close(self) -> None: ...


class _Sqlite:
    days_expr = "CAST(julianday(date) - 2440587.5 AS INTEGER)"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        return self.conn.execute(sql, tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def executescript(self, script: str) -> None:
        self.conn.executescript(script)

    def begin_write(self) -> None:
        # IMMEDIATE takes the write lock now: writers queue (busy timeout), readers go on (WAL).
        self.conn.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        self.conn.close()


#: Advisory-lock key under which PostgreSQL write transactions queue (any constant will do).
_PG_WRITE_LOCK = 0x7453_4D57


class _Pg:
    """A psycopg 3 connection in autocommit mode (transactions are explicit, as with SQLite)."""

    days_expr = "(CAST(date AS DATE) - DATE '1970-01-01')"

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @staticmethod
    def translate(sql: str) -> str:
        return (sql.replace("?", "%s").replace(" WITHOUT ROWID", "")
                .replace(" REAL", " DOUBLE PRECISION").replace(" BLOB", " BYTEA"))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Cursor:
        cursor: _Cursor = self.conn.execute(self.translate(sql), tuple(params) or None)
        return cursor

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(self.translate(sql), list(rows))

    def executescript(self, script: str) -> None:
        for statement in script.split(";"):
            if statement.strip():
                self.conn.execute(self.translate(statement))

    def begin_write(self) -> None:
        # Writers queue on one advisory lock held to the end of the transaction.
        self.conn.execute("BEGIN")
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_WRITE_LOCK,))

    def close(self) -> None:
        self.conn.close()


def _pg_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return ()
    return (psycopg.Error,)


_BUMP_REVISION = ("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                  "WHERE key = 'revision'")


def _pg_message(exc: BaseException, url: StoreUrl) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.replace(url.dsn, url.shown)


def _chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class WriteResult:
    """Row counts of one :meth:`Store.write`."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: WriteResult) -> WriteResult:
        return WriteResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )

    @property
    def changed(self) -> int:
        return self.inserted + self.updated


@dataclass(frozen=True)
class SeriesStatus:
    """What `tsm status` shows for one series."""

    series_id: str
    title: str
    source: str
    origin: str
    first_date: str | None
    last_date: str | None
    rows: int
    last_refresh: str | None
    last_success: str | None
    last_error: str | None
    stale: bool
    age_days: int | None
    frequency: str
    freshness: str = "ok"


class Store:
    """A store (SQLite file or PostgreSQL database). Open with :meth:`open`; use as a context
    manager or call close()."""

    def __init__(self, conn: _Db, path: StoreLocation) -> None:
        self._conn = conn
        self.path = path
        self._errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError, *_pg_errors())

    @property
    def backend(self) -> str:
        """"sqlite" or "postgresql"."""
        return "postgresql" if isinstance(self._conn, _Pg) else "sqlite"

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Store:
        """Open (and with `create`, initialise) the store at `path`: a SQLite file path, or a
        ``postgresql://`` URL.

        Raises
        ------
        StoreError
            When the file is absent and `create` is False, or cannot be opened as a store.
        """
        if isinstance(path, StoreUrl) or is_store_url(path):
            return cls._open_pg(StoreUrl(str.__str__(path).strip()), create=create)
        path = Path(path).expanduser()
        if not path.exists():
            if not create:
                raise StoreError(f"store {path} does not exist")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of store {path}: {exc}") from exc
        deadline = time.monotonic() + _SQLITE_OPEN_WAIT_S
        pause = 0.05
        while True:
            conn = None
            try:
                conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA foreign_keys=ON")
                db = _Sqlite(conn)
                if create and str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                    conn.execute("PRAGMA journal_mode=WAL")
                version = cls._init_schema(db, create=create)
                break
            except sqlite3.OperationalError as exc:
                # Two processes creating one new store at once: switching it to WAL, or a
                # schema statement, can meet the other's lock with SQLite's deadlock rule
                # (SQLITE_BUSY at once, without waiting). Try again until the other is done.
                if conn is not None:
                    conn.close()
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise StoreError(f"store {path} is not a usable SQLite database: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise StoreError(f"store {path} stayed locked by another process for "
                                     f"{_SQLITE_OPEN_WAIT_S:.0f} s: {exc}") from exc
                time.sleep(pause)
                pause = min(pause * 2, 1.0)
            except sqlite3.DatabaseError as exc:
                if conn is not None:
                    conn.close()
                raise StoreError(f"store {path} is not a usable SQLite database: {exc}") from exc
        return cls._checked(db, path, version)

    @classmethod
    def _open_pg(cls, url: StoreUrl, *, create: bool) -> Store:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - psycopg is a dependency
            raise StoreError("a PostgreSQL store needs psycopg 3: pip install 'psycopg[binary]'") from exc
        try:
            conn = psycopg.connect(url.dsn, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to store {url}: {_pg_message(exc, url)}") from exc
        db = _Pg(conn)
        try:
            if create:
                # Two processes creating the schema at once would race on the catalogue.
                conn.execute("SELECT pg_advisory_lock(%s)", (_PG_WRITE_LOCK,))
                try:
                    version = cls._init_schema(db, create=True)
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_PG_WRITE_LOCK,))
            else:
                version = cls._init_schema(db, create=False)
        except psycopg.Error as exc:
            conn.close()
            raise StoreError(f"store {url} is not a usable store: {_pg_message(exc, url)}") from exc
        return cls._checked(db, url, version)

    @staticmethod
    def _init_schema(db: _Db, *, create: bool) -> Any:
        if create:
            db.executescript(_SCHEMA)
            db.execute(
                "INSERT INTO meta(key, value) VALUES ('schema_version', ?), ('revision', '0') "
                "ON CONFLICT(key) DO NOTHING",
                (str(SCHEMA_VERSION),),
            )
        return db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()

    @classmethod
    def _checked(cls, db: _Db, path: StoreLocation, version: Any) -> Store:
        if version is None or int(version[0]) != SCHEMA_VERSION:
            db.close()
            raise StoreError(
                f"store {path} has schema version {version[0] if version else 'none'}, "
                f"this version of the app reads {SCHEMA_VERSION}"
            )
        return cls(db, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[_Db]:
        conn = self._conn
        conn.begin_write()
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------
    def write(self, batches: Iterable[Batch], *, fetched_at: str | None = None) -> WriteResult:
        """Apply `batches` in ONE transaction: all of them land, or (on any error) none.

        Identical rows are left alone; rows whose value differs are replaced (a revision);
        new rows are inserted. Series metadata is created from the catalogue on first sight.
        """
        return sum(self.write_each(batches, fetched_at=fetched_at), WriteResult())

    def write_each(self, batches: Iterable[Batch], *, fetched_at: str | None = None) -> list[WriteResult]:
        """:meth:`write`, with the counts of each batch. `batches` may be a generator that
        parses as it goes (a streamed import): an exception it raises rolls the whole
        transaction back, so the store stays exactly as it was."""
        stamp = fetched_at or utc_now()
        results: list[WriteResult] = []
        dirty: set[str] = set()
        try:
            with self._transaction() as conn:
                for batch in batches:
                    result = self._write_observations(conn, batch, stamp, dirty)
                    result += self._write_cftc(conn, batch, stamp)
                    results.append(result)
                # Each touched series' columnar copy once, however many batches touched it.
                for series_id in sorted(dirty):
                    self._rebuild_cache(conn, series_id)
                if any(r.changed for r in results):
                    conn.execute(_BUMP_REVISION)
        except self._errors as exc:
            raise StoreError(f"writing to store {self.path} failed, nothing was written: {exc}") from exc
        return results

    def _write_observations(self, conn: _Db, batch: Batch, stamp: str, dirty: set[str]) -> WriteResult:
        obs = batch.observations
        if obs.empty:
            return WriteResult()
        values = obs["value"].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError(f"{batch.label or batch.source}: observations contain NaN or inf values")
        dates = np.datetime_as_string(pd.to_datetime(obs["date"]).to_numpy(dtype="datetime64[D]"), unit="D")
        frame = pd.DataFrame({"s": obs["series_id"].astype(str).to_numpy(), "d": dates,
                              "v": values})
        # A batch that lists one date twice keeps its last value, as a revised row would.
        frame = frame.drop_duplicates(["s", "d"], keep="last")
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_obs "
            "(series_id TEXT, date TEXT, value REAL, PRIMARY KEY (series_id, date)) WITHOUT ROWID"
        )
        conn.execute("DELETE FROM incoming_obs")
        conn.executemany("INSERT INTO incoming_obs VALUES (?, ?, ?)",
                         zip(frame["s"].tolist(), frame["d"].tolist(), frame["v"].tolist(), strict=True))
        n_in, matched, same = conn.execute(
            "SELECT (SELECT COUNT(*) FROM incoming_obs), COUNT(o.series_id), "
            "COALESCE(SUM(CASE WHEN o.value = i.value THEN 1 ELSE 0 END), 0) FROM incoming_obs i "
            "JOIN observations o ON o.series_id = i.series_id AND o.date = i.date"
        ).fetchone()
        conn.execute(
            "INSERT INTO observations(series_id, date, value, source, fetched_at) "
            "SELECT series_id, date, value, ?, ? FROM incoming_obs WHERE true "
            "ON CONFLICT(series_id, date) DO UPDATE SET value = excluded.value, "
            "source = excluded.source, fetched_at = excluded.fetched_at "
            "WHERE observations.value IS DISTINCT FROM excluded.value",
            (batch.source, stamp),
        )
        n_in, matched, same = int(n_in), int(matched), int(same)
        touched = sorted(set(obs["series_id"].astype(str)))
        for series_id in touched:
            self._ensure_series(conn, series_id, batch.source, batch.origin)
        if n_in != same:
            dirty.update(touched)
        return WriteResult(inserted=n_in - matched, updated=matched - same, unchanged=same)

    @staticmethod
    def _rebuild_cache(conn: _Db, series_id: str) -> None:
        rows = conn.execute(
            f"SELECT {conn.days_expr}, value FROM observations WHERE series_id = ? ORDER BY date",
            (series_id,)).fetchall()
        if not rows:
            conn.execute("DELETE FROM series_cache WHERE series_id = ?", (series_id,))
            return
        table = np.array(rows, dtype=float)
        days = np.rint(table[:, 0]).astype("<i4")
        vals = np.ascontiguousarray(table[:, 1], dtype="<f8")
        conn.execute(
            "INSERT INTO series_cache(series_id, n, days, vals) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(series_id) DO UPDATE SET n = excluded.n, days = excluded.days, "
            "vals = excluded.vals",
            (series_id, len(days), days.tobytes(), vals.tobytes()),
        )

    def _write_cftc(self, conn: _Db, batch: Batch, stamp: str) -> WriteResult:
        frame = batch.cftc
        if frame.empty:
            return WriteResult()
        dates = pd.to_datetime(frame["report_date"]).dt.strftime("%Y-%m-%d")
        numeric = frame[["long", "short", "spreading", "open_interest"]].astype(float)
        numeric = numeric.astype(object).where(numeric.notna(), None)
        rows = list(
            zip(
                dates.tolist(),
                frame["contract_code"].astype(str).tolist(),
                frame["trader_group"].astype(str).tolist(),
                *(numeric[c].tolist() for c in numeric.columns),
                strict=True,
            )
        )
        # One row per key, the last one winning (as a revised row would).
        rows = list({r[:3]: r for r in rows}.values())
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_cftc (report_date TEXT, contract_code TEXT, "
            "trader_group TEXT, long REAL, short REAL, spreading REAL, open_interest REAL, "
            "PRIMARY KEY (report_date, contract_code, trader_group)) WITHOUT ROWID"
        )
        conn.execute("DELETE FROM incoming_cftc")
        conn.executemany("INSERT INTO incoming_cftc VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        n_in, matched, same = conn.execute(
            "SELECT (SELECT COUNT(*) FROM incoming_cftc), COUNT(c.report_date), COALESCE(SUM("
            "CASE WHEN c.long IS NOT DISTINCT FROM i.long AND c.short IS NOT DISTINCT FROM i.short "
            "AND c.spreading IS NOT DISTINCT FROM i.spreading "
            "AND c.open_interest IS NOT DISTINCT FROM i.open_interest THEN 1 ELSE 0 END), 0) "
            "FROM incoming_cftc i JOIN cftc_positions c "
            "USING (report_date, contract_code, trader_group)"
        ).fetchone()
        n_in, matched, same = int(n_in), int(matched), int(same)
        conn.execute(
            "INSERT INTO cftc_positions SELECT report_date, contract_code, trader_group, long, "
            "short, spreading, open_interest, ?, ? FROM incoming_cftc WHERE true "
            "ON CONFLICT(report_date, contract_code, trader_group) DO UPDATE SET "
            "long = excluded.long, short = excluded.short, spreading = excluded.spreading, "
            "open_interest = excluded.open_interest, source = excluded.source, "
            "fetched_at = excluded.fetched_at WHERE NOT ("
            "cftc_positions.long IS NOT DISTINCT FROM excluded.long "
            "AND cftc_positions.short IS NOT DISTINCT FROM excluded.short "
            "AND cftc_positions.spreading IS NOT DISTINCT FROM excluded.spreading "
            "AND cftc_positions.open_interest IS NOT DISTINCT FROM excluded.open_interest)",
            (batch.source, stamp),
        )
        self._ensure_series(conn, CFTC_STATUS_ID, batch.source, batch.origin)
        return WriteResult(inserted=n_in - matched, updated=matched - same, unchanged=same)

    @staticmethod
    def _ensure_series(conn: _Db, series_id: str, source: str, origin: str) -> None:
        if series_id == CFTC_STATUS_ID:
            title, units, freq = "CFTC Traders in Financial Futures (6 Treasury futures)", "contracts", "weekly"
        else:
            entry = spec(series_id)
            title, units, freq = entry.title, entry.units, entry.frequency
        conn.execute(
            "INSERT INTO series(series_id, title, units, frequency, source, origin) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(series_id) DO UPDATE SET "
            "source = excluded.source, origin = CASE WHEN series.origin = 'live' "
            "THEN 'live' ELSE excluded.origin END",
            (series_id, title, units, freq, source, origin),
        )

    def record_refresh(
        self, series_id: str, *, source: str, ok: bool, error: str | None = None, at: str | None = None
    ) -> None:
        """Record a refresh attempt: success clears the last error, failure keeps the data."""
        stamp = at or utc_now()
        with self._transaction() as conn:
            self._ensure_series(conn, series_id, source, "live")
            if ok:
                conn.execute(
                    "UPDATE series SET last_refresh = ?, last_success = ?, last_error = NULL, "
                    "origin = 'live' WHERE series_id = ?",
                    (stamp, stamp, series_id),
                )
            else:
                conn.execute(
                    "UPDATE series SET last_refresh = ?, last_error = ? WHERE series_id = ?",
                    (stamp, error or "unknown error", series_id),
                )
            conn.execute(_BUMP_REVISION)

    # -- reading ---------------------------------------------------------------------------
    def revision(self) -> int:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0])

    def series_ids(self) -> list[str]:
        """Ids of the series with observations (from the cache; a scan of the rows only for a
        store whose cache was never built)."""
        ids = [r[0] for r in self._conn.execute("SELECT series_id FROM series_cache ORDER BY 1")]
        if ids or not self.has_observations():
            return ids
        rows = self._conn.execute("SELECT DISTINCT series_id FROM observations ORDER BY 1")
        return [r[0] for r in rows]

    def last_date(self, series_id: str) -> date | None:
        row = self._conn.execute(
            "SELECT MAX(date) FROM observations WHERE series_id = ?", (series_id,)
        ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def last_cftc_date(self) -> date | None:
        row = self._conn.execute("SELECT MAX(report_date) FROM cftc_positions").fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def has_observations(self) -> bool:
        obs = self._conn.execute("SELECT 1 FROM observations LIMIT 1").fetchone()
        pos = self._conn.execute("SELECT 1 FROM cftc_positions LIMIT 1").fetchone()
        return obs is not None or pos is not None

    def origin(self) -> str | None:
        """'live' if any series was refreshed from the network, 'imported' if data came only
        from files, None for an empty store."""
        if not self.has_observations():
            return None
        live = self._conn.execute(
            "SELECT 1 FROM series WHERE origin = 'live' AND last_success IS NOT NULL LIMIT 1"
        ).fetchone()
        return "live" if live else "imported"

    def read_series(
        self, series_ids: Sequence[str] | None = None, *, start: str | None = None, end: str | None = None
    ) -> pd.DataFrame:
        """Wide frame: DatetimeIndex "date" (ascending), one float column per requested series
        (all stored series when None; a requested series with no rows is an all-NaN column)."""
        wanted = list(dict.fromkeys(series_ids)) if series_ids is not None else self.series_ids()
        columns: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for sid, n, days, vals in self._conn.execute(
                f"SELECT series_id, n, days, vals FROM series_cache WHERE series_id IN ({marks})", chunk
            ):
                columns[sid] = (np.frombuffer(days, dtype="<i4", count=n),
                                np.frombuffer(vals, dtype="<f8", count=n))
        for sid in wanted:  # no cache row (a store written by an older build): read the rows
            if sid not in columns:
                rows = self._conn.execute(
                    "SELECT date, value FROM observations WHERE series_id = ? ORDER BY date", (sid,)
                ).fetchall()
                if rows:
                    dates, values = zip(*rows, strict=True)
                    columns[sid] = (np.array(dates, dtype="datetime64[D]").astype("<i4"),
                                    np.asarray(values, dtype=float))
        present = [sid for sid in wanted if sid in columns]
        all_days = (np.unique(np.concatenate([columns[s][0] for s in present]))
                    if present else np.empty(0, dtype="<i4"))
        if start:
            all_days = all_days[all_days >= np.datetime64(start, "D").astype("<i4")]
        if end:
            all_days = all_days[all_days <= np.datetime64(end, "D").astype("<i4")]
        dense = np.full((len(all_days), len(wanted)), np.nan)
        for j, sid in enumerate(wanted):
            if sid not in columns:
                continue
            days, vals = columns[sid]
            pos = np.searchsorted(all_days, days)
            ok = (pos < len(all_days)) & (all_days[np.minimum(pos, len(all_days) - 1)] == days) \
                if len(all_days) else np.zeros(len(days), dtype=bool)
            dense[pos[ok], j] = vals[ok]
        index = pd.DatetimeIndex(all_days.astype("datetime64[D]").astype("datetime64[ns]"), name="date")
        return pd.DataFrame(dense, index=index, columns=wanted)

    def read_cftc(self, *, start: str | None = None) -> pd.DataFrame:
        """CFTC positions in the long form of :data:`data.model.CFTC_COLUMNS`."""
        sql = f"SELECT {', '.join(CFTC_COLUMNS)} FROM cftc_positions"
        params: list[str] = []
        if start:
            sql += " WHERE report_date >= ?"
            params.append(start)
        rows = self._conn.execute(
            sql + " ORDER BY report_date, contract_code, trader_group", params).fetchall()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=list(CFTC_COLUMNS))
        frame["report_date"] = pd.to_datetime(frame["report_date"], format="%Y-%m-%d")
        for col in ("long", "short", "spreading", "open_interest"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
        return frame

    def status(self, *, today: date | None = None) -> list[SeriesStatus]:
        """Per series: source, first/last date, rows, refresh history and staleness."""
        today = today or datetime.now(UTC).date()
        stats = {}
        for sid, n, days in self._conn.execute("SELECT series_id, n, days FROM series_cache"):
            ends = np.frombuffer(days, dtype="<i4", count=n)[[0, -1]].astype("datetime64[D]")
            stats[sid] = (str(ends[0]), str(ends[1]), n)
        for sid in [s for s in self.series_ids() if s not in stats]:
            stats[sid] = self._conn.execute(
                "SELECT MIN(date), MAX(date), COUNT(*) FROM observations WHERE series_id = ?", (sid,)
            ).fetchone()
        cftc = self._conn.execute(
            "SELECT MIN(report_date), MAX(report_date), COUNT(*) FROM cftc_positions"
        ).fetchone()
        if cftc and cftc[2]:
            stats[CFTC_STATUS_ID] = (cftc[0], cftc[1], cftc[2])
        meta = {
            r[0]: r[1:]
            for r in self._conn.execute(
                "SELECT series_id, title, source, origin, last_refresh, last_success, last_error, "
                "frequency FROM series"
            )
        }
        out = []
        for sid in sorted(set(stats) | set(meta)):
            first, last, rows = stats.get(sid, (None, None, 0))
            title, source, origin, refresh, success, error, freq = meta.get(
                sid, (spec(sid).title, "", "", None, None, None, spec(sid).frequency)
            )
            age = (today - date.fromisoformat(last)).days if last else None
            stale, label = freshness(sid, freq, last, today)
            out.append(
                SeriesStatus(sid, title, source, origin or "", first, last, int(rows), refresh,
                             success, error, stale, age, freq, label)
            )
        return out

    # -- leases: one writer at a time across processes and replicas -------------------------
    def _lease_try(self, name: str, owner: str, kind: str, ttl_s: float) -> tuple[str, str, str] | None:
        """Take the lease if free (or expired); None when taken, else the holder's
        (owner, kind, acquired_at)."""
        now = time.time()
        with self._transaction() as conn:
            conn.execute("DELETE FROM leases WHERE name = ? AND expires_at < ?", (name, now))
            conn.execute(
                "INSERT INTO leases(name, owner, kind, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(name) DO NOTHING",
                (name, owner, kind, utc_now(), now + ttl_s),
            )
            row = conn.execute("SELECT owner, kind, acquired_at FROM leases WHERE name = ?",
                               (name,)).fetchone()
        if row is None or row[0] == owner:
            return None
        return str(row[0]), str(row[1]), str(row[2])

    def _lease_renew(self, name: str, owner: str, ttl_s: float) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ?",
                         (time.time() + ttl_s, name, owner))

    def _lease_release(self, name: str, owner: str) -> None:
        with self._transaction() as conn:
            conn.execute("DELETE FROM leases WHERE name = ? AND owner = ?", (name, owner))

    def lease_holder(self, name: str = "writer") -> str | None:
        """Who holds lease `name` ("a refresh (pid 12 on host, since ...)"), None when free."""
        try:
            row = self._conn.execute(
                "SELECT owner, kind, acquired_at FROM leases WHERE name = ? AND expires_at >= ?",
                (name, time.time())).fetchone()
        except self._errors:  # a store from before leases (opened read-only): nobody holds one
            return None
        return None if row is None else _describe_holder(str(row[0]), str(row[1]), str(row[2]))

    @contextmanager
    def lease(self, name: str = "writer", *, kind: str, wait_s: float = 0.0,
              ttl_s: float = LEASE_TTL_S, poll_s: float = 0.25,
              on_wait: Any = None) -> Iterator[str]:
        """Hold the lease `name` for the duration of the block (one holder across processes).

        Parameters
        ----------
        kind : what the holder does ("refresh", "import"), shown to whoever waits.
        wait_s : seconds to wait for a busy lease before raising :class:`LeaseHeld`.
        ttl_s : lifetime without renewal; a heartbeat thread renews it every ``ttl_s / 3``.
        on_wait : called once with the holder's description when the lease is busy.

        Yields
        ------
        str
            This holder's owner id.
        """
        owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                holder = self._lease_try(name, owner, kind, ttl_s)
            except self._errors as exc:
                raise StoreError(f"store {self.path}: cannot take the {name} lease: {exc}") from exc
            if holder is None:
                break
            described = _describe_holder(*holder)
            if time.monotonic() >= deadline:
                raise LeaseHeld(f"{described} is already writing to store {self.path}",
                                holder=holder[1])
            if not told and on_wait is not None:
                on_wait(described)
                told = True
            time.sleep(min(poll_s, max(deadline - time.monotonic(), 0.0)))
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(name, owner, ttl_s, stop),
                                name=f"tsm-lease-{name}", daemon=True)
        beat.start()
        try:
            yield owner
        finally:
            stop.set()
            beat.join(timeout=5)
            try:
                self._lease_release(name, owner)
            except self._errors:
                pass  # it expires by itself

    def _heartbeat(self, name: str, owner: str, ttl_s: float, stop: threading.Event) -> None:
        try:
            other = Store.open(self.path, create=False)
        except StoreError:
            return
        with other:
            while not stop.wait(ttl_s / 3):
                try:
                    other._lease_renew(name, owner, ttl_s)
                except other._errors:
                    continue

    # -- notes: small state in the meta table (refresh progress), not data --------------------
    def set_note(self, key: str, value: str) -> None:
        """Keep `value` under `key` (no revision bump: it is not data)."""
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (f"note:{key}", value))
        except self._errors as exc:
            raise StoreError(f"store {self.path}: cannot write note {key}: {exc}") from exc

    def get_note(self, key: str) -> str | None:
        """The note under `key`, or None."""
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (f"note:{key}",)).fetchone()
        return None if row is None else str(row[0])

    # -- uploaded portfolio books ------------------------------------------------------------
    def put_book(self, key: str, source: str, text: str) -> None:
        """Keep an uploaded book under `key` (its content hash); the oldest beyond
        :data:`MAX_STORED_BOOKS` are dropped. Does not change the data revision."""
        try:
            with self._transaction() as conn:
                conn.execute(
                    "INSERT INTO books(book_key, source, text, stored_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(book_key) DO UPDATE SET source = excluded.source, "
                    "stored_at = excluded.stored_at",
                    (key, source, text, utc_now()),
                )
                conn.execute(
                    "DELETE FROM books WHERE book_key NOT IN (SELECT book_key FROM books "
                    "ORDER BY stored_at DESC, book_key LIMIT ?)", (MAX_STORED_BOOKS,))
        except self._errors as exc:
            raise StoreError(f"store {self.path}: cannot keep the uploaded book: {exc}") from exc

    def get_book(self, key: str) -> tuple[str, str] | None:
        """(source, text) of the book stored under `key`, or None."""
        try:
            row = self._conn.execute("SELECT source, text FROM books WHERE book_key = ?",
                                     (key,)).fetchone()
        except self._errors as exc:  # a store from before books were kept
            raise StoreError(f"store {self.path}: cannot read uploaded books: {exc}") from exc
        return None if row is None else (str(row[0]), str(row[1]))

    # -- copying (migration SQLite -> PostgreSQL) --------------------------------------------
    def copy_to(self, target: Store) -> dict[str, int]:
        """Copy every table of this store into `target` (which should be empty) in one
        transaction of the target; returns rows copied per table."""
        tables = {
            "observations": "series_id, date, value, source, fetched_at",
            "series": "series_id, title, units, frequency, source, origin, last_refresh, "
                      "last_success, last_error",
            "series_cache": "series_id, n, days, vals",
            "cftc_positions": "report_date, contract_code, trader_group, long, short, spreading, "
                              "open_interest, source, fetched_at",
            "books": "book_key, source, text, stored_at",
        }
        if target.has_observations():
            raise StoreError(f"store {target.path} already holds data; migrate into an empty store")
        counts: dict[str, int] = {}
        try:
            with target._transaction() as conn:
                for table, columns in tables.items():
                    marks = ", ".join("?" * len(columns.split(",")))
                    rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                            for r in self._conn.execute(f"SELECT {columns} FROM {table}")]
                    conn.execute(f"DELETE FROM {table}")
                    if rows:
                        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
                    counts[table] = len(rows)
                conn.execute("UPDATE meta SET value = ? WHERE key = 'revision'",
                             (str(self.revision()),))
        except self._errors as exc:
            raise StoreError(f"copying into store {target.path} failed, nothing was written: {exc}") from exc
        return counts


def _describe_holder(owner: str, kind: str, acquired_at: str) -> str:
    host, _, rest = owner.partition(":")
    pid = rest.split(":")[0]
    return f"a {kind} (pid {pid} on {host}, since {acquired_at})"

