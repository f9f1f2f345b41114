"""SQLite connections shared by the embedded stores (ERP, audit log, checkpoints).

WAL mode and a busy timeout let several processes (a worker, ``wardflow resume``)
share one file; ``BEGIN IMMEDIATE`` takes the write lock up front so that a
read-then-write transaction never fails half-way with "database is locked".

The files hold secrets and personal data (password hashes, vault values, run state),
so a new database is created readable by its owner only (0600) in a folder only its
owner can enter (0700); SQLite gives its ``-wal`` and ``-shm`` files the database's
mode.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from wardflow._store import StoreBackend

__all__ = ["PRIVATE_DIR_MODE", "PRIVATE_FILE_MODE", "SqliteStore", "connect", "private_dir",
           "utc_now", "write_transaction"]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing; the folder itself owner-only.

    An existing folder keeps its mode: an operator may have chosen it on purpose.
    """
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def _create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite then opens it)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except OSError:
        return  # it exists, or SQLite is about to say why it cannot be opened
    os.close(fd)


def connect(
    path: Path | str,
    *,
    synchronous: str = "NORMAL",
    busy_timeout_s: float = 30.0,
    schema: str = "",
    autocommit: bool = True,
) -> sqlite3.Connection:
    """Open ``path`` (or ``":memory:"``) in WAL mode, creating its folder and ``schema``."""
    if str(path) != ":memory:":
        private_dir(Path(path).parent)
        _create_private(Path(path))
    conn = sqlite3.connect(
        str(path),
        check_same_thread=False,
        timeout=busy_timeout_s,
        # Without autocommit, sqlite3 opens transactions itself (what SqliteSaver expects).
        isolation_level=None if autocommit else "DEFERRED",
    )
    _switch_to_wal(conn, busy_timeout_s)
    conn.execute(f"PRAGMA synchronous={'FULL' if synchronous.upper() == 'FULL' else 'NORMAL'}")
    # Deleted rows are overwritten, not left in free pages: an erased run's personal
    # data must not stay readable in the file (Debian builds do this by default).
    conn.execute("PRAGMA secure_delete=ON")
    if schema:
        conn.executescript(schema)
    return conn


def _switch_to_wal(conn: sqlite3.Connection, timeout_s: float) -> None:
    """``PRAGMA journal_mode=WAL``, waiting while another connection switches the same
    fresh file: SQLite answers "database is locked" at once then, without calling the
    busy handler, so the wait is here (up to ``timeout_s``)."""
    deadline = time.monotonic() + timeout_s
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection, lock: threading.Lock) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` on any exception."""
    with lock:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def utc_now() -> datetime:
    """The current time in UTC: the stores' default clock."""
    return datetime.now(UTC)


class SqliteStore(StoreBackend):
    """The plumbing every embedded SQLite store shares.

    A subclass gets one connection opened by :func:`connect` (WAL, owner-only file
    and folder, ``schema`` applied), a lock that serialises its use across threads,
    an injectable clock, :meth:`close` and ``with`` support. Its methods write in
    ``with self._write() as conn:`` (the lock and ``BEGIN IMMEDIATE`` ... ``COMMIT``)
    and read in ``with self._read() as conn:`` (the lock only).

    Args:
        path: the SQLite file, or ``":memory:"``.
        schema: the ``CREATE ... IF NOT EXISTS`` script run on opening.
        now: the current time (UTC by default; tests inject a fake clock).
        synchronous: ``"NORMAL"`` or ``"FULL"`` (see :func:`connect`).
        busy_timeout_s: how long a statement waits for another process's lock.
        autocommit: whether sqlite3 leaves transactions to the store (the default).
        lazy: open the file on first use rather than now (for a store most
            processes never touch); a lazy store opens again after :meth:`close`.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        schema: str,
        now: Callable[[], datetime] = utc_now,
        synchronous: str = "NORMAL",
        busy_timeout_s: float = 30.0,
        autocommit: bool = True,
        lazy: bool = False,
    ) -> None:
        self._open_args = (path, synchronous, busy_timeout_s, schema, autocommit)
        self._lazy = lazy
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()
        self._clock = now
        self._opened: sqlite3.Connection | None = None if lazy else self._open_connection()

    def _open_connection(self) -> sqlite3.Connection:
        path, synchronous, busy_timeout_s, schema, autocommit = self._open_args
        return connect(path, synchronous=synchronous, busy_timeout_s=busy_timeout_s,
                       schema=schema, autocommit=autocommit)

    @property
    def _conn(self) -> sqlite3.Connection:
        """The connection, opened now if the store is lazy and not open yet."""
        conn = self._opened
        if conn is None:
            with self._open_lock:
                if self._opened is None:
                    self._opened = self._open_connection()
                conn = self._opened
        return conn

    def close(self) -> None:
        """Close the connection (after any write in progress on another thread)."""
        with self._lock:
            if self._opened is not None:
                self._opened.close()
                if self._lazy:
                    self._opened = None

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """One write transaction under the store's lock; rolled back on any exception."""
        return write_transaction(self._conn, self._lock)
