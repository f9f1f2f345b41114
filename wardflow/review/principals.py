"""Reviewers: principals with roles and approval limits, in the embedded store.

Roles, from least to most authority:

=============  ===============================================================
role           may
=============  ===============================================================
auditor        read cases and audit records; never decide
clerk          correct fields (and so never approve that case)
approver       approve or reject cases up to ``approval_limit``
controller     approve or reject any case, including those that require it
admin          manage principals; deciding cases is not an admin's job
=============  ===============================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Literal, cast, get_args

from wardflow._sqlite import SqliteStore, utc_now
from wardflow.errors import ReviewError

__all__ = ["ESCALATION", "ROLES", "Principal", "PrincipalStore", "Role"]

Role = Literal["auditor", "clerk", "approver", "controller", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS principals (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    approval_limit TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS case_events (
    seq INTEGER PRIMARY KEY,
    thread_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    role TEXT,
    at TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS case_events_thread ON case_events(thread_id, seq);
"""

# Who a case goes to when its deadline passes unanswered.
ESCALATION: dict[str, str] = {"clerk": "approver", "approver": "controller",
                              "controller": "controller"}


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: Role
    # In the approval currency; None means no limit (controllers).
    approval_limit: Decimal | None = None
    active: bool = True

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "active": self.active,
                "approval_limit": None if self.approval_limit is None else str(self.approval_limit)}


class PrincipalStore(SqliteStore):
    """Principals in SQLite (``home/review.sqlite``), safe across processes.

    Args:
        path: the SQLite file, or ``":memory:"``.
    """

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=_SCHEMA, now=clock, busy_timeout_s=busy_timeout_s)

    def add(self, name: str, role: str, *, approval_limit: Decimal | None = None) -> Principal:
        """Create or update a principal."""
        if role not in ROLES:
            raise ReviewError("-", f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        if not name.strip() or len(name) > 128:
            raise ReviewError("-", "a principal needs a name of 1 to 128 characters")
        if role == "approver" and approval_limit is None:
            raise ReviewError("-", "an approver needs an approval limit (--limit)")
        principal = Principal(name.strip(), role, approval_limit)
        with self._write() as conn:
            conn.execute(
                "INSERT INTO principals (name, role, approval_limit, active, created_at)"
                " VALUES (?,?,?,1,?) ON CONFLICT(name) DO UPDATE SET role = excluded.role,"
                " approval_limit = excluded.approval_limit, active = 1",
                (principal.name, principal.role,
                 None if approval_limit is None else str(approval_limit),
                 self._clock().isoformat()),
            )
        return principal

    def deactivate(self, name: str) -> None:
        with self._write() as conn:
            if conn.execute("UPDATE principals SET active = 0 WHERE name = ?", (name,)).rowcount == 0:
                raise ReviewError("-", f"unknown principal {name!r}")

    def get(self, name: str) -> Principal | None:
        row = self._conn.execute(
            "SELECT name, role, approval_limit, active FROM principals WHERE name = ?", (name,)
        ).fetchone()
        return _principal(row) if row else None

    def all(self) -> list[Principal]:
        rows = self._conn.execute(
            "SELECT name, role, approval_limit, active FROM principals ORDER BY name"
        ).fetchall()
        return [_principal(row) for row in rows]


    # Case lifecycle ---------------------------------------------------------------
    def record_event(self, thread_id: str, kind: str, *, role: str | None, detail: str,
                     at: datetime | None = None) -> None:
        """Record a reminder or an escalation of a case."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO case_events (thread_id, kind, role, at, detail) VALUES (?,?,?,?,?)",
                (thread_id, kind, role, (at or self._clock()).isoformat(), detail),
            )

    def events(self, thread_id: str) -> list[dict[str, str | None]]:
        rows = self._conn.execute(
            "SELECT kind, role, at, detail FROM case_events WHERE thread_id = ? ORDER BY seq",
            (thread_id,),
        ).fetchall()
        return [{"kind": r[0], "role": r[1], "at": r[2], "detail": r[3]} for r in rows]

    def escalated_role(self, thread_id: str) -> str | None:
        """The role a case was last escalated to, if it was."""
        row = self._conn.execute(
            "SELECT role FROM case_events WHERE thread_id = ? AND kind = 'escalation'"
            " ORDER BY seq DESC LIMIT 1", (thread_id,),
        ).fetchone()
        return row[0] if row else None


def _principal(row: tuple[str, str, str | None, int]) -> Principal:
    return Principal(row[0], cast(Role, row[1]), None if row[2] is None else Decimal(row[2]),
                     bool(row[3]))
