"""SQLite connections shared by the embedded stores (ERP, audit log, checkpoints).

WAL mode and a busy timeout let several processes (a worker, ``wardflow resume``)
share one file; ``BEGIN IMMEDIATE`` takes the write lock up front so that a
read-then-write transaction never fails half-way with "database is locked".
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["connect", "write_transaction"]


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
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        check_same_thread=False,
        timeout=busy_timeout_s,
        # Without autocommit, sqlite3 opens transactions itself (what SqliteSaver expects).
        isolation_level=None if autocommit else "DEFERRED",
    )
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={'FULL' if synchronous.upper() == 'FULL' else 'NORMAL'}")
    if schema:
        conn.executescript(schema)
    return conn


@contextmanager
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
