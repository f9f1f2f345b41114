"""``wardflow review``: a line-oriented chat on the review inbox.

It reads plain lines (works over ssh, in tmux, from a pipe): list the inbox, open a
case, ask about it, decide. Answers come from the run's own state and evidence; the
chat never invents a fact. Decisions go through the same authorization as every
other resume.

An approval is for the proposal this reviewer was shown: the chat shows the proposal
(vendor, amount, IBAN) with its hash when a case is opened, remembers that hash, and
approves with it. If the proposal changed since (a clerk corrected the total), the
approval is refused as stale and the chat shows the new proposal. Only principals in
the store may use the chat, and a role the vault does not reveal personal data to (a
clerk) sees it as the vault's tokens (:mod:`wardflow.review.disclosure`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from wardflow.errors import ReviewError, RunNotFound, WardflowError
from wardflow.review.authz import authorize
from wardflow.review.disclosure import Redactor, reveals
from wardflow.review.passages import Passage, guard_passages
from wardflow.review.payloads import ReviewDecision, ReviewRequest
from wardflow.review.status import CaseStatus, comment_refusal, status_of_request
from wardflow.runstate import ComplianceReport

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["ReviewChat", "parse_set", "proposal_text"]

HELP = """\
inbox                      list the cases waiting for review (also: list, ls)
open N | open THREAD       open a case (shows its proposal and the proposal's hash)
proposal                   the proposal as it is now (what 'approve' approves)
why                        why the case needs a human (also: "why was this flagged?")
fields                     extracted fields with confidence and evidence
lines                      line items (also: "show line items")
compare                    compare with this vendor's last posted invoice
evidence FIELD             where FIELD was read in the document
passage N                  a passage the guard flagged (also: passages, show finding N)
approve [comment]          approve the proposal last shown to you (asks to confirm)
reject because ...         reject the invoice (asks to confirm)
set FIELD VALUE            correct a field (another reviewer then approves)
help, quit
A flagged, high-risk or over-limit case needs a comment to approve or reject
(WARDFLOW_COMMENT_REQUIRED_FOR)."""


class ReviewChat:
    """The chat loop, bound to a workspace and the principal who is reviewing.

    Args:
        workspace: the open data home.
        principal: who decides: an active principal (checked again on each decision).
        console: where answers go.
        seen: thread id -> the proposal hash last shown to this reviewer, read and
            updated by the chat (a caller that builds a chat per line keeps it).
        ask: reads an answer to a question (a confirmation, a missing comment);
            ``None``: the chat does not ask (each line is already deliberate, as when
            the web page confirmed it), except in :meth:`run`, which asks on its input.

    Raises:
        ReviewError: ``principal`` is not an active principal of the store.
    """

    def __init__(
        self, workspace: Workspace, principal: str, console: Console, *,
        seen: MutableMapping[str, str] | None = None,
        ask: Callable[[str], str] | None = None,
    ) -> None:
        found = workspace.principals.get(principal)
        if found is None or not found.active:
            raise ReviewError("-", f"unknown-reviewer: {principal!r} is not an active principal"
                              " (`wardflow principals add`)")
        self.ws = workspace
        self.principal = principal
        self.role: str = found.role
        # Prose is printed without hard wraps so that it reflows in any terminal.
        self.out = console
        self.case: ReviewRequest | None = None
        self._listed: list[ReviewRequest] = []
        # thread id -> the proposal hash last shown to this reviewer; "approve" approves it.
        self.seen: MutableMapping[str, str] = {} if seen is None else seen
        self.ask = ask

    def close(self) -> None:
        """Nothing to close: the vault is the workspace's (kept for callers' ``with``)."""

    def run(self, read: Callable[[str], str] = input) -> None:
        """Read lines until ``quit`` or end of input."""
        self.out.print(f"wardflow review as {self.principal}. Type 'help' for commands.")
        if self.ask is None:
            self.ask = read
        try:
            self.inbox()
            while True:
                prompt = f"[{self.case.thread_id}]> " if self.case else "review> "
                try:
                    line = read(prompt)
                except EOFError:
                    self.out.print()
                    return
                if not self.handle(line):
                    return
        finally:
            self.close()

    def handle(self, line: str) -> bool:
        """Answer one line; ``False`` ends the chat."""
        text = line.strip()
        if not text:
            return True
        word, _, rest = text.partition(" ")
        command = word.lower()
        try:
            if command in ("quit", "exit", "q"):
                return False
            if command == "help" or text == "?":
                self.out.print(HELP)
            elif command in ("inbox", "list", "ls"):
                self.inbox()
            elif command == "open":
                self.open(rest.strip())
            elif command == "proposal":
                self.select(self._require_case().thread_id)
                self.proposal()
            elif command == "approve":
                self.decide("approve", comment=rest.strip())
            elif command == "reject":
                self.decide("reject", comment=re.sub(r"^because\s+", "", rest.strip(), flags=re.I))
            elif command == "set":
                field, _, value = rest.strip().partition(" ")
                if not field or not value:
                    self.out.print("usage: set FIELD VALUE   e.g. set total 1234.50")
                else:
                    self.decide("correct", corrections={field: value})
            elif command == "evidence":
                self.evidence(rest.strip())
            elif command in ("passage", "passages") or re.fullmatch(
                    r"show\s+(finding|passage)s?(\s+\S+)?", text, flags=re.I):
                self.passage(text.split()[-1] if text.split()[-1].isdigit() else "")
            else:
                self.question(text)
        except (ReviewError, WardflowError) as err:
            self.out.print(f"[red]refused:[/red] {err}" if isinstance(err, ReviewError)
                           else f"[red]error:[/red] {err}")
        return True

    # Inbox -------------------------------------------------------------------------
    def inbox(self) -> None:
        self._listed = self.ws.inbox()
        if not self._listed:
            self.out.print("The inbox is empty.")
            return
        table = Table(title=f"{len(self._listed)} case(s) waiting", title_justify="left")
        for column in ("#", "thread", "status", "document", "total", "risk", "role", "why"):
            table.add_column(column, no_wrap=column in ("#", "thread", "status"))
        for index, listed in enumerate(self._listed, 1):
            case = self._view(listed)
            total = case.fields.get("total", {}).get("value")
            currency = case.fields.get("currency", {}).get("value") or ""
            status = self._status(listed)
            table.add_row(str(index), case.thread_id,
                          f"[{status.colour}]{status.level}[/{status.colour}]",
                          str(case.document.get("name")),
                          f"{currency} {total}" if total else "?",
                          f"{float(case.risk.get('score', 0.0)):.2f}", case.required_role,
                          ", ".join(r.code for r in case.reasons))
        self.out.print(table)

    def open(self, which: str) -> None:
        if which.isdigit() and self._listed and 1 <= int(which) <= len(self._listed):
            thread = self._listed[int(which) - 1].thread_id
        elif which:
            thread = which
        else:
            self.out.print("usage: open N or open THREAD")
            return
        self.select(thread)
        self.summary()

    def select(self, thread: str) -> ReviewRequest:
        """Make ``thread`` the open case, as this reviewer's role may see it (nothing is
        printed, nothing counts as shown)."""
        self.case = self._view(self.ws.pending(thread))
        return self.case

    def _redactor(self, thread: str) -> Redactor:
        return Redactor(self.ws.services.vault, thread)

    def _view(self, case: ReviewRequest) -> ReviewRequest:
        """``case`` with personal data as tokens, unless the vault reveals it to this role."""
        if reveals(self.role):
            return case
        data = self._redactor(case.thread_id).data(case.model_dump(mode="json"))
        return ReviewRequest.model_validate(data)

    def _safe(self, text: str) -> str:
        """``text`` about the open case as this reviewer's role may see it."""
        if reveals(self.role) or self.case is None:
            return text
        return self._redactor(self.case.thread_id).text(text)

    def _require_case(self) -> ReviewRequest:
        if self.case is None:
            raise ReviewError("-", "open a case first (inbox, then open N)")
        return self.case

    def summary(self) -> None:
        case = self._require_case()
        f = {name: field.get("value") for name, field in case.fields.items()}
        self.out.print(
            f"[bold]{case.document.get('name')}[/bold]  {f.get('vendor')}  invoice"
            f" {f.get('invoice_number')} of {f.get('invoice_date')}: {f.get('currency')}"
            f" {f.get('total')}\nconfidence {case.confidence:.2f}, risk"
            f" {float(case.risk.get('score', 0.0)):.2f}, needs a {case.required_role},"
            f" due {case.deadline[:16]}"
        )
        status = self._status(case)
        self.out.print(f"status: [bold {status.colour}]{status.level}[/bold {status.colour}]"
                       + (f" ({'; '.join(status.reasons)})" if status.reasons else ""),
                       soft_wrap=True)
        self.proposal()
        if case.refused:
            self.out.print(f"[yellow]last decision refused:[/yellow] {case.refused}")
        self.why()

    def _status(self, case: ReviewRequest) -> CaseStatus:
        return status_of_request(case, risk_threshold=self.ws.settings.risk_threshold)

    def proposal(self) -> str | None:
        """Print the open case's proposal with its hash, and remember that this reviewer
        was shown it; returns the hash (``None``: incomplete, nothing to approve)."""
        case = self._require_case()
        self.out.print(proposal_text(case), soft_wrap=True)
        shown = case.proposed_action.args_hash
        if shown is None:
            self.seen.pop(case.thread_id, None)
        else:
            self.seen[case.thread_id] = shown
        return shown

    # Questions ---------------------------------------------------------------------
    def question(self, text: str) -> None:
        lowered = text.lower()
        case = self._require_case()
        if re.search(r"\bwhy\b|flag|reason|review", lowered):
            self.why()
        elif re.search(r"line|items?\b|positions?", lowered):
            self.lines()
        elif re.search(r"compare|last invoice|previous|history", lowered):
            self.compare()
        elif re.search(r"field|show|detail|summary", lowered):
            self.fields()
        elif re.search(r"iban|bank", lowered):
            self.evidence("iban")
        elif re.search(r"total|amount|how much", lowered):
            self.evidence("total")
        elif not self.explain(text):
            self.out.print(f"I can answer from the case {case.thread_id}: why, fields, lines,"
                           " compare, evidence FIELD. Type 'help' for the commands.")

    def explain(self, question: str) -> bool:
        """Answer from the run's explanation: the claims that share the question's words,
        each with its evidence. ``False`` if none does (nothing is made up)."""
        from wardflow.agents.explain import explain_run

        case = self._require_case()
        words = {w for w in re.findall(r"[a-z0-9]{4,}", question.lower())} - _STOPWORDS
        if not words:
            return False
        claims = explain_run(self.ws.state(case.thread_id).values,
                             list(self.ws.audit.records(case.thread_id))).claims
        scored = sorted(((len(words & set(re.findall(r"[a-z0-9]{4,}", c.text.lower()))), i, c)
                         for i, c in enumerate(claims)), key=lambda t: (-t[0], t[1]))
        best = [c for score, _, c in scored[:3] if score > 0]
        for claim in best:
            self.out.print(f"- {self._safe(claim.text)}")
        return bool(best)

    def why(self) -> None:
        case = self._require_case()
        if not case.reasons:
            self.out.print("No reason recorded.")
        passages = self._passages()
        for reason in case.reasons:
            detail = reason.detail
            numbers = [str(p.number) for p in passages if p.code == reason.code]
            if numbers:
                hint = " or ".join(f"'passage {n}'" for n in numbers[:3]) + " shows it"
                counted = re.search(r"\(\d+ passage\(s\)\)", detail)
                detail = (detail[:counted.end() - 1] + f": {hint})" + detail[counted.end():]
                          if counted else f"{detail} ({hint})")
            self.out.print(f"- [bold]{reason.code}[/bold]: {escape(detail)}", soft_wrap=True)

    def _passages(self) -> list[Passage]:
        case = self._require_case()
        text = str(self.ws.state(case.thread_id).values.get("text") or "")
        return guard_passages([r.model_dump(mode="json") for r in case.reasons], text)

    def passage(self, which: str) -> None:
        """Print a passage the guard flagged (all of them without a number)."""
        passages = self._passages()
        if not passages:
            self.out.print("The guard flagged no passage in this case.")
            return
        if which and not 1 <= int(which) <= len(passages):
            self.out.print(f"no passage {which}; this case has {len(passages)}: passage 1"
                           + (f" to passage {len(passages)}" if len(passages) > 1 else ""))
            return
        for p in passages if not which else [passages[int(which) - 1]]:
            where = f"page {p.page}, " if p.page else ""
            self.out.print(f"passage {p.number} ({p.code}; {where}characters {p.start}-{p.end};"
                           f" rules {', '.join(p.rules)}):", soft_wrap=True)
            self.out.print(f"  \u00bb{escape(self._safe(p.text))}\u00ab", soft_wrap=True)

    def fields(self) -> None:
        case = self._require_case()
        table = Table(title="fields", title_justify="left")
        for column in ("field", "value", "confidence", "evidence"):
            table.add_column(column, overflow="fold")
        for name, field in case.fields.items():
            if field.get("value") is None:
                continue
            evidence = field.get("evidence") or {}
            table.add_row(name, str(field["value"]), f"{float(field['confidence']):.2f}",
                          _evidence_text(evidence))
        self.out.print(table)

    def evidence(self, name: str) -> None:
        case = self._require_case()
        field = case.fields.get(name)
        if field is None:
            self.out.print(f"no field {name!r}; fields: {', '.join(case.fields)}")
            return
        self.out.print(f"{name} = {field.get('value')} (confidence"
                       f" {float(field.get('confidence', 0)):.2f}); read from"
                       f" {_evidence_text(field.get('evidence') or {}) or 'nowhere (not found)'}",
                       soft_wrap=True)

    def lines(self) -> None:
        case = self._require_case()
        items = self.ws.state(case.thread_id).values["extraction"]["line_items"]
        if not items:
            self.out.print("No line items were read.")
            return
        table = Table(title=f"{len(items)} line item(s)", title_justify="left")
        for column in ("description", "qty", "unit price", "amount"):
            table.add_column(column)
        for item in items:
            table.add_row(self._safe(item["description"]), item["quantity"], item["unit_price"],
                          item["amount"])
        self.out.print(table)

    def compare(self) -> None:
        case = self._require_case()
        vendor_id = case.fields.get("vendor_id", {}).get("value")
        if not vendor_id:
            self.out.print("The vendor is not in the vendor master: there is no history.")
            return
        history = self.ws.erp.postings(vendor_id=vendor_id)
        if not history:
            self.out.print(f"No earlier invoice from {vendor_id} was posted.")
            return
        last = history[-1]
        now = case.fields
        self.out.print(self._safe(
            f"last posted invoice from {vendor_id}: {last.invoice_number} of {last.invoice_date},"
            f" {last.currency} {last.total} ({last.posting_id}, approved by {last.approved_by})\n"
            f"this one: {now.get('invoice_number', {}).get('value')} of"
            f" {now.get('invoice_date', {}).get('value')}, {now.get('currency', {}).get('value')}"
            f" {now.get('total', {}).get('value')}"), soft_wrap=True
        )
        # Compared in clear (the open case may hold tokens); only the outcome is printed.
        iban = self.ws.pending(case.thread_id).fields.get("iban", {}).get("value")
        if last.iban and iban not in (None, last.iban):
            self.out.print("[yellow]the bank account differs from the last posted invoice[/yellow]")

    # Decisions ---------------------------------------------------------------------
    def decide(self, decision: str, *, comment: str = "",
               corrections: Mapping[str, str] | None = None) -> None:
        """Decide the open case; an approval approves the proposal last shown to this
        reviewer. A stale one is refused, and the proposal as it is now is shown."""
        case = self._require_case()
        thread = case.thread_id
        shown = self.seen.get(thread) if decision == "approve" else None
        if self.ask is not None and decision != "correct" and self._may(decision, shown):
            confirmed = self._confirm(case, decision, comment, corrections or {})
            if confirmed is None:
                self.out.print("Cancelled; nothing was decided.")
                return
            comment = confirmed
        made = ReviewDecision.model_validate({
            "decision": decision, "by": self.principal, "comment": comment,
            "args_hash": shown, "corrections": dict(corrections or {}),
        })
        try:
            summary = self.ws.resume(thread, made)
        except ReviewError as err:
            if decision != "approve" or not _unseen_proposal(err):
                raise
            self.out.print(f"[red]refused:[/red] {err}", soft_wrap=True)
            try:
                self.select(thread)
            except (ReviewError, RunNotFound):
                return
            self.out.print("The proposal now, which you have not approved:")
            if self.proposal() is not None:
                self.out.print("Type 'approve' to approve this one.")
            return
        self.out.print(f"{decision}: {thread} is now [bold]{summary.status}[/bold]"
                       + (f" ({summary.posting_id})" if summary.posting_id else ""))
        self.case = None
        if summary.waiting_for_review:
            self.out.print("It is back in the inbox for another reviewer.")
        self.inbox()


    def _may(self, decision: str, shown: str | None) -> bool:
        """Whether the rules let this reviewer make ``decision`` (comment aside): only
        then is there something to confirm; otherwise the refusal comes at once (and is
        audited by the resume)."""
        thread = self._require_case().thread_id
        values = self.ws.state(thread).values
        try:
            authorize(ReviewDecision.model_validate(
                {"decision": decision, "by": self.principal, "args_hash": shown}),
                self.ws.pending(thread), self.ws.principals.get(self.principal),
                submitted_by=values.get("submitted_by"), editors=values.get("editors", []),
                amount=ComplianceReport.of(values.get("compliance")).approval_amount)
        except ReviewError:
            return False
        return True

    def _confirm(self, case: ReviewRequest, decision: str, comment: str,
                 corrections: Mapping[str, str]) -> str | None:
        """Show what the decision will do and ask for a yes; asks for the comment the
        policy requires first. Returns the comment, or None when cancelled."""
        assert self.ask is not None
        status = self._status(case)
        needed = comment_refusal(decision, comment, status, self.ws.settings.comment_required_for)
        if needed is not None:
            self.out.print(f"A comment is required: {needed.split(': ', 1)[-1]}", soft_wrap=True)
            comment = self.ask("comment (empty cancels): ").strip()
            if not comment:
                return None
        if decision == "approve":
            self.out.print(f"You are about to approve and post: {proposal_text(case)}",
                           soft_wrap=True)
        elif decision == "reject":
            vendor = case.fields.get("vendor", {}).get("value")
            number = case.fields.get("invoice_number", {}).get("value")
            self.out.print(f"You are about to reject invoice {number} of {vendor}: nothing is"
                           " posted and the document is archived as rejected.", soft_wrap=True)
        else:
            changes = ", ".join(
                f"{name}: {case.fields.get(name, {}).get('value')!r} -> {value!r}"
                for name, value in corrections.items())
            self.out.print(f"You are about to correct {changes}; another reviewer then"
                           " approves.", soft_wrap=True)
        self.out.print(f"status {status.level}; comment: {comment or '(none)'}", soft_wrap=True)
        answer = self.ask("confirm? [y/N] ").strip().lower()
        return comment if answer in ("y", "yes") else None


def _unseen_proposal(err: ReviewError) -> bool:
    """Whether an approval was refused because its hash is not the current proposal's."""
    return any(f": {rule}:" in str(err) for rule in ("stale-proposal", "no-hash"))


def proposal_text(case: ReviewRequest) -> str:
    """One line: what approving ``case`` posts (vendor, amount, IBAN) and the hash an
    approval must carry (``--hash``)."""
    action = case.proposed_action
    args = action.args
    vendor = case.fields.get("vendor", {}).get("value")
    if args is None or action.args_hash is None:
        return (f"proposal: incomplete, nothing to approve (missing {', '.join(action.missing)});"
                f" vendor {vendor}")
    return (f"proposal {action.args_hash}: pay {args.get('currency')} {args.get('total')} to"
            f" {vendor} ({args.get('vendor_id')}), IBAN {args.get('iban') or 'none'}, invoice"
            f" {args.get('invoice_number')} of {args.get('invoice_date')}")


_STOPWORDS = frozenset({"what", "which", "this", "that", "does", "with", "from", "have",
                        "about", "there", "invoice", "please", "tell", "show", "were", "when"})


def _evidence_text(evidence: Mapping[str, Any]) -> str:
    text = evidence.get("text")
    if not text:
        return ""
    page = evidence.get("page")
    label = evidence.get("label")
    where = f"page {page}" if page else ""
    return " ".join(part for part in (f"{text!r}", where, f"({label})" if label else "") if part)


def parse_set(values: list[str]) -> dict[str, str]:
    """``["total=1234.50", "iban=DE89..."]`` as a corrections mapping."""
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep:
            raise ReviewError("-", f"--set wants FIELD=VALUE, got {item!r}")
        out[name.strip()] = value
    return out
