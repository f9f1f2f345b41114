"""Workers on Ray: the same invoice graph, one document per call to a pool of Ray actors.

Ray is the executor: each actor opens one :class:`~wardflow.runtime.workspace.Workspace`
and keeps it for every document it is given; :class:`ray.util.ActorPool` hands out the
documents; Ray restarts an actor whose process died and retries its call, and the graph
resumes from the run's last checkpoint (every step is idempotent). The graphs are not
changed; only who calls them is.

Limits that must hold across workers (one ERP call at a time, two calls to a model at
once) live in one named Ray actor, :class:`~wardflow.runtime.slots.SlotTable`: a counting
semaphore per key with leases that expire, so a slot held by a killed process comes
back. The ERP and the model layer are wrapped (:mod:`wardflow.runtime.slots`); the graph
sees the same seams. Leases belong to a document, not a process: a retried document
re-enters its own slot, and everything a document holds is released when its call returns.

The same actor serialises documents of one vendor between the duplicate check and the
end of their run (a *claim*), so two copies of an invoice processed by two workers at
once cannot both pass the duplicate check and both be posted.

Ray is optional (``pip install 'wardflow[ray]'``) and imported only here and in
:mod:`wardflow.runtime.slots`, when used.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.runtime.slots import NAMESPACE, RaySlots
from wardflow.services import Lazy, Services, build_services

if TYPE_CHECKING:
    from wardflow.runtime.workspace import RunSummary
    from wardflow.tools.inbox import InboxItem

__all__ = [
    "DocumentWorker",
    "RayExecutor",
    "connect_ray",
    "process_on_ray",
]


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
        from wardflow.runtime.workspace import Workspace

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
        yield from self.run_items(items, submitted_by)

    def run_items(self, items: list[InboxItem], submitted_by: str | None = None
                  ) -> Iterator[RunSummary]:
        """Run documents already collected (as :meth:`process` does its paths')."""
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

    def run_queued(self, *, limit: int | None = None) -> Iterator[RunSummary]:
        """Take the S3 events queued for workers (``WARDFLOW_EVENT_RUNS=workers``) from
        the shared event ledger and run them: the invoice flow's on the actors, a
        blueprint's in this process. Each event is taken by one worker of all machines.

        Args:
            limit: events taken at once (default: four per worker).
        """
        from wardflow.errors import KillSwitchEngaged
        from wardflow.runtime import s3events
        from wardflow.runtime.workspace import RunSummary, Workspace
        from wardflow.status import as_run_status

        services = self._services.get()
        storage = s3events.s3_storage(services.storage)
        if storage is None:
            return
        source = s3events.S3EventSource(
            storage, services.events, audit=services.audit, lease_s=self.settings.worker_lease_s,
            max_bytes=self.settings.max_document_bytes)
        targets = s3events.event_targets(self.settings,
                                         s3events.load_event_blueprints(self.settings))
        taken = s3events.take_queued(source, targets, switch=services.switch,
                                     limit=limit or self.workers * 4)
        invoices = [run for run in taken if run.target.blueprint is None]
        for who in sorted({run.submitted_by for run in invoices}):
            runs = {run.item.document_id: run for run in invoices if run.submitted_by == who}
            for summary in self.run_items([run.item for run in runs.values()], who):
                if (run := runs.get(summary.thread_id)) is not None:
                    s3events.finish_queued(source, run, str(summary.status),
                                           waiting=summary.waiting_for_review)
                yield summary
        blueprints = [run for run in taken if run.target.blueprint is not None]
        if blueprints:
            with Workspace(self.settings, services=services) as ws:
                for index, run in enumerate(blueprints):  # run() closes the ledger entry
                    try:
                        done = source.run(ws, run.target, run.event, run.item,
                                          run.submitted_by)
                    except KillSwitchEngaged:  # engaged meanwhile: queued for later
                        for left in blueprints[index:]:
                            services.events.mark(left.target.workflow, left.event.key,
                                                 "queued")
                        raise
                    yield RunSummary(thread_id=done["thread_id"], document=done["document"],
                                     status=as_run_status(done["status"]),
                                     waiting_for_review=done["waiting"], error=done["error"])

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
        services = self._services.get()
        services.open_all()
        services.drift.store.ready()  # the drift store is otherwise made on first use

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

        from wardflow.runtime.workspace import RunSummary

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
