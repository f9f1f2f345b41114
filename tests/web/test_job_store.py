"""The JobStore conformance suite on SQLite and Postgres, and on a broken store (it must
fail)."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from wardflow.runtime.jobs import JobRecord, JobStore, PostgresJobStore, SqliteJobStore
from wardflow.testing import JobStoreConformance
from wardflow.testing.jobs import OpenJobStore


class TestJobStore(JobStoreConformance):
    @pytest.fixture(params=["sqlite", "postgres"])
    def open_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> OpenJobStore:
        if request.param == "sqlite":
            return lambda: SqliteJobStore(tmp_path / "control.sqlite")
        url = str(request.getfixturevalue("postgres_url"))
        return lambda: PostgresJobStore(url)


class _ResumesEveryonesJobs(SqliteJobStore):
    """Hands a restarted server every unfinished job, another server's too."""

    def unfinished(self, owner: str | None = None) -> list[JobRecord]:
        with self._read() as conn:
            rows = conn.execute("SELECT thread_id, owner, batch, submitted_by, state, error,"
                                " note, spec, queued_at FROM api_jobs WHERE state IN"
                                " ('queued', 'running') ORDER BY queued_at").fetchall()
        return [JobRecord(*row) for row in rows]


def _run(rule: str, open_store: OpenJobStore) -> None:
    test = getattr(JobStoreConformance(), rule)
    names = inspect.signature(test).parameters
    fixtures: dict[str, Any] = {"open_store": open_store}
    store: JobStore | None = None
    if "store" in names:
        store = fixtures["store"] = open_store()
    try:
        test(**{name: fixtures[name] for name in names})
    finally:
        if store is not None:
            store.close()


def test_the_suite_fails_a_store_that_breaks_a_rule(tmp_path: Path) -> None:
    rule = "test_a_restart_finds_its_own_unfinished_jobs"
    _run(rule, lambda: SqliteJobStore(tmp_path / "good.sqlite"))
    with pytest.raises(AssertionError):
        _run(rule, lambda: _ResumesEveryonesJobs(tmp_path / "bad.sqlite"))
