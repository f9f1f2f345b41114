"""Reading invoices in EN, DE, FR, NL, ES, IT and PL: labels, layout, parties, formats.

Every text here is synthetic, written for the rule it tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wardflow.agents import _parsers
from wardflow.agents._candidates import (
    amount_candidates,
    best,
    date_candidates,
    invoice_number_candidates,
)
from wardflow.agents._labels import detect_language
from wardflow.agents._party import find_seller
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.guardrails import pii
from wardflow.tools.documents import DocumentText, read_document

POLICY = ExtractionPolicy(today=date(2026, 11, 25))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Rechnung Nr. RE-4711 vom 25.04.2026\n", "RE-4711"),
        ("Handelsrechnung (380) Nr. 123 vom 03.06.2025\n", "123"),
        ("Facture n° F-2026-017\n", "F-2026-017"),
        ("Factuurnummer:  2026/0042\n", "2026/0042"),
        ("Factura nº A-991\n", "A-991"),
        ("Fattura n. 77/2026\n", "77/2026"),
        ("Faktura VAT nr FV/12/2026\n", "FV/12/2026"),
        ("Invoice 103767\n", "103767"),
    ],
)
def test_invoice_number_labels_per_language(text: str, number: str) -> None:
    chosen = best(invoice_number_candidates(text))
    assert chosen is not None and chosen.value == number
    assert text[chosen.start:chosen.end] == number


def test_related_invoice_number_is_not_the_invoice_number() -> None:
    text = "N° DE FACTURE ASSOCIÉE : F2026-001\nFACTURE N° :      F2026-002\n"
    chosen = best(invoice_number_candidates(text))
    assert chosen is not None and chosen.value == "F2026-002"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3. März 2026", date(2026, 3, 3)),
        ("14 octobre 2026", date(2026, 10, 14)),
        ("3 de marzo de 2026", date(2026, 3, 3)),
        ("12 maggio 2025", date(2025, 5, 12)),
        ("12 januari 2026", date(2026, 1, 12)),
        ("5 listopada 2024", date(2024, 11, 5)),
        ("February 17, 2026", date(2026, 2, 17)),
    ],
)
def test_written_dates_in_every_language(text: str, expected: date) -> None:
    assert _parsers.parse_date(text) == expected


def test_day_and_month_order_follows_the_language() -> None:
    french = "Facture n° F-1\nDate de facture : 07/10/2026\nTotal TTC 12,00 EUR\n"
    f = best(date_candidates(french, "invoice_date", month_first=False))
    assert f is not None and f.value == "2026-10-07"
    us = "Invoice No. 5\nInvoice date: 07/10/2026\nTotal due $12.00\nAustin, TX 78701\n"
    extraction = extract_invoice(DocumentText((us,), "pdf-text"), [], POLICY)
    assert extraction["fields"]["invoice_date"]["value"] == "2026-07-10"


def test_invoice_date_after_the_number_and_not_the_delivery_date() -> None:
    text = ("Lieferdatum: 01.04.2026\nRechnung Nr. 4711 vom 25.04.2026\n"
            "Datum der Lieferung 02.04.2026\n")
    f = best(date_candidates(text, "invoice_date", month_first=False))
    assert f is not None and f.value == "2026-04-25"


@pytest.mark.parametrize(
    ("text", "total"),
    [
        ("Positionssumme   100,00\nGesamtbetrag der Abschläge   -0,00\n"
         "Rechnungssumme ohne USt.   100,00\nSteuerbetrag   19,00\n"
         "Bruttosumme   119,00\nZahlbetrag   119,00\n", "119.00"),
        ("Total HT   100,00\nTVA 20%   20,00\nTotal TTC   120,00\nNet à payer   120,00\n", "120.00"),
        ("Subtotaal   100,00\nBTW 21%   21,00\nTotaal   121,00\n", "121.00"),
        ("Base imponible   100,00\nIVA 21%   21,00\nImporte total   121,00\n", "121.00"),
        ("Imponibile   100,00\nIVA 22%   22,00\nTotale documento   122,00\n", "122.00"),
        ("Razem netto   100,00\nVAT 23%   23,00\nRazem do zapłaty   123,00\n", "123.00"),
    ],
)
def test_total_labels_per_language(text: str, total: str) -> None:
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    assert extraction["fields"]["total"]["value"] == total
    assert "totals_add_up" in extraction["fields"]["total"]["checks"]


def test_value_below_its_label_in_a_table_column() -> None:
    text = ("                 TOTAL HT        TOTAL TVA      TOTAL TTC\n"
            "Conditions de paiement : 30 jours\n"
            "                   100,00             4,90         104,90\n")
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    got = {f: extraction["fields"][f]["value"] for f in ("subtotal", "tax", "total")}
    assert got == {"subtotal": "100.00", "tax": "4.90", "total": "104.90"}
    assert all(c["passed"] for c in extraction["checks"] if c["name"] == "totals_add_up")


def test_amount_styles_with_few_or_no_decimals_next_to_a_label() -> None:
    [c] = [c for c in amount_candidates("Steuerbetrag in EUR      2.441,5\n", "tax")]
    assert c.value == "2441.5"


def test_seller_after_its_label_never_the_buyer() -> None:
    text = ("Käufer\n   Name:        Beispielkunde GmbH\n"
            "Verkäufer\n   Name:        Musterhandel AG Niederlassung Süd\n")
    seller = find_seller(text)
    assert seller is not None and seller.name == "Musterhandel AG Niederlassung Süd"


def test_seller_is_the_letterhead_not_the_bill_to_company() -> None:
    text = ("Brightwave Studio Ltd\n12 Harbour Lane, Leith\nwww.brightwave.example\n"
            "VAT No. GB123456789\n\nBill to:\nNorthgate Foods Ltd\n4 Mill Road\n"
            "Invoice No. BW-88\nAll items are sold by Brightwave Studio Ltd under its terms.\n")
    seller = find_seller(text)
    assert seller is not None and seller.name == "Brightwave Studio Ltd"


@pytest.mark.parametrize(
    ("text", "language"),
    [("Rechnung Betrag Datum Summe", "de"), ("Facture montant TVA TTC", "fr"),
     ("Factuur bedrag BTW totaal", "nl"), ("Factura importe IVA", "es"),
     ("Fattura importo totale", "it"), ("Faktura razem do zapłaty sprzedawca", "pl"),
     ("Invoice amount due", "en")],
)
def test_language_from_vocabulary(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_one_iban_check_for_parsers_and_pii() -> None:
    assert _parsers.iban_is_valid is pii.iban_is_valid
    assert pii.iban_is_valid("DE89 3704 0044 0532 0130 00")
    assert not pii.iban_is_valid("DE88 3704 0044 0532 0130 00")
    assert not pii.iban_is_valid("DE89 3704 0044 0532 0130 0")  # wrong length for DE


def test_layout_puts_a_label_and_its_value_on_one_line(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    # drawn in an order unrelated to where the text sits
    pdf.text(150, 40, "F-2026-0917")
    pdf.text(20, 20, "Lumen Atelier SARL")
    pdf.text(110, 40, "Facture N° :")
    pdf.text(110, 48, "Date :")
    pdf.text(150, 48, "14/10/2026")
    pdf.text(110, 120, "TOTAL HT")
    pdf.text(140, 120, "TVA")
    pdf.text(165, 120, "TOTAL TTC")
    pdf.text(112, 128, "100,00")
    pdf.text(140, 128, "20,00")
    pdf.text(167, 128, "120,00")
    data = bytes(pdf.output())
    doc = read_document(data, "f.pdf")
    assert any("Facture N° :" in line and "F-2026-0917" in line for line in doc.text.split("\n"))
    extraction = extract_invoice(doc, [], POLICY)
    got = {f: extraction["fields"][f]["value"]
           for f in ("vendor", "invoice_number", "invoice_date", "subtotal", "tax", "total")}
    assert got == {"vendor": "Lumen Atelier SARL", "invoice_number": "F-2026-0917",
                   "invoice_date": "2026-10-14", "subtotal": "100.00", "tax": "20.00",
                   "total": "120.00"}


def test_a_due_date_header_is_not_the_invoice_date() -> None:
    text = ("Invoice 5531\nMarch 2, 2026\n"
            "Your Reference      Due Date             Payment Terms\n"
            "                    March 30, 2026       30 days\n")
    f = best(date_candidates(text, "invoice_date", month_first=True))
    assert f is not None and f.value == "2026-03-02" and f.where == "header"
    due = best(date_candidates(text, "due_date", month_first=True))
    assert due is not None and due.value == "2026-03-30"


def test_amount_far_right_of_a_label_with_its_currency() -> None:
    text = ("    Steuersatz [%]        Steuerbetrag\n         7                12,60\n"
            "    Rechnungssumme ohne USt.                                       216,00\n"
            "    Steuerbetrag in EUR                                              19,44\n"
            "    Bruttosumme                                                     235,44\n")
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    got = {f: extraction["fields"][f]["value"] for f in ("subtotal", "tax", "total")}
    assert got == {"subtotal": "216.00", "tax": "19.44", "total": "235.44"}


@pytest.mark.parametrize(
    ("title", "kind", "passed"),
    [("AVOIR N° :      A-17", "credit_note", True), ("Gutschrift Nr. G-17", "credit_note", True),
     ("Invoice No. I-17", "invoice", False)],
)
def test_negative_total_must_be_typed_as_a_credit_note(title: str, kind: str, passed: bool) -> None:
    text = f"{title}\nTotal HT   -100,00\nTVA 20 %   -20,00\nTotal TTC   -120,00\n"
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    assert extraction["document_type"] == kind
    [check] = [c for c in extraction["checks"] if c["name"] == "credit_note_sign"]
    assert check["passed"] is passed
    assert (extraction["fields"]["total"]["confidence"] <= 0.5) is not passed
