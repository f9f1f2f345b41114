"""The public Python API raises typed errors (issue 17, item 5): a refused decision is a
:class:`DecisionRefused` with its rule, an action on a run in the wrong state a
:class:`RunStateError`; the run is left as it was."""

from __future__ import annotations

import pytest

from tests.conftest import INBOX
from wardflow.errors import DecisionRefused, ReviewError, RunStateError, WardflowError
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


@pytest.mark.parametrize(("by", "args_hash", "rule"), [
    ("carla", None, "wrong-role"),          # an approver; the case needs a controller
    ("sam", None, "segregation-of-duties"),  # the submitter
    ("dan", "0" * 64, "stale-proposal"),
    ("nobody", None, "unknown-reviewer"),
])
def test_a_refused_decision_raises_with_its_rule_and_the_run_stays_paused(
    workspace: Workspace, by: str, args_hash: str | None, rule: str
) -> None:
    workspace.principals.add("sam", "controller")
    [run] = workspace.process([INBOX / OVER_LIMIT], submitted_by="sam")
    shown = workspace.pending(run.thread_id).proposed_action.args_hash
    with pytest.raises(DecisionRefused) as refused:
        workspace.resume(run.thread_id, ReviewDecision(
            decision="approve", by=by, args_hash=args_hash or shown))
    assert refused.value.rule == rule and refused.value.by == by
    assert refused.value.thread_id == run.thread_id and rule in refused.value.reason
    assert isinstance(refused.value, ReviewError) and isinstance(refused.value, WardflowError)
    assert workspace.status(run.thread_id)[0].status == "awaiting_review"
    assert workspace.erp.postings() == []


def test_retrying_a_run_that_is_not_dead_lettered_raises_run_state_error(
    workspace: Workspace
) -> None:
    [run] = workspace.process([INBOX / OVER_LIMIT], submitted_by="sam")
    with pytest.raises(RunStateError) as wrong:
        workspace.retry(run.thread_id)
    assert wrong.value.status == "awaiting_review"
    assert [r for r in workspace.audit.records(run.thread_id) if r.action == "run.retried"] == []
