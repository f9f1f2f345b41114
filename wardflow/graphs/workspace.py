"""A workspace: the data home opened once, with the invoice graph and its collaborators.

The CLI and the web server use it; Python users can too, or call
:func:`~wardflow.graphs.invoice.build_invoice_graph` directly.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command

from wardflow._sqlite import private_dir
from wardflow.config import Settings
from wardflow.errors import (
    DecisionRefused,
    ModelError,
    OutsideInboxRoots,
    PlanRefused,
    PolicyError,
    ReviewError,
    RunNotFound,
    RunStateError,
    ToolError,
    WardflowError,
)
from wardflow.graphs.checkpoint import list_threads, open_checkpointer
from wardflow.graphs.control import ALL, KillSwitch
from wardflow.graphs.invoice import (
    Clock,
    build_invoice_graph,
    default_erp,
    default_guards,
    tool_guards,
)
from wardflow.graphs.retry import dead_letter_record, is_dead_letter
from wardflow.graphs.stores import open_audit_log
from wardflow.observability.drift import DriftMonitor
from wardflow.observability.tracing import run_span, startup_span, telemetry_for
from wardflow.review.authz import authorize
from wardflow.review.payloads import ReviewDecision, ReviewRequest
from wardflow.review.principals import ESCALATION, PrincipalStore
from wardflow.review.status import require_comment
from wardflow.status import FINISHED, RunStatus, as_run_status, blueprint_status, step_status
from wardflow.tools.inbox import InboxItem, collect, inside_inbox_roots
from wardflow.tools.storage import LocalStorage

if TYPE_CHECKING:
    from langgraph.types import StateSnapshot

    from wardflow.agents.overrides import PolicyOverride
    from wardflow.agents.planner import Plan
    from wardflow.graphs.blueprint import Blueprint
    from wardflow.graphs.slots import RaySlots
    from wardflow.llm.client import LLM
    from wardflow.observability.tracing import Telemetry
    from wardflow.tools.erp import ErpAdapter

__all__ = ["RunSummary", "Workspace", "explain"]

log = logging.getLogger(__name__)

_Erp = TypeVar("_Erp", bound="ErpAdapter")
# The channel of a pending write that is an interrupt (private in LangGraph 1.x; a test
# reads a waiting blueprint run's status through it).
_INTERRUPT = "__interrupt__"


@dataclass(frozen=True)
class RunSummary:
    """One run as ``wardflow status`` shows it."""

    thread_id: str
    document: str
    status: RunStatus
    confidence: float | None = None
    risk: float | None = None
    route: str | None = None
    reasons: list[str] = field(default_factory=list)
    waiting_for_review: bool = False
    next: list[str] = field(default_factory=list)
    posting_id: str | None = None
    error: str | None = None
    note: str = ""
    llm_calls: int = 0
    llm_tokens: int = 0
    llm_ms: float = 0.0
    llm_cost: float = 0.0
    # Set when the run is parked in the dead letter: stage, reason, attempts, detail.
    dead_letter: dict[str, Any] | None = None
    # A blueprint run's last step and what it did (``archive: stored``).
    step_status: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Workspace:
    """Everything in one data home: checkpointer, ERP, storage, audit log, graph.

    Use as a context manager so the SQLite connections are closed::

        with Workspace(Settings(home="./.wardflow")) as ws:
            for run in ws.process(["examples/inbox"]):
                print(run.thread_id, run.status)
    """

    def __init__(self, settings: Settings, *, clock: Clock | None = None,
                 slots: RaySlots | None = None) -> None:
        # ``slots``: limits shared by Ray workers; the ERP and model calls then hold
        # their slot (wardflow/graphs/workers.py). None: one process, nothing wrapped.
        self.settings = settings
        self.checkpointer = open_checkpointer(settings)
        # The REST ERP at settings.erp_url, else the embedded one: SQLite files in the
        # data home, or tables in settings.database_url (Postgres).
        self.erp = default_erp(settings)
        self.storage = LocalStorage(settings.storage_root)
        self.audit = open_audit_log(settings)
        self.principals = PrincipalStore(settings.review_path,
                                         busy_timeout_s=settings.sqlite_busy_timeout_s)
        self._clock = clock or (lambda: datetime.now(UTC))
        self.switch = KillSwitch(settings.control_path, clock=self._clock)
        self.telemetry = telemetry_for(settings)
        # Observes each run for drift, and raises the guard alert (observability/drift.py).
        self.monitor = DriftMonitor(settings, audit=self.audit, switch=self.switch,
                                    clock=self._clock)
        erp, llm = _gated(settings, self.erp, slots, self.telemetry)
        if llm is None and settings.model.lower() != "none":
            from wardflow.llm.client import LLM

            llm = LLM(settings, telemetry=self.telemetry)
        self._llm = llm
        self._guards = default_guards(settings)
        self._warm = False
        self.graph = build_invoice_graph(
            settings, checkpointer=self.checkpointer, erp=erp, storage=self.storage,
            audit=self.audit, clock=self._clock, llm=llm,
            principals=self.principals, switch=self.switch, telemetry=self.telemetry,
            guards=self._guards,
        )

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        conn = getattr(self.checkpointer, "conn", None)
        if conn is not None:
            conn.close()
        close_erp = getattr(self.erp, "close", None)  # a REST ERP's session, a database's
        if close_erp is not None:
            close_erp()
        self.audit.close()
        self.principals.close()
        self.switch.close()
        self.monitor.close()
        self.telemetry.shutdown()

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
        amount = (values.get("compliance") or {}).get("amount_in_approval_currency")
        try:
            authorize(decision, self.pending(thread_id), self.principals.get(decision.by),
                      submitted_by=values.get("submitted_by"),
                      editors=values.get("editors", []),
                      amount=Decimal(amount) if amount is not None else None)
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
        refused = (self.graph.get_state(config).values.get("review") or {}).get("refused")
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

        See :mod:`wardflow.graphs.cancel`. ``blueprint``: the run is one of its runs.

        Raises:
            RunNotFound: no such run.
            RunStateError: the run has finished or is already cancelled.
        """
        from wardflow.graphs.cancel import cancel_run

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

    def pending(self, thread_id: str) -> ReviewRequest:
        """The review request a paused run waits on (with its escalation, if any)."""
        snapshot = self.state(thread_id)
        if not snapshot.interrupts:
            raise ReviewError(thread_id, "the run is not waiting for review")
        return self._with_escalation(ReviewRequest.model_validate(snapshot.interrupts[0].value))

    def _with_escalation(self, request: ReviewRequest) -> ReviewRequest:
        role = self.principals.escalated_role(request.thread_id)
        return request.model_copy(update={"required_role": role}) if role else request

    def sweep(self, now: datetime | None = None) -> list[dict[str, str]]:
        """Escalate overdue cases to the next role and remind about cases due within a
        day; every event is recorded with the case and in the audit log."""
        now = now or self._clock()
        events = []
        for case in self.inbox():
            deadline = datetime.fromisoformat(case.deadline)
            history = self.principals.events(case.thread_id)
            if now > deadline:
                role = ESCALATION.get(case.required_role, "controller")
                overdue = [e for e in history if e["kind"] == "escalation"
                           and (e["at"] or "") >= case.deadline]
                if overdue:
                    continue
                detail = f"overdue since {case.deadline}; escalated to {role}"
                kind = "escalation"
            elif (deadline - now).total_seconds() <= 86400:
                if any(e["kind"] == "reminder" for e in history):
                    continue
                role = case.required_role
                detail = f"due {case.deadline}; reminder to the {role}s"
                kind = "reminder"
            else:
                continue
            self.principals.record_event(case.thread_id, kind, role=role, detail=detail, at=now)
            self.audit.append(f"review.{kind}", {"role": role, "detail": detail},
                              thread_id=case.thread_id)
            events.append({"thread_id": case.thread_id, "kind": kind, "role": role,
                           "detail": detail})
        return events

    def inbox(self) -> list[ReviewRequest]:
        """Cases waiting for review: highest risk first, then oldest deadline."""
        cases = []
        for thread in self.threads():
            snapshot = self.graph.get_state(self._config(thread))
            if snapshot.interrupts:
                cases.append(self._with_escalation(
                    ReviewRequest.model_validate(snapshot.interrupts[0].value)))
        return sorted(cases, key=lambda c: (-float(c.risk.get("score", 0.0)), c.deadline))

    def inbox_for(self, principal: str) -> list[tuple[ReviewRequest, str | None]]:
        """The inbox as ``principal`` sees it: the cases they may decide first (each
        with None), then the others with why not (e.g. it needs a controller)."""
        who = self.principals.get(principal)
        mine: list[tuple[ReviewRequest, str | None]] = []
        others: list[tuple[ReviewRequest, str | None]] = []
        for case in self.inbox():
            values = self.graph.get_state(self._config(case.thread_id)).values
            amount = (values.get("compliance") or {}).get("amount_in_approval_currency")
            try:
                # As if they approved what they were shown (an incomplete case is
                # theirs too: they decide it by correcting it).
                authorize(ReviewDecision(decision="approve", by=principal,
                                         args_hash=case.proposed_action.args_hash), case, who,
                          submitted_by=values.get("submitted_by"),
                          editors=values.get("editors", []),
                          amount=Decimal(amount) if amount is not None else None)
            except ReviewError as err:
                reason = str(err).split(": ", 1)[-1]
                if reason.startswith("incomplete:"):
                    mine.append((case, None))
                else:
                    others.append((case, reason))
            else:
                mine.append((case, None))
        return mine + others

    def run_facts(self, thread_id: str) -> dict[str, Any]:
        """What ``wardflow status`` filters on beyond the summary: the vendor read from
        the document, and when the run last changed (its latest checkpoint)."""
        snapshot = self.graph.get_state(self._config(thread_id))
        fields = (snapshot.values.get("extraction") or {}).get("fields") or {}
        vendor = (fields.get("vendor") or {}).get("value")
        return {"vendor": vendor, "vendor_id": (fields.get("vendor_id") or {}).get("value"),
                "updated_at": snapshot.created_at}

    # Plans -------------------------------------------------------------------------
    def plan(self, prompt: str, *, principal: str, workdir: Path) -> Plan:
        """Plan a natural-language request the way every trigger must: rate limits per
        principal and for the planner, the prompt guard (audited), then the planner.

        Raises:
            RateLimited, GuardViolation: the request is refused before planning.
        """
        from wardflow.agents.planner import plan_request
        from wardflow.guardrails.pipeline import GuardPipeline

        settings = self.settings
        self.rate_limit(principal, "planner")
        checked = GuardPipeline(injection_threshold=settings.injection_threshold).check_prompt(
            prompt, principal=principal)
        self.audit.append("guard.prompt", {"decisions": checked.to_dicts()},
                          actor=f"user:{principal}")
        checked.raise_if_blocked()
        llm = None
        if settings.model.lower() != "none":
            from wardflow.llm.client import LLM

            llm = LLM(settings)
        plan = plan_request(checked.text, workdir=workdir,
                            default_currency=settings.approval_currency, llm=llm,
                            inbox_roots=settings.inbox_root_paths(workdir),
                            vendors=[(v.id, v.name) for v in self.erp.vendors()])
        if plan.refused:
            self.audit.append("planner.refused", plan.to_dict(), actor=f"user:{principal}")
        elif plan.action == "process":
            # Refused here, before anything runs or is stored, when it would loosen.
            self.tightened(plan.policy(), source="prompt", by=principal)
        return plan

    def tightened(self, override: PolicyOverride, *, source: str,
                  by: str | None) -> Settings:
        """The settings with a request's ``override`` applied: the one place where a
        prompt, blueprint or API body meets policy (:func:`wardflow.agents.overrides.tighten`).

        Raises:
            PolicyError: the override would loosen policy; the refusal is audited
                (``policy.refused``) and nothing is applied.
        """
        from wardflow.agents.overrides import tighten

        try:
            return tighten(self.settings, override, source=source)
        except PolicyError as err:
            self.audit.append("policy.refused", {
                "rule": "policy-only-tightens", "source": source,
                "requested": override.to_dict(), "violations": err.violations,
            }, actor=f"user:{by}")
            raise

    def inbox_paths(self, paths: Iterable[str | Path], *, by: str | None,
                    workdir: Path | None = None) -> list[Path]:
        """``paths`` resolved, once each (and every file under it) is inside the inbox
        roots (``settings.inbox_roots``); checked before anything is read or stored.

        Raises:
            OutsideInboxRoots: a path escapes the roots; the refusal is audited.
        """
        workdir = workdir or Path.cwd()
        listed = [str(p) for p in paths]
        try:
            return inside_inbox_roots(listed, self.settings.inbox_root_paths(workdir),
                                      workdir=workdir)
        except OutsideInboxRoots as err:
            self.audit.append("policy.refused", {"rule": "inbox-roots", "paths": listed,
                                                 "refused": err.path, "roots": err.roots},
                              actor=f"user:{by}")
            raise

    def rate_limit(self, principal: str, workflow: str) -> None:
        """Count one action of ``principal`` against its own limit and ``workflow``'s
        (``planner``, ``review``, ``runs``), shared by every process of the data home.

        Raises:
            RateLimited: either limit is spent; nothing was done.
        """
        from wardflow.guardrails.ratelimit import RateLimiter

        settings = self.settings
        private_dir(settings.home)
        limiter = RateLimiter(settings.home / "ratelimit.sqlite",
                              busy_timeout_s=settings.sqlite_busy_timeout_s)
        try:
            limiter.hit(f"principal:{principal}", limit=settings.rate_limit_principal,
                        per_s=settings.rate_limit_window_s)
            limiter.hit(f"workflow:{workflow}", limit=settings.rate_limit_workflow,
                        per_s=settings.rate_limit_window_s)
        finally:
            limiter.close()

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
                from wardflow.graphs._plan_selection import select_items

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

    # Blueprints --------------------------------------------------------------------
    def blueprint_graph(self, blueprint: Blueprint) -> Any:
        from wardflow.graphs.blueprint_graph import build_blueprint_graph

        try:
            return build_blueprint_graph(
                blueprint, self.settings, checkpointer=self.checkpointer, erp=self.erp,
                storage=self.storage, audit=self.audit, principals=self.principals,
                clock=self._clock, switch=self.switch, telemetry=self.telemetry,
            )
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
        """One scan of the blueprint's source (a storage folder, or a ``maildir:``): a
        ``document_uploaded`` event per new document or attachment, recorded in the
        ledger, then one run per event (exactly once). While the kill switch is on,
        events are held open (audited once as ``event.held``) and run after it is off."""
        from wardflow.errors import KillSwitchEngaged
        from wardflow.graphs.events import MaildirSource
        from wardflow.graphs.stores import open_event_ledger

        maildir = blueprint.trigger.maildir if folder is None else None
        if folder is None and maildir is None:
            source = blueprint.trigger.source or "inbox"
            folder = self.storage.root / self.settings.storage_locations[source]
            folder.mkdir(parents=True, exist_ok=True)
        graph = self.blueprint_graph(blueprint)
        ledger = open_event_ledger(self.settings, clock=self._clock)
        results = []
        try:
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
                try:
                    self.switch.check(blueprint.name)
                except KillSwitchEngaged as err:
                    self.audit.append("event.held", {"blueprint": blueprint.name, "event": key,
                                                     "reason": str(err)},
                                      actor="watcher", key=f"event.held:{blueprint.name}:{key}")
                    break
                thread = f"{blueprint.name}:{item.document_id}"
                ledger.mark(blueprint.name, key, "started", thread_id=thread)
                result = self._run_blueprint_item(graph, blueprint, item, "watcher")
                ledger.mark(blueprint.name, key, "done" if not result["waiting"]
                            else "waiting", result=str(result["status"]))
                results.append(result)
            if maildir is not None:
                mail.settle(blueprint.name)
        finally:
            ledger.close()
        return results

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
        refused = (graph.get_state(config).values.get("outputs") or {}).get(step, {}).get("refused")
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
        values = snapshot.values
        return {
            "thread_id": thread,
            "document": (values.get("document") or {}).get("source") or source,
            "status": blueprint_status(values, waiting=bool(snapshot.interrupts),
                                       stopped=bool(snapshot.next),
                                       parked=is_dead_letter(values.get("error"))),
            "step_status": step_status(values),
            "waiting": bool(snapshot.interrupts),
            "vars": values.get("vars") or {},
            "outputs": values.get("outputs") or {},
            "error": (values.get("error") or {}).get("detail"),
        }

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

    def status(self, thread_id: str | None = None) -> list[RunSummary]:
        if thread_id is not None:
            self.state(thread_id)
            return [self._summary(thread_id)]
        return [self._summary(t) for t in self.threads()]

    def _config(self, thread_id: str) -> RunnableConfig:
        return {"configurable": {"thread_id": thread_id}}

    def _summary(
        self, thread_id: str, *, note: str = "", error: str | None = None, source: str = ""
    ) -> RunSummary:
        if ":" in thread_id:
            return self._blueprint_summary(thread_id, note=note, error=error, source=source)
        snapshot = self.graph.get_state(self._config(thread_id))
        values = snapshot.values
        extraction = values.get("extraction") or {}
        decision = values.get("decision") or {}
        failure = values.get("error") or {}
        waiting = bool(snapshot.interrupts)
        status = as_run_status(values.get("status"))
        parked = failure if snapshot.next and is_dead_letter(failure) else None
        if waiting:
            status = "awaiting_review"
        elif parked:
            status = "dead_letter"
            error = error or (f"{parked['reason']} at {parked['stage']} after"
                              f" {parked['attempts']} attempt(s): {parked['detail']}")
        elif snapshot.next and not error:
            status = "interrupted"  # ``next`` says before which step
            note = note or (f"stopped before {snapshot.next[0]}; processing the document"
                            " again resumes it")
        cancelled = values.get("cancelled")
        if cancelled:
            # Whatever a caller did to the thread since, it never posts: it stays cancelled.
            status = "cancelled"
            note = note or (f"cancelled by {cancelled.get('by')}"
                            + (f": {cancelled['reason']}" if cancelled.get("reason") else ""))
        usage = values.get("llm_usage") or []
        return RunSummary(
            llm_calls=len(usage),
            llm_tokens=sum(u["prompt_tokens"] + u["completion_tokens"] for u in usage),
            llm_ms=round(sum(u["latency_ms"] for u in usage), 1),
            llm_cost=round(sum(u["cost"] for u in usage), 6),
            thread_id=thread_id,
            document=(values.get("document") or {}).get("source") or values.get("source") or source,
            status=status,
            confidence=extraction.get("confidence"),
            risk=(values.get("risk") or {}).get("score"),
            route=decision.get("route"),
            reasons=[r["code"] for r in decision.get("reasons", [])],
            waiting_for_review=waiting,
            next=list(snapshot.next),
            posting_id=(values.get("posting") or {}).get("posting_id"),
            error=error or failure.get("detail"),
            note=note,
            dead_letter=parked,
        )

    def _blueprint_summary(self, thread_id: str, *, note: str, error: str | None,
                           source: str) -> RunSummary:
        """A blueprint run (``name:doc-...``) from its checkpoint alone: its blueprint
        file may be anywhere, and the invoice graph does not see its steps."""
        saved = self.checkpointer.get_tuple(self._config(thread_id))
        values: dict[str, Any] = dict(saved.checkpoint["channel_values"]) if saved else {}
        waiting = any(write[1] == _INTERRUPT for write in (saved.pending_writes or [])
                      ) if saved else False
        status = blueprint_status(values, waiting=waiting)  # its state says if it stopped
        cancelled = values.get("cancelled")
        if cancelled:
            note = note or (f"cancelled by {cancelled.get('by')}"
                            + (f": {cancelled['reason']}" if cancelled.get("reason") else ""))
        elif status == "interrupted":
            note = note or ("stopped between two steps; running the blueprint on the"
                            " document again resumes it")
        usage = values.get("llm_usage") or []
        return RunSummary(
            thread_id=thread_id,
            document=(values.get("document") or {}).get("source") or values.get("source")
            or source,
            status=status,
            confidence=(values.get("vars") or {}).get("confidence"),
            waiting_for_review=waiting,
            error=error or (values.get("error") or {}).get("detail"),
            note=note,
            llm_calls=len(usage),
            llm_tokens=sum(u["prompt_tokens"] + u["completion_tokens"] for u in usage),
            llm_ms=round(sum(u["latency_ms"] for u in usage), 1),
            llm_cost=round(sum(u["cost"] for u in usage), 6),
            step_status=step_status(values),
        )


def _gated(settings: Settings, erp: _Erp, slots: RaySlots | None,
           telemetry: Telemetry) -> tuple[_Erp, LLM | None]:
    """The ERP and model layer the graph gets: as they are, or holding Ray slots."""
    if slots is None:
        return erp, None
    from wardflow.graphs.slots import GatedErp, gated_llm

    llm = gated_llm(settings, slots, telemetry) if settings.model.lower() != "none" else None
    return cast(_Erp, GatedErp(erp, slots)), llm  # the same seam, its calls gated


def explain(thread_id: str, settings: Settings | None = None) -> Any:
    """Why each decision in a run was taken, each claim citing its evidence.

    Returns a :class:`wardflow.observability.explain.Explanation` (``.claims``,
    ``.render()``, ``.to_dict()``) built from the run's state and audit records.
    """
    from wardflow.observability.explain import explain_run

    with Workspace(settings or Settings()) as ws:
        return explain_run(ws.run_values(thread_id), list(ws.audit.records(thread_id)))
