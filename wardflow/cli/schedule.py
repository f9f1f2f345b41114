"""``wardflow schedule``: cron schedules of blueprints."""

from __future__ import annotations

from datetime import UTC, datetime
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
    out,
    print_json,
)

__all__ = ["schedule_app"]

schedule_app = typer.Typer(help="Cron schedules of blueprints: list them, fire what is due.",
                           no_args_is_help=True)


BlueprintPaths = Annotated[list[Path], typer.Argument(help="Blueprint files, or folders of"
                                                    " them; only scheduled ones are used.")]


def _scheduler(paths: list[Path]) -> Any:
    from wardflow.graphs.schedule import Scheduler, load_scheduled

    settings = load_settings()
    return Scheduler(settings, load_scheduled(paths, settings))


@schedule_app.command("list")
def schedule_list(paths: BlueprintPaths, as_json: JsonOption = False) -> None:
    """Scheduled blueprints: cron, timezone, missed-run policy, next and last firings."""
    rows = guarded(lambda: _scheduler(paths).status())
    if as_json:
        print_json(rows)
        return
    table = Table(title="schedules", title_justify="left")
    for column in ("blueprint", "schedule", "timezone", "missed", "next firing", "last firing"):
        table.add_column(column)
    for row in rows:
        last = row["firings"][0] if row["firings"] else None
        table.add_row(row["blueprint"], row["schedule"], row["timezone"], row["missed"],
                      row["next_fire"][:16], f"{last['slot'][:16]} {last['state']}" if last else "-")
    out.print(table)


@schedule_app.command("tick")
def schedule_tick(
    paths: BlueprintPaths,
    now: Annotated[str | None, typer.Option("--now", help="Act as if it were this time (ISO"
                                            " 8601, UTC if no offset): for tests and replays.")
                   ] = None,
    as_json: JsonOption = False,
) -> None:
    """Fire every schedule that is due (run it each minute from cron where no `wardflow
    serve` runs; a slot is never fired twice, whoever ticks)."""
    moment = None
    if now is not None:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            err.print(f"[red]error:[/red] --now {now!r} is not an ISO 8601 time")
            raise typer.Exit(EXIT_USAGE) from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    firings = guarded(lambda: _scheduler(paths).tick(moment))
    if as_json:
        print_json([f.to_dict() for f in firings])
    for f in firings if not as_json else []:
        out.print(f"{f.blueprint}  {f.slot[:16]}  {f.state:<8} {f.runs} run(s)  {f.detail}")
    if not firings and not as_json:
        out.print("nothing due")
    if any(f.state == "failed" for f in firings):
        raise typer.Exit(EXIT_ERROR)
