"""Who may decide a case: role, approval limit, segregation of duties, stale proposals.

Every rule that refuses a decision says which rule and why; the run stays paused.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from wardflow.errors import ReviewError
from wardflow.review.payloads import ReviewDecision, ReviewRequest
from wardflow.review.principals import Principal

__all__ = ["authorize", "with_article"]

_DECIDERS = frozenset({"approver", "controller"})
_EDITORS = frozenset({"clerk", "approver", "controller"})


def authorize(
    decision: ReviewDecision,
    request: ReviewRequest,
    principal: Principal | None,
    *,
    submitted_by: str | None,
    editors: Collection[str],
    amount: Decimal | None,
) -> None:
    """Raise :class:`ReviewError` unless ``principal`` may make ``decision`` on ``request``.

    Args:
        amount: the invoice total in the approval currency (None if unknown).
    """
    thread = request.thread_id

    def refuse(rule: str, why: str) -> ReviewError:
        return ReviewError(thread, f"{rule}: {why}")

    if principal is None:
        raise refuse("unknown-reviewer", f"{decision.by!r} is not a registered principal"
                     " (`wardflow principals add`)")
    if not principal.active:
        raise refuse("inactive-reviewer", f"{principal.name} is deactivated")
    if decision.decision not in request.allowed_decisions:
        raise refuse("decision-not-allowed", f"{decision.decision!r} is not offered for this case")
    if decision.decision == "correct":
        if principal.role not in _EDITORS:
            raise refuse("wrong-role", f"{with_article(principal.role)} cannot correct fields")
        return
    if principal.role not in _DECIDERS:
        raise refuse("wrong-role", f"{with_article(principal.role)} cannot {decision.decision} invoices")
    if request.required_role == "controller" and principal.role != "controller":
        raise refuse("wrong-role", f"this case needs a controller; {principal.name} is an approver")
    if decision.decision == "reject":
        return
    if principal.name == submitted_by:
        raise refuse("segregation-of-duties", f"{principal.name} submitted this case")
    if principal.name in editors:
        raise refuse("segregation-of-duties", f"{principal.name} edited this case")
    if decision.args_hash is None:
        raise refuse("no-hash", "an approval must carry the hash of the proposal it approves")
    if decision.args_hash != request.proposed_action.args_hash:
        raise refuse("stale-proposal", "the proposed action changed since it was shown")
    if request.proposed_action.args is None:
        raise refuse("incomplete", "cannot approve: missing "
                     + ", ".join(request.proposed_action.missing))
    if principal.role == "approver":
        if amount is None:
            raise refuse("over-limit", "the amount in the approval currency is unknown;"
                         " a controller must approve")
        limit = principal.approval_limit or Decimal(0)
        if amount > limit:
            raise refuse("over-limit", f"{amount:.2f} exceeds {principal.name}'s limit of {limit}")


def with_article(word: str) -> str:
    """``word`` with its indefinite article: "an auditor", "a clerk"."""
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"
