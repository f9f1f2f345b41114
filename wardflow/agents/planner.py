"""The planner agent: a natural-language request becomes a plan built only from what is
registered (workflows, policies), or a refusal with the reason.

Two readers, in order: deterministic rules for the common phrasings (the embedded
small model must not be a single point of failure), then the model with a schema
(structured output). Whatever produced it, a plan is validated against the registry:
known action, an existing path inside the allowed inbox roots (``inbox_roots``: by
default the working folder's ``inbox`` and ``examples``; symlinks resolved, every file
under a folder included), a sensible limit and role. The limit a plan asks for is a
:class:`~wardflow.agents.overrides.PolicyOverride`, which may only tighten
the settings (:func:`~wardflow.agents.overrides.tighten`, applied by the workspace).
Requests to pay, approve, delete or change master data are refused: those are
decisions for people, not for a prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from wardflow.agents._plan_filters import (
    DocumentFilter,
    FilterError,
    consume,
    leftover,
    read_filters,
)
from wardflow.agents.overrides import PolicyOverride
from wardflow.config import DEFAULT_INBOX_ROOTS
from wardflow.errors import ModelError, OutsideInboxRoots
from wardflow.prompts import PLAN_REQUEST
from wardflow.tools.inbox import inside_inbox_roots

if TYPE_CHECKING:
    from wardflow.llm.client import LLM

__all__ = ["DocumentFilter", "Plan", "PlanSpec", "plan_request"]

Action = Literal["process", "recheck_duplicates"]
_FORBIDDEN = re.compile(
    r"\b(delete|drop|erase|wipe|remove|pay|wire|transfer money|approve (all|every)|"
    r"auto-?approve|skip (the )?review|disable|turn off|bypass|change (the )?(bank|iban|vendor)|"
    r"add (a )?vendor|export (all|every)|send .* to .*@)\b",
    re.IGNORECASE,
)
_PROCESS = re.compile(
    r"\b(?P<verb>process|run|handle|ingest|import|read)\b.*?\b(?:invoices?|documents?|files?|"
    r"inbox|folder)\b(?P<where>\s+(?:in|from|at|under)\s+(?P<path>[\w./~-]+))?",
    re.IGNORECASE,
)
_WHERE = re.compile(r"\b(?:in|from|at|under)\s+(?P<path>[\w.~-]*/[\w./~-]*)")
# Said around an approval limit ("and send anything over 5,000 EUR to a controller").
_LIMIT_WORDS = re.compile(
    r"\b(?:hold|send|route|flag|escalate|keep|put|anything|everything|approval|review|"
    r"controllers?|by|needs?|be|held|sent|routed|aside)\b", re.IGNORECASE)
_LIMIT = re.compile(
    r"\b(?:over|above|more than|exceeding|greater than|>)\s*(?P<amount>[\d][\d.,' ]*\d|\d)"
    r"\s*(?P<currency>EUR|USD|GBP|CHF|€|\$|£)?",
    re.IGNORECASE,
)
_CONTROLLER = re.compile(r"\bcontrollers?\b", re.IGNORECASE)
_RECHECK = re.compile(
    r"\b(re-?check|recheck|re-?examine|audit|look again at)\b.*\b(posted|booked)\b.*\bduplicat",
    re.IGNORECASE,
)
_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP"}
# A token that looks like a path (a/b, ./x, ../x, ~/x, /x, .env): checked against the
# inbox roots even in a request the rules do not otherwise understand.
_PATHLIKE = re.compile(r"(?<![\w@])(?:[~.]?/[\w./~-]*|\.{1,2}[\w./~-]*|[\w-]+(?:/[\w.~-]+)+)")
_READ_VERB = re.compile(r"\b(?:process|run|handle|ingest|import|read|open|show|fetch|load|get|"
                        r"print|cat|send|give|return|display|dump)\b", re.IGNORECASE)


_MAX_PATH, _MAX_AMOUNT = 200, 24


class PlanSpec(BaseModel):
    """What the model is asked to fill in (and the rules produce)."""

    action: Literal["process", "recheck_duplicates", "refuse"]
    path: str | None = Field(default=None, max_length=_MAX_PATH)
    approval_limit: str | None = Field(default=None, max_length=_MAX_AMOUNT)
    currency: str | None = Field(default=None, max_length=3)
    review_role: Literal["approver", "controller"] | None = None
    reason: str | None = Field(default=None, max_length=200)


@dataclass(frozen=True)
class Plan:
    """A validated plan, or a refusal (``refused`` set)."""

    prompt: str
    action: Action | None
    source: Literal["rules", "model", "none"]
    path: str | None = None
    approval_limit: Decimal | None = None
    currency: str | None = None
    review_role: str | None = None
    refused: str | None = None
    steps: list[str] = field(default_factory=list)
    usage: list[dict[str, Any]] = field(default_factory=list)
    filters: DocumentFilter = field(default_factory=DocumentFilter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt, "action": self.action, "source": self.source,
            "path": self.path, "currency": self.currency, "review_role": self.review_role,
            "approval_limit": None if self.approval_limit is None else str(self.approval_limit),
            "refused": self.refused, "steps": self.steps, "filters": self.filters.to_dict(),
        }

    def policy(self) -> PolicyOverride:
        """What the plan asks of the policy (only ever applied if it tightens)."""
        # The review role needs no override: a total over the approval limit already
        # needs a controller (SOX-APPROVAL-LIMIT), whatever the plan says.
        return PolicyOverride(approval_limit=self.approval_limit, currency=self.currency)


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _amount(text: str) -> Decimal | None:
    cleaned = re.sub(r"[\s']", "", text)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
        cleaned = re.sub(r"[.,]", "", cleaned)
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _rules(prompt: str, filters: DocumentFilter, rest: str) -> PlanSpec | None:
    """The plan the rules read, or None. ``rest`` is the prompt with the filters blanked;
    a part of it that no rule accounts for refuses the plan (nothing is dropped)."""
    if _RECHECK.search(prompt):
        return PlanSpec(action="recheck_duplicates")
    match = _PROCESS.search(prompt)
    if not match:
        return None
    rest = _blank(rest, *match.span("verb"))
    path = match.group("path")
    start, end = match.span("where")
    if match.group("where") and rest[start:end] == prompt[start:end]:
        rest = _blank(rest, start, end)
    else:  # no folder right after the object, or a filter took it ("from Kessler")
        path, where = None, _WHERE.search(rest)
        if where:
            path, rest = where.group("path"), _blank(rest, *where.span())
    if path is not None and len(path) > _MAX_PATH:
        return PlanSpec(action="refuse", reason=f"the path is longer than {_MAX_PATH}"
                        " characters; name a folder inside an inbox root")
    spec = PlanSpec(action="process", path=path)
    limit = _LIMIT.search(rest)
    if limit:
        if len(limit.group("amount")) > _MAX_AMOUNT:
            return PlanSpec(action="refuse", reason=f"{limit.group('amount')[:_MAX_AMOUNT]}..."
                            " is not a sensible approval limit")
        currency = limit.group("currency")
        spec = spec.model_copy(update={
            "approval_limit": limit.group("amount"),
            "currency": _SYMBOLS.get(currency or "", (currency or "").upper()) or None,
        })
        rest = _blank(rest, *limit.span())
        _, rest = consume(_LIMIT_WORDS, rest)
    if _CONTROLLER.search(prompt):
        spec = spec.model_copy(update={"review_role": "controller"})
        _, rest = consume(_CONTROLLER, rest)
        _, rest = consume(_LIMIT_WORDS, rest)
    unread = leftover(rest)
    if unread:
        # The reason is bounded (200 characters): a long unread part is shortened.
        part = unread if len(unread) <= 60 else f"{unread[:57]}..."
        return PlanSpec(action="refuse", reason=f"wardflow cannot do this part of the request:"
                        f" {part}; it supports a folder, filters by vendor, date,"
                        " amount and status, and an approval limit")
    return spec


def plan_request(
    prompt: str, *, workdir: Path, default_currency: str, llm: LLM | None = None,
    inbox_roots: Sequence[Path] | None = None,
    vendors: Sequence[tuple[str, str]] | None = None,
) -> Plan:
    """Turn ``prompt`` into a :class:`Plan` (rules first, then the model), validated.

    Args:
        workdir: relative paths in the plan are taken from this folder.
        default_currency: the currency of a limit given without one.
        llm: the model layer, for phrasings the rules do not know.
        inbox_roots: the only folders a plan may read, resolved
            (``Settings.inbox_root_paths``); default: ``inbox`` and ``examples`` in
            ``workdir``.
        vendors: (id, name) of the ERP's vendors, to resolve a vendor filter (an
            unknown vendor refuses the plan); None keeps the name, matched at run time.
    """
    roots = tuple(inbox_roots) if inbox_roots is not None else tuple(
        (workdir / root).resolve() for root in DEFAULT_INBOX_ROOTS)
    if _FORBIDDEN.search(prompt):
        return Plan(prompt, None, "none", refused="wardflow does not pay, approve, delete or"
                    " change master data on request; those decisions belong to people")
    try:
        filters, rest = (DocumentFilter(), prompt) if _RECHECK.search(prompt) else read_filters(
            prompt, vendors)
    except FilterError as err:
        return Plan(prompt, None, "rules", refused=str(err))
    spec, source, usage = _rules(prompt, filters, rest), "rules", []
    if spec is None and llm is not None:
        try:
            result = llm.structured("planner", PLAN_REQUEST.messages(request=prompt), PlanSpec)
        except ModelError as err:
            return Plan(prompt, None, "model", refused=f"the request could not be planned: {err}")
        value = result.value
        assert isinstance(value, PlanSpec)
        spec, source, usage = value, "model", [u.to_dict() for u in result.usage]
    if spec is None and _READ_VERB.search(prompt):
        for token in filter(None, (t.rstrip(".") for t in _PATHLIKE.findall(prompt))):
            try:
                inside_inbox_roots([token], roots, workdir=workdir)
            except OutsideInboxRoots as err:
                return Plan(prompt, None, "none", refused=str(err))
    if spec is None:
        return Plan(prompt, None, "none", refused="not a request wardflow knows; try 'process"
                    " the invoices in examples/inbox'")
    plan = _validate(prompt, spec, source, usage, workdir, default_currency, roots)
    if filters and plan.action == "process":
        return replace(plan, filters=filters, steps=[
            f"process the documents in {plan.path} {filters.describe()} with the invoice"
            " workflow (each is read first; the others are skipped and listed)",
            *plan.steps[1:]])
    return plan


def _validate(prompt: str, spec: PlanSpec, source: Any, usage: list[dict[str, Any]],
              workdir: Path, default_currency: str, roots: Sequence[Path]) -> Plan:
    if spec.action == "refuse":
        return Plan(prompt, None, source, refused=spec.reason or "refused by the planner",
                    usage=usage)
    if spec.action == "recheck_duplicates":
        return Plan(prompt, "recheck_duplicates", source, usage=usage,
                    steps=["list the invoices posted today", "look each up for duplicates"
                           " (same document, same vendor and number)", "report"])
    if not spec.path:
        return Plan(prompt, None, source, refused="which folder? e.g. 'process the invoices in"
                    " examples/inbox'", usage=usage)
    try:
        [target] = inside_inbox_roots([spec.path], roots, workdir=workdir)
    except OutsideInboxRoots as err:
        return Plan(prompt, None, source, refused=str(err), usage=usage)
    if not _exists(target):
        return Plan(prompt, None, source, refused=f"{spec.path} does not exist", usage=usage)
    limit = _amount(spec.approval_limit) if spec.approval_limit else None
    if spec.approval_limit and (limit is None or limit <= 0 or limit > Decimal("1e9")):
        return Plan(prompt, None, source, refused=f"{spec.approval_limit!r} is not a sensible"
                    " approval limit", usage=usage)
    currency = (spec.currency or default_currency).upper() if limit is not None else None
    steps = [f"process every document in {spec.path} with the invoice workflow"]
    if limit is not None:
        steps.append(f"hold anything over {currency} {limit} for approval"
                     + (" by a controller" if spec.review_role == "controller" else ""))
    return Plan(prompt, "process", source, path=spec.path, approval_limit=limit,
                currency=currency, review_role=spec.review_role, steps=steps, usage=usage)
