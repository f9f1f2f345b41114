"""The runs the API started: a thread pool and each job's state (part of
:mod:`wardflow.web.runs`, which re-exports :class:`RunJobs`), recorded in a
:class:`~wardflow.runtime.jobs.JobStore` so that a restarted server resumes the jobs it
left queued or running (:meth:`RunJobs.resume`)."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, cast

from wardflow.runtime.jobs import JobRecord, JobStore

__all__ = ["Job", "Outcome", "Rebuild", "RunJobs"]

# The runs API's logger: a failed job is logged as the API's.
log = logging.getLogger("wardflow.web.runs")


@dataclass
class Job:
    """A run this server queued: its state here, and how it ended."""

    thread_id: str
    submitted_by: str
    state: Literal["queued", "running", "finished", "failed"] = "queued"
    error: str | None = None
    note: str = ""
    queued_at: float = field(default_factory=time.time)

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state, "submitted_by": self.submitted_by, "error": self.error,
                "note": self.note}


Outcome = Mapping[str, tuple[str | None, str]]  # thread id -> (error, note)
# (submitted by, spec) -> the work again, or None when it cannot be started again.
Rebuild = Callable[[str, Mapping[str, Any]], Callable[[], Outcome] | None]


def _finish(store: JobStore, *, job: Job) -> None:
    store.finish(job.thread_id, job.state, job.error, job.note)


class RunJobs:
    """Runs started through the API: a thread pool and what each job is doing.

    The graph state itself lives in the checkpointer; this only knows what the
    checkpointer cannot: that a run is queued or executing right now, and why a job
    ended without a checkpoint (a kill switch engaged meanwhile). With a ``store`` each
    job is recorded as it goes, with the spec that starts its work again.

    Args:
        workers: threads running jobs.
        keep: ended jobs remembered (in memory and in the store).
        store: where jobs are recorded; ``None``: in memory only.
        owner: this server's name in the store (see :func:`~wardflow.runtime.jobs.server_owner`).
    """

    def __init__(self, workers: int = 2, *, keep: int = 10_000, store: JobStore | None = None,
                 owner: str = "") -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wardflow-run")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep
        self._store = store
        self._owner = owner

    def get(self, thread_id: str) -> Job | None:
        """The thread's job: this server's, else as recorded (before a restart)."""
        with self._lock:
            job = self._jobs.get(thread_id)
        if job is not None or self._store is None:
            return job
        record = self._store.get(thread_id)
        if record is None:
            return None
        return Job(record.thread_id, record.submitted_by,
                   cast(Any, record.state), record.error, record.note, record.queued_at)

    def active(self) -> list[str]:
        with self._lock:
            return [t for t, job in self._jobs.items() if job.active]

    def active_states(self) -> dict[str, str]:
        """Thread -> state of every queued or running job: this server's, and those
        recorded by the servers sharing its store (one read, for listings)."""
        states = {} if self._store is None else {
            r.thread_id: r.state for r in self._store.unfinished()}
        with self._lock:
            states.update((t, job.state) for t, job in self._jobs.items() if job.active)
        return states

    def submit(self, thread_ids: list[str], submitted_by: str,
               work: Callable[[], Outcome], spec: Mapping[str, Any] | None = None) -> list[Job]:
        """Queue ``work``, which runs ``thread_ids`` and says how each ended; ``spec``
        (JSON) is what :meth:`resume` gives back to start it again after a restart."""
        jobs = [Job(t, submitted_by) for t in thread_ids]
        if self._store is not None:
            batch, text = uuid.uuid4().hex, json.dumps(dict(spec or {}))
            self._store.put([JobRecord(j.thread_id, self._owner, batch, submitted_by, j.state,
                                       None, "", text, j.queued_at) for j in jobs])
        with self._lock:
            self._forget_old()
            self._jobs.update((job.thread_id, job) for job in jobs)
        self._pool.submit(self._run, jobs, work)
        return jobs

    def resume(self, rebuild: Rebuild) -> int:
        """Queue again the jobs this server left queued or running (it stopped, or
        crashed); returns how many. A job whose work cannot be rebuilt fails, saying so."""
        if self._store is None:
            return 0
        batches: dict[str, list[JobRecord]] = {}
        for record in self._store.unfinished(self._owner):
            batches.setdefault(record.batch, []).append(record)
        for records in batches.values():
            first = records[0]
            jobs = [Job(r.thread_id, r.submitted_by, queued_at=r.queued_at,
                        note="resumed after a server restart") for r in records]
            try:
                work = rebuild(first.submitted_by, json.loads(first.spec))
            except ValueError:
                work = None
            if work is None:
                for job in jobs:
                    self._store.finish(job.thread_id, "failed", "the server restarted and this"
                                       " job cannot be started again here; submit it again"
                                       " (an event's source retries it by itself)", "")
                continue
            with self._lock:
                self._jobs.update((job.thread_id, job) for job in jobs)
            log.info("resuming %s after a restart", ", ".join(j.thread_id for j in jobs))
            self._pool.submit(self._run, jobs, work)
        return sum(len(records) for records in batches.values())

    def _run(self, jobs: list[Job], work: Callable[[], Outcome]) -> None:
        for job in jobs:
            job.state = "running"
        self._record(lambda store: store.mark([j.thread_id for j in jobs], "running"))
        try:
            outcome = work()
        # The job's outer edge, outside any graph (invoke returns at an interrupt, it
        # never raises one): whatever went wrong must end the job, not vanish.
        except Exception as err:
            log.exception("run %s failed", ", ".join(j.thread_id for j in jobs))
            outcome = {j.thread_id: (f"{type(err).__name__}: {err}", "") for j in jobs}
        for job in jobs:
            error, note = outcome.get(job.thread_id, (None, ""))
            job.error, job.note = error, note or job.note
            job.state = "failed" if error else "finished"
            self._record(partial(_finish, job=job))

    def _record(self, write: Callable[[JobStore], None]) -> None:
        """Write to the store; a failure is logged (the job itself goes on: at worst a
        restart runs it again, and a run that finished is not run twice)."""
        if self._store is None:
            return
        try:
            write(self._store)
        except sqlite3.Error as err:  # Postgres errors arrive as these too (_postgres)
            log.warning("cannot record the job state: %s", err)

    def _forget_old(self) -> None:
        if len(self._jobs) >= self._keep:
            done = sorted((j for j in self._jobs.values() if not j.active),
                          key=lambda j: j.queued_at)
            for job in done[: len(self._jobs) - self._keep // 2]:
                del self._jobs[job.thread_id]
            if self._store is not None:
                self._store.prune(self._keep)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
