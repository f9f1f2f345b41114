"""Currencies as printed on invoices: ISO codes, signs before an amount ("€", "Rs."),
signs after one ("Kč", "zł"), and the document's dominant currency."""

from __future__ import annotations

import re

from wardflow.agents._parsers import Match

__all__ = ["CURRENCY_AFTER", "CURRENCY_CELL", "CURRENCY_CODES", "CURRENCY_SIGNS", "find_currency"]

_CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP", "$": "USD", "₹": "INR", "Rs.": "INR", "Rs": "INR"}
# ISO codes and signs read as currencies ("Rs." before an amount, "Kč", "zł" after one).
CURRENCY_CODES = "EUR USD GBP CHF SEK DKK NOK PLN JPY CZK HUF CAD AUD INR".split()
CURRENCY_SIGNS, CURRENCY_AFTER = "€£$₹", {"Kč": "CZK", "zł": "PLN"}
# A currency printed in an amount's cell, before or after it: any three capitals, a sign,
# "Rs." or a sign written after its amount.
CURRENCY_CELL = rf"(?:[A-Z]{{3}}|[{CURRENCY_SIGNS}]|Rs\.?|{'|'.join(CURRENCY_AFTER)})"
_CURRENCY_RE = re.compile(  # the lookahead: a fast skip to where a code or a sign may start
    rf"(?=[{''.join(sorted({code[0] for code in CURRENCY_CODES}))}{CURRENCY_SIGNS}])"
    rf"(?<![A-Za-z])({'|'.join(CURRENCY_CODES)})(?![A-Za-z])"
    rf"|([{CURRENCY_SIGNS}])"
    r"|(?<![A-Za-z])(Rs\.?)(?=\s?\d)"
    rf"|(?<=\d)\s?({'|'.join(CURRENCY_AFTER)})(?![^\W\d_])"
)
# "$5,270.00 AUD": a dollar sign whose amount is followed by the code of a dollar.
_DOLLAR_CODE = re.compile(r"\$\s?\d[\d.,' ]*\d\s?(USD|AUD|CAD|NZD|SGD|HKD)(?![A-Za-z])")


def find_currency(text: str) -> tuple[Match | None, int, int]:
    """The dominant currency, how often it appears, and how many mentions disagree."""
    counts: dict[str, list[re.Match[str]]] = {}
    dollar = next((m.group(1) for m in _DOLLAR_CODE.finditer(text)), "USD")
    for m in _CURRENCY_RE.finditer(text):
        if m.group(4):
            code = CURRENCY_AFTER[m.group(4)]
        elif m.group(2) == "$":
            code = dollar
        else:
            code = m.group(1) or _CURRENCY_SYMBOLS[m.group(2) or m.group(3)]
        counts.setdefault(code, []).append(m)
    if not counts:
        return None, 0, 0
    code, hits = max(counts.items(), key=lambda item: len(item[1]))
    others = sum(len(v) for k, v in counts.items() if k != code)
    first = hits[0]
    return Match(code, first.start(), first.end(), "pattern", "currency"), len(hits), others
