"""A tamper-evident audit log: append-only, hash-chained records (SQLite or Postgres).

A record's ``seq`` is the order it entered the log; its ``ts`` is when the event
happened (a step's records are written when the run ends or pauses). Each record's
``hash`` is the SHA-256 of the previous record's hash and the record's
own canonical JSON. Editing, deleting or reordering a row breaks the chain from that
row on, and :meth:`AuditSink.verify` names the first bad record. Triggers refuse
``UPDATE`` and ``DELETE`` so an honest client cannot rewrite history by accident;
the chain catches the dishonest ones.

Personal data erased on request (GDPR Art. 17) leaves the chain verifiable:
:meth:`AuditSink.redact` first appends an ``audit.redaction`` record naming each
record it redacts with its hash and the digest of everything but its payload, then
replaces those payloads by ``{"_redacted": ..., "kept": ...}`` (the one update the
trigger allows), whose digest it also attests. :meth:`AuditSink.verify` checks a
redacted record against that later, chained attestation instead of its original
payload.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Dialect, Index, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend

__all__ = [
    "AuditLog", "AuditRecord", "AuditSink", "ChainReport", "PendingRecord", "PostgresAuditLog",
    "canonical_json", "digest",
]

GENESIS = "0" * 64

_UPDATE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
WHEN NEW.seq IS NOT OLD.seq OR NEW.record_key IS NOT OLD.record_key OR NEW.ts IS NOT OLD.ts
  OR NEW.actor IS NOT OLD.actor OR NEW.action IS NOT OLD.action
  OR NEW.thread_id IS NOT OLD.thread_id OR NEW.checkpoint_id IS NOT OLD.checkpoint_id
  OR NEW.trace_id IS NOT OLD.trace_id OR NEW.payload_digest IS NOT OLD.payload_digest
  OR NEW.prev_hash IS NOT OLD.prev_hash OR NEW.hash IS NOT OLD.hash
  OR substr(NEW.payload, 1, 13) IS NOT '{"_redacted":'
BEGIN SELECT RAISE(ABORT, 'audit log is append-only (a payload may only be redacted)'); END;"""

_TABLE = Table("audit", (
    Column("seq", "integer"), Column("record_key", unique=True),
    Column("ts", not_null=True), Column("actor", not_null=True),
    Column("action", not_null=True), Column("thread_id"), Column("checkpoint_id"),
    Column("trace_id"), Column("payload_digest", not_null=True),
    Column("payload", not_null=True), Column("prev_hash", not_null=True),
    Column("hash", not_null=True),
), primary_key=("seq",), indexes=(Index("audit_thread", ("thread_id", "seq")),))

# The append-only rule is the one part each database says its own way.
_GUARDS: dict[Dialect, tuple[str, ...]] = {
    "sqlite": (
        _UPDATE_TRIGGER,
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit\n"
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    ),
    "postgres": (
        """CREATE OR REPLACE FUNCTION wardflow_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- The one update allowed: a payload replaced by its redaction (GDPR erasure).
    IF TG_OP = 'UPDATE' AND NEW.seq = OLD.seq
        AND NEW.record_key IS NOT DISTINCT FROM OLD.record_key AND NEW.ts = OLD.ts
        AND NEW.actor = OLD.actor AND NEW.action = OLD.action
        AND NEW.thread_id IS NOT DISTINCT FROM OLD.thread_id
        AND NEW.checkpoint_id IS NOT DISTINCT FROM OLD.checkpoint_id
        AND NEW.trace_id IS NOT DISTINCT FROM OLD.trace_id
        AND NEW.payload_digest = OLD.payload_digest AND NEW.prev_hash = OLD.prev_hash
        AND NEW.hash = OLD.hash AND substr(NEW.payload, 1, 13) = '{"_redacted":' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit log is append-only';
END $$""",
        "CREATE OR REPLACE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit\n"
        "FOR EACH ROW EXECUTE FUNCTION wardflow_audit_append_only()",
        "CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit\n"
        "FOR EACH STATEMENT EXECUTE FUNCTION wardflow_audit_append_only()",
    ),
}

_COLUMNS = (
    "seq, record_key, ts, actor, action, thread_id, checkpoint_id, trace_id, payload_digest, payload,"
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
    record_key: str | None
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
            "record_key": self.record_key,
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
class PendingRecord:
    """A record not yet in the log (no sequence number, no hash)."""

    action: str
    payload: dict[str, Any]
    actor: str = "wardflow"
    thread_id: str | None = None
    checkpoint_id: str | None = None
    trace_id: str | None = None
    key: str | None = None
    # When it happened (ISO 8601); the time of writing if not given.
    ts: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "payload": self.payload, "actor": self.actor,
                "thread_id": self.thread_id, "checkpoint_id": self.checkpoint_id,
                "trace_id": self.trace_id, "key": self.key, "ts": self.ts}


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    reason: str = ""


def _chain_hash(prev_hash: str, body: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


@runtime_checkable
class AuditSink(Protocol):
    """Where audit records go: an append-only, hash-chained log.

    Each record's hash covers the previous record's hash, so editing, deleting or
    reordering records is found by :meth:`verify`. Backends: :class:`AuditLog`
    (SQLite) and :class:`PostgresAuditLog`; ``wardflow.testing.AuditSinkConformance``
    is what any backend must pass.
    """

    def now(self) -> str:
        """The log's clock, as ISO 8601 (for records made now and written later)."""
        ...

    def append(
        self, action: str, payload: Mapping[str, Any], *, actor: str = "wardflow",
        thread_id: str | None = None, checkpoint_id: str | None = None,
        trace_id: str | None = None, key: str | None = None, ts: str | None = None,
    ) -> AuditRecord | None:
        """Append one record; ``None`` when its ``key`` is already in the log."""
        ...

    def append_many(self, entries: Iterable[PendingRecord]) -> list[AuditRecord]:
        """Append several records at once, in order; keys already present are skipped."""
        ...

    def records(self, thread_id: str | None = None) -> Iterator[AuditRecord]:
        """Records in order, all of them or one thread's."""
        ...

    def redact(self, payloads: Mapping[int, Mapping[str, Any]], *, reason: str, actor: str,
               key: str | None = None) -> AuditRecord | None:
        """Replace payloads by their redaction, keeping the chain verifiable."""
        ...

    def verify(self) -> ChainReport:
        """Walk the whole chain; report the first record that does not hold."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _HashChain(StoreBackend):
    """The log's SQL and hashing, which SQLite and Postgres both run.

    Safe to share between threads; several processes may append at once
    (``BEGIN IMMEDIATE`` around read-last-then-insert takes the database's lock).
    """

    def now(self) -> str:
        """The log's clock, as ISO 8601 (for records made now and written later)."""
        return self._clock().isoformat()

    def append(
        self,
        action: str,
        payload: Mapping[str, Any],
        *,
        actor: str = "wardflow",
        thread_id: str | None = None,
        checkpoint_id: str | None = None,
        trace_id: str | None = None,
        key: str | None = None,
        ts: str | None = None,
    ) -> AuditRecord | None:
        """Append one record and return it with its sequence number and hash.

        ``payload`` must already be redacted: it is stored as given. A record whose
        ``key`` is already in the log is skipped (and ``None`` returned), so that a
        replayed step is recorded once.
        """
        entry = PendingRecord(action, dict(payload), actor, thread_id, checkpoint_id, trace_id, key,
                              ts)
        written = self.append_many([entry])
        return written[0] if written else None

    def append_many(self, entries: Iterable[PendingRecord]) -> list[AuditRecord]:
        """Append several records in one transaction; keys already present are skipped."""
        entries = list(entries)
        if not entries:
            return []
        with self._write() as conn:
            return self._insert(conn, entries)

    def _insert(self, conn: sqlite3.Connection, entries: list[PendingRecord]
                ) -> list[AuditRecord]:
        ts = self._clock().isoformat()
        written: list[AuditRecord] = []
        row = conn.execute(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        seq, prev = (row[0], row[1]) if row else (0, GENESIS)
        for entry in entries:
            if entry.key is not None and conn.execute(
                "SELECT 1 FROM audit WHERE record_key = ?", (entry.key,)
            ).fetchone():
                continue
            seq += 1
            payload_json = canonical_json(entry.payload)
            record = AuditRecord(
                seq=seq, record_key=entry.key, ts=entry.ts or ts, actor=entry.actor,
                action=entry.action, thread_id=entry.thread_id,
                checkpoint_id=entry.checkpoint_id, trace_id=entry.trace_id,
                payload_digest=hashlib.sha256(payload_json.encode()).hexdigest(),
                payload=entry.payload, prev_hash=prev, hash="",
            )
            record = replace(record, hash=_chain_hash(prev, record.body()))
            conn.execute(
                f"INSERT INTO audit ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (record.seq, record.record_key, record.ts, record.actor, record.action,
                 record.thread_id, record.checkpoint_id, record.trace_id,
                 record.payload_digest, payload_json, record.prev_hash, record.hash),
            )
            prev = record.hash
            written.append(record)
        return written

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

    def records_after(self, seq: int) -> Iterator[AuditRecord]:
        """Records with a sequence number above ``seq``, in order (an incremental
        reader's next batch; ``records_after(0)`` is every record)."""
        cursor = self._conn.execute(f"SELECT {_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq",
                                    (seq,))
        for row in cursor:
            yield _record_from_row(row)

    def redact(
        self, payloads: Mapping[int, Mapping[str, Any]], *, reason: str, actor: str,
        key: str | None = None,
    ) -> AuditRecord | None:
        """Replace the payloads of records ``seq -> kept payload`` (the original with the
        personal data taken out), keeping the chain verifiable.

        One ``audit.redaction`` record is appended first, attesting each record's hash
        and the digest of its other fields; records already redacted are left alone.
        Returns that record (None when nothing was left to redact).

        Raises:
            WardflowError: a record to redact is missing or does not verify (it is not
                redacted, so that tampering is not laundered into a redaction).
        """
        from wardflow.errors import WardflowError

        with self._write() as conn:
            attested: list[dict[str, Any]] = []
            kept_by_seq: dict[int, Mapping[str, Any]] = {}
            for seq in sorted(payloads):
                row = conn.execute(f"SELECT {_COLUMNS} FROM audit WHERE seq = ?",
                                   (seq,)).fetchone()
                if row is None:
                    raise WardflowError(f"no audit record {seq} to redact")
                record = _record_from_row(row)
                if "_redacted" in record.payload:
                    continue
                if (record.payload_digest != digest(record.payload)
                        or record.hash != _chain_hash(record.prev_hash, record.body())):
                    raise WardflowError(f"audit record {seq} does not verify; not redacting it"
                                     " (run `wardflow audit verify`)")
                kept_by_seq[seq] = {"_redacted": {"reason": reason}, "kept": dict(payloads[seq])}
                attested.append({"seq": seq, "hash": record.hash,
                                 "meta_digest": digest(_meta(record)),
                                 "kept_digest": digest(kept_by_seq[seq])})
            if not attested:
                return None
            written = self._insert(conn, [PendingRecord(
                "audit.redaction", {"reason": reason, "redacted": attested}, actor, key=key)])
            if not written:
                return None
            for seq, kept in kept_by_seq.items():
                conn.execute("UPDATE audit SET payload = ? WHERE seq = ?",
                             (canonical_json(kept), seq))
            return written[0]

    def verify(self) -> ChainReport:
        """Walk the whole chain; report the first record that does not hold."""
        prev = GENESIS
        expected_seq = 1
        count = 0
        attested = self._attestations()
        for record in self.records():
            count += 1
            if record.seq != expected_seq:
                return ChainReport(False, count, expected_seq, "record missing (deleted?)")
            if record.prev_hash != prev:
                return ChainReport(False, count, record.seq, "previous-hash link broken")
            if "_redacted" in record.payload:
                proof = attested.get(record.seq)
                if (proof is None or proof.get("hash") != record.hash
                        or proof.get("meta_digest") != digest(_meta(record))
                        or proof.get("kept_digest") != digest(record.payload)):
                    return ChainReport(False, count, record.seq,
                                       "redacted without a matching redaction record")
                prev = record.hash
                expected_seq += 1
                continue
            if record.payload_digest != digest(record.payload):
                return ChainReport(False, count, record.seq, "payload does not match its digest")
            if record.hash != _chain_hash(prev, record.body()):
                return ChainReport(False, count, record.seq, "record hash mismatch (edited?)")
            prev = record.hash
            expected_seq += 1
        return ChainReport(True, count)

    def _attestations(self) -> dict[int, dict[str, Any]]:
        """Redacted seq -> what the (later) redaction record says of it."""
        found: dict[int, dict[str, Any]] = {}
        for row in self._conn.execute(
            f"SELECT {_COLUMNS} FROM audit WHERE action = 'audit.redaction' ORDER BY seq"
        ):
            record = _record_from_row(row)
            for item in record.payload.get("redacted", []):
                if isinstance(item, dict) and int(item.get("seq", 0)) < record.seq:
                    found.setdefault(int(item["seq"]), item)
        return found


def _meta(record: AuditRecord) -> dict[str, Any]:
    """What a redaction keeps of a record: everything but its payload."""
    return {k: v for k, v in record.body().items() if k != "payload"} | {
        "prev_hash": record.prev_hash, "hash": record.hash}


def _record_from_row(row: tuple[Any, ...]) -> AuditRecord:
    try:
        payload = json.loads(row[9])
    except json.JSONDecodeError:
        payload = {"_unreadable": row[9]}
    return AuditRecord(
        seq=row[0],
        record_key=row[1],
        ts=row[2],
        actor=row[3],
        action=row[4],
        thread_id=row[5],
        checkpoint_id=row[6],
        trace_id=row[7],
        payload_digest=row[8],
        payload=payload,
        prev_hash=row[10],
        hash=row[11],
    )


class AuditLog(_HashChain, SqliteStore):
    """The hash-chained log in one SQLite file (the default :class:`AuditSink`).

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
        clock: Callable[[], datetime] = utc_now,
        synchronous: str = "NORMAL",
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", [_TABLE], _GUARDS), now=clock, synchronous=synchronous,
                         busy_timeout_s=busy_timeout_s)
        self._upgrade_trigger()

    def _upgrade_trigger(self) -> None:
        """Logs made before redaction existed refuse every update: allow redaction."""
        row = self._conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_no_update'"
        ).fetchone()
        if row is not None and "_redacted" not in str(row[0]):
            with self._write() as conn:
                conn.execute("DROP TRIGGER audit_no_update")
                conn.execute(_UPDATE_TRIGGER)


class PostgresAuditLog(_HashChain, PostgresStore):
    """The hash-chained log in a Postgres table: the same records, the same hashes, so
    :meth:`verify` holds identically. Appends from every process are serialized by a
    transaction-level advisory lock (see wardflow/_postgres.py), and a trigger refuses
    updates, deletes and truncation as SQLite's triggers do.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: returns the current time; injected by tests.
        retry_s: how long an append waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", [_TABLE], _GUARDS),
                         lock_name="wardflow.audit", now=clock, retry_s=retry_s)

    def append_many(self, entries: Iterable[PendingRecord]) -> list[AuditRecord]:
        """As :meth:`AuditSink.append_many`; a lost connection is retried (a keyed record
        already written by the lost attempt is skipped)."""
        entries = list(entries)
        append_many = super().append_many
        return self._retry(lambda: append_many(entries))
