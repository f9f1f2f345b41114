"""GDPR erasure: a data subject's runs, documents and vault tokens go, the audit records
are redacted, and the hash chain still verifies (through the real `wardflow` command)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.agents.test_policy_packs import _pdf
from tests.conftest import INBOX, wardflow_cli
from wardflow.errors import ConfigError
from wardflow.observability.audit import AuditLog
from wardflow.operations.erasure import erase_expired, erase_subject
from wardflow.runtime.workspace import Workspace
from wardflow.tools.documents import read_document

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
SUBJECT = "jane.doe@example.com"


@pytest.fixture
def with_subject(tmp_path: Path) -> Path:
    """The clean invoice, renumbered, naming a contact person."""
    text = read_document((INBOX / CLEAN).read_bytes(), CLEAN).text
    text = text.replace("NLS-INV-2026-0412", "NLS-INV-2026-0414")
    return _pdf(tmp_path / "jane.pdf", f"{text}\nYour contact: Jane Doe, {SUBJECT}")


def _vault_rows(ws: Workspace, thread: str) -> int:
    with sqlite3.connect(ws.settings.vault_path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM vault_tokens WHERE scope = ?",
                                (thread,)).fetchone()[0])


def test_erasure_removes_the_subject_and_keeps_the_audit_chain_valid(
    workspace: Workspace, with_subject: Path
) -> None:
    [jane] = list(workspace.process([with_subject]))
    [other] = list(workspace.process([INBOX / OVER_LIMIT]))
    assert jane.status == "posted"
    values = workspace.state(jane.thread_id).values
    archived = values["archive_key"]
    assert SUBJECT in values["text"] and _vault_rows(workspace, jane.thread_id) > 0
    before = len(list(workspace.audit.records(jane.thread_id)))
    assert any("@" in str(r.payload) for r in workspace.audit.records(jane.thread_id))

    preview = erase_subject(workspace, SUBJECT, by="dpo", dry_run=True)
    assert preview.threads == [jane.thread_id] and preview.storage_keys
    assert jane.thread_id in workspace.threads() and _vault_rows(workspace, jane.thread_id) > 0
    assert not any(r.action in ("audit.redaction", "gdpr.erasure")
                   for r in workspace.audit.records())

    home = workspace.settings.home
    erased = wardflow_cli(home, "gdpr", "erase", SUBJECT, "--as", "dpo", "--reason", "ticket 42")
    assert erased.returncode == 0, erased.stderr
    assert f"erased 1 run(s): {jane.thread_id}" in erased.stdout
    assert "kept (accounting records" in erased.stdout
    verified = wardflow_cli(home, "audit", "verify")
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout

    # The run, its document and its tokens are gone; the posting stays.
    assert jane.thread_id not in workspace.threads()
    assert not workspace.storage.exists(archived) and not workspace.storage.list("archive")
    assert _vault_rows(workspace, jane.thread_id) == 0
    assert any(p.invoice_number == "NLS-INV-2026-0414" for p in workspace.erp.postings())
    # Its audit records are all still there, redacted: no email, no subject.
    records = list(workspace.audit.records(jane.thread_id))
    assert len(records) == before
    assert all(SUBJECT not in str(r.payload) and "@" not in str(r.payload) for r in records)
    assert any("_redacted" in r.payload for r in records)
    [note] = [r for r in workspace.audit.records() if r.action == "gdpr.erasure"]
    assert note.actor == "user:dpo" and SUBJECT not in str(note.payload)
    assert note.payload["reason"] == "ticket 42"
    # Another data subject's run is untouched.
    assert other.thread_id in workspace.threads()
    assert not any("_redacted" in r.payload for r in workspace.audit.records(other.thread_id))
    # Erasing again finds nothing and still verifies.
    again = erase_subject(workspace, SUBJECT, by="dpo")
    assert again.threads == [] and workspace.audit.verify().ok


def test_tampering_with_redacted_records_is_still_caught(
    workspace: Workspace, with_subject: Path
) -> None:
    [jane] = list(workspace.process([with_subject]))
    erase_subject(workspace, SUBJECT, by="dpo")
    path = workspace.settings.audit_path
    redacted = next(r for r in workspace.audit.records(jane.thread_id) if "_redacted" in r.payload)
    # The trigger allows only a redaction-shaped payload update, and never other columns.
    with sqlite3.connect(path) as conn, pytest.raises(sqlite3.IntegrityError,
                                                      match="append-only"):
        conn.execute("UPDATE audit SET actor = 'x' WHERE seq = ?", (redacted.seq,))
    with sqlite3.connect(path) as conn:
        conn.execute("""UPDATE audit SET payload = '{"_redacted":{},"kept":{"forged":1}}'"""
                     " WHERE seq = ?", (redacted.seq,))
    report = AuditLog(path).verify()
    assert not report.ok and report.first_bad_seq == redacted.seq


def test_a_record_redacted_without_a_redaction_record_fails_verification(
    workspace: Workspace
) -> None:
    list(workspace.process([INBOX / CLEAN]))
    with sqlite3.connect(workspace.settings.audit_path) as conn:
        conn.execute("""UPDATE audit SET payload = '{"_redacted":{},"kept":{}}' WHERE seq = 2""")
    report = workspace.audit.verify()
    assert not report.ok and report.first_bad_seq == 2
    assert "without a matching redaction record" in report.reason


def test_logs_made_before_redaction_existed_are_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "audit.sqlite"
    with sqlite3.connect(path) as conn:  # the trigger as older versions created it
        conn.executescript("""
            CREATE TABLE audit (seq INTEGER PRIMARY KEY, record_key TEXT UNIQUE, ts TEXT NOT NULL,
              actor TEXT NOT NULL, action TEXT NOT NULL, thread_id TEXT, checkpoint_id TEXT,
              trace_id TEXT, payload_digest TEXT NOT NULL, payload TEXT NOT NULL,
              prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""")
    log = AuditLog(path)
    record = log.append("node.test", {"email": SUBJECT}, thread_id="t")
    assert record is not None
    log.redact({record.seq: {"email": "[erased]"}}, reason="test", actor="user:dpo")
    assert log.verify().ok and log.verify().records == 2
    [kept] = list(log.records("t"))
    assert kept.payload["kept"] == {"email": "[erased]"}


def test_subject_must_be_specific(workspace: Workspace) -> None:
    with pytest.raises(ConfigError, match="at least 3 characters"):
        erase_subject(workspace, " a ", by="dpo")


def test_runs_past_their_retention_are_erased(workspace: Workspace, with_subject: Path) -> None:
    from datetime import UTC, datetime, timedelta

    [done] = list(workspace.process([with_subject]))
    [waiting] = list(workspace.process([INBOX / OVER_LIMIT]))
    assert done.status == "posted" and waiting.status == "awaiting_review"
    assert erase_expired(workspace, by="dpo").threads == []  # nothing is that old yet
    later = datetime.now(UTC) + timedelta(days=workspace.settings.gdpr_retention_days + 1)
    report = erase_expired(workspace, by="dpo", now=later)
    # A finished run is erased; one still waiting for a reviewer is not finished.
    assert report.threads == [done.thread_id] and report.redacted_records > 0
    assert workspace.threads() == [waiting.thread_id]
    assert all("@" not in str(r.payload) for r in workspace.audit.records(done.thread_id))
    assert workspace.audit.verify().ok
    [note] = [r for r in workspace.audit.records() if r.action == "gdpr.erasure"]
    assert note.payload["reason"] == "retention of 3650 days ended"
