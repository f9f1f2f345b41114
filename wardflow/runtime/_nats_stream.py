"""A NATS subject as a blueprint source (``nats:<subject>``): a JetStream durable pull
consumer per blueprint with explicit acks; a message not acknowledged within
``stream_claim_idle_s`` (the consumer's ``ack_wait``) is delivered again.

Core NATS without JetStream keeps no messages and cannot redeliver, so a server
without it is refused (start ``nats-server -js``). When no stream holds the subject,
one is created for it (``wardflow-<subject>``), so that what is published from then on
is kept.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, TypeVar

from wardflow.runtime._stream_types import StreamError, StreamMessage

if TYPE_CHECKING:
    from nats.aio.client import Client
    from nats.js.client import JetStreamContext

__all__ = ["NatsStreamSource", "open_nats_source"]

_T = TypeVar("_T")
log = logging.getLogger(__name__)


def open_nats_source(url: str, subject: str, durable: str, *, batch: int, wait_s: float,
                     claim_idle_s: float, timeout_s: float = 5.0) -> NatsStreamSource:
    """Connect to ``url`` and bind (creating if needed) the durable consumer.

    Raises:
        StreamError: the server is unreachable or has no JetStream.
    """
    loop = asyncio.new_event_loop()
    try:
        source = NatsStreamSource(loop, subject, batch=batch, wait_s=wait_s)
        loop.run_until_complete(source._open(url, durable, claim_idle_s, timeout_s))
    except BaseException:
        loop.close()
        raise
    return source


class NatsStreamSource:
    """One member of a JetStream durable consumer (use :func:`open_nats_source`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, subject: str, *, batch: int,
                 wait_s: float) -> None:
        self._loop = loop
        self._subject = subject
        self._batch = batch
        self._wait_s = max(wait_s, 0.05)  # a fetch needs a little time to answer at all
        self._nc: Client | None = None
        self._sub: JetStreamContext.PullSubscription | None = None

    @property
    def name(self) -> str:
        return f"nats:{self._subject}"

    async def _open(self, url: str, durable: str, claim_idle_s: float,
                    timeout_s: float) -> None:
        import nats
        import nats.js.errors
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        async def quiet(err: Exception) -> None:
            log.debug("nats: %s", err)

        try:
            self._nc = await nats.connect(url, connect_timeout=timeout_s, allow_reconnect=False,
                                          max_reconnect_attempts=0, error_cb=quiet)
        except Exception as err:  # nats raises several unrelated types for one failure
            raise StreamError("nats", f"cannot reach the server at WARDFLOW_NATS_URL: {err}",
                              retryable=True) from err
        js = self._nc.jetstream(timeout=timeout_s)
        try:
            try:
                stream = await js.find_stream_name_by_subject(self._subject)
            except NotFoundError:
                stream = "wardflow-" + re.sub(r"[^A-Za-z0-9_-]", "_", self._subject)[:100]
                log.info("nats: creating stream %s for subject %s", stream, self._subject)
                await js.add_stream(name=stream, subjects=[self._subject])
            config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT,
                                    deliver_policy=DeliverPolicy.ALL, ack_wait=claim_idle_s,
                                    max_deliver=-1)
            self._sub = await js.pull_subscribe(self._subject, durable=durable, stream=stream,
                                                config=config)
        except (nats.errors.NoRespondersError, nats.errors.TimeoutError,
                nats.js.errors.ServiceUnavailableError) as err:
            await self._nc.close()
            raise StreamError("nats", "the NATS server has no JetStream (core NATS keeps no"
                              " messages to redeliver); start it with `nats-server -js`, or"
                              " enable jetstream in its config") from err
        except nats.js.errors.APIError as err:
            await self._nc.close()
            raise StreamError("nats", f"subject {self._subject!r}: {err}") from err

    def read(self) -> list[StreamMessage]:
        import nats

        assert self._sub is not None
        try:
            found = self._loop.run_until_complete(
                _wrap(self._sub.fetch(self._batch, timeout=self._wait_s)))
        except TimeoutError:  # nats raises its own subclass, or asyncio's
            return []  # nothing arrived in the wait
        except nats.errors.Error as err:
            raise StreamError("nats", f"subject {self._subject!r}: {err}",
                              retryable=True) from err
        messages = []
        for msg in found:
            meta = msg.metadata
            dedup = (msg.headers or {}).get("Nats-Msg-Id")
            messages.append(StreamMessage(f"{meta.stream}.{meta.sequence.stream}", msg.data,
                                          dedup_id=dedup, handle=msg))
        return messages

    def ack(self, message: StreamMessage) -> None:
        # Waits for the server's answer: an ack lost in a buffer would re-deliver.
        self._run(message.handle.ack_sync(timeout=5.0))

    def release(self, message: StreamMessage) -> None:
        self._run(message.handle.nak())

    def extend(self, message: StreamMessage) -> None:
        # "+WPI" restarts the message's ack_wait; flushed, so it is sent before the run.
        assert self._nc is not None
        self._run(message.handle.in_progress())
        self._run(self._nc.flush(timeout=5))

    def close(self) -> None:
        try:
            if self._nc is not None and not self._nc.is_closed:
                self._run(self._nc.close())
        finally:
            self._loop.close()

    def _run(self, work: Awaitable[_T]) -> _T:
        import nats

        try:
            return self._loop.run_until_complete(_wrap(work))
        except nats.errors.Error as err:
            raise StreamError("nats", f"subject {self._subject!r}: {err}",
                              retryable=True) from err


async def _wrap(work: Awaitable[_T]) -> _T:
    return await work
