"""Checks on a model's answer before it enters the run's state.

A small model invents: a vendor that is not on the invoice, a total it computed
itself, a date in the wrong year. Each value it returns must be printed in the
source (amounts and dates compared as numbers and days, in any of the formats
invoices use), the amounts must add up, and the answer must be plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

__all__ = [
    "OutputIssue",
    "amounts_in",
    "check_arithmetic",
    "check_schema",
    "check_values_in_source",
    "dates_in",
]

_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAX_VALUE = 2000
_AMOUNT = re.compile(r"\d{1,3}(?:(?:[.,'\u00a0\u202f]| (?=\d{3}\b))\d{3})+(?:[.,]\d{1,2})?"
                     r"|\d+(?:[.,]\d{1,3})?")
_CURRENCY_NOISE = re.compile(r"[A-Za-z€$£¥\s\u00a0\u202f]|(?<=\d)-$")
_MONTHS = {
    **dict.fromkeys(("january", "jan", "januar", "jän", "janvier", "janv"), 1),
    **dict.fromkeys(("february", "feb", "februar", "février", "fevrier", "févr", "fevr"), 2),
    **dict.fromkeys(("march", "mar", "märz", "maerz", "mars"), 3),
    **dict.fromkeys(("april", "apr", "avril", "avr"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("june", "jun", "juni", "juin"), 6),
    **dict.fromkeys(("july", "jul", "juli", "juillet", "juil"), 7),
    **dict.fromkeys(("august", "aug", "août", "aout"), 8),
    **dict.fromkeys(("september", "sep", "sept", "septembre"), 9),
    **dict.fromkeys(("october", "oct", "oktober", "okt", "octobre"), 10),
    **dict.fromkeys(("november", "nov", "novembre"), 11),
    **dict.fromkeys(("december", "dec", "dezember", "dez", "décembre", "decembre", "déc"), 12),
}
_MONTH_NAMES = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_NUMERIC_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_NAMED_DATE = re.compile(
    rf"\b(\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s+({_MONTH_NAMES})\.?,?\s+(\d{{4}})\b"
    rf"|\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b",
    re.IGNORECASE,
)
_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "fr.": "CHF", "chf": "CHF"}
_SUBTOTAL = ("subtotal", "net", "net_amount", "subtotal_amount", "net_total")
_TAX = ("tax", "vat", "tax_amount", "vat_amount", "tax_total")
_TOTAL = ("total", "total_amount", "gross", "amount_due", "total_due", "gross_amount")
_AMOUNT_HINTS = ("total", "amount", "subtotal", "tax", "vat", "net", "gross", "price", "sum")


@dataclass(frozen=True, slots=True)
class OutputIssue:
    """One problem with a model's answer.

    Attributes:
        check: ``schema``, ``not_in_source`` or ``arithmetic``.
        field: the field concerned (``None`` for the answer as a whole).
        detail: what is wrong, for a reviewer.
    """

    check: str
    field: str | None
    detail: str


# More digits than any invoice amount has; past this a "number" is noise (and
# ``Decimal.quantize`` would overflow the context's precision).
_MAX_AMOUNT_DIGITS = 18
_CENT = Decimal("0.01")


def _cents(text: str) -> Decimal | None:
    """``text`` as an amount to the cent, or ``None`` when it is not a plausible one."""
    if sum(c.isdigit() for c in text) > _MAX_AMOUNT_DIGITS:
        return None
    try:
        value = Decimal(text)
        return value.quantize(_CENT) if value.is_finite() else None
    except InvalidOperation:
        return None


def _readings(number: str) -> set[Decimal]:
    """Every value a printed number can mean (``1,200`` is 1200 or 1.2)."""
    digits = number.replace("'", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    separators = [i for i, c in enumerate(digits) if c in ".,"]
    candidates: set[str] = set()
    if not separators:
        candidates.add(digits)
    else:
        last = separators[-1]
        decimals = len(digits) - last - 1
        plain = re.sub(r"[.,]", "", digits)
        # The last separator as decimal point ...
        candidates.add(plain[: len(plain) - decimals] + "." + plain[len(plain) - decimals:])
        # ... or every separator as thousands grouping ("1.234", "1,234,567").
        if decimals == 3 and len({digits[i] for i in separators}) == 1:
            candidates.add(plain)
    return {d for c in candidates if (d := _cents(c)) is not None}


def amounts_in(text: str) -> set[Decimal]:
    """Every amount ``text`` may print, in any of the usual formats."""
    found: set[Decimal] = set()
    for m in _AMOUNT.finditer(text):
        found |= _readings(m.group(0))
    return found


def _amount_value(value: str) -> set[Decimal] | None:
    """The readings of a value that is an amount, or ``None`` if it is not one."""
    stripped = _CURRENCY_NOISE.sub("", value.strip()).lstrip("+-")
    if not stripped or not re.fullmatch(r"[\d.,'\u00a0\u202f ]+", stripped):
        return None
    return _readings(stripped) or None


def _valid_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dates_in(text: str) -> set[date]:
    """Every date ``text`` may print (``03/04/2026`` counts as 3 April and 4 March)."""
    found: set[date | None] = set()
    for m in _NUMERIC_DATE.finditer(text):
        if m.group(1):
            found.add(_valid_date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        else:
            a, b, year = int(m.group(4)), int(m.group(5)), int(m.group(6))
            found |= {_valid_date(year, b, a), _valid_date(year, a, b)}
    for m in _NAMED_DATE.finditer(text):
        if m.group(1):
            day_text, month_name, year_text = m.group(1), m.group(2), m.group(3)
        else:
            month_name, day_text, year_text = m.group(4), m.group(5), m.group(6)
        number = _MONTHS.get(month_name.lower().rstrip("."))
        if number is not None:
            found.add(_valid_date(int(year_text), number, int(day_text)))
    return {d for d in found if d is not None}


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _words(text: str) -> set[str]:
    return {w for w in re.split(r"[\W_]+", text.casefold()) if len(w) >= 2}


def check_schema(fields: Mapping[str, object]) -> list[OutputIssue]:
    """Field names are identifiers; values are short strings (or ``None``) without
    control characters."""
    issues = []
    for name, value in fields.items():
        if not isinstance(name, str) or not _FIELD_NAME.fullmatch(name):
            issues.append(OutputIssue("schema", str(name)[:64], "field name is not an identifier"))
        elif value is not None and not isinstance(value, str):
            issues.append(OutputIssue("schema", name,
                                      f"expected a string or null, got {type(value).__name__}"))
        elif isinstance(value, str) and len(value) > _MAX_VALUE:
            issues.append(OutputIssue("schema", name, f"longer than {_MAX_VALUE} characters"))
        elif isinstance(value, str) and _CONTROL.search(value):
            issues.append(OutputIssue("schema", name, "contains control characters"))
    return issues


def _currency_in(value: str, source: str) -> bool:
    code = value.strip().upper()
    lowered = source.lower()
    return code.lower() in _words(source) or any(
        symbol in lowered for symbol, iso in _CURRENCY_SYMBOLS.items() if iso == code
    )


def _present(name: str, value: str, source: str, source_words: set[str],
             amounts: Iterable[Decimal], days: set[date]) -> bool:
    lowered = name.lower()
    if "date" in lowered or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        parsed = dates_in(value)
        if parsed:
            return not parsed.isdisjoint(days)
    if lowered == "currency" or re.fullmatch(r"[A-Z]{3}", value.strip()):
        if _currency_in(value, source):
            return True
    readings = _amount_value(value)
    if readings is not None and (any(h in lowered for h in _AMOUNT_HINTS) or "," in value
                                 or "." in value):
        return not readings.isdisjoint(amounts)
    squashed = _squash(value)
    if not squashed or squashed in _squash(source):
        return True
    words = _words(value)
    return bool(words) and words <= source_words


def check_values_in_source(
    fields: Mapping[str, str | None], source_text: str
) -> list[OutputIssue]:
    """Each non-null value must be printed in ``source_text``.

    Amounts match whatever their format (``2.146,76`` = ``2,146.76`` = ``2146.76``),
    dates whatever their format (``2026-08-14`` = ``14.08.2026`` = ``14 August
    2026``), text ignoring case, spacing and punctuation.
    """
    amounts = amounts_in(source_text)
    days = dates_in(source_text)
    words = _words(source_text)
    issues = []
    for name, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            continue
        if not _present(name, value, source_text, words, amounts, days):
            issues.append(OutputIssue("not_in_source", name,
                                      f"{name}: the value is not printed in the document"))
    return issues


def _first(fields: Mapping[str, str | None], names: tuple[str, ...]) -> set[Decimal] | None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, str):
            return _amount_value(value)
    return None


def check_arithmetic(fields: Mapping[str, str | None]) -> list[OutputIssue]:
    """If the answer has a subtotal, a tax amount and a total, subtotal + tax = total
    (to the cent)."""
    subtotal, tax, total = _first(fields, _SUBTOTAL), _first(fields, _TAX), _first(fields, _TOTAL)
    if not (subtotal and tax and total):
        return []
    if any(abs(s + t - g) <= _CENT for s in subtotal for t in tax for g in total):
        return []
    return [OutputIssue("arithmetic", None,
                        f"subtotal {min(subtotal)} + tax {min(tax)} != total {min(total)}")]
