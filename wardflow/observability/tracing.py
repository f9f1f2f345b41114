"""Traces and metrics: OpenTelemetry, set up explicitly, exported redacted.

:func:`setup_tracing` builds its own ``TracerProvider`` and ``MeterProvider`` (the
global providers are left alone unless asked) and returns them in a
:class:`Telemetry`. With no exporter configured it returns :data:`DISABLED`, whose
helpers are shared no-op objects: no OpenTelemetry import, no allocation per span.

One run, one trace: every span carries ``wardflow.thread_id``, and a span for a
thread that has no parent in that thread's trace gets the trace id
:func:`trace_id_for` derives from the thread id. A run that pauses for review and
resumes a day later in another process, or recovers after a crash, lands in the same
trace, and anyone holding the thread id can compute it (no lookup table). Each
invocation of the graph may open a :func:`run_span` (root, ``invoke_workflow``);
node spans opened inside it are its children. Node spans opened without one (a
Python user invoking the compiled graph directly) are roots of the same trace. A
caller's own span from another trace (an HTTP request) becomes a span link.

Everything exported passes one choke point, a span processor that copies each ended
span with its attributes, event attributes and status text through
:func:`~wardflow.observability.redact.redact` before any exporter sees it.

The JSON-lines file uses a ``SimpleSpanProcessor`` (a span is written when it ends,
in one ``write`` to an ``O_APPEND`` file): at our volumes (tens of spans a document)
it costs a few microseconds more per span than batching, and a run killed with
SIGKILL keeps every span up to the kill, which the crash tests and a post-mortem
need. OTLP uses a ``BatchSpanProcessor`` (network I/O never runs on a node's path).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

from wardflow.observability.redact import redact

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.metrics import Counter, Histogram, Meter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, SpanKind, Tracer
    from opentelemetry.util.types import AttributeValue

__all__ = [
    "DISABLED",
    "SpanHandle",
    "Telemetry",
    "guard_span",
    "llm_span",
    "node_span",
    "provider_name",
    "read_spans",
    "record_error",
    "record_route",
    "record_step",
    "run_span",
    "setup_tracing",
    "span_record",
    "tool_span",
    "trace_id_for",
]

log = logging.getLogger(__name__)

Route = Literal["auto", "review", "failed"]

# Attributes exported as they are: identifiers we mint (a checkpoint id such as
# "...-6250-8000-00622..." looks like a card number to the card pattern) and token
# counts (whose names contain "token", a secret-looking key to ``redact``).
_VERBATIM: Final = frozenset({
    "wardflow.thread_id", "langgraph.checkpoint_id", "wardflow.document.sha256",
    "wardflow.posting.id", "wardflow.run.segment",
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens",
})

# Bucket boundaries: node steps run from tenths of a millisecond (route) to minutes
# (OCR, a local model); confidence and risk bucket edges include the default review
# thresholds (0.5, 0.9). GenAI boundaries are the ones the semantic conventions advise.
_STEP_MS_BUCKETS: Final = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0,
                           500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0, 60000.0)
_SCORE_BUCKETS: Final = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
_TOKEN_BUCKETS: Final = (1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0,
                         262144.0, 1048576.0, 4194304.0, 16777216.0, 67108864.0)
# How often the batch processor writes traces.jsonl: at most this much is lost on SIGKILL.
_FILE_FLUSH_MS: Final = 1000
_DURATION_S_BUCKETS: Final = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
                              10.24, 20.48, 40.96, 81.92)

# litellm provider prefixes -> gen_ai.provider.name (well-known values where one exists).
_PROVIDERS: Final = {
    "local": "llama_cpp", "azure": "azure.ai.openai", "azure_ai": "azure.ai.inference",
    "bedrock": "aws.bedrock", "vertex_ai": "gcp.vertex_ai", "gemini": "gcp.gemini",
    "mistral": "mistral_ai", "xai": "x_ai", "watsonx": "ibm.watsonx.ai",
}

# The trace id a root span gets when it is started for a thread (see _id_generator).
_FORCED_TRACE_ID: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "wardflow_forced_trace_id", default=None
)


# Trace ids ---------------------------------------------------------------------------
@lru_cache(maxsize=4096)
def _trace_int(thread_id: str) -> int:
    value = int(hashlib.sha256(f"wardflow.thread:{thread_id}".encode()).hexdigest()[:32], 16)
    return value or 1


def trace_id_for(thread_id: str) -> str:
    """The trace id (32 hex digits) of every span of ``thread_id``'s run."""
    return f"{_trace_int(thread_id):032x}"


# Telemetry ---------------------------------------------------------------------------
class Telemetry:
    """A tracer and a meter with wardflow's instruments, and their providers.

    Make one with :func:`setup_tracing`; :data:`DISABLED` is the no-op one. Close it
    with :meth:`shutdown` (or use it as a context manager) so batched spans and the
    last metrics are exported.
    """

    def __init__(
        self,
        *,
        tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        metric_reader: InMemoryMetricReader | None = None,
        service_name: str = "wardflow",
        jsonl_path: Path | None = None,
    ) -> None:
        self.enabled = tracer_provider is not None
        self.service_name = service_name
        self.jsonl_path = jsonl_path
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._reader = metric_reader
        self._closed = False
        self._tracer: Tracer | None = None
        self._meter: Meter | None = None
        if tracer_provider is None or meter_provider is None:
            return
        from opentelemetry import context, trace
        from opentelemetry.trace import Link, SpanKind, Status, StatusCode

        self._tracer = tracer_provider.get_tracer("wardflow")
        self._meter = meter_provider.get_meter("wardflow")
        # Bound once so that the per-span path does no imports or lookups.
        self._get_current_span = trace.get_current_span
        self._set_span_in_context = trace.set_span_in_context
        self._attach = context.attach
        self._detach = context.detach
        self._empty_context: Context = context.Context()
        self._link = Link
        self._error = Status(StatusCode.ERROR)
        self._kind_internal = SpanKind.INTERNAL
        self._kind_client = SpanKind.CLIENT
        m = self._meter
        self.step_duration: Histogram = m.create_histogram(
            "wardflow.step.duration", unit="ms", description="Duration of one graph node step",
            explicit_bucket_boundaries_advisory=_STEP_MS_BUCKETS)
        self.confidence: Histogram = m.create_histogram(
            "wardflow.extraction.confidence", unit="1",
            description="Extraction confidence per document",
            explicit_bucket_boundaries_advisory=_SCORE_BUCKETS)
        self.risk: Histogram = m.create_histogram(
            "wardflow.risk.score", unit="1", description="Risk score per document",
            explicit_bucket_boundaries_advisory=_SCORE_BUCKETS)
        self.routes: Counter = m.create_counter(
            "wardflow.route.outcomes", unit="{document}",
            description="Routing outcomes: auto (posted without review), review, failed")
        self.errors: Counter = m.create_counter(
            "wardflow.errors", unit="{error}", description="Exceptions raised out of a span")
        self.token_usage: Histogram = m.create_histogram(
            "gen_ai.client.token.usage", unit="{token}",
            description="Tokens used per model call",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS)
        self.operation_duration: Histogram = m.create_histogram(
            "gen_ai.client.operation.duration", unit="s",
            description="Duration of a model call",
            explicit_bucket_boundaries_advisory=_DURATION_S_BUCKETS)

    @property
    def tracer(self) -> Tracer:
        """The OpenTelemetry tracer (a no-op tracer when disabled)."""
        if self._tracer is None:
            from opentelemetry.trace import NoOpTracer

            self._tracer = NoOpTracer()
        return self._tracer

    @property
    def meter(self) -> Meter:
        """The OpenTelemetry meter (a no-op meter when disabled)."""
        if self._meter is None:
            from opentelemetry.metrics import NoOpMeter

            self._meter = NoOpMeter("wardflow")
        return self._meter

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Export everything recorded so far; ``False`` if an exporter timed out."""
        if self._tracer_provider is None or self._closed:
            return True
        ok = self._tracer_provider.force_flush(timeout_millis)
        if self._meter_provider is not None:
            ok = self._meter_provider.force_flush(timeout_millis) and ok
        return ok

    def shutdown(self) -> None:
        """Flush and close the exporters. Safe to call twice."""
        if self._closed or self._tracer_provider is None:
            return
        self._closed = True
        self._tracer_provider.shutdown()
        if self._meter_provider is not None:
            self._meter_provider.shutdown()

    def metrics(self) -> dict[str, list[dict[str, Any]]]:
        """The metrics recorded so far (cumulative), by instrument name.

        Each point has ``attributes`` and either ``value`` (counters) or ``count``,
        ``sum``, ``min``, ``max`` (histograms). Empty when disabled.
        """
        if self._reader is None or self._closed:
            return {}
        data = self._reader.get_metrics_data()
        out: dict[str, list[dict[str, Any]]] = {}
        if data is None:
            return out
        for resource_metrics in data.resource_metrics:
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    points = out.setdefault(metric.name, [])
                    for point in metric.data.data_points:
                        entry: dict[str, Any] = {"attributes": dict(point.attributes or {})}
                        for key in ("value", "count", "sum", "min", "max"):
                            if hasattr(point, key):
                                entry[key] = getattr(point, key)
                        points.append(entry)
        return out

    def __enter__(self) -> Telemetry:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.shutdown()


DISABLED: Final = Telemetry()
"""Telemetry that records nothing; its helpers cost a function call."""


# Setup -------------------------------------------------------------------------------
def setup_tracing(
    *,
    service_name: str = "wardflow",
    jsonl_path: Path | None,
    console: bool = False,
    otlp_endpoint: str | None = None,
    otlp_headers: Mapping[str, str] | None = None,
    file_processor: Literal["batch", "simple"] = "batch",
    set_global: bool = False,
) -> Telemetry:
    """Build a tracer and a meter with the exporters asked for.

    Args:
        service_name: the ``service.name`` resource attribute.
        jsonl_path: write one JSON object per span to this file (appended); the
            caller passes ``settings.home / "traces.jsonl"`` by default.
        console: also print each span (one JSON line) to stderr, as it ends.
        otlp_endpoint: an OTLP/HTTP collector's base URL (``http://host:4318``);
            spans go to ``/v1/traces`` and metrics to ``/v1/metrics``. Nothing is
            sent anywhere unless this is given.
        otlp_headers: headers for the collector (e.g. an API key).
        file_processor: ``batch`` (default) serializes and writes spans on a
            background thread, about once a second; ``simple`` writes each span as it
            ends, on the caller's thread (slower per span, nothing lost on SIGKILL).
        set_global: also install the providers as OpenTelemetry's global ones, so
            that instrumented libraries report into the same trace.

    Returns:
        The telemetry; :data:`DISABLED` when no exporter is configured.
    """
    if jsonl_path is None and not console and not otlp_endpoint:
        return DISABLED
    from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, MeterProvider
    from opentelemetry.sdk.metrics.export import (
        InMemoryMetricReader,
        MetricReader,
        PeriodicExportingMetricReader,
    )
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

    sdk = _sdk()
    resource = Resource.create({"service.name": service_name})
    reader = InMemoryMetricReader()
    readers: list[MetricReader] = [reader]
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(
            endpoint=_signal_url(otlp_endpoint, "metrics"), headers=otlp_headers)))
    # Exemplars (trace ids sampled into histograms) cost about 4 us a measurement; a
    # thread id finds a run's trace without them.
    meter_provider = MeterProvider(metric_readers=readers, resource=resource,
                                   exemplar_filter=AlwaysOffExemplarFilter())
    processors: list[SpanProcessor] = []
    if jsonl_path is not None:
        to_file = sdk.redacting(sdk.jsonl_exporter(jsonl_path))
        processors.append(
            BatchSpanProcessor(to_file, schedule_delay_millis=_FILE_FLUSH_MS,
                               meter_provider=meter_provider)
            if file_processor == "batch"
            else SimpleSpanProcessor(to_file, meter_provider=meter_provider))
    if console:
        processors.append(SimpleSpanProcessor(sdk.redacting(sdk.jsonl_exporter(None)),
                                              meter_provider=meter_provider))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        to_collector = sdk.redacting(OTLPSpanExporter(
            endpoint=_signal_url(otlp_endpoint, "traces"), headers=otlp_headers,
            meter_provider=meter_provider))
        processors.append(BatchSpanProcessor(to_collector, meter_provider=meter_provider))
    tracer_provider = TracerProvider(
        sampler=ParentBased(ALWAYS_ON), resource=resource, id_generator=sdk.id_generator(),
        meter_provider=meter_provider,
    )
    for processor in processors:
        tracer_provider.add_span_processor(processor)
    if set_global:
        from opentelemetry import metrics, trace

        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(meter_provider)
    return Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider,
                     metric_reader=reader, service_name=service_name, jsonl_path=jsonl_path)


def _signal_url(endpoint: str, signal: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(f"/v1/{signal}") else f"{endpoint}/v1/{signal}"


class _Sdk:
    """SDK subclasses, defined on first use so that importing this module stays light."""

    def __init__(self) -> None:
        from opentelemetry.sdk.trace import Event, ReadableSpan
        from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
        from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
        from opentelemetry.trace import Status

        class ThreadTraceIds(RandomIdGenerator):
            """Random ids, except the trace id of a root span started for a thread."""

            def generate_trace_id(self) -> int:
                forced = _FORCED_TRACE_ID.get()
                return forced if forced is not None else super().generate_trace_id()

        def redacted(span: ReadableSpan) -> ReadableSpan:
            attributes = _clean(span.attributes)
            events = [Event(e.name, _clean(e.attributes), e.timestamp) for e in span.events]
            description = span.status.description
            if (attributes is span.attributes and not events and not description):
                return span  # nothing to mask: most spans; no copy
            return ReadableSpan(
                name=span.name, context=span.context, parent=span.parent,
                resource=span.resource, attributes=attributes, events=events,
                links=span.links, kind=span.kind,
                status=(Status(span.status.status_code, redact(description))
                        if description else span.status),
                start_time=span.start_time, end_time=span.end_time,
                instrumentation_scope=span.instrumentation_scope,
            )

        class RedactingExporter(SpanExporter):
            """The one door out: exports redacted copies of the spans to ``inner``."""

            def __init__(self, inner: SpanExporter) -> None:
                self.inner = inner

            def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
                return self.inner.export([redacted(s) for s in spans])

            def shutdown(self) -> None:
                self.inner.shutdown()

            def force_flush(self, timeout_millis: int = 30000) -> bool:
                return self.inner.force_flush(timeout_millis)

        class JsonLinesExporter(SpanExporter):
            """One JSON object per span, appended to a file (or written to stderr)."""

            def __init__(self, path: Path | None) -> None:
                self._path = path
                self._fd: int | None = None
                self._lock = threading.Lock()

            def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
                data = "".join([_dumps(span_record(s)) + "\n" for s in spans])
                try:
                    if self._path is None:
                        sys.stderr.write(data)
                        return SpanExportResult.SUCCESS
                    with self._lock:
                        if self._fd is None:
                            self._path.parent.mkdir(parents=True, exist_ok=True)
                            self._fd = os.open(self._path,
                                               os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                        # One write per batch: appends from several processes interleave
                        # whole lines, not parts of them.
                        view = memoryview(data.encode())
                        while view:
                            view = view[os.write(self._fd, view):]
                except OSError as err:
                    log.warning("cannot write spans to %s: %s", self._path, err)
                    return SpanExportResult.FAILURE
                return SpanExportResult.SUCCESS

            def shutdown(self) -> None:
                with self._lock:
                    if self._fd is not None:
                        os.close(self._fd)
                        self._fd = None

            def force_flush(self, timeout_millis: int = 30000) -> bool:
                return True

        self.id_generator = ThreadTraceIds
        self.redacting: Callable[[SpanExporter], SpanExporter] = RedactingExporter
        self.jsonl_exporter: Callable[[Path | None], SpanExporter] = JsonLinesExporter


@lru_cache(maxsize=1)
def _sdk() -> _Sdk:
    return _Sdk()


_dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode


@lru_cache(maxsize=256)
def _blanked(key: str) -> bool:
    # Whether redact() blanks this key whatever its value (a secret-looking name).
    return bool(redact({key: "0"})[key] != "0")


def _masked(text: str) -> str:
    return _masked_short(text) if len(text) <= 256 else str(redact(text))


@lru_cache(maxsize=8192)
def _masked_short(text: str) -> str:
    # Attribute values repeat (node names, statuses, rule codes): mask each text once.
    return str(redact(text))


def _clean_value(key: str, value: Any) -> Any:
    if key in _VERBATIM:
        return value
    if _blanked(key):
        return "[redacted]"
    if isinstance(value, str):
        return _masked(value)
    if isinstance(value, (list, tuple)):
        return tuple([_masked(v) if isinstance(v, str) else v for v in value])
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**12:
        # A card number sent as an integer: mask it like its text.
        text = str(value)
        return masked if (masked := _masked(text)) != text else value
    return value


def _clean(attributes: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """``attributes`` passed through :func:`redact` (same object if nothing changed)."""
    if not attributes:
        return attributes or {}
    cleaned = {}
    changed = False
    for key, value in attributes.items():
        new = _clean_value(key, value)
        if new is not value and new != value:
            changed = True
        cleaned[key] = new
    return cleaned if changed else attributes


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """A span as the JSON object written to ``traces.jsonl``."""
    ctx, parent = span.context, span.parent
    start, end = span.start_time or 0, span.end_time or 0
    status = span.status
    return {
        "name": span.name,
        "trace_id": format(ctx.trace_id, "032x") if ctx else None,
        "span_id": format(ctx.span_id, "016x") if ctx else None,
        "parent_id": format(parent.span_id, "016x") if parent else None,
        "kind": span.kind.name,
        "start_ns": start,
        "end_ns": end,
        "duration_ms": round((end - start) / 1e6, 3),
        "attributes": dict(span.attributes) if span.attributes else {},
        "status": {"code": status.status_code.name, "description": status.description},
        "events": [{"name": e.name, "ts_ns": e.timestamp,
                    "attributes": dict(e.attributes) if e.attributes else {}}
                   for e in span.events] if span.events else [],
        "links": [{"trace_id": format(link.context.trace_id, "032x"),
                   "span_id": format(link.context.span_id, "016x")}
                  for link in span.links] if span.links else [],
        "service": span.resource.attributes.get("service.name"),
    }


def read_spans(
    path: Path, *, thread_id: str | None = None, trace_id: str | None = None
) -> list[dict[str, Any]]:
    """Spans from a ``traces.jsonl`` file, optionally one thread's (its trace id or
    its ``wardflow.thread_id`` attribute), ordered by start time."""
    if not path.exists():
        return []
    wanted = trace_id or (trace_id_for(thread_id) if thread_id else None)
    spans = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            try:
                span = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a crash
            if wanted is None or span.get("trace_id") == wanted or (
                thread_id is not None
                and span.get("attributes", {}).get("wardflow.thread_id") == thread_id
            ):
                spans.append(span)
    return sorted(spans, key=lambda s: s.get("start_ns") or 0)


# Spans -------------------------------------------------------------------------------
def _is_pause(exc_type: type[BaseException]) -> bool:
    # langgraph's interrupt() raises GraphBubbleUp subclasses: a pause, not an error.
    # Matched by name so that this module needs no langgraph import.
    return any(c.__name__ == "GraphBubbleUp" for c in exc_type.__mro__)


def _value(value: Any) -> AttributeValue:
    if isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


class SpanHandle:
    """What a ``*_span`` helper yields: the span, and setters for its results.

    Every method is a no-op on a disabled telemetry's handle.

    Attributes:
        span: the OpenTelemetry span, or ``None`` when tracing is disabled.
    """

    __slots__ = ("_metric_attrs", "_node", "_tel", "span")

    def __init__(
        self, telemetry: Telemetry, span: Span | None, node: str | None = None,
        metric_attrs: dict[str, AttributeValue] | None = None,
    ) -> None:
        self._tel = telemetry
        self.span = span
        self._node = node
        self._metric_attrs = metric_attrs

    def set(self, key: str, value: Any) -> None:
        """Set one attribute (``None`` is skipped; other values become strings)."""
        if self.span is not None and value is not None:
            self.span.set_attribute(key, _value(value))

    def event(self, name: str, attributes: Mapping[str, Any] | None = None) -> None:
        """Add a timestamped event."""
        if self.span is not None:
            attrs = {k: _value(v) for k, v in (attributes or {}).items() if v is not None}
            self.span.add_event(name, attrs)

    def fail(self, error_type: str, detail: str = "") -> None:
        """Mark the span as failed (a blocked tool call, a refused output)."""
        if self.span is not None:
            from opentelemetry.trace import StatusCode

            self.span.set_status(StatusCode.ERROR, detail or error_type)
            self.span.set_attribute("error.type", error_type)

    def node_result(self, summary: Mapping[str, Any]) -> None:
        """Annotate a node span with the node's summary (``graphs._node._summary``),
        and record the document's confidence, risk and routing metrics."""
        span, tel = self.span, self._tel
        if span is None:
            return
        attrs: dict[str, Any] = {"wardflow.status": summary.get("status")}
        extraction = summary.get("extraction")
        if isinstance(extraction, Mapping):
            attrs["wardflow.extraction.confidence"] = extraction.get("confidence")
            attrs["wardflow.extraction.failed_checks"] = extraction.get("failed_checks")
            if isinstance(extraction.get("confidence"), (int, float)):
                tel.confidence.record(extraction["confidence"])
        risk = summary.get("risk")
        if isinstance(risk, Mapping):
            attrs["wardflow.risk.score"] = risk.get("score")
            attrs["wardflow.risk.reasons"] = risk.get("reasons")
            if isinstance(risk.get("score"), (int, float)):
                tel.risk.record(risk["score"])
        compliance = summary.get("compliance")
        if isinstance(compliance, Mapping):
            attrs["wardflow.compliance.status"] = compliance.get("status")
        decision = summary.get("decision")
        if isinstance(decision, Mapping):
            attrs["wardflow.route"] = decision.get("route")
            attrs["wardflow.route.reasons"] = decision.get("reasons")
            if decision.get("route") in ("post", "review"):
                record_route(tel, "auto" if decision["route"] == "post" else "review")
        guard = summary.get("guard")
        if isinstance(guard, list) and guard:
            attrs["wardflow.guard.outcomes"] = [f"{g.get('validator')}:{g.get('outcome')}"
                                                for g in guard if isinstance(g, Mapping)]
        review = summary.get("review")
        if isinstance(review, Mapping):
            attrs["wardflow.review.decision"] = review.get("decision")
            attrs["wardflow.review.by"] = review.get("by")
            attrs["wardflow.review.refused"] = review.get("refused")
        posting = summary.get("posting")
        if isinstance(posting, Mapping):
            attrs["wardflow.posting.id"] = posting.get("posting_id")
            attrs["wardflow.posting.created"] = posting.get("created")
        error = summary.get("error")
        if isinstance(error, Mapping):
            attrs["wardflow.error.reason"] = error.get("reason")
        if summary.get("status") == "failed" and self._node == "fail":
            record_route(tel, "failed")
        span.set_attributes({k: _value(v) for k, v in attrs.items() if v is not None})

    def llm_usage(self, usage: Mapping[str, Any]) -> None:
        """Record a model call's usage (``wardflow.llm.client.Usage.to_dict()``) on the
        span (GenAI attributes) and in the GenAI client metrics."""
        span, tel = self.span, self._tel
        if span is None:
            return
        input_tokens = int(usage.get("prompt_tokens") or 0)
        output_tokens = int(usage.get("completion_tokens") or 0)
        attrs: dict[str, Any] = {
            "gen_ai.response.model": usage.get("model"),
            "gen_ai.usage.input_tokens": input_tokens,
            "gen_ai.usage.output_tokens": output_tokens,
            "wardflow.llm.latency_ms": usage.get("latency_ms"),
            "wardflow.llm.cost": usage.get("cost"),
            "wardflow.llm.cache_hit": usage.get("cache_hit"),
            "wardflow.llm.ok": usage.get("ok", True),
        }
        span.set_attributes({k: _value(v) for k, v in attrs.items() if v is not None})
        if usage.get("ok") is False:
            self.fail("invalid_output")
        metric_attrs = self._metric_attrs or {}
        tel.token_usage.record(input_tokens, {**metric_attrs, "gen_ai.token.type": "input"})
        tel.token_usage.record(output_tokens, {**metric_attrs, "gen_ai.token.type": "output"})
        latency = usage.get("latency_ms")
        if isinstance(latency, (int, float)):
            tel.operation_duration.record(latency / 1000, metric_attrs)

    def guard_result(self, outcome: str, score: float | None = None, *, findings: int = 0) -> None:
        """Record a validator's outcome (``pass``, ``flagged``, ``blocked``...)."""
        if self.span is None:
            return
        self.set("wardflow.guard.outcome", outcome)
        self.set("wardflow.guard.score", score)
        self.set("wardflow.guard.findings", findings)

    def tool_result(self, outcome: str, detail: str = "") -> None:
        """Record a tool call's outcome: ``ok``, ``blocked`` or ``error``."""
        if self.span is None:
            return
        self.set("wardflow.tool.outcome", outcome)
        if outcome != "ok":
            self.fail(outcome, detail)


_NOOP_HANDLE: Final = SpanHandle(DISABLED, None)


class _NoopScope(AbstractContextManager[SpanHandle]):
    __slots__ = ()

    def __enter__(self) -> SpanHandle:
        return _NOOP_HANDLE

    def __exit__(self, *exc: object) -> None:
        return None


_NOOP_SCOPE: Final = _NoopScope()


class _Scope(AbstractContextManager[SpanHandle]):
    """Starts a span as the current one; ends it, with status, on exit."""

    __slots__ = ("_attrs", "_client", "_handle", "_name", "_started", "_tel", "_token",
                 "_trace")

    def __init__(
        self, telemetry: Telemetry, name: str, attributes: dict[str, Any], *,
        trace: int | None, node: str | None = None, client: bool = False,
        metric_attrs: dict[str, AttributeValue] | None = None,
    ) -> None:
        self._tel = telemetry
        self._name = name
        self._attrs = attributes
        self._trace = trace
        self._client = client
        self._handle = SpanHandle(telemetry, None, node, metric_attrs)
        self._token: contextvars.Token[Context] | None = None
        self._started = 0.0

    def __enter__(self) -> SpanHandle:
        tel = self._tel
        tracer = tel.tracer
        kind: SpanKind = tel._kind_client if self._client else tel._kind_internal
        want = self._trace
        parent = tel._get_current_span().get_span_context()
        if want is not None and parent.trace_id != want:
            links = [tel._link(parent)] if parent.is_valid else []
            forced = _FORCED_TRACE_ID.set(want)
            try:
                span = tracer.start_span(self._name, tel._empty_context, kind, self._attrs, links,
                                         record_exception=False, set_status_on_exception=False)
            finally:
                _FORCED_TRACE_ID.reset(forced)
        else:
            span = tracer.start_span(self._name, None, kind, self._attrs,
                                     record_exception=False, set_status_on_exception=False)
        self._token = tel._attach(tel._set_span_in_context(span))
        self._handle.span = span
        self._started = time.perf_counter()
        return self._handle

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tel, handle = self._tel, self._handle
        span = handle.span
        assert span is not None
        ms = (time.perf_counter() - self._started) * 1000
        outcome = "ok"
        if exc_type is not None and exc is not None:
            if _is_pause(exc_type):
                outcome = "interrupted"
                span.add_event("interrupt")
            else:
                outcome = "error"
                span.set_status(tel._error)
                span.set_attribute("error.type", exc_type.__name__)
                span.record_exception(exc)
                tel.errors.add(1, {"wardflow.node": handle._node or self._name,
                                   "error.type": exc_type.__name__})
            span.set_attribute("wardflow.outcome", outcome)
        if self._token is not None:
            tel._detach(self._token)
        span.end()
        if handle._node is not None:
            tel.step_duration.record(ms, {"wardflow.node": handle._node, "wardflow.outcome": outcome})


def _trace_for(thread_id: str | None, trace_id: str | None) -> int | None:
    if trace_id:
        return int(trace_id, 16)
    return _trace_int(thread_id) if thread_id else None


def run_span(
    telemetry: Telemetry,
    thread_id: str,
    *,
    workflow: str = "invoice",
    segment: Literal["start", "resume", "recover"] = "start",
) -> AbstractContextManager[SpanHandle]:
    """The root span of one invocation of a graph for ``thread_id``.

    Open it around ``graph.invoke``; node spans opened inside become its children.
    A resumed run opens another, with ``segment="resume"``, in the same trace.
    """
    if not telemetry.enabled:
        return _NOOP_SCOPE
    return _Scope(telemetry, f"invoke_workflow {workflow}", {
        "gen_ai.operation.name": "invoke_workflow",
        "gen_ai.workflow.name": workflow,
        "wardflow.thread_id": thread_id,
        "wardflow.run.segment": segment,
    }, trace=_trace_int(thread_id))


def node_span(
    telemetry: Telemetry,
    name: str,
    *,
    thread_id: str | None,
    checkpoint_id: str | None = None,
    step: int | None = None,
    trace_id: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A span for one step of a graph node; records the step-duration metric too.

    An exception leaving the block marks the span as an error and counts it, except
    langgraph's ``interrupt()`` (a pause: outcome ``interrupted``, status unset).

    Args:
        name: the node's name (``wardflow.node``).
        thread_id: the run's thread; its spans share one trace (see module doc).
        checkpoint_id: the checkpoint the step started from (``langgraph.checkpoint_id``).
        step: LangGraph's step number (``langgraph.step``).
        trace_id: put the span in this trace (32 hex digits) instead of the thread's.
    """
    if not telemetry.enabled:
        return _NOOP_SCOPE
    attrs: dict[str, Any] = {"wardflow.node": name}
    if thread_id is not None:
        attrs["wardflow.thread_id"] = thread_id
    if checkpoint_id is not None:
        attrs["langgraph.checkpoint_id"] = checkpoint_id
    if step is not None:
        attrs["langgraph.step"] = step
    return _Scope(telemetry, f"node {name}", attrs, trace=_trace_for(thread_id, trace_id),
                  node=name)


def tool_span(
    telemetry: Telemetry,
    tool: str,
    *,
    side_effects: bool,
    thread_id: str | None = None,
    args_digest: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A span for one governed tool call (GenAI ``execute_tool``)."""
    if not telemetry.enabled:
        return _NOOP_SCOPE
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": tool,
        "gen_ai.tool.type": "function",
        "wardflow.tool.side_effects": side_effects,
    }
    if thread_id is not None:
        attrs["wardflow.thread_id"] = thread_id
    if args_digest is not None:
        attrs["wardflow.tool.args_digest"] = args_digest
    return _Scope(telemetry, f"execute_tool {tool}", attrs, trace=_trace_for(thread_id, None))


def guard_span(
    telemetry: Telemetry,
    validator: str,
    *,
    boundary: str,
    thread_id: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A span for one validator run at a boundary (``document``, ``model_output``...)."""
    if not telemetry.enabled:
        return _NOOP_SCOPE
    attrs: dict[str, Any] = {"wardflow.guard.validator": validator,
                             "wardflow.guard.boundary": boundary}
    if thread_id is not None:
        attrs["wardflow.thread_id"] = thread_id
    return _Scope(telemetry, f"guard {validator}", attrs, trace=_trace_for(thread_id, None))


def provider_name(model: str) -> str:
    """``gen_ai.provider.name`` for a litellm model string (``openai/gpt-4o`` -> openai)."""
    prefix = model.split("/", 1)[0] if "/" in model else "openai"
    return _PROVIDERS.get(prefix, prefix)


def llm_span(
    telemetry: Telemetry,
    *,
    agent: str,
    model: str,
    operation: str = "chat",
    provider: str | None = None,
    temperature: float | None = None,
    max_tokens: int | None = None,
    seed: int | None = None,
    thread_id: str | None = None,
) -> AbstractContextManager[SpanHandle]:
    """A client span for one model call, with the GenAI semantic-convention attributes.

    Call :meth:`SpanHandle.llm_usage` with the call's usage before the block ends.

    Args:
        agent: the calling agent (``gen_ai.agent.name``).
        model: the requested litellm model string (``gen_ai.request.model``).
        operation: ``chat`` (default), ``text_completion``, ``embeddings``.
        provider: ``gen_ai.provider.name``; derived from ``model`` if not given.
    """
    if not telemetry.enabled:
        return _NOOP_SCOPE
    provider = provider or provider_name(model)
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": provider,
        "gen_ai.system": provider,  # the older name, still read by many backends
        "gen_ai.request.model": model,
        "gen_ai.agent.name": agent,
    }
    if temperature is not None:
        attrs["gen_ai.request.temperature"] = temperature
    if max_tokens is not None:
        attrs["gen_ai.request.max_tokens"] = max_tokens
    if seed is not None:
        attrs["gen_ai.request.seed"] = seed
    if thread_id is not None:
        attrs["wardflow.thread_id"] = thread_id
    return _Scope(telemetry, f"{operation} {model}", attrs, trace=_trace_for(thread_id, None),
                  client=True, metric_attrs={"gen_ai.operation.name": operation,
                                             "gen_ai.provider.name": provider,
                                             "gen_ai.request.model": model})


# Metrics -----------------------------------------------------------------------------
def record_step(telemetry: Telemetry, node: str, ms: float, *, outcome: str = "ok") -> None:
    """Record one node step's duration (``node_span`` already does this)."""
    if telemetry.enabled:
        telemetry.step_duration.record(ms, {"wardflow.node": node, "wardflow.outcome": outcome})


def record_route(
    telemetry: Telemetry, route: Route, *, confidence: float | None = None,
    risk: float | None = None,
) -> None:
    """Count a routing outcome; record the document's confidence and risk if given
    (``SpanHandle.node_result`` does all of this from the node summaries)."""
    if not telemetry.enabled:
        return
    telemetry.routes.add(1, {"wardflow.route": route})
    if confidence is not None:
        telemetry.confidence.record(confidence)
    if risk is not None:
        telemetry.risk.record(risk)


def record_error(telemetry: Telemetry, node: str, error_type: str) -> None:
    """Count an error that did not leave a span (one caught and handled)."""
    if telemetry.enabled:
        telemetry.errors.add(1, {"wardflow.node": node, "error.type": error_type})


