"""The ``wardflow`` command.

Exit codes: 0 success; 1 an error (its message says what to do); 2 bad usage;
3 some documents could not be processed (they are parked in ``failed/`` with their
reason); 4 a review decision was refused (the run stays paused); 5 a monitor raised an
alert (``wardflow drift``).
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import click
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from wardflow._cli_progress import Steps, quiet_third_party_logs, spinner
from wardflow.config import Settings
from wardflow.errors import (
    ConfigError,
    GuardViolation,
    PlanRefused,
    RateLimited,
    ReviewError,
    WardflowError,
)
from wardflow.status import FILTER_STATES

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary, Workspace

__all__ = ["app", "main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAILED_DOCUMENTS, EXIT_REFUSED = 0, 1, 2, 3, 4
EXIT_ALERT = 5

app = typer.Typer(
    name="wardflow",
    help="Governed AI workflow automation: invoices in, audited postings out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
erp_app = typer.Typer(help="The embedded ERP: vendors, purchase orders, posted invoices.",
                      no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
principals_app = typer.Typer(help="Reviewers: principals with roles and approval limits.",
                             no_args_is_help=True)
app.add_typer(erp_app, name="erp")
app.add_typer(audit_app, name="audit")
blueprint_app = typer.Typer(help="YAML workflows: validate, draw, run, decide.",
                             no_args_is_help=True)
app.add_typer(principals_app, name="principals")
app.add_typer(blueprint_app, name="blueprint")
class _DatasetFirst(TyperGroup):
    """``wardflow eval [DATASET]``: anything that is not a subcommand is a dataset."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["documents", *args]
        return super().parse_args(ctx, args)


eval_app = typer.Typer(help="Measure the agents and guards on labelled data:"
                       " wardflow eval [DATASET] (documents), compare, guardrails.",
                       cls=_DatasetFirst)
app.add_typer(eval_app, name="eval")
kill_app = typer.Typer(help="Stop new runs and park running ones before their next side"
                       " effect.", no_args_is_help=True)
app.add_typer(kill_app, name="kill-switch")
schedule_app = typer.Typer(help="Cron schedules of blueprints: list them, fire what is due.",
                           no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")
tokens_app = typer.Typer(help="API tokens for machines: bearer tokens tied to a principal.",
                        no_args_is_help=True)
app.add_typer(tokens_app, name="tokens")

# Scripts and CI pipes get wide tables instead of rich's 80-column default.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)
T = TypeVar("T")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


class _State:
    home: Path | None = None


_state = _State()


@app.callback()
def _root(
    home: Annotated[
        Path | None,
        typer.Option("--home", envvar="WARDFLOW_HOME", help="Data home (default ./.wardflow)."),
    ] = None,
) -> None:
    _state.home = home
    try:
        logs: Path | None = _settings().home / "logs"
    except (WardflowError, ValueError):  # a bad setting is reported by the command itself
        logs = None
    quiet_third_party_logs(logs)


def _settings() -> Settings:
    return Settings(home=_state.home) if _state.home else Settings()


@contextmanager
def _workspace() -> Iterator[Workspace]:
    from wardflow.graphs.workspace import Workspace

    with Workspace(_settings()) as ws:
        yield ws


def _guarded(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except (ReviewError, PlanRefused, GuardViolation, RateLimited) as error:
        err.print(f"[red]refused:[/red] {error}")
        if isinstance(error, ReviewError):
            _refusal_hint(error)
        raise typer.Exit(EXIT_REFUSED) from error
    except WardflowError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(EXIT_ERROR) from error


def _refusal_hint(error: ReviewError) -> None:
    """After a decision refused for who made it: who may make it (wardflow/_cli_hints.py)."""
    from wardflow._cli_hints import refusal_hint

    try:
        with _workspace() as ws:
            hint = refusal_hint(ws, error)
    except WardflowError:
        return
    if hint:
        err.print(hint, highlight=False, soft_wrap=True)


def _review_hints(runs: Sequence[RunSummary]) -> None:
    """How to open each run that waits for review, as someone who may decide it."""
    from wardflow._cli_hints import review_hints

    threads = [r.thread_id for r in runs if r.waiting_for_review]
    if not threads:
        return
    try:
        with _workspace() as ws:
            lines = review_hints(ws, threads)
    except WardflowError:
        return
    out.print(f"{len(threads)} waiting for review. Open each as someone who may decide it (it"
              " shows the proposal and the commands that approve or reject it):",
              highlight=False, soft_wrap=True)
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def _runs_table(runs: Sequence[RunSummary], title: str) -> Table:
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


@app.command()
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
        with _workspace() as ws:
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

    runs = _guarded(run)
    if as_json:
        _print_json([r.to_dict() for r in runs] if shadow is None else
                    [{**r.to_dict(), "shadow": s} for r, s in zip(runs, shadows, strict=True)])
    else:
        out.print(_runs_table(runs, f"{len(runs)} document(s)"))
        _review_hints(runs)
    if any(r.status == "failed" or r.error for r in runs):
        raise typer.Exit(EXIT_FAILED_DOCUMENTS)


def _process_on_ray(paths: Sequence[Path], workers: int | None, address: str | None, by: str,
                    *, quiet: bool) -> list[RunSummary]:
    from wardflow.graphs.workers import process_on_ray

    settings = _settings()
    results = []
    for summary in process_on_ray(settings, paths, workers=workers or settings.workers,
                                  address=address, submitted_by=by):
        results.append(summary)
        if not quiet:
            err.print(f"{summary.thread_id}  {summary.status:<16} {summary.document}")
    return results


@app.command()
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
    workers: WARDFLOW_WORKER_LIMITS, e.g. '{"tool:erp": 1}'.
    """
    import time

    from wardflow.graphs.workers import RayExecutor

    settings = _settings()
    folders = paths or [settings.storage_root / settings.storage_locations["inbox"]]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    seen: set[str] = set()
    runs: list[RunSummary] = []

    executor = RayExecutor(settings, workers=workers or settings.workers, address=address)

    def scan() -> None:
        for summary in executor.process(folders, submitted_by="worker", skip=seen):
            if summary.status != "failed" or not summary.error:
                seen.add(summary.thread_id)  # a failed one is tried again next scan
            runs.append(summary)
            if as_json:
                sys.stdout.write(json.dumps(summary.to_dict(), default=str) + "\n")
                sys.stdout.flush()
            else:
                err.print(f"{summary.thread_id}  {summary.status:<16} {summary.document}")

    try:
        while True:
            _guarded(scan)
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        executor.close()
    if once and any(r.status == "failed" or r.error for r in runs):
        raise typer.Exit(EXIT_FAILED_DOCUMENTS)


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


@app.command("run")
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
        with _workspace() as ws:
            return ws.plan(prompt, principal=who, workdir=Path.cwd())

    plan = _guarded(make_plan)
    if plan.refused:
        err.print(f"[red]refused:[/red] {plan.refused}")
        if as_json:
            _print_json({"plan": plan.to_dict()})
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
        with _workspace() as ws, Steps(err, None, "running the plan", quiet=as_json) as steps:
            return ws.run_plan(plan, submitted_by=who, progress=steps.callback)

    result = _guarded(run)
    if as_json:
        _print_json(result)
        return
    if "runs" in result:
        from wardflow.graphs.workspace import RunSummary

        summaries = [RunSummary(**r) for r in result["runs"]]
        out.print(_runs_table(summaries, f"{len(result['runs'])} document(s)"))
        _review_hints(summaries)
        for skip in result.get("skipped", []):
            out.print(f"skipped {skip['document']}: {skip['reason']}", highlight=False)
    else:
        found = result["duplicates"]
        out.print(f"{len(found)} duplicate posting(s) today")
        for d in found:
            out.print(f"  {d['posting_id']} {d['vendor_id']} {d['invoice_number']}: also"
                      f" {', '.join(d['duplicates'])}")


@app.command()
def status(
    thread: Annotated[str | None, typer.Argument(help="One run's thread id.")] = None,
    state: Annotated[list[str] | None, typer.Option(
        "--state", help="Only runs in this state (repeatable): "
        + ", ".join(FILTER_STATES) + ".")] = None,
    vendor: Annotated[str | None, typer.Option(
        "--vendor", help="Only runs whose document is from this vendor (part of the name,"
        " or its id).")] = None,
    reason: Annotated[str | None, typer.Option(
        "--reason", help="Only runs with this reason code (or part of it), e.g."
        " over_approval_limit.")] = None,
    older_than: Annotated[str | None, typer.Option(
        "--older-than", help="Only runs unchanged for this long: 30m, 4h, 2d, 1w.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List runs: state, confidence, risk, and whether they wait for review."""
    from wardflow._cli_status import filter_runs, parse_age

    def run() -> list[RunSummary]:
        age = parse_age(older_than) if older_than is not None else None
        with _workspace() as ws:
            runs = ws.status(thread)
            if state or vendor is not None or reason or age is not None:
                runs = filter_runs(ws, runs, states=state or (), vendor=vendor, reason=reason,
                                   older_than=age)
            return runs

    runs = _guarded(run)
    if as_json:
        _print_json([r.to_dict() for r in runs] if thread is None or not runs
                    else runs[0].to_dict())
    else:
        out.print(_runs_table(runs, f"{len(runs)} run(s)"))
        _review_hints(runs)


@principals_app.command("add")
def principals_add(
    name: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option("--role", help="auditor, clerk, approver, controller"
                                      " or admin.")],
    limit: Annotated[str | None, typer.Option("--limit", help="Approval limit in the approval"
                                              " currency (approvers).")] = None,
) -> None:
    """Add or update a reviewer."""
    from decimal import Decimal, InvalidOperation

    from wardflow.review.principals import PrincipalStore

    try:
        amount = Decimal(limit) if limit is not None else None
    except InvalidOperation:
        err.print(f"[red]error:[/red] --limit {limit!r} is not an amount")
        raise typer.Exit(EXIT_USAGE) from None

    def run() -> None:
        store = PrincipalStore(_settings().review_path)
        try:
            added = store.add(name, role, approval_limit=amount)
        finally:
            store.close()
        out.print(f"{added.name}: {added.role}"
                  + (f", limit {added.approval_limit}" if added.approval_limit else ""))

    _guarded(run)


@app.command()
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
        from wardflow.graphs.schedule import load_scheduled

        settings = _settings()
        serve_web(settings, host=host, port=port, schedule_interval_s=schedule_interval,
                  blueprints=load_scheduled(blueprints or [], settings))

    _guarded(run)


@principals_app.command("password")
def principals_password(
    name: Annotated[str, typer.Argument()],
    stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from"
                                        " standard input (for scripts).")] = False,
) -> None:
    """Set a reviewer's password for the web review (stored as an scrypt hash)."""
    from wardflow.review.principals import PrincipalStore
    from wardflow.web.auth import CredentialStore

    password = (sys.stdin.readline().rstrip("\n") if stdin
                else typer.prompt("Password", hide_input=True, confirmation_prompt=True))

    def run() -> None:
        settings = _settings()
        principals = PrincipalStore(settings.review_path)
        credentials = CredentialStore(settings.review_path)
        try:
            credentials.set_password(principals, name, password)
        except ReviewError as error:  # a short password, an unknown name: bad input
            err.print(f"[red]error:[/red] {error}", highlight=False)
            raise typer.Exit(EXIT_USAGE) from error
        finally:
            credentials.close()
            principals.close()
        out.print(f"{name}: password set")

    _guarded(run)


@principals_app.command("slack")
def principals_slack(
    name: Annotated[str, typer.Argument(help="The principal.")],
    user_id: Annotated[str, typer.Argument(help="Their Slack member id (U024BE7LH).")],
) -> None:
    """Link a Slack user id to a reviewer: their Slack button clicks decide as them."""
    from wardflow.review.principals import PrincipalStore
    from wardflow.web.slack import SlackUsers

    def run() -> None:
        settings = _settings()
        principals = PrincipalStore(settings.review_path)
        users = SlackUsers(settings.review_path)
        try:
            users.link(principals, name, user_id)
        finally:
            users.close()
            principals.close()
        out.print(f"Slack user {user_id} decides as {name}")

    _guarded(run)


@principals_app.command("list")
def principals_list(as_json: JsonOption = False) -> None:
    """The reviewers and their roles."""
    from wardflow.review.principals import PrincipalStore

    store = PrincipalStore(_settings().review_path)
    try:
        everyone = store.all()
    finally:
        store.close()
    if as_json:
        _print_json([p.to_dict() for p in everyone])
        return
    table = Table(title=f"{len(everyone)} principal(s)", title_justify="left")
    for column in ("name", "role", "limit", "active"):
        table.add_column(column)
    for p in everyone:
        table.add_row(p.name, p.role, "" if p.approval_limit is None else str(p.approval_limit),
                      "yes" if p.active else "no")
    out.print(table)


@principals_app.command("remove")
def principals_remove(name: Annotated[str, typer.Argument()]) -> None:
    """Deactivate a reviewer (their past decisions stay in the audit log)."""
    from wardflow.review.principals import PrincipalStore

    def run() -> None:
        store = PrincipalStore(_settings().review_path)
        try:
            store.deactivate(name)
        finally:
            store.close()
        out.print(f"{name} deactivated")

    _guarded(run)


@contextmanager
def _token_store() -> Iterator[tuple[Any, Any, Any]]:
    """The token store, the principals and the audit log (no graph needed)."""
    from wardflow.graphs.stores import open_audit_log
    from wardflow.review.principals import PrincipalStore
    from wardflow.review.tokens import TokenStore

    settings = _settings()
    tokens, principals = TokenStore(settings.review_path), PrincipalStore(settings.review_path)
    audit = open_audit_log(settings)
    try:
        yield tokens, principals, audit
    finally:
        tokens.close()
        principals.close()
        audit.close()


@tokens_app.command("create")
def tokens_create(
    principal: Annotated[str, typer.Argument(help="The principal the token acts for.")],
    name: Annotated[str, typer.Option("--name", help="What uses it (shown in listings).")
                    ] = "api",
    expires: Annotated[int, typer.Option("--expires", help="Days until it expires.")] = 90,
    as_: Annotated[str | None, typer.Option("--as", help="Who creates it (audited).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""

    def run() -> tuple[str, Any]:
        with _token_store() as (tokens, principals, audit):
            return tuple(tokens.create(principals, principal, name=name, expires_days=expires,
                                       by=as_ or getpass.getuser(), audit=audit))

    token, record = _guarded(run)
    if as_json:
        _print_json({"token": token, **record.to_dict()})
        return
    err.print(f"API token {record.id} for {record.principal} ({record.name}), expires"
              f" {record.expires_at[:10]}. It is shown only now: store it safely.")
    sys.stdout.write(token + "\n")


@tokens_app.command("list")
def tokens_list(as_json: JsonOption = False) -> None:
    """API tokens: id, principal, name, expiry and whether revoked (never the token)."""
    from datetime import UTC, datetime

    with _token_store() as (tokens, _, _):
        everyone = tokens.all()
    now = datetime.now(UTC)
    if as_json:
        _print_json([{**t.to_dict(), "state": t.state(now)} for t in everyone])
        return
    table = Table(title=f"{len(everyone)} API token(s)", title_justify="left")
    for column in ("id", "principal", "name", "created", "expires", "state"):
        table.add_column(column)
    for t in everyone:
        table.add_row(t.id, t.principal, t.name, t.created_at[:19], t.expires_at[:19],
                      t.state(now))
    out.print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id (tokens list).")],
    as_: Annotated[str | None, typer.Option("--as", help="Who revokes it (audited).")] = None,
) -> None:
    """Revoke an API token; requests with it are refused at once."""

    def run() -> Any:
        with _token_store() as (tokens, _, audit):
            return tokens.revoke(token_id, by=as_ or getpass.getuser(), audit=audit)

    record = _guarded(run)
    out.print(f"API token {record.id} ({record.principal}, {record.name}) revoked")


@eval_app.command("guardrails")
def eval_guardrails(
    dataset: Annotated[Path | None, typer.Option("--dataset", help="JSONL with `text` and"
                                                 " `label` (injection|benign); default: the"
                                                 " bundled corpus.")] = None,
    as_json: JsonOption = False,
    loso: Annotated[bool, typer.Option("--loso", help="Leave-one-source-out on the injection"
                                       " classifier's training corpus (or --dataset): each"
                                       " source scored by a model trained without it.")] = False,
) -> None:
    """Recall, false-positive rate and latency of the guards, per validator, source,
    boundary and overall."""
    from wardflow.evals.guardrails import guardrails_eval

    _, shown = _guarded(lambda: guardrails_eval(dataset, as_json, loso=loso))
    if as_json:
        sys.stdout.write(str(shown) + "\n")
    else:
        out.print(shown)


@eval_app.command("documents")
def eval_documents(
    dataset: Annotated[Path, typer.Argument(help="A folder with labels.jsonl and its"
                                            " documents (default: examples).")] = Path("examples"),
    as_json: JsonOption = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the JSON"
                      " report here (default: HOME/evals/eval-<time>.json).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write a self-contained HTML"
                                              " report here.")] = None,
    thresholds: Annotated[Path | None, typer.Option("--thresholds", help="YAML quality gates;"
                          " exit 1 when one fails.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="An earlier JSON report"
                        " to compare with, side by side.")] = None,
    model: Annotated[str | None, typer.Option("--model", help="The model under test"
                                              " (default: the configured one).")] = None,
    calibration: Annotated[Path | None, typer.Option("--calibration", help="Apply this"
                           " calibration file.")] = None,
    fit: Annotated[str | None, typer.Option("--fit-calibration", help="Fit a calibration"
                   " (isotonic or platt) on this run's raw scores and store it in the data"
                   " home, where the graph applies it.")] = None,
    loso: Annotated[bool, typer.Option("--leave-one-source-out", help="Also fit calibration"
                    " on all sources but one and measure it on the one left out, per source"
                    " (labels' source or source_repo).")] = False,
) -> None:
    """Run labelled documents through the real graph; score fields, routing, guards,
    explanations, calibration, latency and cost."""
    from wardflow.evals.documents import evaluate_documents, report_table

    if fit not in (None, "isotonic", "platt"):
        err.print(f"[red]error:[/red] --fit-calibration is isotonic or platt, not {fit!r}")
        raise typer.Exit(EXIT_USAGE)
    settings = _settings()
    updates: dict[str, Any] = {}
    if model:
        updates["model"] = model
    if calibration:
        updates["calibration_file"] = calibration
    settings = settings.model_copy(update=updates) if updates else settings

    def evaluate() -> dict[str, Any]:
        with Steps(err, None, "evaluating", quiet=as_json) as steps:
            return evaluate_documents(dataset, settings, progress=steps.callback,
                                      leave_one_source_out=loso)

    report = _guarded(evaluate)
    saved = _save_report(report, output or settings.home / "evals" /
                         f"eval-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json")
    previous = _guarded(lambda: _load_report(baseline)) if baseline else None
    if fit:
        report["fitted_calibration"] = _guarded(lambda: _fit(report, fit, settings, dataset))
    gates = []
    if thresholds:
        from wardflow.evals.documents import check_thresholds, load_thresholds

        gates = check_thresholds(report, _guarded(lambda: load_thresholds(thresholds)))
        report["thresholds"] = gates
    if html:  # after the gates, so that the page shows them
        from wardflow.evals.report import render_html

        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(report, baseline=previous), encoding="utf-8")
    if as_json:
        _print_json(report)
    else:
        out.print(report_table(report))
        if previous is not None:
            from wardflow.evals.report import compare_reports, compare_table

            out.print(compare_table(compare_reports(report, previous)))
        for gate in gates:
            bound = f">= {gate['min']}" if "min" in gate else f"<= {gate['max']}"
            mark = "[green]pass[/green]" if gate["passed"] else "[red]FAIL[/red]"
            out.print(f"{mark} {gate['metric']} = {gate['value']} (needs {bound})")
        if fit:
            out.print(f"calibration {report['fitted_calibration']['version']} stored in"
                      f" {report['fitted_calibration']['path']}")
        out.print(f"report: {saved}" + (f", {html}" if html else ""))
    if any(not g["passed"] for g in gates):
        raise typer.Exit(EXIT_ERROR)


def _save_report(report: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def _load_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"cannot read the report {path}: {error}") from error
    if not isinstance(data, dict) or data.get("format") != "wardflow-eval/1":
        raise ConfigError(f"{path} is not a wardflow eval report (wardflow-eval/1)")
    return data


def _fit(report: dict[str, Any], method: str, settings: Settings,
         dataset: Path) -> dict[str, Any]:
    from wardflow.agents.calibration import fit_isotonic, fit_platt, fitted_on

    pairs = [(float(c), bool(r)) for doc in report["documents"] for c, r in doc.get("raw_pairs", [])]
    fitter = fit_isotonic if method == "isotonic" else fit_platt
    fitted = fitter(pairs, fitted_on=fitted_on(str(dataset), len(report["documents"]), len(pairs)))
    path = fitted.save(settings.calibration_path)
    return {"version": fitted.version, "method": method, "path": str(path)}


@eval_app.command("compare")
def eval_compare(
    current: Annotated[Path, typer.Argument(help="The new report (JSON).")],
    baseline: Annotated[Path, typer.Argument(help="The report to compare with.")],
    as_json: JsonOption = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write the side-by-side HTML"
                                              " report here.")] = None,
) -> None:
    """Two eval reports side by side (e.g. two models: shadow evaluation)."""
    from wardflow.evals.report import compare_reports, compare_table, render_html

    new, old = _guarded(lambda: (_load_report(current), _load_report(baseline)))
    diff = compare_reports(new, old)
    if html:
        html.write_text(render_html(new, baseline=old), encoding="utf-8")
    if as_json:
        _print_json(diff)
    else:
        out.print(compare_table(diff))


@kill_app.command("on")
def kill_on(
    reason: Annotated[str, typer.Option("--reason", help="Why (audited).")],
    workflow: Annotated[str, typer.Option("--workflow", help="A workflow, or all.")] = "*",
    as_: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Engage the kill switch."""

    def run() -> None:
        with _workspace() as ws:
            ws.engage_kill_switch(reason, by=as_ or getpass.getuser(), workflow=workflow)

    _guarded(run)
    out.print(f"kill switch ON for {'all workflows' if workflow == '*' else workflow}: {reason}")


@kill_app.command("off")
def kill_off(
    workflow: Annotated[str, typer.Option("--workflow")] = "*",
    as_: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Release the kill switch and continue the runs it parked."""

    def run() -> list[RunSummary]:
        with _workspace() as ws:
            return ws.release_kill_switch(by=as_ or getpass.getuser(), workflow=workflow)

    resumed = _guarded(run)
    out.print(f"kill switch OFF; {len(resumed)} parked run(s) continued")
    if resumed:
        out.print(_runs_table(resumed, "continued"))


@kill_app.command("status")
def kill_status(as_json: JsonOption = False) -> None:
    """Whether the kill switch is on, for what, why and since when."""
    from wardflow.graphs.control import KillSwitch

    switch = KillSwitch(_settings().control_path)
    try:
        engaged = switch.engaged()
    finally:
        switch.close()
    if as_json:
        _print_json([s.__dict__ if hasattr(s, "__dict__") else
                     {"workflow": s.workflow, "reason": s.reason, "by": s.by, "at": s.at}
                     for s in engaged])
        return
    if not engaged:
        out.print("kill switch off")
    for s in engaged:
        out.print(f"ON for {s.workflow} since {s.at[:19]} by {s.by}: {s.reason}")


@app.command()
def drift(
    window: Annotated[int | None, typer.Option(
        "--window", help="Current window: the last N runs (default WARDFLOW_DRIFT_WINDOW).")] = None,
    days: Annotated[float | None, typer.Option(
        "--days", help="Current window: the runs of the last D days instead.")] = None,
    reference: Annotated[str | None, typer.Option(
        "--reference", help="baseline, first:N, YYYY-MM-DD..YYYY-MM-DD or a baseline .json"
        " (default: the saved baseline, else the first WARDFLOW_DRIFT_REFERENCE_RUNS runs).")
    ] = None,
    save_baseline: Annotated[bool, typer.Option(
        "--save-baseline", help="Save the current window as the reference, then stop.")] = False,
    kill_switch: Annotated[bool | None, typer.Option(
        "--kill-switch/--no-kill-switch", help="Engage the kill switch on an alert (default:"
        " WARDFLOW_DRIFT_KILL_SWITCH, WARDFLOW_GUARD_ALERT_KILL_SWITCH).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Compare recent runs with a reference (PSI, KS, rates) and check the guard alert.

    An alert is logged and audited (and may engage the kill switch); the exit code is 5.
    """

    def run() -> dict[str, Any]:
        with _workspace() as ws:
            def read(thread: str) -> tuple[dict[str, Any], str | None]:
                snapshot = ws.graph.get_state({"configurable": {"thread_id": thread}})
                return snapshot.values, snapshot.created_at

            # Blueprint runs (``name:doc-...``) carry no invoice fields to observe.
            collected = ws.monitor.collect([t for t in ws.threads() if ":" not in t], read)
            if save_baseline:
                label, runs = ws.monitor.current(window=window, days=days)
                return {"baseline": str(ws.monitor.save_baseline(runs)), "runs": len(runs),
                        "window": label}
            report, alerts = ws.monitor.check(window=window, days=days, reference=reference,
                                              kill_switch=kill_switch)
            return {"collected": collected, "report": report, "alerts": alerts}

    result = _guarded(run)
    if "baseline" in result:
        out.print(f"baseline saved to {result['baseline']}: {result['runs']} run(s),"
                  f" {result['window']}")
        return
    report = result["report"]
    if as_json:
        _print_json({**report.to_dict(), "alerts": [_record(a) for a in result["alerts"]]})
    else:
        out.print(report.render())
        for alert in result["alerts"]:
            err.print(f"[red]{alert.reason}[/red]"
                      + (" (kill switch engaged)" if alert.kill_switch else ""))
    if report.status == "alert":
        raise typer.Exit(EXIT_ALERT)


def _blueprint(file: Path) -> Any:
    from wardflow.graphs.blueprint import load_blueprint

    return load_blueprint(file, _settings())


@blueprint_app.command("validate")
def blueprint_validate(file: Annotated[Path, typer.Argument()]) -> None:
    """Check a blueprint; list every problem with its line and reason."""
    from wardflow.graphs.blueprint import BlueprintError

    try:
        blueprint = _blueprint(file)
    except BlueprintError as error:
        err.print(str(error))
        raise typer.Exit(EXIT_ERROR) from error
    out.print(f"{file}: valid blueprint {blueprint.name!r}, trigger {blueprint.trigger.kind},"
              f" {len(blueprint.steps)} step(s): {', '.join(s.name for s in blueprint.steps)}")


@blueprint_app.command("graph")
def blueprint_graph(
    file: Annotated[Path, typer.Argument()],
    svg: Annotated[Path | None, typer.Option("--svg", help="Write the graph as an SVG image"
                                             " to this file (else print Mermaid).")] = None,
) -> None:
    """Draw a blueprint's graph (Mermaid, or an SVG image with --svg)."""
    from langgraph.checkpoint.memory import InMemorySaver

    from wardflow.graphs.blueprint_graph import build_blueprint_graph
    from wardflow.observability.audit import AuditLog
    from wardflow.tools.erp import SqliteErp
    from wardflow.tools.storage import LocalStorage

    def run() -> str:
        settings = _settings().model_copy(update={"model": "none"})
        compiled = build_blueprint_graph(
            _blueprint(file), settings, checkpointer=InMemorySaver(), erp=SqliteErp(":memory:"),
            audit=AuditLog(":memory:"), storage=LocalStorage(settings.storage_root))
        return str(compiled.get_graph().draw_mermaid())

    drawing = _guarded(run)
    if svg is None:
        sys.stdout.write(drawing)
        return
    from wardflow.observability.diagram import parse_mermaid, render_svg

    image = render_svg(parse_mermaid(drawing), label=f"blueprint {file.stem}")
    try:
        svg.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + image + "\n",
                       encoding="utf-8")
    except OSError as error:
        err.print(f"[red]error:[/red] cannot write {svg}: {error.strerror}")
        raise typer.Exit(EXIT_ERROR) from error
    out.print(f"wrote {svg}", highlight=False)


@blueprint_app.command("run")
def blueprint_run(
    file: Annotated[Path, typer.Argument()],
    inputs: Annotated[list[Path], typer.Argument(help="Documents, folders or .eml files.")],
    as_: Annotated[str | None, typer.Option("--as", help="Who submits.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a blueprint on documents; approval tasks pause for `blueprint decide`."""

    def run() -> list[dict[str, Any]]:
        with _workspace() as ws:
            return ws.run_blueprint(_blueprint(file), inputs,
                                    submitted_by=as_ or getpass.getuser())

    results = _guarded(run)
    if as_json:
        _print_json(results)
        return
    for r in results:
        out.print(f"{r['thread_id']}  {_progress(r)} {Path(r['document']).name}"
                  f"  {json.dumps(r['vars'])}")


def _progress(result: dict[str, Any]) -> str:
    """A blueprint run's status and what its last step did, as one padded column."""
    step = f" ({result['step_status']})" if result.get("step_status") else ""
    return f"{result['status'] + step:<40}"


@app.command()
def watch(
    file: Annotated[Path, typer.Argument(help="A blueprint with a document_uploaded trigger.")],
    folder: Annotated[Path | None, typer.Option("--folder", help="Watch this folder instead"
                                                " of the trigger's storage location.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Scan once and exit.")] = False,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between scans.")] = 5.0,
) -> None:
    """Watch a folder or a maildir: one run per new document or attachment, exactly once,
    across restarts (see the blueprint's trigger source)."""
    from wardflow.graphs.events import poll

    blueprint = _guarded(lambda: _blueprint(file))
    if blueprint.trigger.kind != "event":
        err.print(f"[red]error:[/red] {file} is not triggered by an event")
        raise typer.Exit(EXIT_USAGE)

    def scan() -> int:
        with _workspace() as ws, Steps(err, None, "new documents") as steps:
            results = ws.watch_once(blueprint, folder, progress=steps.callback)
        for r in results:
            out.print(f"{r['thread_id']}  {_progress(r)} {Path(r['document']).name}",
                      highlight=False)
        return len(results)

    total = _guarded(lambda: poll(interval, 1 if once else None, scan))
    out.print(f"{total} document(s) started")


BlueprintPaths = Annotated[list[Path], typer.Argument(help="Blueprint files, or folders of"
                                                    " them; only scheduled ones are used.")]


def _scheduler(paths: list[Path]) -> Any:
    from wardflow.graphs.schedule import Scheduler, load_scheduled

    settings = _settings()
    return Scheduler(settings, load_scheduled(paths, settings))


@schedule_app.command("list")
def schedule_list(paths: BlueprintPaths, as_json: JsonOption = False) -> None:
    """Scheduled blueprints: cron, timezone, missed-run policy, next and last firings."""
    rows = _guarded(lambda: _scheduler(paths).status())
    if as_json:
        _print_json(rows)
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
    firings = _guarded(lambda: _scheduler(paths).tick(moment))
    if as_json:
        _print_json([f.to_dict() for f in firings])
    for f in firings if not as_json else []:
        out.print(f"{f.blueprint}  {f.slot[:16]}  {f.state:<8} {f.runs} run(s)  {f.detail}")
    if not firings and not as_json:
        out.print("nothing due")
    if any(f.state == "failed" for f in firings):
        raise typer.Exit(EXIT_ERROR)


@blueprint_app.command("decide")
def blueprint_decide(
    file: Annotated[Path, typer.Argument()],
    thread: Annotated[str, typer.Argument()],
    as_: Annotated[str | None, typer.Option("--as", help="The deciding principal.")] = None,
    approve: Annotated[bool, typer.Option("--approve")] = False,
    reject: Annotated[bool, typer.Option("--reject")] = False,
    comment: Annotated[str, typer.Option("--comment")] = "",
    interrupt: Annotated[str | None, typer.Option("--interrupt", help="Which pending approval,"
                                                  " when several are: its step name (stable,"
                                                  " e.g. sign_off__2) or interrupt id.")
                         ] = None,
    as_json: JsonOption = False,
) -> None:
    """Approve or reject a blueprint run paused at an approval task."""
    if approve == reject:
        err.print("[red]error:[/red] give exactly one of --approve or --reject")
        raise typer.Exit(EXIT_USAGE)
    from wardflow.review.payloads import ReviewDecision

    decision = ReviewDecision(decision="approve" if approve else "reject",
                              by=as_ or getpass.getuser(), comment=comment)

    def run() -> dict[str, Any]:
        with _workspace() as ws:
            blueprint = _blueprint(file)
            try:
                result = ws.decide_blueprint(blueprint, thread, decision, interrupt_id=interrupt)
            except ReviewError as error:
                err.print(f"[red]refused:[/red] {error}", highlight=False)
                _print_board(ws.approval_board(blueprint, thread), err)
                raise typer.Exit(EXIT_REFUSED) from error
            if result["waiting"]:
                result["approvals"] = ws.approval_board(blueprint, thread)
            return result

    result = _guarded(run)
    if as_json:
        _print_json(result)
    else:
        out.print(f"{result['thread_id']}  {_progress(result).rstrip()}", highlight=False)
        if "approvals" in result:
            _print_board(result["approvals"], out)


def _print_board(board: dict[str, Any], console: Console) -> None:
    approved = ", ".join(f"{a['by']} ({a['step']})" for a in board["approved"]) or "nobody yet"
    console.print(f"approved by: {approved}", highlight=False)
    for item in board["pending"]:
        console.print(f"pending: {item['step']}  id {item['id']}  needs"
                      f" {item['required_role']}", highlight=False, soft_wrap=True)
    if board["pending"]:
        console.print(f"may still approve: {', '.join(board['may_approve']) or 'nobody'}",
                      highlight=False)


@blueprint_app.command("status")
def blueprint_status(
    file: Annotated[Path, typer.Argument()],
    thread: Annotated[str, typer.Argument()],
    as_json: JsonOption = False,
) -> None:
    """A blueprint run's state: who approved, which approvals are pending (by step name,
    a stable id for `blueprint decide --interrupt`) and who may still approve."""

    def run() -> dict[str, Any]:
        with _workspace() as ws:
            blueprint = _blueprint(file)
            result = ws.blueprint_status(blueprint, thread)
            result["approvals"] = ws.approval_board(blueprint, thread)
            return result

    result = _guarded(run)
    if as_json:
        _print_json(result)
        return
    out.print(f"{result['thread_id']}  {_progress(result).rstrip()}", highlight=False)
    _print_board(result["approvals"], out)


@app.command()
def trace(
    thread: Annotated[str, typer.Argument(help="A run's thread id.")],
    as_mermaid: Annotated[bool, typer.Option("--mermaid", help="A Mermaid diagram, coloured"
                                             " by confidence.")] = False,
    spans: Annotated[bool, typer.Option("--spans", help="The exported spans.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The path a run took through the graph, with timings and confidence per step."""
    from wardflow.observability.tracing import trace_id_for
    from wardflow.observability.viewer import mermaid, read_spans, render_trace, run_path

    def run() -> Any:
        with _workspace() as ws:
            state = ws.state(thread).values
            steps = run_path(state, list(ws.audit.records(thread)), startup=True)
            nodes = [s for s in steps if s.node != "startup"]  # not a node of the graph
            drawing = mermaid(ws.graph.get_graph().draw_mermaid(), nodes) if as_mermaid else ""
            return steps, drawing

    steps, drawing = _guarded(run)
    if spans:
        _print_json(read_spans(_settings().traces_path, thread_id=thread))
    elif as_mermaid:
        sys.stdout.write(drawing)
    elif as_json:
        _print_json([s.to_dict() for s in steps])
    else:
        out.print(render_trace(steps, title=f"{thread}  trace {trace_id_for(thread)}"))


@app.command()
def explain(
    thread: Annotated[str, typer.Argument(help="A run's thread id.")],
    with_model: Annotated[bool, typer.Option("--llm", help="Let the model rephrase each claim"
                                             " (kept only when faithful to its evidence).")
                          ] = False,
    as_json: JsonOption = False,
) -> None:
    """Why each decision in a run was taken, each claim with its evidence."""
    from wardflow.observability.explain import explain_run, grounding_report

    def run() -> tuple[Any, Any]:
        with _workspace() as ws:
            state = ws.run_values(thread)
            records = list(ws.audit.records(thread))
            llm = None
            if with_model and ws.settings.model.lower() != "none":
                from wardflow.llm.client import LLM

                llm = LLM(ws.settings)
            explanation = explain_run(state, records, llm=llm)
            return explanation, grounding_report(explanation, state, records)

    explanation, report = _guarded(run)
    if as_json:
        _print_json({**explanation.to_dict(), "grounding": report.to_dict()})
    else:
        out.print(explanation.render())


@app.command("replay")
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
        listed = _guarded(lambda: checkpoints(_settings(), thread))
        if as_json:
            _print_json([c.to_dict() for c in listed])
            return
        table = Table(title=f"{thread}: {len(listed)} checkpoint(s)", title_justify="left")
        for column in ("step", "checkpoint", "written by", "next", "time"):
            table.add_column(column, overflow="fold")
        for c in listed:
            table.add_row(str(c.step), c.checkpoint_id, c.written_by, ", ".join(c.next) or "(end)",
                          c.created_at[:23])
        out.print(table)
        return
    base = _settings()

    def run() -> Any:
        with spinner(err, f"replaying {thread} from {from_ or 'after ingest'}",
                     quiet=as_json):
            return replay(base, thread, from_, by=as_ or getpass.getuser(),
                          settings=replay_settings(base, model=model, config_file=config,
                                                   review_threshold=threshold))

    result = _guarded(run)
    if as_json:
        _print_json(result.to_dict())
    else:
        out.print(result.render())


@erp_app.command("list")
def erp_list(as_json: JsonOption = False) -> None:
    """Posted invoices."""
    from wardflow.graphs.stores import open_erp

    erp = open_erp(_settings())
    try:
        postings = erp.postings()
    finally:
        erp.close()
    if as_json:
        _print_json([p.to_dict() for p in postings])
        return
    table = Table(title=f"{len(postings)} posted invoice(s)", title_justify="left")
    for column in ("posting", "vendor", "invoice", "date", "total", "approved by", "posted at"):
        table.add_column(column)
    for p in postings:
        table.add_row(p.posting_id, p.vendor_id, p.invoice_number, p.invoice_date,
                      f"{p.currency} {p.total}", p.approved_by, p.posted_at[:19])
    out.print(table)


@erp_app.command("vendors")
def erp_vendors(as_json: JsonOption = False) -> None:
    """The vendor master."""
    from wardflow.graphs.stores import open_erp

    erp = open_erp(_settings())
    try:
        vendors = erp.vendors()
    finally:
        erp.close()
    if as_json:
        _print_json([v.__dict__ if hasattr(v, "__dict__") else v.__repr__() for v in vendors])
        return
    table = Table(title=f"{len(vendors)} vendor(s)", title_justify="left")
    for column in ("id", "name", "tax id", "country", "currency"):
        table.add_column(column)
    for v in vendors:
        table.add_row(v.id, v.name, v.tax_id or "", v.country or "", v.currency or "")
    out.print(table)


@erp_app.command("import")
def erp_import(
    file: Annotated[Path, typer.Argument(help="JSON with 'vendors' and 'purchase_orders'.")],
) -> None:
    """Load a vendor master and purchase orders (upsert)."""
    from wardflow.graphs.stores import open_erp
    from wardflow.tools.erp import load_master

    def run() -> tuple[int, int]:
        erp = open_erp(_settings())
        try:
            return erp.import_master(load_master(file))
        finally:
            erp.close()

    vendors, orders = _guarded(run)
    out.print(f"imported {vendors} vendor(s) and {orders} purchase order(s) from {file}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first record that does not hold."""
    from wardflow.graphs.stores import open_audit_log

    log = open_audit_log(_settings())
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

    log = open_audit_log(_settings())
    try:
        records = list(log.records(thread))
    finally:
        log.close()
    if as_json:
        _print_json([r.__dict__ if hasattr(r, "__dict__") else _record(r) for r in records])
        return
    table = Table(title=f"{thread}: {len(records)} record(s)", title_justify="left")
    for column in ("seq", "time", "actor", "action", "digest"):
        table.add_column(column)
    for r in records:
        table.add_row(str(r.seq), r.ts[:23], r.actor, r.action, r.payload_digest[:12])
    out.print(table)


def _record(record: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(record)


# cancel, gdpr, feedback, risk, compliance and keys: registered on ``app`` by their own module.
from wardflow import (  # noqa: E402,F401
    _cli_cancel,
    _cli_governance,
    _cli_init,
    _cli_keys,
    _cli_review,
)


def main() -> None:
    """Entry point of the ``wardflow`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
