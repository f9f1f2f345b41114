"""Lines that are never a party's name, whatever their place on the page.

A seller's letterhead and an addressee's block print, next to the name, lines that look
like names to a loose pattern: a postal address ("Cityville, ST 12345", "Hauptstraße 5",
"PO Box 12"), a country ("Australia"), a phone number, mail or web address, a place and
a date ("Berlin, 15.12.2025") or an amount. :func:`not_a_name` says which one a cell is,
so that no such line is ever offered as the vendor: no vendor (and a reviewer) is
better than a wrong one.

Country names come from the ISO 3166 table that ``pytz`` ships (a dependency of
``dateparser``), not from a list kept here.
"""

from __future__ import annotations

import functools
import re

from wardflow.agents._currency import CURRENCY_AFTER, CURRENCY_CODES, CURRENCY_SIGNS

__all__ = ["not_a_name"]

# "City, ST 12345(-6789)", "BrisbaneCityQLD4000", "Sydney NSW 2000": a region code and
# its postcode at the end of the line.
_REGION_POSTCODE = re.compile(r"(?:,\s*|\s|(?<=[a-z]))[A-Z]{2,3}\s*\d{4,5}(?:-\d{4})?\s*$")
# A postcode and a city: "75001 Paris", "1015 CJ Amsterdam", "D-10115 Berlin",
# "SW1A 1AA London", "Mumbai 400001", "Paris Cedex 08".
_POSTCODE_CITY = re.compile(
    r"^(?:[A-Z]{1,2}-)?\d{4,5}(?:\s?[A-Z]{2})?\s+[^\W\d_]"
    r"|^[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\s*$"
    r"|[^\W\d_]\s*[-–]?\s*\d{6}\s*$"
    r"|\bcedex\b",
    re.IGNORECASE,
)
# A street and its number in the usual orders of EN, DE, FR, NL, ES, IT, PL.
_STREET = re.compile(
    r"(?:^\d+[a-z]?,?\s+\S+.*\b(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|"
    r"dr|way|court|ct|place|pl|square|sq|parkway|pkwy|highway|hwy|suite|ste)\b\.?"
    r"|(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|straat|laan|gracht|plein|kade|"
    r"dijk|steeg)\s+\d+\s*[a-z]?\b"
    r"|^(?:rue|avenue|av\.|boulevard|bd|chemin|impasse|all[ée]e|place|quai|calle|c/|avda\.?|"
    r"via|viale|piazza|corso|ul\.|ulica|al\.)\s+\S.*\d"
    r"|^\d+[a-z]?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|impasse|all[ée]e|place|quai)\b)",
    re.IGNORECASE,
)
_PO_BOX = re.compile(
    r"\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|postbus|bo[iî]te\s+postale|b\.?p\.?\s+\d|"
    r"apartado(?:\s+de\s+correos)?|casella\s+postale|skrytka\s+pocztowa)\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    r"@|\bwww\.|https?://|^(?:tel|phone|fax|mobile|mob|cell|telefon|t[ée]l[ée]phone|telefoon|"
    r"tel[ée]fono|telefono)\b|^\+?\(?\d[\d\s().-]{7,}\d$",
    re.IGNORECASE,
)
# A place and a date ("Berlin, 15.12.2025", "Paris, le 3 mars 2026") or a date alone.
_DATE = re.compile(
    r"(?:^|,\s*(?:le\s+|den\s+|am\s+)?)\d{1,2}[./-]\s?\d{1,2}[./-]\s?\d{2,4}\s*$"
    r"|^\d{4}-\d{2}-\d{2}$|,\s*(?:le\s+|den\s+)?\d{1,2}\.?\s+[^\W\d_]{3,}\.?\s+\d{4}\s*$",
    re.IGNORECASE,
)
# An amount with its currency: "$5,270.00", "1.234,56 €", "EUR 100,00", "Rs. 500", "150,00 Kč"
# (the currencies the parsers read).
_CURRENCY_CODE = rf"(?<![A-Za-z])(?:{'|'.join(CURRENCY_CODES)})(?![A-Za-z])"
_AMOUNT = re.compile(
    rf"(?:[{CURRENCY_SIGNS}¥]|{_CURRENCY_CODE}|(?<![A-Za-z])Rs\.?)\s?\d[\d.,\s]*\d"
    rf"|\d[\d.,]*[.,]\d{{2}}\s?(?:[{CURRENCY_SIGNS}¥]|{_CURRENCY_CODE}|(?:{'|'.join(CURRENCY_AFTER)})(?![^\W\d_]))"
)


@functools.cache
def _countries() -> frozenset[str]:
    """Country names, folded, from the ISO 3166 table that pytz ships ("Australia",
    "United States", "Britain (UK)" as "britain" and "uk")."""
    import pytz

    names: set[str] = set()
    for name in pytz.country_names.values():
        names.add(name.casefold())
        for part in re.split(r"\s*[(),&]\s*", name):
            if len(part) >= 2:
                names.add(part.casefold())
    return frozenset(names)


def not_a_name(segment: str) -> str | None:
    """Why ``segment`` (a cell up to its first separator, commas kept) is no party's
    name: "postal address", "country", "contact", "date" or "amount"; None if it may be."""
    text = segment.strip(" :;,.")
    if (
        _REGION_POSTCODE.search(text)
        or _POSTCODE_CITY.search(text)
        or _STREET.search(text)
        or _PO_BOX.search(text)
    ):
        return "postal address"
    if text.casefold() in _countries():
        return "country"
    if _CONTACT.search(text):
        return "contact"
    if _DATE.search(text):
        return "date"
    if _AMOUNT.search(text):
        return "amount"
    return None
