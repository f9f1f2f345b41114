"""Checkpoints written by the version before typed run state still load.

``tests/data/checkpoints/v0`` is a data home that version wrote
(``tests/data/checkpoints/make_checkpoints.py``): an invoice run that posted, one
waiting for review, a blueprint run that posted and one waiting for an approval. This
code reads each as a :class:`RunView`, resumes the waiting runs and posts the invoice.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, wardflow_cli
from wardflow.config import Settings
from wardflow.graphs.blueprint import load_blueprint
from wardflow.review.payloads import ReviewDecision
from wardflow.runstate import Extraction, RunState, RunView
from wardflow.runtime.workspace import Workspace
from wardflow.status import RUN_STATUSES, as_run_status

V0 = Path(__file__).resolve().parents[1] / "data" / "checkpoints" / "v0"
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
POSTED, WAITING = "doc-3a2182037cbbbc5a", "doc-c1cd4491ca6b151e"
BLUEPRINT_POSTED = "invoice:doc-86c53b541c50df75"
BLUEPRINT_WAITING = "classify-and-archive:doc-91a7ab292d376cbf"


@pytest.fixture
def old_home(tmp_path: Path) -> Iterator[Workspace]:
    """A copy of the old data home (the committed files are never written)."""
    home = tmp_path / "home"
    shutil.copytree(V0, home)
    with Workspace(Settings(home=home, model="none", tracing=False), clock=lambda: NOW) as ws:
        yield ws


def test_old_checkpoints_read_as_run_views(old_home: Workspace) -> None:
    views = {view.thread_id: view for view in old_home.status()}
    assert set(views) == {POSTED, WAITING, BLUEPRINT_POSTED, BLUEPRINT_WAITING}
    assert {t: v.status for t, v in views.items()} == {
        POSTED: "posted", WAITING: "awaiting_review", BLUEPRINT_POSTED: "completed",
        BLUEPRINT_WAITING: "awaiting_approval"}
    posted, waiting = views[POSTED], views[WAITING]
    # What the summary says is what the old state holds, read through the typed stages.
    erp = {p.invoice_number: p for p in old_home.erp.postings()}
    assert posted.posting_id == erp["NLS-INV-2026-0412"].posting_id
    assert posted.state.posting is not None and posted.state.posting.approved_by
    assert posted.route == "post" and posted.risk is not None
    assert waiting.waiting_for_review and waiting.next == ["review"]
    assert waiting.route == "review" and "arithmetic" in waiting.reasons
    assert waiting.state.extraction is not None
    assert waiting.state.extraction.value("invoice_number") == "K-2026-1530"
    assert waiting.confidence == waiting.state.extraction.confidence
    assert views[BLUEPRINT_WAITING].waiting_for_review
    assert views[BLUEPRINT_WAITING].step_status == "classify_document: done"
    # The summary's keys are those ``wardflow status --json`` and ``GET /runs/{id}`` had.
    assert set(posted.to_dict()) == {
        "thread_id", "document", "status", "confidence", "risk", "route", "reasons",
        "waiting_for_review", "next", "posting_id", "error", "note", "llm_calls",
        "llm_tokens", "llm_ms", "llm_cost", "dead_letter", "step_status"}
    # Every status the old checkpoints hold is a name of the one vocabulary.
    for thread in views:
        raw = old_home.run_values(thread).get("status")
        assert as_run_status(raw) in RUN_STATUSES and as_run_status(raw) != "unknown"


def test_the_cli_status_reads_old_checkpoints(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shutil.copytree(V0, home)
    listed = json.loads(wardflow_cli(home, "status", "--json", check=True).stdout)
    assert {r["thread_id"]: r["status"] for r in listed} == {
        POSTED: "posted", WAITING: "awaiting_review", BLUEPRINT_POSTED: "completed",
        BLUEPRINT_WAITING: "awaiting_approval"}
    # The vendor filter reads the old extraction through the typed view.
    kessler = json.loads(wardflow_cli(home, "status", "--vendor", "kessler", "--json",
                                      check=True).stdout)
    assert [r["thread_id"] for r in kessler] == [WAITING]
    table = wardflow_cli(home, "status", check=True, COLUMNS="200").stdout
    assert "4 run(s)" in table and "awaiting_review" in table


def test_a_snapshot_and_a_checkpoint_give_the_same_view(old_home: Workspace) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "classify-and-archive.yaml",
                               old_home.settings)
    config = {"configurable": {"thread_id": BLUEPRINT_WAITING}}
    from_graph = RunView.from_snapshot(old_home.blueprint_graph(blueprint).get_state(config))
    saved = old_home.checkpointer.get_tuple(config)
    assert saved is not None
    assert from_graph == RunView.from_snapshot(saved)
    assert from_graph.blueprint_result() == old_home.blueprint_status(blueprint,
                                                                       BLUEPRINT_WAITING)


def test_old_waiting_runs_resume_and_post(old_home: Workspace) -> None:
    before = len(old_home.erp.postings())
    approved = old_home.resume(WAITING, ReviewDecision(
        decision="approve", by="dan", comment="checked the line items against the order",
        args_hash=old_home.pending(WAITING).proposed_action.args_hash))
    assert approved.status == "posted" and approved.posting_id
    assert approved.state.review is not None and approved.state.review.by == "dan"
    assert len(old_home.erp.postings()) == before + 1
    assert old_home.audit.verify().ok

    blueprint = load_blueprint(EXAMPLES / "blueprints" / "classify-and-archive.yaml",
                               old_home.settings)
    done = old_home.decide_blueprint(blueprint, BLUEPRINT_WAITING,
                                     ReviewDecision(decision="approve", by="carla"))
    assert done["status"] == "completed" and done["step_status"] == "archive: stored"
    assert old_home.view(BLUEPRINT_WAITING).status == "completed"


def test_a_stage_no_version_wrote_is_a_clear_error() -> None:
    from wardflow.errors import WardflowError
    from wardflow.runstate import UnreadableState

    assert Extraction.of(None).value("total") is None
    state = RunState.of({"risk": {"score": 0.25, "added_later": True}})
    assert state.risk is not None and state.risk.score == 0.25
    assert state.risk.model_extra == {"added_later": True}

    class Snapshot:
        values = {"risk": {"score": "very high"}, "status": "assessed"}
        next = ("compliance",)
        config = {"configurable": {"thread_id": "doc-1"}}
        created_at = None
        interrupts = ()

    with pytest.raises(UnreadableState, match="risk.score") as caught:
        RunView.from_snapshot(Snapshot())
    assert isinstance(caught.value, WardflowError) and caught.value.thread_id == "doc-1"
