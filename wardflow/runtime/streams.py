"""Document events from message streams: other systems publish that a document is ready
and wardflow runs the blueprint on it (``source: "redis-stream:<stream>"`` or
``source: "nats:<subject>"``; ``pip install 'wardflow[streams]'``).

A message's body is a JSON object that names a document already in storage, or carries
it inline (base64, up to ``stream_inline_max_bytes``)::

    {"key": "incoming/a.pdf"}
    {"key": "incoming/a.pdf", "document_id": "erp-4711", "content_type": "application/pdf"}
    {"content": "JVBERi0xLjcK...", "name": "a.pdf"}

Delivery is at least once from the stream and exactly once as a run: the event ledger
(:class:`~wardflow.runtime.events.EventLedger`) is claimed before the run, keyed by the
message's ``document_id`` when it gives one, else by the stream's message id (on NATS
the publisher's ``Nats-Msg-Id`` header first), and the message is acknowledged only
after the run is recorded. A consumer killed between the two leaves the message
unacknowledged; it is read again (Redis: claimed with XAUTOCLAIM once idle for
``stream_claim_idle_s``; NATS: redelivered after the consumer's ``ack_wait``) and the
ledger stops a second run. A message that cannot be used (not JSON, no document, a key
with no object, too large, bad base64) is parked: ``failed/stream/<digest>/`` in
storage holds its body and a ``reason.json``, ``event.parked`` is audited, and the
message is acknowledged so it does not come back.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from wardflow.errors import ConfigError, StorageError
from wardflow.observability.audit import AuditSink
from wardflow.runtime._stream_types import StreamError, StreamMessage
from wardflow.runtime.events import EventLedger
from wardflow.tools.inbox import InboxItem, document_id
from wardflow.tools.storage import Storage, check_key

if TYPE_CHECKING:
    from wardflow.config import Settings

__all__ = ["DocumentMessage", "MessageLimits", "StreamError", "StreamEvent", "StreamMessage",
           "StreamSource", "consume", "group_name", "open_stream_source", "parse"]

_HANDLED = ("done", "waiting")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@#+=-]{0,127}$")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
_SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg",
             "image/tiff": ".tif", "application/xml": ".xml", "text/xml": ".xml"}
_FIELDS = ("key", "content", "name", "document_id", "content_type")
# A fault for the crash tests (``Settings.fault_inject``): SIGKILL after the run is
# recorded, before the message is acknowledged.
FAULT_BEFORE_ACK = "stream:before-ack"


@runtime_checkable
class StreamSource(Protocol):
    """A consumer of one stream on behalf of one blueprint (a consumer group member)."""

    @property
    def name(self) -> str:
        """The blueprint source it reads (``redis-stream:invoices``)."""
        ...

    def read(self) -> list[StreamMessage]:
        """The next messages: at most ``stream_batch``, waiting at most
        ``stream_wait_s`` for the first; messages a dead consumer left are included."""
        ...

    def ack(self, message: StreamMessage) -> None:
        """Acknowledge ``message``: it is never delivered again."""
        ...

    def release(self, message: StreamMessage) -> None:
        """Hand ``message`` back unprocessed (it is delivered again later)."""
        ...

    def extend(self, message: StreamMessage) -> None:
        """Tell the server ``message`` is still being worked on: its idle time starts
        again, so it is not taken over while it waits its turn in a batch."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


@dataclass(frozen=True, slots=True)
class MessageLimits:
    """Caps on what a message may bring: ``max_bytes`` per document (the settings'
    ``max_document_bytes``), ``inline_max_bytes`` per inline document."""

    max_bytes: int
    inline_max_bytes: int


@dataclass(frozen=True, slots=True)
class DocumentMessage:
    """A message body that names a document (``key``) or carries it (``content``)."""

    key: str | None
    content: str | None
    name: str | None
    document_id: str | None
    content_type: str | None


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """A ``document_uploaded`` event from a stream: ``key`` is its ledger id."""

    key: str
    item: InboxItem


def group_name(blueprint: str) -> str:
    """The consumer group (Redis) or durable consumer (NATS) of ``blueprint``: each
    blueprint reads every message once, whatever other blueprints read."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", blueprint)[:64]
    if safe != blueprint:  # keep two names that sanitize alike apart
        safe += "-" + hashlib.sha256(blueprint.encode()).hexdigest()[:8]
    return f"wardflow-{safe}"


def parse(message: StreamMessage, limits: MessageLimits) -> DocumentMessage | str:
    """The document a message names, or why it cannot be used."""
    body = message.body
    if not body.strip():
        return "empty: the message has no body"
    if len(body) > _body_cap(limits):
        return (f"too large: {len(body)} bytes of message, more than stream_inline_max_bytes"
                " allows; put the document in storage and send its key")
    try:
        doc = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return f"not JSON: {err}"
    if not isinstance(doc, dict):
        return f"not a JSON object: a {type(doc).__name__}; send {{\"key\": \"incoming/a.pdf\"}}"
    values = {name: doc.get(name) for name in _FIELDS}
    wrong = [name for name, value in values.items()
             if value is not None and not isinstance(value, str)]
    if wrong:
        return f"{', '.join(wrong)} must be a string"
    if (values["key"] is None) == (values["content"] is None):
        return ("needs exactly one of key (a storage key of the document) or content (the"
                " document in base64)")
    ident = values["document_id"]
    if ident is not None and not _ID.match(ident):
        return ("document_id must be 1 to 128 letters, digits or ._:/@#+=- (starting with"
                " a letter or digit)")
    kind = values["content_type"]
    if kind is not None and len(kind) > 100:
        return "content_type is longer than 100 characters"
    return DocumentMessage(values["key"], values["content"], values["name"], ident, kind)


def _body_cap(limits: MessageLimits) -> int:
    # base64 grows 4/3; 64 KiB for the JSON around it.
    return limits.inline_max_bytes * 4 // 3 + 4 + 64 * 1024


def event_key(source: str, message: StreamMessage, doc: DocumentMessage) -> str:
    """The ledger id: the publisher's document id, else its message id, else ours."""
    if doc.document_id is not None:
        return doc.document_id
    if message.dedup_id:
        return f"{source}#{message.dedup_id}"
    return f"{source}#{message.id}"


def load(doc: DocumentMessage, message: StreamMessage, source: str, storage: Storage,
         limits: MessageLimits) -> InboxItem | str:
    """The message's document as an inbox item (an inline one saved to storage under
    ``streams/``), or why it cannot be used.

    Raises:
        StorageError: storage failed in a way a retry may fix (the message stays
            unacknowledged and is read again).
    """
    if doc.key is not None:
        try:
            stored = check_key(doc.key)
            data = storage.get(stored)
        except StorageError as err:
            if err.retryable:
                raise
            return f"no document at key {doc.key!r}: {err}"
        name = doc.name or PurePosixPath(stored).name
    else:
        assert doc.content is not None
        if len(doc.content) > limits.inline_max_bytes * 4 // 3 + 4:
            return ("too large inline: more than stream_inline_max_bytes"
                    f" ({limits.inline_max_bytes}); put it in storage and send its key")
        try:
            data = base64.b64decode(doc.content, validate=True)
        except (binascii.Error, ValueError) as err:
            return f"content is not base64: {err}"
        stored, name = None, doc.name or "document"
    if not data:
        return "empty: the document has no bytes"
    if len(data) > limits.max_bytes:
        return f"too large: {len(data)} bytes, more than max_document_bytes"
    ident = document_id(data)
    safe = _UNSAFE_NAME.sub("_", PurePosixPath(name).name).strip(" .") or "document"
    if not PurePosixPath(safe).suffix and doc.content_type in _SUFFIXES:
        safe += _SUFFIXES[doc.content_type]
    if stored is None:
        stored = f"streams/{ident}/{safe}"
        storage.put(stored, data)
    origin = {"stream": source, "stream_message_id": message.id,
              "stream_document_id": doc.document_id or "",
              "content_type": doc.content_type or ""}
    return InboxItem(ident, f"{source}#{message.id}", safe, storage_key=stored, origin=origin)


def park(storage: Storage, audit: AuditSink | None, blueprint: str, source: str,
         message: StreamMessage, reason: str, *, max_bytes: int) -> None:
    """Keep an unusable message in ``failed/stream/<digest>/`` with its reason, audited."""
    digest = hashlib.sha256(message.body or f"{source}#{message.id}".encode()).hexdigest()[:16]
    folder = f"failed/stream/{digest}"
    stored = None
    if message.body and len(message.body) <= max_bytes:
        stored = f"{folder}/message.json"
        storage.put(stored, message.body)
    record = {"blueprint": blueprint, "source": source, "message": message.id,
              "reason": reason, "stored_as": stored}
    storage.put(f"{folder}/reason.json", json.dumps(record, indent=2).encode())
    if audit is not None:
        audit.append("event.parked", record, actor="watcher",
                     key=f"event.parked:{blueprint}:{source}#{message.id}")


def consume(source: StreamSource, blueprint: str, *, ledger: EventLedger, storage: Storage,
            audit: AuditSink | None, limits: MessageLimits,
            run: Callable[[StreamEvent], dict[str, Any]], held: Callable[[str], bool],
            faults: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """One bounded read of ``source``: park what is unusable, run each new event once
    (``run`` records it in the ledger as it goes), acknowledge each message once its
    run is recorded. ``held(key)`` answers whether the kill switch holds the event: it
    and the messages after it are handed back for a later round."""
    messages = source.read()
    results: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        for waiting in messages[index:]:  # the runs before them took time
            source.extend(waiting)
        try:
            result = _one(source, blueprint, message, ledger, storage, audit, limits, run, held)
        except BaseException:
            for rest in messages[index + 1:]:
                source.release(rest)
            raise
        if result is False:  # held by the kill switch
            for rest in messages[index:]:
                source.release(rest)
            break
        if isinstance(result, dict) and FAULT_BEFORE_ACK in faults:
            os.kill(os.getpid(), signal.SIGKILL)  # a crash between run and ack
        source.ack(message)
        if isinstance(result, dict):
            results.append(result)
    return results


def _one(source: StreamSource, blueprint: str, message: StreamMessage, ledger: EventLedger,
         storage: Storage, audit: AuditSink | None, limits: MessageLimits,
         run: Callable[[StreamEvent], dict[str, Any]], held: Callable[[str], bool]
         ) -> dict[str, Any] | bool | None:
    """Run one message: its result, ``None`` when there is nothing to run (parked, or
    its run was recorded before), ``False`` when the kill switch holds it."""
    doc = parse(message, limits)
    if isinstance(doc, str):
        park(storage, audit, blueprint, source.name, message, doc, max_bytes=limits.max_bytes)
        return None
    key = event_key(source.name, message, doc)
    if ledger.state(blueprint, key) in _HANDLED:
        return None  # delivered again after its run was recorded: the ack was lost
    if held(key):
        return False
    item = load(doc, message, source.name, storage, limits)
    if isinstance(item, str):
        park(storage, audit, blueprint, source.name, message, item, max_bytes=limits.max_bytes)
        return None
    ledger.record(blueprint, key, source.name)
    return run(StreamEvent(key, item))


def open_stream_source(settings: Settings, source: str, blueprint: str) -> StreamSource:
    """A consumer of a blueprint's message stream source (``redis-stream:<stream>`` at
    ``redis_url``, ``nats:<subject>`` at ``nats_url``), in the blueprint's group.

    Raises:
        ConfigError: the source is not a stream, its server URL is unset, or
            wardflow[streams] is not installed.
        StreamError: the server cannot be reached or lacks what it needs.
    """
    import socket

    kind, _, name = source.partition(":")
    servers = {"redis-stream": (settings.redis_url, "WARDFLOW_REDIS_URL", "redis://host:6379/0"),
               "nats": (settings.nats_url, "WARDFLOW_NATS_URL", "nats://host:4222")}
    if kind not in servers:
        raise ConfigError(f"{source!r} is not a message stream source")
    secret, variable, example = servers[kind]
    url = secret.get_secret_value() if secret is not None else ""
    if not url:
        raise ConfigError(f"the blueprint's source {source!r} needs {variable} (its server,"
                          f" e.g. {example})")
    consumer = settings.stream_consumer or f"{socket.gethostname()}-{os.getpid()}"
    batch, wait_s, idle_s = (settings.stream_batch, settings.stream_wait_s,
                             settings.stream_claim_idle_s)
    try:
        if kind == "redis-stream":
            import redis

            from wardflow.runtime._redis_stream import RedisStreamSource

            client = redis.Redis.from_url(url, socket_connect_timeout=5.0,
                                          socket_timeout=settings.stream_wait_s + 10.0)
            return RedisStreamSource(client, name, group_name(blueprint), consumer, batch=batch,
                                     wait_s=wait_s, claim_idle_s=idle_s)
        from wardflow.runtime._nats_stream import open_nats_source

        return open_nats_source(url, name, group_name(blueprint), batch=batch, wait_s=wait_s,
                                claim_idle_s=idle_s)
    except ImportError as err:
        raise ConfigError(f"{source!r} needs the streams extra: pip install"
                          " 'wardflow[streams]'") from err
