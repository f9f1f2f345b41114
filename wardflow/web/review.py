"""The review API: a reviewer's inbox, one case, its stored document, and the decision
and chat on it.

::

    GET  /api/inbox                          {cases: [...]}, highest risk first
    GET  /api/cases/{thread}                 request, extracted text, evidence spans
    GET  /api/cases/{thread}/document        the stored original, inline
    GET  /api/cases/{thread}/pages/{n}       page n as an image
    POST /api/cases/{thread}/decision        {decision, comment, args_hash, corrections}
    POST /api/cases/{thread}/chat            {message} -> {answer}
    POST /api/cases/{thread}/chat/stream     {message} -> text/event-stream

Every decision goes through :meth:`Workspace.resume` (via :meth:`AppContext.decide`),
so authorization, segregation of duties and the audit record are those of
``wardflow review``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import Response, StreamingResponse

from wardflow.errors import (
    CorruptDocument,
    DocumentTooLarge,
    ReviewError,
    RunNotFound,
    StorageError,
)
from wardflow.review.disclosure import reveals
from wardflow.review.payloads import ReviewDecision
from wardflow.review.principals import Principal
from wardflow.tools.documents import DocumentLimits
from wardflow.web._context import AppContext
from wardflow.web._deps import ChatBody, Current, DecisionBody, Thread, error_response
from wardflow.web.chat import answer, stream_answer
from wardflow.web.preview import render_page
from wardflow.web.views import case_detail, document_key
from wardflow.web.views import inbox as inbox_rows

__all__ = ["chat_router", "review_router"]

log = logging.getLogger(__name__)


def review_router(ctx: AppContext) -> APIRouter:
    """The review inbox, each case, its document and pages, and the decision."""
    router = APIRouter()

    @router.get("/api/inbox")
    def inbox(principal: Current) -> dict[str, Any]:
        with ctx.workspace() as ws:
            return {"cases": inbox_rows(ws, principal.role)}

    @router.get("/api/cases/{thread}")
    def case(thread: Thread, principal: Current) -> dict[str, Any]:
        with ctx.workspace() as ws:
            return case_detail(ws, thread, role=principal.role)

    @router.get("/api/cases/{thread}/document")
    def document(thread: Thread, principal: Current) -> Response:
        data, media_type, name = _stored_document(ctx, thread, principal)
        disposition = f"inline; filename*=UTF-8''{_quote(name)}"
        return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})

    @router.get("/api/cases/{thread}/pages/{page}")
    def page(thread: Thread, page: Annotated[int, PathParam(ge=1, le=500)],
             principal: Current) -> Response:
        data, media_type, _ = _stored_document(ctx, thread, principal)
        try:
            image, image_type = render_page(data, media_type, page,
                                            limits=DocumentLimits.from_settings(ctx.settings))
        except CorruptDocument as err:
            return error_response(404, str(err))
        except DocumentTooLarge as err:
            return error_response(422, str(err))
        return Response(image, media_type=image_type)

    @router.post("/api/cases/{thread}/decision")
    def decision(thread: Thread, body: DecisionBody, principal: Current) -> dict[str, Any]:
        made = ReviewDecision(decision=body.decision, by=principal.name, comment=body.comment,
                              args_hash=body.args_hash, corrections=body.corrections)
        summary = ctx.decide(thread, made)
        log.info("web decision: %s %s by %s -> %s", thread, body.decision, principal.name,
                 summary.status)
        return summary.to_dict()

    return router


def chat_router(ctx: AppContext) -> APIRouter:
    """The review chat on one case: an answer, or the answer streamed."""
    router = APIRouter()

    @router.post("/api/cases/{thread}/chat")
    def chat(thread: Thread, body: ChatBody, principal: Current) -> dict[str, str]:
        with ctx.case_lock(thread), ctx.workspace() as ws:
            return {"answer": answer(ws, principal.name, thread, body.message, width=body.width,
                                     seen=ctx.seen(principal.name, thread, body.args_hash))}

    @router.post("/api/cases/{thread}/chat/stream")
    def chat_stream(thread: Thread, body: ChatBody, principal: Current) -> StreamingResponse:
        ws = ctx.open_workspace()
        try:
            # Refuse before the stream starts, so an unknown case is a plain 404.
            ws.pending(thread)
        except BaseException:
            ws.close()
            raise
        chunks = stream_answer(ws, principal.name, thread, body.message, ctx.case_lock(thread),
                               width=body.width,
                               seen=ctx.seen(principal.name, thread, body.args_hash))

        def events() -> Iterator[str]:
            for chunk in chunks:
                yield f"event: chunk\ndata: {json.dumps({'text': chunk})}\n\n"
            yield "event: done\ndata: {}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no"})

    return router


def _stored_document(ctx: AppContext, thread: str, principal: Principal
                     ) -> tuple[bytes, str, str]:
    if not reveals(principal.role):
        # The original cannot be tokenized; the case detail has the tokenized text.
        raise ReviewError(thread, f"a {principal.role} may not see the original document (it"
                          " holds personal data the vault withholds from this role)")
    with ctx.workspace() as ws:
        values = ws.state(thread).values
        key = document_key(values)
        document = values.get("document") or {}
        if key is None:
            raise RunNotFound(thread)
        try:
            data = ws.storage.get(key)
        except StorageError as err:
            raise RunNotFound(thread) from err
    return (data, str(document.get("media_type") or "application/octet-stream"),
            str(document.get("name") or "document"))


def _quote(name: str) -> str:
    return quote(name, safe="")
