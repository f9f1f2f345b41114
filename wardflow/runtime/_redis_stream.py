"""A Redis stream as a blueprint source (``redis-stream:<stream>``): a consumer group per
blueprint, XREADGROUP for new entries, XACK after the run is recorded, XAUTOCLAIM for
entries a dead consumer left pending longer than ``stream_claim_idle_s``.

An entry's body is its ``body`` field (``XADD s * body '{"key": "incoming/a.pdf"}'``);
an entry without one is read as the JSON object of its fields
(``XADD s * key incoming/a.pdf``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from wardflow.runtime._stream_types import StreamError, StreamMessage

if TYPE_CHECKING:
    import redis

__all__ = ["RedisStreamSource"]

_T = TypeVar("_T")


class RedisStreamSource:
    """One consumer of a Redis stream's consumer group.

    Args:
        client: a ``redis.Redis`` client (bytes responses).
        stream: the stream's key.
        group: the consumer group (one per blueprint).
        consumer: this consumer's name in the group.
        batch: the most entries one :meth:`read` returns.
        wait_s: how long :meth:`read` waits for a new entry when it found none.
        claim_idle_s: entries pending longer than this on another consumer are taken.
    """

    def __init__(self, client: redis.Redis, stream: str, group: str, consumer: str, *,
                 batch: int, wait_s: float, claim_idle_s: float) -> None:
        # Any: redis-py types every answer as ``Awaitable | Any`` (one stub for the sync
        # and the asyncio client); the sync client answers plain values.
        self._client: Any = client
        self._stream = stream
        self._group = group
        self._consumer = consumer
        self._batch = batch
        self._wait_ms = int(wait_s * 1000)
        self._idle_ms = max(1, int(claim_idle_s * 1000))
        self._call(self._create_group)

    @property
    def name(self) -> str:
        return f"redis-stream:{self._stream}"

    def _create_group(self) -> None:
        import redis

        try:
            # From the start of the stream: what was published before the first watch
            # is run too (the ledger skips what already ran).
            self._client.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except redis.ResponseError as err:
            if "BUSYGROUP" not in str(err):
                raise

    def read(self) -> list[StreamMessage]:
        return self._call(self._read)

    def _read(self) -> list[StreamMessage]:
        entries: list[tuple[Any, Any]] = []
        # Our own pending entries first: held back by the kill switch, or read by a
        # process of the same consumer name that died.
        pending = self._client.xpending_range(self._stream, self._group, min="-", max="+",
                                              count=self._batch, consumername=self._consumer)
        ids = [p["message_id"] for p in pending]
        if ids:
            entries += self._client.xclaim(self._stream, self._group, self._consumer,
                                           min_idle_time=0, message_ids=ids) or []
        if len(entries) < self._batch:
            claimed = self._client.xautoclaim(self._stream, self._group, self._consumer,
                                              min_idle_time=self._idle_ms, start_id="0-0",
                                              count=self._batch - len(entries))
            entries += claimed[1] or []
            self._forget_dead_consumers()
        if len(entries) < self._batch:
            block = self._wait_ms if not entries and self._wait_ms > 0 else None
            answer = self._client.xreadgroup(self._group, self._consumer, {self._stream: ">"},
                                             count=self._batch - len(entries), block=block)
            for _, found in answer or []:
                entries += found
        seen: set[str] = set()
        messages = []
        for entry_id, fields in entries:
            ident = _text(entry_id)
            if entry_id is None or ident in seen:
                continue
            seen.add(ident)
            messages.append(StreamMessage(ident, _body(fields or {}), handle=entry_id))
        return messages

    def _forget_dead_consumers(self) -> None:
        """Drop the group's consumers that hold nothing and were idle ten times the claim
        time (each restart is a new ``<host>-<pid>``; they would pile up otherwise).

        A live consumer reads every round, so it is never that idle; the margin keeps
        a consumer that reads just as it is dropped (its new entry would leave the
        pending list with it) out of reach."""
        for info in self._client.xinfo_consumers(self._stream, self._group):
            name = _text(info["name"])
            if (name != self._consumer and int(info["pending"]) == 0
                    and int(info["idle"]) > 10 * self._idle_ms):
                self._client.xgroup_delconsumer(self._stream, self._group, name)

    def ack(self, message: StreamMessage) -> None:
        self._call(lambda: self._client.xack(self._stream, self._group, message.handle))

    def release(self, message: StreamMessage) -> None:
        # It stays pending on this consumer: the next read takes it first.
        return None

    def extend(self, message: StreamMessage) -> None:
        self._call(lambda: self._extend(message.handle))

    def _extend(self, entry_id: Any) -> None:
        # XCLAIM to itself resets the entry's idle time (XAUTOCLAIM looks at it); only
        # while it is still this consumer's, never taking it back from another.
        mine = self._client.xpending_range(self._stream, self._group, min=entry_id,
                                           max=entry_id, count=1,
                                           consumername=self._consumer)
        if mine:
            self._client.xclaim(self._stream, self._group, self._consumer, min_idle_time=0,
                                message_ids=[entry_id], justid=True)

    def close(self) -> None:
        self._client.close()

    def _call(self, action: Callable[[], _T]) -> _T:
        import redis

        try:
            return action()
        except redis.AuthenticationError as err:
            raise StreamError("redis", f"the server refused the credentials in"
                              f" WARDFLOW_REDIS_URL: {err}") from err
        except (redis.ConnectionError, redis.TimeoutError) as err:
            raise StreamError("redis", f"cannot reach the server at WARDFLOW_REDIS_URL: {err}",
                              retryable=True) from err
        except redis.ResponseError as err:
            raise StreamError("redis", f"stream {self._stream!r}: {err}") from err


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _body(fields: dict[Any, Any]) -> bytes:
    """The entry's body: its ``body`` field, else all its fields as a JSON object."""
    raw = {_text(k): v for k, v in fields.items()}
    if "body" in raw:
        value = raw["body"]
        return value if isinstance(value, bytes) else str(value).encode()
    try:
        return json.dumps({k: _text(v) for k, v in raw.items()}).encode()
    except UnicodeDecodeError:
        return b"\xff (fields that are not UTF-8)"
