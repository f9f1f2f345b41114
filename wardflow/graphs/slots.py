"""Limits that hold across Ray workers: the slot table and the collaborators gated by it.

One named Ray actor, :class:`SlotTable`, keeps a counting semaphore per key (one ERP
call at a time, two calls to a model at once) with leases that expire, so a slot held
by a killed process comes back. :class:`RaySlots` is its client; the ERP and the model
layer are wrapped (:class:`GatedErp`, :func:`gated_llm`) so that the graph sees the
same seams. Leases belong to a document, not a process: a retried document re-enters
its own slot. :class:`~wardflow.graphs.workspace.Workspace` gates its collaborators
with these; :mod:`wardflow.graphs.workers` runs workspaces on Ray.

Ray is optional (``pip install 'wardflow[ray]'``) and imported only when used.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wardflow.config import Settings
from wardflow.errors import ModelUnavailable, ToolError

if TYPE_CHECKING:
    from wardflow.llm.client import LLM
    from wardflow.tools.erp import ErpAdapter

__all__ = [
    "GatedErp",
    "NAMESPACE",
    "RaySlots",
    "SlotTable",
    "gated_llm",
    "model_key",
    "tool_key",
]

log = logging.getLogger(__name__)

NAMESPACE = "wardflow"
SLOTS_ACTOR = "wardflow-slots"
_POLL_S = (0.002, 0.1)  # first and longest wait between two tries for a slot


def tool_key(tool: str) -> str:
    """The ``worker_limits`` key of a tool (``tool:erp``)."""
    return f"tool:{tool}"


def model_key(model: str) -> str:
    """The ``worker_limits`` key of a litellm model (``model:openai/gpt-4o-mini``)."""
    return f"model:{model}"


# The slot table ---------------------------------------------------------------------
@dataclass
class _Lease:
    count: int
    since: float
    expires: float


class SlotTable:
    """Counting semaphores with expiring leases, one per key; run as a named Ray actor.

    Pure Python, so it is tested without Ray. A key with no limit is always granted;
    a holder may re-enter a slot it holds (a retried document). ``history`` keeps the
    last grants as ``(key, holder, start, end)`` for tests and ``wardflow worker``.

    Args:
        limits: key -> how many holders at once (claims, ``vendor:...``, have 1).
        lease_s: a lease not renewed or released by then is taken back.
        clock: seconds; :func:`time.time` (all processes on a machine agree on it).
    """

    def __init__(self, limits: dict[str, int] | None = None, *, lease_s: float = 300.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._limits = dict(limits or {})
        self._lease_s = lease_s
        self._clock = clock
        self._held: dict[str, dict[str, _Lease]] = {}
        self._history: deque[tuple[str, str, float, float]] = deque(maxlen=10_000)
        self._waiting: dict[str, tuple[str, int, float]] = {}

    def configure(self, limits: dict[str, int], lease_s: float) -> None:
        """Replace the limits (the last driver to connect sets them)."""
        self._limits = dict(limits)
        self._lease_s = lease_s

    def limits(self) -> dict[str, int]:
        return dict(self._limits)

    def try_acquire(self, key: str, holder: str, limit: int | None = None,
                    pid: int = 0) -> bool:
        """Take a slot of ``key`` for ``holder`` if one is free; never waits. A refused
        holder is listed by :meth:`waiters` (with its process id) until granted."""
        now = self._clock()
        held = self._held.setdefault(key, {})
        for name in [n for n, lease in held.items() if lease.expires <= now]:
            log.warning("lease of %s on %s expired; taken back", name, key)
            self._end(key, name, now)
        lease = held.get(holder)
        if lease is not None:
            lease.count += 1
            lease.expires = now + self._lease_s
            return True
        cap = limit if limit is not None else self._limits.get(key)
        if cap is not None and len(held) >= cap:
            self._waiting[holder] = (key, pid, now)
            return False
        self._waiting.pop(holder, None)
        held[holder] = _Lease(1, now, now + self._lease_s)
        return True

    def release(self, key: str, holder: str) -> None:
        lease = self._held.get(key, {}).get(holder)
        if lease is None:
            return
        lease.count -= 1
        if lease.count <= 0:
            self._end(key, holder, self._clock())

    def release_all(self, holder: str) -> int:
        """Drop every lease of ``holder`` (its document is done, or failed for good)."""
        now = self._clock()
        self._waiting.pop(holder, None)
        keys = [k for k, held in self._held.items() if holder in held]
        for key in keys:
            self._end(key, holder, now)
        return len(keys)

    def holders(self, key: str) -> list[str]:
        return sorted(self._held.get(key, {}))

    def waiters(self, within_s: float = 1.0) -> dict[str, tuple[str, int]]:
        """Holder -> (key, process id) of those refused in the last ``within_s``."""
        now = self._clock()
        return {h: (k, pid) for h, (k, pid, at) in self._waiting.items() if now - at <= within_s}

    def history(self, key: str | None = None) -> list[tuple[str, str, float, float]]:
        return [h for h in self._history if key is None or h[0] == key]

    def _end(self, key: str, holder: str, now: float) -> None:
        lease = self._held[key].pop(holder)
        self._history.append((key, holder, lease.since, now))


class RaySlots:
    """The client side of the slot table: wait for a slot, hold it, give it back.

    Waiting is polling with a growing pause (2 ms to 100 ms): a caller that dies while
    waiting leaves nothing behind, which a blocking grant could not promise.

    Args:
        actor: the handle of the named :class:`SlotTable` actor.
        limits: the configured limits (a key not in them is not limited).
        wait_s: how long to wait for a slot before giving up.
    """

    def __init__(self, actor: Any, limits: dict[str, int], *, wait_s: float) -> None:
        self._actor = actor  # a Ray ActorHandle: Ray types it as Any
        self.limits = dict(limits)
        self.wait_s = wait_s
        # Leases belong to a document (the worker sets it per call), so that a retried
        # document re-enters what its dead attempt held.
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    @classmethod
    def open(cls, settings: Settings) -> RaySlots:
        """The cluster's slot table (created on first use), with these settings' limits."""
        import ray

        actor = _slot_actor(ray).options(
            name=SLOTS_ACTOR, namespace=NAMESPACE, get_if_exists=True, lifetime="detached",
            num_cpus=0, max_restarts=-1,
        ).remote()
        ray.get(actor.configure.remote(dict(settings.worker_limits), settings.worker_lease_s))
        return cls(actor, dict(settings.worker_limits), wait_s=settings.worker_lease_s)

    def limited(self, key: str) -> bool:
        return key in self.limits

    def try_acquire(self, key: str, *, limit: int | None = None) -> bool:
        import ray

        return bool(ray.get(self._actor.try_acquire.remote(key, self.holder, limit,
                                                           os.getpid())))

    def acquire(self, key: str, *, limit: int | None = None,
                timeout: Callable[[str], Exception] | None = None) -> None:
        """Wait for a slot of ``key`` and keep it (until :meth:`release` or
        :meth:`release_all`).

        Raises:
            the error ``timeout`` makes (default :class:`ToolError`, retryable) when no
            slot came free within ``wait_s``.
        """
        deadline = time.monotonic() + self.wait_s
        pause = _POLL_S[0]
        while not self.try_acquire(key, limit=limit):
            if time.monotonic() >= deadline:
                message = (f"no free slot for {key} within {self.wait_s:.0f} s (limit"
                           f" {limit or self.limits.get(key)}); raise WARDFLOW_WORKER_LIMITS"
                           " or WARDFLOW_WORKER_LEASE_S")
                raise (timeout(message) if timeout else
                       ToolError(key.split(":", 1)[-1], message, retryable=True))
            time.sleep(pause)
            pause = min(pause * 2, _POLL_S[1])

    def release(self, key: str) -> None:
        import ray

        ray.get(self._actor.release.remote(key, self.holder))

    @contextmanager
    def hold(self, key: str, *, limit: int | None = None,
             timeout: Callable[[str], Exception] | None = None) -> Iterator[None]:
        """Hold a slot of ``key`` for the duration of the block (see :meth:`acquire`)."""
        self.acquire(key, limit=limit, timeout=timeout)
        try:
            yield
        finally:
            self.release(key)

    def release_all(self, holder: str | None = None) -> None:
        import ray

        ray.get(self._actor.release_all.remote(holder or self.holder))


def _slot_actor(ray: Any) -> Any:
    return ray.remote(SlotTable)


# Gated collaborators ------------------------------------------------------------------
class GatedErp:
    """An ERP whose calls hold the ``tool:erp`` slot, and whose vendor lookups claim the
    vendor for the rest of the document's run (see the module docstring).

    Every other attribute is the wrapped ERP's, so optional seams (goods receipts)
    stay visible to the graph.
    """

    def __init__(self, erp: ErpAdapter, slots: RaySlots) -> None:
        self._erp = erp
        self._slots = slots
        self._key = tool_key("erp")

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._erp, name)
        if name.startswith("_") or not callable(attr):
            return attr

        @functools.wraps(attr)
        def gated(*args: Any, **kwargs: Any) -> Any:
            vendor = kwargs.get("vendor_id") if name in ("find_posting", "postings") else None
            if vendor:
                self._claim(f"vendor:{vendor}")
            if not self._slots.limited(self._key):
                return attr(*args, **kwargs)
            with self._slots.hold(self._key):
                return attr(*args, **kwargs)

        return gated

    def _claim(self, key: str) -> None:
        # Kept until the worker calls release_all after the document's run.
        self._slots.acquire(key, limit=1)


def gated_llm(settings: Settings, slots: RaySlots, telemetry: Any) -> LLM:
    """The model layer, each call holding its model's slot when that model is limited."""
    from wardflow.llm.client import LLM

    class GatedLLM(LLM):
        def complete(self, agent: str, *args: Any, **kwargs: Any) -> Any:
            self._ensure()
            name = self.alias(agent)
            key = model_key(self._aliases.get(name, name))
            if not slots.limited(key):
                return super().complete(agent, *args, **kwargs)
            with slots.hold(key, timeout=lambda m: ModelUnavailable(key[6:], m, retryable=True)):
                return super().complete(agent, *args, **kwargs)

    return GatedLLM(settings, telemetry=telemetry)
