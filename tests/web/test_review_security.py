"""Issue 14 against a real uvicorn server on 127.0.0.1: decisions bind to the proposal
the reviewer saw, each role sees only what the vault lets it see, and the login and
token checks hold under hostile input."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlencode

import httpx

from tests.web.conftest import SECRET, SLACK_SECRET, Cases, LiveServer
from wardflow.guardrails.pii import find_pii
from wardflow.runtime.workspace import Workspace
from wardflow.web.auth import sign_token
from wardflow.web.slack import action_value, sign_request


def _detail(server: LiveServer, thread: str, who: str) -> dict:
    response = server.client.get(f"/api/cases/{thread}", headers=server.auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _chat(server: LiveServer, who: str, thread: str, message: str, **extra: object) -> str:
    response = server.client.post(f"/api/cases/{thread}/chat", headers=server.auth(who),
                                  json={"message": message, **extra})
    assert response.status_code == 200, response.text
    return str(response.json()["answer"])


def _posted(workspace: Workspace) -> list[str]:
    return sorted(p.invoice_number for p in workspace.erp.postings())


# Decisions bind to what the reviewer saw --------------------------------------------------
def test_chat_approve_of_a_changed_proposal_is_refused_and_shows_the_new_one(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    shown = str(workspace.pending(cases.bank).proposed_action.args_hash)
    assert shown in _chat(server, "dan", cases.bank, "proposal")
    corrected = server.decide("cleo", cases.bank, decision="correct",
                              corrections={"total": "9999.00"})
    assert corrected.status_code == 200, corrected.text

    # The chat approves what it showed dan, not the proposal as it is now.
    answer = _chat(server, "dan", cases.bank, "approve")
    assert "stale-proposal" in answer, answer
    assert "9999.00" in answer and "The proposal now" in answer
    assert _posted(workspace) == ["NLS-INV-2026-0412"]
    [refusal] = [r for r in workspace.audit.records(cases.bank) if r.action == "review.refused"]
    assert refusal.payload["by"] == "dan"

    # The page sends the hash it shows: a page still showing the old proposal is refused.
    again = _chat(server, "dan", cases.bank, "approve", args_hash=shown)
    assert "stale-proposal" in again, again
    assert _posted(workspace) == ["NLS-INV-2026-0412"]

    # What the chat showed dan last is what dan approves next.
    done = _chat(server, "dan", cases.bank, "approve the corrected total is right")
    assert "is now posted" in done, done
    [posting] = [p for p in workspace.erp.postings() if p.invoice_number == "VDB-26-08841"]
    assert str(posting.total) == "9999.00"


def test_chat_approve_without_a_shown_proposal_shows_it_first(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    first = _chat(server, "dan", cases.bank, "approve")
    assert "no-hash" in first and "proposal " in first, first
    assert _posted(workspace) == ["NLS-INV-2026-0412"]
    current = workspace.pending(cases.bank).proposed_action.args_hash
    assert str(current) in first
    assert "is now posted" in _chat(server, "dan", cases.bank, "approve account verified")


# Least data ----------------------------------------------------------------------------
def test_a_clerk_sees_tokens_where_the_vault_withholds_personal_data(
    server: LiveServer, cases: Cases
) -> None:
    full = _detail(server, cases.bank, "ada")
    secrets = {m.text for m in find_pii(full["text"])} | {m.value for m in find_pii(full["text"])}
    iban = full["request"]["fields"]["iban"]["value"]
    assert iban and iban in secrets

    clerk = _detail(server, cases.bank, "cleo")
    inbox = server.client.get("/api/inbox", headers=server.auth("cleo")).json()
    chat = _chat(server, "cleo", cases.bank, "evidence iban")
    for shown in (json.dumps(clerk), json.dumps(inbox), chat):
        leaked = [s for s in secrets if s in shown]
        assert not leaked, leaked
    assert clerk["request"]["fields"]["iban"]["value"].startswith("<IBAN_")
    assert chat.startswith("iban = <IBAN_")
    # The highlights still point at the evidence, now in the tokenized text.
    text = clerk["text"]
    iban_span = next(s for s in clerk["highlights"] if "iban" in s["fields"])
    assert text[iban_span["start"]:iban_span["end"]].startswith("<IBAN_")
    for name, field in clerk["request"]["fields"].items():
        evidence = field.get("evidence") or {}
        if isinstance(evidence.get("start"), int) and any(
                name in s["fields"] for s in clerk["highlights"]):
            assert text[evidence["start"]:evidence["end"]] == evidence["text"], name
    # The original cannot be tokenized: a clerk does not get it.
    assert clerk["document"]["available"] is False and clerk["document"]["withheld"]
    for path in ("document", "pages/1"):
        response = server.client.get(f"/api/cases/{cases.bank}/{path}",
                                     headers=server.auth("cleo"))
        assert response.status_code == 403, path
        assert b"%PDF" not in response.content
    assert server.client.get(f"/api/cases/{cases.bank}/document",
                             headers=server.auth("ada")).status_code == 200


# Authentication hardening ----------------------------------------------------------------
def test_parallel_login_guesses_are_counted_before_they_are_checked(server: LiveServer) -> None:
    barrier = threading.Barrier(30)
    codes: list[int] = []

    def guess(n: int) -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            barrier.wait()
            codes.append(client.post("/api/login", json={
                "principal": "dan", "password": f"guess-number-{n}"}).status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(codes)) == [401, 429]
    assert codes.count(401) == 5, codes


def test_a_token_with_a_huge_or_odd_expiry_is_a_401(server: LiveServer) -> None:
    # int() refuses more than 4,300 digits with a ValueError; str.isdigit() takes "²".
    for expiry in ("9" * 4301, "²³", "1" * 13):
        forged = sign_token(SECRET.encode(), "dan", 0).replace(".0.", f".{expiry}.")
        # Latin-1 on the wire, as HTTP headers are: "²" reaches the server as "²".
        response = server.client.get("/api/me", headers={
            "Authorization": f"Bearer {forged}".encode("latin-1")})
        assert response.status_code == 401, (len(expiry), response.text[:200])
        assert "malformed token" in response.json()["detail"]


def test_validation_errors_never_echo_a_password(server: LiveServer) -> None:
    password = "correct-horse-battery-staple-42"
    for body in ({"principal": "dan", "password": password, "remember": True},
                 {"password": password},
                 {"principal": ["dan"], "password": password},
                 {"principal": "dan", "password": password * 40}):
        response = server.client.post("/api/login", json=body)
        assert response.status_code == 422, body
        assert password not in response.text, response.text
        assert response.json()["detail"], response.text
    # A number JSON cannot carry back (1e999 reads as infinity) is still a 422.
    huge = server.client.post("/api/login", content=b'{"principal": 1e999, "password": "x"}',
                              headers={"Content-Type": "application/json"})
    assert huge.status_code == 422, huge.text


def _slack(server: LiveServer, user_id: str, username: str, action: str, value: str
           ) -> httpx.Response:
    payload = {"type": "block_actions", "user": {"id": user_id, "username": username},
               "actions": [{"action_id": action, "value": value, "type": "button"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(time.time()))
    return server.client.post("/api/slack/actions", content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign_request(SLACK_SECRET, timestamp, body)})


def test_slack_decisions_are_by_the_stable_user_id_not_the_username(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    value = action_value(cases.bank, workspace.pending(cases.bank).proposed_action.args_hash)
    # Anyone can set their Slack name to "dan": an id linked to no one decides nothing.
    unlinked = _slack(server, "U0NOBODY", "dan", "approve", value)
    assert unlinked.json()["text"].startswith("refused:"), unlinked.text
    assert "not linked to a principal" in unlinked.json()["text"]
    assert _posted(workspace) == ["NLS-INV-2026-0412"]

    from wardflow.web.slack import SlackUsers  # new with this fix

    users = SlackUsers(workspace.settings.review_path)
    users.link(workspace.principals, "cleo", "U0CLEO")
    users.link(workspace.principals, "dan", "U0DAN")
    users.close()
    # A clerk who renamed herself "dan" in Slack is still the clerk.
    renamed = _slack(server, "U0CLEO", "dan", "approve", value)
    assert "wrong-role: a clerk cannot approve" in renamed.json()["text"], renamed.text
    assert _posted(workspace) == ["NLS-INV-2026-0412"]
    # Dan, whatever his display name, decides as dan: past the role checks, his click
    # is refused only for the reason a button cannot give (a high-risk case).
    done = _slack(server, "U0DAN", "daniel.b", "approve", value)
    assert "comment-required" in done.json()["text"], done.text
    refusals = [r for r in workspace.audit.records(cases.bank) if r.action == "review.refused"]
    assert refusals[-1].payload["by"] == "dan"
    assert _posted(workspace) == ["NLS-INV-2026-0412"]
