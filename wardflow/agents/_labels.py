"""Field labels of invoices in English, German, French, Dutch, Spanish, Italian and Polish.

Rules are per language and field, never per vendor or document. Each label is a regular
expression (case-insensitive) with a rank: a lower rank is a more specific label, so
"Rechnungsnummer" beats a bare "Nr." and "Bruttosumme" (the gross total) beats
"Zahlbetrag" (what is left to pay after prepayments).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = [
    "BUYER_LABELS",
    "DISCOUNT_LABELS",
    "DUE_DATE_LABELS",
    "INVOICE_DATE_LABELS",
    "INVOICE_NUMBER_LABELS",
    "LANGUAGE_WORDS",
    "NOT_DUE",
    "NOT_INVOICE_DATE",
    "NOT_INVOICE_NUMBER",
    "NOT_TOTAL",
    "SELLER_LABELS",
    "SUBTOTAL_LABELS",
    "TAX_LABELS",
    "TOTAL_LABELS",
    "Label",
    "compile_labels",
    "detect_document_type",
    "detect_language",
]

Label = tuple[str, int]

# Invoice number ----------------------------------------------------------------------
INVOICE_NUMBER_LABELS: tuple[Label, ...] = (
    # en
    (r"invoice\s*(?:no\.?|number|nr\.?|num\.?|#|id)", 0), (r"inv\.?\s*(?:no\.?|#)", 0),
    (r"credit\s*note\s*(?:no\.?|number|#)", 0), (r"bill\s*(?:no\.?|number)", 1),
    (r"statement\s*(?:no\.?|number|#)", 1),  # a utility's statement: the bill's number
    # "INVOICE: NO. 001", "Receipt # No.: 9876"
    (r"invoice\s*:\s*(?:no\.?|number|#)", 0), (r"receipt\s*(?:#\s*)?(?:no\.?|number|#)", 1),
    (r"document\s*(?:no\.?|number)", 2),
    # de: "Rechnungsnummer", "Rechnung Nr.", "Handelsrechnung (380) Nr.", "Gutschrift Nr."
    (r"rechnungs?-?\s*(?:nummer|nr\.?|no\.?)", 0),
    # "~": the label may end a compound word ("Handelsrechnung Nr.", "Teilrechnung Bau Nr.")
    (r"~rechnung(?:\s+[^\W\d_]+)?(?:\s*\(\d{3}\))?\s+(?:nr\.?|nummer|no\.?)", 0),
    (r"gutschrifts?-?\s*(?:nr\.?|nummer)", 0), (r"beleg-?\s*(?:nummer|nr\.?)", 2),
    # fr: "Facture n°", "N° de facture", "Avoir n°", "Facture affacturée n°"
    (r"(?:factures?|avoir)(?:\s+\w+[ée]e)?\s*(?:n[°ºo]\.?|num[ée]ro)", 0),
    (r"n[°ºo]\.?\s*(?:de\s+)?(?:la\s+)?(?:facture|avoir)", 0), (r"affactur[ée]e\s*n[°º]", 0),
    (r"num[ée]ro\s+(?:de\s+)?(?:la\s+)?(?:facture|d'avoir)", 0),
    # nl
    (r"factuur\s*-?\s*(?:nummer|nr\.?|no\.?)", 0), (r"creditnota\s*-?\s*(?:nummer|nr\.?)", 0),
    # es
    (r"factura\s*(?:n[°ºo]\.?|n[úu]m\.?|n[úu]mero)", 0),
    (r"(?:n[°ºo]\.?|n[úu]mero)\s*(?:de\s+)?factura", 0),
    # it
    (r"fattura\s*(?:n[°ºo.]|num\.?|numero)", 0), (r"(?:numero|n\.)\s*(?:della\s+)?fattura", 0),
    # pl
    (r"faktur[ay]\s*(?:vat\s*)?(?:nr\.?|numer)", 0), (r"numer\s+faktury", 0),
    # a bare "N° :" / "No.:" / "Nr.:" opening a cell (under a bare "FACTURE" title): the
    # weakest label, never "Kunden-Nr.:" or "N° client :"
    (r"(?:(?<![^\n])|(?<=[ \t]{2}))(?:n[°º]|no\.|nr\.)(?=[ \t]*:)", 4),
    # a document title followed by its number: "Invoice 103767", "FACTURE F2022"
    (r"invoice|rechnung|facture|factuur|factura|fattura|faktura(?:\s+vat)?|avoir", 3),
)
# Labels of other documents' numbers that contain an invoice label.
# The continuation of a label never crosses a cell gap: "N° facture      Date" or
# "Factuurdatum      Vervaldatum" is a header row of two cells, not one label.
_IN_CELL = r"(?![ \t]{2})"
NOT_INVOICE_NUMBER = (
    _IN_CELL + r"\s*(?:associ|pr[ée]c[ée]d|d'origine|originale?|initiale?|corrig|an\b|angeben|"
    r"bezug|reference|ref\b|référence|date|datum|vom\b|des\b|period|zeitraum)"
)

# Dates ------------------------------------------------------------------------------
INVOICE_DATE_LABELS: tuple[Label, ...] = (
    (r"invoice\s*date", 0), (r"date\s+of\s+(?:invoice|issue)", 0), (r"issue\s*date", 0),
    (r"(?:liefer-\s+und\s+)?rechnungs-?\s*datum", 0), (r"ausstellungsdatum", 0),
    (r"date\s+(?:de\s+)?(?:la\s+)?factur(?:e|ation)", 0), (r"date\s+d'[ée]mission", 0),
    (r"factuurdatum", 0), (r"fecha\s+(?:de\s+)?(?:la\s+)?(?:factura|emisi[óo]n|expedici[óo]n)", 0),
    (r"data\s+(?:della\s+)?(?:fattura|documento|emissione)", 0),
    # pl: "Data wystawienia, z zastrzeżeniem art. 106na ust. 1 ustawy: 2023-11-30"
    (r"data\s+wystawienia(?:,[^:\n]{0,60}:)?", 0),
    (r"datum\s+vystaven[íi]", 0),  # cs
    # "Rechnung Nr. 123 vom 25.04.2018", "München, den 01.11.2024"
    (r"(?<=,\s)den|(?<=,)den", 1),
    (r"datum|date|fecha|data|dag", 2),
)
NOT_INVOICE_DATE = (
    r"(?<=\w)" + _IN_CELL + r"\s*(?:de\s+)?(?:livraison|prestation|leistung|lieferung|"
    r"d'[ée]ch[ée]ance|de\s+(?:d[ée]but|fin)|facture\s+associ|of\s+(?:delivery|supply|service)|due|"
    r"consegna|scadenza|vencimiento|entrega|dostawy|sprzeda|levering|vervaldatum)"
)
DUE_DATE_LABELS: tuple[Label, ...] = (
    (r"due\s*date", 0), (r"date\s+due", 0), (r"payment\s*due(?:\s*date|\s+by)?", 0),
    (r"pay(?:able)?\s+by", 1),
    (r"payable\s+(?:on\s+or\s+)?before", 0), (r"pay(?:ment|able)?\s+until", 0),
    # a payment sentence: "Bitte überweise den Betrag bis ...", "Merci de régler d'ici le
    # ...", "transfiera el dinero a la siguiente cuenta antes de ..."
    (r"betrag\s+(?:ist\s+)?(?:bitte\s+)?bis(?:\s+zum|\s+sp[äa]testens)?", 1),
    (r"r[ée]gler\s+(?:d['’]ici|avant)\s+le", 1),
    (r"(?:transfiera|pague|abone)\b[^\n]{0,60}?\santes\s+del?", 1),
    (r"f[äa]llig(?:keit|\s+am|\s+bis)?(?:sdatum)?", 0), (r"zahlbar\s+bis", 0),
    (r"zahlungsziel", 1),
    (r"date\s+limite\s+de\s+(?:paiement|r[èe]glement)", 0),  # fr: the last day to pay
    (r"date\s+d'[ée]ch[ée]ance", 0), (r"[ée]ch[ée]ance", 1), (r"[àa]\s+payer\s+avant\s+le", 0),
    (r"vervaldatum", 0), (r"te\s+betalen\s+voor", 0),
    (r"fecha\s+de\s+vencimiento", 0), (r"fecha\s+l[íi]mite\s+de\s+pago", 0), (r"vencimiento", 1),
    (r"data\s+(?:di\s+)?scadenza", 0), (r"scadenza\s+(?:del\s+)?pagamento", 0), (r"scadenza", 1),
    (r"termin\s+p[łl]atno[śs]ci", 0),
    (r"datum\s+splatnosti", 0),  # cs
    (r"bis\s+sp[äa]testens", 1),  # "... Zahlung von 1.355,00 bis spätestens 2024-05-18"
)
NOT_DUE = r"(?<=\w)\s*(?:et\b|und\b|interest|zinsen)"

# Amounts ----------------------------------------------------------------------------
_CODES = r"(?:EUR|USD|GBP|CHF|PLN|CZK|HUF|SEK|DKK|NOK|CAD|AUD|JPY|INR|RON|BGN)"
TOTAL_LABELS: tuple[Label, ...] = (
    # the gross total of the invoice
    # "\s*" where OCR drops the space: "TotalIncl.VAT"
    (r"grand\s*total", 0), (r"invoice\s*total", 0), (r"total\s*(?:amount\s*)?(?:incl\.?|including)"
                                                    r"(?:\s*(?:of\s+)?(?:vat|tax))?", 0),
    (r"total\s*(?:€|eur|usd|\$|£|gbp|chf)?\s*incl\.?\s*(?:vat|tax)", 0),
    # a credit note's total: "Gutschriftsbetrag", "Total credit", "Montant de l'avoir"
    (r"gutschrifts(?:betrag|summe)", 0), (r"total\s+credit|credit\s+(?:note\s+)?total", 1),
    (r"montant\s+(?:total\s+)?de\s+l['’]avoir|total\s+(?:de\s+l['’])?avoir", 1),
    # "Total TVA incluse", "Total (IVA incluido)": the gross total, though a tax word follows
    (r"total\s*\(?\s*(?:tva|iva|vat|mwst\.?|btw)\s+(?:inclus[ea]?|incluid[oa]|included|"
     r"inkl\.?|incl\.?|inbegriffen)\)?", 0),
    (r"total\s*inkl\.?\s*(?:mwst|ust)\.?", 0),  # de-CH
    (r"bruttosumme", 0), (r"rechnungssumme\s+brutto", 0), (r"rechnungsbetrag(?:\s+brutto)?", 1),
    (r"gesamtbetrag(?:\s+brutto)?", 1), (r"summe\s+gesamt", 1), (r"gesamtsumme", 1),
    (r"endbetrag", 1), (r"brutto(?:betrag)?", 2),
    (r"total\s+(?:net\s+)?ttc", 0), (r"montant\s+ttc", 0), (r"total\s+toutes\s+taxes", 0),
    (r"totaal(?:bedrag)?(?:\s+incl\.?\s*(?:btw)?)?", 1), (r"factuurbedrag", 1),
    (r"importe\s+total", 1), (r"total\s+factura", 1), (r"gesamt", 2), (r"total\s+price(?=\s*:)", 1),
    (r"totale\s+(?:documento|fattura)", 1), (r"importo\s+totale", 1), (r"totale", 2),
    (r"razem\s+brutto", 1), (r"wart(?:o[śs][ćc]|\.)\s*brutto", 1), (r"og[óo][łl]em", 2),
    (r"kwota\s+nale[żz]no[śs]ci\s+og[óo][łl]em", 0), (r"kwota\s+brutto", 1),
    # "Total (EUR)", "Total USD": a currency code, not any word ("Total tax")
    (rf"total(?:\s+\({_CODES}\)|\s+{_CODES})?", 2), (r"total\s+amount", 1), (r"summe", 3),
    # what is left to pay (after prepayments): the total when nothing was prepaid
    (r"amount\s+due", 2), (r"total\s+due", 2), (r"balance\s+due", 2), (r"amount\s+payable", 2),
    (r"zahlbetrag", 2), (r"zu\s+zahlen(?:der\s+betrag)?", 2), (r"net\s+[àa]\s+payer", 2),
    (r"te\s+betalen", 2), (r"importe\s+a\s+pagar", 2), (r"totale\s+da\s+pagare", 2),
    (r"netto\s+a\s+pagare", 2), (r"razem\s+do\s+zap[łl]aty", 1), (r"do\s+zap[łl]aty", 2),
    (r"invoice\s*amount", 1), (r"totaal\s+te\s+betalen", 0),
    # cs: "Celkem k úhradě"; a bare "Celkem" ("Celkem bez DPH" is the subtotal)
    (r"celkem\s+k\s+[úu]hrad[ěe]", 0), (r"celkem", 2),
    # en-GB "Gross", "Gross total" before a sign or an amount with cents (no "Gross weight")
    (r"gross(?:\s+(?:total|amount))?(?=[ \t]*:?[ \t]*(?:[£$€]|\d[\d,.]*[.,]\d\d(?!\d)))", 2),
    # de: the amount asked for in a payment sentence or a payment block ("Betrag: 1.355,00")
    (r"zahlung\s+von", 2), (r"(?<![-\w])betrag(?=[ \t]*:)", 3),
)
# Continuations of a total label that make it something else.
NOT_TOTAL = (
    r"[ \t]?(?:-\s*)?(?:HT\b|hors|net\b|netto\b|excl|exkl|ex\.?\s*vat|ohne|der\s+(?:ab|zu)schl|"
    r"der\s+positionen|vat\b|tax\b|tva\b|mwst|ust\b|btw\b|iva\b|before|avant|sans|"
    r"pre[- ]?tax|of\s+(?:lines|items)|impuestos?\b|parcial|gst\b|taxable|\(?ht\)?|excluding|"
    r"zonder|ex\.?\s*(?:btw|tax|gst|mwst)\b|[csiu]gst\b|bez\b|"
    r"sin\s+iva|imponibile|"
    r"discount|remise|rabatt|quantity|qty|menge|weight|gewicht|pages?\b|seiten?\b)"
)
SUBTOTAL_LABELS: tuple[Label, ...] = (
    (r"sub\s*-?\s*total", 0), (r"net\s+(?:amount|total)", 0), (r"total\s+net", 0),
    (r"total\s+(?:excl\.?|excluding|before)\s*(?:vat|tax)", 0), (r"total\s+ex\.?\s*vat", 0),
    (r"total\s*exkl\.?\s*(?:mwst|ust)\.?", 0),  # de-CH
    (r"nettobetrag", 1), (r"zwischensumme", 1), (r"summe\s+netto", 0),
    (r"rechnungssumme\s+(?:netto|ohne\s+ust\.?)", 0), (r"gesamt\s*netto", 0),
    (r"netto(?:summe)?", 2), (r"total\s+ht", 0), (r"montant\s+ht", 0),
    (r"totaal\s+ex(?:cl)?\.?\s*(?:btw)?", 0), (r"subtotaal", 0),
    (r"grondslag", 2),  # nl: the base a BTW summary table's rate applies to
    (r"base\s+imponible", 0), (r"subtotale", 0), (r"imponibile", 1),
    (r"celkem\s+bez\s+dph", 0), (r"z[áa]klad\s+dan[ěe]", 1),  # cs
    (r"razem\s+netto", 0), (r"wart(?:o[śs][ćc]|\.)\s*netto", 1), (r"kwota\s+netto", 1),
    (r"sous-?\s*total(?:\s+ht)?", 0), (r"total\s+parcial", 0),
    (r"net\s*invoice(?:\s+amount)?", 1), (r"(?:total\s+)?taxable\s+(?:value|amount)", 1),
    # after a document-level discount ("LESS DISCOUNT 1436", "Subtotal after discount"),
    # though "Less discount" may also be the discount itself: the sums decide
    (r"(?:sub\s*-?\s*total\s+)?(?:less|after)\s+discount", 2),
    # en-GB "Net" / "VAT" / "Gross": a bare "Net" only before a sign or an amount with
    # cents ("Net 30" is a payment term, "Net weight" a measure)
    (r"net(?=[ \t]*:?[ \t]*(?:[£$€]|\d[\d,.]*[.,]\d\d(?!\d)))", 3),
)
TAX_LABELS: tuple[Label, ...] = (
    (r"total\s+(?:vat|tax|tva|btw|iva|mwst)", 0), (r"steuerbetrag", 0), (r"montant\s+tva", 0),
    (r"vat(?:\s+amount)?", 1), (r"mwst\.?", 1), (r"ust\.?", 1), (r"umsatzsteuer", 1),
    (r"mehrwertsteuer", 1), (r"tva", 1), (r"btw(?:-?bedrag)?", 1), (r"iva", 1),
    (r"imposta", 1), (r"kwota\s+vat", 0), (r"sales\s+tax", 1), (r"tax", 2),
    (r"total\s+impuestos?", 0), (r"impuestos?", 1), (r"kwota\s+podatku", 0),
    # India: "Total GST", "IGST 18%", or CGST and SGST lines that add up to the tax
    (r"total\s+(?:[csiu]?gst|tax\s+amount)", 0), (r"[csiu]?gst", 1),
    (r"dph", 1),  # cs
)

# A discount or rebate of the whole document, printed between the items' sum and the
# subtotal or total ("SUBTOTAL 1440 / DISCOUNT 4 / LESS DISCOUNT 1436").
DISCOUNT_LABELS: tuple[Label, ...] = (
    (r"discount|rebate|allowance", 0), (r"rabatt|nachlass|skonto", 0),
    (r"remise|rabais|ristourne|escompte", 0), (r"korting", 0), (r"descuento", 0),
    (r"sconto", 0), (r"rabat|upust", 0),
)

# Parties ----------------------------------------------------------------------------
SELLER_LABELS = (
    r"verk[äa]ufer|rechnungssteller|leistungserbringer|lieferant|absender|"
    r"fournisseur|vendeur|[ée]metteur|prestataire|seller|supplier|vendor|from|sold\s+by|"
    r"leverancier|verkoper|proveedor|emisor|vendedor|fornitore|cedente|prestatore|"
    r"sprzedawca|wystawca|dostawca|crediteur|dodavatel|shop\s+name"
)
BUYER_LABELS = (
    r"k[äa]ufer|rechnungsempf[äa]nger|leistungsempf[äa]nger|auftraggeber|kunde|"
    r"warenempf[äa]nger|lieferanschrift|client|acheteur|destinataire|factur[ée]\s+[àa]|"
    r"adresse\s+de\s+livraison|livraison|bill(?:ed)?\s+to|invoice\s+to|sold\s+to|ship\s+to|"
    r"customer|buyer|deliver(?:y|ed)\s+to|klant|afnemer|koper|cliente|comprador|"
    r"destinatario|committente|cessionario|nabywca|odbiorca|debiteur|odb[ěe]ratel|"
    r"rechnung\s+an|billto|billing\s+address|rechnungsadresse|adresse\s+de\s+facturation|"
    r"factuuradres|indirizzo\s+di\s+fatturazione|direcci[óo]n\s+de\s+facturaci[óo]n|"
    r"spett(?:\.\s?le|abile)|"
    # a hotel's guest: "Guest Name", "Gast", "Hôte", "Huésped", "Ospite"
    r"guest|gast|h[ôo]te|hu[ée]sped|ospite"
)

# Language detection ------------------------------------------------------------------
LANGUAGE_WORDS = {
    "en": "invoice total date due amount bill tax vat payment quantity description",
    "de": "rechnung betrag datum summe mwst steuer menge zahlbar netto brutto bitte",
    "fr": "facture montant date tva total ttc payer quantité quantite prix échéance conditions",
    "nl": "factuur bedrag datum totaal btw betalen aantal omschrijving vervaldatum",
    "es": "factura importe fecha iva total pagar cantidad precio descripción descripcion",
    "it": "fattura importo data iva totale pagamento quantità quantita prezzo descrizione",
    "pl": "faktura kwota data vat razem zapłaty zaplaty ilość ilosc cena nabywca sprzedawca",
}
_LANGUAGE_SETS = {lang: frozenset(words.split()) for lang, words in LANGUAGE_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """The document's language from its invoice vocabulary (``en`` when unsure)."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(text[:6000].lower()):
        counts[word] = counts.get(word, 0) + 1
    scores = {lang: sum(counts.get(w, 0) for w in words) for lang, words in _LANGUAGE_SETS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] else "en"


_CREDIT_NOTE = re.compile(
    r"(?<![^\W\d_])(?:credit\s*note|gutschrift|rechnungskorrektur|stornorechnung|avoir|"
    r"facture\s+d'avoir|creditnota|creditfactuur|nota\s+de\s+cr[ée]dito|factura\s+rectificativa|"
    r"nota\s+di\s+credito|faktura\s+koryguj[aą]ca|korekta)(?![^\W\d_])",
    re.IGNORECASE,
)


def detect_document_type(text: str) -> str:
    """``credit_note`` when the document's title (its first lines) names one, else
    ``invoice``."""
    head = "\n".join(text.split("\n", 12)[:12])
    return "credit_note" if _CREDIT_NOTE.search(head) else "invoice"


def compile_labels(labels: Sequence[Label]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None,
                                                      dict[str, int]]:
    """The labels as two patterns: those that start a word, and those that may end a
    compound word (a leading ``~``: "Handels*rechnung* Nr."); group ``l<i>`` is label
    ``i`` and the dict gives each group's rank.

    The caller tries the first pattern at word starts only (a look-behind in front of
    every alternative would make the regex engine test it at every position of a text
    that is mostly spaces).
    """
    words: list[str] = []
    compounds: list[str] = []
    ranks: dict[str, int] = {}
    for i, (label, rank) in sorted(enumerate(labels), key=lambda item: item[1][1]):
        ranks[f"l{i}"] = rank
        (compounds if label.startswith("~") else words).append(
            f"(?P<l{i}>{label.lstrip('~')})")

    def one(parts: list[str]) -> re.Pattern[str] | None:
        if not parts:
            return None
        return re.compile(rf"(?:{'|'.join(parts)})(?![^\W\d_])", re.IGNORECASE)

    return one(words), one(compounds), ranks
