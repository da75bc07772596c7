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

Writes are transactional and idempotent: :meth:`Store.write` applies a list of batches in one
transaction; re-writing identical data changes nothing; a revised value replaces the old one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from data.catalogue import freshness, spec
from data.model import CFTC_COLUMNS, Batch

__all__ = ["SCHEMA_VERSION", "Store", "StoreError", "WriteResult", "SeriesStatus", "utc_now"]

SCHEMA_VERSION = 1

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
"""

#: Pseudo series id under which CFTC refreshes record their status.
CFTC_STATUS_ID = "CFTC_TFF"


class StoreError(RuntimeError):
    """The store file cannot be opened or written; the message says which file and why."""


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
    """A SQLite store file. Open with :meth:`open`; use as a context manager or call close()."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Store:
        """Open (and with `create`, initialise) the store at `path`.

        Raises
        ------
        StoreError
            When the file is absent and `create` is False, or cannot be opened as SQLite.
        """
        path = Path(path).expanduser()
        if not path.exists():
            if not create:
                raise StoreError(f"store {path} does not exist")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of store {path}: {exc}") from exc
        try:
            conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            conn.execute("PRAGMA foreign_keys=ON")
            if create:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
                conn.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?), "
                    "('revision', '0')",
                    (str(SCHEMA_VERSION),),
                )
            version = conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store {path} is not a usable SQLite database: {exc}") from exc
        if version is None or int(version[0]) != SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"store {path} has schema version {version[0] if version else 'none'}, "
                f"this version of the app reads {SCHEMA_VERSION}"
            )
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    # -- writing ---------------------------------------------------------------------------
    def write(self, batches: Sequence[Batch], *, fetched_at: str | None = None) -> WriteResult:
        """Apply `batches` in ONE transaction: all of them land, or (on any error) none.

        Identical rows are left alone; rows whose value differs are replaced (a revision);
        new rows are inserted. Series metadata is created from the catalogue on first sight.
        """
        stamp = fetched_at or utc_now()
        total = WriteResult()
        try:
            with self._transaction() as conn:
                for batch in batches:
                    total += self._write_observations(conn, batch, stamp)
                    total += self._write_cftc(conn, batch, stamp)
                if total.changed:
                    conn.execute(
                        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
                    )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"writing to store {self.path} failed, nothing was written: {exc}") from exc
        return total

    def _write_observations(self, conn: sqlite3.Connection, batch: Batch, stamp: str) -> WriteResult:
        obs = batch.observations
        if obs.empty:
            return WriteResult()
        values = obs["value"].to_numpy(dtype=float)
        if not np.isfinite(values).all():
            raise ValueError(f"{batch.label or batch.source}: observations contain NaN or inf values")
        dates = pd.to_datetime(obs["date"]).dt.strftime("%Y-%m-%d")
        rows = list(zip(obs["series_id"].astype(str).tolist(), dates.tolist(), values.tolist(), strict=True))
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_obs "
            "(series_id TEXT, date TEXT, value REAL, PRIMARY KEY (series_id, date)) WITHOUT ROWID"
        )
        conn.execute("DELETE FROM incoming_obs")
        # A batch that lists one date twice keeps its last value, as a revised row would.
        conn.executemany("INSERT OR REPLACE INTO incoming_obs VALUES (?, ?, ?)", rows)
        n_in, matched, same = conn.execute(
            "SELECT (SELECT COUNT(*) FROM incoming_obs), COUNT(o.series_id), "
            "COALESCE(SUM(o.value = i.value), 0) FROM incoming_obs i "
            "JOIN observations o ON o.series_id = i.series_id AND o.date = i.date"
        ).fetchone()
        conn.execute(
            "INSERT INTO observations(series_id, date, value, source, fetched_at) "
            "SELECT series_id, date, value, ?, ? FROM incoming_obs WHERE true "
            "ON CONFLICT(series_id, date) DO UPDATE SET value = excluded.value, "
            "source = excluded.source, fetched_at = excluded.fetched_at "
            "WHERE observations.value IS NOT excluded.value",
            (batch.source, stamp),
        )
        touched = sorted(set(obs["series_id"].astype(str)))
        for series_id in touched:
            self._ensure_series(conn, series_id, batch.source, batch.origin)
        if n_in != same:
            for series_id in touched:
                self._rebuild_cache(conn, series_id)
        return WriteResult(inserted=n_in - matched, updated=matched - same, unchanged=same)

    @staticmethod
    def _rebuild_cache(conn: sqlite3.Connection, series_id: str) -> None:
        rows = conn.execute(
            "SELECT date, value FROM observations WHERE series_id = ? ORDER BY date", (series_id,)
        ).fetchall()
        if not rows:
            conn.execute("DELETE FROM series_cache WHERE series_id = ?", (series_id,))
            return
        dates, values = zip(*rows, strict=True)
        days = np.array(dates, dtype="datetime64[D]").astype("<i4")
        vals = np.asarray(values, dtype="<f8")
        conn.execute(
            "INSERT OR REPLACE INTO series_cache(series_id, n, days, vals) VALUES (?, ?, ?, ?)",
            (series_id, len(days), days.tobytes(), vals.tobytes()),
        )

    def _write_cftc(self, conn: sqlite3.Connection, batch: Batch, stamp: str) -> WriteResult:
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
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_cftc (report_date TEXT, contract_code TEXT, "
            "trader_group TEXT, long REAL, short REAL, spreading REAL, open_interest REAL, "
            "PRIMARY KEY (report_date, contract_code, trader_group)) WITHOUT ROWID"
        )
        conn.execute("DELETE FROM incoming_cftc")
        conn.executemany("INSERT OR REPLACE INTO incoming_cftc VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        n_in, matched, same = conn.execute(
            "SELECT (SELECT COUNT(*) FROM incoming_cftc), COUNT(c.report_date), COALESCE(SUM("
            "c.long IS i.long AND c.short IS i.short AND c.spreading IS i.spreading "
            "AND c.open_interest IS i.open_interest), 0) FROM incoming_cftc i JOIN cftc_positions c "
            "USING (report_date, contract_code, trader_group)"
        ).fetchone()
        conn.execute(
            "INSERT INTO cftc_positions SELECT report_date, contract_code, trader_group, long, "
            "short, spreading, open_interest, ?, ? FROM incoming_cftc WHERE true "
            "ON CONFLICT(report_date, contract_code, trader_group) DO UPDATE SET "
            "long = excluded.long, short = excluded.short, spreading = excluded.spreading, "
            "open_interest = excluded.open_interest, source = excluded.source, "
            "fetched_at = excluded.fetched_at WHERE NOT (cftc_positions.long IS excluded.long "
            "AND cftc_positions.short IS excluded.short "
            "AND cftc_positions.spreading IS excluded.spreading "
            "AND cftc_positions.open_interest IS excluded.open_interest)",
            (batch.source, stamp),
        )
        self._ensure_series(conn, CFTC_STATUS_ID, batch.source, batch.origin)
        return WriteResult(inserted=n_in - matched, updated=matched - same, unchanged=same)

    @staticmethod
    def _ensure_series(conn: sqlite3.Connection, series_id: str, source: str, origin: str) -> None:
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
            conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")

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
        frame = pd.read_sql_query(sql + " ORDER BY report_date, contract_code, trader_group",
                                  self._conn, params=params)
        frame["report_date"] = pd.to_datetime(frame["report_date"], format="%Y-%m-%d")
        for col in ("long", "short", "spreading", "open_interest"):
            frame[col] = frame[col].astype(float)
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
