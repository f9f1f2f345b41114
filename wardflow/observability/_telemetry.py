"""The :class:`Telemetry` object and wardflow's metric instruments (part of
:mod:`wardflow.observability.tracing`, which re-exports :class:`Telemetry` and
:data:`DISABLED`; nothing here imports OpenTelemetry until a telemetry is built)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from opentelemetry.metrics import Meter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
    from opentelemetry.trace import Tracer

__all__ = ["DISABLED", "Instruments", "Telemetry"]

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


# Instruments -------------------------------------------------------------------------
class Instruments:
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

    Make one with :func:`~wardflow.observability.tracing.setup_tracing`;
    :data:`DISABLED` is the no-op one. Close it
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
        processors: Sequence[SpanProcessor] = (), instruments: Instruments | None = None,
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
