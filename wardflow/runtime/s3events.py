"""S3 objects as ``document_uploaded`` events: from notifications (``POST /events/s3``,
the JSON AWS, MinIO and Ceph send) or from polling a prefix, one run per object version.

An object version is keyed ``s3://bucket/name#v=<version id>`` (``#etag=<etag>`` in an
unversioned bucket) in the event ledger, per workflow: the first claim wins, so a
repeated notification, a second server on the same ledger (Postgres) or a poll after a
notification starts nothing; a new version of the same name is a new event. A claimed
version is copied to ``incoming/<document id>/<name>`` in storage, so the run reads the
bytes that were announced even if the name is overwritten later.

Who gets an object under the storage (``s3://bucket/prefix``): each blueprint whose
trigger is ``event: document_uploaded`` with a ``source`` whose storage location
(``storage_locations``) the object is in; if none, the invoice flow when the object is
in the ``inbox`` location.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from wardflow.config import Settings
from wardflow.errors import KillSwitchEngaged, StorageError, WardflowError
from wardflow.observability.audit import AuditSink
from wardflow.runtime.events import EventLedger, LedgerEntry, audit_held, held_by_switch
from wardflow.tools.inbox import InboxItem, document_id
from wardflow.tools.s3storage import S3Storage
from wardflow.tools.storage import Storage

if TYPE_CHECKING:
    from wardflow.graphs.blueprint import Blueprint
    from wardflow.guardrails.killswitch import KillSwitches
    from wardflow.runtime.workspace import Workspace

__all__ = ["NotificationError", "ObjectEvent", "QueuedRun", "S3EventSource", "Target",
           "event_targets", "finish_queued", "load_event_blueprints", "matching",
           "parse_notification", "queue_for_workers", "s3_storage", "take_queued"]

log = logging.getLogger(__name__)

MAX_RECORDS = 1000
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
_RERUN = ("open", "started")


def _now() -> datetime:
    return datetime.now(UTC)


class NotificationError(WardflowError, ValueError):
    """An S3 event notification that cannot be read (the web answer is 400)."""


@dataclass(frozen=True, slots=True)
class ObjectEvent:
    """One object version announced (or found by polling).

    Attributes:
        bucket: the bucket.
        name: the object name (decoded from the notification's URL encoding).
        version_id: its version id; ``None`` in an unversioned bucket.
        etag: its ETag, without quotes.
    """

    bucket: str
    name: str
    version_id: str | None
    etag: str

    @property
    def key(self) -> str:
        """The ledger's id of this object version."""
        version = f"v={self.version_id}" if self.version_id else f"etag={self.etag}"
        return f"{self.uri}#{version}"

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.name}"

    @classmethod
    def from_key(cls, key: str) -> ObjectEvent | None:
        """The event a ledger id names, or ``None`` for another kind of id."""
        if not key.startswith("s3://") or "#" not in key:
            return None
        where, _, version = key[5:].rpartition("#")
        bucket, _, name = where.partition("/")
        kind, _, value = version.partition("=")
        if not bucket or not name or not value or kind not in ("v", "etag"):
            return None
        return cls(bucket, name, value if kind == "v" else None, value if kind == "etag" else "")


def parse_notification(body: bytes) -> tuple[list[ObjectEvent], list[dict[str, str]]]:
    """The object-created events of an S3 notification, and the records left out (with
    the reason). An ``s3:TestEvent`` (sent when a notification is set up) has none.

    Raises:
        NotificationError: the body is not JSON, or a record lacks what S3 always sends.
    """
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise NotificationError(f"the body is not JSON: {err}") from err
    if not isinstance(doc, dict):
        raise NotificationError("an S3 notification is a JSON object with 'Records'")
    if "Records" not in doc and doc.get("Event") == "s3:TestEvent":
        return [], [{"reason": "s3:TestEvent: the notification is set up; nothing to run"}]
    records = doc.get("Records")
    if not isinstance(records, list):
        raise NotificationError("an S3 notification needs a 'Records' list")
    if len(records) > MAX_RECORDS:
        raise NotificationError(f"{len(records)} records, more than {MAX_RECORDS}")
    events: list[ObjectEvent] = []
    ignored: list[dict[str, str]] = []
    for index, record in enumerate(records):
        event, reason = _record(index, record)
        if event is not None:
            events.append(event)
        else:
            ignored.append({"record": str(index), "reason": reason})
    return events, ignored


def _record(index: int, record: Any) -> tuple[ObjectEvent | None, str]:
    where = f"record {index}"
    if not isinstance(record, dict):
        raise NotificationError(f"{where} is not an object")
    name = record.get("eventName")
    if not isinstance(name, str):
        raise NotificationError(f"{where}: 'eventName' is missing")
    name = name.removeprefix("s3:")  # MinIO writes s3:ObjectCreated:Put
    if not name.startswith("ObjectCreated:"):
        return None, f"{name}: only ObjectCreated events start runs"
    s3 = record.get("s3")
    bucket = _get(s3, "bucket", "name")
    obj = s3.get("object") if isinstance(s3, dict) else None
    key = obj.get("key") if isinstance(obj, dict) else None
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
        raise NotificationError(f"{where}: 's3.bucket.name' and 's3.object.key' are required")
    assert isinstance(obj, dict)
    version, etag = obj.get("versionId"), obj.get("eTag")
    version = version if isinstance(version, str) and version not in ("", "null") else None
    etag = etag.strip('"') if isinstance(etag, str) else ""
    if version is None and not etag:
        raise NotificationError(f"{where}: 's3.object' needs a 'versionId' or an 'eTag'")
    return ObjectEvent(bucket, unquote_plus(key), version, etag), ""


def _get(value: Any, *path: str) -> Any:
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


# Who gets an object -----------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A workflow that objects under ``location`` (a storage prefix) start.

    Attributes:
        workflow: the blueprint's name, or ``invoice``.
        location: the storage prefix it watches.
        blueprint: the blueprint; ``None`` for the invoice flow.
    """

    workflow: str
    location: str
    blueprint: Blueprint | None = field(default=None, compare=False)

    def covers(self, key: str) -> bool:
        return key.startswith(self.location.strip("/") + "/")

    def thread(self, item: InboxItem) -> str:
        return f"{self.workflow}:{item.document_id}" if self.blueprint else item.document_id


def event_targets(settings: Settings, blueprints: Iterable[Blueprint]) -> list[Target]:
    """The blueprints triggered by uploads to a storage location, then the invoice flow
    on the ``inbox`` location (it gets what no blueprint takes)."""
    targets = []
    for blueprint in blueprints:
        trigger = blueprint.trigger
        if (trigger.kind != "event" or trigger.event != "document_uploaded"
                or trigger.maildir is not None):
            continue
        location = settings.storage_locations.get(trigger.source or "inbox")
        if location:
            targets.append(Target(blueprint.name, location, blueprint))
    targets.append(Target("invoice", settings.storage_locations.get("inbox", "inbox")))
    return targets


def matching(targets: Iterable[Target], key: str) -> list[Target]:
    """The targets an object at storage ``key`` starts."""
    chosen = [t for t in targets if t.covers(key)]
    blueprints = [t for t in chosen if t.blueprint is not None]
    return blueprints or chosen[:1]


def s3_storage(storage: Storage) -> S3Storage | None:
    """The :class:`S3Storage` under ``storage`` (a fault-injecting wrapper's too)."""
    while not isinstance(storage, S3Storage):
        inner = getattr(storage, "inner", None)
        if inner is None:
            return None
        storage = inner
    return storage


# Claiming and running ---------------------------------------------------------------
class S3EventSource:
    """Claims object versions in the ledger and runs them (the notification and the
    polling source share it).

    Args:
        storage: the S3 storage the objects are in.
        ledger: the event ledger (SQLite, or Postgres shared by every machine).
        max_bytes: larger objects are not read; the event is closed with the reason.
        lease_s: a poll takes over an event claimed but unfinished this long (the
            server running it died); a younger one is left to its server.
        clock: the time a lease is measured with (the ledger's clock).
        audit: where an event that cannot run (gone, too large) is recorded.
    """

    def __init__(self, storage: S3Storage, ledger: EventLedger, *, max_bytes: int,
                 lease_s: float = 300.0, clock: Callable[[], datetime] = _now,
                 audit: AuditSink | None = None) -> None:
        self.storage = storage
        self.ledger = ledger
        self.audit = audit
        self.max_bytes = max_bytes
        self.lease_s = lease_s
        self.clock = clock

    def _abandoned(self, entry: LedgerEntry) -> bool:
        if entry.state not in _RERUN:
            return False
        if not entry.updated_at:
            return True
        age = self.clock() - datetime.fromisoformat(entry.updated_at)
        return age.total_seconds() >= self.lease_s

    def claim(self, event: ObjectEvent, target: Target) -> InboxItem | str:
        """The document to run for ``event`` if this call claimed it first, else why
        nothing runs (seen before; the version is gone or too large)."""
        # Read before the claim: a read that fails claims nothing, so the notifier's
        # retry (or the next poll) can still run the version.
        state = self.ledger.state(target.workflow, event.key)
        if state is None:
            item = self.fetch(event)
            if self.ledger.record(target.workflow, event.key, event.uri):
                if isinstance(item, str):
                    self._close(target, event, item)
                return item
            state = self.ledger.state(target.workflow, event.key)
        return f"duplicate: this object version was claimed before (its event is {state})"

    def _close(self, target: Target, event: ObjectEvent, reason: str) -> None:
        """Close an event that cannot run; the object stays where it is."""
        self.ledger.mark(target.workflow, event.key, "done", result=reason)
        if self.audit is not None:
            self.audit.append("event.parked", {"blueprint": target.workflow,
                                               "event": event.key, "reason": reason},
                              actor="s3-events",
                              key=f"event.parked:{target.workflow}:{event.key}")

    def fetch(self, event: ObjectEvent) -> InboxItem | str:
        """The object version, copied to ``incoming/``; or why it cannot be read."""
        key = self.storage.storage_key(event.bucket, event.name)
        if key is None:
            return f"{event.uri} is not under {self.storage.location}"
        data = self.storage.get_version(key, version_id=event.version_id, etag=event.etag,
                                        max_bytes=self.max_bytes)
        if data is None:
            return "gone: this version was deleted or overwritten before it was read"
        if isinstance(data, int):
            return f"too large: {data} bytes, more than max_document_bytes"
        doc = document_id(data)
        name = _UNSAFE_NAME.sub("_", PurePosixPath(event.name).name).strip(" .")[:120] \
            or "document"
        stored = f"incoming/{doc}/{name}"
        self.storage.put(stored, data)
        origin = {"s3": {"bucket": event.bucket, "key": event.name,
                         "version_id": event.version_id, "etag": event.etag or None}}
        return InboxItem(doc, event.uri, name, storage_key=stored, origin=origin)

    def run(self, ws: Workspace, target: Target, event: ObjectEvent, item: InboxItem,
            submitted_by: str) -> dict[str, Any]:
        """Run a claimed event's document and close its ledger entry."""
        thread = target.thread(item)
        ws.switch.check(target.workflow)  # engaged: the entry stays open, runs later
        self.ledger.mark(target.workflow, event.key, "started", thread_id=thread)
        if target.blueprint is not None:
            result = ws.run_blueprint_item(target.blueprint, item, submitted_by=submitted_by)
            status, waiting, error = result["status"], result["waiting"], result["error"]
        else:
            summary = ws.process_item(item, submitted_by=submitted_by)
            status, waiting, error = summary.status, summary.waiting_for_review, summary.error
        self.ledger.mark(target.workflow, event.key, "waiting" if waiting else "done",
                         result=str(status))
        return {"thread_id": thread, "status": str(status), "error": error,
                "object": event.key, "waiting": bool(waiting), "document": item.source}

    def poll(self, ws: Workspace, target: Target, *, submitted_by: str = "watcher",
             progress: Callable[[int, int, str], None] | None = None) -> list[dict[str, Any]]:
        """One scan of the target's location: each object version not in the ledger
        is claimed and run, and so is each one claimed but left unfinished for
        ``lease_s`` (a crash). While the kill switch is on, nothing runs (the events
        stay open and run after it is off)."""
        workflow = target.workflow
        # (event, taken over): an abandoned claim is run again; a new one is claimed
        # first (a notification may have claimed it since the listing).
        todo: list[tuple[ObjectEvent, bool]] = [
            (event, True) for entry in self.ledger.open_entries(workflow)
            if self._abandoned(entry) and (event := ObjectEvent.from_key(entry.document_id))]
        known = {entry.document_id for entry in self.ledger.entries(workflow)}  # one query
        for version in self.storage.latest_versions(target.location):
            event = ObjectEvent(self.storage.bucket, self.storage.object_name(version.key),
                                version.version_id, version.etag)
            if event.key not in known:
                todo.append((event, False))
        results = []
        for index, (event, taken_over) in enumerate(todo):
            if progress is not None:
                progress(index, len(todo), event.name)
            if held_by_switch(ws.switch, ws.audit, workflow, event.key, actor="watcher"):
                break
            item = self.fetch(event) if taken_over else self.claim(event, target)
            if isinstance(item, str):
                if taken_over:
                    self._close(target, event, item)
                log.info("%s: %s", event.key, item)
                continue
            results.append(self.run(ws, target, event, item, submitted_by))
        return results


# Queued for workers ------------------------------------------------------------------
QUEUED_BY = "queued by "


def queue_for_workers(ledger: EventLedger, target: Target, event: ObjectEvent, thread: str,
                      submitted_by: str) -> None:
    """Leave a claimed event to the workers (``WARDFLOW_EVENT_RUNS=workers``): ``queued``,
    with its thread id and who it is submitted by (kept for the four-eyes rule)."""
    ledger.mark(target.workflow, event.key, "queued", thread_id=thread,
                result=QUEUED_BY + submitted_by)


@dataclass(frozen=True)
class QueuedRun:
    """An event a worker took from the ledger: the run to start, and for whom."""

    target: Target
    event: ObjectEvent
    item: InboxItem
    submitted_by: str


def take_queued(source: S3EventSource, targets: Iterable[Target], *, switch: KillSwitches,
                limit: int) -> list[QueuedRun]:
    """Up to ``limit`` events queued for workers, each taken by exactly one caller (the
    ledger's :meth:`~wardflow.runtime.events.EventLedger.take`), with an event a dead
    worker left ``started`` for ``source.lease_s``. A workflow whose kill switch is on
    keeps its events queued (audited once each as ``event.held``).

    Raises:
        StorageError: a taken event's object could not be read; every event this call
            took is queued again first.
    """
    cutoff = (source.clock() - timedelta(seconds=source.lease_s)).isoformat()
    taken: list[QueuedRun] = []
    for target in targets:
        ledger = source.ledger
        entries = [e for e in ledger.open_entries(target.workflow)
                   if (e.state == "queued" or (e.state == "started" and e.updated_at
                                               and e.updated_at < cutoff))
                   and ObjectEvent.from_key(e.document_id) is not None]
        if not entries or len(taken) >= limit:
            continue
        try:
            switch.check(target.workflow)
        except KillSwitchEngaged as err:
            audit_held(source.audit, target.workflow, (e.document_id for e in entries),
                       str(err), actor="worker")
            continue
        for entry in entries[: limit - len(taken)]:
            if not ledger.take(target.workflow, entry.document_id, state=entry.state,
                               updated_before=None if entry.state == "queued" else cutoff):
                continue  # another worker was first
            event = ObjectEvent.from_key(entry.document_id)
            assert event is not None  # filtered above
            try:
                item = source.fetch(event)
            except StorageError:  # nothing taken is lost: all of it back to the queue
                back = [(run.target.workflow, run.event.key) for run in taken]
                for workflow, key in [*back, (target.workflow, event.key)]:
                    ledger.mark(workflow, key, "queued")
                raise
            if isinstance(item, str):
                source._close(target, event, item)
                continue
            result = entry.result or ""
            who = result.removeprefix(QUEUED_BY) if result.startswith(QUEUED_BY) else "worker"
            taken.append(QueuedRun(target, event, item, who))
    return taken


def finish_queued(source: S3EventSource, run: QueuedRun, status: str, *, waiting: bool
                  ) -> None:
    """Close a taken event's ledger entry once its run has paused or ended."""
    source.ledger.mark(run.target.workflow, run.event.key, "waiting" if waiting else "done",
                       thread_id=run.target.thread(run.item), result=status)


def load_event_blueprints(settings: Settings) -> list[Blueprint]:
    """The valid blueprints in ``settings.blueprints_path`` (an invalid one is logged
    and left out: one bad file must not stop the others' events)."""
    from wardflow.graphs.blueprint import BlueprintError, load_blueprint

    root = settings.blueprints_path
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")]) if root.is_dir() else []
    found = []
    for file in files:
        try:
            found.append(load_blueprint(file, settings))
        except (BlueprintError, OSError) as err:
            log.warning("blueprint %s left out of S3 events: %s", file, err)
    return found

