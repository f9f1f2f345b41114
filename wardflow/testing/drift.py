"""What every :class:`~wardflow.observability._drift_store.DriftStore` backend must do.

Provide an ``open_store`` fixture: a callable that opens the backend on one empty store,
the same store at every call (a second call is another process or machine, or a
restart).

The rules: a run is observed once, however many processes record it; observations come
back oldest first (ties in the order they were stored), by time range or the last N;
flag counts and alerts are those stored; a forgotten run is gone; the baseline is the
last one saved; and all of it survives closing and reopening.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator

import pytest

from wardflow.observability._drift_store import DriftStore

__all__ = ["DriftStoreConformance", "OpenDriftStore"]

OpenDriftStore = Callable[[], DriftStore]


def _ts(minute: int) -> str:
    return f"2026-11-25T10:{minute:02d}:00.000000+00:00"


def _data(thread: str) -> str:
    return json.dumps({"thread_id": thread})


class DriftStoreConformance:
    """Provide an ``open_store`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_store(self) -> OpenDriftStore:
        raise NotImplementedError("provide an `open_store` fixture")

    @pytest.fixture
    def store(self, open_store: OpenDriftStore) -> Iterator[DriftStore]:
        store = open_store()
        yield store
        store.close()

    def test_is_an_empty_drift_store(self, store: DriftStore) -> None:
        assert isinstance(store, DriftStore)
        store.ready()
        assert store.thread_ids() == set() and store.rows() == []
        assert store.latest_flags(5) == [] and store.flagged_since(_ts(0)) == 0
        assert store.last_alert("guard") is None and store.get_baseline() is None

    def test_a_run_is_observed_once(self, open_store: OpenDriftStore) -> None:
        stores = [open_store() for _ in range(4)]
        added: list[str] = []
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(stores))

        def record(store: DriftStore) -> None:
            try:
                barrier.wait()
                for n in range(8):
                    if store.add(f"t{n}", _ts(n), _data(f"t{n}"), n % 2 == 0):
                        added.append(f"t{n}")
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=record, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            assert sorted(added) == [f"t{n}" for n in range(8)]
            assert stores[0].thread_ids() == set(added)
            assert [json.loads(r)["thread_id"] for r in stores[1].rows()] == [
                f"t{n}" for n in range(8)]
        finally:
            for store in stores:
                store.close()

    def test_windows_and_flags(self, store: DriftStore) -> None:
        for n, minute in enumerate([3, 1, 1, 2, 5]):  # t1 and t2 share a timestamp
            store.add(f"t{n}", _ts(minute), _data(f"t{n}"), n in (1, 4))
        order = [json.loads(r)["thread_id"] for r in store.rows()]
        assert order == ["t1", "t2", "t3", "t0", "t4"]
        assert [json.loads(r)["thread_id"] for r in store.rows(last=2)] == ["t0", "t4"]
        assert [json.loads(r)["thread_id"] for r in store.rows(since=_ts(2), until=_ts(5))
                ] == ["t3", "t0"]
        assert store.flagged_since(_ts(1)) == 2 and store.flagged_since(_ts(2)) == 1
        assert store.latest_flags(3) == [(1, _ts(5)), (0, _ts(3)), (0, _ts(2))]

    def test_alerts_and_the_baseline_survive_a_restart(self, open_store: OpenDriftStore
                                                       ) -> None:
        before = open_store()
        before.add("t0", _ts(0), _data("t0"), True)
        before.add_alert("guard", _ts(1), "guard alert: 1 flagged")
        before.add_alert("guard", _ts(4), "guard alert: 2 flagged")
        before.add_alert("drift", _ts(9), "drift alert: amount")
        before.put_baseline('{"version": 1, "observations": []}')
        before.put_baseline('{"version": 1, "observations": [{"thread_id": "t0"}]}')
        before.close()
        after = open_store()
        try:
            assert after.thread_ids() == {"t0"}
            assert after.last_alert("guard") == _ts(4) and after.last_alert("drift") == _ts(9)
            saved = after.get_baseline()
            assert saved is not None and json.loads(saved[1])["observations"] == [
                {"thread_id": "t0"}]
        finally:
            after.close()

    def test_a_forgotten_run_is_gone(self, store: DriftStore, open_store: OpenDriftStore
                                     ) -> None:
        for n in range(3):
            store.add(f"t{n}", _ts(n), _data(f"t{n}"), True)
        assert store.forget(["t1", "t9"]) == 1
        other = open_store()
        try:
            assert other.thread_ids() == {"t0", "t2"} and other.flagged_since(_ts(0)) == 2
            assert other.add("t1", _ts(5), _data("t1"), False)  # observed anew if run again
        finally:
            other.close()
