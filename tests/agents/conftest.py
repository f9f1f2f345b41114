"""Helpers shared by the extraction tests on synthetic invoice text."""

from __future__ import annotations

from datetime import date

from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText

# The day the synthetic invoices are read on (their dates are plausible before it).
POLICY = ExtractionPolicy(today=date(2026, 11, 25))


def extracted_values(text: str) -> dict[str, object]:
    """Each field's value as the extractor reads ``text`` (one page with a text layer)."""
    fields = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)["fields"]
    assert isinstance(fields, dict)
    return {name: f["value"] for name, f in fields.items()}
