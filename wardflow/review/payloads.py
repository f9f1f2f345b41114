"""Typed review requests (the interrupt payload) and review decisions (the resume value).

Both cross the checkpoint as plain JSON (``model_dump(mode="json")``) and are
validated back into these models on the other side.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProposedAction", "ReviewDecision", "ReviewReason", "ReviewRequest"]

Decision = Literal["approve", "reject", "correct"]
_DECISIONS: tuple[Decision, ...] = ("approve", "reject", "correct")


class ReviewReason(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    detail: str
    evidence: dict[str, Any] = Field(default_factory=dict)


class ProposedAction(BaseModel):
    model_config = ConfigDict(frozen=True)

    tool: str
    args: dict[str, Any] | None
    args_hash: str | None
    missing: list[str] = Field(default_factory=list)


class ReviewRequest(BaseModel):
    """What a reviewer needs to decide one case."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["invoice_review"] = "invoice_review"
    thread_id: str
    document: dict[str, Any]
    reasons: list[ReviewReason]
    fields: dict[str, dict[str, Any]]
    confidence: float
    risk: dict[str, Any]
    compliance: dict[str, Any]
    proposed_action: ProposedAction
    allowed_decisions: list[Decision] = Field(default_factory=lambda: list(_DECISIONS))
    required_role: str = "approver"
    deadline: str
    submitted_by: str | None = None
    editors: list[str] = Field(default_factory=list)
    # The last refusal of a decision on this case, shown to the next reviewer.
    refused: str | None = None


class ReviewDecision(BaseModel):
    """A reviewer's answer, sent with ``Command(resume=decision.model_dump())``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Decision
    by: str = Field(min_length=1, max_length=128)
    comment: str = Field(default="", max_length=4000)
    # The proposed action's hash the reviewer saw; a mismatch refuses the approval.
    args_hash: str | None = None
    # For ``correct``: field name -> corrected value (as printed or normalised).
    corrections: dict[str, str] = Field(default_factory=dict)
