"""``wardflow cancel THREAD --reason TEXT --as NAME``: controllers only, audited,
refuses a finished run with exit 4, and a cancelled run never posts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import EXAMPLES, INBOX
from tests.graphs.test_blueprints import FOUR_EYES, _contract
from wardflow.cli import app
from wardflow.errors import ReviewError
from wardflow.graphs.blueprint import parse_blueprint
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
ENV = {"WARDFLOW_MODEL": "none", "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500"}


def _cli(ws: Workspace, *args: str) -> Result:
    return CliRunner().invoke(app, ["--home", str(ws.settings.home), *args], env=ENV)


def test_a_controller_cancels_a_waiting_run_and_it_never_posts(workspace: Workspace) -> None:
    runs = {Path(r.document).name: r for r in workspace.process(
        [INBOX / CLEAN, INBOX / OVER_LIMIT], submitted_by="sam")}
    posted, waiting = runs[CLEAN].thread_id, runs[OVER_LIMIT].thread_id
    assert runs[OVER_LIMIT].status == "awaiting_review"

    clerk = _cli(workspace, "cancel", waiting, "--reason", "duplicate", "--as", "cleo")
    assert clerk.exit_code == 4
    assert "cleo is clerk: only a controller may cancel a run" in clerk.stderr
    stranger = _cli(workspace, "cancel", waiting, "--reason", "duplicate", "--as", "mallory")
    assert stranger.exit_code == 4 and "not an active principal" in stranger.stderr
    assert _cli(workspace, "cancel", waiting, "--reason", "  ", "--as", "dan").exit_code == 2
    assert _cli(workspace, "cancel", waiting, "--as", "dan").exit_code == 2  # no --reason
    assert not [r for r in workspace.audit.records(waiting) if r.action == "run.cancelled"]

    done = _cli(workspace, "cancel", waiting, "--reason", "vendor withdrew it", "--as", "dan")
    assert done.exit_code == 0, done.output
    assert f"{waiting}  cancelled (was awaiting_review) by dan: vendor withdrew it" in done.stdout
    [record] = [r for r in workspace.audit.records(waiting) if r.action == "run.cancelled"]
    assert record.actor == "user:dan"
    assert {k: record.payload[k] for k in ("by", "reason", "was", "via")} == {
        "by": "dan", "reason": "vendor withdrew it", "was": "awaiting_review", "via": "cli"}
    shown = json.loads(_cli(workspace, "status", waiting, "--json").stdout)
    assert shown["status"] == "cancelled"

    # Nothing is left to approve, and processing the document again does not run it.
    with pytest.raises(ReviewError, match="not waiting for review"):
        workspace.resume(waiting, ReviewDecision(decision="approve", by="dan",
                                                 comment="post it anyway"))
    [again] = workspace.process([INBOX / OVER_LIMIT], submitted_by="sam")
    assert again.status == "cancelled"
    assert [p.invoice_number for p in workspace.erp.postings()] == ["NLS-INV-2026-0412"]

    # A second cancel, or a cancel of a posted run, is refused with the typed error's
    # message and changes nothing.
    twice = _cli(workspace, "cancel", waiting, "--reason", "again", "--as", "dan")
    assert twice.exit_code == 4
    assert "the run is already cancelled (status cancelled)" in twice.stderr
    finished = _cli(workspace, "cancel", posted, "--reason", "too late", "--as", "dan")
    assert finished.exit_code == 4
    assert "the run has finished (status posted)" in finished.stderr
    assert len([r for r in workspace.audit.records() if r.action == "run.cancelled"]) == 1
    missing = _cli(workspace, "cancel", "doc-0000000000000000", "--reason", "x", "--as", "dan")
    assert missing.exit_code == 1 and "no run with thread id" in missing.stderr


def test_a_blueprint_run_is_cancelled_with_its_file(workspace: Workspace,
                                                    tmp_path: Path) -> None:
    file = tmp_path / "four-eyes.yaml"
    file.write_text(FOUR_EYES)
    blueprint = parse_blueprint(FOUR_EYES, workspace.settings)
    [run] = workspace.run_blueprint(blueprint, [_contract(tmp_path)], submitted_by="sam")
    thread = run["thread_id"]

    unknown = _cli(workspace, "cancel", thread, "--reason", "withdrawn", "--as", "dan")
    assert unknown.exit_code == 2 and "--blueprint FILE" in unknown.stderr
    other = tmp_path / "other.yaml"
    other.write_text((EXAMPLES / "blueprints" / "classify-and-archive.yaml").read_text())
    wrong = _cli(workspace, "cancel", thread, "--reason", "withdrawn", "--as", "dan",
                 "--blueprint", str(other))
    assert wrong.exit_code == 2 and "not 'four-eyes'" in wrong.stderr

    done = _cli(workspace, "cancel", thread, "--reason", "withdrawn", "--as", "dan",
                "--blueprint", str(file), "--json")
    assert done.exit_code == 0, done.output
    body = json.loads(done.stdout)
    assert body["status"] == "cancelled" and body["cancelled"]["was"] == "awaiting_approval"
    assert workspace.pending_approvals(blueprint, thread) == {}
    assert workspace.blueprint_status(blueprint, thread)["status"] == "cancelled"
