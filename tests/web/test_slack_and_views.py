"""Slack request signing and payload parsing; evidence spans for the page."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from wardflow.web.slack import (
    SlackAction,
    SlackError,
    action_value,
    parse_action,
    sign_request,
    verify_request,
)
from wardflow.web.views import evidence_spans

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _body(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_slack_signature_matches_slacks_documented_example() -> None:
    # The worked example in Slack's "Verifying requests from Slack" guide.
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
            b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
            b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
            b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
            b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sign_request(SECRET, "1531420618", body) == expected
    verify_request(SECRET, "1531420618", expected, body, now=1531420618 + 299)
    with pytest.raises(SlackError, match="replay refused"):
        verify_request(SECRET, "1531420618", expected, body, now=1531420618 + 301)
    with pytest.raises(SlackError, match="invalid X-Slack-Signature"):
        verify_request(SECRET, "1531420618", expected, body + b"&x=1", now=1531420618)
    with pytest.raises(SlackError, match="missing"):
        verify_request(SECRET, None, expected, body, now=1531420618)


def test_a_block_action_names_user_decision_thread_and_hash() -> None:
    # The user is the stable id; the username is anyone's to change and is not used.
    payload = {"type": "block_actions", "user": {"id": "U024BE7LH", "username": "dan"},
               "actions": [{"action_id": "approve", "value": action_value("run:42", "ab12")}]}
    assert parse_action(_body(payload)) == SlackAction("U024BE7LH", "approve", "run:42", "ab12")
    payload["actions"] = [{"action_id": "reject", "value": action_value("doc-1", None)}]
    assert parse_action(_body(payload)) == SlackAction("U024BE7LH", "reject", "doc-1", None)
    payload["user"] = {"username": "dan"}
    with pytest.raises(SlackError, match="not a Slack block_actions payload"):
        parse_action(_body(payload))


@pytest.mark.parametrize("body, message", [
    (_body({"type": "view_submission"}), "unsupported payload type"),
    (_body({"type": "block_actions", "user": {"id": "U1"}, "actions": []}),
     "not a Slack block_actions payload"),
    (_body({"type": "block_actions", "user": {"id": "U1"},
            "actions": [{"action_id": "delete", "value": "doc-1:"}]}), "unknown action"),
    (_body({"type": "block_actions", "user": {"id": "U1"},
            "actions": [{"action_id": "approve", "value": "no-separator"}]}), "action value"),
    (b"payload=not-json", "not a Slack block_actions payload"),
    (b"\xff\xfe", "not a Slack block_actions payload"),
])
def test_other_payloads_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(SlackError, match=message):
        parse_action(body)


def test_evidence_spans_are_checked_and_merged() -> None:
    text = "Invoice INV-7 total EUR 1,200.00 IBAN DE89 3704"
    fields: dict[str, dict[str, Any]] = {
        "invoice_number": {"evidence": {"start": 8, "end": 13, "text": "INV-7"}},
        "currency": {"evidence": {"start": 20, "end": 23, "text": "EUR"}},
        "total": {"evidence": {"start": 20, "end": 32, "text": "EUR 1,200.00"}},
        # Offsets that do not match the text are not highlighted.
        "iban": {"evidence": {"start": 33, "end": 47, "text": "DE00 0000 0000"}},
        "bic": {"evidence": {"start": 40, "end": 99, "text": "x"}},
        # A corrected field has evidence without a span.
        "due_date": {"evidence": {"label": "corrected by cleo", "text": "2026-10-01"}},
        "vendor": {"evidence": None},
    }
    assert evidence_spans(text, fields) == [
        {"start": 8, "end": 13, "fields": ["invoice_number"]},
        {"start": 20, "end": 23, "fields": ["currency", "total"]},
        {"start": 23, "end": 32, "fields": ["total"]},
    ]
    assert text[20:32] == "EUR 1,200.00"
