"""The auditor dashboard: runs, decisions and reviewers with filters; each run's path.

Pages and their JSON API (every ``/api`` route needs ``Authorization: Bearer <token>``
of an auditor, controller or admin; approvers and clerks get 403, since the dashboard
shows every run and every reviewer's decisions, which their own work does not need)::

    GET /audit                               the dashboard page
    GET /audit/runs/{thread}                 the run page
    GET /api/audit/runs                      {runs, decisions, reviewers, counts}, filtered by
        ?status= &route= &reviewer= &vendor= &since= &until= &min_confidence= &max_confidence=
    GET /api/audit/runs/{thread}             {run, steps, decisions, diagram}
    GET /api/audit/runs/{thread}/diagram     {mermaid, svg, graph}; ?format=svg|mermaid for
                                             the drawing alone (mermaid as a download)

Everything is read: run summaries and state from the workspace's checkpoints, the
steps and review decisions from the audit log (one pass over it per dashboard request).
A run's graph is the invoice graph; a run with steps that graph does not have (a
blueprint run) is drawn as the plain path it took.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import HTMLResponse, Response

from wardflow.observability.audit import AuditRecord
from wardflow.observability.diagram import parse_mermaid, path_mermaid, render_svg
from wardflow.observability.viewer import HIGH, LOW, Step, mermaid, run_path
from wardflow.review.principals import Principal
from wardflow.web._context import AppContext
from wardflow.web._deps import Current, Thread
from wardflow.web._pages import page_html

if TYPE_CHECKING:
    from wardflow.graphs.workspace import Workspace

__all__ = ["READERS", "RunFilter", "dashboard_router", "dashboard", "run_detail",
           "run_diagram", "run_rows"]

READERS = frozenset({"auditor", "controller", "admin"})
_REVIEW_ACTIONS = ("review.decision", "review.refused")


def _reader(principal: Current) -> Principal:
    if principal.role not in READERS:
        raise HTTPException(403, f"{principal.name} is {principal.role}: the audit dashboard is"
                                 " for auditors, controllers and admins")
    return principal


Reader = Annotated[Principal, Depends(_reader)]


@dataclass(frozen=True)
class RunFilter:
    """Which runs the dashboard lists; ``None`` means any. Dates are UTC days of the
    run's first audit record, both ends included."""

    status: str | None = None
    route: str | None = None
    reviewer: str | None = None
    vendor: str | None = None
    since: date | None = None
    until: date | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None

    def matches(self, run: Mapping[str, Any]) -> bool:
        confidence = run.get("confidence")
        day = _day(run.get("started"))
        return all((
            self.status is None or run["status"] == self.status,
            self.route is None or run["route"] == self.route,
            self.reviewer is None or self.reviewer in run["reviewers"],
            not self.vendor or self.vendor.casefold() in str(run["vendor"] or "").casefold(),
            self.since is None or (day is not None and day >= self.since),
            self.until is None or (day is not None and day <= self.until),
            self.min_confidence is None or (
                confidence is not None and confidence >= self.min_confidence),
            self.max_confidence is None or (
                confidence is not None and confidence <= self.max_confidence),
        ))


def _day(ts: Any) -> date | None:
    try:
        return datetime.fromisoformat(str(ts)).date() if ts else None
    except ValueError:
        return None


@dataclass
class _Trail:
    """What the audit log says about one run: when it started, its review decisions."""

    started: str | None = None
    decisions: list[dict[str, Any]] = field(default_factory=list)


def _decision(record: AuditRecord) -> dict[str, Any]:
    payload = record.payload
    refused = record.action == "review.refused"
    return {
        "thread_id": record.thread_id, "seq": record.seq,
        "at": str(payload.get("at") or record.ts),
        "by": payload.get("by") or record.actor.removeprefix("user:"),
        "decision": "refused" if refused else payload.get("decision"),
        "comment": "" if refused else str(payload.get("comment") or ""),
        "reason": payload.get("reason") if refused else None,
        "corrections": sorted((payload.get("corrections") or {}) if not refused else {}),
    }


def _audit_trails(records: Iterable[AuditRecord]) -> dict[str, _Trail]:
    """One pass over the audit log: per thread, its first record's time and decisions."""
    trails: dict[str, _Trail] = {}
    for record in records:
        if record.thread_id is None:
            continue
        trail = trails.setdefault(record.thread_id, _Trail())
        if trail.started is None or record.ts < trail.started:
            trail.started = record.ts
        if record.action in _REVIEW_ACTIONS:
            trail.decisions.append(_decision(record))
    return trails


def _field(values: Mapping[str, Any], name: str) -> Any:
    return (((values.get("extraction") or {}).get("fields") or {}).get(name) or {}).get("value")


def _row(summary: Mapping[str, Any], values: Mapping[str, Any], trail: _Trail) -> dict[str, Any]:
    """One run of the dashboard: what it is, where it went, who decided and when."""
    decisions = trail.decisions
    made = [d for d in decisions if d["decision"] != "refused"]
    posting = values.get("posting") or {}
    last = made[-1] if made else None
    if last is not None:
        decided_by, decided_at, decision = last["by"], last["at"], last["decision"]
    elif posting.get("approved_by"):
        # Posted without review: the policy that allowed it decided.
        decided_by, decided_at, decision = posting["approved_by"], posting.get("posted_at"), "auto"
    else:
        decided_by = decided_at = decision = None
    document = values.get("document") or {}
    return {
        "thread_id": summary["thread_id"],
        "document": document.get("name") or values.get("name")
        or str(summary.get("document") or "").rsplit("/", 1)[-1],
        "vendor": _field(values, "vendor"),
        "invoice_number": _field(values, "invoice_number"),
        "total": _field(values, "total"),
        "currency": _field(values, "currency"),
        "status": summary["status"],
        "step_status": summary.get("step_status"),
        "route": summary.get("route"),
        "reasons": summary.get("reasons") or [],
        "confidence": summary.get("confidence"),
        "risk": summary.get("risk"),
        "posting_id": summary.get("posting_id"),
        "error": summary.get("error"),
        "started": trail.started,
        "decided_by": decided_by,
        "decided_at": decided_at,
        "decision": decision,
        "reviewers": sorted({d["by"] for d in decisions if d["by"]}),
    }


def _runs(ws: Workspace) -> tuple[list[dict[str, Any]], dict[str, _Trail]]:
    trails = _audit_trails(ws.audit.records())
    runs = [_row(summary.to_dict(), ws.state(summary.thread_id).values,
                 trails.get(summary.thread_id) or _Trail())
            for summary in ws.status()]
    runs.sort(key=lambda r: (r["started"] or "", r["thread_id"]), reverse=True)
    return runs, trails


def run_rows(ws: Workspace) -> list[dict[str, Any]]:
    """Every run as the dashboard lists it (newest first), unfiltered."""
    return _runs(ws)[0]


def _reviewers(decisions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    names = {"approve": "approved", "reject": "rejected", "correct": "corrected",
             "refused": "refused"}
    for d in decisions:
        entry = counts.setdefault(str(d["by"]), {
            "name": str(d["by"]), "approved": 0, "rejected": 0, "corrected": 0, "refused": 0,
            "runs": set(), "last_at": None})
        if d["decision"] in names:
            entry[names[d["decision"]]] += 1
        entry["runs"].add(d["thread_id"])
        entry["last_at"] = max(entry["last_at"] or "", d["at"])
    return [{**e, "runs": len(e["runs"])} for _, e in sorted(counts.items())]


def dashboard(ws: Workspace, filters: RunFilter) -> dict[str, Any]:
    """The runs that match ``filters`` (newest first), their decisions (newest first),
    the reviewers who made them, and how many runs there are per status."""
    runs, trails = _runs(ws)
    shown = [r for r in runs if filters.matches(r)]
    decisions = sorted((d for r in shown for d in (trails.get(r["thread_id"]) or _Trail()).decisions),
                       key=lambda d: (d["at"], d["seq"]), reverse=True)
    if filters.reviewer is not None:
        decisions = [d for d in decisions if d["by"] == filters.reviewer]
    counts: dict[str, int] = {}
    for r in shown:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"runs": shown, "total": len(runs), "decisions": decisions,
            "thresholds": {"high": HIGH, "low": LOW}, "classes": _classes(mermaid(
                path_mermaid([]), [])),
            "reviewers": _reviewers(decisions), "counts": counts,
            "statuses": sorted({r["status"] for r in runs}),
            "routes": sorted({r["route"] for r in runs if r["route"]}),
            "reviewer_names": sorted({n for r in runs for n in r["reviewers"]})}


def _title(step: Step) -> str:
    parts = [step.node, step.status]
    if step.ms is not None:
        parts.append(f"{step.ms:.2f} ms")
    if step.confidence is not None:
        parts.append(f"confidence {step.confidence:.2f}")
    return ", ".join(parts) + (f": {step.decision}" if step.decision else "")


def _classes(text: str) -> dict[str, str]:
    """The viewer's colour classes (``wfHigh``...) as its Mermaid text declares them, so
    the pages colour tables exactly like the diagram."""
    return {name: style for name, style in parse_mermaid(text).styles.items()
            if name.startswith("wf")}


def run_diagram(ws: Workspace, thread_id: str) -> tuple[list[Step], dict[str, Any]]:
    """The run's steps, and its diagram as ``{mermaid, svg, graph, classes}``.

    Raises:
        RunNotFound: no run has this thread id.
    """
    values = ws.state(thread_id).values
    steps = run_path(values, list(ws.audit.records(thread_id)))
    graph = ws.graph.get_graph()
    if all(step.node in graph.nodes for step in steps):
        drawing, kind = graph.draw_mermaid(), "invoice"
    else:
        drawing, kind = path_mermaid([step.node for step in steps]), "path"
    text = mermaid(drawing, steps)
    titles = {step.node: _title(step) for step in steps}
    svg = render_svg(parse_mermaid(text), titles=titles, label=f"path of run {thread_id}")
    return steps, {"mermaid": text, "svg": svg, "graph": kind, "classes": _classes(text)}


def run_detail(ws: Workspace, thread_id: str) -> dict[str, Any]:
    """Everything the run page shows: the dashboard row, steps, decisions, diagram."""
    steps, diagram = run_diagram(ws, thread_id)
    [summary] = ws.status(thread_id)
    trail = _audit_trails(ws.audit.records(thread_id)).get(thread_id) or _Trail()
    return {"run": _row(summary.to_dict(), ws.state(thread_id).values, trail),
            "steps": [step.to_dict() for step in steps], "decisions": trail.decisions,
            "diagram": diagram, "thresholds": {"high": HIGH, "low": LOW}}


def _filters(
    status: Annotated[str | None, Query(max_length=64)] = None,
    route: Annotated[str | None, Query(max_length=64)] = None,
    reviewer: Annotated[str | None, Query(max_length=128)] = None,
    vendor: Annotated[str | None, Query(max_length=200)] = None,
    since: date | None = None,
    until: date | None = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    max_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> RunFilter:
    # An empty form field means "any", as the page sends them.
    return RunFilter(status or None, route or None, reviewer or None, vendor or None, since,
                     until, min_confidence, max_confidence)


def dashboard_router(ctx: AppContext) -> APIRouter:
    """The dashboard's pages and API."""
    router = APIRouter()

    audit_html, run_html = page_html("audit.html"), page_html("audit-run.html")

    @router.get("/audit", include_in_schema=False)
    def audit_page() -> HTMLResponse:
        return HTMLResponse(audit_html)

    @router.get("/audit/runs/{thread}", include_in_schema=False)
    def run_page(thread: Thread) -> HTMLResponse:
        return HTMLResponse(run_html)

    @router.get("/api/audit/runs")
    def runs(principal: Reader, filters: Annotated[RunFilter, Depends(_filters)]
             ) -> dict[str, Any]:
        with ctx.workspace() as ws:
            return dashboard(ws, filters)

    @router.get("/api/audit/runs/{thread}")
    def run(thread: Thread, principal: Reader) -> dict[str, Any]:
        with ctx.workspace() as ws:
            return run_detail(ws, thread)

    @router.get("/api/audit/runs/{thread}/diagram", response_model=None)
    def diagram(thread: Thread, principal: Reader,
                format: Literal["json", "svg", "mermaid"] = "json"
                ) -> dict[str, Any] | Response:
        with ctx.workspace() as ws:
            _, drawing = run_diagram(ws, thread)
        if format == "svg":
            return Response(drawing["svg"], media_type="image/svg+xml")
        if format == "mermaid":
            name = "".join(c if c.isalnum() or c in "-_." else "_" for c in thread)
            return Response(drawing["mermaid"], media_type="text/plain; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.mmd"'})
        return drawing

    return router
