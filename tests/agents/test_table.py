"""Line-item tables read from laid-out text: columns, wrapped and centred descriptions,
price bases, allowances, bundles and the end of the table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from wardflow.agents._item_sums import item_sums
from wardflow.agents._table import read_table
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText


def _rows(text: str) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    return [(i.description, i.quantity, i.unit_price, i.amount) for i in read_table(text).items]


def test_description_wraps_in_its_column_and_the_table_ends_at_the_subtotal() -> None:
    text = (
        " Description                                   Quantity      Unit price        Amount\n"
        " Electrical safety inspection,                      120            6.50        780.00\n"
        " portable devices\n"
        " Electrician labour (hours)                           5           73.00        365.00\n"
        "                                               Net amount                   1,145.00\n"
        "                                               VAT 19%                        217.55\n"
    )
    assert _rows(text) == [
        ("Electrical safety inspection, portable devices", Decimal("120"), Decimal("6.50"),
         Decimal("780.00")),
        ("Electrician labour (hours)", Decimal("5"), Decimal("73.00"), Decimal("365.00")),
    ]


def test_columns_decide_quantity_and_price_in_any_order() -> None:
    # German order: net price before quantity; a position column before the name.
    text = (
        "Pos   Beschreibung             Nettopreis     Menge Einheit    Steuersatz    Nettobetrag\n"
        "1     Kiesschicht                    9,00       250 m²              19%       2.250,00\n"
        "2     Gerüst                       300,00         2 Stk             19%         600,00\n"
        "                                 Rechnungssumme netto                         2.850,00\n"
    )
    assert _rows(text) == [
        ("Kiesschicht", Decimal("250"), Decimal("9.00"), Decimal("2250.00")),
        ("Gerüst", Decimal("2"), Decimal("300.00"), Decimal("600.00")),
    ]


def test_details_under_a_name_are_kept_apart_and_broken_words_joined() -> None:
    text = (
        "Pos   Beschreibung             Nettopreis     Menge Einheit    Steuersatz    Nettobetrag\n"
        "1     GWDSTG-DIN976-                 2,06        25 Stk             19%          51,50\n"
        "      A-4.8-M10X1000\n"
        "      Bruttopreis :2,06\n"
        "      • Beschreibung: Gewindestange\n"
        "2     Lieferung und Montage      1.000,00         1 Stk             19%       1.000,00\n"
        "      Bauträger\n"
        "      • Berechnungszeitraum: 01.06.2025 bis 31.10.2025\n"
    )
    items = read_table(text).items
    assert [i.description for i in items] == ["GWDSTG-DIN976-A-4.8-M10X1000",
                                             "Lieferung und Montage Bauträger"]
    assert "Berechnungszeitraum" in items[1].detail


def test_a_name_drawn_above_its_row_and_a_price_per_basis() -> None:
    # The name is centred on the row (above the numbers, a period below); the second
    # item's price is for 3 pieces and the row carries its own allowance.
    text = (
        "Ligne  DESIGNATION                      P.U. HT      UNIT       Qté    Remise      TOTAL HT\n"
        "       PRESTATION SUPPORT - Description\n"
        "  1                                       60,00       PCE      1,00                  60,00\n"
        "       Période de 01/01/2022 au 31/01/2022\n"
        "       FOURNITURES PAPIER - Description\n"
        "  2                                       30,00     3 PCE      3,00     -2,00        28,00\n"
        "       Période de 01/01/2022 au 31/01/2022\n"
        "       REMISE : REMISE COMMERCIALE          5,00% sur 100,00 EUR                     -5,00\n"
        "                                                                       TOTAL HT      83,00\n"
    )
    reading = read_table(text)
    assert [(i.description, i.quantity, i.unit_price, i.amount, i.basis) for i in reading.items] \
        == [("PRESTATION SUPPORT", Decimal("1.00"), Decimal("60.00"), Decimal("60.00"),
             Decimal(1)),
            ("FOURNITURES PAPIER", Decimal("3.00"), Decimal("30.00"), Decimal("28.00"),
             Decimal(3))]
    assert reading.items[1].adjustment == Decimal("-2.00")
    assert reading.adjustments == [Decimal("-5.00")]
    assert Decimal("83.00") in item_sums(reading.items, reading.adjustments)


def test_per_hundred_prices_and_rows_that_do_not_add_up() -> None:
    text = (
        "Description            Unit price      Qty       Amount\n"
        "Screws M10                  49,29      150        73,94\n"
        "Looks like a row            10,00        3        99,00\n"
        "Subtotal                                          73,94\n"
    )
    items = read_table(text).items
    assert [(i.description, i.basis) for i in items] == [("Screws M10", Decimal(100))]


def test_a_one_line_name_with_a_dash_is_kept_whole() -> None:
    text = (
        " Description                                        Qty     Unit price       Amount\n"
        " Road freight Rotterdam - Hamburg, full load          2         685.00     1,370.00\n"
        "                                                  Subtotal                1,370.00\n"
    )
    assert _rows(text)[0][0] == "Road freight Rotterdam - Hamburg, full load"


def test_no_header_no_table() -> None:
    assert read_table("Widget  2  10,00  20,00\nTotal 20,00\n").items == []


def test_bundle_rows_are_not_counted_twice() -> None:
    text = (
        "Pos   Beschreibung             Nettopreis     Menge Einheit    Steuersatz    Nettobetrag\n"
        "1     Kaffee-Display               108,00         2 Stk              0%         216,00\n"
        "1.1   Kenia Röstung                  5,00         6 Stk              7%          30,00\n"
        "1.2   Dunkle Röstung                 5,00        12 Stk              7%          60,00\n"
        "1.3   Colombia Bundle               21,00         6 Stk              0%         126,00\n"
        "1.3.1  Colombia Roast                5,00        18 Stk              7%          90,00\n"
        "1.3.2  Becher                        2,00        18 Stk             19%          36,00\n"
        "                                           Positionssumme                       216,00\n"
    )
    reading = read_table(text)
    assert len(reading.items) == 6
    assert item_sums(reading.items) == [Decimal("558.00"), Decimal("216.00")]


def test_table_items_check_against_the_subtotal_in_the_extraction() -> None:
    text = (
        "Lieferant GmbH                                     Rechnung Nr. 2026-17\n"
        "                                                   Rechnungsdatum: 02.03.2026\n"
        "Pos   Beschreibung             Nettopreis     Menge Einheit    Steuersatz    Nettobetrag\n"
        "1     Kaffee-Display               108,00         2 Stk              0%         216,00\n"
        "1.1   Kenia Röstung                  5,00         6 Stk              7%          30,00\n"
        "1.2   Dunkle Röstung                 5,00        37 Stk              7%         185,00\n"
        "1.3   Becher                         1,00         1 Stk              7%           1,00\n"
        "                                           Rechnungssumme netto                 216,00\n"
        "                                           MwSt. 7%                              15,12\n"
        "                                           Rechnungssumme brutto EUR            231,12\n"
    )
    result = extract_invoice(DocumentText((text,), "pdf-text"), [],
                             ExtractionPolicy(today=date(2026, 3, 10)))
    assert len(result["line_items"]) == 4
    check = next(c for c in result["checks"] if c["name"] == "line_items_sum")
    assert check["passed"], check


def test_whole_number_rows_are_read_under_the_amount_column() -> None:
    # A centred description title over names that start at the margin; no decimals.
    text = (
        "                DESCRIPTION                 QTY/HR        UNIT PRICE        TOTAL\n"
        "Call-out on 12 May                              3                 5           20\n"
        "Installed new kitchen sink (hours)              8                90          720\n"
        "Smart thermostat                                2               145          290\n"
        "                                                          SUBTOTAL          1010\n"
    )
    assert _rows(text) == [
        ("Installed new kitchen sink (hours)", Decimal(8), Decimal(90), Decimal(720)),
        ("Smart thermostat", Decimal(2), Decimal(145), Decimal(290)),
    ]


def test_a_whole_number_outside_the_amount_column_is_no_amount() -> None:
    text = (
        "Description                    Qty        Unit price          Amount        VAT\n"
        "Storage boxes                    4                 5                         20\n"
        "                                              Total              20.00\n"
    )
    assert _rows(text) == []


def test_rows_without_a_quantity_column_are_a_price_less_its_discount() -> None:
    text = (
        "   Date            Description            Price       Discount       Line Total\n"
        "   12/4/2020       Coaching session       $1,000           10%           $1,000\n"
        "   12/5/2020       Manager Training       $3,500             -           $3,500\n"
        "   12/11/2020      Leadership Training    $4,500           25%           $3,375\n"
        "                                          Subtotal                      $10,375\n"
    )
    assert _rows(text) == [
        ("Manager Training", Decimal(1), Decimal(3500), Decimal(3500)),
        ("Leadership Training", Decimal(1), Decimal(4500), Decimal(3375)),
    ]


def test_a_price_run_into_the_description_cell_is_split_off() -> None:
    # one space between the name and the price: one cell that crosses into the price column
    text = (
        "Item Code   Item Desc.            Unit Price      Quantity        Total\n"
        "PPR006      UNIV. A4 80gsm        25.86           5               129.30\n"
        "ES40        SHIP. LABEL 54x101mm 136.00           1               136.00\n"
        "ML10109     BUBBLE POSTAL BAG W 20.88             5               104.40\n"
        "Total Pcs.: 11                            Total Price: 369.70\n"
    )
    assert _rows(text) == [
        ("PPR006 UNIV. A4 80gsm", Decimal(5), Decimal("25.86"), Decimal("129.30")),
        ("ES40 SHIP. LABEL 54x101mm", Decimal(1), Decimal("136.00"), Decimal("136.00")),
        ("ML10109 BUBBLE POSTAL BAG W", Decimal(5), Decimal("20.88"), Decimal("104.40")),
    ]


def test_a_lone_e_after_an_amount_is_the_tex_euro_sign_not_a_unit() -> None:
    text = (
        "Leistung                        Stunden      Satz      Betrag\n"
        "Planung Hinkelstein               14,0     20,00 e     280,00 e\n"
        "Serienproduktion                 125,0     20,00 e   2 500,00 e\n"
        "Anfahrt                              1     0,30 e/km    135,00 e\n"
        "                              Summe Netto            2 780,00 e\n"
    )
    assert _rows(text) == [
        ("Planung Hinkelstein", Decimal("14.0"), Decimal("20.00"), Decimal("280.00")),
        ("Serienproduktion", Decimal("125.0"), Decimal("20.00"), Decimal("2500.00")),
    ]


def test_a_description_does_not_wrap_over_a_page_break() -> None:
    text = (
        "Description                      Qty      Unit price        Amount\n"
        "Mail box 455x320x55                4           38.54        154.16\n"
        "large\f"
        "Northwind Traders Ltd.\n"
        "Description                      Qty      Unit price        Amount\n"
        "Stretchwrap roll                   5           16.62         83.10\n"
        "                                            Subtotal        237.26\n"
    )
    assert [i.description for i in read_table(text).items] == [
        "Mail box 455x320x55 large", "Stretchwrap roll"]


def test_a_vat_rate_on_a_row_without_quantity_is_no_discount() -> None:
    text = (
        "Description                 Price       VAT        Amount\n"
        "Annual licence           1,200.00       19%      1,200.00\n"
        "Support plan               300.00       19%        243.00\n"
        "                         Net total               1,200.00\n"
    )
    assert _rows(text) == [("Annual licence", Decimal(1), Decimal("1200.00"),
                            Decimal("1200.00"))]


_UNMULTIPLIED = (
    " No   Description           Duration   Quantity     Price     Total\n"
    "  1   Gear housing                            2    150.00    300.00\n"
    "  2   Fitting                      90         1     40.00     60.00\n"
    "                                                Subtotal:    {sum}\n"
)


def test_a_row_that_does_not_multiply_out_is_read_as_printed_when_the_rows_add_up() -> None:
    assert _rows(_UNMULTIPLIED.format(sum="360.00")) == [
        ("Gear housing", Decimal(2), Decimal("150.00"), Decimal("300.00")),
        ("Fitting", Decimal(1), Decimal("40.00"), Decimal("60.00")),
    ]


def test_a_row_that_does_not_multiply_out_is_no_item_when_the_rows_miss_the_sum() -> None:
    assert [r[0] for r in _rows(_UNMULTIPLIED.format(sum="300.00"))] == ["Gear housing"]


def test_names_left_of_a_centred_description_title_after_the_quantity_column() -> None:
    text = (
        "   QUANTITY                      DESCRIPTION               UNIT PRICE      TOTAL\n"
        "2              Consulting hours                                 30.00      60.00\n"
        "1              Printing                                         10.00      10.00\n"
        "                                                     SUBTOTAL              70.00\n"
    )
    assert _rows(text) == [
        ("Consulting hours", Decimal(2), Decimal("30.00"), Decimal("60.00")),
        ("Printing", Decimal(1), Decimal("10.00"), Decimal("10.00")),
    ]


def _items_check(discount: str) -> dict[str, object]:
    text = (
        "Harbour Plumbing Ltd                                       INVOICE\n"
        "                                             Invoice No:   INV-0307\n"
        "                                             Invoice Date: 03/02/2026\n"
        "      DESCRIPTION                     QTY/HR        UNIT PRICE        TOTAL\n"
        "Boiler service (hours)                     4                90          360\n"
        "Radiator valves                            6                15           90\n"
        "                                                 SUBTOTAL               450\n"
        f"                                                 DISCOUNT              {discount}\n"
        "                                            LESS DISCOUNT               440\n"
        "                                                TOTAL TAX             30.80\n"
        "                                              BALANCE DUE           $470.80\n"
    )
    result = extract_invoice(DocumentText((text,), "pdf-text"), [],
                             ExtractionPolicy(today=date(2026, 3, 10)))
    assert result["fields"]["subtotal"]["value"] == "440.00"
    return next(c for c in result["checks"] if c["name"] == "line_items_sum")


def test_a_document_discount_between_the_items_and_the_subtotal_is_accounted_for() -> None:
    check = _items_check(" 10")
    assert check["passed"], check
    assert "DISCOUNT 10" in str(check["detail"])


def test_a_discount_that_does_not_explain_the_difference_hides_no_error() -> None:
    check = _items_check("  9")
    assert not check["passed"], check


_GROUPS = (
    "Leistung                      Stunden      Satz      Betrag\n"
    "Planung                         10,0     20,00 €   200,00 €\n"
    "Zwischensumme 200,00 €\n"
    "Reisen                        Fahrten   Pauschale    Betrag\n"
    "Werk–Baustelle                   1       0,30 €/km 60,00 €\n"
    "Sonstiges                                            Betrag\n"
    "Verladung                                          40,00 €\n"
    "                                    Summe Netto   {net} €\n"
)


def test_amount_only_groups_are_read_where_they_add_up_with_the_sum_carried_over() -> None:
    assert _rows(_GROUPS.format(net="300,00")) == [
        ("Planung", Decimal("10.0"), Decimal("20.00"), Decimal("200.00")),
        ("Werk–Baustelle", Decimal(1), Decimal("60.00"), Decimal("60.00")),
        ("Verladung", Decimal(1), Decimal("40.00"), Decimal("40.00")),
    ]


def test_amount_only_groups_that_miss_the_printed_sum_are_no_items() -> None:
    assert [r[0] for r in _rows(_GROUPS.format(net="310,00"))] == ["Planung"]


# An Indian GST table: HSN codes, a GST rate and the CGST and SGST amounts; each row's
# amount includes its tax. Zero filler rows are no items.
_GST_TABLE = (
    "  Description      HSN Code     Quantity    Rate     GST%      CGST     SGST         Total\n"
    "tomato                   564         100     30.00       12     180.00    180.00      3360.00\n"
    "carrot                   564          4      15.00       18      5.40      5.40        70.80\n"
    "                                      1       0.00       0       0.00      0.00        0.00\n"
    "                                      1       0.00       0       0.00      0.00        0.00\n"
    "  Grand Total\n"
    "  Total CGST: 185.40\n"
)


def test_gst_rows_include_their_tax_and_zero_filler_rows_are_no_items() -> None:
    items = read_table(_GST_TABLE).items
    assert _rows(_GST_TABLE) == [
        ("tomato", Decimal("100"), Decimal("30.00"), Decimal("3360.00")),
        ("carrot", Decimal("4"), Decimal("15.00"), Decimal("70.80")),
    ]
    assert [i.tax for i in items] == [Decimal("360.00"), Decimal("10.80")]
    # the net sum the rows mean is without their tax
    assert Decimal("3060.00") in item_sums(items)


def test_a_gross_amount_needs_the_rate_on_the_row() -> None:
    # control: the same row with an amount its rate does not give is no item
    text = _GST_TABLE.replace("3360.00", "3370.00").replace("70.80", "70.90")
    assert _rows(text) == []


def test_a_tax_rate_column_titled_in_percent_reads_a_gross_amount() -> None:
    text = (
        "  #              Date     Description        Price    Quantity        Tax        Total\n"
        "   2      September 15    Hardware            $500            3    7.025%    $1,605.38\n"
    )
    assert _rows(text) == [("Hardware", Decimal("3"), Decimal("500"), Decimal("1605.38"))]
    assert read_table(text).items[0].tax == Decimal("105.38")
    # control: without the rate the row does not add up
    assert _rows(text.replace("7.025%", "      ")) == []


def test_an_amount_in_parentheses_is_negative() -> None:
    text = (
        "  #              Date     Description        Price    Quantity        Tax        Total\n"
        "   1    September 1-30    Website          $12,500                             $12,500\n"
        "   3      September 15    Voucher           ($100)                              ($100)\n"
        "                                                                TOTAL       $12,400\n"
    )
    rows = _rows(text)
    assert rows[-1] == ("Voucher", Decimal("1"), Decimal("-100"), Decimal("-100"))
    # control: a price in parentheses with a positive amount does not add up
    assert _rows(text.replace("($100)\n", "$100\n"))[-1][0] != "Voucher"


def test_gst_table_with_taxable_value_and_a_rate_per_tax_part() -> None:
    # HSN/SAC codes, the taxable value, then CGST and SGST each with its rate and amount;
    # the last column is the amount with both parts of the tax.
    text = (
        "Description   HSN/SAC   Qty     Rate   Taxable Value  CGST %  CGST Amt  SGST %  SGST Amt"
        "     Amount\n"
        "Laptop stand   8473      2    500.00        1,000.00     9%      90.00      9%     90.00"
        "   1,180.00\n"
        "Cable set      8544      4     25.00          100.00     6%       6.00      6%      6.00"
        "     112.00\n"
    )
    assert _rows(text) == [
        ("Laptop stand", Decimal("2"), Decimal("500.00"), Decimal("1180.00")),
        ("Cable set", Decimal("4"), Decimal("25.00"), Decimal("112.00")),
    ]
    # control: an amount that is neither net nor net plus both parts is no item
    assert _rows(text.replace("112.00", "113.00")) == _rows(text)[:1]


def test_czech_column_titles() -> None:
    text = (
        "Označení dodávky                  Počet m.j.   Cena za m.j.   DPH %        Bez DPH\n"
        "Webhosting 2024                        12.00         150,00      21       1 800,00\n"
        "Registrace domény                       1.00         250,00      21         250,00\n"
        "                                 Celkem bez DPH                           2 050,00\n"
    )
    assert _rows(text) == [
        ("Webhosting 2024", Decimal("12.00"), Decimal("150.00"), Decimal("1800.00")),
        ("Registrace domény", Decimal("1.00"), Decimal("250.00"), Decimal("250.00")),
    ]
    # control: a description title without any column of numbers is no table
    assert _rows("Označení dodávky                  Poznámka\nWebhosting   viz smlouva\n") == []


def test_a_lone_price_column_reads_amount_only_rows_that_add_up_to_the_sum() -> None:
    text = (
        " Pos. Beschreibung                                                      Preis\n"
        "    1. Service                                                        200.00$\n"
        "    2. Other Service.                                                 150.00$\n"
        "                                                             Summe: 350.00$\n"
    )
    assert _rows(text) == [
        ("Service", Decimal("1"), Decimal("200.00"), Decimal("200.00")),
        ("Other Service.", Decimal("1"), Decimal("150.00"), Decimal("150.00")),
    ]
    # control: rows that do not add up to the printed sum are not taken
    assert _rows(text.replace("350.00$", "360.00$")) == []
