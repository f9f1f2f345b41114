"""Encryption at rest on the Postgres checkpointer (a real server, tests/postgres/):
no document data in any table, the plain values langgraph-checkpoint-postgres would
inline sealed into blobs too, runs resume with the key, and rotation."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES, INBOX, add_reviewers
from wardflow._crypto import generate_key, key_id
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.operations.rekey import key_report, rotate_keys

pytestmark = pytest.mark.slow

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
KEY_A, KEY_B = generate_key(), generate_key()


def _settings(home: Path, url: str, key: str | None = None, *old: str) -> Settings:
    return Settings(home=home, model="none", max_invoice_age_days=36500, checkpointer=url,
                    encryption_key=SecretStr(key) if key else None,
                    encryption_keys_old=SecretStr(",".join(old)) if old else None)


def _process(settings: Settings, clock: Callable[[], datetime], *names: str) -> list[Any]:
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    seeded = settings.erp_path.exists()
    with Workspace(settings, clock=clock) as ws:
        if not seeded:
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
            add_reviewers(ws.principals)
        return list(ws.process([INBOX / name for name in names]))


def _dump(url: str) -> bytes:
    """Every checkpoint table, as text and bytes."""
    out = []
    with psycopg.connect(url) as conn:
        for (text,) in conn.execute("SELECT checkpoint::text || metadata::text FROM checkpoints"):
            out.append(text.encode())
        for table in ("checkpoint_blobs", "checkpoint_writes"):
            for (blob,) in conn.execute(f"SELECT blob FROM {table} WHERE blob IS NOT NULL"):
                out.append(bytes(blob))
    return b"\n".join(out)


def test_postgres_checkpoints_hold_no_document_data_and_rotate(
    tmp_path: Path, postgres_server: Any, clock: Callable[[], datetime]
) -> None:
    from wardflow.runtime.workspace import Workspace

    clear_url = str(postgres_server.create_database("t_sealed_pg_clear"))
    url = str(postgres_server.create_database("t_sealed_pg_key"))
    _process(_settings(tmp_path / "clear", clear_url), clock, CLEAN)
    # The control: without a key the invoice text sits inline in the checkpoints table.
    assert b"NLS-INV-2026-0412" in _dump(clear_url)
    assert key_report(_settings(tmp_path / "clear", clear_url)).checkpoint_blobs == {
        "clear": key_report(_settings(tmp_path / "clear", clear_url)).checkpoint_blobs["clear"]}

    home = tmp_path / "home"
    runs = _process(_settings(home, url, KEY_A), clock, CLEAN, OVER_LIMIT)
    assert [r.status for r in runs] == ["posted", "awaiting_review"]
    assert b"NLS-INV-2026-0412" not in _dump(url) and b"HM-2026-0077" not in _dump(url)
    kid_a, kid_b = (key_id(base64.b64decode(k)) for k in (KEY_A, KEY_B))
    assert set(key_report(_settings(home, url, KEY_A)).checkpoint_blobs) == {kid_a}

    with Workspace(_settings(home, url, KEY_B), clock=clock) as ws:
        with pytest.raises(ConfigError, match=f"encrypted with key {kid_a}"):
            ws.status(runs[1].thread_id)
    report = rotate_keys(_settings(home, url, KEY_B, KEY_A), batch=50)
    assert report.checkpoint_blobs > 0
    assert set(key_report(_settings(home, url, KEY_B)).checkpoint_blobs) == {kid_b}
    assert rotate_keys(_settings(home, url, KEY_B, KEY_A)).checkpoint_blobs == 0
    with Workspace(_settings(home, url, KEY_B), clock=clock) as ws:
        request = ws.pending(runs[1].thread_id)
        from wardflow.review.payloads import ReviewDecision

        done = ws.resume(runs[1].thread_id, ReviewDecision(
            decision="approve", by="dan", args_hash=request.proposed_action.args_hash,
            comment="over the limit; the order was confirmed by the budget owner"))
        assert done.status == "posted"
        assert sorted(p.invoice_number for p in ws.erp.postings()) == [
            "HM-2026-0077", "NLS-INV-2026-0412"]
    assert b"HM-2026-0077" not in _dump(url)


def test_postgres_clear_data_is_refused_with_a_key_until_keys_encrypt(
    tmp_path: Path, postgres_server: Any, clock: Callable[[], datetime]
) -> None:
    from wardflow.errors import UnencryptedData
    from wardflow.operations.rekey import encrypt_clear
    from wardflow.runtime.workspace import Workspace

    url = str(postgres_server.create_database("t_sealed_pg_clear_refused"))
    home = tmp_path / "home"
    [run] = _process(_settings(home, url), clock, OVER_LIMIT)  # before the key
    keyed = _settings(home, url, KEY_A)
    with Workspace(keyed, clock=clock) as ws:
        with pytest.raises(UnencryptedData, match="keys encrypt") as refused:
            ws.status(run.thread_id)
    assert refused.value.thread_id == run.thread_id and refused.value.checkpoint_id
    report = key_report(keyed)
    assert report.checkpoint_blobs["clear"] > 0
    assert report.clear_checkpoint_threads == [run.thread_id]

    # The migration seals the blobs and moves the inline values into sealed blobs.
    done = encrypt_clear(keyed, actor="ops")
    assert done.checkpoint_blobs > 0
    after = key_report(keyed)
    assert set(after.checkpoint_blobs) == {key_id(base64.b64decode(KEY_A))}
    assert after.clear_checkpoint_threads == []
    assert b"HM-2026-0077" not in _dump(url)
    with Workspace(keyed, clock=clock) as ws:
        assert ws.status(run.thread_id)[0].reasons == ["over_approval_limit"]

    # Someone without the key writes a plain value inline into the latest checkpoint
    # (inline values are read before the blobs of channels that have none): refused.
    with psycopg.connect(url, autocommit=True) as conn:
        checkpoint_id = conn.execute(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = ''"
            " ORDER BY checkpoint_id DESC LIMIT 1", (run.thread_id,)).fetchone()[0]
        conn.execute(
            "UPDATE checkpoints SET checkpoint = jsonb_set(checkpoint,"
            " '{channel_values,submitted_by}', '\"dan\"') WHERE thread_id = %s"
            " AND checkpoint_id = %s", (run.thread_id, checkpoint_id))
    with Workspace(keyed, clock=clock) as ws:
        with pytest.raises(UnencryptedData) as forged:
            ws.status(run.thread_id)
    assert (forged.value.thread_id, forged.value.checkpoint_id) == (run.thread_id,
                                                                     checkpoint_id)
    assert key_report(keyed).clear_checkpoint_threads == [run.thread_id]
