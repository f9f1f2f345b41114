"""The operators' runs page: every run, searchable, its step history, and what an
operator may do to it (retry, cancel, replay), as Temporal UI offers for workflows.

::

    GET  /operations                     the page (runs list; #THREAD opens one run)
    GET  /api/runs?q=&state=&page=&per_page=
                                         {runs, total, page, pages, states, counts, may_act}
    GET  /api/runs/{thread}              {run, steps, actions, checkpoints, may}
    POST /api/runs/{thread}/retry        {}                     a dead-lettered run
    POST /api/runs/{thread}/cancel       {reason}               a waiting or parked run
    POST /api/runs/{thread}/replay       {from_checkpoint, review_threshold,
                                          risk_threshold, model} -> the replay's report

Who may do what: auditors, controllers and admins read (the list shows everyone's work,
as the audit dashboard does); only a controller acts, since a retry posts, a cancel
ends a case as a rejection would, and a replay shows the document to a model; every
other role gets 403. Each action is audited (``run.retried``, ``run.cancelled``,
``replay.run``) with who did it and how (a login or an API token). Actions on one run
are serialized by the per-case lock, and each re-checks the run's state under it, so a
double click retries or cancels once and the second click is a 409 that says why.

Statuses are the names of :data:`wardflow.status.RUN_STATUSES`; ``state`` filters by
the :data:`wardflow.status.FILTER_STATES` (``running`` also matches ``queued``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from wardflow.errors import RunStateError, WardflowError
from wardflow.status import FILTER_STATES, RunStatus, as_run_status
from wardflow.web._context import AppContext
from wardflow.web._deps import Caller, CallerDep, Thread
from wardflow.web._pages import page_html
from wardflow.web.dashboard import run_diagram, run_entries
from wardflow.web.runs import RunJobs, _graph_for
from wardflow.web.views import for_role

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["OPERATORS", "READERS", "ReplayBody", "operations_router", "list_runs", "run_history"]

READERS = frozenset({"auditor", "controller", "admin"})
OPERATORS = frozenset({"controller"})
_ACTIONS = ("run.cancelled", "run.retried", "run.dead_letter", "replay.run",
            "review.decision", "review.refused", "control.kill_switch_on")


class CancelBody(BaseModel):
    """Why the run is cancelled (kept in the audit record)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class ReplayBody(BaseModel):
    """Where to replay from and with which settings (what ``wardflow replay`` takes).

    Only the thresholds and the model may change, and the model only to one of the
    data home's own (``none``: parsers only): a request cannot send the document to a
    model the settings do not already use.
    """

    model_config = ConfigDict(extra="forbid")

    from_checkpoint: str | None = Field(default=None, min_length=1, max_length=200)
    review_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    risk_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    model: str | None = Field(default=None, min_length=1, max_length=200)


# Reading ------------------------------------------------------------------------------
def _state(row: Mapping[str, Any], job_state: str | None) -> RunStatus:
    """The run's status: this server's job while it runs, else the run summary's (the
    name ``wardflow status`` shows, blueprint runs included)."""
    if job_state in ("queued", "running"):
        return "queued" if job_state == "queued" else "running"
    return as_run_status(row["status"])


def _rows(ws: Workspace, jobs: RunJobs) -> list[dict[str, Any]]:
    rows = []
    active = jobs.active_states()
    for view, row in run_entries(ws):
        state = _state(row, active.get(view.thread_id))
        rows.append({
            **row, "status": state,
            "workflow": view.workflow,
            "updated": view.updated,
            "dead_letter": _dumped(view.state.error) if state == "dead_letter" else None,
            "cancelled": _dumped(view.state.cancelled),
            "step_status": view.step_status,
            "may": _may(state),
        })
    return rows


def _dumped(stage: BaseModel | None) -> dict[str, Any] | None:
    """A stage as its node wrote it (the keys it had, nothing added)."""
    return None if stage is None else stage.model_dump(exclude_unset=True) or None


def _may(state: str) -> dict[str, bool]:
    """What an operator may do to a run in ``state``."""
    return {"retry": state == "dead_letter",
            "cancel": state in ("awaiting_review", "awaiting_approval", "dead_letter",
                                "interrupted"),
            "replay": state not in ("queued", "running")}


def _matches(row: Mapping[str, Any], q: str, states: set[str]) -> bool:
    if states and row["status"] not in states:
        return False
    if not q:
        return True
    haystack = " ".join(str(row.get(k) or "") for k in (
        "thread_id", "vendor", "document", "invoice_number", "workflow")).casefold()
    return all(word in haystack for word in q.casefold().split())


def list_runs(ws: Workspace, jobs: RunJobs, *, q: str = "", states: list[str] | None = None,
              page: int = 1, per_page: int = 25) -> dict[str, Any]:
    """One page of the runs that match the search ``q`` (words in the thread id, vendor,
    document or invoice number) and any of ``states``; newest first."""
    wanted = set(states or ())
    if "running" in wanted:
        wanted.add("queued")
    rows = _rows(ws, jobs)
    rows.sort(key=lambda r: (str(r["updated"] or r["started"] or ""), r["thread_id"]),
              reverse=True)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    shown = [r for r in rows if _matches(r, q, wanted)]
    pages = max(1, math.ceil(len(shown) / per_page))
    start = (min(page, pages) - 1) * per_page
    return {"runs": shown[start:start + per_page], "total": len(shown), "all": len(rows),
            "page": min(page, pages), "pages": pages, "per_page": per_page,
            "states": list(FILTER_STATES), "counts": counts}


def _step(step: Mapping[str, Any]) -> dict[str, Any]:
    started, ms = step.get("started"), step.get("ms")
    ended = None
    if started and ms is not None:
        ended = (datetime.fromisoformat(str(started)) + timedelta(milliseconds=ms)).isoformat()
    outcome = step.get("decision") or step.get("status")
    return {**step, "ended": ended, "outcome": outcome}


def run_history(ws: Workspace, jobs: RunJobs, thread: str) -> dict[str, Any]:
    """One run: its row, every step (start, end, duration, outcome), the operator and
    reviewer actions on it from the audit log, and its checkpoints for a replay.

    Raises:
        RunNotFound: no such run.
    """
    from wardflow.operations.replay import checkpoints

    [row] = _rows_of(ws, jobs, thread)
    steps, _ = run_diagram(ws, thread)
    actions = [{"seq": r.seq, "action": r.action, "actor": r.actor, "at": r.ts,
                "detail": r.payload} for r in ws.audit.records(thread) if r.action in _ACTIONS]
    try:
        points = [c.to_dict() for c in checkpoints(ws, thread)]
    except WardflowError:
        points = []  # a blueprint run: replay covers the invoice graph
    if not points:
        row["may"] = {**row["may"], "replay": False}
    return {"run": row, "steps": [_step(s.to_dict()) for s in steps], "actions": actions,
            "checkpoints": points}


def _rows_of(ws: Workspace, jobs: RunJobs, thread: str) -> list[dict[str, Any]]:
    ws.state(thread)  # RunNotFound first
    return [r for r in _rows(ws, jobs) if r["thread_id"] == thread]


# Acting ---------------------------------------------------------------------------------
def _operator(caller: Caller, what: str) -> None:
    role = caller.principal.role
    if role not in OPERATORS:
        raise HTTPException(403, f"{caller.principal.name} is {role}: only a controller may"
                                 f" {what} a run")


def _reader(caller: Caller) -> None:
    role = caller.principal.role
    if role not in READERS:
        raise HTTPException(403, f"{caller.principal.name} is {role}: the runs page is for"
                                 " auditors, controllers and admins")


def _not_running(jobs: RunJobs, thread: str) -> None:
    job = jobs.get(thread)
    if job is not None and job.active:
        raise HTTPException(409, f"{thread} is {job.state} in this server; act once it stops")


def _retry(ctx: AppContext, jobs: RunJobs, caller: Caller, thread: str) -> dict[str, Any]:
    _not_running(jobs, thread)
    with ctx.case_lock(thread), ctx.workspace() as ws:
        ws.rate_limit(caller.principal.name, "operations")
        try:
            summary = ws.retry(thread, by=caller.principal.name, via=caller.via)
        except RunStateError as err:
            raise HTTPException(409, str(err)) from err
        return {"run": summary.to_dict(), "history": run_history(ws, jobs, thread)}


def _cancel(ctx: AppContext, jobs: RunJobs, caller: Caller, thread: str,
            body: CancelBody) -> dict[str, Any]:
    _not_running(jobs, thread)
    with ctx.case_lock(thread), ctx.workspace() as ws:
        ws.rate_limit(caller.principal.name, "operations")
        _, blueprint = _graph_for(ws, thread)
        try:
            record = ws.cancel(thread, by=caller.principal.name, reason=body.reason,
                               via=caller.via, blueprint=blueprint)
        except RunStateError as err:
            raise HTTPException(409, str(err)) from err
        return {"cancelled": record, "history": run_history(ws, jobs, thread)}


def _replay(ctx: AppContext, caller: Caller, thread: str, body: ReplayBody) -> dict[str, Any]:
    from wardflow.operations.replay import replay, replay_settings

    with ctx.case_lock(thread), ctx.workspace() as ws:
        ws.rate_limit(caller.principal.name, "operations")
        allowed = {ws.settings.model, "none"}
        if body.model is not None and body.model not in allowed:
            raise HTTPException(403, f"model {body.model!r}: a replay from the web may use"
                                f" {' or '.join(sorted(allowed))} (the data home's model, or"
                                " parsers only); other models: `wardflow replay --model`")
        settings = replay_settings(ws.settings, model=body.model,
                                   review_threshold=body.review_threshold)
        if body.risk_threshold is not None:
            settings = settings.model_validate({**settings.model_dump(),
                                                "risk_threshold": body.risk_threshold})
        try:
            result = replay(ws, thread, body.from_checkpoint, settings=settings,
                            by=caller.principal.name)
        except WardflowError as err:
            if "not an invoice run" in str(err):
                raise HTTPException(409, str(err)) from err
            raise
        report = {**result.to_dict(), "rows": [
            {"what": r.what, "original": r.original, "replay": r.replay, "kind": r.kind,
             "changed": r.changed} for r in result.rows]}
        return for_role(ws, thread, caller.principal.role, report)


def operations_router(ctx: AppContext, jobs: RunJobs) -> APIRouter:
    """The operators' runs page and its API, acting on the runs in ``jobs`` too."""
    router = APIRouter()

    runs_html = page_html("runs.html")

    @router.get("/operations", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(runs_html)

    @router.get("/api/runs")
    def runs(
        caller: CallerDep,
        q: Annotated[str, Query(max_length=200)] = "",
        state: Annotated[list[str] | None, Query(max_length=len(FILTER_STATES))] = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = 25,
    ) -> dict[str, Any]:
        _reader(caller)
        unknown = sorted(set(state or ()) - set(FILTER_STATES))
        if unknown:
            raise HTTPException(422, f"unknown state(s) {', '.join(unknown)}: one of"
                                f" {', '.join(FILTER_STATES)}")
        with ctx.workspace() as ws:
            found = list_runs(ws, jobs, q=q.strip(), states=list(state or []), page=page,
                              per_page=per_page)
            found["runs"] = [for_role(ws, r["thread_id"], caller.principal.role, r)
                             for r in found["runs"]]
        return {**found, "may_act": caller.principal.role in OPERATORS}

    @router.get("/api/runs/{thread}")
    def run(thread: Thread, caller: CallerDep) -> dict[str, Any]:
        _reader(caller)
        with ctx.workspace() as ws:
            history = run_history(ws, jobs, thread)
            return {**for_role(ws, thread, caller.principal.role, history),
                    "may_act": caller.principal.role in OPERATORS,
                    # What a replay from the page may use (ReplayBody.model).
                    "replay_models": sorted({ws.settings.model, "none"})}

    @router.post("/api/runs/{thread}/retry")
    async def retry(thread: Thread, caller: CallerDep) -> dict[str, Any]:
        _operator(caller, "retry")
        result: dict[str, Any] = await run_in_threadpool(_retry, ctx, jobs, caller, thread)
        return result

    @router.post("/api/runs/{thread}/cancel")
    async def cancel(thread: Thread, body: CancelBody, caller: CallerDep) -> dict[str, Any]:
        _operator(caller, "cancel")
        result: dict[str, Any] = await run_in_threadpool(_cancel, ctx, jobs, caller, thread,
                                                         body)
        return result

    @router.post("/api/runs/{thread}/replay")
    async def replay(thread: Thread, body: ReplayBody, caller: CallerDep) -> dict[str, Any]:
        _operator(caller, "replay")
        result: dict[str, Any] = await run_in_threadpool(_replay, ctx, caller, thread, body)
        return result

    return router
