"""SOX after the fact: every posted invoice goes back to an approval or the auto-approval
rule, made by someone allowed to make it.

The compliance node judges an invoice before it is posted; this judges the ERP
afterwards, from what is on record (postings, the audit log, the reviewers). A
posting nobody can account for is the finding an auditor looks for first.

Rules, one finding each per posting:

``SOX-POSTING-TRACE``
    the posting has its ``tool.erp_post_invoice`` record, and the run either routed
    to ``post`` by rule (``approved_by`` is the auto-approver) or recorded a
    ``review.decision`` approving it by the principal named as approver.
``SOX-SEGREGATION-OF-DUTIES``
    the approver neither submitted the invoice nor corrected its fields.
``SOX-APPROVAL-AUTHORITY``
    the approver is an active approver or controller, and an approver's limit covers
    the amount (in the approval currency).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wardflow.agents.compliance import _finding

if TYPE_CHECKING:
    from wardflow.observability.audit import AuditRecord
    from wardflow.review.principals import Principal
    from wardflow.tools.erp import InvoicePosting

__all__ = ["trace_postings"]

_DECIDERS = frozenset({"approver", "controller"})


def trace_postings(
    postings: Iterable[InvoicePosting],
    records: Iterable[AuditRecord],
    principals: Mapping[str, Principal],
    *,
    auto_approver: str,
    submitters: Mapping[str, str | None] | None = None,
    to_approval_currency: Callable[[Decimal, str], Decimal | None] | None = None,
) -> list[dict[str, Any]]:
    """SOX findings for each posting (see the module doc).

    Args:
        records: the audit log, in order.
        principals: reviewers by name.
        auto_approver: the ``approved_by`` of postings made by the auto-approval rule.
        submitters: thread id -> who submitted the run (from the run's state).
        to_approval_currency: converts a posting's total for the approver-limit check.
    """
    by_thread: dict[str, list[AuditRecord]] = {}
    thread_of: dict[str, str] = {}
    for record in records:
        if record.thread_id is None:
            continue
        by_thread.setdefault(record.thread_id, []).append(record)
        if record.action == "tool.erp_post_invoice":
            key = (record.payload.get("args") or {}).get("idempotency_key")
            if key:
                thread_of.setdefault(str(key), record.thread_id)
    findings = []
    for posting in postings:
        thread = thread_of.get(posting.idempotency_key)
        evidence: dict[str, Any] = {"posting_id": posting.posting_id, "thread_id": thread,
                                    "approved_by": posting.approved_by}
        if thread is None:
            findings.append(_finding(
                "SOX-POSTING-TRACE", "fail",
                f"posting {posting.posting_id} has no audited posting call",
                "find who posted it outside the workflow; reverse it or approve it on record",
                **evidence))
            continue
        findings += _trace(posting, by_thread[thread], principals, auto_approver,
                           (submitters or {}).get(thread), to_approval_currency, evidence)
    return findings


def _trace(posting: InvoicePosting, records: Sequence[AuditRecord],
           principals: Mapping[str, Principal], auto_approver: str, submitter: str | None,
           convert: Callable[[Decimal, str], Decimal | None] | None,
           evidence: dict[str, Any]) -> list[dict[str, Any]]:
    if posting.approved_by == auto_approver:
        routed = [r for r in records if r.action == "node.route"
                  and (r.payload.get("decision") or {}).get("route") == "post"]
        if routed:
            return [_finding("SOX-POSTING-TRACE", "pass",
                             "posted by the auto-approval rule: the run routed to post with no"
                             " reason for review", "none", **evidence, audit_seq=routed[-1].seq)]
        return [_finding("SOX-POSTING-TRACE", "fail",
                         "posted as auto-approved, but the run never routed to post",
                         "reverse the posting; have an approver decide on record", **evidence)]
    decisions = [r for r in records if r.action == "review.decision"]
    approvals = [r for r in decisions if r.payload.get("decision") == "approve"
                 and r.payload.get("by") == posting.approved_by]
    if not approvals:
        return [_finding("SOX-POSTING-TRACE", "fail",
                         f"no recorded approval by {posting.approved_by}",
                         "reverse the posting; have an approver decide on record", **evidence)]
    approval = approvals[-1]
    found = [_finding("SOX-POSTING-TRACE", "pass",
                      f"approved by {posting.approved_by} on record", "none", **evidence,
                      audit_seq=approval.seq)]
    editors = sorted({str(r.payload.get("by")) for r in decisions
                      if r.payload.get("decision") == "correct"})
    conflicts = [who for who in (submitter, *editors) if who == posting.approved_by]
    if conflicts:
        found.append(_finding(
            "SOX-SEGREGATION-OF-DUTIES", "fail",
            f"{posting.approved_by} approved an invoice they "
            + ("submitted" if submitter == posting.approved_by else "corrected"),
            "a second approver reviews the posting; report the breach", **evidence,
            submitted_by=submitter, editors=editors))
    else:
        found.append(_finding("SOX-SEGREGATION-OF-DUTIES", "pass",
                              "the approver neither submitted nor corrected the invoice", "none",
                              **evidence, submitted_by=submitter, editors=editors))
    found.append(_authority(posting, principals.get(posting.approved_by), convert, evidence))
    return found


def _authority(posting: InvoicePosting, principal: Principal | None,
               convert: Callable[[Decimal, str], Decimal | None] | None,
               evidence: dict[str, Any]) -> dict[str, Any]:
    name = posting.approved_by
    if principal is None or principal.role not in _DECIDERS:
        role = principal.role if principal else "not a principal"
        return _finding("SOX-APPROVAL-AUTHORITY", "fail",
                        f"{name} ({role}) may not approve invoices",
                        "a controller reviews the posting", **evidence, role=role)
    if principal.role == "approver":
        amount = convert(posting.total, posting.currency) if convert else None
        limit = principal.approval_limit or Decimal(0)
        if amount is None or amount > limit:
            shown = "an unknown amount" if amount is None else f"{amount:.2f}"
            return _finding("SOX-APPROVAL-AUTHORITY", "fail",
                            f"{name}'s approval limit of {limit} does not cover {shown}",
                            "a controller reviews the posting", **evidence, role="approver",
                            limit=str(limit), amount=None if amount is None else str(amount))
    return _finding("SOX-APPROVAL-AUTHORITY", "pass",
                    f"{name} is a {principal.role} with authority for this amount", "none",
                    **evidence, role=principal.role)
