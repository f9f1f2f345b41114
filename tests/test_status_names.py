"""One set of status names everywhere (issue 17, item 5): every run, invoice or
blueprint, in every state it can reach, shows the same name of
:data:`wardflow.status.RUN_STATUSES` in the CLI, the runs API, the operators' runs API
and the audit dashboard's API (which the pages draw); a checkpoint written before the
vocabulary still shows a sensible one."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, INBOX
from tests.web.conftest import BANK, CLEAN, COPY, PASSWORDS, SECRET, start_server
from wardflow.cli import app
from wardflow.errors import KillSwitchEngaged
from wardflow.graphs.blueprint import load_blueprint
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace
from wardflow.status import RUN_STATUSES, as_run_status, blueprint_status, step_status
from wardflow.web import CredentialStore, create_app

EXAMPLE = EXAMPLES / "blueprints" / "classify-and-archive.yaml"
CLI_ENV = {"WARDFLOW_MODEL": "none", "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500"}


def _contract(folder: Path, text: str) -> Path:
    """A document the blueprint cannot classify with confidence: an approval is asked."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, f"Service agreement between the parties. {text} An invoice follows.")
    path = folder / f"{text.split()[0].lower()}.pdf"
    pdf.output(str(path))
    return path


def _expected_runs(ws: Workspace, tmp_path: Path) -> dict[str, str]:
    """Runs in every state an invoice run and a blueprint run can reach, by thread id."""
    expected: dict[str, str] = {}
    runs = {Path(r.document).name: r for r in ws.process(
        [INBOX / CLEAN, INBOX / COPY, INBOX / BANK], submitted_by="sam")}
    expected[runs[CLEAN].thread_id] = "posted"
    expected[runs[COPY].thread_id] = "rejected"
    ws.resume(runs[COPY].thread_id, ReviewDecision(decision="reject", by="carla",
                                                   comment="a copy of one already posted"))
    expected[runs[BANK].thread_id] = "cancelled"
    ws.cancel(runs[BANK].thread_id, by="dan", reason="vendor asked to hold it")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\nnot really a pdf\n")
    [failed] = ws.process([broken], submitted_by="sam")
    expected[failed.thread_id] = "failed"
    waiting = next(ws.process([INBOX / "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"],
                              submitted_by="sam"))
    expected[waiting.thread_id] = "awaiting_review"

    blueprints = ws.settings.blueprints_path
    blueprints.mkdir(parents=True, exist_ok=True)
    shutil.copy(EXAMPLE, blueprints / EXAMPLE.name)
    blueprint = load_blueprint(blueprints / EXAMPLE.name, ws.settings)
    docs = tmp_path / "contracts"
    docs.mkdir()
    done, asked, rejected, cancelled, stopped = ws.run_blueprint(blueprint, [
        INBOX / CLEAN, *(_contract(docs, t) for t in (
            "Alpha terms.", "Bravo terms.", "Charlie terms.", "Delta terms."))],
        submitted_by="sam")
    expected[done["thread_id"]] = "completed"
    expected[asked["thread_id"]] = "awaiting_approval"
    ws.decide_blueprint(blueprint, rejected["thread_id"],
                        ReviewDecision(decision="reject", by="carla", comment="not ours"))
    expected[rejected["thread_id"]] = "rejected"
    ws.cancel(cancelled["thread_id"], by="dan", reason="withdrawn", blueprint=blueprint)
    expected[cancelled["thread_id"]] = "cancelled"
    # Approved while the kill switch is on: stopped before its archive step.
    ws.engage_kill_switch("incident", by="dan", workflow=blueprint.name)
    with pytest.raises(KillSwitchEngaged):
        ws.decide_blueprint(blueprint, stopped["thread_id"],
                            ReviewDecision(decision="approve", by="carla"))
    ws.release_kill_switch(by="dan", workflow=blueprint.name)
    expected[stopped["thread_id"]] = "interrupted"
    return expected


def test_every_surface_shows_the_same_name_of_the_vocabulary(
    workspace: Workspace, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    expected = _expected_runs(workspace, tmp_path)
    home = workspace.settings.home
    assert set(expected.values()) == {"posted", "rejected", "cancelled", "failed",
                                      "awaiting_review", "completed", "awaiting_approval",
                                      "interrupted"}
    credentials = CredentialStore(workspace.settings.review_path)
    for name, password in PASSWORDS.items():
        credentials.set_password(workspace.principals, name, password)
    credentials.close()

    shown: dict[str, dict[str, str]] = {thread: {} for thread in expected}
    # The CLI: `wardflow status` (every run), and `blueprint status` (a blueprint's run).
    runner = CliRunner()
    listed = runner.invoke(app, ["--home", str(home), "status", "--json"], env=CLI_ENV)
    assert listed.exit_code == 0, listed.output
    for run in json.loads(listed.stdout):
        shown[run["thread_id"]]["cli status"] = run["status"]
    for thread in (t for t in expected if ":" in t):
        one = runner.invoke(app, ["--home", str(home), "blueprint", "status",
                                  str(workspace.settings.blueprints_path / EXAMPLE.name),
                                  thread, "--json"], env=CLI_ENV)
        assert one.exit_code == 0, one.output
        shown[thread]["cli blueprint status"] = json.loads(one.stdout)["status"]

    # The APIs behind the runs page, the dashboard and the review app.
    server, serving, port = start_server(create_app(
        workspace.settings, workspace_factory=lambda: Workspace(workspace.settings, clock=clock),
        secret=SECRET))
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            token = client.post("/api/login", json={"principal": "dan",
                                                    "password": PASSWORDS["dan"]}).json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            page = client.get("/api/runs", params={"per_page": 200}, headers=auth).json()
            for run in page["runs"]:
                shown[run["thread_id"]]["runs page list"] = run["status"]
            names: set[str] = set(page["counts"]) | set(page["states"])
            board = client.get("/api/audit/runs", headers=auth).json()
            for run in board["runs"]:
                shown[run["thread_id"]]["dashboard"] = run["status"]
            names |= set(board["counts"]) | set(board["statuses"])
            for thread in expected:
                detail = client.get(f"/api/runs/{thread}", headers=auth)
                assert detail.status_code == 200, detail.text
                shown[thread]["runs page run"] = detail.json()["run"]["status"]
                described = client.get(f"/runs/{thread}", headers=auth)
                assert described.status_code == 200, described.text
                shown[thread]["runs api"] = described.json()["status"]
    finally:
        server.should_exit = True
        serving.join(timeout=30)

    assert names <= set(RUN_STATUSES), names - set(RUN_STATUSES)
    surfaces = {"cli status", "runs page list", "dashboard", "runs page run", "runs api"}
    for thread, state in expected.items():
        wanted = surfaces | ({"cli blueprint status"} if ":" in thread else set())
        assert shown[thread] == dict.fromkeys(wanted, state), (thread, shown[thread])


def test_a_blueprint_run_says_what_its_last_step_did_apart_from_its_status(
    workspace: Workspace, tmp_path: Path
) -> None:
    blueprint = load_blueprint(EXAMPLE, workspace.settings)
    [done] = workspace.run_blueprint(blueprint, [INBOX / CLEAN])
    assert (done["status"], done["step_status"]) == ("completed", "archive: stored")
    [summary] = workspace.status(done["thread_id"])
    assert (summary.status, summary.step_status) == ("completed", "archive: stored")

    out = CliRunner().invoke(app, ["--home", str(workspace.settings.home), "blueprint", "run",
                                   str(EXAMPLE), str(INBOX / CLEAN)], env=CLI_ENV)
    assert out.exit_code == 0, out.output
    assert f"{done['thread_id']}  completed (archive: stored)" in out.stdout
    explained = CliRunner().invoke(app, ["--home", str(workspace.settings.home), "explain",
                                         done["thread_id"], "--json"], env=CLI_ENV)
    assert explained.exit_code == 0, explained.output
    [progress] = [c for c in json.loads(explained.stdout)["claims"]
                  if c["decision"] == "progress"]
    assert progress["text"] == "Its last step: archive: stored."
    assert progress["evidence"] == [{"kind": "state", "path": "step_status",
                                     "value": "archive: stored"}]


def test_a_checkpoint_from_before_the_vocabulary_shows_a_sensible_status(
    workspace: Workspace, tmp_path: Path
) -> None:
    blueprint = load_blueprint(EXAMPLE, workspace.settings)
    [done] = workspace.run_blueprint(blueprint, [INBOX / CLEAN])
    thread = done["thread_id"]
    # What a blueprint run wrote before step_status existed.
    graph = workspace.blueprint_graph(blueprint)
    graph.update_state({"configurable": {"thread_id": thread}},
                       {"status": "archive: stored", "step_status": ""}, as_node="archive")
    assert graph.get_state({"configurable": {"thread_id": thread}}).values["status"] == (
        "archive: stored")
    [summary] = workspace.status(thread)
    assert (summary.status, summary.step_status) == ("completed", "archive: stored")
    result = workspace.blueprint_status(blueprint, thread)
    assert (result["status"], result["step_status"]) == ("completed", "archive: stored")
    from wardflow.agents.explain import explain_run

    claims = explain_run(workspace.run_values(thread), []).claims
    assert [c.text for c in claims if c.decision == "progress"] == [
        "Its last step: archive: stored."]


@pytest.mark.parametrize(("old", "status"), [
    ("archive: stored", "completed"), ("human_review: approved", "completed"),
    ("process_invoice: posted", "completed"), ("process_invoice: failed", "failed"),
    ("rejected", "rejected"), ("awaiting_review", "awaiting_review"), ("routed", "routed"),
    (None, "unknown"), ("something else", "unknown"), (3, "unknown"),
])
def test_legacy_values_map_in_one_place(old: Any, status: str) -> None:
    assert as_run_status(old) == status
    assert as_run_status(old) in RUN_STATUSES


def test_a_blueprint_state_reads_as_one_name() -> None:
    assert blueprint_status({"status": "running"}, waiting=True) == "awaiting_approval"
    assert blueprint_status({"status": "running"}, waiting=False) == "interrupted"
    assert blueprint_status({"status": "completed"}, waiting=False, stopped=True) == (
        "interrupted")
    assert blueprint_status({"status": "rejected", "cancelled": {"by": "dan"}},
                            waiting=False) == "cancelled"
    assert blueprint_status({"status": "archive: stored"}, waiting=False) == "completed"
    assert step_status({"status": "archive: stored"}) == "archive: stored"
    assert step_status({"status": "completed", "step_status": "archive: stored"}) == (
        "archive: stored")
    assert step_status({"status": "posted"}) is None
