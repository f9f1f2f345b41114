"""Kinds of real invoices read from where their text sits: a number under a bare title, a
header row of label cells over a row of values, a value printed above its label, a tax
summary table per rate with its sum row. Synthetic text in the style of each kind (names,
numbers and amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

from datetime import date

from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText

POLICY = ExtractionPolicy(today=date(2026, 11, 25))


def _extract(text: str) -> dict[str, object]:
    result = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)
    fields = result["fields"]
    assert isinstance(fields, dict)
    return {name: f["value"] for name, f in fields.items()}


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
