"""Credit notes' signed totals, Italian due dates, billing-address blocks and a seller
named in a phrase ("Receipt from …", "… are sold by … Inc."). Synthetic text in the style
of each kind (names, numbers and amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

from datetime import date

from wardflow.agents._candidates import amount_candidates
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText

POLICY = ExtractionPolicy(today=date(2026, 11, 25))


def _extract(text: str) -> tuple[dict[str, object], object]:
    result = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    fields = result["fields"]
    assert isinstance(fields, dict)
    return {name: f["value"] for name, f in fields.items()}, result.get("document_type")


CREDIT_NOTE = (
    "Kabelwerk Sonnleitner GmbH · Hafenweg 8 · 28197 Bremen\n"
    "Tischlerei Ahrens KG\nAm Markt 3\n26122 Oldenburg\n"
    "GUTSCHRIFT\n"
    "Gutschrift Nr. GS-77-014 vom 12.06.2025\n"
    "Pos. Bezeichnung                  Menge   Einzelpreis   Gesamt\n"
    "1    Rücknahme Kabeltrommel          1      -300,00     -300,00\n"
    "Nettobetrag                                            -300,00 EUR\n"
    "zzgl. 19% USt.                                          -57,00 EUR\n"
    "Gutschriftsbetrag                                      -357,00 EUR\n"
)


def test_a_credit_notes_negative_total_right_of_its_label_is_read_with_its_sign() -> None:
    fields, kind = _extract(CREDIT_NOTE)
    assert kind == "credit_note"
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("-300.00", "-57.00", "-357.00")


def test_control_a_dash_between_label_and_amount_is_a_separator_not_a_sign() -> None:
    found = amount_candidates("Bruttosumme - 499,80\n", "total")
    assert [c.value for c in found] == ["499.80"]


def test_italian_scadenza_pagamento_is_the_due_date() -> None:
    text = (
        "Fattura N. 2024/31 del 14/03/2024\nImponibile  100,00\nIVA 22%  22,00\n"
        "Totale documento  EUR 122,00\nScadenza pagamento: 13/04/2024\n"
    )
    fields, _ = _extract(text)
    assert (fields["invoice_date"], fields["due_date"]) == ("2024-03-14", "2024-04-13")


def test_control_italian_data_scadenza_is_still_the_due_date() -> None:
    text = "Fattura N. 2024/31 del 14/03/2024\nData scadenza: 15/04/2024\nTotale  EUR 122,00\n"
    assert _extract(text)[0]["due_date"] == "2024-04-15"


BILLED = (
    "Tax Invoice\nInvoice Number: IN-5512\nInvoice Date: 17 Jan 2024\n"
    "Billing Address:\nHarbourview Retail Pty Ltd, 10 Quay St, Sydney NSW 2000\n"
    "Item                          Amount (USD)\nConsulting hours              1,200.00\n"
    "Total amount due              1,200.00 USD\n"
)


def test_a_billing_address_block_is_the_buyers_never_the_seller() -> None:
    assert _extract(BILLED)[0]["vendor"] != "Harbourview Retail Pty Ltd"


def test_a_seller_named_in_a_sold_by_sentence_is_the_vendor() -> None:
    text = BILLED.replace(
        "Billing Address:",
        "All services are sold by Quillstone Advisory Inc. and its affiliates.\nBilling Address:",
    )
    assert _extract(text)[0]["vendor"] == "Quillstone Advisory Inc."


def test_control_sold_by_without_a_legal_form_names_no_seller() -> None:
    text = BILLED.replace(
        "Billing Address:", "Cables are sold by the metre and cut to length.\nBilling Address:"
    )
    assert _extract(text)[0]["vendor"] in (None, "")


def test_a_receipts_title_names_its_sender() -> None:
    text = (
        "Receipt from Larkspur Hosting Ltd\nInvoice number  9F3A21C-0007\n"
        "Date paid       March 3, 2025\nBill to\nJane Roe\n"
        "Pro plan                     1     $49.00      $49.00\n"
        "Total                                              $49.00\n"
    )
    assert _extract(text)[0]["vendor"] == "Larkspur Hosting Ltd"


def test_control_a_title_from_a_date_names_no_sender() -> None:
    text = (
        "Invoice from 3 March 2025\nInvoice number  9F3A21C-0007\nBill to\nJane Roe\n"
        "Total                                              $49.00\n"
    )
    assert _extract(text)[0]["vendor"] in (None, "")


def test_a_verkauft_von_line_names_the_seller_without_its_phrase() -> None:
    text = (
        "Rechnung\nVerkauft von Ostwind Leuchten GmbH\nUSt-ID DE298765432\n"
        "Rechnungsdatum 25.04.2018\nRechnungsnummer R-2018-0042\n"
        "Rechnungsadresse\nErika Musterfrau\nMusterweg 1\n12345 Musterstadt\n"
        "Rechnungsbetrag                                      20,00 €\n"
    )
    assert _extract(text)[0]["vendor"] == "Ostwind Leuchten GmbH"


def _values(text: str, field: str) -> list[str]:
    return [c.value for c in amount_candidates(text, field)]


def test_a_tax_word_inside_a_gross_total_label_is_no_tax_amount() -> None:
    for text in (
        "Total incl. VAT   121,00\n",
        "Total (IVA incluido): 121,00 €\n",
        "Gesamt inkl. MwSt.  121,00\n",
        "Total TVA incluse  121,00\n",
    ):
        assert _values(text, "tax") == [], text
        assert _values(text, "total") == ["121.00"], text


def test_control_a_tax_line_is_still_the_tax() -> None:
    assert _values("VAT 20%  20,00\n", "tax") == ["20.00"]
    assert "20.00" in _values("Total TVA   20,00\n", "tax")


def test_two_label_value_pairs_on_a_line_split_at_a_middle_dot() -> None:
    text = "Base imponible 15,00 € · IVA 21% 3,15 €\n"
    assert (_values(text, "subtotal"), _values(text, "tax")) == (["15.00"], ["3.15"])


def test_italian_spettabile_heads_the_buyers_block() -> None:
    text = (
        "Spett.le Ditta\nFerramenta Colombo S.r.l.\nVia Garibaldi 9\n22100 Como\n"
        "                                   Tipografia Lario S.n.c.\n"
        "                                   Piazza Cavour 3, 22100 Como\n"
        "                                   Partita IVA 01987650134\n"
        "Fattura n. 87 del 2 maggio 2024\nTotale imponibile  250,00\nIVA 22%  55,00\n"
        "Totale fattura  305,00\n"
    )
    assert _extract(text)[0]["vendor"] == "Tipografia Lario S.n.c."


def test_polish_zloty_sign_after_the_amount_is_pln() -> None:
    fields, _ = _extract(
        "Drukarnia Zielna Sp. z o.o.\nFaktura VAT nr FV/7/2025\nData wystawienia: 2025-03-03\n"
        "Razem do zapłaty: 1 230,00 zł\n"
    )
    assert (fields["currency"], fields["total"]) == ("PLN", "1230.00")


def test_a_legal_form_that_leads_the_name_keeps_the_name_whole() -> None:
    text = (
        "SARL Atelier Verre et Lumière\n8 quai Saint-Antoine, 69002 Lyon\n"
        "Facture N° 2024-118 du 03/04/2024\nClient : Mme Claire Martin\n"
        "Total HT      420,00\nTVA 20%        84,00\nNet à payer   504,00 €\n"
    )
    assert _extract(text)[0]["vendor"] == "SARL Atelier Verre et Lumière"


def test_control_a_legal_form_that_ends_the_name_still_cuts_what_follows() -> None:
    text = (
        "Atelier Verre et Lumière SARL au capital de 10 000 €\n69002 Lyon\n"
        "Facture N° 2024-118 du 03/04/2024\nNet à payer   504,00 €\n"
    )
    assert _extract(text)[0]["vendor"] == "Atelier Verre et Lumière SARL"


def test_a_tex_accent_between_label_and_value_is_a_separator() -> None:
    text = (
        "Numero de facture : ´          2024-017-F\nDate de facturation :   01/02/2024\n"
        "Total HT :  90,00 e\nTotal Net TTC :  108,00 e\n"
    )
    fields, _ = _extract(text)
    assert (fields["invoice_number"], fields["total"]) == ("2024-017-F", "108.00")


def test_a_bullet_glyph_before_the_letterhead_name_is_dropped() -> None:
    text = (
        "◆ Brindle Works Inc.                                   Invoice\n"
        "42 Mill Lane                                          #INV-7731\n"
        "Total: $90.00\n"
    )
    assert _extract(text)[0]["vendor"] == "Brindle Works Inc."


def test_co_dot_is_a_legal_form_and_a_page_counter_no_name() -> None:
    text = (
        "Page2de2\nHollins Paper Co.\n18 Quarry Road, Leeds LS2 9JT\nInvoice Number: 66\n"
        "Total: £12.00\n"
    )
    assert _extract(text)[0]["vendor"] == "Hollins Paper Co."


def test_a_word_for_none_is_no_vendor() -> None:
    text = (
        "                                   Numero de bon de commande :   Aucun\n"
        "Facture N° 2024-118 du 03/04/2024\nNet à payer   504,00 €\n"
    )
    assert _extract(text)[0]["vendor"] in (None, "")


def test_a_tax_or_company_number_after_a_tax_word_is_no_tax_amount() -> None:
    assert _values("P. Iva e C.F. 01177710074\n", "tax") == []
    assert _values("N° TVA: FR00437254437 - capital 18668261,18\n", "tax") == []
    assert _values("VAT 12345678\n", "tax") == []


def test_control_plain_amounts_after_their_labels_are_still_read() -> None:
    assert _values("Total: 1200\n", "total") == ["1200"]
    assert _values("Total 0,00\n", "total") == ["0.00"]
    assert _values("IVA 22%  55,00\n", "tax") == ["55.00"]


def test_the_whole_document_reads_no_tax_from_a_tax_number_line() -> None:
    text = (
        "Papeterie Mosaïque SAS\nN° TVA: FR00437254437 - capital 18668261,18\n"
        "Facture N° 2020-55 du 17/02/2020\nTotal T.T.C.   120,00\n"
    )
    assert _extract(text)[0]["tax"] in (None, "")


def test_control_a_lower_case_word_like_a_legal_form_names_no_seller() -> None:
    for sentence in (
        "Spare parts are sold by the piece as agreed.",
        "These goods were sold by us to Harbourview Retail Pty Ltd.",
    ):
        text = BILLED.replace("Billing Address:", sentence + "\nBilling Address:")
        assert _extract(text)[0]["vendor"] in (None, ""), sentence
