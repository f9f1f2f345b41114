"""An e-invoice's page against its XML: the comparison, and the risk signal it gives.

A PDF whose visible total, IBAN or seller differs from the XML it carries is a known
fraud pattern; a page that prints the same values in its own locale style, or that the
parsers misread, is not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.tools._einvoices import Sample, cii_xml, page_pdf
from wardflow.agents._einvoice import merge_einvoice, printed_amount, printed_ibans, printed_name
from wardflow.agents.extractor import REQUIRED_FIELDS, ExtractionPolicy, extract_invoice
from wardflow.agents.risk import assess_risk
from wardflow.tools.documents import read_document
from wardflow.tools.einvoice import read_einvoice_xml
from wardflow.tools.erp import Vendor

SAMPLE = Sample()
VENDOR = Vendor("V013", SAMPLE.seller, SAMPLE.vat_id, SAMPLE.iban, country="DE")
POLICY = ExtractionPolicy(today=date(2026, 11, 25))


def _extraction(page: bytes, xml: bytes) -> dict[str, Any]:
    doc = read_document(page, "page.pdf")
    parsed = extract_invoice(doc, [VENDOR], POLICY)
    return merge_einvoice(parsed, read_einvoice_xml(xml), text=doc.text, vendors=[VENDOR],
                          policy=POLICY, standalone=False, required=REQUIRED_FIELDS)


def _risk(extraction: dict[str, Any]) -> dict[str, Any]:
    return assess_risk(extraction, document_sha256="0" * 64, vendor=VENDOR, same_document=[],
                       same_number=[], vendor_history=[], purchase_order=None)


def test_page_and_xml_that_agree_give_no_signal() -> None:
    extraction = _extraction(page_pdf(SAMPLE), cii_xml(SAMPLE))

    assert extraction["einvoice"]["mismatches"] == []
    assert _risk(extraction)["reasons"] == []
    # Agreement with the page is earned confidence for the identity fields.
    assert extraction["fields"]["vendor"]["confidence"] >= 0.99


def test_another_total_on_the_page_is_a_signal_with_both_values() -> None:
    extraction = _extraction(page_pdf(SAMPLE, shown_total=Decimal("6307.00")), cii_xml(SAMPLE))
    risk = _risk(extraction)

    [reason] = risk["reasons"]
    assert reason["code"] == "einvoice_mismatch" and risk["score"] >= 0.5
    assert reason["evidence"]["mismatches"] == [
        {"field": "total", "xml": "630.70", "visible": "6307.00"}]
    # The XML stays the reading (it is what gets paid); the risk sends it to a human.
    assert extraction["fields"]["total"]["value"] == "630.70"


def test_another_account_in_the_xml_is_a_signal_and_masked() -> None:
    xml = cii_xml(SAMPLE.with_(iban="DE89370400440532013000"))
    [reason] = [r for r in _risk(_extraction(page_pdf(SAMPLE), xml))["reasons"]
                if r["code"] == "einvoice_mismatch"]

    [mismatch] = reason["evidence"]["mismatches"]
    assert mismatch["field"] == "iban"
    assert mismatch["xml"] == "DE** **** 3000" and mismatch["visible"] == "DE** **** 1177"


def test_credit_note_is_not_paid_automatically() -> None:
    extraction = _extraction(page_pdf(SAMPLE), cii_xml(SAMPLE.with_(type_code="381")))
    codes = [r["code"] for r in _risk(extraction)["reasons"]]
    assert codes == ["credit_note"]


@pytest.mark.parametrize("printed", ["1.234,56", "1,234.56", "1 234,56", "1\u202f234,56",
                                     "1234.56", "-1.234,56", "EUR 1'234.56", "€1,234.56"])
def test_an_amount_is_found_in_every_usual_style(printed: str) -> None:
    assert printed_amount(Decimal("1234.56"), f"Total {printed} due")


@pytest.mark.parametrize("text", ["Total 11.234,56", "Total 1.234,567", "Total 21234.56",
                                  "Total 1.234,50", "Total 234,56"])
def test_an_amount_inside_another_number_is_not_found(text: str) -> None:
    assert not printed_amount(Decimal("1234.56"), text)


def test_ibans_on_a_page_are_read_with_their_checksum() -> None:
    text = "IBAN: DE71 2005 0550 1238 8011 77 BIC HSPKDEHHXXX\nor DE89370400440532013001"
    assert printed_ibans(text) == ["DE71200505501238801177"]


def test_a_name_is_found_across_lines_and_case() -> None:
    assert printed_name("Müller & Söhne Catering GmbH", "MÜLLER & SÖHNE\nCatering GmbH, Hamburg")
    assert not printed_name("Müller Catering GmbH", "Müller & Söhne Catering GmbH")
