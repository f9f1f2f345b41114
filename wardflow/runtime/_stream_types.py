"""What a stream consumer hands over (a message) and raises (:class:`StreamError`):
shared by :mod:`wardflow.runtime.streams` and its Redis and NATS consumers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wardflow.errors import ToolError

__all__ = ["StreamError", "StreamMessage"]


class StreamError(ToolError):
    """A message stream cannot be used: the server is unreachable, refuses the
    credentials, or lacks what wardflow needs (JetStream on NATS)."""


@dataclass(frozen=True, slots=True)
class StreamMessage:
    """One message read from a stream.

    Attributes:
        id: its id in the source (a Redis entry id; ``<stream>.<sequence>`` on NATS).
        body: the message body, JSON.
        dedup_id: the publisher's own id for it (NATS ``Nats-Msg-Id``), if any.
        handle: what the source needs to acknowledge it.
    """

    id: str
    body: bytes
    dedup_id: str | None = None
    handle: Any = field(default=None, compare=False, repr=False)
