"""Personal and payment data in free text: emails, phones, IBANs, cards, national IDs,
street addresses.

Detection is deterministic and checksum-backed where the format has one: an IBAN
must pass ISO 13616 mod-97, a card number the Luhn check and a plausible issuer
prefix, a German tax id ISO 7064 MOD 11,10, a French social security number its
key. So an invoice number or an amount is not taken for an account. VAT numbers and
company registrations identify businesses and are left alone: the extractor needs
them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = ["PiiKind", "PiiMatch", "find_pii", "iban_is_valid", "luhn_is_valid", "mask_pii"]

PiiKind = Literal["IBAN", "CARD", "EMAIL", "NATIONAL_ID", "PHONE", "ADDRESS"]
_PRIORITY: dict[str, int] = {"IBAN": 0, "CARD": 1, "EMAIL": 2, "NATIONAL_ID": 3, "PHONE": 4,
                             "ADDRESS": 5}

# ISO 13616 lengths of the countries seen on European invoices (others: 15 to 34).
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21,
    "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27,
}
# Each pattern starts with a literal or a small character class, without \b or a
# look-behind: ``re`` then skips quickly to candidate positions (10x faster on a
# page). The boundary before a match is checked by ``_bounded``.
_IBAN = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}")
_CARD = re.compile(r"[2-6]\d{3}(?:[ -]?\d){9,15}")
_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}$")
_PHONE_INTL = re.compile(r"\+\d{1,3}(?:[ ./-]?\(?\d{1,5}\)?){2,6}")
_PHONE_LABELLED = re.compile(  # on lower-cased text
    r"(?:tel|phone|fon|telefon|fax|mobile|mobil|mob|handy|tél|téléphone|portable|cell)\.?"
    r"(?:\s*(?:no|nr|number)\.?)?\s*[:.]?[ \t]*(\(?0\d[\d ()./-]{5,18}\d)"
)
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
_SSN_VALID = re.compile(r"(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}")
_NINO = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d\d ?\d\d ?\d\d ?[A-D]\b")
_NINO_EXCLUDED = ("BG", "GB", "NK", "KN", "TN", "NT", "ZZ")
_STEUER_ID = re.compile(  # on lower-cased text
    r"(?:steuer-?id|steuerliche identifikationsnummer|identifikationsnummer|idnr|tin)\.?"
    r"\s*(?:nr\.?)?\s*:?\s*(\d{2} ?\d{3} ?\d{3} ?\d{3})\b"
)
_NIR = re.compile(r"[12] ?\d{2} ?(?:0[1-9]|1[0-2]|[2-9]\d) ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2}\b")
# Street addresses, found by the street word and the house number after it; the
# street's name is then read backwards (see ``_addresses``).
_DE_STREET = re.compile(  # on lower-cased text
    r"(?:stra(?:ße|sse|at)|str\.|allee|gasse|weg|damm|ufer|chaussee|laan|gracht|kade|singel"
    r"|dijk|platz|ring|markt|plein)[ \t]+\d{1,4}(?:[ \t]?[a-z]\b)?"
)
# Suffixes also found inside ordinary nouns ("Catering 12", "Arbeitsplatz 3"): only
# as a separate, capitalised word.
_DE_SEPARATE_ONLY = ("platz", "ring", "markt", "plein")
_DE_NAME_BEFORE = re.compile(r"(?:[A-ZÄÖÜ][\wäöüß-]*er[ \t])?[A-ZÄÖÜ][\wäöüß.-]*[ \t-]?$")
_DE_AM = re.compile(r"(?:Am|An der|Im|Auf dem|Zum|Zur)[ \t]+[A-ZÄÖÜ][\wäöüß-]+[ \t]+\d{1,4}[a-z]?\b")
_EN_STREET = re.compile(
    r"[ \t](?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Way|Drive|Boulevard|Blvd\.|Court"
    r"|Place|Square|Mall|Terrace|Close|Crescent|Row|Parkway)(?![\w])"
)
_EN_NAME_BEFORE = re.compile(r"(?<![\d,.])\b\d{1,5}[ \t]+(?:[A-Z][\w'-]*[ \t]+){0,2}[A-Z][\w'-]*$")
_FR_STREET = re.compile(r"(?:rue|avenue|boulevard|bd|place|chemin|quai|allée|impasse|route"
                        r"|cours)[ \t]+(?:(?:de|du|des|la|le|l'|d')[ \t]*)*[A-ZÉÈ][\w'-]*"
                        r"(?:[ \t]+[A-ZÉÈ][\w'-]*)*")
_FR_NUMBER_BEFORE = re.compile(r"(?<![\d,.])\b\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+$")


def _bounded(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Matches that do not start inside a word or a number."""
    for m in pattern.finditer(text):
        start = m.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "+"):
            end = m.end()
            if end == len(text) or not text[end].isdigit():
                yield m


@dataclass(frozen=True, slots=True)
class PiiMatch:
    """One piece of personal or payment data.

    Attributes:
        kind: ``IBAN``, ``CARD``, ``EMAIL``, ``NATIONAL_ID``, ``PHONE`` or ``ADDRESS``.
        start: offset in the text.
        end: end offset.
        text: the characters as printed.
        value: the canonical value (IBAN without spaces, email lower-cased...), the
            same for every way of printing it.
    """

    kind: PiiKind
    start: int
    end: int
    text: str
    value: str


@functools.lru_cache(maxsize=1024)
def iban_is_valid(iban: str) -> bool:
    """Whether ``iban`` is a valid IBAN (ISO 13616: country, length, BBAN format and the
    mod-97 check digits), by python-stdnum. The one IBAN check of wardflow: the PII
    scanner and the invoice parsers both use it (cached: the guard, the extractor and
    the compliance checks meet the same IBANs of a document, ~20 us each)."""
    from stdnum import iban as stdnum_iban

    compact = iban.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", compact):
        return False
    return bool(stdnum_iban.is_valid(compact))


def luhn_is_valid(number: str) -> bool:
    """The Luhn checksum of a card number (digits only)."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def _steuer_id_is_valid(number: str) -> bool:
    # ISO 7064 MOD 11,10 over the first ten digits; the first digit is never 0.
    if len(number) != 11 or number[0] == "0":
        return False
    product = 10
    for char in number[:10]:
        total = (int(char) + product) % 10 or 10
        product = (total * 2) % 11
    return (11 - product) % 10 == int(number[10])


def _nir_is_valid(number: str) -> bool:
    body, key = number[:13], int(number[13:])
    body = body.replace("2A", "19").replace("2B", "18")
    return 97 - int(body) % 97 == key


def _ibans(text: str) -> list[PiiMatch]:
    found = []
    for m in _bounded(_IBAN, text):
        raw = m.group(0)
        compact = raw.replace(" ", "")
        length = _IBAN_LENGTHS.get(compact[:2])
        candidates = [length] if length else range(min(len(compact), 34), 14, -1)
        for size in candidates:
            if size <= len(compact) and iban_is_valid(compact[:size]):
                # Walk the printed characters to where the size-th one ends.
                seen, end = 0, 0
                while seen < size:
                    seen += raw[end] != " "
                    end += 1
                found.append(PiiMatch("IBAN", m.start(), m.start() + end, raw[:end],
                                      compact[:size]))
                break
    return found


def _cards(text: str) -> list[PiiMatch]:
    found = []
    for m in _bounded(_CARD, text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and luhn_is_valid(digits):
            found.append(PiiMatch("CARD", m.start(), m.end(), m.group(0), digits))
    return found


def _national_ids(text: str, lowered: str) -> list[PiiMatch]:
    found = [PiiMatch("NATIONAL_ID", m.start(), m.end(), m.group(0), m.group(0))
             for m in _bounded(_SSN, text) if _SSN_VALID.fullmatch(m.group(0))]
    found += [PiiMatch("NATIONAL_ID", m.start(), m.end(), m.group(0),
                       m.group(0).replace(" ", ""))
              for m in _bounded(_NINO, text) if m.group(0)[:2] not in _NINO_EXCLUDED]
    for m in _bounded(_STEUER_ID, lowered):
        digits = m.group(1).replace(" ", "")
        if _steuer_id_is_valid(digits):
            found.append(PiiMatch("NATIONAL_ID", m.start(1), m.end(1), text[m.start(1):m.end(1)],
                                  digits))
    for m in _bounded(_NIR, text):
        compact = m.group(0).replace(" ", "")
        if _nir_is_valid(compact):
            found.append(PiiMatch("NATIONAL_ID", m.start(), m.end(), m.group(0), compact))
    return found


def _emails(text: str) -> list[PiiMatch]:
    found = []
    for m in _EMAIL_DOMAIN.finditer(text):
        local = _EMAIL_LOCAL.search(text, max(0, m.start() - 64), m.start())
        if local is not None:
            printed = text[local.start():m.end()]
            found.append(PiiMatch("EMAIL", local.start(), m.end(), printed, printed.lower()))
    return found


def _phones(text: str, lowered: str) -> list[PiiMatch]:
    found = []
    for m in _bounded(_PHONE_INTL, text):
        digits = re.sub(r"\D", "", m.group(0))
        if 8 <= len(digits) <= 15:
            found.append(PiiMatch("PHONE", m.start(), m.end(), m.group(0), "+" + digits))
    for m in _bounded(_PHONE_LABELLED, lowered):
        digits = re.sub(r"\D", "", m.group(1))
        if 7 <= len(digits) <= 15:
            found.append(PiiMatch("PHONE", m.start(1), m.end(1), text[m.start(1):m.end(1)],
                                  digits))
    return found


def _street(text: str, start: int, end: int) -> PiiMatch:
    # The postcode and town are left in place: they name a town, not a person, and
    # the street alone keeps one token per address however the line goes on.
    printed = text[start:end]
    return PiiMatch("ADDRESS", start, end, printed, " ".join(printed.split()))


def _addresses(text: str, lowered: str) -> list[PiiMatch]:
    found = []
    for m in _DE_STREET.finditer(lowered):
        glued = m.start() > 0 and lowered[m.start() - 1].isalpha()
        if glued and m.group(0).startswith(_DE_SEPARATE_ONLY):
            continue
        name = _DE_NAME_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if name is not None and (glued or text[m.start()].isupper()):
            found.append(_street(text, name.start(), m.end()))
    for m in _DE_AM.finditer(text):
        if m.start() == 0 or not text[m.start() - 1].isalnum():
            found.append(_street(text, m.start(), m.end()))
    for m in _EN_STREET.finditer(text):
        name = _EN_NAME_BEFORE.search(text, max(0, m.start() - 60), m.start())
        if name is not None:
            found.append(_street(text, name.start(), m.end()))
    for m in _FR_STREET.finditer(text):
        number = _FR_NUMBER_BEFORE.search(text, max(0, m.start() - 12), m.start())
        if number is not None:
            found.append(_street(text, number.start(), m.end()))
    return found


def find_pii(text: str) -> list[PiiMatch]:
    """Every piece of personal or payment data in ``text``, in order, not overlapping
    (an IBAN wins over the card number its digits might also form)."""
    return list(_scan_document(text) if len(text) >= _DOCUMENT_CHARS else _scan(text))


def _scan(text: str) -> tuple[PiiMatch, ...]:
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare letter whose lower case is longer
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    matches = [
        *_ibans(text), *_cards(text), *_emails(text), *_national_ids(text, lowered),
        *_phones(text, lowered), *_addresses(text, lowered),
    ]
    matches.sort(key=lambda p: (p.start, _PRIORITY[p.kind], -p.end))
    kept: list[PiiMatch] = []
    for match in matches:
        if kept and match.start < kept[-1].end:
            if _PRIORITY[match.kind] < _PRIORITY[kept[-1].kind]:
                kept[-1] = match
            continue
        kept.append(match)
    return tuple(kept)


# A run scans its document's text twice (the guard before any model sees it, the GDPR
# rules of the compliance step; about 1 ms each): the scans of the last few documents
# are kept, and their texts only for as long. Short texts (field values) are cheap.
_DOCUMENT_CHARS = 512
_scan_document = functools.lru_cache(maxsize=4)(_scan)


def mask_pii(text: str) -> str:
    """``text`` with each piece of personal data replaced by its kind (``<IBAN>``);
    for evidence and log lines, where no vault is at hand."""
    out, cursor = [], 0
    for match in find_pii(text):
        out += [text[cursor:match.start], f"<{match.kind}>"]
        cursor = match.end
    out.append(text[cursor:])
    return "".join(out)
