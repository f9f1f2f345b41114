"""The SQLite store base class: private files, transactions, clock and closing."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wardflow._sqlite import SqliteStore

_SCHEMA = "CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY, at TEXT NOT NULL);"


class _Items(SqliteStore):
    def add(self, name: str, *, fail: bool = False) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO items VALUES (?, ?)", (name, self._clock().isoformat()))
            if fail:
                raise ValueError("after the insert")

    def all(self) -> list[tuple[str, str]]:
        with self._read() as conn:
            return [(str(n), str(a)) for n, a in conn.execute(
                "SELECT name, at FROM items ORDER BY name")]


def test_a_new_store_is_owner_only_and_applies_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "home" / "items.sqlite"
    with _Items(path, schema=_SCHEMA) as store:
        store.add("a")
        assert [name for name, _ in store.all()] == ["a"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    with _Items(path, schema=_SCHEMA) as again:  # the schema is idempotent, the row kept
        assert [name for name, _ in again.all()] == ["a"]


def test_a_failed_write_is_rolled_back_and_the_store_still_works() -> None:
    with _Items(":memory:", schema=_SCHEMA) as store:
        with pytest.raises(ValueError, match="after the insert"):
            store.add("lost", fail=True)
        store.add("kept")
        assert [name for name, _ in store.all()] == ["kept"]


def test_the_clock_is_injected() -> None:
    fixed = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with _Items(":memory:", schema=_SCHEMA, now=lambda: fixed) as store:
        store.add("a")
        assert store.all() == [("a", fixed.isoformat())]


def test_leaving_the_with_block_closes_the_connection() -> None:
    with _Items(":memory:", schema=_SCHEMA) as store:
        store.add("a")
    with pytest.raises(sqlite3.ProgrammingError):
        store.all()
    store.close()  # closing twice is harmless


def test_a_lazy_store_opens_on_first_use_and_again_after_close(tmp_path: Path) -> None:
    path = tmp_path / "home" / "items.sqlite"
    store = _Items(path, schema=_SCHEMA, lazy=True)
    assert not path.exists()
    store.add("a")
    assert path.exists()
    store.close()
    assert [name for name, _ in store.all()] == ["a"]  # reopened
    store.close()


def test_connections_opening_a_fresh_file_together_all_get_it(tmp_path: Path) -> None:
    # SQLite answers "database is locked" at once to a WAL switch racing another one's
    # on a new file (no busy wait): each of these openings used to fail now and then.
    import threading

    from wardflow._sqlite import connect

    errors: list[BaseException] = []
    for attempt in range(25):
        path = tmp_path / f"fresh-{attempt}.sqlite"
        barrier = threading.Barrier(6)

        def open_it(path: Path = path, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                connect(path, schema="CREATE TABLE IF NOT EXISTS t (x INTEGER)").close()
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
