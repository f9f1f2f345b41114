"""What every :class:`~wardflow.runtime.streams.StreamSource` backend must do.

Provide two fixtures: ``open_source``, a callable that opens a consumer of one fresh
stream in one group under the consumer name it is given (reading at most 2 messages a
read, waiting up to a second for the first, and taking over a message left
unacknowledged for ``idle_s`` seconds), and ``publish``, a callable that publishes raw
bodies to that stream as another system would. Give ``idle_s`` as a class attribute.

The rules: a read returns what was published, in order, at most a batch, and nothing
when nothing is there; a message read by one consumer of the group is not read by
another while it is being worked on; an acknowledged message never comes back; a
released one comes back; one left unacknowledged by a consumer that died comes back to
another consumer once idle past ``idle_s``, and not while its consumer extends it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from wardflow.runtime.streams import StreamMessage, StreamSource

__all__ = ["OpenSource", "Publish", "StreamSourceConformance"]

OpenSource = Callable[[str], StreamSource]
Publish = Callable[..., None]


def _bodies(messages: list[StreamMessage]) -> list[bytes]:
    return [m.body for m in messages]


class StreamSourceConformance:
    """Provide ``open_source`` and ``publish`` fixtures (see the module docstring)."""

    idle_s: float = 1.0

    @pytest.fixture
    def open_source(self) -> OpenSource:
        raise NotImplementedError("provide an `open_source` fixture")

    @pytest.fixture
    def publish(self) -> Publish:
        raise NotImplementedError("provide a `publish` fixture")

    def test_reads_in_order_a_batch_at_a_time(self, open_source: OpenSource,
                                              publish: Publish) -> None:
        source = open_source("a")
        try:
            assert isinstance(source, StreamSource) and source.name
            assert source.read() == []
            publish(b'{"key": "1"}', b'{"key": "2"}', b'{"key": "3"}')
            first = source.read()
            assert _bodies(first) == [b'{"key": "1"}', b'{"key": "2"}']
            assert len({m.id for m in first}) == 2
            for message in first:
                source.ack(message)
            rest = source.read()
            assert _bodies(rest) == [b'{"key": "3"}']
            source.ack(rest[0])
            assert source.read() == []
        finally:
            source.close()

    def test_a_message_goes_to_one_consumer_of_the_group(self, open_source: OpenSource,
                                                          publish: Publish) -> None:
        one, two = open_source("one"), open_source("two")
        try:
            publish(b"1", b"2", b"3")
            by_one = one.read()
            by_two = two.read()
            assert sorted(_bodies(by_one) + _bodies(by_two)) == [b"1", b"2", b"3"]
            for message in by_one:
                one.ack(message)
            for message in by_two:
                two.ack(message)
            assert one.read() == [] and two.read() == []
        finally:
            one.close()
            two.close()

    def test_an_acknowledged_message_never_comes_back(self, open_source: OpenSource,
                                                      publish: Publish) -> None:
        source = open_source("a")
        try:
            publish(b"1")
            [message] = source.read()
            source.ack(message)
        finally:
            source.close()
        time.sleep(self.idle_s + 0.2)
        restarted = open_source("b")
        try:
            assert restarted.read() == []
        finally:
            restarted.close()

    def test_a_released_message_comes_back(self, open_source: OpenSource,
                                           publish: Publish) -> None:
        source = open_source("a")
        try:
            publish(b"1")
            [message] = source.read()
            source.release(message)
            back = source.read()
            assert [(m.id, m.body) for m in back] == [(message.id, b"1")], "not redelivered"
            again = back[0]
            source.ack(again)
            assert source.read() == []
        finally:
            source.close()

    def test_a_dead_consumers_message_comes_back_once_idle(self, open_source: OpenSource,
                                                           publish: Publish) -> None:
        dead = open_source("dead")
        publish(b"1")
        [message] = dead.read()
        dead.close()  # died before its ack
        time.sleep(self.idle_s + 0.2)
        other = open_source("other")
        try:
            back = other.read()
            assert [(m.id, m.body) for m in back] == [(message.id, b"1")], "not taken over"
            again = back[0]
            other.ack(again)
            assert other.read() == []
        finally:
            other.close()

    def test_an_extended_message_is_not_taken_over(self, open_source: OpenSource,
                                                   publish: Publish) -> None:
        slow = open_source("slow")
        other = open_source("other")
        try:
            publish(b"1")
            [message] = slow.read()
            for _ in range(3):  # idle past idle_s in all, never that long at a time
                time.sleep(self.idle_s * 0.6)
                slow.extend(message)
            assert other.read() == [], "taken over while its consumer was working on it"
            slow.ack(message)
        finally:
            slow.close()
            other.close()
