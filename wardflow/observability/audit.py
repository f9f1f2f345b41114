"""A tamper-evident audit log: append-only, hash-chained records in SQLite.

Each record's ``hash`` is the SHA-256 of the previous record's hash and the record's
own canonical JSON. Editing, deleting or reordering a row breaks the chain from that
row on, and :meth:`AuditLog.verify` names the first bad record. Triggers refuse
``UPDATE`` and ``DELETE`` so an honest client cannot rewrite history by accident;
the chain catches the dishonest ones.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["AuditLog", "AuditRecord", "ChainReport", "canonical_json", "digest"]

GENESIS = "0" * 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    ts TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    thread_id TEXT,
    checkpoint_id TEXT,
    trace_id TEXT,
    payload_digest TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_thread ON audit(thread_id, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""

_COLUMNS = (
    "seq, ts, actor, action, thread_id, checkpoint_id, trace_id, payload_digest, payload,"
    " prev_hash, hash"
)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces; non-JSON values become strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(value: Any) -> str:
    """SHA-256 hex digest of ``value``'s canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditRecord:
    seq: int
    ts: str
    actor: str
    action: str
    thread_id: str | None
    checkpoint_id: str | None
    trace_id: str | None
    payload_digest: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The fields the record's hash covers."""
        return {
            "seq": self.seq,
            "ts": self.ts,
            "actor": self.actor,
            "action": self.action,
            "thread_id": self.thread_id,
            "checkpoint_id": self.checkpoint_id,
            "trace_id": self.trace_id,
            "payload_digest": self.payload_digest,
            "payload": self.payload,
        }


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    reason: str = ""


def _chain_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


class AuditLog:
    """Append-only, hash-chained audit records in one SQLite file.

    Safe to share between threads; several processes may append at once (WAL, busy
    timeout, ``BEGIN IMMEDIATE`` around read-last-then-insert).

    Args:
        path: the SQLite file, or ``":memory:"``.
        clock: returns the current time; injected by tests.
        synchronous: the SQLite ``synchronous`` pragma (``NORMAL`` or ``FULL``).
    """

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        synchronous: str = "NORMAL",
        busy_timeout_s: float = 30.0,
    ) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(path), check_same_thread=False, timeout=busy_timeout_s, isolation_level=None
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={'FULL' if synchronous == 'FULL' else 'NORMAL'}")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._clock = clock

    def close(self) -> None:
        self._conn.close()

    def append(
        self,
        action: str,
        payload: Mapping[str, Any],
        *,
        actor: str = "wardflow",
        thread_id: str | None = None,
        checkpoint_id: str | None = None,
        trace_id: str | None = None,
    ) -> AuditRecord:
        """Append one record and return it with its sequence number and hash.

        ``payload`` must already be redacted: it is stored as given.
        """
        payload = dict(payload)
        ts = self._clock().isoformat()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._conn.execute(
                    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
                record = AuditRecord(
                    seq=seq,
                    ts=ts,
                    actor=actor,
                    action=action,
                    thread_id=thread_id,
                    checkpoint_id=checkpoint_id,
                    trace_id=trace_id,
                    payload_digest=digest(payload),
                    payload=payload,
                    prev_hash=prev,
                    hash="",
                )
                record = _with_hash(record)
                self._conn.execute(
                    f"INSERT INTO audit ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        record.seq,
                        record.ts,
                        record.actor,
                        record.action,
                        record.thread_id,
                        record.checkpoint_id,
                        record.trace_id,
                        record.payload_digest,
                        canonical_json(record.payload),
                        record.prev_hash,
                        record.hash,
                    ),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return record

    def records(self, thread_id: str | None = None) -> Iterator[AuditRecord]:
        """Records in order, all of them or one thread's."""
        if thread_id is None:
            cursor = self._conn.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY seq")
        else:
            cursor = self._conn.execute(
                f"SELECT {_COLUMNS} FROM audit WHERE thread_id = ? ORDER BY seq", (thread_id,)
            )
        for row in cursor:
            yield _record_from_row(row)

    def verify(self) -> ChainReport:
        """Walk the whole chain; report the first record that does not hold."""
        prev = GENESIS
        expected_seq = 1
        count = 0
        for record in self.records():
            count += 1
            if record.seq != expected_seq:
                return ChainReport(False, count, expected_seq, "record missing (deleted?)")
            if record.prev_hash != prev:
                return ChainReport(False, count, record.seq, "previous-hash link broken")
            if record.payload_digest != digest(record.payload):
                return ChainReport(False, count, record.seq, "payload does not match its digest")
            if record.hash != _chain_hash(prev, record.body()):
                return ChainReport(False, count, record.seq, "record hash mismatch (edited?)")
            prev = record.hash
            expected_seq += 1
        return ChainReport(True, count)


def _with_hash(record: AuditRecord) -> AuditRecord:
    return replace(record, hash=_chain_hash(record.prev_hash, record.body()))


def _record_from_row(row: tuple[Any, ...]) -> AuditRecord:
    try:
        payload = json.loads(row[8])
    except json.JSONDecodeError:
        payload = {"_unreadable": row[8]}
    return AuditRecord(
        seq=row[0],
        ts=row[1],
        actor=row[2],
        action=row[3],
        thread_id=row[4],
        checkpoint_id=row[5],
        trace_id=row[6],
        payload_digest=row[7],
        payload=payload,
        prev_hash=row[9],
        hash=row[10],
    )
