"""The runs API against a real uvicorn server on 127.0.0.1: start, follow, decide."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import EXAMPLES, INBOX
from tests.web.conftest import BANK, CLEAN, PASSWORDS, SECRET, start_server
from wardflow.config import Settings
from wardflow.graphs.invoice import AUTO_APPROVER
from wardflow.review.tokens import TokenStore
from wardflow.runtime.workspace import Workspace
from wardflow.tools.inbox import document_id
from wardflow.web import CredentialStore, create_app
from wardflow.web.runs import RunJobs

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


@dataclass
class RunsServer:
    """A live server, its job pool, and an API token per principal."""

    client: httpx.Client
    jobs: RunJobs
    app: Any
    tokens: dict[str, str]

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def upload(self, name: str, path: Path, **fields: str) -> httpx.Response:
        return self.client.post("/runs", headers=self.auth(name), data=fields,
                                files={"document": (path.name, path.read_bytes(),
                                                    "application/pdf")})

    def events(self, run: str, who: str = "dan", **headers: str) -> list[tuple[str, Any]]:
        """Follow the run's event stream to its end: (event, data) pairs; ids as ``id``."""
        found: list[tuple[str, Any]] = []
        with self.client.stream("GET", f"/runs/{run}/events",
                                headers={**self.auth(who), **headers}) as response:
            assert response.status_code == 200, response.read()
            assert response.headers["content-type"].startswith("text/event-stream")
            found.extend(_parse_sse(response.iter_lines()))
        return found

    def wait_idle(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while self.jobs.active():
            assert time.monotonic() < deadline, f"still running: {self.jobs.active()}"
            time.sleep(0.05)


def _parse_sse(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    event, data, ident = "message", "", None
    for line in lines:
        if line.startswith(":"):
            yield ("comment", line[1:].strip())
        elif line.startswith("id: "):
            ident = int(line[4:])
        elif line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            parsed = json.loads(data)
            if ident is not None:
                parsed["id"] = ident
            yield (event, parsed)
            event, data, ident = "message", "", None


DOUBLE_CHECK = """
name: double-check
trigger:
  event: "document_uploaded"
  source: "inbox"
steps:
  - name: classify_document
    type: "llm-inference"
    model: "vertical-llm-legal-v2"
  - name: sign_off
    type: "approval_task"
    role: "approver"
  - name: archive
    type: "storage"
    destination: "archive"
"""


@pytest.fixture
def runs_settings(settings: Settings, tmp_path: Path) -> Settings:
    """Blueprints: the examples, and one that always asks an approver."""
    folder = shutil.copytree(EXAMPLES / "blueprints", tmp_path / "blueprints")
    (folder / "double-check.yaml").write_text(DOUBLE_CHECK)
    return settings.model_copy(update={"blueprints_dir": folder,
                                       "max_invoice_age_days": 36500})


@pytest.fixture
def runs(runs_settings: Settings, workspace: Workspace,
         clock: Callable[[], datetime]) -> Iterator[RunsServer]:
    tokens = TokenStore(runs_settings.review_path)
    issued = {name: tokens.create(workspace.principals, name, name="tests", expires_days=30,
                                  by="admin", audit=workspace.audit)[0]
              for name in ("cleo", "carla", "dan", "ada")}
    tokens.close()
    app = create_app(runs_settings, secret=SECRET,
                     workspace_factory=lambda: Workspace(runs_settings, clock=clock))
    server, thread, port = start_server(app)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        yield RunsServer(client, app.state.runs, app, issued)
        RunsServer(client, app.state.runs, app, issued).wait_idle()
    server.should_exit = True
    thread.join(timeout=30)


def _postings(workspace: Workspace) -> list[tuple[str, str]]:
    return sorted((p.invoice_number, p.approved_by) for p in workspace.erp.postings())


# The whole path ----------------------------------------------------------------------
def test_upload_streams_to_the_review_and_a_resume_posts_once(
    runs: RunsServer, workspace: Workspace
) -> None:
    started = runs.upload("cleo", INBOX / BANK)
    assert started.status_code == 202, started.text
    run = started.json()["id"]
    assert run == document_id((INBOX / BANK).read_bytes())
    assert started.json()["status"] in ("queued", "running")
    assert started.json()["links"]["events"] == f"/runs/{run}/events"

    events = runs.events(run)
    nodes = [data["node"] for kind, data in events if kind == "node"]
    assert nodes == ["ingest", "guard", "extract", "risk", "compliance", "route"]
    assert [data["id"] for kind, data in events if kind == "node"] == [1, 2, 3, 4, 5, 6]
    kind, end = events[-1]
    assert kind == "interrupt" and end["status"] == "awaiting_review"
    # The bank account changed: a controller must decide.
    assert end["review"]["required_role"] == "controller"
    assert "bank_details_changed" in [r["code"] for r in end["review"]["reasons"]]

    status = runs.client.get(f"/runs/{run}", headers=runs.auth("ada")).json()
    assert status["status"] == "awaiting_review" and status["waiting_for_review"] is True
    assert status["route"] == "review" and status["confidence"] is not None
    assert status["job"]["submitted_by"] == "cleo" and status["job"]["state"] == "finished"
    args_hash = status["pending"]["args_hash"]
    assert args_hash == end["review"]["args_hash"]

    def resume(who: str, **body: Any) -> httpx.Response:
        return runs.client.post(f"/runs/{run}/resume", headers=runs.auth(who), json=body)

    # The same rules as every other way to decide, and nothing moves on a refusal.
    assert "needs a controller" in resume("carla", decision="approve",
                                          args_hash=args_hash).json()["detail"]
    refused = resume("cleo", decision="approve", args_hash=args_hash)
    assert refused.status_code == 403 and "a clerk cannot approve" in refused.json()["detail"]
    assert resume("dan", decision="approve", args_hash="0" * 64).status_code == 403
    assert _postings(workspace) == []

    approved = resume("dan", decision="approve", args_hash=args_hash, comment="called vendor")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "posted" and approved.json()["posting_id"]
    assert _postings(workspace) == [("VDB-26-08841", "dan")]

    # Reconnecting after the last seen event replays only what came after it.
    after = runs.events(run, **{"Last-Event-ID": "6"})
    assert [d["node"] for k, d in after if k == "node"] == ["review", "post_to_erp", "archive"]
    assert after[-1][0] == "done" and after[-1][1]["status"] == "posted"

    again = resume("dan", decision="approve", args_hash=args_hash)
    assert again.status_code == 409 and "not waiting" in again.json()["detail"]
    # The same bytes again are the same run: reported, not run twice.
    resent = runs.upload("cleo", INBOX / BANK)
    assert resent.status_code == 200 and resent.json()["id"] == run
    assert resent.json()["status"] == "posted"
    runs.wait_idle()
    assert _postings(workspace) == [("VDB-26-08841", "dan")]
    actions = [(r.action, r.actor) for r in workspace.audit.records(run)]
    assert ("api.run_requested", "user:cleo") in actions
    assert ("review.decision", "user:dan") in actions


def test_a_clean_invoice_posts_without_review(runs: RunsServer, workspace: Workspace) -> None:
    run = runs.upload("carla", INBOX / CLEAN).json()["id"]
    events = runs.events(run)
    assert events[-1] == ("done", {"status": "posted", "posting_id": events[-1][1]["posting_id"]})
    assert [d["node"] for k, d in events if k == "node"][-2:] == ["post_to_erp", "archive"]
    assert _postings(workspace) == [("NLS-INV-2026-0412", AUTO_APPROVER)]


# The kill switch -----------------------------------------------------------------------
def test_no_run_starts_while_the_kill_switch_is_on(runs: RunsServer, workspace: Workspace) -> None:
    workspace.engage_kill_switch("suspected fraud wave", by="dan")
    refused = runs.upload("cleo", INBOX / CLEAN)
    assert refused.status_code == 423
    assert refused.json()["detail"] == ("kill switch on for invoice (by dan): suspected fraud"
                                        " wave; no new run starts until it is released")
    blueprint = runs.client.post("/runs", headers=runs.auth("cleo"), json={
        "blueprint": "invoice", "inputs": [str((INBOX / CLEAN).relative_to(Path.cwd()))]})
    assert blueprint.status_code == 423 and "suspected fraud wave" in blueprint.text
    assert workspace.threads() == [] and not workspace.storage.list("incoming")
    assert runs.jobs.active() == []

    workspace.release_kill_switch(by="dan")
    started = runs.upload("cleo", INBOX / CLEAN)
    assert started.status_code == 202
    assert runs.events(started.json()["id"])[-1][1]["status"] == "posted"


def test_a_decision_while_the_switch_is_on_parks_the_run_before_posting(
    runs: RunsServer, workspace: Workspace
) -> None:
    run = runs.upload("cleo", INBOX / OVER_LIMIT).json()["id"]
    review = runs.events(run)[-1][1]["review"]
    workspace.engage_kill_switch("ERP maintenance", by="dan", workflow="invoice")
    parked = runs.client.post(f"/runs/{run}/resume", headers=runs.auth("dan"), json={
        "decision": "approve", "args_hash": review["args_hash"],
        "comment": "budget approved"})
    assert parked.status_code == 423
    assert "ERP maintenance" in parked.json()["detail"]
    assert "continues when the switch is released" in parked.json()["detail"]
    assert workspace.erp.postings() == []
    assert runs.events(run)[-1] == ("paused", {
        "status": "interrupted", "next": ["post_to_erp"],
        "reason": "stopped between steps (kill switch or a crash); it continues when resumed"})
    assert runs.client.post(f"/runs/{run}/resume", headers=runs.auth("dan"), json={
        "decision": "approve", "args_hash": review["args_hash"],
        "comment": "budget approved"}).status_code == 409

    workspace.release_kill_switch(by="dan", workflow="invoice")
    assert runs.client.get(f"/runs/{run}", headers=runs.auth("dan")).json()["status"] == "posted"
    assert _postings(workspace) == [("HM-2026-0077", "dan")]


# Tokens and roles --------------------------------------------------------------------
def test_api_tokens_and_login_tokens_are_accepted_until_revoked(
    runs: RunsServer, workspace: Workspace
) -> None:
    run = runs.upload("carla", INBOX / CLEAN).json()["id"]
    runs.wait_idle()
    login = runs.client.post("/api/login", json={"principal": "x", "password": "y"})
    assert login.status_code == 401
    credentials = CredentialStore(workspace.settings.review_path)
    credentials.set_password(workspace.principals, "dan", PASSWORDS["dan"])
    credentials.close()
    session = runs.client.post("/api/login", json={"principal": "dan",
                                                   "password": PASSWORDS["dan"]}).json()
    by_login = runs.client.get(f"/runs/{run}", headers={
        "Authorization": f"Bearer {session['token']}"})
    assert by_login.status_code == 200 and by_login.json()["status"] == "posted"

    store = TokenStore(workspace.settings.review_path)
    [carla] = [t for t in store.all() if t.principal == "carla"]
    store.revoke(carla.id, by="admin", audit=workspace.audit)
    revoked = runs.client.get(f"/runs/{run}", headers=runs.auth("carla"))
    assert revoked.status_code == 401 and "was revoked" in revoked.json()["detail"]
    assert revoked.headers["WWW-Authenticate"] == "Bearer"
    expired_token, _ = TokenStore(workspace.settings.review_path,
                                  clock=lambda: datetime(2020, 1, 1).astimezone()).create(
        workspace.principals, "dan", name="old", expires_days=1, by="admin",
        audit=workspace.audit)
    store.close()
    for header, detail in ((f"Bearer {expired_token}", "expired"),
                           ("Bearer wft_0123456789ab_" + "A" * 43, "unknown or invalid"),
                           (f"Bearer {runs.tokens['dan']}x", "unknown or invalid"),
                           (None, "log in first")):
        response = runs.client.get(f"/runs/{run}",
                                   headers={"Authorization": header} if header else {})
        assert response.status_code == 401 and detail in response.json()["detail"], header

    workspace.principals.deactivate("cleo")
    gone = runs.upload("cleo", INBOX / BANK)
    assert gone.status_code == 401 and "no longer an active principal" in gone.text


def test_auditors_read_runs_but_may_not_start_them(runs: RunsServer) -> None:
    refused = runs.upload("ada", INBOX / CLEAN)
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("an auditor may not start runs (clerks, approvers and"
                                        " controllers may)")
    run = runs.upload("cleo", INBOX / CLEAN).json()["id"]
    runs.wait_idle()
    assert runs.client.get(f"/runs/{run}", headers=runs.auth("ada")).status_code == 200


# Limits and bad input ----------------------------------------------------------------
def test_bad_requests_get_precise_4xx_answers(runs: RunsServer, tmp_path: Path) -> None:
    post = runs.client.post
    auth = runs.auth("cleo")

    def detail(response: httpx.Response, status: int) -> str:
        assert response.status_code == status, response.text
        return str(response.json()["detail"])

    big = {"prompt": "x" * (64 * 1024)}
    assert "limit is 65536 bytes" in detail(post("/runs", headers=auth, json=big), 413)
    assert "not valid JSON" in detail(post("/runs", headers={
        **auth, "Content-Type": "application/json"}, content=b'{"prompt": '), 400)
    both = detail(post("/runs", headers=auth, json={"prompt": "p", "blueprint": "b",
                                                     "inputs": ["x"]}), 422)
    assert "exactly one of 'prompt' or 'blueprint'" in both
    assert "needs 'inputs'" in detail(post("/runs", headers=auth,
                                           json={"blueprint": "invoice"}), 422)
    assert "extra" in detail(post("/runs", headers=auth, json={"prompt": "p", "x": 1}), 422)
    unknown = detail(post("/runs", headers=auth, json={"blueprint": "nope",
                                                       "inputs": ["examples"]}), 422)
    assert "unknown blueprint 'nope'" in unknown
    assert "known: classify-and-archive, double-check, invoice" in unknown
    outside = detail(post("/runs", headers=auth, json={"blueprint": "invoice",
                                                       "inputs": ["/etc/passwd"]}), 422)
    assert "outside the allowed inbox roots" in outside
    assert detail(post("/runs", headers=auth, json={"blueprint": "../x.yaml",
                                                    "inputs": ["examples"]}), 422)
    assert "multipart/form-data" in detail(post("/runs", headers=auth, content=b"hi"), 415)

    def upload(name: str, data: bytes, **fields: str) -> httpx.Response:
        return post("/runs", headers=auth, data=fields, files={"document": (name, data)})

    assert "unsupported file type" in detail(upload("a.docx", b"PK\x03\x04 not a pdf"), 415)
    assert "the file is empty" in detail(upload("a.pdf", b""), 422)
    assert "emails go through a watched folder" in detail(upload("m.eml", b"From: x"), 415)
    assert "'document'" in detail(post("/runs", headers=auth, data={"blueprint": "invoice"},
                                       files={"other": ("a.pdf", b"%PDF-")}), 422)
    limit = runs.app.state.wardflow.settings.max_document_bytes
    assert str(limit) in detail(upload("big.pdf", b"%PDF-" + b"0" * limit), 413)

    assert "no run with thread id" in detail(runs.client.get("/runs/doc-0000", headers=auth), 404)
    assert detail(runs.client.get("/runs/doc-0000/events", headers=auth), 404)
    assert detail(post("/runs/doc-0000/resume", headers=auth, json={"decision": "reject"}), 404)
    assert detail(post("/runs/doc-0000/resume", headers=auth, json={"decision": "maybe"}),
                  422)


# Prompts and blueprints ----------------------------------------------------------------
def test_a_prompt_is_planned_and_run_on_the_working_folder(
    runs: RunsServer, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inbox").mkdir()
    for name in (CLEAN, OVER_LIMIT):
        shutil.copy(INBOX / name, tmp_path / "inbox" / name)
    started = runs.client.post("/runs", headers=runs.auth("cleo"), json={
        "prompt": "process the invoices in inbox and hold anything over 5,000 EUR"})
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["plan"]["action"] == "process" and body["plan"]["approval_limit"] == "5000"
    assert body["plan"]["steps"][0] == "process every document in inbox with the invoice workflow"
    assert "id" not in body
    clean, held = (document_id((INBOX / name).read_bytes()) for name in (CLEAN, OVER_LIMIT))
    assert sorted(run["id"] for run in body["runs"]) == sorted([clean, held])
    ends = {run["id"]: runs.events(run["id"])[-1] for run in body["runs"]}
    assert ends[clean][1]["status"] == "posted"
    assert ends[held][0] == "interrupt"
    assert [r["code"] for r in ends[held][1]["review"]["reasons"]] == ["over_approval_limit"]
    plans = [r for r in workspace.audit.records() if r.action == "planner.plan"]
    assert plans[-1].actor == "user:cleo"

    refused = runs.client.post("/runs", headers=runs.auth("cleo"), json={
        "prompt": "delete all invoices in inbox"})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("plan refused: wardflow does not pay, approve,")
    assert refused.json()["plan"]["refused"]
    outside = runs.client.post("/runs", headers=runs.auth("cleo"), json={
        "prompt": "process the invoices in ../.."})
    assert outside.status_code == 422
    assert "is outside the allowed inbox roots" in outside.json()["detail"]


def test_a_blueprint_runs_by_name_on_inputs_and_uploads(
    runs: RunsServer, workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inbox").mkdir()
    shutil.copy(INBOX / CLEAN, tmp_path / "inbox" / CLEAN)
    started = runs.client.post("/runs", headers=runs.auth("cleo"), json={
        "blueprint": "invoice.yaml", "inputs": [f"inbox/{CLEAN}"]})
    assert started.status_code == 202, started.text
    run = started.json()["id"]
    assert run == "invoice:" + document_id((INBOX / CLEAN).read_bytes())
    events = runs.events(run)
    assert [d["node"] for k, d in events if k == "node"] == ["ingest", "process_invoice"]
    assert events[-1] == ("done", {"status": "completed", "posting_id": None,
                                  "step_status": "process_invoice: posted"})
    status = runs.client.get(f"/runs/{run}", headers=runs.auth("cleo")).json()
    assert status["workflow"] == "invoice"
    assert status["outputs"]["process_invoice"]["posting"]["invoice_number"] == "NLS-INV-2026-0412"

    # An upload run by a blueprint with an approval step: paused, then decided.
    up = runs.upload("carla", INBOX / BANK, blueprint="double-check")
    assert up.status_code == 202, up.text
    run = up.json()["id"]
    kind, paused = runs.events(run)[-1]
    assert kind == "interrupt" and paused["status"] == "awaiting_approval"
    [approval] = paused["approvals"]
    assert approval["step"] == "sign_off" and approval["required_role"] == "approver"

    def resume(who: str, **body: Any) -> httpx.Response:
        return runs.client.post(f"/runs/{run}/resume", headers=runs.auth(who), json=body)

    own = resume("carla", decision="approve")
    assert own.status_code == 403 and "segregation-of-duties" in own.json()["detail"]
    assert "wrong-role" in resume("cleo", decision="approve").json()["detail"]
    # A refused decision leaves the approval pending under the same id (the refusal is
    # checked before the run resumes), so the next approver's id still works.
    [pending] = runs.client.get(f"/runs/{run}", headers=runs.auth("dan")).json()["pending"]
    assert pending["interrupt_id"] == approval["interrupt_id"]
    approved = resume("dan", decision="approve", interrupt_id=pending["interrupt_id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "completed"
    assert approved.json()["step_status"] == "archive: stored"
    assert approved.json()["outputs"]["sign_off"]["approved"] is True
    assert approved.json()["outputs"]["sign_off"]["by"] == "dan"
    assert resume("dan", decision="approve").status_code == 409


def test_a_queued_run_streams_its_state_and_heartbeats_until_it_moves(
    runs: RunsServer, workspace: Workspace
) -> None:
    data = (INBOX / CLEAN).read_bytes()
    lock = runs.app.state.wardflow.case_lock(document_id(data))
    lock.acquire()  # a decision on the same case is in progress: the run waits for it
    held = True  # by this test (once released, the run's job holds the lock while it runs)
    try:
        run = runs.upload("cleo", INBOX / CLEAN).json()["id"]
        seen: list[tuple[str, Any]] = []
        with runs.client.stream("GET", f"/runs/{run}/events?heartbeat=1",
                                headers=runs.auth("cleo")) as response:
            for item in _parse_sse(response.iter_lines()):
                seen.append(item)
                if item[0] == "comment" and held:
                    assert [k for k, _ in seen] == ["running", "comment"]
                    lock.release()
                    held = False
    finally:
        if held:
            lock.release()
    assert seen[0] == ("running", {"status": "running"})
    assert ("comment", "heartbeat") in seen
    assert seen[-1][0] == "done" and seen[-1][1]["status"] == "posted"
    assert len([k for k, _ in seen if k == "node"]) == 8


@pytest.mark.slow
def test_a_prompt_end_to_end_with_the_local_model(
    runs_settings: Settings, workspace: Workspace, clock: Callable[[], datetime],
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = runs_settings.model_copy(update={"model": Settings().model,
                                                "model_reads": "always"})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inbox").mkdir()
    shutil.copy(INBOX / BANK, tmp_path / "inbox" / BANK)
    store = TokenStore(settings.review_path)
    token, dan = (store.create(workspace.principals, name, name="e2e", expires_days=1,
                               by="admin", audit=workspace.audit)[0] for name in ("cleo", "dan"))
    store.close()
    app = create_app(settings, secret=SECRET,
                     workspace_factory=lambda: Workspace(settings, clock=clock))
    server, thread, port = start_server(app)
    auth = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            started = client.post("/runs", headers=auth, json={
                "prompt": "please process the invoices in inbox"})
            assert started.status_code == 202, started.text
            [run] = [r["id"] for r in started.json()["runs"]]
            with client.stream("GET", f"/runs/{run}/events", headers=auth) as response:
                events = list(_parse_sse(response.iter_lines()))
            kind, end = events[-1]
            assert kind == "interrupt", events
            status = client.get(f"/runs/{run}", headers=auth).json()
            assert status["llm_calls"] >= 1 and status["status"] == "awaiting_review"
            assert "bank_details_changed" in [r["code"] for r in end["review"]["reasons"]]
            approved = client.post(f"/runs/{run}/resume", headers={
                "Authorization": f"Bearer {dan}"}, json={
                "decision": "approve", "args_hash": end["review"]["args_hash"],
                "comment": "the vendor confirmed the new account"})
            assert approved.status_code == 200, approved.text
    finally:
        server.should_exit = True
        thread.join(timeout=60)
    assert _postings(workspace) == [("VDB-26-08841", "dan")]
