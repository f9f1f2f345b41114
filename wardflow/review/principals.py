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
from typing import Literal, Protocol, cast, get_args, runtime_checkable

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Index, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import ReviewError

__all__ = ["ESCALATION", "ROLES", "PostgresPrincipalStore", "Principal", "PrincipalDirectory",
           "PrincipalStore", "Role"]

Role = Literal["auditor", "clerk", "approver", "controller", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)

_TABLES = (
    Table("principals", (
        Column("name"), Column("role", not_null=True), Column("approval_limit"),
        Column("active", "integer", not_null=True), Column("created_at", not_null=True),
    ), primary_key=("name",)),
    # ``seq`` is numbered by the store (the next one under the write lock), the same
    # way on both databases.
    Table("case_events", (
        Column("seq", "integer"), Column("thread_id", not_null=True),
        Column("kind", not_null=True), Column("role"), Column("at", not_null=True),
        Column("detail", not_null=True),
    ), primary_key=("seq",), indexes=(Index("case_events_thread", ("thread_id", "seq")),)),
)

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


@runtime_checkable
class PrincipalDirectory(Protocol):
    """Who may review, in which role and up to which limit, and each case's reminders
    and escalations: what callers type against.

    Backends: :class:`PrincipalStore` (SQLite, ``review.sqlite``) and
    :class:`PostgresPrincipalStore` (shared by every machine);
    ``wardflow.testing.PrincipalDirectoryConformance`` is what any backend must pass.
    """

    def add(self, name: str, role: str, *, approval_limit: Decimal | None = None) -> Principal:
        """Create or update (and reactivate) a principal.

        Raises:
            ReviewError: an unknown role, a bad name, an approver without a limit.
        """
        ...

    def deactivate(self, name: str) -> None:
        """Deactivate a principal. Raises ReviewError if unknown."""
        ...

    def get(self, name: str) -> Principal | None:
        """The principal ``name``, or ``None``."""
        ...

    def all(self) -> list[Principal]:
        """Every principal, by name."""
        ...

    def record_event(self, thread_id: str, kind: str, *, role: str | None, detail: str,
                     at: datetime | None = None) -> None:
        """Record a reminder or an escalation of a case."""
        ...

    def events(self, thread_id: str) -> list[dict[str, str | None]]:
        """A case's recorded events, in the order they were recorded."""
        ...

    def escalated_role(self, thread_id: str) -> str | None:
        """The role a case was last escalated to, if it was."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


class _PrincipalSql(StoreBackend):
    """The principal store's SQL, which SQLite and Postgres both accept."""

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
        with self._read() as conn:
            row = conn.execute(
                "SELECT name, role, approval_limit, active FROM principals WHERE name = ?",
                (name,)).fetchone()
        return _principal(row) if row else None

    def all(self) -> list[Principal]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT name, role, approval_limit, active FROM principals ORDER BY name"
            ).fetchall()
        return [_principal(row) for row in rows]

    # Case lifecycle ---------------------------------------------------------------
    def record_event(self, thread_id: str, kind: str, *, role: str | None, detail: str,
                     at: datetime | None = None) -> None:
        """Record a reminder or an escalation of a case."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO case_events (seq, thread_id, kind, role, at, detail)"
                " SELECT COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? FROM case_events",
                (thread_id, kind, role, (at or self._clock()).isoformat(), detail),
            )

    def events(self, thread_id: str) -> list[dict[str, str | None]]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT kind, role, at, detail FROM case_events WHERE thread_id = ? ORDER BY seq",
                (thread_id,),
            ).fetchall()
        return [{"kind": r[0], "role": r[1], "at": r[2], "detail": r[3]} for r in rows]

    def escalated_role(self, thread_id: str) -> str | None:
        """The role a case was last escalated to, if it was."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT role FROM case_events WHERE thread_id = ? AND kind = 'escalation'"
                " ORDER BY seq DESC LIMIT 1", (thread_id,),
            ).fetchone()
        return row[0] if row else None


class PrincipalStore(_PrincipalSql, SqliteStore):
    """Principals in SQLite (``home/review.sqlite``), safe across processes.

    Args:
        path: the SQLite file, or ``":memory:"``.
        clock: the time recorded with each change; injected by tests.
        busy_timeout_s: how long a write waits for another process's lock.
    """

    def __init__(
        self, path: Path | str, *, clock: Callable[[], datetime] = utc_now,
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock,
                         busy_timeout_s=busy_timeout_s)


class PostgresPrincipalStore(_PrincipalSql, PostgresStore):
    """Principals in Postgres, shared by every machine: a reviewer added on one is
    known to all at once.

    Args:
        url: a ``postgres://`` URL (may be the checkpointer's database).
        clock: the time recorded with each change; injected by tests.
        retry_s: how long a call waits for a database that went away.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now,
                 retry_s: float = 30.0) -> None:
        super().__init__(url, schema=render("postgres", _TABLES),
                         lock_name="wardflow.principals", now=clock, retry_s=retry_s)

    def add(self, name: str, role: str, *, approval_limit: Decimal | None = None) -> Principal:
        add = super().add
        return self._retry(lambda: add(name, role, approval_limit=approval_limit))

    def deactivate(self, name: str) -> None:
        deactivate = super().deactivate
        self._retry(lambda: deactivate(name))

    def get(self, name: str) -> Principal | None:
        get = super().get
        return self._retry(lambda: get(name))


def _principal(row: tuple[str, str, str | None, int]) -> Principal:
    return Principal(row[0], cast(Role, row[1]), None if row[2] is None else Decimal(row[2]),
                     bool(row[3]))
