"""``wardflow resume`` and ``wardflow review``: deciding cases from the terminal
(registered by :mod:`wardflow.cli.app`).

An approval is bound to what the reviewer saw. Both commands print the case's
proposal (vendor, amount, IBAN) and its hash before deciding; ``--approve`` then asks
for a confirmation at a terminal and approves the hash it printed, or, in a script,
approves only the hash given with ``--hash`` (``wardflow review THREAD --json`` prints
it). A proposal that changed since is refused as stale, with the new one printed.
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from wardflow.cli._common import (
    EXIT_USAGE,
    JsonOption,
    err,
    guarded,
    open_workspace,
    out,
    print_json,
    runs_table,
)
from wardflow.errors import ReviewError

if TYPE_CHECKING:
    from wardflow.runtime.workspace import RunSummary

__all__ = ["resume", "review"]

HashOption = Annotated[str | None, typer.Option(
    "--hash", help="Approve only this proposal (its hash, as `wardflow review THREAD`"
    " prints it); needed to approve without a terminal.")]


def resume(
    thread: Annotated[str, typer.Argument(help="The paused run's thread id.")],
    approve: Annotated[bool, typer.Option("--approve", help="Approve the proposal shown.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the invoice.")] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who decides (default: login name).")] = None,
    comment: Annotated[str, typer.Option("--reason", "--comment", help="Why you decide so;"
                                         " kept in the audit record. Required for flagged,"
                                         " high-risk and over-limit cases.")] = "",
    args_hash: HashOption = None,
    retry: Annotated[bool, typer.Option("--retry", help="Run a dead-lettered run's failed"
                                        " step again, once its fault is fixed.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Decide a run that waits for review, and let it continue."""
    if retry and not (approve or reject):
        def run_retry() -> RunSummary:
            with open_workspace() as ws:
                return ws.retry(thread)

        summary = guarded(run_retry)
    elif approve == reject or retry:
        err.print("[red]error:[/red] give exactly one of --approve, --reject or --retry")
        raise typer.Exit(EXIT_USAGE)
    else:
        summary = guarded(lambda: _decide(
            thread, "approve" if approve else "reject", by or getpass.getuser(), comment, {},
            args_hash=args_hash, shown_on=err if as_json else out))
    if as_json:
        print_json(summary.to_dict())
    else:
        out.print(runs_table([summary], "resumed"))


def _decide(
    thread: str, decision: str, by: str, comment: str, corrections: dict[str, str], *,
    args_hash: str | None, shown_on: Console,
) -> RunSummary:
    """Show ``thread``'s proposal, then resume it with a decision bound to what was shown.

    Raises:
        ReviewError: the decision is refused by the rules (an approval without a hash,
            as from a script without ``--hash``, or with a stale one, included), or an
            approval was not confirmed at the terminal.
    """
    from wardflow.review.payloads import ReviewDecision
    from wardflow.review.status import comment_refusal, status_of_request

    with open_workspace() as ws:
        ws.pending(thread)  # an unknown or finished run first: it is what needs fixing
        chat = _chat(ws, thread, by, shown_on)
        try:
            case = chat.select(thread)
            shown = chat.proposal()
        finally:
            chat.close()
        needed = comment_refusal(decision, comment, status_of_request(
            case, risk_threshold=ws.settings.risk_threshold), ws.settings.comment_required_for)
        if needed is not None and sys.stdin.isatty():
            # At a terminal the reason is asked for; a script passes --reason.
            shown_on.print(needed.split(": ", 1)[-1], soft_wrap=True)
            comment = typer.prompt("Reason (kept in the audit record)", default="",
                                   show_default=False).strip()
            if not comment:
                raise ReviewError(thread, f"{needed}; nothing was decided")
        if decision == "approve" and args_hash is None and sys.stdin.isatty():
            if shown is None or not typer.confirm("Approve this proposal?", default=False):
                raise ReviewError(thread, "not approved; nothing was decided")
            args_hash = shown
        if args_hash is not None and args_hash != shown:
            shown_on.print("The proposal changed since that hash was shown; the current one is"
                           " above.")
            if decision != "approve":
                # A script that names a proposal means that one, whatever it decides.
                raise ReviewError(thread, "stale-proposal: the proposed action changed since"
                                  " it was shown")
        made = ReviewDecision.model_validate({
            "decision": decision, "by": by, "comment": comment, "corrections": corrections,
            "args_hash": args_hash if decision == "approve" else None,
        })
        try:
            # An approval without a hash, or with a stale one, is refused (and audited) here.
            return ws.resume(thread, made)
        except ReviewError as refused:
            if decision == "approve" and args_hash is None and "no-hash" in str(refused):
                shown_on.print("To approve without a terminal, pass the hash of the proposal"
                               " shown above: --hash HASH")
            if "comment-required" in str(refused):
                shown_on.print(f"Say why with --reason, e.g. --reason 'checked with the"
                               f" vendor' (the decision was not made; {decision} again).")
            raise


def review(
    thread: Annotated[str | None, typer.Argument(help="Show or decide this case without the"
                                                 " chat.")] = None,
    as_: Annotated[str | None, typer.Option("--as", help="The reviewing principal"
                                            " (default: login name).")] = None,
    approve: Annotated[bool, typer.Option("--approve", help="Approve the case's proposed"
                                          " posting (with THREAD).")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject the invoice (with THREAD);"
                                         " nothing is posted.")] = False,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Correct a field: FIELD=VALUE"
                                                   " (repeatable).")] = None,
    comment: Annotated[str, typer.Option("--reason", "--comment", help="Why you decide so;"
                                         " kept in the audit record. Required for flagged,"
                                         " high-risk and over-limit cases.")] = "",
    args_hash: HashOption = None,
    sweep: Annotated[bool, typer.Option("--sweep", help="Escalate overdue cases and send"
                                        " reminders (run it from a scheduler).")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the inbox as --as sees it: the"
                                        " cases they can decide first, then the others with"
                                        " why not.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Open the review chat on the inbox; show one case's proposal (THREAD); or decide it
    (THREAD with a flag)."""
    from wardflow.review.chat import parse_set

    if sweep:
        _sweep(as_json)
        return
    who = as_ or getpass.getuser()
    if list_:
        _list_inbox(who, as_json)
        return
    chosen = [flag for flag, on in (("approve", approve), ("reject", reject),
                                    ("correct", bool(set_))) if on]
    if thread is None:
        _open_chat(who, chosen)
        return
    if not chosen:
        shown = guarded(lambda: _show(thread, who, as_json))
        if as_json:
            print_json(shown)
        return
    if len(chosen) != 1:
        err.print("[red]error:[/red] give exactly one of --approve, --reject or --set")
        raise typer.Exit(EXIT_USAGE)
    summary = guarded(lambda: _decide(
        thread, chosen[0], who, comment,
        parse_set(set_ or []) if chosen[0] == "correct" else {},
        args_hash=args_hash, shown_on=err if as_json else out))
    if as_json:
        print_json(summary.to_dict())
    else:
        out.print(runs_table([summary], f"{chosen[0]} by {who}"))


def _open_chat(who: str, chosen: list[str]) -> None:
    """``review`` without a THREAD: the review chat on the inbox (no decision flag)."""
    from wardflow.review.chat import ReviewChat

    if chosen:
        err.print("[red]error:[/red] give the THREAD to decide, or no flag for the chat")
        raise typer.Exit(EXIT_USAGE)

    def chat() -> None:
        with open_workspace() as ws:
            # Prose reflows in any terminal width: no hard line breaks.
            ReviewChat(ws, who, Console(soft_wrap=True)).run()

    guarded(chat)


def _sweep(as_json: bool) -> None:
    """``review --sweep``: escalate overdue cases and send reminders."""

    def run_sweep() -> list[dict[str, str]]:
        with open_workspace() as ws:
            return ws.sweep()

    events = guarded(run_sweep)
    if as_json:
        print_json(events)
        return
    for event in events:
        out.print(f"{event['thread_id']}  {event['kind']}: {event['detail']}",
                  highlight=False)
    kinds = sorted({e["kind"] for e in events})
    out.print(f"sweep: {len(events)} event(s)"
              + (f" ({', '.join(kinds)})" if kinds else
                 "; no case is overdue or due a reminder"), highlight=False)


def _list_inbox(who: str, as_json: bool) -> None:
    """``review --list``: the inbox as ``who`` sees it."""
    from wardflow.cli._filters import inbox_table
    from wardflow.review.status import status_of_request

    def listed() -> tuple[list[Any], float]:
        with open_workspace() as ws:
            return ws.inbox_for(who), ws.settings.risk_threshold

    cases, risk_threshold = guarded(listed)
    if as_json:
        print_json([{"thread_id": c.thread_id, "can_decide": why is None, "why_not": why,
                      "required_role": c.required_role,
                      "status": status_of_request(c, risk_threshold=risk_threshold).to_dict()}
                     for c, why in cases])
    else:
        out.print(inbox_table(cases, who, risk_threshold=risk_threshold))


def _chat(ws: Any, thread: str, who: str, console: Console) -> Any:
    """The chat as ``who``; a refusal of ``who`` names the case, so the hint can say who
    may decide it instead."""
    from wardflow.review.chat import ReviewChat

    try:
        return ReviewChat(ws, who, console)
    except ReviewError as refused:
        if refused.thread_id != "-":
            raise
        raise ReviewError(thread, str(refused)) from refused


def _show(thread: str, who: str, as_json: bool) -> dict[str, Any]:
    """Print the case's summary and proposal (or, for ``--json``, return them) as
    ``who``'s role may see them."""

    with open_workspace() as ws:
        chat = _chat(ws, thread, who, err if as_json else out)
        try:
            case = chat.select(thread)
            if not as_json:
                chat.summary()
        finally:
            chat.close()
        if not as_json:
            from wardflow.cli._hints import decide_hint

            for line in decide_hint(ws, thread, who, case.proposed_action.args_hash):
                out.print(line, highlight=False, soft_wrap=True)
    action = case.proposed_action
    return {"thread_id": thread, "required_role": case.required_role,
            "reasons": [r.code for r in case.reasons], "args_hash": action.args_hash,
            "proposal": action.args, "missing": action.missing,
            "vendor": case.fields.get("vendor", {}).get("value")}
