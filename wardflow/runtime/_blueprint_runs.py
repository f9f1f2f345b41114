"""A workspace's blueprint runs: run a blueprint per document, watch its source, decide its
approvals (a part of :class:`~wardflow.runtime.workspace.Workspace`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langgraph.types import Command

from wardflow.errors import DecisionRefused, PolicyError, ReviewError, RunNotFound
from wardflow.review.payloads import ReviewDecision
from wardflow.runstate import RunState, RunView
from wardflow.runtime._workspace_base import WorkspaceBase
from wardflow.tools.inbox import InboxItem

if TYPE_CHECKING:
    from wardflow.graphs.blueprint import Blueprint
    from wardflow.runtime.streams import StreamSource


class BlueprintRuns(WorkspaceBase):
    """The workspace's methods for blueprint runs (``name:doc-...`` threads)."""

    def blueprint_graph(self, blueprint: Blueprint) -> Any:
        from wardflow.graphs.blueprint_graph import build_blueprint_graph

        try:
            return build_blueprint_graph(blueprint, self.settings, services=self.services)
        except PolicyError as err:
            self.audit.append("policy.refused", {
                "rule": "policy-only-tightens", "source": err.source,
                "violations": err.violations}, actor="wardflow/blueprint")
            raise

    def run_blueprint(
        self, blueprint: Blueprint, paths: Iterable[str | Path], *, submitted_by: str | None = None
    ) -> list[dict[str, Any]]:
        """Run ``blueprint`` once per document (a finished document is not run again)."""
        graph = self.blueprint_graph(blueprint)
        return [self._run_blueprint_item(graph, blueprint, item, submitted_by)
                for item in self.items(paths)]

    def _run_blueprint_item(self, graph: Any, blueprint: Blueprint, item: InboxItem,
                            submitted_by: str | None) -> dict[str, Any]:
        self.switch.check(blueprint.name)
        thread = f"{blueprint.name}:{item.document_id}"
        config = self._config(thread)
        snapshot = graph.get_state(config)
        if not snapshot.values:
            graph.invoke({**item.graph_input(), "submitted_by": submitted_by}, config,
                         durability=self.settings.durability)
        elif snapshot.next and not snapshot.interrupts:
            graph.invoke(None, config, durability=self.settings.durability)
        return self._blueprint_result(graph, thread, item.source)

    def run_blueprint_item(self, blueprint: Blueprint, item: InboxItem, *,
                           submitted_by: str | None = None) -> dict[str, Any]:
        """Run ``blueprint`` on one document already collected (an upload)."""
        return self._run_blueprint_item(self.blueprint_graph(blueprint), blueprint, item,
                                        submitted_by)

    def blueprint_status(self, blueprint: Blueprint, thread_id: str) -> dict[str, Any]:
        """One blueprint run as ``blueprint run`` reports it; raises :class:`RunNotFound`."""
        graph = self.blueprint_graph(blueprint)
        if not graph.get_state(self._config(thread_id)).values:
            raise RunNotFound(thread_id)
        return self._blueprint_result(graph, thread_id, "")

    def watch_once(self, blueprint: Blueprint, folder: Path | None = None, *,
                   progress: Callable[[int, int, str], None] | None = None
                   ) -> list[dict[str, Any]]:
        """One scan of the blueprint's source (a storage folder, its location in S3
        storage, a ``maildir:``, or one bounded read of a message stream, see
        :meth:`watch_stream`): a ``document_uploaded`` event per new document, object
        version, attachment or message, recorded in the ledger, then one run per event
        (exactly once). While the kill switch is on,
        events are held open (audited once as ``event.held``) and run after it is off."""
        from wardflow.runtime.events import MaildirSource, held_by_switch
        from wardflow.runtime.s3events import s3_storage

        if folder is None and blueprint.trigger.stream is not None:
            return self.watch_stream(blueprint)
        maildir = blueprint.trigger.maildir if folder is None else None
        if folder is None and maildir is None and s3_storage(self.storage) is not None:
            return self._watch_s3(blueprint, progress)
        if folder is None and maildir is None:
            source = blueprint.trigger.source or "inbox"
            folder = self.settings.storage_root.resolve() / self.settings.storage_locations[source]
            folder.mkdir(parents=True, exist_ok=True)
        graph = self.blueprint_graph(blueprint)
        ledger = self.services.events  # closed with the services
        results = []
        if maildir is not None:
            mail = MaildirSource(maildir, ledger, self.storage, audit=self.audit,
                                 max_bytes=self.settings.max_document_bytes,
                                 max_attachments=self.settings.max_email_attachments)
            events = [(e.key, e.item) for e in mail.events(blueprint.name)]
        else:
            pending = {e.document_id for e in ledger.open_entries(blueprint.name)}
            # A document recorded before and not pending was handled before.
            assert folder is not None
            events = [(item.document_id, item) for item in self.items([folder])
                      if ledger.record(blueprint.name, item.document_id, item.source)
                      or item.document_id in pending]
        for index, (key, item) in enumerate(events):
            if progress is not None:
                progress(index, len(events), item.name)
            if held_by_switch(self.switch, self.audit, blueprint.name, key, actor="watcher"):
                break
            thread = f"{blueprint.name}:{item.document_id}"
            ledger.mark(blueprint.name, key, "started", thread_id=thread)
            result = self._run_blueprint_item(graph, blueprint, item, "watcher")
            ledger.mark(blueprint.name, key, "done" if not result["waiting"]
                        else "waiting", result=str(result["status"]))
            results.append(result)
        if maildir is not None:
            mail.settle(blueprint.name)
        return results

    def watch_stream(self, blueprint: Blueprint, source: StreamSource | None = None
                     ) -> list[dict[str, Any]]:
        """One bounded read of the blueprint's message stream (``redis-stream:`` or
        ``nats:``, :mod:`wardflow.runtime.streams`): each new message's document runs
        once (the ledger is claimed before the run), each message is acknowledged after
        its run is recorded, unusable ones are parked and acknowledged.

        Args:
            source: the consumer to read from (the caller keeps owning it); default:
                one opened from the settings for this read, then closed.
        """
        from wardflow.runtime.events import held_by_switch
        from wardflow.runtime.streams import (
            MessageLimits,
            StreamEvent,
            consume,
            open_stream_source,
        )

        assert blueprint.trigger.source is not None
        graph = self.blueprint_graph(blueprint)
        ledger = self.services.events
        name = blueprint.name

        def held(key: str) -> bool:
            return held_by_switch(self.switch, self.audit, name, key, actor="watcher")

        def run(event: StreamEvent) -> dict[str, Any]:
            ledger.mark(name, event.key, "started", thread_id=f"{name}:{event.item.document_id}")
            result = self._run_blueprint_item(graph, blueprint, event.item, "watcher")
            ledger.mark(name, event.key, "waiting" if result["waiting"] else "done",
                        result=str(result["status"]))
            return result

        owned = source is None
        if source is None:
            source = open_stream_source(self.settings, blueprint.trigger.source, name)
        try:
            return consume(source, name, ledger=ledger, storage=self.storage, audit=self.audit,
                           limits=MessageLimits(self.settings.max_document_bytes,
                                                self.settings.stream_inline_max_bytes),
                           run=run, held=held, faults=frozenset(self.settings.fault_inject))
        finally:
            if owned:
                source.close()

    def _watch_s3(self, blueprint: Blueprint,
                  progress: Callable[[int, int, str], None] | None) -> list[dict[str, Any]]:
        """Poll the trigger's location in S3 storage: each object version not in the
        ledger runs once (a notification's too: it shares the ledger keys)."""
        from wardflow.runtime.s3events import S3EventSource, Target, s3_storage

        storage = s3_storage(self.storage)
        assert storage is not None
        location = self.settings.storage_locations[blueprint.trigger.source or "inbox"]
        target = Target(blueprint.name, location, blueprint)
        source = S3EventSource(storage, self.services.events,
                               max_bytes=self.settings.max_document_bytes,
                               lease_s=self.settings.worker_lease_s, clock=self.services.clock,
                               audit=self.audit)
        # This mixin is always part of a Workspace, which poll() runs the documents on.
        return source.poll(self, target, progress=progress)  # type: ignore[arg-type]

    def decide_blueprint(
        self, blueprint: Blueprint, thread_id: str, decision: ReviewDecision, *,
        interrupt_id: str | None = None,
    ) -> dict[str, Any]:
        """Resume a blueprint run paused at an approval task.

        A step with several approvers pauses with one request each; name the one you
        decide by ``interrupt_id`` (``pending_approvals`` lists them).
        """
        self.rate_limit(decision.by, "review")
        graph = self.blueprint_graph(blueprint)
        config = self._config(thread_id)
        snapshot = graph.get_state(config)
        if not snapshot.values:
            raise RunNotFound(thread_id)
        pending = {i.id: i.value for i in snapshot.interrupts}
        if not pending:
            raise ReviewError(thread_id, "the run is not waiting for an approval")
        if interrupt_id is None and len(pending) > 1:
            raise ReviewError(thread_id, f"{len(pending)} approvals are pending; choose one with"
                              f" its interrupt id: {', '.join(sorted(pending))}")
        chosen = interrupt_id or next(iter(pending))
        if chosen not in pending:  # the approval's step name is a stable id as well
            by_step = {str(v.get("step")): k for k, v in pending.items()}
            chosen = by_step.get(chosen, chosen)
        if chosen not in pending:
            raise ReviewError(thread_id, f"no pending approval {chosen!r}; pending:"
                              f" {', '.join(sorted(pending))}")
        self._check_approval(blueprint, thread_id, snapshot.values, pending[chosen], decision)
        graph.invoke(Command(resume={chosen: decision.model_dump(mode="json")}), config,
                     durability=self.settings.durability)
        result = self._blueprint_result(graph, thread_id, "")
        step = str(pending[chosen].get("step"))
        refused = (RunState.of(graph.get_state(config).values).outputs.get(step) or {}).get(
            "refused")
        if refused and result["waiting"]:
            raise DecisionRefused(thread_id, str(refused), by=decision.by)
        return result

    def _check_approval(self, blueprint: Blueprint, thread_id: str, values: dict[str, Any],
                        request: dict[str, Any], decision: ReviewDecision) -> None:
        """Refuse before the run is resumed, so the pending approval (and its id) stays."""
        from wardflow.graphs.blueprint_graph import approval_refusal, approvals_of

        step = str(request.get("step"))
        approved = approvals_of(step.rsplit("__", 1)[0], values.get("outputs") or {})
        refusal = approval_refusal(self.principals, decision,
                                   str(request.get("required_role", "approver")),
                                   values.get("submitted_by"), frozenset(approved.values()))
        if refusal is None:
            return
        self.audit.append("review.refused", {
            "thread_id": thread_id, "blueprint": blueprint.name, "step": step,
            "by": decision.by, "decision": decision.decision, "reason": refusal},
            actor=decision.by, thread_id=thread_id)
        raise DecisionRefused(thread_id, refusal, by=decision.by)

    def approval_board(self, blueprint: Blueprint, thread_id: str) -> dict[str, Any]:
        """A paused blueprint run's approvals: who approved, what is pending (with its
        stable step name and current interrupt id) and who may still approve."""
        from wardflow.graphs.blueprint_graph import approval_refusal, approvals_of
        from wardflow.review.payloads import ReviewDecision

        snapshot = self.blueprint_graph(blueprint).get_state(self._config(thread_id))
        if not snapshot.values:
            raise RunNotFound(thread_id)
        values = snapshot.values
        outputs = values.get("outputs") or {}
        pending = [{"id": i.id, "step": str(i.value.get("step")),
                    "required_role": str(i.value.get("required_role", "approver"))}
                   for i in snapshot.interrupts]
        steps = sorted({p["step"].rsplit("__", 1)[0] for p in pending})
        approved = [{"step": name, "by": by} for step in steps
                    for name, by in sorted(approvals_of(step, outputs).items())]
        eligible: list[str] = []
        for item in pending[:1]:
            done = frozenset(a["by"] for a in approved)
            eligible = sorted(
                p.name for p in self.principals.all()
                if approval_refusal(self.principals, ReviewDecision(decision="approve", by=p.name),
                                    item["required_role"], values.get("submitted_by"),
                                    done) is None)
        return {"thread_id": thread_id, "approved": approved,
                "pending": sorted(pending, key=lambda p: p["step"]), "may_approve": eligible}

    def pending_approvals(self, blueprint: Blueprint, thread_id: str) -> dict[str, Any]:
        """Interrupt id -> approval request, for a paused blueprint run."""
        snapshot = self.blueprint_graph(blueprint).get_state(self._config(thread_id))
        return {i.id: i.value for i in snapshot.interrupts}

    def _blueprint_result(self, graph: Any, thread: str, source: str) -> dict[str, Any]:
        snapshot = graph.get_state(self._config(thread))
        return RunView.from_snapshot(snapshot).blueprint_result(source)
