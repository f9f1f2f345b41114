"""What every :class:`~wardflow.runtime.schedule.ScheduleStore` backend must do.

Provide an ``open_store`` fixture: a callable that opens the backend on one empty store,
the same store at every call (a second call is a second scheduler, on another machine
or after a restart).

The rules: a schedule never seen starts counting at the first claim and fires nothing
then; a due slot is claimed exactly once, however many schedulers race for it; the last
slot moves forward with each claim; a firing's end is recorded; and all of it survives
closing and reopening.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from wardflow.runtime._schedule_store import Firing, ScheduleStore, _Due

__all__ = ["OpenScheduleStore", "ScheduleStoreConformance"]

OpenScheduleStore = Callable[[], ScheduleStore]
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def hourly(now: datetime) -> Callable[[datetime], _Due]:
    """A decision like the scheduler's for an hourly schedule: the latest full hour
    after the last slot and not after ``now``, fired."""

    def decide(last: datetime) -> _Due:
        slot = now.replace(minute=0, second=0, microsecond=0)
        return _Due(slot if slot > last else None, True, 0, None, False)

    return decide


class ScheduleStoreConformance:
    """Provide an ``open_store`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_store(self) -> OpenScheduleStore:
        raise NotImplementedError("provide an `open_store` fixture")

    @pytest.fixture
    def store(self, open_store: OpenScheduleStore) -> Iterator[ScheduleStore]:
        store = open_store()
        yield store
        store.close()

    def test_is_an_empty_schedule_store(self, store: ScheduleStore) -> None:
        assert isinstance(store, ScheduleStore)
        assert store.last_slot("bp") is None and store.firings("bp") == []

    def test_a_new_schedule_starts_counting_at_its_first_claim(self, store: ScheduleStore
                                                                ) -> None:
        assert store.claim("bp", T0 + timedelta(minutes=5), hourly(T0)) is None
        assert store.last_slot("bp") == T0 + timedelta(minutes=5)
        assert store.firings("bp") == []

    def test_a_due_slot_is_claimed_once(self, store: ScheduleStore,
                                        open_store: OpenScheduleStore) -> None:
        store.set_last_slot("bp", T0)
        now = T0 + timedelta(hours=1, seconds=30)
        firing = store.claim("bp", now, hourly(now))
        assert firing is not None
        assert (firing.blueprint, firing.slot, firing.state) == (
            "bp", (T0 + timedelta(hours=1)).isoformat(), "firing")
        assert store.last_slot("bp") == T0 + timedelta(hours=1)
        assert store.claim("bp", now, hourly(now)) is None
        other = open_store()  # a second scheduler
        try:
            assert other.claim("bp", now, hourly(now)) is None
        finally:
            other.close()
        assert store.claim("other-bp", now, hourly(now)) is None  # keyed per blueprint
        assert [f.slot for f in store.firings("bp")] == [firing.slot]

    def test_racing_schedulers_fire_each_slot_once(self, open_store: OpenScheduleStore
                                                   ) -> None:
        stores = [open_store() for _ in range(4)]
        stores[0].set_last_slot("bp", T0)
        won: list[Firing] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(stores))

        def tick(store: ScheduleStore) -> None:
            try:
                barrier.wait()
                for hour in range(1, 6):
                    now = T0 + timedelta(hours=hour, seconds=1)
                    firing = store.claim("bp", now, hourly(now))
                    if firing is not None:
                        won.append(firing)
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=tick, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            slots = sorted(f.slot for f in won)
            assert slots == [(T0 + timedelta(hours=h)).isoformat() for h in range(1, 6)]
            assert len(stores[1].firings("bp")) == 5
        finally:
            for store in stores:
                store.close()

    def test_a_firing_ends_and_survives_a_restart(self, open_store: OpenScheduleStore
                                                  ) -> None:
        before = open_store()
        before.set_last_slot("bp", T0)
        fired = []
        for hour in (1, 2, 3):
            now = T0 + timedelta(hours=hour)
            firing = before.claim("bp", now, hourly(now))
            assert firing is not None
            fired.append(firing)
        done = before.finish(fired[0], "fired", "2 documents", 2, T0 + timedelta(hours=1, minutes=3))
        assert (done.state, done.detail, done.runs) == ("fired", "2 documents", 2)
        before.finish(fired[1], "skipped", "kill switch", 0, T0 + timedelta(hours=2))
        before.close()
        after = open_store()
        try:
            assert after.last_slot("bp") == T0 + timedelta(hours=3)
            assert [(f.slot, f.state, f.runs) for f in after.firings("bp")] == [
                (fired[2].slot, "firing", 0), (fired[1].slot, "skipped", 0),
                (fired[0].slot, "fired", 2)]
            assert [f.to_dict() for f in after.firings("bp", limit=1)] == [fired[2].to_dict()]
            assert after.firings("bp")[2] == done
            now = T0 + timedelta(hours=3, minutes=10)
            assert after.claim("bp", now, hourly(now)) is None  # the slot is taken
        finally:
            after.close()

    def test_setting_the_last_slot_moves_it(self, store: ScheduleStore) -> None:
        store.set_last_slot("bp", T0)
        store.set_last_slot("bp", T0 + timedelta(days=1))
        assert store.last_slot("bp") == T0 + timedelta(days=1)
        now = T0 + timedelta(hours=5)
        assert store.claim("bp", now, hourly(now)) is None  # nothing after the last slot
