"""Blueprints: the documented example validates and runs as written; bad ones are
reported with their lines; conditions are safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX
from wardflow.config import Settings
from wardflow.errors import ReviewError
from wardflow.graphs.blueprint import BlueprintError, load_blueprint, parse_blueprint
from wardflow.graphs.blueprint_graph import classify_heuristic
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

EXAMPLE = EXAMPLES / "blueprints" / "classify-and-archive.yaml"
CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"


def test_the_documented_example_validates(settings: Settings) -> None:
    blueprint = load_blueprint(EXAMPLE, settings)
    assert blueprint.trigger.kind == "event" and blueprint.trigger.source == "s3-bucket"
    assert [s.type for s in blueprint.steps] == ["llm-inference", "approval_task", "storage"]
    assert blueprint.steps[1].required_if is not None
    assert blueprint.steps[1].required_if.names == {"confidence"}


def test_invoice_workflow_blueprint_posts(workspace: Workspace) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "invoice.yaml", workspace.settings)
    [result] = workspace.run_blueprint(blueprint, [INBOX / CLEAN])
    assert result["outputs"]["process_invoice"]["status"] == "posted"
    assert [p.invoice_number for p in workspace.erp.postings()] == ["NLS-INV-2026-0412"]
    again = workspace.run_blueprint(blueprint, [INBOX / CLEAN])
    assert again[0]["thread_id"] == result["thread_id"]
    assert len(workspace.erp.postings()) == 1


def test_example_runs_pausing_when_confidence_is_low(workspace: Workspace, tmp_path: Path) -> None:
    blueprint = load_blueprint(EXAMPLE, workspace.settings)
    contract = tmp_path / "contract.pdf"
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Service Agreement between Acme GmbH and Wardflow Demo Corp.\n"
                         "The parties agree on the following invoice schedule.")
    pdf.output(str(contract))
    invoice_run, contract_run = workspace.run_blueprint(blueprint, [INBOX / CLEAN, contract])

    # The invoice is clearly an invoice: confidence >= 0.9, archived without review.
    assert invoice_run["vars"]["document_type"] == "invoice"
    assert invoice_run["vars"]["confidence"] >= 0.9
    assert invoice_run["outputs"]["human_review"] == {"required": False}
    assert invoice_run["outputs"]["archive"]["key"].startswith("archive/")
    assert workspace.storage.exists(invoice_run["outputs"]["archive"]["key"])

    # The contract mentions an invoice too: unclear, so a human decides.
    assert contract_run["waiting"] and contract_run["vars"]["confidence"] < 0.9
    thread = contract_run["thread_id"]
    with pytest.raises(ReviewError, match="wrong-role"):
        workspace.decide_blueprint(blueprint, thread, ReviewDecision(decision="approve", by="cleo"))
    done = workspace.decide_blueprint(blueprint, thread,
                                      ReviewDecision(decision="approve", by="carla"))
    assert done["status"] == "completed" and done["step_status"] == "archive: stored"
    assert done["vars"]["human_review_approved"] is True


BAD = """\
trigger:
  event: "document_deleted"
  source: "nowhere"
steps:
  - name: Classify
    type: "llm-inference"
    model: "no-such-model"
  - name: review
    type: "approval_task"
    required_if: "__import__('os').system('rm -rf /')"
  - name: review
    type: "storage"
    destination: "void"
  - name: extra
    type: "teleport"
  - name: ok_step
    type: "agent"
    agent: "invoice"
    colour: "blue"
"""


def test_every_problem_is_reported_with_its_line(settings: Settings) -> None:
    with pytest.raises(BlueprintError) as caught:
        parse_blueprint(BAD, settings, path="bad.yaml")
    problems = [(p.line, p.reason.split(";")[0].split(" in ")[0]) for p in caught.value.problems]
    assert problems == [
        (2, "unknown event 'document_deleted'"),
        (3, "unknown source 'nowhere'"),
        (5, "step name 'Classify' must be lower_snake_case"),
        (7, "unknown model 'no-such-model'"),
        (10, "a call is not allowed at column 1"),
        (11, "duplicate step name 'review'"),
        (13, "unknown destination 'void'"),
        (15, "step type 'teleport' is not one of llm-inference, approval_task, storage, tool,"
             " agent"),
        (19, "agent steps take no 'colour'"),
    ]
    assert "bad.yaml:10:" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("steps: []\n", "missing 'trigger'"),
        ("trigger: {schedule: 'every day'}\nsteps: [{name: a, type: agent, agent: invoice}]\n",
         "not a 5-field cron expression"),
        ("trigger: {api: true, event: document_uploaded}\nsteps: []\n", "exactly one of"),
        ("trigger: [1, 2\n", "not valid YAML"),
        ("- just a list\n", "a blueprint is a mapping"),
    ],
)
def test_malformed_blueprints(settings: Settings, text: str, reason: str) -> None:
    with pytest.raises(BlueprintError, match=reason):
        parse_blueprint(text, settings)


def test_heuristic_classifier() -> None:
    assert classify_heuristic("INVOICE No. 1 ... Total due EUR 5.00")[0] == "invoice"
    assert classify_heuristic("Gutschrift zu Rechnung 12")[0] in ("credit_note", "invoice")
    assert classify_heuristic("hello world") == ("other", 0.3)


FOUR_EYES = """\
name: four-eyes
trigger:
  api: true
steps:
  - name: classify_document
    type: "llm-inference"
    model: "default"
  - name: sign_off
    type: "approval_task"
    required_if: "confidence < 0.9"
    approvers: 2
  - name: archive
    type: "storage"
    destination: "archive"
"""


def _contract(tmp_path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Framework agreement between the parties; an invoice follows monthly.")
    path = tmp_path / "agreement.pdf"
    pdf.output(str(path))
    return path


def test_parallel_approvals_are_resumed_by_interrupt_id(
    workspace: Workspace, tmp_path: Path
) -> None:
    blueprint = parse_blueprint(FOUR_EYES, workspace.settings)
    [run] = workspace.run_blueprint(blueprint, [_contract(tmp_path)], submitted_by="sam")
    thread = run["thread_id"]
    pending = workspace.pending_approvals(blueprint, thread)
    assert sorted(v["step"] for v in pending.values()) == ["sign_off__1", "sign_off__2"]

    with pytest.raises(ReviewError, match="2 approvals are pending"):
        workspace.decide_blueprint(blueprint, thread, ReviewDecision(decision="approve", by="dan"))
    first, second = sorted(pending, key=lambda i: pending[i]["step"])
    still = workspace.decide_blueprint(blueprint, thread,
                                       ReviewDecision(decision="approve", by="dan"),
                                       interrupt_id=first)
    assert still["waiting"] and list(workspace.pending_approvals(blueprint, thread)) == [second]

    # Four eyes: the same person cannot give the second approval.
    with pytest.raises(ReviewError, match="four-eyes"):
        workspace.decide_blueprint(blueprint, thread, ReviewDecision(decision="approve", by="dan"),
                                   interrupt_id=second)
    [again] = workspace.pending_approvals(blueprint, thread)
    done = workspace.decide_blueprint(blueprint, thread,
                                      ReviewDecision(decision="approve", by="carla"),
                                      interrupt_id=again)
    assert (done["status"], done["step_status"]) == ("completed", "archive: stored")
    assert done["outputs"]["sign_off"] == {"approved": True, "by": ["carla", "dan"]}


def test_one_rejection_of_parallel_approvals_ends_the_run(
    workspace: Workspace, tmp_path: Path
) -> None:
    blueprint = parse_blueprint(FOUR_EYES, workspace.settings)
    [run] = workspace.run_blueprint(blueprint, [_contract(tmp_path)], submitted_by="sam")
    pending = workspace.pending_approvals(blueprint, run["thread_id"])
    first, second = sorted(pending, key=lambda i: pending[i]["step"])
    workspace.decide_blueprint(blueprint, run["thread_id"],
                               ReviewDecision(decision="reject", by="dan"), interrupt_id=first)
    done = workspace.decide_blueprint(blueprint, run["thread_id"],
                                      ReviewDecision(decision="approve", by="carla"),
                                      interrupt_id=second)
    assert done["status"] == "rejected" and not done["waiting"]
    assert "archive" not in done["outputs"]
