"""What ``GET /metrics`` counts, read from the shared stores (wardflow/web/metrics.py).

Runs execute in other processes and on other machines (the CLI, Ray workers, another
``wardflow serve``), so nothing here counts in memory as things happen: each
collection reads the durable state, and keeps only what lets the next one read less.

* :class:`AuditTally` reads the audit log incrementally: it remembers the last
  sequence number it saw and reads only the records after it (the first collection
  of a process reads the log once). Stage latencies, guard flags, ERP posts and
  refusals and dead letters are counters over those records.
* :class:`RunTally` lists the checkpointer's threads each time, and reads the run
  view of each thread except the finished ones it has already read (a finished run
  never changes by itself; a thread that disappears, erased, is dropped).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wardflow.errors import WardflowError

if TYPE_CHECKING:
    from wardflow.observability.audit import AuditRecord, AuditSink
    from wardflow.runtime.workspace import Workspace

__all__ = ["AGE_BUCKETS_S", "STAGE_BUCKETS_S", "AuditTally", "Histogram", "RunFacts",
           "RunTally"]

# Upper bounds, in seconds, of the stage latency histogram's buckets.
STAGE_BUCKETS_S: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                                      5.0, 10.0, 30.0, 60.0, 120.0)
# Upper bounds, in seconds, of the review queue's age histogram (a minute to a week).
AGE_BUCKETS_S: tuple[float, ...] = (60.0, 300.0, 900.0, 3600.0, 4 * 3600.0, 86400.0,
                                    3 * 86400.0, 7 * 86400.0)
_POST_TOOL = "tool.erp_post_invoice"


@dataclass
class Histogram:
    """Observations in buckets (not cumulative), their sum and count."""

    bounds: tuple[float, ...]
    counts: list[int] = field(default_factory=list)
    total: float = 0.0

    def __post_init__(self) -> None:
        if not self.counts:
            self.counts = [0] * (len(self.bounds) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.total += value

    def cumulative(self) -> list[tuple[str, float]]:
        """The buckets as Prometheus writes them: ``(le, count at or below)``, +Inf last."""
        out, running = [], 0
        for bound, count in zip((*map(str, self.bounds), "+Inf"), self.counts, strict=True):
            running += count
            out.append((bound, float(running)))
        return out


@dataclass
class AuditTally:
    """Counters over the audit log, read incrementally (see the module's doc)."""

    seq: int = 0
    stages: dict[str, Histogram] = field(default_factory=dict)
    guard_flags: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    erp_posts: int = 0
    erp_refusals: Counter[str] = field(default_factory=Counter)
    dead_letters: int = 0

    def read(self, audit: AuditSink) -> int:
        """Count the records written since the last read; returns how many were read."""
        read = 0
        for record in _records_after(audit, self.seq):
            self._count(record.action, record.payload)
            self.seq = max(self.seq, record.seq)
            read += 1
        return read

    def _count(self, action: str, payload: Mapping[str, Any]) -> None:
        if not isinstance(payload, Mapping) or "_redacted" in payload:
            return  # erased: its facts are gone (it was counted when it was read)
        if action.startswith("node."):
            ms = payload.get("ms")
            if isinstance(ms, (int, float)):
                self.stages.setdefault(action[5:], Histogram(STAGE_BUCKETS_S)).observe(
                    ms / 1000)
            self._guards(payload.get("guard"))
        elif action.startswith("tool."):
            outcome = str(payload.get("outcome", ""))
            if outcome == "blocked" and payload.get("validator"):
                self.guard_flags["tool_args", str(payload["validator"]), "blocked"] += 1
            if action == _POST_TOOL:
                if outcome == "ok":
                    self.erp_posts += 1
                elif outcome:
                    self.erp_refusals[outcome] += 1
        elif action == "run.dead_letter":
            self.dead_letters += 1

    def _guards(self, decisions: Any) -> None:
        if not isinstance(decisions, list):
            return
        for decision in decisions:
            if isinstance(decision, Mapping) and decision.get("outcome") not in (None, "pass"):
                self.guard_flags[str(decision.get("boundary")), str(decision.get("validator")),
                                 str(decision.get("outcome"))] += 1


def _records_after(audit: AuditSink, seq: int) -> Iterator[AuditRecord]:
    """The records after ``seq``: by the backend's query where it has one."""
    after: Callable[[int], Iterable[AuditRecord]] | None = getattr(audit, "records_after",
                                                                    None)
    if after is not None:
        yield from after(seq)
        return
    yield from (r for r in audit.records() if r.seq > seq)


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What the metrics need of one run."""

    status: str
    updated: str | None
    llm_calls: int = 0
    llm_tokens: int = 0
    llm_cost: float = 0.0


@dataclass
class RunTally:
    """Every run's status and usage; finished runs are read once (module's doc)."""

    finished: dict[str, RunFacts] = field(default_factory=dict)

    def read(self, ws: Workspace) -> list[RunFacts]:
        """The facts of every run in the checkpointer, now."""
        threads = ws.threads()
        present = set(threads)
        for gone in [t for t in self.finished if t not in present]:
            del self.finished[gone]
        runs = []
        for thread in threads:
            facts = self.finished.get(thread)
            if facts is None:
                try:
                    view = ws.view(thread)
                except WardflowError:  # a checkpoint this version cannot read
                    runs.append(RunFacts("unknown", None))
                    continue
                facts = RunFacts(view.status, view.updated, view.llm_calls, view.llm_tokens,
                                 view.llm_cost)
                if view.finished:
                    self.finished[thread] = facts
            runs.append(facts)
        return runs
