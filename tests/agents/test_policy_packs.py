"""Compliance policy packs: each rule with an invoice that triggers it and one that does
not; packs chosen per workflow (settings, blueprints); SOX traceability of postings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.agents.test_risk_compliance import _extraction
from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from wardflow.agents.compliance import CompliancePolicy, RunFacts, check_compliance
from wardflow.agents.policies import trace_postings
from wardflow.config import Settings
from wardflow.graphs.blueprint import BlueprintError, parse_blueprint
from wardflow.graphs.invoice import AUTO_APPROVER
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace
from wardflow.tools.documents import read_document
from wardflow.tools.erp import PostInvoice

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
CARD = "4111 1111 1111 1111"
NO_PII_TEXT = "INVOICE A-1 from Acme GmbH, total EUR 119.00"


def _check(extraction: dict[str, Any] | None = None, text: str = NO_PII_TEXT, *,
           packs: tuple[str, ...] = ("sox", "gdpr", "pci"), converted: str | None = "119.00",
           risk: dict[str, Any] | None = None, **facts: Any) -> dict[str, Any]:
    policy = CompliancePolicy(Decimal("10000"), "EUR",
                              Decimal(converted) if converted is not None else None,
                              packs=frozenset(packs), retention_days=30)
    return check_compliance(extraction or _extraction(), risk or {"reasons": []}, text, policy,
                            RunFacts(today=date(2026, 11, 25), **facts))


def _rule(report: dict[str, Any], rule: str) -> dict[str, Any] | None:
    found = [f for f in report["findings"] if f["rule"] == rule]
    assert len(found) <= 1
    return found[0] if found else None


def _fired(report: dict[str, Any], rule: str) -> bool:
    finding = _rule(report, rule)
    return finding is not None and finding["outcome"] != "pass"


def _names_rule_evidence_action(finding: dict[str, Any] | None) -> None:
    assert finding is not None
    assert finding["rule"] and finding["detail"] and finding["evidence"]
    assert finding["action"] and finding["action"] != "none"


# SOX ---------------------------------------------------------------------------------
def test_sox_approval_limit() -> None:
    over = _check(_extraction(total="24500.00"), converted="24500.00")
    assert _fired(over, "SOX-APPROVAL-LIMIT")
    _names_rule_evidence_action(_rule(over, "SOX-APPROVAL-LIMIT"))
    assert "exceeds the auto-approval limit of EUR 10000" in _rule(over, "SOX-APPROVAL-LIMIT")[
        "detail"]  # type: ignore[index]
    assert not _fired(_check(), "SOX-APPROVAL-LIMIT")


def test_sox_vendor_master() -> None:
    unknown = _check(risk={"reasons": [{"code": "unknown_vendor"}]})
    assert _fired(unknown, "SOX-VENDOR-MASTER")
    assert _rule(_check(), "SOX-VENDOR-MASTER") is None


def test_sox_segregation_of_duties() -> None:
    corrected = _check(submitted_by="sam", editors=["cleo", "cleo"])
    finding = _rule(corrected, "SOX-SEGREGATION-OF-DUTIES")
    assert _fired(corrected, "SOX-SEGREGATION-OF-DUTIES")
    _names_rule_evidence_action(finding)
    assert finding is not None
    assert finding["evidence"]["excluded_approvers"] == ["cleo", "sam"]
    assert "cleo, sam" in finding["action"]
    untouched = _check(submitted_by="sam")
    assert not _fired(untouched, "SOX-SEGREGATION-OF-DUTIES")
    assert _rule(untouched, "SOX-SEGREGATION-OF-DUTIES")["evidence"][  # type: ignore[index]
        "excluded_approvers"] == ["sam"]


# GDPR --------------------------------------------------------------------------------
def test_gdpr_data_minimisation() -> None:
    leaky = _check(_extraction(vendor="Jane Doe, jane.doe@example.com"))
    assert _fired(leaky, "GDPR-DATA-MINIMISATION")
    finding = _rule(leaky, "GDPR-DATA-MINIMISATION")
    _names_rule_evidence_action(finding)
    assert finding is not None and finding["evidence"]["fields"] == [
        {"field": "vendor", "kinds": ["EMAIL"]}]
    # The payment IBAN is personal data the posting needs: not a finding.
    assert not _fired(_check(), "GDPR-DATA-MINIMISATION")


def test_gdpr_personal_data_retention() -> None:
    with_pii = _check(text=NO_PII_TEXT + "\nContact: jane.doe@example.com, +49 170 1234567")
    finding = _rule(with_pii, "GDPR-PERSONAL-DATA")
    assert finding is not None
    assert finding["evidence"]["kinds"] == {"EMAIL": 1, "PHONE": 1}
    assert finding["evidence"]["retain_until"] == "2026-12-25"
    assert "wardflow gdpr erase" in finding["action"]
    assert _rule(_check(), "GDPR-PERSONAL-DATA") is None


# PCI ---------------------------------------------------------------------------------
def test_pci_card_data_in_document() -> None:
    tokenized = _check(text=f"{NO_PII_TEXT}\npaid by card {CARD}",
                       shown_to_model=f"{NO_PII_TEXT}\npaid by card <CARD_1>")
    finding = _rule(tokenized, "PCI-CARD-DATA")
    assert finding is not None and finding["outcome"] == "needs_approval"
    _names_rule_evidence_action(finding)
    assert finding["evidence"]["shown_to_model"] is False
    leaked = _check(text=f"paid by card {CARD}", shown_to_model=f"paid by card {CARD}")
    assert _rule(leaked, "PCI-CARD-DATA")["outcome"] == "fail"  # type: ignore[index]
    assert leaked["status"] == "fail"
    assert _rule(_check(), "PCI-CARD-DATA") is None


def test_pci_card_number_in_a_stored_field() -> None:
    stored = _check(_extraction(invoice_number=CARD.replace(" ", "")))
    assert _rule(stored, "PCI-CARD-STORAGE")["outcome"] == "fail"  # type: ignore[index]
    _names_rule_evidence_action(_rule(stored, "PCI-CARD-STORAGE"))
    assert _rule(_check(), "PCI-CARD-STORAGE") is None


def test_packs_select_the_rules() -> None:
    text = f"paid by card {CARD}"
    only_sox = _check(text=text, packs=("sox",))
    assert {f["rule"] for f in only_sox["findings"]} == {
        "SOX-APPROVAL-LIMIT", "SOX-SEGREGATION-OF-DUTIES"}
    only_pci = _check(text=text, packs=("pci",))
    assert [f["rule"] for f in only_pci["findings"]] == ["PCI-CARD-DATA"]
    assert only_pci["packs"] == ["pci"]
    with pytest.raises(ValidationError, match="unknown compliance pack"):
        Settings(compliance_packs=("sox", "hipaa"))


# Through the graph ---------------------------------------------------------------------
def _pdf(path: Path, text: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(0, 4.5, text.encode("latin-1", "replace").decode("latin-1"))
    pdf.output(str(path))
    return path


@pytest.fixture
def card_invoice(tmp_path: Path) -> Path:
    """The clean example invoice, renumbered, with a card number and a contact person."""
    text = read_document((INBOX / CLEAN).read_bytes(), CLEAN).text
    text = text.replace("NLS-INV-2026-0412", "NLS-INV-2026-0413")
    folder = tmp_path / "docs"
    folder.mkdir()
    return _pdf(folder / "card.pdf", f"{text}\nPaid by card {CARD}\nContact: jane.doe@example.com")


def test_card_number_in_a_document_stops_auto_posting(
    workspace: Workspace, card_invoice: Path
) -> None:
    [clean] = list(workspace.process([INBOX / CLEAN]))
    [card] = list(workspace.process([card_invoice]))
    assert clean.status == "posted" and "card_data" not in clean.reasons
    assert card.status == "awaiting_review" and card.reasons == ["card_data"]
    request = workspace.pending(card.thread_id)
    rules = {f["rule"]: f["outcome"] for f in request.compliance["findings"]}
    assert rules["PCI-CARD-DATA"] == "needs_approval"
    assert request.compliance["packs"] == ["gdpr", "pci", "sox"]
    # The card number reached neither the audit log nor the review request's fields.
    digits = CARD.replace(" ", "")
    assert all(digits not in str(r.payload).replace(" ", "")
               for r in workspace.audit.records(card.thread_id))


def test_invoice_workflow_setting_turns_a_pack_off(
    settings: Settings, clock: Callable[..., Any], card_invoice: Path
) -> None:
    from wardflow.tools.erp import load_master

    with Workspace(settings.model_copy(update={"compliance_packs": ("sox", "gdpr")}),
                   clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        [run] = list(ws.process([card_invoice]))
        assert run.status == "posted"
        rules = {f["rule"] for f in ws.state(run.thread_id).values["compliance"]["findings"]}
        assert "PCI-CARD-DATA" not in rules and "SOX-APPROVAL-LIMIT" in rules


BLUEPRINT = """
name: pci-only
compliance: [pci]
trigger:
  event: document_uploaded
steps:
  - name: process
    type: agent
    agent: invoice
"""


def test_blueprint_compliance_key_adds_packs_and_never_drops_one(
    settings: Settings, clock: Callable[..., Any], card_invoice: Path
) -> None:
    from wardflow.tools.erp import load_master

    # Policy only tightens: a blueprint may add packs to the configured ones.
    with Workspace(settings.model_copy(update={"compliance_packs": ("sox",)}),
                   clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        blueprint = parse_blueprint(BLUEPRINT.replace("[pci]", "[sox, pci]"), ws.settings)
        assert blueprint.compliance == ("sox", "pci")
        [card] = ws.run_blueprint(blueprint, [card_invoice])
        # The pci pack the blueprint added holds the card number for review, and the
        # blueprint run pauses with its invoice step.
        assert card["waiting"] and "process" not in card["outputs"]
        [over] = ws.run_blueprint(blueprint, [INBOX / OVER_LIMIT])
        assert over["waiting"]  # sox, the configured pack, still applies
        # Without the blueprint, the configured sox pack alone lets the card through.
        [plain] = list(ws.process([card_invoice]))
        assert plain.status == "posted"
        with pytest.raises(BlueprintError, match=r":3: policy only tightens: the compliance"
                           r" packs pci without the configured pack\(s\) sox"):
            parse_blueprint(BLUEPRINT, ws.settings)
    with pytest.raises(BlueprintError, match=r":3: unknown compliance pack\(s\) hipaa"):
        parse_blueprint(BLUEPRINT.replace("[pci]", "[pci, hipaa]"), settings)


# SOX after posting ---------------------------------------------------------------------
def _trace(ws: Workspace) -> dict[str, dict[str, str]]:
    submitters = {t: ws.state(t).values.get("submitted_by") for t in ws.threads()}
    findings = trace_postings(ws.erp.postings(), ws.audit.records(),
                              {p.name: p for p in ws.principals.all()},
                              auto_approver=AUTO_APPROVER, submitters=submitters,
                              to_approval_currency=ws.settings.to_approval_currency)
    out: dict[str, dict[str, str]] = {}
    for f in findings:
        out.setdefault(f["evidence"]["posting_id"], {})[f["rule"]] = f["outcome"]
    return out


def test_every_posting_traces_to_an_approval_or_the_auto_rule(workspace: Workspace) -> None:
    [auto] = list(workspace.process([INBOX / CLEAN], submitted_by="sam"))
    [big] = list(workspace.process([INBOX / OVER_LIMIT], submitted_by="sam"))
    request = workspace.pending(big.thread_id)
    workspace.resume(big.thread_id, ReviewDecision(
        decision="approve", by="dan", comment="budget approved by the board",
        args_hash=request.proposed_action.args_hash))
    postings = {p.approved_by: p.posting_id for p in workspace.erp.postings()}
    traced = _trace(workspace)
    assert traced[postings[AUTO_APPROVER]] == {"SOX-POSTING-TRACE": "pass"}
    assert traced[postings["dan"]] == {"SOX-POSTING-TRACE": "pass",
                                         "SOX-SEGREGATION-OF-DUTIES": "pass",
                                         "SOX-APPROVAL-AUTHORITY": "pass"}
    assert auto.status == "posted"


def test_untraceable_and_unauthorised_postings_fail(workspace: Workspace) -> None:
    # Posted straight into the ERP, bypassing the workflow: no audited posting call.
    workspace.erp.post_invoice(PostInvoice(
        idempotency_key="x" * 32, vendor_id="V001", invoice_number="OFF-BOOK-1",
        invoice_date="2026-11-01", currency="EUR", total=Decimal("990.00"),
        document_sha256="0" * 64, approved_by="mallory"))
    [big] = list(workspace.process([INBOX / OVER_LIMIT], submitted_by="eve"))
    # The workflow refuses eve's approval of her own submission over her limit; the
    # control is checked on the records a bypassed workflow would leave instead.
    workspace.audit.append("review.decision", {"decision": "approve", "by": "eve"},
                           actor="user:eve", thread_id=big.thread_id)
    workspace.audit.append("tool.erp_post_invoice", {"args": {
        "idempotency_key": "y" * 32}}, thread_id=big.thread_id)
    workspace.erp.post_invoice(PostInvoice(
        idempotency_key="y" * 32, vendor_id="V002", invoice_number="HM-2026-0077",
        invoice_date="2026-10-20", currency="EUR", total=Decimal("24500.00"),
        document_sha256="1" * 64, approved_by="eve"))
    traced = _trace(workspace)
    off_book = next(v for k, v in traced.items() if v.get("SOX-POSTING-TRACE") == "fail")
    assert off_book == {"SOX-POSTING-TRACE": "fail"}
    [eve] = [v for v in traced.values() if len(v) == 3]
    assert eve == {"SOX-POSTING-TRACE": "pass", "SOX-SEGREGATION-OF-DUTIES": "fail",
                   "SOX-APPROVAL-AUTHORITY": "fail"}


@pytest.mark.slow
def test_compliance_trace_command(workspace: Workspace) -> None:
    list(workspace.process([INBOX / CLEAN], submitted_by="sam"))
    home = workspace.settings.home
    ok = wardflow_cli(home, "compliance", "trace", "--json")
    assert ok.returncode == 0, ok.stderr
    assert [(f["rule"], f["outcome"]) for f in json.loads(ok.stdout)] == [
        ("SOX-POSTING-TRACE", "pass")]
    workspace.erp.post_invoice(PostInvoice(
        idempotency_key="z" * 32, vendor_id="V001", invoice_number="OFF-BOOK-2",
        invoice_date="2026-11-01", currency="EUR", total=Decimal("10.00"),
        document_sha256="2" * 64, approved_by="mallory"))
    bad = wardflow_cli(home, "compliance", "trace")
    assert bad.returncode == 1 and "1 SOX finding(s) failed" in bad.stderr
    assert "no audited posting call" in bad.stdout
