"""Real redis-server and nats-server (JetStream) for the session, on 127.0.0.1, and a
publisher for each that other systems would use (XADD; JetStream publish)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.streams.servers import NatsServer, RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="session")
def nats_server() -> Iterator[NatsServer]:
    with NatsServer() as server:
        yield server


@dataclass
class Bus:
    """One stream (or subject) of one server, fresh for each test."""

    kind: str  # "redis" or "nats"
    url: str
    name: str

    @property
    def source(self) -> str:
        return f"redis-stream:{self.name}" if self.kind == "redis" else f"nats:{self.name}"

    def settings(self) -> dict[str, Any]:
        return {"redis_url": self.url} if self.kind == "redis" else {"nats_url": self.url}

    def publish(self, *bodies: bytes | dict[str, Any]) -> None:
        raw = [b if isinstance(b, bytes) else json.dumps(b).encode() for b in bodies]
        if self.kind == "redis":
            import redis

            with redis.Redis.from_url(self.url) as client:
                for body in raw:
                    client.xadd(self.name, {"body": body})
        else:
            asyncio.run(self._publish_nats(raw))

    async def _publish_nats(self, bodies: list[bytes]) -> None:
        import nats
        from nats.js.errors import NotFoundError

        nc = await nats.connect(self.url)
        try:
            js = nc.jetstream()
            try:
                await js.find_stream_name_by_subject(self.name)
            except NotFoundError:
                await js.add_stream(name=self.name.replace(".", "_"), subjects=[self.name])
            for body in bodies:
                await js.publish(self.name, body)
        finally:
            await nc.close()

    def outstanding(self, group: str) -> int:
        """The group's messages not acknowledged: delivered ones and those still to read."""
        if self.kind == "redis":
            import redis

            with redis.Redis.from_url(self.url) as client:
                [info] = [g for g in client.xinfo_groups(self.name)
                          if g["name"].decode() == group]
                return int(info["pending"]) + int(info["lag"] or 0)
        return asyncio.run(self._outstanding_nats(group))

    async def _outstanding_nats(self, group: str) -> int:
        import nats

        nc = await nats.connect(self.url)
        try:
            js = nc.jetstream()
            stream = await js.find_stream_name_by_subject(self.name)
            info = await js.consumer_info(stream, group)
            return int(info.num_ack_pending or 0) + int(info.num_pending or 0)
        finally:
            await nc.close()


@pytest.fixture(params=["redis", "nats"])
def bus(request: pytest.FixtureRequest) -> Bus:
    """A fresh stream on Redis, then a fresh subject on NATS."""
    name = f"invoices-{uuid.uuid4().hex[:8]}"
    if request.param == "redis":
        return Bus("redis", request.getfixturevalue("redis_server").url, name)
    return Bus("nats", request.getfixturevalue("nats_server").url, name.replace("-", "."))
