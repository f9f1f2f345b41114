"""``wardflow init [FOLDER]``: a new project for someone starting from zero.

It writes a settings file (``wardflow.toml``), an ``inbox/`` for documents, the invoice
blueprint in ``blueprints/`` and the first principal, and never overwrites a file that
is already there.
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from wardflow.cli._common import (
    EXIT_ERROR,
    EXIT_USAGE,
    err,
    guarded,
    out,
)

__all__ = ["init"]

SETTINGS = """\
# wardflow settings for this project; environment variables WARDFLOW_* override them.
# Every key is documented in `wardflow.config.Settings`.

# Where checkpoints, the embedded ERP, the audit log and stored documents live.
home = ".wardflow"
# The local model (runs in-process, nothing leaves the machine); "none": rules only.
model = "local/gemma-3-270m"
# A document whose extraction confidence is below this goes to a person.
review_threshold = 0.90
# Totals above this (in approval_currency) need an approver, above an approver's
# own limit a controller.
approval_limit = 10000
approval_currency = "{currency}"
# The only folders a prompt or an API request may name.
inbox_roots = ["inbox"]
"""

BLUEPRINT = """\
# The invoice workflow as a blueprint: each document put in inbox/ goes through the
# invoice graph (guard, extract, risk, compliance, review where needed, post, archive).
# Check it: wardflow blueprint validate blueprints/invoice.yaml
# Draw it:  wardflow blueprint graph blueprints/invoice.yaml --svg invoice.svg
name: invoice
description: "Invoices from the inbox to the ERP, with review where it matters."
trigger:
  event: "document_uploaded"
  source: "inbox"
steps:
  - name: process_invoice
    type: "agent"
    agent: "invoice"
    retries: 2
"""

ROLES = ("clerk", "approver", "controller", "auditor", "admin")


def _write(path: Path, text: str, made: list[str], kept: list[str]) -> None:
    if path.exists():
        kept.append(str(path))
        return
    path.write_text(text, encoding="utf-8")
    made.append(str(path))


def _first_principal(principal: str | None, role: str | None, limit: str | None,
                     currency: str) -> tuple[str, str, Decimal | None]:
    """The first principal's name, role and limit: as given, else asked for at a terminal;
    bad input exits with the usage code."""
    if principal is None:
        if not sys.stdin.isatty():
            err.print("[red]error:[/red] not a terminal: give the first principal with"
                      " --principal NAME (and --role ROLE)")
            raise typer.Exit(EXIT_USAGE)
        principal = typer.prompt("Your name (the first principal)").strip()
        if role is None:
            role = typer.prompt(f"Role ({', '.join(ROLES)})", default="controller").strip()
    role = role or "controller"
    if role == "approver" and limit is None and sys.stdin.isatty():
        limit = typer.prompt(f"Approval limit ({currency.upper()})").strip()
    if role not in ROLES:
        err.print(f"[red]error:[/red] --role {role!r}: one of {', '.join(ROLES)}")
        raise typer.Exit(EXIT_USAGE)
    if not currency.isalpha() or len(currency) != 3:
        err.print(f"[red]error:[/red] --currency {currency!r} is not an ISO 4217 code")
        raise typer.Exit(EXIT_USAGE)
    try:
        amount = Decimal(limit) if limit is not None else None
    except InvalidOperation:
        err.print(f"[red]error:[/red] --limit {limit!r} is not an amount")
        raise typer.Exit(EXIT_USAGE) from None
    return principal, role, amount


def init(
    folder: Annotated[Path, typer.Argument(help="The project folder (created if missing).")
                      ] = Path("."),
    principal: Annotated[str | None, typer.Option(
        "--principal", help="The first reviewer's name (asked for on a terminal).")] = None,
    role: Annotated[str | None, typer.Option(
        "--role", help="Their role: clerk, approver, controller, auditor or admin (default"
        " controller, who may decide every case).")] = None,
    limit: Annotated[str | None, typer.Option(
        "--limit", help="Their approval limit, for an approver.")] = None,
    currency: Annotated[str, typer.Option("--currency", help="The approval currency.")
                        ] = "EUR",
) -> None:
    """Start a project: wardflow.toml, an inbox/, the invoice blueprint and a first
    principal. Files already there are kept."""
    from wardflow.config import Settings
    from wardflow.graphs.blueprint import load_blueprint
    from wardflow.review.principals import PrincipalStore

    principal, role, amount = _first_principal(principal, role, limit, currency)
    try:
        for sub in ("", "inbox", "blueprints"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        err.print(f"[red]error:[/red] cannot create {folder}: {error.strerror}")
        raise typer.Exit(EXIT_ERROR) from error
    made: list[str] = []
    kept: list[str] = []
    _write(folder / "wardflow.toml", SETTINGS.format(currency=currency.upper()), made, kept)
    _write(folder / "blueprints" / "invoice.yaml", BLUEPRINT, made, kept)
    settings = Settings(home=folder / ".wardflow")
    guarded(lambda: load_blueprint(folder / "blueprints" / "invoice.yaml", settings))

    def add() -> str:
        store = PrincipalStore(settings.review_path)
        try:
            added = store.add(principal, role, approval_limit=amount)
        finally:
            store.close()
        return f"{added.name} ({added.role})"

    who = guarded(add)
    for path in made:
        out.print(f"created {path}", highlight=False)
    for path in kept:
        out.print(f"kept    {path} (already there)", highlight=False)
    out.print(f"principal {who} added", highlight=False)
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    out.print(
        "next:\n"
        f"  {where}wardflow erp import VENDORS.json      # your vendor master (see"
        " examples/erp.json)\n"
        "  put invoices in inbox/, then: wardflow process inbox\n"
        "  wardflow status   ·   wardflow review --list --as " + principal, highlight=False)
