"""What the commands share: exit codes, the consoles, the data home and the workspace,
the error boundary (:func:`guarded`), JSON output and the runs table.

Exit codes: 0 success; 1 an error (its message says what to do); 2 bad usage;
3 some documents could not be processed (they are parked in ``failed/`` with their
reason); 4 a review decision was refused (the run stays paused); 5 a monitor raised an
alert (``wardflow drift``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from wardflow.config import Settings
from wardflow.errors import (
    GuardViolation,
    PlanRefused,
    RateLimited,
    ReviewError,
    WardflowError,
)

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary, Workspace

__all__ = [
    "EXIT_ALERT",
    "EXIT_ERROR",
    "EXIT_FAILED_DOCUMENTS",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "JsonOption",
    "as_record",
    "err",
    "guarded",
    "load_settings",
    "open_workspace",
    "out",
    "print_json",
    "print_review_hints",
    "runs_table",
    "state",
]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAILED_DOCUMENTS, EXIT_REFUSED = 0, 1, 2, 3, 4
EXIT_ALERT = 5

# Scripts and CI pipes get wide tables instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)
T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class State:
    """Options of the root command, read by every command (``--home``)."""

    home: Path | None = None


state = State()


def load_settings() -> Settings:
    """The settings of the data home given with ``--home`` (else the default one)."""
    return Settings(home=state.home) if state.home else Settings()


@contextmanager
def open_workspace() -> Iterator[Workspace]:
    """A workspace on :func:`load_settings`, closed when the block ends."""
    from wardflow.graphs.workspace import Workspace

    with Workspace(load_settings()) as ws:
        yield ws


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``; a refusal exits 4 and any other wardflow error exits 1, each with
    its message on stderr."""
    try:
        return fn()
    except (ReviewError, PlanRefused, GuardViolation, RateLimited) as error:
        err.print(f"[red]refused:[/red] {error}")
        if isinstance(error, ReviewError):
            _print_refusal_hint(error)
        raise typer.Exit(EXIT_REFUSED) from error
    except WardflowError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_ERROR) from error


def _print_refusal_hint(error: ReviewError) -> None:
    """After a decision refused for who made it: who may make it (wardflow/cli/_hints.py)."""
    from wardflow.cli._hints import refusal_hint

    try:
        with open_workspace() as ws:
            hint = refusal_hint(ws, error)
    except WardflowError:
        return
    if hint:
        err.print(hint, highlight=False, soft_wrap=True)


def print_review_hints(runs: Sequence[RunSummary]) -> None:
    """How to open each run that waits for review, as someone who may decide it."""
    from wardflow.cli._hints import review_hints

    threads = [r.thread_id for r in runs if r.waiting_for_review]
    if not threads:
        return
    try:
        with open_workspace() as ws:
            lines = review_hints(ws, threads)
    except WardflowError:
        return
    out.print(f"{len(threads)} waiting for review. Open each as someone who may decide it (it"
              " shows the proposal and the commands that approve or reject it):",
              highlight=False, soft_wrap=True)
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (for ``--json``)."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def runs_table(runs: Sequence[RunSummary], title: str) -> Table:
    """Runs as a table: thread, document, status, confidence, risk, why."""
    table = Table(title=title, title_justify="left")
    with_llm = any(run.llm_calls for run in runs)
    # Ids and states stay whole (copyable); file names and reasons fold, never coloured.
    table.add_column("thread", no_wrap=True, min_width=max((len(r.thread_id) for r in runs),
                                                           default=6))
    table.add_column("document", overflow="fold", highlight=False)
    table.add_column("status", no_wrap=True)
    table.add_column("conf.", no_wrap=True)
    table.add_column("risk", no_wrap=True)
    table.add_column("why / note", overflow="fold", highlight=False)
    if with_llm:
        table.add_column("model calls", overflow="fold")
    for run in runs:
        style = {"posted": "green", "completed": "green", "failed": "red", "dead_letter": "red",
                 "awaiting_review": "yellow", "awaiting_approval": "yellow",
                 "cancelled": "dim"}.get(run.status, "")
        why = run.error or ", ".join(run.reasons) or run.note or (
            f"last step {run.step_status}" if run.step_status else "")
        if run.note and run.note not in why:
            why = f"{why} ({run.note})"
        cells = [
            run.thread_id,
            Path(run.document).name if run.document else "",
            f"[{style}]{run.status}[/{style}]" if style else run.status,
            "" if run.confidence is None else f"{run.confidence:.2f}",
            "" if run.risk is None else f"{run.risk:.2f}",
            why,
        ]
        if with_llm:
            cells.append(f"{run.llm_calls} call(s), {run.llm_tokens} tok, {run.llm_ms / 1000:.1f} s,"
                         f" ${run.llm_cost:.4f}" if run.llm_calls else "")
        table.add_row(*cells)
    return table


def as_record(record: Any) -> dict[str, Any]:
    """A dataclass record (an audit record, an alert) as a dict."""
    from dataclasses import asdict

    return asdict(record)
