"""The invoice graph's state: plain, JSON-safe data only (no clients, no bytes).

Nodes write plain dicts, as checkpoints keep them; readers parse them into the typed
stages of :mod:`wardflow.runstate` (``Extraction``, ``RiskAssessment``, ...) and see a
run whole as a :class:`wardflow.runstate.RunView`.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from wardflow.status import FILTER_STATES, FINISHED, RUN_STATUSES, RunStatus

__all__ = [
    "FILTER_STATES", "FINISHED", "FLUSHED", "RUN_STATUSES", "InvoiceInput", "InvoiceState",
    "RunStatus", "Status", "outbox",
]

# First element of an outbox update that says: everything before was written out.
FLUSHED = "__flushed__"


def outbox(left: list[Any] | None, right: list[Any] | None) -> list[Any]:
    """Reducer of the audit outbox: append, or reset after a flush."""
    if not right:
        return list(left or [])
    if right[0] == FLUSHED:
        return list(right[1:])
    return [*(left or []), *right]

# The graph state's field (kept under its old name for code that imports it).
Status = RunStatus


class InvoiceInput(TypedDict, total=False):
    """What a run starts from: a local path, or a key of an object already in storage."""

    source: str
    name: str
    path: str | None
    storage_key: str | None
    origin: dict[str, Any]
    # Who submitted the document (may not approve it: segregation of duties).
    submitted_by: str | None


class InvoiceState(InvoiceInput, total=False):
    document: dict[str, Any]
    text: str
    # The text a model may see: injected passages marked, personal data tokenized.
    guard_text: str
    # Text the PDF carries but does not show (white, tiny, off-page).
    hidden_text: list[str]
    text_method: str
    text_quality: float
    # The e-invoice XML the document is or carries (wardflow.agents.einvoice), if any.
    einvoice: dict[str, Any] | None
    guard: Annotated[list[dict[str, Any]], operator.add]
    extraction: dict[str, Any]
    risk: dict[str, Any]
    compliance: dict[str, Any]
    decision: dict[str, Any]
    proposal: dict[str, Any]
    review: dict[str, Any]
    # Reviewers who corrected fields (may not approve), and their corrections.
    editors: Annotated[list[str], operator.add]
    corrections: Annotated[list[dict[str, Any]], operator.add]
    posting: dict[str, Any]
    archive_key: str
    status: RunStatus
    error: dict[str, Any] | None
    # Set when an operator cancelled the run ({by, at, reason}): it never posts after.
    cancelled: dict[str, Any] | None
    # One record per model call: agent, model, tokens, latency, cost, cache hit.
    llm_usage: Annotated[list[dict[str, Any]], operator.add]
    # Audit records of committed steps not yet in the audit log (see graphs/_node.py).
    audit_outbox: Annotated[list[Any], outbox]
