"""The ScheduleStore conformance suite on SQLite and Postgres, on broken stores (it must
fail), and two schedulers with separate data homes sharing one Postgres: each slot
fires once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conformance import run_rule
from tests.graphs.test_schedule import NIGHTLY
from wardflow.config import Settings
from wardflow.graphs.blueprint import Blueprint, parse_blueprint
from wardflow.runtime._schedule_store import Firing
from wardflow.runtime.schedule import (
    PostgresScheduleStore,
    Scheduler,
    SqliteScheduleStore,
)
from wardflow.services import build_services
from wardflow.testing import ScheduleStoreConformance
from wardflow.testing.schedules import OpenScheduleStore


class TestScheduleStore(ScheduleStoreConformance):
    @pytest.fixture(params=["sqlite", "postgres"])
    def open_store(self, request: pytest.FixtureRequest, tmp_path: Path) -> OpenScheduleStore:
        if request.param == "sqlite":
            return lambda: SqliteScheduleStore(tmp_path / "control.sqlite")
        url = str(request.getfixturevalue("postgres_url"))
        return lambda: PostgresScheduleStore(url)


# Each store below breaks one rule; the suite's test for that rule must catch it. ------
class _ClaimsWithoutTheLock(SqliteScheduleStore):
    """Decides outside the write transaction: two schedulers can both fire a slot."""

    def claim(self, blueprint: str, now: datetime, decide: Any) -> Firing | None:
        last = self.last_slot(blueprint)
        if last is None:
            self.set_last_slot(blueprint, now)
            return None
        due = decide(last)
        if due.slot is None:
            return None
        threading.Event().wait(0.02)  # what a slow decision does to the window
        self.set_last_slot(blueprint, due.slot)
        firing = Firing(blueprint, due.slot.astimezone(UTC).isoformat(), "firing", "", 0,
                        now.isoformat())
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO schedule_firings VALUES (?,?,?,?,?,?)",
                         (firing.blueprint, firing.slot, firing.state, "", 0, firing.at))
        return firing


class _ForgetsOnClose(SqliteScheduleStore):
    def __init__(self, path: Path) -> None:
        super().__init__(":memory:")


def _run(rule: str, open_store: OpenScheduleStore) -> None:
    """Run one of the suite's tests with its fixtures, as pytest would."""
    run_rule(ScheduleStoreConformance(), rule, {"open_store": open_store},
             {"store": open_store})


@pytest.mark.parametrize(("broken", "rule"), [
    (_ClaimsWithoutTheLock, "test_racing_schedulers_fire_each_slot_once"),
    (_ForgetsOnClose, "test_a_firing_ends_and_survives_a_restart"),
])
def test_the_suite_fails_a_store_that_breaks_a_rule(
    broken: type[SqliteScheduleStore], rule: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.sqlite", tmp_path / "bad.sqlite"
    _run(rule, lambda: SqliteScheduleStore(good))  # the rule holds on the real one
    with pytest.raises(AssertionError):
        _run(rule, lambda: broken(bad))


# Two machines ---------------------------------------------------------------------------
def _blueprint(settings: Settings) -> Blueprint:
    text = NIGHTLY.read_text().replace('"0 2 * * *"', '"*/5 * * * *"').replace(
        '"Europe/Berlin"', '"UTC"')
    return parse_blueprint(text, settings, name="nightly-archive")


def test_schedulers_on_two_machines_sharing_postgres_fire_each_slot_once(
    tmp_path: Path, postgres_url: str
) -> None:
    """Separate data homes (nothing shared but the database): the slot is claimed in
    Postgres, so one machine fires it and the other sees it fired."""
    homes = [Settings(home=tmp_path / name, model="none", database_url=SecretStr(postgres_url))
             for name in ("a", "b")]
    fired: list[str] = []
    schedulers = [Scheduler(s, [_blueprint(s)], runner=lambda b, n=n: fired.append(n) or [])
                  for n, s in zip("ab", homes, strict=True)]
    schedulers[0].tick(datetime(2026, 11, 25, 9, 59, tzinfo=UTC))  # starts counting
    barrier = threading.Barrier(2)
    won: list[list[Firing]] = []

    def tick(scheduler: Scheduler) -> None:
        barrier.wait()
        won.append(scheduler.tick(datetime(2026, 11, 25, 10, 0, 1, tzinfo=UTC)))

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert sorted(len(w) for w in won) == [0, 1] and len(fired) == 1
        # Both machines read the same state.
        for scheduler in schedulers:
            [row] = scheduler.status(datetime(2026, 11, 25, 10, 1, tzinfo=UTC))
            assert row["last_slot"] == "2026-11-25T10:00:00+00:00"
            assert [f["state"] for f in row["firings"]] == ["fired"]
        for settings in homes:
            with build_services(settings) as services:
                assert isinstance(services.schedules, PostgresScheduleStore)
    finally:
        for scheduler in schedulers:
            scheduler.close()
