"""Deadlines: reminders before, escalation to the next role after; each recorded once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import INBOX, NOW
from wardflow.errors import ReviewError
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

ARITHMETIC = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"  # needs an approver


def test_reminder_then_escalation(workspace: Workspace) -> None:
    [run] = list(workspace.process([INBOX / ARITHMETIC], submitted_by="sam"))
    thread = run.thread_id
    assert workspace.sweep(NOW) == []  # due in 48 h: nothing yet

    [reminder] = workspace.sweep(NOW + timedelta(hours=30))
    assert reminder["kind"] == "reminder" and reminder["role"] == "approver"
    assert workspace.sweep(NOW + timedelta(hours=31)) == []  # reminded once

    [escalation] = workspace.sweep(NOW + timedelta(hours=49))
    assert escalation["kind"] == "escalation" and escalation["role"] == "controller"
    assert workspace.sweep(NOW + timedelta(hours=50)) == []
    assert workspace.pending(thread).required_role == "controller"
    actions = [r.action for r in workspace.audit.records(thread)]
    assert "review.reminder" in actions and "review.escalated" not in actions
    assert "review.escalation" in actions

    request = workspace.pending(thread)
    with pytest.raises(ReviewError, match="needs a controller"):
        workspace.resume(thread, ReviewDecision(decision="approve", by="eve",
                                                args_hash=request.proposed_action.args_hash))
    workspace.resume(thread, ReviewDecision(decision="approve", by="dan",
                                            args_hash=request.proposed_action.args_hash))
    assert workspace.erp.postings()[0].approved_by == "dan"
