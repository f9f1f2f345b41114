"""The embedded stores on a real PostgreSQL server: the ERP conformance suite, the audit
chain (same hashes as SQLite, the append-only trigger), and the checkpointer. The audit
and ledger conformance suites run on Postgres from tests/observability/test_audit_sink.py
and tests/graphs/test_event_ledger.py."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from wardflow.config import Settings
from wardflow.errors import ConfigError, ErpError
from wardflow.observability.audit import AuditLog, PendingRecord, PostgresAuditLog
from wardflow.runtime.checkpoint import list_threads, open_checkpointer
from wardflow.runtime.events import PostgresEventLedger
from wardflow.services import open_audit_log, open_erp, open_event_ledger
from wardflow.testing import ErpConformance
from wardflow.testing.erp import MASTER, _args
from wardflow.tools.erp import PostgresErp


class TestPostgresErp(ErpConformance):
    @pytest.fixture
    def erp(self, postgres_url: str) -> Iterator[PostgresErp]:
        erp = PostgresErp(postgres_url)
        yield erp
        erp.close()


def test_idempotency_key_posts_once_across_connections(postgres_url: str) -> None:
    erps = [PostgresErp(postgres_url) for _ in range(4)]
    erps[0].import_master(MASTER)
    results: list[Any] = []

    def post(erp: PostgresErp) -> None:
        results.append(erp.post_invoice(_args("T-9")))

    threads = [threading.Thread(target=post, args=(erp,)) for erp in erps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.created for r in results) == 1
    assert len({r.posting_id for r in results}) == 1
    assert len(erps[1].postings()) == 1
    with psycopg.connect(postgres_url) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO invoices SELECT 'P-other', idempotency_key, vendor_id,"
                     " invoice_number, invoice_date, currency, subtotal, tax, total, iban,"
                     " po_number, document_sha256, approved_by, posted_at FROM invoices")
    for erp in erps:
        erp.close()


def test_master_upsert_replaces_and_bad_master_is_an_erp_error(postgres_url: str) -> None:
    erp = PostgresErp(postgres_url)
    erp.import_master(MASTER)
    renamed = {"vendors": [{**MASTER["vendors"][0], "name": "Renamed GmbH"}]}
    assert erp.import_master(renamed) == (1, 0)
    assert [v.name for v in erp.vendors()] == ["Renamed GmbH"]
    with pytest.raises(ErpError, match="vendor"):  # the PO's vendor does not exist
        erp.import_master({"purchase_orders": [{"po_number": "PO-X", "vendor_id": "V-NONE",
                                                "amount": "1", "currency": "EUR"}]})
    erp.close()


def _entries() -> list[PendingRecord]:
    return [
        PendingRecord("run.start", {"document": "a.pdf", "n": 1}, thread_id="t1", key="k1"),
        PendingRecord("extract", {"fields": {"total": "119.00"}, "ok": True}, thread_id="t1"),
        PendingRecord("run.start", {"document": "a.pdf", "n": 1}, thread_id="t1", key="k1"),
        PendingRecord("post", {"posting": "P-1", "unicode": "Müller € 東京"}, actor="user:carla",
                      thread_id="t1", ts="2026-11-25T12:00:00+00:00"),
    ]


def test_audit_chain_is_the_same_as_on_sqlite(
    postgres_url: str, tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    on_pg = PostgresAuditLog(postgres_url, clock=clock)
    on_sqlite = AuditLog(tmp_path / "audit.sqlite", clock=clock)
    written = on_pg.append_many(_entries())
    assert [r.seq for r in written] == [1, 2, 3]  # the repeated key is skipped
    assert on_sqlite.append_many(_entries()) == written
    assert list(on_pg.records()) == list(on_sqlite.records())
    assert on_pg.append("later", {"x": 1}, key="k1") is None
    assert on_pg.verify().ok and on_pg.verify().records == 3
    assert [r.action for r in on_pg.records("t1")] == ["run.start", "extract", "post"]
    on_pg.close()
    on_sqlite.close()


def test_audit_refuses_edits_and_verify_finds_tampering(
    postgres_url: str, clock: Callable[[], datetime]
) -> None:
    log = PostgresAuditLog(postgres_url, clock=clock)
    log.append_many(_entries())
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for statement in ("UPDATE audit SET actor = 'mallory' WHERE seq = 2",
                          "DELETE FROM audit WHERE seq = 3", "TRUNCATE audit"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)
        # The owner can still switch the trigger off; the chain then names the record.
        conn.execute("ALTER TABLE audit DISABLE TRIGGER audit_append_only")
        conn.execute("UPDATE audit SET payload = '{\"fields\":{\"total\":\"1.00\"},\"ok\":true}'"
                     " WHERE seq = 2")
    report = log.verify()
    assert not report.ok and report.first_bad_seq == 2
    assert "digest" in report.reason
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("DELETE FROM audit WHERE seq = 1")
    assert log.verify().first_bad_seq == 1
    log.close()


def test_settings_choose_the_stores(postgres_url: str, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", model="none", database_url=postgres_url)
    erp, audit, ledger = open_erp(settings), open_audit_log(settings), open_event_ledger(settings)
    assert isinstance(erp, PostgresErp) and isinstance(audit, PostgresAuditLog)
    assert isinstance(ledger, PostgresEventLedger)
    for store in (erp, audit, ledger):
        store.close()
    assert not (tmp_path / "home").exists()  # nothing written to SQLite files
    with pytest.raises(ConfigError, match="postgres://"):
        open_erp(Settings(home=tmp_path / "home", database_url="mysql://x"))


def test_unreachable_database_is_a_config_error_without_the_password(tmp_path: Path) -> None:
    url = "postgresql://wardflow:hunter2@127.0.0.1:9/nowhere"
    settings = Settings(home=tmp_path, database_url=url, database_retry_s=0.3)
    with pytest.raises(ConfigError) as raised:
        open_audit_log(settings)
    assert "hunter2" not in str(raised.value) and "127.0.0.1:9" in str(raised.value)
    with pytest.raises(ConfigError) as raised:
        open_checkpointer(Settings(home=tmp_path, checkpointer=url, database_retry_s=0.3))
    assert "hunter2" not in str(raised.value)


def test_checkpointer_lists_threads(postgres_url: str, tmp_path: Path) -> None:
    from langgraph.graph import END, START, StateGraph
    from typing_extensions import TypedDict

    class State(TypedDict):
        n: int

    saver = open_checkpointer(Settings(home=tmp_path, checkpointer=postgres_url))
    graph = StateGraph(State)
    graph.add_node("inc", lambda s: {"n": s["n"] + 1})
    graph.add_edge(START, "inc")
    graph.add_edge("inc", END)
    app = graph.compile(checkpointer=saver)
    for thread in ("b", "a", "c"):
        assert app.invoke({"n": 1}, {"configurable": {"thread_id": thread}}) == {"n": 2}
    assert list_threads(saver) == ["b", "a", "c"]
    again = open_checkpointer(Settings(home=tmp_path, checkpointer=postgres_url))
    assert again.get_tuple({"configurable": {"thread_id": "a"}}) is not None
    for opened in (saver, again):
        opened.conn.close()  # type: ignore[attr-defined]


def test_redaction_keeps_the_chain_verifiable(postgres_url: str) -> None:
    log = PostgresAuditLog(postgres_url)
    log.append_many(_entries())
    proof = log.redact({3: {"posting": "P-1"}}, reason="GDPR erasure", actor="user:dpo")
    assert proof is not None and proof.action == "audit.redaction"
    assert "_redacted" in list(log.records())[2].payload
    assert log.verify().ok
    with psycopg.connect(postgres_url, autocommit=True) as conn, pytest.raises(
            psycopg.errors.RaiseException):  # only a payload may change, only to a redaction
        conn.execute("UPDATE audit SET actor = 'x', payload = '{\"_redacted\":1}' WHERE seq = 1")
    log.close()


def test_stores_do_not_import_psycopg_until_used() -> None:
    import subprocess
    import sys

    code = ("import sys, wardflow.tools.erp, wardflow.observability.audit, wardflow.runtime.events,"
            " wardflow.services, wardflow.runtime.checkpoint; print('psycopg' in sys.modules)")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "False"
