"""Events: watchers that turn new documents into ``document_uploaded`` events, and a
persisted ledger that starts one run per document, exactly once, across restarts.

The ledger (:class:`EventLedger`, on SQLite or Postgres) is a table keyed by
(blueprint, document id): an event is recorded before its run starts and marked done
after, so a watcher that dies between the two finds the event still open on restart
and continues the same run (same thread id, resumed from its checkpoint) instead of
starting a second one.

Two sources: a storage folder (the document id is the content hash), and a maildir
(``source: "maildir:<path>"``), where each readable attachment of a message is one
event keyed by the message's Message-ID and the attachment's digest, so a message
delivered twice starts nothing new. Messages are only read, never moved or flagged
(other mail readers keep working, and a read-only mailbox is fine); which messages are
finished is kept in the ledger, so later scans skip them unread. A message that cannot
be used (empty, too large, not an email, an attachment that does not decode, nothing
readable attached) is parked: copied to ``failed/mail/<digest>/`` in storage with a
``reason.json``, recorded in the ledger and audited as ``event.parked``.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import ConfigError, KillSwitchEngaged
from wardflow.observability.audit import AuditSink

if TYPE_CHECKING:
    from wardflow.guardrails.killswitch import KillSwitches
from wardflow.tools.inbox import MAX_ATTACHMENTS, InboxItem, attachment_count, document_id
from wardflow.tools.inbox import _attachments as attachments  # one reader for all emails
from wardflow.tools.storage import Storage

__all__ = ["EventLedger", "LedgerEntry", "MailEvent", "MaildirSource", "PostgresEventLedger",
           "SqliteEventLedger", "audit_held", "held_by_switch", "poll"]

_TABLES = (
    Table("events", (
        Column("blueprint", not_null=True), Column("document_id", not_null=True),
        Column("event", not_null=True), Column("source", not_null=True),
        Column("state", not_null=True), Column("thread_id"), Column("result"),
        Column("created_at", not_null=True), Column("updated_at", not_null=True),
    ), primary_key=("blueprint", "document_id")),
    Table("mail_messages", (
        Column("blueprint", not_null=True), Column("maildir", not_null=True),
        Column("message", not_null=True), Column("message_id", not_null=True),
        Column("state", not_null=True), Column("reason"), Column("updated_at", not_null=True),
    ), primary_key=("blueprint", "maildir", "message")),
)
_HANDLED = ("done", "waiting")


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    blueprint: str
    document_id: str
    event: str
    source: str
    state: str
    thread_id: str | None
    result: str | None
    # When its state last changed (ISO 8601): a taken-over entry is one left too long.
    updated_at: str | None = None


@runtime_checkable
class EventLedger(Protocol):
    """The persisted record of events and the runs they started: one run per
    (blueprint, document id), across restarts and processes.

    A watcher claims an event with :meth:`record` before it starts the run (only the
    first claim answers ``True``), marks it as it goes, and on restart finds the runs
    a crash left unfinished in :meth:`open_entries`. Backends: :class:`SqliteEventLedger`
    and :class:`PostgresEventLedger`; ``wardflow.testing.EventLedgerConformance`` is
    what any backend must pass.
    """

    def record(self, blueprint: str, document_id: str, source: str,
               event: str = "document_uploaded") -> bool:
        """Claim an event; ``False`` if this document's event was claimed before."""
        ...

    def mark(self, blueprint: str, document_id: str, state: str, *,
             thread_id: str | None = None, result: str | None = None) -> None:
        """Set an event's state (``started``, ``waiting``, ``done`` ...); a ``None``
        thread id or result keeps the one recorded."""
        ...

    def take(self, blueprint: str, document_id: str, *, state: str = "queued",
             updated_before: str | None = None) -> bool:
        """Move an event from ``state`` to ``started``; ``False`` if it is no longer in
        ``state`` (or, with ``updated_before``, an ISO time, was changed since). Of
        several workers taking one event, exactly one gets ``True``: a queued one, or one
        left ``started`` by a worker that died (``updated_before`` its lease)."""
        ...

    def open_entries(self, blueprint: str) -> list[LedgerEntry]:
        """The blueprint's events not ``done``, in the order they were recorded."""
        ...

    def entries(self, blueprint: str) -> list[LedgerEntry]:
        """All the blueprint's events, in the order they were recorded."""
        ...

    def state(self, blueprint: str, document_id: str) -> str | None:
        """An event's state, or ``None`` if it was never recorded."""
        ...

    def message(self, blueprint: str, maildir: str, message: str
                ) -> tuple[str, str | None] | None:
        """A maildir message's (state, park reason), or ``None`` if never seen."""
        ...

    def mark_message(self, blueprint: str, maildir: str, message: str, message_id: str,
                     state: str, reason: str | None = None) -> None:
        """Set a maildir message's state; a ``None`` reason keeps the one recorded."""
        ...

    def messages(self, blueprint: str) -> list[dict[str, Any]]:
        """The blueprint's maildir messages, by file name."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _LedgerSql(StoreBackend):
    """The ledger's SQL, which SQLite and Postgres both accept."""

    def record(self, blueprint: str, document_id: str, source: str,
               event: str = "document_uploaded") -> bool:
        now = self._clock().isoformat()
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO events VALUES (?,?,?,?,'open',NULL,NULL,?,?)"
                " ON CONFLICT(blueprint, document_id) DO NOTHING",
                (blueprint, document_id, event, source, now, now),
            )
            return cursor.rowcount == 1

    def mark(self, blueprint: str, document_id: str, state: str, *,
             thread_id: str | None = None, result: str | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE events SET state = ?, thread_id = COALESCE(?, thread_id),"
                " result = COALESCE(?, result), updated_at = ?"
                " WHERE blueprint = ? AND document_id = ?",
                (state, thread_id, result, self._clock().isoformat(), blueprint, document_id),
            )

    def take(self, blueprint: str, document_id: str, *, state: str = "queued",
             updated_before: str | None = None) -> bool:
        sql = ("UPDATE events SET state = 'started', updated_at = ?"
               " WHERE blueprint = ? AND document_id = ? AND state = ?")
        params: tuple[Any, ...] = (self._clock().isoformat(), blueprint, document_id, state)
        if updated_before is not None:
            sql, params = sql + " AND updated_at < ?", (*params, updated_before)
        with self._write() as conn:
            return conn.execute(sql, params).rowcount == 1

    def open_entries(self, blueprint: str) -> list[LedgerEntry]:
        return self._entries("WHERE blueprint = ? AND state != 'done'", (blueprint,))

    def entries(self, blueprint: str) -> list[LedgerEntry]:
        return self._entries("WHERE blueprint = ?", (blueprint,))

    def state(self, blueprint: str, document_id: str) -> str | None:
        row = self._conn.execute("SELECT state FROM events WHERE blueprint = ? AND"
                                 " document_id = ?", (blueprint, document_id)).fetchone()
        return str(row[0]) if row else None

    def message(self, blueprint: str, maildir: str, message: str) -> tuple[str, str | None] | None:
        row = self._conn.execute(
            "SELECT state, reason FROM mail_messages WHERE blueprint = ? AND maildir = ?"
            " AND message = ?", (blueprint, maildir, message)).fetchone()
        return (str(row[0]), row[1]) if row else None

    def mark_message(self, blueprint: str, maildir: str, message: str, message_id: str,
                     state: str, reason: str | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO mail_messages VALUES (?,?,?,?,?,?,?)"
                " ON CONFLICT(blueprint, maildir, message) DO UPDATE SET state = excluded.state,"
                " reason = COALESCE(excluded.reason, mail_messages.reason),"
                " updated_at = excluded.updated_at",
                (blueprint, maildir, message, message_id, state, reason,
                 self._clock().isoformat()),
            )

    def messages(self, blueprint: str) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT maildir, message, message_id, state, reason FROM mail_messages"
            " WHERE blueprint = ? ORDER BY message", (blueprint,)).fetchall()
        return [dict(zip(("maildir", "message", "message_id", "state", "reason"), row,
                         strict=True)) for row in rows]

    def _entries(self, where: str, params: tuple[Any, ...]) -> list[LedgerEntry]:
        rows = self._conn.execute(
            "SELECT blueprint, document_id, event, source, state, thread_id, result, updated_at"
            " FROM events "
            f"{where} ORDER BY created_at, document_id", params,
        ).fetchall()
        return [LedgerEntry(*row) for row in rows]


class SqliteEventLedger(_LedgerSql, SqliteStore):
    """The event ledger in a SQLite file (WAL; several processes may share it).

    Args:
        path: the SQLite file, or ``":memory:"``.
        clock: the time recorded with each change; injected by tests.
    """

    def __init__(self, path: Path | str, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock)


class PostgresEventLedger(_LedgerSql, PostgresStore):
    """The event ledger in a Postgres database, shared by every watcher and worker: the
    (blueprint, document id) key keeps one run per event across machines.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: the time recorded with each change; injected by tests.
        retry_s: how long a write waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES), lock_name="wardflow.events",
                         now=clock, retry_s=retry_s)

    def record(self, blueprint: str, document_id: str, source: str,
               event: str = "document_uploaded") -> bool:
        # After an unacknowledged commit the retry answers False; the entry is then
        # open, and the next scan's ``open_entries`` runs it.
        claim = super().record
        return self._retry(lambda: claim(blueprint, document_id, source, event))

    def mark(self, blueprint: str, document_id: str, state: str, *,
             thread_id: str | None = None, result: str | None = None) -> None:
        mark = super().mark
        self._retry(lambda: mark(blueprint, document_id, state, thread_id=thread_id,
                                 result=result))

    def mark_message(self, blueprint: str, maildir: str, message: str, message_id: str,
                     state: str, reason: str | None = None) -> None:
        mark = super().mark_message
        self._retry(lambda: mark(blueprint, maildir, message, message_id, state, reason))


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


@dataclass(frozen=True, slots=True)
class MailEvent:
    """One attachment of one message: ``key`` is its ledger id, ``<message id>#<doc id>``."""

    key: str
    item: InboxItem


class MaildirSource:
    """A maildir's new messages as ``document_uploaded`` events, one per attachment."""

    def __init__(self, maildir: Path, ledger: EventLedger, storage: Storage, *,
                 max_bytes: int, audit: AuditSink | None = None,
                 max_attachments: int = MAX_ATTACHMENTS) -> None:
        self.maildir = maildir
        self._key = str(maildir.resolve())
        self._ledger = ledger
        self._storage = storage
        self._max_bytes = max_bytes
        self._max_attachments = max_attachments
        self._audit = audit
        self._pending: dict[str, tuple[str, list[str]]] = {}

    def events(self, blueprint: str) -> list[MailEvent]:
        """Record the events of new messages; return every event whose run has not
        finished (new ones, and those a crash or the kill switch left open)."""
        if not all((self.maildir / sub).is_dir() for sub in ("new", "cur")):
            raise ConfigError(f"{self.maildir} is not a maildir (it needs new/ and cur/"
                              " folders); check the blueprint's `source: maildir:...`")
        self._pending = {}
        found: dict[str, MailEvent] = {}
        for path in self._messages():
            name = path.name.split(":", 1)[0]  # the unique part; the info after ':' changes
            seen = self._ledger.message(blueprint, self._key, name)
            if seen is not None and seen[0] == "done":
                continue
            read = self._read(blueprint, path, name)
            if read is None:
                continue
            message_id, events = read
            self._pending[name] = (message_id, [e.key for e in events])
            for event in events:  # a message delivered twice has the same keys
                if self._ledger.state(blueprint, event.key) not in _HANDLED:
                    found.setdefault(event.key, event)
        return list(found.values())

    def settle(self, blueprint: str) -> None:
        """Mark the messages whose every event has run as done: later scans skip them."""
        for name, (message_id, keys) in self._pending.items():
            if all(self._ledger.state(blueprint, key) in _HANDLED for key in keys):
                self._ledger.mark_message(blueprint, self._key, name, message_id, "done")

    def _messages(self) -> list[Path]:
        paths = []
        for sub in ("new", "cur"):  # tmp/ holds deliveries still being written
            paths.extend(sorted(p for p in (self.maildir / sub).iterdir()
                                if p.is_file() and not p.name.startswith(".")))
        return paths

    def _read(self, blueprint: str, path: Path, name: str
              ) -> tuple[str, list[MailEvent]] | None:
        """(message id, events) of one message, parking it when it cannot be used."""
        reason: str | None
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None  # moved from new/ to cur/ by a mail reader: the next scan sees it
        except OSError as err:
            data, reason = b"", f"unreadable: {err.strerror}"
        else:
            reason = _size_problem(data, self._max_bytes)
        message_id = "sha256:" + hashlib.sha256(data or name.encode()).hexdigest()[:16]
        events: dict[str, MailEvent] = {}
        if reason is None:
            message = email.message_from_bytes(data, policy=email.policy.default)
            message_id = str(message.get("Message-ID", "")).strip() or message_id
            reason, bad = _problem(message, self._max_bytes, self._max_attachments)
            if reason is None or not reason.startswith("not an email"):
                for item in attachments(data, str(path), self._storage, self._max_bytes,
                                        self._max_attachments):
                    key = f"{message_id}#{item.document_id}"
                    if item.document_id not in bad:
                        events.setdefault(key, MailEvent(key, item))
            if not events and reason is None:
                reason = "no attachment: nothing readable (PDF or image) is attached"
        for event in events.values():
            self._ledger.record(blueprint, event.key, event.item.source)
        if reason:
            self._park(blueprint, name, data, reason, message_id)
        self._ledger.mark_message(blueprint, self._key, name, message_id,
                                  "open" if events else "done", reason)
        return message_id, list(events.values())

    def _park(self, blueprint: str, name: str, data: bytes, reason: str, message_id: str) -> None:
        folder = f"failed/mail/{hashlib.sha256(data or name.encode()).hexdigest()[:16]}"
        stored = None
        if data:
            stored = f"{folder}/message.eml"
            self._storage.put(stored, data)
        record = {"blueprint": blueprint, "maildir": self._key, "message": name,
                  "message_id": message_id, "reason": reason, "stored_as": stored}
        self._storage.put(f"{folder}/reason.json", json.dumps(record, indent=2).encode())
        if self._audit is not None:
            self._audit.append("event.parked", record, actor="watcher",
                               key=f"event.parked:{blueprint}:{self._key}:{name}")


def _size_problem(data: bytes, max_bytes: int) -> str | None:
    if not data:
        return "empty: the message file has no bytes"
    if len(data) > max_bytes:
        return f"too large: {len(data)} bytes, more than max_document_bytes"
    return None


def _problem(message: Any, max_bytes: int,
             max_attachments: int = MAX_ATTACHMENTS) -> tuple[str | None, set[str]]:
    """Why a parsed message cannot be used fully (or ``None``), and the document ids
    of its attachments that must not run (they did not decode cleanly)."""
    if not isinstance(message, EmailMessage) or not list(message.keys()):
        return "not an email: no header block", set()
    count = attachment_count(message)
    if count > max_attachments:
        return (f"too many attachments: {count}, more than max_email_attachments"
                f" ({max_attachments})"), set()
    reasons, bad = [], set()
    for index, part in enumerate(message.iter_attachments()):
        label = part.get_filename() or f"attachment-{index}"
        payload = part.get_payload(decode=True)
        defects = [type(d).__name__ for d in part.defects]
        if defects:
            reasons.append(f"corrupt attachment {label!r}: {', '.join(defects)}")
            if isinstance(payload, bytes):
                bad.add(document_id(payload))
        elif isinstance(payload, bytes) and len(payload) > max_bytes:
            reasons.append(f"attachment {label!r} too large: {len(payload)} bytes")
    return "; ".join(reasons) or None, bad


def audit_held(audit: AuditSink | None, blueprint: str, events: Iterable[str], reason: str, *,
               actor: str) -> None:
    """Record that the kill switch holds each of ``events`` (``reason``: its message);
    keyed per blueprint and event, so that an event held on every poll is recorded once."""
    if audit is None:
        return
    for event in events:
        audit.append("event.held", {"blueprint": blueprint, "event": event, "reason": reason},
                     actor=actor, key=f"event.held:{blueprint}:{event}")


def held_by_switch(switch: KillSwitches, audit: AuditSink | None, blueprint: str, event: str,
                   *, actor: str) -> bool:
    """Whether the kill switch is on for ``blueprint``; if so, ``event`` stays queued and
    is recorded as held (:func:`audit_held`)."""
    try:
        switch.check(blueprint)
    except KillSwitchEngaged as err:
        audit_held(audit, blueprint, [event], str(err), actor=actor)
        return True
    return False
