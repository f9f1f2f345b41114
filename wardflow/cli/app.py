"""The root ``wardflow`` command: its ``--home`` option and the registration of every
command and group, each defined in its own module of :mod:`wardflow.cli`.

Commands are listed in ``wardflow --help`` in the order they are registered here,
top-level commands first, then the groups.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from wardflow.cli._common import load_settings, state
from wardflow.cli._progress import quiet_third_party_logs
from wardflow.cli.audit import audit_app
from wardflow.cli.blueprint import blueprint_app, watch
from wardflow.cli.cancel import cancel
from wardflow.cli.drift import drift
from wardflow.cli.erp import erp_app
from wardflow.cli.evals import eval_app
from wardflow.cli.governance import compliance_app, feedback_app, gdpr_app, risk_app
from wardflow.cli.init import init
from wardflow.cli.keys import keys_app
from wardflow.cli.killswitch import kill_app
from wardflow.cli.principals import principals_app, tokens_app
from wardflow.cli.process import process, run_prompt
from wardflow.cli.replay import replay_run
from wardflow.cli.review import resume, review
from wardflow.cli.schedule import schedule_app
from wardflow.cli.serve import serve, worker
from wardflow.cli.status import explain, status, trace
from wardflow.errors import WardflowError

__all__ = ["app", "main"]

app = typer.Typer(
    name="wardflow",
    help="Governed AI workflow automation: invoices in, audited postings out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    home: Annotated[
        Path | None,
        typer.Option("--home", envvar="WARDFLOW_HOME", help="Data home (default ./.wardflow)."),
    ] = None,
) -> None:
    state.home = home
    try:
        logs: Path | None = load_settings().home / "logs"
    except (WardflowError, ValueError):  # a bad setting is reported by the command itself
        logs = None
    quiet_third_party_logs(logs)


# Each command's name is its function's, except where given.
for command, name in (
    (process, None), (worker, None), (run_prompt, "run"), (status, None), (serve, None),
    (drift, None), (watch, None), (trace, None), (explain, None), (replay_run, "replay"),
    (cancel, None), (init, None), (resume, None), (review, None),
):
    app.command(name)(command)

for group, name in (
    (erp_app, "erp"), (audit_app, "audit"), (principals_app, "principals"),
    (blueprint_app, "blueprint"), (eval_app, "eval"), (kill_app, "kill-switch"),
    (schedule_app, "schedule"), (tokens_app, "tokens"), (gdpr_app, "gdpr"),
    (feedback_app, "feedback"), (risk_app, "risk"), (compliance_app, "compliance"),
    (keys_app, "keys"),
):
    app.add_typer(group, name=name)


def main() -> None:
    """Entry point of the ``wardflow`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
