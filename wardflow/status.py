"""The one vocabulary of run statuses.

``state["status"]`` of the invoice graph, ``wardflow status`` (and its ``--state``
filter), the runs API and the runs page all use these names, so that what one says
another can be searched for. This module imports nothing of wardflow: the CLI reads it
without loading the graphs.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["FILTER_STATES", "FINISHED", "RUN_STATUSES", "RunStatus"]

RunStatus = Literal[
    # A step of the invoice graph finished (the run goes on by itself).
    "ingested", "guarded", "extracted", "assessed", "checked", "routed", "corrected",
    "approved",
    # Where a run stands, as the state, the CLI, the runs API and the web pages say it.
    "queued", "running", "awaiting_review", "awaiting_approval", "interrupted", "dead_letter",
    "posted", "rejected", "failed", "cancelled", "completed", "unknown",
]
"""Every status a run can have: the one vocabulary of ``state["status"]``, ``wardflow
status``, the runs API and the runs page. ``routed`` is only ever seen between the
route and the posting of a run that posts by itself; a run that waits for a reviewer
says ``awaiting_review`` everywhere."""

RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
# The states an operator filters runs by (the runs page, ``wardflow status --state``).
FILTER_STATES: tuple[RunStatus, ...] = (
    "running", "awaiting_review", "awaiting_approval", "interrupted", "dead_letter", "failed",
    "posted", "rejected", "cancelled", "completed",
)
# A run in one of these states never runs again by itself; ``process`` reports it.
FINISHED: frozenset[RunStatus] = frozenset({"posted", "rejected", "failed", "cancelled"})
