"""The DriftStore conformance suite on SQLite and Postgres, on a broken store (it must
fail), and drift monitoring at ``WARDFLOW_DATABASE_URL``: two data homes share the
observations, the alerts and the baseline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.conformance import run_rule
from wardflow.config import Settings
from wardflow.observability._drift_store import PostgresDriftStore, SqliteDriftStore
from wardflow.services import build_services
from wardflow.testing import DriftStoreConformance
from wardflow.testing.drift import OpenDriftStore


class TestDriftStore(DriftStoreConformance):
    @pytest.fixture(params=["sqlite", "postgres"])
    def open_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> OpenDriftStore:
        if request.param == "sqlite":
            return lambda: SqliteDriftStore(tmp_path / "drift.sqlite",
                                            baseline=tmp_path / "drift-baseline.json")
        url = str(request.getfixturevalue("postgres_url"))
        return lambda: PostgresDriftStore(url)


class _ForgetsTheOrderOfTies(SqliteDriftStore):
    """Orders by time only: runs stored with one timestamp come back in any order."""

    def rows(self, *, since: str | None = None, until: str | None = None,
             last: int | None = None) -> list[str]:
        with self._read() as conn:
            rows = [r[0] for r in conn.execute("SELECT data FROM observations"
                                               " ORDER BY ts, seq DESC").fetchall()]
        return rows[-last:] if last else rows


def _run(rule: str, open_store: OpenDriftStore) -> None:
    run_rule(DriftStoreConformance(), rule, {"open_store": open_store},
             {"store": open_store})


def test_the_suite_fails_a_store_that_breaks_a_rule(tmp_path: Path) -> None:
    rule = "test_windows_and_flags"
    _run(rule, lambda: SqliteDriftStore(tmp_path / "good.sqlite", baseline=tmp_path / "g.json"))
    with pytest.raises(AssertionError):
        _run(rule, lambda: _ForgetsTheOrderOfTies(tmp_path / "bad.sqlite",
                                                  baseline=tmp_path / "b.json"))


# Two machines ---------------------------------------------------------------------------
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FLAGGED = {"decision": {"route": "review"}, "status": "routed",
           "guard": [{"validator": "secrets", "outcome": "flagged"}]}


def test_two_homes_sharing_postgres_share_drift(tmp_path: Path, postgres_url: str) -> None:
    homes = [Settings(home=tmp_path / name, model="none", guard_alert_count=3,
                      database_url=SecretStr(postgres_url)) for name in ("a", "b")]
    clock = [NOW]
    with build_services(homes[0], clock=lambda: clock[0]) as a, \
            build_services(homes[1], clock=lambda: clock[0]) as b:
        assert isinstance(a.drift.store, PostgresDriftStore)
        alerts = []
        for n in range(3):  # the guard alert counts flagged runs on both machines
            clock[0] = NOW + timedelta(minutes=n)
            alerts.append((a if n % 2 else b).drift.after_run(f"t{n}", FLAGGED))
        assert [x is not None for x in alerts] == [False, False, True]
        clock[0] = NOW + timedelta(minutes=5)
        assert a.drift.after_run("t3", FLAGGED) is None  # b raised it for these runs
        assert a.drift.after_run("t0", FLAGGED) is None  # observed once
        saved = b.drift.save_baseline(b.drift.observations(last=2))
        assert "database" in str(saved)
        label, reference = a.drift.reference(None)
        assert label == "baseline drift_baselines"
        assert [o.thread_id for o in reference] == ["t2", "t3"]
    assert not any((tmp_path / n / "drift.sqlite").exists() for n in ("a", "b"))
    assert not any((tmp_path / n / "drift-baseline.json").exists() for n in ("a", "b"))
