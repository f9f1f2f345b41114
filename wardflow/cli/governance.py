"""``wardflow gdpr``, ``wardflow feedback``, ``wardflow risk`` and ``wardflow compliance``:
the commands of the compliance packs and the feedback loop (registered by
:mod:`wardflow.cli.app`)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from wardflow.cli._common import (
    EXIT_ERROR,
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    load_settings,
    open_workspace,
    out,
    print_json,
)

__all__ = ["compliance_app", "feedback_app", "gdpr_app", "risk_app"]

gdpr_app = typer.Typer(help="Personal data: erasure on request, the audit trail kept.",
                       no_args_is_help=True)
feedback_app = typer.Typer(help="Reviewer decisions as labelled examples.", no_args_is_help=True)
risk_app = typer.Typer(help="The risk score's weights.", no_args_is_help=True)
compliance_app = typer.Typer(help="Compliance checks over what was posted.",
                             no_args_is_help=True)


@gdpr_app.command("erase")
def gdpr_erase(
    subject: Annotated[str | None, typer.Argument(help="Who to erase: a name, an email, an"
                                                  " IBAN.")] = None,
    expired: Annotated[bool, typer.Option("--expired", help="Instead: every run finished"
                                          " longer ago than gdpr_retention_days.")] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why (audited).")] = (
        "data subject request"),
    as_: Annotated[str | None, typer.Option("--as", help="Who erases (audited; default:"
                                            " login name).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be erased;"
                                          " change nothing.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Erase a data subject's personal data: runs, documents, memory records, drift
    samples, spans, vault tokens; audit records are redacted so `wardflow audit verify`
    still passes. ERP postings are kept."""
    from wardflow.operations.erasure import erase_expired, erase_subject

    if (subject is None) == (not expired):
        err.print("[red]error:[/red] name a SUBJECT or --expired, not both")
        raise typer.Exit(EXIT_USAGE)

    def run() -> Any:
        with open_workspace() as ws:
            by = as_ or getpass.getuser()
            if subject is None:
                return erase_expired(ws, by=by, dry_run=dry_run)
            return erase_subject(ws, subject, by=by, reason=reason, dry_run=dry_run)

    report = guarded(run)
    if as_json:
        print_json(report.to_dict())
    else:
        _print_erasure(report, dry_run=dry_run)
    if report.not_erased:
        raise typer.Exit(1)


def _print_erasure(report: Any, *, dry_run: bool) -> None:
    out.print(("would erase" if dry_run else "erased") + f" {len(report.threads)} run(s):"
              f" {', '.join(report.threads) or 'none'};"
              f" {report.redacted_records} audit record(s) redacted,"
              f" {len(report.storage_keys)} stored object(s) deleted,"
              f" {report.memory_records} memory record(s),"
              f" {report.drift_samples} drift sample(s),"
              f" {report.trace_spans} span(s),"
              f" {report.vault_tokens} vault token(s) deleted")
    if report.retained_postings:
        out.print("kept (accounting records, GDPR Art. 17(3)(b)): "
                  + ", ".join(report.retained_postings))
    for place in report.elsewhere:
        out.print(f"[yellow]erase elsewhere:[/yellow] {place}")
    for place in report.not_erased:
        err.print(f"[red]not erased (run the erasure again):[/red] {place}")


@feedback_app.command("export")
def feedback_export(
    folder: Annotated[Path, typer.Argument(help="Empty folder for the dataset.")],
    as_json: JsonOption = False,
) -> None:
    """Write reviewer decisions and corrections as an eval dataset (labels.jsonl, the
    documents, erp.json): `wardflow eval FOLDER` runs it."""
    from wardflow.review.feedback import export_dataset

    def run() -> Any:
        with open_workspace() as ws:
            return export_dataset(ws, folder)

    examples = guarded(run)
    if as_json:
        print_json([e.to_dict() for e in examples])
        return
    rejected = sum(e.must_not_pay for e in examples)
    out.print(f"exported {len(examples)} labelled run(s) ({rejected} rejected) to"
              f" {folder / 'labels.jsonl'}")


@risk_app.command("fit")
def risk_fit(
    holdout: Annotated[int, typer.Option("--holdout", min=0, help="Hold back every Nth"
                                         " decision for the before/after report.")] = 4,
    strength: Annotated[float, typer.Option("--strength", min=0.0, help="Pull towards the"
                                            " current weights (L2 on log-odds).")] = 1.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report only; save nothing.")
                       ] = False,
    as_json: JsonOption = False,
) -> None:
    """Re-fit the risk weights from reviewer decisions, compare on held-back cases, and
    save them (home/risk-weights.json) for the risk node."""
    from wardflow.agents.risk import WEIGHTS
    from wardflow.agents.risk_fit import fit_weights, load_weights, save_weights
    from wardflow.review.feedback import collect_examples

    settings = load_settings()

    def run() -> Any:
        with open_workspace() as ws:
            examples = collect_examples(ws)
        current = {**WEIGHTS, **((load_weights(settings) or ({}, ""))[0])}
        return fit_weights([(e.risk_reasons, e.must_not_pay) for e in examples], current,
                           threshold=settings.risk_threshold, holdout=holdout,
                           strength=strength)

    result = guarded(run)
    if not dry_run:
        save_weights(result, settings.risk_weights_path)
    if as_json:
        print_json({**result.to_dict(), "saved": None if dry_run
                     else str(settings.risk_weights_path)})
        return
    table = Table(title=f"risk weights {result.version}: {result.train} decision(s) fitted,"
                  f" {result.held_out} held back", title_justify="left")
    for column in ("signal", "before", "after"):
        table.add_column(column)
    for code, weight in result.weights.items():
        table.add_row(code, f"{result.prior[code]:.3f}", f"{weight:.3f}")
    out.print(table)
    for metric in ("log_loss", "brier", "accuracy"):
        out.print(f"held back {metric}: {result.before[metric]} -> {result.after[metric]}")
    out.print("not saved (--dry-run)" if dry_run else f"saved {settings.risk_weights_path}")


@compliance_app.command("trace")
def compliance_trace(as_json: JsonOption = False) -> None:
    """SOX: every posting traceable to an approval or the auto-approval rule, made by
    someone allowed to (exit 1 when a posting fails)."""
    from wardflow.agents.policies import trace_postings
    from wardflow.graphs.invoice import AUTO_APPROVER

    def run() -> list[dict[str, Any]]:
        with open_workspace() as ws:
            submitters = {}
            for thread in ws.threads():
                values = ws.graph.get_state({"configurable": {"thread_id": thread}}).values
                submitters[thread] = values.get("submitted_by")
            principals = {p.name: p for p in ws.principals.all()}
            return trace_postings(ws.erp.postings(), ws.audit.records(), principals,
                                  auto_approver=AUTO_APPROVER, submitters=submitters,
                                  to_approval_currency=ws.settings.to_approval_currency)

    findings = guarded(run)
    failed = [f for f in findings if f["outcome"] == "fail"]
    if as_json:
        print_json(findings)
    else:
        table = Table(title=f"{len(findings)} finding(s), {len(failed)} failed",
                      title_justify="left")
        for column in ("posting", "rule", "outcome", "detail", "action"):
            table.add_column(column, overflow="fold")
        for f in findings:
            table.add_row(str(f["evidence"].get("posting_id")), f["rule"], f["outcome"],
                          f["detail"], f["action"])
        out.print(table)
    if failed:
        err.print(f"[red]{len(failed)} SOX finding(s) failed[/red]")
        raise typer.Exit(EXIT_ERROR)
