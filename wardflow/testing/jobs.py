"""What every :class:`~wardflow.runtime.jobs.JobStore` backend must do.

Provide an ``open_store`` fixture: a callable that opens the backend on one empty store,
the same store at every call (a second call is the server after a restart, or another
server).

The rules: a job is found as recorded, with its spec; a server finds its own queued and
running jobs after a restart, in the order they were queued, and never another
server's; an ended job is no longer unfinished but stays readable; a thread submitted
again replaces its ended job; pruning forgets only the oldest ended jobs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from wardflow.runtime.jobs import JobRecord, JobStore

__all__ = ["JobStoreConformance", "OpenJobStore"]

OpenJobStore = Callable[[], JobStore]


def job(thread: str, *, owner: str = "host-a:/home", batch: str = "b1", at: float = 1.0,
        state: str = "queued") -> JobRecord:
    spec = json.dumps({"kind": "item", "item": {"document_id": thread}})
    return JobRecord(thread, owner, batch, "cleo", state, None, "", spec, at)


class JobStoreConformance:
    """Provide an ``open_store`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_store(self) -> OpenJobStore:
        raise NotImplementedError("provide an `open_store` fixture")

    @pytest.fixture
    def store(self, open_store: OpenJobStore) -> Iterator[JobStore]:
        store = open_store()
        yield store
        store.close()

    def test_is_an_empty_job_store(self, store: JobStore) -> None:
        assert isinstance(store, JobStore)
        assert store.get("t1") is None and store.unfinished("host-a:/home") == []

    def test_a_restart_finds_its_own_unfinished_jobs(self, open_store: OpenJobStore) -> None:
        before = open_store()
        before.put([job("t2", at=2.0), job("t1", at=1.0)])
        before.put([job("t3", batch="b2", at=3.0)])
        before.put([job("other", owner="host-b:/home", at=0.5)])
        before.mark(["t1", "t2"], "running")
        before.finish("t3", "finished", None, "posted")
        before.close()
        after = open_store()
        try:
            found = after.unfinished("host-a:/home")
            assert [(j.thread_id, j.state, j.batch) for j in found] == [
                ("t1", "running", "b1"), ("t2", "running", "b1")]
            assert found[0] == job("t1", at=1.0, state="running")  # spec and all
            assert [j.thread_id for j in after.unfinished("host-b:/home")] == ["other"]
            assert [j.thread_id for j in after.unfinished()] == ["other", "t1", "t2"]
            ended = after.get("t3")
            assert ended is not None and (ended.state, ended.error, ended.note) == (
                "finished", None, "posted")
        finally:
            after.close()

    def test_a_thread_submitted_again_replaces_its_ended_job(self, store: JobStore) -> None:
        store.put([job("t1")])
        store.finish("t1", "failed", "ValueError: boom", "")
        assert store.unfinished("host-a:/home") == []
        store.put([job("t1", batch="b9", at=9.0)])
        again = store.get("t1")
        assert again is not None and (again.state, again.error, again.batch) == (
            "queued", None, "b9")
        assert [j.thread_id for j in store.unfinished("host-a:/home")] == ["t1"]

    def test_pruning_forgets_only_old_ended_jobs(self, store: JobStore) -> None:
        store.put([job(f"t{n}", batch=f"b{n}", at=float(n)) for n in range(6)])
        for n in (0, 1, 2, 4):
            store.finish(f"t{n}", "finished", None, "")
        assert store.prune(2) == 2  # t0 and t1; t2 and t4 are the latest ended
        assert [store.get(f"t{n}") is not None for n in range(6)] == [
            False, False, True, True, True, True]
        assert [j.thread_id for j in store.unfinished("host-a:/home")] == ["t3", "t5"]
