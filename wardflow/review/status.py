"""How much a case needs a human, in one place: ``clear``, ``attention`` or ``flagged``.

The inbox, the case view, the chat and the CLI all show the same status, computed
here from what the run found, not from the risk score alone (a prompt injection or an
amount over the approval limit has risk 0.00):

- ``flagged`` (red): a guard finding (prompt injection, hidden text, credentials),
  a compliance rule that failed, or a risk score at or above the risk threshold;
- ``attention`` (amber): a compliance demand (over the approval limit, a bank
  change to verify) or any other reason for review (low confidence, OCR, arithmetic);
- ``clear`` (green): nothing.

The same facts decide when a decision must carry a comment (:func:`comment_refusal`):
the conditions ``flagged`` (guard findings), ``high_risk`` (risk >= threshold) and
``over_limit`` (over the approval limit or any other compliance demand), each on or
off by policy (``WARDFLOW_COMMENT_REQUIRED_FOR``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from wardflow.config import COMMENT_CONDITIONS, CommentCondition
from wardflow.errors import ReviewError

if TYPE_CHECKING:
    from wardflow.review.payloads import ReviewDecision, ReviewRequest

__all__ = [
    "COMMENT_CONDITIONS",
    "CaseStatus",
    "CommentCondition",
    "Level",
    "case_status",
    "comment_refusal",
    "is_guard_reason",
    "require_comment",
    "status_of_request",
]

Level = Literal["clear", "attention", "flagged"]
_CONDITION_TEXT = {
    "flagged": "the guard flagged the document",
    "high_risk": "its risk score is at or above the threshold",
    "over_limit": "it is over the approval limit or compliance demands an approval",
}


@dataclass(frozen=True)
class CaseStatus:
    """A case's status, why, and which comment conditions hold.

    Attributes:
        level: ``clear``, ``attention`` or ``flagged``.
        reasons: one short sentence per thing that set the level, worst first.
        conditions: the comment conditions that hold for the case.
    """

    level: Level
    reasons: tuple[str, ...] = ()
    conditions: frozenset[CommentCondition] = field(default_factory=frozenset)

    @property
    def colour(self) -> str:
        """The colour a terminal or page shows the level in."""
        return {"clear": "green", "attention": "yellow", "flagged": "red"}[self.level]

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "reasons": list(self.reasons),
                "conditions": sorted(self.conditions)}


def is_guard_reason(reason: Mapping[str, Any]) -> bool:
    """Whether a review reason is a guard finding (it carries the guard's matches)."""
    evidence = reason.get("evidence")
    return isinstance(evidence, Mapping) and "boundary" in evidence and "matches" in evidence


def case_status(reasons: Sequence[Mapping[str, Any]], risk: Mapping[str, Any],
                compliance: Mapping[str, Any], *, risk_threshold: float) -> CaseStatus:
    """The status of a case from its review reasons, risk and compliance report.

    Args:
        reasons: the route's reasons (``{code, detail, evidence}``).
        risk: the risk report (``score``).
        compliance: the compliance report (``findings`` with ``outcome``).
        risk_threshold: the score from which a case is high-risk.
    """
    red: list[str] = []
    amber: list[str] = []
    conditions: set[CommentCondition] = set()
    guard = [r for r in reasons if is_guard_reason(r)]
    for reason in guard:
        red.append(f"guard: {reason.get('code')}")
    if guard:
        conditions.add("flagged")
    score = float(risk.get("score") or 0.0)
    risk_codes = [str(r.get("code")) for r in risk.get("reasons") or ()]
    high = score >= risk_threshold
    if high:
        conditions.add("high_risk")
        red.append(f"risk {score:.2f} >= {risk_threshold:.2f}"
                   + (f" ({', '.join(risk_codes)})" if risk_codes else ""))
    for finding in compliance.get("findings") or ():
        outcome = finding.get("outcome")
        if outcome in (None, "pass"):
            continue
        conditions.add("over_limit")
        line = f"compliance {finding.get('rule')}: {str(outcome).replace('_', ' ')}"
        (red if outcome == "fail" else amber).append(line)
    for reason in reasons:
        evidence = reason.get("evidence")
        code = str(reason.get("code"))
        if is_guard_reason(reason) or (high and code in risk_codes):
            continue  # counted above
        if isinstance(evidence, Mapping) and "rule" in evidence and "action" in evidence:
            continue  # a compliance finding, counted above
        amber.append(code)
    level: Level = "flagged" if red else "attention" if amber else "clear"
    return CaseStatus(level, tuple(dict.fromkeys(red + amber)), frozenset(conditions))


def status_of_request(request: ReviewRequest, *, risk_threshold: float) -> CaseStatus:
    """:func:`case_status` of a :class:`~wardflow.review.ReviewRequest`."""
    return case_status([r.model_dump(mode="json") for r in request.reasons], request.risk,
                       request.compliance, risk_threshold=risk_threshold)


def comment_refusal(decision: str, comment: str, status: CaseStatus,
                    required_for: Collection[str]) -> str | None:
    """Why a decision without a comment may not be made, or None when it may.

    An approval or a rejection of a case for which one of the ``required_for``
    conditions holds must say why (the comment lands in the audit record). A
    correction is not a decision: the approval after it is.
    """
    if decision not in ("approve", "reject") or comment.strip():
        return None
    held = [c for c in COMMENT_CONDITIONS if c in required_for and c in status.conditions]
    if not held:
        return None
    why = "; ".join(_CONDITION_TEXT[c] for c in held)
    return (f"comment-required: a comment is required to {decision} this case ({why};"
            f" policy: comment required for {', '.join(held)}); say why you {decision} it")


def require_comment(decision: ReviewDecision, request: ReviewRequest, *,
                    risk_threshold: float, required_for: Collection[str]) -> None:
    """Raise :class:`~wardflow.errors.ReviewError` (rule ``comment-required``) when
    ``decision`` needs a comment it does not carry (see :func:`comment_refusal`)."""
    status = status_of_request(request, risk_threshold=risk_threshold)
    refusal = comment_refusal(decision.decision, decision.comment, status, required_for)
    if refusal is not None:
        raise ReviewError(request.thread_id, refusal)
