"""Compiling a :class:`~wardflow.graphs.blueprint.Blueprint` into a LangGraph graph.

Every blueprint graph starts with the invoice graph's ``ingest`` (read, store, extract
text; bad documents are parked in ``failed/``) and then runs its steps in order. Each
step is audited like any node; an ``approval_task`` whose ``required_if`` holds pauses
the run with a typed request; a rejection ends the run. Step outputs are merged into
``vars``, the names conditions can use (``confidence``, ``document_type``, ...).

``status`` is always a name of :mod:`wardflow.status`: ``running`` between steps,
``awaiting_approval`` while an approval is asked again, ``rejected``, ``completed`` after
the last step. What each step did (``archive: stored``, ``sign_off: approved``...) is
in ``step_status``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import RetryPolicy, interrupt
from pydantic import BaseModel, ConfigDict, ValidationError

from wardflow.agents.overrides import PolicyOverride, tighten
from wardflow.config import Settings
from wardflow.errors import ModelError, ToolError
from wardflow.graphs._node import audited_node
from wardflow.graphs.blueprint import Blueprint, Step
from wardflow.graphs.invoice import InvoiceNodes, build_invoice_graph, tool_guards
from wardflow.graphs.state import outbox
from wardflow.guardrails.killswitch import KillSwitches
from wardflow.guardrails.tool_guard import PipelineToolGuard
from wardflow.observability.audit import AuditSink
from wardflow.observability.tracing import Telemetry
from wardflow.prompts import CLASSIFY_DOCUMENT
from wardflow.review.authz import with_article
from wardflow.review.payloads import ReviewDecision
from wardflow.review.principals import PrincipalDirectory
from wardflow.services import Services, services_for
from wardflow.tools.erp import ErpAdapter
from wardflow.tools.storage import Storage
from wardflow.tools.toolset import Toolset

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph

    from wardflow.llm.client import LLM

__all__ = [
    "ApprovalRequest", "BlueprintState", "approval_refusal", "approvals_of",
    "build_blueprint_graph", "classify_heuristic", "resolve_model",
]

_DEADLINE = timedelta(hours=48)
_KINDS = {
    "invoice": r"\b(invoice|rechnung|facture|tax invoice|amount due|total due)\b",
    "credit_note": r"\b(credit note|gutschrift|avoir)\b",
    "contract": r"\b(agreement|contract|vertrag|hereinafter|the parties)\b",
    "receipt": r"\b(receipt|quittung|kassenbon|paid in full)\b",
}


def _merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    return {**(left or {}), **(right or {})}


class BlueprintState(TypedDict, total=False):
    source: str
    name: str
    path: str | None
    storage_key: str | None
    origin: dict[str, Any]
    submitted_by: str | None
    document: dict[str, Any]
    text: str
    text_method: str
    text_quality: float
    status: str
    # What the last step did, e.g. ``archive: stored`` (``status`` says where the run is).
    step_status: str
    error: dict[str, Any] | None
    # Set when an operator cancelled the run (wardflow/runtime/cancel.py).
    cancelled: dict[str, Any] | None
    outputs: Annotated[dict[str, Any], _merge]
    vars: Annotated[dict[str, Any], _merge]
    llm_usage: Annotated[list[dict[str, Any]], operator.add]
    archive_key: str
    audit_outbox: Annotated[list[Any], outbox]


class ApprovalRequest(BaseModel):
    """The interrupt payload of an ``approval_task`` step."""

    model_config = ConfigDict(frozen=True)

    kind: str = "approval_task"
    blueprint: str
    step: str
    thread_id: str
    document: dict[str, Any]
    condition: str | None
    values: dict[str, Any]
    required_role: str
    deadline: str


class DocumentKind(BaseModel):
    document_type: str


def classify_heuristic(text: str) -> tuple[str, float]:
    """Keyword classification: the label with most hits, and how clearly it won."""
    hits = {kind: len(re.findall(pattern, text, re.IGNORECASE)) for kind, pattern in _KINDS.items()}
    best = max(hits, key=lambda k: hits[k])
    total = sum(hits.values())
    if total == 0:
        return "other", 0.3
    return best, round(hits[best] / total, 3)


class _Steps:
    """Step implementations bound to one blueprint's collaborators."""

    def __init__(self, blueprint: Blueprint, settings: Settings, tools: Toolset,
                 principals: PrincipalDirectory, llm: LLM | None, clock: Callable[[], datetime],
                 invoice: Any, switch: KillSwitches) -> None:
        self.switch = switch
        self.blueprint = blueprint
        self.settings = settings
        self.tools = tools
        self.principals = principals
        self.llm = llm
        self.clock = clock
        self.invoice = invoice

    def build(self, step: Step, last: bool = False
              ) -> Callable[[Mapping[str, Any], RunnableConfig], dict[str, Any]]:
        parallel = step.type == "approval_task" and int(step.options.get("approvers", 1)) > 1
        runner = {
            "llm-inference": self.classify,
            "approval_task": self.join if parallel else self.approval,
            "storage": self.store, "tool": self.tool, "agent": self.agent,
        }[step.type]

        def run(state: Mapping[str, Any], config: RunnableConfig) -> dict[str, Any]:
            update = runner(step, state, config)
            # A step that neither paused nor ended the run leaves it running, or done.
            update.setdefault("status", "completed" if last else "running")
            return update

        return run

    def classify(self, step: Step, state: Mapping[str, Any], config: RunnableConfig
                 ) -> dict[str, Any]:
        """Document type, with a confidence earned from agreement, not the model's word."""
        heuristic, clarity = classify_heuristic(state["text"])
        label, confidence, usage = heuristic, round(0.5 + 0.4 * clarity, 3), []
        model_label = None
        if self.llm is not None:
            try:
                # The step's model alias is registered as this step's agent model.
                result = self.llm.structured(
                    step.name, CLASSIFY_DOCUMENT.messages(document=state["text"][:3000]),
                    DocumentKind)
                model_label = str(getattr(result.value, "document_type", "")).strip().lower()
                usage = [u.to_dict() for u in result.usage]
            except ModelError as err:
                model_label = f"error: {err}"
            if model_label == heuristic:
                confidence = min(0.99, confidence + 0.09)
            elif model_label is not None:
                confidence = min(confidence, 0.6)
        out = {"document_type": label, "confidence": confidence, "heuristic": heuristic,
               "model": model_label, "prompt": CLASSIFY_DOCUMENT.version}
        return {"outputs": {step.name: out},
                "vars": {"document_type": label, "confidence": confidence},
                "llm_usage": usage, "step_status": f"{step.name}: done"}

    def approval(self, step: Step, state: Mapping[str, Any], config: RunnableConfig
                 ) -> dict[str, Any]:
        out = self._ask(step, step.name, state, config)
        result = out[step.name]
        if not result.get("required", True):
            return {"outputs": out, "step_status": f"{step.name}: not required"}
        if "refused" in result:
            return {"outputs": out, "status": "awaiting_approval",
                    "step_status": f"{step.name}: refused"}
        approved = bool(result["approved"])
        verdict = "approved" if approved else "rejected"
        return {"outputs": out, "vars": {f"{step.name}_approved": approved},
                "step_status": f"{step.name}: {verdict}",
                **({} if approved else {"status": "rejected"})}

    def branch(self, step: Step, index: int) -> Callable[[Mapping[str, Any], RunnableConfig],
                                                          dict[str, Any]]:
        """One of ``approvers`` parallel approvals: writes only its own output."""
        name = f"{step.name}__{index}"

        def run(state: Mapping[str, Any], config: RunnableConfig) -> dict[str, Any]:
            return {"outputs": self._ask(step, name, state, config)}

        return run

    def join(self, step: Step, state: Mapping[str, Any], config: RunnableConfig
             ) -> dict[str, Any]:
        """All parallel approvals in: approved only by as many *different* people."""
        outputs = state.get("outputs") or {}
        count = int(step.options.get("approvers", 1))
        results = {f"{step.name}__{i}": dict(outputs.get(f"{step.name}__{i}") or {})
                   for i in range(1, count + 1)}
        if not all(r.get("required", True) for r in results.values()):
            return {"outputs": {step.name: {"required": False}},
                    "step_status": f"{step.name}: not required"}
        if any(r.get("approved") is False for r in results.values()):
            return {"outputs": {step.name: {"approved": False}}, "status": "rejected",
                    "step_status": f"{step.name}: rejected"}
        seen: set[str] = set()
        redo: dict[str, Any] = {}
        for name, result in results.items():
            if "refused" in result:
                redo[name] = result
            elif result.get("by") in seen:
                redo[name] = {"refused": "four-eyes: each approval must come from a different"
                                         " principal", "by": result.get("by")}
            else:
                seen.add(str(result.get("by")))
        if redo:
            return {"outputs": redo, "status": "awaiting_approval",
                    "step_status": f"{step.name}: refused"}
        return {"outputs": {step.name: {"approved": True, "by": sorted(seen)}},
                "vars": {f"{step.name}_approved": True},
                "step_status": f"{step.name}: approved"}

    def _ask(self, step: Step, name: str, state: Mapping[str, Any], config: RunnableConfig
             ) -> dict[str, Any]:
        values = dict(state.get("vars") or {})
        if step.required_if is not None and not step.required_if.evaluate(values):
            return {name: {"required": False}}
        thread = str((config.get("configurable") or {}).get("thread_id", ""))
        request = ApprovalRequest(
            blueprint=self.blueprint.name, step=name, thread_id=thread,
            document={k: state["document"].get(k) for k in ("id", "name", "source")},
            condition=step.required_if.source if step.required_if else None, values=values,
            required_role=str(step.options.get("role", "approver")),
            deadline=(self.clock() + _DEADLINE).isoformat(),
        )
        answer = interrupt(request.model_dump(mode="json"))
        try:
            decision = ReviewDecision.model_validate(answer)
        except ValidationError as err:
            return {name: {"refused": err.errors()[0]["msg"]}}
        refusal = self._refusal(decision, request, state)
        if refusal:
            return {name: {"refused": refusal, "by": decision.by}}
        return {name: {"required": True, "approved": decision.decision == "approve",
                       "by": decision.by, "comment": decision.comment}}

    def _refusal(self, decision: ReviewDecision, request: ApprovalRequest,
                 state: Mapping[str, Any]) -> str | None:
        return approval_refusal(self.principals, decision, request.required_role,
                                state.get("submitted_by"))

    def store(self, step: Step, state: Mapping[str, Any], config: RunnableConfig
              ) -> dict[str, Any]:
        self.switch.check(self.blueprint.name)
        doc = state["document"]
        prefix = self.settings.storage_locations[str(step.options["destination"])]
        dst = f"{prefix}/{doc['id']}/{doc['name']}"
        self.tools.storage_archive.call({"src": doc["storage_key"], "dst": dst})
        return {"document": {**doc, "storage_key": dst}, "archive_key": dst,
                "outputs": {step.name: {"key": dst}}, "step_status": f"{step.name}: stored"}

    def tool(self, step: Step, state: Mapping[str, Any], config: RunnableConfig
             ) -> dict[str, Any]:
        values = state.get("vars") or {}
        args = {k: values.get(v[1:]) if isinstance(v, str) and v.startswith("$") else v
                for k, v in dict(step.options.get("args") or {}).items()}
        tool = getattr(self.tools, str(step.options["tool"]))
        result = tool.call(args)
        return {"outputs": {step.name: {"result": result}},
                "vars": {f"{step.name}_found": bool(result)},
                "step_status": f"{step.name}: done"}

    def agent(self, step: Step, state: Mapping[str, Any], config: RunnableConfig
              ) -> dict[str, Any]:
        doc = state["document"]
        result = self.invoice.invoke(
            {"source": doc.get("source"), "name": doc["name"], "storage_key": doc["storage_key"],
             "submitted_by": state.get("submitted_by")}, config)
        extraction = result.get("extraction") or {}
        out = {"status": result.get("status"), "posting": result.get("posting"),
               "confidence": extraction.get("confidence")}
        return {"outputs": {step.name: out}, "vars": {"confidence": out["confidence"]},
                "step_status": f"{step.name}: {result.get('status')}"}


def build_blueprint_graph(
    blueprint: Blueprint,
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    checkpointer: BaseCheckpointSaver[str] | None = None,
    erp: ErpAdapter | None = None,
    storage: Storage | None = None,
    audit: AuditSink | None = None,
    principals: PrincipalDirectory | None = None,
    llm: LLM | None = None,
    clock: Callable[[], datetime] | None = None,
    switch: KillSwitches | None = None,
    telemetry: Telemetry | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile ``blueprint``; collaborators come from ``services`` (or the factory) as in
    ``build_invoice_graph``. Without ``llm``, the model layer is one that routes each
    ``llm-inference`` step to the model it names."""
    services = services_for(settings, services, checkpointer=checkpointer, erp=erp,
                            storage=storage, audit=audit, principals=principals, clock=clock,
                            switch=switch, telemetry=telemetry)
    settings = settings or services.settings
    if llm is None:
        llm = _step_models(blueprint, settings)
    services = services.with_(llm=llm)
    audit, clock, principals = services.audit, services.clock, services.principals
    switch, telemetry = services.switch, services.telemetry
    tools = Toolset(services.erp, services.storage, audit, telemetry=telemetry,
                    guards=[PipelineToolGuard(tool_guards(services.guards))])
    front = InvoiceNodes(settings, tools, audit, clock, llm, principals, switch, blueprint.name,
                         guards=services.guards)
    settings = _blueprint_settings(blueprint, settings)
    invoice = build_invoice_graph(settings, services=services)
    steps = _Steps(blueprint, settings, tools, principals, llm, clock, invoice, switch)
    faults = frozenset(settings.fault_inject)

    graph: StateGraph[Any] = StateGraph(BlueprintState)
    node: Any = audited_node("ingest", front.ingest, audit=audit, faults=faults)
    graph.add_node("ingest", node)
    node = audited_node("fail", front.fail, audit=audit, faults=faults, flush=True)
    graph.add_node("fail", node)
    graph.add_edge(START, "ingest")
    _add_step_nodes(graph, blueprint, steps, audit=audit, faults=faults, telemetry=telemetry)
    _add_step_edges(graph, blueprint)
    graph.add_edge("fail", END)
    return graph.compile(checkpointer=services.checkpointer, name=blueprint.name)


def _step_models(blueprint: Blueprint, settings: Settings) -> LLM | None:
    """A model layer that routes each ``llm-inference`` step to the model it names;
    None when ``settings.model`` is ``"none"``."""
    if settings.model.lower() == "none":
        return None
    from wardflow.llm.client import LLM as _LLM

    models = {step.name: resolve_model(str(step.options["model"]), settings)
              for step in blueprint.steps if step.type == "llm-inference"}
    return _LLM(settings.model_copy(update={"agent_models": {**settings.agent_models,
                                                             **models}}))


def _blueprint_settings(blueprint: Blueprint, settings: Settings) -> Settings:
    """``settings`` tightened by what the blueprint adds (it may only add)."""
    if blueprint.compliance is not None:  # the blueprint's packs add to the settings'
        settings = tighten(settings, PolicyOverride(compliance_packs=blueprint.compliance),
                           source=f"blueprint {blueprint.name}")
    if blueprint.comment_required_for is not None:  # added to the settings' conditions
        settings = tighten(settings,
                           PolicyOverride(comment_required_for=blueprint.comment_required_for),
                           source=f"blueprint {blueprint.name}")
    return settings


def _entries(step: Step) -> list[str]:
    """The nodes a step starts at: itself, or one branch per approver of an approval task."""
    count = int(step.options.get("approvers", 1)) if step.type == "approval_task" else 1
    return [step.name] if count == 1 else [f"{step.name}__{i}" for i in range(1, count + 1)]


def _add_step_nodes(graph: StateGraph[Any], blueprint: Blueprint, steps: _Steps, *,
                    audit: AuditSink, faults: frozenset[str], telemetry: Telemetry) -> None:
    """One audited node per step (with its retries), and one per approver branch."""
    for index, step in enumerate(blueprint.steps):
        last = index == len(blueprint.steps) - 1
        node: Any = audited_node(step.name, steps.build(step, last), audit=audit, faults=faults,
                            flush=last or step.type == "approval_task", telemetry=telemetry)
        policy = RetryPolicy(max_attempts=step.retries + 1, initial_interval=0.2,
                             retry_on=lambda e: isinstance(e, ToolError) and e.retryable)
        graph.add_node(step.name, node, retry_policy=policy)
        branches = _entries(step)
        if branches != [step.name]:
            for i, branch in enumerate(branches, 1):
                node = audited_node(branch, steps.branch(step, i), audit=audit, faults=faults,
                                    flush=True, telemetry=telemetry)
                graph.add_node(branch, node)
            for branch in branches:
                # Parallel interrupts pause the whole step; the join runs once every
                # branch of it has answered (and again after a branch is asked anew).
                graph.add_edge(branch, step.name)


def _add_step_edges(graph: StateGraph[Any], blueprint: Blueprint) -> None:
    """Ingest to the first step (or ``fail``), each step to the next, the last to END."""
    first = _entries(blueprint.steps[0])
    graph.add_conditional_edges(
        "ingest", lambda s: ["fail"] if s.get("status") == "failed" else first, ["fail", *first])
    for index, step in enumerate(blueprint.steps):
        following = (_entries(blueprint.steps[index + 1]) if index + 1 < len(blueprint.steps)
                     else [END])
        branches = _entries(step)
        if step.type == "approval_task":
            retry = branches if branches != [step.name] else [step.name]
            graph.add_conditional_edges(step.name, _after_approval(retry, following),
                                        [*retry, *following, END])
        else:
            for target in following:
                graph.add_edge(step.name, target)


_RANK = {"clerk": 1, "approver": 2, "controller": 3}


def approval_refusal(principals: PrincipalDirectory, decision: ReviewDecision, required_role: str,
                     submitted_by: str | None, approved_by: frozenset[str] = frozenset()
                     ) -> str | None:
    """Why ``decision`` may not answer an approval task, or None when it may.

    Args:
        principals: Who may decide, with their roles.
        decision: The decision offered.
        required_role: The step's role (``approver`` unless the blueprint says otherwise).
        submitted_by: Who submitted the document (they may not approve it).
        approved_by: Who already approved another approval of the same step (four eyes).
    """
    principal = principals.get(decision.by)
    if principal is None or not principal.active:
        return f"unknown-reviewer: {decision.by!r} is not an active principal"
    if decision.decision == "correct":
        return "decision-not-allowed: an approval task is approved or rejected"
    if _RANK.get(principal.role, 0) < _RANK.get(required_role, 2):
        return f"wrong-role: this step needs {with_article(required_role)}"
    if decision.decision == "approve" and principal.name == submitted_by:
        return f"segregation-of-duties: {principal.name} submitted this document"
    if decision.decision == "approve" and principal.name in approved_by:
        return (f"four-eyes: {principal.name} already approved this step; each approval must"
                " come from a different principal")
    return None


def approvals_of(step: str, outputs: Mapping[str, Any]) -> dict[str, str]:
    """Who approved which of a step's parallel approvals: ``{"sign_off__1": "dan"}``."""
    prefix = f"{step}__"
    return {name: str(result["by"]) for name, result in outputs.items()
            if name.startswith(prefix) and isinstance(result, Mapping)
            and result.get("approved") is True and result.get("by")}


def resolve_model(alias: str, settings: Settings) -> str:
    """A blueprint's model name as a litellm model string."""
    model = alias if "/" in alias else settings.model_aliases.get(alias, alias)
    return settings.model if model == "default" else model


def _after_approval(
    asks: list[str], following: list[str]
) -> Callable[[Mapping[str, Any]], list[str]]:
    def route(state: Mapping[str, Any]) -> list[str]:
        status = state.get("status")
        # ``awaiting_review``: what a refused approval wrote before the one vocabulary.
        if status in ("awaiting_approval", "awaiting_review"):
            outputs = state.get("outputs") or {}
            # Ask again only where a decision was refused (all, for a single approval).
            again = [a for a in asks if "refused" in (outputs.get(a) or {})]
            return again or asks
        if status == "rejected":
            return [END]
        return following

    return route
