"""What leaves the process: span attributes passed through
:func:`~wardflow.observability.redact.redact`, and a span as the JSON object of
``traces.jsonl`` (:func:`span_record`, re-exported by
:mod:`wardflow.observability.tracing`). No OpenTelemetry import."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from wardflow.observability.redact import redact

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["clean", "dumps", "forget_spans", "span_record"]

# Attributes exported as they are: identifiers we mint (a checkpoint id such as
# "...-6250-8000-00622..." looks like a card number to the card pattern) and token
# counts (whose names contain "token", a secret-looking key to ``redact``).
_VERBATIM: Final = frozenset({
    "wardflow.thread_id", "langgraph.checkpoint_id", "wardflow.posting.id",
    "gen_ai.usage.input_tokens", "gen_ai.usage.output_tokens", "gen_ai.request.max_tokens",
})



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


def clean(attributes: Mapping[str, Any] | None) -> Mapping[str, Any]:
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
dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode


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



# Erasure -----------------------------------------------------------------------------
def forget_spans(path: Path, *, thread_ids: Collection[str] = (),
                 trace_ids: Collection[str] = (),
                 pattern: re.Pattern[str] | None = None) -> int:
    """Remove spans from a ``traces.jsonl`` file (a GDPR erasure); returns how many.

    A span goes when it belongs to one of ``trace_ids``, carries one of
    ``thread_ids`` as ``wardflow.thread_id`` (then its whole trace goes), or its text
    matches ``pattern``. The file is compacted in place, not replaced: processes that
    keep it open for appending (``O_APPEND``) go on writing to it, and spans they
    append while it is compacted are filtered and kept (but for a batch written in
    the instant between the last read and the truncation).
    """
    if not path.exists():
        return 0
    wanted = set(thread_ids)
    traces = set(trace_ids)
    with path.open("rb") as reader:
        for _, span in _spans(reader):
            attributes = (span or {}).get("attributes") or {}
            if attributes.get("wardflow.thread_id") in wanted:
                traces.add(str(span["trace_id"]))  # type: ignore[index]

    def drop(line: bytes, span: Mapping[str, Any] | None) -> bool:
        if span is not None and (span.get("trace_id") in traces or (
                (span.get("attributes") or {}).get("wardflow.thread_id") in wanted)):
            return True
        if pattern is None:
            return False
        text = (json.dumps(span, ensure_ascii=False) if span is not None
                else line.decode("utf-8", "replace"))
        return pattern.search(text) is not None

    removed = 0
    with path.open("rb") as source, path.open("r+b") as writer:
        # What is kept is never longer than what was read, so the writer stays behind
        # the reader; lines appended meanwhile are read (and filtered) too.
        for line, span in _spans(source):
            if drop(line, span):
                removed += 1
            else:
                writer.write(line)
        writer.flush()
        writer.truncate()
    return removed


def _spans(handle: IO[bytes]) -> Iterator[tuple[bytes, Mapping[str, Any] | None]]:
    """Each line of a span file and its span (``None``: not a JSON object, e.g. a line
    cut short by a crash)."""
    for line in handle:
        try:
            span = json.loads(line)
        except ValueError:
            span = None
        yield line, span if isinstance(span, dict) else None
