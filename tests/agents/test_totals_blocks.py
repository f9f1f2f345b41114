"""Totals, dates, currency and numbers the way a fresh invoice set showed them missed:
Dutch, Czech, German and Indian GST totals blocks, amounts followed by a currency code,
and a number printed in the title. Synthetic text in the style of each miss (names,
numbers and amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

import pytest

from tests.agents.conftest import extracted_values as _extract
from wardflow.agents._candidates import invoice_number_candidates
from wardflow.agents._currency import find_currency
from wardflow.agents._parsers import parse_date


def _amounts(text: str) -> tuple[object, object, object]:
    fields = _extract(text)
    return fields["subtotal"], fields["tax"], fields["total"]


def test_dutch_totaal_ex_btw_is_the_subtotal_and_te_betalen_the_total() -> None:
    text = (
        "Factuurnummer: 7781\n"
        "                                          Factuur totalen\n"
        "   Opmerkingen:                           Totaal ex BTW:                 1.200,00\n"
        "                                          BTW (21,00%):                    252,00\n"
        "                                          Totaal te betalen:             1.452,00\n"
    )
    assert _amounts(text) == ("1200.00", "252.00", "1452.00")


def test_control_dutch_totaal_incl_btw_is_still_the_total() -> None:
    text = "Totaal excl. BTW:   100,00\nBTW 21%:   21,00\nTotaal incl. BTW:   121,00\n"
    assert _amounts(text) == ("100.00", "21.00", "121.00")


def test_vat_lines_per_rate_are_summed_when_nothing_adds_up_otherwise() -> None:
    text = (
        "                      Totaal ex BTW:        500,00\n"
        "                      BTW (21,00%):          63,00\n"
        "                      BTW (9,00%):           18,00\n"
        "                      Totaal te betalen:    581,50\n"
    )
    assert _amounts(text)[1] == "81.00"


def test_control_a_single_vat_line_is_not_summed_with_the_total_vat() -> None:
    text = "Subtotal:    100.00\nVAT 20%:      20.00\nTotal VAT:    20.00\nTotal:       125.00\n"
    assert _amounts(text)[1] == "20.00"


GST = (
    "                                 Tax Invoice\n"
    "  Date: 04-03-2026\n"
    "  Shop Name: ganesh provision store\n"
    "   Description      HSN Code     Quantity   Rate     GST%     CGST     SGST        Total\n"
    "rice                 1006         2      50.00      5       2.50     2.50      105.00\n"
    "dal                  0713         1     100.00     12       6.00     6.00      112.00\n"
    "  Grand Total\n"
    "  Total CGST: 8.50\n"
    "  Total SGST: 8.50\n"
    "  Total: 217.00\n"
)


def test_gst_totals_cgst_and_sgst_summed_as_tax_never_the_total() -> None:
    fields = _extract(GST)
    assert (fields["tax"], fields["total"]) == ("17.00", "217.00")


def test_control_a_single_igst_total_is_the_tax() -> None:
    text = GST.replace("  Total CGST: 8.50\n  Total SGST: 8.50\n", "  Total IGST: 17.00\n")
    fields = _extract(text)
    assert (fields["tax"], fields["total"]) == ("17.00", "217.00")


def test_invoice_amount_is_a_total_label() -> None:
    text = (
        "SHIPPING INVOICE 4410              Invoice Amount:   $2,150.00\n"
        "Waybill 1                          TOTAL             $1,000.00\n"
    )
    assert _extract(text)["total"] == "2150.00"


def test_czech_invoice_labels_and_an_unlabelled_total_under_the_tax() -> None:
    text = (
        "                                        Faktura 20260012\n"
        "DODAVATEL                               ODBĚRATEL\n"
        "Modrá louka s.r.o.                      Zelený kopec s.r.o.\n"
        "                                        Datum vystavení          03. 03. 2026\n"
        "                                        Datum splatnosti         17. 03. 2026\n"
        "                                     Celkem bez DPH              2 000,00 Kč\n"
        "                                     DPH 21 %                      420,00 Kč\n"
        "                                                                 2 420,00 Kč\n"
    )
    fields = _extract(text)
    assert fields["vendor"] == "Modrá louka s.r.o."
    assert (fields["invoice_date"], fields["due_date"]) == ("2026-03-03", "2026-03-17")
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("2000.00", "420.00", "2420.00")
    assert fields["currency"] == "CZK"


def test_control_an_amount_under_the_tax_that_does_not_add_up_is_no_total() -> None:
    text = (
        "Celkem bez DPH              2 000,00 Kč\n"
        "DPH 21 %                      420,00 Kč\n"
        "                              150,00 Kč\n"
    )
    assert _extract(text)["total"] is None


def test_czech_celkem_k_uhrade_is_the_total() -> None:
    text = "Základ daně   1 000,00\nDPH 21 %   210,00\nCelkem k úhradě   1 210,00 Kč\n"
    assert _amounts(text) == ("1000.00", "210.00", "1210.00")


def test_german_amount_asked_for_in_the_payment_block() -> None:
    text = (
        "Rechnung 2026-011                          Rechnungsdatum: 2026-03-01\n"
        "                                                  Netto: 1,000.00\n"
        "Wir bitten um Zahlung von 1,030.00  bis spätestens 2026-03-15.\n"
        "  Empfänger:      Hafenblick Studio\n"
        "  Betrag:         1,030.00\n"
    )
    fields = _extract(text)
    assert (fields["total"], fields["due_date"]) == ("1030.00", "2026-03-15")


def test_control_a_betrag_column_header_is_no_total() -> None:
    text = "Pos  Bezeichnung      Menge   Betrag\n1    Beratung          2   150.00\n"
    assert _extract(text)["total"] is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Invoice Amount: $5,100.00 AUD\nFreight $4,000.00\nInsurance $1,100.00\n", "AUD"),
        ("Celkem 1 210,00 Kč\nDPH 210,00 Kč\n", "CZK"),
        ("Total $10.00\nTax $1.00\n", "USD"),  # control: a bare dollar
    ],
)
def test_an_amount_followed_by_a_currency_code_takes_that_code(text: str, code: str) -> None:
    found = find_currency(text)[0]
    assert found is not None and found.value == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10. 02. 2026", "2026-02-10"),
        ("8thDecember 2025", "2025-12-08"),
        ("15th December2025", "2025-12-15"),
        ("10.02.2026", "2026-02-10"),  # control
    ],
)
def test_dates_with_spaced_dots_or_glued_ordinals(text: str, expected: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None and parsed.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("SHIPPING INVOICE 10112\nIssue Date: 2025-12-08\n", "10112"),
        (
            "Your Name                INVOICE\n                         INVOICE-2025-001\n",
            "INVOICE-2025-001",
        ),
        ("INVOICE INVOICE-2025-001\n", "INVOICE-2025-001"),
        ("Invoice No: INV-2041\n", "INV-2041"),  # control: a label and its number
    ],
)
def test_an_invoice_number_in_the_title_keeps_its_whole_token(text: str, number: str) -> None:
    found = sorted(invoice_number_candidates(text), key=lambda c: (c.rank, c.start))
    assert found and found[0].value == number
