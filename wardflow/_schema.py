"""Table definitions written once and rendered for SQLite or Postgres.

The embedded stores (ERP, audit log, event ledger) keep the same tables in either
database. Each table is declared once as a :class:`Table`; :func:`render` writes the
``CREATE ... IF NOT EXISTS`` script for a dialect. The differences between the two
dialects that matter here live in this module only:

- integer columns are ``INTEGER`` in SQLite and ``BIGINT`` in Postgres (a single
  ``INTEGER PRIMARY KEY`` column is SQLite's rowid, numbered by the database when an
  insert leaves it out); real columns are ``REAL`` and ``DOUBLE PRECISION``;
- the statements of a script are separated by ``;`` for SQLite's ``executescript``
  and by a line holding only ``;;`` for :func:`wardflow._postgres.connect` (Postgres
  function bodies contain semicolons).

What cannot be shared (triggers: SQLite's ``RAISE(ABORT)`` against a PL/pgSQL
function) is passed to :func:`render` per dialect by the store that needs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Column", "Dialect", "Index", "Table", "render"]

Dialect = Literal["sqlite", "postgres"]

_TYPES: dict[str, dict[Dialect, str]] = {
    "text": {"sqlite": "TEXT", "postgres": "TEXT"},
    "integer": {"sqlite": "INTEGER", "postgres": "BIGINT"},
    "real": {"sqlite": "REAL", "postgres": "DOUBLE PRECISION"},
}
_SEPARATORS: dict[Dialect, str] = {"sqlite": ";\n", "postgres": "\n;;\n"}


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, type (``"text"``, ``"integer"`` or ``"real"``) and constraints."""

    name: str
    type: Literal["text", "integer", "real"] = "text"
    not_null: bool = False
    unique: bool = False
    references: str | None = None  # "table(column)"

    def render(self, dialect: Dialect) -> str:
        parts = [self.name, _TYPES[self.type][dialect]]
        if self.not_null:
            parts.append("NOT NULL")
        if self.unique:
            parts.append("UNIQUE")
        if self.references:
            parts.append(f"REFERENCES {self.references}")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Index:
    """A secondary index on ``columns``."""

    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table, its primary key (may be empty: no key), its unique column groups and its
    indexes, in no particular dialect."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[Index, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def statements(self, dialect: Dialect) -> list[str]:
        """``CREATE TABLE`` and ``CREATE INDEX`` statements, ``IF NOT EXISTS``."""
        lines = [column.render(dialect) for column in self.columns]
        if len(self.primary_key) == 1:
            # Inline, so that a single INTEGER key stays SQLite's rowid alias.
            [key] = self.primary_key
            lines = [f"{line} PRIMARY KEY" if line.split(" ", 1)[0] == key else line
                     for line in lines]
        elif self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(self.primary_key)})")
        lines += [f"UNIQUE ({', '.join(group)})" for group in self.unique]
        body = ",\n    ".join(lines)
        created = [f"CREATE TABLE IF NOT EXISTS {self.name} (\n    {body}\n)"]
        created += [f"CREATE INDEX IF NOT EXISTS {index.name} ON {self.name}"
                    f"({', '.join(index.columns)})" for index in self.indexes]
        return created


def render(dialect: Dialect, tables: Sequence[Table],
           extra: Mapping[Dialect, Sequence[str]] | None = None) -> str:
    """The schema script of ``tables`` for ``dialect``, then its ``extra`` statements."""
    statements = [s for table in tables for s in table.statements(dialect)]
    statements += list((extra or {}).get(dialect, ()))
    statements = [s.rstrip().removesuffix(";") for s in statements]
    return _SEPARATORS[dialect].join(statements) + ("\n" if dialect == "postgres" else ";\n")
