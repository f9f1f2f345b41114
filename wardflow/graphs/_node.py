"""The wrapper around every graph node: audit record, fault injection.

Audit records of a step travel in the state channel ``audit_outbox``, so they are
committed atomically with the step's checkpoint: a step that crashed before its
checkpoint leaves no record, and a replayed step is recorded once. Nodes that end a
run or pause it (``flush=True``) move the outbox into the audit log in one
transaction, keyed by thread, step and node, so a repeated flush writes nothing new.
This keeps the wrapper within 15% of a bare LangGraph node (see benchmarks/).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig

from wardflow.graphs.state import FLUSHED
from wardflow.observability.audit import AuditSink, PendingRecord, digest
from wardflow.observability.redact import redact
from wardflow.observability.tracing import DISABLED, Telemetry, node_span, trace_id_for
from wardflow.tools._governed import collect_read_records, stop_collecting

__all__ = ["NodeFn", "audited_node", "flush_outbox"]

NodeFn = Callable[[Mapping[str, Any], RunnableConfig], dict[str, Any]]

_TEXTS = frozenset({"text", "guard_text"})


def _summary(update: Mapping[str, Any], ms: float) -> dict[str, Any]:
    """What a node decided, compactly: values and reasons, not the whole state."""
    out: dict[str, Any] = {"ms": ms}
    for key, value in update.items():
        if key in _TEXTS and isinstance(value, str):
            # The document's text (as read, and as the guard left it) is in the state
            # already: the record names it by digest instead of copying (and masking)
            # a whole document into every audit trail.
            out[key] = {"sha256": digest(value), "chars": len(value)}
        elif key == "extraction":
            out[key] = {
                "confidence": value["confidence"],
                "fields": {n: f["value"] for n, f in value["fields"].items()},
                "failed_checks": [c["name"] for c in value["checks"] if not c["passed"]],
            }
            if value.get("calibration"):  # which map turned the raw score into this one
                out[key].update(raw_confidence=value.get("raw_confidence"),
                                calibration=value["calibration"]["version"])
        elif key == "risk":
            out[key] = {"score": value["score"], "reasons": [r["code"] for r in value["reasons"]]}
        elif key == "compliance":
            out[key] = {"status": value["status"],
                        "findings": {f["rule"]: f["outcome"] for f in value["findings"]}}
        elif key == "decision":
            out[key] = {"route": value["route"], "reasons": [r["code"] for r in value["reasons"]]}
        elif key == "proposal":
            out[key] = {"args_hash": value["args_hash"], "missing": value["missing"]}
        elif key == "guard":
            out[key] = [{k: g[k] for k in ("boundary", "validator", "outcome", "score")}
                        for g in value]
        else:
            out[key] = value
    return redact(out)  # type: ignore[no-any-return]


def _die() -> None:
    # Fault injection for crash tests: no cleanup, no flush, exactly like a kill -9.
    os.kill(os.getpid(), signal.SIGKILL)


def flush_outbox(audit: AuditSink, outbox: Sequence[Mapping[str, Any]] | None) -> None:
    """Write pending records to the audit log (records already there are skipped)."""
    if outbox:
        audit.append_many(PendingRecord(**r) for r in outbox if isinstance(r, Mapping))


def audited_node(
    name: str,
    fn: NodeFn,
    *,
    audit: AuditSink,
    faults: frozenset[str] = frozenset(),
    flush: bool = False,
    telemetry: Telemetry = DISABLED,
) -> NodeFn:
    """Wrap ``fn`` so that each completed step of it is audited.

    Args:
        flush: this node ends or pauses the run: write the outbox (and its own record)
            to the audit log. Set it on terminal nodes and on nodes that interrupt.
        telemetry: where the node's span goes (one trace per thread).

    ``interrupt()`` inside ``fn`` propagates untouched: only completed steps produce a
    record, so a paused-then-resumed node is recorded once.
    """
    before, after = f"before:{name}" in faults, f"after:{name}" in faults

    def run(state: Mapping[str, Any], config: RunnableConfig) -> dict[str, Any]:
        if before:
            _die()
        if flush:
            flush_outbox(audit, state.get("audit_outbox"))
        configurable = config.get("configurable") or {}
        thread_id = configurable.get("thread_id")
        step = (config.get("metadata") or {}).get("langgraph_step")
        checkpoint_id = (configurable.get("checkpoint_map") or {}).get("")
        with node_span(telemetry, name, thread_id=thread_id, checkpoint_id=checkpoint_id,
                       step=step) as span:
            reads, token = collect_read_records()
            started = time.perf_counter()
            try:
                update = fn(state, config)
            finally:
                stop_collecting(token)
            ms = round((time.perf_counter() - started) * 1000, 3)
            summary = _summary(update, ms)
            span.node_result(summary)
        trace = trace_id_for(thread_id) if thread_id and telemetry.enabled else None
        records = _step_records(name, summary, reads, audit.now(), thread_id=thread_id,
                                step=step, checkpoint_id=checkpoint_id, trace_id=trace)
        if flush:
            audit.append_many(records)
            update["audit_outbox"] = [FLUSHED]
        else:
            update["audit_outbox"] = [r.to_dict() for r in records]
        if after:
            _die()
        return update

    run.__name__ = name
    return run


def _step_records(
    name: str, summary: dict[str, Any], reads: Sequence[PendingRecord], now: str, *,
    thread_id: str | None, step: Any, checkpoint_id: str | None, trace_id: str | None,
) -> list[PendingRecord]:
    """The records of one completed step: what it read, then the node's own record.

    Keyed by thread, step and node, so that a replayed step is recorded once.
    """
    key = f"{thread_id}:{step}:{name}" if thread_id else None
    records = [
        PendingRecord(r.action, r.payload, r.actor, thread_id, checkpoint_id, trace_id,
                      key=f"{key}:read{i}" if key else None, ts=now)
        for i, r in enumerate(reads)
    ]
    records.append(PendingRecord(f"node.{name}", summary, f"wardflow/{name}",
                                 thread_id, checkpoint_id, trace_id, key=key, ts=now))
    return records
