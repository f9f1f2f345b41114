"""Reading parties and totals the way a fresh invoice set showed them missed: a block
label is never the seller, the seller is the label's value, and a buyer, a bank or a tax
label is never the seller. Synthetic text in the style of each miss (names, numbers and
amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

import pytest

from wardflow.agents._party import find_seller


def _seller(text: str) -> str | None:
    seller = find_seller(text)
    return seller.name if seller is not None else None


@pytest.mark.parametrize("label", ["Crediteur", "Leverancier", "Dodavatel", "Verkäufer", "Seller"])
def test_a_seller_block_label_is_not_the_seller_its_value_is(label: str) -> None:
    text = (
        f"  {label}                                  Factuurnummer: 2231\n"
        "  Tulpenhof Trading                          Factuurdatum: 03-02-2026\n"
        "  Keizersgracht 12\n"
        "  1015CJ Amsterdam\n"
        "  Afnemer                                    Debiteur\n"
        "  Bakkerij Molenaar                          Bakkerij Molenaar\n"
    )
    assert _seller(text) == "Tulpenhof Trading"


def test_control_a_block_label_alone_gives_no_seller() -> None:
    text = "  Crediteur                     Factuurnummer: 2231\n  Debiteur\n"
    assert _seller(text) is None


@pytest.mark.parametrize(
    "header", ["Debiteur", "Odběratel", "Afnemer", "Bill to", "An", "Rechnung an"]
)
def test_an_addressee_block_is_never_the_seller(header: str) -> None:
    text = f"Invoice 4411\n{header}\nContoso Holding B.V.\nHavenstraat 9\n\nTotal 100.00\n"
    assert _seller(text) != "Contoso Holding B.V."


def test_control_the_same_block_without_an_addressee_header_is_the_seller() -> None:
    text = "Invoice 4411\n\nContoso Holding B.V.\nHavenstraat 9\n\nTotal 100.00\n"
    assert _seller(text) == "Contoso Holding B.V."


def test_a_seller_labelled_by_shop_name_in_lower_case_not_a_gst_column() -> None:
    text = (
        "                                 Tax Invoice\n"
        "  Date: 04-03-2026\n"
        "  Shop Name: ganesh provision store\n"
        "  Shop Address: ring road\n"
        "  Customer Name: ravi kumar\n"
        "   Description      HSN Code     Quantity   Rate     GST%     CGST     SGST        Total\n"
        "rice                 1006         2      50.00      5       2.50     2.50      105.00\n"
        "  Total CGST: 2.50\n"
        "  Total SGST: 2.50\n"
        "  Total: 105.00\n"
    )
    assert _seller(text) == "ganesh provision store"


@pytest.mark.parametrize("word", ["CGST", "SGST", "IGST", "GST", "VAT", "BTW", "DPH"])
def test_a_tax_column_header_is_no_seller(word: str) -> None:
    assert _seller(f"  {word}\n  0.10\n") is None


def test_control_a_name_with_a_tax_word_and_a_legal_form_is_a_seller() -> None:
    text = "  Tax Partners LLC\n  Description   Qty   Total\n  advice   1   10.00\n"
    assert _seller(text) == "Tax Partners LLC"


def test_a_bank_name_next_to_its_label_is_not_the_seller() -> None:
    text = (
        "                                        Faktura 20260012\n"
        "DODAVATEL                               ODBĚRATEL\n"
        "Modrá louka s.r.o.                      Zelený kopec s.r.o.\n"
        "Lipová 12                               Dlouhá 5\n"
        "IČ               12345678               IČ              87654321\n"
        "IBAN              CZ6508000000192000145399\n"
        "Název banky                         Horizon Bank S.A.\n"
    )
    assert _seller(text) == "Modrá louka s.r.o."


def test_control_without_the_seller_label_the_bank_is_still_not_the_seller() -> None:
    text = (
        "Faktura 20260012\n"
        "Modrá louka s.r.o.\n"
        "Lipová 12\n"
        "Bank:      Horizon Bank S.A.\n"
        "Název banky      Horizon Bank S.A.\n"
    )
    assert _seller(text) == "Modrá louka s.r.o."


def test_the_addressee_of_a_salutation_is_not_the_seller() -> None:
    text = (
        "                                       Hafenblick Studio\n"
        "                                       Seestraße 2\n"
        "                                       UID: ATU12345678\n"
        "  Rosenthal GmbH\n"
        "  Gartenweg 5\n"
        "     Rechnung 2026-004                     Rechnungsdatum: 2026-03-01\n"
        "Guten Tag Rosenthal GmbH,\n"
        "hiermit erhalten Sie Ihre Rechnung.\n"
    )
    assert _seller(text) == "Hafenblick Studio"


def test_control_a_salutation_of_a_person_excludes_no_company() -> None:
    text = (
        "  Rosenthal GmbH\n"
        "  Gartenweg 5\n"
        "     Rechnung 2026-004                     Rechnungsdatum: 2026-03-01\n"
        "Guten Tag Frau Berger,\n"
    )
    assert _seller(text) == "Rosenthal GmbH"


@pytest.mark.parametrize("title", ["Debet Factuur", "Tax Invoice", "Proforma Rechnung"])
def test_a_document_title_is_no_seller(title: str) -> None:
    assert _seller(f"  Leverancier               {title}\n  Factuurnummer: 1\n") is None
