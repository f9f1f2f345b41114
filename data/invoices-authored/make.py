"""Invoices written by hand for wardflow (invented sellers, buyers, numbers), laid out as
PDF pages with fpdf2. Each document is a list of placed strings; its label is written
next to it. Run: python make.py data/invoices-authored"""
from __future__ import annotations
import json, sys
from pathlib import Path
from fpdf import FPDF

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

class Page:
    def __init__(self):
        self.pdf = FPDF(format="A4")
        self.pdf.add_font("dv", "", FONT)
        self.pdf.add_font("dv", "B", BOLD)
        self.pdf.add_page()
    def t(self, x, y, s, size=9, bold=False, right=False):
        self.pdf.set_font("dv", "B" if bold else "", size)
        if right:
            x -= self.pdf.get_string_width(s)
        self.pdf.text(x, y, s)
    def rows(self, y, cols, rows, step=6, size=9, header_bold=True):
        """cols: [(x, 'L'|'R')]; rows[0] is the header."""
        for i, row in enumerate(rows):
            for (x, al), cell in zip(cols, row):
                if cell:
                    self.t(x, y, cell, size, bold=(i == 0 and header_bold), right=(al == "R"))
            y += step
        return y
    def line(self, x1, y1, x2, y2):
        self.pdf.line(x1, y1, x2, y2)
    def rect(self, x, y, w, h):
        self.pdf.rect(x, y, w, h)
    def save(self, path):
        Path(path).write_bytes(bytes(self.pdf.output()))

DOCS = []
def doc(name, label):
    def wrap(fn):
        DOCS.append((name, label, fn)); return fn
    return wrap

def items(*rows):
    return [dict(description=d, quantity=q, unit_price=u, amount=a) for d, q, u, a in rows]

# 1 -------------------------------------------------------------------------------
@doc("de-rechnung-fenster.pdf", dict(vendor="Kranich Werkzeugbau GmbH", invoice_number="2025-10473",
     date="2025-03-12", due_date="2025-04-11", currency="EUR", subtotal=1512.00, tax=287.28,
     total=1799.28, language="de", line_items=items(("Spannzange ER32 Satz", 4, 189.00, 756.00),
     ("Fräser HSS-E 12 mm", 12, 38.50, 462.00), ("Versandpauschale", 1, 294.00, 294.00))))
def _(p):
    p.t(20, 18, "KRANICH", 20, True); p.t(20, 25, "Werkzeugbau", 11)
    p.t(20, 47, "Kranich Werkzeugbau GmbH · Industriestraße 12 · 73433 Aalen", 6)
    p.line(20, 48.5, 105, 48.5)
    for i, s in enumerate(["Metallbau Sommer KG", "Herrn Jörg Sommer", "Am Hafen 7", "28217 Bremen"]):
        p.t(20, 55 + 5 * i, s, 10)
    info = [("Rechnungsnr.:", "2025-10473"), ("Rechnungsdatum:", "12.03.2025"), ("Kundennr.:", "40215"),
            ("Lieferdatum:", "10.03.2025"), ("Ihr Auftrag:", "vom 02.03.2025")]
    for i, (a, b) in enumerate(info):
        p.t(130, 55 + 5 * i, a, 9); p.t(190, 55 + 5 * i, b, 9, right=True)
    p.t(20, 95, "Rechnung", 14, True)
    p.t(20, 103, "Sehr geehrter Herr Sommer, wir berechnen Ihnen folgende Lieferung:", 9)
    y = p.rows(113, [(20, "L"), (32, "L"), (110, "R"), (125, "L"), (160, "R"), (190, "R")], [
        ("Pos.", "Artikel", "Menge", "Einheit", "Einzelpreis", "Gesamt"),
        ("1", "Spannzange ER32 Satz", "4", "Stk.", "189,00 €", "756,00 €"),
        ("2", "Fräser HSS-E 12 mm", "12", "Stk.", "38,50 €", "462,00 €"),
        ("3", "Versandpauschale", "1", "psch.", "294,00 €", "294,00 €")])
    p.line(20, y - 3, 190, y - 3)
    for i, (a, b) in enumerate([("Nettobetrag", "1.512,00 €"), ("zzgl. 19 % USt.", "287,28 €"),
                                ("Rechnungsbetrag", "1.799,28 €")]):
        p.t(130, y + 3 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 3 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Zahlbar bis 11.04.2025 ohne Abzug.", 9)
    p.t(20, 280, "Kranich Werkzeugbau GmbH", 6.5); p.t(20, 283, "Industriestraße 12, 73433 Aalen", 6.5)
    p.t(20, 286, "Geschäftsführer: Dr. Ute Kranich", 6.5)
    p.t(85, 280, "Kreissparkasse Ostalb", 6.5); p.t(85, 283, "IBAN DE89 3704 0044 0532 0130 00", 6.5)
    p.t(85, 286, "BIC COLSDE33XXX", 6.5)
    p.t(150, 280, "Amtsgericht Ulm HRB 712345", 6.5); p.t(150, 283, "USt-IdNr. DE136695976", 6.5)

# 2 -------------------------------------------------------------------------------
@doc("fr-facture-boulangerie.pdf", dict(vendor="Boulangerie Industrielle Morvan", invoice_number="FA-25-00187",
     date="2025-03-03", due_date="2025-04-02", currency="EUR", subtotal=1143.60, tax=101.70, total=1245.30,
     language="fr", line_items=items(("Pain de campagne 800 g", 240, 2.10, 504.00),
     ("Croissant pur beurre", 600, 0.62, 372.00), ("Caisse navette consignée", 20, 13.38, 267.60))))
def _(p):
    p.t(20, 20, "Boulangerie Industrielle Morvan", 15, True)
    p.t(20, 26, "ZA des Grands Champs – 58120 Château-Chinon", 8)
    p.t(20, 30, "Tél. 03 86 85 00 00 – contact@morvan-pains.fr", 8)
    p.t(120, 45, "Client", 8, True)
    for i, s in enumerate(["SARL Le Relais du Lac", "12 route des Settons", "58230 Montsauche"]):
        p.t(120, 50 + 5 * i, s, 10)
    p.t(20, 75, "FACTURE N° FA-25-00187", 13, True)
    p.t(20, 82, "Date d'émission : 3 mars 2025", 9)
    p.t(20, 87, "Échéance : 2 avril 2025", 9)
    p.t(110, 82, "Votre commande : BC-4471 du 24 février 2025", 9)
    y = p.rows(100, [(20, "L"), (45, "L"), (125, "R"), (148, "R"), (166, "R"), (190, "R")], [
        ("Référence", "Désignation", "Qté", "PU HT", "TVA", "Total HT"),
        ("PC800", "Pain de campagne 800 g", "240", "2,10", "5,5 %", "504,00"),
        ("CRB01", "Croissant pur beurre", "600", "0,62", "5,5 %", "372,00"),
        ("CNS20", "Caisse navette consignée", "20", "13,38", "20 %", "267,60")])
    tot = [("Total HT", "1 143,60 €"), ("TVA 5,5 % sur 876,00", "48,18 €"), ("TVA 20 % sur 267,60", "53,52 €"),
           ("Total TTC", "1 245,30 €")]
    # keep arithmetic honest: 48.18 + 53.52 = 101.70 -> TTC 1245.30
    for i, (a, b) in enumerate(tot):
        p.t(120, y + 6 + 6 * i, a, 9, bold=i == 3); p.t(190, y + 6 + 6 * i, b, 9, bold=i == 3, right=True)
    p.t(20, y + 40, "Pénalités de retard : trois fois le taux d'intérêt légal. Indemnité forfaitaire pour frais", 7)
    p.t(20, y + 44, "de recouvrement : 40 €. Pas d'escompte pour paiement anticipé.", 7)
    p.t(20, 282, "SAS au capital de 50 000 € – RCS Nevers 812 345 678 – SIRET 812 345 678 00019 – TVA FR40 812345678", 6.5)
    p.t(20, 285, "IBAN FR76 3000 6000 0112 3456 7890 189 – BIC AGRIFRPP", 6.5)

# 3 -------------------------------------------------------------------------------
@doc("nl-factuur-zeilmakerij.pdf", dict(vendor="Zeilmakerij De Vries B.V.", invoice_number="2025-0218",
     date="2025-02-14", due_date="2025-03-16", currency="EUR", subtotal=716.00, tax=150.36, total=866.36,
     language="nl", line_items=items(("Reparatie grootzeil", 1, 385.00, 385.00),
     ("Nieuwe lijnen 10 mm (per meter)", 24, 4.75, 114.00), ("Arbeidsloon (uur)", 3.5, 62.00, 217.00))))
def _(p):
    p.t(190, 18, "Zeilmakerij De Vries B.V.", 12, True, right=True)
    for i, s in enumerate(["Havenkade 31", "8531 HL Lemmer", "KvK 01234567", "BTW NL001234567B01",
                           "IBAN NL91 ABNA 0417 1643 00"]):
        p.t(190, 24 + 4.5 * i, s, 8, right=True)
    p.t(20, 50, "Factuuradres", 8, True)
    for i, s in enumerate(["Jachtwerf Noord", "t.a.v. mevr. A. Bakker", "Werfweg 2", "9971 AA Ulrum"]):
        p.t(20, 55 + 5 * i, s, 10)
    p.t(20, 85, "FACTUUR", 16, True)
    for i, (a, b) in enumerate([("Factuurnummer", "2025-0218"), ("Factuurdatum", "14-02-2025"),
                                ("Vervaldatum", "16-03-2025"), ("Klantnummer", "1187")]):
        p.t(20, 94 + 5 * i, a, 9); p.t(60, 94 + 5 * i, b, 9)
    y = p.rows(122, [(20, "L"), (125, "R"), (155, "R"), (190, "R")], [
        ("Omschrijving", "Aantal", "Prijs", "Bedrag"),
        ("Reparatie grootzeil", "1", "€ 385,00", "€ 385,00"),
        ("Nieuwe lijnen 10 mm (per meter)", "24", "€ 4,75", "€ 114,00"),
        ("Arbeidsloon (uur)", "3,5", "€ 62,00", "€ 217,00")])
    for i, (a, b) in enumerate([("Subtotaal", "€ 716,00"), ("BTW 21%", "€ 150,36"), ("Totaal", "€ 866,36")]):
        p.t(130, y + 4 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 4 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Gelieve het bedrag binnen 30 dagen over te maken onder vermelding van het factuurnummer.", 8)

# 4 -------------------------------------------------------------------------------
@doc("es-factura-talleres.pdf", dict(vendor="Talleres Ibarra S.L.", invoice_number="A-2025/0142",
     date="2025-04-07", due_date="2025-05-07", currency="EUR", subtotal=685.50, tax=143.96, total=829.46,
     language="es", line_items=items(("Revisión bomba hidráulica", 1, 420.00, 420.00),
     ("Juego de juntas", 3, 18.50, 55.50), ("Mano de obra (h)", 6, 35.00, 210.00))))
def _(p):
    p.t(20, 20, "FACTURA", 18, True)
    p.t(130, 16, "Nº de factura: A-2025/0142", 9); p.t(130, 21, "Fecha: 07/04/2025", 9)
    p.t(130, 26, "Vencimiento: 07/05/2025", 9)
    p.t(20, 40, "Emisor", 8, True); p.t(110, 40, "Cliente", 8, True)
    for i, s in enumerate(["Talleres Ibarra S.L.", "CIF B95123456", "Polígono Ugaldeguren III, 14",
                           "48170 Zamudio (Bizkaia)"]):
        p.t(20, 46 + 5 * i, s, 9)
    for i, s in enumerate(["Construcciones Aranda S.A.", "CIF A28123456", "Calle Mayor 55", "28013 Madrid"]):
        p.t(110, 46 + 5 * i, s, 9)
    y = p.rows(80, [(20, "L"), (120, "R"), (155, "R"), (190, "R")], [
        ("Concepto", "Unidades", "Precio unitario", "Importe"),
        ("Revisión bomba hidráulica", "1", "420,00 €", "420,00 €"),
        ("Juego de juntas", "3", "18,50 €", "55,50 €"),
        ("Mano de obra (h)", "6", "35,00 €", "210,00 €")])
    for i, (a, b) in enumerate([("Base imponible", "685,50 €"), ("IVA (21%)", "143,96 €"), ("Total", "829,46 €")]):
        p.t(125, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Forma de pago: transferencia bancaria a ES91 2100 0418 4502 0005 1332", 8)

# 5 -------------------------------------------------------------------------------
@doc("it-fattura-ceramiche.pdf", dict(vendor="Ceramiche Val di Sole S.r.l.", invoice_number="58/2025",
     date="2025-05-15", due_date="2025-06-14", currency="EUR", subtotal=1349.80, tax=296.96, total=1646.76,
     language="it", line_items=items(("Piastrelle gres 60x60 (mq)", 42, 24.90, 1045.80),
     ("Battiscopa (ml)", 35, 6.40, 224.00), ("Trasporto", 1, 80.00, 80.00))))
def _(p):
    p.t(20, 20, "Ceramiche Val di Sole S.r.l.", 14, True)
    p.t(20, 26, "Via dei Mulini 8 – 38027 Malè (TN) – P.IVA 01234560221", 8)
    p.t(115, 45, "Spett.le", 9)
    for i, s in enumerate(["Edilnord Costruzioni S.p.A.", "Via Torino 140", "20151 Milano (MI)"]):
        p.t(115, 50 + 5 * i, s, 10)
    p.t(20, 75, "Fattura n. 58/2025 del 15/05/2025", 12, True)
    y = p.rows(88, [(20, "L"), (120, "R"), (150, "R"), (190, "R")], [
        ("Descrizione", "Q.tà", "Prezzo", "Importo"),
        ("Piastrelle gres 60x60 (mq)", "42", "24,90", "1.045,80"),
        ("Battiscopa (ml)", "35", "6,40", "224,00"),
        ("Trasporto", "1", "80,00", "80,00")])
    for i, (a, b) in enumerate([("Imponibile", "1.349,80"), ("IVA 22%", "296,96"), ("Totale documento €", "1.646,76")]):
        p.t(125, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Pagamento: bonifico bancario – Scadenza: 14/06/2025", 8)
    p.t(20, y + 35, "IBAN IT60 X054 2811 1010 0000 0123 456", 8)

# 6 -------------------------------------------------------------------------------
@doc("pl-faktura-drukarnia.pdf", dict(vendor="Drukarnia Wiślana Sp. z o.o.", invoice_number="FV/2025/03/117",
     date="2025-03-18", due_date="2025-04-01", currency="PLN", subtotal=970.00, tax=223.10, total=1193.10,
     language="pl", line_items=items(("Ulotki A5, 4+4, 2000 szt.", 1, 780.00, 780.00),
     ("Wizytówki 85x55, 500 szt.", 2, 95.00, 190.00))))
def _(p):
    p.t(20, 20, "Faktura VAT nr FV/2025/03/117", 14, True)
    p.t(130, 30, "Data wystawienia: 2025-03-18", 8.5); p.t(130, 35, "Data sprzedaży: 2025-03-17", 8.5)
    p.t(130, 40, "Miejsce wystawienia: Kraków", 8.5)
    p.t(20, 52, "Sprzedawca:", 9, True); p.t(110, 52, "Nabywca:", 9, True)
    for i, s in enumerate(["Drukarnia Wiślana Sp. z o.o.", "ul. Zabłocie 23", "30-701 Kraków", "NIP 6762468211"]):
        p.t(20, 58 + 5 * i, s, 9)
    for i, s in enumerate(["Kawiarnia Pod Lipami s.c.", "ul. Długa 4", "31-147 Kraków", "NIP 6751234567"]):
        p.t(110, 58 + 5 * i, s, 9)
    y = p.rows(90, [(20, "L"), (28, "L"), (100, "R"), (108, "L"), (132, "R"), (152, "R"), (164, "R"), (190, "R")], [
        ("Lp.", "Nazwa towaru lub usługi", "Ilość", "J.m.", "Cena netto", "Wart. netto", "VAT", "Wart. brutto"),
        ("1", "Ulotki A5, 4+4, 2000 szt.", "1", "kpl.", "780,00", "780,00", "23%", "959,40"),
        ("2", "Wizytówki 85x55, 500 szt.", "2", "kpl.", "95,00", "190,00", "23%", "233,70")], size=8)
    p.t(100, y + 2, "Razem:", 8.5, True); p.t(152, y + 2, "970,00", 8.5, right=True)
    p.t(164, y + 2, "223,10", 8.5, right=True); p.t(190, y + 2, "1 193,10", 8.5, right=True)
    p.t(20, y + 15, "Do zapłaty: 1 193,10 zł", 11, True)
    p.t(20, y + 21, "Słownie: jeden tysiąc sto dziewięćdziesiąt trzy złote 10/100", 8)
    p.t(20, y + 27, "Sposób płatności: przelew    Termin płatności: 2025-04-01", 8.5)
    p.t(20, y + 33, "Nr konta: PL61 1090 1014 0000 0712 1981 2874", 8.5)

# 7 -------------------------------------------------------------------------------
@doc("en-us-analytics-grid.pdf", dict(vendor="Harbor Light Analytics, Inc.", invoice_number="HLA-3391",
     date="2025-04-08", due_date="2025-05-08", currency="USD", subtotal=6077.00, tax=501.35, total=6578.35,
     language="en", line_items=items(("Dashboard development", 32, 145.00, 4640.00),
     ("Data pipeline setup", 1, 1200.00, 1200.00), ("Monthly hosting", 3, 79.00, 237.00))))
def _(p):
    p.t(20, 20, "Harbor Light Analytics, Inc.", 13, True)
    for i, s in enumerate(["2200 Western Ave, Suite 410", "Seattle, WA 98121", "(206) 555-0148"]):
        p.t(20, 26 + 4.5 * i, s, 8.5)
    p.t(190, 22, "INVOICE", 24, True, right=True)
    p.rect(110, 40, 80, 14); p.line(136.6, 40, 136.6, 54); p.line(163.3, 40, 163.3, 54); p.line(110, 46, 190, 46)
    for x, a, b in [(112, "INVOICE #", "HLA-3391"), (139, "DATE", "04/08/2025"), (165, "DUE DATE", "05/08/2025")]:
        p.t(x, 44.5, a, 7, True); p.t(x, 51.5, b, 9)
    p.t(20, 62, "BILL TO", 8, True); p.t(110, 62, "SHIP TO", 8, True)
    for i, s in enumerate(["Cascade Outfitters Co.", "Attn: Accounts Payable", "880 Pine St", "Portland, OR 97205"]):
        p.t(20, 67 + 4.5 * i, s, 9); p.t(110, 67 + 4.5 * i, s, 9)
    y = p.rows(95, [(20, "L"), (130, "R"), (160, "R"), (190, "R")], [
        ("DESCRIPTION", "QTY", "RATE", "AMOUNT"),
        ("Dashboard development", "32", "145.00", "4,640.00"),
        ("Data pipeline setup", "1", "1,200.00", "1,200.00"),
        ("Monthly hosting", "3", "79.00", "237.00")])
    for i, (a, b) in enumerate([("SUBTOTAL", "6,077.00"), ("SALES TAX (8.25%)", "501.35"), ("TOTAL DUE", "$6,578.35")]):
        p.t(125, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Make all checks payable to Harbor Light Analytics, Inc. Thank you for your business!", 8)

# 8 -------------------------------------------------------------------------------
@doc("en-uk-print-tax-invoice.pdf", dict(vendor="Brackenridge Print Ltd", invoice_number="10892",
     date="2025-01-21", due_date=None, currency="GBP", subtotal=352.50, tax=70.50, total=423.00,
     language="en", line_items=items(("Business cards, 500", 2, 38.00, 76.00),
     ("Tri-fold leaflets, 1000", 1, 164.00, 164.00), ("Design time (hours)", 2.5, 45.00, 112.50))))
def _(p):
    p.t(105, 18, "Brackenridge Print Ltd", 15, True, right=False)
    p.t(105, 24, "Unit 4, Canal Side Works, Leeds LS11 5QN", 8)
    p.t(20, 40, "TAX INVOICE", 14, True)
    for i, s in enumerate(["Invoice No: 10892", "Invoice Date: 21st January 2025", "Account: FOX01",
                           "Terms: 30 days"]):
        p.t(20, 48 + 5 * i, s, 9)
    p.t(120, 48, "Invoice to:", 8, True)
    for i, s in enumerate(["Foxglove Florists", "17 Market Street", "Otley LS21 3AF"]):
        p.t(120, 53 + 5 * i, s, 9)
    y = p.rows(80, [(20, "L"), (120, "R"), (150, "R"), (190, "R")], [
        ("Description", "Qty", "Unit Price", "Net"),
        ("Business cards, 500", "2", "£38.00", "£76.00"),
        ("Tri-fold leaflets, 1000", "1", "£164.00", "£164.00"),
        ("Design time (hours)", "2.5", "£45.00", "£112.50")])
    for i, (a, b) in enumerate([("Net", "£352.50"), ("VAT @ 20%", "£70.50"), ("Gross", "£423.00")]):
        p.t(130, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, 280, "VAT Reg No. GB 123 4567 89 · Registered in England and Wales No. 08123456", 6.5)
    p.t(20, 283, "Sort code 20-00-00 · Account 12345678", 6.5)

# 9 -------------------------------------------------------------------------------
@doc("en-saas-receipt.pdf", dict(vendor="Northwind Cloud Ltd.", invoice_number="NWC-7F3A-0012",
     date="2025-03-03", due_date=None, currency="USD", subtotal=60.00, tax=None, total=60.00,
     language="en", line_items=items(("Team plan", 5, 12.00, 60.00))))
def _(p):
    p.t(20, 22, "Northwind Cloud Ltd.", 11, True)
    p.t(20, 40, "Receipt", 20, True)
    for i, (a, b) in enumerate([("Invoice number", "NWC-7F3A-0012"), ("Receipt number", "2381-0097"),
                                ("Date paid", "March 3, 2025"), ("Payment method", "Visa – 4242")]):
        p.t(20, 50 + 5 * i, a, 9); p.t(60, 50 + 5 * i, b, 9)
    p.t(20, 80, "Northwind Cloud Ltd.", 9, True); p.t(110, 80, "Bill to", 9, True)
    for i, s in enumerate(["1 Quayside Walk", "Bristol BS1 4DB", "United Kingdom", "billing@northwind.example"]):
        p.t(20, 85 + 4.5 * i, s, 8.5)
    for i, s in enumerate(["Petra Lindqvist", "Lindqvist Design AB", "petra@lindqvist.example"]):
        p.t(110, 85 + 4.5 * i, s, 8.5)
    p.t(20, 115, "$60.00 paid on March 3, 2025", 13, True)
    y = p.rows(128, [(20, "L"), (140, "R"), (165, "R"), (190, "R")], [
        ("Description", "Qty", "Unit price", "Amount"),
        ("Team plan", "5", "$12.00", "$60.00"),
        ("Mar 3 – Apr 3, 2025", "", "", "")])
    for i, (a, b) in enumerate([("Subtotal", "$60.00"), ("Total", "$60.00"), ("Amount paid", "$60.00")]):
        p.t(140, y + 4 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 4 + 6 * i, b, 9, bold=i == 2, right=True)

# 10 ------------------------------------------------------------------------------
@doc("ch-rechnung-gastro.pdf", dict(vendor="Alpenglühn Gastro AG", invoice_number="25-0412",
     date="2025-02-28", due_date=None, currency="CHF", subtotal=432.00, tax=34.99, total=466.99,
     language="de", line_items=items(("Service Kaffeemaschine", 1, 280.00, 280.00),
     ("Entkalkungstabletten (Pack)", 6, 14.50, 87.00), ("Anfahrt", 1, 65.00, 65.00))))
def _(p):
    p.t(20, 20, "Alpenglühn Gastro AG", 14, True)
    p.t(20, 26, "Bahnhofstrasse 19 · 3800 Interlaken · CHE-123.456.788 MWST", 8)
    for i, s in enumerate(["Hotel Jungfraublick", "Frau M. Zurbuchen", "Höheweg 41", "3800 Interlaken"]):
        p.t(120, 45 + 5 * i, s, 10)
    p.t(20, 75, "Rechnung", 14, True)
    p.t(20, 83, "Rechnungs-Nr. 25-0412", 9); p.t(80, 83, "Interlaken, 28. Februar 2025", 9)
    y = p.rows(95, [(20, "L"), (125, "R"), (155, "R"), (190, "R")], [
        ("Bezeichnung", "Anzahl", "Preis CHF", "Betrag CHF"),
        ("Service Kaffeemaschine", "1", "280.00", "280.00"),
        ("Entkalkungstabletten (Pack)", "6", "14.50", "87.00"),
        ("Anfahrt", "1", "65.00", "65.00")])
    for i, (a, b) in enumerate([("Total exkl. MWST", "432.00"), ("MWST 8,1 %", "34.99"), ("Total CHF", "466.99")]):
        p.t(125, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Zahlbar innert 30 Tagen netto. Besten Dank für Ihren Auftrag.", 8.5)
    p.t(20, y + 35, "IBAN CH93 0076 2011 6238 5295 7", 8.5)

# 11 ------------------------------------------------------------------------------
@doc("en-ie-to-from.pdf", dict(vendor="Copperleaf Studio Ltd", invoice_number="2025/041",
     date="2025-06-09", due_date="2025-06-23", currency="EUR", subtotal=2740.00, tax=630.20, total=3370.20,
     language="en", line_items=items(("Brand identity package", 1, 2400.00, 2400.00),
     ("Additional revisions (hour)", 4, 85.00, 340.00))))
def _(p):
    p.t(20, 22, "Invoice", 22, True)
    p.t(20, 32, "No. 2025/041", 10); p.t(20, 37, "Date: 9 June 2025", 10); p.t(20, 42, "Payment due: 23 June 2025", 10)
    p.t(20, 56, "To:", 9, True); p.t(110, 56, "From:", 9, True)
    for i, s in enumerate(["Gallagher & Sons Distillery", "Main Street", "Dingle, Co. Kerry V92 X2E4"]):
        p.t(20, 62 + 5 * i, s, 9)
    for i, s in enumerate(["Copperleaf Studio Ltd", "14 Pearse Street", "Dublin 2, D02 YX88", "VAT IE 3456789OH"]):
        p.t(110, 62 + 5 * i, s, 9)
    y = p.rows(90, [(20, "L"), (130, "R"), (160, "R"), (190, "R")], [
        ("Item", "Qty", "Price", "Total"),
        ("Brand identity package", "1", "€2,400.00", "€2,400.00"),
        ("Additional revisions (hour)", "4", "€85.00", "€340.00")])
    for i, (a, b) in enumerate([("Subtotal", "€2,740.00"), ("VAT 23%", "€630.20"), ("Total", "€3,370.20")]):
        p.t(130, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Bank: AIB · IBAN IE29 AIBK 9311 5212 3456 78 · BIC AIBKIE2D", 8)

# 12 ------------------------------------------------------------------------------
@doc("fr-facture-plomberie.pdf", dict(vendor="Plomberie Chauffage Lemaire", invoice_number="2025-06-044",
     date="2025-06-12", due_date=None, currency="EUR", subtotal=1101.50, tax=110.15, total=1211.65,
     language="fr", line_items=items(("Remplacement chauffe-eau 200 L", 1, 890.00, 890.00),
     ("Raccords et petites fournitures", 1, 46.50, 46.50), ("Main-d'œuvre (h)", 3, 55.00, 165.00))))
def _(p):
    p.t(20, 20, "Plomberie Chauffage Lemaire", 13, True)
    p.t(20, 26, "EURL au capital de 8 000 € · 4 rue des Tanneurs · 35000 Rennes", 8)
    p.t(20, 30, "SIRET 853 214 567 00018 · TVA intracom. FR12 853214567", 8)
    p.rect(125, 38, 65, 16)
    p.t(128, 44, "Facture n° 2025-06-044", 10, True); p.t(128, 50, "Date : 12/06/2025", 9)
    p.t(20, 62, "Client n° 4523 8891 02", 9)
    for i, s in enumerate(["M. et Mme Guillou", "27 boulevard de la Liberté", "35000 Rennes"]):
        p.t(125, 62 + 5 * i, s, 9)
    p.t(20, 82, "Intervention du 10/06/2025 – remplacement du ballon d'eau chaude", 9)
    y = p.rows(92, [(20, "L"), (130, "R"), (160, "R"), (190, "R")], [
        ("Désignation", "Qté", "Prix unitaire HT", "Montant HT"),
        ("Remplacement chauffe-eau 200 L", "1", "890,00", "890,00"),
        ("Raccords et petites fournitures", "1", "46,50", "46,50"),
        ("Main-d'œuvre (h)", "3", "55,00", "165,00")])
    for i, (a, b) in enumerate([("Total HT", "1 101,50 €"), ("TVA 10 %", "110,15 €"), ("Net à payer", "1 211,65 €")]):
        p.t(130, y + 5 + 6 * i, a, 9, bold=i == 2); p.t(190, y + 5 + 6 * i, b, 9, bold=i == 2, right=True)
    p.t(20, y + 30, "Paiement à réception de facture. TVA à taux réduit (travaux dans un logement de plus de 2 ans).", 7.5)

def labels(source: str = "data/invoices-authored/make.py") -> list[dict]:
    """The label of every document, in the schema of data/invoices."""
    rows = []
    for name, label, _fn in DOCS:
        fields = {k: v for k, v in label.items() if k not in ("language", "line_items")}
        rows.append({"file": f"docs/{name}", **fields, "line_items": label["line_items"],
                     "source_repo": "wardflow", "source_path": source,
                     "license": "Apache-2.0", "source_commit": None, "format": "pdf_text_layer",
                     "pages": 1, "document_type": "invoice", "language": label["language"]})
    return rows


def main(out: Path, source: str = "data/invoices-authored/make.py") -> None:
    (out / "docs").mkdir(parents=True, exist_ok=True)
    for name, _label, fn in DOCS:
        page = Page(); fn(page); page.save(out / "docs" / name)
    rows = labels(source)
    (out / "labels.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(len(rows), "documents")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
