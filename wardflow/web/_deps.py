"""What the web app's routers share: path and body types, and the dependencies that
say who is calling (a login token, or an API token for the runs API).

Every router (:mod:`wardflow.web.review`, :mod:`wardflow.web.dashboard`,
:mod:`wardflow.web.runs`, :mod:`wardflow.web.operations`, :mod:`wardflow.web.slack`)
takes its types from here, and :mod:`wardflow.web.app` includes them all; no router
imports the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from wardflow.errors import ConfigError
from wardflow.review.principals import Principal
from wardflow.review.tokens import TokenError, TokenStore, is_api_token
from wardflow.web._context import AppContext
from wardflow.web.auth import AuthError

try:
    from fastapi import Depends, Header, Request
    from fastapi import Path as PathParam
    from fastapi.responses import JSONResponse
except ImportError as err:  # pragma: no cover - depends on the installed extras
    raise ConfigError("the web review needs the web extra: pip install 'wardflow[web]'") from err

__all__ = [
    "Caller",
    "CallerDep",
    "ChatBody",
    "Current",
    "DecisionBody",
    "LoginBody",
    "Thread",
    "authenticate",
    "error_response",
]

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


def error_response(status: int, detail: str, **headers: str) -> JSONResponse:
    """A JSON error as FastAPI's own: ``{"detail": ...}`` with the status."""
    return JSONResponse({"detail": detail}, status_code=status, headers=headers or None)


def _current(request: Request,
             authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The dependency behind every authenticated route."""
    ctx: AppContext = request.app.state.wardflow
    return ctx.principal(authorization)


Current = Annotated[Principal, Depends(_current)]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request, and with what (``api-token:<id>`` or ``login``)."""

    principal: Principal
    via: str


def authenticate(ctx: AppContext, authorization: str | None) -> Caller:
    """The caller of a runs request, from an API token or a web login token."""
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and is_api_token(token):
        tokens = TokenStore(ctx.settings.review_path,
                            busy_timeout_s=ctx.settings.sqlite_busy_timeout_s)
        principals = ctx.principal_store()
        try:
            principal, record = tokens.authenticate(principals, token)
        except TokenError as err:
            raise AuthError(str(err)) from err
        finally:
            tokens.close()
            principals.close()
        return Caller(principal, f"api-token:{record.id}")
    return Caller(ctx.principal(authorization), "login")


def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    return authenticate(request.app.state.wardflow, authorization)


CallerDep = Annotated[Caller, Depends(_caller)]
