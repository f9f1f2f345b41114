"""The invoice reference graph end to end, on real SQLite, real files, real PDFs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langgraph.types import Command

from tests.conftest import EXAMPLES, INBOX, NOW
from wardflow import ReviewDecision, ReviewRequest, build_invoice_graph
from wardflow.config import Settings
from wardflow.errors import ReviewError, RunNotFound
from wardflow.observability.audit import AuditLog
from wardflow.review.principals import PrincipalStore
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import SqliteErp, load_master
from wardflow.tools.storage import LocalStorage

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
COPY = "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
INJECTED = "2026-11-05_sternberg-it_SIT-2026-0661.pdf"
ARITHMETIC = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"


def _run(ws: Workspace, name: str) -> Any:
    [summary] = list(ws.process([INBOX / name]))
    return summary


def test_clean_invoice_is_posted_archived_and_audited(workspace: Workspace) -> None:
    summary = _run(workspace, CLEAN)

    assert summary.status == "posted"
    assert summary.route == "post" and summary.reasons == []
    [posting] = workspace.erp.postings()
    assert posting.invoice_number == "NLS-INV-2026-0412"
    assert str(posting.total) == "2146.76"
    assert posting.approved_by == "auto:policy-v1"
    state = workspace.state(summary.thread_id).values
    assert workspace.storage.exists(state["archive_key"])
    assert state["archive_key"].startswith("archive/posted/")
    assert not workspace.storage.list("incoming")
    actions = [r.action for r in workspace.audit.records(summary.thread_id)]
    # The process's start-up is recorded before the run's first step, on its own.
    assert actions[0] == "run.startup" and actions[1] == "tool.storage_put"
    assert "node.ingest" in actions
    assert "tool.erp_post_invoice" in actions and actions[-1] == "node.archive"
    assert workspace.audit.verify().ok


def test_node_records_name_the_document_text_by_digest(workspace: Workspace) -> None:
    from wardflow.observability.audit import digest

    summary = _run(workspace, CLEAN)
    state = workspace.state(summary.thread_id).values
    payloads = {r.action: r.payload for r in workspace.audit.records(summary.thread_id)}
    for action, key in (("node.ingest", "text"), ("node.guard", "guard_text")):
        assert payloads[action][key] == {
            "sha256": digest(state[key]),
            "chars": len(state[key])}, action


def test_fields_carry_evidence_spans_into_the_text(workspace: Workspace) -> None:
    summary = _run(workspace, CLEAN)
    state = workspace.state(summary.thread_id).values
    for name, field in state["extraction"]["fields"].items():
        evidence = field["evidence"]
        if field["value"] is None or evidence is None:
            continue
        assert state["text"][evidence["start"]:evidence["end"]] == evidence["text"], name
        assert evidence["page"] == 1


def test_over_limit_invoice_pauses_with_a_typed_review_request(workspace: Workspace) -> None:
    summary = _run(workspace, OVER_LIMIT)

    assert summary.status == "awaiting_review" and summary.waiting_for_review
    [pending] = workspace.state(summary.thread_id).interrupts
    request = ReviewRequest.model_validate(pending.value)
    assert request.thread_id == summary.thread_id
    assert [r.code for r in request.reasons] == ["over_approval_limit"]
    assert request.required_role == "controller"
    assert request.allowed_decisions == ["approve", "reject", "correct"]
    assert request.proposed_action.args is not None
    assert request.proposed_action.args["total"] == "24500.01"
    assert request.deadline == "2026-11-27T12:00:00+00:00"
    assert workspace.erp.postings() == []
    # The paused run's steps are already in the audit log, each once.
    nodes = [r.action for r in workspace.audit.records(summary.thread_id)
             if r.action.startswith("node.")]
    assert nodes == ["node.ingest", "node.guard", "node.extract", "node.risk",
                     "node.compliance", "node.route"]


def test_approval_posts_once_with_the_reviewer_recorded(workspace: Workspace) -> None:
    thread = _run(workspace, OVER_LIMIT).thread_id
    request = ReviewRequest.model_validate(workspace.state(thread).interrupts[0].value)

    summary = workspace.resume(
        thread, ReviewDecision(decision="approve", by="dan", comment="budget ok",
                               args_hash=request.proposed_action.args_hash)
    )

    assert summary.status == "posted"
    [posting] = workspace.erp.postings()
    assert posting.approved_by == "dan"
    decisions = [r for r in workspace.audit.records(thread) if r.action == "review.decision"]
    assert len(decisions) == 1
    assert decisions[0].actor == "user:dan"
    assert decisions[0].payload["comment"] == "budget ok"
    with pytest.raises(ReviewError, match="not waiting for review"):
        workspace.resume(thread, ReviewDecision(decision="approve", by="dan",
                                                args_hash=request.proposed_action.args_hash))
    assert len(workspace.erp.postings()) == 1


def test_rejection_archives_without_posting(workspace: Workspace) -> None:
    thread = _run(workspace, INJECTED).thread_id

    summary = workspace.resume(thread, ReviewDecision(decision="reject", by="dan",
                                                      comment="injected instructions"))

    assert summary.status == "rejected"
    assert workspace.erp.postings() == []
    key = workspace.state(thread).values["archive_key"]
    assert key.startswith("archive/rejected/") and workspace.storage.exists(key)


def test_approval_for_a_different_proposal_is_refused_and_run_stays_paused(
    workspace: Workspace,
) -> None:
    thread = _run(workspace, OVER_LIMIT).thread_id

    with pytest.raises(ReviewError, match="proposed action changed"):
        workspace.resume(thread, ReviewDecision(decision="approve", by="dan", args_hash="0" * 64))

    assert workspace.status(thread)[0].status == "awaiting_review"
    assert workspace.erp.postings() == []


def test_hidden_instruction_is_flagged_not_obeyed(workspace: Workspace) -> None:
    summary = _run(workspace, INJECTED)

    assert summary.status == "awaiting_review"
    assert "prompt_injection" in summary.reasons
    guard = workspace.state(summary.thread_id).values["guard"]
    assert guard[0]["outcome"] == "flagged"
    assert any("ignore" in e["text"].lower() for e in guard[0]["evidence"])


def test_arithmetic_that_does_not_add_up_goes_to_review(workspace: Workspace) -> None:
    summary = _run(workspace, ARITHMETIC)
    assert summary.status == "awaiting_review"
    assert "arithmetic" in summary.reasons
    # the failed check caps the total at 0.5 (raw); calibrated, still under the threshold
    assert summary.confidence is not None
    assert summary.confidence < workspace.settings.review_threshold


def test_resent_copy_is_caught_as_a_duplicate(workspace: Workspace) -> None:
    assert _run(workspace, CLEAN).status == "posted"
    copy = _run(workspace, COPY)
    assert copy.status == "awaiting_review"
    assert "duplicate_invoice_number" in copy.reasons
    assert len(workspace.erp.postings()) == 1


def test_processing_the_same_file_twice_does_not_run_it_twice(workspace: Workspace) -> None:
    first = _run(workspace, CLEAN)
    second = _run(workspace, CLEAN)
    assert first.thread_id == second.thread_id
    assert second.note == "already processed"
    assert len(workspace.erp.postings()) == 1


def test_unknown_thread_is_a_clear_error(workspace: Workspace) -> None:
    with pytest.raises(RunNotFound, match="wardflow status"):
        workspace.status("doc-does-not-exist")


def test_python_api_invoke_state_resume_and_stream(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    erp = SqliteErp(settings.erp_path)
    erp.import_master(load_master(EXAMPLES / "erp.json"))
    principals = PrincipalStore(":memory:")
    principals.add("api-user", "controller")
    graph = build_invoice_graph(settings, erp=erp, clock=lambda: NOW, principals=principals)
    config = {"configurable": {"thread_id": "api-1"}}

    events = list(graph.stream(
        {"path": str(INBOX / OVER_LIMIT), "name": OVER_LIMIT}, config, stream_mode="updates"
    ))

    nodes = [next(iter(e)) for e in events]
    assert nodes[:6] == ["ingest", "guard", "extract", "risk", "compliance", "route"]
    assert nodes[-1] == "__interrupt__"
    state = graph.get_state(config)
    assert state.next == ("review",)
    request = ReviewRequest.model_validate(state.interrupts[0].value)
    decision = ReviewDecision(decision="approve", by="api-user", comment="ordered and delivered",
                              args_hash=request.proposed_action.args_hash)
    result = graph.invoke(Command(resume=decision.model_dump()), config)
    assert result["status"] == "posted"
    assert result["posting"]["approved_by"] == "api-user"
    assert len(erp.postings()) == 1


def test_graph_wires_collaborators_passed_in(tmp_path: Path) -> None:
    erp = SqliteErp(":memory:")
    erp.import_master(load_master(EXAMPLES / "erp.json"))
    storage = LocalStorage(tmp_path / "elsewhere")
    audit = AuditLog(":memory:")
    graph = build_invoice_graph(
        Settings(home=tmp_path / "home", checkpointer="memory", model="none"),
        erp=erp, storage=storage, audit=audit, clock=lambda: NOW,
    )
    result = graph.invoke({"path": str(INBOX / CLEAN), "name": CLEAN},
                          {"configurable": {"thread_id": "t"}})
    assert result["status"] == "posted"
    assert storage.exists(result["archive_key"])
    assert len(erp.postings()) == 1
    assert audit.verify().records > 5
    assert not (tmp_path / "home" / "checkpoints.sqlite").exists()


def test_archive_keeps_a_summary_next_to_the_document(workspace: Workspace) -> None:
    summary = _run(workspace, CLEAN)
    doc_id = workspace.state(summary.thread_id).values["document"]["id"]
    data = json.loads(workspace.storage.get(f"archive/posted/{doc_id}/summary.json"))
    assert data["fields"]["total"] == "2146.76"
    assert data["posting"]["posting_id"].startswith("P-")
