from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wardflow.observability.audit import AuditLog
from wardflow.observability.redact import redact


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    log = AuditLog(tmp_path / "audit.sqlite", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    for i in range(5):
        log.append("node.test", {"i": i}, thread_id="t1" if i % 2 else "t2")
    return log


def _raw(path: Path, sql: str) -> None:
    # An attacker with file access bypasses the triggers.
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        conn.execute(sql)


def test_chain_verifies_and_filters_by_thread(log: AuditLog) -> None:
    assert log.verify().ok and log.verify().records == 5
    assert [r.payload["i"] for r in log.records("t1")] == [1, 3]


def test_updates_and_deletes_are_refused(log: AuditLog, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "audit.sqlite") as conn, pytest.raises(
        sqlite3.IntegrityError, match="append-only"
    ):
        conn.execute("UPDATE audit SET actor = 'x' WHERE seq = 1")
    with sqlite3.connect(tmp_path / "audit.sqlite") as conn, pytest.raises(
        sqlite3.IntegrityError, match="append-only"
    ):
        conn.execute("DELETE FROM audit WHERE seq = 1")


def test_edited_payload_is_detected(log: AuditLog, tmp_path: Path) -> None:
    _raw(tmp_path / "audit.sqlite", """UPDATE audit SET payload = '{"i":99}' WHERE seq = 3""")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 3 and "digest" in report.reason


def test_edited_actor_is_detected(log: AuditLog, tmp_path: Path) -> None:
    _raw(tmp_path / "audit.sqlite", "UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 2 and "hash mismatch" in report.reason


def test_deleted_row_is_detected(log: AuditLog, tmp_path: Path) -> None:
    _raw(tmp_path / "audit.sqlite", "DELETE FROM audit WHERE seq = 4")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 4


def test_deleted_tail_is_not_detectable_by_chain_alone_but_count_shows(
    log: AuditLog, tmp_path: Path
) -> None:
    _raw(tmp_path / "audit.sqlite", "DELETE FROM audit WHERE seq = 5")
    report = log.verify()
    assert report.ok and report.records == 4


def test_redaction_masks_payment_data_and_secrets() -> None:
    out = redact({"iban": "DE89 3704 0044 0532 0130 00", "card": "4111111111111111",
                  "api_key": "sk-123", "nested": ["DE89370400440532013000"]})
    assert out == {"iban": "DE**…3000", "card": "****1111", "api_key": "[redacted]",
                   "nested": ["DE**…3000"]}


def test_redaction_masks_credentials_inside_values() -> None:
    out = redact({"note": "api_key=abc123 then sk-abcdefghijklmnopqrstu", "p": "password: x1"})
    assert out == {"note": "api_key=[redacted] then [redacted]", "p": "password: [redacted]"}
