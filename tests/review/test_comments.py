"""A comment where policy demands one: which cases, set by settings, tightened only."""

from __future__ import annotations

import pytest

from tests.conftest import INBOX
from wardflow.agents.overrides import PolicyOverride, tighten
from wardflow.config import COMMENT_CONDITIONS, Settings
from wardflow.errors import PolicyError, ReviewError
from wardflow.graphs.blueprint import BlueprintError, parse_blueprint
from wardflow.review.payloads import ReviewDecision
from wardflow.review.status import case_status, comment_refusal
from wardflow.runtime.workspace import Workspace

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
INJECTION = "2026-11-05_sternberg-it_SIT-2026-0661.pdf"
BLUEPRINT = """\
name: strict-review
trigger: {event: document_uploaded, source: inbox}
comment_required_for: [{conditions}]
steps:
  - name: extract_and_post
    type: agent
    agent: invoice
"""


def _paused(ws: Workspace, name: str) -> str:
    [run] = list(ws.process([INBOX / name], submitted_by="sam"))
    assert run.waiting_for_review, run
    return run.thread_id


def _approve(ws: Workspace, thread: str, comment: str = "") -> str:
    shown = ws.pending(thread).proposed_action.args_hash
    return ws.resume(thread, ReviewDecision(decision="approve", by="dan", comment=comment,
                                            args_hash=shown)).status


def test_the_default_policy_asks_a_comment_for_all_three_conditions() -> None:
    assert Settings().comment_required_for == COMMENT_CONDITIONS
    assert Settings(comment_required_for="Over-Limit, flagged").comment_required_for == (
        "flagged", "over_limit")
    assert Settings(comment_required_for="none").comment_required_for == ()
    with pytest.raises(ValueError, match="comment_required_for"):
        Settings(comment_required_for="everything")


def test_an_over_limit_approval_needs_a_comment_unless_policy_drops_it(
    workspace: Workspace,
) -> None:
    thread = _paused(workspace, OVER_LIMIT)
    with pytest.raises(ReviewError, match="comment-required: a comment is required to approve"):
        _approve(workspace, thread)
    assert workspace.erp.postings() == []
    relaxed = workspace.settings.model_copy(update={"comment_required_for": ("flagged",)})
    with Workspace(relaxed) as ws:
        assert _approve(ws, thread) == "posted"


def test_the_graph_itself_refuses_a_decision_without_the_comment(workspace: Workspace) -> None:
    # Straight to the graph, past the workspace's early check: the review node refuses too.
    from langgraph.types import Command

    thread = _paused(workspace, INJECTION)
    shown = workspace.pending(thread).proposed_action.args_hash
    decision = ReviewDecision(decision="approve", by="carla", args_hash=shown)
    workspace.graph.invoke(Command(resume=decision.model_dump(mode="json")),
                           {"configurable": {"thread_id": thread}})
    assert workspace.status(thread)[0].waiting_for_review
    assert "comment-required" in str(workspace.pending(thread).refused)
    assert workspace.erp.postings() == []


def test_status_conditions_and_what_each_requires() -> None:
    guard = {"code": "prompt_injection", "detail": "x",
             "evidence": {"boundary": "document", "matches": []}}
    over = {"rule": "SOX-APPROVAL-LIMIT", "outcome": "needs_approval"}
    flagged = case_status([guard], {"score": 0.0}, {"findings": []}, risk_threshold=0.5)
    assert (flagged.level, flagged.conditions) == ("flagged", {"flagged"})
    limit = case_status([], {"score": 0.2}, {"findings": [over]}, risk_threshold=0.5)
    assert (limit.level, limit.conditions) == ("attention", {"over_limit"})
    risky = case_status([], {"score": 0.5, "reasons": [{"code": "duplicate"}]}, {},
                        risk_threshold=0.5)
    assert (risky.level, risky.conditions) == ("flagged", {"high_risk"})
    assert case_status([], {"score": 0.1}, {"findings": []}, risk_threshold=0.5).level == "clear"
    # Only the conditions the policy names need a comment; a correction never does.
    assert comment_refusal("approve", "", limit, ("flagged",)) is None
    assert "over_limit" in str(comment_refusal("reject", " ", limit, COMMENT_CONDITIONS))
    assert comment_refusal("approve", "checked", limit, COMMENT_CONDITIONS) is None
    assert comment_refusal("correct", "", flagged, COMMENT_CONDITIONS) is None


def test_a_blueprint_or_request_adds_conditions_and_never_removes_one() -> None:
    none = Settings(comment_required_for=())
    assert tighten(none, PolicyOverride(comment_required_for=("high-risk",)),
                   source="blueprint b").comment_required_for == ("high_risk",)
    # Naming fewer conditions than configured keeps the configured ones.
    full = Settings()
    assert tighten(full, PolicyOverride(comment_required_for=("flagged",)),
                   source="blueprint b").comment_required_for == COMMENT_CONDITIONS
    with pytest.raises(PolicyError, match="whenever"):
        tighten(full, PolicyOverride(comment_required_for=("whenever",)), source="blueprint b")
    blueprint = parse_blueprint(BLUEPRINT.replace("{conditions}", "over_limit"), none)
    assert blueprint.comment_required_for == ("over_limit",)
    with pytest.raises(BlueprintError, match="3: .*whenever"):
        parse_blueprint(BLUEPRINT.replace("{conditions}", "whenever"), none)
