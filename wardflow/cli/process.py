"""``wardflow process`` and ``wardflow run``: documents, or a natural-language request,
through the invoice workflow."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wardflow.cli._common import (
    EXIT_FAILED_DOCUMENTS,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    load_settings,
    open_workspace,
    out,
    print_json,
    print_review_hints,
    runs_table,
)
from wardflow.cli._progress import Steps
from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary, Workspace

__all__ = ["process", "run_prompt"]



def process(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders, maildirs or .eml files.")],
    as_: Annotated[str | None, typer.Option("--as", help="Who submits (default: login name);"
                                            " a submitter may not approve the same case.")] = None,
    shadow: Annotated[Path | None, typer.Option(
        "--shadow", exists=True, dir_okay=False, help="Candidate settings (TOML) run beside"
        " the live ones on the same documents, without acting; disagreements are audited"
        " (shadow.compare).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Run documents in parallel on N Ray workers (wardflow[ray]):"
        " a local cluster, or the one at --address.")] = None,
    address: Annotated[str | None, typer.Option(
        "--address", help="Ray cluster to use with --workers: auto, host:port or"
        " ray://host:10001 (default: WARDFLOW_RAY_ADDRESS, else a local cluster).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run the invoice workflow on documents; pause the ones that need a human."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        raise typer.Exit(EXIT_USAGE)
    shadows: list[dict[str, Any]] = []

    def run() -> list[RunSummary]:
        if workers is not None or address is not None:
            if shadow is not None:
                raise ConfigError("--shadow runs in one process; leave out --workers")
            return _process_on_ray(paths, workers, address, as_ or getpass.getuser(),
                                   quiet=as_json)
        with open_workspace() as ws:
            results = []
            if shadow is not None:
                return _process_with_shadow(ws, paths, shadow, as_ or getpass.getuser(),
                                            shadows, quiet=as_json)
            items = ws.items(paths)
            with Steps(err, len(items), "processing", quiet=as_json) as steps:
                for item in items:
                    steps.start(Path(item.source).name)
                    summary = ws.process_item(item, submitted_by=as_ or getpass.getuser())
                    results.append(summary)
                    steps.done(f"{summary.thread_id}  {Path(summary.document).name}",
                               summary.status)
            return results

    runs = guarded(run)
    if as_json:
        print_json([r.to_dict() for r in runs] if shadow is None else
                    [{**r.to_dict(), "shadow": s} for r, s in zip(runs, shadows, strict=True)])
    else:
        out.print(runs_table(runs, f"{len(runs)} document(s)"))
        print_review_hints(runs)
    if any(r.status == "failed" or r.error for r in runs):
        raise typer.Exit(EXIT_FAILED_DOCUMENTS)


def _process_on_ray(paths: Sequence[Path], workers: int | None, address: str | None, by: str,
                    *, quiet: bool) -> list[RunSummary]:
    from wardflow.graphs.workers import process_on_ray

    settings = load_settings()
    results = []
    for summary in process_on_ray(settings, paths, workers=workers or settings.workers,
                                  address=address, submitted_by=by):
        results.append(summary)
        if not quiet:
            err.print(f"{summary.thread_id}  {summary.status:<16} {summary.document}")
    return results


def run_prompt(
    prompt: Annotated[str, typer.Argument(help='e.g. "process the invoices in examples/inbox'
                                          ' and hold anything over 5,000 EUR for a controller"')],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Run without asking.")] = False,
    as_: Annotated[str | None, typer.Option("--as", help="Who asks (the submitter).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Plan a natural-language request, show the plan, confirm, and run it."""
    who = as_ or getpass.getuser()

    def make_plan() -> Any:
        with open_workspace() as ws:
            return ws.plan(prompt, principal=who, workdir=Path.cwd())

    plan = guarded(make_plan)
    if plan.refused:
        err.print(f"[red]refused:[/red] {plan.refused}")
        if as_json:
            print_json({"plan": plan.to_dict()})
        raise typer.Exit(EXIT_REFUSED)
    if not as_json:
        out.print(f"plan ({plan.source}):")
        for number, step in enumerate(plan.steps, 1):
            out.print(f"  {number}. {step}")
    if not yes:
        if not sys.stdin.isatty():
            err.print("[red]error:[/red] not a terminal: confirm with --yes")
            raise typer.Exit(EXIT_USAGE)
        if not typer.confirm("Run this plan?", default=False):
            raise typer.Exit(EXIT_OK)

    def run() -> dict[str, Any]:
        with open_workspace() as ws, Steps(err, None, "running the plan", quiet=as_json) as steps:
            return ws.run_plan(plan, submitted_by=who, progress=steps.callback)

    result = guarded(run)
    if as_json:
        print_json(result)
        return
    if "runs" in result:
        from wardflow.graphs.workspace import RunSummary

        summaries = [RunSummary(**r) for r in result["runs"]]
        out.print(runs_table(summaries, f"{len(result['runs'])} document(s)"))
        print_review_hints(summaries)
        for skip in result.get("skipped", []):
            out.print(f"skipped {skip['document']}: {skip['reason']}", highlight=False)
    else:
        found = result["duplicates"]
        out.print(f"{len(found)} duplicate posting(s) today")
        for d in found:
            out.print(f"  {d['posting_id']} {d['vendor_id']} {d['invoice_number']}: also"
                      f" {', '.join(d['duplicates'])}")


def _process_with_shadow(ws: Workspace, paths: Sequence[Path], candidate: Path, by: str,
                         shadows: list[dict[str, Any]], *, quiet: bool) -> list[RunSummary]:
    from wardflow.graphs.replay import replay_settings
    from wardflow.graphs.shadow import process_with_shadow

    settings = replay_settings(ws.settings, config_file=candidate)
    results = []
    for summary, result in process_with_shadow(ws, paths, settings, submitted_by=by):
        results.append(summary)
        shadows.append(result.to_dict() if result else {})
        if not quiet:
            differ = ", ".join(f"{r.what} {r.original} -> {r.replay}"
                               for r in (result.disagreements if result else []))
            err.print(f"{summary.thread_id}  {summary.status:<16} {summary.document}  shadow: "
                      + ("-" if result is None else differ or "agrees"))
    return results
