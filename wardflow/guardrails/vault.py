"""The token vault: personal data out of prompts, traces and logs, real values for the
roles that need them.

:meth:`TokenVault.tokenize` replaces each IBAN, card number, email, phone number,
national id and street address with a stable token (``<IBAN_1>``): the same value in
one scope (a run's thread) always gets the same token, however it is printed, so a
model can still tell two accounts apart. The real values stay in the vault (SQLite,
WAL, shared by the processes of one data home, or in memory: :class:`TokenVault`; or
Postgres, shared by every machine: :class:`PostgresTokenVault`; both are a
:class:`Vault`). Only the roles in :data:`REVEAL_ROLES` get them back, through
:meth:`TokenVault.reveal`.

With a :class:`~wardflow._crypto.Keyring` (``WARDFLOW_ENCRYPTION_KEY``) each value is
stored sealed with AES-GCM, bound to its scope, kind and token, so the file (or the
database) holds no personal data in clear and a value cannot be moved to another row; without one (the
default) values are stored in clear: keep the file with the same protection as the ERP
database. :meth:`TokenVault.reencrypt` moves values to the current key
(``wardflow keys rotate``).
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from wardflow._crypto import (
    TEXT_PREFIX,
    Keyring,
    is_encrypted_text,
    missing_key_error,
    text_key_id,
)
from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore
from wardflow._store import StoreBackend
from wardflow.errors import ConfigError, GuardViolation, UnencryptedData
from wardflow.guardrails.pii import PiiMatch, find_pii

__all__ = ["REVEAL_ROLES", "TOKEN_PATTERN", "PostgresTokenVault", "TokenVault", "Vault"]

REVEAL_ROLES = frozenset({"erp", "approver", "controller", "admin", "auditor"})
TOKEN_PATTERN = re.compile(r"<(IBAN|CARD|EMAIL|NATIONAL_ID|PHONE|ADDRESS)_(\d+)>")
_TABLES = (
    Table("vault_tokens", (
        Column("scope", not_null=True), Column("kind", not_null=True),
        Column("value", not_null=True), Column("token", not_null=True),
        Column("created_at", "real", not_null=True),
    ), primary_key=("scope", "kind", "value"), unique=(("scope", "token"),)),
)
_CACHED_SCOPES = 256


class _Scope:
    """What one process knows of a scope's tokens (they never change once written)."""

    __slots__ = ("by_token", "by_value")

    def __init__(self) -> None:
        self.by_value: dict[tuple[str, str], str] = {}
        self.by_token: dict[str, str] = {}

    def add(self, kind: str, value: str, token: str) -> None:
        self.by_value[(kind, value)] = token
        self.by_token[token] = value


@runtime_checkable
class Vault(Protocol):
    """What the guards, the reviewers' views and ``wardflow keys`` need of a token
    vault. Backends: :class:`TokenVault` (SQLite) and :class:`PostgresTokenVault`."""

    def tokenize(self, text: str, *, scope: str) -> tuple[str, dict[str, str]]:
        """Replace the personal data in ``text`` with this scope's stable tokens."""
        ...

    def tokenize_matches(self, text: str, matches: Sequence[PiiMatch], *, scope: str
                         ) -> tuple[str, dict[str, str]]:
        """:meth:`tokenize` for matches already found on ``text``."""
        ...

    def reveal(self, text: str, *, scope: str, role: str) -> str:
        """``text`` with this scope's tokens replaced by the real values."""
        ...

    def reveal_data(self, data: Any, *, scope: str, role: str) -> Any:
        """:meth:`reveal` through the strings of nested data."""
        ...

    def key_counts(self) -> dict[str, int]:
        """How many values each key id seals (``"clear"``: not encrypted)."""
        ...

    def clear_scopes(self) -> list[str]:
        """The scopes holding values stored in clear."""
        ...

    def reencrypt(self, *, batch: int = 500, only_clear: bool = False) -> int:
        """Seal every value not yet under the primary key with it; returns how many."""
        ...

    def forget(self, scopes: Sequence[str]) -> int:
        """Delete these scopes' tokens and values (an erasure); returns how many."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _VaultSql(StoreBackend):
    """The vault's logic and SQL, which SQLite and Postgres both accept."""

    _keyring: Keyring | None
    _scopes: OrderedDict[str, _Scope]

    # Tokens ----------------------------------------------------------------------
    def tokenize(self, text: str, *, scope: str) -> tuple[str, dict[str, str]]:
        """Replace the personal data in ``text`` with tokens.

        Args:
            text: any text (a document, a prompt, a model's answer).
            scope: what the tokens are stable within, e.g. the run's thread id.

        Returns:
            The tokenized text and, for each token in it, the real value. The mapping
            holds personal data: keep it out of state, traces and logs.
        """
        return self.tokenize_matches(text, find_pii(text), scope=scope)

    def tokenize_matches(
        self, text: str, matches: Sequence[PiiMatch], *, scope: str
    ) -> tuple[str, dict[str, str]]:
        """:meth:`tokenize` for matches already found by
        :func:`~wardflow.guardrails.pii.find_pii` on ``text``."""
        if not matches:
            return text, {}
        tokens = self._tokens(scope, [(m.kind, m.value) for m in matches])
        out: list[str] = []
        cursor = 0
        mapping: dict[str, str] = {}
        for match, token in zip(matches, tokens, strict=True):
            out += [text[cursor:match.start], token]
            cursor = match.end
            mapping[token] = match.value
        out.append(text[cursor:])
        return "".join(out), mapping

    def _scope(self, scope: str) -> _Scope:
        cached = self._scopes.get(scope)
        if cached is None:
            cached = self._scopes[scope] = _Scope()
            if len(self._scopes) > _CACHED_SCOPES:
                self._scopes.popitem(last=False)
        else:
            self._scopes.move_to_end(scope)
        return cached

    def _tokens(self, scope: str, values: list[tuple[str, str]]) -> list[str]:
        with self._lock:
            known = self._scope(scope)
            if all(v in known.by_value for v in values):
                return [known.by_value[v] for v in values]
        # One write transaction allocates every new token: another process using the
        # same store waits on the lock instead of handing out the same number twice.
        # The cache learns the tokens once they are committed (a rolled-back number
        # may go to another value).
        with self._write() as conn:
            fresh = _Scope()
            for kind, stored, token in conn.execute(
                "SELECT kind, value, token FROM vault_tokens WHERE scope = ?", (scope,)
            ).fetchall():
                fresh.add(kind, self._open(stored, scope, kind, token), token)
            counts: dict[str, int] = {}
            for kind, _value in fresh.by_value:
                counts[kind] = counts.get(kind, 0) + 1
            now = time.time()
            for kind, value in values:
                if (kind, value) in fresh.by_value:
                    continue
                counts[kind] = counts.get(kind, 0) + 1
                token = f"<{kind}_{counts[kind]}>"
                conn.execute(
                    "INSERT INTO vault_tokens (scope, kind, value, token, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (scope, kind, self._seal(value, scope, kind, token), token, now),
                )
                fresh.add(kind, value, token)
        with self._lock:
            known = self._scope(scope)
            for (kind, value), token in fresh.by_value.items():
                known.add(kind, value, token)
        return [fresh.by_value[v] for v in values]

    # Reveal ----------------------------------------------------------------------
    def reveal(self, text: str, *, scope: str, role: str) -> str:
        """``text`` with this scope's tokens replaced by the real values.

        Args:
            text: text that may contain tokens (``<IBAN_1>``).
            scope: the scope the tokens were made in.
            role: who asks; one of :data:`REVEAL_ROLES`.

        Raises:
            GuardViolation: the role may not see real values.
        """
        self._check_role(role)
        if "<" not in text:
            return text
        known = self._known(scope)
        return TOKEN_PATTERN.sub(lambda m: known.get(m.group(0), m.group(0)), text)

    def reveal_data(self, data: Any, *, scope: str, role: str) -> Any:
        """:meth:`reveal` through the strings of dicts, lists and tuples (e.g. tool
        arguments), returning a copy."""
        self._check_role(role)
        if isinstance(data, str):
            return self.reveal(data, scope=scope, role=role)
        if isinstance(data, Mapping):
            return {k: self.reveal_data(v, scope=scope, role=role) for k, v in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.reveal_data(v, scope=scope, role=role) for v in data]
        return data

    def _known(self, scope: str) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT kind, value, token FROM vault_tokens WHERE scope = ?", (scope,)
            ).fetchall()
            known = self._scope(scope)
            for kind, stored, token in rows:
                known.add(kind, self._open(stored, scope, kind, token), token)
            return dict(known.by_token)

    @staticmethod
    def _check_role(role: str) -> None:
        if role not in REVEAL_ROLES:
            raise GuardViolation(
                "token_vault",
                f"role {role!r} may not see tokenized personal data; allowed roles:"
                f" {', '.join(sorted(REVEAL_ROLES))}",
                evidence=f"role={role}",
            )

    # Encryption at rest ----------------------------------------------------------
    def _seal(self, value: str, scope: str, kind: str, token: str) -> str:
        if self._keyring is None:
            return value
        return self._keyring.encrypt_text(value, aad=_aad(scope, kind, token))

    def _open(self, stored: str, scope: str, kind: str, token: str, *,
              migrating: bool = False) -> str:
        if not is_encrypted_text(stored):
            if self._keyring is not None and not migrating:
                # With a key only sealed values are read: a clear one may have been
                # slipped in without the key. ``reencrypt`` seals those from before it.
                raise UnencryptedData("vault", thread_id=scope)
            return stored
        if self._keyring is None:
            raise missing_key_error(text_key_id(stored) or "?", None)
        return self._keyring.decrypt_text(stored, aad=_aad(scope, kind, token))

    def forget(self, scopes: Sequence[str]) -> int:
        """Delete these scopes' tokens and values (a GDPR erasure: the scope is the
        run's thread id); returns how many rows went."""
        with self._write() as conn:
            gone = sum(int(conn.execute("DELETE FROM vault_tokens WHERE scope = ?",
                                        (scope,)).rowcount) for scope in set(scopes))
        with self._lock:
            for scope in scopes:
                self._scopes.pop(scope, None)
        return gone

    def key_counts(self) -> dict[str, int]:
        """How many values each key id seals (``"clear"``: not encrypted)."""
        with self._read() as conn:
            rows = conn.execute("SELECT value FROM vault_tokens").fetchall()
        counts: dict[str, int] = {}
        for (stored,) in rows:
            kid = text_key_id(stored) or "clear"
            counts[kid] = counts.get(kid, 0) + 1
        return counts

    def clear_scopes(self) -> list[str]:
        """The scopes (threads) holding values stored in clear."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT DISTINCT scope FROM vault_tokens"
                " WHERE substr(value, 1, CAST(? AS INTEGER)) != ?"
                " ORDER BY scope", (len(TEXT_PREFIX), TEXT_PREFIX)).fetchall()
        return [row[0] for row in rows]

    def reencrypt(self, *, batch: int = 500, only_clear: bool = False) -> int:
        """Seal every value not yet under the primary key with it; returns how many.

        Each batch commits on its own, so an interrupted run loses nothing and the next
        one carries on (values already under the primary key are skipped). This and
        nothing else reads values stored in clear while a key is set (the migration of
        ``wardflow keys encrypt`` and ``rotate``); ``only_clear`` leaves values under
        old keys as they are.

        Raises:
            ConfigError: no key is configured, or a value's key is not in the keyring.
        """
        keyring = self._keyring
        if keyring is None:
            raise ConfigError("re-encrypting the vault needs WARDFLOW_ENCRYPTION_KEY")
        done = 0
        current = TEXT_PREFIX if only_clear else f"{TEXT_PREFIX}{keyring.primary_id}:"
        while True:
            with self._write() as conn:
                rows = conn.execute(
                    "SELECT scope, kind, value, token FROM vault_tokens"
                    " WHERE substr(value, 1, CAST(? AS INTEGER)) != ? LIMIT ?",
                    (len(current), current, batch),
                ).fetchall()
                for scope, kind, stored, token in rows:
                    clear = self._open(stored, scope, kind, token, migrating=True)
                    conn.execute("UPDATE vault_tokens SET value = ?"
                                 " WHERE scope = ? AND token = ?",
                                 (self._seal(clear, scope, kind, token), scope, token))
            done += len(rows)
            if len(rows) < batch:
                return done


class TokenVault(_VaultSql, SqliteStore):
    """Stable tokens for personal data, per scope, with role-checked reveal, in SQLite.

    Args:
        path: an SQLite file (several processes may share it) or ``":memory:"``.
        busy_timeout_s: how long a writer waits for another process's lock.
        synchronous: the SQLite ``synchronous`` pragma in WAL mode.
        keyring: seals the values at rest; ``None`` stores them in clear.
    """

    def __init__(
        self, path: Path | str = ":memory:", *, busy_timeout_s: float = 30.0,
        synchronous: str = "NORMAL", keyring: Keyring | None = None,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), synchronous=synchronous,
                         busy_timeout_s=busy_timeout_s)
        self.path = str(path)
        self._keyring = keyring
        self._scopes = OrderedDict()


class PostgresTokenVault(_VaultSql, PostgresStore):
    """The token vault in Postgres, shared by every machine: the same tokens, sealed the
    same way (only ciphertext reaches the database when a keyring is given).

    Args:
        url: a ``postgres://`` URL.
        keyring: seals the values at rest; ``None`` stores them in clear.
        retry_s: how long a write waits for a database that went away.
    """

    def __init__(self, url: str, *, keyring: Keyring | None = None,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES), lock_name="wardflow.vault",
                         retry_s=retry_s)
        self._keyring = keyring
        self._scopes = OrderedDict()

    def _tokens(self, scope: str, values: list[tuple[str, str]]) -> list[str]:
        # Idempotent: a retry after an unacknowledged commit reads the tokens it wrote.
        tokens = super()._tokens
        return self._retry(lambda: tokens(scope, values))


def _aad(scope: str, kind: str, token: str) -> str:
    """What a sealed value is bound to: its row, so it cannot be moved to another."""
    return f"{scope}\x1f{kind}\x1f{token}"
