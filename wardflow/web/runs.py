"""The runs API: start workflow runs over HTTP, follow them, and decide their reviews.

::

    POST /runs                {"prompt": "..."}                              -> 202
                              {"blueprint": NAME, "inputs": [PATH, ...]}     -> 202
                              multipart: document=@FILE [, blueprint=NAME]   -> 202
    GET  /runs/{id}           status, route, confidence, risk, pending review, errors
    GET  /runs/{id}/events    text/event-stream: what happened so far, then live updates
    POST /runs/{id}/resume    {decision, comment, args_hash, corrections[, interrupt_id]}

Callers send ``Authorization: Bearer <token>``: an API token (``wardflow tokens
create``) or a web login token. Clerks, approvers and controllers may start runs;
auditors and admins may read runs but not start them (an auditor watches, an admin
manages people: neither submits invoices). Decisions go through
:meth:`Workspace.resume`, so authorization, segregation of duties and the audit
record are those of ``wardflow review``; the caller is the submitter of the runs they
start, so they can never approve them.

Runs execute in a thread pool of the server; the request returns at once. A run's id
is its LangGraph thread id (the document's content id, ``<blueprint>:<document id>``
for blueprint runs), so the same document sent twice finds the same run. A prompt is
planned as ``wardflow run`` plans it (rate limits, prompt guard, planner, paths inside
the inbox roots, ``settings.inbox_roots``); there is no confirmation over the API: a
valid plan runs at once and comes back in the answer; a refused one is a 422 with the
reason, and one that would loosen policy (an approval limit above the settings') a 403.
Blueprints are named by file (``invoice`` or ``invoice.yaml``) or by their ``name``,
in ``settings.blueprints_path``; their ``inputs`` are paths inside the inbox roots.

Errors: 400 malformed JSON or form; 401 missing, bad, expired or revoked token; 403
role may not start runs, a plan that would loosen policy, or a decision refused (with
the rule); 404 unknown run; 409
the run is not waiting for a decision, or still running; 413 body too large (64 KiB of
JSON; ``max_document_bytes`` for an upload); 415 unsupported content or document
type; 422 invalid body, unknown blueprint, refused plan; 423 kill switch on; 429 rate
limited.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from wardflow.config import Settings
from wardflow.errors import (
    DocumentError,
    GuardViolation,
    KillSwitchEngaged,
    OutsideInboxRoots,
    PolicyError,
    RunNotFound,
)
from wardflow.graphs.blueprint import Blueprint
from wardflow.review.authz import with_article
from wardflow.review.payloads import ReviewDecision
from wardflow.runstate import RunView
from wardflow.status import as_run_status, blueprint_status, step_status
from wardflow.tools.documents import sniff_media_type
from wardflow.tools.inbox import InboxItem, document_id
from wardflow.web._bodies import MAX_JSON_BYTES, read_form, read_json, too_large
from wardflow.web._context import AppContext
from wardflow.web._deps import Caller, CallerDep, DecisionBody, Thread
from wardflow.web._run_jobs import Job, Outcome, RunJobs
from wardflow.web._run_work import (
    _item_spec,
    _plan_spec,
    find_blueprint,
    resume_jobs,
    run_item,
    run_plan,
)
from wardflow.web.views import for_role

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["MAX_JSON_BYTES", "START_ROLES", "RunJobs", "resume_jobs", "runs_router",
           "upload_limit"]

log = logging.getLogger(__name__)

START_ROLES = frozenset({"clerk", "approver", "controller"})
# Room for the multipart boundaries and headers around the document itself.
_FORM_OVERHEAD = 64 * 1024
_POLL_S = 0.2
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")
_NO_STORE = {"Cache-Control": "no-store"}


class StartBody(BaseModel):
    """A JSON request to start runs: a prompt, or a blueprint with its inputs."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(default=None, min_length=1, max_length=2000)
    blueprint: str | None = Field(default=None, min_length=1, max_length=200)
    inputs: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _one_kind(self) -> StartBody:
        if (self.prompt is None) == (self.blueprint is None):
            raise ValueError("give exactly one of 'prompt' or 'blueprint'")
        if self.blueprint is not None and not self.inputs:
            raise ValueError("a blueprint run needs 'inputs' (paths), or upload the document"
                             " as multipart/form-data with a 'blueprint' field")
        if self.prompt is not None and self.inputs:
            raise ValueError("'inputs' go with 'blueprint'; a prompt names its own folder")
        return self


class ResumeBody(DecisionBody):
    """A decision; ``interrupt_id`` chooses one of several pending blueprint approvals."""

    interrupt_id: str | None = Field(default=None, max_length=128)


def _safe_name(name: str) -> str:
    return _UNSAFE_NAME.sub("_", Path(name).name).strip(" .")[:120] or "document"


def _graph_for(ws: Workspace, thread: str) -> tuple[Any, Blueprint | None]:
    """The graph a thread belongs to: a blueprint's (``name:...``) or the invoice graph."""
    if ":" not in thread:
        return ws.graph, None
    try:
        blueprint = find_blueprint(ws, thread.split(":", 1)[0])
    except HTTPException as err:
        raise RunNotFound(thread) from err
    return ws.blueprint_graph(blueprint), blueprint


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def _links(thread: str) -> dict[str, str]:
    base = f"/runs/{quote(thread, safe=':@')}"
    return {"self": base, "events": f"{base}/events", "resume": f"{base}/resume"}


# Starting runs -----------------------------------------------------------------------
class _Starter:
    """What POST /runs does once the body is read (in a worker thread)."""

    def __init__(self, ctx: AppContext, jobs: RunJobs, caller: Caller) -> None:
        self.ctx, self.jobs, self.caller = ctx, jobs, caller
        self.who = caller.principal.name

    def document(self, name: str, data: bytes, blueprint_ref: str | None) -> JSONResponse:
        try:
            media_type = sniff_media_type(data, name)
        except DocumentError as err:
            status = 415 if err.reason == "unsupported_type" else 422
            raise HTTPException(status, str(err)) from err
        if media_type == "message/rfc822":
            raise HTTPException(415, f"{name}: upload the invoice itself (PDF, PNG, JPEG,"
                                " TIFF); emails go through a watched folder")
        doc, safe = document_id(data), _safe_name(name)
        with self.ctx.workspace() as ws:
            ws.rate_limit(self.who, "runs")
            blueprint = find_blueprint(ws, blueprint_ref) if blueprint_ref else None
            ws.switch.check(blueprint.name if blueprint else "invoice")
            thread = f"{blueprint.name}:{doc}" if blueprint else doc
            graph = ws.blueprint_graph(blueprint) if blueprint else ws.graph
            snapshot = graph.get_state(_config(thread))
            if snapshot.values and (snapshot.interrupts or not snapshot.next):
                # Finished or waiting: the same bytes are the same run.
                return self._answer(200, [thread], status=describe(ws, self.jobs, thread)[
                    "status"], note="this document was submitted before; this is its run")
            key = f"incoming/{doc}/{safe}"
            ws.storage.put(key, data)
            self._audit(ws, thread, {"kind": "document", "document": safe,
                                     "blueprint": blueprint.name if blueprint else None})
        item = InboxItem(doc, f"api:{safe}", safe, storage_key=key,
                         origin={"submitted_via": self.caller.via})
        return self._submit([thread], lambda: {thread: self._run_item(item, blueprint)},
                            _item_spec(item, blueprint))

    def blueprint(self, ref: str, inputs: list[str]) -> JSONResponse:
        with self.ctx.workspace() as ws:
            ws.rate_limit(self.who, "runs")
            try:
                # Inside the inbox roots (symlinks resolved), before a byte is read.
                paths = ws.inbox_paths(inputs, by=self.who)
            except OutsideInboxRoots as err:
                raise HTTPException(422, f"input {err}") from err
            missing = [raw for raw, path in zip(inputs, paths, strict=True) if not path.exists()]
            if missing:
                raise HTTPException(422, f"input {missing[0]!r} does not exist")
            blueprint = find_blueprint(ws, ref)
            ws.switch.check(blueprint.name)
            items = ws.items(paths)
            if not items:
                raise HTTPException(422, "the inputs hold no documents")
            threads = [f"{blueprint.name}:{item.document_id}" for item in items]
            for thread, item in zip(threads, items, strict=True):
                self._audit(ws, thread, {"kind": "blueprint", "blueprint": blueprint.name,
                                         "document": item.source})
        for thread, item in zip(threads, items, strict=True):
            self._submit_unless_active(thread, item, blueprint)
        return self._answer(202, threads)

    def prompt(self, prompt: str) -> JSONResponse:
        with self.ctx.workspace() as ws:
            try:
                plan = ws.plan(prompt, principal=self.who, workdir=Path.cwd())
            except GuardViolation as err:
                raise HTTPException(422, f"refused: {err}") from err
            except PolicyError as err:
                # Policy only tightens: a prompt may not loosen it (audited by ws.plan).
                return JSONResponse({"detail": f"plan refused: {err}", "rule":
                                     "policy-only-tightens", "violations": err.violations},
                                    status_code=403, headers=_NO_STORE)
            if plan.refused or plan.action is None:
                return JSONResponse({"detail": f"plan refused: {plan.refused}",
                                     "plan": plan.to_dict()}, status_code=422, headers=_NO_STORE)
            if plan.action == "recheck_duplicates":
                return JSONResponse(ws.run_plan(plan, submitted_by=self.who), headers=_NO_STORE)
            ws.switch.check("invoice")
            threads = list(dict.fromkeys(i.document_id for i in ws.items([plan.path or "."])))
            if not threads:
                raise HTTPException(422, f"plan: {plan.path} holds no documents")
            for thread in threads:
                self._audit(ws, thread, {"kind": "prompt", "prompt": plan.prompt})

        self.jobs.submit(threads, self.who, lambda: run_plan(self.ctx, self.who, plan, threads),
                         _plan_spec(plan, threads))
        return self._answer(202, threads, plan=plan.to_dict())

    # helpers ---------------------------------------------------------------------------
    def _run_item(self, item: InboxItem, blueprint: Blueprint | None) -> tuple[str | None, str]:
        return run_item(self.ctx, self.who, item, blueprint)

    def _submit_unless_active(self, thread: str, item: InboxItem,
                              blueprint: Blueprint | None) -> None:
        job = self.jobs.get(thread)
        if job is None or not job.active:
            self.jobs.submit([thread], self.who,
                             lambda: {thread: self._run_item(item, blueprint)},
                             _item_spec(item, blueprint))

    def _submit(self, threads: list[str], work: Callable[[], Outcome],
                spec: dict[str, Any]) -> JSONResponse:
        job = self.jobs.get(threads[0])
        if len(threads) == 1 and job is not None and job.active:
            return self._answer(202, threads, note="already queued or running")
        self.jobs.submit(threads, self.who, work, spec)
        return self._answer(202, threads)

    def _audit(self, ws: Workspace, thread: str, detail: dict[str, Any]) -> None:
        ws.audit.append("api.run_requested", {**detail, "via": self.caller.via},
                        actor=f"user:{self.who}", thread_id=thread)

    def _answer(self, code: int, threads: list[str], *, status: str = "queued",
                **extra: Any) -> JSONResponse:
        runs = []
        for thread in threads:
            job = self.jobs.get(thread)
            runs.append({"id": thread, "status": job.state if job and job.active else status,
                         "links": _links(thread)})
        body: dict[str, Any] = {**(runs[0] if len(runs) == 1 else {}), "runs": runs, **extra}
        return JSONResponse(body, status_code=code, headers=_NO_STORE)


# Reading runs ------------------------------------------------------------------------
def _review_brief(ws: Workspace, thread: str) -> dict[str, Any]:
    """What a client needs to decide a paused invoice run (the full case is at
    ``/api/cases/{id}``)."""
    request = ws.pending(thread)
    return {"thread_id": thread, "required_role": request.required_role,
            "allowed_decisions": list(request.allowed_decisions),
            "reasons": [{"code": r.code, "detail": r.detail} for r in request.reasons],
            "confidence": request.confidence, "risk": request.risk.get("score"),
            "deadline": request.deadline, "args_hash": request.proposed_action.args_hash,
            "refused": request.refused}


def describe(ws: Workspace, jobs: RunJobs, thread: str) -> dict[str, Any]:
    """One run: its state from the checkpoint, and from this server's job if it has one.

    Raises:
        RunNotFound: neither a checkpoint nor a job has this id.
    """
    job = jobs.get(thread)
    graph, blueprint = _graph_for(ws, thread)
    snapshot = graph.get_state(_config(thread))
    body: dict[str, Any]
    if not snapshot.values:
        if job is None:
            raise RunNotFound(thread)
        body = {"id": thread, "workflow": blueprint.name if blueprint else "invoice",
                "status": job.state, "error": job.error}
    elif blueprint is None:
        view = RunView.from_snapshot(snapshot)
        body = {"id": thread, "workflow": "invoice", **view.to_dict(),
                "pending": _review_brief(ws, thread) if view.waiting_for_review else None}
    else:
        result = RunView.from_snapshot(snapshot).blueprint_result()
        body = {"id": thread, "workflow": blueprint.name, **result,
                "pending": [{"interrupt_id": i.id, **i.value} for i in snapshot.interrupts]
                or None}
    if job is not None and job.active:
        body["status"] = job.state
    body["job"] = None if job is None else job.to_dict()
    body["links"] = _links(thread)
    return body


# Events ------------------------------------------------------------------------------
Event = tuple[str, dict[str, Any]]


def _node_events(graph: Any, thread: str) -> list[Event]:
    """Each node that finished, in order, from the checkpoint history: the node of one
    checkpoint's pending task is done once the next checkpoint exists."""
    history = list(reversed(list(graph.get_state_history(_config(thread)))))
    events: list[Event] = []
    for before, after in zip(history, history[1:], strict=False):
        if (after.metadata or {}).get("source") != "loop":
            continue
        for task in before.tasks:
            if not task.name.startswith("__"):
                events.append(("node", {"node": task.name,
                                        "step": (after.metadata or {}).get("step"),
                                        "status": as_run_status(after.values.get("status")),
                                        **_step_status(after.values),
                                        "at": after.created_at}))
    return events


def _ending(ws: Workspace, graph: Any, blueprint: Blueprint | None, thread: str,
            job: Job | None) -> Event | None:
    """How the stream ends, if the run has ended or paused; ``None`` while it runs."""
    if job is not None and job.active:
        return None
    snapshot = graph.get_state(_config(thread))
    values = snapshot.values
    if not values:
        return "failed", {"status": "failed", "error": (job.error if job else None)
                          or "the run did not start"}
    if snapshot.interrupts:
        if blueprint is None:
            return "interrupt", {"status": "awaiting_review", "review": _review_brief(ws, thread)}
        return "interrupt", {"status": "awaiting_approval", "approvals": [
            {"interrupt_id": i.id, **i.value} for i in snapshot.interrupts]}
    view = RunView.from_snapshot(snapshot)
    error = (job.error if job else None) or (view.state.error.detail if view.state.error
                                             else None)
    if snapshot.next:
        return "paused", {"status": "interrupted",
                          "next": list(snapshot.next),
                          "reason": error or "stopped between steps (kill switch or a"
                          " crash); it continues when resumed"}
    status = view.status
    if status == "failed":
        return "failed", {"status": status, "error": error, **_step_status(values)}
    posting = view.state.posting
    return "done", {"status": status, "posting_id": posting.posting_id if posting else None,
                    **_step_status(values)}


def _step_status(values: Mapping[str, Any]) -> dict[str, str]:
    """A blueprint run's ``step_status`` (what its last step did), if it has one."""
    progress = step_status(values)
    return {"step_status": progress} if progress else {}


def _frame(kind: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {kind}\ndata: {json.dumps(data, default=str)}\n\n"


async def stream_events(ctx: AppContext, jobs: RunJobs, thread: str, *, after: int = 0,
                        heartbeat_s: float = 15.0, role: str = "clerk") -> AsyncIterator[str]:
    """Server-sent events: ``node`` for each finished node (ids count them, so a client
    can reconnect with ``Last-Event-ID``), then one of ``interrupt``, ``paused``,
    ``done`` or ``failed``; ``queued``/``running`` while nothing is checkpointed yet;
    a comment line as heartbeat. The ending is shown as the caller's ``role`` may see
    it (personal data as tokens unless the vault reveals it to that role)."""
    ws = await run_in_threadpool(ctx.open_workspace)
    try:
        graph, blueprint = await run_in_threadpool(_graph_for, ws, thread)

        def poll(seen: object) -> tuple[object, list[Event], Event | None, Job | None] | None:
            job = jobs.get(thread)  # read before the state, so an ending is never missed
            latest = ws.checkpointer.get_tuple(_config(thread))
            marker = (latest.checkpoint["id"] if latest else None, job.state if job else None)
            if marker == seen:
                return None
            nodes = _node_events(graph, thread) if latest else []
            end = _ending(ws, graph, blueprint, thread, job)
            if end is not None:
                end = end[0], for_role(ws, thread, role, end[1])
            return marker, nodes, end, job

        sent, seen, said, last_beat = after, None, "", time.monotonic()
        while True:
            polled = await run_in_threadpool(poll, seen)
            if polled is not None:
                seen, nodes, end, job = polled
                if job is not None and job.active and job.state != said:
                    said = job.state
                    yield _frame(job.state, {"status": job.state})
                for number, (kind, data) in enumerate(nodes, 1):
                    if number > sent:
                        yield _frame(kind, data, number)
                        sent = number
                if end is not None:
                    yield _frame(*end)
                    return
            if time.monotonic() - last_beat >= heartbeat_s:
                last_beat = time.monotonic()
                yield ": heartbeat\n\n"
            await asyncio.sleep(_POLL_S)
    finally:
        ws.close()


# Deciding ----------------------------------------------------------------------------
def _resume(ctx: AppContext, jobs: RunJobs, caller: Caller, thread: str,
            body: ResumeBody) -> dict[str, Any]:
    job = jobs.get(thread)
    if job is not None and job.active:
        raise HTTPException(409, f"{thread} is still {job.state}; decide it once it waits"
                            " for review")
    decision = ReviewDecision(decision=body.decision, by=caller.principal.name,
                              comment=body.comment, args_hash=body.args_hash,
                              corrections=body.corrections)
    with ctx.workspace() as ws:
        graph, blueprint = _graph_for(ws, thread)
        snapshot = graph.get_state(_config(thread))
        if not snapshot.values:
            raise RunNotFound(thread)
        if not snapshot.interrupts:
            status = ws.status(thread)[0].status if blueprint is None else blueprint_status(
                snapshot.values, waiting=False, stopped=bool(snapshot.next))
            raise HTTPException(409, f"{thread} is not waiting for a decision (status {status})")
    try:
        if blueprint is None:
            ctx.decide(thread, decision)
        else:
            with ctx.case_lock(thread), ctx.workspace() as ws:
                ws.decide_blueprint(blueprint, thread, decision, interrupt_id=body.interrupt_id)
    except KillSwitchEngaged as err:
        raise HTTPException(423, f"{err}. The decision is recorded; the run is parked before"
                            " its next side effect and continues when the switch is"
                            " released") from err
    log.info("api decision: %s %s by %s (%s)", thread, body.decision, caller.principal.name,
             caller.via)
    with ctx.workspace() as ws:
        return for_role(ws, thread, caller.principal.role, describe(ws, jobs, thread))


# The router --------------------------------------------------------------------------
def runs_router(ctx: AppContext, jobs: RunJobs) -> APIRouter:
    """The runs API; the runs it starts go to ``jobs`` (the app's ``state.runs``)."""
    router = APIRouter()

    @router.post("/runs", status_code=202)
    async def start_run(request: Request, caller: CallerDep) -> JSONResponse:
        if caller.principal.role not in START_ROLES:
            raise HTTPException(403, f"{with_article(caller.principal.role)} may not start runs (clerks,"
                                " approvers and controllers may)")
        starter = _Starter(ctx, jobs, caller)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if kind == "application/json":
                body = StartBody.model_validate(await read_json(request))
                if body.prompt is not None:
                    return await run_in_threadpool(starter.prompt, body.prompt)
                assert body.blueprint is not None
                return await run_in_threadpool(starter.blueprint, body.blueprint, body.inputs)
            if kind == "multipart/form-data":
                return await _start_upload(request, starter, ctx)
        except KillSwitchEngaged as err:
            raise HTTPException(423, f"{err}; no new run starts until it is released") from err
        raise HTTPException(415, "send application/json ({\"prompt\": ...} or {\"blueprint\":"
                            " ..., \"inputs\": [...]}) or multipart/form-data with a"
                            " 'document' file")

    @router.get("/runs/{thread}")
    def get_run(thread: Thread, caller: CallerDep) -> JSONResponse:
        with ctx.workspace() as ws:
            # Least data: a clerk gets personal data as the vault's tokens.
            return JSONResponse(for_role(ws, thread, caller.principal.role,
                                         describe(ws, jobs, thread)), headers=_NO_STORE)

    @router.get("/runs/{thread}/events")
    async def run_events(
        thread: Thread, caller: CallerDep,
        heartbeat: Annotated[float, Query(ge=1, le=60, description="seconds")] = 15.0,
        last_event_id: Annotated[int, Header(alias="Last-Event-ID", ge=0)] = 0,
    ) -> StreamingResponse:
        # Refused before the stream starts, so an unknown run is a plain 404.
        with ctx.workspace() as ws:
            await run_in_threadpool(describe, ws, jobs, thread)
        return StreamingResponse(
            stream_events(ctx, jobs, thread, after=last_event_id, heartbeat_s=heartbeat,
                          role=caller.principal.role),
            media_type="text/event-stream", headers={**_NO_STORE, "X-Accel-Buffering": "no"})

    @router.post("/runs/{thread}/resume")
    async def resume_run(thread: Thread, request: Request, caller: CallerDep) -> JSONResponse:
        body = ResumeBody.model_validate(await read_json(request))
        result = await run_in_threadpool(_resume, ctx, jobs, caller, thread, body)
        return JSONResponse(result, headers=_NO_STORE)

    return router


def upload_limit(settings: Settings) -> int:
    """The body limit of ``POST /runs``: a document and the form around it."""
    return settings.max_document_bytes + _FORM_OVERHEAD


async def _start_upload(request: Request, starter: _Starter, ctx: AppContext) -> JSONResponse:
    form = await read_form(request, upload_limit(ctx.settings))
    unknown = sorted((set(form.fields) | set(form.files)) - {"document", "blueprint"})
    if unknown or "blueprint" in form.files:
        raise HTTPException(422, f"unexpected form field(s) {', '.join(unknown)}: send"
                            " 'document' (a file) and, optionally, 'blueprint' (a name)")
    if "document" not in form.files:
        raise HTTPException(422, "send the document as a file in the form field 'document'")
    name, data = form.files["document"]
    if len(data) > ctx.settings.max_document_bytes:
        raise too_large(ctx.settings.max_document_bytes)
    return await run_in_threadpool(starter.document, name or "document", data,
                                   form.fields.get("blueprint") or None)
