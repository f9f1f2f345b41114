"""What the web app's routes share: secrets, the workspace factory, per-case locks."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wardflow.config import Settings
from wardflow.errors import RateLimited
from wardflow.review.payloads import ReviewDecision
from wardflow.review.principals import Principal
from wardflow.services import Services, build_services
from wardflow.web.auth import AuthError, authenticate, sign_token, verify_token

if TYPE_CHECKING:
    from wardflow.runtime.workspace import RunSummary, Workspace

__all__ = ["AppContext", "LoginThrottle"]

log = logging.getLogger(__name__)

# Cases whose shown proposal the server remembers per reviewer.
_SEEN_PER_PRINCIPAL = 1000


@dataclass
class LoginThrottle:
    """At most ``limit`` failed logins per principal name in ``per_s`` seconds.

    An attempt is reserved (counted) before the password is checked and cleared only
    by a success, so ``limit`` is a bound on guesses, parallel ones included.
    """

    now: Callable[[], float]
    limit: int = 5
    per_s: float = 60.0
    _failures: dict[str, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reserve(self, name: str) -> None:
        """Count one attempt for ``name`` before its password is checked, or refuse it.

        The attempt counts as a failure until :meth:`succeeded` clears it, so parallel
        guesses cannot all pass the check before any of them is counted.

        Raises:
            RateLimited: ``limit`` attempts are already counted in the window.
        """
        with self._lock:
            now = self.now()
            if len(self._failures) > 10_000:
                # Anyone can try names: forget the ones whose failures have aged out.
                self._failures = {n: ts for n, ts in self._failures.items()
                                  if ts and ts[-1] > now - self.per_s}
            recent = [t for t in self._failures.pop(name, []) if t > now - self.per_s]
            if len(recent) >= self.limit:
                self._failures[name] = recent
                raise RateLimited(f"login:{name}", self.limit, self.per_s,
                                  recent[0] + self.per_s - now)
            self._failures[name] = [*recent, now]

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


class AppContext:
    """What the routes share: settings, secrets, the workspace factory, case locks."""

    def __init__(
        self, settings: Settings, open_workspace: Callable[[], Workspace], secret: bytes,
        slack_secret: str | None, token_ttl_s: int, clock: Callable[[], float], *,
        services: Services | None = None,
    ) -> None:
        self.settings = settings
        # The stores requests use outside a workspace (principals, credentials, API
        # tokens, Slack users), each opened on first use and kept for the app's life.
        self.services = services if services is not None else build_services(settings)
        self.open_workspace = open_workspace
        self.secret = secret
        self.slack_secret = slack_secret
        self.token_ttl_s = token_ttl_s
        self.clock = clock
        self.throttle = LoginThrottle(clock)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._seen: dict[str, dict[str, str]] = {}

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        ws = self.open_workspace()
        try:
            yield ws
        finally:
            ws.close()

    def case_lock(self, thread_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(thread_id, threading.Lock())

    def seen(self, principal: str, thread_id: str, shown: str | None) -> dict[str, str]:
        """What the chat showed ``principal``: thread id -> proposal hash (the chat reads
        and updates it). ``shown``: the hash the page shows for ``thread_id``, if sent."""
        with self._locks_guard:
            seen = self._seen.setdefault(principal, {})
            if shown is not None:
                seen.pop(thread_id, None)
                seen[thread_id] = shown
            while len(seen) > _SEEN_PER_PRINCIPAL:
                del seen[next(iter(seen))]  # the oldest; its case is long decided
            return seen

    def login(self, name: str, password: str) -> dict[str, Any]:
        """A token for ``name``; raises :class:`AuthError` or :class:`RateLimited`."""
        self.throttle.reserve(name)
        try:
            principal = authenticate(self.services.principals, self.services.credentials,
                                     name, password)
        except AuthError:
            # The reserved attempt stays counted as a failure.
            log.info("web login refused for %r", name)
            raise
        self.throttle.succeeded(name)
        expires_at = int(self.clock()) + self.token_ttl_s
        log.info("web login: %s (%s)", principal.name, principal.role)
        return {"token": sign_token(self.secret, principal.name, expires_at),
                "expires_at": expires_at, **principal.to_dict()}

    def principal(self, authorization: str | None) -> Principal:
        """Who sent the request, from its bearer token; raises :class:`AuthError`."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError("log in first: send Authorization: Bearer <token>")
        claims = verify_token(self.secret, token.strip(), now=self.clock())
        principal = self.services.principals.get(claims.principal)
        # Checked on every request, so deactivating someone ends their session at once.
        if principal is None or not principal.active:
            raise AuthError(f"{claims.principal} is no longer an active principal")
        return principal

    def decide(self, thread_id: str, decision: ReviewDecision) -> RunSummary:
        with self.case_lock(thread_id), self.workspace() as ws:
            return ws.resume(thread_id, decision)
