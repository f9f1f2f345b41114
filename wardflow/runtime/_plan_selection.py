"""Which documents of a plan's folder pass its filters (vendor, date, amount, status).

Each document is read and its fields extracted by the deterministic extractor before
anything runs; a document that does not pass is skipped with the reason, never dropped
in silence. Status is the state of the document's run (``new`` when it has none).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.agents.planner import DocumentFilter
from wardflow.config import Settings
from wardflow.errors import WardflowError
from wardflow.tools.documents import read_document
from wardflow.tools.erp import Vendor
from wardflow.tools.inbox import InboxItem
from wardflow.tools.storage import Storage

__all__ = ["select_items"]


def _fields(item: InboxItem, storage: Storage, vendors: Sequence[Vendor], settings: Settings,
            today: date) -> dict[str, Any]:
    data = storage.get(item.storage_key) if item.storage_key else Path(str(item.path)).read_bytes()
    doc = read_document(data, item.name, ocr_backend=settings.ocr_backend)
    policy = ExtractionPolicy(today=today, ocr_confidence_cap=settings.ocr_confidence_cap,
                              max_invoice_age_days=settings.max_invoice_age_days)
    extraction = extract_invoice(doc, vendors, policy)
    return {name: (f or {}).get("value") for name, f in extraction["fields"].items()}


def select_items(items: Sequence[InboxItem], filters: DocumentFilter, *, storage: Storage,
                 vendors: Sequence[Vendor], settings: Settings, today: date,
                 status_of: Callable[[str], str]) -> tuple[list[InboxItem], list[dict[str, str]]]:
    """The items that pass ``filters``, and the others as ``{"document", "reason"}``."""
    kept, skipped = [], []
    for item in items:
        fields: dict[str, Any] = {}
        if filters.needs_reading():
            try:
                fields = _fields(item, storage, vendors, settings, today)
            except (WardflowError, OSError) as err:
                skipped.append({"document": item.source, "reason": f"not readable: {err}"})
                continue
        why = filters.admits(fields, status_of(item.document_id))
        if why is None:
            kept.append(item)
        else:
            skipped.append({"document": item.source, "reason": why})
    return kept, skipped
