"""One table definition, rendered for SQLite and for Postgres (wardflow/_schema.py)."""

from __future__ import annotations

import sqlite3

import pytest

from wardflow._schema import Column, Index, Table, render

_TABLE = Table("items", (
    Column("seq", "integer"), Column("name", not_null=True, unique=True), Column("note"),
), primary_key=("seq",), indexes=(Index("items_name", ("name", "seq")),))
_PAIR = Table("pairs", (Column("a", not_null=True), Column("b", not_null=True)),
              primary_key=("a", "b"))


def test_the_dialects_differ_only_where_they_must() -> None:
    sqlite, postgres = render("sqlite", [_TABLE, _PAIR]), render("postgres", [_TABLE, _PAIR])
    assert "seq INTEGER PRIMARY KEY" in sqlite and "seq BIGINT PRIMARY KEY" in postgres
    assert "PRIMARY KEY (a, b)" in sqlite and "PRIMARY KEY (a, b)" in postgres
    assert len(postgres.split("\n;;\n")) == 3  # table, index, table: split for psycopg
    assert sqlite.replace("INTEGER", "BIGINT").replace(";\n", "\n;;\n").rstrip(";\n") == (
        postgres.rstrip("\n"))


def test_the_sqlite_script_creates_the_table_with_its_rules() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(render("sqlite", [_TABLE, _PAIR], {"sqlite": [
        "CREATE TRIGGER IF NOT EXISTS items_keep BEFORE DELETE ON items\n"
        "BEGIN SELECT RAISE(ABORT, 'kept'); END;"]}))
    conn.executescript(render("sqlite", [_TABLE, _PAIR]))  # idempotent
    conn.execute("INSERT INTO items (name) VALUES ('a')")
    assert conn.execute("SELECT seq, name FROM items").fetchall() == [(1, "a")]  # rowid
    for statement in ("INSERT INTO items (name) VALUES ('a')",  # unique
                      "INSERT INTO items (seq) VALUES (5)",  # not null
                      "DELETE FROM items"):  # the extra trigger
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(statement)
    conn.execute("INSERT INTO pairs VALUES ('x', 'y')")
    with pytest.raises(sqlite3.IntegrityError):  # the composite key
        conn.execute("INSERT INTO pairs VALUES ('x', 'y')")
    assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'"
                        " AND name = 'items_name'").fetchone() == ("items_name",)
