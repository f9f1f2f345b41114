"""Traces and metrics: OpenTelemetry, set up explicitly, exported redacted.

:func:`setup_tracing` builds its own tracer and meter providers (the global ones only
if asked) into a :class:`Telemetry`; with no exporter it returns :data:`DISABLED`, whose
helpers return one shared no-op object (no OpenTelemetry import, nothing allocated).

**One run, one trace.** A span for a thread with no parent in that thread's trace gets
the trace id :func:`trace_id_for` derives from the thread id, so a run that pauses for
review and resumes days later in another process, or recovers from a crash, is one
trace that anyone holding the thread id can find. :func:`run_span` (one per graph
invocation) parents the node spans opened inside it; without one (a user invoking the
graph directly) node spans are roots of the same trace. A span of another trace that
is current (an HTTP request) becomes a link.

**Cost.** The helpers' spans skip the SDK's per-span machinery (sampler, bounded
attributes, locks: 25-30 us inside a LangGraph step). A helper keeps attributes in a
dict, makes a non-recording span with its context current (so any span started inside,
ours or a library's, is its child) and on exit hands one ``ReadableSpan`` to the span
processors. Metrics are derived from ended spans on the exporting thread.

**Export.** Every exporter sits behind one door that passes attributes, event
attributes and status text through :func:`~wardflow.observability.redact.redact`. The
JSON-lines file is written by a ``BatchSpanProcessor`` about once a second (at most
that much is lost on SIGKILL), or span by span with ``file_processor="simple"``.
OTLP/HTTP batches and exists only when an endpoint is given.

**Where.** This module holds the trace ids and the spans; :class:`Telemetry` and the
metric instruments live in ``_telemetry``, :func:`setup_tracing` in ``_setup``, the
redaction and the span file's records in ``_span_file``, the exporters (the only part
that imports the OpenTelemetry SDK at import time) in ``_exporters``.
"""

from __future__ import annotations

import contextvars
import hashlib
import random
import time
import traceback
from collections.abc import Mapping
from contextlib import AbstractContextManager
from functools import lru_cache
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

# Built, exported and counted in sibling modules; imported from here.
from wardflow.observability._setup import setup_tracing
from wardflow.observability._setup import telemetry_for as telemetry_for
from wardflow.observability._span_file import forget_spans, span_record
from wardflow.observability._telemetry import DISABLED, Telemetry

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import Event
    from opentelemetry.trace import Link, SpanContext
    from opentelemetry.util.types import AttributeValue

__all__ = [
    "DISABLED", "SpanHandle", "Telemetry", "forget_spans", "guard_span", "llm_span", "node_span",
    "provider_name", "record_error", "record_route", "record_step", "run_span",
    "setup_tracing", "span_record", "startup_span", "tool_span", "trace_id_for",
]

Route = Literal["auto", "review", "failed"]

# litellm provider prefixes -> gen_ai.provider.name (well-known values where one exists).
_PROVIDERS: Final = {
    "local": "llama_cpp", "azure": "azure.ai.openai", "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock", "vertex_ai": "gcp.vertex_ai", "gemini": "gcp.gemini",
    "mistral": "mistral_ai", "xai": "x_ai", "watsonx": "ibm.watsonx.ai",
}


# Trace ids ---------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _trace_int(thread_id: str) -> int:
    value = int(hashlib.sha256(f"wardflow.thread:{thread_id}".encode()).hexdigest()[:32], 16)
    return value or 1


def trace_id_for(thread_id: str) -> str:
    """The trace id (32 hex digits) of every span of ``thread_id``'s run."""
    return f"{_trace_int(thread_id):032x}"


# Spans -------------------------------------------------------------------------------
def _is_pause(exc_type: type[BaseException]) -> bool:
    # langgraph's interrupt() raises GraphBubbleUp subclasses: a pause, not an error.
    # Matched by name so that this module needs no langgraph import.
    return any(c.__name__ == "GraphBubbleUp" for c in exc_type.__mro__)


# (summary section, key) -> span attribute, for SpanHandle.node_result.
_SUMMARY_ATTRIBUTES: Final = {
    ("extraction", "confidence"): "wardflow.extraction.confidence",
    ("extraction", "failed_checks"): "wardflow.extraction.failed_checks",
    ("risk", "score"): "wardflow.risk.score",
    ("risk", "reasons"): "wardflow.risk.reasons",
    ("compliance", "status"): "wardflow.compliance.status",
    ("decision", "route"): "wardflow.route",
    ("decision", "reasons"): "wardflow.route.reasons",
    ("review", "decision"): "wardflow.review.decision",
    ("review", "by"): "wardflow.review.by",
    ("review", "refused"): "wardflow.review.refused",
    ("posting", "posting_id"): "wardflow.posting.id",
    ("posting", "created"): "wardflow.posting.created",
    ("error", "reason"): "wardflow.error.reason",
}


def _value(value: Any) -> AttributeValue:
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(v if isinstance(v, str) else str(v) for v in value)
    return str(value)


class SpanHandle:
    """What a ``*_span`` helper yields: setters for the span's results.

    Every method is a no-op on a disabled telemetry's handle, and after the block.
    """

    __slots__ = ("_attrs", "_events", "_node", "_status", "context")

    def __init__(self, attrs: dict[str, Any] | None, node: str | None = None) -> None:
        self._attrs = attrs
        self._node = node
        self._events: list[Event] = []
        self._status: str | None = None
        #: The span's ``SpanContext`` (``None`` when disabled).
        self.context: SpanContext | None = None

    @property
    def recording(self) -> bool:
        """Whether anything set on this handle is exported."""
        return self._attrs is not None

    @property
    def trace_id(self) -> str | None:
        """The span's trace id (32 hex digits), or ``None`` when disabled."""
        return format(self.context.trace_id, "032x") if self.context is not None else None

    def set(self, key: str, value: Any) -> None:
        """Set one attribute (``None`` is skipped; other non-scalars become strings)."""
        if self._attrs is not None and value is not None:
            self._attrs[key] = _value(value)

    def event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        """Add a timestamped event."""
        if self._attrs is not None:
            from opentelemetry.sdk.trace import Event

            attrs = {k: _value(v) for k, v in (attributes or {}).items() if v is not None}
            self._events.append(Event(name, attrs, time.time_ns()))

    def fail(self, error_type: str, detail: str = "") -> None:
        """Mark the span as failed (a blocked tool call, a refused output)."""
        if self._attrs is not None:
            self._attrs["error.type"] = error_type
            self._status = detail or error_type

    def node_result(self, summary: Mapping[str, Any]) -> None:
        """Annotate a node span with the node's summary (``graphs._node._summary``):
        status, confidence, risk, compliance, route, review and posting results. The
        metrics are derived from these attributes."""
        attrs = self._attrs
        if attrs is None:
            return
        found: dict[str, Any] = {"wardflow.status": summary.get("status")}
        for (part, key), name in _SUMMARY_ATTRIBUTES.items():
            section = summary.get(part)
            if isinstance(section, Mapping):
                found[name] = section.get(key)
        route = (summary.get("decision") or {}).get("route")
        found["wardflow.route.outcome"] = {"post": "auto", "review": "review"}.get(str(route))
        guard = summary.get("guard")
        if isinstance(guard, list) and guard:
            found["wardflow.guard.outcomes"] = [f"{g.get('validator')}:{g.get('outcome')}"
                                                for g in guard if isinstance(g, Mapping)]
        if summary.get("status") == "failed" and self._node == "fail":
            found["wardflow.route.outcome"] = "failed"  # the failure sink: counted once
        attrs.update({k: _value(v) for k, v in found.items() if v is not None})

    def llm_usage(self, usage: Mapping[str, Any]) -> None:
        """Record a model call's usage (``wardflow.llm.client.Usage.to_dict()``):
        GenAI token attributes, latency, cost, cache hit."""
        if self._attrs is None:
            return
        self._attrs.update({
            "gen_ai.usage.input_tokens": int(usage.get("prompt_tokens") or 0),
            "gen_ai.usage.output_tokens": int(usage.get("completion_tokens") or 0),
        })
        self.set("gen_ai.response.model", usage.get("model"))
        self.set("wardflow.llm.latency_ms", usage.get("latency_ms"))
        self.set("wardflow.llm.cost", usage.get("cost"))
        self.set("wardflow.llm.cache_hit", usage.get("cache_hit"))
        if usage.get("ok") is False:
            self.fail("invalid_output", "the model's output did not validate")

    def guard_result(self, outcome: str, score: float | None = None, *, findings: int = 0) -> None:
        """Record a validator's outcome (``pass``, ``flagged``, ``blocked``...)."""
        self.set("wardflow.guard.outcome", outcome)
        self.set("wardflow.guard.score", score)
        self.set("wardflow.guard.findings", findings)

    def tool_result(self, outcome: str, detail: str = "") -> None:
        """Record a tool call's outcome: ``ok``, ``blocked`` or ``error``."""
        self.set("wardflow.tool.outcome", outcome)
        if outcome != "ok":
            self.fail(outcome, detail)


_NOOP_HANDLE: Final = SpanHandle(None)


class _NoopScope(AbstractContextManager[SpanHandle]):
    __slots__ = ()

    def __enter__(self) -> SpanHandle:
        return _NOOP_HANDLE

    def __exit__(self, *exc: object) -> None:
        return None


_NOOP_SCOPE: Final = _NoopScope()


class _Scope(AbstractContextManager[SpanHandle]):
    """Makes a span the current one; on exit, hands it, ended, to the processors."""

    __slots__ = ("_handle", "_kind", "_links", "_name", "_parent", "_start", "_tel", "_token",
                 "_trace")

    def __init__(
        self, telemetry: Telemetry, name: str, attributes: dict[str, Any], *,
        trace: int | None, node: str | None = None, kind: str = "internal",
    ) -> None:
        self._tel = telemetry
        self._name = name
        self._trace = trace
        self._kind = kind
        self._handle = SpanHandle(attributes, node)
        self._token: contextvars.Token[Context] | None = None
        self._parent: SpanContext | None = None
        self._links: list[Link] = []
        self._start = 0

    def __enter__(self) -> SpanHandle:
        tel = self._tel
        parent = tel._get_current_span().get_span_context()
        want = self._trace
        if parent.is_valid and (want is None or parent.trace_id == want):
            trace_id = parent.trace_id
            self._parent = parent
        else:
            trace_id = want if want is not None else random.getrandbits(128) or 1
            if parent.is_valid:
                self._links = [tel._link(parent)]
        context = tel._span_context(trace_id, random.getrandbits(64) or 1, False, tel._sampled)
        self._handle.context = context
        self._token = tel._attach(tel._set_span_in_context(tel._non_recording(context)))
        self._start = time.time_ns()
        return self._handle

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        end = time.time_ns()
        tel, handle = self._tel, self._handle
        if self._token is not None:
            tel._detach(self._token)
        attrs, events = handle._attrs or {}, handle._events
        handle._attrs = None  # the span is ended: later sets are dropped
        status = tel._unset
        if handle._status is not None:
            status = tel._status(tel._error, handle._status)
        if exc_type is not None and exc is not None:
            if _is_pause(exc_type):
                attrs["wardflow.outcome"] = "interrupted"
            else:
                attrs["wardflow.outcome"] = "error"
                attrs["error.type"] = exc_type.__name__
                status = tel._status(tel._error, exc_type.__name__)
                events = [*events, tel._event("exception", {
                    "exception.type": exc_type.__qualname__,
                    "exception.message": str(exc),
                    "exception.stacktrace": "".join(traceback.format_exception(exc)),
                }, end)]
        span = tel._readable(
            name=self._name, context=handle.context, parent=self._parent,
            resource=tel._resource, attributes=attrs, events=events, links=self._links,
            kind=tel._kinds[self._kind], status=status, start_time=self._start, end_time=end,
            instrumentation_scope=tel._scope,
        )
        for processor in tel._processors:
            processor.on_end(span)


def _scope(
    telemetry: Telemetry, name: str, attributes: Mapping[str, Any], *, thread_id: str | None,
    trace_id: str | None = None, node: str | None = None, kind: str = "internal",
) -> AbstractContextManager[SpanHandle]:
    if not telemetry.enabled:
        return _NOOP_SCOPE
    attrs = {k: v for k, v in attributes.items() if v is not None}
    if thread_id is not None:
        attrs["wardflow.thread_id"] = thread_id
    trace = int(trace_id, 16) if trace_id else _trace_int(thread_id) if thread_id else None
    return _Scope(telemetry, name, attrs, trace=trace, node=node, kind=kind)


def run_span(
    telemetry: Telemetry, thread_id: str, *, workflow: str = "invoice",
    segment: Literal["start", "resume", "recover"] = "start",
) -> AbstractContextManager[SpanHandle]:
    """The span of one invocation of a graph for ``thread_id`` (``invoke_workflow``).

    Open it around ``graph.invoke``; node spans opened inside become its children.
    A resumed run opens another (``segment="resume"``) in the same trace.
    """
    return _scope(telemetry, f"invoke_workflow {workflow}", {
        "gen_ai.operation.name": "invoke_workflow", "gen_ai.workflow.name": workflow,
        "wardflow.run.segment": segment}, thread_id=thread_id)


def startup_span(telemetry: Telemetry, thread_id: str) -> AbstractContextManager[SpanHandle]:
    """The process's start-up work (imports, guard validators, model load), timed on
    its own in the trace of the first run it serves, not inside that run's first step."""
    return _scope(telemetry, "startup", {"wardflow.phase": "startup"}, thread_id=thread_id)


def node_span(
    telemetry: Telemetry, name: str, *, thread_id: str | None,
    checkpoint_id: str | None = None, step: int | None = None, trace_id: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A span for one step of a graph node (``node NAME``).

    An exception leaving the block marks the span as an error, except langgraph's
    ``interrupt()``: a pause, recorded as ``wardflow.outcome = interrupted``.

    Args:
        name: the node's name (``wardflow.node``).
        thread_id: the run's thread; its spans share one trace (see the module doc).
        checkpoint_id: the checkpoint the step started from (``langgraph.checkpoint_id``).
        step: LangGraph's step number (``langgraph.step``).
        trace_id: put the span in this trace (32 hex digits) instead of the thread's.
    """
    return _scope(telemetry, f"node {name}", {
        "wardflow.node": name, "langgraph.checkpoint_id": checkpoint_id, "langgraph.step": step,
    }, thread_id=thread_id, trace_id=trace_id, node=name)


def tool_span(
    telemetry: Telemetry, tool: str, *, side_effects: bool, thread_id: str | None = None,
    args_digest: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A span for one governed tool call (GenAI ``execute_tool``)."""
    return _scope(telemetry, f"execute_tool {tool}", {
        "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": tool,
        "gen_ai.tool.type": "function", "wardflow.tool.side_effects": side_effects,
        "wardflow.tool.args_digest": args_digest}, thread_id=thread_id)


def guard_span(
    telemetry: Telemetry, validator: str, *, boundary: str, thread_id: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A span for one validator run at a boundary (``document``, ``model_output``...)."""
    return _scope(telemetry, f"guard {validator}", {
        "wardflow.guard.validator": validator, "wardflow.guard.boundary": boundary,
    }, thread_id=thread_id)


def provider_name(model: str) -> str:
    """``gen_ai.provider.name`` for a litellm model string (``openai/gpt-4o`` -> openai)."""
    prefix = model.split("/", 1)[0] if "/" in model else "openai"
    return _PROVIDERS.get(prefix, prefix)


def llm_span(
    telemetry: Telemetry, *, agent: str, model: str, operation: str = "chat",
    provider: str | None = None, temperature: float | None = None,
    max_tokens: int | None = None, seed: int | None = None, thread_id: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A client span for one model call, with GenAI semantic-convention attributes
    (``gen_ai.operation.name``, ``gen_ai.provider.name`` and the older
    ``gen_ai.system``, ``gen_ai.request.*``, ``gen_ai.agent.name``).

    Call :meth:`SpanHandle.llm_usage` with the call's usage before the block ends.

    Args:
        agent: the calling agent (``gen_ai.agent.name``).
        model: the requested litellm model string (``gen_ai.request.model``).
        operation: ``chat`` (default), ``text_completion``, ``embeddings``.
        provider: ``gen_ai.provider.name``; derived from ``model`` if not given.
    """
    provider = provider or provider_name(model)
    return _scope(telemetry, f"{operation} {model}", {
        "gen_ai.operation.name": operation, "gen_ai.provider.name": provider,
        "gen_ai.system": provider, "gen_ai.request.model": model, "gen_ai.agent.name": agent,
        "gen_ai.request.temperature": temperature, "gen_ai.request.max_tokens": max_tokens,
        "gen_ai.request.seed": seed}, thread_id=thread_id, kind="client")


# Metrics without a span ---------------------------------------------------------------
def record_step(telemetry: Telemetry, node: str, ms: float, *, outcome: str = "ok") -> None:
    """Record one node step's duration (a ``node_span`` records its own)."""
    if (instruments := telemetry._instruments) is not None:
        instruments.step_duration.record(ms, {"wardflow.node": node, "wardflow.outcome": outcome})


def record_route(
    telemetry: Telemetry, route: Route, *, confidence: float | None = None,
    risk: float | None = None,
) -> None:
    """Count a routing outcome, with the document's confidence and risk if given
    (``SpanHandle.node_result`` on node spans does all this already)."""
    if (instruments := telemetry._instruments) is not None:
        instruments.routes.add(1, {"wardflow.route": route})
        for histogram, value in ((instruments.confidence, confidence), (instruments.risk, risk)):
            if value is not None:
                histogram.record(value)


def record_error(telemetry: Telemetry, node: str, error_type: str) -> None:
    """Count an error that did not leave a span (one caught and handled)."""
    if (instruments := telemetry._instruments) is not None:
        instruments.errors.add(1, {"wardflow.node": node, "error.type": error_type})
