"""The review web app: a JSON API, the review page on top of it, and a Slack webhook.

Endpoints (every ``/api`` route but login and the webhook needs
``Authorization: Bearer <token>``)::

    POST /api/login                          {principal, password} -> {token, expires_at}
    GET  /api/me                             the logged-in principal
    GET  /api/inbox                          {cases: [...]}, highest risk first
    GET  /api/cases/{thread}                 request, extracted text, evidence spans
    GET  /api/cases/{thread}/document        the stored original, inline
    GET  /api/cases/{thread}/pages/{n}       page n as an image
    POST /api/cases/{thread}/decision        {decision, comment, args_hash, corrections}
    POST /api/cases/{thread}/chat            {message} -> {answer}
    POST /api/cases/{thread}/chat/stream     {message} -> text/event-stream
    POST /api/slack/actions                  Slack interactive message (signed)
    GET  /api/audit/runs[/{thread}[/diagram]]  the auditor dashboard (see ``dashboard``)
    POST /runs, GET /runs/{id}[/events], POST /runs/{id}/resume   the runs API (``runs``)
    GET  /operations, /api/runs[/{thread}], POST /api/runs/{thread}/(retry|cancel|replay)
                                             the operators' runs page (``operations``)

Every decision goes through :meth:`Workspace.resume`, so authorization, segregation of
duties and the audit record are exactly those of ``wardflow review``. Refusals are
403 with the reason, an unknown thread 404, an invalid body 422, a bad or expired token
401. Each request opens its own workspace (about 10 ms); decisions and chat lines on
one case are serialized by a per-case lock.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from wardflow.config import Settings
from wardflow.errors import (
    ConfigError,
    CorruptDocument,
    DocumentTooLarge,
    KillSwitchEngaged,
    RateLimited,
    ReviewError,
    RunNotFound,
    StorageError,
    WardflowError,
)
from wardflow.review.disclosure import reveals
from wardflow.review.payloads import ReviewDecision
from wardflow.review.principals import Principal
from wardflow.tools.documents import DocumentLimits
from wardflow.web._context import AppContext
from wardflow.web._limits import BodyLimit
from wardflow.web._pages import page_html
from wardflow.web._validation import safe_errors
from wardflow.web.auth import AuthError
from wardflow.web.chat import answer, stream_answer
from wardflow.web.preview import render_page
from wardflow.web.slack import (
    SlackAction,
    SlackError,
    parse_action,
    verify_request,
)
from wardflow.web.views import case_detail, document_key
from wardflow.web.views import inbox as inbox_rows

try:
    from fastapi import Depends, FastAPI, Header, Request
    from fastapi import Path as PathParam
    from fastapi.encoders import jsonable_encoder
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.concurrency import run_in_threadpool
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ConfigError("the web review needs the web extra: pip install 'wardflow[web]'") from err

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wardflow.graphs.blueprint import Blueprint
    from wardflow.graphs.workspace import Workspace
    from wardflow.services import Services

__all__ = ["create_app", "serve"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SECRET_ENV = "WARDFLOW_WEB_SECRET"
SLACK_SECRET_ENV = "WARDFLOW_SLACK_SIGNING_SECRET"
_MAX_WEBHOOK_BYTES = 64 * 1024
# The page loads nothing from elsewhere; the CSP makes that a rule, not a habit.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:;"
                               " object-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}

Thread = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$")]


class LoginBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    principal: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class DecisionBody(BaseModel):
    """A decision as the page or an adapter sends it; who decides comes from the token."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject", "correct"]
    comment: str = Field(default="", max_length=4000)
    args_hash: str | None = Field(default=None, max_length=128)
    corrections: dict[str, str] = Field(default_factory=dict)


class ChatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: str = Field(min_length=1, max_length=2000)
    # The proposal hash the page shows: "approve" approves it (and nothing else).
    args_hash: str | None = Field(default=None, max_length=128)
    # Columns the answer's tables may use (the page sends its chat panel's width).
    width: int = Field(default=100, ge=30, le=240)


def _current(request: Request,
             authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The dependency behind every authenticated route."""
    ctx: AppContext = request.app.state.wardflow
    return ctx.principal(authorization)


Current = Annotated[Principal, Depends(_current)]


def create_app(
    settings: Settings, *, services: Services | None = None,
    workspace_factory: Callable[[], Workspace] | None = None,
    secret: str | SecretStr | None = None, slack_signing_secret: str | SecretStr | None = None,
    token_ttl_s: int = 8 * 3600, clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The review web app for the data home in ``settings``.

    Args:
        services: the stores requests use outside a workspace (principals,
            credentials, API tokens, Slack users); default: ``build_services(settings)``,
            each store opened on first use and kept for the app's life.
        workspace_factory: opens a workspace for one request (default:
            ``Workspace(settings)``); the app closes it after the request.
        secret: the key that signs login tokens; default ``$WARDFLOW_WEB_SECRET``, else
            a random key for this process (tokens then end with the process).
        slack_signing_secret: the Slack app's signing secret; default
            ``$WARDFLOW_SLACK_SIGNING_SECRET``. Without one the webhook answers 503.
        token_ttl_s: how long a login lasts.
        clock: Unix time, for token expiry and the Slack timestamp window.
    """
    if workspace_factory is None:
        from wardflow.graphs.workspace import Workspace

        def workspace_factory() -> Workspace:
            return Workspace(settings)

    key = _secret(secret, SECRET_ENV)
    if key is None:
        log.warning("%s is not set: using a random key; logins end when the server stops",
                    SECRET_ENV)
        key = secrets.token_urlsafe(32)
    ctx = AppContext(settings, workspace_factory, key.encode(),
                     _secret(slack_signing_secret, SLACK_SECRET_ENV), token_ttl_s, clock,
                     services=services)
    app = FastAPI(title="wardflow review", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.wardflow = ctx
    _add_errors(app)
    _add_page(app)
    _add_api(app, ctx)
    _add_chat(app, ctx)
    _add_slack(app, ctx)
    # Imported here: the dashboard uses this module's route types.
    from wardflow.web.dashboard import add_dashboard

    add_dashboard(app, ctx)
    from wardflow.web.runs import add_runs, upload_limit

    jobs = add_runs(app, ctx)
    from wardflow.web.operations import add_operations

    add_operations(app, ctx, jobs)
    # Outermost (added last): bodies are capped while they stream in, before any layer
    # reads them (wardflow/web/_limits.py).
    app.add_middleware(BodyLimit, default=settings.max_request_bytes, routes={
        ("POST", "/runs"): (upload_limit(settings), "WARDFLOW_MAX_DOCUMENT_BYTES")})
    return app


def _secret(value: str | SecretStr | None, env: str) -> str | None:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    # The web server is an edge, like the CLI: it may read its own secrets from the
    # environment.
    return value or os.environ.get(env) or None


def _error(status: int, detail: str, **headers: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)


def _add_errors(app: FastAPI) -> None:
    """Map wardflow's errors to HTTP: 401, 403 (refused), 404, 422, 423 (kill switch), 429."""

    async def auth(_: Request, err: Exception) -> JSONResponse:
        return _error(401, str(err), **{"WWW-Authenticate": "Bearer"})

    async def refused(_: Request, err: Exception) -> JSONResponse:
        return _error(403, str(err))

    async def not_found(_: Request, err: Exception) -> JSONResponse:
        return _error(404, str(err))

    async def invalid(_: Request, err: Exception) -> JSONResponse:
        if isinstance(err, RequestValidationError):
            errors = list(err.errors())
        else:
            assert isinstance(err, ValidationError)
            errors = list(err.errors(include_url=False, include_context=False))
        # Never the input of a secret field: a login body with a typo would echo the password.
        return JSONResponse({"detail": jsonable_encoder(safe_errors(errors))}, status_code=422)

    async def limited(_: Request, err: Exception) -> JSONResponse:
        assert isinstance(err, RateLimited)
        return _error(429, str(err), **{"Retry-After": str(max(1, round(err.retry_after_s)))})

    async def stopped(_: Request, err: Exception) -> JSONResponse:
        # The kill switch is on: the decision is recorded, the run parked before its
        # next side effect; 423 Locked says "later", not "wrong".
        return _error(423, str(err))

    async def failed(_: Request, err: Exception) -> JSONResponse:
        log.error("request failed: %s", err)
        return _error(500, str(err))

    for error, handler in ((AuthError, auth), (ReviewError, refused), (RunNotFound, not_found),
                           (ValidationError, invalid), (RequestValidationError, invalid),
                           (RateLimited, limited),
                           (KillSwitchEngaged, stopped), (WardflowError, failed)):
        app.add_exception_handler(error, handler)

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
        response: Response = await call_next(request)
        response.headers.update(_SECURITY_HEADERS)
        if request.url.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
        return response


def _add_page(app: FastAPI) -> None:
    index_html = page_html("index.html")

    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(index_html)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")


def _add_api(app: FastAPI, ctx: AppContext) -> None:
    @app.post("/api/login")
    def login(body: LoginBody) -> dict[str, Any]:
        return ctx.login(body.principal, body.password)

    @app.get("/api/me")
    def me(principal: Current) -> dict[str, object]:
        return principal.to_dict()

    @app.get("/api/inbox")
    def inbox(principal: Current) -> dict[str, Any]:
        with ctx.workspace() as ws:
            return {"cases": inbox_rows(ws, principal.role)}

    @app.get("/api/cases/{thread}")
    def case(thread: Thread, principal: Current) -> dict[str, Any]:
        with ctx.workspace() as ws:
            return case_detail(ws, thread, role=principal.role)

    @app.get("/api/cases/{thread}/document")
    def document(thread: Thread, principal: Current) -> Response:
        data, media_type, name = _stored_document(ctx, thread, principal)
        disposition = f"inline; filename*=UTF-8''{_quote(name)}"
        return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})

    @app.get("/api/cases/{thread}/pages/{page}")
    def page(thread: Thread, page: Annotated[int, PathParam(ge=1, le=500)],
             principal: Current) -> Response:
        data, media_type, _ = _stored_document(ctx, thread, principal)
        try:
            image, image_type = render_page(data, media_type, page,
                                            limits=DocumentLimits.from_settings(ctx.settings))
        except CorruptDocument as err:
            return _error(404, str(err))
        except DocumentTooLarge as err:
            return _error(422, str(err))
        return Response(image, media_type=image_type)

    @app.post("/api/cases/{thread}/decision")
    def decision(thread: Thread, body: DecisionBody, principal: Current) -> dict[str, Any]:
        made = ReviewDecision(decision=body.decision, by=principal.name, comment=body.comment,
                              args_hash=body.args_hash, corrections=body.corrections)
        summary = ctx.decide(thread, made)
        log.info("web decision: %s %s by %s -> %s", thread, body.decision, principal.name,
                 summary.status)
        return summary.to_dict()


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


def _add_chat(app: FastAPI, ctx: AppContext) -> None:
    @app.post("/api/cases/{thread}/chat")
    def chat(thread: Thread, body: ChatBody, principal: Current) -> dict[str, str]:
        with ctx.case_lock(thread), ctx.workspace() as ws:
            return {"answer": answer(ws, principal.name, thread, body.message, width=body.width,
                                     seen=ctx.seen(principal.name, thread, body.args_hash))}

    @app.post("/api/cases/{thread}/chat/stream")
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


def _add_slack(app: FastAPI, ctx: AppContext) -> None:
    @app.post("/api/slack/actions")
    async def slack_actions(request: Request) -> JSONResponse:
        if ctx.slack_secret is None:
            return _error(503, f"the Slack webhook is off: set {SLACK_SECRET_ENV}")
        body = await request.body()
        if len(body) > _MAX_WEBHOOK_BYTES:
            return _error(413, "request body too large")
        try:
            verify_request(ctx.slack_secret, request.headers.get("X-Slack-Request-Timestamp"),
                           request.headers.get("X-Slack-Signature"), body, now=ctx.clock())
        except SlackError as err:
            log.warning("Slack request refused: %s", err)
            return _error(401, str(err))
        try:
            action = parse_action(body)
        except SlackError as err:
            return _error(400, str(err))
        text = await run_in_threadpool(_slack_decide, ctx, action)
        return JSONResponse({"response_type": "ephemeral", "replace_original": False,
                             "text": text})


def _slack_decide(ctx: AppContext, action: SlackAction) -> str:
    """The reply text: the outcome, or the refusal and its reason."""
    # By the stable user id: a Slack user can rename themselves to anyone.
    name = ctx.services.slack_users.principal(action.user_id)
    if name is None:
        log.warning("Slack decision from unlinked user %s refused", action.user_id)
        return (f"refused: unknown-reviewer: Slack user {action.user_id} is not linked to a"
                f" principal (`wardflow principals slack NAME {action.user_id}`)")
    thread = action.thread_id
    # A button carries no reason: where policy asks for one (a flagged, high-risk or
    # over-limit case) the click is refused, never passed with a made-up comment.
    decision = ReviewDecision(decision=action.decision, by=name, args_hash=action.args_hash)
    try:
        summary = ctx.decide(thread, decision)
    except ReviewError as err:
        if "comment-required" in str(err):
            return (f"refused: {err}. A Slack button carries no reason: decide on the review"
                    f" page, or `wardflow review {thread} --{decision.decision} --reason ...`")
        return f"refused: {err}"
    except WardflowError as err:
        return f"error: {err}"
    posting = f" ({summary.posting_id})" if summary.posting_id else ""
    return f"{decision.decision}: {thread} is now {summary.status}{posting}"


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8765, *,
          blueprints: Sequence[Blueprint] = (), schedule_interval_s: float = 30.0) -> None:
    """Run the review web app with uvicorn until interrupted.

    Tokens travel over plain HTTP: keep the default loopback host, or put a TLS
    proxy in front. The scheduled ``blueprints`` fire from a background thread that
    checks every ``schedule_interval_s`` seconds (:class:`wardflow.graphs.schedule.Scheduler`).
    """
    try:
        import uvicorn
    except ImportError as err:
        raise ConfigError("the web review needs the web extra: pip install 'wardflow[web]'"
                          ) from err
    if host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("serving on %s over plain HTTP; put a TLS proxy in front", host)
    from wardflow.services import build_services

    stop = None
    # One set of stores for the server's life, shared by the app and the scheduler.
    services = build_services(settings)
    if blueprints:
        from wardflow.graphs.schedule import Scheduler

        scheduler = Scheduler(settings, blueprints, services=services)
        _, stop = scheduler.start(schedule_interval_s)
        log.info("firing %d schedule(s): %s", len(scheduler.blueprints),
                 ", ".join(b.name for b in scheduler.blueprints))
    try:
        uvicorn.run(create_app(settings, services=services), host=host, port=port,
                    server_header=False, log_level="info")
    finally:
        if stop is not None:
            stop.set()
        services.close()
