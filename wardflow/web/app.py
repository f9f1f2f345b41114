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
    GET  /metrics                            Prometheus metrics (``metrics``)

Each area is a FastAPI ``APIRouter`` in its own module (``login``, ``review``,
``webhooks``, ``dashboard``, ``runs``, ``operations``); they share their path and body
types and the caller dependencies from ``wardflow.web._deps``, and :func:`create_app`
includes them, after the error handlers and the page.

Every decision goes through :meth:`Workspace.resume`, so authorization, segregation of
duties and the audit record are exactly those of ``wardflow review``. Refusals are
403 with the reason, an unknown thread 404, an invalid body 422, a bad or expired token
401. Each request opens its own workspace (about 10 ms); decisions and chat lines on
one case are serialized by a per-case lock.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from wardflow.config import Settings
from wardflow.errors import (
    ConfigError,
    KillSwitchEngaged,
    RateLimited,
    ReviewError,
    RunNotFound,
    WardflowError,
)
from wardflow.runtime.jobs import server_owner
from wardflow.web._context import AppContext
from wardflow.web._deps import error_response
from wardflow.web._limits import BodyLimit
from wardflow.web._pages import page_html
from wardflow.web._validation import safe_errors
from wardflow.web.auth import AuthError
from wardflow.web.dashboard import dashboard_router
from wardflow.web.login import login_router
from wardflow.web.metrics import metrics_router
from wardflow.web.operations import operations_router
from wardflow.web.review import chat_router, review_router
from wardflow.web.runs import RunJobs, resume_jobs, runs_router, upload_limit
from wardflow.web.s3events import s3_events_router
from wardflow.web.webhooks import SLACK_SECRET_ENV, slack_router

try:
    from fastapi import FastAPI, Request
    from fastapi.encoders import jsonable_encoder
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from fastapi.staticfiles import StaticFiles
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ConfigError("the web review needs the web extra: pip install 'wardflow[web]'") from err

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wardflow.graphs.blueprint import Blueprint
    from wardflow.runtime.workspace import Workspace
    from wardflow.services import Services

__all__ = ["create_app", "serve"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SECRET_ENV = "WARDFLOW_WEB_SECRET"
# The page loads nothing from elsewhere; the CSP makes that a rule, not a habit.
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob: data:;"
                               " object-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


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
        from wardflow.runtime.workspace import Workspace

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
    app.include_router(login_router(ctx))
    app.include_router(review_router(ctx))
    app.include_router(chat_router(ctx))
    app.include_router(slack_router(ctx))
    app.include_router(dashboard_router(ctx))
    # Jobs are recorded, so that this server, restarted, resumes the ones it left.
    jobs = RunJobs(workers=2, store=ctx.services.jobs, owner=server_owner(settings.home))
    app.state.runs = jobs
    app.include_router(runs_router(ctx, jobs))
    app.include_router(operations_router(ctx, jobs))
    app.include_router(s3_events_router(ctx, jobs))
    app.include_router(metrics_router(ctx))
    resume_jobs(ctx, jobs)
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


def _add_errors(app: FastAPI) -> None:
    """Map wardflow's errors to HTTP: 401, 403 (refused), 404, 422, 423 (kill switch), 429."""

    async def auth(_: Request, err: Exception) -> JSONResponse:
        return error_response(401, str(err), **{"WWW-Authenticate": "Bearer"})

    async def refused(_: Request, err: Exception) -> JSONResponse:
        return error_response(403, str(err))

    async def not_found(_: Request, err: Exception) -> JSONResponse:
        return error_response(404, str(err))

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
        return error_response(429, str(err), **{"Retry-After": str(max(1, round(err.retry_after_s)))})

    async def stopped(_: Request, err: Exception) -> JSONResponse:
        # The kill switch is on: the decision is recorded, the run parked before its
        # next side effect; 423 Locked says "later", not "wrong".
        return error_response(423, str(err))

    async def failed(_: Request, err: Exception) -> JSONResponse:
        log.error("request failed: %s", err)
        return error_response(500, str(err))

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


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8765, *,
          blueprints: Sequence[Blueprint] = (), schedule_interval_s: float = 30.0) -> None:
    """Run the review web app with uvicorn until interrupted.

    Tokens travel over plain HTTP: keep the default loopback host, or put a TLS
    proxy in front. The scheduled ``blueprints`` fire from a background thread that
    checks every ``schedule_interval_s`` seconds (:class:`wardflow.runtime.schedule.Scheduler`).
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
        from wardflow.runtime.schedule import Scheduler

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
