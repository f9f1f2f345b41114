"""The runs the API started in this process: a thread pool and each job's state (part of
:mod:`wardflow.web.runs`, which re-exports :class:`RunJobs`)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Job", "Outcome", "RunJobs"]

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


class RunJobs:
    """Runs started through the API: a thread pool and what each job is doing.

    The graph state itself lives in the checkpointer; this only knows what the
    checkpointer cannot: that a run is queued or executing in this process right now,
    and why a job ended without a checkpoint (a kill switch engaged meanwhile).
    """

    def __init__(self, workers: int = 2, *, keep: int = 10_000) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wardflow-run")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def get(self, thread_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(thread_id)

    def active(self) -> list[str]:
        with self._lock:
            return [t for t, job in self._jobs.items() if job.active]

    def submit(self, thread_ids: list[str], submitted_by: str,
               work: Callable[[], Outcome]) -> list[Job]:
        """Queue ``work``, which runs ``thread_ids`` and says how each ended."""
        jobs = [Job(t, submitted_by) for t in thread_ids]
        with self._lock:
            self._forget_old()
            self._jobs.update((job.thread_id, job) for job in jobs)
        self._pool.submit(self._run, jobs, work)
        return jobs

    def _run(self, jobs: list[Job], work: Callable[[], Outcome]) -> None:
        for job in jobs:
            job.state = "running"
        try:
            outcome = work()
        # The job's outer edge, outside any graph (invoke returns at an interrupt, it
        # never raises one): whatever went wrong must end the job, not vanish.
        except Exception as err:
            log.exception("run %s failed", ", ".join(j.thread_id for j in jobs))
            outcome = {j.thread_id: (f"{type(err).__name__}: {err}", "") for j in jobs}
        for job in jobs:
            error, note = outcome.get(job.thread_id, (None, ""))
            job.error, job.note = error, note
            job.state = "failed" if error else "finished"

    def _forget_old(self) -> None:
        if len(self._jobs) >= self._keep:
            done = sorted((j for j in self._jobs.values() if not j.active),
                          key=lambda j: j.queued_at)
            for job in done[: len(self._jobs) - self._keep // 2]:
                del self._jobs[job.thread_id]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)

