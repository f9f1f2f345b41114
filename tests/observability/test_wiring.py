"""Traces and explanations of real runs, through the Workspace and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import EXAMPLES, INBOX, NOW, add_reviewers, wardflow_cli
from wardflow import explain
from wardflow.config import Settings
from wardflow.observability.tracing import trace_id_for
from wardflow.observability.viewer import read_spans
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
PATH = ["ingest", "guard", "extract", "risk", "compliance", "route", "review", "post_to_erp",
        "archive"]


def _paused_then_approved(settings: Settings) -> str:
    with Workspace(settings, clock=lambda: NOW) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(ws.principals)
        [run] = list(ws.process([INBOX / OVER_LIMIT], submitted_by="sam"))
    # A second process decides, as a reviewer would.
    with Workspace(settings, clock=lambda: NOW) as ws:
        request = ws.pending(run.thread_id)
        ws.resume(run.thread_id, ReviewDecision(decision="approve", by="dan",
                                                comment="checked with the vendor",
                                                args_hash=request.proposed_action.args_hash))
    return run.thread_id


def test_every_node_of_a_run_has_its_span_in_one_trace(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    thread = _paused_then_approved(settings)
    spans = read_spans(settings.traces_path, thread_id=thread)
    nodes = [s for s in spans if s["name"].startswith("node ")]
    completed = [s["attributes"]["wardflow.node"] for s in nodes
                 if s["attributes"].get("wardflow.outcome") != "interrupted"]
    assert sorted(completed) == sorted(PATH)
    assert {s["trace_id"] for s in spans} == {trace_id_for(thread)}
    guards = {s["attributes"]["wardflow.guard.validator"] for s in spans
              if s["name"].startswith("guard ")}
    assert {"prompt_injection", "pii"} <= guards
    tools = {s["attributes"]["gen_ai.tool.name"] for s in spans if s["name"].startswith(
        "execute_tool")}
    assert {"storage_put", "erp_post_invoice", "storage_archive"} <= tools
    with Workspace(settings) as ws:
        records = list(ws.audit.records(thread))
    assert {r.trace_id for r in records if r.action.startswith("node.")} == {trace_id_for(thread)}
    # The invoice's IBAN never appears in clear in the exported spans.
    labels = [json.loads(line) for line in (EXAMPLES / "labels.jsonl").read_text().splitlines()]
    iban = next(x["iban"] for x in labels if x["file"] == OVER_LIMIT)
    exported = settings.traces_path.read_text()
    assert iban and iban not in exported and iban[-8:] not in exported


def test_explain_covers_every_decision_with_evidence(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    thread = _paused_then_approved(settings)
    explanation = explain(thread, settings)
    decisions = {c.decision for c in explanation.claims}
    assert {"vendor", "total", "route", "review", "posting"} <= decisions
    review = next(c for c in explanation.claims if c.decision == "review")
    assert "dan" in review.text and review.evidence


def test_trace_and_explain_commands(tmp_path: Path) -> None:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    [run] = json.loads(wardflow_cli(home, "process", str(INBOX / OVER_LIMIT), "--json",
                                    check=True).stdout)
    steps = json.loads(wardflow_cli(home, "trace", run["thread_id"], "--json", check=True).stdout)
    # The process's start-up comes first, timed apart from the run's steps.
    assert [s["node"] for s in steps][:7] == ["startup", *PATH[:6]]
    drawing = wardflow_cli(home, "trace", run["thread_id"], "--mermaid", check=True).stdout
    assert "classDef" in drawing and "route" in drawing
    shown = wardflow_cli(home, "explain", run["thread_id"], check=True).stdout
    assert "over_approval_limit" in shown or "approval limit" in shown
    report = json.loads(wardflow_cli(home, "explain", run["thread_id"], "--json",
                                     check=True).stdout)
    assert report["grounding"]
