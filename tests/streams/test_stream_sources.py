"""The StreamSource conformance suite on Redis Streams and NATS JetStream (real servers)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.streams.conftest import Bus
from wardflow.config import Settings
from wardflow.runtime.streams import StreamMessage, StreamSource, open_stream_source
from wardflow.testing import StreamSourceConformance
from wardflow.testing.streams import OpenSource, Publish


class TestStreamSource(StreamSourceConformance):
    idle_s = 1.0

    @pytest.fixture
    def open_source(self, bus: Bus, tmp_path: Path) -> OpenSource:
        def open_(consumer: str) -> StreamSource:
            settings = Settings(home=tmp_path / "home", model="none", stream_batch=2,
                                stream_wait_s=0.5, stream_claim_idle_s=self.idle_s,
                                stream_consumer=consumer, **bus.settings())
            return open_stream_source(settings, bus.source, "conformance")

        return open_

    @pytest.fixture
    def publish(self, bus: Bus) -> Publish:
        return bus.publish


# Each source below breaks one rule; the suite's test for that rule must catch it. ----
class _Broken:
    def __init__(self, inner: StreamSource) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    def read(self) -> list[StreamMessage]:
        return self.inner.read()

    def ack(self, message: StreamMessage) -> None:
        self.inner.ack(message)

    def release(self, message: StreamMessage) -> None:
        self.inner.release(message)

    def extend(self, message: StreamMessage) -> None:
        self.inner.extend(message)

    def close(self) -> None:
        self.inner.close()


class _LosesAcks(_Broken):
    def ack(self, message: StreamMessage) -> None:
        return None


class _NeverExtends(_Broken):
    def extend(self, message: StreamMessage) -> None:
        return None


class _AcksReleased(_Broken):
    def release(self, message: StreamMessage) -> None:
        self.inner.ack(message)


def _opener(tmp_path: Path, bus: Bus, claim_idle_s: float,
            wrap: Callable[[StreamSource], Any]) -> OpenSource:
    def open_(consumer: str) -> StreamSource:
        settings = Settings(home=tmp_path / "home", model="none", stream_batch=2,
                            stream_wait_s=0.5, stream_claim_idle_s=claim_idle_s,
                            stream_consumer=consumer, **bus.settings())
        return wrap(open_stream_source(settings, bus.source, "conformance"))  # type: ignore[no-any-return]

    return open_


@pytest.mark.parametrize(("broken", "idle_s", "rule"), [
    (_LosesAcks, 1.0, "test_an_acknowledged_message_never_comes_back"),
    (_AcksReleased, 1.0, "test_a_released_message_comes_back"),
    (_NeverExtends, 1.0, "test_an_extended_message_is_not_taken_over"),
    (_Broken, 3600.0, "test_a_dead_consumers_message_comes_back_once_idle"),  # never claims
])
def test_the_suite_fails_a_source_that_breaks_a_rule(
    broken: type[_Broken], idle_s: float, rule: str, tmp_path: Path, redis_server: Any
) -> None:
    bus = Bus("redis", redis_server.url, f"broken-{uuid.uuid4().hex[:8]}")
    test = getattr(StreamSourceConformance(), rule)
    with pytest.raises(AssertionError):
        test(open_source=_opener(tmp_path, bus, idle_s, broken), publish=bus.publish)
