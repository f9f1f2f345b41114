"""The review JSON API against a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import INBOX
from tests.web.conftest import SECRET, SLACK_SECRET, Cases, LiveServer
from wardflow.runtime.workspace import Workspace
from wardflow.web.auth import CredentialStore, sign_token
from wardflow.web.slack import SlackUsers, action_value, sign_request

LOW_CONFIDENCE = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"  # no comment needed


def _hash(server: LiveServer, thread: str, who: str = "dan") -> str:
    detail = server.client.get(f"/api/cases/{thread}", headers=server.auth(who)).json()
    return str(detail["request"]["proposed_action"]["args_hash"])


def _invoices(workspace: Workspace) -> list[tuple[str, str]]:
    return sorted((p.invoice_number, p.approved_by) for p in workspace.erp.postings())


# Login and tokens ----------------------------------------------------------------------
def test_login_with_the_right_password_only(server: LiveServer, workspace: Workspace) -> None:
    good = server.client.post("/api/login", json={"principal": "dan",
                                                  "password": "dan-controller-password"})
    assert good.status_code == 200
    body = good.json()
    assert body["name"] == "dan" and body["role"] == "controller"
    assert body["expires_at"] > time.time() + 3600
    me = server.client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["name"] == "dan"

    workspace.principals.add("olaf", "controller")
    credentials = CredentialStore(workspace.settings.review_path)
    credentials.set_password(workspace.principals, "olaf", "olaf-was-a-controller")
    credentials.close()
    workspace.principals.deactivate("olaf")
    refused = {
        "wrong password": ("dan", "carla-approver-password"),
        "unknown principal": ("mallory", "dan-controller-password"),
        "inactive principal": ("olaf", "olaf-was-a-controller"),
        "no password set": ("eve", "anything-at-all-here"),
    }
    for why, (name, password) in refused.items():
        response = server.client.post("/api/login", json={"principal": name, "password": password})
        assert response.status_code == 401, why
        # One answer for every failure: the API does not tell who exists.
        assert response.json()["detail"] == "unknown principal or wrong password", why
        assert "token" not in response.text


def test_every_case_route_needs_a_valid_unexpired_token(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    routes = [("GET", "/api/inbox"), ("GET", f"/api/cases/{cases.bank}"),
              ("GET", f"/api/cases/{cases.bank}/document"),
              ("POST", f"/api/cases/{cases.bank}/chat")]
    expired = sign_token(SECRET.encode(), "dan", int(time.time()) - 1)
    forged = sign_token(b"another key", "dan", int(time.time()) + 3600)
    for header, expect in ((None, "log in first"), (f"Bearer {expired}", "expired"),
                           (f"Bearer {forged}", "invalid token signature"),
                           ("Bearer v1.x.y.z", "malformed token"),
                           (f"Basic {server.token('dan')}", "log in first")):
        for method, path in routes:
            response = server.client.request(
                method, path, headers={"Authorization": header} if header else {},
                json={"message": "why"} if method == "POST" else None)
            assert response.status_code == 401, (header, path)
            assert expect in response.json()["detail"]
            assert response.headers["WWW-Authenticate"] == "Bearer"
    # No anonymous decisions either, and a decision never reached the run.
    response = server.client.post(f"/api/cases/{cases.bank}/decision",
                                  json={"decision": "reject", "comment": "anonymous"})
    assert response.status_code == 401
    assert workspace.pending(cases.bank).thread_id == cases.bank


def test_a_deactivated_principal_is_logged_out_at_once(
    server: LiveServer, workspace: Workspace
) -> None:
    headers = server.auth("carla")
    assert server.client.get("/api/inbox", headers=headers).status_code == 200
    workspace.principals.deactivate("carla")
    response = server.client.get("/api/inbox", headers=headers)
    assert response.status_code == 401
    assert "no longer an active principal" in response.json()["detail"]


def test_repeated_failed_logins_are_throttled(server: LiveServer) -> None:
    for _ in range(5):
        bad = server.client.post("/api/login", json={"principal": "dan", "password": "guess-1234"})
        assert bad.status_code == 401
    blocked = server.client.post("/api/login", json={"principal": "dan",
                                                     "password": "dan-controller-password"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) >= 1
    # Another principal is not locked out by dan's attempts.
    assert server.client.post("/api/login", json={
        "principal": "cleo", "password": "cleo-clerk-password"}).status_code == 200


# Reading -------------------------------------------------------------------------------
def test_inbox_lists_the_waiting_cases_riskiest_first(server: LiveServer, cases: Cases) -> None:
    response = server.client.get("/api/inbox", headers=server.auth("ada"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    listed = response.json()["cases"]
    assert [c["thread_id"] for c in listed] == [cases.copy, cases.bank]
    assert listed[0]["reasons"] == ["duplicate_invoice_number"]
    bank = listed[1]
    assert (bank["vendor"], bank["invoice_number"], bank["currency"], bank["required_role"]) == (
        "Van der Berg Logistics B.V.", "VDB-26-08841", "EUR", "controller")
    assert listed[0]["risk"] >= bank["risk"] > 0
    assert "bank_details_changed" in bank["reasons"]


def test_case_detail_has_the_text_with_checked_evidence_spans(
    server: LiveServer, cases: Cases
) -> None:
    detail = server.client.get(f"/api/cases/{cases.bank}", headers=server.auth("ada")).json()
    request = detail["request"]
    assert request["thread_id"] == cases.bank and request["required_role"] == "controller"
    assert detail["summary"]["status"] == "awaiting_review"
    text = detail["text"]
    covered = {name for span in detail["highlights"] for name in span["fields"]}
    assert {"iban", "total", "invoice_number", "invoice_date"} <= covered
    for span in detail["highlights"]:
        for name in span["fields"]:
            evidence = request["fields"][name]["evidence"]
            assert evidence["start"] <= span["start"] < span["end"] <= evidence["end"]
            assert text[evidence["start"]:evidence["end"]] == evidence["text"]
    iban = next(s for s in detail["highlights"] if "iban" in s["fields"])
    assert text[iban["start"]:iban["end"]].replace(" ", "") == request["fields"]["iban"]["value"]
    assert detail["line_items"] and detail["document"]["pages"] == 1


def test_the_original_document_and_its_page_images(server: LiveServer, cases: Cases) -> None:
    headers = server.auth("ada")
    pdf = server.client.get(f"/api/cases/{cases.bank}/document", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;")
    page = server.client.get(f"/api/cases/{cases.bank}/pages/1", headers=headers)
    assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
    missing = server.client.get(f"/api/cases/{cases.bank}/pages/2", headers=headers)
    assert missing.status_code == 404 and "no page 2" in missing.json()["detail"]


def test_unknown_threads_are_404_and_bad_bodies_422(server: LiveServer, cases: Cases) -> None:
    headers = server.auth("dan")
    for path in ("/api/cases/doc-0000", "/api/cases/doc-0000/document"):
        response = server.client.get(path, headers=headers)
        assert response.status_code == 404 and "no run with thread id" in response.json()["detail"]
    assert server.client.post("/api/cases/doc-0000/decision", headers=headers,
                              json={"decision": "reject"}).status_code == 404
    assert server.client.post("/api/cases/doc-0000/chat", headers=headers,
                              json={"message": "why"}).status_code == 404
    for body in ({"decision": "maybe"}, {"comment": "no decision"},
                 {"decision": "reject", "comment": "x" * 4001},
                 # The decider is the logged-in principal; a body cannot name another.
                 {"decision": "approve", "by": "dan"}):
        response = server.client.post(f"/api/cases/{cases.bank}/decision", headers=headers,
                                      json=body)
        assert response.status_code == 422, body
    assert server.client.post("/api/login", json={"principal": ""}).status_code == 422


# Deciding ------------------------------------------------------------------------------
def test_refusals_are_403_with_the_reason_and_the_run_stays_paused(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    args_hash = _hash(server, cases.bank)
    refusals = [
        ("cleo", {"decision": "approve", "args_hash": args_hash},
         "wrong-role: a clerk cannot approve invoices"),
        ("ada", {"decision": "reject"}, "wrong-role: an auditor cannot reject"),
        ("carla", {"decision": "approve", "args_hash": args_hash},
         "wrong-role: this case needs a controller; carla is an approver"),
        ("dan", {"decision": "approve", "args_hash": "f" * 64},
         "stale-proposal: the proposed action changed since it was shown"),
        ("dan", {"decision": "approve"}, "no-hash"),
    ]
    for who, body, reason in refusals:
        response = server.decide(who, cases.bank, **body)
        assert response.status_code == 403, (who, response.text)
        assert reason in response.json()["detail"]
    assert workspace.pending(cases.bank).thread_id == cases.bank
    assert _invoices(workspace) == [("NLS-INV-2026-0412", "auto:policy-v1")]


def test_approve_posts_once_and_a_second_decision_is_refused(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    response = server.decide("dan", cases.bank, decision="approve", args_hash=_hash(
        server, cases.bank), comment="verified the new account by phone")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["status"] == "posted" and summary["posting_id"].startswith("P-")
    assert _invoices(workspace) == [("NLS-INV-2026-0412", "auto:policy-v1"),
                                    ("VDB-26-08841", "dan")]
    [decision] = [r for r in workspace.audit.records(cases.bank) if r.action == "review.decision"]
    assert decision.payload["by"] == "dan" and decision.payload["decision"] == "approve"

    again = server.decide("dan", cases.bank, decision="reject")
    assert again.status_code == 403 and "not waiting for review" in again.json()["detail"]
    inbox = server.client.get("/api/inbox", headers=server.auth("dan")).json()["cases"]
    assert [c["thread_id"] for c in inbox] == [cases.copy]
    detail = server.client.get(f"/api/cases/{cases.bank}", headers=server.auth("dan")).json()
    assert detail["request"] is None and detail["summary"]["status"] == "posted"
    assert len(workspace.erp.postings()) == 2


def test_a_decision_while_the_kill_switch_is_on_is_423_and_posts_nothing(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    workspace.engage_kill_switch("bank fraud investigation", by="ops")
    response = server.decide("dan", cases.bank, decision="approve", args_hash=_hash(
        server, cases.bank), comment="verified by phone")
    assert response.status_code == 423, response.text
    assert "bank fraud investigation" in response.json()["detail"]
    assert _invoices(workspace) == [("NLS-INV-2026-0412", "auto:policy-v1")]
    # Released, the parked run posts the approved invoice, once.
    workspace.release_kill_switch(by="ops")
    assert _invoices(workspace) == [("NLS-INV-2026-0412", "auto:policy-v1"),
                                    ("VDB-26-08841", "dan")]


def test_simultaneous_approvals_post_once(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    args_hash = _hash(server, cases.copy, "carla")
    headers = {"carla": server.auth("carla"), "dan": server.auth("dan")}
    results: dict[str, int] = {}

    def approve(who: str) -> None:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            results[who] = client.post(f"/api/cases/{cases.copy}/decision", headers=headers[who],
                                       json={"decision": "approve", "args_hash": args_hash,
                                             "comment": "a duplicate, but paid twice on purpose"}
                                       ).status_code

    threads = [threading.Thread(target=approve, args=(who,)) for who in headers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 403]
    assert [p.invoice_number for p in workspace.erp.postings()].count("NLS-INV-2026-0412") == 2


# Chat ----------------------------------------------------------------------------------
def test_chat_answers_from_the_case(server: LiveServer, cases: Cases) -> None:
    headers = server.auth("dan")
    answer = server.client.post(f"/api/cases/{cases.bank}/chat", headers=headers,
                                json={"message": "why was this flagged?"}).json()["answer"]
    assert "- bank_details_changed:" in answer
    lines = server.client.post(f"/api/cases/{cases.bank}/chat", headers=headers,
                               json={"message": "evidence iban"}).json()["answer"]
    assert lines.startswith("iban = NL") and "(IBAN)" in lines
    narrow = server.client.post(f"/api/cases/{cases.bank}/chat", headers=headers,
                                json={"message": "show line items", "width": 40}).json()["answer"]
    assert "3 line item(s)" in narrow and max(map(len, narrow.splitlines())) <= 40
    refused = server.client.post(f"/api/cases/{cases.bank}/chat", headers=server.auth("cleo"),
                                 json={"message": "approve"}).json()["answer"]
    assert refused.startswith("refused:") and "a clerk cannot approve" in refused


def test_chat_streams_server_sent_events(server: LiveServer, cases: Cases) -> None:
    events: list[tuple[str, dict[str, str]]] = []
    with server.client.stream("POST", f"/api/cases/{cases.copy}/chat/stream",
                              headers=server.auth("dan"),
                              json={"message": "show line items"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))))
    assert events[-1] == ("done", {})
    text = "".join(data["text"] for kind, data in events if kind == "chunk")
    assert "3 line item(s)" in text and "Onboarding workshop" in text
    missing = server.client.post("/api/cases/doc-0000/chat/stream", headers=server.auth("dan"),
                                 json={"message": "why"})
    assert missing.status_code == 404


# Slack ---------------------------------------------------------------------------------
def _slack(server: LiveServer, user: str, action: str, value: str, *, secret: str = SLACK_SECRET,
           age_s: int = 0) -> httpx.Response:
    # Who clicked is the Slack user id; these tests give each principal "U0" + NAME.
    payload = {"type": "block_actions", "user": {"id": f"U0{user.upper()}", "username": user},
               "actions": [{"action_id": action, "value": value, "type": "button"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    timestamp = str(int(time.time()) - age_s)
    return server.client.post("/api/slack/actions", content=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign_request(secret, timestamp, body)})


def _link(workspace: Workspace, *names: str) -> None:
    users = SlackUsers(workspace.settings.review_path)
    for name in names:
        users.link(workspace.principals, name, f"U0{name.upper()}")
    users.close()


def test_slack_button_with_a_valid_signature_approves(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    _link(workspace, "dan")
    [plain] = list(workspace.process([INBOX / LOW_CONFIDENCE], submitted_by="sam"))
    value = action_value(plain.thread_id, _hash(server, plain.thread_id))
    response = _slack(server, "dan", "approve", value)
    assert response.status_code == 200
    assert response.json()["text"].startswith(f"approve: {plain.thread_id} is now posted (P-")
    assert ("K-2026-1530", "dan") in _invoices(workspace)
    # A button carries no reason: a high-risk case (a changed bank account) is refused.
    value = action_value(cases.bank, _hash(server, cases.bank))
    refused = _slack(server, "dan", "approve", value).json()["text"]
    assert refused.startswith("refused:") and "comment-required" in refused, refused
    assert f"wardflow review {cases.bank} --approve --reason" in refused
    assert "VDB-26-08841" not in [number for number, _ in _invoices(workspace)]


def test_slack_requests_without_a_valid_fresh_signature_are_401(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    _link(workspace, "dan")
    value = action_value(cases.bank, _hash(server, cases.bank))
    forged = _slack(server, "dan", "approve", value, secret="not-the-signing-secret")
    assert forged.status_code == 401 and "invalid X-Slack-Signature" in forged.json()["detail"]
    replayed = _slack(server, "dan", "approve", value, age_s=600)
    assert replayed.status_code == 401 and "replay refused" in replayed.json()["detail"]
    unsigned = server.client.post("/api/slack/actions", content=b"payload=%7B%7D",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert unsigned.status_code == 401
    assert workspace.pending(cases.bank).thread_id == cases.bank
    assert len(workspace.erp.postings()) == 1


def test_slack_refusals_come_back_as_the_response_text(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    _link(workspace, "dan", "cleo", "ada")
    value = action_value(cases.bank, _hash(server, cases.bank))
    answers = {
        "cleo": "wrong-role: a clerk cannot approve invoices",
        "mallory": "unknown-reviewer: Slack user U0MALLORY is not linked to a principal",
        "ada": "wrong-role: an auditor cannot approve",
    }
    for user, reason in answers.items():
        response = _slack(server, user, "approve", value)
        assert response.status_code == 200
        assert response.json()["text"].startswith("refused:") and reason in response.json()["text"]
    stale = _slack(server, "dan", "approve", action_value(cases.bank, "0" * 64))
    assert "stale-proposal" in stale.json()["text"]
    bad = _slack(server, "dan", "escalate", value)
    assert bad.status_code == 400 and "unknown action" in bad.json()["detail"]
    rejected = _slack(server, "dan", "reject", action_value(cases.bank, None))
    assert "comment-required: a comment is required to reject" in rejected.json()["text"]
    [plain] = list(workspace.process([INBOX / LOW_CONFIDENCE], submitted_by="sam"))
    rejected = _slack(server, "dan", "reject", action_value(plain.thread_id, None))
    assert rejected.json()["text"] == f"reject: {plain.thread_id} is now rejected"
    assert len(workspace.erp.postings()) == 1


# The page ------------------------------------------------------------------------------
def test_the_page_is_served_self_contained(server: LiveServer) -> None:
    page = server.client.get("/")
    assert page.status_code == 200 and "<title>wardflow review</title>" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    for asset in ("/static/app.js", "/static/app.css"):
        response = server.client.get(asset)
        assert response.status_code == 200
        assert "http://" not in response.text and "https://" not in response.text
    assert "http" not in page.text


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
def test_no_interactive_docs_are_exposed(server: LiveServer, path: str) -> None:
    assert server.client.get(path).status_code == 404
