"""The runs API's job state, durable: what each job started over HTTP is doing, and how
to start it again, in ``control.sqlite`` or, with ``WARDFLOW_DATABASE_URL``, in Postgres.

A job is recorded ``queued`` before its work is handed to the server's thread pool,
``running`` when a worker takes it, and ``finished`` or ``failed`` at its end, with the
JSON ``spec`` the server needs to start its work again. A server that stops (a deploy,
a crash) leaves its unfinished jobs behind; when it starts again it takes back the jobs
its ``owner`` name recorded and runs them: a run that had started continues from its
checkpoint under the same thread id (the ERP posts once per idempotency key), and the
jobs' states stay readable through the API. Servers sharing a database each take back
only their own jobs (the owner names the host and the data home).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Index, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend

__all__ = ["JobRecord", "JobStore", "PostgresJobStore", "SqliteJobStore", "server_owner"]

_TABLES = (
    Table("api_jobs", (
        Column("thread_id"), Column("owner", not_null=True),
        Column("batch", not_null=True), Column("submitted_by", not_null=True),
        Column("state", not_null=True), Column("error"), Column("note", not_null=True),
        Column("spec", not_null=True), Column("queued_at", "real", not_null=True),
        Column("updated_at", not_null=True),
    ), primary_key=("thread_id",), indexes=(Index("api_jobs_active", ("owner", "state")),)),
)
_COLUMNS = "thread_id, owner, batch, submitted_by, state, error, note, spec, queued_at"
ACTIVE = ("queued", "running")


def server_owner(home: Path) -> str:
    """The owner name of this machine's server on the data home ``home``."""
    return f"{socket.gethostname()}:{home.resolve()}"


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One job as stored: ``batch`` groups the threads one piece of work runs; ``spec``
    (JSON) says how to start that work again."""

    thread_id: str
    owner: str
    batch: str
    submitted_by: str
    state: str
    error: str | None
    note: str
    spec: str
    queued_at: float


@runtime_checkable
class JobStore(Protocol):
    """Where the runs API keeps its jobs. Backends: :class:`SqliteJobStore` and
    :class:`PostgresJobStore`; ``wardflow.testing.JobStoreConformance`` is what any
    backend must pass."""

    def put(self, jobs: Sequence[JobRecord]) -> None:
        """Record new jobs (a thread submitted again replaces its old, ended job)."""
        ...

    def mark(self, thread_ids: Sequence[str], state: str) -> None:
        """Set the state of jobs (``running``)."""
        ...

    def finish(self, thread_id: str, state: str, error: str | None, note: str) -> None:
        """Record how a job ended (``finished`` or ``failed``)."""
        ...

    def get(self, thread_id: str) -> JobRecord | None:
        """The thread's job, or ``None``."""
        ...

    def unfinished(self, owner: str | None = None) -> list[JobRecord]:
        """``owner``'s queued and running jobs (every server's: ``None``), in the order
        they were queued."""
        ...

    def prune(self, keep: int) -> int:
        """Forget the oldest ended jobs beyond the latest ``keep``; returns how many."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _JobSql(StoreBackend):
    """The job store's SQL, which SQLite and Postgres both accept."""

    def put(self, jobs: Sequence[JobRecord]) -> None:
        now = self._clock().isoformat()
        with self._write() as conn:
            conn.executemany(
                f"INSERT INTO api_jobs ({_COLUMNS}, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (thread_id) DO UPDATE SET owner = excluded.owner,"
                " batch = excluded.batch, submitted_by = excluded.submitted_by,"
                " state = excluded.state, error = excluded.error, note = excluded.note,"
                " spec = excluded.spec, queued_at = excluded.queued_at,"
                " updated_at = excluded.updated_at",
                [(j.thread_id, j.owner, j.batch, j.submitted_by, j.state, j.error, j.note,
                  j.spec, j.queued_at, now) for j in jobs])

    def mark(self, thread_ids: Sequence[str], state: str) -> None:
        now = self._clock().isoformat()
        with self._write() as conn:
            conn.executemany("UPDATE api_jobs SET state = ?, updated_at = ? WHERE thread_id = ?",
                             [(state, now, t) for t in thread_ids])

    def finish(self, thread_id: str, state: str, error: str | None, note: str) -> None:
        with self._write() as conn:
            conn.execute("UPDATE api_jobs SET state = ?, error = ?, note = ?, updated_at = ?"
                         " WHERE thread_id = ?",
                         (state, error, note, self._clock().isoformat(), thread_id))

    def get(self, thread_id: str) -> JobRecord | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM api_jobs WHERE thread_id = ?",
                               (thread_id,)).fetchone()
        return None if row is None else JobRecord(*row)

    def unfinished(self, owner: str | None = None) -> list[JobRecord]:
        mine = "" if owner is None else "owner = ? AND "
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM api_jobs WHERE {mine}state IN"
                                " ('queued', 'running') ORDER BY queued_at, thread_id",
                                () if owner is None else (owner,)).fetchall()
        return [JobRecord(*row) for row in rows]

    def prune(self, keep: int) -> int:
        with self._write() as conn:
            return int(conn.execute(
                "DELETE FROM api_jobs WHERE state NOT IN ('queued', 'running') AND queued_at <"
                " (SELECT MIN(queued_at) FROM (SELECT queued_at FROM api_jobs WHERE state NOT IN"
                " ('queued', 'running') ORDER BY queued_at DESC LIMIT ?) AS kept)",
                (keep,)).rowcount)


class SqliteJobStore(_JobSql, SqliteStore):
    """The jobs in a SQLite file (``control.sqlite``).

    Args:
        path: the SQLite file, or ``":memory:"``.
        busy_timeout_s: how long a write waits for another process's lock.
        clock: the time recorded with each change.
    """

    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock,
                         busy_timeout_s=busy_timeout_s)


class PostgresJobStore(_JobSql, PostgresStore):
    """The jobs in Postgres, beside the other shared stores.

    Args:
        url: a ``postgres://`` URL.
        retry_s: how long a write waits for a database that went away.
        clock: the time recorded with each change.
    """

    def __init__(self, url: str, *, retry_s: float = 30.0,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(url, schema=render("postgres", _TABLES), lock_name="wardflow.jobs",
                         now=clock, retry_s=retry_s)

    def mark(self, thread_ids: Sequence[str], state: str) -> None:
        mark = super().mark  # idempotent, as are put and finish
        self._retry(lambda: mark(thread_ids, state))

    def finish(self, thread_id: str, state: str, error: str | None, note: str) -> None:
        finish = super().finish
        self._retry(lambda: finish(thread_id, state, error, note))
