"""What every backend of the review stores must do: principals, API tokens, web
credentials and Slack user links.

Provide the fixtures the suites name, each a callable that opens the backend on one
empty store, the same store at every call (a second call is a second process or
machine, or the same one after a restart):

- ``open_principals()`` for :class:`PrincipalDirectoryConformance` (and the others,
  which need principals);
- ``open_tokens(clock=...)`` for :class:`ApiTokensConformance` (``clock`` is the
  store's current time, a UTC :class:`~datetime.datetime`);
- ``open_credentials()`` for :class:`CredentialsConformance`;
- ``open_slack()`` for :class:`SlackLinksConformance`.

The rules: what one opened instance writes, every other sees at once (a reviewer added
on one machine is known on all, a token revoked on one is refused by all); refused
input changes nothing; secrets are kept only as hashes; and everything survives
closing and reopening.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, cast

import pytest

from wardflow.errors import ReviewError
from wardflow.observability.audit import AuditSink
from wardflow.review.principals import Principal, PrincipalDirectory
from wardflow.review.tokens import ApiTokens, TokenError
from wardflow.web.auth import AuthError, Credentials, authenticate, verify_password
from wardflow.web.slack import SlackLinks

__all__ = ["ApiTokensConformance", "CredentialsConformance", "OpenPrincipals", "OpenTokens",
           "PrincipalDirectoryConformance", "SlackLinksConformance"]

OpenPrincipals = Callable[[], PrincipalDirectory]
Clock = Callable[[], datetime]


class OpenTokens(Protocol):
    def __call__(self, *, clock: Clock = ...) -> ApiTokens: ...


class _Audit:
    """Records what the token store audits (it only appends)."""

    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any], str]] = []

    def append(self, kind: str, data: dict[str, Any], *, actor: str, **_: Any) -> None:
        self.records.append((kind, data, actor))

    def kinds(self) -> list[str]:
        return [kind for kind, _, _ in self.records]


def _audit() -> tuple[_Audit, AuditSink]:
    audit = _Audit()
    return audit, cast(AuditSink, audit)


def _closing(*stores: Any) -> Callable[[], None]:
    def close() -> None:
        for store in stores:
            store.close()
    return close


class _NeedsPrincipals:
    @pytest.fixture
    def open_principals(self) -> OpenPrincipals:
        raise NotImplementedError("provide an `open_principals` fixture")

    @pytest.fixture
    def seeded_principals(self, open_principals: OpenPrincipals
                          ) -> Iterator[PrincipalDirectory]:
        """carla (approver up to 50,000) and dan (controller)."""
        store = open_principals()
        store.add("carla", "approver", approval_limit=Decimal("50000"))
        store.add("dan", "controller")
        yield store
        store.close()


class PrincipalDirectoryConformance(_NeedsPrincipals):
    """Provide an ``open_principals`` fixture (see the module docstring)."""

    @pytest.fixture
    def principals(self, open_principals: OpenPrincipals) -> Iterator[PrincipalDirectory]:
        store = open_principals()
        yield store
        store.close()

    def test_is_an_empty_directory(self, principals: PrincipalDirectory) -> None:
        assert isinstance(principals, PrincipalDirectory)
        assert principals.all() == [] and principals.get("carla") is None
        assert principals.events("t1") == [] and principals.escalated_role("t1") is None

    def test_add_get_and_list(self, principals: PrincipalDirectory) -> None:
        added = principals.add("carla", "approver", approval_limit=Decimal("12345.67"))
        principals.add("ada", "auditor")
        principals.add(" dan ", "controller")  # the name is stripped
        assert added == Principal("carla", "approver", Decimal("12345.67"))
        carla = principals.get("carla")
        assert carla == added and carla is not None and str(carla.approval_limit) == "12345.67"
        assert principals.get("dan") == Principal("dan", "controller", None, True)
        assert [p.name for p in principals.all()] == ["ada", "carla", "dan"]

    def test_bad_input_is_refused_and_changes_nothing(self, principals: PrincipalDirectory
                                                      ) -> None:
        principals.add("carla", "approver", approval_limit=Decimal("100"))
        with pytest.raises(ReviewError, match="unknown role"):
            principals.add("carla", "superuser")
        with pytest.raises(ReviewError, match="name"):
            principals.add("  ", "clerk")
        with pytest.raises(ReviewError, match="name"):
            principals.add("x" * 129, "clerk")
        with pytest.raises(ReviewError, match="approval limit"):
            principals.add("carla", "approver")
        with pytest.raises(ReviewError, match="unknown principal"):
            principals.deactivate("nobody")
        assert principals.all() == [Principal("carla", "approver", Decimal("100"))]

    def test_adding_again_updates_and_reactivates(self, principals: PrincipalDirectory) -> None:
        principals.add("carla", "approver", approval_limit=Decimal("100"))
        principals.deactivate("carla")
        assert principals.get("carla") == Principal("carla", "approver", Decimal("100"), False)
        principals.add("carla", "controller")
        assert principals.get("carla") == Principal("carla", "controller", None, True)
        assert len(principals.all()) == 1

    def test_case_events_are_kept_in_order(self, principals: PrincipalDirectory) -> None:
        at = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        principals.record_event("t1", "reminder", role="clerk", detail="due soon", at=at)
        principals.record_event("t2", "escalation", role="approver", detail="other case", at=at)
        principals.record_event("t1", "escalation", role="approver", detail="late",
                                at=at + timedelta(hours=1))
        principals.record_event("t1", "escalation", role="controller", detail="later",
                                at=at + timedelta(hours=2))
        principals.record_event("t1", "reminder", role=None, detail="still open")
        assert [(e["kind"], e["role"], e["detail"]) for e in principals.events("t1")] == [
            ("reminder", "clerk", "due soon"), ("escalation", "approver", "late"),
            ("escalation", "controller", "later"), ("reminder", None, "still open")]
        assert principals.events("t1")[1]["at"] == (at + timedelta(hours=1)).isoformat()
        assert principals.escalated_role("t1") == "controller"
        assert principals.escalated_role("t2") == "approver"
        assert principals.escalated_role("t3") is None

    # Shared between instances -----------------------------------------------------------
    def test_a_principal_added_through_one_is_known_to_the_other(
        self, principals: PrincipalDirectory, open_principals: OpenPrincipals
    ) -> None:
        other = open_principals()  # another process, or another machine
        try:
            assert other.get("carla") is None  # looked up before it exists
            principals.add("carla", "approver", approval_limit=Decimal("5000"))
            assert other.get("carla") == Principal("carla", "approver", Decimal("5000"))
            other.deactivate("carla")
            found = principals.get("carla")
            assert found is not None and not found.active
            other.record_event("t1", "escalation", role="controller", detail="late")
            assert principals.escalated_role("t1") == "controller"
        finally:
            other.close()

    def test_events_from_several_connections_are_all_kept(
        self, open_principals: OpenPrincipals
    ) -> None:
        stores = [open_principals() for _ in range(4)]
        errors: list[BaseException] = []

        def record(store: PrincipalDirectory, n: int) -> None:
            try:
                for i in range(5):
                    store.record_event("t1", "reminder", role=None, detail=f"{n}-{i}")
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=record, args=(store, n))
                   for n, store in enumerate(stores)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            details = [str(e["detail"]) for e in stores[0].events("t1")]
            assert sorted(details) == sorted(f"{n}-{i}" for n in range(4) for i in range(5))
            for n in range(4):  # each connection's events in the order it wrote them
                assert [d for d in details if d.startswith(f"{n}-")] == [
                    f"{n}-{i}" for i in range(5)]
        finally:
            _closing(*stores)()

    def test_survives_reopening(self, open_principals: OpenPrincipals) -> None:
        before = open_principals()
        before.add("carla", "approver", approval_limit=Decimal("50000"))
        before.add("cleo", "clerk")
        before.deactivate("cleo")
        before.record_event("t1", "escalation", role="controller", detail="late")
        before.close()
        after = open_principals()
        try:
            assert after.all() == [Principal("carla", "approver", Decimal("50000")),
                                   Principal("cleo", "clerk", None, False)]
            assert after.escalated_role("t1") == "controller"
        finally:
            after.close()


class ApiTokensConformance(_NeedsPrincipals):
    """Provide ``open_principals`` and ``open_tokens`` fixtures (see the module
    docstring)."""

    @pytest.fixture
    def open_tokens(self) -> OpenTokens:
        raise NotImplementedError("provide an `open_tokens` fixture")

    def test_a_token_made_on_one_works_on_the_other(
        self, seeded_principals: PrincipalDirectory, open_tokens: OpenTokens
    ) -> None:
        one, other = open_tokens(), open_tokens()
        audit, sink = _audit()
        try:
            assert isinstance(one, ApiTokens) and one.all() == []
            token, record = one.create(seeded_principals, "carla", name="mail gateway",
                                       expires_days=30, by="dan", audit=sink)
            principal, found = other.authenticate(seeded_principals, token)
            assert principal.name == "carla" and found == record
            assert other.get(record.id) == record and other.all() == [record]
            assert record.state(datetime.now(UTC)) == "active"
            assert token not in repr(other.all())  # the secret is not kept
            assert audit.kinds() == ["token.created"]
            assert token not in repr(audit.records)
        finally:
            _closing(one, other)()

    def test_bad_tokens_are_refused(self, seeded_principals: PrincipalDirectory,
                                    open_tokens: OpenTokens) -> None:
        tokens = open_tokens()
        _, sink = _audit()
        try:
            token, record = tokens.create(seeded_principals, "carla", name="ci", expires_days=1,
                                          by="dan", audit=sink)
            forged = token[:-1] + ("A" if token[-1] != "A" else "B")
            other_id = token.replace(record.id, "0" * 12 if record.id != "0" * 12 else "1" * 12)
            for bad in (forged, other_id, "wft_nonsense", "", token + "x"):
                with pytest.raises(TokenError):
                    tokens.authenticate(seeded_principals, bad)
        finally:
            tokens.close()

    def test_refused_creation_changes_nothing(self, seeded_principals: PrincipalDirectory,
                                              open_tokens: OpenTokens) -> None:
        tokens = open_tokens()
        audit, sink = _audit()
        seeded_principals.deactivate("dan")
        try:
            for principal, name, days in (("nobody", "x", 1), ("dan", "x", 1),
                                          ("carla", "  ", 1), ("carla", "x", 0),
                                          ("carla", "x" * 65, 1), ("carla", "x", 3651)):
                with pytest.raises(ReviewError):
                    tokens.create(seeded_principals, principal, name=name, expires_days=days,
                                  by="dan", audit=sink)
            assert tokens.all() == [] and audit.records == []
        finally:
            tokens.close()

    def test_a_token_revoked_on_one_is_refused_by_the_other(
        self, seeded_principals: PrincipalDirectory, open_tokens: OpenTokens
    ) -> None:
        one, other = open_tokens(), open_tokens()
        audit, sink = _audit()
        try:
            token, record = one.create(seeded_principals, "carla", name="ci", expires_days=30,
                                       by="dan", audit=sink)
            other.authenticate(seeded_principals, token)
            revoked = other.revoke(record.id, by="dan", audit=sink)
            assert revoked.revoked_by == "dan" and revoked.revoked_at is not None
            with pytest.raises(TokenError, match="revoked"):
                one.authenticate(seeded_principals, token)
            assert one.revoke(record.id, by="ada", audit=sink).revoked_by == "dan"  # no change
            assert audit.kinds() == ["token.created", "token.revoked"]
            with pytest.raises(ReviewError):
                one.revoke("0123456789ab", by="dan", audit=sink)
        finally:
            _closing(one, other)()

    def test_expired_tokens_and_inactive_principals_are_refused(
        self, seeded_principals: PrincipalDirectory, open_tokens: OpenTokens
    ) -> None:
        tokens = open_tokens()
        _, sink = _audit()
        try:
            token, _ = tokens.create(seeded_principals, "carla", name="ci", expires_days=2,
                                     by="dan", audit=sink)
            dans, _ = tokens.create(seeded_principals, "dan", name="ci", expires_days=2,
                                    by="dan", audit=sink)
        finally:
            tokens.close()
        later = open_tokens(clock=lambda: datetime.now(UTC) + timedelta(days=3))
        soon = open_tokens(clock=lambda: datetime.now(UTC) + timedelta(days=1))
        try:
            with pytest.raises(TokenError, match="expired"):
                later.authenticate(seeded_principals, token)
            assert soon.authenticate(seeded_principals, token)[0].name == "carla"
            seeded_principals.deactivate("dan")
            with pytest.raises(TokenError, match="no longer an active principal"):
                soon.authenticate(seeded_principals, dans)
        finally:
            _closing(later, soon)()


class CredentialsConformance(_NeedsPrincipals):
    """Provide ``open_principals`` and ``open_credentials`` fixtures (see the module
    docstring)."""

    @pytest.fixture
    def open_credentials(self) -> Callable[[], Credentials]:
        raise NotImplementedError("provide an `open_credentials` fixture")

    def test_a_password_set_on_one_logs_in_on_the_other(
        self, seeded_principals: PrincipalDirectory, open_credentials: Callable[[], Credentials]
    ) -> None:
        one, other = open_credentials(), open_credentials()
        password = "correct horse battery"
        try:
            assert isinstance(one, Credentials) and other.password_hash("carla") is None
            one.set_password(seeded_principals, "carla", password)
            stored = other.password_hash("carla")
            assert stored is not None and password not in stored  # hashed, salted
            assert verify_password(password, stored)
            assert authenticate(seeded_principals, other, "carla", password).name == "carla"
            with pytest.raises(AuthError):
                authenticate(seeded_principals, other, "carla", password + "!")
            other.set_password(seeded_principals, "carla", "a different one entirely")
            with pytest.raises(AuthError):
                authenticate(seeded_principals, one, "carla", password)
            assert authenticate(seeded_principals, one, "carla", "a different one entirely")
        finally:
            _closing(one, other)()

    def test_refused_and_removed_passwords(
        self, seeded_principals: PrincipalDirectory, open_credentials: Callable[[], Credentials]
    ) -> None:
        credentials = open_credentials()
        try:
            with pytest.raises(ReviewError):
                credentials.set_password(seeded_principals, "nobody", "long enough password")
            with pytest.raises(ReviewError):
                credentials.set_password(seeded_principals, "carla", "short")
            assert credentials.password_hash("carla") is None
            assert credentials.password_hash("nobody") is None
            credentials.set_password(seeded_principals, "dan", "long enough password")
            seeded_principals.deactivate("dan")
            with pytest.raises(AuthError):  # a deactivated principal cannot log in
                authenticate(seeded_principals, credentials, "dan", "long enough password")
            assert credentials.remove("dan") and not credentials.remove("dan")
            assert credentials.password_hash("dan") is None
        finally:
            credentials.close()

    def test_survives_reopening(
        self, seeded_principals: PrincipalDirectory, open_credentials: Callable[[], Credentials]
    ) -> None:
        before = open_credentials()
        before.set_password(seeded_principals, "carla", "long enough password")
        before.close()
        after = open_credentials()
        try:
            assert authenticate(seeded_principals, after, "carla", "long enough password")
        finally:
            after.close()


class SlackLinksConformance(_NeedsPrincipals):
    """Provide ``open_principals`` and ``open_slack`` fixtures (see the module
    docstring)."""

    @pytest.fixture
    def open_slack(self) -> Callable[[], SlackLinks]:
        raise NotImplementedError("provide an `open_slack` fixture")

    def test_a_link_made_on_one_is_seen_by_the_other(
        self, seeded_principals: PrincipalDirectory, open_slack: Callable[[], SlackLinks]
    ) -> None:
        one, other = open_slack(), open_slack()
        try:
            assert isinstance(one, SlackLinks) and other.principal("U024BE7LH") is None
            one.link(seeded_principals, "carla", "U024BE7LH")
            assert other.principal("U024BE7LH") == "carla"
            other.link(seeded_principals, "dan", "U024BE7LH")  # relinked
            assert one.principal("U024BE7LH") == "dan"
            assert one.unlink("U024BE7LH") and not other.unlink("U024BE7LH")
            assert other.principal("U024BE7LH") is None
        finally:
            _closing(one, other)()

    def test_bad_links_are_refused(
        self, seeded_principals: PrincipalDirectory, open_slack: Callable[[], SlackLinks]
    ) -> None:
        slack = open_slack()
        seeded_principals.deactivate("dan")
        try:
            for name, user_id in (("nobody", "U024BE7LH"), ("dan", "U024BE7LH"),
                                  ("carla", "carla"), ("carla", "u024be7lh")):
                with pytest.raises(ReviewError):
                    slack.link(seeded_principals, name, user_id)
            assert slack.principal("U024BE7LH") is None and slack.principal("carla") is None
        finally:
            slack.close()
