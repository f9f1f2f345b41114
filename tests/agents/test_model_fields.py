"""Merging the model's reading with the parsers' (deterministic: readings are given)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from wardflow.agents._model_fields import ModelInvoice, merge_model_fields
from wardflow.agents.extractor import REQUIRED_FIELDS, ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText
from wardflow.tools.erp import Vendor

VENDORS = [Vendor("V1", "Nordlicht Software GmbH", "DE274518364")]
POLICY = ExtractionPolicy(today=date(2026, 11, 25))
TEXT = (
    "Nordlicht Software GmbH\nVAT ID: DE274518364\nInvoice No. NLS-7\n"
    "Invoice date 2026-08-14\nReference R-99\n"
    "Subtotal 100.00\nVAT 19% 19.00\nTotal due EUR 119.00\n"
)


def _merge(text: str, **reading: Any) -> dict[str, Any]:
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), VENDORS, POLICY)
    full = dict.fromkeys(ModelInvoice.model_fields) | reading
    return merge_model_fields(extraction, ModelInvoice(**full), text, required=REQUIRED_FIELDS)


def test_agreement_raises_confidence_a_little() -> None:
    merged = _merge(TEXT, invoice_number="NLS-7", total_amount="EUR 119.00",
                    invoice_date="14.08.2026")
    number = merged["fields"]["invoice_number"]
    assert number["confidence"] == pytest.approx(0.98)
    assert "the model read the same value" in number["notes"]
    assert merged["disagreements"] == []


def test_value_from_another_label_is_flagged_but_not_used() -> None:
    merged = _merge(TEXT, invoice_number="DE274518364")
    number = merged["fields"]["invoice_number"]
    assert number["value"] == "NLS-7" and number["confidence"] == 0.95
    assert number["disagreement"] == {"parser": "NLS-7", "model": "DE274518364",
                                      "model_in_document": True, "model_supported": False}
    assert merged["confidence"] >= 0.9


def test_checks_overrule_a_model_total() -> None:
    merged = _merge(TEXT, total_amount="100.00")  # the subtotal, misread as the total
    total = merged["fields"]["total"]
    assert total["value"] == "119.00" and total["confidence"] == 0.99
    assert any("checks confirm" in n for n in total["notes"])


def test_supported_disagreement_sends_the_field_to_review() -> None:
    text = TEXT.replace("Reference R-99", "Invoice number NLS-8")
    merged = _merge(text, invoice_number="NLS-8")
    number = merged["fields"]["invoice_number"]
    assert number["value"] == "NLS-7" and number["confidence"] == 0.6
    assert merged["disagreements"] == ["invoice_number"]
    assert "invoice_number" in merged["low_confidence"]


def test_absurd_model_amount_is_unreadable_not_a_crash() -> None:
    from wardflow.agents._model_fields import _norm

    assert _norm("total", "1" + "0" * 40) is None
    with pytest.raises(ValueError, match="at most 24"):
        ModelInvoice.model_validate(dict.fromkeys(ModelInvoice.model_fields)
                                    | {"total_amount": "1" + "0" * 40})


def test_invented_value_is_ignored() -> None:
    merged = _merge(TEXT, invoice_number="INV-404")
    number = merged["fields"]["invoice_number"]
    assert number["value"] == "NLS-7" and number["confidence"] == 0.95
    assert number["disagreement"]["model_in_document"] is False


def test_model_fills_a_gap_only_with_a_labelled_printed_value() -> None:
    # The parsers want a digit in an invoice number; this vendor's numbers have none.
    text = TEXT.replace("Invoice No. NLS-7", "Invoice No. NLS-SEVEN\nOur ref: REF-A")
    assert extract_invoice(DocumentText((text,), "pdf-text"), VENDORS, POLICY)[
        "fields"]["invoice_number"]["value"] is None
    unlabelled = _merge(text, invoice_number="REF-A")["fields"]["invoice_number"]
    assert unlabelled["value"] is None
    adopted = _merge(text, invoice_number="NLS-SEVEN")["fields"]["invoice_number"]
    assert adopted["value"] == "NLS-SEVEN" and adopted["method"] == "model"
    assert adopted["confidence"] == 0.7
    assert text[adopted["evidence"]["start"]:adopted["evidence"]["end"]] == "NLS-SEVEN"
