"""What every :class:`~wardflow.runtime.events.EventLedger` backend must do.

Provide an ``open_ledger`` fixture: a callable that opens the backend on one empty
store, the same store at every call (a second call is a second watcher, or the same
watcher after a restart).

The rules: an event is claimed (:meth:`~wardflow.runtime.events.EventLedger.record`)
exactly once, however many watchers race for it; a run is complete when its event is
marked ``done`` and not before; an unfinished run stays open, keeps its thread id and
cannot be claimed again (it is retried, not started twice); and all of it survives
closing and reopening.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from wardflow.runtime.events import EventLedger

__all__ = ["EventLedgerConformance", "OpenLedger"]

OpenLedger = Callable[[], EventLedger]


class EventLedgerConformance:
    """Provide an ``open_ledger`` fixture (see the module docstring)."""

    @pytest.fixture
    def open_ledger(self) -> OpenLedger:
        raise NotImplementedError("provide an `open_ledger` fixture")

    @pytest.fixture
    def ledger(self, open_ledger: OpenLedger) -> Iterator[EventLedger]:
        ledger = open_ledger()
        yield ledger
        ledger.close()

    def test_is_an_empty_event_ledger(self, ledger: EventLedger) -> None:
        assert isinstance(ledger, EventLedger)
        assert ledger.entries("bp") == [] and ledger.open_entries("bp") == []
        assert ledger.state("bp", "doc-1") is None
        assert ledger.message("bp", "/m", "1.eml") is None and ledger.messages("bp") == []

    # Claiming -------------------------------------------------------------------------
    def test_an_event_is_claimed_once(self, ledger: EventLedger, open_ledger: OpenLedger
                                      ) -> None:
        assert ledger.record("bp", "doc-1", "inbox/a.pdf")
        assert not ledger.record("bp", "doc-1", "inbox/a.pdf")
        other = open_ledger()  # a second watcher
        try:
            assert not other.record("bp", "doc-1", "inbox/copy-of-a.pdf")
        finally:
            other.close()
        assert ledger.record("other-bp", "doc-1", "inbox/a.pdf")  # keyed per blueprint
        assert [(e.document_id, e.source, e.event, e.state, e.thread_id, e.result)
                for e in ledger.entries("bp")] == [
            ("doc-1", "inbox/a.pdf", "document_uploaded", "open", None, None)]

    def test_racing_watchers_claim_each_event_once(self, open_ledger: OpenLedger) -> None:
        ledgers = [open_ledger() for _ in range(4)]
        claims: list[str] = []
        errors: list[BaseException] = []

        def claim(ledger: EventLedger) -> None:
            try:
                for n in range(10):
                    if ledger.record("bp", f"doc-{n}", f"inbox/{n}.pdf"):
                        claims.append(f"doc-{n}")
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=claim, args=(ledger,)) for ledger in ledgers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            assert sorted(claims) == sorted(f"doc-{n}" for n in range(10))
            assert len(ledgers[0].entries("bp")) == 10
        finally:
            for ledger in ledgers:
                ledger.close()

    # Completing and retrying ----------------------------------------------------------
    def test_a_run_is_complete_when_marked_done(self, ledger: EventLedger) -> None:
        ledger.record("bp", "doc-1", "inbox/a.pdf")
        ledger.record("bp", "doc-2", "inbox/b.pdf")
        ledger.mark("bp", "doc-1", "started", thread_id="bp:doc-1")
        assert {e.document_id for e in ledger.open_entries("bp")} == {"doc-1", "doc-2"}
        ledger.mark("bp", "doc-1", "done", result="posted")
        assert [e.document_id for e in ledger.open_entries("bp")] == ["doc-2"]
        assert ledger.state("bp", "doc-1") == "done"
        assert [(e.thread_id, e.result) for e in ledger.entries("bp")
                if e.document_id == "doc-1"] == [("bp:doc-1", "posted")]  # thread id kept

    def test_an_unfinished_run_is_retried_not_restarted(self, ledger: EventLedger) -> None:
        ledger.record("bp", "doc-1", "inbox/a.pdf")
        ledger.mark("bp", "doc-1", "started", thread_id="bp:doc-1")
        ledger.mark("bp", "doc-1", "failed", result="model timeout")
        assert [(e.state, e.thread_id) for e in ledger.open_entries("bp")] == [
            ("failed", "bp:doc-1")]
        assert not ledger.record("bp", "doc-1", "inbox/a.pdf")  # no second run
        ledger.mark("bp", "doc-1", "waiting")
        assert [(e.state, e.result) for e in ledger.open_entries("bp")] == [
            ("waiting", "model timeout")]
        ledger.mark("bp", "doc-1", "done", result="posted")
        assert ledger.open_entries("bp") == []

    def test_a_restart_finds_the_open_runs(self, open_ledger: OpenLedger) -> None:
        before = open_ledger()
        before.record("bp", "doc-1", "inbox/a.pdf")
        before.record("bp", "doc-2", "inbox/b.pdf")
        before.mark("bp", "doc-1", "started", thread_id="bp:doc-1")
        before.mark("bp", "doc-2", "done", thread_id="bp:doc-2", result="posted")
        before.mark_message("bp", "/m", "1.eml", "<id@x>", "open", "corrupt attachment")
        before.close()
        after = open_ledger()
        try:
            assert [(e.document_id, e.state, e.thread_id) for e in after.open_entries("bp")
                    ] == [("doc-1", "started", "bp:doc-1")]
            assert not after.record("bp", "doc-1", "inbox/a.pdf")
            assert not after.record("bp", "doc-2", "inbox/b.pdf")
            assert after.message("bp", "/m", "1.eml") == ("open", "corrupt attachment")
        finally:
            after.close()

    # Queued for workers ---------------------------------------------------------------
    def test_racing_workers_take_a_queued_event_once(self, open_ledger: OpenLedger) -> None:
        first = open_ledger()
        for n in range(10):
            first.record("bp", f"doc-{n}", f"s3://b/{n}.pdf")
            first.mark("bp", f"doc-{n}", "queued", thread_id=f"bp:doc-{n}")
        first.record("bp", "doc-open", "s3://b/open.pdf")  # claimed by a server, not queued
        workers = [first, *(open_ledger() for _ in range(3))]
        taken: list[str] = []
        errors: list[BaseException] = []

        def take(ledger: EventLedger) -> None:
            try:
                for entry in ledger.open_entries("bp"):
                    if ledger.take("bp", entry.document_id):
                        taken.append(entry.document_id)
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=take, args=(ledger,)) for ledger in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert not errors, errors
            assert sorted(taken) == sorted(f"doc-{n}" for n in range(10))  # each once
            assert {e.document_id: (e.state, e.thread_id) for e in first.entries("bp")} == {
                **{f"doc-{n}": ("started", f"bp:doc-{n}") for n in range(10)},
                "doc-open": ("open", None)}
        finally:
            for ledger in workers:
                ledger.close()

    def test_a_dead_worker_s_event_is_taken_over_once_its_lease_ran_out(
        self, ledger: EventLedger
    ) -> None:
        ledger.record("bp", "doc-1", "s3://b/1.pdf")
        ledger.mark("bp", "doc-1", "queued")
        assert ledger.take("bp", "doc-1")
        assert not ledger.take("bp", "doc-1")  # started: no second worker
        [entry] = ledger.open_entries("bp")
        assert entry.updated_at is not None
        # A lease that ends before the event was taken: still its worker's.
        assert not ledger.take("bp", "doc-1", state="started", updated_before=entry.updated_at)
        assert ledger.take("bp", "doc-1", state="started", updated_before="9999-12-31T00:00:00")
        ledger.mark("bp", "doc-1", "done", result="posted")
        assert not ledger.take("bp", "doc-1", state="started",
                               updated_before="9999-12-31T00:00:00")

    # Maildir messages -----------------------------------------------------------------
    def test_messages_keep_their_park_reason(self, ledger: EventLedger,
                                             open_ledger: OpenLedger) -> None:
        ledger.mark_message("bp", "/m", "2.eml", "<b@x>", "done")
        ledger.mark_message("bp", "/m", "1.eml", "<a@x>", "open", "corrupt attachment")
        other = open_ledger()
        try:
            other.mark_message("bp", "/m", "1.eml", "<a@x>", "done")  # keeps the reason
        finally:
            other.close()
        assert ledger.message("bp", "/m", "1.eml") == ("done", "corrupt attachment")
        assert ledger.message("bp", "/other", "1.eml") is None
        assert [(m["message"], m["message_id"], m["state"]) for m in ledger.messages("bp")] == [
            ("1.eml", "<a@x>", "done"), ("2.eml", "<b@x>", "done")]
