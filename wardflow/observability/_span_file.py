"""What leaves the process: span attributes passed through
:func:`~wardflow.observability.redact.redact`, and a span as the JSON object of
``traces.jsonl`` (:func:`span_record`, re-exported by
:mod:`wardflow.observability.tracing`). No OpenTelemetry import."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from wardflow.observability.redact import redact

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import ReadableSpan

__all__ = ["clean", "dumps", "span_record"]

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

