"""``wardflow replay``: re-run a past run from a checkpoint with other settings."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from wardflow.cli._common import (
    JsonOption,
    err,
    guarded,
    load_settings,
    out,
    print_json,
)
from wardflow.cli._progress import spinner

__all__ = ["replay_run"]



def replay_run(
    thread: Annotated[str, typer.Argument(help="A run's thread id.")],
    from_: Annotated[str | None, typer.Option(
        "--from", help="Checkpoint id (or a unique prefix), step number, or the node to replay"
        " from (default: right after ingest).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the run's checkpoints.")] = False,
    model: Annotated[str | None, typer.Option("--model", help="Model to replay with (none,"
                                              " local/gemma-3-270m, any litellm name).")] = None,
    config: Annotated[Path | None, typer.Option("--config", exists=True, dir_okay=False,
                                                help="Settings file (TOML, the keys of"
                                                " wardflow.toml) laid over the current ones.")
                      ] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0,
                                                    help="Review threshold to replay with.")
                         ] = None,
    as_: Annotated[str | None, typer.Option("--as", help="Who replays (audited; default:"
                                            " login name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-run a past run from a checkpoint with other settings, side effects disabled,
    and show what would have changed."""
    from wardflow.graphs.replay import checkpoints, replay, replay_settings

    if list_:
        listed = guarded(lambda: checkpoints(load_settings(), thread))
        if as_json:
            print_json([c.to_dict() for c in listed])
            return
        table = Table(title=f"{thread}: {len(listed)} checkpoint(s)", title_justify="left")
        for column in ("step", "checkpoint", "written by", "next", "time"):
            table.add_column(column, overflow="fold")
        for c in listed:
            table.add_row(str(c.step), c.checkpoint_id, c.written_by, ", ".join(c.next) or "(end)",
                          c.created_at[:23])
        out.print(table)
        return
    base = load_settings()

    def run() -> Any:
        with spinner(err, f"replaying {thread} from {from_ or 'after ingest'}",
                     quiet=as_json):
            return replay(base, thread, from_, by=as_ or getpass.getuser(),
                          settings=replay_settings(base, model=model, config_file=config,
                                                   review_threshold=threshold))

    result = guarded(run)
    if as_json:
        print_json(result.to_dict())
    else:
        out.print(result.render())
