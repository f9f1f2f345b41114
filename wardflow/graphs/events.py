"""Events: a watcher that turns new documents into ``document_uploaded`` events, and a
persisted ledger that starts one run per document, exactly once, across restarts.

The ledger is a SQLite table keyed by (blueprint, document id): an event is recorded
before its run starts and marked done after, so a watcher that dies between the two
finds the event still open on restart and continues the same run (same thread id,
resumed from its checkpoint) instead of starting a second one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardflow._sqlite import connect, write_transaction

__all__ = ["EventLedger", "LedgerEntry"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    blueprint TEXT NOT NULL,
    document_id TEXT NOT NULL,
    event TEXT NOT NULL,
    source TEXT NOT NULL,
    state TEXT NOT NULL,
    thread_id TEXT,
    result TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (blueprint, document_id)
);
"""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    blueprint: str
    document_id: str
    event: str
    source: str
    state: str
    thread_id: str | None
    result: str | None


class EventLedger:
    """The persisted record of events and the runs they started."""

    def __init__(self, path: Path | str, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._conn = connect(path, schema=_SCHEMA)
        self._lock = threading.Lock()
        self._clock = clock

    def close(self) -> None:
        self._conn.close()

    def record(self, blueprint: str, document_id: str, source: str,
               event: str = "document_uploaded") -> bool:
        """Record an event; ``False`` if this document's event was recorded before."""
        now = self._clock().isoformat()
        with write_transaction(self._conn, self._lock) as conn:
            cursor = conn.execute(
                "INSERT INTO events VALUES (?,?,?,?,'open',NULL,NULL,?,?)"
                " ON CONFLICT(blueprint, document_id) DO NOTHING",
                (blueprint, document_id, event, source, now, now),
            )
            return cursor.rowcount == 1

    def mark(self, blueprint: str, document_id: str, state: str, *,
             thread_id: str | None = None, result: str | None = None) -> None:
        with write_transaction(self._conn, self._lock) as conn:
            conn.execute(
                "UPDATE events SET state = ?, thread_id = COALESCE(?, thread_id),"
                " result = COALESCE(?, result), updated_at = ?"
                " WHERE blueprint = ? AND document_id = ?",
                (state, thread_id, result, self._clock().isoformat(), blueprint, document_id),
            )

    def open_entries(self, blueprint: str) -> list[LedgerEntry]:
        return self._entries("WHERE blueprint = ? AND state != 'done'", (blueprint,))

    def entries(self, blueprint: str) -> list[LedgerEntry]:
        return self._entries("WHERE blueprint = ?", (blueprint,))

    def _entries(self, where: str, params: tuple[Any, ...]) -> list[LedgerEntry]:
        rows = self._conn.execute(
            "SELECT blueprint, document_id, event, source, state, thread_id, result FROM events "
            f"{where} ORDER BY created_at, document_id", params,
        ).fetchall()
        return [LedgerEntry(*row) for row in rows]


def poll(interval_s: float, rounds: int | None, step: Callable[[], int],
         sleep: Callable[[float], None] = time.sleep) -> int:
    """Call ``step`` every ``interval_s`` seconds, ``rounds`` times (None: forever)."""
    total, done = 0, 0
    while rounds is None or done < rounds:
        total += step()
        done += 1
        if rounds is None or done < rounds:
            sleep(interval_s)
    return total
