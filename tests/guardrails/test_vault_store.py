"""The Vault conformance suite on SQLite and Postgres, on broken vaults (it must fail),
and the vault at ``WARDFLOW_DATABASE_URL``: ciphertext only in the database, shared by
two data homes, rotated by ``wardflow keys rotate``."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from tests.conformance import run_rule
from wardflow._crypto import KEY_BYTES, Keyring, generate_key
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.guardrails.vault import PostgresTokenVault, TokenVault
from wardflow.operations.rekey import key_report, rotate_keys
from wardflow.services import build_services, open_vault
from wardflow.testing.vault import IBAN, OpenVault, VaultConformance


class TestVault(VaultConformance):
    @pytest.fixture(params=["sqlite", "postgres"])
    def open_vault(self, request: pytest.FixtureRequest, tmp_path: Path) -> OpenVault:
        if request.param == "sqlite":
            return lambda keyring: TokenVault(tmp_path / "vault.sqlite", keyring=keyring)
        url = str(request.getfixturevalue("postgres_url"))
        return lambda keyring: PostgresTokenVault(url, keyring=keyring)


# Each vault below breaks one rule; the suite's test for that rule must catch it. ------
class _NumbersWithoutTheLock(TokenVault):
    """Counts a scope's tokens outside the write transaction (two processes can hand
    out the same number). Every caller of the race test reads before any of them
    writes (``_all_read``): the interleaving the race may or may not hit on its own is
    forced, so the suite must catch this vault on every run, not on a lucky one."""

    _all_read = threading.Barrier(4, timeout=5)  # the race test's four vaults

    def _tokens(self, scope: str, values: list[tuple[str, str]]) -> list[str]:
        rows = self._conn.execute("SELECT kind, token, value FROM vault_tokens"
                                  " WHERE scope = ?", (scope,)).fetchall()
        try:
            self._all_read.wait()
        except threading.BrokenBarrierError:  # a lone call: nobody to race with
            self._all_read.reset()
        have = {(kind, value): token for kind, token, value in rows}
        counts: dict[str, int] = {}
        for kind, _value in have:
            counts[kind] = counts.get(kind, 0) + 1
        out = []
        for kind, value in values:
            if (kind, value) not in have:
                counts[kind] = counts.get(kind, 0) + 1
                have[(kind, value)] = f"<{kind}_{counts[kind]}>"
                self._conn.execute("INSERT OR IGNORE INTO vault_tokens VALUES (?,?,?,?,0)",
                                   (scope, kind, value, have[(kind, value)]))
            out.append(have[(kind, value)])
        return out


class _KeepsClearValues(TokenVault):
    def _seal(self, value: str, scope: str, kind: str, token: str) -> str:
        return value


def _run(rule: str, open_vault: OpenVault) -> None:
    """Run one of the suite's tests with its fixtures, as pytest would."""
    run_rule(VaultConformance(), rule, {"open_vault": open_vault},
             {"vault": lambda: open_vault(None)})


@pytest.mark.parametrize(("broken", "rule"), [
    (_NumbersWithoutTheLock, "test_racing_processes_never_share_a_token"),
    (_KeepsClearValues, "test_with_a_key_nothing_is_stored_in_clear"),
])
def test_the_suite_fails_a_vault_that_breaks_a_rule(
    broken: type[TokenVault], rule: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.sqlite", tmp_path / "bad.sqlite"
    _run(rule, lambda keyring: TokenVault(good, keyring=keyring))
    with pytest.raises(AssertionError):
        _run(rule, lambda keyring: broken(bad, keyring=keyring))


# The vault at database_url -------------------------------------------------------------
def _settings(home: Path, url: str, key: str, *old: str) -> Settings:
    return Settings(home=home, model="none", database_url=SecretStr(url),
                    encryption_key=SecretStr(key),
                    encryption_keys_old=SecretStr(",".join(old)) if old else None)


def test_the_vault_at_database_url_is_shared_and_sealed(tmp_path: Path, postgres_url: str
                                                        ) -> None:
    key_a, key_b = generate_key(), generate_key()
    first = _settings(tmp_path / "a", postgres_url, key_a)
    with build_services(first) as services:
        assert isinstance(services.vault, PostgresTokenVault)
        text, _ = services.guards.vault.tokenize(f"pay {IBAN} to ap@example.com", scope="t1")
    assert text == "pay <IBAN_1> to <EMAIL_1>"
    assert not (tmp_path / "a" / "vault.sqlite").exists()
    with psycopg.connect(postgres_url) as conn:
        stored = [row[0] for row in conn.execute("SELECT value FROM vault_tokens")]
    assert len(stored) == 2 and not any(IBAN in v or "example.com" in v for v in stored)

    second = _settings(tmp_path / "b", postgres_url, key_b, key_a)  # another machine
    old, new = Keyring.from_settings(first), Keyring.from_settings(second)
    assert old is not None and new is not None
    assert key_report(second).vault_values == {old.primary_id: 2}
    report = rotate_keys(second)
    assert report.vault_values == 2
    vault = open_vault(second)
    try:
        assert vault.key_counts() == {new.primary_id: 2}
        assert vault.reveal(text, scope="t1", role="controller") == (
            f"pay {IBAN} to ap@example.com")
    finally:
        vault.close()


def test_a_wrong_key_reads_nothing_from_the_database(postgres_url: str) -> None:
    vault = PostgresTokenVault(postgres_url, keyring=Keyring(os.urandom(KEY_BYTES)))
    vault.tokenize(f"pay {IBAN}", scope="t1")
    vault.close()
    stranger = PostgresTokenVault(postgres_url, keyring=Keyring(os.urandom(KEY_BYTES)))
    try:
        with pytest.raises(ConfigError, match="failed authentication|encrypted with key"):
            stranger.reveal("<IBAN_1>", scope="t1", role="admin")
    finally:
        stranger.close()
