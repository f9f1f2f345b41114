"""What every backend of the run-wide controls must do: the kill switch and rate limits.

Provide the fixtures the suites name, each a callable that opens the backend on one
empty store, the same store at every call (a second call is a second process or
machine, or the same one after a restart):

- ``open_switch()`` for :class:`KillSwitchConformance`;
- ``open_limiter(clock)`` for :class:`RateLimitsConformance`, ``clock`` giving the
  current time in seconds (a float, like :func:`time.time`).

The rules: a switch engaged through one instance stops every other at its next check
(nothing cached past a check), and the workflow's own switch is reported before the
global one; a limit of N admits exactly N hits in any window, however many connections
race for them, and a refused hit is not counted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from wardflow.errors import ConfigError, KillSwitchEngaged, RateLimited
from wardflow.guardrails.killswitch import ALL, KillSwitches
from wardflow.guardrails.ratelimit import RateLimits

__all__ = ["KillSwitchConformance", "OpenLimiter", "OpenSwitch", "RateLimitsConformance"]

OpenSwitch = Callable[[], KillSwitches]
OpenLimiter = Callable[[Callable[[], float]], RateLimits]


class KillSwitchConformance:
    """Provide an ``open_switch`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_switch(self) -> OpenSwitch:
        raise NotImplementedError("provide an `open_switch` fixture")

    @pytest.fixture
    def switch(self, open_switch: OpenSwitch) -> Iterator[KillSwitches]:
        switch = open_switch()
        yield switch
        switch.close()

    def test_is_released_when_new(self, switch: KillSwitches) -> None:
        assert isinstance(switch, KillSwitches)
        assert switch.engaged() == []
        switch.check("invoice")
        assert not switch.release()

    def test_the_global_switch_stops_every_workflow(self, switch: KillSwitches) -> None:
        state = switch.engage("bad model release", by="dan")
        assert (state.workflow, state.reason, state.by) == (ALL, "bad model release", "dan")
        for workflow in ("invoice", "expenses"):
            with pytest.raises(KillSwitchEngaged) as caught:
                switch.check(workflow)
            assert (caught.value.workflow, caught.value.reason, caught.value.by) == (
                workflow, "bad model release", "dan")
        assert switch.engaged() == [state]
        assert switch.release() and not switch.release()
        switch.check("invoice")

    def test_a_workflow_switch_stops_that_workflow_only(self, switch: KillSwitches) -> None:
        switch.engage("vendor fraud wave", by="dan", workflow="invoice")
        switch.check("expenses")
        with pytest.raises(KillSwitchEngaged, match="vendor fraud wave"):
            switch.check("invoice")
        switch.engage("everything", by="ada")
        with pytest.raises(KillSwitchEngaged) as caught:
            switch.check("invoice")  # the workflow's own reason comes first
        assert (caught.value.reason, caught.value.by) == ("vendor fraud wave", "dan")
        with pytest.raises(KillSwitchEngaged, match="everything"):
            switch.check("expenses")
        assert switch.release()  # the global one
        assert [s.workflow for s in switch.engaged()] == ["invoice"]
        assert not switch.release(workflow="expenses")

    def test_engaging_again_replaces_the_reason(self, switch: KillSwitches) -> None:
        switch.engage("first", by="dan", workflow="invoice")
        switch.engage("second", by="ada", workflow="invoice")
        assert [(s.reason, s.by) for s in switch.engaged()] == [("second", "ada")]
        with pytest.raises(KillSwitchEngaged, match="second"):
            switch.check("invoice")

    def test_a_switch_set_through_one_stops_the_other(self, switch: KillSwitches,
                                                      open_switch: OpenSwitch) -> None:
        other = open_switch()  # another process, or another machine
        try:
            other.check("invoice")  # released: a check before the switch is set
            switch.engage("incident 42", by="dan")
            with pytest.raises(KillSwitchEngaged, match="incident 42"):
                other.check("invoice")  # at its very next check
            assert other.engaged() == switch.engaged()
            assert other.release()
            switch.check("invoice")
            other.engage("incident 43", by="ada", workflow="invoice")
            with pytest.raises(KillSwitchEngaged, match="incident 43"):
                switch.check("invoice")
        finally:
            other.close()

    def test_survives_reopening(self, open_switch: OpenSwitch) -> None:
        before = open_switch()
        before.engage("maintenance", by="dan", workflow="invoice")
        before.close()
        after = open_switch()
        try:
            with pytest.raises(KillSwitchEngaged, match="maintenance"):
                after.check("invoice")
        finally:
            after.close()


class _Clock:
    """A settable clock in seconds."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class RateLimitsConformance:
    """Provide an ``open_limiter`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_limiter(self) -> OpenLimiter:
        raise NotImplementedError("provide an `open_limiter` fixture")

    def test_a_limit_admits_that_many_then_refuses(self, open_limiter: OpenLimiter) -> None:
        clock = _Clock()
        limiter = open_limiter(clock)
        try:
            assert isinstance(limiter, RateLimits)
            assert limiter.remaining("principal:carla", limit=3, per_s=60) == 3
            for _ in range(3):
                clock.now += 1
                limiter.hit("principal:carla", limit=3, per_s=60)
            assert limiter.remaining("principal:carla", limit=3, per_s=60) == 0
            clock.now += 10
            with pytest.raises(RateLimited) as caught:
                limiter.hit("principal:carla", limit=3, per_s=60)
            # The oldest hit (12 s ago) leaves the window in 48 s.
            assert caught.value.retry_after_s == pytest.approx(48.0)
            assert (caught.value.key, caught.value.limit) == ("principal:carla", 3)
            limiter.hit("principal:dan", limit=3, per_s=60)  # keys are separate
        finally:
            limiter.close()

    def test_the_window_slides_and_refusals_are_not_counted(
        self, open_limiter: OpenLimiter
    ) -> None:
        clock = _Clock()
        limiter = open_limiter(clock)
        try:
            limiter.hit("k", limit=2, per_s=10)
            clock.now += 5
            limiter.hit("k", limit=2, per_s=10)
            for _ in range(5):  # refused, and not counted
                with pytest.raises(RateLimited):
                    limiter.hit("k", limit=2, per_s=10)
            clock.now += 5  # the first hit is exactly one window old: expired
            limiter.hit("k", limit=2, per_s=10)
            assert limiter.remaining("k", limit=2, per_s=10) == 0
            clock.now += 5
            assert limiter.remaining("k", limit=2, per_s=10) == 1
        finally:
            limiter.close()

    def test_a_nonsense_limit_is_a_config_error(self, open_limiter: OpenLimiter) -> None:
        limiter = open_limiter(_Clock())
        try:
            for limit, per_s in ((0, 60.0), (3, 0.0), (3, -1.0)):
                with pytest.raises(ConfigError):
                    limiter.hit("k", limit=limit, per_s=per_s)
            assert limiter.remaining("k", limit=3, per_s=60) == 3
        finally:
            limiter.close()

    def test_hits_through_one_count_for_the_other(self, open_limiter: OpenLimiter) -> None:
        clock = _Clock()
        one, other = open_limiter(clock), open_limiter(clock)
        try:
            one.hit("workflow:invoice", limit=2, per_s=60)
            other.hit("workflow:invoice", limit=2, per_s=60)
            with pytest.raises(RateLimited):
                one.hit("workflow:invoice", limit=2, per_s=60)
            assert other.remaining("workflow:invoice", limit=2, per_s=60) == 0
        finally:
            one.close()
            other.close()
        reopened = open_limiter(clock)
        try:
            with pytest.raises(RateLimited):
                reopened.hit("workflow:invoice", limit=2, per_s=60)
        finally:
            reopened.close()

    def test_racing_connections_are_admitted_exactly_up_to_the_limit(
        self, open_limiter: OpenLimiter
    ) -> None:
        clock = _Clock()
        limit, threads_n, tries = 7, 6, 4
        limiters = [open_limiter(clock) for _ in range(threads_n)]
        start = threading.Barrier(threads_n)
        admitted: list[int] = []
        refused: list[int] = []
        errors: list[BaseException] = []

        def race(n: int, limiter: RateLimits) -> None:
            try:
                start.wait()
                for _ in range(tries):
                    try:
                        limiter.hit("principal:carla", limit=limit, per_s=60)
                    except RateLimited:
                        refused.append(n)
                    else:
                        admitted.append(n)
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=race, args=(n, limiter))
                   for n, limiter in enumerate(limiters)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            assert len(admitted) == limit and len(refused) == threads_n * tries - limit
            assert limiters[0].remaining("principal:carla", limit=limit, per_s=60) == 0
        finally:
            for limiter in limiters:
                limiter.close()
