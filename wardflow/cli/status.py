"""``wardflow status``, ``wardflow trace`` and ``wardflow explain``: what runs did and why."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wardflow.cli._common import (
    JsonOption,
    guarded,
    load_settings,
    open_workspace,
    out,
    print_json,
    print_review_hints,
    runs_table,
)
from wardflow.status import FILTER_STATES

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary

__all__ = ["explain", "status", "trace"]



def status(
    thread: Annotated[str | None, typer.Argument(help="One run's thread id.")] = None,
    state: Annotated[list[str] | None, typer.Option(
        "--state", help="Only runs in this state (repeatable): "
        + ", ".join(FILTER_STATES) + ".")] = None,
    vendor: Annotated[str | None, typer.Option(
        "--vendor", help="Only runs whose document is from this vendor (part of the name,"
        " or its id).")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Only runs with this reason code (or part of it), e.g."
        " over_approval_limit.")] = None,
    older_than: Annotated[str | None, typer.Option(
        "--older-than", help="Only runs unchanged for this long: 30m, 4h, 2d, 1w.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List runs: state, confidence, risk, and whether they wait for review."""
    from wardflow.cli._filters import filter_runs, parse_age

    def run() -> list[RunSummary]:
        age = parse_age(older_than) if older_than is not None else None
        with open_workspace() as ws:
            runs = ws.status(thread)
            if state or vendor is not None or reason or age is not None:
                runs = filter_runs(ws, runs, states=state or (), vendor=vendor, reason=reason,
                                   older_than=age)
            return runs

    runs = guarded(run)
    if as_json:
        print_json([r.to_dict() for r in runs] if thread is None or not runs
                    else runs[0].to_dict())
    else:
        out.print(runs_table(runs, f"{len(runs)} run(s)"))
        print_review_hints(runs)


def trace(
    thread: Annotated[str, typer.Argument(help="A run's thread id.")],
    as_mermaid: Annotated[bool, typer.Option("--mermaid", help="A Mermaid diagram, coloured"
                                             " by confidence.")] = False,
    spans: Annotated[bool, typer.Option("--spans", help="The exported spans.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The path a run took through the graph, with timings and confidence per step."""
    from wardflow.observability.tracing import trace_id_for
    from wardflow.observability.viewer import mermaid, read_spans, render_trace, run_path

    def run() -> Any:
        with open_workspace() as ws:
            state = ws.state(thread).values
            steps = run_path(state, list(ws.audit.records(thread)), startup=True)
            nodes = [s for s in steps if s.node != "startup"]  # not a node of the graph
            drawing = mermaid(ws.graph.get_graph().draw_mermaid(), nodes) if as_mermaid else ""
            return steps, drawing

    steps, drawing = guarded(run)
    if spans:
        print_json(read_spans(load_settings().traces_path, thread_id=thread))
    elif as_mermaid:
        sys.stdout.write(drawing)
    elif as_json:
        print_json([s.to_dict() for s in steps])
    else:
        out.print(render_trace(steps, title=f"{thread}  trace {trace_id_for(thread)}"))


def explain(
    thread: Annotated[str, typer.Argument(help="A run's thread id.")],
    with_model: Annotated[bool, typer.Option("--llm", help="Let the model rephrase each claim"
                                             " (kept only when faithful to its evidence).")
                          ] = False,
    as_json: JsonOption = False,
) -> None:
    """Why each decision in a run was taken, each claim with its evidence."""
    from wardflow.observability.explain import explain_run, grounding_report

    def run() -> tuple[Any, Any]:
        with open_workspace() as ws:
            state = ws.run_values(thread)
            records = list(ws.audit.records(thread))
            llm = None
            if with_model and ws.settings.model.lower() != "none":
                from wardflow.llm.client import LLM

                llm = LLM(ws.settings)
            explanation = explain_run(state, records, llm=llm)
            return explanation, grounding_report(explanation, state, records)

    explanation, report = guarded(run)
    if as_json:
        print_json({**explanation.to_dict(), "grounding": report.to_dict()})
    else:
        out.print(explanation.render())
