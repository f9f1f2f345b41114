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
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import os
import random
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Literal

from wardflow.config import Settings
from wardflow.observability.redact import redact

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.metrics import Meter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import Event, ReadableSpan, SpanProcessor, TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from opentelemetry.trace import Link, SpanContext, Tracer
    from opentelemetry.util.types import AttributeValue

__all__ = [
    "DISABLED", "SpanHandle", "Telemetry", "guard_span", "llm_span", "node_span",
    "provider_name", "record_error", "record_route", "record_step", "run_span",
    "setup_tracing", "span_record", "tool_span", "trace_id_for",
]

log = logging.getLogger(__name__)

Route = Literal["auto", "review", "failed"]

# Attributes exported as they are: identifiers we mint (a checkpoint id such as
# "...-6250-8000-00622..." looks like a card number to the card pattern) and token
# counts (whose names contain "token", a secret-looking key to ``redact``).
_VERBATIM: Final = frozenset({
    "wardflow.thread_id", "langgraph.checkpoint_id", "wardflow.posting.id",
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.request.max_tokens",
})

# Bucket boundaries: node steps run from tenths of a millisecond (route) to minutes
# (OCR, a local model); the confidence and risk edges include the default review
# thresholds (0.5, 0.9). GenAI boundaries are the ones the semantic conventions advise.
_STEP_MS_BUCKETS: Final = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0,
                           500.0, 1000.0, 2500.0, 5000.0, 10000.0, 30000.0, 60000.0)
_SCORE_BUCKETS: Final = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1.0)
_TOKEN_BUCKETS: Final = (1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0,
                         262144.0, 1048576.0, 4194304.0, 16777216.0, 67108864.0)
_DURATION_S_BUCKETS: Final = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
                              10.24, 20.48, 40.96, 81.92)
# How often the batch processor writes traces.jsonl: about what is lost on SIGKILL.
_FILE_FLUSH_MS: Final = 1000

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


# Instruments -------------------------------------------------------------------------
class _Instruments:
    """wardflow's metric instruments on one meter."""

    def __init__(self, meter: Meter) -> None:
        histogram, counter = meter.create_histogram, meter.create_counter
        self.step_duration = histogram("wardflow.step.duration", "ms", "A node step's duration",
                                       explicit_bucket_boundaries_advisory=_STEP_MS_BUCKETS)
        self.confidence = histogram("wardflow.extraction.confidence", "1", "Per document",
                                    explicit_bucket_boundaries_advisory=_SCORE_BUCKETS)
        self.risk = histogram("wardflow.risk.score", "1", "Per document",
                              explicit_bucket_boundaries_advisory=_SCORE_BUCKETS)
        self.routes = counter("wardflow.route.outcomes", "{document}", "auto, review, failed")
        self.errors = counter("wardflow.errors", "{error}", "Exceptions out of a span")
        self.token_usage = histogram("gen_ai.client.token.usage", "{token}", "Per model call",
                                     explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS)
        self.operation_duration = histogram(
            "gen_ai.client.operation.duration", "s", "A model call's duration",
            explicit_bucket_boundaries_advisory=_DURATION_S_BUCKETS)

    def from_span(self, span: ReadableSpan) -> None:
        """Record the metrics an ended span implies (runs on the exporting thread)."""
        attrs = span.attributes or {}
        node = attrs.get("wardflow.node")
        ms = ((span.end_time or 0) - (span.start_time or 0)) / 1e6
        if node is not None:
            self.step_duration.record(ms, {"wardflow.node": node,
                                           "wardflow.outcome": attrs.get("wardflow.outcome", "ok")})
        confidence = attrs.get("wardflow.extraction.confidence")
        if isinstance(confidence, (int, float)):
            self.confidence.record(confidence)
        risk = attrs.get("wardflow.risk.score")
        if isinstance(risk, (int, float)):
            self.risk.record(risk)
        route = attrs.get("wardflow.route.outcome")
        if isinstance(route, str):
            self.routes.add(1, {"wardflow.route": route})
        if span.status.status_code.name == "ERROR":
            self.errors.add(1, {"wardflow.node": str(node or span.name),
                                "error.type": str(attrs.get("error.type", "error"))})
        if "gen_ai.usage.input_tokens" in attrs:
            keys = ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model")
            common = {k: attrs[k] for k in keys if k in attrs}
            for kind in ("input", "output"):
                tokens = attrs.get(f"gen_ai.usage.{kind}_tokens")
                if isinstance(tokens, int):
                    self.token_usage.record(tokens, {**common, "gen_ai.token.type": kind})
            latency = attrs.get("wardflow.llm.latency_ms")
            seconds = latency / 1000 if isinstance(latency, (int, float)) else ms / 1000
            self.operation_duration.record(seconds, common)


# Telemetry ---------------------------------------------------------------------------
class Telemetry:
    """Span processors, a tracer and a meter with wardflow's instruments.

    Make one with :func:`setup_tracing`; :data:`DISABLED` is the no-op one. Close it
    with :meth:`shutdown` (or use it as a context manager) so batched spans and the
    last metrics are exported.

    Attributes:
        enabled: whether anything is recorded.
        jsonl_path: the span file, if spans go to one.
    """

    def __init__(
        self, *, tracer_provider: TracerProvider | None = None,
        meter_provider: MeterProvider | None = None,
        metric_reader: InMemoryMetricReader | None = None,
        processors: Sequence[SpanProcessor] = (), instruments: _Instruments | None = None,
        jsonl_path: Path | None = None,
    ) -> None:
        self.enabled = tracer_provider is not None
        self.jsonl_path = jsonl_path
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self._reader = metric_reader
        self._processors = tuple(processors)
        self._instruments = instruments
        self._closed = False
        self._tracer: Tracer | None = None
        self._meter: Meter | None = None
        if tracer_provider is None:
            return
        from opentelemetry import context, trace
        from opentelemetry.sdk.trace import Event, ReadableSpan
        from opentelemetry.sdk.util.instrumentation import InstrumentationScope

        # Bound once so that the per-span path does no imports or attribute lookups.
        self._get_current_span = trace.get_current_span
        self._set_span_in_context = trace.set_span_in_context
        self._attach = context.attach
        self._detach = context.detach
        self._span_context = trace.SpanContext
        self._non_recording = trace.NonRecordingSpan
        self._readable = ReadableSpan
        self._event = Event
        self._link = trace.Link
        self._sampled = trace.TraceFlags(trace.TraceFlags.SAMPLED)
        self._kinds = {"internal": trace.SpanKind.INTERNAL, "client": trace.SpanKind.CLIENT}
        self._unset = trace.Status(trace.StatusCode.UNSET)
        self._error = trace.StatusCode.ERROR
        self._status = trace.Status
        self._resource = tracer_provider.resource
        self._scope = InstrumentationScope("wardflow")

    @property
    def tracer(self) -> Tracer:
        """A tracer on the same exporters for spans of your own (no-op when disabled);
        its spans nest under the helpers' spans."""
        if self._tracer is None:
            from opentelemetry.trace import NoOpTracer

            provider = self._tracer_provider
            self._tracer = provider.get_tracer("wardflow") if provider else NoOpTracer()
        return self._tracer

    @property
    def meter(self) -> Meter:
        """A meter on the same readers, for metrics of your own (no-op when disabled)."""
        if self._meter is None:
            from opentelemetry.metrics import NoOpMeter

            provider = self._meter_provider
            self._meter = provider.get_meter("wardflow") if provider else NoOpMeter("wardflow")
        return self._meter

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        """Export everything recorded so far; ``False`` if an exporter timed out."""
        if self._tracer_provider is None or self._closed:
            return True
        # Spans first: the metrics derived from them are recorded while they export.
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

        Spans are flushed first, since most metrics are derived from them. Each point
        has ``attributes`` and ``value`` (counters) or ``count``, ``sum``, ``min``,
        ``max`` (histograms). Empty when disabled.
        """
        if self._reader is None or self._tracer_provider is None or self._closed:
            return {}
        self._tracer_provider.force_flush()
        out: dict[str, list[dict[str, Any]]] = {}
        data = self._reader.get_metrics_data()
        for resource_metrics in data.resource_metrics if data else ():
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
"""Telemetry that records nothing; each helper costs a function call."""


# Setup -------------------------------------------------------------------------------
def telemetry_for(settings: Settings) -> Telemetry:
    """The telemetry ``settings`` ask for (:data:`DISABLED` when tracing is off)."""
    if not settings.tracing:
        return DISABLED
    # Owner-only, like the rest of the data home (wardflow/_sqlite.py).
    settings.home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return setup_tracing(
        jsonl_path=None if settings.otlp_endpoint else settings.traces_path,
        console=settings.trace_console,
        otlp_endpoint=settings.otlp_endpoint,
        otlp_headers={k: v.get_secret_value() for k, v in settings.otlp_headers.items()},
    )


def setup_tracing(
    *, service_name: str = "wardflow", jsonl_path: Path | None, console: bool = False,
    otlp_endpoint: str | None = None, otlp_headers: Mapping[str, str] | None = None,
    file_processor: Literal["batch", "simple"] = "batch", set_global: bool = False,
) -> Telemetry:
    """Build span processors, a tracer and a meter with the exporters asked for.

    Args:
        service_name: the ``service.name`` resource attribute.
        jsonl_path: append one JSON object per span to this file; the caller passes
            ``settings.home / "traces.jsonl"`` when no collector is configured.
        console: also print each span (one JSON line) to stderr as it ends.
        otlp_endpoint: an OTLP/HTTP collector's base URL (``http://host:4318``);
            spans go to ``/v1/traces``, metrics to ``/v1/metrics``. Nothing leaves
            the machine unless this is given.
        otlp_headers: headers for the collector (an API key, say).
        file_processor: ``batch`` (default) serializes and writes spans on a
            background thread about once a second; ``simple`` writes each span as it
            ends, on the caller's thread (slower per span; nothing lost on SIGKILL).
        set_global: also install the providers as OpenTelemetry's global ones, so
            that instrumented libraries report into the same traces.

    Returns:
        The telemetry; :data:`DISABLED` when no exporter is configured.
    """
    if jsonl_path is None and not console and not otlp_endpoint:
        return DISABLED
    from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, MeterProvider
    from opentelemetry.sdk.metrics import export as metric_export
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

    sdk = _sdk()
    resource = Resource.create({"service.name": service_name})
    reader = metric_export.InMemoryMetricReader()
    readers: list[metric_export.MetricReader] = [reader]
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        readers.append(metric_export.PeriodicExportingMetricReader(OTLPMetricExporter(
            endpoint=_signal_url(otlp_endpoint, "metrics"), headers=otlp_headers)))
    # No exemplars: they cost about 4 us a measurement, and a thread id finds a trace.
    meter_provider = MeterProvider(metric_readers=readers, resource=resource,
                                   exemplar_filter=AlwaysOffExemplarFilter())
    instruments = _Instruments(meter_provider.get_meter("wardflow"))

    # The local door always exists: it derives the metrics (and writes the file).
    local = sdk.door([sdk.jsonl(jsonl_path)] if jsonl_path else [], instruments)
    processors: list[SpanProcessor] = [
        BatchSpanProcessor(local, schedule_delay_millis=_FILE_FLUSH_MS,
                           meter_provider=meter_provider) if file_processor == "batch"
        else SimpleSpanProcessor(local, meter_provider=meter_provider)]
    if console:
        processors.append(SimpleSpanProcessor(sdk.door([sdk.jsonl(None)], None),
                                              meter_provider=meter_provider))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processors.append(BatchSpanProcessor(sdk.door([OTLPSpanExporter(
            endpoint=_signal_url(otlp_endpoint, "traces"), headers=otlp_headers,
            meter_provider=meter_provider)], None), meter_provider=meter_provider))
    tracer_provider = TracerProvider(sampler=ParentBased(ALWAYS_ON), resource=resource,
                                     meter_provider=meter_provider)
    for processor in processors:
        tracer_provider.add_span_processor(processor)
    if set_global:
        from opentelemetry import metrics, trace

        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(meter_provider)
    return Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider,
                     metric_reader=reader, processors=processors, instruments=instruments,
                     jsonl_path=jsonl_path)


def _signal_url(endpoint: str, signal: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(f"/v1/{signal}") else f"{endpoint}/v1/{signal}"


class _Sdk:
    """SDK subclasses, defined on first use so that importing this module stays light."""

    def __init__(self) -> None:
        from opentelemetry.sdk.trace import Event, ReadableSpan
        from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
        from opentelemetry.trace import Status

        success, failure = SpanExportResult.SUCCESS, SpanExportResult.FAILURE

        def redacted(span: ReadableSpan) -> ReadableSpan:
            attributes = _clean(span.attributes)
            events = [Event(e.name, _clean(e.attributes), e.timestamp) for e in span.events]
            description = span.status.description
            if attributes is span.attributes and not events and not description:
                return span  # nothing to mask (most spans): no copy
            return ReadableSpan(
                name=span.name, context=span.context, parent=span.parent,
                resource=span.resource, attributes=attributes, events=events,
                links=span.links, kind=span.kind,
                status=Status(span.status.status_code, redact(description))
                if description else span.status,
                start_time=span.start_time, end_time=span.end_time,
                instrumentation_scope=span.instrumentation_scope,
            )

        class Door(SpanExporter):
            """The one door out: records the metrics spans imply (if given instruments),
            then hands redacted copies to the exporters behind it."""

            def __init__(self, exporters: Sequence[SpanExporter],
                         instruments: _Instruments | None = None) -> None:
                self.exporters, self.instruments = tuple(exporters), instruments

            def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
                if self.instruments is not None:
                    for span in spans:
                        self.instruments.from_span(span)
                clean = [redacted(s) for s in spans]
                results = [e.export(clean) for e in self.exporters]
                return success if all(r is success for r in results) else failure

            def shutdown(self) -> None:
                for exporter in self.exporters:
                    exporter.shutdown()

            def force_flush(self, timeout_millis: int = 30000) -> bool:
                return all([e.force_flush(timeout_millis) for e in self.exporters])

        class JsonLines(SpanExporter):
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
                        return success
                    with self._lock:
                        if self._fd is None:
                            self._path.parent.mkdir(parents=True, exist_ok=True)
                            self._fd = os.open(self._path,
                                               os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                        # One write per batch to an O_APPEND file: several processes
                        # appending interleave whole lines, not parts of them.
                        view = memoryview(data.encode())
                        while view:
                            view = view[os.write(self._fd, view):]
                except OSError as err:
                    log.warning("cannot write spans to %s: %s", self._path, err)
                    return failure
                return success

            def shutdown(self) -> None:
                with self._lock:
                    if self._fd is not None:
                        os.close(self._fd)
                        self._fd = None

        self.door: Callable[[Sequence[SpanExporter], _Instruments | None], SpanExporter] = Door
        self.jsonl: Callable[[Path | None], SpanExporter] = JsonLines


@lru_cache(maxsize=1)
def _sdk() -> _Sdk:
    return _Sdk()


# Redaction ---------------------------------------------------------------------------
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
    """``attributes`` passed through :func:`redact` (the same object if nothing changed)."""
    if not attributes:
        return attributes or {}
    cleaned = {}
    changed = False
    for key, value in attributes.items():
        new = _clean_value(key, value)
        if new is not value and new != (tuple(value) if isinstance(value, list) else value):
            changed = True
        cleaned[key] = new
    return cleaned if changed else attributes


# The span file -----------------------------------------------------------------------
_dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode


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
                   for e in span.events],
        "links": [{"trace_id": format(link.context.trace_id, "032x"),
                   "span_id": format(link.context.span_id, "016x")} for link in span.links],
        "service": span.resource.attributes.get("service.name"),
    }


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
