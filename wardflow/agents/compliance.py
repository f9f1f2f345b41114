"""The compliance agent: policy packs whose rules pass, fail or demand a human approval.

Each finding names its rule, the evidence and the action required. The run's
compliance status is the worst outcome among its findings
(``fail`` > ``needs_approval`` > ``pass``). A workflow picks its packs
(``Settings.compliance_packs``, a blueprint's ``compliance:``):

=====  ==========================================================================
pack   rules
=====  ==========================================================================
sox    SOX-APPROVAL-LIMIT (the total against the auto-approval limit; approvers'
       own limits are enforced at the decision), SOX-VENDOR-MASTER, and
       SOX-SEGREGATION-OF-DUTIES (the submitter and anyone who corrected fields may
       not approve). After posting, :func:`wardflow.agents.policies.trace_postings`
       checks that every posting goes back to an approval or the auto-approval rule.
gdpr   GDPR-DATA-MINIMISATION (no personal data in the fields that are stored,
       other than the payment IBAN) and GDPR-PERSONAL-DATA (what the document
       carries, its retention date, and how to erase it).
pci    PCI-CARD-STORAGE (no card number in a stored field) and PCI-CARD-DATA (card
       numbers in the document; ``fail`` if one reached the text a model is shown).
=====  ==========================================================================

AP-BANK-CHANGE-VERIFY (a payment to changed bank details) applies in every
workflow. HIPAA and GxP packs are not provided: invoices carry no health records or
batch data for them to judge, and a pack without real rules would only look like
coverage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from wardflow.agents._parsers import IBAN_RE
from wardflow.config import COMPLIANCE_PACKS
from wardflow.guardrails.pii import find_pii

__all__ = ["PACKS", "CompliancePolicy", "RunFacts", "check_compliance", "find_card_numbers"]

PACKS = COMPLIANCE_PACKS

Outcome = Literal["pass", "needs_approval", "fail"]
_RANK = {"pass": 0, "needs_approval": 1, "fail": 2}
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


# Fields kept with a posting whose personal data the posting needs (paying the vendor).
_NEEDED_PII = {"iban": frozenset({"IBAN"})}


@dataclass(frozen=True)
class CompliancePolicy:
    approval_limit: Decimal
    approval_currency: str
    # Invoice total converted to the approval currency, or None without a rate.
    total_in_approval_currency: Decimal | None
    packs: frozenset[str] = frozenset(PACKS)
    retention_days: int = 3650


@dataclass(frozen=True)
class RunFacts:
    """What the run knows besides the document: who submitted and corrected it, the
    text a model is shown, and the day (for the retention date)."""

    submitted_by: str | None = None
    editors: Sequence[str] = ()
    shown_to_model: str | None = None
    today: date | None = None


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
    facts: RunFacts | None = None,
) -> dict[str, Any]:
    """Apply the policy's packs (and the bank-change control) to one invoice."""
    facts = facts or RunFacts()
    findings: list[dict[str, Any]] = []
    if "sox" in policy.packs:
        findings += _sox(extraction, risk, policy, facts)
    if "bank_details_changed" in _codes(risk):
        findings.append(_finding(
            "AP-BANK-CHANGE-VERIFY", "needs_approval",
            "bank details differ from the vendor master",
            "verify the change with the vendor through a known contact before paying",
            field="iban",
        ))
    if "gdpr" in policy.packs:
        findings += _gdpr(extraction, text, policy, facts)
    if "pci" in policy.packs:
        findings += _pci(extraction, text, facts)
    status: Outcome = max((f["outcome"] for f in findings), key=_RANK.__getitem__, default="pass")
    return {"status": status, "findings": findings, "packs": sorted(policy.packs)}


def _codes(risk: Mapping[str, Any]) -> set[str]:
    return {r["code"] for r in risk.get("reasons", [])}


def _sox(extraction: Mapping[str, Any], risk: Mapping[str, Any], policy: CompliancePolicy,
         facts: RunFacts) -> list[dict[str, Any]]:
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
    if "unknown_vendor" in _codes(risk):
        findings.append(_finding(
            "SOX-VENDOR-MASTER", "needs_approval",
            "invoices are posted only to vendors in the vendor master",
            "a controller creates or matches the vendor before approval", field="vendor",
        ))
    editors = sorted(set(facts.editors))
    excluded = sorted({*editors, *([facts.submitted_by] if facts.submitted_by else [])})
    if editors:
        findings.append(_finding(
            "SOX-SEGREGATION-OF-DUTIES", "needs_approval",
            f"fields were corrected by {', '.join(editors)}; whoever enters or changes an"
            " invoice may not approve it", "a reviewer other than "
            + ", ".join(excluded) + " approves", submitted_by=facts.submitted_by,
            editors=editors, excluded_approvers=excluded,
        ))
    else:
        findings.append(_finding(
            "SOX-SEGREGATION-OF-DUTIES", "pass",
            "no one has changed the invoice; the submitter may not approve it", "none",
            submitted_by=facts.submitted_by, excluded_approvers=excluded,
        ))
    return findings


def _gdpr(extraction: Mapping[str, Any], text: str, policy: CompliancePolicy,
          facts: RunFacts) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    extra = []
    for name, field in extraction["fields"].items():
        value = field.get("value")
        if not isinstance(value, str):
            continue
        found = sorted({m.kind for m in find_pii(value)} - _NEEDED_PII.get(name, frozenset()))
        if found:
            extra.append({"field": name, "kinds": found})
    if extra:
        findings.append(_finding(
            "GDPR-DATA-MINIMISATION", "needs_approval",
            "personal data the posting does not need would be stored: "
            + ", ".join(f"{e['field']} ({'/'.join(e['kinds'])})" for e in extra),
            "correct the field to its business value (or clear it) before the invoice is"
            " stored", fields=extra,
        ))
    else:
        findings.append(_finding(
            "GDPR-DATA-MINIMISATION", "pass",
            "the stored fields hold no personal data beyond the payment IBAN", "none",
        ))
    kinds: dict[str, int] = {}
    for match in find_pii(text):
        if match.kind not in ("IBAN", "CARD"):  # payment data: the AP and PCI rules
            kinds[match.kind] = kinds.get(match.kind, 0) + 1
    if kinds:
        until = (facts.today + timedelta(days=policy.retention_days)).isoformat() \
            if facts.today else None
        findings.append(_finding(
            "GDPR-PERSONAL-DATA", "pass",
            "the document carries personal data (" + ", ".join(
                f"{n} {k.lower()}" for k, n in sorted(kinds.items())) + "); it is tokenized"
            " before any model call and kept with the document only",
            f"retain until {until or 'the retention period ends'}, then erase; erase earlier"
            " on a data subject's request with `wardflow gdpr erase SUBJECT`",
            kinds=kinds, retain_until=until,
        ))
    return findings


def _pci(extraction: Mapping[str, Any], text: str, facts: RunFacts) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    stored = [name for name, field in extraction["fields"].items()
              if isinstance(field.get("value"), str) and find_card_numbers(field["value"])]
    if stored:
        findings.append(_finding(
            "PCI-CARD-STORAGE", "fail",
            f"a payment card number would be stored in {', '.join(stored)}",
            "clear the field; card numbers are never stored", fields=stored,
        ))
    cards = find_card_numbers(text)
    if cards:
        seen = facts.shown_to_model is not None and bool(find_card_numbers(facts.shown_to_model))
        findings.append(_finding(
            "PCI-CARD-DATA", "fail" if seen else "needs_approval",
            f"{len(cards)} payment card number(s) in the document"
            + ("; one is in the text shown to the model" if seen else
               "; tokenized before any model call"),
            "card numbers must be redacted before storage or any model call",
            spans=[list(s) for s in cards], shown_to_model=seen,
        ))
    return findings
