"""The kill switch: stop new runs and park running ones before their next side effect.

A switch is on for one workflow (``invoice``, a blueprint's name) or for all (``*``).
Every trigger path checks it before starting a run, and every side-effecting node
(storage writes, the ERP post) checks it before acting, so a run stops at a checkpoint
with nothing half done. Engaging and releasing are audited by the caller.

The state lives in ``control.sqlite`` (:class:`KillSwitch`, shared by the processes of
one data home) or, when ``WARDFLOW_DATABASE_URL`` is set, in Postgres
(:class:`PostgresKillSwitch`, shared by every machine). Nothing is cached: every
:meth:`~KillSwitches.check` reads the table, so a switch engaged on one machine stops
the others at their next check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import KillSwitchEngaged

__all__ = ["ALL", "KillSwitch", "KillSwitches", "PostgresKillSwitch", "SwitchState"]

ALL = "*"
_TABLES = (
    Table("kill_switch", (
        Column("workflow"), Column("reason", not_null=True), Column("by", not_null=True),
        Column("at", not_null=True),
    ), primary_key=("workflow",)),
)


@dataclass(frozen=True, slots=True)
class SwitchState:
    workflow: str
    reason: str
    by: str
    at: str


@runtime_checkable
class KillSwitches(Protocol):
    """The kill switches, per workflow or for all: what callers type against.

    Backends: :class:`KillSwitch` (SQLite, ``control.sqlite``) and
    :class:`PostgresKillSwitch`; ``wardflow.testing.KillSwitchConformance`` is what any
    backend must pass.
    """

    def engage(self, reason: str, *, by: str, workflow: str = ALL) -> SwitchState:
        """Stop ``workflow`` (or everything); engaging again replaces the reason."""
        ...

    def release(self, *, workflow: str = ALL) -> bool:
        """Release ``workflow``'s switch; whether it was engaged."""
        ...

    def engaged(self) -> list[SwitchState]:
        """The switches now engaged, by workflow."""
        ...

    def check(self, workflow: str) -> None:
        """Raise :class:`KillSwitchEngaged` if ``workflow`` (or everything) is stopped."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _SwitchSql(StoreBackend):
    """The kill switch's SQL, which SQLite and Postgres both accept."""

    def engage(self, reason: str, *, by: str, workflow: str = ALL) -> SwitchState:
        state = SwitchState(workflow, reason, by, self._clock().isoformat())
        with self._write() as conn:
            conn.execute("INSERT INTO kill_switch (workflow, reason, by, at) VALUES (?,?,?,?)"
                         " ON CONFLICT(workflow) DO UPDATE SET reason = excluded.reason,"
                         " by = excluded.by, at = excluded.at",
                         (state.workflow, state.reason, state.by, state.at))
        return state

    def release(self, *, workflow: str = ALL) -> bool:
        with self._write() as conn:
            return conn.execute("DELETE FROM kill_switch WHERE workflow = ?",
                                (workflow,)).rowcount > 0

    def engaged(self) -> list[SwitchState]:
        with self._read() as conn:
            rows = conn.execute("SELECT workflow, reason, by, at FROM kill_switch"
                                " ORDER BY workflow").fetchall()
        return [SwitchState(*row) for row in rows]

    def check(self, workflow: str) -> None:
        """Raise :class:`KillSwitchEngaged` if ``workflow`` (or everything) is stopped."""
        with self._read() as conn:
            # The workflow's own switch first: its reason is the more specific one.
            row = conn.execute(
                "SELECT workflow, reason, by FROM kill_switch WHERE workflow IN (?, ?)"
                " ORDER BY CASE WHEN workflow = ? THEN 0 ELSE 1 END LIMIT 1",
                (workflow, ALL, workflow),
            ).fetchone()
        if row:
            raise KillSwitchEngaged(row[0] if row[0] != ALL else workflow, row[1], row[2])


class KillSwitch(_SwitchSql, SqliteStore):
    """Kill-switch state in SQLite (shared by every process of one data home).

    Args:
        path: the SQLite file (``control.sqlite``), or ``":memory:"``.
        clock: the time recorded when a switch is engaged.
    """

    def __init__(self, path: Path | str, *,
                 clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock)


class PostgresKillSwitch(_SwitchSql, PostgresStore):
    """Kill-switch state in Postgres, shared by every machine.

    A check that finds the database gone waits for it (up to ``retry_s``) rather than
    letting a side effect through: if it is still gone, the check raises and the run
    stops with an error.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: the time recorded when a switch is engaged.
        retry_s: how long a call waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.kill_switch", now=clock, retry_s=retry_s)

    def engage(self, reason: str, *, by: str, workflow: str = ALL) -> SwitchState:
        engage = super().engage
        return self._retry(lambda: engage(reason, by=by, workflow=workflow))

    def release(self, *, workflow: str = ALL) -> bool:
        release = super().release
        return self._retry(lambda: release(workflow=workflow))

    def check(self, workflow: str) -> None:
        check = super().check
        self._retry(lambda: check(workflow))
