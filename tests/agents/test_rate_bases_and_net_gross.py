"""A VAT line that names the base its rate applies to, and the en-GB Net / VAT / Gross
totals block. Synthetic text (names, numbers and amounts invented), each rule with a
control."""

from __future__ import annotations

from tests.agents.conftest import extracted_values as _extract

RATES_WITH_BASES = (
    "Lindholm Feinkost GmbH\n"
    "Rechnung Nr. 2026-4471                     Datum: 03.11.2026\n"
    "Artikel                                           Betrag\n"
    "Olivenöl 5 l                                    1.000,00\n"
    "Kochbuch                                          200,00\n"
    "                      Summe netto             1.200,00 €\n"
    "                      USt 19 % auf 1.000,00     190,00 €\n"
    "                      USt 7 % auf 200,00         14,00 €\n"
    "                      Rechnungsbetrag         1.404,00 €\n"
)


def test_the_tax_of_a_line_that_names_its_base_is_the_amount_after_the_base() -> None:
    fields = _extract(RATES_WITH_BASES)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("1200.00", "204.00", "1404.00")


def test_an_english_rate_on_its_base() -> None:
    text = (
        "Ashcombe Joinery Ltd\nInvoice No: 5520\nDate: 4 November 2026\n"
        "Subtotal                     £500.00\n"
        "VAT 20% on £500.00           £100.00\n"
        "Total                        £600.00\n"
    )
    fields = _extract(text)
    assert (fields["tax"], fields["total"]) == ("100.00", "600.00")


def test_control_a_rate_without_a_base_word_keeps_the_amount_after_it() -> None:
    text = RATES_WITH_BASES.replace(" auf 1.000,00", "           ").replace(
        " auf 200,00", "          "
    )
    assert _extract(text)["tax"] == "204.00"


NET_GROSS = (
    "Pellham Signs Ltd\nTAX INVOICE\nInvoice No: 7731\nInvoice Date: 12th October 2026\n"
    "Description                 Qty     Net\n"
    "Shop sign, aluminium          1     £120.00\n"
    "                      Net           £120.00\n"
    "                      VAT @ 20%      £24.00\n"
    "                      Gross         £144.00\n"
)


def test_net_and_gross_are_the_subtotal_and_the_total() -> None:
    fields = _extract(NET_GROSS)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("120.00", "24.00", "144.00")


def test_control_net_as_a_payment_term_or_a_measure_is_no_subtotal() -> None:
    text = (
        "Pellham Signs Ltd\nInvoice No: 7732\nInvoice Date: 12th October 2026\n"
        "Terms: Net 30\nNet weight 12.50 kg\nGross weight 14.75 kg\n"
        "Total                         £90.00\n"
    )
    fields = _extract(text)
    assert (fields["subtotal"], fields["total"]) == (None, "90.00")
