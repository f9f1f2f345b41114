"""The span exporters behind :func:`~wardflow.observability.tracing.setup_tracing`:
the one door every span leaves by (metrics derived, attributes redacted) and the
JSON-lines writer. Imports the OpenTelemetry SDK, so only ``setup_tracing`` imports
this module, when it builds an enabled telemetry."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Status

from wardflow.observability._span_file import clean, dumps, span_record
from wardflow.observability.redact import redact

if TYPE_CHECKING:
    from wardflow.observability._telemetry import Instruments

__all__ = ["Door", "JsonLines"]

log = logging.getLogger("wardflow.observability.tracing")

_SUCCESS, _FAILURE = SpanExportResult.SUCCESS, SpanExportResult.FAILURE


def _redacted(span: ReadableSpan) -> ReadableSpan:
    attributes = clean(span.attributes)
    events = [Event(e.name, clean(e.attributes), e.timestamp) for e in span.events]
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
                 instruments: Instruments | None = None) -> None:
        self.exporters, self.instruments = tuple(exporters), instruments

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        if self.instruments is not None:
            for span in spans:
                self.instruments.from_span(span)
        cleaned = [_redacted(s) for s in spans]
        results = [e.export(cleaned) for e in self.exporters]
        return _SUCCESS if all(r is _SUCCESS for r in results) else _FAILURE

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
        data = "".join([dumps(span_record(s)) + "\n" for s in spans])
        try:
            if self._path is None:
                sys.stderr.write(data)
                return _SUCCESS
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
            return _FAILURE
        return _SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
