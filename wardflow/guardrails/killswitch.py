"""The kill switch: stop new runs and park running ones before their next side effect.

A switch is on for one workflow (``invoice``, a blueprint's name) or for all (``*``).
Every trigger path checks it before starting a run, and every side-effecting node
(storage writes, the ERP post) checks it before acting, so a run stops at a checkpoint
with nothing half done. Engaging and releasing are audited by the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wardflow._sqlite import SqliteStore, utc_now
from wardflow.errors import KillSwitchEngaged

__all__ = ["ALL", "KillSwitch", "SwitchState"]

ALL = "*"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS kill_switch (
    workflow TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    by TEXT NOT NULL,
    at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class SwitchState:
    workflow: str
    reason: str
    by: str
    at: str


class KillSwitch(SqliteStore):
    """Kill-switch state in SQLite (shared by every process of one data home)."""

    def __init__(self, path: Path | str, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(path, schema=_SCHEMA, now=clock)

    def engage(self, reason: str, *, by: str, workflow: str = ALL) -> SwitchState:
        state = SwitchState(workflow, reason, by, self._clock().isoformat())
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO kill_switch VALUES (?,?,?,?)",
                         (state.workflow, state.reason, state.by, state.at))
        return state

    def release(self, *, workflow: str = ALL) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM kill_switch WHERE workflow = ?",
                                (workflow,)).rowcount > 0

    def engaged(self) -> list[SwitchState]:
        rows = self._conn.execute("SELECT workflow, reason, by, at FROM kill_switch").fetchall()
        return [SwitchState(*row) for row in rows]

    def check(self, workflow: str) -> None:
        """Raise :class:`KillSwitchEngaged` if ``workflow`` (or everything) is stopped."""
        row = self._conn.execute(
            "SELECT workflow, reason, by FROM kill_switch WHERE workflow IN (?, ?)"
            " ORDER BY workflow = ? DESC LIMIT 1", (workflow, ALL, workflow),
        ).fetchone()
        if row:
            raise KillSwitchEngaged(row[0] if row[0] != ALL else workflow, row[1], row[2])
