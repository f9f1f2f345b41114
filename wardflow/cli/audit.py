"""``wardflow audit``: the tamper-evident audit log."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from wardflow.cli._common import (
    EXIT_ERROR,
    JsonOption,
    as_record,
    err,
    load_settings,
    out,
    print_json,
)

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first record that does not hold."""
    from wardflow.graphs.stores import open_audit_log

    log = open_audit_log(load_settings())
    try:
        report = log.verify()
    finally:
        log.close()
    if report.ok:
        out.print(f"audit chain intact: {report.records} record(s)")
        return
    err.print(f"[red]audit chain broken[/red] at record {report.first_bad_seq}: {report.reason}")
    raise typer.Exit(EXIT_ERROR)


@audit_app.command("show")
def audit_show(
    thread: Annotated[str, typer.Argument(help="A run's thread id.")],
    as_json: JsonOption = False,
) -> None:
    """A run's audit records, in order."""
    from wardflow.graphs.stores import open_audit_log

    log = open_audit_log(load_settings())
    try:
        records = list(log.records(thread))
    finally:
        log.close()
    if as_json:
        print_json([r.__dict__ if hasattr(r, "__dict__") else as_record(r) for r in records])
        return
    table = Table(title=f"{thread}: {len(records)} record(s)", title_justify="left")
    for column in ("seq", "time", "actor", "action", "digest"):
        table.add_column(column)
    for r in records:
        table.add_row(str(r.seq), r.ts[:23], r.actor, r.action, r.payload_digest[:12])
    out.print(table)
