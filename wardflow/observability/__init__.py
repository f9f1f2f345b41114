"""Observability: the audit log (and, later, traces, metrics and explanations).

Used by every room; imports none of them.
"""

from wardflow.observability.audit import AuditLog, AuditRecord, ChainReport

__all__ = ["AuditLog", "AuditRecord", "ChainReport"]
