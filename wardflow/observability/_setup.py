"""Building a :class:`~wardflow.observability.tracing.Telemetry`: providers, span
processors and exporters (part of :mod:`wardflow.observability.tracing`, which
re-exports :func:`setup_tracing` and :func:`telemetry_for`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from wardflow.config import Settings
from wardflow.observability._telemetry import DISABLED, Instruments, Telemetry

if TYPE_CHECKING:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import SpanProcessor

__all__ = ["setup_tracing", "telemetry_for"]

# How often the batch processor writes traces.jsonl: about what is lost on SIGKILL.
_FILE_FLUSH_MS: Final = 1000


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
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased

    resource = Resource.create({"service.name": service_name})
    meter_provider, reader = _meter_provider(resource, otlp_endpoint, otlp_headers)
    instruments = Instruments(meter_provider.get_meter("wardflow"))
    processors = _span_processors(
        meter_provider, instruments, jsonl_path=jsonl_path, console=console,
        otlp_endpoint=otlp_endpoint, otlp_headers=otlp_headers, file_processor=file_processor)
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


def _meter_provider(
    resource: Resource, otlp_endpoint: str | None, otlp_headers: Mapping[str, str] | None,
) -> tuple[MeterProvider, InMemoryMetricReader]:
    """A meter provider read in memory (for :meth:`Telemetry.metrics`) and, given an
    endpoint, exported to the collector; and its in-memory reader."""
    from opentelemetry.sdk.metrics import AlwaysOffExemplarFilter, MeterProvider
    from opentelemetry.sdk.metrics import export as metric_export

    reader = metric_export.InMemoryMetricReader()
    readers: list[metric_export.MetricReader] = [reader]
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        readers.append(metric_export.PeriodicExportingMetricReader(OTLPMetricExporter(
            endpoint=_signal_url(otlp_endpoint, "metrics"), headers=otlp_headers)))
    # No exemplars: they cost about 4 us a measurement, and a thread id finds a trace.
    meter_provider = MeterProvider(metric_readers=readers, resource=resource,
                                   exemplar_filter=AlwaysOffExemplarFilter())
    return meter_provider, reader


def _span_processors(
    meter_provider: MeterProvider, instruments: Instruments, *, jsonl_path: Path | None,
    console: bool, otlp_endpoint: str | None, otlp_headers: Mapping[str, str] | None,
    file_processor: Literal["batch", "simple"],
) -> list[SpanProcessor]:
    """The span processors, each behind the redacting door: the local one (metrics and
    the span file), then the console's and the collector's if asked for."""
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from wardflow.observability._exporters import Door, JsonLines

    # The local door always exists: it derives the metrics (and writes the file).
    local = Door([JsonLines(jsonl_path)] if jsonl_path else [], instruments)
    processors: list[SpanProcessor] = [
        BatchSpanProcessor(local, schedule_delay_millis=_FILE_FLUSH_MS,
                           meter_provider=meter_provider) if file_processor == "batch"
        else SimpleSpanProcessor(local, meter_provider=meter_provider)]
    if console:
        processors.append(SimpleSpanProcessor(Door([JsonLines(None)], None),
                                              meter_provider=meter_provider))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processors.append(BatchSpanProcessor(Door([OTLPSpanExporter(
            endpoint=_signal_url(otlp_endpoint, "traces"), headers=otlp_headers,
            meter_provider=meter_provider)], None), meter_provider=meter_provider))
    return processors


def _signal_url(endpoint: str, signal: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(f"/v1/{signal}") else f"{endpoint}/v1/{signal}"
