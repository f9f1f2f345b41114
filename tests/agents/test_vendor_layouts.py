"""Reading vendor-designed invoices: the cases that data/invoices showed the parsers
missing, each written here as synthetic text in the style of the miss (names, numbers
and amounts invented), one rule per test.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.agents.conftest import POLICY
from tests.agents.conftest import extracted_values as _extract
from wardflow.agents._candidates import (
    amount_candidates,
    best,
    date_candidates,
    invoice_number_candidates,
)
from wardflow.agents._party import find_seller
from wardflow.agents.extractor import extract_invoice
from wardflow.tools.documents import DocumentText


# Seller ------------------------------------------------------------------------------
def test_upper_case_legal_form_in_the_letterhead_beats_the_addressee() -> None:
    text = (
        "NORTHWIND TRADERS LTD.                                   INVOICE\n"
        "Northwind House                                  INVOICE: NW-7\n"
        "12 Harbour Road                          INVOICE DATE: 03/04/2026\n"
        "Boston, MA 02110                  CUSTOMER NAME: TAILSPIN TOYS CORPORATION\n"
        "\n"
        "Tailspin Toys Corp\n"
        "8 Airfield Way\n"
        "Denver, CO 80201\n"
    )
    seller = find_seller(text)
    assert seller is not None and seller.name == "NORTHWIND TRADERS LTD."


@pytest.mark.parametrize(
    ("letterhead", "name"),
    [
        ("Fabrikam, Inc.", "Fabrikam, Inc."),
        ("Woodgrove Corp Ltd.", "Woodgrove Corp Ltd."),
        ("Litware, LLC · 5 Main Street", "Litware, LLC"),
        ("Proseware Studio, 77 Elm Street", "Proseware Studio"),
    ],
)
def test_a_legal_form_after_a_comma_or_another_legal_form_stays_in_the_name(
        letterhead: str, name: str) -> None:
    text = f"{letterhead}\nInvoice No. 88\nBill to\nAdatum Bank\nTotal 10.00\n"
    seller = find_seller(text)
    assert seller is not None and seller.name == name


def test_a_seller_label_and_its_name_in_one_cell() -> None:
    text = (
        "                                Invoice\n"
        "                                INVOICE: NO. 017\n"
        " FROM: Blue Yonder Consulting          TO: Jane Roe\n"
        "       info@blueyonder.example              jane@roe.example\n"
        " ADDRESS: 9 Quay Street                ADDRESS: 4 Mill Lane\n"
        "          Springfield, USA                      Springfield, USA\n"
    )
    seller = find_seller(text)
    assert seller is not None and seller.name == "Blue Yonder Consulting"
    assert "after a seller label" in seller.evidence


def test_a_name_after_a_name_label_is_kept_whole() -> None:
    text = (
        "Sprzedawca                              Nabywca\n"
        "NIP: 1234563218                         NIP: 5260250274\n"
        "Nazwa: Kowalski, Nowak and Partners     Nazwa: Zielony Ogród sp. z o.o.\n"
    )
    seller = find_seller(text)
    assert seller is not None and seller.name == "Kowalski, Nowak and Partners"


def test_a_party_named_after_a_buyer_label_is_never_the_seller() -> None:
    text = (
        "Contoso Pharmaceuticals\n"
        "Customer name: ADVENTURE WORKS CORPORATION\n"
        "Adventure Works Corp\n"
        "1 Cycle Road\n"
    )
    seller = find_seller(text)
    assert seller is not None and seller.name == "Contoso Pharmaceuticals"


def test_a_web_domain_inside_a_longer_word_is_no_domain_match() -> None:
    # The buyer's name contains the seller's domain word: no evidence for the buyer.
    text = (
        "Quarry Works GmbH & Co. KG\n"
        "Stoneinvest SE\n"
        "Lager 3\n"
        "Rechnungsnummer: 1978-001\n"
        "Kontaktperson Stoneinvest SE\n"
        "Quarry Works GmbH & Co. KG   www.stone.example\n"
    )
    seller = find_seller(text)
    assert seller is not None and seller.name == "Quarry Works GmbH & Co. KG"


# Invoice numbers -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Invoice\nDATE: 01/02/2026\nINVOICE: NO. 017\n", "017"),
        ("Project Statement\nReceipt # No.: 9876\n", "9876"),
        ("Krajowy System e-Faktur        Numer faktury\n"
         "                                 7/11/2025\n", "7/11/2025"),
    ],
)
def test_invoice_number_labels_of_vendor_layouts(text: str, number: str) -> None:
    chosen = best(invoice_number_candidates(text))
    assert chosen is not None and chosen.value == number


def test_spanish_reference_is_the_number_only_without_an_invoice_number_label() -> None:
    header = "                                    Referencia: #4410\nFecha: 25/12/2025\n"
    chosen = best(invoice_number_candidates("Acme S.L.\n" + header))
    assert chosen is not None and chosen.value == "4410"
    labelled = "Factura nº 2025-17\nReferencia: 4410\n"
    chosen = best(invoice_number_candidates(labelled))
    assert chosen is not None and chosen.value == "2025-17"


@pytest.mark.parametrize(
    "text",
    [
        "Referencia del pedido: 4410\n",
        "Referencia      Descripción        Cantidad\nA-100           Tornillos          5\n",
    ],
)
def test_other_references_are_no_invoice_number(text: str) -> None:
    assert invoice_number_candidates(text) == []


def test_a_label_alone_on_its_line_reads_a_value_alone_on_the_next_line() -> None:
    # a value in a larger font than its right-aligned label is laid out left of it
    text = (
        "National e-invoices\n"
        "                                                          Invoice number:\n"
        "                            FA/ABC-12/03/2026\n"
        "Seller                                  Buyer\n"
    )
    chosen = best(invoice_number_candidates(text))
    assert chosen is not None and chosen.value == "FA/ABC-12/03/2026"


def test_a_title_alone_on_its_line_passes_over_a_name_on_the_next_line() -> None:
    text = (
        "                                                  FACTURE\n"
        "Jane Roe\n"
        "                                          2026F02-001\n"
        "12 rue de la Paix                                   02/03/2026\n"
    )
    chosen = best(invoice_number_candidates(text))
    assert chosen is not None and chosen.value == "2026F02-001"


@pytest.mark.parametrize(
    "text",
    [
        # the label shares its line with another cell
        "Seller: Acme                                       Invoice number:\n"
        "                            FA/ABC-12/03/2026\n",
        # the next line is two cells: a table row, not the label's value
        "                                                   Invoice number:\n"
        "                            FA/ABC-12/03/2026     Order 77\n",
    ],
)
def test_a_label_not_alone_or_over_a_row_reads_no_far_value(text: str) -> None:
    assert invoice_number_candidates(text) == []


# Dates -----------------------------------------------------------------------------------
def test_two_digit_years() -> None:
    text = "BILL TO          Invoice No: #INV0042\nJohn Doe         Invoice Date: 10/18/18\n"
    chosen = best(date_candidates(text, "invoice_date", month_first=True))
    assert chosen is not None and chosen.value == "2018-10-18"


def test_the_documents_own_dates_decide_day_and_month_order() -> None:
    # An English invoice in dollars from a US address, printed day first: the due date
    # (26/02) shows the order, so 11/02/2026 is the 11th of February.
    text = (
        "FROM                                      INVOICE #      US-9\n"
        "East Coast Repair Inc.                    INVOICE DATE   11/02/2026\n"
        "1 Harvest Lane                            DUE DATE       26/02/2026\n"
        "New York, NY 12210\n"
        "TOTAL                                                    $154.06\n"
    )
    fields = _extract(text)
    assert fields["invoice_date"] == "2026-02-11"
    assert fields["due_date"] == "2026-02-26"


def test_polish_issue_date_label_with_its_legal_clause() -> None:
    text = ("Numer faktury\n7/11/2025\n"
            "Szczegóły\nData wystawienia, z zastrzeżeniem art. 106na ust. 1 ustawy: 30.10.2025"
            "   Miejsce wystawienia: Kraków\n")
    chosen = best(date_candidates(text, "invoice_date", month_first=False))
    assert chosen is not None and chosen.value == "2025-10-30"


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Total Price: 90.00\nPayable on or before 5/24/2026\n", "2026-05-24"),
        ("Date:            30.06.2026\nPayment until:   30.07.2026\n", "2026-07-30"),
        ("Bitte überweise den Betrag bis 2026-03-20 auf folgendes Konto:\n", "2026-03-20"),
        ("Merci de régler d’ici le 2026-03-20 par virement.\n", "2026-03-20"),
        ("Por favor, transfiera el dinero a la cuenta antes de 2026-04-07:\n", "2026-04-07"),
    ],
)
def test_due_date_in_a_payment_phrase(text: str, due: str) -> None:
    chosen = best(date_candidates(text, "due_date", month_first=True))
    assert chosen is not None and chosen.value == due


# Amounts ---------------------------------------------------------------------------------
def test_total_tax_is_not_the_total() -> None:
    text = (
        "SUBTOTAL                  1440\n"
        "DISCOUNT                  4\n"
        "SUBTOTAL LESS DISCOUNT    1436\n"
        "TAX RATE                  7.00%\n"
        "TOTAL TAX                 100.52\n"
        "BALANCE DUE               $1,536.52\n"
    )
    assert "100.52" not in {c.value for c in amount_candidates(text, "total")}
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("1436.00", "100.52", "1536.52")


@pytest.mark.parametrize(
    ("text", "subtotal", "tax", "total"),
    [
        ("Sous-total: 1200.00 €\nTVA 20 %: 240.00 €\nTotal: 1440.00 €\n",
         "1200.00", "240.00", "1440.00"),
        ("Total parcial: 10.00 €\nIVA de 21 %: 2.10 €\nTotal: 12.10 €\n",
         "10.00", "2.10", "12.10"),
        ("Zwischensumme: 100.00 €\nUmsatzsteuer von 19 %: 19.00 €\nGesamt: 119.00 €\n",
         "100.00", "19.00", "119.00"),
        ("Subtotal £720.00\nTotal Impuesto £54.70\nTotal £774.70\n",
         "720.00", "54.70", "774.70"),
        ("NET INVOICE        2,978.00\nLESS DISCOUNT          0.00\nSALES TAX              0.00\n"
         "INVOICE TOTAL     $2,978.00\n", "2978.00", "0.00", "2978.00"),
    ],
)
def test_subtotal_tax_and_total_labels(text: str, subtotal: str, tax: str, total: str) -> None:
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == (subtotal, tax, total)


def test_right_aligned_amounts_under_left_aligned_headers() -> None:
    text = (
        "Podsumowanie stawek podatku\n"
        " Stawka podatku          Kwota netto             Kwota podatku           Kwota brutto\n"
        " 23%                                 1 000,00                  230,00          1 230,00\n"
    )
    found = {f: best(amount_candidates(text, f)) for f in ("subtotal", "tax", "total")}
    assert {f: c.value if c else None for f, c in found.items()} == {
        "subtotal": "1000.00", "tax": "230.00", "total": "1230.00"}


def test_a_euro_sign_written_as_e_by_a_tex_font() -> None:
    text = "Summe Netto    3 585,00 e\nUmsatzsteuer 19%     681,15 e\nSumme Brutto 4 266,15 e\n"
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("3585.00", "681.15", "4266.15")


@pytest.mark.parametrize(
    ("text", "tax"),
    [
        ("Subtotal      $10,375.00\nSales Tax     3%\nTotal         $10,686.25\n", "311.25"),
        ("Subtotal      $19.00\nTax Rate      0%\nAmount Due    $19.00\n", "0.00"),
    ],
)
def test_tax_from_its_printed_rate(text: str, tax: str) -> None:
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    assert extraction["fields"]["tax"]["value"] == tax
    assert extraction["fields"]["tax"]["method"] == "computed"


def test_no_tax_from_a_rate_that_does_not_give_the_difference() -> None:
    text = "Subtotal      $100.00\nSales Tax     5%\nTotal         $110.00\n"
    assert _extract(text)["tax"] is None


_DASHED_SELLER = (
    "Invoice\n"
    "From:                              Invoice Number   INV-12\n"
    "ACME - Sliced Widgets              Invoice Date     January 25, 2026\n"
    "Suite 5                            Total Due        $93.50\n"
    "Total                                               $93.50\n"
)


def _vendor_field(text: str) -> dict[str, Any]:
    vendor = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)["fields"]["vendor"]
    assert isinstance(vendor, dict)
    return vendor


def test_a_labelled_name_cut_from_a_longer_cell_is_not_vouched_for_by_the_label() -> None:
    vendor = _vendor_field(_DASHED_SELLER)
    assert vendor["value"] == "ACME"
    assert vendor["confidence"] < 0.9
    assert any("cut from a longer cell" in note for note in vendor["notes"])


def test_a_labelled_name_with_a_dash_printed_again_whole_is_kept_whole() -> None:
    footer = "Thank you for choosing ACME - Sliced Widgets | billing@acme.example\n"
    vendor = _vendor_field(_DASHED_SELLER + footer)
    assert vendor["value"] == "ACME - Sliced Widgets"
    assert not any("cut from a longer cell" in note for note in vendor["notes"])


def test_a_name_that_ends_in_its_legal_form_is_not_extended_by_a_repeated_tagline() -> None:
    text = (
        "Rechnung\n"
        "Verkäufer:                         Rechnungsnummer   R-12\n"
        "Kessel GmbH - Ihr Partner          Datum             25.01.2026\n"
        "Hafenweg 5\n"
        "Kessel GmbH - Ihr Partner | www.kessel.example\n"
    )
    seller = find_seller(text)
    assert seller is not None and seller.name == "Kessel GmbH"


@pytest.mark.parametrize("line", ["Total", "Balance due", "Gesamtbetrag"])
def test_a_totals_line_is_no_seller(line: str) -> None:
    text = f"Invoice\nInvoice No. 5\n{line}                 $93.50\n{line}   again\n"
    seller = find_seller(text)
    assert seller is None or seller.name != line


# India and the UK -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [("12-Jan-2024", "2024-01-12"), ("03-Mar-25", "2025-03-03"), ("7 Feb 26", "2026-02-07")],
)
def test_dates_with_a_month_name_between_hyphens(text: str, expected: str) -> None:
    chosen = best(date_candidates(f"Invoice No. 42\nDated: {text}\n", "invoice_date",
                                  month_first=False))
    assert chosen is not None and chosen.value == expected


def test_gst_invoice_in_rupees_with_lakh_grouping_and_split_tax() -> None:
    text = (
        "TAX INVOICE\n"
        "Invoice No.: GST/24-25/118              Dated: 12-Jan-2025\n"
        "Taxable Value                                   ₹ 1,00,000.00\n"
        "CGST @ 9%                                       ₹ 9,000.00\n"
        "SGST @ 9%                                       ₹ 9,000.00\n"
        "Grand Total                                     ₹ 1,18,000.00\n"
    )
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    fields = {name: f["value"] for name, f in extraction["fields"].items()}
    assert fields["invoice_date"] == "2025-01-12"
    assert fields["currency"] == "INR"
    assert (fields["subtotal"], fields["tax"], fields["total"]) == (
        "100000.00", "18000.00", "118000.00")
    assert extraction["fields"]["tax"]["method"] == "computed"


def test_a_charges_column_of_a_header_row_is_the_total_without_a_total_label() -> None:
    text = (
        "Invoice Number    Invoice Date    Charges           VAT ID\n"
        "4410              6/18/2026              $1,250.40 PT\n"
    )
    assert [c.value for c in amount_candidates(text, "total")] == ["1250.40"]
    labelled = text + "                                  Total    $1,250.40\n"
    assert {c.label for c in amount_candidates(labelled, "total")} == {"Total"}


@pytest.mark.parametrize(
    "text",
    [
        "Item             Delivery charges\nPump                       $12.00\n",
        "Charges   $12.00\n",
    ],
)
def test_charges_in_a_phrase_or_right_of_the_word_are_no_total(text: str) -> None:
    assert amount_candidates(text, "total") == []
