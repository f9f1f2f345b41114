"""Key rotation: re-encrypt every checkpoint blob and vault value under the primary key.

Rotating is three steps: set the new key as ``WARDFLOW_ENCRYPTION_KEY`` and the old one
in ``WARDFLOW_ENCRYPTION_KEYS_OLD`` for every process; run ``wardflow keys rotate``;
then drop the old key. :func:`rotate_keys` is idempotent and resumable: it works in
batches that commit on their own and skips what is already under the primary key, so
an interrupted run is finished by running it again. Clear data written before a key
was set is encrypted the same way. It needs only the blobs' bytes, never the
checkpoint objects, so no graph is built.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from wardflow._crypto import CIPHER_PREFIX, AesGcmCipher, Keyring, split_blob_type
from wardflow._sqlite import connect, write_transaction
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.guardrails.vault import TokenVault

__all__ = ["KeyReport", "RotationReport", "checkpoint_key_counts", "key_report", "rotate_keys"]

# The SqliteSaver tables that hold serialized blobs: (table, type column, blob column).
_SQLITE_BLOBS = (("checkpoints", "type", "checkpoint"), ("writes", "type", "value"))


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sqlite_checkpointer(settings: Settings) -> bool:
    if settings.checkpointer == "sqlite":
        return True
    if settings.checkpointer == "memory":
        return False
    raise ConfigError("wardflow keys rotate/status read the sqlite checkpointer only;"
                      f" {settings.checkpointer.split(':', 1)[0]} checkpoints are"
                      " re-encrypted by that database's own tooling for now")


def checkpoint_key_counts(settings: Settings) -> dict[str, int]:
    """Checkpoint blobs by key id (``"clear"``: not encrypted)."""
    if not _sqlite_checkpointer(settings) or not settings.checkpoints_path.exists():
        return {}
    conn = connect(settings.checkpoints_path, busy_timeout_s=settings.sqlite_busy_timeout_s)
    counts: dict[str, int] = {}
    try:
        for table, type_col, _blob in _SQLITE_BLOBS:
            if not _has_table(conn, table):
                continue
            for typ, n in conn.execute(f"SELECT {type_col}, COUNT(*) FROM {table}"
                                       f" GROUP BY {type_col}"):
                kid = split_blob_type(typ or "")[1] or "clear"
                counts[kid] = counts.get(kid, 0) + n
    finally:
        conn.close()
    return counts


def key_report(settings: Settings) -> KeyReport:
    """The configured keys and, per key id, how many blobs and values it seals."""
    keyring = Keyring.from_settings(settings)
    vault_counts: dict[str, int] = {}
    if settings.vault_path.exists():
        vault = TokenVault(settings.vault_path, busy_timeout_s=settings.sqlite_busy_timeout_s)
        try:
            vault_counts = vault.key_counts()
        finally:
            vault.close()
    return KeyReport(
        encrypted=keyring is not None,
        key_id=keyring.primary_id if keyring else None,
        old_key_ids=list(keyring.ids[1:]) if keyring else [],
        checkpointer=settings.checkpointer.split(":", 1)[0],
        checkpoint_blobs=checkpoint_key_counts(settings),
        vault_values=vault_counts,
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
    keyring = Keyring.from_settings(settings)
    if keyring is None:
        raise ConfigError("set WARDFLOW_ENCRYPTION_KEY (the new key) before rotating;"
                          " make one with `wardflow keys generate`")
    blobs = _rotate_checkpoints(settings, keyring, batch) if _sqlite_checkpointer(settings) else 0
    values = 0
    if settings.vault_path.exists():
        vault = TokenVault(settings.vault_path, busy_timeout_s=settings.sqlite_busy_timeout_s,
                           synchronous=settings.sqlite_synchronous, keyring=keyring)
        try:
            values = vault.reencrypt(batch=batch)
        finally:
            vault.close()
    report = RotationReport(keyring.primary_id, list(keyring.ids[1:]), blobs, values)
    from wardflow.graphs.stores import open_audit_log

    audit = open_audit_log(settings)
    try:
        audit.append("keys.rotated", report.to_dict(), actor=actor)
    finally:
        audit.close()
    return report


def _rotate_checkpoints(settings: Settings, keyring: Keyring, batch: int) -> int:
    if not settings.checkpoints_path.exists():
        return 0
    cipher = AesGcmCipher(keyring)
    current = f"%+{CIPHER_PREFIX}{keyring.primary_id}"
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
                        base, kid = split_blob_type(typ)
                        plain = blob if kid is None else cipher.decrypt(CIPHER_PREFIX + kid, blob)
                        name, sealed = cipher.encrypt(plain or b"")
                        conn.execute(f"UPDATE {table} SET {type_col} = ?, {blob_col} = ?"
                                     " WHERE rowid = ?", (f"{base}+{name}", sealed, rowid))
                done += len(rows)
                if len(rows) < batch:
                    break
    finally:
        conn.close()
    return done


def _has_table(conn: Any, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                        (name,)).fetchone() is not None
