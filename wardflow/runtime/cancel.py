"""Cancelling a run: an operator ends a waiting or parked run for good.

A run that waits for a review or an approval, sits in the dead letter, or was stopped
between two steps can be cancelled. The cancellation is written into the run's
checkpoint as if its last step had run (LangGraph ``update_state`` as the ``fail``
node, whose only edge leads to the end), so the run has nothing left to do: its
pending review disappears, ``process`` reports it as finished, a retry or a resumed
decision finds nothing to resume. The state keeps ``cancelled: {by, at, reason}``,
and the posting step refuses any run that carries it (:class:`RunCancelled`), so
even a caller that drives the graph itself can never post a cancelled run. The
cancellation is audited (``run.cancelled``).

Runs that finished (posted, rejected, failed) or already cancelled cannot be
cancelled; a second cancel of the same run says so and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from wardflow.errors import RunNotFound, RunStateError
from wardflow.graphs.retry import is_dead_letter

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig

    from wardflow.runtime.workspace import Workspace

__all__ = ["cancel_run", "cancellable"]

# Every graph wardflow builds (invoice, blueprints) has a ``fail`` node that ends the run.
_ENDING_NODE = "fail"
MAX_REASON = 2000


def cancellable(snapshot: Any) -> str | None:
    """Why a run in ``snapshot`` cannot be cancelled, or None when it can."""
    values = snapshot.values or {}
    if values.get("cancelled"):
        return "the run is already cancelled"
    if snapshot.interrupts:
        return None
    if snapshot.next:
        return None  # dead-lettered, or stopped between two steps
    return "the run has finished"


def cancel_run(ws: Workspace, thread_id: str, *, by: str, reason: str, now: datetime,
               graph: Any = None, via: str | None = None) -> dict[str, Any]:
    """Cancel ``thread_id`` (of the invoice graph, or of ``graph``, a blueprint's).

    Returns:
        The cancellation record ``{by, at, reason, was, via}`` (``was``: the status
        before; ``via``: how the request came, e.g. ``login`` or ``api-token:ID``).

    Raises:
        RunNotFound: no such run.
        RunStateError: the run has finished or is already cancelled.
    """
    graph = graph if graph is not None else ws.graph
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    snapshot = graph.get_state(config)
    if not snapshot.values:
        raise RunNotFound(thread_id)
    was = _status(snapshot)
    why_not = cancellable(snapshot)
    if why_not is not None:
        raise RunStateError(thread_id, str(snapshot.values.get("status", was)), why_not)
    record = {"by": by, "at": now.isoformat(), "reason": reason.strip()[:MAX_REASON],
              "was": was, "via": via}
    # Audited first: a cancellation that is written but not audited would be a silent one.
    ws.audit.append("run.cancelled", record, actor=f"user:{by}", thread_id=thread_id)
    graph.update_state(config, {"status": "cancelled", "cancelled": record},
                       as_node=_ENDING_NODE)
    return record


def _status(snapshot: Any) -> str:
    if snapshot.interrupts:
        return "awaiting_review" if "proposed_action" in snapshot.interrupts[0].value \
            else "awaiting_approval"
    if is_dead_letter(snapshot.values.get("error")):
        return "dead_letter"
    return "interrupted"
