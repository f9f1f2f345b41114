"""Where drift monitoring keeps its observations, alerts and baseline (part of
:mod:`wardflow.observability.drift`): ``home/drift.sqlite`` with the baseline in
``home/drift-baseline.json``, or tables in Postgres shared by every machine.

Observations are numbered in their write transaction (``seq``: the order among runs
with the same timestamp), so neither database needs a serial column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Index, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend

__all__ = ["DriftStore", "PostgresDriftStore", "SqliteDriftStore"]

_TABLES = (
    Table("observations", (
        Column("seq", "integer"), Column("thread_id", not_null=True, unique=True),
        Column("ts", not_null=True), Column("data", not_null=True),
        Column("flagged", "integer", not_null=True),
    ), primary_key=("seq",), indexes=(Index("observations_ts", ("ts", "seq")),)),
    Table("alerts", (Column("kind", not_null=True), Column("ts", not_null=True),
                     Column("reason", not_null=True)), primary_key=()),
)
_BASELINES = Table("drift_baselines", (
    Column("name"), Column("saved_at", not_null=True), Column("data", not_null=True),
), primary_key=("name",))


@runtime_checkable
class DriftStore(Protocol):
    """Observations (one per run, as JSON), raised alerts and the saved baseline.

    Backends: :class:`SqliteDriftStore` and :class:`PostgresDriftStore`;
    ``wardflow.testing.DriftStoreConformance`` is what any backend must pass.
    """

    def ready(self) -> None:
        """Open the store now (creating its tables), rather than on first use."""
        ...

    def add(self, thread_id: str, ts: str, data: str, flagged: bool) -> bool:
        """Store a run's observation; ``False`` if the run was observed before."""
        ...

    def thread_ids(self) -> set[str]:
        """The runs observed."""
        ...

    def rows(self, *, since: str | None = None, until: str | None = None,
             last: int | None = None) -> list[str]:
        """Observations (their JSON) oldest first: with ``since <= ts < until``, or
        the last ``last``."""
        ...

    def flagged_since(self, ts: str) -> int:
        """How many runs the guards flagged at or after ``ts``."""
        ...

    def latest_flags(self, count: int) -> list[tuple[int, str]]:
        """(flagged, ts) of the latest ``count`` runs, newest first."""
        ...

    def forget(self, thread_ids: Sequence[str]) -> int:
        """Remove these runs' observations (an erasure); returns how many."""
        ...

    def last_alert(self, kind: str) -> str | None:
        """When an alert of ``kind`` was last raised."""
        ...

    def add_alert(self, kind: str, ts: str, reason: str) -> None:
        """Remember a raised alert."""
        ...

    def put_baseline(self, data: str) -> Path | str:
        """Save the baseline (JSON); returns where it went."""
        ...

    def get_baseline(self) -> tuple[str, str] | None:
        """(name, JSON) of the saved baseline, or ``None``."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _DriftSql(StoreBackend):
    """The drift store's SQL, which SQLite and Postgres both accept."""

    def ready(self) -> None:
        with self._read():
            pass

    def add(self, thread_id: str, ts: str, data: str, flagged: bool) -> bool:
        with self._write() as conn:
            # WHERE: SQLite's parser needs it between an INSERT's SELECT and ON CONFLICT.
            return bool(conn.execute(
                "INSERT INTO observations (seq, thread_id, ts, data, flagged)"
                " SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM observations WHERE 1 = 1"
                " ON CONFLICT (thread_id) DO NOTHING",
                (thread_id, ts, data, int(flagged))).rowcount > 0)

    def thread_ids(self) -> set[str]:
        with self._read() as conn:
            return {row[0] for row in conn.execute("SELECT thread_id FROM observations")}

    def rows(self, *, since: str | None = None, until: str | None = None,
             last: int | None = None) -> list[str]:
        where, args = ["1 = 1"], []
        if since:
            where.append("ts >= ?")
            args.append(since)
        if until:
            where.append("ts < ?")
            args.append(until)
        order = "ts, seq" if last is None else f"ts DESC, seq DESC LIMIT {last:d}"
        with self._read() as conn:
            found = [row[0] for row in conn.execute(
                f"SELECT data FROM observations WHERE {' AND '.join(where)} ORDER BY {order}",
                args).fetchall()]
        return found[::-1] if last is not None else found

    def flagged_since(self, ts: str) -> int:
        with self._read() as conn:
            [count] = conn.execute("SELECT COUNT(*) FROM observations WHERE flagged = 1"
                                   " AND ts >= ?", (ts,)).fetchone()
        return int(count)

    def latest_flags(self, count: int) -> list[tuple[int, str]]:
        with self._read() as conn:
            rows = conn.execute("SELECT flagged, ts FROM observations"
                                " ORDER BY ts DESC, seq DESC LIMIT ?", (count,)).fetchall()
        return [(int(flagged), str(ts)) for flagged, ts in rows]

    def forget(self, thread_ids: Sequence[str]) -> int:
        with self._write() as conn:
            return sum(conn.execute("DELETE FROM observations WHERE thread_id = ?",
                                    (thread,)).rowcount for thread in thread_ids)

    def last_alert(self, kind: str) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT MAX(ts) FROM alerts WHERE kind = ?", (kind,)).fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def add_alert(self, kind: str, ts: str, reason: str) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO alerts VALUES (?,?,?)", (kind, ts, reason))


class SqliteDriftStore(_DriftSql, SqliteStore):
    """Observations in ``home/drift.sqlite`` (opened on first use: most workspaces never
    record a run, and again after :meth:`close`), the baseline in a JSON file.

    Args:
        path: the SQLite file, or ``":memory:"``.
        baseline: the baseline file.
        busy_timeout_s: how long a write waits for another process's lock.
    """

    def __init__(self, path: Path | str, *, baseline: Path, busy_timeout_s: float = 30.0,
                 now: Callable[[], datetime] = utc_now) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=now,
                         busy_timeout_s=busy_timeout_s, lazy=True)
        self._baseline = baseline

    def put_baseline(self, data: str) -> Path:
        self._baseline.parent.mkdir(parents=True, exist_ok=True)
        self._baseline.write_text(data)
        return self._baseline

    def get_baseline(self) -> tuple[str, str] | None:
        try:
            return self._baseline.name, self._baseline.read_text()
        except FileNotFoundError:
            return None


class PostgresDriftStore(_DriftSql, PostgresStore):
    """Observations, alerts and the baseline in Postgres, shared by every machine.

    Args:
        url: a ``postgres://`` URL.
        retry_s: how long a write waits for a database that went away.
    """

    def __init__(self, url: str, *, retry_s: float = 30.0,
                 now: Callable[[], datetime] = utc_now) -> None:
        super().__init__(url, schema=render("postgres", (*_TABLES, _BASELINES)),
                         lock_name="wardflow.drift", now=now, retry_s=retry_s)

    def add(self, thread_id: str, ts: str, data: str, flagged: bool) -> bool:
        add = super().add  # idempotent: the run's row is there or it is not
        return self._retry(lambda: add(thread_id, ts, data, flagged))

    def put_baseline(self, data: str) -> str:
        def put() -> None:
            with self._write() as conn:
                conn.execute("INSERT INTO drift_baselines VALUES ('default', ?, ?)"
                             " ON CONFLICT (name) DO UPDATE SET saved_at = excluded.saved_at,"
                             " data = excluded.data", (self._clock().isoformat(), data))

        self._retry(put)
        return "the database (drift_baselines)"

    def get_baseline(self) -> tuple[str, str] | None:
        with self._read() as conn:
            row = conn.execute("SELECT data FROM drift_baselines WHERE name = 'default'"
                               ).fetchone()
        return None if row is None else ("drift_baselines", str(row[0]))
