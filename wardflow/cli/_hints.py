"""The next commands the CLI suggests, written so that each works when pasted as-is.

A hint names a real thread id and a registered principal who may decide that case
(active, the role it needs, within their limit, neither its submitter nor one of its
editors), found with the same :func:`~wardflow.review.authz.authorize` the decision
itself goes through. Where nobody registered may, the hint says how to add someone
who can (``wardflow principals add``) instead of naming someone who would be refused.
"""

from __future__ import annotations

import shlex
from decimal import Decimal
from typing import TYPE_CHECKING

from wardflow.errors import ReviewError, RunNotFound
from wardflow.review.authz import with_article
from wardflow.review.status import comment_refusal, status_of_request

if TYPE_CHECKING:
    from wardflow.graphs.workspace import Workspace

__all__ = ["deciders", "decide_hint", "refusal_hint", "review_hints"]

_MAX_LINES = 5
# Refusals about who decides: the hint names who may instead.
_WHO_RULES = frozenset({"unknown-reviewer", "inactive-reviewer", "wrong-role",
                        "segregation-of-duties", "over-limit"})


def deciders(ws: Workspace, thread: str) -> list[str]:
    """The registered principals who may approve the case ``thread`` (controllers first).

    Raises:
        RunNotFound, ReviewError: no such run, or it does not wait for review.
    """
    from wardflow.review.authz import authorize
    from wardflow.review.payloads import ReviewDecision

    request = ws.pending(thread)
    values = ws.state(thread).values
    amount = (values.get("compliance") or {}).get("amount_in_approval_currency")
    found = []
    for principal in ws.principals.all():
        try:
            authorize(ReviewDecision(decision="approve", by=principal.name,
                                     args_hash=request.proposed_action.args_hash),
                      request, principal, submitted_by=values.get("submitted_by"),
                      editors=values.get("editors", []),
                      amount=Decimal(amount) if amount is not None else None)
        except ReviewError as refused:
            # An incomplete case is decided by whoever may approve it once corrected.
            if "incomplete:" not in str(refused):
                continue
        found.append(principal)
    found.sort(key=lambda p: (p.role != "controller", p.name))
    return [p.name for p in found]


def _add_someone(ws: Workspace, thread: str) -> str:
    request = ws.pending(thread)
    role = "controller" if request.required_role == "controller" else "approver"
    limit = " --limit AMOUNT" if role == "approver" else ""
    return (f"nobody registered may decide {thread} (it needs {with_article(role)} who"
            " neither submitted nor corrected it): add one with"
            f" `wardflow principals add NAME --role {role}{limit}`")


def review_hints(ws: Workspace, threads: list[str]) -> list[str]:
    """Lines that tell how to open each waiting case as someone who may decide it."""
    lines = []
    shown = threads[:_MAX_LINES]
    for thread in shown:
        who = deciders(ws, thread)
        if who:
            lines.append(f"  wardflow review {thread} --as {shlex.quote(who[0])}")
        else:
            lines.append(f"  {_add_someone(ws, thread)}")
    if len(threads) > len(shown):
        names = deciders(ws, threads[len(shown)])
        as_ = f" --as {shlex.quote(names[0])}" if names else ""
        lines.append(f"  … and {len(threads) - len(shown)} more: wardflow review --list{as_}")
    return lines


def decide_hint(ws: Workspace, thread: str, who: str, args_hash: str | None) -> list[str]:
    """After a case was shown to ``who``: the commands that approve exactly that proposal
    or reject it, as ``who`` if they may decide it, else as someone who may."""
    names = deciders(ws, thread)
    if not names:
        return [_add_someone(ws, thread)]
    by = who if who in names else names[0]
    lines = [] if by == who else [f"{who} may not approve this case; {', '.join(names)} may."]
    as_ = f"--as {shlex.quote(by)}"
    if args_hash:
        # A flagged, high-risk or over-limit case is approved only with a reason.
        why = " --reason \"WHY\"" if comment_refusal(
            "approve", "", status_of_request(ws.pending(thread),
                                             risk_threshold=ws.settings.risk_threshold),
            ws.settings.comment_required_for) else ""
        lines.append(f"approve: wardflow review {thread} {as_} --approve --hash {args_hash}{why}")
    lines.append(f"reject:  wardflow review {thread} {as_} --reject --comment \"WHY\"")
    return lines


def refusal_hint(ws: Workspace, error: ReviewError) -> str | None:
    """For a decision refused because of who made it: who may make it instead."""
    text = str(error)
    if error.thread_id == "-" or not any(f"{rule}:" in text for rule in _WHO_RULES):
        return None
    try:
        names = deciders(ws, error.thread_id)
    except (RunNotFound, ReviewError):
        return None
    if not names:
        return _add_someone(ws, error.thread_id)
    return (f"who may decide {error.thread_id}: {', '.join(names)}; e.g."
            f" `wardflow review {error.thread_id} --as {shlex.quote(names[0])}`")
