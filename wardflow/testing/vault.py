"""What every :class:`~wardflow.guardrails.vault.Vault` backend must do.

Provide an ``open_vault`` fixture: a callable that opens the backend on one empty
store with the keyring it is given (``None``: values in clear), the same store at
every call (a second call is a second process or machine, or a restart).

The rules: one value has one token per scope, whoever asks and however many processes
race; scopes are independent; only the reveal roles get values back; with a keyring no
value is stored in clear; and re-encryption moves every value to the primary key
without changing a token.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator

import pytest

from wardflow._crypto import KEY_BYTES, Keyring
from wardflow.errors import GuardViolation
from wardflow.guardrails.vault import Vault

__all__ = ["OpenVault", "VaultConformance"]

OpenVault = Callable[[Keyring | None], Vault]
IBAN, OTHER_IBAN = "DE89370400440532013000", "DE44500105175407324931"


class VaultConformance:
    """Provide an ``open_vault`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_vault(self) -> OpenVault:
        raise NotImplementedError("provide an `open_vault` fixture")

    @pytest.fixture
    def vault(self, open_vault: OpenVault) -> Iterator[Vault]:
        vault = open_vault(None)
        yield vault
        vault.close()

    def test_is_an_empty_vault(self, vault: Vault) -> None:
        assert isinstance(vault, Vault)
        assert vault.key_counts() == {} and vault.clear_scopes() == []

    def test_a_value_has_one_token_per_scope(self, vault: Vault, open_vault: OpenVault
                                             ) -> None:
        text, mapping = vault.tokenize(f"pay {IBAN}, not {OTHER_IBAN}; again {IBAN}",
                                       scope="t1")
        assert text == "pay <IBAN_1>, not <IBAN_2>; again <IBAN_1>"
        assert mapping == {"<IBAN_1>": IBAN, "<IBAN_2>": OTHER_IBAN}
        assert vault.tokenize(f"IBAN {OTHER_IBAN}", scope="t2")[0] == "IBAN <IBAN_1>"
        other = open_vault(None)  # another process: the same tokens
        try:
            assert other.tokenize(f"{OTHER_IBAN} / {IBAN}", scope="t1")[0] == (
                "<IBAN_2> / <IBAN_1>")
            assert other.reveal("<IBAN_1> <IBAN_2>", scope="t2", role="erp") == (
                f"{OTHER_IBAN} <IBAN_2>")
        finally:
            other.close()

    def test_racing_processes_never_share_a_token(self, open_vault: OpenVault) -> None:
        vaults = [open_vault(None) for _ in range(4)]
        got: dict[int, dict[str, str]] = {}
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(vaults))

        def tokenize(n: int, vault: Vault) -> None:
            try:
                barrier.wait()
                got[n] = vault.tokenize(f"mail a{n}@example.com and shared@example.com",
                                        scope="t1")[1]
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=tokenize, args=(n, v)) for n, v in enumerate(vaults)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            by_value: dict[str, set[str]] = {}
            for mapping in got.values():
                for token, value in mapping.items():
                    by_value.setdefault(value, set()).add(token)
            assert all(len(tokens) == 1 for tokens in by_value.values())  # one per value
            tokens = [next(iter(t)) for t in by_value.values()]
            assert len(set(tokens)) == len(tokens) == 5  # and never two values per token
            everything = " ".join(tokens)
            assert sorted(vaults[0].reveal(everything, scope="t1", role="admin").split()) == (
                sorted(by_value))
        finally:
            for vault in vaults:
                vault.close()

    def test_only_the_reveal_roles_see_values(self, vault: Vault) -> None:
        text, _ = vault.tokenize(f"pay {IBAN}", scope="t1")
        assert vault.reveal(text, scope="t1", role="approver") == f"pay {IBAN}"
        assert vault.reveal_data({"a": [text]}, scope="t1", role="erp") == {"a": [f"pay {IBAN}"]}
        with pytest.raises(GuardViolation):
            vault.reveal(text, scope="t1", role="clerk")
        assert vault.reveal(text, scope="other", role="admin") == text  # not this scope's

    def test_with_a_key_nothing_is_stored_in_clear(self, open_vault: OpenVault) -> None:
        keyring = Keyring(os.urandom(KEY_BYTES))
        vault = open_vault(keyring)
        try:
            text, _ = vault.tokenize(f"pay {IBAN}, mail ap@example.com", scope="t1")
            assert vault.key_counts() == {keyring.primary_id: 2}
            assert vault.clear_scopes() == []
            assert vault.reveal(text, scope="t1", role="auditor") == (
                f"pay {IBAN}, mail ap@example.com")
        finally:
            vault.close()

    def test_reencryption_moves_values_to_the_primary_key(self, open_vault: OpenVault
                                                          ) -> None:
        clear = open_vault(None)
        clear.tokenize(f"pay {IBAN}", scope="t1")
        clear.close()
        old = Keyring(os.urandom(KEY_BYTES))
        vault = open_vault(old)
        try:
            assert vault.clear_scopes() == ["t1"]
            assert vault.reencrypt(only_clear=True) == 1
            vault.tokenize(f"pay {OTHER_IBAN}", scope="t2")
            assert vault.key_counts() == {old.primary_id: 2}
        finally:
            vault.close()
        new = Keyring(os.urandom(KEY_BYTES), (old.primary,))
        rotated = open_vault(new)
        try:
            assert rotated.reencrypt(batch=1) == 2
            assert rotated.reencrypt() == 0  # done: nothing left under the old key
            assert rotated.key_counts() == {new.primary_id: 2}
            assert rotated.reveal("<IBAN_1>", scope="t2", role="admin") == OTHER_IBAN
            assert rotated.tokenize(f"{IBAN}!", scope="t1")[0] == "<IBAN_1>!"
        finally:
            rotated.close()

    def test_forget_deletes_a_scope_and_nothing_else(self, vault: Vault) -> None:
        vault.tokenize(f"pay {IBAN}", scope="t1")
        vault.tokenize(f"pay {OTHER_IBAN}", scope="t2")
        assert vault.forget(["t1", "t9"]) == 1
        # The scope starts again from nothing (its cached tokens went too).
        assert vault.reveal("<IBAN_1>", scope="t1", role="erp") == "<IBAN_1>"
        assert vault.reveal("<IBAN_1>", scope="t2", role="erp") == OTHER_IBAN
        assert vault.forget(["t1"]) == 0 and vault.forget([]) == 0
