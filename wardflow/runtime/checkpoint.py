"""Checkpointer factory: SQLite by default (WAL, busy timeout), memory, or Postgres
(a ``postgres://`` URL: langgraph-checkpoint-postgres on a pool that survives a
database restart, see wardflow/runtime/_postgres_saver.py)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from wardflow._crypto import Keyring, checkpoint_serde
from wardflow._sqlite import connect
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.runtime._sealed_postgres import seals

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

__all__ = ["list_threads", "open_checkpointer"]


def open_checkpointer(settings: Settings) -> BaseCheckpointSaver[str]:
    """The checkpointer ``settings.checkpointer`` names.

    ``sqlite`` opens ``home/checkpoints.sqlite`` in WAL mode with a busy timeout, so
    several processes (a worker and ``wardflow resume``) can share it. With
    ``encryption_key`` set, sqlite and postgres blobs are encrypted (wardflow/_crypto.py)
    and a blob found in clear is refused (:class:`~wardflow.errors.UnencryptedData`).
    """
    kind = settings.checkpointer
    serde = checkpoint_serde(Keyring.from_settings(settings))
    if kind == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        return InMemorySaver()
    if kind.startswith(("postgres://", "postgresql://")):
        try:
            from wardflow.runtime._postgres_saver import open_postgres_saver
        except ImportError as err:
            raise ConfigError(
                "a postgres:// checkpointer needs `pip install 'wardflow[postgres]'`"
            ) from err
        return open_postgres_saver(kind, serde=serde, retry_s=settings.database_retry_s)
    if kind != "sqlite":
        raise ConfigError(
            f"unknown checkpointer {kind!r}; use 'sqlite', 'memory' or a postgres:// URL"
        )
    from langgraph.checkpoint.sqlite import SqliteSaver

    saver_type = SqliteSaver
    if seals(serde):
        # Names the thread and checkpoint of a clear blob it refuses.
        from wardflow.runtime._sealed_sqlite import SealedSqliteSaver

        saver_type = SealedSqliteSaver
    conn = connect(
        settings.checkpoints_path,
        synchronous=settings.sqlite_synchronous,
        busy_timeout_s=settings.sqlite_busy_timeout_s,
        autocommit=False,
    )
    saver = saver_type(conn, serde=serde)
    saver.setup()
    return saver


def list_threads(saver: BaseCheckpointSaver[str]) -> list[str]:
    """Thread ids with at least one checkpoint, oldest first."""
    thread_ids = getattr(saver, "thread_ids", None)
    if callable(thread_ids):  # the Postgres checkpointer asks its database
        return list(thread_ids())
    conn = getattr(saver, "conn", None)
    if isinstance(conn, sqlite3.Connection):
        rows = conn.execute(
            "SELECT thread_id FROM checkpoints GROUP BY thread_id ORDER BY MIN(rowid)"
        ).fetchall()
        return [row[0] for row in rows]
    seen: dict[str, None] = {}
    for item in saver.list(None):
        seen.setdefault(item.config["configurable"]["thread_id"], None)
    return list(reversed(seen))
