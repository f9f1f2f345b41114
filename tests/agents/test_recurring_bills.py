"""Recurring vendor bills (phone, cloud, utility, hotel, marketplace statements): the amount
due printed after the date it is due on, a due date in a phrase, the buyer's company in a
guest or customer block, a bill's sum row. Synthetic text in the style of each kind (names,
numbers and amounts invented), one rule per test, each with a control.
"""

from __future__ import annotations

from tests.agents.conftest import POLICY
from tests.agents.conftest import extracted_values as _extract
from wardflow.agents.extractor import extract_invoice
from wardflow.tools.documents import DocumentText

AMOUNT_DUE_ON = (
    "skyloft                                          Tax Invoice\n"
    "                                                 Invoice Number:  7731904418\n"
    "                                                 Invoice Date:    March 3, 2025\n"
    "Bill to:\n"
    "Orrin Bay Analytics LLC\n"
    "  TOTAL AMOUNT DUE ON March 3, 2025                                $642.10\n"
    "Compute                                                            $512.00\n"
    "Storage                                                             $88.00\n"
    "Estimated Tax                                                       $42.10\n"
    "Skyloft Cloud, Inc. · 12 Pine St · Portland, OR 97204\n"
)


def test_the_year_of_a_date_before_the_amount_due_is_no_amount() -> None:
    assert _extract(AMOUNT_DUE_ON)["total"] == "642.10"


def test_control_an_amount_due_without_a_date_reads_the_amount() -> None:
    text = AMOUNT_DUE_ON.replace("TOTAL AMOUNT DUE ON March 3, 2025", "TOTAL AMOUNT DUE")
    assert _extract(text)["total"] == "642.10"


UTILITY_CHARGES = (
    "Marrow Creek Gas & Water Co.\n"
    "                                        Bill Number              55120987\n"
    "                                        Statement Date           04/08/2025\n"
    "Gas Charges                        Usage            Rate              Charge\n"
    "Customer charge                                                       $9.50\n"
    "Gas delivery                       48 therms        $0.6200          $29.76\n"
    "Gas supply                         48 therms        $0.4100          $19.68\n"
    "                                   Total gas charges                 $58.94\n"
    "                                   Gross receipts tax                 $2.36\n"
    "                                   Total Amount Due                  $61.30\n"
)


def test_a_sum_row_of_a_bills_charges_is_the_subtotal_where_it_adds_up_with_the_tax() -> None:
    fields = _extract(UTILITY_CHARGES)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("58.94", "2.36", "61.30")


def test_control_a_row_that_is_not_the_sum_of_the_rows_over_it_is_no_subtotal() -> None:
    text = UTILITY_CHARGES.replace("$58.94", "$58.49").replace("$61.30", "$60.85")
    assert _extract(text)["subtotal"] is None


FR_BILL = (
    "ondeo                                           Votre facture internet\n"
    "                                                N° de facture :        IF25040311\n"
    "                                                Date de facture :      02/04/2025\n"
    "   Montant à payer                                                    39,99 €\n"
    "   Date limite de paiement : 17/04/2025 – prélèvement automatique\n"
    "                                                Total HT               33,33 €\n"
    "                                                TVA 20 %                6,66 €\n"
    "                                                Total TTC              39,99 €\n"
)


def test_fr_date_limite_de_paiement_is_the_due_date() -> None:
    assert _extract(FR_BILL)["due_date"] == "2025-04-17"


def test_control_fr_another_limit_date_is_no_due_date() -> None:
    text = FR_BILL.replace("Date limite de paiement", "Date limite de validité")
    assert _extract(text)["due_date"] is None


EN_DUE_BY = (
    "larkmoor                                         Your electricity bill\n"
    "                                                 Bill number: 61100482\n"
    "                                                 Bill date: 3 March 2025\n"
    "Amount to pay                    Payment due by\n"
    "£48.30                           24 March 2025\n"
    "                                 Total charges                 £48.30\n"
)


def test_en_payment_due_by_over_its_date_is_the_due_date() -> None:
    assert _extract(EN_DUE_BY)["due_date"] == "2025-03-24"


def test_control_en_a_delivery_by_date_is_no_due_date() -> None:
    text = EN_DUE_BY.replace("Payment due by", "Delivery by   ")
    assert _extract(text)["due_date"] is None


HOTEL_FOLIO = (
    "                                         Hotel Coral Sands Residency\n"
    "                                         7 Beach Road, Kochi 682001\n"
    "TAX INVOICE\n"
    "Guest Name      : Ms. Kavya Rao                       Folio No.   : 30917\n"
    "Company         : Brightline Analytics Pvt Ltd         Bill No.    : CS/25/00318\n"
    "Room No.        : 207                                  Bill Date   : 21-Feb-2025\n"
    "Date        Description                 Nights        Rate          Amount\n"
    "19-Feb      Room Charges - Superior          2     3,800.00        7,600.00\n"
    "                                        Sub Total                  7,600.00\n"
    "                                        CGST @ 6%                    456.00\n"
    "                                        SGST @ 6%                    456.00\n"
    "                                        Grand Total                8,512.00\n"
)


def test_the_company_in_a_guests_block_of_labels_is_the_buyer_not_the_seller() -> None:
    assert _extract(HOTEL_FOLIO)["vendor"] == "Hotel Coral Sands Residency"


def test_control_without_the_guests_company_the_letterhead_is_the_seller() -> None:
    text = HOTEL_FOLIO.replace("Company         : Brightline Analytics Pvt Ltd  ", " " * 48)
    assert _extract(text)["vendor"] == "Hotel Coral Sands Residency"


RIDE_RECEIPT = (
    "Receipt                                                 April 9, 2025\n"
    "Thanks for riding, Alex\n"
    "Receipt #: TR-5521-0087\n"
    "Total                                                          $18.75\n"
    "Trip fare                                                      $15.30\n"
    "Booking fee                                                     $3.45\n"
    "Paid with Mastercard ••••1190                                  $18.75\n"
    "Metroglide Mobility, Inc. · 40 Harbor Way, Oakland, CA 94607\n"
)


def test_a_receipt_title_and_a_thanks_line_are_no_seller_names() -> None:
    assert _extract(RIDE_RECEIPT)["vendor"] == "Metroglide Mobility, Inc."


def test_control_a_receipt_from_a_named_seller_keeps_its_name() -> None:
    text = RIDE_RECEIPT.replace("Receipt     ", "Receipt from Metroglide Mobility, Inc.")
    assert _extract(text)["vendor"] == "Metroglide Mobility, Inc."


WATER_STATEMENT = (
    "Fernhill Water District\n"
    "                                           Statement date: May 2, 2025\n"
    "                                           Account number: 410-2271-09\n"
    "                                           Statement number: 9920114\n"
    "Amount due on May 27, 2025                                       $64.20\n"
    "Water service                                                    $38.10\n"
    "Sewer service                                                    $26.10\n"
)


def test_en_a_statement_number_is_the_bills_number() -> None:
    assert _extract(WATER_STATEMENT)["invoice_number"] == "9920114"


def test_control_en_an_account_number_is_no_bill_number() -> None:
    text = WATER_STATEMENT.replace("Statement number: 9920114", "Meter: 12")
    assert _extract(text)["invoice_number"] is None


def _items(text: str) -> list[tuple[str, str, str, str]]:
    found = extract_invoice(DocumentText((text,), "pdf-text"), [], POLICY)["line_items"]
    return [(i["description"], i["quantity"], i["unit_price"], i["amount"]) for i in found]


CLOUD_SUMMARY = (
    "skyloft                                          Tax Invoice\n"
    "                                                 Invoice Number:  7731904418\n"
    "                                                 Invoice Date:    March 3, 2025\n"
    "Summary\n"
    "Compute                                                            $512.00\n"
    "Object Storage                                                      $88.00\n"
    "Charges                                                            $600.00\n"
    "Estimated Tax                                                       $42.00\n"
    "Total for this invoice                                             $642.00\n"
)


def test_the_charges_over_a_bills_sum_row_are_its_line_items() -> None:
    assert _items(CLOUD_SUMMARY) == [
        ("Compute", "1", "512.00", "512.00"),
        ("Object Storage", "1", "88.00", "88.00"),
    ]


def test_control_charges_that_do_not_add_up_to_the_row_under_them_are_no_items() -> None:
    assert _items(CLOUD_SUMMARY.replace("$88.00", "$86.00")) == []


def test_a_usage_and_a_rate_in_pence_whose_product_is_the_charge_are_quantity_and_price() -> None:
    text = (
        "Your charges                      Units          Unit rate          Cost\n"
        "Electricity used                  312 kWh        24.50p           £76.44\n"
        "Standing charge                   28 days        53.35p           £14.94\n"
        "                                  Charges before VAT              £91.38\n"
        "                                  VAT at 5%                        £4.57\n"
        "                                  Total charges                   £95.95\n"
    )
    assert _items(text) == [
        ("Electricity used", "312", "0.245", "76.44"),
        ("Standing charge", "28", "0.5335", "14.94"),
    ]


def test_control_a_totals_block_that_adds_up_is_no_line_items() -> None:
    text = (
        "Invoice No. 5512                                  Date: 03/03/2025\n"
        "                                  Subtotal                        £91.38\n"
        "                                  VAT                              £4.57\n"
        "                                  Total                           £95.95\n"
    )
    assert _items(text) == []


MARKETPLACE = (
    "Tax Invoice\n"
    "Sold By: Kaveri Kitchenware Pvt. Ltd.                 Invoice Number:   KA-IN-2025-0042\n"
    "GSTIN - 29AAACK1234F1Z5                               Invoice Date:     03-03-2025\n"
    "Billing Address                          Shipping Address\n"
    "Anil Rao                                 Anil Rao\n"
    "Indiranagar, Bengaluru 560038            Indiranagar, Bengaluru 560038\n"
    "Product                  Qty  Taxable Value ₹       IGST ₹        Total ₹\n"
    "Pressure Cooker 5L         1         1,694.92       305.08       2,000.00\n"
    "                       Total         1,694.92       305.08       2,000.00\n"
    "                                         Grand Total    ₹ 2,000.00\n"
)


def test_a_column_title_with_its_currency_sign_reads_the_amounts_under_it() -> None:
    fields = _extract(MARKETPLACE)
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("1694.92", "305.08", "2000.00")


def test_control_a_column_title_with_its_currency_code_reads_the_amounts_under_it() -> None:
    fields = _extract(MARKETPLACE.replace("Value ₹", "Value INR").replace("IGST ₹", "IGST INR"))
    assert (fields["subtotal"], fields["tax"], fields["total"]) == ("1694.92", "305.08", "2000.00")


def test_an_address_with_a_postal_code_over_a_label_is_no_value_above_it() -> None:
    text = MARKETPLACE.replace("Value ₹", "Value  ").replace("IGST ₹", "IGST  ")
    text = text.replace("  1,694.92       305.08", "  1,694.92 x     305.08 x")
    assert _extract(text)["subtotal"] != "560038.00"


NET_GROSS = (
    "Ihre Rechnung für März 2025                     Rechnungsnummer   6620019934\n"
    "                                                Rechnungsdatum    04.03.2025\n"
    "Leistung                                        Netto             Brutto\n"
    "Grundgebühr Glasfaser 250                       42,01 €           49,99 €\n"
    "Telefon-Flatrate                                 4,20 €            5,00 €\n"
    "                                Summe netto                      46,21 €\n"
    "                                Umsatzsteuer 19 %                 8,78 €\n"
    "                                Rechnungsbetrag                  54,99 €\n"
)


def test_rows_under_net_and_gross_columns_are_items_at_their_net_amounts() -> None:
    assert _items(NET_GROSS) == [
        ("Grundgebühr Glasfaser 250", "1", "42.01", "42.01"),
        ("Telefon-Flatrate", "1", "4.20", "4.20"),
    ]


def test_control_rows_under_one_amount_column_are_items_as_before() -> None:
    text = NET_GROSS.replace("Netto ", "Betrag").replace("Brutto", "      ")
    text = text.replace("49,99 €", "       ")
    text = text.replace(" 5,00 €", "       ")
    assert _items(text) == [
        ("Grundgebühr Glasfaser 250", "1", "42.01", "42.01"),
        ("Telefon-Flatrate", "1", "4.20", "4.20"),
    ]


def test_control_zeros_beside_a_bank_block_are_no_line_items() -> None:
    text = (
        "INVOICE NUMBER 40517       INVOICE DATE 12/30/2024\n"
        "Wire Transfer to:                                   LESS DISCOUNT          0.00\n"
        "Chase Bank               Acct. No 304612847         FREIGHT                0.00\n"
        "1 Plaza, New York        Reference: Invoice No.     SALES TAX              0.00\n"
        "                                                    INVOICE TOTAL      $1,250.00\n"
    )
    assert _items(text) == []


GST_LETTERHEAD = (
    "                                         Hotel Coral Sands Residency\n"
    "                                         7 Beach Road, Kochi 682001\n"
    "                                         GSTIN: 32AABCC1234D1Z7\n"
    "TAX INVOICE\n"
    "Name            : Ms. Kavya Rao                        Bill No.    : CS/25/00318\n"
    "Firm            : Brightline Analytics Pvt Ltd         Bill Date   : 21-Feb-2025\n"
    "                                        Grand Total                8,512.00\n"
)


def test_in_the_block_over_a_gstin_is_the_sellers() -> None:
    assert _extract(GST_LETTERHEAD)["vendor"] == "Hotel Coral Sands Residency"


def test_control_in_a_gstin_in_the_buyers_block_gives_the_buyer_no_credit() -> None:
    text = GST_LETTERHEAD.replace("GSTIN: 32AABCC1234D1Z7", "Tel. 0484 2660 100")
    text = text.replace("Firm            : Brightline Analytics Pvt Ltd ", " " * 48)
    text += "Bill To:\nBrightline Analytics Pvt Ltd\nGSTIN: 32AAFCB4321K1Z3\n"
    assert _extract(text)["vendor"] == "Hotel Coral Sands Residency"
