"""Other documents named on an invoice, and the seller's legal name: a credit note's
reference to the invoice it corrects, a final invoice's reference to its deposit
invoice, a bare "N° :" under a bare title, a trade name completed from the legal line,
and an addressee marked by "for the attention of". Synthetic text in the style of each
kind (names, numbers and amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

from tests.agents.conftest import extracted_values as _extract

CREDIT_NOTE = (
    "                       NORDLICHT\n"
    "                Leuchtenbau GmbH · Kaiweg 4 · 24103 Kiel\n"
    "Kundin                                          Verkäufer\n"
    "Fahrradwerk Olsen KG                            Nordlicht Leuchtenbau GmbH\n"
    "Hafenstraße 19                                  USt-IdNr.: DE811204937\n"
    "24937 Flensburg\n"
    "Gutschrift                            Gutschriftsnummer:  GS-2025-0117\n"
    "                                      Datum:              14. August 2025\n"
    "                                      Bezug:              Rechnung Nr. 2025-1330 vom 29.07.2025\n"
    "Pos  Bezeichnung                         Menge   Einzelpreis     Betrag\n"
    "1    Rücknahme Wandleuchte Kiel          4       61,00           244,00\n"
    "                         Gesamtbetrag ohne USt.             244,00 EUR\n"
    "                         Umsatzsteuer 19 %                   46,36 EUR\n"
    "                         Gesamtbetrag inkl. USt.            290,36 EUR\n"
)


def test_a_date_of_the_invoice_a_credit_note_refers_to_is_not_its_date() -> None:
    values = _extract(CREDIT_NOTE)
    assert values["invoice_date"] == "2025-08-14"
    assert values["invoice_number"] == "GS-2025-0117"


def test_control_an_invoice_title_with_its_own_date_is_read() -> None:
    text = CREDIT_NOTE.replace(
        "Gutschrift                            Gutschriftsnummer:  GS-2025-0117\n",
        "Rechnung Nr. 2025-1401 vom 12.08.2025\n",
    )
    text = text.replace(
        "                                      Datum:              14. August 2025\n", ""
    )
    text = text.replace("Bezug:              Rechnung Nr. 2025-1330 vom 29.07.2025", "")
    values = _extract(text)
    assert values["invoice_date"] == "2025-08-12"
    assert values["invoice_number"] == "2025-1401"


FINAL_INVOICE = (
    "Charpentes Girard                                         FACTURE\n"
    "SARL au capital de 8 000 €                                N° :            FG2025-0212\n"
    "9 route de Nort, 44240 Sucé-sur-Erdre                     Date :          03/06/2025\n"
    "N° TVA intracommunautaire : FR36812340917\n"
    " Désignation                                     Qté     PU HT        Montant HT\n"
    " Charpente traditionnelle chêne                    1   4 200,00          4 200,00\n"
    "                                  Total HT                          4 200,00 €\n"
    "                                  Total TVA (20 %)                    840,00 €\n"
    "                                  Total TTC                         5 040,00 €\n"
    "                                  Acompte versé (facture FG2025-0168) -1 260,00 €\n"
    "                                  Net à payer                       3 780,00 €\n"
    "Charpentes Girard SARL – RCS Nantes 812 340 917\n"
)


def test_a_deposit_invoice_named_in_parentheses_is_not_the_invoice_and_a_bare_no_is() -> None:
    assert _extract(FINAL_INVOICE)["invoice_number"] == "FG2025-0212"


def test_control_a_customer_number_label_is_no_bare_number_label() -> None:
    text = FINAL_INVOICE.replace("N° :            FG2025-0212", "N° client :     C-4471").replace(
        " (facture FG2025-0168)", ""
    )
    assert _extract(text)["invoice_number"] is None


def test_a_letterhead_trade_name_is_completed_from_the_legal_line() -> None:
    assert _extract(FINAL_INVOICE)["vendor"] == "Charpentes Girard SARL"


def test_control_a_name_that_only_starts_the_same_words_is_not_taken() -> None:
    # the legal line names another company ("Charpentes Girard" is a sentence's start)
    text = FINAL_INVOICE.replace(
        "Charpentes Girard SARL – RCS Nantes 812 340 917\n",
        "Charpentes Girard est membre de la fédération.\n",
    )
    assert _extract(text)["vendor"] == "Charpentes Girard"


ATTENTION = (
    "                         Tuinderij De Wilg\n"
    "            Kerkweg 14 · 2771 AB Boskoop · KvK 70412288\n"
    "Restaurant Het Anker B.V.                           Factuur\n"
    "t.a.v. de administratie                             Factuurnummer        F-25-0388\n"
    "Havenkade 3                                         Factuurdatum         9 september 2025\n"
    "1135 BR Edam\n"
    "Omschrijving                           Aantal     Prijs        Bedrag\n"
    "Kruidenplanten, tray                       5      € 18,00      € 90,00\n"
    "                                  Totaal excl. btw             € 90,00\n"
    "                                  BTW 9%                        € 8,10\n"
    "                                  Totaal incl. btw             € 98,10\n"
)


def test_the_name_over_a_for_the_attention_of_line_is_the_buyer() -> None:
    assert _extract(ATTENTION)["vendor"] == "Tuinderij De Wilg"


def test_control_it_is_the_attention_line_that_marks_the_buyer() -> None:
    # without it, the buyer's name with its legal form outranks the letterhead's name
    # without one: the line, not the rest of the layout, decides the test above
    text = ATTENTION.replace("t.a.v. de administratie   ", "                          ")
    assert _extract(text)["vendor"] == "Restaurant Het Anker B.V."


def test_control_a_legal_name_in_the_next_cell_is_another_party() -> None:
    text = FINAL_INVOICE.replace(
        "Charpentes Girard SARL – RCS Nantes 812 340 917\n",
        "Charpentes Girard                  Atelier Bois SARL\n",
    )
    assert _extract(text)["vendor"] == "Charpentes Girard"
