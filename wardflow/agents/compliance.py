"""The compliance agent: policy rules that pass, fail or demand a human approval.

Each finding names its rule, the evidence and the action required. The run's
compliance status is the worst outcome among its findings
(``fail`` > ``needs_approval`` > ``pass``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from wardflow.agents._parsers import IBAN_RE

__all__ = ["CompliancePolicy", "check_compliance", "find_card_numbers"]

Outcome = Literal["pass", "needs_approval", "fail"]
_RANK = {"pass": 0, "needs_approval": 1, "fail": 2}
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


@dataclass(frozen=True)
class CompliancePolicy:
    approval_limit: Decimal
    approval_currency: str
    # Invoice total converted to the approval currency, or None without a rate.
    total_in_approval_currency: Decimal | None


def find_card_numbers(text: str) -> list[tuple[int, int]]:
    """Spans of payment card numbers (13-19 digits passing the Luhn check)."""
    ibans = [m.span() for m in IBAN_RE.finditer(text)]
    spans = []
    for m in _CARD.finditer(text):
        if any(start <= m.start() < end for start, end in ibans):
            continue
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and _luhn(digits) and len(set(digits)) > 1:
            spans.append((m.start(), m.end()))
    return spans


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _finding(rule: str, outcome: Outcome, detail: str, action: str, **evidence: Any) -> dict[str, Any]:
    return {"rule": rule, "outcome": outcome, "detail": detail, "action": action,
            "evidence": evidence}


def check_compliance(
    extraction: Mapping[str, Any],
    risk: Mapping[str, Any],
    text: str,
    policy: CompliancePolicy,
) -> dict[str, Any]:
    """Apply the built-in rules (SOX approval limits and vendor master, bank-change
    verification, PCI card data) to one invoice."""
    fields = extraction["fields"]
    total = fields["total"]["value"]
    currency = fields["currency"]["value"]
    findings: list[dict[str, Any]] = []

    converted = policy.total_in_approval_currency
    if total is not None and converted is None:
        findings.append(_finding(
            "SOX-APPROVAL-LIMIT", "needs_approval",
            f"no exchange rate for {currency}; the total cannot be compared with the limit",
            "an approver confirms the amount", field="total",
        ))
    elif converted is not None and converted > policy.approval_limit:
        findings.append(_finding(
            "SOX-APPROVAL-LIMIT", "needs_approval",
            f"total {currency} {total} (about {policy.approval_currency} {converted:.2f}) exceeds"
            f" the auto-approval limit of {policy.approval_currency} {policy.approval_limit}",
            "an approver with a sufficient limit approves", field="total",
        ))
    else:
        findings.append(_finding(
            "SOX-APPROVAL-LIMIT", "pass",
            f"total within the auto-approval limit of {policy.approval_currency}"
            f" {policy.approval_limit}", "none", field="total",
        ))

    codes = {r["code"] for r in risk.get("reasons", [])}
    if "unknown_vendor" in codes:
        findings.append(_finding(
            "SOX-VENDOR-MASTER", "needs_approval",
            "invoices are posted only to vendors in the vendor master",
            "a controller creates or matches the vendor before approval", field="vendor",
        ))
    if "bank_details_changed" in codes:
        findings.append(_finding(
            "AP-BANK-CHANGE-VERIFY", "needs_approval",
            "bank details differ from the vendor master",
            "verify the change with the vendor through a known contact before paying",
            field="iban",
        ))
    cards = find_card_numbers(text)
    if cards:
        findings.append(_finding(
            "PCI-CARD-DATA", "needs_approval",
            f"{len(cards)} payment card number(s) in the document",
            "card numbers must be redacted before storage or any model call",
            spans=[list(s) for s in cards],
        ))
    status: Outcome = max((f["outcome"] for f in findings), key=_RANK.__getitem__, default="pass")
    return {"status": status, "findings": findings}
