"""The login routes: a principal's password for a signed token, and who it is.

::

    POST /api/login                          {principal, password} -> {token, expires_at}
    GET  /api/me                             the logged-in principal
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from wardflow.web._context import AppContext
from wardflow.web._deps import Current, LoginBody

__all__ = ["login_router"]


def login_router(ctx: AppContext) -> APIRouter:
    """Log in with a password for a token; who the token belongs to."""
    router = APIRouter()

    @router.post("/api/login")
    def login(body: LoginBody) -> dict[str, Any]:
        return ctx.login(body.principal, body.password)

    @router.get("/api/me")
    def me(principal: Current) -> dict[str, object]:
        return principal.to_dict()

    return router
