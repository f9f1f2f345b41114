"""The risk agent: named reasons with evidence and weights, combined into one score.

Each signal carries a weight in [0, 1], read as "how likely this alone means the
invoice must not be paid as is". Signals combine like independent evidence
(noisy-OR): ``score = 1 - prod(1 - weight)``. One strong signal (a duplicate, 0.9)
is enough to reach review at the default threshold of 0.5; two weak ones (a round
amount, 0.15, and an old date, 0.3) are not (0.41).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from statistics import median
from typing import Any

from wardflow.tools.erp import InvoicePosting, PurchaseOrder, Vendor

__all__ = ["WEIGHTS", "assess_risk", "combine"]

WEIGHTS: Mapping[str, float] = {
    "exact_duplicate": 1.0,
    "duplicate_invoice_number": 0.9,
    "bank_details_changed": 0.8,
    "unknown_vendor": 0.7,
    "po_vendor_mismatch": 0.6,
    "amount_over_po": 0.5,
    "po_not_found": 0.4,
    "amount_outlier": 0.4,
    "date_implausible": 0.3,
    "round_amount": 0.15,
}


def combine(weights: Sequence[float]) -> float:
    """Noisy-OR of independent signals."""
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


def _reason(code: str, detail: str, evidence: Mapping[str, Any]) -> dict[str, Any]:
    return {"code": code, "weight": WEIGHTS[code], "detail": detail, "evidence": dict(evidence)}


def assess_risk(
    extraction: Mapping[str, Any],
    *,
    document_sha256: str,
    vendor: Vendor | None,
    same_document: Sequence[InvoicePosting],
    same_number: Sequence[InvoicePosting],
    vendor_history: Sequence[InvoicePosting],
    purchase_order: PurchaseOrder | None,
) -> dict[str, Any]:
    """Score an extracted invoice against what the ERP already knows.

    The caller looks the facts up (through the ERP tools) and passes them in, so the
    assessment itself is a pure function: easy to test, replay and explain.
    """
    fields = extraction["fields"]
    value = {name: f["value"] for name, f in fields.items()}
    reasons: list[dict[str, Any]] = []

    if same_document:
        p = same_document[0]
        reasons.append(_reason(
            "exact_duplicate", f"the same document was already posted as {p.posting_id}",
            {"posting_id": p.posting_id, "document_sha256": document_sha256},
        ))
    elif same_number:
        p = same_number[0]
        reasons.append(_reason(
            "duplicate_invoice_number",
            f"invoice {p.invoice_number} from this vendor was already posted as {p.posting_id}"
            f" ({p.currency} {p.total}, {p.invoice_date})",
            {"posting_id": p.posting_id, "invoice_number": p.invoice_number,
             "total": str(p.total), "field": "invoice_number"},
        ))

    if vendor is None:
        reasons.append(_reason(
            "unknown_vendor", f"{value.get('vendor') or 'the issuer'} is not in the vendor master",
            {"field": "vendor", "value": value.get("vendor")},
        ))
    elif value.get("iban") and vendor.iban and value["iban"] != vendor.iban:
        reasons.append(_reason(
            "bank_details_changed",
            f"the invoice asks for payment to {_mask(value['iban'])}, the vendor master has"
            f" {_mask(vendor.iban)}",
            {"field": "iban", "master_iban": _mask(vendor.iban), "invoice_iban": _mask(value["iban"])},
        ))

    total = Decimal(value["total"]) if value.get("total") else None
    if total is not None:
        history = [p.total for p in vendor_history if p.currency == value.get("currency")]
        if len(history) >= 3:
            typical = Decimal(median(history))
            if typical > 0 and (total > typical * 3 or total < typical / 3):
                reasons.append(_reason(
                    "amount_outlier",
                    f"total {total} is far from this vendor's median {typical} over"
                    f" {len(history)} invoices",
                    {"field": "total", "median": str(typical), "invoices": len(history)},
                ))
        if total >= 1000 and total % 1000 == 0:
            reasons.append(_reason(
                "round_amount", f"total {total} is a round amount", {"field": "total"}
            ))

    po = value.get("po_number")
    if po:
        if purchase_order is None:
            reasons.append(_reason(
                "po_not_found", f"purchase order {po} is not in the ERP", {"field": "po_number"}
            ))
        else:
            if vendor is not None and purchase_order.vendor_id != vendor.id:
                reasons.append(_reason(
                    "po_vendor_mismatch",
                    f"purchase order {po} belongs to vendor {purchase_order.vendor_id}",
                    {"field": "po_number"},
                ))
            subtotal = Decimal(value["subtotal"]) if value.get("subtotal") else total
            if subtotal is not None and subtotal > purchase_order.amount + Decimal("0.01"):
                reasons.append(_reason(
                    "amount_over_po",
                    f"net amount {subtotal} exceeds purchase order {po} ({purchase_order.amount})",
                    {"field": "subtotal", "po_amount": str(purchase_order.amount)},
                ))

    for check in extraction.get("checks", []):
        if check["name"] == "date_sane" and not check["passed"]:
            reasons.append(_reason("date_implausible", check["detail"], {"field": "invoice_date"}))

    return {
        "score": combine([r["weight"] for r in reasons]),
        "reasons": reasons,
        "vendor_id": vendor.id if vendor else None,
    }


def _mask(iban: str) -> str:
    """Country code and last four characters only: enough to tell two IBANs apart."""
    return f"{iban[:2]}** **** {iban[-4:]}" if len(iban) > 8 else "****"
