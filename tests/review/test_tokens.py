"""API tokens: tied to a principal, hashed at rest, audited, revocable, expiring."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import add_reviewers, wardflow_cli
from wardflow.errors import ReviewError
from wardflow.observability.audit import AuditLog
from wardflow.review.principals import PrincipalStore
from wardflow.review.tokens import TokenError, TokenStore, is_api_token

START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def stores(tmp_path: Path) -> tuple[TokenStore, PrincipalStore, AuditLog, Clock]:
    clock = Clock()
    principals = PrincipalStore(tmp_path / "review.sqlite")
    add_reviewers(principals)
    return (TokenStore(tmp_path / "review.sqlite", clock=clock), principals,
            AuditLog(tmp_path / "audit.sqlite"), clock)


def test_a_token_acts_for_its_principal_until_it_expires(
    stores: tuple[TokenStore, PrincipalStore, AuditLog, Clock],
) -> None:
    tokens, principals, audit, clock = stores
    token, record = tokens.create(principals, "cleo", name="mail gateway", expires_days=30,
                                  by="root", audit=audit)
    assert is_api_token(token) and token.startswith(f"wft_{record.id}_")
    principal, found = tokens.authenticate(principals, token)
    assert (principal.name, principal.role) == ("cleo", "clerk")
    assert found == record and record.expires_at == (START + timedelta(days=30)).isoformat()
    other, _ = tokens.create(principals, "cleo", name="ci", expires_days=1, by="root",
                             audit=audit)
    assert other != token

    clock.now = START + timedelta(days=30)
    with pytest.raises(TokenError, match=f"API token {record.id} expired at"):
        tokens.authenticate(principals, token)
    stored = tokens.get(record.id)
    assert stored is not None and stored.state(clock.now) == "expired"


def test_revoked_forged_and_orphaned_tokens_are_refused(
    stores: tuple[TokenStore, PrincipalStore, AuditLog, Clock],
) -> None:
    tokens, principals, audit, _ = stores
    token, record = tokens.create(principals, "dan", name="erp sync", expires_days=90,
                                  by="root", audit=audit)
    kept, _ = tokens.create(principals, "carla", name="other", expires_days=90, by="root",
                            audit=audit)
    wft, ident, secret = token.split("_", 2)  # the secret may itself hold "_"
    forged = f"{wft}_{ident}_{'A' if secret[0] != 'A' else 'B'}{secret[1:]}"
    for bad in (forged, token[:-1], "wft_", "v1.x.y.z", token + "\n"):
        with pytest.raises(TokenError, match="unknown or invalid API token"):
            tokens.authenticate(principals, bad)

    assert tokens.revoke(record.id, by="root", audit=audit).revoked_by == "root"
    with pytest.raises(TokenError, match="was revoked"):
        tokens.authenticate(principals, token)
    # Revoking again changes nothing (and is audited once); other tokens still work.
    assert tokens.revoke(record.id, by="someone", audit=audit).revoked_by == "root"
    assert tokens.authenticate(principals, kept)[0].name == "carla"
    with pytest.raises(ReviewError, match="no API token 'nope'"):
        tokens.revoke("nope", by="root", audit=audit)

    principals.deactivate("carla")
    with pytest.raises(TokenError, match="carla is no longer an active principal"):
        tokens.authenticate(principals, kept)
    with pytest.raises(ReviewError, match="not an active principal"):
        tokens.create(principals, "carla", name="x", expires_days=1, by="root", audit=audit)
    with pytest.raises(ReviewError, match="not an active principal"):
        tokens.create(principals, "mallory", name="x", expires_days=1, by="root", audit=audit)
    with pytest.raises(ReviewError, match="--expires must be 1 to 3650 days"):
        tokens.create(principals, "dan", name="x", expires_days=0, by="root", audit=audit)


def test_tokens_are_hashed_at_rest_and_their_lifecycle_is_audited(
    stores: tuple[TokenStore, PrincipalStore, AuditLog, Clock], tmp_path: Path,
) -> None:
    tokens, principals, audit, _ = stores
    token, record = tokens.create(principals, "dan", name="erp sync", expires_days=90,
                                  by="root", audit=audit)
    tokens.revoke(record.id, by="root", audit=audit)
    tokens.close()
    principals.close()
    audit.close()
    stored = b"".join(f.read_bytes() for f in tmp_path.glob("*.sqlite*"))
    secret = token.split("_", 2)[2]  # wft_<id>_<secret>; the secret may itself hold "_"
    assert token.encode() not in stored and secret.encode() not in stored
    assert hashlib.sha256(token.encode()).hexdigest().encode() in stored
    assert record.id.encode() in stored

    log = AuditLog(tmp_path / "audit.sqlite")
    records = [(r.action, r.actor, r.payload) for r in log.records()]
    assert log.verify().ok
    log.close()
    assert records == [
        ("token.created", "user:root", {"token_id": record.id, "principal": "dan",
                                        "name": "erp sync", "expires_at": record.expires_at}),
        ("token.revoked", "user:root", {"token_id": record.id, "principal": "dan",
                                        "name": "erp sync"}),
    ]


@pytest.mark.slow
def test_the_cli_prints_a_token_once_lists_and_revokes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert wardflow_cli(home, "principals", "add", "mailbot", "--role", "clerk").returncode == 0
    created = wardflow_cli(home, "tokens", "create", "mailbot", "--name", "mail gateway",
                           "--expires", "7", "--as", "root")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert is_api_token(token) and "\n" not in token
    assert "shown only now" in created.stderr and token not in created.stderr

    listed = wardflow_cli(home, "tokens", "list", "--json")
    [row] = json.loads(listed.stdout)
    assert row["principal"] == "mailbot" and row["name"] == "mail gateway"
    assert row["state"] == "active" and row["created_by"] == "root"
    assert token not in listed.stdout and token.split("_", 2)[2] not in listed.stdout

    revoked = wardflow_cli(home, "tokens", "revoke", row["id"], "--as", "root")
    assert revoked.returncode == 0 and f"API token {row['id']}" in revoked.stdout
    assert json.loads(wardflow_cli(home, "tokens", "list", "--json").stdout)[0]["state"] == (
        "revoked")
    unknown = wardflow_cli(home, "tokens", "revoke", "0123456789ab")
    assert unknown.returncode == 4 and "no API token" in unknown.stderr
    nobody = wardflow_cli(home, "tokens", "create", "mallory")
    assert nobody.returncode == 4 and "not an active principal" in nobody.stderr
