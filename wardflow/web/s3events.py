"""S3 event notifications as run triggers.

::

    POST /events/s3     {"Records": [{"eventName": "ObjectCreated:Put", "s3": {...}}]}

The JSON AWS S3, MinIO and Ceph send when an object is created. Callers send
``Authorization: Bearer <token>``: the notifier's shared secret
(``WARDFLOW_S3_EVENTS_TOKEN``), or an API or login token of a role that may start runs
(clerk, approver, controller). Each object version under the storage's
``s3://bucket/prefix`` starts one run of each blueprint watching its location (see
:mod:`wardflow.runtime.s3events`), exactly once across repeats, restarts and servers
sharing the event ledger. The runs execute in this server's thread pool, or, with
``WARDFLOW_EVENT_RUNS=workers``, on whichever ``wardflow worker`` takes them from the
ledger first (:func:`wardflow.runtime.s3events.take_queued`).

Answers: 202 with the runs queued (and what was a duplicate, ignored or held, with the
reason), 200 when nothing new starts; 400 not JSON or not an S3 notification; 401 no
or a bad token; 403 a role that may not start runs; 423 the kill switch held every
new event (nothing was claimed: send it again once it is off, or let a poll find it);
429 rate limited; 503 the storage failed (send it again: the versions queued before
the failure are duplicates then, the others run).
"""

from __future__ import annotations

import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from wardflow.errors import KillSwitchEngaged, StorageError
from wardflow.review.authz import with_article
from wardflow.runtime.s3events import (
    NotificationError,
    ObjectEvent,
    S3EventSource,
    Target,
    event_targets,
    load_event_blueprints,
    matching,
    parse_notification,
    queue_for_workers,
    s3_storage,
)
from wardflow.tools.inbox import InboxItem
from wardflow.web._context import AppContext
from wardflow.web._deps import authenticate, error_response
from wardflow.web._run_jobs import RunJobs

__all__ = ["NOTIFIER", "s3_events_router"]

log = logging.getLogger(__name__)

# Who the runs a notifier's token starts are submitted by (not a principal: it can
# approve nothing).
NOTIFIER = "s3-notifier"
_START_ROLES = frozenset({"clerk", "approver", "controller"})
_NO_STORE = {"Cache-Control": "no-store"}


def _caller(ctx: AppContext, authorization: str | None) -> str:
    """The submitter of the runs: the notifier, or the principal; else 401/403."""
    scheme, _, value = (authorization or "").partition(" ")
    token = ctx.settings.s3_events_token
    if token is not None and token.get_secret_value() and scheme.lower() == "bearer" and \
            secrets.compare_digest(value.strip().encode(), token.get_secret_value().encode()):
        return NOTIFIER
    caller = authenticate(ctx, authorization)  # AuthError: 401
    if caller.principal.role not in _START_ROLES:
        raise HTTPException(403, f"{with_article(caller.principal.role)} may not start runs"
                            " (clerks, approvers and controllers may)")
    return caller.principal.name


def s3_events_router(ctx: AppContext, jobs: RunJobs) -> APIRouter:
    """``POST /events/s3``; the runs it starts go to ``jobs``."""
    router = APIRouter()

    @router.post("/events/s3")
    async def s3_events(request: Request,
                        authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
        who = _caller(ctx, authorization)
        try:
            events, ignored = parse_notification(await request.body())
        except NotificationError as err:
            return error_response(400, str(err))
        try:
            body = await run_in_threadpool(_accept, ctx, jobs, who, events)
        except StorageError as err:
            log.warning("S3 notification not handled: %s", err)
            return error_response(503, f"{err}; send it again (what was queued before the"
                                  " failure is not started twice)")
        body["ignored"] = ignored + body["ignored"]
        code = 202 if body["runs"] else 423 if body["held"] else 200
        return JSONResponse(body, status_code=code, headers=_NO_STORE)

    return router


def _accept(ctx: AppContext, jobs: RunJobs, who: str, events: list[ObjectEvent]
            ) -> dict[str, Any]:
    runs: list[dict[str, str]] = []
    duplicates: list[dict[str, str]] = []
    ignored: list[dict[str, str]] = []
    held: list[dict[str, str]] = []
    with ctx.workspace() as ws:
        if who != NOTIFIER:
            ws.rate_limit(who, "runs")
        storage = s3_storage(ws.storage)
        if storage is None:
            return {"runs": [], "duplicates": [], "held": [], "ignored": [
                {"object": e.uri, "reason": "this server keeps documents in local files, not"
                 " S3 (set WARDFLOW_STORAGE_URL=s3://bucket/prefix)"} for e in events]}
        source = S3EventSource(storage, ws.services.events, audit=ws.audit,
                               max_bytes=ctx.settings.max_document_bytes)
        targets = event_targets(ctx.settings, load_event_blueprints(ctx.settings))
        for event in events:
            key = storage.storage_key(event.bucket, event.name)
            chosen = matching(targets, key) if key is not None else []
            if key is None or not chosen:
                where = f"under {storage.location}" if key is None else "in a location a" \
                    " blueprint with a document_uploaded trigger (or the invoice inbox) watches"
                ignored.append({"object": event.uri, "reason": f"not {where}"})
                continue
            for target in chosen:
                try:  # held: not claimed, so the notifier's retry (or a poll) runs it
                    ws.switch.check(target.workflow)
                except KillSwitchEngaged as err:
                    held.append({"object": event.key, "workflow": target.workflow,
                                 "reason": str(err)})
                    continue
                claimed = source.claim(event, target)
                entry = {"object": event.key, "workflow": target.workflow}
                if isinstance(claimed, str):
                    (duplicates if claimed.startswith("duplicate") else ignored).append(
                        {**entry, "reason": claimed})
                    continue
                thread = target.thread(claimed)
                ws.audit.append("event.received", {"object": event.key, "workflow":
                                                   target.workflow, "via": "s3-notification"},
                                actor=who if who == NOTIFIER else f"user:{who}",
                                thread_id=thread)
                if ctx.settings.event_runs == "workers":  # a worker takes it (any machine)
                    queue_for_workers(source.ledger, target, event, thread, who)
                else:
                    jobs.submit([thread], who, _work(ctx, target, event, claimed, who))
                runs.append({**entry, "id": thread, "status": "queued"})
    return {"runs": runs, "duplicates": duplicates, "ignored": ignored, "held": held}


def _work(ctx: AppContext, target: Target, event: ObjectEvent, item: InboxItem, who: str
          ) -> Any:
    thread = target.thread(item)

    def work() -> dict[str, tuple[str | None, str]]:
        with ctx.case_lock(thread), ctx.workspace() as ws:
            storage = s3_storage(ws.storage)
            assert storage is not None
            source = S3EventSource(storage, ws.services.events,
                                   max_bytes=ctx.settings.max_document_bytes)
            result = source.run(ws, target, event, item, who)
        return {thread: (result["error"], "")}

    return work
