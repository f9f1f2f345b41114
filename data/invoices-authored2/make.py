"""A second batch of invoices written by hand for wardflow, in the styles of recurring
vendor bills (telecom, cloud, utility, hotel folio, marketplace, web shop), with the page
helpers of ../invoices-authored/make.py. Run: python data/invoices-authored2/make.py data/invoices-authored2"""
from __future__ import annotations
import runpy, sys
from pathlib import Path

_base = runpy.run_path(str(Path(__file__).resolve().parents[1] / "invoices-authored" / "make.py"),
                       run_name="authored")
_base["DOCS"].clear()
doc, items, Page = _base["doc"], _base["items"], _base["Page"]

# 13 ------------------------------------------------------------------------------
@doc("fr-facture-mobile.pdf", dict(vendor="Hexagone Télécom SA", invoice_number="FM25031877",
     date="2025-03-05", due_date="2025-03-20", currency="EUR", subtotal=20.83, tax=4.16, total=24.99,
     language="fr", line_items=items(("Forfait Mobile 100 Go", 1, 20.83, 20.83))))
def _(p):
    p.t(20, 20, "hexagone", 20, True); p.t(20, 26, "télécom", 10)
    p.t(120, 20, "Votre facture mobile", 13, True); p.t(120, 26, "mars 2025", 10)
    for i, (a, b) in enumerate([("N° de facture :", "FM25031877"), ("Date de facture :", "05/03/2025"),
                                ("N° client :", "2291 4410 77"), ("Ligne :", "06 12 34 56 78")]):
        p.t(120, 36 + 5 * i, a, 8.5); p.t(190, 36 + 5 * i, b, 8.5, right=True)
    for i, s in enumerate(["Mme Claire Fontaine", "8 allée des Cerisiers", "69003 Lyon"]):
        p.t(20, 45 + 5 * i, s, 10)
    p.rect(20, 70, 170, 18)
    p.t(25, 78, "Montant à payer", 11, True); p.t(185, 78, "24,99 €", 14, True, right=True)
    p.t(25, 84, "Date limite de paiement : 20/03/2025 – prélèvement automatique", 8)
    y = p.rows(100, [(20, "L"), (150, "R"), (190, "R")], [
        ("Détail de votre consommation", "Montant HT", "Montant TTC"),
        ("Forfait Mobile 100 Go – du 01/03 au 31/03", "20,83 €", "24,99 €"),
        ("Appels, SMS et MMS illimités", "inclus", "inclus"),
        ("Internet : 12,4 Go consommés sur 100 Go", "inclus", "inclus")])
    for i, (a, b) in enumerate([("Total HT", "20,83 €"), ("TVA 20 %", "4,16 €"), ("Total TTC", "24,99 €")]):
        p.t(120, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, 282, "Hexagone Télécom SA au capital de 12 500 000 € – 12 rue de la Gare, 75010 Paris – RCS Paris 421 938 861", 6.3)
    p.t(20, 285, "TVA intracommunautaire FR79 421938861", 6.3)

# 14 ------------------------------------------------------------------------------
@doc("en-cloud-services.pdf", dict(vendor="Nimbus Web Services, Inc.", invoice_number="1847263950",
     date="2025-02-02", due_date=None, currency="USD", subtotal=1177.57, tax=107.00, total=1284.57,
     language="en", line_items=[dict(description="Compute", quantity=None, unit_price=None, amount=812.40),
                                 dict(description="Object Storage", quantity=None, unit_price=None, amount=301.17),
                                 dict(description="Data Transfer", quantity=None, unit_price=None, amount=64.00)]))
def _(p):
    p.t(20, 20, "nimbus", 18, True); p.t(20, 26, "web services", 9)
    p.t(120, 20, "Tax Invoice", 16, True)
    for i, (a, b) in enumerate([("Invoice Number:", "1847263950"), ("Invoice Date:", "February 2, 2025"),
                                ("Account Number:", "5521 0098 7741"), ("Billing Period:", "January 1 - January 31, 2025")]):
        p.t(120, 30 + 5 * i, a, 8.5); p.t(150, 30 + 5 * i, b, 8.5)
    p.t(20, 56, "Bill to Address:", 8.5, True)
    for i, s in enumerate(["ATTN: Finance", "Quillfeather Labs LLC", "77 Harrison St", "Boston, MA 02111"]):
        p.t(20, 61 + 4.5 * i, s, 8.5)
    p.rect(20, 85, 170, 12)
    p.t(24, 92.5, "TOTAL AMOUNT DUE ON February 2, 2025", 10, True); p.t(186, 92.5, "$1,284.57", 12, True, right=True)
    y = p.rows(108, [(20, "L"), (190, "R")], [
        ("Summary", ""), ("Compute", "$812.40"), ("Object Storage", "$301.17"), ("Data Transfer", "$64.00")])
    for i, (a, b) in enumerate([("Charges", "$1,177.57"), ("Estimated Tax", "$107.00"),
                                ("Total for this invoice", "$1,284.57")]):
        p.t(20, y + 4 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 4 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, 282, "Nimbus Web Services, Inc. · 410 Terry Ave N · Seattle, WA 98109 · Tax ID 91-1646860", 6.5)

# 15 ------------------------------------------------------------------------------
@doc("en-in-hotel-folio.pdf", dict(vendor="Hotel Bellavista Garden", invoice_number="HB/25/01592",
     date="2025-01-14", due_date=None, currency="INR", subtotal=9000.00, tax=1080.00, total=10080.00,
     language="en", line_items=items(("Room Charges - Deluxe", 2, 4500.00, 9000.00))))
def _(p):
    p.t(105, 18, "Hotel Bellavista Garden", 14, True); p.t(105, 24, "14 MG Road, Bengaluru 560001", 8)
    p.t(105, 28, "GSTIN: 29AABCB1234C1Z2", 8)
    p.t(20, 40, "TAX INVOICE", 12, True)
    for i, (a, b) in enumerate([("Guest Name", "Mr. Arjun Mehta"), ("Company", "Tessellate Software Pvt Ltd"),
                                ("Room No.", "412"), ("Arrival", "12-Jan-2025"), ("Departure", "14-Jan-2025")]):
        p.t(20, 48 + 5 * i, a, 8.5); p.t(50, 48 + 5 * i, ": " + b, 8.5)
    for i, (a, b) in enumerate([("Folio No.", "44871"), ("Bill No.", "HB/25/01592"), ("Bill Date", "14-Jan-2025"),
                                ("Cashier", "RKS")]):
        p.t(125, 48 + 5 * i, a, 8.5); p.t(150, 48 + 5 * i, ": " + b, 8.5)
    y = p.rows(82, [(20, "L"), (45, "L"), (120, "R"), (150, "R"), (190, "R")], [
        ("Date", "Description", "Nights", "Rate", "Amount (₹)"),
        ("12-Jan", "Room Charges - Deluxe", "2", "4,500.00", "9,000.00")])
    for i, (a, b) in enumerate([("Sub Total", "9,000.00"), ("CGST @ 6%", "540.00"), ("SGST @ 6%", "540.00"),
                                ("Grand Total", "10,080.00")]):
        p.t(120, y + 5 + 6 * i, a, 9, bold=i == 3); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 3, right=True)
    p.t(20, y + 35, "Amount in words: Rupees Ten Thousand Eighty Only", 8)
    p.t(20, y + 45, "Guest Signature", 8); p.t(150, y + 45, "Cashier Signature", 8)

# 16 ------------------------------------------------------------------------------
@doc("de-telekom-rechnung.pdf", dict(vendor="Rheinwelle Kommunikation GmbH", invoice_number="5123398771",
     date="2025-02-04", due_date=None, currency="EUR", subtotal=33.61, tax=6.39, total=40.00,
     language="de", line_items=items(("Grundgebühr DSL 100", 1, 29.41, 29.41), ("Router-Miete", 1, 4.20, 4.20))))
def _(p):
    p.t(20, 20, "rheinwelle", 18, True)
    p.t(20, 45, "Rheinwelle Kommunikation GmbH, Postfach 10 20 30, 50667 Köln", 6)
    for i, s in enumerate(["Herrn", "Tobias Engel", "Lindenallee 9", "53115 Bonn"]):
        p.t(20, 52 + 5 * i, s, 10)
    for i, (a, b) in enumerate([("Kundennummer", "7004 1182 33"), ("Rechnungsnummer", "5123398771"),
                                ("Rechnungsdatum", "04.02.2025"), ("Buchungskonto", "4410 2290")]):
        p.t(125, 52 + 5 * i, a, 8.5); p.t(190, 52 + 5 * i, b, 8.5, right=True)
    p.t(20, 85, "Ihre Rechnung für Februar 2025", 13, True)
    y = p.rows(97, [(20, "L"), (150, "R"), (190, "R")], [
        ("Leistung", "Netto", "Brutto"),
        ("Grundgebühr DSL 100 (01.02.–28.02.)", "29,41 €", "35,00 €"),
        ("Router-Miete", "4,20 €", "5,00 €")])
    for i, (a, b) in enumerate([("Summe netto", "33,61 €"), ("Umsatzsteuer 19 %", "6,39 €"),
                                ("Rechnungsbetrag", "40,00 €")]):
        p.t(120, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Der Rechnungsbetrag wird am 14.02.2025 von Ihrem Konto DE02 1203 0000 0000 2020 51 abgebucht.", 8)
    p.t(20, 282, "Rheinwelle Kommunikation GmbH · Sitz Köln · Amtsgericht Köln HRB 99123 · USt-IdNr. DE812345679", 6.3)

# 17 ------------------------------------------------------------------------------
@doc("en-us-utility-statement.pdf", dict(vendor="Cedar Valley Power & Light Co.", invoice_number="88213457",
     date="2025-03-10", due_date="2025-03-31", currency="USD", subtotal=135.24, tax=6.70, total=141.94,
     language="en", line_items=items(("Basic service charge", 1, 12.00, 12.00), ("Energy charge", 1040, 0.1185, 123.24))))
def _(p):
    p.t(20, 20, "Cedar Valley Power & Light Co.", 13, True)
    p.t(20, 26, "P.O. Box 4400, Cedar Rapids, IA 52407 · 1-800-555-0199", 8)
    for i, (a, b) in enumerate([("Account Number", "1029-3344-55"), ("Bill Number", "88213457"),
                                ("Statement Date", "03/10/2025"), ("Service Period", "02/06/2025 - 03/07/2025")]):
        p.t(120, 38 + 5 * i, a, 8.5); p.t(190, 38 + 5 * i, b, 8.5, right=True)
    for i, s in enumerate(["DANIEL OKAFOR", "1517 BIRCH HOLLOW DR", "MARION IA 52302-1120"]):
        p.t(20, 45 + 5 * i, s, 9.5)
    p.rect(20, 66, 170, 14)
    p.t(24, 72, "Amount Due", 10, True); p.t(90, 72, "Due Date", 10, True)
    p.t(24, 77.5, "$141.94", 11); p.t(90, 77.5, "03/31/2025", 11)
    y = p.rows(92, [(20, "L"), (110, "R"), (145, "R"), (190, "R")], [
        ("Electric Charges", "Usage", "Rate", "Charge"),
        ("Basic service charge", "", "", "$12.00"),
        ("Energy charge", "1,040 kWh", "$0.1185", "$123.24")])
    for i, (a, b) in enumerate([("Total electric charges", "$135.24"), ("State and local tax", "$6.70"),
                                ("Total Amount Due", "$141.94")]):
        p.t(110, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Previous balance $128.40 · Payment received 02/24/2025 -$128.40 · Balance forward $0.00", 8)

# 18 ------------------------------------------------------------------------------
@doc("en-in-marketplace-gst.pdf", dict(vendor="Sharma Electronics Pvt. Ltd.", invoice_number="MH-IN-2025-118273",
     date="2025-02-21", due_date=None, currency="INR", subtotal=2117.80, tax=381.20, total=2499.00,
     language="en", line_items=None))
def _(p):
    p.t(20, 18, "Tax Invoice", 14, True)
    p.t(20, 28, "Sold By: Sharma Electronics Pvt. Ltd.", 9, True)
    p.t(20, 33, "Ship-from Address: Plot 22, MIDC Bhosari, Pune 411026, Maharashtra", 8)
    p.t(20, 37, "GSTIN - 27AAACS1234F1Z5", 8)
    for i, (a, b) in enumerate([("Order ID:", "OD43118822640012"), ("Order Date:", "19-02-2025"),
                                ("Invoice Number:", "MH-IN-2025-118273"), ("Invoice Date:", "21-02-2025")]):
        p.t(130, 28 + 5 * i, a, 8); p.t(190, 28 + 5 * i, b, 8, right=True)
    p.t(20, 52, "Billing Address", 8.5, True); p.t(110, 52, "Shipping Address", 8.5, True)
    for i, s in enumerate(["Neha Kulkarni", "Flat 7B, Sai Residency", "Kothrud, Pune 411038"]):
        p.t(20, 57 + 4.5 * i, s, 8.5); p.t(110, 57 + 4.5 * i, s, 8.5)
    y = p.rows(80, [(20, "L"), (95, "R"), (118, "R"), (143, "R"), (165, "R"), (190, "R")], [
        ("Product", "Qty", "Gross Amount ₹", "Taxable Value ₹", "IGST ₹", "Total ₹"),
        ("USB-C Charger 65W", "1", "2,499.00", "2,117.80", "381.20", "2,499.00")], size=8)
    p.t(95, y + 3, "Total", 9, True); p.t(118, y + 3, "2,499.00", 9, right=True)
    p.t(143, y + 3, "2,117.80", 9, right=True); p.t(165, y + 3, "381.20", 9, right=True)
    p.t(190, y + 3, "2,499.00", 9, right=True)
    p.t(130, y + 15, "Grand Total   ₹ 2,499.00", 11, True)
    p.t(20, y + 30, "IGST @ 18%. Whether tax is payable under reverse charge: No", 8)

# 19 ------------------------------------------------------------------------------
@doc("nl-webshop-factuur.pdf", dict(vendor="Kantoorhuis Zuid B.V.", invoice_number="WZ-100482",
     date="2025-04-22", due_date=None, currency="EUR", subtotal=209.88, tax=44.07, total=253.95,
     language="nl", line_items=None))
def _(p):
    p.t(20, 20, "Kantoorhuis Zuid", 16, True)
    p.t(20, 40, "Factuur", 14, True)
    for i, (a, b) in enumerate([("Factuurnummer:", "WZ-100482"), ("Besteldatum:", "20 april 2025"),
                                ("Factuurdatum:", "22 april 2025"), ("Betaalmethode:", "iDEAL (betaald)")]):
        p.t(20, 48 + 5 * i, a, 9); p.t(55, 48 + 5 * i, b, 9)
    for i, s in enumerate(["Dhr. R. Janssen", "Kerkstraat 18", "5611 GH Eindhoven"]):
        p.t(125, 48 + 5 * i, s, 9.5)
    y = p.rows(80, [(20, "L"), (130, "R"), (160, "R"), (190, "R")], [
        ("Artikel", "Aantal", "Prijs", "Totaal"),
        ("Bureaustoel Ergo Plus", "1", "€ 249,00", "€ 249,00"),
        ("Verzendkosten", "1", "€ 4,95", "€ 4,95")])
    for i, (a, b) in enumerate([("Totaal excl. btw", "€ 209,88"), ("Btw 21%", "€ 44,07"),
                                ("Totaal incl. btw", "€ 253,95")]):
        p.t(125, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, 280, "Kantoorhuis Zuid B.V. · Stationsplein 3, 5611 AB Eindhoven · KvK 71234567 · btw NL858123456B01", 6.5)

SOURCE = "data/invoices-authored2/make.py"


def labels() -> list[dict]:
    return _base["labels"](SOURCE)


def main(out: Path) -> None:
    _base["main"](out, SOURCE)

if __name__ == "__main__":
    main(Path(sys.argv[1]))
