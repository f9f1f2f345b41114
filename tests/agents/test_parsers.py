from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from wardflow.agents._parsers import (
    find_amount_after,
    find_iban,
    find_invoice_number,
    find_line_items,
    find_tax,
    iban_is_valid,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", "1234.56"), ("1.234,56", "1234.56"), ("1 234,56", "1234.56"),
        ("1'234.50", "1234.50"), ("1234.56", "1234.56"), ("-12.00", "-12.00"),
        ("0,11", "0.11"), ("12,345,678.90", "12345678.90"),
    ],
)
def test_parse_amount_in_every_common_style(text: str, value: str) -> None:
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["12", "1,2345", "abc", "1.234.56,7", "03.10.2026"])
def test_parse_amount_refuses_non_amounts(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "month_first", "expected"),
    [
        ("2026-08-14", False, date(2026, 8, 14)),
        ("14.08.2026", False, date(2026, 8, 14)),
        ("07/10/2026", False, date(2026, 10, 7)),
        ("10/07/2026", True, date(2026, 10, 7)),
        ("10/31/2026", False, date(2026, 10, 31)),  # unambiguous either way
        ("14 October 2026", False, date(2026, 10, 14)),
        ("5 Nov 2026", False, date(2026, 11, 5)),
        ("3. März 2026", False, date(2026, 3, 3)),
        ("October 14, 2026", False, date(2026, 10, 14)),
        ("31.02.2026", False, None),
    ],
)
def test_parse_date(text: str, month_first: bool, expected: date | None) -> None:
    assert parse_date(text, month_first=month_first) == expected


def test_total_label_skips_dates_and_subtotals() -> None:
    text = (
        "Nettobetrag 2.447,06\nMwSt 19% 464,94\nGesamtbetrag 2.912,00 EUR\n"
        "Bitte überweisen Sie den Gesamtbetrag ohne Abzug bis zum 03.10.2026\n"
    )
    m = find_amount_after(text, [r"Gesamtbetrag"], last=True)
    assert m is not None and m.value == "2.912,00"
    assert text[m.start:m.end] == "2.912,00"


def test_amount_on_the_line_after_its_label() -> None:
    m = find_amount_after("TOTAL TTC\n104,90\n", [r"Total\s+TTC"])
    assert m is not None and parse_amount(m.value) == Decimal("104.90")


def test_tax_line_gives_amount_and_rate_but_not_vat_ids() -> None:
    tax, rate = find_tax("VAT ID: DE274518364\nSubtotal 100.00\nVAT 19% 19.00\nTotal 119.00")
    assert tax is not None and tax.value == "19.00"
    assert rate is not None and rate.value == "19"


def test_iban_checksum() -> None:
    assert iban_is_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_is_valid("DE88 3704 0044 0532 0130 00")
    m = find_iban("Konto DE88370400440532013000\nIBAN: DE89 3704 0044 0532 0130 00\n")
    assert m is not None and m.value == "DE89370400440532013000" and m.how == "label"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Invoice No. NLS-INV-2026-0412\n", "NLS-INV-2026-0412"),
        ("Invoice #: 10045\n", "10045"),
        ("Rechnungsnummer RE-2026-10873", "RE-2026-10873"),
        ("Facture N° F2026-0917", "F2026-0917"),
    ],
)
def test_invoice_number_after_its_label(text: str, number: str) -> None:
    m = find_invoice_number(text)
    assert m is not None and m.value == number and m.how == "label"


def test_line_items_need_quantity_times_price_to_equal_amount() -> None:
    text = (
        "Premium support add-on, Sep 2026 1 249.00 249.00\n"
        "Outbound handling per order line 1,260 0.85 1,071.00\n"
        "Traduction technique (mots) 12 400 0,11 1 364,00\n"
        "Fensterreinigung 46 m² 4.50 207.00\n"
        "Looks like a row 3 10.00 99.00\n"
    )
    items = find_line_items(text)
    assert [(i.quantity, i.amount) for i in items] == [
        (Decimal("1"), Decimal("249.00")),
        (Decimal("1260"), Decimal("1071.00")),
        (Decimal("12400"), Decimal("1364.00")),
        (Decimal("46"), Decimal("207.00")),
    ]


def test_table_rows_in_any_column_order_with_wrapped_descriptions() -> None:
    from wardflow.agents._parsers import find_line_items

    text = (
        "    Pos      Beschreibung            Nettopreis      Menge Einheit     Steuersatz      Nettobetrag\n"
        "    01.01    Gerüst aufstellen            7,00        300 Stk              19%         2.100,00\n"
        "             und wieder abbauen\n"
        "    01.02    Kiesschicht                  9,00        250 m²               19%         2.250,00\n"
        "    Summe                                                                              4.350,00\n"
    )
    items = find_line_items(text)
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in items] == [
        ("Gerüst aufstellen und wieder abbauen", Decimal("300"), Decimal("7.00"),
         Decimal("2100.00")),
        ("Kiesschicht", Decimal("250"), Decimal("9.00"), Decimal("2250.00")),
    ]
