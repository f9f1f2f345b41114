"""The risk agent: named reasons with evidence and weights, combined into one score.

Each signal carries a weight in [0, 1], read as "how likely this alone means the
invoice must not be paid as is". Signals combine like independent evidence
(noisy-OR): ``score = 1 - prod(1 - weight)``. One strong signal (a duplicate, 0.9)
is enough to reach review at the default threshold of 0.5; two weak ones (a round
amount, 0.15, and an old date, 0.3) are not (0.41).

Calibration of the weights: a signal that alone must send an invoice to a human
(duplicates, near duplicates, changed bank details, unknown vendor, a PO of another
vendor or exceeded, a tax rate the country does not have, more invoiced than received,
a PDF whose page and e-invoice XML disagree or whose XML cannot be read, a credit note,
an invoice memory that could not be searched for near duplicates)
weighs 0.5 or more; a pattern that is only suspicious together with another one
(round amount, just under the approval limit, an implausible date, a missing PO)
weighs less, so that two of them still stay below 0.5 and three reach it.
:class:`RiskPolicy` holds the thresholds (from :class:`~wardflow.config.Settings`)
and may replace the weights, e.g. with ones re-fitted from reviewer decisions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from statistics import median
from typing import TYPE_CHECKING, Any

from wardflow.tools.erp import GoodsReceipt, InvoicePosting, PurchaseOrder, Vendor
from wardflow.tools.memory import SimilarInvoice

if TYPE_CHECKING:
    from wardflow.config import Settings

__all__ = ["WEIGHTS", "RiskPolicy", "assess_risk", "combine"]

WEIGHTS: Mapping[str, float] = {
    "exact_duplicate": 1.0,
    "duplicate_invoice_number": 0.9,
    "bank_details_changed": 0.8,
    "einvoice_mismatch": 0.8,
    "near_duplicate": 0.7,
    "unknown_vendor": 0.7,
    "po_vendor_mismatch": 0.6,
    "amount_over_po": 0.5,
    "quantity_mismatch": 0.5,
    "tax_rate_invalid": 0.5,
    "po_not_found": 0.4,
    "credit_note": 0.6,
    "einvoice_unreadable": 0.5,
    # The invoice memory could not be searched: a near duplicate may have gone unseen,
    # so a human looks (a check that did not run never lets an invoice through).
    "memory_unavailable": 0.5,
    "po_missing": 0.2,
    "amount_outlier": 0.4,
    "date_implausible": 0.3,
    "just_under_approval_limit": 0.2,
    "round_amount": 0.15,
}


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """Thresholds of the risk signals (see ``Settings`` for their meaning) and the
    weights, ``WEIGHTS`` unless given."""

    approval_limit: Decimal = Decimal("10000")
    just_under_limit_band: float = 0.05
    near_duplicate_similarity: float = 0.85
    near_duplicate_amount_tolerance: float = 0.02
    near_duplicate_days: int = 7
    quantity_tolerance: float = 0.0
    # "No PO, no pay": an invoice at or above this (approval currency) needs a PO.
    po_required_from: Decimal | None = None
    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS))

    @classmethod
    def from_settings(cls, settings: Settings) -> RiskPolicy:
        return cls(
            approval_limit=settings.approval_limit,
            just_under_limit_band=settings.just_under_limit_band,
            near_duplicate_similarity=settings.near_duplicate_similarity,
            near_duplicate_amount_tolerance=settings.near_duplicate_amount_tolerance,
            near_duplicate_days=settings.near_duplicate_days,
            quantity_tolerance=settings.quantity_tolerance,
            po_required_from=settings.po_required_from,
        )


def combine(weights: Sequence[float]) -> float:
    """Noisy-OR of independent signals."""
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


def _make_reason(code: str, detail: str, evidence: Mapping[str, Any],
                 weights: Mapping[str, float] = WEIGHTS) -> dict[str, Any]:
    return {"code": code, "weight": weights.get(code, WEIGHTS[code]), "detail": detail,
            "evidence": dict(evidence)}


def assess_risk(
    extraction: Mapping[str, Any],
    *,
    document_sha256: str,
    vendor: Vendor | None,
    same_document: Sequence[InvoicePosting],
    same_number: Sequence[InvoicePosting],
    vendor_history: Sequence[InvoicePosting],
    purchase_order: PurchaseOrder | None,
    similar: Sequence[SimilarInvoice] = (),
    goods_receipts: Sequence[GoodsReceipt] = (),
    approval_amount: Decimal | None = None,
    policy: RiskPolicy | None = None,
    memory_error: str | None = None,
) -> dict[str, Any]:
    """Score an extracted invoice against what the ERP and the memory already know.

    The caller looks the facts up (ERP tools, the invoice memory's nearest neighbours,
    the total converted to the approval currency) and passes them in, so the
    assessment itself is a pure function: easy to test, replay and explain.
    ``memory_error`` says why the memory could not be searched (the reason
    ``memory_unavailable``).
    """
    policy = policy or RiskPolicy()
    fields = extraction["fields"]
    value = {name: f["value"] for name, f in fields.items()}
    total = Decimal(value["total"]) if value.get("total") else None
    found = [
        *_duplicate_reasons(same_document, same_number, document_sha256),
        *_vendor_reasons(value, vendor),
        *_amount_reasons(value, total, vendor_history),
        *_po_reasons(value, total, vendor, purchase_order),
        *_einvoice_reasons(extraction),
        *_date_reasons(extraction),
    ]
    if not same_document and not same_number:
        # A duplicate already named by the ERP is not counted twice.
        for near in _near_duplicates(value, vendor, document_sha256, similar, policy):
            found.append(("near_duplicate", near["detail"], near["evidence"]))
            break
    if memory_error is not None:
        found.append(("memory_unavailable", "the invoice memory could not be searched for"
                      " near duplicates; check by hand", {"error": memory_error}))
    found += _approval_reasons(value.get("po_number"), approval_amount, policy)
    tax = _tax_rate_reason(value, vendor)
    if tax is not None:
        found.append(("tax_rate_invalid", *tax))
    if purchase_order is not None and goods_receipts:
        found += _receipt_reasons(extraction, purchase_order, goods_receipts, policy)
    reasons = [_make_reason(code, detail, evidence, policy.weights)
               for code, detail, evidence in found]
    return {
        "score": combine([r["weight"] for r in reasons]),
        "reasons": reasons,
        "vendor_id": vendor.id if vendor else None,
    }


# A reason before it is weighed: code, detail, evidence.
_Found = tuple[str, str, dict[str, Any]]


def _duplicate_reasons(same_document: Sequence[InvoicePosting],
                       same_number: Sequence[InvoicePosting], document_sha256: str
                       ) -> list[_Found]:
    """The same document, else the same invoice number, already posted."""
    if same_document:
        p = same_document[0]
        return [("exact_duplicate", f"the same document was already posted as {p.posting_id}",
                 {"posting_id": p.posting_id, "document_sha256": document_sha256})]
    if same_number:
        p = same_number[0]
        return [(
            "duplicate_invoice_number",
            f"invoice {p.invoice_number} from this vendor was already posted as {p.posting_id}"
            f" ({p.currency} {p.total}, {p.invoice_date})",
            {"posting_id": p.posting_id, "invoice_number": p.invoice_number,
             "total": str(p.total), "field": "invoice_number"},
        )]
    return []


def _vendor_reasons(value: Mapping[str, Any], vendor: Vendor | None) -> list[_Found]:
    """An issuer not in the vendor master, or one whose bank account differs from it."""
    if vendor is None:
        return [(
            "unknown_vendor", f"{value.get('vendor') or 'the issuer'} is not in the vendor master",
            {"field": "vendor", "value": value.get("vendor")},
        )]
    if value.get("iban") and vendor.iban and value["iban"] != vendor.iban:
        return [(
            "bank_details_changed",
            f"the invoice asks for payment to {_mask(value['iban'])}, the vendor master has"
            f" {_mask(vendor.iban)}",
            {"field": "iban", "master_iban": _mask(vendor.iban), "invoice_iban": _mask(value["iban"])},
        )]
    return []


def _amount_reasons(value: Mapping[str, Any], total: Decimal | None,
                    vendor_history: Sequence[InvoicePosting]) -> list[_Found]:
    """A total far from the vendor's median, and a round total."""
    found: list[_Found] = []
    if total is None:
        return found
    history = [p.total for p in vendor_history if p.currency == value.get("currency")]
    if len(history) >= 3:
        typical = Decimal(median(history))
        if typical > 0 and (total > typical * 3 or total < typical / 3):
            found.append((
                "amount_outlier",
                f"total {total} is far from this vendor's median {typical} over"
                f" {len(history)} invoices",
                {"field": "total", "median": str(typical), "invoices": len(history)},
            ))
    if total >= 1000 and total % 1000 == 0:
        found.append(("round_amount", f"total {total} is a round amount", {"field": "total"}))
    return found


def _po_reasons(value: Mapping[str, Any], total: Decimal | None, vendor: Vendor | None,
                purchase_order: PurchaseOrder | None) -> list[_Found]:
    """A purchase order named on the invoice that the ERP lacks, that is another
    vendor's, or that the net amount exceeds."""
    po = value.get("po_number")
    if not po:
        return []
    if purchase_order is None:
        return [("po_not_found", f"purchase order {po} is not in the ERP", {"field": "po_number"})]
    found: list[_Found] = []
    if vendor is not None and purchase_order.vendor_id != vendor.id:
        found.append((
            "po_vendor_mismatch",
            f"purchase order {po} belongs to vendor {purchase_order.vendor_id}",
            {"field": "po_number"},
        ))
    subtotal = Decimal(value["subtotal"]) if value.get("subtotal") else total
    if subtotal is not None and subtotal > purchase_order.amount + Decimal("0.01"):
        found.append((
            "amount_over_po",
            f"net amount {subtotal} exceeds purchase order {po} ({purchase_order.amount})",
            {"field": "subtotal", "po_amount": str(purchase_order.amount)},
        ))
    return found


def _date_reasons(extraction: Mapping[str, Any]) -> list[_Found]:
    """An invoice date the extractor's ``date_sane`` check failed."""
    found: list[_Found] = []
    for check in extraction.get("checks", []):
        if check["name"] == "date_sane" and not check["passed"]:
            kind = "future" if "future" in check["detail"] else "old"
            found.append(("date_implausible", check["detail"],
                          {"field": "invoice_date", "kind": kind}))
    return found


def _approval_reasons(po: Any, approval_amount: Decimal | None,
                      policy: RiskPolicy) -> list[_Found]:
    """No purchase order where one is required, and a total just under the approval
    limit."""
    found: list[_Found] = []
    if (not po and approval_amount is not None and policy.po_required_from is not None
            and approval_amount >= policy.po_required_from):
        found.append((
            "po_missing",
            f"no purchase order on an invoice of {approval_amount}; from"
            f" {policy.po_required_from} a PO is required",
            {"field": "po_number", "amount": str(approval_amount),
             "required_from": str(policy.po_required_from)},
        ))
    if approval_amount is not None and policy.just_under_limit_band > 0:
        floor = policy.approval_limit * (1 - Decimal(str(policy.just_under_limit_band)))
        if floor <= approval_amount < policy.approval_limit:
            found.append((
                "just_under_approval_limit",
                f"total {approval_amount} is just under the approval limit"
                f" {policy.approval_limit}",
                {"field": "total", "amount": str(approval_amount),
                 "limit": str(policy.approval_limit), "band": policy.just_under_limit_band},
            ))
    return found


def _receipt_reasons(extraction: Mapping[str, Any], purchase_order: PurchaseOrder,
                     goods_receipts: Sequence[GoodsReceipt], policy: RiskPolicy) -> list[_Found]:
    """Invoice lines that bill more than the goods receipts of the order record."""
    short = _quantity_mismatches(extraction.get("line_items", []), goods_receipts,
                                 policy.quantity_tolerance)
    if not short:
        return []
    return [(
        "quantity_mismatch",
        f"{len(short)} invoice line(s) bill more than was received against"
        f" {purchase_order.po_number}: " + "; ".join(
            f"{s['description']} ({s['invoiced']} invoiced, {s['received']} received)"
            for s in short[:3]),
        {"field": "line_items", "po_number": purchase_order.po_number, "lines": short},
    )]


def _einvoice_reasons(extraction: Mapping[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """What the e-invoice XML says against the page (see wardflow/agents/_einvoice.py):
    a page that shows another total, account or seller than the XML the payment run
    reads is a known fraud pattern; so is an attachment that cannot be read."""
    einvoice = extraction.get("einvoice") or {}
    found: list[tuple[str, str, dict[str, Any]]] = []
    if einvoice.get("error"):
        found.append(("einvoice_unreadable",
                      f"the PDF carries an e-invoice XML that cannot be read: {einvoice['error']}",
                      {"field": "einvoice", "error": einvoice["error"]}))
    mismatches = einvoice.get("mismatches") or []
    if mismatches:
        shown = [{"field": m["field"],
                  "xml": _mask(m["xml"]) if m["field"] == "iban" else m["xml"],
                  "visible": ([_mask(v) for v in m["visible"]] if isinstance(m["visible"], list)
                              else _mask(m["visible"]) if m["visible"] else None)
                  if m["field"] == "iban" else m["visible"]}
                 for m in mismatches]
        found.append(("einvoice_mismatch",
                      "the page and the e-invoice XML disagree: "
                      + "; ".join(m["detail"] for m in mismatches),
                      {"field": mismatches[0]["field"], "mismatches": shown,
                       "attachment": einvoice.get("attachment")}))
    if einvoice.get("credit_note"):
        found.append(("credit_note",
                      f"the e-invoice is a credit note (type code {einvoice.get('type_code')}):"
                      " it is booked against the invoice it credits, not paid",
                      {"field": "total", "type_code": einvoice.get("type_code")}))
    return found


def _mask(iban: str) -> str:
    """Country code and last four characters only: enough to tell two IBANs apart."""
    return f"{iban[:2]}** **** {iban[-4:]}" if len(iban) > 8 else "****"


# Near duplicates -------------------------------------------------------------------
def _near_duplicates(
    value: Mapping[str, Any], vendor: Vendor | None, sha: str,
    similar: Sequence[SimilarInvoice], policy: RiskPolicy,
) -> list[dict[str, Any]]:
    """Remembered invoices of the same vendor whose summary is close to this one's and
    that agree on two of: total, date, invoice number. Text similarity alone is not
    enough (a vendor's monthly invoices read alike); the facts must agree too. A
    clearly different invoice number (not a suffix, reformatting or transposed digits
    of the other) needs the same total on (almost) the same day: a weekly fixed fee
    has the same total a week apart under the next number, and is no duplicate."""
    found: list[dict[str, Any]] = []
    for hit in similar:
        prior = hit.record
        if prior.sha256 == sha or hit.similarity < policy.near_duplicate_similarity:
            continue
        if not _same_vendor(value, vendor, prior.vendor_id, prior.vendor_tax_id, prior.vendor):
            continue
        agree = []
        total, prior_total = _decimal(value.get("total")), _decimal(prior.total)
        if total is not None and prior_total is not None and (
                abs(total - prior_total)
                <= Decimal(str(policy.near_duplicate_amount_tolerance)) * max(total, prior_total)):
            agree.append("total")
        days = _days_apart(value.get("invoice_date"), prior.invoice_date)
        if days is not None and days <= policy.near_duplicate_days:
            agree.append("invoice_date")
        number = str(value.get("invoice_number") or "")
        if number and prior.invoice_number and _similar_number(number, prior.invoice_number):
            agree.append("invoice_number")
        elif number and prior.invoice_number and (days is None or days > 1):
            continue
        if len(agree) >= 2:
            found.append({
                "detail": f"close to invoice {prior.invoice_number or '?'} of"
                          f" {prior.invoice_date or '?'} ({prior.currency} {prior.total}),"
                          f" similarity {hit.similarity:.2f}; same {', '.join(agree)}",
                "evidence": {"document_id": prior.id, "similarity": hit.similarity,
                             "invoice_number": prior.invoice_number, "total": prior.total,
                             "invoice_date": prior.invoice_date, "agree": agree},
            })
    return found


def _same_vendor(value: Mapping[str, Any], vendor: Vendor | None, vendor_id: str,
                 tax_id: str, name: str) -> bool:
    if vendor is not None and vendor_id:
        return vendor.id == vendor_id
    mine = _norm(str(value.get("vendor_tax_id") or ""))
    if mine and tax_id:
        return mine == _norm(tax_id)
    return bool(name) and _norm(str(value.get("vendor") or "")) == _norm(name)


def _similar_number(a: str, b: str) -> bool:
    """The same number written another way: equal without punctuation, case and
    leading zeros (NLS-INV-2026-0412, nlsinv2026412), or with a suffix or prefix added
    (INV-1041 and INV-1041-R), or two neighbouring digits swapped. Consecutive numbers
    (0412, 0413) are different invoices, so no edit-distance match."""
    x, y = _norm(a), _norm(b)
    if x == y or (_digits(a) & _digits(b) and _letters(a) == _letters(b)):
        return True
    if len(x) == len(y) and _letters(a) == _letters(b):
        # Two neighbouring digits swapped: the classic keying error (0412 / 0421).
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] \
                and x[diff[1]] == y[diff[0]]:
            return True
    short, long_ = sorted((x, y), key=len)
    return len(short) >= 4 and (long_.startswith(short) or long_.endswith(short))


def _digits(text: str) -> set[str]:
    """The digits as written, and without each group's leading zeros."""
    groups = re.findall(r"\d+", text)
    return {"".join(groups), "".join(g.lstrip("0") for g in groups)} - {""}


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalpha())


def _norm(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _decimal(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text)) if text not in (None, "") else None
    except InvalidOperation:
        return None


def _days_apart(a: Any, b: str) -> int | None:
    try:
        return abs((date.fromisoformat(str(a)) - date.fromisoformat(b)).days)
    except ValueError:
        return None


# Tax rates -------------------------------------------------------------------------
# Standard and reduced VAT/GST rates (percent) in force in 2026; 0 (exempt, reverse
# charge, intra-EU supply) is always valid. Sources: the EU Commission's "VAT rates
# applied in the Member States", HMRC, the Swiss ESTV. Countries not listed (the US
# has state sales taxes) are not checked.
VAT_RATES: Mapping[str, frozenset[Decimal]] = {
    country: frozenset(Decimal(r) for r in rates.split())
    for country, rates in {
        "AT": "20 13 10", "BE": "21 12 6", "CH": "8.1 3.8 2.6", "CZ": "21 12",
        "DE": "19 7", "DK": "25", "ES": "21 10 4", "FI": "25.5 14 10", "FR": "20 10 5.5 2.1",
        "GB": "20 5", "IE": "23 13.5 9 4.8", "IT": "22 10 5 4", "LU": "17 14 8 3",
        "NL": "21 9", "NO": "25 15 12", "PL": "23 8 5", "PT": "23 13 6", "SE": "25 12 6",
    }.items()
}


def _country(value: Mapping[str, Any], vendor: Vendor | None) -> str | None:
    """The vendor master's country, else the tax id's prefix (DE…, CHE-…)."""
    if vendor is not None and vendor.country:
        return vendor.country.upper()
    tax_id = str(value.get("vendor_tax_id") or "").upper()
    prefix = tax_id[:2]
    return prefix if prefix.isalpha() and prefix in VAT_RATES else None


def _tax_rate_reason(value: Mapping[str, Any], vendor: Vendor | None
                     ) -> tuple[str, dict[str, Any]] | None:
    rate = _decimal(value.get("tax_rate"))
    country = _country(value, vendor)
    if rate is None or rate == 0 or country is None or country not in VAT_RATES:
        return None
    valid = VAT_RATES[country]
    if any(abs(rate - r) < Decimal("0.05") for r in valid):
        return None
    rates = ", ".join(f"{r}%" for r in sorted(valid, reverse=True))
    return (f"a tax rate of {rate}% does not exist in {country} ({rates}, or 0%)",
            {"field": "tax_rate", "rate": str(rate), "country": country,
             "valid": sorted(str(r) for r in valid)})


# Three-way match -------------------------------------------------------------------
def _quantity_mismatches(lines: Sequence[Mapping[str, Any]], receipts: Sequence[GoodsReceipt],
                         tolerance: float) -> list[dict[str, str]]:
    """Invoice lines that bill more than was received. A receipt line matches an
    invoice line by description (same words, or most of them)."""
    received: dict[str, Decimal] = {}
    for r in receipts:
        received[r.description] = received.get(r.description, Decimal(0)) + r.quantity
    short: list[dict[str, str]] = []
    for line in lines:
        qty = _decimal(line.get("quantity"))
        description = str(line.get("description") or "")
        if qty is None or not description:
            continue
        got = sum((q for d, q in received.items() if _same_item(description, d)), Decimal(0))
        if qty > got * (1 + Decimal(str(tolerance))):
            short.append({"description": description, "invoiced": str(qty), "received": str(got)})
    return short


def _same_item(a: str, b: str) -> bool:
    x, y = set(a.casefold().split()), set(b.casefold().split())
    return bool(x and y) and len(x & y) / len(x | y) >= 0.6
