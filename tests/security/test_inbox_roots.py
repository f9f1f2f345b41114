"""Prompts and API runs reach only inboxes; files that are not documents are never
served (issue 14, finding 2)."""

from __future__ import annotations

import json
import shutil
import stat
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import INBOX
from tests.web.conftest import PASSWORDS
from wardflow.agents.planner import plan_request
from wardflow.config import Settings
from wardflow.runtime.workspace import Workspace
from wardflow.tools.inbox import document_id
from wardflow.web import CredentialStore

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
SECRET = b"WARDFLOW_ENCRYPTION_KEY=c2VjcmV0LWtleS1vZi10aGUtc2VydmVy\n"
ROOTS = "outside the allowed inbox roots (inbox, examples)"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The server's working folder: an inbox, a secret next to it, and a link out."""
    folder = tmp_path / "work"
    (folder / "inbox").mkdir(parents=True)
    shutil.copy(INBOX / CLEAN, folder / "inbox" / CLEAN)
    (folder / ".env").write_bytes(SECRET)
    (folder / "linked").mkdir()
    (folder / "linked" / "env").symlink_to(folder / ".env")
    monkeypatch.chdir(folder)
    return folder


def _plan(prompt: str, work: Path) -> object:
    return plan_request(prompt, workdir=work, default_currency="EUR")


@pytest.mark.parametrize("prompt", [
    "process the files in .env",
    "process .env",  # not a phrasing the rules know: still named for what it is
    "process the invoices in ../work/.env",
    "process the files in linked/env",
    "read the documents in /etc",
])
def test_planner_refuses_paths_outside_the_inbox_roots(work: Path, prompt: str) -> None:
    plan = _plan(prompt, work)
    assert plan.action is None and ROOTS in (plan.refused or ""), plan


def test_planner_resolves_symlinks_inside_an_inbox(work: Path) -> None:
    assert _plan("process the invoices in inbox", work).action == "process"
    (work / "inbox" / "innocent.pdf").symlink_to(work / ".env")
    plan = _plan("process the invoices in inbox", work)
    assert plan.action is None
    assert plan.refused is not None and plan.refused.startswith("'inbox/innocent.pdf' is " + ROOTS)


def test_inbox_roots_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    assert Settings().inbox_roots == (Path("inbox"), Path("examples"))
    monkeypatch.setenv("WARDFLOW_INBOX_ROOTS", "/srv/invoices, mail")
    assert Settings().inbox_roots == (Path("/srv/invoices"), Path("mail"))
    monkeypatch.setenv("WARDFLOW_INBOX_ROOTS", '["/srv/a"]')
    assert Settings().inbox_root_paths(tmp_path) == (Path("/srv/a").resolve(),)


# The API -------------------------------------------------------------------------------
@pytest.mark.parametrize("prompt", [
    "process the files in .env",
    "process the files in .wardflow/review.sqlite",
    "process the files in linked/env",
])
def test_api_prompt_outside_the_inbox_roots_is_refused_before_anything_is_stored(
    client: httpx.Client, workspace: Workspace, work: Path, prompt: str
) -> None:
    # A data home in the working folder, as `wardflow serve` makes by default.
    (work / ".wardflow").mkdir()
    shutil.copy(workspace.settings.review_path, work / ".wardflow" / "review.sqlite")

    response = client.post("/runs", json={"prompt": prompt})

    assert response.status_code == 422, response.text
    assert ROOTS in response.json()["detail"]
    assert workspace.threads() == [] and workspace.storage.list() == []
    refused = [r for r in workspace.audit.records() if r.action == "planner.refused"]
    assert len(refused) == 1 and ROOTS in refused[0].payload["refused"]


def test_api_blueprint_inputs_outside_the_inbox_roots_are_refused(
    client: httpx.Client, workspace: Workspace, work: Path, tmp_path: Path
) -> None:
    blueprints = tmp_path / "home" / "blueprints"
    blueprints.mkdir(parents=True)
    shutil.copy(INBOX.parent / "blueprints" / "invoice.yaml", blueprints / "invoice.yaml")
    for raw in (".env", "linked/env", str(work / ".env"), "inbox/../.env"):
        response = client.post("/runs", json={"blueprint": "invoice", "inputs": [raw]})
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == (
            f"input {raw!r} is {ROOTS}; put the documents in an inbox root or ask an"
            " administrator to add one (WARDFLOW_INBOX_ROOTS)")
    assert workspace.threads() == [] and workspace.storage.list() == []
    assert len([r for r in workspace.audit.records() if r.action == "policy.refused"]) == 4
    started = client.post("/runs", json={"blueprint": "invoice", "inputs": ["inbox"]})
    assert started.status_code == 202, started.text


def test_a_file_that_is_not_a_document_is_kept_for_operators_only(
    client: httpx.Client, workspace: Workspace, work: Path
) -> None:
    (work / "inbox" / "notes.txt").write_bytes(SECRET)
    thread = document_id(SECRET)

    started = client.post("/runs", json={"prompt": "process the files in inbox/notes.txt"})
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 60
    while (status := client.get(f"/runs/{thread}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)

    assert status["status"] == "failed" and "unsupported file type" in status["error"]
    # The review API and the page renderer have nothing to serve, not even to a
    # controller, who may open originals (a clerk never may: 403).
    credentials = CredentialStore(workspace.settings.review_path)
    credentials.set_password(workspace.principals, "dan", PASSWORDS["dan"])
    credentials.close()
    login = client.post("/api/login", json={"principal": "dan", "password": PASSWORDS["dan"]})
    dan = {"Authorization": f"Bearer {login.json()['token']}"}
    assert client.get(f"/api/cases/{thread}/document", headers=dan).status_code == 404
    assert client.get(f"/api/cases/{thread}/pages/1", headers=dan).status_code == 404
    stored = workspace.storage.list()
    assert stored == [f"failed/{thread}/reason.json"]
    reason = json.loads(workspace.storage.get(stored[0]))
    assert reason["error"]["reason"] == "unsupported_type" and reason["stored_as"] is None
    assert reason["sha256"] == workspace.state(thread).values["document"]["sha256"]
    # The bytes are kept where only the operator's account can read them.
    kept = workspace.settings.home / reason["quarantined_as"]
    assert kept.read_bytes() == SECRET
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(("prompt", "reason"), [
    ("process the files in inbox/" + "a" * 300, "the path is longer than 200 characters"),
    ("process the invoices in inbox over " + "9" * 40 + " EUR", "not a sensible approval"),
    ("process ./" + "b" * 300, ROOTS),
])
def test_planner_refuses_overlong_paths_and_amounts(work: Path, prompt: str,
                                                    reason: str) -> None:
    plan = _plan(prompt, work)
    assert plan.action is None and reason in (plan.refused or ""), plan
