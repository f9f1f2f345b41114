"""Request body limits, enforced while the body streams in.

:class:`BodyLimit` is a pure ASGI middleware, the outermost layer of the review app:
a request that declares a ``Content-Length`` over its route's limit is answered 413
before a byte of its body is read, and a chunked (or lying) one is cut off as soon as
the ``http.request`` messages it sent add up to more than the limit. Nothing inside
(FastAPI's body parsing, a handler's ``await request.body()``) ever holds more than
the limit, and the server (uvicorn reads ahead at most 64 KiB while no one asks for
the body) does not either. Whatever the app was about to answer when the limit was
hit is replaced by the 413.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from wardflow.errors import WardflowError

__all__ = ["BodyLimit", "BodyTooLarge"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(WardflowError):  # noqa: N818 - named for the HTTP status it becomes
    """Raised from ``receive`` once a body is over its limit (answered 413, never seen
    by a client as such)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body over {limit} bytes")


class BodyLimit:
    """Cap every request body: ``routes[(method, path)]`` bytes, else ``default``.

    Args:
        app: the ASGI app to protect.
        default: the limit of every route not in ``routes``.
        setting: the setting behind ``default``, named in the refusal so that an
            operator knows what to raise.
        routes: ``(limit, setting)`` for exact ``(METHOD, path)`` pairs that need more
            (or less), e.g. the upload route.
    """

    def __init__(self, app: ASGIApp, *, default: int,
                 setting: str = "WARDFLOW_MAX_REQUEST_BYTES",
                 routes: Mapping[tuple[str, str], tuple[int, str]] | None = None) -> None:
        self.app = app
        self.default = (default, setting)
        self.routes = {(m.upper(), p): v for (m, p), v in (routes or {}).items()}

    def limit_for(self, method: str, path: str) -> tuple[int, str]:
        """The body limit of a request to ``method path``, and the setting behind it."""
        return self.routes.get((method.upper(), path), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = str(scope.get("method", "GET")), str(scope.get("path", ""))
        limit, setting = self.limit_for(method, path)
        declared = _content_length(scope)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, method, path, limit, setting, declared=declared)
            return
        state = _State()

        async def limited_receive() -> Message:
            if state.exceeded:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                if state.received > limit:
                    state.exceeded = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            if state.exceeded and not state.started:
                return  # the app's answer to a cut-off body; the 413 replaces it
            if message["type"] == "http.response.start":
                state.started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # The app may let BodyTooLarge (or what it made of it) escape; once the
            # limit was hit, the 413 below is the answer.
            if not state.exceeded or state.started:
                raise
        if state.exceeded and not state.started:
            await _refuse(send, method, path, limit, setting, declared=None)


async def _refuse(send: Send, method: str, path: str, limit: int, setting: str,
                  *, declared: str | None) -> None:
    if declared is None:
        sent = f"sent more than {limit} bytes"
    elif declared.isdigit() and len(declared) <= 20:
        sent = f"declares {declared} bytes"
    else:
        sent = "declares an invalid Content-Length"
    detail = (f"request body too large: {method} {path} accepts at most {limit} bytes"
              f" and this request {sent}; raise {setting} if it should pass")
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"cache-control", b"no-store"),
    ]})
    await send({"type": "http.response.body", "body": body})


class _State:
    __slots__ = ("exceeded", "received", "started")

    def __init__(self) -> None:
        self.received = 0
        self.exceeded = False
        self.started = False


def _content_length(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name.lower() == b"content-length":
            return bytes(value).decode("latin-1").strip()
    return None
