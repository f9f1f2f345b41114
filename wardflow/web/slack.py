"""Slack interactive messages: request signing and the approve/reject button actions.

A review message posted to Slack carries two buttons whose ``action_id`` is
``approve`` or ``reject`` and whose ``value`` is ``"<thread id>:<args hash>"`` (see
:func:`action_value`). When a reviewer clicks one, Slack sends
``application/x-www-form-urlencoded`` with a ``payload`` JSON field to the webhook;
the request is signed as Slack documents it::

    X-Slack-Signature: v0=hex(HMAC_SHA256(signing_secret, "v0:{timestamp}:{raw body}"))
    X-Slack-Request-Timestamp: {timestamp}   (refused when more than 5 minutes off)

Who clicked is taken from the payload's stable Slack user id (``user.id``), never from
the ``username``, which a Slack user can change to anyone's name: the id must be linked
to a principal (:class:`SlackLinks`: :class:`SlackUsers` in SQLite or
:class:`PostgresSlackUsers`; ``wardflow principals slack NAME USER_ID``); the
decision then goes through :meth:`~wardflow.runtime.workspace.Workspace.resume` like any
other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable
from urllib.parse import parse_qs

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import ReviewError, WardflowError
from wardflow.review.principals import PrincipalDirectory

__all__ = ["MAX_SKEW_S", "PostgresSlackUsers", "SlackAction", "SlackError", "SlackLinks",
           "SlackUsers", "action_value", "parse_action", "sign_request", "verify_request"]

MAX_SKEW_S = 300
# Slack user ids: U or W and upper-case letters and digits.
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,31}")
_TABLES = (
    Table("slack_users", (
        Column("user_id"), Column("principal", not_null=True),
        Column("linked_at", not_null=True),
    ), primary_key=("user_id",)),
)


class SlackError(WardflowError):
    """A Slack request was refused (bad signature, stale, or not a button action)."""


@dataclass(frozen=True, slots=True)
class SlackAction:
    """One button click: who clicked (the Slack user id), what, on which case and proposal."""

    user_id: str
    decision: Literal["approve", "reject"]
    thread_id: str
    args_hash: str | None


def action_value(thread_id: str, args_hash: str | None) -> str:
    """The button ``value`` for a case: ``"<thread>:<args hash>"``."""
    return f"{thread_id}:{args_hash or ''}"


def sign_request(signing_secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Slack-Signature`` value Slack sends for ``body`` at ``timestamp``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify_request(
    signing_secret: str, timestamp: str | None, signature: str | None, body: bytes, *,
    now: float,
) -> None:
    """Raise :class:`SlackError` unless the request is signed and fresh."""
    if not timestamp or not signature:
        raise SlackError("missing X-Slack-Signature or X-Slack-Request-Timestamp")
    try:
        sent = int(timestamp)
    except ValueError as err:
        raise SlackError("X-Slack-Request-Timestamp is not a Unix time") from err
    if abs(now - sent) > MAX_SKEW_S:
        raise SlackError("the request timestamp is more than 5 minutes off; replay refused")
    if not hmac.compare_digest(signature, sign_request(signing_secret, timestamp, body)):
        raise SlackError("invalid X-Slack-Signature")


def parse_action(body: bytes) -> SlackAction:
    """The button click in a ``block_actions`` payload; raises :class:`SlackError`."""
    try:
        form = parse_qs(body.decode(), strict_parsing=True)
        payload = json.loads(form["payload"][0])
        if payload.get("type") != "block_actions":
            raise SlackError(f"unsupported payload type {payload.get('type')!r}")
        user = str(payload["user"]["id"])
        action = payload["actions"][0]
        action_id = action["action_id"]
        value = str(action["value"])
    except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError,
            AttributeError) as err:  # AttributeError: a payload that is not an object
        raise SlackError("not a Slack block_actions payload with a button action") from err
    if action_id not in ("approve", "reject"):
        raise SlackError(f"unknown action {action_id!r}; expected approve or reject")
    # The hash is hex; a thread id may itself contain ':'.
    thread_id, _, args_hash = value.rpartition(":")
    if not thread_id or not user:
        raise SlackError("the action value must be '<thread id>:<args hash>'")
    return SlackAction(user, action_id, thread_id, args_hash or None)


@runtime_checkable
class SlackLinks(Protocol):
    """Which principal each Slack user id is: what callers type against.

    Backends: :class:`SlackUsers` (SQLite, ``review.sqlite``) and
    :class:`PostgresSlackUsers`; ``wardflow.testing.SlackLinksConformance`` is what any
    backend must pass.
    """

    def link(self, principals: PrincipalDirectory, name: str, user_id: str) -> None:
        """Decisions from Slack user ``user_id`` are ``name``'s from now on."""
        ...

    def unlink(self, user_id: str) -> bool:
        """Forget ``user_id``'s link; whether there was one."""
        ...

    def principal(self, user_id: str) -> str | None:
        """The principal linked to ``user_id``, if any."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _SlackSql(StoreBackend):
    """The Slack link store's SQL, which SQLite and Postgres both accept."""

    def link(self, principals: PrincipalDirectory, name: str, user_id: str) -> None:
        """Decisions from Slack user ``user_id`` are ``name``'s from now on.

        Raises:
            ReviewError: ``name`` is not an active principal, or ``user_id`` is not a
                Slack user id (``U0123ABCD``).
        """
        principal = principals.get(name)
        if principal is None or not principal.active:
            raise ReviewError("-", f"{name!r} is not an active principal"
                              " (`wardflow principals add` first)")
        if not _USER_ID.fullmatch(user_id):
            raise ReviewError("-", f"{user_id!r} is not a Slack user id (U or W and upper-case"
                              " letters and digits, e.g. U024BE7LH; see the member's profile)")
        with self._write() as conn:
            conn.execute(
                "INSERT INTO slack_users (user_id, principal, linked_at) VALUES (?,?,?)"
                " ON CONFLICT(user_id) DO UPDATE SET principal = excluded.principal,"
                " linked_at = excluded.linked_at",
                (user_id, name, self._clock().isoformat()))

    def unlink(self, user_id: str) -> bool:
        """Forget ``user_id``'s link; whether there was one."""
        with self._write() as conn:
            return conn.execute("DELETE FROM slack_users WHERE user_id = ?",
                                (user_id,)).rowcount > 0

    def principal(self, user_id: str) -> str | None:
        """The principal linked to ``user_id``, if any."""
        with self._read() as conn:
            row = conn.execute("SELECT principal FROM slack_users WHERE user_id = ?",
                               (user_id,)).fetchone()
        return str(row[0]) if row else None


class SlackUsers(_SlackSql, SqliteStore):
    """Which principal each Slack user id is, in ``review.sqlite`` (table ``slack_users``).

    Args:
        path: the SQLite file shared with the principal store, or ``":memory:"``.
        clock: the time recorded with each link.
        busy_timeout_s: how long a write waits for another process's lock.
    """

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock,
                         busy_timeout_s=busy_timeout_s)


class PostgresSlackUsers(_SlackSql, PostgresStore):
    """Slack user links in Postgres (table ``slack_users``), shared by every machine.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: the time recorded with each link.
        retry_s: how long a call waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.slack_users", now=clock, retry_s=retry_s)
