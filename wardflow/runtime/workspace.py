"""A workspace: the data home opened once, with the invoice graph and its collaborators.

The CLI and the web server use it; Python users can too, or call
:func:`~wardflow.graphs.invoice.build_invoice_graph` directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from wardflow.config import Settings
from wardflow.errors import (
    DecisionRefused,
    ModelError,
    PlanRefused,
    ReviewError,
    RunNotFound,
    RunStateError,
    ToolError,
    WardflowError,
)
from wardflow.graphs.invoice import (
    Clock,
    build_invoice_graph,
    tool_guards,
)
from wardflow.graphs.retry import dead_letter_record, is_dead_letter
from wardflow.guardrails.killswitch import ALL
from wardflow.observability.tracing import run_span, startup_span
from wardflow.review.authz import authorize
from wardflow.review.payloads import ReviewDecision
from wardflow.review.status import require_comment
from wardflow.runstate import ComplianceReport, Extraction, ReviewRecord, RunView
from wardflow.runtime._blueprint_runs import BlueprintRuns
from wardflow.runtime._policy_gates import PolicyGates
from wardflow.runtime._review_queue import ReviewQueue
from wardflow.runtime.checkpoint import list_threads
from wardflow.services import Services, build_services
from wardflow.status import FINISHED
from wardflow.tools.inbox import InboxItem, collect

if TYPE_CHECKING:
    from langgraph.types import StateSnapshot

    from wardflow.agents.planner import Plan
    from wardflow.graphs.blueprint import Blueprint
    from wardflow.llm.client import LLM
    from wardflow.observability.tracing import Telemetry
    from wardflow.runtime.slots import RaySlots
    from wardflow.tools.erp import ErpAdapter

__all__ = ["RunSummary", "RunView", "Workspace", "explain"]

log = logging.getLogger(__name__)

_Erp = TypeVar("_Erp", bound="ErpAdapter")
# The channel of a pending write that is an interrupt (private in LangGraph 1.x; a test
# reads a waiting blueprint run's status through it).
_INTERRUPT = "__interrupt__"


# ``wardflow status``'s row, the runs API's body: one :class:`RunView` (its old name).
RunSummary = RunView


class Workspace(BlueprintRuns, ReviewQueue, PolicyGates):
    """Everything in one data home: checkpointer, ERP, storage, audit log, graph.

    Its blueprint runs, review queue and policy gates are written in their own
    modules (``wardflow/runtime/_blueprint_runs.py``, ``_review_queue.py``,
    ``_policy_gates.py``); every method is the workspace's.

    Use as a context manager so the SQLite connections are closed::

        with Workspace(Settings(home="./.wardflow")) as ws:
            for run in ws.process(["examples/inbox"]):
                print(run.thread_id, run.status)
    """

    def __init__(self, settings: Settings, *, clock: Clock | None = None,
                 slots: RaySlots | None = None, services: Services | None = None) -> None:
        # ``slots``: limits shared by Ray workers; the ERP and model calls then hold
        # their slot (wardflow/runtime/workers.py). None: one process, nothing wrapped.
        # ``services``: the collaborators (the caller keeps owning them); None: the
        # workspace opens them from ``settings`` (build_services) and closes them.
        self.settings = settings
        self._owns_services = services is None
        if services is None:
            services = build_services(settings, clock=clock)
        elif clock is not None:
            services = services.with_(clock=clock)
        self.services = services
        self.checkpointer = services.checkpointer
        # The REST ERP at settings.erp_url, else the embedded one: SQLite files in the
        # data home, or tables in settings.database_url (Postgres).
        self.erp = services.erp
        self.storage = services.storage
        self.audit = services.audit
        self.principals = services.principals
        self._clock = services.clock
        self.switch = services.switch
        self.telemetry = services.telemetry
        # Observes each run for drift, and raises the guard alert (observability/drift.py).
        self.monitor = services.drift
        erp, llm = _gated(settings, self.erp, slots, self.telemetry)
        self._llm = llm if llm is not None else services.llm
        self._guards = services.guards
        self._warm = False
        self.graph = build_invoice_graph(settings, services=services.with_(erp=erp,
                                                                            llm=self._llm))

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_services:
            self.services.close()

    def warm_up(self, thread_id: str, *, model: bool = True) -> float | None:
        """Do the process's start-up work once, before the first run it serves: the
        guard validators every tool call passes (imports, recognisers) and, with
        ``model``, litellm and the local model. Timed as its own ``startup`` span and
        audited (``run.startup``) in that run's trace, so that no step of the run is
        charged for it. Returns the milliseconds spent, or None when already warm."""
        if self._warm:
            return None
        self._warm = True
        started = time.perf_counter()
        prepared = ["guards"]
        with startup_span(self.telemetry, thread_id):
            tool_guards(self._guards).check_tool_args("startup", {"key": "startup"})
            if model and self._llm is not None:
                try:
                    prepared += self._llm.prepare()
                except ModelError as err:  # the run reports it where the model is used
                    log.info("model not prepared at start-up: %s", err)
        ms = round((time.perf_counter() - started) * 1000, 2)
        self.audit.append("run.startup", {"ms": ms, "prepared": prepared},
                          actor="wardflow", thread_id=thread_id)
        return ms

    # Processing --------------------------------------------------------------------
    def items(self, paths: Iterable[str | Path]) -> list[InboxItem]:
        return list(collect(paths, self.storage, max_bytes=self.settings.max_document_bytes,
                            max_attachments=self.settings.max_email_attachments))

    def process(
        self, paths: Iterable[str | Path], *, submitted_by: str | None = None
    ) -> Iterator[RunSummary]:
        """Run every document under ``paths``; one bad document never stops the batch.

        A document already finished is reported, not run again; one whose run was
        interrupted by a crash is resumed from its last checkpoint.
        """
        for item in self.items(paths):
            yield self.process_item(item, submitted_by=submitted_by)

    def process_item(self, item: InboxItem, *, submitted_by: str | None = None) -> RunSummary:
        config = self._config(item.document_id)
        snapshot = self.graph.get_state(config)
        note = ""
        try:
            self.switch.check("invoice")  # no new run, and no resumed one, while it is on
            if not snapshot.values or (snapshot.next and not snapshot.interrupts):
                self.warm_up(item.document_id)
            if not snapshot.values:
                with run_span(self.telemetry, item.document_id, segment="start"):
                    self.graph.invoke({**item.graph_input(), "submitted_by": submitted_by},
                                      config, durability=self.settings.durability)
            elif snapshot.interrupts:
                note = "already waiting for review"
            elif snapshot.next:
                note = "resumed after an interruption"
                if is_dead_letter(snapshot.values.get("error")):
                    note = "retried from the dead letter"
                    self.graph.update_state(config, {"error": None})
                with run_span(self.telemetry, item.document_id, segment="recover"):
                    self.graph.invoke(None, config, durability=self.settings.durability)
            elif snapshot.values.get("status") in FINISHED:
                note = "already processed"
            else:
                # Stopped before its first step was recorded (killed while the input
                # was being checkpointed): start it again; every step is idempotent.
                note = "restarted after an interruption"
                with run_span(self.telemetry, item.document_id, segment="recover"):
                    self.graph.invoke({**item.graph_input(), "submitted_by": submitted_by},
                                      config, durability=self.settings.durability)
        except WardflowError as err:
            # The run stays at its last checkpoint; `wardflow process` again resumes it.
            log.warning("%s: %s", item.source, err)
            if isinstance(err, (ToolError, ModelError)):
                self._park(item.document_id, err)
                return self._summary(item.document_id)
            return self._summary(item.document_id, error=str(err))
        except Exception as err:  # a defect, not bad input: park the run, go on with the batch
            # graph.invoke never lets an interrupt out; what arrives here is a bug in a
            # step (or a library under it). The run keeps its last checkpoint and is
            # parked in the dead letter with the error, so nothing is lost and the rest
            # of the batch still runs; `wardflow retry` runs the step again once fixed.
            log.exception("%s: a step failed unexpectedly", item.source)
            self._park(item.document_id, err)
            return self._summary(item.document_id,
                                 error=f"internal error: {type(err).__name__}: {err}")
        self.monitor.after_run(item.document_id, self.graph.get_state(config).values)
        return self._summary(item.document_id, note=note, source=item.source)

    def resume(self, thread_id: str, decision: ReviewDecision) -> RunSummary:
        """Apply a reviewer's decision to a run paused for review (rate-limited per
        reviewer: :meth:`rate_limit`)."""
        self.rate_limit(decision.by, "review")
        config = self._config(thread_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.values:
            raise RunNotFound(thread_id)
        if not snapshot.interrupts:
            raise ReviewError(thread_id, f"the run is not waiting for review (status"
                                         f" {snapshot.values.get('status')})")
        # Checked here too, so that a refused decision never touches the run.
        values = snapshot.values
        try:
            authorize(decision, self.pending(thread_id), self.principals.get(decision.by),
                      submitted_by=values.get("submitted_by"),
                      editors=values.get("editors", []),
                      amount=ComplianceReport.of(values.get("compliance")).approval_amount)
            require_comment(decision, self.pending(thread_id),
                            risk_threshold=self.settings.risk_threshold,
                            required_for=self.settings.comment_required_for)
        except ReviewError as refused_early:
            # The run is untouched, but an attempt to decide is itself an audit fact.
            self.audit.append("review.refused", {"by": decision.by, "reason": str(refused_early),
                                                 "attempted": decision.decision},
                              actor=f"user:{decision.by}", thread_id=thread_id)
            raise DecisionRefused(thread_id, str(refused_early).split(": ", 1)[-1],
                                  by=decision.by) from refused_early
        self.warm_up(thread_id, model=False)
        try:
            with run_span(self.telemetry, thread_id, segment="resume"):
                self.graph.invoke(Command(resume=decision.model_dump(mode="json")), config,
                                  durability=self.settings.durability)
        except (ToolError, ModelError) as err:
            # Decided, then a step after the decision failed past its retries.
            self._park(thread_id, err)
        summary = self._summary(thread_id)
        refused = (summary.state.review or ReviewRecord()).refused
        if refused:
            raise DecisionRefused(thread_id, str(refused), by=decision.by)
        return summary

    def retry(self, thread_id: str, *, by: str | None = None,
              via: str | None = None) -> RunSummary:
        """Run a dead-lettered run's failed step again, once its fault is gone.

        Args:
            by: who asked, and ``via`` how (``login``, ``api-token:ID``): both recorded
                in the ``run.retried`` audit record.

        Raises:
            RunNotFound: no such run.
            RunStateError: the run is not in the dead letter (a second retry of the
                same run finds it retried already).
        """
        config = self._config(thread_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.values:
            raise RunNotFound(thread_id)
        if not (snapshot.next and is_dead_letter(snapshot.values.get("error"))):
            raise RunStateError(thread_id, self._summary(thread_id).status,
                                "the run is not in the dead letter")
        self.switch.check("invoice")
        self.audit.append("run.retried", {"stage": snapshot.values["error"].get("stage"),
                                          "reason": snapshot.values["error"].get("reason"),
                                          "by": by, "via": via},
                          actor=f"user:{by}" if by else "wardflow/retry", thread_id=thread_id)
        self.graph.update_state(config, {"error": None})
        try:
            with run_span(self.telemetry, thread_id, segment="recover"):
                self.graph.invoke(None, config, durability=self.settings.durability)
        except (ToolError, ModelError) as err:
            log.warning("%s: %s", thread_id, err)
            self._park(thread_id, err)
        return self._summary(thread_id, note="retried from the dead letter")

    def cancel(self, thread_id: str, *, by: str, reason: str = "", via: str | None = None,
               blueprint: Blueprint | None = None) -> dict[str, Any]:
        """Cancel a run that waits for a decision or is parked; it never posts after.

        See :mod:`wardflow.runtime.cancel`. ``blueprint``: the run is one of its runs.

        Raises:
            RunNotFound: no such run.
            RunStateError: the run has finished or is already cancelled.
        """
        from wardflow.runtime.cancel import cancel_run

        graph = self.blueprint_graph(blueprint) if blueprint is not None else None
        return cancel_run(self, thread_id, by=by, reason=reason, now=self._clock(), graph=graph,
                          via=via)

    def _park(self, thread_id: str, err: BaseException) -> None:
        """Park a run whose step failed past its retries in the dead letter: it stays at
        its last checkpoint, its ``error`` says the stage, reason and attempts, and the
        audit log has a ``run.dead_letter`` record. Never dropped, never posted twice:
        the failed step runs again on ``retry`` or the next ``process``."""
        config = self._config(thread_id)
        snapshot = self.graph.get_state(config)
        if not snapshot.values or not snapshot.next:
            return
        stage = next((t.name for t in snapshot.tasks if t.error), snapshot.next[0])
        record = dead_letter_record(self.settings, stage, err, self._clock().isoformat())
        self.graph.update_state(config, {"error": record})
        self.audit.append("run.dead_letter", record, actor="wardflow/retry", thread_id=thread_id)

    def run_facts(self, thread_id: str) -> dict[str, Any]:
        """What ``wardflow status`` filters on beyond the summary: the vendor read from
        the document, and when the run last changed (its latest checkpoint)."""
        snapshot = self.graph.get_state(self._config(thread_id))
        extraction = Extraction.of(snapshot.values.get("extraction"))
        return {"vendor": extraction.value("vendor"), "vendor_id": extraction.value("vendor_id"),
                "updated_at": snapshot.created_at}

    # Plans -------------------------------------------------------------------------
    def run_plan(self, plan: Plan, *, submitted_by: str | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
        """Carry out a validated plan from :func:`wardflow.agents.planner.plan_request`;
        ``progress(index, total, name)`` is called before each document."""
        if plan.refused or plan.action is None:
            raise PlanRefused(plan.refused or "nothing to do")
        self.audit.append("planner.plan", plan.to_dict(), actor=f"user:{submitted_by}")
        if plan.action == "recheck_duplicates":
            return {"plan": plan.to_dict(), "duplicates": self.recheck_duplicates()}
        self.inbox_paths([plan.path or "."], by=submitted_by)
        settings = self.tightened(plan.policy(), source="prompt", by=submitted_by)
        skipped: list[dict[str, str]] = []
        with Workspace(settings, clock=self._clock) as scoped:
            items = scoped.items([plan.path or "."])
            if plan.filters:
                from wardflow.runtime._plan_selection import select_items

                known = set(scoped.threads())
                items, skipped = select_items(
                    items, plan.filters, storage=scoped.storage, vendors=scoped.erp.vendors(),
                    settings=settings, today=self._clock().date(),
                    status_of=lambda d: scoped._summary(d).status if d in known else "new")
            runs = []
            for index, item in enumerate(items):
                if progress is not None:
                    progress(index, len(items), item.name)
                runs.append(scoped.process_item(item, submitted_by=submitted_by))
        return {"plan": plan.to_dict(), "runs": [r.to_dict() for r in runs],
                "skipped": skipped}

    def recheck_duplicates(self, day: str | None = None) -> list[dict[str, Any]]:
        """Invoices posted on ``day`` (default today) that duplicate another posting."""
        day = day or self._clock().date().isoformat()
        postings = self.erp.postings()
        found = []
        for p in (p for p in postings if p.posted_at.startswith(day)):
            twins = [q for q in postings if q.posting_id != p.posting_id and (
                q.document_sha256 == p.document_sha256
                or (q.vendor_id == p.vendor_id and q.invoice_number == p.invoice_number))]
            if twins:
                found.append({"posting_id": p.posting_id, "invoice_number": p.invoice_number,
                              "vendor_id": p.vendor_id,
                              "duplicates": [q.posting_id for q in twins]})
        return found

    # Kill switch -------------------------------------------------------------------
    def engage_kill_switch(self, reason: str, *, by: str, workflow: str = ALL) -> None:
        state = self.switch.engage(reason, by=by, workflow=workflow)
        self.audit.append("control.kill_switch_on", {"workflow": workflow, "reason": reason},
                          actor=f"user:{by}", ts=state.at)

    def release_kill_switch(self, *, by: str, workflow: str = ALL) -> list[RunSummary]:
        """Release the switch and continue the runs it parked (invoice runs)."""
        self.switch.release(workflow=workflow)
        self.audit.append("control.kill_switch_off", {"workflow": workflow},
                          actor=f"user:{by}")
        resumed = []
        # Blueprint runs (``name:doc-...``) are not the invoice graph's: the invoice graph
        # would run its own node of the same name (``archive``) on them.
        for thread in (t for t in self.threads() if ":" not in t):
            snapshot = self.graph.get_state(self._config(thread))
            if snapshot.next and not snapshot.interrupts:
                try:
                    self.graph.invoke(None, self._config(thread),
                                      durability=self.settings.durability)
                except WardflowError as err:
                    resumed.append(self._summary(thread, error=str(err)))
                    continue
                resumed.append(self._summary(thread, note="resumed after the kill switch"))
        return resumed

    # Blueprints: BlueprintRuns (wardflow/runtime/_blueprint_runs.py)
    # Reading -----------------------------------------------------------------------
    def threads(self) -> list[str]:
        return list_threads(self.checkpointer)

    def state(self, thread_id: str) -> StateSnapshot:
        snapshot = self.graph.get_state(self._config(thread_id))
        if not snapshot.values:
            raise RunNotFound(thread_id)
        return snapshot

    def run_values(self, thread_id: str) -> dict[str, Any]:
        """A run's whole state: a blueprint run's (``name:doc-...``) from its checkpoint,
        with the keys the invoice graph does not have (``step_status``, ``outputs``).

        Raises:
            RunNotFound: no such run.
        """
        if ":" not in thread_id:
            return dict(self.state(thread_id).values)
        saved = self.checkpointer.get_tuple(self._config(thread_id))
        values = dict(saved.checkpoint["channel_values"]) if saved else {}
        if not values:
            raise RunNotFound(thread_id)
        return {k: v for k, v in values.items() if not k.startswith(("branch:", "__"))}

    def status(self, thread_id: str | None = None) -> list[RunView]:
        """Every run as a :class:`RunView` (``wardflow status``), or only ``thread_id``.

        Raises:
            RunNotFound: ``thread_id`` names no run.
        """
        if thread_id is not None:
            snapshot = self.state(thread_id)  # raises RunNotFound
            return [self.view(thread_id) if ":" in thread_id
                    else RunView.from_snapshot(snapshot)]
        return [self._summary(t) for t in self.threads()]

    def _config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    def _summary(
        self, thread_id: str, *, note: str = "", error: str | None = None, source: str = ""
    ) -> RunView:
        return self.view(thread_id, note=note, error=error, source=source)

    def view(self, thread_id: str, *, note: str = "", error: str | None = None,
             source: str = "") -> RunView:
        """A run as every reader shows it (:meth:`RunView.from_snapshot`). A blueprint
        run (``name:doc-...``) is read from its checkpoint alone: its blueprint file may
        be anywhere, and the invoice graph does not see its steps. An unknown thread is
        an empty view (``unknown``); :meth:`status` raises :class:`RunNotFound` instead."""
        config = self._config(thread_id)
        if ":" in thread_id:
            saved = self.checkpointer.get_tuple(config)
            if saved is not None:
                return RunView.from_snapshot(saved, note=note, error=error, source=source)
        snapshot = self.graph.get_state(config)
        return RunView.from_snapshot(snapshot, note=note, error=error, source=source)


def _gated(settings: Settings, erp: _Erp, slots: RaySlots | None,
           telemetry: Telemetry) -> tuple[_Erp, LLM | None]:
    """The ERP and model layer the graph gets: as they are, or holding Ray slots."""
    if slots is None:
        return erp, None
    from wardflow.runtime.slots import GatedErp, gated_llm

    llm = gated_llm(settings, slots, telemetry) if settings.model.lower() != "none" else None
    return cast(_Erp, GatedErp(erp, slots)), llm  # the same seam, its calls gated


def explain(thread_id: str, settings: Settings | None = None) -> Any:
    """Why each decision in a run was taken, each claim citing its evidence.

    Returns a :class:`wardflow.agents.explain.Explanation` (``.claims``,
    ``.render()``, ``.to_dict()``) built from the run's state and audit records.
    """
    from wardflow.agents.explain import explain_run

    with Workspace(settings or Settings()) as ws:
        return explain_run(ws.run_values(thread_id), list(ws.audit.records(thread_id)))
