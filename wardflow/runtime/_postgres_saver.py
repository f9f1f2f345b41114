"""The Postgres checkpointer: langgraph-checkpoint-postgres on a connection pool that
outlives a database restart.

A single connection dies with the server; a pool that checks each connection before
lending it replaces the dead ones, and waits (up to ``retry_s``) for the server to come
back. A call that loses its connection mid-way is run again: checkpoint and write
inserts are upserts keyed by thread, namespace, checkpoint id (and task and index), so
repeating one is harmless. Imported only when a ``postgres://`` checkpointer is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import Connection, OperationalError
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from wardflow._postgres import redact_url
from wardflow.errors import ConfigError, UnencryptedData
from wardflow.runtime._sealed_postgres import blob_inline_values, seals

__all__ = ["RetryingPostgresSaver", "open_postgres_saver"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class RetryingPostgresSaver(PostgresSaver):
    """A :class:`PostgresSaver` whose reads and writes wait out a lost connection."""

    retry_s: float = 30.0

    def _retry(self, call: Callable[[], T]) -> T:
        deadline = time.monotonic() + self.retry_s
        delay = 0.1
        while True:
            try:
                return call()
            except OperationalError as err:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("checkpointer lost its database connection (%s); retrying",
                            str(err).strip())
                time.sleep(delay)
                delay = min(delay * 2, 2.0)

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._retry(lambda: super(RetryingPostgresSaver, self).get_tuple(config))

    def put(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
            new_versions: ChannelVersions) -> RunnableConfig:
        def call() -> RunnableConfig:
            # With a key, plain values go to sealed blobs too (runtime/_sealed_postgres.py).
            stored = blob_inline_values(self, config, checkpoint) if seals(self.serde) else checkpoint
            return super(RetryingPostgresSaver, self).put(config, stored, metadata, new_versions)

        return self._retry(call)

    def _load_checkpoint_tuple(self, value: Any) -> CheckpointTuple:
        if not seals(self.serde):
            return super()._load_checkpoint_tuple(value)
        # With a key nothing is inline (``put`` seals plain values into blobs), so an
        # inline value is one written without the key: refused, like a clear blob.
        inline = (value["checkpoint"] or {}).get("channel_values") or {}
        try:
            if any(v is not None for v in inline.values()):
                raise UnencryptedData("checkpoints")
            return super()._load_checkpoint_tuple(value)
        except UnencryptedData as err:
            raise UnencryptedData("checkpoints", thread_id=str(value["thread_id"]),
                                  checkpoint_id=str(value["checkpoint_id"])) from err

    def put_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]],
                   task_id: str, task_path: str = "") -> None:
        self._retry(lambda: super(RetryingPostgresSaver, self).put_writes(
            config, writes, task_id, task_path))

    def thread_ids(self) -> list[str]:
        """Thread ids with a checkpoint, oldest first (checkpoint ids are time-ordered)."""
        def query() -> list[str]:
            with self._cursor() as cur:
                cur.execute("SELECT thread_id FROM checkpoints WHERE checkpoint_ns = ''"
                            " GROUP BY thread_id ORDER BY MIN(checkpoint_id)")
                return [str(row["thread_id"]) for row in cur.fetchall()]

        return self._retry(query)


def open_postgres_saver(url: str, *, serde: SerializerProtocol | None = None,
                        retry_s: float = 30.0, max_size: int = 4) -> RetryingPostgresSaver:
    """A set-up checkpointer on ``url`` (tables created or migrated)."""
    pool: ConnectionPool[Connection[Any]] = ConnectionPool(
        url, min_size=1, max_size=max_size, open=False, timeout=max(retry_s, 1.0),
        check=ConnectionPool.check_connection, name="wardflow-checkpoints",
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
    )
    try:
        pool.open(wait=True, timeout=max(retry_s, 1.0))
    except OperationalError as err:
        pool.close()
        raise ConfigError(f"cannot reach the checkpointer database {redact_url(url)}: "
                          f"{str(err).strip()}") from err
    saver = RetryingPostgresSaver(pool, serde=serde)
    saver.retry_s = retry_s
    saver._retry(saver.setup)
    return saver
