"""Lines that are never the vendor: a postal address, a country, a contact line, a date
or an amount, and the column titles of a table. Where nothing better is printed, no
vendor (a reviewer) rather than a wrong one. Synthetic text in the style of each miss
(names, places and numbers invented), one rule per test, each with a control.
"""

from __future__ import annotations

from datetime import date

import pytest

from wardflow.agents._not_party import not_a_name
from wardflow.agents._party import find_seller
from wardflow.agents.calibration import CORROBORATED, Calibration, apply_calibration
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText

POLICY = ExtractionPolicy(today=date(2026, 11, 25))


def _seller(text: str) -> str | None:
    seller = find_seller(text)
    return seller.name if seller is not None else None


@pytest.mark.parametrize(
    "line",
    [
        "Springfield, IL 62704",
        "Pinehurst, NC 28374-1234",
        "HarbourCityQLD4000",
        "75011 Paris",
        "1015 CJ Amsterdam",
        "D-10115 Berlin",
        "Pune 411001",
        "PO Box 4410",
        "Postfach 12 34",
        "Lindenstraße 14",
        "Via Roma 12",
        "ul. Długa 5",
        "12 Rue des Lilas",
    ],
)
def test_a_postal_address_line_is_no_name(line: str) -> None:
    assert not_a_name(line) == "postal address"


@pytest.mark.parametrize("line", ["Australia", "Germany", "India", "United States"])
def test_a_country_alone_is_no_name(line: str) -> None:
    assert not_a_name(line) == "country"


@pytest.mark.parametrize(
    "line,why",
    [
        ("Tel. +49 30 1234567", "contact"),
        ("+1 (555) 201-7788", "contact"),
        ("hello@brightpaper.test", "contact"),
        ("www.brightpaper.test", "contact"),
        ("Hamburg, 03.11.2026", "date"),
        ("Paris, le 3 mars 2026", "date"),
        ("$1,250.00", "amount"),
        ("1.250,00 €", "amount"),
    ],
)
def test_contact_date_and_amount_lines_are_no_name(line: str, why: str) -> None:
    assert not_a_name(line) == why


@pytest.mark.parametrize(
    "line",
    [
        "Brightpaper Studio",
        "Australian Paper Mills",
        "Germanwings Catering",
        "Northwind Traders",
        "Rue Verte Design",
        "Street Food Collective",
    ],
)
def test_control_company_names_are_names(line: str) -> None:
    assert not_a_name(line) is None


def test_a_city_state_zip_line_under_a_reference_is_not_the_vendor() -> None:
    text = (
        "                                   INVOICE\n"
        "Our ref. 4471                               Bill To:\n"
        "88 Harbor Road                              Client Name\n"
        "Springfield, IL 62704                       9 Elm Ave\n"
        "Invoice #: 12      Date: 2026-03-02\n"
        " Description          Quantity     Unit Price     Total\n"
        " Widget                      2         $5.00     $10.00\n"
    )
    assert _seller(text) is None  # nothing better: no vendor, a reviewer decides


def test_control_a_company_above_the_same_address_is_the_vendor() -> None:
    text = (
        "                                   INVOICE\n"
        "Brightpaper Studio                          Bill To:\n"
        "88 Harbor Road                              Client Name\n"
        "Springfield, IL 62704                       9 Elm Ave\n"
        "Invoice #: 12      Date: 2026-03-02\n"
    )
    assert _seller(text) == "Brightpaper Studio"


def test_a_country_printed_twice_is_not_the_vendor() -> None:
    text = (
        "   KESTRELFREIGHT                                   SHIPPING INVOICE 4410\n"
        "12 Wharf Street                     Bill To: Reef Boards\n"
        "Harbour Town QLD 4000               7 Dune Road\n"
        "Australia                           Australia\n"
    )
    assert _seller(text) == "KESTRELFREIGHT"


def test_a_table_header_is_no_letterhead() -> None:
    text = (
        "Invoice 77   Date: 2026-03-02\n"
        " Description          Quantity     Unit Price     Total\n"
        " Widget                      2         $5.00     $10.00\n"
    )
    assert _seller(text) is None


def test_control_a_legal_form_with_an_address_keeps_the_name() -> None:
    text = "Brightpaper Pty Ltd, Harbour Town QLD 4000\nInvoice 77\n"
    assert _seller(text) == "Brightpaper Pty Ltd"


def test_the_return_address_line_names_the_seller_and_its_block_is_the_addressee() -> None:
    text = (
        "Lena Vogt·Birkenweg 4·04109 Leipzig\n"
        "Harbor Tools LLC\n"
        "90 Pier Road\n"
        "Rechnung\n"
        "#2026-014                                    Leipzig, 02.03.2026\n"
    )
    assert _seller(text) == "Lena Vogt"


def test_under_a_return_address_line_with_no_readable_name_the_addressee_is_no_seller() -> None:
    text = (
        "Your Name·Birkenweg 4·04109 Leipzig\n"
        "Harbor Tools LLC\n"
        "90 Pier Road\n"
        "Rechnung\n"
        "#2026-014                                    Leipzig, 02.03.2026\n"
    )
    assert _seller(text) is None


def test_control_without_a_return_address_line_the_company_is_the_seller() -> None:
    text = (
        "Harbor Tools LLC\n"
        "90 Pier Road\n"
        "Rechnung\n"
        "#2026-014                                    Leipzig, 02.03.2026\n"
    )
    assert _seller(text) == "Harbor Tools LLC"


@pytest.mark.parametrize("label", ["Kontoinhaber", "Account holder", "Titulaire du compte"])
def test_the_account_holder_outweighs_a_name_at_the_top(label: str) -> None:
    text = (
        "Meadow Print Works\n"
        "Invoice 31                         Date: 02.03.2026\n"
        "\n" * 14 + f"{label}: Corvid Design Studio\n"
        "IBAN: DE89 3704 0044 0532 0130 00\n"
        "Corvid Design Studio\n"
    )
    assert _seller(text) == "Corvid Design Studio"


def test_control_a_bank_name_is_no_account_holder() -> None:
    text = (
        "Meadow Print Works\n"
        "Invoice 31                         Date: 02.03.2026\n"
        "\n" * 14 + "Bank: Corvid Savings Bank\n"
        "IBAN: DE89 3704 0044 0532 0130 00\n"
        "Corvid Savings Bank\n"
    )
    assert _seller(text) == "Meadow Print Works"


@pytest.mark.parametrize("line", ["Your reference", "Our order no.", "Ihre Kundennummer",
                                  "Your Company Name", "Our Daily Loaf Bakery"])
def test_control_a_line_addressed_to_the_reader_is_no_seller(line: str) -> None:
    assert _seller(f"{line}\nInvoice 31\n") is None


def test_a_name_that_begins_with_our_and_ends_in_a_legal_form_is_a_seller() -> None:
    assert _seller("Our Daily Loaf Bakery Ltd\nInvoice 31\n") == "Our Daily Loaf Bakery Ltd"


# A calibration fitted where pattern-found names were mostly right: 0.84 maps to 0.97.
_GENEROUS = Calibration("isotonic", ((0.5, 0.6), (0.84, 0.97), (0.95, 0.99)))


def _calibrated_vendor(notes: list[str]) -> float:
    extraction = {
        "confidence": 0.84,
        "fields": {
            "vendor": {"value": "A", "confidence": 0.84, "method": "pattern", "notes": notes},
            "total": {"value": "1.00", "confidence": 0.95, "method": "label"},
        },
    }
    apply_calibration(extraction, _GENEROUS, ("vendor", "total"), 0.9)
    return float(extraction["fields"]["vendor"]["confidence"])


def test_calibration_never_posts_a_vendor_found_by_pattern_alone() -> None:
    assert _calibrated_vendor(["seller evidence: letterhead, legal form"]) < 0.9


def test_control_calibration_may_post_a_pattern_vendor_its_identifiers_vouch_for() -> None:
    assert _calibrated_vendor([f"{CORROBORATED} block of a tax ID or IBAN"]) == 0.97


def test_a_vendor_in_the_block_of_its_vat_id_is_noted_as_corroborated() -> None:
    text = (
        "Corvid Design Studio\n"
        "Birkenweg 4\n"
        "VAT DE123456789\n"
        "Invoice 31                         Date: 02.03.2026\n"
    )
    fields = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)["fields"]
    assert fields["vendor"]["value"] == "Corvid Design Studio"
    assert fields["vendor"]["confidence"] < 0.9  # the parser's own score stays under it
    assert any(n.startswith(CORROBORATED) for n in fields["vendor"]["notes"])


def test_control_a_letterhead_alone_is_not_corroborated() -> None:
    text = (
        "Corvid Design Studio\nBirkenweg 4\nInvoice 31                         Date: 02.03.2026\n"
    )
    fields = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)["fields"]
    assert fields["vendor"]["value"] == "Corvid Design Studio"
    assert not any(n.startswith(CORROBORATED) for n in fields["vendor"]["notes"])
