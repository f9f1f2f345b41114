"""Kinds of real invoices read from where their text sits: a number under a bare title, a
header row of label cells over a row of values, a value printed above its label, a tax
summary table per rate with its sum row. Synthetic text in the style of each kind (names,
numbers and amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

from tests.agents.conftest import extracted_values as _extract
from wardflow.agents._candidates import date_candidates

HASH_UNDER_TITLE = (
    "INVOICE                                       Quarrystone Media LLC\n"
    "#QM-0719\n"
    "48 Alder Street, Suite 2\n"
    "Eugene, OR 97401\n"
    "Issued: 3 Feb 2025\n"
    "Item                                     Amount\n"
    "Video editing                            $640.00\n"
    "                               Total     $640.00\n"
)


def test_a_number_with_a_number_sign_under_a_bare_title_is_the_invoice_number() -> None:
    assert _extract(HASH_UNDER_TITLE)["invoice_number"] == "QM-0719"


def test_control_a_number_sign_column_header_under_a_bare_title_is_no_number() -> None:
    text = HASH_UNDER_TITLE.replace("#QM-0719\n", "#     Item                 Hours\n")
    assert _extract(text)["invoice_number"] is None


HEADER_ROW = (
    "Ébénisterie Marchal SARL                                     FACTURE\n"
    "N° facture             Date                N° client : 7702 1184 05\n"
    "FB-2025-0311           14/02/2025\n"
    "Désignation                                   Montant HT\n"
    "Table en chêne                                  900,00\n"
    "                                 Total HT       900,00 €\n"
    "                                 TVA 20 %       180,00 €\n"
    "                                 Net à payer  1 080,00 €\n"
)


def test_a_number_label_cell_followed_by_a_date_cell_reads_the_value_under_it() -> None:
    fields = _extract(HEADER_ROW)
    assert (fields["invoice_number"], fields["invoice_date"]) == ("FB-2025-0311", "2025-02-14")


def test_control_a_number_label_that_names_a_date_is_no_invoice_number_label() -> None:
    text = "Facture n° date 14/02/2025\nNet à payer 1 080,00 €\n"
    assert _extract(text)["invoice_number"] is None


VALUES_OVER_LABELS = (
    "Larkspur Acoustics Ltd                                   INVOICE\n"
    "Invoice No.: LA-3304       Date: 6 May 2024\n"
    "Description                              Qty     Amount\n"
    "Studio panels                            10      520.00\n"
    "Bass traps                                2      130.00\n"
    "   650.00               130.00               £780.00\n"
    "   Subtotal             VAT 20%              Total due\n"
    "Payment within 30 days.\n"
)


def test_values_printed_above_their_labels_in_boxes() -> None:
    fields = _extract(VALUES_OVER_LABELS)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("650.00", "130.00", "780.00")


def test_control_a_row_of_labels_under_a_row_with_words_reads_nothing_above() -> None:
    text = VALUES_OVER_LABELS.replace(
        "   650.00               130.00               £780.00\n",
        "   Thank you            for your             order\n",
    )
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == (None, None, None)


RATE_TABLE = (
    "Steindruck Vollmer GmbH · Mühlweg 3 · 90402 Nürnberg\n"
    "Rechnung\n"
    "Rechnungsnummer: SV-25-118\n"
    "Rechnungsdatum: 04.02.2025\n"
    "               USt-Satz      Netto        USt         Brutto\n"
    "               19 %          300,00       57,00       357,00\n"
    "               7 %           200,00       14,00       214,00\n"
    "               Summe         500,00       71,00       571,00\n"
    "Zahlbar bis 18.02.2025 ohne Abzug.\n"
)


def test_a_tax_summary_table_per_rate_is_read_from_its_sum_row() -> None:
    fields = _extract(RATE_TABLE)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("500.00", "71.00", "571.00")


def test_control_a_column_that_does_not_end_in_its_sum_reads_its_first_row() -> None:
    text = RATE_TABLE.replace(
        "               7 %           200,00       14,00       214,00\n"
        "               Summe         500,00       71,00       571,00\n",
        "",
    )
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("300.00", "57.00", "357.00")


def test_a_sum_row_label_right_of_several_amounts_is_not_the_total() -> None:
    text = (
        "Koffiebranderij Aalders B.V.\nFactuurnummer: 2025-0087\nFactuurdatum: 03-02-2025\n"
        "Tarief      Grondslag     BTW       Totaal\n"
        "9%          100,00        9,00      109,00\n"
        "21%         50,00         10,50     60,50\n"
        "Totaal      150,00        19,50     169,50\n"
    )
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("150.00", "19.50", "169.50")


def test_swiss_totals_exclusive_and_inclusive_of_mwst() -> None:
    text = (
        "Rechnung Nr. 2025-031\nDatum: 12.02.2025\n"
        "Total exkl. MWST        CHF   2'400.00\n"
        "MWST 8.1 %              CHF   194.40\n"
        "Total inkl. MWST        CHF 2'594.40\n"
    )
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("2400.00", "194.40", "2594.40")


def test_control_german_totals_with_excl_and_incl_still_read() -> None:
    text = (
        "Rechnung Nr. 2025-031\nDatum: 12.02.2025\nNettobetrag  2.400,00 EUR\n"
        "zzgl. 19% USt.  456,00 EUR\nGesamtbetrag inkl. USt.  2.856,00 EUR\n"
    )
    fields = _extract(text)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("2400.00", "456.00", "2856.00")


POLISH_SUM_ROW = (
    "Faktura VAT nr FV/2025/02/009\nData wystawienia: 2025-02-10\n"
    "Lp.  Nazwa         Ilość   Wartość netto   VAT    Wartość brutto\n"
    "1    Regał          2       1 000,00        23%    1 230,00\n"
    "2    Szafka         1       500,00          8%     540,00\n"
    "                  Razem:    1 500,00        270,00 1 770,00\n"
    "Do zapłaty: 1 770,00 zł\n"
)


def test_the_tax_of_a_sum_row_whose_tax_column_holds_rates_above_it() -> None:
    fields = _extract(POLISH_SUM_ROW)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("1500.00", "270.00", "1770.00")


def test_control_an_amount_after_the_subtotal_that_is_not_the_difference_is_no_tax() -> None:
    fields = _extract(POLISH_SUM_ROW.replace("270,00 1 770,00", "260,00 1 770,00"))
    assert fields["tax"] is None


# Narrow columns: the sum row's net and VAT one space apart, the header abbreviated
NARROW_SUM_ROW = (
    "Faktura VAT nr FV/2025/04/031\nData wystawienia: 2025-04-02\n"
    "Lp.  Nazwa          Ilość  Cena netto Wart. netto    VAT    Wart. brutto\n"
    "1    Regał            2       300,00      600,00    23%          738,00\n"
    "2    Szafka           1       250,00      250,00    23%          307,50\n"
    "                               Razem:     850,00 195,50        1 045,50\n"
    "Do zapłaty: 1 045,50 zł\n"
)


def test_a_sum_row_whose_amounts_are_one_space_apart_is_read_as_cells() -> None:
    fields = _extract(NARROW_SUM_ROW)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("850.00", "195.50", "1045.50")


def test_control_an_amount_with_a_space_as_thousands_separator_stays_one_cell() -> None:
    from wardflow.agents._columns import line_cells

    line = "Razem:     850,00 1 045,50"
    assert [line[a:b] for a, b in line_cells(line, 0, len(line))] == ["Razem:", "850,00 1 045,50"]


TWO_LINE_NAME = (
    "Wrenfield                                             Invoice\n"
    "Joinery Ltd.                                          Invoice #: 000412\n"
    "9 Cooper Lane                                         Date: 14/01/2025\n"
    "Leeds LS6 2QT\n"
    "Invoice to:\n"
    "Hartley Interiors\n"
    "Description                          Qty     Price     Total\n"
    "Oak shelving                          2     150.00    300.00\n"
    "                                    Total             £300.00\n"
)


def test_a_letterhead_name_over_two_lines_is_read_whole() -> None:
    assert _extract(TWO_LINE_NAME)["vendor"] == "Wrenfield Joinery Ltd."


def test_control_a_name_with_its_legal_form_on_one_line_under_a_tagline_stays_whole() -> None:
    text = TWO_LINE_NAME.replace("Wrenfield     ", "Handmade since 1998")
    assert _extract(text)["vendor"] == "Joinery Ltd."


SELLER_OVER_TABLE = (
    "Faktura nr 12/02/2025\n"
    "Sprzedawca:                                   Nabywca:\n"
    "Drukarnia Wisła Sp. z o.o.                    Kawiarnia Mokka s.c.\n"
    "NIP: 631-000-00-00                            NIP: 951-000-00-00\n"
    "Nazwa                          Netto          VAT            Brutto\n"
    "Ulotki A5                      400,00         92,00          492,00\n"
    "Razem do zapłaty: 492,00 PLN\n"
)


def test_a_name_column_header_under_a_seller_block_is_no_name_line() -> None:
    assert _extract(SELLER_OVER_TABLE)["vendor"] == "Drukarnia Wisła Sp. z o.o."


def test_control_a_name_line_in_a_seller_block_still_names_the_seller() -> None:
    text = SELLER_OVER_TABLE.replace(
        "Drukarnia Wisła Sp. z o.o.                    Kawiarnia Mokka s.c.\n",
        "Nazwa:  Drukarnia Wisła Sp. z o.o.            Kawiarnia Mokka s.c.\n",
    )
    assert _extract(text)["vendor"] == "Drukarnia Wisła Sp. z o.o."


DATE_HEADER_ROW = (
    "Schildersbedrijf Verf & Co\nFactuur\n"
    "Factuurnummer           Factuurdatum            Vervaldatum\n"
    "F25-0107                4 februari 2025         6 maart 2025\n"
    "                        Totaal                  € 1.391,50\n"
)


def test_a_date_label_cell_followed_by_another_dates_label_cell_reads_its_own_value() -> None:
    found = date_candidates(DATE_HEADER_ROW, "invoice_date", month_first=False)
    assert [(c.value, c.label, c.where) for c in found] == [("2025-02-04", "Factuurdatum", "below")]
    assert _extract(DATE_HEADER_ROW)["due_date"] == "2025-03-06"


def test_control_a_date_label_continued_in_its_cell_by_another_date_is_not_its_label() -> None:
    text = "Factuurnummer: F25-0107\nFactuurdatum levering: 3 februari 2025\n"
    found = date_candidates(text, "invoice_date", month_first=False)
    assert "Factuurdatum" not in [c.label for c in found]


def test_english_date_due_is_the_due_date() -> None:
    text = (
        "Invoice number      Date of issue         Date due\n"
        "QX-0042             February 3, 2025      March 5, 2025\n"
        "Amount due   $245.00 USD\n"
    )
    fields = _extract(text)
    assert (fields["invoice_date"], fields["due_date"]) == ("2025-02-03", "2025-03-05")


def test_a_letterhead_name_over_two_lines_with_another_columns_line_between() -> None:
    text = TWO_LINE_NAME.replace(
        "Joinery Ltd.      ", "                  Wrenfield Joinery\nJoinery Ltd.      ", 1
    )
    assert _extract(text)["vendor"] == "Wrenfield Joinery Ltd."


STREET_UNDER_TITLE = (
    "INVOICE                                   Harbor Point Design LLC\n"
    "2200 Western Ave, Suite 410\n"
    "Seattle, WA 98121\n"
    "Issued: 3 Feb 2025\n"
    "Item                     Amount\n"
    "Logo design              $640.00\n"
    "              Total      $640.00\n"
)


def test_a_street_address_under_a_bare_title_is_no_invoice_number() -> None:
    assert _extract(STREET_UNDER_TITLE)["invoice_number"] is None


def test_control_a_number_under_a_bare_title_before_the_address_is_still_read() -> None:
    text = STREET_UNDER_TITLE.replace("INVOICE   ", "INVOICE\n4521      ", 1)
    assert _extract(text)["invoice_number"] == "4521"
