"""Shadow mode: a candidate configuration runs beside the live one on the same
documents, and every disagreement is recorded; the candidate never acts.

``wardflow process --shadow candidate.toml PATHS`` runs each document live as usual,
then once more with the candidate settings (another model, thresholds, packs) on the
side-effect-free stand-ins a replay uses (:mod:`wardflow.tools.dryrun`): postings and
storage writes are only recorded, the checkpoints, audit log, vault, kill switch and
reviewer store are in memory, and a review the candidate would ask for is a paused
in-memory run nobody sees. What the candidate would have decided differently (route,
review reasons, fields, risk, compliance, posting) goes into one ``shadow.compare``
audit record per document, the only write the shadow makes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.config import Settings
from wardflow.operations._replay_report import Outcome, Row, compare, outcome
from wardflow.operations.replay import _aliases, _settings_changed
from wardflow.runstate import Posting
from wardflow.services import build_services

if TYPE_CHECKING:
    from wardflow.runtime.workspace import RunSummary, Workspace
    from wardflow.tools.inbox import InboxItem

__all__ = ["ShadowResult", "process_with_shadow", "shadow_run"]

# Rows that are disagreements (a model-call count is not).
_COMPARED = frozenset({"outcome", "field", "risk", "compliance", "posting", "extraction"})


@dataclass(frozen=True)
class ShadowResult:
    """The live run and the candidate's, side by side."""

    thread_id: str
    document: str
    settings_changed: dict[str, list[Any]]
    live: Outcome
    shadow: Outcome
    rows: list[Row]
    would_do: list[dict[str, Any]]

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if r.changed and r.kind in _COMPARED]

    def to_dict(self) -> dict[str, Any]:
        return {"thread_id": self.thread_id, "document": self.document,
                "settings_changed": self.settings_changed,
                "agree": not self.disagreements,
                "disagreements": [{"what": r.what, "live": r.original, "shadow": r.replay,
                                   "kind": r.kind} for r in self.disagreements],
                "live": self.live.to_dict(), "shadow": self.shadow.to_dict(),
                "would_do": self.would_do}


def process_with_shadow(
    ws: Workspace, paths: Iterable[str | Path], candidate: Settings, *,
    submitted_by: str | None = None,
) -> Iterator[tuple[RunSummary, ShadowResult | None]]:
    """Process each document live, then in the shadow (not for a document whose live
    run failed before reading it)."""
    for item in ws.items(paths):
        summary = ws.process_item(item, submitted_by=submitted_by)
        result = None
        if not summary.error:
            result = shadow_run(ws, item, candidate, submitted_by=submitted_by)
        yield summary, result


def shadow_run(
    ws: Workspace, item: InboxItem, candidate: Settings, *, submitted_by: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ShadowResult:
    """Run ``item`` with ``candidate`` settings on dry-run collaborators and compare with
    its live run in ``ws``; record the comparison (``shadow.compare``)."""

    from wardflow.graphs.invoice import build_invoice_graph
    from wardflow.observability.audit import digest
    from wardflow.observability.redact import redact
    from wardflow.tools.dryrun import DryRunErp, DryRunStorage, dry_memory

    thread = item.document_id
    live = ws.state(thread)
    own = Posting.of(live.values.get("posting")).posting_id
    when = clock or ws._clock
    # The live run's own posting is hidden, or the shadow would find it as a duplicate.
    erp = DryRunErp(ws.erp, hidden=[own] if own else [], clock=when)
    storage = DryRunStorage(ws.storage, aliases=_aliases(live.values))
    config: Any = {"configurable": {"thread_id": thread}}
    settings = candidate.model_copy(update={"home": ws.settings.home})
    # Scratch stores in memory: the shadow run writes nothing to the data home.
    with build_services(settings, scratch=True, clock=when, erp=erp, storage=storage,
                        memory=dry_memory(settings)) as services:
        graph = build_invoice_graph(settings, services=services)
        graph.invoke({**item.graph_input(), "submitted_by": submitted_by}, config,
                     durability="exit")
        after = graph.get_state(config)
    posted = [w.detail for w in erp.writes if w.op == "post"]
    before = outcome(live.values, waiting=bool(live.interrupts), next_=live.next,
                     posting=live.values.get("posting"))
    shadow = outcome(after.values, waiting=bool(after.interrupts), next_=after.next,
                     posting=posted[0] if posted else None)
    changed = _settings_changed(ws.settings, candidate)
    result = ShadowResult(thread_id=thread, document=item.source,
                          settings_changed=changed, live=before, shadow=shadow,
                          rows=compare(before, shadow),
                          would_do=[w.to_dict() for w in erp.writes + storage.writes])
    record = result.to_dict()
    ws.audit.append("shadow.compare", redact({
        "settings_changed": changed, "agree": record["agree"],
        "disagreements": record["disagreements"],
        "would_do": [w["op"] for w in record["would_do"]],
    }), actor="wardflow/shadow", thread_id=thread,
        key=f"shadow.compare:{thread}:{digest(changed)}:{digest(record['disagreements'])}")
    return result
