"""Key rotation: re-encrypt every checkpoint blob and vault value under the primary key.

Rotating is three steps: set the new key as ``WARDFLOW_ENCRYPTION_KEY`` and the old one
in ``WARDFLOW_ENCRYPTION_KEYS_OLD`` for every process; run ``wardflow keys rotate``;
then drop the old key. :func:`rotate_keys` is idempotent and resumable: it works in
batches that commit on their own and skips what is already under the primary key, so
an interrupted run is finished by running it again. Clear data written before a key
was set is encrypted the same way; :func:`encrypt_clear` (``wardflow keys encrypt``)
seals only that: with a key set, these two migrations are the only readers of clear
data, everything else refuses it (:class:`~wardflow.errors.UnencryptedData`). It needs only the blobs' bytes, never the
checkpoint objects, so no graph is built. With Postgres, the blob and write tables
are rotated; plain values a checkpoint row holds inline from before the key was set
are counted as ``clear`` by :func:`key_report` and sealed into blobs the next time
their thread is checkpointed (wardflow/runtime/_sealed_postgres.py).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from wardflow._crypto import CIPHER_PREFIX, AesGcmCipher, Keyring, split_blob_type
from wardflow._sqlite import connect, write_transaction
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.services import database_url, open_audit_log, open_vault

__all__ = [
    "KeyReport",
    "RotationReport",
    "checkpoint_key_counts",
    "clear_checkpoint_threads",
    "encrypt_clear",
    "key_report",
    "rotate_keys",
]

# The SqliteSaver tables that hold serialized blobs: (table, type column, blob column).
_SQLITE_BLOBS = (("checkpoints", "type", "checkpoint"), ("writes", "type", "value"))
# The PostgresSaver's ("empty" rows hold no value).
_POSTGRES_BLOBS = ("checkpoint_blobs", "checkpoint_writes")
# Checkpoints whose JSONB still holds plain values inline (written without a key).
_INLINE_WHERE = """EXISTS (
    SELECT 1 FROM jsonb_each(checkpoint -> 'channel_values') AS e
    WHERE jsonb_typeof(e.value) <> 'null')"""
_POSTGRES_INLINE = f"SELECT count(*) FROM checkpoints WHERE {_INLINE_WHERE}"


@dataclass(frozen=True)
class RotationReport:
    """What one ``rotate_keys`` call re-encrypted (counts, and key ids only)."""

    key_id: str
    old_key_ids: list[str]
    checkpoint_blobs: int
    vault_values: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class KeyReport:
    """Where encryption stands: the configured key ids and what each one seals."""

    encrypted: bool
    key_id: str | None
    old_key_ids: list[str]
    checkpointer: str
    checkpoint_blobs: dict[str, int] = field(default_factory=dict)
    vault_values: dict[str, int] = field(default_factory=dict)
    # Threads with data in clear (with a key set, reading them is refused until
    # ``wardflow keys encrypt`` seals it).
    clear_checkpoint_threads: list[str] = field(default_factory=list)
    clear_vault_threads: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _backend(settings: Settings) -> str:
    kind = settings.checkpointer
    if kind.startswith(("postgres://", "postgresql://")):
        return "postgres"
    if kind in ("sqlite", "memory"):
        return kind
    raise ConfigError(f"unknown checkpointer {kind!r}; use 'sqlite', 'memory' or a"
                      " postgres:// URL")


def _count(counts: dict[str, int], typ: str | None, n: int) -> None:
    kid = split_blob_type(typ or "")[1] or "clear"
    counts[kid] = counts.get(kid, 0) + n


def checkpoint_key_counts(settings: Settings) -> dict[str, int]:
    """Checkpoint blobs by key id (``"clear"``: not encrypted; with Postgres this also
    counts checkpoints that still hold plain values inline)."""
    backend = _backend(settings)
    if backend == "postgres":
        return _postgres_counts(settings.checkpointer)
    if backend == "memory" or not settings.checkpoints_path.exists():
        return {}
    conn = connect(settings.checkpoints_path, busy_timeout_s=settings.sqlite_busy_timeout_s)
    counts: dict[str, int] = {}
    try:
        for table, type_col, _blob in _SQLITE_BLOBS:
            if not _has_table(conn, table):
                continue
            for typ, n in conn.execute(f"SELECT {type_col}, COUNT(*) FROM {table}"
                                       f" GROUP BY {type_col}"):
                _count(counts, typ, n)
    finally:
        conn.close()
    return counts


def clear_checkpoint_threads(settings: Settings) -> list[str]:
    """The threads with a checkpoint blob (or, with Postgres, an inline value) in clear."""
    backend = _backend(settings)
    if backend == "memory":
        return []
    if backend == "postgres":
        import psycopg

        query = " UNION ".join(
            [f"SELECT thread_id FROM {table} WHERE type <> 'empty' AND type NOT LIKE '%+%'"
             for table in _POSTGRES_BLOBS]
            + [f"SELECT thread_id FROM checkpoints WHERE {_INLINE_WHERE}"])
        with psycopg.connect(settings.checkpointer, autocommit=True) as pg:
            return sorted(str(row[0]) for row in pg.execute(query).fetchall())
    if not settings.checkpoints_path.exists():
        return []
    conn = connect(settings.checkpoints_path, busy_timeout_s=settings.sqlite_busy_timeout_s)
    try:
        threads: set[str] = set()
        for table, type_col, _blob in _SQLITE_BLOBS:
            if _has_table(conn, table):
                threads.update(row[0] for row in conn.execute(
                    f"SELECT DISTINCT thread_id FROM {table}"
                    f" WHERE {type_col} IS NOT NULL AND {type_col} NOT LIKE '%+%'"))
    finally:
        conn.close()
    return sorted(threads)


def _postgres_counts(url: str) -> dict[str, int]:
    import psycopg

    counts: dict[str, int] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for table in _POSTGRES_BLOBS:
            for typ, n in conn.execute(f"SELECT type, count(*) FROM {table}"
                                       " WHERE type <> 'empty' GROUP BY type").fetchall():
                _count(counts, typ, n)
        row = conn.execute(_POSTGRES_INLINE).fetchone()
        if row and row[0]:
            _count(counts, None, row[0])
    return counts


def _has_vault(settings: Settings) -> bool:
    """Whether there is a vault to read: its table at ``database_url``, or the file."""
    return database_url(settings) is not None or settings.vault_path.exists()


def key_report(settings: Settings) -> KeyReport:
    """The configured keys and, per key id, how many blobs and values it seals."""
    keyring = Keyring.from_settings(settings)
    vault_counts: dict[str, int] = {}
    vault_clear: list[str] = []
    if _has_vault(settings):
        vault = open_vault(settings)
        try:
            vault_counts = vault.key_counts()
            vault_clear = vault.clear_scopes()
        finally:
            vault.close()
    return KeyReport(
        encrypted=keyring is not None,
        key_id=keyring.primary_id if keyring else None,
        old_key_ids=list(keyring.ids[1:]) if keyring else [],
        checkpointer=_backend(settings),
        checkpoint_blobs=checkpoint_key_counts(settings),
        vault_values=vault_counts,
        clear_checkpoint_threads=clear_checkpoint_threads(settings),
        clear_vault_threads=vault_clear,
    )


def rotate_keys(settings: Settings, *, actor: str = "wardflow", batch: int = 500) -> RotationReport:
    """Re-encrypt the data home's checkpoints and vault under the primary key.

    Args:
        settings: with ``encryption_key`` (the new key) and, in
            ``encryption_keys_old``, every key some data may still be under.
        actor: who rotated, for the audit record.
        batch: rows a transaction re-encrypts.

    Raises:
        ConfigError: no key is set, or some data is under a key the keyring lacks
            (what was done before stays done; run again with that key in
            ``WARDFLOW_ENCRYPTION_KEYS_OLD``).
    """
    return _migrate(settings, actor=actor, batch=batch, only_clear=False)


def encrypt_clear(settings: Settings, *, actor: str = "wardflow",
                  batch: int = 500) -> RotationReport:
    """Seal the data stored in clear (from before ``WARDFLOW_ENCRYPTION_KEY`` was set)
    under the primary key: the one way clear data is read while a key is set.

    Data under old keys is left as it is (``rotate_keys`` moves it). Idempotent and
    resumable like :func:`rotate_keys`; audited as ``keys.encrypted`` with the counts.
    With Postgres, plain values a checkpoint holds inline are moved to sealed blobs.

    Raises:
        ConfigError: no key is set.
    """
    return _migrate(settings, actor=actor, batch=batch, only_clear=True)


def _migrate(settings: Settings, *, actor: str, batch: int, only_clear: bool) -> RotationReport:
    keyring = Keyring.from_settings(settings)
    if keyring is None:
        doing = "encrypting" if only_clear else "rotating"
        raise ConfigError(f"set WARDFLOW_ENCRYPTION_KEY (the new key) before {doing};"
                          " make one with `wardflow keys generate`")
    backend = _backend(settings)
    blobs = 0
    if backend == "sqlite":
        blobs = _rotate_checkpoints(settings, keyring, batch, only_clear)
    elif backend == "postgres":
        blobs = _rotate_postgres(settings.checkpointer, keyring, batch, only_clear)
        blobs += _seal_postgres_inline(settings.checkpointer, keyring, batch)
    values = 0
    if _has_vault(settings):
        vault = open_vault(settings)  # sealed by the same keyring
        try:
            values = vault.reencrypt(batch=batch, only_clear=only_clear)
        finally:
            vault.close()
    report = RotationReport(keyring.primary_id, list(keyring.ids[1:]), blobs, values)
    audit = open_audit_log(settings)
    try:
        audit.append("keys.encrypted" if only_clear else "keys.rotated", report.to_dict(),
                     actor=actor)
    finally:
        audit.close()
    return report


def _pending(keyring: Keyring, only_clear: bool) -> str:
    """A LIKE pattern of the blob types a migration leaves alone."""
    return "%+%" if only_clear else f"%+{CIPHER_PREFIX}{keyring.primary_id}"


def _rotate_checkpoints(settings: Settings, keyring: Keyring, batch: int,
                        only_clear: bool = False) -> int:
    if not settings.checkpoints_path.exists():
        return 0
    cipher = AesGcmCipher(keyring)
    current = _pending(keyring, only_clear)
    conn = connect(settings.checkpoints_path, synchronous=settings.sqlite_synchronous,
                   busy_timeout_s=settings.sqlite_busy_timeout_s)
    lock = threading.Lock()
    done = 0
    try:
        for table, type_col, blob_col in _SQLITE_BLOBS:
            if not _has_table(conn, table):
                continue
            while True:
                with write_transaction(conn, lock):
                    rows = conn.execute(
                        f"SELECT rowid, {type_col}, {blob_col} FROM {table}"
                        f" WHERE {type_col} IS NOT NULL AND {type_col} NOT LIKE ? LIMIT ?",
                        (current, batch),
                    ).fetchall()
                    for rowid, typ, blob in rows:
                        conn.execute(f"UPDATE {table} SET {type_col} = ?, {blob_col} = ?"
                                     " WHERE rowid = ?", (*_reseal(cipher, typ, blob), rowid))
                done += len(rows)
                if len(rows) < batch:
                    break
    finally:
        conn.close()
    return done


def _reseal(cipher: AesGcmCipher, typ: str, blob: bytes | None) -> tuple[str, bytes]:
    """A blob's type and bytes under the primary key (from clear or any old key)."""
    base, kid = split_blob_type(typ)
    plain = blob if kid is None else cipher.decrypt(CIPHER_PREFIX + kid, blob or b"")
    name, sealed = cipher.encrypt(plain or b"")
    return f"{base}+{name}", sealed


def _rotate_postgres(url: str, keyring: Keyring, batch: int, only_clear: bool = False) -> int:
    """:func:`_rotate_checkpoints` for the Postgres tables: a batch a transaction,
    rows locked (``SKIP LOCKED``) so that two rotations never fight."""
    import psycopg

    cipher = AesGcmCipher(keyring)
    current = _pending(keyring, only_clear)
    done = 0
    with psycopg.connect(url, autocommit=True) as conn:
        for table in _POSTGRES_BLOBS:
            while True:
                with conn.transaction():
                    rows = conn.execute(
                        f"SELECT ctid, type, blob FROM {table} WHERE type <> 'empty'"
                        " AND type NOT LIKE %s LIMIT %s FOR UPDATE SKIP LOCKED",
                        (current, batch),
                    ).fetchall()
                    for ctid, typ, blob in rows:
                        conn.execute(f"UPDATE {table} SET type = %s, blob = %s"
                                     " WHERE ctid = %s", (*_reseal(cipher, typ, blob), ctid))
                done += len(rows)
                if len(rows) < batch:
                    break
    return done


def _seal_postgres_inline(url: str, keyring: Keyring, batch: int) -> int:
    """Move the plain values Postgres checkpoints hold inline (written before the key)
    into sealed blobs, as the saver does for new checkpoints; returns how many."""
    import psycopg
    from psycopg.types.json import Jsonb

    from wardflow._crypto import checkpoint_serde

    serde = checkpoint_serde(keyring)
    done = 0
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            with conn.transaction():
                rows = conn.execute(
                    "SELECT thread_id, checkpoint_ns, checkpoint_id, checkpoint FROM checkpoints"
                    f" WHERE {_INLINE_WHERE} LIMIT %s FOR UPDATE SKIP LOCKED", (batch,),
                ).fetchall()
                for thread_id, ns, checkpoint_id, checkpoint in rows:
                    values = checkpoint.get("channel_values") or {}
                    versions = checkpoint.get("channel_versions") or {}
                    for channel, value in list(values.items()):
                        if value is None:
                            continue
                        if channel not in versions:
                            raise ConfigError(
                                f"checkpoint {checkpoint_id} of thread {thread_id!r} holds an"
                                f" inline value for {channel!r} without a channel version;"
                                " it cannot be sealed, restore it from a backup")
                        typ, blob = serde.dumps_typed(value)
                        conn.execute(
                            "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel,"
                            " version, type, blob) VALUES (%s, %s, %s, %s, %s, %s)"
                            " ON CONFLICT (thread_id, checkpoint_ns, channel, version)"
                            " DO NOTHING",
                            (thread_id, ns, channel, str(versions[channel]), typ, blob))
                        del values[channel]
                        done += 1
                    checkpoint["channel_values"] = values
                    conn.execute(
                        "UPDATE checkpoints SET checkpoint = %s WHERE thread_id = %s AND"
                        " checkpoint_ns = %s AND checkpoint_id = %s",
                        (Jsonb(checkpoint), thread_id, ns, checkpoint_id))
            if len(rows) < batch:
                return done


def _has_table(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None
