"""Filters of ``wardflow status`` and the approver's view of the review inbox."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from wardflow.graphs.workspace import RunSummary, Workspace
    from wardflow.review.payloads import ReviewRequest

__all__ = ["filter_runs", "inbox_table", "parse_age"]

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    """``30m``, ``4h``, ``2d`` or ``1w`` as a duration.

    Raises:
        ConfigError: anything else.
    """
    match = re.fullmatch(r"\s*(\d{1,6})\s*([mhdw])\s*", text.lower())
    if not match:
        raise ConfigError(f"--older-than {text!r}: give a number and a unit, e.g. 30m, 4h, 2d"
                          " or 1w")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def filter_runs(ws: Workspace, runs: Sequence[RunSummary], *, states: Sequence[str] = (),
                vendor: str | None = None, reason: str | None = None,
                older_than: timedelta | None = None, now: datetime | None = None
                ) -> list[RunSummary]:
    """The runs that match every filter given: any of ``states`` (the names of
    :data:`wardflow.graphs.state.RUN_STATUSES`; a prefix matches), a vendor name or id (case-insensitive,
    part of the name), a reason code (part of it), no change for ``older_than``."""
    now = now or datetime.now(UTC)
    wanted = [s.lower().replace("-", "_").replace(" ", "_") for s in states]
    kept = []
    for run in runs:
        status = run.status.lower().replace(" ", "_")
        if wanted and not any(status == w or status.startswith(w) for w in wanted):
            continue
        if reason and not any(reason.lower() in code.lower() for code in run.reasons):
            continue
        if vendor is not None or older_than is not None:
            facts = ws.run_facts(run.thread_id)
            if vendor is not None and not (
                    vendor.lower() in str(facts["vendor"] or "").lower()
                    or vendor.lower() == str(facts["vendor_id"] or "").lower()):
                continue
            if older_than is not None:
                try:
                    updated = datetime.fromisoformat(str(facts["updated_at"]))
                except ValueError:
                    continue
                if now - updated < older_than:
                    continue
        kept.append(run)
    return kept


def inbox_table(cases: Sequence[tuple[ReviewRequest, str | None]], who: str, *,
                risk_threshold: float) -> Table:
    """The inbox as ``who`` sees it: what they can decide first, then the rest with why;
    each case with its status (:func:`wardflow.review.status.case_status`)."""
    from wardflow.review.status import status_of_request

    mine = sum(1 for _, why in cases if why is None)
    table = Table(title=f"{len(cases)} case(s) waiting; {who} can decide {mine}",
                  title_justify="left")
    table.add_column("#", no_wrap=True)
    table.add_column("thread", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("document", overflow="fold", highlight=False)
    table.add_column("total", no_wrap=True)
    table.add_column("risk", no_wrap=True)
    table.add_column("why", overflow="fold")
    table.add_column("you", overflow="fold")
    for index, (case, why) in enumerate(cases, 1):
        fields: dict[str, Any] = case.fields
        total = (fields.get("total") or {}).get("value")
        currency = (fields.get("currency") or {}).get("value") or ""
        status = status_of_request(case, risk_threshold=risk_threshold)
        table.add_row(str(index), case.thread_id,
                      f"[{status.colour}]{status.level}[/{status.colour}]",
                      str(case.document.get("name")),
                      f"{currency} {total}" if total else "?",
                      f"{float(case.risk.get('score', 0.0)):.2f}",
                      ", ".join(r.code for r in case.reasons),
                      "[green]can decide[/green]" if why is None else f"[dim]{escape(why)}[/dim]")
    return table
