"""The scheduler's state in SQLite (``control.sqlite``): the last slot per schedule and
one row per firing, claimed in a write transaction (see :mod:`wardflow.runtime.schedule`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wardflow._sqlite import SqliteStore

__all__ = ["Firing", "ScheduleStore"]

_MAX_COUNTED = 1000  # missed slots counted one by one; beyond, "more than"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS schedule_state (
    blueprint TEXT PRIMARY KEY,
    last_slot TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_firings (
    blueprint TEXT NOT NULL,
    slot TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL,
    runs INTEGER NOT NULL DEFAULT 0,
    at TEXT NOT NULL,
    PRIMARY KEY (blueprint, slot)
);
"""


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


class ScheduleStore(SqliteStore):
    """Last slot per schedule and the firings, in SQLite (shared by processes)."""

    def __init__(self, path: Path | str, *, busy_timeout_s: float = 30.0) -> None:
        super().__init__(path, schema=_SCHEMA, busy_timeout_s=busy_timeout_s)

    def last_slot(self, blueprint: str) -> datetime | None:
        row = self._conn.execute("SELECT last_slot FROM schedule_state WHERE blueprint = ?",
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
        rows = self._conn.execute(
            "SELECT blueprint, slot, state, detail, runs, at FROM schedule_firings"
            " WHERE blueprint = ? ORDER BY slot DESC LIMIT ?", (blueprint, limit)).fetchall()
        return [Firing(*row) for row in rows]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _missed_note(due: _Due) -> str:
    if not due.missed:
        return ""
    count = f"more than {_MAX_COUNTED}" if due.more else str(due.missed)
    first = _iso(due.first_missed) if due.first_missed else "?"
    return f"{count} missed slot(s) since {first}"
