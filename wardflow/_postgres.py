"""Postgres for the embedded stores (ERP, audit log, event ledger): a small dialect layer.

The stores are written against the part of :mod:`sqlite3` they use (``execute``,
``executemany``, ``?`` placeholders, ``rowcount``, ``fetchone``/``fetchall``, and the
``BEGIN IMMEDIATE`` ... ``COMMIT`` of :func:`wardflow._sqlite.write_transaction`).
:class:`Connection` speaks that subset on a psycopg connection, so each store keeps one
body of SQL and only its schema differs per backend. It translates:

- placeholders: ``?`` becomes ``%s`` (and a literal ``%`` becomes ``%%``);
- locking: ``BEGIN IMMEDIATE`` (SQLite's database write lock, taken up front) becomes
  ``BEGIN`` plus a transaction-level advisory lock named for the store, so that
  read-then-write transactions (the audit chain's read-last-hash-then-append) are
  serialized across processes and released by ``COMMIT`` or ``ROLLBACK``;
- errors: psycopg errors become the :mod:`sqlite3` exceptions the stores already
  catch (a lost connection is :class:`ConnectionLost`, an ``OperationalError``).

Upserts are written as ``INSERT ... ON CONFLICT (...) DO ...``, which both databases
accept; serial ids are not needed (the audit log numbers its records itself).

A database that goes away (a restart) is waited for: an idle connection found broken
is replaced, and :func:`retry` re-runs a whole store operation that lost its
connection mid-way, until ``retry_s`` has passed. The operations wrapped are
idempotent (unique keys), so a retry after an unacknowledged commit is harmless.
psycopg is imported only here, when a ``postgres://`` URL is configured.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from wardflow._sqlite import utc_now, write_transaction
from wardflow._store import StoreBackend
from wardflow.errors import ConfigError

if TYPE_CHECKING:
    import psycopg

__all__ = ["Connection", "ConnectionLost", "PostgresStore", "connect", "is_postgres_url",
           "redact_url", "retry"]

log = logging.getLogger(__name__)

T = TypeVar("T")

_SCHEMES = ("postgres://", "postgresql://")
# ``?`` outside single-quoted literals (the stores never put one inside a literal, but a
# translation that is wrong only sometimes would be worse than none).
_TOKENS = re.compile(r"'(?:[^']|'')*'|\?|%")


class ConnectionLost(sqlite3.OperationalError):
    """The database connection broke (server restart, network); a retry may succeed."""


def is_postgres_url(value: str | None) -> bool:
    return bool(value) and str(value).startswith(_SCHEMES)


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _translate(sql: str) -> str:
    def token(match: re.Match[str]) -> str:
        text = match.group(0)
        if text == "?":
            return "%s"
        if text == "%":
            return "%%"
        return text

    return _TOKENS.sub(token, sql)


def _import_psycopg() -> Any:
    try:
        import psycopg
    except ImportError as err:
        raise ConfigError("a postgres:// database needs `pip install 'wardflow[postgres]'`"
                          ) from err
    return psycopg


class Connection:
    """A psycopg connection that speaks the :mod:`sqlite3` subset the stores use.

    Args:
        url: a ``postgres://`` URL.
        lock_name: names the advisory lock ``BEGIN IMMEDIATE`` takes (one per store).
        retry_s: how long to keep trying to (re)connect.
    """

    def __init__(self, url: str, *, lock_name: str, retry_s: float = 30.0) -> None:
        self._psycopg = _import_psycopg()
        self._url = url
        self._lock_key = zlib.crc32(lock_name.encode())
        self._retry_s = retry_s
        self._in_transaction = False
        # psycopg serializes calls itself; this guards reconnecting.
        self._reconnect_lock = threading.Lock()
        self._conn: psycopg.Connection[Any] = self._connect()

    def _connect(self) -> psycopg.Connection[Any]:
        pg = self._psycopg
        deadline = time.monotonic() + self._retry_s
        delay = 0.1
        while True:
            try:
                conn: psycopg.Connection[Any] = pg.Connection.connect(
                    self._url, autocommit=True, connect_timeout=max(2, int(self._retry_s)))
                return conn
            except pg.ProgrammingError as err:  # a malformed URL: waiting will not help
                raise ConfigError(f"bad database URL {redact_url(self._url)}: {err}") from err
            except pg.OperationalError as err:
                if time.monotonic() + delay > deadline:
                    raise ConnectionLost(f"cannot connect to {redact_url(self._url)}: "
                                         f"{str(err).strip()}") from err
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _reconnect(self) -> None:
        with self._reconnect_lock:
            if not self._conn.closed and not self._conn.broken:
                return
            log.warning("database connection lost; reconnecting to %s", redact_url(self._url))
            self._conn.close()
            self._conn = self._connect()

    def close(self) -> None:
        self._conn.close()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns a cursor (``fetchone``, ``fetchall``, ``rowcount``)."""
        head = sql.strip().upper()
        if head.startswith("BEGIN"):
            return self._begin()
        if head in ("COMMIT", "ROLLBACK"):
            return self._end(head)
        query = _translate(sql)
        if self._in_transaction:
            return self._call(lambda: self._conn.execute(query, params))
        return self._idle_call(lambda: self._conn.execute(query, params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        query, rows = _translate(sql), list(rows)

        def run() -> Any:
            cursor = self._conn.cursor()
            cursor.executemany(query, rows)
            return cursor

        return self._call(run) if self._in_transaction else self._idle_call(run)

    def _begin(self) -> Any:
        # A restart breaks idle connections: the transaction's first statement is
        # where that shows, and nothing is lost by reconnecting before it.
        self._idle_call(lambda: self._conn.execute("BEGIN"))
        self._in_transaction = True
        return self._call(lambda: self._conn.execute("SELECT pg_advisory_xact_lock(%s)",
                                                     (self._lock_key,)))

    def _end(self, statement: str) -> Any:
        self._in_transaction = False
        if statement == "ROLLBACK" and (self._conn.broken or self._conn.closed):
            return None  # the server already rolled it back when the connection died
        return self._call(lambda: self._conn.execute(statement))

    def _idle_call(self, run: Callable[[], T]) -> T:
        """Outside a transaction a statement is retried once on a fresh connection."""
        try:
            return self._call(run)
        except ConnectionLost:
            self._reconnect()
            return self._call(run)

    def _call(self, run: Callable[[], T]) -> T:
        pg = self._psycopg
        try:
            return run()
        except pg.IntegrityError as err:
            raise sqlite3.IntegrityError(str(err).strip()) from err
        except pg.OperationalError as err:
            if self._conn.broken or self._conn.closed:
                raise ConnectionLost(str(err).strip()) from err
            raise sqlite3.OperationalError(str(err).strip()) from err
        except pg.Error as err:
            raise sqlite3.DatabaseError(str(err).strip()) from err


def connect(url: str, *, lock_name: str, schema: str = "", retry_s: float = 30.0
            ) -> sqlite3.Connection:
    """Open ``url`` for a store and create its ``schema`` (statements separated by a
    line holding only ``;;``, since function bodies contain semicolons).

    Returned as the :class:`sqlite3.Connection` type the stores are written against:
    it is a :class:`Connection`, which implements the subset of that interface they use.
    """
    try:
        conn = Connection(url, lock_name=lock_name, retry_s=retry_s)
    except ConnectionLost as err:
        raise ConfigError(f"{err}; check WARDFLOW_DATABASE_URL and that the server is up"
                          ) from err
    if schema:
        # Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog: one
        # process creates the schema at a time.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in schema.split("\n;;\n"):
                if statement.strip():
                    conn.execute(statement)
        except BaseException:
            conn.execute("ROLLBACK")
            conn.close()
            raise
        conn.execute("COMMIT")
    return cast(sqlite3.Connection, conn)


def retry(call: Callable[[], T], retry_s: float) -> T:
    """Run ``call`` again while it loses its connection, until ``retry_s`` passed.

    For idempotent operations only (unique keys make a repeated write a no-op).
    """
    deadline = time.monotonic() + retry_s
    delay = 0.1
    while True:
        try:
            return call()
        except Exception as err:
            # A store may wrap the loss in its own error (ErpError from ...).
            lost = isinstance(err, ConnectionLost) or isinstance(err.__cause__, ConnectionLost)
            if not lost or time.monotonic() + delay > deadline:
                raise
            log.warning("lost the database connection (%s); retrying", err)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


class PostgresStore(StoreBackend):
    """The plumbing every embedded store on Postgres shares: the Postgres twin of
    :class:`wardflow._sqlite.SqliteStore`, so that a store's SQL body runs on either.

    A subclass gets one :class:`Connection` (its ``schema`` created, ``BEGIN
    IMMEDIATE`` taking the store's advisory lock), a lock serialising its use across
    threads, an injectable clock, :meth:`close`, ``with`` support, ``_write()`` and
    ``_read()`` as on SQLite, and :meth:`_retry` for idempotent operations that should
    wait out a database restart.

    Args:
        url: a ``postgres://`` URL.
        schema: the schema script (statements separated by a ``;;`` line).
        lock_name: names the store's advisory lock (one per store).
        now: the current time (UTC by default; tests inject a fake clock).
        retry_s: how long to wait for a database that went away.
    """

    def __init__(self, url: str, *, schema: str, lock_name: str,
                 now: Callable[[], datetime] = utc_now, retry_s: float = 30.0) -> None:
        self._connection = connect(url, lock_name=lock_name, retry_s=retry_s, schema=schema)
        self._lock = threading.Lock()
        self._clock = now
        self._retry_s = retry_s

    @property
    def _conn(self) -> sqlite3.Connection:
        return self._connection

    def close(self) -> None:
        """Close the connection (after any write in progress on another thread)."""
        with self._lock:
            self._connection.close()

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction (with the store's advisory lock) under its lock."""
        return write_transaction(self._conn, self._lock)

    def _retry(self, call: Callable[[], T]) -> T:
        """Run an idempotent ``call`` again while it loses its connection."""
        return retry(call, self._retry_s)
