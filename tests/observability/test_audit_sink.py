"""The AuditSink conformance suite on both backends, and on broken sinks (it must fail)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import run_rule
from wardflow.observability.audit import (
    AuditLog,
    AuditRecord,
    ChainReport,
    PendingRecord,
    PostgresAuditLog,
)
from wardflow.testing import AuditSinkConformance
from wardflow.testing.audit import OpenSink, Tamper


def _sqlite_tamper(path: Path) -> Tamper:
    def tamper(sql: str, params: Sequence[Any]) -> None:
        conn = sqlite3.connect(path)
        try:  # an attacker with the file drops the triggers first
            conn.execute("DROP TRIGGER IF EXISTS audit_no_update")
            conn.execute("DROP TRIGGER IF EXISTS audit_no_delete")
            conn.execute(sql, tuple(params))
            conn.commit()
        finally:
            conn.close()

    return tamper


def _postgres_tamper(url: str) -> Tamper:
    import psycopg

    def tamper(sql: str, params: Sequence[Any]) -> None:
        with psycopg.connect(url, autocommit=True) as conn:  # the table's owner can
            conn.execute("ALTER TABLE audit DISABLE TRIGGER USER")
            conn.execute(sql.replace("?", "%s"), tuple(params))
            conn.execute("ALTER TABLE audit ENABLE TRIGGER USER")

    return tamper


class TestAuditSink(AuditSinkConformance):
    @pytest.fixture(params=["sqlite", "postgres"])
    def backend(self, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[OpenSink, Tamper]:
        if request.param == "sqlite":
            path = tmp_path / "audit.sqlite"
            return (lambda: AuditLog(path)), _sqlite_tamper(path)
        url = str(request.getfixturevalue("postgres_url"))
        return (lambda: PostgresAuditLog(url)), _postgres_tamper(url)

    @pytest.fixture
    def open_sink(self, backend: tuple[OpenSink, Tamper]) -> OpenSink:
        return backend[0]

    @pytest.fixture
    def tamper(self, backend: tuple[OpenSink, Tamper]) -> Tamper:
        return backend[1]


# Each sink below breaks one rule; the suite's test for that rule must catch it. ------
class _VerifiesNothing(AuditLog):
    def verify(self) -> ChainReport:
        return ChainReport(True, len(list(self.records())))


class _ForgetsKeys(AuditLog):
    def append_many(self, entries: Iterable[PendingRecord]) -> list[AuditRecord]:
        return super().append_many([replace(entry, key=None) for entry in entries])


class _NewestFirst(AuditLog):
    def records(self, thread_id: str | None = None) -> Iterator[AuditRecord]:
        return iter(list(super().records(thread_id))[::-1])


class _ForgetsOnClose(AuditLog):
    def __init__(self, path: Path) -> None:
        super().__init__(":memory:")


def _run(rule: str, open_sink: OpenSink, tamper: Tamper) -> None:
    """Run one of the suite's tests with its fixtures, as pytest would."""
    run_rule(AuditSinkConformance(), rule, {"open_sink": open_sink, "tamper": tamper},
             {"sink": open_sink})


@pytest.mark.parametrize(("broken", "rule"), [
    (_VerifiesNothing, "test_verify_names_an_edited_payload"),
    (_VerifiesNothing, "test_verify_names_a_deleted_record"),
    (_ForgetsKeys, "test_a_keyed_record_is_written_once"),
    (_NewestFirst, "test_records_keep_their_order_fields_and_threads"),
    (_ForgetsOnClose, "test_reopening_keeps_the_chain_and_continues_it"),
])
def test_the_suite_fails_a_sink_that_breaks_a_rule(
    broken: type[AuditLog], rule: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.sqlite", tmp_path / "bad.sqlite"
    _run(rule, lambda: AuditLog(good), _sqlite_tamper(good))  # the rule holds on the real one
    with pytest.raises(AssertionError):
        _run(rule, lambda: broken(bad), _sqlite_tamper(bad))
