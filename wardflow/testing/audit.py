"""What every :class:`~wardflow.observability.audit.AuditSink` backend must do.

Provide two fixtures:

- ``open_sink``: a callable that opens the backend on one empty store, the same
  store at every call (a second call is a second process, or a restart);
- ``tamper``: a callable ``tamper(sql, params)`` that runs one SQL statement on that
  store as an attacker would (with the append-only protection switched off), with
  ``?`` placeholders, against the ``audit`` table and its columns (``seq``, ``actor``,
  ``payload`` ...). A backend that is not SQL translates the few statements used here.

The suite covers appending, ordering, keyed (exactly-once) records, reopening, tamper
detection, concurrent appends from several connections, and redaction.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from wardflow.observability.audit import AuditRecord, AuditSink, PendingRecord, canonical_json

__all__ = ["AuditSinkConformance", "OpenSink", "Tamper"]

OpenSink = Callable[[], AuditSink]
Tamper = Callable[[str, Sequence[Any]], None]

GENESIS = "0" * 64


def _entries() -> list[PendingRecord]:
    return [
        PendingRecord("run.start", {"document": "a.pdf", "n": 1}, thread_id="t1", key="k1"),
        PendingRecord("extract", {"fields": {"total": "119.00"}, "ok": True}, thread_id="t2"),
        PendingRecord("run.start", {"document": "a.pdf", "n": 1}, thread_id="t1", key="k1"),
        PendingRecord("post", {"posting": "P-1", "unicode": "Müller € 東京"}, actor="user:carla",
                      thread_id="t1", ts="2026-11-25T12:00:00+00:00"),
    ]


def _chained(records: Sequence[AuditRecord]) -> bool:
    """Whether ``records`` link up from the genesis hash, each hash over its body."""
    prev = GENESIS
    for record in records:
        expected = hashlib.sha256((prev + canonical_json(record.body())).encode()).hexdigest()
        if record.prev_hash != prev or record.hash != expected:
            return False
        prev = record.hash
    return True


class AuditSinkConformance:
    """Provide ``open_sink`` and ``tamper`` fixtures (see the module docstring)."""

    @pytest.fixture
    def open_sink(self) -> OpenSink:
        raise NotImplementedError("provide an `open_sink` fixture")

    @pytest.fixture
    def tamper(self) -> Tamper:
        raise NotImplementedError("provide a `tamper` fixture")

    @pytest.fixture
    def sink(self, open_sink: OpenSink) -> Iterator[AuditSink]:
        sink = open_sink()
        yield sink
        sink.close()

    # Appending and ordering -----------------------------------------------------------
    def test_is_an_empty_audit_sink(self, sink: AuditSink) -> None:
        assert isinstance(sink, AuditSink)
        assert list(sink.records()) == []
        report = sink.verify()
        assert report.ok and report.records == 0

    def test_appends_are_numbered_and_chained(self, sink: AuditSink) -> None:
        first = sink.append("run.start", {"document": "a.pdf"}, thread_id="t1")
        second = sink.append("run.end", {"route": "post"}, actor="user:carla", thread_id="t1")
        assert first is not None and second is not None
        assert (first.seq, second.seq) == (1, 2)
        assert first.prev_hash == GENESIS and second.prev_hash == first.hash
        assert list(sink.records()) == [first, second]
        assert _chained([first, second])
        assert sink.verify().ok and sink.verify().records == 2

    def test_records_keep_their_order_fields_and_threads(self, sink: AuditSink) -> None:
        written = sink.append_many(_entries())
        assert [r.action for r in written] == ["run.start", "extract", "post"]
        assert [r.seq for r in written] == [1, 2, 3]
        stored = list(sink.records())
        assert stored == written
        assert stored[2].payload == {"posting": "P-1", "unicode": "Müller € 東京"}
        assert stored[2].ts == "2026-11-25T12:00:00+00:00" and stored[2].actor == "user:carla"
        assert [r.seq for r in sink.records("t1")] == [1, 3]
        assert [r.action for r in sink.records("t2")] == ["extract"]
        assert list(sink.records("none")) == []

    def test_records_after_a_seq_are_the_newer_ones(self, sink: AuditSink) -> None:
        after = getattr(sink, "records_after", None)
        if after is None:
            pytest.skip("this backend reads no records after a seq (an optional method)")
        written = sink.append_many(_entries())
        assert list(after(0)) == written
        assert list(after(written[0].seq)) == written[1:]
        assert list(after(written[-1].seq)) == []

    def test_a_keyed_record_is_written_once(self, sink: AuditSink) -> None:
        assert sink.append("step", {"i": 1}, key="step:1") is not None
        assert sink.append("step", {"i": 2}, key="step:1") is None
        assert sink.append_many([PendingRecord("step", {"i": 3}, key="step:1")]) == []
        assert [r.payload for r in sink.records()] == [{"i": 1}]
        assert sink.verify().ok

    def test_reopening_keeps_the_chain_and_continues_it(self, open_sink: OpenSink) -> None:
        first = open_sink()
        written = first.append_many(_entries())
        first.close()
        again = open_sink()
        try:
            assert list(again.records()) == written
            assert again.append("run.start", {}, key="k1") is None  # keys survive too
            later = again.append("later", {"x": 1})
            assert later is not None and later.seq == 4 and later.prev_hash == written[-1].hash
            assert again.verify().ok and again.verify().records == 4
        finally:
            again.close()

    # Tampering ------------------------------------------------------------------------
    def test_verify_names_an_edited_payload(self, sink: AuditSink, tamper: Tamper) -> None:
        sink.append_many(_entries())
        tamper("UPDATE audit SET payload = ? WHERE seq = ?",
               ('{"fields":{"total":"1.00"},"ok":true}', 2))
        report = sink.verify()
        assert not report.ok and report.first_bad_seq == 2
        assert "digest" in report.reason

    def test_verify_names_an_edited_field(self, sink: AuditSink, tamper: Tamper) -> None:
        sink.append_many(_entries())
        tamper("UPDATE audit SET actor = ? WHERE seq = ?", ("user:mallory", 3))
        report = sink.verify()
        assert not report.ok and report.first_bad_seq == 3

    def test_verify_names_a_deleted_record(self, sink: AuditSink, tamper: Tamper) -> None:
        sink.append_many(_entries())
        tamper("DELETE FROM audit WHERE seq = ?", (2,))
        report = sink.verify()
        assert not report.ok and report.first_bad_seq == 2

    def test_verify_names_a_rewritten_tail(self, sink: AuditSink, tamper: Tamper) -> None:
        # A record re-linked to another predecessor (its own hash left as it was).
        sink.append_many(_entries())
        tamper("UPDATE audit SET prev_hash = ? WHERE seq = ?", (GENESIS, 3))
        report = sink.verify()
        assert not report.ok and report.first_bad_seq == 3

    # Concurrency ----------------------------------------------------------------------
    def test_concurrent_appends_keep_one_chain(self, open_sink: OpenSink) -> None:
        sinks = [open_sink() for _ in range(4)]
        errors: list[BaseException] = []

        def append(sink: AuditSink, worker: int) -> None:
            try:
                for i in range(10):
                    sink.append("step", {"worker": worker, "i": i}, key=f"{worker}:{i}")
                    sink.append("step", {"again": True}, key=f"{(worker + 1) % 4}:{i}")
            except BaseException as err:  # reported below, not lost in the thread
                errors.append(err)

        threads = [threading.Thread(target=append, args=(s, n)) for n, s in enumerate(sinks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        try:
            assert errors == []
            records = list(sinks[0].records())
            assert [r.seq for r in records] == list(range(1, len(records) + 1))
            assert len({r.record_key for r in records}) == len(records) == 40
            assert _chained(records)
            assert sinks[1].verify().ok
        finally:
            for sink in sinks:
                sink.close()

    # Redaction ------------------------------------------------------------------------
    def test_redaction_keeps_the_chain_verifiable(self, sink: AuditSink) -> None:
        sink.append_many(_entries())
        proof = sink.redact({3: {"posting": "P-1"}}, reason="GDPR erasure", actor="user:dpo")
        assert proof is not None and proof.action == "audit.redaction" and proof.seq == 4
        redacted = list(sink.records())[2]
        assert "_redacted" in redacted.payload and "Müller" not in str(redacted.payload)
        assert sink.verify().ok
        assert sink.redact({3: {}}, reason="again", actor="user:dpo") is None
