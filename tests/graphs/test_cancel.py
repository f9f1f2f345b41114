"""Cancelling a blueprint run that waits for approvals: nothing is left to approve."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.graphs.test_blueprints import FOUR_EYES, _contract
from wardflow.errors import ReviewError, RunStateError
from wardflow.graphs.blueprint import load_blueprint
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace


def test_a_cancelled_blueprint_run_cannot_be_approved(workspace: Workspace,
                                                      tmp_path: Path) -> None:
    file = tmp_path / "four-eyes.yaml"
    file.write_text(FOUR_EYES)
    blueprint = load_blueprint(file, workspace.settings)
    [run] = workspace.run_blueprint(blueprint, [_contract(tmp_path)], submitted_by="sam")
    thread = run["thread_id"]
    assert run["status"] == "awaiting_approval"

    record = workspace.cancel(thread, by="dan", reason="contract withdrawn", blueprint=blueprint)
    assert record["was"] == "awaiting_approval" and record["by"] == "dan"
    assert workspace.pending_approvals(blueprint, thread) == {}
    with pytest.raises(ReviewError, match="not waiting for an approval"):
        workspace.decide_blueprint(blueprint, thread, ReviewDecision(decision="approve",
                                                                     by="carla"))
    with pytest.raises(RunStateError, match="already cancelled"):
        workspace.cancel(thread, by="dan", reason="again", blueprint=blueprint)
    [audited] = [r for r in workspace.audit.records(thread) if r.action == "run.cancelled"]
    assert audited.payload["reason"] == "contract withdrawn"
