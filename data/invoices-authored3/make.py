"""A third batch of invoices written by hand for wardflow: German and French e-invoice
visualisations, page images, Indian GST documents, a contractor's invoice with payments
applied, a UK invoice with a number box, a two-page invoice and a Dutch factuur with two
rates. The page helpers are those of ../invoices-authored/make.py; the amounts of every
document are computed here from its lines, so that each label adds up by construction.
Run: python data/invoices-authored3/make.py data/invoices-authored3"""
from __future__ import annotations

import json
import runpy
import sys
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

_base = runpy.run_path(str(Path(__file__).resolve().parents[1] / "invoices-authored" / "make.py"),
                       run_name="authored")
_base["DOCS"].clear()
doc, items, Page = _base["doc"], _base["items"], _base["Page"]
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
MONO_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SOURCE = "data/invoices-authored3/make.py"
# What differs from a one-page text-layer invoice, by file name.
KIND: dict[str, dict] = {}
CENT = Decimal("0.01")


def r2(x) -> Decimal:
    return Decimal(x).quantize(CENT, ROUND_HALF_UP)


class Bill:
    """Lines (description, quantity, unit price[, rate %]) and the sums a printer derives:
    the net per rate, the tax per rate rounded to cents, the subtotal, tax and total."""
    def __init__(self, rows, rate=None):
        self.lines = []
        self.bases: dict[Decimal, Decimal] = {}
        for row in rows:
            desc, qty, price = row[:3]
            q, p = Decimal(str(qty)), Decimal(str(price))
            assert q * p == r2(q * p), desc  # exact cents: the label's quantity x price holds
            rr = Decimal(str(row[3] if len(row) > 3 else rate)) if (len(row) > 3 or rate is not None) else None
            self.lines.append((desc, q, p, q * p, rr))
            if rr is not None:
                self.bases[rr] = self.bases.get(rr, Decimal(0)) + q * p
        self.subtotal = sum((line[3] for line in self.lines), Decimal(0))
        self.taxes = {k: r2(v * k / 100) for k, v in self.bases.items()}
        self.tax = sum(self.taxes.values(), Decimal(0))
        self.total = self.subtotal + self.tax

    def label(self, **kw) -> dict:
        num = lambda q: int(q) if q == q.to_integral() else float(q)  # noqa: E731
        return dict(subtotal=float(self.subtotal), tax=float(self.tax) if self.taxes else None,
                    total=float(self.total), **kw,
                    line_items=items(*((d, num(q), float(p), float(a)) for d, q, p, a, _ in self.lines)))


def en(x) -> str:
    return f"{Decimal(x):,.2f}"


def de(x) -> str:
    return en(x).replace(",", " ").replace(".", ",").replace(" ", ".")


def fr(x, sep=" ") -> str:
    return en(x).replace(",", sep).replace(".", ",")


def lakh(x) -> str:
    """Indian grouping: 1,23,456.00."""
    whole, cents = f"{Decimal(x):.2f}".split(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:]); head = head[:-2]
    return ",".join(([head] if head else []) + groups + [tail]) + "." + cents


def iban(country: str, bban: str) -> str:
    """An IBAN with its check digits (ISO 13616), grouped by four for print."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    raw = f"{country}{98 - int(digits) % 97:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def mono(p, x, y, s, size=8.5, bold=False, right=False):
    """Text in the monospaced face of a till printer."""
    _mono_font(p, size, bold)
    if right:
        x -= p.pdf.get_string_width(s)
    p.pdf.text(x, y, s)


def _mono_font(p, size, bold):
    if "mono" not in p.pdf.fonts:
        p.pdf.add_font("mono", "", MONO); p.pdf.add_font("mono", "B", MONO_BOLD)
    p.pdf.set_font("mono", "B" if bold else "", size)


def grid(p, x0, y0, widths, heights):
    """The ruled cells of a table: column widths and row heights, from its top left."""
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [y0]
    for h in heights:
        ys.append(ys[-1] + h)
    for y in ys:
        p.line(xs[0], y, xs[-1], y)
    for x in xs:
        p.line(x, ys[0], x, ys[-1])
    return xs, ys


def pairs(p, x, y, rows, xr, step=5.5, size=9, bold_last=False):
    """Label / amount rows with the amounts right-aligned at xr; returns the next y."""
    for i, (a, b) in enumerate(rows):
        strong = bold_last and i == len(rows) - 1
        p.t(x, y, a, size, strong); p.t(xr, y, b, size, strong, right=True)
        y += step
    return y


# 1 -------------------------------------------------------------------------------
B1 = Bill([("Wartung Blockheizkraftwerk, Objekt Parkstraße 4", 1, "2480.00"),
           ("Austausch Umwälzpumpe DN 40", 2, "1185.00"),
           ("Monteurstunden", 38, "72.50"),
           ("Material lt. Aufmaß vom 28.04.2025", 1, "815.00")], rate=19)
PREPAID1 = Decimal("3000.00")


@doc("de-xrechnung-vorauszahlung.pdf", dict(vendor="Brandt & Seidel Haustechnik GmbH",
     invoice_number="BS-2025-0311", date="2025-05-14", due_date="2025-06-13", currency="EUR",
     language="de", **B1.label()))
def _(p):
    p.t(20, 18, "Rechnung", 16, True)
    p.t(20, 24, "Visualisierung einer elektronischen Rechnung (XRechnung 3.0, Syntax UN/CEFACT CII)", 7)
    sections = [
        ("Käufer", [("Leitweg-ID:", "14612000-00417-22"),
                    ("Name:", "Stadtwerke Lindenau GmbH"), ("Anschrift:", "Am Wasserturm 3"),
                    ("", "DE 04179 Leipzig"), ("USt-IdNr.:", "DE314578209")]),
        ("Verkäufer", [("Name:", "Brandt & Seidel Haustechnik GmbH"), ("Anschrift:", "Gewerbering 14"),
                       ("", "DE 04229 Leipzig"), ("Handelsregisternummer:", "HRB 31877, AG Leipzig"),
                       ("USt-IdNr.:", "DE298765435"), ("Kontakt:", "Jana Seidel, +49 341 5550 210")]),
        ("Rechnungsdaten", [("Rechnungsnummer:", "BS-2025-0311"), ("Rechnungsdatum:", "14.05.2025"),
                            ("Rechnungsart:", "Handelsrechnung (380)"), ("Währung:", "EUR"),
                            ("Leistungszeitraum:", "01.04.2025 bis 30.04.2025"),
                            ("Fälligkeitsdatum:", "13.06.2025")])]
    y = 34
    for title, rows in sections:
        p.pdf.set_fill_color(225, 225, 225); p.pdf.rect(20, y - 4, 170, 5.5, style="F")
        p.t(22, y, title, 9, True); y += 6
        for a, b in rows:
            p.t(24, y, a, 8.5); p.t(75, y, b, 8.5); y += 4.6
        y += 4
    p.pdf.set_fill_color(225, 225, 225); p.pdf.rect(20, y - 4, 170, 5.5, style="F")
    p.t(22, y, "Positionen", 9, True)
    y = p.rows(y + 7, [(22, "L"), (30, "L"), (118, "R"), (122, "L"), (146, "R"), (152, "L"), (188, "R")],
               [("Pos", "Bezeichnung", "Menge", "Einheit", "Preis", "USt.", "Nettobetrag")]
               + [(str(i), d, de(q).removesuffix(",00"), "h" if "stunden" in d else "Stk", de(pr), "19 %", de(a))
                  for i, (d, q, pr, a, _) in enumerate(B1.lines, 1)], step=5.5, size=8)
    p.line(20, y - 3.5, 190, y - 3.5)
    y += 4
    p.pdf.set_fill_color(225, 225, 225); p.pdf.rect(20, y - 4, 170, 5.5, style="F")
    p.t(22, y, "Rechnungsbeträge", 9, True)
    gross = B1.total
    y = pairs(p, 24, y + 6.5, [("Summe Positionen", de(B1.subtotal)), ("Gesamtbetrag der Abschläge", "0,00"),
                                ("Gesamtbetrag der Zuschläge", "0,00"),
                                ("Gesamtbetrag ohne USt.", de(B1.subtotal)),
                                ("Umsatzsteuer 19 % (Kategorie S) auf " + de(B1.subtotal), de(B1.tax)),
                                ("Gesamtbetrag inkl. USt.", de(gross)),
                                ("Vorauszahlungsbetrag (Abschlagsrechnung BS-2025-0207)", de(PREPAID1)),
                                ("Rundungsbetrag", "0,00"), ("Zahlbetrag", de(gross - PREPAID1))],
              188, step=5, size=8.5, bold_last=True)
    p.t(24, y + 3, "Zahlungsart: SEPA-Überweisung (58)   IBAN: " + iban("DE", "86050000" + "1024377812")
        + "   BIC: SOLADES1LPZ", 8)
    p.t(24, y + 8, "Zahlungsbedingungen: zahlbar innerhalb von 30 Tagen ohne Abzug.", 8)
    p.t(105, 290, "Seite 1 von 1", 7, right=False)


# 2 -------------------------------------------------------------------------------
B2 = Bill([("Bergkäse 12 Monate gereift (kg)", 14, "21.80", 7),
           ("Apfelsaft naturtrüb 1 l, Kiste à 6", 20, "9.90", 7),
           ("Bio-Eier Größe M, Lage à 30", 8, "11.40", 7),
           ("Präsentkorb \u201eHofgut\u201c groß", 3, "54.90", 19),
           ("Leihgebühr Kühlbox", 2, "12.50", 19)])


@doc("de-zugferd-zwei-steuersaetze.pdf", dict(vendor="Hofgut Ellerbach Feinkost GmbH & Co. KG",
     invoice_number="RE-2025-06-0217", date="2025-06-30", due_date="2025-07-14", currency="EUR",
     language="de", **B2.label()))
def _(p):
    p.t(190, 18, "HOFGUT ELLERBACH", 16, True, right=True)
    p.t(190, 23.5, "Feinkost aus dem Linzgau", 8.5, right=True)
    p.t(20, 44, "Hofgut Ellerbach Feinkost GmbH & Co. KG · Ellerbacher Weg 2 · 88662 Überlingen", 6.5)
    p.line(20, 45.5, 100, 45.5)
    for i, s in enumerate(["Hotel Seeblick Überlingen GmbH", "Einkauf / Küche", "Seepromenade 11", "88662 Überlingen"]):
        p.t(20, 52 + 5 * i, s, 10)
    info = [("Rechnungsnummer", "RE-2025-06-0217"), ("Rechnungsdatum", "30.06.2025"), ("Kundennummer", "K-10388"),
            ("Leistungszeitraum", "01.06.2025 – 30.06.2025"), ("Ihr Ansprechpartner", "Lukas Ebner")]
    for i, (a, b) in enumerate(info):
        p.t(120, 52 + 5 * i, a, 8.5); p.t(190, 52 + 5 * i, b, 8.5, right=True)
    p.t(20, 88, "Rechnung RE-2025-06-0217", 13, True)
    for x, title, rows in [(20, "Verkäufer", ["Hofgut Ellerbach Feinkost GmbH & Co. KG", "Ellerbacher Weg 2, 88662 Überlingen",
                                               "USt-IdNr.: DE147229056"]),
                           (110, "Käufer", ["Hotel Seeblick Überlingen GmbH", "Seepromenade 11, 88662 Überlingen",
                                            "USt-IdNr.: DE266910342"])]:
        p.t(x, 97, title, 8, True)
        for i, s in enumerate(rows):
            p.t(x, 101.5 + 4.2 * i, s, 8)
    cols = [(20, "L"), (30, "L"), (124, "R"), (146, "R"), (160, "R"), (190, "R")]
    y = p.rows(122, cols, [("Pos.", "Bezeichnung", "Menge", "Einzelpreis", "USt.", "Betrag netto")]
               + [(str(i), d, str(q), de(pr) + " €", f"{r} %", de(a) + " €") for i, (d, q, pr, a, r) in enumerate(B2.lines, 1)],
               step=6, size=8.5)
    p.line(20, 118, 190, 118); p.line(20, 124, 190, 124); p.line(20, y - 3, 190, y - 3)
    rows = [("Summe Positionen", de(B2.subtotal) + " €"), ("Gesamtbetrag ohne USt.", de(B2.subtotal) + " €")]
    rows += [(f"Umsatzsteuer {k} % auf {de(B2.bases[k])} €", de(v) + " €") for k, v in B2.taxes.items()]
    rows += [("Gesamtbetrag inkl. USt.", de(B2.total) + " €"), ("Zahlbetrag", de(B2.total) + " €")]
    y = pairs(p, 105, y + 4, rows, 190, step=5.5, size=8.5, bold_last=True)
    p.t(20, y + 6, "Zahlbar ohne Abzug bis zum 14. Juli 2025.", 9)
    p.t(20, y + 11, "Bitte geben Sie bei der Zahlung die Rechnungsnummer an.", 8.5)
    p.line(20, 276, 190, 276)
    foot = [("Hofgut Ellerbach Feinkost GmbH & Co. KG", "Sitz Überlingen, AG Freiburg HRA 702118"),
            ("phG: Ellerbach Verwaltungs GmbH", "Geschäftsführung: Miriam Ellerbach"),
            ("Sparkasse Bodensee · BIC SOLADES1KNZ", "IBAN " + iban("DE", "69050000" + "0004471123"))]
    for i, (a, b) in enumerate(foot):
        p.t((20, 82, 135)[i], 280, a, 6.3); p.t((20, 82, 135)[i], 283.5, b, 6.3)


# 3 -------------------------------------------------------------------------------
B3 = Bill([("Rücknahme LED-Panel 62x62, 4000 K (Lieferschein 55120)", 12, "48.75"),
           ("Preisnachlass Transportschaden Pendelleuchte \u201eNova\u201c", 1, "129.00")], rate=19)


@doc("de-gutschrift-rechnungskorrektur.pdf", dict(vendor="Lichtwerk Leuchten GmbH", invoice_number="GS-2025-0042",
     date="2025-07-23", due_date=None, currency="EUR", language="de", **B3.label()))
def _(p):
    p.t(105 - 22, 18, "LICHTWERK", 18, True)
    p.t(105 - 31, 24, "Leuchten GmbH · Hafenstraße 60 · 48153 Münster", 8)
    p.line(20, 28, 190, 28)
    for x, title, rows in [(20, "Käufer", ["Elektro Hansen OHG", "Herr Sönke Hansen", "Deichstraße 8", "25813 Husum",
                                            "USt-IdNr.: DE813530729"]),
                           (120, "Verkäufer", ["Lichtwerk Leuchten GmbH", "Hafenstraße 60", "48153 Münster",
                                               "USt-IdNr.: DE257419005"])]:
        p.t(x, 40, title, 8, True)
        for i, s in enumerate(rows):
            p.t(x, 45 + 4.8 * i, s, 9)
    p.t(20, 80, "Gutschrift", 15, True)
    p.t(20, 86, "zu Ihrer Rechnung (Rechnungskorrektur)", 8)
    info = [("Gutschriftsnummer:", "GS-2025-0042"), ("Datum:", "23. Juli 2025"), ("Kundennummer:", "20417"),
            ("Bezug:", "Rechnung Nr. 2025-0871 vom 02.07.2025")]
    for i, (a, b) in enumerate(info):
        p.t(100, 80 + 5 * i, a, 8.5); p.t(133, 80 + 5 * i, b, 8.5)
    p.t(20, 108, "Sehr geehrter Herr Hansen,", 9)
    p.t(20, 113, "für die unten aufgeführten Positionen schreiben wir Ihnen folgende Beträge gut:", 9)
    y = p.rows(124, [(20, "L"), (28, "L"), (140, "R"), (162, "R"), (190, "R")],
               [("Pos", "Bezeichnung", "Menge", "Einzelpreis", "Betrag")]
               + [(str(i), d, str(q), de(pr), de(a)) for i, (d, q, pr, a, _) in enumerate(B3.lines, 1)], step=6, size=8.5)
    y = pairs(p, 110, y + 4, [("Summe Positionen", de(B3.subtotal) + " EUR"),
                              ("Gesamtbetrag ohne USt.", de(B3.subtotal) + " EUR"),
                              ("Umsatzsteuer 19 %", de(B3.tax) + " EUR"),
                              ("Gesamtbetrag inkl. USt.", de(B3.total) + " EUR"),
                              ("Gutschriftsbetrag", de(B3.total) + " EUR")], 190, step=5.5, size=8.5, bold_last=True)
    p.t(20, y + 8, f"Den Gutschriftsbetrag von {de(B3.total)} EUR überweisen wir bis zum 06.08.2025 auf Ihr Konto", 8.5)
    p.t(20, y + 12.5, "bei der Nord-Ostsee Sparkasse. Eine Verrechnung mit offenen Posten erfolgt nicht.", 8.5)
    p.t(105 - 62, 286, "Lichtwerk Leuchten GmbH · AG Münster HRB 19442 · Geschäftsführer: Pieter Aalders · IBAN "
        + iban("DE", "40050180" + "0000338412"), 6.3)


# 4 -------------------------------------------------------------------------------
B4 = Bill([("Fourniture et pose escalier quart tournant chêne massif", 1, "6850.00"),
           ("Garde-corps acier thermolaqué (ml)", "7.5", "310.00"),
           ("Dépose de l'ancien escalier et évacuation en déchetterie", 1, "480.00")], rate=20)
ACOMPTE4 = r2(B4.total * Decimal("0.30"))


@doc("fr-facturx-acompte.pdf", dict(vendor="Atelier Menuiserie Roussel SARL", invoice_number="FA2025-0457",
     date="2025-05-12", due_date="2025-06-11", currency="EUR", language="fr", **B4.label()))
def _(p):
    nb = "\u202f"
    p.t(20, 20, "Atelier Menuiserie", 15, True); p.t(20, 27, "ROUSSEL", 15, True)
    for i, s in enumerate(["SARL au capital de 20 000 €", "14 rue du Moulin Neuf, 44190 Clisson",
                           "SIRET 817 429 632 00018 – APE 1623Z", "N° TVA intracommunautaire : FR92817429632"]):
        p.t(20, 34 + 4 * i, s, 7.5)
    p.rect(120, 14, 70, 26)
    p.t(124, 21, "FACTURE", 14, True)
    for i, (a, b) in enumerate([("N° :", "FA2025-0457"), ("Date :", "12/05/2025"), ("Date d'échéance :", "11/06/2025")]):
        p.t(124, 27 + 4.5 * i, a, 8.5); p.t(186, 27 + 4.5 * i, b, 8.5, right=True)
    p.t(120, 56, "Client", 8, True)
    for i, s in enumerate(["SCI Les Tilleuls", "M. Hervé Gautier, gérant", "3 allée des Tilleuls", "44000 Nantes",
                           "SIRET 523 618 403 00019", "TVA : FR70523618403"]):
        p.t(120, 61 + 4.5 * i, s, 9)
    p.t(20, 96, "Chantier : 3 allée des Tilleuls, Nantes – devis D2025-031 accepté le 28/03/2025", 8.5)
    xs, ys = grid(p, 20, 101, [88, 14, 14, 27, 27], [7] + [7] * len(B4.lines))
    heads = ["Désignation", "Qté", "Unité", "PU HT", "Montant HT"]
    for i, h in enumerate(heads):
        p.t(xs[i] + 1.5, ys[0] + 5, h, 8, True)
    for j, (d, q, pr, a, _) in enumerate(B4.lines):
        y = ys[j + 1] + 5
        p.t(xs[0] + 1.5, y, d, 7.5); p.t(xs[2] - 1.5, y, fr(q).removesuffix(",00"), 8, right=True)
        p.t(xs[2] + 1.5, y, "ml" if "(ml)" in d else "u", 8)
        p.t(xs[4] - 1.5, y, fr(pr, nb), 8, right=True); p.t(xs[5] - 1.5, y, fr(a, nb), 8, right=True)
    y = ys[-1] + 8
    xs, ys = grid(p, 108, y, [55, 27], [6.5] * 5)
    rows = [("Total HT", fr(B4.subtotal, nb) + " €"), ("Total TVA (20 %)", fr(B4.tax, nb) + " €"),
            ("Total TTC", fr(B4.total, nb) + " €"), ("Acompte versé (facture FA2025-0312)", "-" + fr(ACOMPTE4, nb) + " €"),
            ("Net à payer", fr(B4.total - ACOMPTE4, nb) + " €")]
    for i, (a, b) in enumerate(rows):
        p.t(110, ys[i] + 4.7, a, 7.8, i == 4); p.t(188, ys[i] + 4.7, b, 8, i == 4, right=True)
    p.t(20, y + 4, f"TVA : taux normal 20 % sur {fr(B4.subtotal, nb)} €", 8)
    p.t(20, y + 9, "Règlement par virement :", 8)
    p.t(20, y + 13, "IBAN " + iban("FR", "1680800001" + "00047123981" + "44"), 8); p.t(20, y + 17, "BIC CCBPFRPPNAN", 8)
    p.t(20, 280, "En cas de retard de paiement, pénalités au taux de 3 fois le taux d'intérêt légal et indemnité", 6.5)
    p.t(20, 283, "forfaitaire pour frais de recouvrement de 40 € (art. L441-10 du Code de commerce). Escompte : néant.", 6.5)
    p.t(20, 287, "Atelier Menuiserie Roussel SARL – RCS Nantes 817 429 632 – document Factur-X (profil EN 16931).", 6.5)


# 5 -------------------------------------------------------------------------------
B5 = Bill([("Audit des processus achats – jours consultant", 6, "950.00"),
           ("Atelier de restitution à la direction financière", 1, "1200.00"),
           ("Frais de déplacement Paris – Lille (forfait)", 1, "340.00")], rate=20)


@doc("fr-facture-conseil.pdf", dict(vendor="Lefort & Associés Conseil SAS", invoice_number="F-2025-118",
     date="2025-06-30", due_date="2025-07-30", currency="EUR", language="fr", **B5.label()))
def _(p):
    p.t(105 - 33, 20, "Lefort & Associés", 16, True); p.t(105 - 8, 26, "Conseil", 10)
    p.t(105 - 61, 32, "SAS au capital de 10 000 € – 27 rue Nationale, 59000 Lille – SIREN 439 587 122", 7.5)
    p.t(20, 50, "Facturé à :", 8.5, True)
    for i, s in enumerate(["Brasseries du Hainaut SA", "Service comptabilité fournisseurs", "Zone d'activité du Chemin Vert",
                           "59300 Valenciennes", "TVA intracommunautaire : FR43902145374"]):
        p.t(20, 55 + 4.6 * i, s, 9)
    for i, (a, b) in enumerate([("Facture n°", "F-2025-118"), ("Date de facture", "30 juin 2025"),
                                ("Date d'échéance", "30 juillet 2025"), ("Votre référence", "Contrat CA-2025-04"),
                                ("Période de prestation", "du 2 au 27 juin 2025")]):
        p.t(118, 55 + 4.6 * i, a, 8.5); p.t(155, 55 + 4.6 * i, ": " + b, 8.5)
    p.t(20, 90, "FACTURE", 13, True)
    y = p.rows(100, [(20, "L"), (118, "R"), (156, "R"), (190, "R")],
               [("Prestation", "Quantité", "Prix unitaire HT", "Total HT")]
               + [(d, str(q), fr(pr) + " €", fr(a) + " €") for d, q, pr, a, _ in B5.lines], step=6.5, size=8.5)
    y = pairs(p, 122, y + 6, [("Total HT", fr(B5.subtotal) + " €"), ("Total TVA 20 %", fr(B5.tax) + " €"),
                              ("Total TTC", fr(B5.total) + " €"), ("Net à payer", fr(B5.total) + " €")],
              190, step=6, size=9, bold_last=True)
    p.t(20, y + 6, "Conditions de paiement : 30 jours date de facture, par virement.", 8)
    p.t(20, y + 10.5, "IBAN " + iban("FR", "3000400812" + "00010445721" + "93") + " – BIC BNPAFRPPXXX", 8)
    p.t(20, y + 15, "Pas d'escompte pour règlement anticipé. Pénalités de retard : taux BCE + 10 points.", 8)
    p.t(20, 286, "Lefort & Associés Conseil SAS – RCS Lille Métropole 439 587 122 – TVA FR12439587122", 6.5)


# 6 -------------------------------------------------------------------------------
B6 = Bill([("Logo redesign – three concepts, final artwork", 1, "1800.00"),
           ("Business card layout (front/back)", 1, "350.00"),
           ("Revisions and print-ready files (hours)", 6, "75.00")])


@doc("en-us-studio-invoice.png", dict(vendor="Bluebird Creative Co.", invoice_number="1047", date="2025-07-08",
     due_date="2025-08-07", currency="USD", language="en", **B6.label()))
def _(p):
    p.t(20, 24, "Bluebird Creative Co.", 17, True)
    for i, s in enumerate(["318 Larkspur Lane", "Asheville, NC 28801", "hello@bluebird-creative.example",
                           "(828) 555-0174"]):
        p.t(20, 31 + 4.5 * i, s, 9)
    p.t(190, 24, "INVOICE", 22, True, right=True)
    for i, (a, b) in enumerate([("Invoice #", "1047"), ("Date", "July 8, 2025"), ("Due", "August 7, 2025")]):
        p.t(140, 34 + 5.5 * i, a, 9.5, True); p.t(190, 34 + 5.5 * i, b, 9.5, right=True)
    p.t(20, 64, "Bill To", 9.5, True)
    for i, s in enumerate(["Laurel Ridge Brewing Company", "Attn: Maya Chen", "52 Depot Street", "Black Mountain, NC 28711"]):
        p.t(20, 70 + 5 * i, s, 10)
    y = p.rows(104, [(20, "L"), (135, "R"), (162, "R"), (190, "R")],
               [("Description", "Qty", "Rate", "Amount")]
               + [(d, str(q), en(pr), "$" + en(a)) for d, q, pr, a, _ in B6.lines], step=8, size=10)
    p.line(20, y - 4, 190, y - 4)
    y = pairs(p, 130, y + 4, [("Subtotal", "$" + en(B6.subtotal)),
                              ("Amount Due", "$" + en(B6.total))], 190, step=7, size=10.5, bold_last=True)
    p.t(20, y + 10, "Payment within 30 days by check or ACH. Thank you for working with us!", 9.5)


# 7 -------------------------------------------------------------------------------
B7 = Bill([("Drip line 16 mm x 100 m", 4, "86.00"), ("Solenoid valve 24 VAC", 6, "42.50"),
           ("Installation labour (hours)", 5, "95.00")], rate=10)


@doc("en-au-tax-invoice-scan.png", dict(vendor="Coastline Irrigation Pty Ltd", invoice_number="INV-00913",
     date="2025-08-14", due_date="2025-08-28", currency="AUD", language="en", **B7.label()))
def _(p):
    p.t(20, 26, "TAX INVOICE", 20, True)
    for i, s in enumerate(["Sandpiper Strata Management", "Level 2, 40 Bay Street", "Port Macquarie NSW 2444",
                           "AUSTRALIA"]):
        p.t(20, 38 + 4.8 * i, s, 9.5)
    for i, (a, b) in enumerate([("Invoice Date", "14/08/2025"), ("Invoice Number", "INV-00913"),
                                ("Reference", "Gardens Block B"), ("ABN", "51 824 753 556")]):
        p.t(112, 26 + 10 * i, a, 8.5, True); p.t(112, 30.5 + 10 * i, b, 9)
    for i, s in enumerate(["Coastline Irrigation Pty Ltd", "7 Jindalee Road", "Port Macquarie NSW 2444",
                           "accounts@coastline.example"]):
        p.t(150, 26 + 4.8 * i, s, 8.5)
    y = p.rows(82, [(20, "L"), (122, "R"), (146, "R"), (162, "R"), (190, "R")],
               [("Description", "Quantity", "Unit Price", "GST", "Amount AUD")]
               + [(d, f"{q:.2f}", en(pr), "10%", en(a)) for d, q, pr, a, _ in B7.lines], step=7, size=9)
    p.line(20, 78.5, 190, 78.5); p.line(20, y - 3.5, 190, y - 3.5)
    y = pairs(p, 130, y + 4, [("Subtotal", en(B7.subtotal)), ("TOTAL GST 10%", en(B7.tax)),
                              ("TOTAL AUD", en(B7.total))], 190, step=6.5, size=9.5, bold_last=True)
    p.t(20, y + 8, "Due Date: 28 August 2025", 10, True)
    p.t(20, y + 14, "Direct deposit: BSB 062-512   Account 1044 8831   Ref INV-00913", 9)
    p.line(20, 240, 190, 240)
    p.t(20, 246, "PAYMENT ADVICE", 11, True)
    for i, (a, b) in enumerate([("Customer", "Sandpiper Strata Management"), ("Invoice Number", "INV-00913"),
                                ("Amount Due", en(B7.total)), ("Due Date", "28 Aug 2025")]):
        p.t(110, 252 + 5.5 * i, a, 8.5, True); p.t(150, 252 + 5.5 * i, b, 8.5)


# 8 -------------------------------------------------------------------------------
B8 = Bill([("Hydraulic Gear Pump HGP-25", 4, "18450.00"), ("Pressure Relief Valve PRV-12", 10, "1980.00"),
           ("Installation & Commissioning", 1, "11000.00")], rate=18)
HSN8 = ["84136010", "84814000", "998719"]


@doc("in-gst-tax-invoice.pdf", dict(vendor="Vaidya Industrial Components Pvt. Ltd.", invoice_number="VIC/25-26/0147",
     date="2025-06-12", due_date=None, currency="INR", language="en", **B8.label()))
def _(p):
    half = r2(B8.subtotal * 9 / 100)
    assert half * 2 == B8.tax
    p.t(105 - 13, 14, "TAX INVOICE", 11, True); p.t(190, 14, "(ORIGINAL FOR RECIPIENT)", 7, right=True)
    p.rect(20, 17, 95, 30); p.rect(20, 47, 95, 30)
    xs, ys = grid(p, 115, 17, [37.5, 37.5], [15, 15, 15, 15])
    for i, s in enumerate(["Vaidya Industrial Components Pvt. Ltd.", "Gat No. 118, Chakan MIDC Phase II",
                           "Pune - 410501", "GSTIN/UIN: 27AAFCV4721K1Z3", "State Name : Maharashtra, Code : 27"]):
        p.t(22, 22 + 5 * i, s, 8.5, i == 0)
    cells = [("Invoice No.", "VIC/25-26/0147"), ("Dated", "12-Jun-2025"), ("Delivery Note", "DN-0452"),
             ("Mode/Terms of Payment", "30 Days"), ("Buyer's Order No.", "TPS/PO/2025/311"), ("Dated", "02-Jun-2025"),
             ("Dispatched through", "Road - MH12 QT 4410"), ("Destination", "Bhosari, Pune")]
    for k, (a, b) in enumerate(cells):
        x = xs[k % 2] + 1.5
        yy = ys[k // 2]
        p.t(x, yy + 4, a, 6.8); p.t(x, yy + 8.5, b, 8, True)
    p.t(22, 51, "Buyer (Bill to)", 7)
    for i, s in enumerate(["Tirupati Packaging Solutions", "Plot J-44, MIDC Bhosari", "Pune - 411026",
                           "GSTIN/UIN: 27AABCT8830M1ZV", "State Name : Maharashtra, Code : 27"]):
        p.t(22, 55.5 + 4.3 * i, s, 8.5, i == 0)
    widths = [10, 70, 20, 18, 22, 10, 20]
    xs, ys = grid(p, 20, 77, widths, [8, 8, 8, 8, 8, 8])
    head = ["Sl No.", "Description of Goods", "HSN/SAC", "Quantity", "Rate", "per", "Amount"]
    for i, h in enumerate(head):
        p.t(xs[i] + 1, ys[0] + 5.3, h, 7, True)
    for j, ((d, q, pr, a, _), code) in enumerate(zip(B8.lines, HSN8, strict=True)):
        unit = "Job" if code.startswith("99") else "Nos"
        y = ys[j + 1] + 5.3
        p.t(xs[0] + 2, y, str(j + 1), 8); p.t(xs[1] + 1.5, y, d, 8); p.t(xs[2] + 1.5, y, code, 8)
        p.t(xs[4] - 1.5, y, f"{q} {unit}", 8, right=True); p.t(xs[5] - 1.5, y, lakh(pr), 8, right=True)
        p.t(xs[5] + 1.5, y, unit, 8); p.t(xs[7] - 1.5, y, lakh(a), 8, right=True)
    for k, (a, b) in enumerate([("CGST @ 9%", lakh(half)), ("SGST @ 9%", lakh(half))]):
        y = ys[4 + k] + 5.3
        p.t(xs[2] - 1.5, y, a, 8, True, right=True); p.t(xs[7] - 1.5, y, b, 8, right=True)
    xs2, ys2 = grid(p, 20, ys[-1], [140, 30], [8])
    p.t(xs[2] - 1.5, ys2[0] + 5.3, "Total", 8.5, True, right=True)
    p.t(xs[4] - 1.5, ys2[0] + 5.3, "15 Nos", 8, True, right=True)
    p.t(188.5, ys2[0] + 5.3, "₹ " + lakh(B8.total), 8.5, True, right=True)
    p.t(22, ys2[1] + 5, "Amount Chargeable (in words)", 7); p.t(190, ys2[1] + 5, "E. & O.E", 7, right=True)
    p.t(22, ys2[1] + 10, "INR One Lakh Twenty Three Thousand Four Hundred Twenty Eight Only", 8.5, True)
    xs3, ys3 = grid(p, 20, ys2[1] + 15, [30, 30, 12, 25, 12, 25, 36], [8, 6, 6, 6, 6])
    for i, h in enumerate(["HSN/SAC", "Taxable Value", "Rate", "CGST Amount", "Rate", "SGST Amount",
                           "Total Tax Amount"]):
        p.t(xs3[i] + 1, ys3[0] + 5.2, h, 6.5, True)
    for j, ((_, _, _, a, _), code) in enumerate(zip(B8.lines, HSN8, strict=True)):
        tx = r2(a * 9 / 100)
        vals = [code, lakh(a), "9%", lakh(tx), "9%", lakh(tx), lakh(tx * 2)]
        for i, v in enumerate(vals):
            p.t(xs3[i + 1] - 1.5, ys3[j + 1] + 4.2, v, 7.5, right=True) if i else p.t(xs3[0] + 1.5, ys3[j + 1] + 4.2, v, 7.5)
    tot = ["Total", lakh(B8.subtotal), "", lakh(half), "", lakh(half), lakh(B8.tax)]
    for i, v in enumerate(tot):
        p.t(xs3[i + 1] - 1.5, ys3[4] + 4.2, v, 7.5, True, right=True) if i else p.t(xs3[0] + 1.5, ys3[4] + 4.2, v, 7.5, True)
    y = ys3[-1] + 7
    p.t(22, y, "Tax Amount (in words) : INR Eighteen Thousand Eight Hundred Twenty Eight Only", 8)
    p.t(22, y + 8, "Company's Bank Details:  Bank Name: Saraswat Co-op Bank Ltd   A/c No.: 610000004418273", 7.5)
    p.t(22, y + 12, "Branch & IFS Code: Chakan & SRCB0000118      Company's PAN: AAFCV4721K", 7.5)
    p.t(22, y + 20, "Declaration: We declare that this invoice shows the actual price of the goods described", 7)
    p.t(22, y + 23.5, "and that all particulars are true and correct.", 7)
    p.t(190, y + 30, "for Vaidya Industrial Components Pvt. Ltd.", 7.5, True, right=True)
    p.t(190, y + 42, "Authorised Signatory", 7.5, right=True)
    p.t(105 - 30, y + 52, "SUBJECT TO PUNE JURISDICTION", 7)
    p.t(105 - 31, y + 56, "This is a Computer Generated Invoice", 7)


# 9 -------------------------------------------------------------------------------
RECEIPT9 = [("Basmati Rice 5kg", 1, "645.00", 5), ("Toor Dal 1kg", 2, "168.00", 5),
            ("Sunflower Oil 1L Pouch", 3, "152.00", 5), ("Cow Ghee 500ml", 1, "342.00", 12),
            ("Dry Fruit Mix 250g", 1, "299.00", 12), ("Dishwash Gel 750ml", 2, "145.00", 18),
            ("Toothpaste 150g", 2, "98.00", 18)]


def _gst_inclusive(rows):
    """Taxable value, CGST and SGST per rate of goods sold at prices that include GST
    (CGST and SGST are equal halves, so the taxable value takes the odd paisa)."""
    out = {}
    for rate in sorted({r for *_, r in rows}):
        gross = sum(Decimal(str(q)) * Decimal(pr) for _, q, pr, r in rows if r == rate)
        half = r2((gross - gross / (1 + Decimal(rate) / 100)) / 2)
        out[rate] = (gross - 2 * half, half, gross)
    return out


GST9 = _gst_inclusive(RECEIPT9)
SUB9 = sum(v[0] for v in GST9.values())
TAX9 = sum(2 * v[1] for v in GST9.values())


@doc("in-retail-receipt.pdf", dict(vendor="Annapurna Fresh Mart LLP", invoice_number="AFM/0932/4417",
     date="2025-09-03", due_date=None, currency="INR", subtotal=float(SUB9), tax=float(TAX9),
     total=float(SUB9 + TAX9), language="en", line_items=None))
def _(p):
    x0, x1 = 62, 148
    c = (x0 + x1) / 2
    def centre(y, s, size=8.5, bold=False):
        _mono_font(p, size, bold)
        mono(p, c - p.pdf.get_string_width(s) / 2, y, s, size, bold)
    for i, (s, size, bold) in enumerate([("Annapurna Fresh Mart LLP", 10, True), ("#14, 80 Feet Road, Indiranagar", 8, False),
                                         ("Bengaluru - 560038", 8, False), ("Ph: 080-4115 2290", 8, False),
                                         ("GSTIN: 29AAJFA5612P1Z0", 8, False), ("TAX INVOICE", 9, True)]):
        centre(18 + 4.5 * i, s, size, bold)
    y = 48
    mono(p, x0, y, "Bill No : AFM/0932/4417", 8); y += 4
    mono(p, x0, y, "Date    : 03/09/2025   Time: 19:42", 8); y += 4
    mono(p, x0, y, "Counter : 03           Cashier: Kavya", 8); y += 3
    mono(p, x0, y, "-" * 51, 8); y += 4
    mono(p, x0, y, "Item", 8, True); mono(p, 112, y, "Qty", 8, True, right=True)
    mono(p, 128, y, "Rate", 8, True, right=True); mono(p, x1, y, "Amount", 8, True, right=True); y += 3
    mono(p, x0, y, "-" * 51, 8); y += 4
    for d, q, pr, r in RECEIPT9:
        mono(p, x0, y, d, 8); y += 3.8
        mono(p, x0 + 3, y, f"GST {r}%", 7); mono(p, 112, y, str(q), 8, right=True)
        mono(p, 128, y, lakh(pr), 8, right=True); mono(p, x1, y, lakh(Decimal(str(q)) * Decimal(pr)), 8, right=True)
        y += 4.6
    mono(p, x0, y - 1, "-" * 51, 8); y += 3
    mono(p, x0, y, f"Items: {len(RECEIPT9)}   Qty: {sum(q for _, q, _, _ in RECEIPT9)}", 8); y += 5
    mono(p, x0, y, "NET AMOUNT", 10, True); mono(p, x1, y, "Rs. " + lakh(SUB9 + TAX9), 10, True, right=True); y += 5
    mono(p, x0, y, "Paid by UPI", 8); mono(p, x1, y, lakh(SUB9 + TAX9), 8, right=True); y += 3
    mono(p, x0, y, "-" * 51, 8); y += 4
    mono(p, x0, y, "GST Summary (prices incl. of GST)", 7.5, True); y += 4
    for i, h in enumerate(["GST%", "Taxable", "CGST", "SGST"]):
        mono(p, [x0 + 9, 104, 126, x1][i], y, h, 7.5, True, right=True)
    y += 4
    for rate, (taxable, half, _) in GST9.items():
        for i, v in enumerate([f"{rate}%", lakh(taxable), lakh(half), lakh(half)]):
            mono(p, [x0 + 9, 104, 126, x1][i], y, v, 7.5, right=True)
        y += 3.8
    halves = sum(v[1] for v in GST9.values())
    for i, v in enumerate(["Total", lakh(SUB9), lakh(halves), lakh(halves)]):
        mono(p, [x0 + 9, 104, 126, x1][i], y, v, 7.5, True, right=True)
    y += 4
    mono(p, x0, y, "-" * 51, 8); y += 5
    centre(y, "You saved Rs. 86.00 on MRP today!", 7.5); y += 4
    centre(y, "Goods once sold will be exchanged within", 7.5); y += 3.5
    centre(y, "7 days with bill. Thank you, visit again!", 7.5)


# 10 ------------------------------------------------------------------------------
B10 = Bill([("Kitchen demo & haul-away", 1, "1450.00"), ("Cabinet installation (labor)", 1, "3200.00"),
            ("Quartz countertop, fabricated & installed (sq ft)", 42, "68.00"),
            ("Plumbing fixtures & supplies", 1, "612.40"), ("Under-cabinet lighting, electrical (labor)", 1, "780.00")])
MATERIALS10 = Decimal("2856.00") + Decimal("612.40")
TAX10 = r2(MATERIALS10 * Decimal("0.0881"))
PAID10 = [("05/28/2025", "Deposit - Check #2231", Decimal("3000.00")),
          ("06/09/2025", "Progress payment - ACH", Decimal("2500.00"))]


@doc("en-us-contractor-balance-due.pdf", dict(vendor="Ridgeline Remodeling LLC", invoice_number="1187",
     date="2025-06-20", due_date="2025-07-05", currency="USD", language="en",
     **{**B10.label(), "tax": float(TAX10), "total": float(B10.subtotal + TAX10)}))
def _(p):
    total = B10.subtotal + TAX10
    p.t(20, 20, "Ridgeline Remodeling LLC", 14, True)
    for i, s in enumerate(["4870 W. Colfax Ave", "Denver, CO 80204", "(303) 555-0126  ·  Lic. #CO-GC-118204"]):
        p.t(20, 26 + 4.5 * i, s, 8.5)
    p.t(190, 20, "Invoice", 20, True, right=True)
    xs, ys = grid(p, 140, 27, [25, 25], [6, 7])
    p.t(142, 31.3, "DATE", 7.5, True); p.t(167, 31.3, "INVOICE #", 7.5, True)
    p.t(142, 38, "6/20/2025", 9); p.t(167, 38, "1187", 9)
    p.t(20, 52, "BILL TO", 8, True); p.t(110, 52, "JOB SITE", 8, True)
    for i, s in enumerate(["Thomas & Erin Whitcomb", "1126 S. Pearl St", "Denver, CO 80210"]):
        p.t(20, 57 + 4.5 * i, s, 9)
    for i, s in enumerate(["Whitcomb kitchen remodel", "1126 S. Pearl St", "Denver, CO 80210"]):
        p.t(110, 57 + 4.5 * i, s, 9)
    xs, ys = grid(p, 20, 75, [42.5, 42.5, 42.5, 42.5], [6, 7])
    for i, (a, b) in enumerate([("P.O. NO.", "2025-0619"), ("TERMS", "Net 15"), ("DUE DATE", "07/05/2025"),
                                ("PROJECT", "Whitcomb Kitchen")]):
        p.t(xs[i] + 2, 79.3, a, 7.5, True); p.t(xs[i] + 2, 86, b, 9)
    y = p.rows(99, [(20, "L"), (125, "R"), (155, "R"), (190, "R")],
               [("DESCRIPTION", "QTY", "RATE", "AMOUNT")]
               + [(d + (" *" if d.startswith(("Quartz", "Plumbing")) else ""), str(q), en(pr), en(a))
                  for d, q, pr, a, _ in B10.lines], step=6.5, size=8.5)
    p.line(20, 95, 190, 95); p.line(20, 101, 190, 101); p.line(20, y - 3.5, 190, y - 3.5)
    p.t(20, y + 2, "* taxable materials", 7)
    rows = [("Subtotal", en(B10.subtotal)), (f"Sales Tax (8.81% on ${en(MATERIALS10)})", en(TAX10)),
            ("Total", "$" + en(total))]
    rows += [(f"{d} {what}", "-" + en(a)) for d, what, a in PAID10]
    rows += [("Balance Due", "$" + en(total - sum(a for *_, a in PAID10)))]
    y = pairs(p, 105, y + 4, rows, 190, step=6, size=9, bold_last=True)
    p.t(20, y + 8, "Please reference invoice # on your check. A 1.5% monthly finance charge applies to past-due balances.", 7.5)
    p.t(20, y + 12, "Thank you for choosing Ridgeline Remodeling!", 8.5)


# 11 ------------------------------------------------------------------------------
B11 = Bill([("Supply & fit FD30 fire door, Flat 2 and Flat 4", 2, "465.00"),
            ("Ironmongery set: hinges, closer, lever handle", 2, "88.50"),
            ("Making good & decoration to frames", 1, "240.00")], rate=20)


@doc("en-uk-invoice-box.pdf", dict(vendor="Harrowgate Joinery Ltd", invoice_number="3318", date="2025-11-04",
     due_date="2025-12-04", currency="GBP", language="en", **B11.label()))
def _(p):
    p.t(190, 20, "Harrowgate Joinery Ltd", 15, True, right=True)
    for i, s in enumerate(["Units 5–6, Kirkstall Forge Yard", "Leeds LS5 3BT", "Tel 0113 496 0721",
                           "accounts@harrowgate-joinery.example"]):
        p.t(190, 26 + 4.3 * i, s, 8.5, right=True)
    p.t(20, 50, "INVOICE", 18, True)
    p.t(20, 60, "Invoice to:", 8, True)
    for i, s in enumerate(["Holbeck Lettings Ltd", "Accounts Department", "22 Water Lane", "Leeds LS11 5WD"]):
        p.t(20, 65 + 4.6 * i, s, 9.5)
    xs, ys = grid(p, 125, 57, [30, 35], [6.5] * 5)
    for i, (a, b) in enumerate([("Invoice No.", "3318"), ("Date / Tax point", "04/11/2025"), ("Account Ref", "HOL02"),
                                ("Your Order No.", "PO 7781"), ("Due date", "04/12/2025")]):
        p.t(127, ys[i] + 4.5, a, 8, True); p.t(188, ys[i] + 4.5, b, 8.5, right=True)
    xs, ys = grid(p, 20, 100, [100, 15, 25, 30], [7] + [7] * len(B11.lines))
    for i, h in enumerate(["Description", "Qty", "Unit price", "Net amount"]):
        (p.t(xs[i] + 2, ys[0] + 5, h, 8.5, True) if i == 0 else p.t(xs[i + 1] - 2, ys[0] + 5, h, 8.5, True, right=True))
    for j, (d, q, pr, a, _) in enumerate(B11.lines):
        y = ys[j + 1] + 5
        p.t(xs[0] + 2, y, d, 8.5); p.t(xs[2] - 2, y, str(q), 8.5, right=True)
        p.t(xs[3] - 2, y, "£" + en(pr), 8.5, right=True); p.t(xs[4] - 2, y, "£" + en(a), 8.5, right=True)
    xs2, ys2 = grid(p, 140, ys[-1] + 4, [25, 25], [7, 7, 8])
    for i, (a, b) in enumerate([("Sub-total", "£" + en(B11.subtotal)), ("VAT at 20%", "£" + en(B11.tax)),
                                ("Total due", "£" + en(B11.total))]):
        p.t(142, ys2[i] + 5, a, 8.5, i == 2); p.t(188, ys2[i] + 5, b, 8.5 if i < 2 else 9.5, i == 2, right=True)
    p.t(20, ys[-1] + 10, "Payment by BACS within 30 days please.", 8.5)
    p.t(20, ys[-1] + 15, "Lloyds Bank · Sort code 30-94-57 · Account 11823406", 8.5)
    p.t(20, 284, "Harrowgate Joinery Ltd · Registered in England & Wales No. 09412877 · VAT Reg No. GB 298 4471 08", 6.8)


# 12 ------------------------------------------------------------------------------
B12 = Bill([("Foam clamshell containers 9x9 (case 200)", 6, "38.75"), ("Kraft soup cups 16 oz w/ lids (case 500)", 3, "96.40"),
            ("Compostable cutlery kits (case 250)", 4, "41.20"), ("Nitrile gloves L, blue (case 10x100)", 5, "62.90"),
            ("Nitrile gloves M, blue (case 10x100)", 5, "62.90"), ("Aluminium foil roll 18 in x 500 ft", 8, "34.15"),
            ("Cling film 18 in x 2000 ft", 6, "27.80"), ("Parchment sheets half-size (pack 1000)", 4, "45.60"),
            ("Deli paper 12x12 (pack 1000)", 6, "14.25"), ("Napkins 2-ply dinner white (case 3000)", 3, "58.10"),
            ("Hand towels multifold (case 4000)", 4, "39.95"), ("Degreaser concentrate 3.78 L", 6, "24.30"),
            ("Sanitizer quat tablets (tub 300)", 3, "52.45"), ("Dish machine detergent 20 L", 2, "118.00"),
            ("Rinse aid 3.78 L", 4, "31.70"), ("Garbage bags 35x50 black (case 100)", 8, "29.40"),
            ("Hotel pan full size 4 in, stainless", 6, "23.85"), ("Hotel pan lids full size", 6, "11.60"),
            ("Sheet pan half size, aluminium", 12, "9.75"), ("Cutting board 18x24 green", 2, "36.90"),
            ("Cutting board 18x24 red", 2, "36.90"), ("Food storage container 22 qt w/ lid", 4, "28.40"),
            ("Squeeze bottles 16 oz (pack 12)", 3, "18.60"), ("Thermometer probe, digital", 2, "44.95"),
            ("Chef knife 10 in, stamped", 2, "57.50"), ("Delivery charge - downtown zone", 1, "45.00")], rate=13)
PAGE1_ROWS12 = 20


def _table12(p, y, rows):
    p.line(20, y - 4.5, 190, y - 4.5); p.line(20, y + 1.7, 190, y + 1.7)
    y = p.rows(y, [(20, "L"), (36, "L"), (135, "R"), (160, "R"), (190, "R")],
               [("Item", "Description", "Qty", "Unit Price", "Amount")] + rows, step=6.2, size=8.3)
    p.line(20, y - 3.5, 190, y - 3.5)
    return y


@doc("en-ca-wholesale-two-pages.pdf", dict(vendor="Northern Pantry Wholesale Inc.", invoice_number="58812",
     date="2025-09-16", due_date="2025-10-16", currency="CAD", language="en", **B12.label()))
def _(p):
    rows = [(f"NP-{4100 + 37 * i}", d, str(q), en(pr), en(a)) for i, (d, q, pr, a, _) in enumerate(B12.lines)]
    p.t(20, 20, "Northern Pantry Wholesale Inc.", 14, True)
    for i, s in enumerate(["2280 Argentia Road, Unit 9", "Mississauga, ON L5N 6H8", "905-555-0187 · orders@northernpantry.example",
                           "GST/HST Reg. No. 81234 5678 RT0001"]):
        p.t(20, 26 + 4.3 * i, s, 8)
    p.t(190, 20, "INVOICE", 18, True, right=True)
    for i, (a, b) in enumerate([("Invoice No.", "58812"), ("Invoice Date", "Sep 16, 2025"), ("Customer No.", "C-0719"),
                                ("Terms", "Net 30"), ("Due Date", "Oct 16, 2025")]):
        p.t(140, 30 + 4.8 * i, a, 8.5); p.t(190, 30 + 4.8 * i, b, 8.5, right=True)
    p.t(20, 60, "Sold To", 8.5, True); p.t(110, 60, "Ship To", 8.5, True)
    for i, (a, b) in enumerate([("Bluewater Bistro Group Ltd.", "Bluewater Bistro – King West"),
                                ("Attn: Accounts Payable", "Receiving dock, rear lane"),
                                ("410 Queens Quay W, Suite 300", "612 King St W"), ("Toronto, ON M5V 3T1", "Toronto, ON M5V 1M7")]):
        p.t(20, 65 + 4.5 * i, a, 9); p.t(110, 65 + 4.5 * i, b, 9)
    y = _table12(p, 92, rows[:PAGE1_ROWS12])
    carried = sum((line[3] for line in B12.lines[:PAGE1_ROWS12]), Decimal(0))
    p.t(128, y + 2, "Carried forward", 8.5, True); p.t(190, y + 2, en(carried), 8.5, True, right=True)
    p.t(190, 272, "Continued on page 2", 8.5, True, right=True)
    p.t(105 - 8, 287, "Page 1 of 2", 7.5)
    p.pdf.add_page()
    p.t(20, 18, "Northern Pantry Wholesale Inc.", 10, True)
    p.t(190, 18, "Invoice 58812 (continued)", 10, True, right=True)
    p.t(190, 23, "Sep 16, 2025", 8.5, right=True)
    p.t(128, 30, "Brought forward", 8.5, True); p.t(190, 30, en(carried), 8.5, True, right=True)
    y = _table12(p, 40, rows[PAGE1_ROWS12:])
    y = pairs(p, 128, y + 6, [("Subtotal", en(B12.subtotal)), ("HST 13% (ON)", en(B12.tax)),
                              ("Total CAD", "$" + en(B12.total))], 190, step=6.5, size=9.5, bold_last=True)
    p.t(20, y + 8, "Remit by EFT to: Northern Pantry Wholesale Inc., Transit 00142, Institution 004, Account 5520913", 8)
    p.t(20, y + 12.5, "Interest of 2% per month (26.8% per annum) is charged on overdue accounts.", 8)
    p.t(20, y + 17, "Claims for shortages or damage must be made within 48 hours of delivery.", 8)
    p.t(105 - 8, 287, "Page 2 of 2", 7.5)


# 13 ------------------------------------------------------------------------------
B13 = Bill([("Seizoensboeket groot (lobby)", 6, "34.50", 9), ("Tafelstuk restaurant, wekelijks", 4, "27.50", 9),
            ("Keramiek pot Ø 30 cm, antraciet", 3, "24.95", 21), ("Bezorgkosten", 4, "7.50", 21)])


@doc("nl-factuur-twee-tarieven.pdf", dict(vendor="Bloemenhandel Van Dijk B.V.", invoice_number="2025-1043",
     date="2025-10-03", due_date="2025-10-17", currency="EUR", language="nl", **B13.label()))
def _(p):
    p.t(105 - 40, 20, "Bloemenhandel Van Dijk", 16, True)
    p.t(105 - 47, 26, "Aalsmeerderweg 212 · 1432 CP Aalsmeer · 0297 555 481", 8)
    p.t(105 - 62, 30, "KvK 63218874 · BTW-nummer NL863214575B01 · IBAN " + iban("NL", "RABO0318827645"), 8)
    p.line(20, 34, 190, 34)
    for i, s in enumerate(["Hotel De Kroon B.V.", "t.a.v. crediteurenadministratie", "Grote Markt 9", "2011 RD Haarlem"]):
        p.t(20, 48 + 5 * i, s, 10)
    p.t(120, 48, "Factuur", 14, True)
    for i, (a, b) in enumerate([("Factuurnummer", "2025-1043"), ("Factuurdatum", "3 oktober 2025"),
                                ("Vervaldatum", "17-10-2025"), ("Debiteurnummer", "D-1120")]):
        p.t(120, 55 + 5 * i, a, 8.5); p.t(190, 55 + 5 * i, b, 8.5, right=True)
    y = p.rows(90, [(20, "L"), (118, "R"), (143, "R"), (158, "R"), (190, "R")],
               [("Omschrijving", "Aantal", "Stukprijs", "Btw", "Bedrag")]
               + [(d, str(q), "€ " + de(pr), f"{r}%", "€ " + de(a)) for d, q, pr, a, r in B13.lines], step=6.5, size=8.5)
    p.line(20, 86, 190, 86); p.line(20, 92, 190, 92); p.line(20, y - 3.5, 190, y - 3.5)
    rows = [("Totaal excl. btw", "€ " + de(B13.subtotal))]
    rows += [(f"BTW {k}% over € {de(B13.bases[k])}", "€ " + de(v)) for k, v in B13.taxes.items()]
    rows += [("Totaal incl. btw", "€ " + de(B13.total))]
    y = pairs(p, 110, y + 4, rows, 190, step=5.8, size=9)
    p.rect(108, y - 3, 82, 9)
    p.t(110, y + 3, "Te betalen", 10.5, True); p.t(188, y + 3, "€ " + de(B13.total), 10.5, True, right=True)
    p.t(20, y + 16, "Wij verzoeken u het bedrag vóór 17 oktober 2025 over te maken onder vermelding van het", 8.5)
    p.t(20, y + 20.5, "factuurnummer. Op al onze leveringen zijn de algemene voorwaarden van de VGB van toepassing.", 8.5)
    p.t(20, 286, "Bloemenhandel Van Dijk B.V. · statutair gevestigd te Aalsmeer · KvK 63218874", 6.5)


def labels() -> list[dict]:
    rows = _base["labels"](SOURCE)
    for row in rows:
        row.update(KIND.get(row["file"].removeprefix("docs/"), {}))
    return rows


KIND.update({"de-gutschrift-rechnungskorrektur.pdf": dict(document_type="credit_note"),
             "en-ca-wholesale-two-pages.pdf": dict(pages=2),
             "en-us-studio-invoice.png": dict(format="image_png"),
             "en-au-tax-invoice-scan.png": dict(format="image_png")})
# A page image: its resolution, its skew in degrees, and whether it has scanner noise.
IMAGE = {"en-us-studio-invoice.png": (200, 0.0, False), "en-au-tax-invoice-scan.png": (150, 1.4, True)}


def _image(pdf: bytes, dpi: int, angle: float, noise: bool, seed: int):
    """The first page of a PDF as a grayscale picture, skewed and speckled like a scan."""
    import numpy as np
    import pypdfium2
    from PIL import Image, ImageFilter
    page = pypdfium2.PdfDocument(pdf)[0]
    img = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=255)
    if noise:
        rng = np.random.default_rng(seed)
        arr = np.asarray(img.filter(ImageFilter.GaussianBlur(0.5)), dtype=np.int16)
        arr = arr + rng.normal(0, 5, arr.shape).round().astype(np.int16)
        specks = rng.random(arr.shape) < 0.0015
        arr[specks] = rng.integers(40, 160, int(specks.sum()))
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8) // 4 * 4)
    return img


WRITTEN = datetime(2026, 12, 8, 4, 0, tzinfo=UTC)


def main(out: Path) -> None:
    (out / "docs").mkdir(parents=True, exist_ok=True)
    for n, (name, _label, fn) in enumerate(_base["DOCS"]):
        page = Page(); fn(page)
        page.pdf.set_creation_date(WRITTEN)  # the same bytes on every rebuild
        if name in IMAGE:
            dpi, angle, noise = IMAGE[name]
            _image(bytes(page.pdf.output()), dpi, angle, noise, seed=n).save(
                out / "docs" / name, dpi=(dpi, dpi), optimize=True)
        else:
            page.save(out / "docs" / name)
    rows = labels()
    (out / "labels.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(len(rows), "documents")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
