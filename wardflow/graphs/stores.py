"""Store factories: the embedded ERP, audit log and event ledger that the settings name.

They live in :mod:`wardflow.services` with the other openers (the one place stores
are constructed); this module keeps their old import path.
"""

from __future__ import annotations

from wardflow.services import database_url, open_audit_log, open_erp, open_event_ledger

__all__ = ["database_url", "open_audit_log", "open_erp", "open_event_ledger"]
