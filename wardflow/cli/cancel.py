"""``wardflow cancel``: a controller ends a waiting or parked run for good, as the runs
page's Cancel button does (registered by :mod:`wardflow.cli.app`).

Only a controller may cancel (a cancel ends a case as a rejection would); the
cancellation is audited (``run.cancelled``: who, when, why, ``via: cli``), the run's
pending review or approvals disappear, and the run never posts, whatever resumes it
(:mod:`wardflow.graphs.cancel`). A finished or already cancelled run is refused with
:class:`~wardflow.errors.RunStateError`'s message and exit 4, and nothing changes.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wardflow.cli._common import (
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    open_workspace,
    out,
    print_json,
)
from wardflow.errors import RunStateError

if TYPE_CHECKING:
    from wardflow.graphs.blueprint import Blueprint
    from wardflow.graphs.workspace import Workspace

__all__ = ["cancel"]

OPERATORS = frozenset({"controller"})  # as the runs API (wardflow/web/operations.py)


class _Refused(Exception):
    """Why the caller may not cancel; reported with exit 4."""


def cancel(
    thread: Annotated[str, typer.Argument(help="The run's thread id (`wardflow status`).")],
    reason: Annotated[str, typer.Option("--reason", help="Why the run is cancelled (kept in"
                                        " the audit record).")],
    as_: Annotated[str | None, typer.Option("--as", help="The controller who cancels"
                                            " (default: login name).")] = None,
    blueprint_file: Annotated[Path | None, typer.Option(
        "--blueprint", help="The blueprint file of a blueprint run (`NAME:doc-...`); default:"
        " NAME.yaml in the data home's blueprints folder.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Cancel a run that waits for a decision or is parked (controllers only; audited).

    The run ends for good: nothing is left to approve, and it is never posted.
    """
    by = as_ or getpass.getuser()
    if not reason.strip():
        err.print("[red]error:[/red] --reason must say why the run is cancelled")
        raise typer.Exit(EXIT_USAGE)

    def run() -> dict[str, Any]:
        with open_workspace() as ws:
            principal = ws.principals.get(by)
            if principal is None or not principal.active:
                raise _Refused(f"{by!r} is not an active principal; only a controller may"
                               " cancel a run")
            if principal.role not in OPERATORS:
                raise _Refused(f"{by} is {principal.role}: only a controller may cancel a run")
            ws.rate_limit(by, "operations")
            blueprint = _blueprint_of(ws, thread, blueprint_file)
            try:
                return ws.cancel(thread, by=by, reason=reason, via="cli", blueprint=blueprint)
            except RunStateError as error:  # finished or cancelled already: nothing changed
                raise _Refused(str(error)) from error

    try:
        record = guarded(run)
    except (_Refused, _Usage) as refused:
        err.print(f"[red]{'refused' if isinstance(refused, _Refused) else 'error'}:[/red]"
                  f" {refused}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_REFUSED if isinstance(refused, _Refused) else EXIT_USAGE
                         ) from refused
    if as_json:
        print_json({"thread_id": thread, "status": "cancelled", "cancelled": record})
        return
    out.print(f"{thread}  cancelled (was {record['was']}) by {record['by']}: {record['reason']}",
              highlight=False, soft_wrap=True)


class _Usage(Exception):
    """The command line does not say enough (exit 2)."""


def _blueprint_of(ws: Workspace, thread: str, file: Path | None) -> Blueprint | None:
    """The blueprint a ``NAME:doc-...`` run belongs to; None for an invoice run."""
    from wardflow.graphs.blueprint import load_blueprint

    if ":" not in thread:
        if file is not None:
            raise _Usage(f"{thread} is an invoice run; --blueprint is for blueprint runs")
        return None
    name = thread.split(":", 1)[0]
    if file is None:
        root = ws.settings.blueprints_path
        found = [f for f in (root / f"{name}.yaml", root / f"{name}.yml") if f.is_file()]
        if not found:
            raise _Usage(f"{thread} is a run of blueprint {name!r}: give its file with"
                         " --blueprint FILE")
        file = found[0]
    blueprint = load_blueprint(file, ws.settings)
    if blueprint.name != name:
        raise _Usage(f"{file} is blueprint {blueprint.name!r}, not {name!r} of {thread}")
    return blueprint
