"""The SQLite checkpointer with encryption at rest: a refused clear blob is named.

With a key, the serializer (wardflow/_crypto.py) refuses any blob stored in clear, but
it sees bytes, not rows; this saver turns its refusal into one that names the thread
and checkpoint, so that ``wardflow keys status`` and the operator can find it.
Imported only when the SQLite checkpointer runs with a key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import CheckpointTuple
from langgraph.checkpoint.sqlite import SqliteSaver

from wardflow.errors import UnencryptedData

__all__ = ["SealedSqliteSaver"]

# Where a clear blob can sit: (table, type column).
_TABLES = (("checkpoints", "type"), ("writes", "type"))


class SealedSqliteSaver(SqliteSaver):
    """:class:`SqliteSaver` whose refusals of clear blobs name where they are."""

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        try:
            return super().get_tuple(config)
        except UnencryptedData as err:
            raise self._located(config) from err

    def list(self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
             before: RunnableConfig | None = None,
             limit: int | None = None) -> Iterator[CheckpointTuple]:
        try:
            yield from super().list(config, filter=filter, before=before, limit=limit)
        except UnencryptedData as err:
            raise self._located(config) from err

    def _located(self, config: RunnableConfig | None) -> UnencryptedData:
        configurable = (config or {}).get("configurable") or {}
        thread = configurable.get("thread_id")
        for table, type_col in _TABLES:
            query = (f"SELECT thread_id, checkpoint_id FROM {table}"
                     f" WHERE {type_col} IS NOT NULL AND {type_col} NOT LIKE '%+%'")
            args: tuple[Any, ...] = ()
            if thread is not None:
                query += " AND thread_id = ?"
                args = (str(thread),)
            try:
                with self.lock:
                    row = self.conn.execute(query + " LIMIT 1", args).fetchone()
            except sqlite3.Error:
                row = None
            if row is not None:
                return UnencryptedData("checkpoints", thread_id=str(row[0]),
                                       checkpoint_id=str(row[1]))
        return UnencryptedData("checkpoints", thread_id=None if thread is None else str(thread))
