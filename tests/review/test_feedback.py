"""The feedback loop: reviewer decisions as labelled examples, exported as an eval dataset
that `wardflow eval` runs, and risk weights re-fitted from decisions and used."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tests.conftest import INBOX, wardflow_cli
from wardflow.agents.risk import WEIGHTS, combine
from wardflow.agents.risk_fit import fit_weights, load_weights, save_weights
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.evals.documents import load_labels
from wardflow.review.feedback import collect_examples, export_dataset
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
COPY = "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
ARITHMETIC = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"


def _decide(ws: Workspace, thread: str, decision: str, by: str, **corrections: str) -> None:
    request = ws.pending(thread)
    reason = "" if decision == "correct" else f"{decision}d after checking with the vendor"
    ws.resume(thread, ReviewDecision(decision=decision, by=by, comment=reason,
                                     args_hash=request.proposed_action.args_hash,
                                     corrections=corrections))


@pytest.fixture
def reviewed(workspace: Workspace) -> Workspace:
    """Four runs: one posted by rule, one approved, one corrected then approved, one
    rejected (a duplicate)."""
    runs = {name: s.thread_id for name, s in (
        (n, next(iter(workspace.process([INBOX / n], submitted_by="sam"))))
        for n in (CLEAN, OVER_LIMIT, ARITHMETIC, COPY))}
    _decide(workspace, runs[OVER_LIMIT], "approve", "dan")
    _decide(workspace, runs[ARITHMETIC], "correct", "cleo", due_date="2026-09-05")
    _decide(workspace, runs[ARITHMETIC], "approve", "carla")
    _decide(workspace, runs[COPY], "reject", "dan")
    return workspace


def test_decisions_become_labelled_examples(reviewed: Workspace) -> None:
    examples = {e.document["name"]: e for e in collect_examples(reviewed)}
    assert set(examples) == {OVER_LIMIT, ARITHMETIC, COPY}  # the auto-posted run has no label
    rejected = examples[COPY]
    assert rejected.decision == "reject" and rejected.must_not_pay and rejected.fields == {}
    assert rejected.decided_by == "dan" and "duplicate_invoice_number" in rejected.risk_reasons
    corrected = examples[ARITHMETIC]
    assert corrected.decision == "approve" and corrected.decided_by == "carla"
    assert corrected.corrected == ("due_date",)
    assert corrected.fields["due_date"] == "2026-09-05"
    assert not examples[OVER_LIMIT].must_not_pay
    assert examples[OVER_LIMIT].fields["total"] == "24500.01"


@pytest.mark.slow
def test_export_round_trips_through_wardflow_eval(reviewed: Workspace, tmp_path: Path) -> None:
    dataset = tmp_path / "feedback"
    exported = wardflow_cli(reviewed.settings.home, "feedback", "export", str(dataset))
    assert exported.returncode == 0, exported.stderr
    assert "exported 3 labelled run(s) (1 rejected)" in exported.stdout
    labels = {label.path.name.split("-", 2)[-1]: label for label in load_labels(dataset)}
    assert labels[ARITHMETIC].fields["due_date"] == "2026-09-05"
    assert labels[ARITHMETIC].expected_route == "review"
    assert labels[COPY].expected_route == "review" and labels[COPY].fields == {}
    assert labels[OVER_LIMIT].expected_route is None
    assert json.loads((dataset / "erp.json").read_text())["vendors"]
    # A second export into the same folder is refused, not merged.
    again = wardflow_cli(reviewed.settings.home, "feedback", "export", str(dataset))
    assert again.returncode == 1 and "exists" in again.stderr

    result = wardflow_cli(tmp_path / "eval-home", "eval", str(dataset), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["dataset"]["documents"] == 3
    rows = {Path(r["file"]).name.split("-", 2)[-1]: r for r in report["documents"]}
    # The reviewer's correction is the truth now: the parsers' due date is a miss.
    assert "due_date" in json.dumps(rows[ARITHMETIC]["misses"])
    assert "total" not in json.dumps(rows[OVER_LIMIT]["misses"])
    # In a fresh data home the copy is no duplicate: the dataset shows what a
    # configuration misses, here the routing of the rejected duplicate.
    assert rows[COPY]["route"] == "post"


def test_export_needs_reviewed_runs(workspace: Workspace, tmp_path: Path) -> None:
    list(workspace.process([INBOX / CLEAN]))
    with pytest.raises(ConfigError, match="no reviewed runs"):
        export_dataset(workspace, tmp_path / "empty")


def _synthetic(n: int, seed: int = 7) -> list[tuple[tuple[str, ...], bool]]:
    """Decisions where round amounts are usually fine and bank changes usually rejected."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        signals: list[str] = []
        if rng.random() < 0.4:
            signals.append("round_amount")
        if rng.random() < 0.3:
            signals.append("bank_details_changed")
        p = combine([{"round_amount": 0.02, "bank_details_changed": 0.95}[s] for s in signals])
        examples.append((tuple(signals), rng.random() < p))
    return examples


def test_fit_moves_weights_towards_the_decisions_and_reports_held_back_cases() -> None:
    prior = {**WEIGHTS, "round_amount": 0.6}
    result = fit_weights(_synthetic(400), prior, holdout=4)
    assert result.train == 300 and result.held_out == 100
    assert result.weights["round_amount"] < 0.2
    assert result.weights["bank_details_changed"] > 0.85
    # A signal no decision carried keeps its weight.
    assert result.weights["po_not_found"] == pytest.approx(WEIGHTS["po_not_found"], abs=1e-3)
    assert result.after["log_loss"] < result.before["log_loss"]  # type: ignore[operator]
    assert result.after["accuracy"] >= result.before["accuracy"]  # type: ignore[operator]
    with pytest.raises(ConfigError, match="at least 8"):
        fit_weights(_synthetic(6), prior)


def test_fitted_weights_are_versioned_and_used_by_the_risk_node(
    settings: Settings, clock: object, tmp_path: Path
) -> None:
    from tests.conftest import EXAMPLES
    from wardflow.tools.erp import load_master

    result = fit_weights(_synthetic(200), {**WEIGHTS, "duplicate_invoice_number": 0.9})
    low = {**result.to_dict(), "weights": {**result.weights, "duplicate_invoice_number": 0.1}}
    settings.home.mkdir(parents=True)
    settings.risk_weights_path.write_text(json.dumps(low))
    weights, version = load_weights(settings)  # type: ignore[misc]
    assert version == result.version and version.startswith("rw-")
    with Workspace(settings, clock=clock) as ws:  # type: ignore[arg-type]
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        list(ws.process([INBOX / CLEAN]))
        [copy] = list(ws.process([INBOX / COPY]))
        risk = ws.state(copy.thread_id).values["risk"]
    assert risk["weights_version"] == version
    [reason] = [r for r in risk["reasons"] if r["code"] == "duplicate_invoice_number"]
    assert reason["weight"] == 0.1
    settings.risk_weights_path.write_text("{}")
    with pytest.raises(ConfigError, match="not a risk weights file"):
        load_weights(settings)
    assert save_weights(result, tmp_path / "w.json").exists()


def test_risk_fit_command_reports_and_saves(reviewed: Workspace) -> None:
    # Three decisions are too few to fit: the command says so and saves nothing.
    few = wardflow_cli(reviewed.settings.home, "risk", "fit")
    assert few.returncode == 1 and "at least 8" in few.stderr
    assert not reviewed.settings.risk_weights_path.exists()
