"""The kill switch and rate limit conformance suites on SQLite and on a real Postgres,
the suites failing broken backends, and the factory choosing Postgres when
``database_url`` is set."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import run_rule
from wardflow.config import Settings
from wardflow.errors import KillSwitchEngaged, RateLimited
from wardflow.guardrails.killswitch import KillSwitch, PostgresKillSwitch
from wardflow.guardrails.ratelimit import PostgresRateLimiter, RateLimiter
from wardflow.services import build_services
from wardflow.testing import KillSwitchConformance, RateLimitsConformance


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(backend, where): one empty store per test."""
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "control.sqlite")
    return "postgres", str(request.getfixturevalue("postgres_url"))


class TestKillSwitch(KillSwitchConformance):
    @pytest.fixture
    def open_switch(self, target: tuple[str, str]) -> Callable[[], Any]:
        backend, where = target
        if backend == "sqlite":
            return lambda: KillSwitch(where)
        return lambda: PostgresKillSwitch(where)


class TestRateLimits(RateLimitsConformance):
    @pytest.fixture
    def open_limiter(self, target: tuple[str, str]) -> Callable[[Callable[[], float]], Any]:
        backend, where = target
        if backend == "sqlite":
            return lambda clock: RateLimiter(where, clock=clock)
        return lambda clock: PostgresRateLimiter(where, clock=clock)


# Each backend below breaks one rule; the suite's test for that rule must catch it. ----
class _CachingSwitch(KillSwitch):
    """Remembers a released check for a minute: a switch set elsewhere goes unseen."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self._released: set[str] = set()

    def check(self, workflow: str) -> None:
        if workflow not in self._released:
            super().check(workflow)
            self._released.add(workflow)


class _PerProcessLimiter:
    """Counts in the process only: N per instance, not N in all."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._inner = RateLimiter(":memory:", clock=clock)

    def hit(self, key: str, *, limit: int, per_s: float) -> None:
        self._inner.hit(key, limit=limit, per_s=per_s)

    def remaining(self, key: str, *, limit: int, per_s: float) -> int:
        return self._inner.remaining(key, limit=limit, per_s=per_s)

    def close(self) -> None:
        self._inner.close()


class _CountsRefusals(RateLimiter):
    """Counts a refused hit too, so a client that keeps retrying is locked out."""

    def hit(self, key: str, *, limit: int, per_s: float) -> None:
        try:
            super().hit(key, limit=limit, per_s=per_s)
        except RateLimited:
            with self._write() as conn:
                conn.execute("INSERT INTO rate_hits (key, at) VALUES (?, ?)",
                             (key, self._seconds()))
            raise


def _run(suite: object, rule: str, fixtures: dict[str, Any]) -> None:
    """Run one of a suite's tests with its fixtures, as pytest would."""
    run_rule(suite, rule, fixtures, {"switch": fixtures["open_switch"]}
             if "open_switch" in fixtures else {})


def test_the_suite_fails_a_switch_that_caches(tmp_path: Path) -> None:
    good, bad = str(tmp_path / "good.sqlite"), str(tmp_path / "bad.sqlite")
    rule = "test_a_switch_set_through_one_stops_the_other"
    _run(KillSwitchConformance(), rule, {"open_switch": lambda: KillSwitch(good)})
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        _run(KillSwitchConformance(), rule, {"open_switch": lambda: _CachingSwitch(bad)})


@pytest.mark.parametrize(("broken", "rule"), [
    ("per_process", "test_racing_connections_are_admitted_exactly_up_to_the_limit"),
    ("per_process", "test_hits_through_one_count_for_the_other"),
    ("counts_refusals", "test_the_window_slides_and_refusals_are_not_counted"),
])
def test_the_suite_fails_a_limiter_that_breaks_a_rule(broken: str, rule: str,
                                                       tmp_path: Path) -> None:
    good, bad = tmp_path / "good.sqlite", tmp_path / "bad.sqlite"
    _run(RateLimitsConformance(), rule,
         {"open_limiter": lambda clock: RateLimiter(good, clock=clock)})
    opener: Callable[[Callable[[], float]], Any] = (
        _PerProcessLimiter if broken == "per_process"
        else lambda clock: _CountsRefusals(bad, clock=clock))
    # The suite fails it: an assertion, a refusal that did not come, or a hit refused
    # that should have been admitted.
    with pytest.raises((AssertionError, RateLimited, pytest.fail.Exception)):
        _run(RateLimitsConformance(), rule, {"open_limiter": opener})


class _CountThenInsert(PostgresRateLimiter):
    """Counts and inserts in two statements outside a transaction: racing connections
    all see room under the limit and all insert."""

    def hit(self, key: str, *, limit: int, per_s: float) -> None:
        now = self._seconds()
        with self._read() as conn:
            (count,) = conn.execute("SELECT COUNT(*) FROM rate_hits WHERE key = ? AND at > ?",
                                    (key, now - per_s)).fetchone()
        if count >= limit:
            raise RateLimited(key, limit, per_s, per_s)
        with self._read() as conn:
            conn.execute("INSERT INTO rate_hits (key, at) VALUES (?, ?)", (key, now))


def test_the_race_test_catches_a_limiter_that_is_not_atomic(postgres_url: str) -> None:
    import psycopg

    rule = "test_racing_connections_are_admitted_exactly_up_to_the_limit"
    caught = 0
    for _ in range(5):  # a race: one over-admission in five tries is plenty
        try:
            _run(RateLimitsConformance(), rule, {
                "open_limiter": lambda clock: _CountThenInsert(postgres_url, clock=clock)})
        except AssertionError:
            caught += 1
            break
        finally:
            with psycopg.connect(postgres_url, autocommit=True) as conn:
                conn.execute("DELETE FROM rate_hits")
    assert caught == 1


def test_with_a_database_url_two_homes_share_the_switch_and_the_limits(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two machines (separate data homes) sharing only Postgres: the switch set on one
    stops the other, and the rate limits count both; nothing goes to SQLite."""
    one = Settings(home=tmp_path / "one", model="none", database_url=postgres_url)
    two = Settings(home=tmp_path / "two", model="none", database_url=postgres_url)
    with build_services(one) as first, build_services(two) as second:
        assert isinstance(first.switch, PostgresKillSwitch)
        assert isinstance(first.rate_limiter, PostgresRateLimiter)
        second.switch.check("invoice")
        first.switch.engage("incident", by="dan")
        with pytest.raises(KillSwitchEngaged, match="incident"):
            second.switch.check("invoice")
        first.rate_limiter.hit("principal:carla", limit=2, per_s=60)
        second.rate_limiter.hit("principal:carla", limit=2, per_s=60)
        with pytest.raises(RateLimited):
            first.rate_limiter.hit("principal:carla", limit=2, per_s=60)
    for home in (one.home, two.home):
        assert not (home / "ratelimit.sqlite").exists()
        assert not (home / "control.sqlite").exists()


def test_without_a_database_url_they_stay_in_the_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    with build_services(settings) as services:
        assert type(services.switch) is KillSwitch
        assert type(services.rate_limiter) is RateLimiter
        services.switch.engage("incident", by="dan", workflow="invoice")
        services.rate_limiter.hit("principal:carla", limit=2, per_s=60)
    with sqlite3.connect(settings.control_path) as conn:
        assert conn.execute("SELECT workflow FROM kill_switch").fetchall() == [("invoice",)]
    with sqlite3.connect(settings.home / "ratelimit.sqlite") as conn:
        assert conn.execute("SELECT key FROM rate_hits").fetchall() == [("principal:carla",)]


@pytest.mark.slow
def test_a_switch_set_by_another_process_stops_this_one(postgres_url: str,
                                                        tmp_path: Path) -> None:
    """`wardflow kill-switch on` on one machine (its own data home) stops this process,
    on another home sharing only Postgres, at its next check."""
    from tests.conftest import wardflow_cli

    settings = Settings(home=tmp_path / "here", model="none", database_url=postgres_url)
    with build_services(settings) as services:
        services.switch.check("invoice")
        there = tmp_path / "there"
        engaged = wardflow_cli(there, "kill-switch", "on", "--reason", "incident 7",
                               "--as", "dan", WARDFLOW_DATABASE_URL=postgres_url)
        assert engaged.returncode == 0, engaged.stderr
        with pytest.raises(KillSwitchEngaged, match="incident 7"):
            services.switch.check("invoice")
    assert not (there / "control.sqlite").exists() or not _has_table(
        there / "control.sqlite", "kill_switch")


def _has_table(path: Path, table: str) -> bool:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                            (table,)).fetchone() is not None
