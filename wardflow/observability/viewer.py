"""A run's path through its graph, from the audit log: a terminal table and a diagram.

:func:`run_path` turns a thread's audit records into :class:`Step` s (one per completed
node step, with its time, duration, outcome, confidence and risk after the step, and
the decision it made); :func:`render_trace` draws them for ``wardflow trace THREAD``;
:func:`mermaid` colours LangGraph's own Mermaid drawing of the graph by the path;
:func:`read_spans` reads a thread's spans back from ``traces.jsonl``.

Node records are written when a step completes (see ``graphs._node``), so a node that
paused (``interrupt()``) or crashed has no record: a run paused for review ends with a
``waiting`` step made from the state instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from wardflow.observability.audit import AuditRecord
from wardflow.observability.tracing import trace_id_for

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["Step", "ToolCall", "mermaid", "read_spans", "render_trace", "run_path"]

StepStatus = Literal["ok", "failed", "refused", "waiting"]

# Confidence colours: green at or above HIGH, amber at or above LOW, red below.
HIGH: Final = 0.9
LOW: Final = 0.5


@dataclass(frozen=True)
class ToolCall:
    """A tool call made during a step (from its ``tool.*`` audit record)."""

    tool: str
    outcome: str
    ms: float | None
    seq: int


@dataclass(frozen=True)
class Step:
    """One completed step of a run (or the review it waits for).

    Attributes:
        node: the graph node.
        started: when the step started (its record's time less its duration).
        ms: how long the node function ran.
        status: ``ok``, ``failed`` (the step reported a failure), ``refused`` (a
            review decision was refused) or ``waiting`` (paused for review).
        confidence: the extraction confidence after this step (``None`` before one).
        risk: the risk score after this step (``None`` before one).
        decision: what the step decided, in a few words.
        seq: the node record's sequence number in the audit log.
        hash: the node record's hash.
        checkpoint_id: the checkpoint the step started from.
        actor: who acted (``wardflow/route``, ``user:carla`` for a review).
        tools: the tool calls the step made.
    """

    node: str
    started: datetime | None
    ms: float | None
    status: StepStatus
    confidence: float | None
    risk: float | None
    decision: str
    seq: int | None = None
    hash: str | None = None
    checkpoint_id: str | None = None
    actor: str | None = None
    tools: tuple[ToolCall, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe (``started`` as ISO 8601)."""
        data = asdict(self)
        data["started"] = self.started.isoformat() if self.started else None
        return data


def run_path(state: Mapping[str, Any], records: Sequence[AuditRecord], *,
             startup: bool = False) -> list[Step]:
    """The steps of one run, in order, from its audit records and final state.

    Args:
        state: the run's state values (for the review a paused run waits for).
        records: the run's audit records (``AuditLog.records(thread_id)``).
        startup: include the start-up of the processes that served the run (a
            ``startup`` step per ``run.startup`` record: imports, guard set-up, model
            load, timed apart from the steps).
    """
    steps: list[Step] = []
    tools: dict[str, list[ToolCall]] = {}
    reviewer: dict[str, str] = {}
    confidence: float | None = None
    risk: float | None = None
    for record in sorted(records, key=lambda r: r.seq):
        payload = record.payload
        if record.action.startswith("tool."):
            node = record.actor.removeprefix("wardflow/")
            tools.setdefault(node, []).append(ToolCall(
                str(payload.get("tool") or record.action[5:]), str(payload.get("outcome")),
                payload.get("ms"), record.seq))
            continue
        if record.action == "run.startup":  # the process's start-up, not a graph node
            if not startup:
                continue
            steps.append(Step(
                node="startup", started=_started(record.ts, payload.get("ms")),
                ms=payload.get("ms"), status="ok", confidence=confidence, risk=risk,
                decision="start-up: " + ", ".join(map(str, payload.get("prepared") or [])),
                seq=record.seq, hash=record.hash, checkpoint_id=record.checkpoint_id,
                actor=record.actor))
            continue
        if record.action in ("review.decision", "review.refused"):
            reviewer["review"] = record.actor
            continue
        if not record.action.startswith("node."):
            continue
        node = record.action[5:]
        extraction, assessed = payload.get("extraction"), payload.get("risk")
        if isinstance(extraction, Mapping) and extraction.get("confidence") is not None:
            confidence = float(extraction["confidence"])
        if isinstance(assessed, Mapping) and assessed.get("score") is not None:
            risk = float(assessed["score"])
        ms = payload.get("ms")
        steps.append(Step(
            node=node, started=_started(record.ts, ms), ms=ms, status=_status(payload),
            confidence=confidence, risk=risk, decision=_decision(payload),
            seq=record.seq, hash=record.hash, checkpoint_id=record.checkpoint_id,
            actor=reviewer.pop(node, record.actor), tools=tuple(tools.pop(node, ())),
        ))
    waiting = _waiting(state, steps)
    if waiting is not None:
        steps.append(waiting)
    return steps


def _started(ts: str, ms: Any) -> datetime | None:
    try:
        ended = datetime.fromisoformat(ts)
    except ValueError:
        return None
    return ended - timedelta(milliseconds=ms) if isinstance(ms, (int, float)) else ended


def _status(summary: Mapping[str, Any]) -> StepStatus:
    review = summary.get("review")
    if isinstance(review, Mapping) and review.get("refused"):
        return "refused"
    return "failed" if summary.get("status") == "failed" else "ok"


def _waiting(state: Mapping[str, Any], steps: Sequence[Step]) -> Step | None:
    decision = state.get("decision") or {}
    if decision.get("route") != "review" or state.get("status") not in (
            "routed", "awaiting_review"):
        return None
    last = steps[-1] if steps else None
    started = last.started + timedelta(milliseconds=last.ms or 0) if last and last.started else None
    return Step("review", started, None, "waiting", last.confidence if last else None,
                last.risk if last else None,
                f"waiting for a reviewer until {decision.get('deadline')}")


def _decision(summary: Mapping[str, Any]) -> str:
    """What a node decided, from its audit summary (see ``graphs._node._summary``)."""
    error = summary.get("error")
    if isinstance(error, Mapping) and error:
        return f"failed: {error.get('reason') or error.get('detail')}"
    review = summary.get("review")
    if isinstance(review, Mapping):
        if review.get("refused"):
            return f"refused: {review['refused']}"
        return f"{review.get('decision')} by {review.get('by')}"
    decision = summary.get("decision")
    if isinstance(decision, Mapping):
        reasons = ", ".join(decision.get("reasons") or [])
        return f"{decision.get('route')}" + (f": {reasons}" if reasons else "")
    posting = summary.get("posting")
    if isinstance(posting, Mapping):
        verb = "posted" if posting.get("created", True) else "already posted as"
        return f"{verb} {posting.get('posting_id')} (approved by {posting.get('approved_by')})"
    compliance = summary.get("compliance")
    if isinstance(compliance, Mapping):
        fired = [rule for rule, outcome in (compliance.get("findings") or {}).items()
                 if outcome != "pass"]
        return f"{compliance.get('status')}" + (f": {', '.join(fired)}" if fired else "")
    assessed = summary.get("risk")
    if isinstance(assessed, Mapping):
        reasons = ", ".join(assessed.get("reasons") or []) or "no reasons"
        return f"risk {assessed.get('score')}: {reasons}"
    extraction = summary.get("extraction")
    if isinstance(extraction, Mapping):
        failed = ", ".join(extraction.get("failed_checks") or []) or "none"
        return f"confidence {extraction.get('confidence')}, failed checks: {failed}"
    guard = summary.get("guard")
    if isinstance(guard, list) and guard:
        return "; ".join(f"{g.get('validator')} {g.get('outcome')} ({g.get('score')})"
                         for g in guard if isinstance(g, Mapping))
    # A blueprint step says what it did in ``step_status`` (its ``status`` is the run's).
    progress = summary.get("step_status") or summary.get("status")
    if "archive_key" in summary:
        return f"{progress}: {summary['archive_key']}"
    if "text_method" in summary:
        chars = (summary.get("text") or {}).get("chars")
        return (f"{summary['text_method']}, {chars} chars, quality"
                f" {summary.get('text_quality')}")
    return str(progress or "")


def _colour(confidence: float | None, status: str, high: float, low: float) -> str:
    if status in ("failed", "refused"):
        return "red"
    if confidence is None:
        return "blue"
    return "green" if confidence >= high else "yellow" if confidence >= low else "red"


def render_trace(steps: Sequence[Step], *, title: str | None = None) -> Table:
    """A rich table of the steps: time, duration (with a bar), outcome, confidence,
    risk and decision."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in ("#", "node", "started (UTC)", "ms", "", "status", "conf.", "risk",
                   "decision"):
        table.add_column(column, overflow="fold",
                         justify="right" if column in ("#", "ms", "conf.", "risk") else "left")
    longest = max((s.ms or 0.0 for s in steps), default=0.0) or 1.0
    for index, step in enumerate(steps, 1):
        colour = _colour(step.confidence, step.status, HIGH, LOW)
        bar = "█" * max(1, round(12 * (step.ms or 0) / longest)) if step.ms else ""
        conf = "" if step.confidence is None else f"[{colour}]{step.confidence:.2f}[/{colour}]"
        status = {"ok": "[green]ok[/green]", "waiting": "[yellow]waiting[/yellow]"}.get(
            step.status, f"[red]{step.status}[/red]")
        tools = "".join(f"\n  [dim]{escape(t.tool)} {t.outcome} {t.ms} ms[/dim]"
                        for t in step.tools)
        table.add_row(
            str(index), step.node,
            step.started.astimezone(UTC).strftime("%H:%M:%S.%f")[:-3] if step.started else "",
            "" if step.ms is None else f"{step.ms:.2f}", f"[cyan]{bar}[/cyan]", status, conf,
            "" if step.risk is None else f"{step.risk:.2f}", escape(step.decision) + tools,
        )
    return table


_NODE = re.compile(r"^\s*([A-Za-z_][\w-]*)(?:\(|\[|\(\[)")
_EDGE = re.compile(r"^\s*([A-Za-z_][\w-]*)\s+[-=.][^;]*?[->]\s*([A-Za-z_][\w-]*);?\s*$")
_CLASSES: Final = {
    "wfHigh": "fill:#c8e6c9,stroke:#2e7d32,stroke-width:2px,color:#1b5e20",
    "wfMid": "fill:#ffe082,stroke:#f9a825,stroke-width:2px,color:#5d4037",
    "wfLow": "fill:#ffcdd2,stroke:#c62828,stroke-width:2px,color:#b71c1c",
    "wfVisited": "fill:#bbdefb,stroke:#1565c0,stroke-width:2px,color:#0d47a1",
    "wfWaiting": "fill:#fff8e1,stroke:#f9a825,stroke-width:2px,stroke-dasharray:5 3",
    "wfUnvisited": "fill:#eeeeee,stroke:#bdbdbd,color:#9e9e9e",
}


def mermaid(
    graph_mermaid: str, steps: Sequence[Step], *, high: float = HIGH, low: float = LOW
) -> str:
    """LangGraph's Mermaid drawing with the run's path coloured.

    Visited nodes are green (confidence at or above ``high``), amber (at or above
    ``low``) or red (below, or a failed or refused step), by the confidence after
    their last step; blue when visited before any confidence existed (ingest, guard);
    the review a run waits for is dashed amber; unvisited nodes are grey. The edges
    the run took are drawn thick.

    Args:
        graph_mermaid: ``compiled.get_graph().draw_mermaid()``.
        steps: the run's steps (:func:`run_path`).
    """
    lines = graph_mermaid.rstrip().splitlines()
    nodes = [m.group(1) for line in lines if (m := _NODE.match(line))]
    edges = [(m.group(1), m.group(2)) for line in lines if (m := _EDGE.match(line))]
    classes: dict[str, str] = {}
    for step in steps:
        if step.node not in nodes:
            continue
        if step.status == "waiting":
            classes.setdefault(step.node, "wfWaiting")
            continue
        colour = _colour(step.confidence, step.status, high, low)
        classes[step.node] = {"green": "wfHigh", "yellow": "wfMid", "red": "wfLow",
                              "blue": "wfVisited"}[colour]
    for node in nodes:
        if node not in ("__start__", "__end__"):
            classes.setdefault(node, "wfUnvisited")
    visited = [s.node for s in steps if s.status != "waiting"]
    path = ["__start__", *visited]
    if steps and steps[-1].status != "waiting" and (visited[-1], "__end__") in edges:
        path.append("__end__")
    taken = {(a, b) for a, b in zip(path, path[1:], strict=False)}
    out = [*lines]
    out += [f"\tclassDef {name} {style}" for name, style in _CLASSES.items()]
    by_class: dict[str, list[str]] = {}
    for node, name in classes.items():
        by_class.setdefault(name, []).append(node)
    out += [f"\tclass {','.join(members)} {name}" for name, members in by_class.items()]
    out += [f"\tlinkStyle {i} stroke:#2e7d32,stroke-width:3px"
            for i, edge in enumerate(edges) if edge in taken]
    return "\n".join(out) + "\n"


def read_spans(
    path: Path, *, thread_id: str | None = None, trace_id: str | None = None
) -> list[dict[str, Any]]:
    """Spans from a ``traces.jsonl`` file, by start time; with ``thread_id``, those of
    its trace (:func:`~wardflow.observability.tracing.trace_id_for`) or carrying its
    ``wardflow.thread_id``; with ``trace_id``, those of that trace."""
    if not path.exists():
        return []
    wanted = trace_id or (trace_id_for(thread_id) if thread_id else None)
    spans = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                span = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
            if wanted is None or span.get("trace_id") == wanted or (
                thread_id is not None
                and span.get("attributes", {}).get("wardflow.thread_id") == thread_id
            ):
                spans.append(span)
    return sorted(spans, key=lambda s: s.get("start_ns") or 0)
