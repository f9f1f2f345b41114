"""Typed views of a run's state, and :class:`RunView`: one run as every reader shows it.

The graph state itself stays plain, JSON-safe dicts (:class:`wardflow.graphs.state.
InvoiceState`), as the checkpointers store them: a pydantic object in the state would be
serialized with its class path, so that renaming or moving a model would make every
checkpoint written before unreadable, and the sealed checkpointers encrypt plain data.
The models here are read-only views parsed from those dicts when a reader needs them:
each stage's model declares the keys readers use, keeps whatever else the node wrote
(``extra="allow"``), and gives every key a default, so that a checkpoint written by an
older version (a key missing) or a newer one (a key more) still reads.

:meth:`RunView.from_snapshot` is the one place that says what a run is: its status
(the names of :mod:`wardflow.status`), why it waits or stopped, what it cost. ``wardflow
status``, the runs API, the audit dashboard and the operations page all show it.

This module imports no graph: the CLI reads it without building one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wardflow.errors import WardflowError
from wardflow.review.payloads import ReviewRequest
from wardflow.status import FINISHED, RunStatus, as_run_status, blueprint_status, step_status

if TYPE_CHECKING:
    from langgraph.checkpoint.base import CheckpointTuple
    from langgraph.types import StateSnapshot

__all__ = [
    "Cancellation", "ComplianceReport", "DocumentInfo", "ExtractedField", "Extraction",
    "Failure", "Posting", "ReviewRecord", "ReviewRequest", "RiskAssessment", "Routing",
    "RunState", "RunView", "UnreadableState",
]

# The channel of a pending write that is an interrupt (private in LangGraph 1.x).
_INTERRUPT = "__interrupt__"


class UnreadableState(WardflowError):
    """A run's checkpoint holds state this version of wardflow cannot read; nothing was
    changed. Attributes: ``thread_id``, ``where`` (the key that does not read)."""

    def __init__(self, thread_id: str, where: str, detail: str) -> None:
        self.thread_id, self.where = thread_id, where
        super().__init__(f"run {thread_id}: its state does not read at {where} ({detail});"
                         " open it with the version of wardflow that wrote it, or report it")


class _Stage(BaseModel):
    """A stage's output as a node wrote it: the keys readers use, typed; the rest kept."""

    model_config = ConfigDict(frozen=True, extra="allow")

    @classmethod
    def of(cls, data: Any) -> Self:
        """``data`` (a state value; ``None`` or missing: every default) as this model."""
        return cls.model_validate(data if isinstance(data, Mapping) else {})


class DocumentInfo(_Stage):
    """``state["document"]``: what ingest stored."""

    id: str | None = None
    name: str | None = None
    source: str | None = None
    sha256: str | None = None
    storage_key: str | None = None
    media_type: str | None = None


class ExtractedField(_Stage):
    """One field of an extraction: its value, confidence and evidence."""

    value: Any = None
    confidence: float | None = None
    evidence: Any = None


class Extraction(_Stage):
    """``state["extraction"]``: the fields the extract node read, and how sure it is."""

    fields: dict[str, ExtractedField | None] = Field(default_factory=dict)
    confidence: float | None = None
    low_confidence: list[str] = Field(default_factory=list)
    checks: list[dict[str, Any]] = Field(default_factory=list)
    line_items: list[dict[str, Any]] = Field(default_factory=list)
    pages: int | None = None
    method: str | None = None
    model: dict[str, Any] | None = None

    def value(self, name: str) -> Any:
        """The value of field ``name``; ``None`` when it was not read."""
        found = self.fields.get(name)  # a field the extractor could not read may be None
        return None if found is None else found.value


class RiskAssessment(_Stage):
    """``state["risk"]``: the risk node's score and reasons."""

    score: float | None = None
    reasons: list[dict[str, Any]] = Field(default_factory=list)


class ComplianceReport(_Stage):
    """``state["compliance"]``: the policy packs' findings."""

    status: str | None = None
    findings: list[dict[str, Any]] = Field(default_factory=list)
    amount_in_approval_currency: str | None = None

    @property
    def approval_amount(self) -> Decimal | None:
        """The invoice's total in the approval currency (``None`` when unknown)."""
        amount = self.amount_in_approval_currency
        return None if amount is None else Decimal(amount)


class Routing(_Stage):
    """``state["decision"]``: where the route node sent the run, and why."""

    route: str | None = None
    reasons: list[dict[str, Any]] = Field(default_factory=list)
    deadline: str | None = None


class ReviewRecord(_Stage):
    """``state["review"]``: the last decision taken on the run's review request
    (:class:`ReviewRequest`), or the refusal of one (``refused``)."""

    decision: str | None = None
    by: str | None = None
    comment: str = ""
    at: str | None = None
    refused: str | None = None


class Posting(_Stage):
    """``state["posting"]``: what the ERP answered to the posting."""

    posting_id: str | None = None
    approved_by: str | None = None
    posted_at: str | None = None


class Failure(_Stage):
    """``state["error"]``: why the run failed, or its dead-letter record."""

    stage: str | None = None
    reason: str | None = None
    detail: str | None = None
    attempts: int | None = None
    dead_letter: bool = False


class Cancellation(_Stage):
    """``state["cancelled"]``: who cancelled the run, when and why."""

    by: str | None = None
    at: str | None = None
    reason: str = ""


class RunState(BaseModel):
    """A run's state (an invoice or a blueprint run's), each stage as its model.

    A stage the run has not reached is ``None``. ``status`` is the raw value a
    checkpoint holds; :class:`RunView` says what it means.
    """

    model_config = ConfigDict(frozen=True)

    source: str | None = None
    name: str | None = None
    submitted_by: str | None = None
    document: DocumentInfo | None = None
    extraction: Extraction | None = None
    risk: RiskAssessment | None = None
    compliance: ComplianceReport | None = None
    decision: Routing | None = None
    review: ReviewRecord | None = None
    posting: Posting | None = None
    error: Failure | None = None
    cancelled: Cancellation | None = None
    archive_key: str | None = None
    status: Any = None
    step_status: str | None = None
    vars: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] = Field(default_factory=dict)
    llm_usage: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> RunState:
        """The typed view of ``values`` (a checkpoint's channel values).

        Raises:
            ValidationError: a stage holds something no version of wardflow wrote.
        """
        return cls.model_validate(
            {name: values[name] for name in cls.model_fields
             if name in values and values[name] is not None})

    def field_value(self, name: str) -> Any:
        """An extracted field's value (``None`` before extraction)."""
        return None if self.extraction is None else self.extraction.value(name)

    @property
    def parked(self) -> bool:
        """The run's error is a dead-letter record."""
        return self.error is not None and self.error.dead_letter


class _Snapshot(Protocol):
    """What :meth:`RunView.from_snapshot` reads of a LangGraph ``StateSnapshot``."""

    values: Any
    next: tuple[str, ...]
    config: Any
    created_at: str | None
    interrupts: Sequence[Any]


@dataclass(frozen=True)
class RunView:
    """One run as ``wardflow status``, the runs API, the dashboard and the operations
    page show it. :meth:`to_dict` is the summary those print and send (its keys are the
    API's); ``state`` holds the typed stages for the pages that show more.
    """

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
    # Not in the summary: when its last checkpoint was written, and its typed state.
    updated: str | None = field(default=None, compare=False, repr=False)
    state: RunState = field(default_factory=RunState, compare=False, repr=False)

    @property
    def workflow(self) -> str:
        """``invoice``, or the blueprint's name (a blueprint run's id is ``name:doc-...``)."""
        return self.thread_id.split(":", 1)[0] if ":" in self.thread_id else "invoice"

    @property
    def document_name(self) -> str:
        """The document's file name."""
        document = self.state.document
        return ((document.name if document else None) or self.state.name
                or self.document.rsplit("/", 1)[-1])

    def to_dict(self) -> dict[str, Any]:
        """The summary: what ``wardflow status --json`` prints and ``GET /runs/{id}`` sends."""
        return {name: getattr(self, name) for name in _SUMMARY}

    @classmethod
    def from_snapshot(cls, snapshot: StateSnapshot | CheckpointTuple | _Snapshot, *,
                      note: str = "", error: str | None = None, source: str = "") -> RunView:
        """The view of a run from its latest state.

        Args:
            snapshot: an invoice run's ``graph.get_state(...)``; a blueprint run's from
                its own graph, or its checkpointer's ``get_tuple(...)`` (its blueprint
                need not be at hand: then a pause between two steps is read from the
                state alone).
            note: what the caller says about the run (shown as is unless the run was
                cancelled or stopped, which say why themselves).
            error: an error the caller met running it, ahead of the state's own.
            source: the document's path when the state has none yet.

        Raises:
            UnreadableState: the checkpoint holds state this version cannot read.
        """
        thread_id, values, nxt, waiting, updated, known_next = _unpack(snapshot)
        try:
            state = RunState.of(values)
        except ValidationError as err:
            first = err.errors()[0]
            raise UnreadableState(thread_id, ".".join(map(str, first["loc"])),
                                  first["msg"]) from err
        usage = state.llm_usage
        document = ((state.document.source if state.document else None) or state.source
                    or source)
        common: dict[str, Any] = dict(
            thread_id=thread_id, document=document, waiting_for_review=waiting,
            llm_calls=len(usage),
            llm_tokens=sum(u["prompt_tokens"] + u["completion_tokens"] for u in usage),
            llm_ms=round(sum(u["latency_ms"] for u in usage), 1),
            llm_cost=round(sum(u["cost"] for u in usage), 6),
            updated=updated, state=state)
        if ":" in thread_id:
            status = blueprint_status(values, waiting=waiting, stopped=bool(nxt),
                                      parked=state.parked) if known_next else \
                blueprint_status(values, waiting=waiting)
            if state.cancelled is not None:
                note = note or _cancel_note(state.cancelled)
            elif status == "interrupted":
                note = note or ("stopped between two steps; running the blueprint on the"
                                " document again resumes it")
            return cls(status=status, note=note,
                       confidence=state.vars.get("confidence"),
                       error=error or (state.error.detail if state.error else None),
                       step_status=step_status(values), **common)
        return cls._invoice(state, values.get("error"), nxt, waiting, note, error, common)

    @classmethod
    def _invoice(cls, state: RunState, record: Any, nxt: tuple[str, ...], waiting: bool,
                 note: str, error: str | None, common: dict[str, Any]) -> RunView:
        failure = state.error
        status: RunStatus = as_run_status(state.status)
        parked = failure if nxt and state.parked else None
        if parked is None:
            record = None
        if waiting:
            status = "awaiting_review"
        elif parked is not None:
            status = "dead_letter"
            error = error or (f"{parked.reason} at {parked.stage} after"
                              f" {parked.attempts} attempt(s): {parked.detail}")
        elif nxt and not error:
            status = "interrupted"  # ``next`` says before which step
            note = note or (f"stopped before {nxt[0]}; processing the document"
                            " again resumes it")
        if state.cancelled is not None:
            # Whatever a caller did to the thread since, it never posts: it stays cancelled.
            status = "cancelled"
            note = note or _cancel_note(state.cancelled)
        routing = state.decision or Routing()
        return cls(
            status=status, note=note, next=list(nxt),
            dead_letter=dict(record) if record is not None else None,
            confidence=state.extraction.confidence if state.extraction else None,
            risk=state.risk.score if state.risk else None,
            route=routing.route, reasons=[r["code"] for r in routing.reasons],
            posting_id=state.posting.posting_id if state.posting else None,
            error=error or (failure.detail if failure else None), **common)

    def blueprint_result(self, source: str = "") -> dict[str, Any]:
        """A blueprint run as ``blueprint run`` and ``blueprint status`` report it."""
        document = self.state.document
        return {
            "thread_id": self.thread_id,
            "document": (document.source if document else None) or source,
            "status": self.status,
            "step_status": self.step_status,
            "waiting": self.waiting_for_review,
            "vars": self.state.vars,
            "outputs": self.state.outputs,
            "error": self.state.error.detail if self.state.error else None,
        }

    @property
    def finished(self) -> bool:
        """The run never runs again by itself."""
        return self.status in FINISHED


_SUMMARY = tuple(name for name in RunView.__dataclass_fields__ if name not in ("updated", "state"))


def _cancel_note(cancelled: Cancellation) -> str:
    return f"cancelled by {cancelled.by}" + (f": {cancelled.reason}" if cancelled.reason else "")


def _unpack(snapshot: Any) -> tuple[str, dict[str, Any], tuple[str, ...], bool, str | None,
                                    bool]:
    """(thread id, values, next, waiting, written at, whether ``next`` is known)."""
    config = snapshot.config or {}
    thread_id = str((config.get("configurable") or {}).get("thread_id", ""))
    if hasattr(snapshot, "checkpoint"):  # a CheckpointTuple, read without its graph
        checkpoint = snapshot.checkpoint
        values = {k: v for k, v in dict(checkpoint["channel_values"]).items()
                  if not k.startswith(("branch:", "__"))}
        waiting = any(write[1] == _INTERRUPT for write in (snapshot.pending_writes or []))
        return thread_id, values, (), waiting, checkpoint.get("ts"), False
    return (thread_id, dict(snapshot.values or {}), tuple(snapshot.next),
            bool(snapshot.interrupts), snapshot.created_at, True)
