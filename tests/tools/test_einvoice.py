"""E-invoice XML: CII and UBL read into typed values with element paths, the XML a
PDF carries found, the type told by the root element, hostile XML refused."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.tools._einvoices import Sample, cii_xml, facturx_pdf, page_pdf, ubl_xml
from wardflow.errors import CorruptDocument, DocumentTooLarge, UnsupportedDocument
from wardflow.tools.documents import read_document, sniff_media_type
from wardflow.tools.einvoice import embedded_einvoice, read_einvoice_xml, xml_syntax

XML = Path(__file__).resolve().parent.parent / "data" / "einvoices" / "xml"


def _labels() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (XML / "labels.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("label", _labels(), ids=lambda label: label["file"])
def test_each_sample_reads_as_its_labels_say(label: dict[str, Any]) -> None:
    invoice = read_einvoice_xml((XML / label["file"]).read_bytes(), label["file"])

    assert invoice.vendor == label["vendor"]
    assert invoice.invoice_number == label["invoice_number"]
    assert invoice.invoice_date == date.fromisoformat(label["date"])
    assert invoice.due_date == (date.fromisoformat(label["due_date"]) if label["due_date"]
                                else None)
    assert invoice.currency == label["currency"]
    for name in ("subtotal", "tax", "total"):
        assert getattr(invoice, name) == Decimal(str(label[name])), name
    assert invoice.type_code == label["type_code"]
    got = [(i.description, i.quantity, i.amount) for i in invoice.line_items]
    want = [(i["description"], Decimal(str(i["quantity"])), Decimal(str(i["amount"])))
            for i in label["line_items"]]
    assert got == want


def test_cii_fields_name_their_element_paths() -> None:
    invoice = read_einvoice_xml(cii_xml(), "x.xml")

    assert invoice.syntax == "CII"
    assert invoice.paths["vendor"].endswith("/ram:SellerTradeParty/ram:Name")
    assert invoice.paths["total"].endswith(
        "/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount")
    assert invoice.paths["iban"].endswith("/ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
    assert (invoice.vendor_tax_id, invoice.iban) == ("DE199276040", "DE71200505501238801177")
    assert invoice.amount_due == invoice.total == Decimal("630.70")
    assert invoice.tax_rate == Decimal("19")
    # Every field's line is in the text view, with the value as the XML writes it.
    assert f"{invoice.paths['total']}: 630.70" in invoice.text.splitlines()


def test_ubl_invoice_and_credit_note() -> None:
    sample = Sample()
    invoice = read_einvoice_xml(ubl_xml(sample), "peppol.xml")
    credit = read_einvoice_xml(ubl_xml(sample, credit_note=True), "credit.xml")

    assert invoice.syntax == credit.syntax == "UBL"
    # BT-27, the legal name, not the trading name (PartyName) printed beside it.
    assert invoice.vendor == sample.seller
    assert invoice.paths["vendor"] == ("/Invoice/cac:AccountingSupplierParty/cac:Party"
                                       "/cac:PartyLegalEntity/cbc:RegistrationName")
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("530.00"), Decimal("100.70"), Decimal("630.70"))
    assert invoice.po_number == "PO-77" and not invoice.credit_note
    assert credit.credit_note and credit.type_code == "381"
    # A credit note's due date is in its payment means; its lines are CreditNoteLines.
    assert credit.due_date == date(2026, 12, 10)
    assert [i.quantity for i in credit.line_items] == [Decimal("24"), Decimal("1")]


def test_sub_invoice_lines_keep_their_parent() -> None:
    invoice = read_einvoice_xml(
        (XML / "zugferd24__Extended_SubInvoiceLines_Kaffee_Bundle.xml").read_bytes())

    top = [i for i in invoice.line_items if i.parent_line_id is None]
    assert [i.line_id for i in top] == ["1"]
    assert sum(i.amount or 0 for i in top) == invoice.line_total


def test_type_is_told_by_root_element_not_name() -> None:
    assert sniff_media_type(cii_xml(), "invoice.pdf") == "application/xml"
    assert sniff_media_type(ubl_xml(), "scan.png") == "application/xml"
    assert xml_syntax(ubl_xml(Sample(), credit_note=True)) == "UBL"
    with pytest.raises(UnsupportedDocument, match="root element note"):
        sniff_media_type(b"<?xml version='1.0'?><note>pay me</note>", "invoice.xml")
    text = read_document(cii_xml(), "upload.bin")
    assert text.method == "xml" and "GrandTotalAmount: 630.70" in text.text


@pytest.mark.parametrize("payload", [
    # Billion laughs: refused before any entity is expanded.
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>&lol2;</Invoice>",
    # XXE: an external entity pointing at a local file.
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>&xxe;</Invoice>",
    "<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE x [<!ENTITY a 'b'>]><Invoice/>"
    .encode("utf-16"),
], ids=["billion-laughs", "xxe", "utf16-dtd"])
def test_dtds_and_entities_are_refused(payload: bytes) -> None:
    with pytest.raises(CorruptDocument, match="DTD"):
        read_einvoice_xml(payload, "evil.xml")


def test_broken_and_oversized_xml_are_clear_errors() -> None:
    with pytest.raises(CorruptDocument, match="not well-formed"):
        read_einvoice_xml(cii_xml()[:-40], "cut.xml")
    big = Sample(lines=tuple((f"item {n}", Decimal(1), Decimal("1.00")) for n in range(30)))
    with pytest.raises(DocumentTooLarge, match="30 invoice lines"):
        read_einvoice_xml(cii_xml(big), "long.xml", max_lines=20)
    with pytest.raises(DocumentTooLarge, match="bytes of XML"):
        read_einvoice_xml(cii_xml(), "big.xml", max_bytes=1000)


def test_the_xml_a_pdf_carries_is_found_and_a_plain_pdf_has_none() -> None:
    sample = Sample()
    page = page_pdf(sample)

    assert embedded_einvoice(page, "plain.pdf") is None
    found = embedded_einvoice(facturx_pdf(page, cii_xml(sample)), "hybrid.pdf")
    assert found is not None and found.attachment == "factur-x.xml"
    assert (found.vendor, found.total, found.iban) == (sample.seller, Decimal("630.70"),
                                                       sample.iban)
    # The visible page is still there to read and compare.
    assert "Gesamtbetrag: 630,70 EUR" in read_document(facturx_pdf(page, cii_xml(sample)),
                                                       "hybrid.pdf").text


def test_round_trip_through_plain_state_data() -> None:
    from wardflow.tools.einvoice import EInvoice

    invoice = read_einvoice_xml((XML / "facturx107__Facture_F20220023_EN16931.xml").read_bytes())
    again = EInvoice.from_dict(json.loads(json.dumps(invoice.to_dict())))
    assert again.to_dict() == invoice.to_dict()
    assert again.line_items == invoice.line_items and again.taxes == invoice.taxes


def test_an_emailed_xrechnung_is_a_document(tmp_path: Path) -> None:
    import email.message

    from wardflow.tools.inbox import collect
    from wardflow.tools.storage import LocalStorage

    msg = email.message.EmailMessage()
    msg["From"], msg["Subject"] = "billing@vendor.example", "XRechnung"
    msg.set_content("Attached.")
    msg.add_attachment(ubl_xml(), maintype="application", subtype="xml",
                       filename="xrechnung.xml")
    (tmp_path / "mail.eml").write_bytes(msg.as_bytes())
    storage = LocalStorage(tmp_path / "s")
    [item] = list(collect([tmp_path / "mail.eml"], storage, max_bytes=10**7))

    assert item.name == "xrechnung.xml"
    assert item.storage_key is not None
    assert sniff_media_type(storage.get(item.storage_key), item.name) == "application/xml"
