"""The EventLedger conformance suite on both backends, and on broken ledgers (it must
fail)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance import run_rule
from wardflow.runtime.events import (
    LedgerEntry,
    PostgresEventLedger,
    SqliteEventLedger,
)
from wardflow.testing import EventLedgerConformance
from wardflow.testing.ledger import OpenLedger


class TestEventLedger(EventLedgerConformance):
    @pytest.fixture(params=["sqlite", "postgres"])
    def open_ledger(self, request: pytest.FixtureRequest, tmp_path: Path) -> OpenLedger:
        if request.param == "sqlite":
            return lambda: SqliteEventLedger(tmp_path / "control.sqlite")
        url = str(request.getfixturevalue("postgres_url"))
        return lambda: PostgresEventLedger(url)


# Each ledger below breaks one rule; the suite's test for that rule must catch it. ----
class _ClaimsUnfinished(SqliteEventLedger):
    """Lets a second watcher claim an event whose run has not finished."""

    def record(self, blueprint: str, document_id: str, source: str,
               event: str = "document_uploaded") -> bool:
        return super().record(blueprint, document_id, source, event) or (
            self.state(blueprint, document_id) != "done")


class _OverwritesThreadId(SqliteEventLedger):
    """Loses the run's thread id when a later mark does not repeat it."""

    def mark(self, blueprint: str, document_id: str, state: str, *,
             thread_id: str | None = None, result: str | None = None) -> None:
        with self._write() as conn:
            conn.execute("UPDATE events SET state = ?, thread_id = ?, result = ?"
                         " WHERE blueprint = ? AND document_id = ?",
                         (state, thread_id, result, blueprint, document_id))


class _DoneStaysOpen(SqliteEventLedger):
    """Reports finished runs as open (they would run again after a restart)."""

    def open_entries(self, blueprint: str) -> list[LedgerEntry]:
        return self.entries(blueprint)


class _ForgetsOnClose(SqliteEventLedger):
    def __init__(self, path: Path) -> None:
        super().__init__(":memory:")


def _run(rule: str, open_ledger: OpenLedger) -> None:
    """Run one of the suite's tests with its fixtures, as pytest would."""
    run_rule(EventLedgerConformance(), rule, {"open_ledger": open_ledger},
             {"ledger": open_ledger})


@pytest.mark.parametrize(("broken", "rule"), [
    (_ClaimsUnfinished, "test_an_event_is_claimed_once"),
    (_ClaimsUnfinished, "test_racing_watchers_claim_each_event_once"),
    (_ClaimsUnfinished, "test_an_unfinished_run_is_retried_not_restarted"),
    (_OverwritesThreadId, "test_a_run_is_complete_when_marked_done"),
    (_DoneStaysOpen, "test_a_run_is_complete_when_marked_done"),
    (_ForgetsOnClose, "test_a_restart_finds_the_open_runs"),
])
def test_the_suite_fails_a_ledger_that_breaks_a_rule(
    broken: type[SqliteEventLedger], rule: str, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.sqlite", tmp_path / "bad.sqlite"
    _run(rule, lambda: SqliteEventLedger(good))  # the rule holds on the real one
    with pytest.raises(AssertionError):
        _run(rule, lambda: broken(bad))
