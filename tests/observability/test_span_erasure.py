"""Spans out of ``traces.jsonl`` for an erasure: by run, by trace, by text; the file is
compacted in place, so a process appending to it keeps appending to the same file."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from wardflow.observability.tracing import forget_spans, trace_id_for


def _span(name: str, trace: str, **attributes: Any) -> str:
    return json.dumps({"name": name, "trace_id": trace, "attributes": attributes}) + "\n"


def test_forget_spans_by_run_trace_and_text(tmp_path: Path) -> None:
    path = tmp_path / "traces.jsonl"
    path.write_text(
        _span("run", "a" * 32, **{"wardflow.thread_id": "t-1"})
        + _span("child", "a" * 32)  # same trace, no thread attribute
        + _span("node", trace_id_for("t-2"))
        + _span("guard", "c" * 32, note="contact Janet Quörvald")
        + '{"name": "cut short, Janet Qu\u00f6rvald'  # a line a crash cut
        + "\n" + _span("kept", "d" * 32, **{"wardflow.thread_id": "t-3"}))
    writer = os.open(path, os.O_WRONLY | os.O_APPEND)  # as the exporter keeps it
    inode = path.stat().st_ino
    try:
        removed = forget_spans(path, thread_ids=["t-1"], trace_ids=[trace_id_for("t-2")],
                               pattern=re.compile("janet quörvald", re.IGNORECASE))
        os.write(writer, _span("later", "e" * 32).encode())
    finally:
        os.close(writer)
    assert removed == 5
    assert path.stat().st_ino == inode
    assert [json.loads(line)["name"] for line in path.read_text().splitlines()] == [
        "kept", "later"]
    assert forget_spans(path, thread_ids=["t-1"]) == 0
    assert forget_spans(tmp_path / "missing.jsonl", thread_ids=["t-1"]) == 0


def test_drift_forgets_erased_runs_in_the_store_and_the_baseline(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from wardflow.config import Settings
    from wardflow.observability._drift_store import SqliteDriftStore
    from wardflow.observability.audit import AuditLog
    from wardflow.observability.drift import DriftMonitor, Observation

    now = datetime(2026, 11, 25, tzinfo=UTC)
    settings = Settings(home=tmp_path / "home")
    store = SqliteDriftStore(settings.drift_path, baseline=settings.drift_baseline_path)
    with AuditLog(":memory:") as audit:
        monitor = DriftMonitor(settings, store=store, audit=audit, clock=lambda: now)
        assert monitor.forget(["t1"]) == 0
        for thread in ("t1", "t2", "t3"):
            monitor.add(Observation(thread, now.isoformat(), "posted", amount=10.0))
        monitor.save_baseline(monitor.observations())
        assert monitor.forget(["t1", "t3", "t9"]) == 4  # two stored, two in the baseline
        assert [o.thread_id for o in monitor.observations()] == ["t2"]
        assert "t1" not in settings.drift_baseline_path.read_text()
        assert monitor.forget(["t1"]) == 0
        monitor.close()
