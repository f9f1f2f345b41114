"""``wardflow serve`` and ``wardflow worker``: the long-running processes (the web review,
Ray workers on an inbox)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wardflow.cli._common import (
    EXIT_FAILED_DOCUMENTS,
    JsonOption,
    err,
    guarded,
    load_settings,
)
from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from wardflow.runtime.workspace import RunSummary

__all__ = ["serve", "worker"]



def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on; keep the loopback"
                                      " default unless a TLS proxy is in front.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8765,
    blueprints: Annotated[list[Path] | None, typer.Option(
        "--blueprints", help="Blueprint files or folders; their schedules are fired by this"
        " server.")] = None,
    schedule_interval: Annotated[float, typer.Option(
        "--schedule-interval", min=0.1, help="Seconds between schedule checks.")] = 30.0,
) -> None:
    """Serve the review page and its JSON API (needs the web extra).

    Reviewers log in with their principal name and the password set by
    `wardflow principals password`. Set WARDFLOW_WEB_SECRET (the token signing key) so
    logins survive a restart, and WARDFLOW_SLACK_SIGNING_SECRET to accept Slack buttons.
    With --blueprints, the scheduled ones fire from a background thread.
    """

    def run() -> None:
        try:
            from wardflow.web import serve as serve_web
        except ImportError as error:
            raise ConfigError("the web server needs `pip install 'wardflow[web]'`") from error
        from wardflow.runtime.schedule import load_scheduled

        settings = load_settings()
        serve_web(settings, host=host, port=port, schedule_interval_s=schedule_interval,
                  blueprints=load_scheduled(blueprints or [], settings))

    guarded(run)


def worker(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Folders to watch (default: the data home's inbox, storage/inbox).")] = None,
    address: Annotated[str | None, typer.Option(
        "--address", help="Ray cluster to join: auto, host:port or ray://host:10001"
        " (default: WARDFLOW_RAY_ADDRESS, else a local cluster).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Ray actors processing documents (default:"
        " WARDFLOW_WORKERS).")] = None,
    interval: Annotated[float, typer.Option("--interval", min=0.1,
                                            help="Seconds between two scans.")] = 5.0,
    once: Annotated[bool, typer.Option("--once", help="Scan once, process, exit.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Process every document that arrives, in parallel on a Ray cluster.

    Each document is one run on the unchanged invoice graph; a worker that dies has
    its document retried by Ray, resuming from the last checkpoint. Limits across
    workers: WARDFLOW_WORKER_LIMITS, e.g. '{"tool:erp": 1}'. With
    WARDFLOW_EVENT_RUNS=workers, each scan also takes the S3 events that `wardflow serve`
    queued in the shared event ledger (every event runs on one worker of all machines).
    """
    import itertools
    import time

    from wardflow.runtime.workers import RayExecutor

    settings = load_settings()
    folders = paths or [settings.storage_root / settings.storage_locations["inbox"]]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    runs: list[RunSummary] = []

    executor = RayExecutor(settings, workers=workers or settings.workers, address=address)
    queued = settings.event_runs == "workers"

    def scan() -> None:
        found = executor.process(folders, submitted_by="worker", skip=seen)
        for summary in itertools.chain(found, executor.run_queued() if queued else ()):
            if summary.status != "failed" or not summary.error:
                seen.add(summary.thread_id)  # a failed one is tried again next scan
            runs.append(summary)
            _report(summary, as_json=as_json)

    try:
        while True:
            guarded(scan)
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        executor.close()
    if once and any(r.status == "failed" or r.error for r in runs):
        raise typer.Exit(EXIT_FAILED_DOCUMENTS)


def _report(summary: RunSummary, *, as_json: bool) -> None:
    """One finished (or paused) run of ``wardflow worker``: a JSON line, or a line on stderr."""
    if as_json:
        sys.stdout.write(json.dumps(summary.to_dict(), default=str) + "\n")
        sys.stdout.flush()
    else:
        err.print(f"{summary.thread_id}  {summary.status:<16} {summary.document}")
