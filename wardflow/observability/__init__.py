"""Observability: the audit log, traces and metrics, the run viewer, drift.

Used by every room; imports none of them. Tracing and the viewer load on
first use (``import wardflow`` stays free of OpenTelemetry and rich).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wardflow.observability.audit import AuditLog, AuditRecord, AuditSink, ChainReport

if TYPE_CHECKING:
    from wardflow.observability.tracing import Telemetry, setup_tracing
    from wardflow.observability.viewer import Step, mermaid, render_trace, run_path

__all__ = [
    "AuditLog", "AuditRecord", "AuditSink", "ChainReport", "Step", "Telemetry", "mermaid",
    "render_trace", "run_path", "setup_tracing",
]

_LAZY = {
    "Telemetry": "tracing", "setup_tracing": "tracing",
    "Step": "viewer", "mermaid": "viewer", "render_trace": "viewer", "run_path": "viewer",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'wardflow.observability' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"wardflow.observability.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
