"""``wardflow blueprint`` and ``wardflow watch``: YAML workflows and their event triggers."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from wardflow.cli._common import (
    EXIT_ERROR,
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    load_settings,
    open_workspace,
    out,
    print_json,
)
from wardflow.cli._progress import Steps
from wardflow.errors import ReviewError

__all__ = ["blueprint_app", "watch"]

blueprint_app = typer.Typer(help="YAML workflows: validate, draw, run, decide.",
                             no_args_is_help=True)


def _blueprint(file: Path) -> Any:
    from wardflow.graphs.blueprint import load_blueprint

    return load_blueprint(file, load_settings())


@blueprint_app.command("validate")
def blueprint_validate(file: Annotated[Path, typer.Argument()]) -> None:
    """Check a blueprint; list every problem with its line and reason."""
    from wardflow.graphs.blueprint import BlueprintError

    try:
        blueprint = _blueprint(file)
    except BlueprintError as error:
        err.print(str(error))
        raise typer.Exit(EXIT_ERROR) from error
    out.print(f"{file}: valid blueprint {blueprint.name!r}, trigger {blueprint.trigger.kind},"
              f" {len(blueprint.steps)} step(s): {', '.join(s.name for s in blueprint.steps)}")


@blueprint_app.command("graph")
def blueprint_graph(
    file: Annotated[Path, typer.Argument()],
    svg: Annotated[Path | None, typer.Option("--svg", help="Write the graph as an SVG image"
                                             " to this file (else print Mermaid).")] = None,
) -> None:
    """Draw a blueprint's graph (Mermaid, or an SVG image with --svg)."""
    from wardflow.graphs.blueprint_graph import build_blueprint_graph
    from wardflow.services import build_services

    def run() -> str:
        settings = load_settings().model_copy(update={"model": "none"})
        # Drawing runs nothing: every store in memory.
        with build_services(settings, scratch=True) as services:
            compiled = build_blueprint_graph(_blueprint(file), settings, services=services)
            return str(compiled.get_graph().draw_mermaid())

    drawing = guarded(run)
    if svg is None:
        sys.stdout.write(drawing)
        return
    from wardflow.observability.diagram import parse_mermaid, render_svg

    image = render_svg(parse_mermaid(drawing), label=f"blueprint {file.stem}")
    try:
        svg.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + image + "\n",
                       encoding="utf-8")
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {svg}: {error.strerror}")
        raise typer.Exit(EXIT_ERROR) from error
    out.print(f"wrote {svg}", highlight=False)


@blueprint_app.command("run")
def blueprint_run(
    file: Annotated[Path, typer.Argument()],
    inputs: Annotated[list[Path], typer.Argument(help="Documents, folders or .eml files.")],
    as_: Annotated[str | None, typer.Option("--as", help="Who submits.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a blueprint on documents; approval tasks pause for `blueprint decide`."""

    def run() -> list[dict[str, Any]]:
        with open_workspace() as ws:
            return ws.run_blueprint(_blueprint(file), inputs,
                                    submitted_by=as_ or getpass.getuser())

    results = guarded(run)
    if as_json:
        print_json(results)
        return
    for r in results:
        out.print(f"{r['thread_id']}  {_progress(r)} {Path(r['document']).name}"
                  f"  {json.dumps(r['vars'])}")


@blueprint_app.command("decide")
def blueprint_decide(
    file: Annotated[Path, typer.Argument()],
    thread: Annotated[str, typer.Argument()],
    as_: Annotated[str | None, typer.Option("--as", help="The deciding principal.")] = None,
    approve: Annotated[bool, typer.Option("--approve")] = False,
    reject: Annotated[bool, typer.Option("--reject")] = False,
    comment: Annotated[str, typer.Option("--comment")] = "",
    interrupt: Annotated[str | None, typer.Option("--interrupt", help="Which pending approval,"
                                                  " when several are: its step name (stable,"
                                                  " e.g. sign_off__2) or interrupt id.")
                         ] = None,
    as_json: JsonOption = False,
) -> None:
    """Approve or reject a blueprint run paused at an approval task."""
    if approve == reject:
        err.print("[red]error:[/red] give exactly one of --approve or --reject")
        raise typer.Exit(EXIT_USAGE)
    from wardflow.review.payloads import ReviewDecision

    decision = ReviewDecision(decision="approve" if approve else "reject",
                              by=as_ or getpass.getuser(), comment=comment)

    def run() -> dict[str, Any]:
        with open_workspace() as ws:
            blueprint = _blueprint(file)
            try:
                result = ws.decide_blueprint(blueprint, thread, decision, interrupt_id=interrupt)
            except ReviewError as error:
                err.print(f"[red]refused:[/red] {error}", highlight=False)
                _print_board(ws.approval_board(blueprint, thread), err)
                raise typer.Exit(EXIT_REFUSED) from error
            if result["waiting"]:
                result["approvals"] = ws.approval_board(blueprint, thread)
            return result

    result = guarded(run)
    if as_json:
        print_json(result)
    else:
        out.print(f"{result['thread_id']}  {_progress(result).rstrip()}", highlight=False)
        if "approvals" in result:
            _print_board(result["approvals"], out)


def _print_board(board: dict[str, Any], console: Console) -> None:
    approved = ", ".join(f"{a['by']} ({a['step']})" for a in board["approved"]) or "nobody yet"
    console.print(f"approved by: {approved}", highlight=False)
    for item in board["pending"]:
        console.print(f"pending: {item['step']}  id {item['id']}  needs"
                      f" {item['required_role']}", highlight=False, soft_wrap=True)
    if board["pending"]:
        console.print(f"may still approve: {', '.join(board['may_approve']) or 'nobody'}",
                      highlight=False)


@blueprint_app.command("status")
def blueprint_status(
    file: Annotated[Path, typer.Argument()],
    thread: Annotated[str, typer.Argument()],
    as_json: JsonOption = False,
) -> None:
    """A blueprint run's state: who approved, which approvals are pending (by step name,
    a stable id for `blueprint decide --interrupt`) and who may still approve."""

    def run() -> dict[str, Any]:
        with open_workspace() as ws:
            blueprint = _blueprint(file)
            result = ws.blueprint_status(blueprint, thread)
            result["approvals"] = ws.approval_board(blueprint, thread)
            return result

    result = guarded(run)
    if as_json:
        print_json(result)
        return
    out.print(f"{result['thread_id']}  {_progress(result).rstrip()}", highlight=False)
    _print_board(result["approvals"], out)


def _progress(result: dict[str, Any]) -> str:
    """A blueprint run's status and what its last step did, as one padded column."""
    step = f" ({result['step_status']})" if result.get("step_status") else ""
    return f"{result['status'] + step:<40}"


def watch(
    file: Annotated[Path, typer.Argument(help="A blueprint with a document_uploaded trigger.")],
    folder: Annotated[Path | None, typer.Option("--folder", help="Watch this folder instead"
                                                " of the trigger's storage location.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Scan once and exit.")] = False,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between scans.")] = 5.0,
    rounds: Annotated[int | None, typer.Option(
        "--rounds", min=1, help="Scan this many times, then exit (a message stream source"
        " reads at most WARDFLOW_STREAM_BATCH messages a round).")] = None,
) -> None:
    """Watch a folder, a maildir or a message stream (Redis, NATS): one run per new
    document, attachment or message, exactly once, across restarts (see the blueprint's
    trigger source)."""
    from wardflow.runtime.events import poll

    blueprint = guarded(lambda: _blueprint(file))
    if blueprint.trigger.kind != "event":
        err.print(f"[red]error:[/red] {file} is not triggered by an event")
        raise typer.Exit(EXIT_USAGE)

    forever = not once and rounds is None

    def scan() -> int:
        from wardflow.runtime.streams import StreamError

        try:
            with open_workspace() as ws, Steps(err, None, "new documents") as steps:
                results = ws.watch_once(blueprint, folder, progress=steps.callback)
        except StreamError as error:
            if not (forever and error.retryable):
                raise
            err.print(f"[yellow]warning:[/yellow] {error}; trying again in {interval:g} s")
            return 0
        for r in results:
            out.print(f"{r['thread_id']}  {_progress(r)} {Path(r['document']).name}",
                      highlight=False)
        return len(results)

    total = guarded(lambda: poll(interval, 1 if once else rounds, scan))
    out.print(f"{total} document(s) started")
