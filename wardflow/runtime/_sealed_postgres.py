"""Encryption at rest for the Postgres checkpointer's inline values.

langgraph-checkpoint-postgres keeps ``str``, ``int``, ``float`` and ``bool`` channel
values (the invoice graph's ``text``, say) inline in the ``checkpoints`` row's JSONB,
outside the serializer, so an ``EncryptedSerializer`` never sees them. With a key set,
:func:`blob_inline_values` writes them to ``checkpoint_blobs`` through the saver's own
(encrypting) serializer first and hands the saver a checkpoint without them; the
saver's reads already take a channel's value from its blob row when there is one.
The blob insert is ``ON CONFLICT DO NOTHING`` on (thread, namespace, channel, version),
so writing an unchanged value again is harmless and a value inlined before the key was
set gets its sealed blob the next time the thread is checkpointed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from langgraph.checkpoint.base import Checkpoint
    from langgraph.checkpoint.postgres import PostgresSaver

__all__ = ["blob_inline_values", "seals"]


def seals(serde: Any) -> bool:
    """Whether ``serde`` encrypts (then inline values must not stay in clear)."""
    from langgraph.checkpoint.serde.encrypted import EncryptedSerializer

    return isinstance(serde, EncryptedSerializer)


def blob_inline_values(saver: PostgresSaver, config: RunnableConfig,
                       checkpoint: Checkpoint) -> Checkpoint:
    """Store ``checkpoint``'s plain channel values as sealed blobs; return it without them."""
    values = checkpoint["channel_values"]
    versions = checkpoint["channel_versions"]
    plain = {k: v for k, v in values.items()
             if isinstance(v, (str, int, float, bool)) and k in versions}
    if not plain:
        return checkpoint
    configurable = config["configurable"]
    rows = saver._dump_blobs(configurable["thread_id"], configurable.get("checkpoint_ns", ""),
                             plain, {k: versions[k] for k in plain})
    with saver._cursor(pipeline=True) as cur:
        cur.executemany(saver.UPSERT_CHECKPOINT_BLOBS_SQL, rows)
    copy = checkpoint.copy()
    copy["channel_values"] = {k: v for k, v in values.items() if k not in plain}
    return copy
