"""The kill switch stops new runs and parks running ones before their next side effect."""

from __future__ import annotations

import pytest

from tests.conftest import INBOX
from wardflow.errors import KillSwitchEngaged
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


def test_no_new_run_while_on(workspace: Workspace) -> None:
    workspace.engage_kill_switch("suspected fraud wave", by="dan")
    [run] = list(workspace.process([INBOX / CLEAN]))
    assert run.error is not None and "kill switch on for invoice (by dan)" in run.error
    assert workspace.erp.postings() == []
    assert not workspace.storage.list("incoming")
    assert workspace.threads() == []  # nothing started, nothing half done


def test_running_case_is_parked_before_posting_and_resumes_when_released(
    workspace: Workspace,
) -> None:
    [run] = list(workspace.process([INBOX / OVER_LIMIT]))
    request = workspace.pending(run.thread_id)
    workspace.engage_kill_switch("ERP maintenance", by="dan", workflow="invoice")
    with pytest.raises(KillSwitchEngaged, match="ERP maintenance"):
        workspace.resume(run.thread_id, ReviewDecision(
            decision="approve", by="dan", comment="within the budget",
            args_hash=request.proposed_action.args_hash))
    assert workspace.erp.postings() == []
    assert workspace.status(run.thread_id)[0].next == ["post_to_erp"]

    [resumed] = workspace.release_kill_switch(by="dan", workflow="invoice")
    assert resumed.status == "posted" and resumed.note == "resumed after the kill switch"
    assert [p.approved_by for p in workspace.erp.postings()] == ["dan"]
    actions = [r.action for r in workspace.audit.records()]
    assert "control.kill_switch_on" in actions and "control.kill_switch_off" in actions


def test_switch_for_another_workflow_does_not_stop_invoices(workspace: Workspace) -> None:
    workspace.engage_kill_switch("blueprint bug", by="dan", workflow="classify-and-archive")
    [run] = list(workspace.process([INBOX / CLEAN]))
    assert run.status == "posted"
