"""The invoice graph's routing decision: post automatically, or ask a human and say why;
and the review request a run routed to a human pauses with.

Pure functions of the run state and the settings (the ``route`` and ``review`` nodes of
:class:`~wardflow.graphs.invoice.InvoiceNodes` call them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from langchain_core.runnables import RunnableConfig

from wardflow.config import Settings
from wardflow.observability.audit import digest
from wardflow.review.payloads import ProposedAction, ReviewReason, ReviewRequest
from wardflow.runstate import ReviewRecord

# Guard outcomes that stop the automatic path ("fixed" means sanitized, e.g. tokenized).
STOPS = ("flagged", "blocked")
REVIEW_DEADLINE = timedelta(hours=48)
# Failed rules that only a controller may wave through.
_CONTROLLER_RULES = ("SOX-APPROVAL-LIMIT", "SOX-VENDOR-MASTER", "AP-BANK-CHANGE-VERIFY")
# The checks whose failure is an arithmetic reason for review.
_ARITHMETIC = ("totals_add_up", "line_items_sum", "tax_rate_applied")


def route_decision(state: Mapping[str, Any], settings: Settings,
                   clock: Callable[[], datetime]) -> dict[str, Any]:
    """The ``route`` node's update: the proposal, the route and every reason for review
    (with a deadline from ``clock``, asked only when the run goes to review)."""
    reasons = extraction_reasons(state, settings) + policy_reasons(state, settings)
    proposal = posting_proposal(state)
    if proposal["missing"]:
        reasons.append({"code": "incomplete", "detail": "cannot post without "
                        + ", ".join(proposal["missing"]), "evidence": {}})
    route = "review" if reasons else "post"
    deadline = (clock() + REVIEW_DEADLINE).isoformat() if route == "review" else None
    # The same word the CLI and the pages use for a run that waits for a reviewer.
    return {"status": "awaiting_review" if route == "review" else "routed",
            "proposal": proposal,
            "decision": {"route": route, "reasons": reasons, "deadline": deadline}}


def extraction_reasons(state: Mapping[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """Why the reading of the document needs a human: OCR, low confidence, a failed or
    disagreeing model, arithmetic that does not add up."""
    extraction = state["extraction"]
    reasons: list[dict[str, Any]] = []
    if state.get("text_method") == "ocr":
        reasons.append({"code": "ocr_source", "detail": "the text was read by OCR",
                        "evidence": {"quality": state.get("text_quality")}})
    if extraction["confidence"] < settings.review_threshold:
        low = extraction["low_confidence"]
        reasons.append({
            "code": "low_confidence",
            "detail": f"confidence {extraction['confidence']:.2f} is below"
                      f" {settings.review_threshold:.2f} ({', '.join(low)})",
            "evidence": {n: extraction["fields"][n]["notes"] for n in low},
        })
    model = extraction.get("model") or {}
    if model.get("status") in ("invalid_output", "unavailable"):
        reasons.append({"code": "model_failed", "detail": model["detail"],
                        "evidence": {"output": model.get("output", "")}})
    for name in extraction.get("disagreements", []):
        field = extraction["fields"][name]
        reasons.append({"code": "model_disagreement",
                        "detail": f"{name}: the parsers read {field['value']!r}, the model"
                                  f" read {field['model_value']!r}",
                        "evidence": field["disagreement"]})
    for check in extraction["checks"]:
        if not check["passed"] and check["name"] in _ARITHMETIC:
            reasons.append({"code": "arithmetic", "detail": check["detail"],
                            "evidence": {"check": check["name"]}})
    return reasons


def policy_reasons(state: Mapping[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """Why policy needs a human: risk over the threshold, a compliance finding, a guard
    that stopped the automatic path, a reviewer's correction (another one approves)."""
    risk, compliance = state["risk"], state["compliance"]
    reasons: list[dict[str, Any]] = []
    if risk["score"] >= settings.risk_threshold:
        for r in risk["reasons"]:
            reasons.append({"code": r["code"], "detail": r["detail"], "evidence": r["evidence"]})
    for finding in compliance["findings"]:
        if finding["outcome"] != "pass":
            reasons.append({"code": rule_code(finding["rule"]), "detail": finding["detail"],
                            "evidence": {"rule": finding["rule"], "action": finding["action"]}})
    for decision in state.get("guard", []):
        if decision["outcome"] in STOPS:
            reasons.append({"code": decision["validator"], "detail": decision["detail"],
                            "evidence": {"boundary": decision["boundary"],
                                         "matches": decision["evidence"]}})
    if state.get("corrections"):
        by = sorted(set(state.get("editors", [])))
        reasons.append({"code": "reviewer_correction",
                        "detail": f"fields corrected by {', '.join(by)}; another reviewer"
                                  " approves", "evidence": {"corrections": state["corrections"]}})
    return reasons


def posting_proposal(state: Mapping[str, Any]) -> dict[str, Any]:
    """The ERP posting the run proposes, with its idempotency key and arguments' hash;
    ``args`` None and the ``missing`` fields when it cannot post."""
    fields = state["extraction"]["fields"]
    value = {name: f["value"] for name, f in fields.items()}
    sha = state["document"]["sha256"]
    required = ("vendor_id", "invoice_number", "invoice_date", "currency", "total")
    missing = [name for name in required if not value.get(name)]
    if missing:
        return {"tool": "erp_post_invoice", "args": None, "args_hash": None, "missing": missing}
    key = hashlib.sha256(
        f"{sha}|{value['vendor_id']}|{value['invoice_number']}".encode()
    ).hexdigest()[:32]
    args = {
        "idempotency_key": key,
        "vendor_id": value["vendor_id"],
        "invoice_number": value["invoice_number"],
        "invoice_date": value["invoice_date"],
        "currency": value["currency"],
        "subtotal": value.get("subtotal"),
        "tax": value.get("tax"),
        "total": value["total"],
        "iban": value.get("iban"),
        "po_number": value.get("po_number"),
        "document_sha256": sha,
    }
    return {"tool": "erp_post_invoice", "args": args, "args_hash": digest(args), "missing": []}


def rule_code(rule: str) -> str:
    """The review reason code of a compliance rule."""
    return {
        "SOX-APPROVAL-LIMIT": "over_approval_limit",
        "SOX-VENDOR-MASTER": "vendor_not_in_master",
        "AP-BANK-CHANGE-VERIFY": "bank_change_verification",
        "PCI-CARD-DATA": "card_data",
        "PCI-CARD-STORAGE": "card_data_stored",
        "SOX-SEGREGATION-OF-DUTIES": "segregation_of_duties",
        "GDPR-DATA-MINIMISATION": "data_minimisation",
    }.get(rule, rule.lower())


def review_request(state: Mapping[str, Any], config: RunnableConfig,
                   clock: Callable[[], datetime]) -> ReviewRequest:
    """What the reviewer is asked: the document, the reasons, the fields with their
    evidence, risk, compliance, the proposed posting, and who may decide by when."""
    extraction = state["extraction"]
    proposal = state["proposal"]
    amount = extraction["fields"]["total"]["value"]
    needs_controller = any(
        f["outcome"] != "pass" and f["rule"] in _CONTROLLER_RULES
        for f in state["compliance"]["findings"]
    )
    return ReviewRequest(
        thread_id=(config.get("configurable") or {}).get("thread_id", ""),
        document={k: state["document"].get(k) for k in ("id", "name", "source", "sha256")}
        | {"pages": extraction.get("pages"), "method": extraction.get("method")},
        reasons=[ReviewReason(**r) for r in state["decision"]["reasons"]],
        fields={n: {"value": f["value"], "confidence": f["confidence"],
                    "evidence": f["evidence"]} for n, f in extraction["fields"].items()},
        confidence=extraction["confidence"],
        risk=state["risk"],
        compliance=state["compliance"],
        proposed_action=ProposedAction(**proposal),
        required_role="controller" if needs_controller or amount is None else "approver",
        deadline=state["decision"]["deadline"] or clock().isoformat(),
        submitted_by=state.get("submitted_by"),
        editors=list(state.get("editors", [])),
        refused=ReviewRecord.of(state.get("review")).refused,
    )
