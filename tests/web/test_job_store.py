"""The JobStore conformance suite on SQLite and Postgres, and on a broken store (it must
fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import run_rule
from wardflow.runtime.jobs import JobRecord, PostgresJobStore, SqliteJobStore
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
    run_rule(JobStoreConformance(), rule, {"open_store": open_store}, {"store": open_store})


def test_the_suite_fails_a_store_that_breaks_a_rule(tmp_path: Path) -> None:
    rule = "test_a_restart_finds_its_own_unfinished_jobs"
    _run(rule, lambda: SqliteJobStore(tmp_path / "good.sqlite"))
    with pytest.raises(AssertionError):
        _run(rule, lambda: _ResumesEveryonesJobs(tmp_path / "bad.sqlite"))
