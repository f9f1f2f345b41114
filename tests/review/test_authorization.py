"""Who may decide: refusals leave the run paused, with the reason; nothing is posted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import INBOX
from wardflow.errors import ReviewError
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"  # 24,500.01 EUR: controller
BANK = "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"  # bank change: controller
ARITHMETIC = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"  # 2,314.55 EUR: approver
OCR = "2026-10-09_scan_elbufer-druckerei.png"


def _pause(ws: Workspace, name: str, submitted_by: str = "sam") -> str:
    [run] = list(ws.process([INBOX / name], submitted_by=submitted_by))
    assert run.waiting_for_review, run
    return run.thread_id


def _approve(ws: Workspace, thread: str, by: str) -> None:
    request = ws.pending(thread)
    ws.resume(thread, ReviewDecision(decision="approve", by=by, comment="checked",
                                     args_hash=request.proposed_action.args_hash))


@pytest.mark.parametrize(
    ("by", "reason"),
    [
        ("nobody", "unknown-reviewer"),
        ("ada", "wrong-role: an auditor cannot approve"),
        ("cleo", "wrong-role: a clerk cannot approve"),
        ("carla", "wrong-role: this case needs a controller"),
    ],
)
def test_wrong_principals_are_refused(workspace: Workspace, by: str, reason: str) -> None:
    thread = _pause(workspace, OVER_LIMIT)
    with pytest.raises(ReviewError, match=reason):
        _approve(workspace, thread, by)
    assert workspace.status(thread)[0].waiting_for_review
    assert workspace.erp.postings() == []
    # The attempt is on the record, with who tried and why it was refused.
    [refused] = [r for r in workspace.audit.records(thread) if r.action == "review.refused"]
    assert refused.payload["by"] == by and reason.split(":")[0] in refused.payload["reason"]
    assert refused.actor == f"user:{by}" and workspace.audit.verify().ok


def test_approver_within_limit_may_approve(workspace: Workspace) -> None:
    thread = _pause(workspace, ARITHMETIC)
    assert workspace.pending(thread).required_role == "approver"
    _approve(workspace, thread, "eve")  # 2,314.55 EUR is within eve's 5,000
    assert workspace.erp.postings()[0].approved_by == "eve"


def test_over_limit_approver_is_refused(workspace: Workspace) -> None:
    workspace.principals.add("tim", "approver", approval_limit=Decimal("1000"))
    thread = _pause(workspace, ARITHMETIC)
    with pytest.raises(ReviewError, match="over-limit: 2314.55 exceeds tim's limit of 1000"):
        _approve(workspace, thread, "tim")
    assert workspace.erp.postings() == []


def test_submitter_cannot_approve(workspace: Workspace) -> None:
    thread = _pause(workspace, BANK, submitted_by="dan")
    with pytest.raises(ReviewError, match="segregation-of-duties: dan submitted this case"):
        _approve(workspace, thread, "dan")


def test_stale_or_missing_hash_is_refused(workspace: Workspace) -> None:
    thread = _pause(workspace, BANK)
    with pytest.raises(ReviewError, match="stale-proposal"):
        workspace.resume(thread, ReviewDecision(decision="approve", by="dan", args_hash="f" * 64))
    with pytest.raises(ReviewError, match="no-hash"):
        workspace.resume(thread, ReviewDecision(decision="approve", by="dan"))


def test_refusal_inside_the_graph_is_audited_and_shown(workspace: Workspace) -> None:
    # A caller that bypasses Workspace.resume still meets the same rules in the graph.
    from langgraph.types import Command

    thread = _pause(workspace, BANK)
    config = {"configurable": {"thread_id": thread}}
    workspace.graph.invoke(Command(resume={"decision": "approve", "by": "cleo",
                                           "args_hash": "x"}), config)
    request = workspace.pending(thread)
    assert request.refused is not None and "clerk cannot approve" in request.refused
    refused = [r for r in workspace.audit.records(thread) if r.action == "review.refused"]
    assert refused and refused[0].payload["by"] == "cleo"
    assert workspace.erp.postings() == []


def test_double_decision_is_refused(workspace: Workspace) -> None:
    thread = _pause(workspace, BANK)
    _approve(workspace, thread, "dan")
    with pytest.raises(ReviewError, match="not waiting for review"):
        workspace.resume(thread, ReviewDecision(decision="reject", by="dan", comment="a copy"))
    assert len(workspace.erp.postings()) == 1


def test_correction_is_rechecked_and_needs_another_approver(workspace: Workspace) -> None:
    thread = _pause(workspace, OCR)
    before = workspace.pending(thread)
    assert before.fields["total"]["value"] == "1728.36"
    with pytest.raises(ReviewError, match="invalid correction: total: 'lots' is not an amount"):
        workspace.resume(thread, ReviewDecision(decision="correct", by="cleo",
                                                corrections={"total": "lots"}))
    workspace.resume(thread, ReviewDecision(decision="correct", by="cleo",
                                            corrections={"total": "1.800,00"}))
    after = workspace.pending(thread)
    assert after.fields["total"]["value"] == "1800.00"
    assert after.editors == ["cleo"]
    assert "reviewer_correction" in [r.code for r in after.reasons]
    assert "arithmetic" in [r.code for r in after.reasons]  # 1452.40 + 275.96 != 1800.00
    assert after.proposed_action.args_hash != before.proposed_action.args_hash
    # The editor may not approve; a stale approval of the old proposal is refused.
    with pytest.raises(ReviewError, match="segregation-of-duties: cleo edited this case"):
        workspace.principals.add("cleo", "controller")
        _approve(workspace, thread, "cleo")
    with pytest.raises(ReviewError, match="stale-proposal"):
        workspace.resume(thread, ReviewDecision(
            decision="approve", by="dan", args_hash=before.proposed_action.args_hash))
    _approve(workspace, thread, "dan")
    [posting] = workspace.erp.postings()
    assert str(posting.total) == "1800.00" and posting.approved_by == "dan"
    decisions = [r.payload["decision"] for r in workspace.audit.records(thread)
                 if r.action == "review.decision"]
    assert decisions == ["correct", "approve"]
