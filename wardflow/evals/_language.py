"""A document's language from its function words, for the eval's per-language table.

Invoices are short and full of numbers, names and codes; what tells their language
apart is the handful of function words and invoice terms every language has. A count
of those is enough to group documents (it is a label for a report, not a decision):
the language with the most hits wins, and under a few hits the answer is ``und``
(undetermined, ISO 639-2).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["UNDETERMINED", "detect_language"]

UNDETERMINED = "und"
_MIN_HITS = 3

# Function words and common invoice words, chosen to be rare in the other languages.
_WORDS: Mapping[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to for with from this that your our is are please invoice total"
              " amount due date bill payment terms thank you",
        "de": "und der die das den dem des mit für von bei ist sind bitte rechnung betrag"
              " gesamtbetrag datum zahlbar nicht wir ihre ihr zahlung steuer umsatzsteuer"
              " mwst netto brutto summe lieferung eine ein ohne aus sich auf",
        "fr": "le la les des du de et en pour avec une est sont par sur au aux facture montant"
              " date total tva ttc ht paiement échéance nous vous votre",
        "nl": "de het een en van voor met op aan zijn wij uw factuur bedrag datum totaal"
              " btw betaling graag vervaldatum",
        "es": "el la los las del para con una es por factura importe fecha total iva"
              " pago vencimiento nuestro su",
        "it": "il lo la gli le della del per con una è sono fattura importo data totale"
              " iva pagamento scadenza nostro vostro",
        "pl": "na do dla od jest faktura kwota razem netto brutto płatność termin"
              " sprzedawca nabywca zapłaty oraz się",
    }.items()
}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
# The text view of an e-invoice XML: "/rsm:Root/ram:Element: value" lines.
_XML_PATH = re.compile(r"^/\S*: ", re.MULTILINE)
# Addresses and identifiers: "firma.de" or "urn:cen.eu:en16931" are not words.
_NOISE = re.compile(r"\S+@\S+|\w+://\S+|\burn:\S+|\b\w[\w-]*\.\w{2,4}\b")


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is most likely in (``en``, ``de``,
    ``fr``, ``nl``, ``es``, ``it``, ``pl``), or ``und`` when too few words tell."""
    # Codes (DE, VAT, EUR) and single letters (also what base64 is made of) tell
    # nothing about the language.
    words = [w.casefold() for w in _TOKEN.findall(_NOISE.sub(" ", _XML_PATH.sub("", text)))
             if len(w) > 1 and not w.isupper()]
    scores = {lang: sum(1 for w in words if w in vocabulary)
              for lang, vocabulary in _WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ordered = sorted(scores.values(), reverse=True)
    if ordered[0] < _MIN_HITS or ordered[0] == ordered[1]:
        return UNDETERMINED
    return best
