"""Slack interactive messages: request signing and the approve/reject button actions.

A review message posted to Slack carries two buttons whose ``action_id`` is
``approve`` or ``reject`` and whose ``value`` is ``"<thread id>:<args hash>"`` (see
:func:`action_value`). When a reviewer clicks one, Slack sends
``application/x-www-form-urlencoded`` with a ``payload`` JSON field to the webhook;
the request is signed as Slack documents it::

    X-Slack-Signature: v0=hex(HMAC_SHA256(signing_secret, "v0:{timestamp}:{raw body}"))
    X-Slack-Request-Timestamp: {timestamp}   (refused when more than 5 minutes off)

The Slack user name must be a registered principal's name; the decision then goes
through :meth:`~wardflow.graphs.workspace.Workspace.resume` like any other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs

__all__ = ["MAX_SKEW_S", "SlackAction", "SlackError", "action_value", "parse_action",
           "sign_request", "verify_request"]

MAX_SKEW_S = 300


class SlackError(Exception):
    """A Slack request was refused (bad signature, stale, or not a button action)."""


@dataclass(frozen=True, slots=True)
class SlackAction:
    """One button click: who clicked, what, on which case and proposal."""

    user: str
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
        user = str(payload["user"]["username"])
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
