"""Workers on Ray: the same invoice graph, one document per call to a pool of Ray actors.

Ray is the executor: each actor opens one :class:`~wardflow.graphs.workspace.Workspace`
and keeps it for every document it is given; :class:`ray.util.ActorPool` hands out the
documents; Ray restarts an actor whose process died and retries its call, and the graph
resumes from the run's last checkpoint (every step is idempotent). The graphs are not
changed; only who calls them is.

Limits that must hold across workers (one ERP call at a time, two calls to a model at
once) live in one named Ray actor, :class:`SlotTable`: a counting semaphore per key
with leases that expire, so a slot held by a killed process comes back. The ERP and
the model layer are wrapped (:class:`GatedErp`, :class:`GatedLLM`); the graph sees the
same seams. Leases belong to a document, not a process: a retried document re-enters
its own slot, and everything a document holds is released when its call returns.

The same actor serialises documents of one vendor between the duplicate check and the
end of their run (a *claim*), so two copies of an invoice processed by two workers at
once cannot both pass the duplicate check and both be posted.

Ray is optional (``pip install 'wardflow[ray]'``) and imported only here, when used.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.config import Settings
from wardflow.errors import ConfigError, ModelUnavailable, ToolError
from wardflow.services import Lazy, Services, build_services

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary
    from wardflow.llm.client import LLM
    from wardflow.tools.erp import ErpAdapter
    from wardflow.tools.inbox import InboxItem

__all__ = [
    "GatedErp",
    "RayExecutor",
    "RaySlots",
    "SlotTable",
    "connect_ray",
    "gated_llm",
    "process_on_ray",
    "tool_key",
    "model_key",
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


# The executor -------------------------------------------------------------------------
def connect_ray(address: str | None, *, num_cpus: int, object_store_mb: int) -> None:
    """Join the Ray cluster at ``address``, or start a local one (once per process).

    ``None`` starts a local cluster bounded to ``num_cpus`` workers and a small object
    store; ``auto``, ``host:port`` or ``ray://host:10001`` join an existing one.
    Usage statistics are off, and no dashboard is started.
    """
    # Ray reads this when it starts a node or a driver; there is no init argument.
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    try:
        import ray
    except ImportError as err:
        raise ConfigError("workers need Ray: pip install 'wardflow[ray]'") from err
    if ray.is_initialized():
        return
    try:
        if address is None:
            ray.init(num_cpus=num_cpus, include_dashboard=False, namespace=NAMESPACE,
                     object_store_memory=object_store_mb * 1024 * 1024,
                     _node_ip_address="127.0.0.1", log_to_driver=False,
                     configure_logging=False)
        else:
            ray.init(address=address, namespace=NAMESPACE, log_to_driver=False,
                     configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise ConfigError(f"cannot reach the Ray cluster at {address}: {err}") from err


class DocumentWorker:
    """One Ray actor: a workspace opened once, then one document per call."""

    def __init__(self, settings: Settings) -> None:
        from wardflow.graphs.workspace import Workspace

        self._slots = RaySlots.open(settings)
        self._workspace = Workspace(settings, slots=self._slots)

    def process(self, item: InboxItem, submitted_by: str | None) -> RunSummary:
        self._slots.holder = item.document_id
        try:
            return self._workspace.process_item(item, submitted_by=submitted_by)
        finally:
            self._slots.release_all(item.document_id)

    def pid(self) -> int:
        return os.getpid()


class RayExecutor:
    """A pool of :class:`DocumentWorker` actors on a Ray cluster, kept between batches.

    Args:
        settings: passed to every worker (the data home must be reachable from them).
        workers: how many actors; each processes one document at a time.
        address: the cluster; default ``settings.ray_address``, else a local one.
    """

    def __init__(self, settings: Settings, *, workers: int, address: str | None = None) -> None:
        if workers < 1:
            raise ConfigError(f"--workers must be at least 1 (got {workers})")
        if settings.memory_enabled and not settings.chroma_url:
            # Chroma's PersistentClient is not safe for several writing processes.
            raise ConfigError(
                "the invoice memory in the data home serves one process; with workers,"
                " run a Chroma server and set WARDFLOW_CHROMA_URL (or WARDFLOW_MEMORY=none"
                " to go without near-duplicate search)")
        # Workers may start in another directory: give them absolute paths.
        self.settings = settings.model_copy(update={"home": settings.home.resolve()})
        self.workers = workers
        self.address = address or settings.ray_address
        self._pool: Any = None
        self._actors: list[Any] = []
        self._slots: RaySlots | None = None
        # The driver's own collaborators (storage to list the inbox, the home's stores
        # to create before the actors start), opened on first use.
        self._services: Lazy[Services] = Lazy(lambda: build_services(self.settings))

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the actors (the cluster, and the slot table, stay)."""
        self._services.close()
        if not self._actors:
            return
        import ray

        for actor in self._actors:
            ray.kill(actor)
        self._actors, self._pool = [], None

    def items(self, paths: Iterable[str | Path]) -> list[InboxItem]:
        from wardflow.tools.inbox import collect

        return list(collect(paths, self._services.get().storage,
                            max_bytes=self.settings.max_document_bytes,
                            max_attachments=self.settings.max_email_attachments))

    def process(self, paths: Iterable[str | Path], *, submitted_by: str | None = None,
                skip: set[str] | None = None) -> Iterator[RunSummary]:
        """Run every document under ``paths``; yield each result as it completes.

        Same contract as :meth:`Workspace.process`: one bad document never stops the
        batch, a finished one is reported, not run again, an interrupted one resumes.
        A document whose worker died more than ``worker_task_retries`` times is
        reported as failed and stays at its last checkpoint.

        Args:
            skip: document ids not to submit (already reported to a watching worker).
        """
        items = [i for i in self.items(paths) if not skip or i.document_id not in skip]
        if not items:
            return
        # Two items with the same bytes are one run: never run them at the same time.
        first: dict[str, InboxItem] = {}
        repeats = []
        for item in items:
            if item.document_id in first:
                repeats.append(item)
            else:
                first[item.document_id] = item
        self._start(len(first))
        for batch in (list(first.values()), repeats):
            yield from self._run_batch(batch, submitted_by)

    def _start(self, needed: int) -> None:
        """Start the cluster and the actors, no more than the batch can use; grow the
        pool for a larger batch later (a watching worker's first scan may be small)."""
        wanted = min(self.workers, needed)
        if self._pool is not None:
            while len(self._actors) < wanted:
                self._pool.push(self._new_actor())
            return
        connect_ray(self.address, num_cpus=self.settings.ray_num_cpus or self.workers,
                    object_store_mb=self.settings.ray_object_store_mb)
        from ray.util import ActorPool

        self._slots = RaySlots.open(self.settings)
        self._prepare_home()
        for _ in range(wanted):
            self._new_actor()
        self._pool = ActorPool(list(self._actors))

    def _prepare_home(self) -> None:
        """Create the data home's stores once, here, before the actors start: workers
        opening a fresh home together would race to create the same SQLite files (WAL
        switch, schema) and one could fail with "database is locked"."""
        _ = self._services.get().drift.conn  # the drift store is otherwise made on first use

    def _new_actor(self) -> Any:
        import ray

        actor = ray.remote(DocumentWorker).options(
            num_cpus=1, max_restarts=-1, max_task_retries=self.settings.worker_task_retries,
        ).remote(self.settings)
        self._actors.append(actor)
        return actor

    def _run_batch(self, items: list[InboxItem],
                   submitted_by: str | None) -> Iterator[RunSummary]:
        from ray.exceptions import ActorDiedError, RayError

        from wardflow.graphs.workspace import RunSummary

        assert self._pool is not None and self._slots is not None
        for item in items:
            self._pool.submit(lambda actor, i: actor.process.remote(i, submitted_by), item)
        reported: set[str] = set()
        failures: list[str] = []
        while self._pool.has_next():
            try:
                summary = self._pool.get_next_unordered()
            except RayError as err:
                # Ray does not say which call failed: those never reported are.
                failures.append(type(err).__name__)
                if isinstance(err, ActorDiedError):
                    self._pool.push(self._new_actor())  # the pool dropped the dead one
                continue
            reported.add(summary.thread_id)
            yield summary
        for item in items:
            if item.document_id not in reported:
                self._slots.release_all(item.document_id)
                why = ", ".join(sorted(set(failures))) or "no result"
                yield RunSummary(
                    thread_id=item.document_id, document=item.source, status="failed",
                    error=f"its worker died on every retry ({why}); it stays at its last"
                    " checkpoint: run it again to resume")


def process_on_ray(
    settings: Settings, paths: Iterable[str | Path], *, workers: int,
    address: str | None = None, submitted_by: str | None = None,
) -> Iterator[RunSummary]:
    """:meth:`RayExecutor.process` on a pool started for this batch, then stopped."""
    with RayExecutor(settings, workers=workers, address=address) as executor:
        yield from executor.process(paths, submitted_by=submitted_by)
