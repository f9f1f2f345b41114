"""Encryption at rest: checkpoints and the token vault sealed with AES-GCM, a clear
error for a missing or wrong key, clear data refused while a key is set (but for
``wardflow keys encrypt``), and ``wardflow keys rotate`` (real SQLite files)."""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES, INBOX, add_reviewers, wardflow_cli
from wardflow._crypto import AesGcmCipher, Keyring, generate_key, key_id
from wardflow.config import Settings
from wardflow.errors import ConfigError, UnencryptedData
from wardflow.guardrails.vault import TokenVault
from wardflow.observability.audit import AuditLog
from wardflow.operations.rekey import key_report, rotate_keys

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
EMAIL_DOC = "2026-11-02_billing-datenhafen-hosting.eml"
KEY_A, KEY_B, KEY_C = generate_key(), generate_key(), generate_key()


def _settings(home: Path, key: str | None = None, *old: str) -> Settings:
    return Settings(
        home=home, model="none", max_invoice_age_days=36500,
        encryption_key=SecretStr(key) if key else None,
        encryption_keys_old=SecretStr(",".join(old)) if old else None,
    )


def _process(settings: Settings, clock: Callable[[], datetime], *names: str) -> list[Any]:
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    seeded = settings.erp_path.exists()
    with Workspace(settings, clock=clock) as ws:
        if not seeded:
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
            add_reviewers(ws.principals)
        return list(ws.process([INBOX / name for name in names]))


def _approve(ws: Any, thread_id: str) -> Any:
    from wardflow.review.payloads import ReviewDecision

    request = ws.pending(thread_id)
    return ws.resume(thread_id, ReviewDecision(decision="approve", by="dan",
                                               comment="checked with the vendor",
                                               args_hash=request.proposed_action.args_hash))


def _stored_bytes(home: Path, stem: str) -> bytes:
    """The database file and its WAL, as on disk."""
    return b"".join(p.read_bytes() for p in sorted(home.glob(f"{stem}.sqlite*")))


def _vault_values(settings: Settings) -> list[str]:
    vault = TokenVault(settings.vault_path, keyring=Keyring.from_settings(settings))
    try:
        rows = vault._conn.execute("SELECT scope, kind, value, token FROM vault_tokens").fetchall()
        return [vault._open(value, scope, kind, token) for scope, kind, value, token in rows]
    finally:
        vault.close()


@pytest.mark.slow
def test_checkpoints_and_vault_hold_no_document_data_when_encrypted(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    clear = _settings(tmp_path / "clear")
    sealed = _settings(tmp_path / "sealed", KEY_A)
    for settings in (clear, sealed):
        runs = _process(settings, clock, CLEAN, EMAIL_DOC)
        assert [r.status for r in runs] == ["posted", "posted"]

    # The control: without a key the invoice number and the personal data are on disk.
    assert b"NLS-INV-2026-0412" in _stored_bytes(clear.home, "checkpoints")
    values = _vault_values(clear)
    assert values and all(v.encode() in _stored_bytes(clear.home, "vault") for v in values)
    # With a key neither is, and every blob names the key that sealed it.
    assert b"NLS-INV-2026-0412" not in _stored_bytes(sealed.home, "checkpoints")
    assert b"Nordlicht" not in _stored_bytes(sealed.home, "checkpoints")
    sealed_values = _vault_values(sealed)
    assert sorted(sealed_values) == sorted(values)
    assert not any(v.encode() in _stored_bytes(sealed.home, "vault") for v in sealed_values)
    report = key_report(sealed)
    assert report.encrypted and report.key_id == key_id(base64.b64decode(KEY_A))
    assert set(report.checkpoint_blobs) == {report.key_id}
    assert set(report.vault_values) == {report.key_id}
    assert set(key_report(clear).checkpoint_blobs) == {"clear"}


def test_a_paused_run_resumes_with_the_key_and_state_reads_back(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    from wardflow.runtime.workspace import Workspace

    settings = _settings(tmp_path / "home", KEY_A)
    [run] = _process(settings, clock, OVER_LIMIT)
    assert run.status == "awaiting_review"
    # A new Workspace: another connection, as another process would open it.
    with Workspace(settings, clock=clock) as ws:
        [again] = ws.status(run.thread_id)
        assert again.reasons == ["over_approval_limit"]
        done = _approve(ws, run.thread_id)
        assert done.status == "posted"
        [posting] = ws.erp.postings()
        assert posting.invoice_number == "HM-2026-0077"


@pytest.mark.parametrize("key", [None, KEY_B], ids=["no-key", "wrong-key"])
def test_encrypted_data_without_its_key_is_a_clear_error(
    tmp_path: Path, clock: Callable[[], datetime], key: str | None
) -> None:
    from wardflow.runtime.workspace import Workspace

    home = tmp_path / "home"
    [run] = _process(_settings(home, KEY_A), clock, OVER_LIMIT)
    kid = key_id(base64.b64decode(KEY_A))
    with Workspace(_settings(home, key), clock=clock) as ws:
        with pytest.raises(ConfigError, match=f"encrypted with key {kid}"):
            ws.status(run.thread_id)
    vault = TokenVault(home / "vault.sqlite", keyring=Keyring.from_settings(_settings(home, key)))
    try:
        with pytest.raises(ConfigError, match=f"encrypted with key {kid}"):
            vault.reveal("<EMAIL_1>", scope=run.thread_id, role="admin")
    finally:
        vault.close()


def test_a_tampered_blob_fails_authentication(tmp_path: Path) -> None:
    keyring = Keyring.from_settings(_settings(tmp_path, KEY_A))
    assert keyring is not None
    vault = TokenVault(tmp_path / "vault.sqlite", keyring=keyring)
    try:
        vault.tokenize("pay DE89370400440532013000 or mail ap@example.com", scope="t1")
        vault.tokenize("pay DE44500105175407324931", scope="t2")
        # Copy t2's sealed IBAN over t1's: bound to its row, it does not open there.
        vault._conn.execute(
            "UPDATE vault_tokens SET value = (SELECT value FROM vault_tokens WHERE scope = 't2')"
            " WHERE scope = 't1' AND kind = 'IBAN'")
        fresh = TokenVault(tmp_path / "vault.sqlite", keyring=keyring)
        with pytest.raises(ConfigError, match="failed authentication"):
            fresh.reveal("<IBAN_1>", scope="t1", role="admin")
        fresh.close()
    finally:
        vault.close()


def test_rotation_moves_everything_to_the_new_key_and_is_resumable(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    home = tmp_path / "home"
    # Data under three keys and in clear: clear, then A, then C (a key nobody kept
    # in the first rotation attempt).
    _process(_settings(home), clock, CLEAN)
    _process(_settings(home, KEY_A), clock, EMAIL_DOC)
    [paused] = _process(_settings(home, KEY_C), clock, OVER_LIMIT)
    before = key_report(_settings(home, KEY_A))
    assert {"clear", key_id(base64.b64decode(KEY_A)), key_id(base64.b64decode(KEY_C))} <= set(
        before.checkpoint_blobs)
    total = sum(before.checkpoint_blobs.values())

    with pytest.raises(ConfigError, match=f"encrypted with key {key_id(base64.b64decode(KEY_C))}"):
        rotate_keys(_settings(home, KEY_B, KEY_A), batch=7)
    kid_b = key_id(base64.b64decode(KEY_B))
    partial = key_report(_settings(home, KEY_B)).checkpoint_blobs
    assert 0 < partial.get(kid_b, 0) < total  # the batches before the failure stayed done

    report = rotate_keys(_settings(home, KEY_B, KEY_A, KEY_C), actor="ops", batch=7)
    assert report.checkpoint_blobs == total - partial[kid_b]
    assert report.vault_values > 0
    after = key_report(_settings(home, KEY_B))
    assert after.checkpoint_blobs == {kid_b: total}
    assert set(after.vault_values) == {kid_b}
    again = rotate_keys(_settings(home, KEY_B, KEY_A, KEY_C))
    assert (again.checkpoint_blobs, again.vault_values) == (0, 0)

    # The old keys dropped: everything still reads, the paused run still resumes.
    from wardflow.runtime.workspace import Workspace

    with Workspace(_settings(home, KEY_B), clock=clock) as ws:
        assert {r.status for r in ws.status()} == {"posted", "awaiting_review"}
        done = _approve(ws, paused.thread_id)
        assert done.status == "posted"
    audit = AuditLog(home / "audit.sqlite")
    try:
        rotations = [r for r in audit.records() if r.action == "keys.rotated"]
    finally:
        audit.close()
    assert [r.actor for r in rotations] == ["ops", "wardflow"]
    assert rotations[0].payload["key_id"] == kid_b
    assert sorted(rotations[0].payload["old_key_ids"]) == sorted(
        key_id(base64.b64decode(k)) for k in (KEY_A, KEY_C))
    assert KEY_B not in json.dumps([asdict(r) for r in rotations], default=str)


def test_rotation_needs_a_key_and_old_keys_need_a_new_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WARDFLOW_ENCRYPTION_KEY"):
        rotate_keys(_settings(tmp_path))
    with pytest.raises(ConfigError, match="KEYS_OLD is set but"):
        Keyring.from_settings(Settings(home=tmp_path, encryption_keys_old=SecretStr(KEY_A)))
    with pytest.raises(ConfigError, match="base64 of 32 bytes") as bad:
        Keyring.from_settings(_settings(tmp_path, base64.b64encode(b"short").decode()))
    assert "c2hvcnQ" not in str(bad.value)


def test_keyring_and_settings_never_show_key_bytes(tmp_path: Path) -> None:
    settings = _settings(tmp_path, KEY_A, KEY_C)
    keyring = Keyring.from_settings(settings)
    shown = " ".join([repr(keyring), str(keyring), repr(settings), settings.model_dump_json()])
    for key in (KEY_A, KEY_C):
        assert key not in shown
        assert base64.b64decode(key).hex() not in shown
    assert key_id(base64.b64decode(KEY_A)) in repr(keyring)


def test_clear_checkpoints_are_refused_with_a_key_until_keys_encrypt_seals_them(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    from wardflow.runtime.workspace import Workspace

    home = tmp_path / "home"
    [run] = _process(_settings(home), clock, OVER_LIMIT)
    keyed = _settings(home, KEY_A)
    # With a key, data in clear is refused (it may have been written without the
    # key), naming the thread and checkpoint and what to do.
    with Workspace(keyed, clock=clock) as ws:
        with pytest.raises(UnencryptedData, match="keys encrypt") as refused:
            ws.status(run.thread_id)
    assert refused.value.thread_id == run.thread_id and refused.value.checkpoint_id
    # `wardflow keys status` reports it: how many, and which threads.
    status = wardflow_cli(home, "keys", "status", "--json", WARDFLOW_ENCRYPTION_KEY=KEY_A)
    report = json.loads(status.stdout)
    assert report["checkpoint_blobs"]["clear"] > 0
    assert report["clear_checkpoint_threads"] == [run.thread_id]
    assert report["clear_vault_threads"] == [run.thread_id]
    shown = wardflow_cli(home, "keys", "status", WARDFLOW_ENCRYPTION_KEY=KEY_A)
    assert "stored in clear" in shown.stderr and run.thread_id in shown.stderr

    # The one explicit migration seals them, audited; then the run reads and resumes.
    encrypted = wardflow_cli(home, "keys", "encrypt", "--json", WARDFLOW_ENCRYPTION_KEY=KEY_A)
    assert encrypted.returncode == 0, encrypted.stderr
    assert json.loads(encrypted.stdout)["checkpoint_blobs"] == report["checkpoint_blobs"]["clear"]
    after = key_report(keyed)
    assert "clear" not in after.checkpoint_blobs and "clear" not in after.vault_values
    assert after.clear_checkpoint_threads == [] and after.clear_vault_threads == []
    with Workspace(keyed, clock=clock) as ws:
        assert ws.status(run.thread_id)[0].status == "awaiting_review"
        assert _approve(ws, run.thread_id).status == "posted"
    audit = AuditLog(home / "audit.sqlite")
    try:
        [record] = [r for r in audit.records() if r.action == "keys.encrypted"]
    finally:
        audit.close()
    assert record.payload["checkpoint_blobs"] == report["checkpoint_blobs"]["clear"]


def test_a_clear_checkpoint_slipped_into_an_encrypted_home_is_refused(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    """Someone who can write the data home but has no key rewrites a paused run's
    latest checkpoint in clear, with the approval limit's reason taken out."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from wardflow.runtime.workspace import Workspace

    home = tmp_path / "home"
    settings = _settings(home, KEY_A)
    [run] = _process(settings, clock, OVER_LIMIT)
    keyring = Keyring.from_settings(settings)
    assert keyring is not None
    conn = sqlite3.connect(home / "checkpoints.sqlite")
    try:
        rowid, typ, blob = conn.execute(
            "SELECT rowid, type, checkpoint FROM checkpoints WHERE thread_id = ?"
            " ORDER BY checkpoint_id DESC LIMIT 1", (run.thread_id,)).fetchone()
        # (The test has the key to build a well-formed forgery; the attacker would
        # have written any msgpack checkpoint of their choosing.)
        base, _, cipher = typ.partition("+")
        serde = JsonPlusSerializer()
        checkpoint = serde.loads_typed(
            (base, AesGcmCipher(keyring).decrypt(cipher, blob)))
        assert checkpoint["channel_values"]["decision"]["reasons"]  # over the limit
        checkpoint["channel_values"]["decision"]["reasons"] = []
        forged_type, forged = serde.dumps_typed(checkpoint)
        conn.execute("UPDATE checkpoints SET type = ?, checkpoint = ? WHERE rowid = ?",
                     (forged_type, forged, rowid))
        conn.commit()
        checkpoint_id = conn.execute("SELECT checkpoint_id FROM checkpoints WHERE rowid = ?",
                                     (rowid,)).fetchone()[0]
    finally:
        conn.close()
    assert "+" not in forged_type
    with Workspace(settings, clock=clock) as ws:
        with pytest.raises(UnencryptedData) as refused:
            ws.status(run.thread_id)
        with pytest.raises(UnencryptedData):
            _approve(ws, run.thread_id)
    assert (refused.value.thread_id, refused.value.checkpoint_id) == (run.thread_id,
                                                                       checkpoint_id)
    assert key_report(settings).clear_checkpoint_threads == [run.thread_id]


def test_a_clear_vault_value_is_refused_with_a_key(tmp_path: Path) -> None:
    """A clear IBAN written over a sealed one would be revealed to the ERP and the
    reviewers as the vendor's account: with a key it is refused instead."""
    settings = _settings(tmp_path, KEY_A)
    keyring = Keyring.from_settings(settings)
    vault = TokenVault(tmp_path / "vault.sqlite", keyring=keyring)
    try:
        vault.tokenize("pay DE89370400440532013000", scope="t1")
        vault._conn.execute("UPDATE vault_tokens SET value = 'GB33BUKB20201555555555'"
                            " WHERE scope = 't1' AND kind = 'IBAN'")
    finally:
        vault.close()
    fresh = TokenVault(tmp_path / "vault.sqlite", keyring=keyring)
    try:
        with pytest.raises(UnencryptedData, match="thread 't1'"):
            fresh.reveal("<IBAN_1>", scope="t1", role="erp")
        assert fresh.clear_scopes() == ["t1"]
        # Only the explicit migration reads it (for data from before the key).
        assert fresh.reencrypt(only_clear=True) == 1
    finally:
        fresh.close()
    again = TokenVault(tmp_path / "vault.sqlite", keyring=keyring)
    try:
        assert again.reveal("<IBAN_1>", scope="t1", role="erp") == "GB33BUKB20201555555555"
    finally:
        again.close()
