"""The review stores' conformance suites (principals, API tokens, web credentials,
Slack links) on SQLite and on a real Postgres, secrets hashed at rest on both, and the
factory choosing Postgres when ``database_url`` is set."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from wardflow._sqlite import utc_now
from wardflow.config import Settings
from wardflow.observability.audit import AuditLog
from wardflow.review.principals import PostgresPrincipalStore, Principal, PrincipalStore
from wardflow.review.tokens import PostgresTokenStore, TokenStore
from wardflow.services import build_services
from wardflow.testing import (
    ApiTokensConformance,
    CredentialsConformance,
    PrincipalDirectoryConformance,
    SlackLinksConformance,
)
from wardflow.web.auth import CredentialStore, PostgresCredentialStore, authenticate
from wardflow.web.slack import PostgresSlackUsers, SlackUsers


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(backend, where): one empty store per test."""
    if request.param == "sqlite":
        return "sqlite", str(tmp_path / "review.sqlite")
    return "postgres", str(request.getfixturevalue("postgres_url"))


class TestReviewStores(PrincipalDirectoryConformance, ApiTokensConformance,
                       CredentialsConformance, SlackLinksConformance):
    @pytest.fixture
    def open_principals(self, target: tuple[str, str]) -> Callable[[], Any]:
        backend, where = target
        if backend == "sqlite":
            return lambda: PrincipalStore(where)
        return lambda: PostgresPrincipalStore(where)

    @pytest.fixture
    def open_tokens(self, target: tuple[str, str]) -> Callable[..., Any]:
        backend, where = target

        def open_(*, clock: Callable[[], datetime] = utc_now) -> Any:
            if backend == "sqlite":
                return TokenStore(where, clock=clock)
            return PostgresTokenStore(where, clock=clock)

        return open_

    @pytest.fixture
    def open_credentials(self, target: tuple[str, str]) -> Callable[[], Any]:
        backend, where = target
        if backend == "sqlite":
            return lambda: CredentialStore(where)
        return lambda: PostgresCredentialStore(where)

    @pytest.fixture
    def open_slack(self, target: tuple[str, str]) -> Callable[[], Any]:
        backend, where = target
        if backend == "sqlite":
            return lambda: SlackUsers(where)
        return lambda: PostgresSlackUsers(where)


def _dump(target: tuple[str, str]) -> str:
    """Every value of the token and credential tables, as the database holds them."""
    backend, where = target
    query = ("SELECT * FROM api_tokens", "SELECT * FROM web_credentials")
    if backend == "sqlite":
        with sqlite3.connect(where) as conn:
            return repr([conn.execute(q).fetchall() for q in query])
    with psycopg.connect(where) as pg:
        return repr([pg.execute(q).fetchall() for q in query])


def test_tokens_and_passwords_are_stored_hashed(target: tuple[str, str]) -> None:
    backend, where = target
    if backend == "sqlite":
        principals: Any = PrincipalStore(where)
        tokens: Any = TokenStore(where)
        credentials: Any = CredentialStore(where)
    else:
        principals = PostgresPrincipalStore(where)
        tokens = PostgresTokenStore(where)
        credentials = PostgresCredentialStore(where)
    try:
        principals.add("carla", "approver", approval_limit=Decimal("100"))
        token, record = tokens.create(principals, "carla", name="ci", expires_days=1,
                                      by="dan", audit=AuditLog(":memory:"))
        credentials.set_password(principals, "carla", "a long secret phrase")
        dump = _dump(target)
        assert record.id in dump and "scrypt$" in dump  # the rows are there ...
        secret = token.rsplit("_", 1)[1]
        assert secret not in dump and "a long secret phrase" not in dump  # ... hashed
    finally:
        for store in (principals, tokens, credentials):
            store.close()


def test_with_a_database_url_two_homes_share_the_review_stores(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two machines (separate data homes) sharing only Postgres: a reviewer, a password,
    a token and a Slack link made on one work on the other; nothing goes to SQLite."""
    one = Settings(home=tmp_path / "one", model="none", database_url=postgres_url)
    two = Settings(home=tmp_path / "two", model="none", database_url=postgres_url)
    with build_services(one) as first, build_services(two) as second:
        assert isinstance(first.principals, PostgresPrincipalStore)
        assert isinstance(first.tokens, PostgresTokenStore)
        assert isinstance(first.credentials, PostgresCredentialStore)
        assert isinstance(first.slack_users, PostgresSlackUsers)
        second.principals.add("carla", "approver", approval_limit=Decimal("5000"))
        first.credentials.set_password(first.principals, "carla", "a long secret phrase")
        assert authenticate(second.principals, second.credentials, "carla",
                            "a long secret phrase").name == "carla"
        token, _ = first.tokens.create(first.principals, "carla", name="ci",
                                       expires_days=1, by="dan", audit=AuditLog(":memory:"))
        assert second.tokens.authenticate(second.principals, token)[0].name == "carla"
        second.slack_users.link(second.principals, "carla", "U024BE7LH")
        assert first.slack_users.principal("U024BE7LH") == "carla"
    for home in (one.home, two.home):
        assert not (home / "review.sqlite").exists()


def test_without_a_database_url_the_review_stores_stay_in_review_sqlite(
    tmp_path: Path
) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    with build_services(settings) as services:
        for store in (services.principals, services.tokens, services.credentials,
                      services.slack_users):
            assert type(store) in (PrincipalStore, TokenStore, CredentialStore, SlackUsers)
        services.principals.add("dan", "controller")
        services.slack_users.link(services.principals, "dan", "U024BE7LH")
    with sqlite3.connect(settings.review_path) as conn:
        assert conn.execute("SELECT name FROM principals").fetchall() == [("dan",)]
        assert conn.execute("SELECT principal FROM slack_users").fetchall() == [("dan",)]


def test_a_review_sqlite_made_before_keeps_working(tmp_path: Path) -> None:
    """A file created by the earlier schema (rowid ``seq``, a DEFAULT on ``active``)
    opens, reads and takes new events numbered after the old ones."""
    path = tmp_path / "review.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE principals (name TEXT PRIMARY KEY, role TEXT NOT NULL,
                approval_limit TEXT, active INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL);
            CREATE TABLE case_events (seq INTEGER PRIMARY KEY, thread_id TEXT NOT NULL,
                kind TEXT NOT NULL, role TEXT, at TEXT NOT NULL, detail TEXT NOT NULL);
            INSERT INTO principals (name, role, approval_limit, created_at)
                VALUES ('carla', 'approver', '500.00', '2026-01-01T00:00:00+00:00');
            INSERT INTO case_events (thread_id, kind, role, at, detail)
                VALUES ('t1', 'escalation', 'approver', '2026-01-01T00:00:00+00:00', 'old');
        """)
    conn.close()
    store = PrincipalStore(path)
    try:
        assert store.get("carla") == Principal("carla", "approver", Decimal("500.00"))
        store.record_event("t1", "escalation", role="controller", detail="new")
        assert [e["detail"] for e in store.events("t1")] == ["old", "new"]
        assert store.escalated_role("t1") == "controller"
    finally:
        store.close()
