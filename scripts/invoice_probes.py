"""Probe invoices of common real kinds, written as PDFs and read by the extractor.

Authored for the extraction work of issue 15 (names, numbers and amounts invented; no
text copied from any data set): a Spanish factura, a Polish faktura VAT, a Dutch factuur
with a BTW summary table, a German Rechnung with a VAT table per rate, a French facture
with a header row over its values, values printed above their labels, a number under a
bare title, a letterhead name over two lines, credit notes, a Swiss invoice, views of
German and French e-invoices, and more. Each probe carries the fields a reader expects.

    PYTHONPATH=$PWD python scripts/invoice_probes.py [OUT_DIR] [--only bill_]

writes the PDFs (and their expected fields as JSON) to OUT_DIR (a temporary folder by
default), reads each with ``read_document`` and ``extract_invoice`` and prints what
differs from the expected fields.
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
FIELDS = (
    "vendor",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "subtotal",
    "tax",
    "total",
)
Item = tuple[Any, ...]


def pdf(items: list[Item]) -> bytes:
    """A one-page PDF with each text at its (x, y) in mm, size and style."""
    from fpdf import FPDF

    p = FPDF()
    p.add_page()
    p.add_font("dv", "", FONT)
    p.add_font("dv", "B", BOLD)
    for x, y, text, *rest in items:
        size = rest[0] if rest else 9
        p.set_font("dv", rest[1] if len(rest) > 1 else "", size)
        p.set_xy(x, y)
        p.cell(0, size * 0.45, text)
    return bytes(p.output())


def rows(
    x: float, y: float, lines: list[str], dy: float = 5, size: int = 9, style: str = ""
) -> list[Item]:
    return [(x, y + i * dy, line, size, style) for i, line in enumerate(lines)]


def cols(y: float, cells: list[tuple[float, str]], size: int = 9, style: str = "") -> list[Item]:
    return [(x, y, t, size, style) for x, t in cells]


PROBES: dict[str, tuple[list[Item], dict[str, str | None]]] = {}

# 1 Spanish factura
PROBES["es_factura"] = (
    [(15, 15, "Talleres Berrocal S.L.", 14, "B"), (150, 15, "FACTURA", 14, "B")]
    + rows(15, 24, ["C/ Mayor 14, 46001 Valencia", "CIF: B96123450", "Tel. 963 000 111"])
    + rows(
        120,
        30,
        ["Nº factura: F-2024/0187", "Fecha: 05/03/2024", "Fecha de vencimiento: 04/04/2024"],
    )
    + rows(
        15,
        50,
        [
            "Cliente:",
            "Distribuciones Lorca S.A.",
            "NIF: A30111222",
            "Av. del Puerto 3, 30001 Murcia",
        ],
    )
    + cols(80, [(15, "Concepto"), (100, "Cantidad"), (130, "Precio"), (165, "Importe")], style="B")
    + cols(
        87, [(15, "Reparación bomba hidráulica"), (105, "2"), (130, "150,00"), (165, "300,00 €")]
    )
    + cols(93, [(15, "Mano de obra (horas)"), (105, "4"), (130, "45,00"), (165, "180,00 €")])
    + cols(110, [(120, "Base imponible"), (165, "480,00 €")])
    + cols(116, [(120, "IVA 21 %"), (165, "100,80 €")])
    + cols(122, [(120, "Total factura"), (165, "580,80 €")], style="B")
    + rows(15, 140, ["Forma de pago: transferencia ES91 2100 0418 4502 0005 1332"]),
    dict(
        vendor="Talleres Berrocal S.L.",
        invoice_number="F-2024/0187",
        invoice_date="2024-03-05",
        due_date="2024-04-04",
        currency="EUR",
        subtotal="480.00",
        tax="100.80",
        total="580.80",
    ),
)
# 2 Polish faktura VAT
PROBES["pl_faktura"] = (
    [(15, 15, "Faktura VAT nr FV/2024/03/017", 14, "B")]
    + rows(
        120,
        25,
        [
            "Data wystawienia: 2024-03-05",
            "Miejsce wystawienia: Kraków",
            "Data sprzedaży: 05.03.2024",
        ],
    )
    + cols(45, [(15, "Sprzedawca:"), (110, "Nabywca:")], style="B")
    + cols(51, [(15, "Zakład Stolarski Dębowy Sp. z o.o."), (110, "Biuro Rachunkowe Kowalczyk")])
    + cols(56, [(15, "ul. Lipowa 7, 30-001 Kraków"), (110, "ul. Polna 3, 00-001 Warszawa")])
    + cols(61, [(15, "NIP: 676-000-00-04"), (110, "NIP: 525-000-11-22")])
    + cols(
        75,
        [
            (15, "Lp."),
            (25, "Nazwa"),
            (80, "Ilość"),
            (97, "Cena netto"),
            (122, "Wartość netto"),
            (150, "VAT"),
            (165, "Wartość brutto"),
        ],
        size=8,
        style="B",
    )
    + cols(
        81,
        [
            (15, "1"),
            (25, "Stół dębowy"),
            (83, "1"),
            (97, "2 000,00"),
            (122, "2 000,00"),
            (150, "23%"),
            (165, "2 460,00"),
        ],
        size=8,
    )
    + cols(
        86,
        [
            (15, "2"),
            (25, "Krzesło"),
            (83, "4"),
            (97, "250,00"),
            (122, "1 000,00"),
            (150, "23%"),
            (165, "1 230,00"),
        ],
        size=8,
    )
    + cols(
        94,
        [(97, "Razem:"), (122, "3 000,00"), (150, "690,00"), (165, "3 690,00")],
        size=8,
        style="B",
    )
    + rows(
        15,
        105,
        [
            "Do zapłaty: 3 690,00 zł",
            "Słownie: trzy tysiące sześćset dziewięćdziesiąt złotych 00/100",
            "Termin płatności: 19.03.2024",
            "Sposób płatności: przelew",
        ],
    ),
    dict(
        vendor="Zakład Stolarski Dębowy Sp. z o.o.",
        invoice_number="FV/2024/03/017",
        invoice_date="2024-03-05",
        due_date="2024-03-19",
        currency="PLN",
        subtotal="3000.00",
        tax="690.00",
        total="3690.00",
    ),
)
# 3 Dutch factuur with BTW summary table
PROBES["nl_factuur"] = (
    [(15, 15, "Bakkerij Van Wijk B.V.", 14, "B")]
    + rows(15, 23, ["Dorpsstraat 22, 3511 AB Utrecht", "KvK 30123456 · BTW NL001234567B01"])
    + [(150, 15, "FACTUUR", 14, "B")]
    + rows(15, 40, ["Café De Hoek", "t.a.v. de administratie", "Markt 1, 3512 CC Utrecht"])
    + rows(
        120, 40, ["Factuurnummer: 2024-0312", "Factuurdatum: 12-03-2024", "Vervaldatum: 11-04-2024"]
    )
    + cols(65, [(15, "Omschrijving"), (110, "Aantal"), (135, "Prijs"), (165, "Bedrag")], style="B")
    + cols(71, [(15, "Volkorenbrood"), (113, "40"), (135, "2,50"), (165, "100,00")])
    + cols(76, [(15, "Appeltaart"), (113, "2"), (135, "25,00"), (165, "50,00")])
    + cols(81, [(15, "Bezorgkosten"), (113, "1"), (135, "60,00"), (165, "60,00")])
    + [(15, 95, "BTW-overzicht", 9, "B")]
    + cols(101, [(15, "Tarief"), (50, "Grondslag"), (85, "BTW"), (120, "Totaal")], style="B")
    + cols(106, [(15, "9%"), (50, "150,00"), (85, "13,50"), (120, "163,50")])
    + cols(111, [(15, "21%"), (50, "60,00"), (85, "12,60"), (120, "72,60")])
    + cols(116, [(15, "Totaal"), (50, "210,00"), (85, "26,10"), (120, "236,10")], style="B")
    + cols(130, [(120, "Te betalen"), (165, "€ 236,10")], style="B")
    + rows(
        15,
        145,
        ["Gelieve binnen 30 dagen te betalen op NL91 ABNA 0417 1643 00 o.v.v. het factuurnummer."],
    ),
    dict(
        vendor="Bakkerij Van Wijk B.V.",
        invoice_number="2024-0312",
        invoice_date="2024-03-12",
        due_date="2024-04-11",
        currency="EUR",
        subtotal="210.00",
        tax="26.10",
        total="236.10",
    ),
)
# 4 German Rechnung, VAT summary table per rate
PROBES["de_rechnung"] = (
    [(15, 12, "Druckerei Lindemann GmbH · Gartenstr. 5 · 04109 Leipzig", 7)]
    + rows(
        15, 25, ["Verlag Sommerfeld e.K.", "Herrn Jonas Sommerfeld", "Brühl 40", "04109 Leipzig"]
    )
    + [(140, 12, "Druckerei Lindemann", 12, "B")]
    + rows(140, 25, ["Gartenstr. 5", "04109 Leipzig", "USt-IdNr. DE812345678"], size=8)
    + [(15, 55, "Rechnung", 14, "B")]
    + rows(
        15,
        64,
        ["Rechnungsnummer: RE-24-0456", "Rechnungsdatum: 18.03.2024", "Leistungsdatum: 15.03.2024"],
    )
    + cols(
        85,
        [
            (15, "Pos."),
            (28, "Artikel"),
            (100, "Menge"),
            (122, "Einzelpreis"),
            (150, "USt"),
            (168, "Gesamt"),
        ],
        style="B",
    )
    + cols(
        91,
        [
            (15, "1"),
            (28, "Flyer A5, 4/4-farbig"),
            (102, "2000"),
            (122, "0,20"),
            (150, "19 %"),
            (168, "400,00"),
        ],
    )
    + cols(
        96,
        [
            (15, "2"),
            (28, "Broschüre (Buchdruck)"),
            (102, "50"),
            (122, "2,00"),
            (150, "7 %"),
            (168, "100,00"),
        ],
    )
    + cols(110, [(60, "USt-Satz"), (90, "Netto"), (120, "USt"), (150, "Brutto")], style="B")
    + cols(116, [(60, "19 %"), (90, "400,00"), (120, "76,00"), (150, "476,00")])
    + cols(121, [(60, "7 %"), (90, "100,00"), (120, "7,00"), (150, "107,00")])
    + cols(126, [(60, "Summe"), (90, "500,00"), (120, "83,00"), (150, "583,00")], style="B")
    + rows(
        15,
        140,
        ["Zahlbar bis 01.04.2024 ohne Abzug.", "Bankverbindung: DE89 3704 0044 0532 0130 00"],
    ),
    dict(
        vendor="Druckerei Lindemann GmbH",
        invoice_number="RE-24-0456",
        invoice_date="2024-03-18",
        due_date="2024-04-01",
        currency="EUR",
        subtotal="500.00",
        tax="83.00",
        total="583.00",
    ),
)
# 5 French facture, grouped client number, header row over a value row
PROBES["fr_facture"] = (
    [(15, 15, "Menuiserie Garnier SARL", 14, "B")]
    + rows(15, 23, ["12 rue des Lilas, 69003 Lyon", "SIRET 123 456 789 00012 · TVA FR32123456789"])
    + [(150, 15, "FACTURE", 14, "B")]
    + cols(40, [(15, "N° facture"), (60, "Date"), (100, "N° client : 4523 8891 02")], style="B")
    + cols(46, [(15, "FA-2024-0093"), (60, "07/03/2024")])
    + rows(120, 55, ["Boulangerie Roux", "5 place Bellecour", "69002 Lyon"])
    + cols(
        80, [(15, "Désignation"), (110, "Qté"), (135, "P.U. HT"), (165, "Montant HT")], style="B"
    )
    + cols(86, [(15, "Pose de placards"), (112, "1"), (135, "1 000,00"), (165, "1 000,00")])
    + cols(91, [(15, "Fournitures"), (112, "1"), (135, "250,00"), (165, "250,00")])
    + cols(105, [(120, "Total HT"), (165, "1 250,00 €")])
    + cols(110, [(120, "TVA 20 %"), (165, "250,00 €")])
    + cols(115, [(120, "Total TTC"), (165, "1 500,00 €")])
    + cols(122, [(120, "Net à payer"), (165, "1 500,00 €")], style="B")
    + rows(15, 135, ["Date d'échéance : 06/04/2024", "Capital social : 15 000 €"]),
    dict(
        vendor="Menuiserie Garnier SARL",
        invoice_number="FA-2024-0093",
        invoice_date="2024-03-07",
        due_date="2024-04-06",
        currency="EUR",
        subtotal="1250.00",
        tax="250.00",
        total="1500.00",
    ),
)
# 6 English, values printed above labels in boxes
PROBES["en_value_above"] = (
    [(15, 15, "Northwind Lighting Ltd", 14, "B"), (150, 15, "INVOICE", 14, "B")]
    + rows(15, 23, ["4 Mill Lane, Bristol BS1 4QA", "VAT Reg. GB 123 4567 89"])
    + rows(120, 30, ["Invoice No.: NL-7781", "Date: March 4, 2024", "Due: April 3, 2024"])
    + rows(15, 45, ["Bill to:", "Avon Theatre Trust", "12 King St, Bath BA1 1AA"])
    + cols(70, [(15, "Description"), (120, "Qty"), (140, "Unit"), (170, "Amount")], style="B")
    + cols(76, [(15, "LED stage lamp"), (121, "4"), (140, "150.00"), (170, "600.00")])
    + cols(81, [(15, "Cabling kit"), (121, "2"), (140, "77.00"), (170, "154.00")])
    + cols(100, [(20, "754.00"), (75, "150.80"), (130, "£904.80")], size=14, style="B")
    + cols(108, [(20, "Subtotal"), (75, "VAT 20%"), (130, "Total due")], size=8)
    + rows(15, 125, ["Payment within 30 days. Sort code 20-00-00, account 12345678."]),
    dict(
        vendor="Northwind Lighting Ltd",
        invoice_number="NL-7781",
        invoice_date="2024-03-04",
        due_date="2024-04-03",
        currency="GBP",
        subtotal="754.00",
        tax="150.80",
        total="904.80",
    ),
)
# 7 '#INV-…' under a bare INVOICE title, street address nearby
PROBES["en_hash_number"] = (
    [(15, 15, "INVOICE", 18, "B")]
    + rows(15, 25, ["#INV-5170", "221 Harbor Street, Suite 4", "Portland, OR 97201"])
    + rows(130, 15, ["Bluefin Studio LLC", "hello@bluefin-studio.example"], size=10)
    + rows(15, 45, ["Issued: 9 Sep 2025", "Due: 9 Oct 2025"])
    + rows(110, 45, ["Billed to", "Kestrel Outfitters", "88 Pine Road, Bend, OR 97701"])
    + cols(70, [(15, "Item"), (120, "Hours"), (145, "Rate"), (170, "Amount")], style="B")
    + cols(76, [(15, "Brand identity design"), (122, "12"), (145, "$80.00"), (170, "$960.00")])
    + cols(81, [(15, "Website mockups"), (122, "4"), (145, "$70.00"), (170, "$280.00")])
    + cols(95, [(130, "Total"), (170, "$1,240.00")], style="B"),
    dict(
        vendor="Bluefin Studio LLC",
        invoice_number="INV-5170",
        invoice_date="2025-09-09",
        due_date="2025-10-09",
        currency="USD",
        subtotal=None,
        tax=None,
        total="1240.00",
    ),
)
# 8 letterhead name over two lines
PROBES["en_two_line_name"] = (
    [(15, 12, "Harrowgate", 20, "B"), (15, 21, "Textiles Ltd.", 20, "B")]
    + rows(15, 32, ["17 Weavers Row", "Leeds LS2 7EY"], size=8)
    + [(140, 12, "Invoice", 16, "B")]
    + rows(140, 22, ["Invoice #: 000318", "Date: 11/02/2024"], size=9)
    + rows(15, 50, ["Invoice to:", "Marlow Upholstery", "3 Canal Wharf, York YO1 6AB"])
    + cols(75, [(15, "Description"), (120, "Qty"), (145, "Price"), (170, "Total")], style="B")
    + cols(81, [(15, "Wool tweed, per metre"), (122, "30"), (145, "12.00"), (170, "360.00")])
    + cols(95, [(130, "Subtotal"), (170, "360.00")])
    + cols(100, [(130, "VAT (20%)"), (170, "72.00")])
    + cols(105, [(130, "Total"), (170, "£432.00")], style="B"),
    dict(
        vendor="Harrowgate Textiles Ltd.",
        invoice_number="000318",
        invoice_date="2024-02-11",
        due_date=None,
        currency="GBP",
        subtotal="360.00",
        tax="72.00",
        total="432.00",
    ),
)
# 9 English credit note
PROBES["en_credit_note"] = (
    [(15, 15, "Clearwater Office Supplies Inc.", 14, "B"), (140, 15, "CREDIT NOTE", 14, "B")]
    + rows(15, 23, ["500 Lakeview Blvd, Madison, WI 53703"])
    + rows(120, 30, ["Credit Note No: CN-00421", "Date: 2024-02-20", "Against invoice: INV-10077"])
    + rows(15, 45, ["Customer:", "Ridgeway Dental Group", "9 Elm Court, Madison, WI 53711"])
    + cols(70, [(15, "Description"), (120, "Qty"), (145, "Unit"), (170, "Amount")], style="B")
    + cols(76, [(15, "Returned task chairs"), (122, "3"), (145, "150.00"), (170, "450.00")])
    + cols(90, [(130, "Subtotal"), (170, "450.00")])
    + cols(95, [(130, "Sales tax 8%"), (170, "36.00")])
    + cols(100, [(130, "Total credit"), (170, "$486.00")], style="B")
    + rows(15, 115, ["This amount will be offset against your next invoice."]),
    dict(
        vendor="Clearwater Office Supplies Inc.",
        invoice_number="CN-00421",
        invoice_date="2024-02-20",
        due_date=None,
        currency="USD",
        subtotal="450.00",
        tax="36.00",
        total="486.00",
    ),
)
# 10 Swiss invoice CHF / MWST
PROBES["ch_rechnung"] = (
    [(15, 15, "Bergwerk Informatik AG", 14, "B")]
    + rows(15, 23, ["Bahnhofstrasse 10, 8001 Zürich", "CHE-116.281.710 MWST"])
    + rows(120, 40, ["Alpina Treuhand GmbH", "Seestrasse 5", "8002 Zürich"])
    + [(15, 60, "Rechnung Nr. 2024-117", 12, "B")]
    + rows(15, 68, ["Datum: 15.03.2024", "Zahlbar innert 30 Tagen netto"])
    + cols(85, [(15, "Leistung"), (110, "Std."), (135, "Ansatz"), (165, "Betrag")], style="B")
    + cols(91, [(15, "Netzwerkwartung"), (112, "8"), (135, "150.00"), (165, "1'200.00")])
    + cols(105, [(110, "Total exkl. MWST"), (155, "CHF"), (165, "1'200.00")])
    + cols(110, [(110, "MWST 8.1 %"), (155, "CHF"), (165, "97.20")])
    + cols(115, [(110, "Total inkl. MWST"), (155, "CHF"), (165, "1'297.20")], style="B"),
    dict(
        vendor="Bergwerk Informatik AG",
        invoice_number="2024-117",
        invoice_date="2024-03-15",
        due_date=None,
        currency="CHF",
        subtotal="1200.00",
        tax="97.20",
        total="1297.20",
    ),
)

PROBES["de_value_above"] = (
    [(15, 15, "Kaltenbach Elektro GmbH", 14, "B"), (150, 15, "Rechnung", 14, "B")]
    + rows(15, 23, ["Industriestr. 9, 70565 Stuttgart", "USt-IdNr. DE298765432"])
    + rows(120, 30, ["Rechnungs-Nr.: KE-2025-044", "Datum: 21.01.2025"])
    + cols(60, [(15, "Leistung"), (120, "Menge"), (170, "Betrag")], style="B")
    + cols(66, [(15, "Installation Wallbox"), (122, "1"), (170, "1.200,00")])
    + cols(85, [(20, "1.200,00 €"), (75, "228,00 €"), (130, "1.428,00 €")], size=13, style="B")
    + cols(93, [(20, "Nettobetrag"), (75, "USt 19 %"), (130, "Rechnungsbetrag")], size=8)
    + rows(15, 110, ["Zahlbar innerhalb von 14 Tagen ohne Abzug."]),
    dict(
        vendor="Kaltenbach Elektro GmbH",
        invoice_number="KE-2025-044",
        invoice_date="2025-01-21",
        due_date=None,
        currency="EUR",
        subtotal="1200.00",
        tax="228.00",
        total="1428.00",
    ),
)
PROBES["fr_two_line"] = (
    [(15, 12, "Atelier", 20, "B"), (15, 21, "Morel SARL", 20, "B")]
    + rows(15, 32, ["8 quai Saint-Vincent, 69001 Lyon", "TVA FR45512345678"], size=8)
    + [(140, 12, "FACTURE", 16, "B")]
    + rows(140, 22, ["Facture n° 2025-017", "Date : 03/02/2025"])
    + rows(15, 50, ["Client :", "Librairie Perrin", "2 rue Mercière, 69002 Lyon"])
    + cols(75, [(15, "Désignation"), (120, "Qté"), (145, "P.U."), (170, "Total")], style="B")
    + cols(81, [(15, "Reliure d'ouvrages"), (122, "12"), (145, "25,00"), (170, "300,00")])
    + cols(95, [(130, "Total HT"), (170, "300,00 €")])
    + cols(100, [(130, "TVA 20 %"), (170, "60,00 €")])
    + cols(105, [(130, "Total TTC"), (170, "360,00 €")], style="B"),
    dict(
        vendor="Atelier Morel SARL",
        invoice_number="2025-017",
        invoice_date="2025-02-03",
        due_date=None,
        currency="EUR",
        subtotal="300.00",
        tax="60.00",
        total="360.00",
    ),
)
PROBES["es_header_row"] = (
    [(15, 15, "Imprenta Solana S.L.", 14, "B"), (150, 15, "FACTURA", 14, "B")]
    + rows(15, 23, ["C/ Alcalá 200, 28028 Madrid", "CIF B87654321"])
    + cols(40, [(15, "Nº factura"), (60, "Fecha"), (100, "Cliente")], style="B")
    + cols(46, [(15, "A-2025/112"), (60, "17/02/2025"), (100, "Papelería Ruiz S.A.")])
    + cols(65, [(15, "Concepto"), (120, "Uds."), (145, "Precio"), (170, "Importe")], style="B")
    + cols(71, [(15, "Tarjetas de visita"), (122, "500"), (145, "0,10"), (170, "50,00")])
    + cols(85, [(130, "Base imponible"), (170, "50,00 €")])
    + cols(90, [(130, "IVA 21 %"), (170, "10,50 €")])
    + cols(95, [(130, "Total"), (170, "60,50 €")], style="B"),
    dict(
        vendor="Imprenta Solana S.L.",
        invoice_number="A-2025/112",
        invoice_date="2025-02-17",
        due_date=None,
        currency="EUR",
        subtotal="50.00",
        tax="10.50",
        total="60.50",
    ),
)
PROBES["pl_razem_do_zaplaty"] = (
    [(15, 15, "Faktura nr 12/02/2025", 14, "B")]
    + rows(120, 25, ["Data wystawienia: 14.02.2025", "Termin płatności: 28.02.2025"])
    + cols(40, [(15, "Sprzedawca:"), (110, "Nabywca:")], style="B")
    + cols(46, [(15, "Drukarnia Wisła Sp. z o.o."), (110, "Kawiarnia Mokka s.c.")])
    + cols(51, [(15, "NIP: 631-000-00-00"), (110, "NIP: 951-000-00-00")])
    + cols(65, [(15, "Nazwa"), (90, "Netto"), (120, "VAT"), (150, "Brutto")], size=8, style="B")
    + cols(71, [(15, "Ulotki A5"), (90, "400,00"), (120, "92,00"), (150, "492,00")], size=8)
    + cols(76, [(15, "Plakaty"), (90, "100,00"), (120, "23,00"), (150, "123,00")], size=8)
    + cols(81, [(15, "Razem"), (90, "500,00"), (120, "115,00"), (150, "615,00")], size=8, style="B")
    + rows(15, 95, ["Razem do zapłaty: 615,00 PLN"]),
    dict(
        vendor="Drukarnia Wisła Sp. z o.o.",
        invoice_number="12/02/2025",
        invoice_date="2025-02-14",
        due_date="2025-02-28",
        currency="PLN",
        subtotal="500.00",
        tax="115.00",
        total="615.00",
    ),
)
PROBES["it_fattura"] = (
    [(15, 15, "Ferramenta Bellini S.r.l.", 14, "B")]
    + rows(15, 23, ["Via Roma 21, 40121 Bologna", "P.IVA 01234567897"])
    + rows(120, 35, ["Spett.le", "Bar Centrale di Rossi M.", "Piazza Maggiore 2, 40124 Bologna"])
    + rows(15, 55, ["Fattura n. 45/2024 del 05/03/2024"])
    + cols(70, [(15, "Descrizione"), (110, "Q.tà"), (135, "Prezzo"), (165, "Importo")], style="B")
    + cols(76, [(15, "Viti inox 5x40 (conf.)"), (112, "10"), (135, "8,50"), (165, "85,00")])
    + cols(81, [(15, "Trapano a percussione"), (112, "1"), (135, "115,00"), (165, "115,00")])
    + cols(95, [(120, "Imponibile"), (165, "200,00")])
    + cols(100, [(120, "IVA 22%"), (165, "44,00")])
    + cols(105, [(120, "Totale documento"), (160, "€ 244,00")], style="B")
    + rows(
        15,
        120,
        ["Pagamento: bonifico bancario a 30 gg d.f.", "IBAN IT60 X054 2811 1010 0000 0123 456"],
    ),
    dict(
        vendor="Ferramenta Bellini S.r.l.",
        invoice_number="45/2024",
        invoice_date="2024-03-05",
        due_date=None,
        currency="EUR",
        subtotal="200.00",
        tax="44.00",
        total="244.00",
    ),
)
PROBES["de_xrechnung_view"] = (
    [(15, 12, "Rechnung", 16, "B")]
    + rows(
        15,
        22,
        [
            "Rechnungsnummer: 2025-00931",
            "Rechnungsdatum: 07.02.2025",
            "Fälligkeitsdatum: 09.03.2025",
            "Käuferreferenz: 04011000-12345-67",
        ],
    )
    + [(15, 45, "Verkäufer", 10, "B"), (110, 45, "Käufer", 10, "B")]
    + cols(51, [(15, "Name: Holzbau Reimers GmbH"), (110, "Name: Stadtwerke Nordheide")])
    + cols(
        56,
        [
            (15, "Anschrift: Dorfstr. 4, 21244 Buchholz"),
            (110, "Anschrift: Am Hafen 1, 21423 Winsen"),
        ],
    )
    + cols(61, [(15, "USt-IdNr.: DE305123456"), (110, "")])
    + cols(
        75,
        [(15, "Pos."), (28, "Bezeichnung"), (100, "Menge"), (122, "Preis"), (160, "Nettobetrag")],
        style="B",
    )
    + cols(
        81,
        [
            (15, "1"),
            (28, "Zaunelemente Lärche"),
            (102, "12 Stk"),
            (122, "85,00"),
            (160, "1.020,00"),
        ],
    )
    + rows(
        90,
        95,
        [
            "Summe Positionen netto",
            "Gesamtbetrag ohne USt.",
            "Umsatzsteuer 19 %",
            "Gesamtbetrag mit USt.",
            "Fälliger Betrag",
        ],
    )
    + rows(165, 95, ["1.020,00 EUR", "1.020,00 EUR", "193,80 EUR", "1.213,80 EUR", "1.213,80 EUR"]),
    dict(
        vendor="Holzbau Reimers GmbH",
        invoice_number="2025-00931",
        invoice_date="2025-02-07",
        due_date="2025-03-09",
        currency="EUR",
        subtotal="1020.00",
        tax="193.80",
        total="1213.80",
    ),
)
PROBES["fr_facturx_view"] = (
    [(15, 12, "FACTURE", 16, "B")]
    + rows(
        15,
        22,
        ["Numéro : F20250211-07", "Date d'émission : 11/02/2025", "Date d'échéance : 13/03/2025"],
    )
    + [(15, 42, "Vendeur", 10, "B"), (110, 42, "Acheteur", 10, "B")]
    + cols(48, [(15, "Transports Lemoine SAS"), (110, "Coopérative du Val")])
    + cols(
        53, [(15, "14 avenue de la Gare, 21000 Dijon"), (110, "3 route de Beaune, 21200 Beaune")]
    )
    + cols(58, [(15, "TVA : FR61803123456"), (110, "TVA : FR02441234567")])
    + cols(72, [(15, "Désignation"), (110, "Qté"), (135, "PU HT"), (165, "Total HT")], style="B")
    + cols(
        78, [(15, "Transport palettes Dijon-Lyon"), (112, "3"), (135, "180,00"), (165, "540,00")]
    )
    + rows(100, 92, ["Montant total HT", "Montant TVA (20 %)", "Montant total TTC", "Net à payer"])
    + rows(165, 92, ["540,00 €", "108,00 €", "648,00 €", "648,00 €"]),
    dict(
        vendor="Transports Lemoine SAS",
        invoice_number="F20250211-07",
        invoice_date="2025-02-11",
        due_date="2025-03-13",
        currency="EUR",
        subtotal="540.00",
        tax="108.00",
        total="648.00",
    ),
)
PROBES["en_header_row_values"] = (
    [(15, 12, "Invoice", 18, "B"), (140, 12, "Ridgeline Software, Inc.", 10, "B")]
    + rows(140, 18, ["1200 Pearl St", "Boulder, CO 80302", "billing@ridgeline.example"], size=8)
    + cols(40, [(15, "Invoice number"), (60, "Date of issue"), (105, "Date due")], size=8)
    + cols(45, [(15, "A1B2C3D4-0007"), (60, "February 3, 2025"), (105, "March 5, 2025")], size=9)
    + rows(15, 58, ["Bill to", "Tern Analytics LLC", "55 Water St, Boston, MA 02109"])
    + cols(80, [(15, "Description"), (120, "Qty"), (145, "Unit price"), (175, "Amount")], style="B")
    + cols(
        86, [(15, "Pro plan (Feb 3 – Mar 3, 2025)"), (122, "5"), (145, "$49.00"), (175, "$245.00")]
    )
    + cols(100, [(130, "Subtotal"), (175, "$245.00")])
    + cols(105, [(130, "Total"), (175, "$245.00")])
    + cols(110, [(130, "Amount due"), (175, "$245.00 USD")], style="B"),
    dict(
        vendor="Ridgeline Software, Inc.",
        invoice_number="A1B2C3D4-0007",
        invoice_date="2025-02-03",
        due_date="2025-03-05",
        currency="USD",
        subtotal="245.00",
        tax=None,
        total="245.00",
    ),
)
PROBES["nl_factuur2"] = (
    [(15, 15, "Schildersbedrijf De Kwast", 14, "B")]
    + rows(
        15,
        23,
        [
            "Havenweg 12",
            "1781 AA Den Helder",
            "KvK: 37012345",
            "BTW-id: NL853012345B01",
            "IBAN: NL20 INGB 0001 2345 67",
        ],
    )
    + rows(120, 50, ["Fam. Jansen", "Duinweg 8", "1785 BB Den Helder"])
    + [(15, 70, "Factuur", 14, "B")]
    + cols(80, [(15, "Factuurnummer"), (60, "Factuurdatum"), (105, "Vervaldatum")], style="B")
    + cols(86, [(15, "F25-0042"), (60, "4 februari 2025"), (105, "6 maart 2025")])
    + cols(100, [(15, "Omschrijving"), (165, "Bedrag")], style="B")
    + cols(106, [(15, "Schilderwerk kozijnen voorgevel"), (165, "€ 1.150,00")])
    + cols(120, [(120, "Subtotaal"), (165, "€ 1.150,00")])
    + cols(125, [(120, "BTW 21%"), (165, "€ 241,50")])
    + cols(130, [(120, "Totaal"), (165, "€ 1.391,50")], style="B"),
    dict(
        vendor="Schildersbedrijf De Kwast",
        invoice_number="F25-0042",
        invoice_date="2025-02-04",
        due_date="2025-03-06",
        currency="EUR",
        subtotal="1150.00",
        tax="241.50",
        total="1391.50",
    ),
)
PROBES["de_footer_seller"] = (
    [(15, 12, "Kunzmann Metallbau GmbH · Lindenallee 3 · 34117 Kassel", 7)]
    + rows(15, 20, ["Autohaus Brenner KG", "Frankfurter Str. 80", "34121 Kassel"])
    + rows(130, 20, ["Datum: 19.02.2025", "Kunden-Nr.: 40112", "Bearbeiter: J. Vogt"], size=8)
    + [(15, 45, "Rechnung Nr. 2025-0212 vom 19.02.2025", 12, "B")]
    + cols(
        60,
        [(15, "Pos."), (28, "Bezeichnung"), (120, "Menge"), (145, "E-Preis"), (170, "Gesamt")],
        style="B",
    )
    + cols(
        66,
        [
            (15, "1"),
            (28, "Geländer Edelstahl, montiert"),
            (122, "8 m"),
            (145, "210,00"),
            (170, "1.680,00"),
        ],
    )
    + cols(80, [(120, "Nettobetrag"), (170, "1.680,00 €")])
    + cols(85, [(120, "zzgl. 19 % MwSt."), (170, "319,20 €")])
    + cols(90, [(120, "Gesamtbetrag"), (170, "1.999,20 €")], style="B")
    + rows(15, 105, ["Zahlbar innerhalb 14 Tagen ohne Abzug."])
    + cols(
        270,
        [
            (15, "Kunzmann Metallbau GmbH"),
            (80, "Kasseler Sparkasse"),
            (140, "Amtsgericht Kassel HRB 12345"),
        ],
        size=6,
    )
    + cols(
        274,
        [
            (15, "Geschäftsführer: Peter Kunzmann"),
            (80, "IBAN DE12 5205 0353 0000 1234 56"),
            (140, "USt-IdNr. DE287654321"),
        ],
        size=6,
    ),
    dict(
        vendor="Kunzmann Metallbau GmbH",
        invoice_number="2025-0212",
        invoice_date="2025-02-19",
        due_date=None,
        currency="EUR",
        subtotal="1680.00",
        tax="319.20",
        total="1999.20",
    ),
)
PROBES["fr_avoir"] = (
    [(15, 15, "Papeterie Dumas SAS", 14, "B"), (150, 15, "AVOIR", 14, "B")]
    + rows(15, 23, ["4 rue Nationale, 37000 Tours", "TVA FR83512345678"])
    + rows(
        120, 30, ["Avoir n° AV-2025-006", "Date : 20/02/2025", "Facture d'origine : FA-2025-101"]
    )
    + rows(15, 50, ["Client :", "École Jean Moulin", "12 allée des Tilleuls, 37100 Tours"])
    + cols(75, [(15, "Désignation"), (120, "Qté"), (145, "P.U. HT"), (170, "Total HT")], style="B")
    + cols(81, [(15, "Retour ramettes A4"), (122, "10"), (145, "4,50"), (170, "45,00")])
    + cols(95, [(130, "Total HT"), (170, "45,00 €")])
    + cols(100, [(130, "TVA 20 %"), (170, "9,00 €")])
    + cols(105, [(130, "Montant de l'avoir"), (170, "54,00 €")], style="B"),
    dict(
        vendor="Papeterie Dumas SAS",
        invoice_number="AV-2025-006",
        invoice_date="2025-02-20",
        due_date=None,
        currency="EUR",
        subtotal="45.00",
        tax="9.00",
        total="54.00",
    ),
)
PROBES["en_balance_due"] = (
    [(15, 15, "Sparrow Creek Landscaping LLC", 14, "B")]
    + rows(15, 23, ["710 Orchard Rd, Athens, GA 30601", "(706) 555-0182"])
    + [(150, 15, "INVOICE", 14, "B")]
    + rows(130, 25, ["Invoice #: 1187", "Invoice Date: 02/14/2025", "Due Date: 03/16/2025"])
    + rows(15, 45, ["Bill To:", "Oconee Dental Partners", "19 Main St, Watkinsville, GA 30677"])
    + cols(70, [(15, "Description"), (120, "Qty"), (145, "Rate"), (170, "Amount")], style="B")
    + cols(76, [(15, "Spring cleanup"), (122, "1"), (145, "650.00"), (170, "650.00")])
    + cols(81, [(15, "Mulch (yards)"), (122, "6"), (145, "45.00"), (170, "270.00")])
    + cols(95, [(130, "Subtotal"), (170, "$920.00")])
    + cols(100, [(130, "Tax (0%)"), (170, "$0.00")])
    + cols(105, [(130, "Total"), (170, "$920.00")])
    + cols(110, [(130, "Paid"), (170, "-$300.00")])
    + cols(115, [(130, "Balance Due"), (170, "$620.00")], style="B"),
    dict(
        vendor="Sparrow Creek Landscaping LLC",
        invoice_number="1187",
        invoice_date="2025-02-14",
        due_date="2025-03-16",
        currency="USD",
        subtotal="920.00",
        tax="0.00",
        total="920.00",
    ),
)
PROBES["es_total_a_pagar"] = (
    [(15, 15, "Clínica Veterinaria Alameda S.L.P.", 13, "B")]
    + rows(15, 23, ["Av. de la Constitución 5, 41001 Sevilla", "NIF: B41234567"])
    + rows(15, 40, ["FACTURA Nº: 2025-000318", "FECHA: 24/02/2025"])
    + rows(120, 40, ["CLIENTE: María López García", "NIF: 12345678Z"])
    + cols(60, [(15, "Concepto"), (120, "Uds."), (145, "Precio"), (170, "Total")], style="B")
    + cols(66, [(15, "Consulta"), (122, "1"), (145, "35,00"), (170, "35,00")])
    + cols(71, [(15, "Vacuna polivalente"), (122, "1"), (145, "45,00"), (170, "45,00")])
    + cols(85, [(120, "BASE IMPONIBLE"), (170, "80,00 €")])
    + cols(90, [(120, "IVA (21%)"), (170, "16,80 €")])
    + cols(95, [(120, "TOTAL A PAGAR"), (170, "96,80 €")], style="B"),
    dict(
        vendor="Clínica Veterinaria Alameda S.L.P.",
        invoice_number="2025-000318",
        invoice_date="2025-02-24",
        due_date=None,
        currency="EUR",
        subtotal="80.00",
        tax="16.80",
        total="96.80",
    ),
)
PROBES["nl_te_betalen"] = (
    [(15, 15, "Installatiebedrijf Mulder", 14, "B")]
    + rows(15, 23, ["Industrieweg 40, 7903 AB Hoogeveen", "BTW NL001122334B01 · KvK 04123456"])
    + rows(15, 40, ["Factuur 2025-118", "Datum: 18-02-2025", "Debiteurnummer: 10344"])
    + cols(60, [(15, "Omschrijving"), (120, "Aantal"), (145, "Prijs"), (170, "Totaal")], style="B")
    + cols(66, [(15, "Onderhoud cv-ketel"), (122, "1"), (145, "95,00"), (170, "95,00")])
    + cols(80, [(120, "Totaal excl. BTW"), (170, "€ 95,00")])
    + cols(85, [(120, "BTW 21%"), (170, "€ 19,95")])
    + cols(90, [(120, "Totaal te betalen"), (170, "€ 114,95")], style="B"),
    dict(
        vendor="Installatiebedrijf Mulder",
        invoice_number="2025-118",
        invoice_date="2025-02-18",
        due_date=None,
        currency="EUR",
        subtotal="95.00",
        tax="19.95",
        total="114.95",
    ),
)

# Recurring vendor bills (issue 15, second round): other layouts of the family of
# data/invoices-authored2, written before any rule for them. ITEMS holds the line items
# a reader expects where the bill prints them.
ITEMS: dict[str, list[dict[str, Any]]] = {}
PROBES["bill_energy_uk"] = (
    [(15, 12, "brightwatt", 16, "B"), (15, 19, "energy", 10)]
    + rows(
        120,
        12,
        [
            "Your electricity bill",
            "Bill date: 12 March 2025",
            "Bill number: 40017731",
            "Account number: 8812 4409 31",
        ],
        size=8,
    )
    + rows(15, 35, ["Ms Priya Nair", "14 Elm Grove", "Leeds LS6 2AB"], size=9)
    + cols(58, [(15, "Amount to pay"), (110, "Payment due by")], style="B")
    + cols(64, [(15, "£95.95"), (110, "2 April 2025")], size=12, style="B")
    + cols(80, [(15, "Your charges"), (100, "Units"), (130, "Unit rate"), (170, "Cost")], style="B")
    + cols(86, [(15, "Electricity used"), (100, "312 kWh"), (130, "24.50p"), (170, "£76.44")])
    + cols(91, [(15, "Standing charge"), (100, "28 days"), (130, "53.35p"), (170, "£14.94")])
    + cols(100, [(100, "Charges before VAT"), (170, "£91.38")])
    + cols(105, [(100, "VAT at 5%"), (170, "£4.57")])
    + cols(110, [(100, "Total charges"), (170, "£95.95")])
    + rows(
        15,
        130,
        ["Brightwatt Energy Ltd · 3 Canal Wharf, Leeds LS11 5PS · VAT Reg No GB 123 4567 89"],
        size=7,
    ),
    dict(
        vendor="Brightwatt Energy Ltd",
        invoice_number="40017731",
        invoice_date="2025-03-12",
        due_date="2025-04-02",
        currency="GBP",
        subtotal="91.38",
        tax="4.57",
        total="95.95",
    ),
)
ITEMS["bill_energy_uk"] = [
    dict(description="Electricity used", quantity=312, unit_price=None, amount=76.44),
    dict(description="Standing charge", quantity=None, unit_price=None, amount=14.94),
]
PROBES["bill_isp_es"] = (
    [(15, 12, "Fibranet Telecomunicaciones S.A.", 12, "B")]
    + rows(15, 19, ["C/ de Alcalá 200, 28028 Madrid", "CIF A28765432"], size=8)
    + rows(
        120,
        30,
        [
            "Nº de factura: FN-25-0311207",
            "Fecha de factura: 01/03/2025",
            "Periodo: 01/03/2025 - 31/03/2025",
            "Fecha de cargo: 10/03/2025",
        ],
        size=8,
    )
    + rows(15, 30, ["Titular:", "Jorge Ruiz Peña", "C/ Sorolla 7, 3º B", "46004 Valencia"])
    + cols(60, [(15, "Resumen de la factura"), (165, "Importe")], style="B")
    + cols(66, [(15, "Fibra 600 Mb + Fijo"), (165, "33,05 €")])
    + cols(71, [(15, "Consumos fuera de tarifa"), (165, "1,20 €")])
    + cols(80, [(110, "Base imponible"), (165, "34,25 €")])
    + cols(85, [(110, "IVA 21 %"), (165, "7,19 €")])
    + cols(90, [(110, "Total a pagar"), (165, "41,44 €")], style="B")
    + rows(15, 110, ["Se cargará en la cuenta ES76 2100 0813 6101 2345 6789"], size=8),
    dict(
        vendor="Fibranet Telecomunicaciones S.A.",
        invoice_number="FN-25-0311207",
        invoice_date="2025-03-01",
        due_date=None,
        currency="EUR",
        subtotal="34.25",
        tax="7.19",
        total="41.44",
    ),
)
ITEMS["bill_isp_es"] = [
    dict(description="Fibra 600 Mb + Fijo", quantity=None, unit_price=None, amount=33.05),
    dict(description="Consumos fuera de tarifa", quantity=None, unit_price=None, amount=1.2),
]
PROBES["bill_saas_proration"] = (
    [(15, 12, "Invoice", 18, "B")]
    + rows(
        15,
        24,
        [
            "Invoice number  INV-8841-0023",
            "Date of issue  March 1, 2025",
            "Date due  March 31, 2025",
        ],
        size=8,
    )
    + rows(15, 44, ["Loomgrid Inc.", "548 Market St", "San Francisco, CA 94104"], size=8)
    + rows(110, 44, ["Bill to", "Harbor Freightworks Ltd", "ap@harborfw.example"], size=8)
    + cols(70, [(15, "Description"), (120, "Qty"), (140, "Unit price"), (175, "Amount")], style="B")
    + cols(
        76, [(15, "Team plan (Mar 1 – Mar 31, 2025)"), (122, "8"), (140, "$12.00"), (175, "$96.00")]
    )
    + cols(
        81,
        [
            (15, "Remaining time on 2 seats after Feb 18, 2025"),
            (122, "2"),
            (140, "$4.29"),
            (175, "$8.58"),
        ],
    )
    + cols(95, [(130, "Subtotal"), (175, "$104.58")])
    + cols(100, [(130, "Sales tax (8.625%)"), (175, "$9.02")])
    + cols(105, [(130, "Total"), (175, "$113.60")])
    + cols(110, [(130, "Amount due"), (175, "$113.60 USD")], style="B"),
    dict(
        vendor="Loomgrid Inc.",
        invoice_number="INV-8841-0023",
        invoice_date="2025-03-01",
        due_date="2025-03-31",
        currency="USD",
        subtotal="104.58",
        tax="9.02",
        total="113.60",
    ),
)
ITEMS["bill_saas_proration"] = [
    dict(description="Team plan (Mar 1 – Mar 31, 2025)", quantity=8, unit_price=12.0, amount=96.0),
    dict(
        description="Remaining time on 2 seats after Feb 18, 2025",
        quantity=2,
        unit_price=4.29,
        amount=8.58,
    ),
]
PROBES["bill_ride_receipt"] = (
    [(15, 12, "Receipt", 16, "B"), (140, 12, "March 3, 2025", 9)]
    + rows(15, 22, ["Thanks for riding, Sam", "Receipt #: RC-7724-1093"], size=9)
    + cols(38, [(15, "Total"), (160, "$26.45")], size=14, style="B")
    + cols(50, [(15, "Trip fare"), (160, "$19.80")])
    + cols(55, [(15, "Booking fee"), (160, "$2.45")])
    + cols(60, [(15, "Tip"), (160, "$4.20")])
    + cols(70, [(15, "Paid with Visa ••••4821"), (160, "$26.45")])
    + rows(15, 90, ["Citylift Rides, Inc. · 1 Mission Plaza, San Francisco, CA 94105"], size=7),
    dict(
        vendor="Citylift Rides, Inc.",
        invoice_number="RC-7724-1093",
        invoice_date="2025-03-03",
        due_date=None,
        currency="USD",
        subtotal=None,
        tax=None,
        total="26.45",
    ),
)
PROBES["bill_hotel_folio_de"] = (
    [(120, 12, "Hotel Lindenhof Köln", 13, "B")]
    + rows(120, 19, ["Domstraße 12 · 50668 Köln", "USt-IdNr. DE298765432"], size=8)
    + [(15, 34, "Rechnung", 14, "B")]
    + rows(
        15,
        44,
        ["Gast: Herr Martin Vogel", "Firma: Brandt Logistik AG", "Hafenstraße 4, 28217 Bremen"],
        size=9,
    )
    + rows(
        120,
        44,
        [
            "Rechnungsnr.: 2025-004417",
            "Datum: 05.03.2025",
            "Zimmer: 318",
            "Anreise: 03.03.2025",
            "Abreise: 05.03.2025",
        ],
        size=9,
    )
    + cols(
        75,
        [(15, "Datum"), (40, "Leistung"), (125, "Anzahl"), (145, "Preis"), (172, "Betrag")],
        style="B",
    )
    + cols(
        81,
        [
            (15, "03.03.2025"),
            (40, "Übernachtung Einzelzimmer"),
            (128, "2"),
            (145, "119,00"),
            (172, "238,00"),
        ],
    )
    + cols(86, [(15, "03.03.2025"), (40, "Frühstück"), (128, "2"), (145, "18,00"), (172, "36,00")])
    + cols(100, [(110, "Nettobetrag"), (172, "252,68 €")])
    + cols(105, [(110, "MwSt. 7 % auf 222,43"), (172, "15,57 €")])
    + cols(110, [(110, "MwSt. 19 % auf 30,25"), (172, "5,75 €")])
    + cols(117, [(110, "Gesamtbetrag"), (172, "274,00 €")], style="B")
    + rows(
        15,
        135,
        ["Hotel Lindenhof Köln GmbH · Domstraße 12 · 50668 Köln · HRB 81234 Amtsgericht Köln"],
        size=7,
    ),
    dict(
        vendor="Hotel Lindenhof Köln GmbH",
        invoice_number="2025-004417",
        invoice_date="2025-03-05",
        due_date=None,
        currency="EUR",
        subtotal="252.68",
        tax="21.32",
        total="274.00",
    ),
)
ITEMS["bill_hotel_folio_de"] = [
    dict(description="Übernachtung Einzelzimmer", quantity=2, unit_price=119.0, amount=238.0),
    dict(description="Frühstück", quantity=2, unit_price=18.0, amount=36.0),
]

PROBES["bill_marketplace_sold_by"] = (
    [
        (15, 12, "Tax Invoice/Bill of Supply/Cash Memo", 11, "B"),
        (150, 12, "(Original for Recipient)", 7),
    ]
    + rows(
        15,
        24,
        [
            "Sold By :",
            "Vardhan Home Appliances LLP",
            "Shop 14, Jayanagar 4th Block",
            "Bengaluru, Karnataka, 560011",
            "PAN No: AAHFV1234K",
            "GST Registration No: 29AAHFV1234K1Z9",
        ],
        size=8,
    )
    + rows(
        120,
        24,
        ["Billing Address :", "Ramesh Iyer", "22 Lakeview Layout", "Bengaluru, Karnataka, 560034"],
        size=8,
    )
    + rows(15, 60, ["Order Number: 405-8812274-1190021", "Order Date: 07.02.2025"], size=8)
    + rows(120, 60, ["Invoice Number : KA-BLR1-44712", "Invoice Date : 08.02.2025"], size=8)
    + cols(
        78,
        [
            (15, "Description"),
            (85, "Unit Price"),
            (105, "Qty"),
            (115, "Net Amount"),
            (138, "Tax Rate"),
            (153, "Tax Type"),
            (168, "Tax Amount"),
            (188, "Total"),
        ],
        size=7,
        style="B",
    )
    + cols(
        84,
        [
            (15, "Mixer Grinder 750W"),
            (85, "₹2,966.10"),
            (106, "1"),
            (115, "₹2,966.10"),
            (139, "9%"),
            (154, "CGST"),
            (168, "₹266.95"),
            (188, "₹3,500.00"),
        ],
        size=7,
    )
    + cols(88, [(139, "9%"), (154, "SGST"), (168, "₹266.95")], size=7)
    + cols(96, [(15, "TOTAL:"), (168, "₹533.90"), (188, "₹3,500.00")], size=7, style="B")
    + rows(15, 104, ["Amount in Words: Three Thousand Five Hundred only"], size=7),
    dict(
        vendor="Vardhan Home Appliances LLP",
        invoice_number="KA-BLR1-44712",
        invoice_date="2025-02-08",
        due_date=None,
        currency="INR",
        subtotal="2966.10",
        tax="533.90",
        total="3500.00",
    ),
)
ITEMS["bill_marketplace_sold_by"] = [
    dict(description="Mixer Grinder 750W", quantity=1, unit_price=2966.10, amount=2966.10),
]
PROBES["bill_amount_due_on"] = (
    [(15, 12, "Northgate Water Authority", 13, "B")]
    + rows(15, 19, ["200 Reservoir Rd, Dayton, OH 45402"], size=8)
    + rows(
        125,
        12,
        [
            "Statement date: March 12, 2025",
            "Account number: 300-118-2274",
            "Statement number: 7730118",
        ],
        size=8,
    )
    + rows(15, 34, ["Lena Hoffman", "88 Quarry St", "Dayton, OH 45409"], size=9)
    + [(15, 55, "Amount due on April 5, 2025", 11, "B"), (165, 55, "$86.40", 11, "B")]
    + cols(68, [(15, "Water service (6 CCF)"), (165, "$41.70")])
    + cols(73, [(15, "Sewer service (6 CCF)"), (165, "$39.30")])
    + cols(78, [(15, "Stormwater fee"), (165, "$5.40")])
    + cols(86, [(120, "New charges"), (165, "$86.40")], style="B")
    + rows(15, 100, ["Previous balance $79.15 · Payment received Feb 28, 2025 -$79.15"], size=8),
    dict(
        vendor="Northgate Water Authority",
        invoice_number="7730118",
        invoice_date="2025-03-12",
        due_date="2025-04-05",
        currency="USD",
        subtotal=None,
        tax=None,
        total="86.40",
    ),
)
ITEMS["bill_amount_due_on"] = [
    dict(description="Water service", quantity=None, unit_price=None, amount=41.7),
    dict(description="Sewer service", quantity=None, unit_price=None, amount=39.3),
    dict(description="Stormwater fee", quantity=None, unit_price=None, amount=5.4),
]
PROBES["bill_fr_energie"] = (
    [(15, 12, "lumière", 16, "B"), (15, 19, "énergie", 10)]
    + rows(
        120,
        12,
        [
            "Facture du 14/03/2025",
            "N° de facture : 10048822917",
            "Référence client : 5 5120 771 04",
        ],
        size=8,
    )
    + rows(120, 32, ["M. Julien Marchand", "4 rue des Tilleuls", "44000 Nantes"], size=9)
    + cols(52, [(15, "Montant à payer"), (110, "Date limite de paiement")], size=9, style="B")
    + cols(58, [(15, "118,79 €"), (110, "04/04/2025")], size=12, style="B")
    + cols(
        75,
        [
            (15, "Votre consommation"),
            (105, "Quantité"),
            (135, "Prix unitaire HT"),
            (175, "Montant HT"),
        ],
        style="B",
    )
    + cols(
        81, [(15, "Abonnement électricité"), (105, "1 mois"), (135, "14,20 €"), (175, "14,20 €")]
    )
    + cols(
        86,
        [
            (15, "Consommation heures pleines"),
            (105, "410 kWh"),
            (135, "0,2068 €"),
            (175, "84,79 €"),
        ],
    )
    + cols(100, [(110, "Total HT"), (175, "98,99 €")])
    + cols(105, [(110, "TVA 20 %"), (175, "19,80 €")])
    + cols(110, [(110, "Total TTC"), (175, "118,79 €")])
    + rows(
        15,
        130,
        [
            "Lumière Énergie SAS – 9 quai de la Fosse, 44000 Nantes – "
            "RCS Nantes 812 345 678 – TVA FR40 812345678"
        ],
        size=7,
    ),
    dict(
        vendor="Lumière Énergie SAS",
        invoice_number="10048822917",
        invoice_date="2025-03-14",
        due_date="2025-04-04",
        currency="EUR",
        subtotal="98.99",
        tax="19.80",
        total="118.79",
    ),
)
ITEMS["bill_fr_energie"] = [
    dict(description="Abonnement électricité", quantity=None, unit_price=14.20, amount=14.20),
    dict(description="Consommation heures pleines", quantity=410, unit_price=0.2068, amount=84.79),
]


def main(out: Path, only: str = "") -> int:
    from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
    from wardflow.evals._compare import match_items
    from wardflow.tools.documents import read_document

    policy = ExtractionPolicy(today=date(2026, 11, 25))
    out.mkdir(parents=True, exist_ok=True)
    right = matched = expected_items = 0
    probes = {k: v for k, v in PROBES.items() if k.startswith(only)}
    for name, (items, expected) in probes.items():
        path = out / f"{name}.pdf"
        path.write_bytes(pdf(items))
        (out / f"{name}.json").write_text(json.dumps(expected))
        result = extract_invoice(read_document(path.read_bytes(), path.name), [], policy)
        got = {k: v["value"] for k, v in result["fields"].items()}
        wrong = [
            f"{k}: {expected.get(k)!r} -> {got.get(k)!r}"
            for k in FIELDS
            if got.get(k) != expected.get(k)
        ]
        right += len(FIELDS) - len(wrong)
        lines = ""
        if name in ITEMS:
            hits = match_items(result.get("line_items") or [], ITEMS[name])
            matched += hits
            expected_items += len(ITEMS[name])
            lines = f" [items {hits}/{len(ITEMS[name])}]"
        print(f"{name:22} {result['document_type']:12} {'; '.join(wrong) or 'OK'}{lines}")
    print(f"fields right: {right} / {len(FIELDS) * len(probes)}")
    if expected_items:
        print(f"line items matched: {matched} / {expected_items}")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=None)
    parser.add_argument("--only", default="", help="probes whose name starts with this")
    args = parser.parse_args()
    sys.exit(main(args.out or Path(tempfile.mkdtemp()), args.only))
