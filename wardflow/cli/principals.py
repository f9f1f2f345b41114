"""``wardflow principals`` and ``wardflow tokens``: who may review, and the API tokens that
act for them."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from wardflow.cli._common import (
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    load_settings,
    out,
    print_json,
)
from wardflow.errors import ReviewError

__all__ = ["principals_app", "tokens_app"]

principals_app = typer.Typer(help="Reviewers: principals with roles and approval limits.",
                             no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machines: bearer tokens tied to a principal.",
                        no_args_is_help=True)


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
        store = PrincipalStore(load_settings().review_path)
        try:
            added = store.add(name, role, approval_limit=amount)
        finally:
            store.close()
        out.print(f"{added.name}: {added.role}"
                  + (f", limit {added.approval_limit}" if added.approval_limit else ""))

    guarded(run)


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
        settings = load_settings()
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

    guarded(run)


@principals_app.command("slack")
def principals_slack(
    name: Annotated[str, typer.Argument(help="The principal.")],
    user_id: Annotated[str, typer.Argument(help="Their Slack member id (U024BE7LH).")],
) -> None:
    """Link a Slack user id to a reviewer: their Slack button clicks decide as them."""
    from wardflow.review.principals import PrincipalStore
    from wardflow.web.slack import SlackUsers

    def run() -> None:
        settings = load_settings()
        principals = PrincipalStore(settings.review_path)
        users = SlackUsers(settings.review_path)
        try:
            users.link(principals, name, user_id)
        finally:
            users.close()
            principals.close()
        out.print(f"Slack user {user_id} decides as {name}")

    guarded(run)


@principals_app.command("list")
def principals_list(as_json: JsonOption = False) -> None:
    """The reviewers and their roles."""
    from wardflow.review.principals import PrincipalStore

    store = PrincipalStore(load_settings().review_path)
    try:
        everyone = store.all()
    finally:
        store.close()
    if as_json:
        print_json([p.to_dict() for p in everyone])
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
        store = PrincipalStore(load_settings().review_path)
        try:
            store.deactivate(name)
        finally:
            store.close()
        out.print(f"{name} deactivated")

    guarded(run)


@contextmanager
def _token_store() -> Iterator[tuple[Any, Any, Any]]:
    """The token store, the principals and the audit log (no graph needed)."""
    from wardflow.graphs.stores import open_audit_log
    from wardflow.review.principals import PrincipalStore
    from wardflow.review.tokens import TokenStore

    settings = load_settings()
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

    token, record = guarded(run)
    if as_json:
        print_json({"token": token, **record.to_dict()})
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
        print_json([{**t.to_dict(), "state": t.state(now)} for t in everyone])
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

    record = guarded(run)
    out.print(f"API token {record.id} ({record.principal}, {record.name}) revoked")
