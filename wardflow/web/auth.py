"""Logging in to the web review: per-principal passwords and signed, expiring tokens.

Why passwords per principal, not one shared login secret: a shared secret lets anyone
who knows it log in as any principal, which would make segregation of duties a matter
of trust. Here each principal has their own password, stored only as a salted
``hashlib.scrypt`` hash in the table ``web_credentials`` beside the principal store
(the same SQLite file, ``settings.review_path``, or Postgres when
``WARDFLOW_DATABASE_URL`` is set). Roles, limits and deactivation stay in the
:class:`~wardflow.review.principals.PrincipalDirectory`; a deactivated principal cannot
log in, and their live tokens stop working on the next request.

A successful login returns a bearer token ``v1.<name>.<expiry>.<signature>``: the
signature is HMAC-SHA256 over the principal and the expiry, keyed with the server's
secret (``WARDFLOW_WEB_SECRET``). Tokens travel in the ``Authorization`` header, never
in a cookie or a URL, so they are not sent cross-site and do not end up in access logs.

This module needs only the standard library, so the CLI can set passwords without the
``web`` extra installed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import ReviewError, WardflowError
from wardflow.review.principals import Principal, PrincipalDirectory

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AuthError",
    "CredentialStore",
    "Credentials",
    "PostgresCredentialStore",
    "TokenClaims",
    "authenticate",
    "hash_password",
    "sign_token",
    "verify_password",
    "verify_token",
]

MIN_PASSWORD_LENGTH = 12
_TOKEN_VERSION = "v1"
# A Unix time in seconds: 12 digits reach past the year 33,000.
_EXPIRY = re.compile(r"[0-9]{1,12}")
# scrypt cost: 16 MiB of memory and a few tens of milliseconds per check.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_TABLES = (
    Table("web_credentials", (
        Column("name"), Column("password_hash", not_null=True),
        Column("updated_at", not_null=True),
    ), primary_key=("name",)),
)


class AuthError(WardflowError):
    """A login or a token was refused; the message is safe to show to the caller."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid token says: who, and until when (Unix seconds)."""

    principal: str
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# Tokens ------------------------------------------------------------------------------
def _signature(secret: bytes, principal: str, expires_at: int) -> str:
    message = f"{_TOKEN_VERSION}\n{principal}\n{expires_at}".encode()
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def sign_token(secret: bytes, principal: str, expires_at: int) -> str:
    """A bearer token for ``principal`` valid until ``expires_at`` (Unix seconds)."""
    name = _b64(principal.encode())
    return f"{_TOKEN_VERSION}.{name}.{expires_at}.{_signature(secret, principal, expires_at)}"


def verify_token(secret: bytes, token: str, *, now: float) -> TokenClaims:
    """The claims of ``token``; raises :class:`AuthError` if forged, malformed or expired."""
    parts = token.split(".")
    # ASCII digits, and few of them: ``str.isdigit`` also takes "²", and ``int`` refuses
    # a string of more than 4,300 digits with a ValueError.
    if len(parts) != 4 or parts[0] != _TOKEN_VERSION or not _EXPIRY.fullmatch(parts[2]):
        raise AuthError("malformed token; log in again")
    try:
        principal = _unb64(parts[1]).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as err:
        raise AuthError("malformed token; log in again") from err
    expires_at = int(parts[2])
    if not hmac.compare_digest(parts[3], _signature(secret, principal, expires_at)):
        raise AuthError("invalid token signature; log in again")
    if expires_at <= now:
        raise AuthError("the token has expired; log in again")
    return TokenClaims(principal, expires_at)


# Passwords ---------------------------------------------------------------------------
def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash``, the form stored at rest."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R,
                            p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password`."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected))
    except (ValueError, binascii.Error):
        return False
    return hmac.compare_digest(actual, expected)


# A hash to check against when the principal is unknown, so that a wrong name costs
# the same time as a wrong password and the timing does not reveal who exists.
_DUMMY_HASH = hash_password("not a password", salt=b"\0" * 16)


@runtime_checkable
class Credentials(Protocol):
    """Web password hashes, one per principal: what callers type against.

    Backends: :class:`CredentialStore` (SQLite, ``review.sqlite``) and
    :class:`PostgresCredentialStore`; ``wardflow.testing.CredentialsConformance`` is
    what any backend must pass.
    """

    def set_password(self, principals: PrincipalDirectory, name: str, password: str) -> None:
        """Set ``name``'s password (stored hashed); the principal must be active."""
        ...

    def remove(self, name: str) -> bool:
        """Forget ``name``'s password; whether one was set."""
        ...

    def password_hash(self, name: str) -> str | None:
        """``name``'s stored hash (see :func:`hash_password`), or ``None``."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _CredentialSql(StoreBackend):
    """The credential store's SQL, which SQLite and Postgres both accept."""

    def set_password(self, principals: PrincipalDirectory, name: str, password: str) -> None:
        """Set ``name``'s password; the principal must exist and be active.

        Raises:
            ReviewError: unknown or inactive principal, or a password that is too short.
        """
        principal = principals.get(name)
        if principal is None or not principal.active:
            raise ReviewError("-", f"{name!r} is not an active principal"
                              " (`wardflow principals add` first)")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ReviewError("-", f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO web_credentials (name, password_hash, updated_at) VALUES (?,?,?)"
                " ON CONFLICT(name) DO UPDATE SET password_hash = excluded.password_hash,"
                " updated_at = excluded.updated_at",
                (name, hash_password(password), self._clock().isoformat()),
            )

    def remove(self, name: str) -> bool:
        """Forget ``name``'s password (they can no longer log in); whether one was set."""
        with self._write() as conn:
            return conn.execute("DELETE FROM web_credentials WHERE name = ?",
                                (name,)).rowcount > 0

    def password_hash(self, name: str) -> str | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT password_hash FROM web_credentials WHERE name = ?", (name,)
            ).fetchone()
        return str(row[0]) if row else None


class CredentialStore(_CredentialSql, SqliteStore):
    """Password hashes, one per principal, in ``review.sqlite`` (table ``web_credentials``).

    Args:
        path: the SQLite file shared with the principal store, or ``":memory:"``.
        clock: the time recorded with each change.
        busy_timeout_s: how long a write waits for another process's lock.
    """

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock,
                         busy_timeout_s=busy_timeout_s)


class PostgresCredentialStore(_CredentialSql, PostgresStore):
    """Password hashes in Postgres (table ``web_credentials``), shared by every machine:
    a password set on one logs in on all.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: the time recorded with each change.
        retry_s: how long a call waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.web_credentials", now=clock, retry_s=retry_s)

    def password_hash(self, name: str) -> str | None:
        password_hash = super().password_hash
        return self._retry(lambda: password_hash(name))


def authenticate(
    principals: PrincipalDirectory, credentials: Credentials, name: str, password: str
) -> Principal:
    """The active principal ``name`` if ``password`` is theirs.

    Raises:
        AuthError: with one message for every failure (unknown principal, inactive
            principal, no password set, wrong password), so that a caller cannot
            learn who exists.
    """
    principal = principals.get(name)
    stored = credentials.password_hash(name) if principal is not None else None
    matches = verify_password(password, stored or _DUMMY_HASH)
    if principal is None or not principal.active or stored is None or not matches:
        raise AuthError("unknown principal or wrong password")
    return principal
