"""API tokens: long-lived bearer tokens for machines, each tied to one principal.

A person logs in to the web review with a password and gets a short session token; a
machine (a mail gateway, a scheduler, a script in CI) gets an API token instead, created
by an administrator with ``wardflow tokens create PRINCIPAL``. The token acts as its
principal: same role, same approval limit, same segregation of duties, and it stops
working when the principal is deactivated, when it expires, or when it is revoked.

A token reads ``wft_<id>_<secret>``: ``id`` (12 hex digits) names it in listings and
audit records; ``secret`` is 32 random bytes. Only the SHA-256 of the whole token is
stored (table ``api_tokens`` in ``review.sqlite`` beside the principals, or in Postgres
when ``WARDFLOW_DATABASE_URL`` is set), and it is
compared in constant time. A fast hash is enough here, unlike for passwords: 256
random bits cannot be guessed, so there is nothing for a slow hash to protect.
Creation and revocation are written to the audit log.

This module needs only the standard library, so the CLI can manage tokens without
the ``web`` extra.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import ReviewError, WardflowError
from wardflow.review.principals import Principal, PrincipalDirectory

if TYPE_CHECKING:
    from wardflow.observability.audit import AuditSink

__all__ = ["MAX_EXPIRY_DAYS", "TOKEN_PREFIX", "ApiToken", "ApiTokens", "PostgresTokenStore",
           "TokenError", "TokenStore", "is_api_token"]

TOKEN_PREFIX = "wft_"
MAX_EXPIRY_DAYS = 3650
_FORM = re.compile(r"^wft_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_TABLES = (
    Table("api_tokens", (
        Column("id"), Column("principal", not_null=True), Column("name", not_null=True),
        Column("token_sha256", not_null=True, unique=True),
        Column("created_at", not_null=True), Column("created_by", not_null=True),
        Column("expires_at", not_null=True), Column("revoked_at"), Column("revoked_by"),
    ), primary_key=("id",)),
)
_COLUMNS = "id, principal, name, created_at, created_by, expires_at, revoked_at, revoked_by"


class TokenError(WardflowError):
    """An API token was refused; the message is safe to show to the caller."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What is known about a token: everything but its secret."""

    id: str
    principal: str
    name: str
    created_at: str
    created_by: str
    expires_at: str
    revoked_at: str | None = None
    revoked_by: str | None = None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if datetime.fromisoformat(self.expires_at) <= now else "active"

    def to_dict(self) -> dict[str, str | None]:
        return {"id": self.id, "principal": self.principal, "name": self.name,
                "created_at": self.created_at, "created_by": self.created_by,
                "expires_at": self.expires_at, "revoked_at": self.revoked_at,
                "revoked_by": self.revoked_by}


def is_api_token(text: str) -> bool:
    """Whether ``text`` looks like an API token (rather than a web session token)."""
    return text.startswith(TOKEN_PREFIX)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@runtime_checkable
class ApiTokens(Protocol):
    """API tokens, hashed at rest: what callers type against.

    Backends: :class:`TokenStore` (SQLite, ``review.sqlite``) and
    :class:`PostgresTokenStore`; ``wardflow.testing.ApiTokensConformance`` is what any
    backend must pass.
    """

    def create(
        self, principals: PrincipalDirectory, principal: str, *, name: str,
        expires_days: int, by: str, audit: AuditSink,
    ) -> tuple[str, ApiToken]:
        """A new token for the active ``principal``; the raw token is returned only here."""
        ...

    def revoke(self, token_id: str, *, by: str, audit: AuditSink) -> ApiToken:
        """Revoke a token at once; revoking it again changes nothing."""
        ...

    def get(self, token_id: str) -> ApiToken | None:
        """The token ``token_id`` (without its secret), or ``None``."""
        ...

    def all(self) -> list[ApiToken]:
        """Every token, oldest first."""
        ...

    def authenticate(self, principals: PrincipalDirectory, token: str
                     ) -> tuple[Principal, ApiToken]:
        """The principal ``token`` acts for, and the token's record."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _TokenSql(StoreBackend):
    """The token store's SQL, which SQLite and Postgres both accept."""

    def create(
        self, principals: PrincipalDirectory, principal: str, *, name: str, expires_days: int,
        by: str, audit: AuditSink,
    ) -> tuple[str, ApiToken]:
        """A new token for the active ``principal``; the raw token is returned only here.

        Raises:
            ReviewError: unknown or inactive principal, a bad name or expiry.
        """
        found = principals.get(principal)
        if found is None or not found.active:
            raise ReviewError("-", f"{principal!r} is not an active principal"
                              " (`wardflow principals add` first)")
        if not 1 <= expires_days <= MAX_EXPIRY_DAYS:
            raise ReviewError("-", f"--expires must be 1 to {MAX_EXPIRY_DAYS} days")
        name = name.strip()
        if not 1 <= len(name) <= 64:
            raise ReviewError("-", "a token needs a name of 1 to 64 characters (--name)")
        token_id = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = self._clock()
        record = ApiToken(token_id, found.name, name, now.isoformat(), by,
                          (now + timedelta(days=expires_days)).isoformat())
        with self._write() as conn:
            conn.execute(
                "INSERT INTO api_tokens (id, principal, name, token_sha256, created_at,"
                " created_by, expires_at) VALUES (?,?,?,?,?,?,?)",
                (record.id, record.principal, record.name, _digest(token), record.created_at,
                 record.created_by, record.expires_at),
            )
        audit.append("token.created", {"token_id": token_id, "principal": found.name,
                                       "name": name, "expires_at": record.expires_at},
                     actor=f"user:{by}")
        return token, record

    def revoke(self, token_id: str, *, by: str, audit: AuditSink) -> ApiToken:
        """Revoke a token at once; revoking it again changes nothing.

        Raises:
            ReviewError: no token has this id.
        """
        now = self._clock().isoformat()
        with self._write() as conn:
            changed = conn.execute(
                "UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ?"
                " AND revoked_at IS NULL", (now, by, token_id)).rowcount
        token = self.get(token_id)
        if token is None:
            raise ReviewError("-", f"no API token {token_id!r}; `wardflow tokens list` shows"
                              " them")
        if changed:
            audit.append("token.revoked", {"token_id": token_id, "principal": token.principal,
                                           "name": token.name}, actor=f"user:{by}")
        return token

    def get(self, token_id: str) -> ApiToken | None:
        with self._read() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM api_tokens WHERE id = ?",
                               (token_id,)).fetchone()
        return ApiToken(*row) if row else None

    def all(self) -> list[ApiToken]:
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM api_tokens ORDER BY created_at, id").fetchall()
        return [ApiToken(*row) for row in rows]

    def authenticate(self, principals: PrincipalDirectory, token: str) -> tuple[Principal, ApiToken]:
        """The principal ``token`` acts for, and the token's record.

        Raises:
            TokenError: malformed, unknown, revoked or expired token, or a principal
                who is no longer active.
        """
        match = _FORM.match(token)
        row = None
        if match:
            with self._read() as conn:
                row = conn.execute(
                    f"SELECT {_COLUMNS}, token_sha256 FROM api_tokens WHERE id = ?",
                    (match.group(1),)).fetchone()
        # Compared even when the id is unknown, so that timing tells nothing.
        stored = str(row[-1]) if row else _digest("")
        if not hmac.compare_digest(_digest(token), stored) or row is None:
            raise TokenError("unknown or invalid API token")
        record = ApiToken(*row[:-1])
        state = record.state(self._clock())
        if state == "revoked":
            raise TokenError(f"API token {record.id} was revoked; ask for a new one")
        if state == "expired":
            raise TokenError(f"API token {record.id} expired at {record.expires_at};"
                             " ask for a new one")
        principal = principals.get(record.principal)
        if principal is None or not principal.active:
            raise TokenError(f"{record.principal} is no longer an active principal")
        return principal, record


class TokenStore(_TokenSql, SqliteStore):
    """API tokens in ``review.sqlite`` (table ``api_tokens``), hashed at rest.

    Args:
        path: the SQLite file shared with the principal store, or ``":memory:"``.
        clock: the current time, for creation, expiry and revocation.
        busy_timeout_s: how long a write waits for another process's lock.
    """

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock,
                         busy_timeout_s=busy_timeout_s)


class PostgresTokenStore(_TokenSql, PostgresStore):
    """API tokens in Postgres (table ``api_tokens``), hashed at rest, shared by every
    machine: a token revoked on one is refused by all at their next request.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: the current time, for creation, expiry and revocation.
        retry_s: how long a call waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.api_tokens", now=clock, retry_s=retry_s)
