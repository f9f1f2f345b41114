"""The one vocabulary of run statuses.

``state["status"]`` of the invoice graph, ``wardflow status`` (and its ``--state``
filter), the runs API and the runs page all use these names, so that what one says
another can be searched for. This module imports nothing of wardflow: the CLI reads it
without loading the graphs. A blueprint run says what its last step did in
``state["step_status"]`` (``archive: stored``); its ``status`` is one of these names too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

__all__ = ["FILTER_STATES", "FINISHED", "RUN_STATUSES", "RunStatus", "as_run_status",
           "blueprint_status", "step_status"]

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
_BY_NAME: dict[str, RunStatus] = {name: name for name in RUN_STATUSES}


def as_run_status(value: object) -> RunStatus:
    """``value`` (a ``state["status"]``) as a name of the vocabulary.

    The one place where what older checkpoints wrote is read: a name of the vocabulary
    is itself; a blueprint's step progress from before ``step_status`` (``archive:
    stored``, ``process_invoice: failed``) is the outcome when that ends a run
    (``failed``, ``rejected``, ``cancelled``), else ``completed`` (callers that see the
    run paused or stopped say so first); anything else is ``unknown``.
    """
    if not isinstance(value, str):
        return "unknown"
    if value in _BY_NAME:
        return _BY_NAME[value]
    if ": " in value:
        outcome = value.rsplit(": ", 1)[1].strip()
        return _BY_NAME[outcome] if outcome in ("failed", "rejected", "cancelled") \
            else "completed"
    return "unknown"


def blueprint_status(values: Mapping[str, Any], *, waiting: bool, stopped: bool = False,
                     parked: bool = False) -> RunStatus:
    """A blueprint run's status, from its state and what its graph says of it.

    Args:
        values: the run's state.
        waiting: an approval is pending.
        stopped: the run has steps left and none runs (its graph's ``next``); without the
            graph, a state that is neither finished nor paused says it.
        parked: its error is a dead-letter record (and it is ``stopped``).
    """
    if values.get("cancelled"):
        return "cancelled"
    if waiting:
        return "awaiting_approval"
    if stopped and parked:
        return "dead_letter"
    status = as_run_status(values.get("status"))
    if stopped or status not in (*FINISHED, "completed", "unknown"):
        return "interrupted"  # between two steps (``running``), or right after ingest
    return status


def step_status(values: Mapping[str, Any]) -> str | None:
    """What a blueprint run's last step did (``archive: stored``); a checkpoint from
    before ``step_status`` kept it in ``status``."""
    if values.get("step_status"):
        return str(values["step_status"])
    legacy = values.get("status")
    return legacy if isinstance(legacy, str) and ": " in legacy else None
