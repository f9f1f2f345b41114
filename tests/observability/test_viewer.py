"""The run viewer on real runs: the path from the audit log, the terminal table, and the
graph's own Mermaid drawing coloured by the path."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console

from tests.conftest import INBOX
from wardflow.observability.audit import AuditRecord
from wardflow.observability.viewer import Step, mermaid, render_trace, run_path
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
PATH = ["ingest", "guard", "extract", "risk", "compliance", "route", "review", "post_to_erp",
        "archive"]
Run = tuple[dict[str, Any], list[AuditRecord]]


@pytest.fixture
def paused(workspace: Workspace) -> str:
    [summary] = list(workspace.process([INBOX / OVER_LIMIT]))
    assert summary.waiting_for_review
    return summary.thread_id


def _run(workspace: Workspace, thread: str) -> Run:
    return dict(workspace.state(thread).values), list(workspace.audit.records(thread))


@pytest.fixture
def approved(workspace: Workspace, paused: str) -> Run:
    workspace.principals.add("carla", "controller")
    request = workspace.pending(paused)
    workspace.resume(paused, ReviewDecision(decision="approve", by="carla",
                                            comment="checked with the vendor",
                                            args_hash=request.proposed_action.args_hash))
    return _run(workspace, paused)


def test_the_path_of_an_approved_run(approved: Run) -> None:
    state, records = approved
    steps = run_path(state, records)
    assert [s.node for s in steps] == PATH
    assert all(s.status == "ok" for s in steps)
    assert all(isinstance(s.ms, float) and s.ms > 0 for s in steps)
    starts = [s.started for s in steps]
    assert all(isinstance(t, datetime) and t.tzinfo is not None for t in starts)
    assert starts == sorted(starts)  # type: ignore[type-var]
    nodes = {r.action[5:]: r for r in records if r.action.startswith("node.")}
    for step in steps:
        assert step.seq == nodes[step.node].seq and step.hash == nodes[step.node].hash
        assert step.ms == nodes[step.node].payload["ms"]
    by_node = {s.node: s for s in steps}
    assert by_node["ingest"].confidence is None and by_node["guard"].risk is None
    assert by_node["extract"].confidence == state["extraction"]["confidence"]
    assert by_node["extract"].risk is None
    assert by_node["risk"].risk == state["risk"]["score"]
    assert by_node["archive"].confidence == state["extraction"]["confidence"]
    assert by_node["route"].decision == "review: over_approval_limit"
    assert by_node["compliance"].decision == "needs_approval: SOX-APPROVAL-LIMIT"
    assert by_node["review"].decision == "approve by carla"
    assert by_node["review"].actor == "user:carla"
    posting_id = state["posting"]["posting_id"]
    assert by_node["post_to_erp"].decision == f"posted {posting_id} (approved by carla)"
    assert [t.tool for t in by_node["risk"].tools] == [
        "erp_lookup_vendor", "erp_find_invoices", "erp_find_invoices"]
    assert [t.tool for t in by_node["post_to_erp"].tools] == ["erp_post_invoice"]
    assert steps[0].to_dict()["started"] == starts[0].isoformat()  # type: ignore[union-attr]


def test_a_paused_run_ends_with_the_review_it_waits_for(workspace: Workspace, paused: str) -> None:
    steps = run_path(*_run(workspace, paused))
    assert [s.node for s in steps] == PATH[:7]
    waiting = steps[-1]
    assert waiting.status == "waiting" and waiting.ms is None and waiting.seq is None
    assert waiting.decision == "waiting for a reviewer until 2026-11-27T12:00:00+00:00"


def test_render_trace_shows_each_step(approved: Run) -> None:
    console = Console(record=True, width=220)
    console.print(render_trace(run_path(*approved), title="doc"))
    shown = console.export_text()
    lines = [line for line in shown.splitlines() if line.startswith("│ ") and "│" in line[2:]]
    assert [line.split("│")[2].strip() for line in lines if line.split("│")[1].strip()] == PATH
    assert "approve by carla" in shown and "erp_post_invoice ok" in shown
    assert f"{approved[0]['extraction']['confidence']:.2f}" in shown


def test_mermaid_colours_the_path_by_confidence(workspace: Workspace, approved: Run) -> None:
    drawing = workspace.graph.get_graph().draw_mermaid()
    coloured = mermaid(drawing, run_path(*approved))
    assert coloured.startswith(drawing.rstrip())  # LangGraph's drawing, unchanged, then ours
    added = [line.strip() for line in coloured[len(drawing.rstrip()):].strip().splitlines()]
    classes = {line.split()[-1]: line.split()[1].split(",") for line in added
               if line.startswith("class ")}
    assert classes == {
        "wfVisited": ["ingest", "guard"],  # before any confidence existed
        "wfHigh": PATH[2:],  # (calibrated) confidence >= 0.9
        "wfUnvisited": ["fail"],
    }
    edges = [line.strip() for line in drawing.splitlines() if "-->" in line or "-.->" in line]
    thick = {int(line.split()[1]) for line in added if line.startswith("linkStyle")}
    taken = {edges[i].rstrip(";") for i in thick}
    assert taken == {
        "__start__ --> ingest", "ingest -.-> guard", "guard --> extract", "extract --> risk",
        "risk --> compliance", "compliance --> route", "route -.-> review",
        "review -.-> post_to_erp", "post_to_erp --> archive", "archive --> __end__",
    }


def test_mermaid_thresholds_and_failures() -> None:
    drawing = "graph TD;\n\ta(a)\n\tb(b)\n\tc(c)\n\td(d)\n\ta --> b;\n\tb --> c;\n\tc --> d;\n"
    now = datetime(2026, 11, 25, tzinfo=UTC)

    def step(node: str, confidence: float | None, status: str = "ok") -> Step:
        return Step(node, now, 1.0, status, confidence, None, "")  # type: ignore[arg-type]

    coloured = mermaid(drawing, [step("a", 0.9), step("b", 0.5), step("c", 0.49),
                                 step("d", 0.99, "failed")])
    assert "\tclass a wfHigh" in coloured and "\tclass b wfMid" in coloured
    assert "\tclass c,d wfLow" in coloured
    assert coloured.count("linkStyle") == 3
    stricter = mermaid(drawing, [step("a", 0.9)], high=0.95)
    assert "\tclass a wfMid" in stricter and "\tclass b,c,d wfUnvisited" in stricter
