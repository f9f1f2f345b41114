"""The scheduler's state: the last slot per schedule and one row per firing, claimed in
a write transaction (see :mod:`wardflow.runtime.schedule`), in ``control.sqlite`` or, with
``WARDFLOW_DATABASE_URL``, in Postgres, where the store's advisory lock serializes the
claims of schedulers on every machine: each slot fires once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore
from wardflow._store import StoreBackend

__all__ = ["Firing", "PostgresScheduleStore", "ScheduleStore", "SqliteScheduleStore"]

_MAX_COUNTED = 1000  # missed slots counted one by one; beyond, "more than"
_TABLES = (
    Table("schedule_state", (
        Column("blueprint"), Column("last_slot", not_null=True),
        Column("updated_at", not_null=True),
    ), primary_key=("blueprint",)),
    Table("schedule_firings", (
        Column("blueprint", not_null=True), Column("slot", not_null=True),
        Column("state", not_null=True), Column("detail", not_null=True),
        Column("runs", "integer", not_null=True), Column("at", not_null=True),
    ), primary_key=("blueprint", "slot")),
)


# Persisted state -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Firing:
    """One slot of one schedule: ``fired``, ``failed``, ``skipped`` or ``missed``
    (``firing`` while it runs, or if its process died)."""

    blueprint: str
    slot: str
    state: str
    detail: str
    runs: int = 0
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"blueprint": self.blueprint, "slot": self.slot, "state": self.state,
                "detail": self.detail, "runs": self.runs, "at": self.at}


@dataclass(frozen=True, slots=True)
class _Due:
    slot: datetime | None  # the slot to fire or record; None: nothing due
    fire: bool
    missed: int
    first_missed: datetime | None
    more: bool  # more missed slots than were counted


@runtime_checkable
class ScheduleStore(Protocol):
    """Where schedulers agree on what fired: the last slot handled per schedule and one
    row per firing. :meth:`claim` decides and records a slot in one transaction, so
    that of several schedulers (threads, processes, machines) exactly one gets it.

    Backends: :class:`SqliteScheduleStore` and :class:`PostgresScheduleStore`;
    ``wardflow.testing.ScheduleStoreConformance`` is what any backend must pass.
    """

    def last_slot(self, blueprint: str) -> datetime | None:
        """The last slot handled, or ``None`` for a schedule never seen."""
        ...

    def set_last_slot(self, blueprint: str, slot: datetime) -> None:
        """Where counting starts (a new schedule starts at the first tick that sees it)."""
        ...

    def claim(self, blueprint: str, now: datetime,
              decide: Callable[[datetime], _Due]) -> Firing | None:
        """Decide what is due since the last slot and record it, in one transaction;
        ``None`` when nothing is due or another scheduler claimed the slot first."""
        ...

    def finish(self, firing: Firing, state: str, detail: str, runs: int, at: datetime
               ) -> Firing:
        """Record how a claimed firing ended."""
        ...

    def firings(self, blueprint: str, limit: int = 20) -> list[Firing]:
        """The latest firings of a schedule, newest slot first."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _ScheduleSql(StoreBackend):
    """The scheduler state's SQL, which SQLite and Postgres both accept."""

    def last_slot(self, blueprint: str) -> datetime | None:
        with self._read() as conn:
            row = conn.execute("SELECT last_slot FROM schedule_state WHERE blueprint = ?",
                               (blueprint,)).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def set_last_slot(self, blueprint: str, slot: datetime) -> None:
        """Where counting starts (a new schedule starts at the first tick that sees it)."""
        with self._write() as conn:
            conn.execute("INSERT INTO schedule_state VALUES (?,?,?) ON CONFLICT(blueprint)"
                         " DO UPDATE SET last_slot = excluded.last_slot,"
                         " updated_at = excluded.updated_at",
                         (blueprint, _iso(slot), _iso(datetime.now(UTC))))

    def claim(self, blueprint: str, now: datetime,
              decide: Callable[[datetime], _Due]) -> Firing | None:
        """Decide what is due since the last slot and record it, in one transaction;
        ``None`` when nothing is due or another process claimed the slot first."""
        with self._write() as conn:
            row = conn.execute("SELECT last_slot FROM schedule_state WHERE blueprint = ?",
                               (blueprint,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO schedule_state VALUES (?,?,?)",
                             (blueprint, _iso(now), _iso(now)))
                return None
            due = decide(datetime.fromisoformat(row[0]))
            if due.slot is None:
                return None
            firing = Firing(blueprint, _iso(due.slot), "firing" if due.fire else "missed",
                            _missed_note(due), 0, _iso(now))
            inserted = conn.execute(
                "INSERT INTO schedule_firings VALUES (?,?,?,?,?,?)"
                " ON CONFLICT(blueprint, slot) DO NOTHING",
                (firing.blueprint, firing.slot, firing.state, firing.detail, 0, firing.at),
            ).rowcount
            conn.execute("UPDATE schedule_state SET last_slot = ?, updated_at = ?"
                         " WHERE blueprint = ?", (firing.slot, _iso(now), blueprint))
            return firing if inserted else None

    def finish(self, firing: Firing, state: str, detail: str, runs: int, at: datetime) -> Firing:
        done = Firing(firing.blueprint, firing.slot, state, detail, runs, _iso(at))
        with self._write() as conn:
            conn.execute("UPDATE schedule_firings SET state = ?, detail = ?, runs = ?, at = ?"
                         " WHERE blueprint = ? AND slot = ?",
                         (state, detail, runs, done.at, firing.blueprint, firing.slot))
        return done

    def firings(self, blueprint: str, limit: int = 20) -> list[Firing]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT blueprint, slot, state, detail, runs, at FROM schedule_firings"
                " WHERE blueprint = ? ORDER BY slot DESC LIMIT ?", (blueprint, limit)).fetchall()
        return [Firing(*row) for row in rows]


class SqliteScheduleStore(_ScheduleSql, SqliteStore):
    """The scheduler's state in a SQLite file (``control.sqlite``; processes share it).

    Args:
        path: the SQLite file, or ``":memory:"``.
        busy_timeout_s: how long a claim waits for another process's lock.
    """

    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), busy_timeout_s=busy_timeout_s)


class PostgresScheduleStore(_ScheduleSql, PostgresStore):
    """The scheduler's state in Postgres, shared by the schedulers of every machine.

    Args:
        url: a ``postgres://`` URL.
        retry_s: how long a write waits for a database that went away.
    """

    def __init__(self, url: str, *, retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.schedules", retry_s=retry_s)

    def set_last_slot(self, blueprint: str, slot: datetime) -> None:
        set_last = super().set_last_slot
        self._retry(lambda: set_last(blueprint, slot))

    def finish(self, firing: Firing, state: str, detail: str, runs: int, at: datetime
               ) -> Firing:
        # Not claim: a claim retried after an unacknowledged commit would find its own
        # slot taken; the tick fails instead and the next one decides again.
        finish = super().finish
        return self._retry(lambda: finish(firing, state, detail, runs, at))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _missed_note(due: _Due) -> str:
    if not due.missed:
        return ""
    count = f"more than {_MAX_COUNTED}" if due.more else str(due.missed)
    first = _iso(due.first_missed) if due.first_missed else "?"
    return f"{count} missed slot(s) since {first}"
