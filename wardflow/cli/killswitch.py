"""``wardflow kill-switch``: stop new runs and park running ones."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer

from wardflow.cli._common import (
    JsonOption,
    guarded,
    load_settings,
    open_workspace,
    out,
    print_json,
    runs_table,
)

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary

__all__ = ["kill_app"]

kill_app = typer.Typer(help="Stop new runs and park running ones before their next side"
                       " effect.", no_args_is_help=True)


@kill_app.command("on")
def kill_on(
    reason: Annotated[str, typer.Option("--reason", help="Why (audited).")],
    workflow: Annotated[str, typer.Option("--workflow", help="A workflow, or all.")] = "*",
    as_: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Engage the kill switch."""

    def run() -> None:
        with open_workspace() as ws:
            ws.engage_kill_switch(reason, by=as_ or getpass.getuser(), workflow=workflow)

    guarded(run)
    out.print(f"kill switch ON for {'all workflows' if workflow == '*' else workflow}: {reason}")


@kill_app.command("off")
def kill_off(
    workflow: Annotated[str, typer.Option("--workflow")] = "*",
    as_: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Release the kill switch and continue the runs it parked."""

    def run() -> list[RunSummary]:
        with open_workspace() as ws:
            return ws.release_kill_switch(by=as_ or getpass.getuser(), workflow=workflow)

    resumed = guarded(run)
    out.print(f"kill switch OFF; {len(resumed)} parked run(s) continued")
    if resumed:
        out.print(runs_table(resumed, "continued"))


@kill_app.command("status")
def kill_status(as_json: JsonOption = False) -> None:
    """Whether the kill switch is on, for what, why and since when."""
    from wardflow.graphs.control import KillSwitch

    switch = KillSwitch(load_settings().control_path)
    try:
        engaged = switch.engaged()
    finally:
        switch.close()
    if as_json:
        print_json([s.__dict__ if hasattr(s, "__dict__") else
                     {"workflow": s.workflow, "reason": s.reason, "by": s.by, "at": s.at}
                     for s in engaged])
        return
    if not engaged:
        out.print("kill switch off")
    for s in engaged:
        out.print(f"ON for {s.workflow} since {s.at[:19]} by {s.by}: {s.reason}")
