"""Deterministic parsers for invoice text: amounts, dates, identifiers, line items.

Every parser returns :class:`Match` objects that keep the exact source span, so a
field can always show the text it came from. Parsers never guess silently: a value
found next to its label is marked ``label``; one found by pattern alone is marked
``pattern`` and earns a lower confidence in the extractor.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from wardflow.guardrails.pii import iban_is_valid

__all__ = [
    "has_label_before",
    "DUE_DATE_LABELS",
    "IBAN_RE",
    "INVOICE_DATE_LABELS",
    "INVOICE_NUMBER_LABELS",
    "SUBTOTAL_LABELS",
    "TOTAL_LABELS",
    "Match",
    "find_amount_after",
    "find_bic",
    "find_date_after",
    "find_iban",
    "find_invoice_number",
    "find_line_items",
    "find_po_number",
    "find_tax",
    "find_tax_id",
    "iban_is_valid",
    "money",
    "parse_amount",
    "parse_date",
]

How = Literal["label", "pattern", "computed", "master"]


@dataclass(frozen=True, slots=True)
class Match:
    value: str
    start: int
    end: int
    how: How
    label: str = ""


def money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Amounts ---------------------------------------------------------------------------
# 1,234.56  1.234,56  1 234,56  1'234.50  1234.56  -12.00 ; always two decimals.
# 1,00,000.00: Indian lakh grouping
_AMOUNT = (r"-?(?:\d{1,2}(?:,\d{2})+,\d{3}|\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+|\d+)[.,]\d{2}"
           r"(?![.,]?\d)")
AMOUNT_RE = re.compile(rf"(?<![\w.,'\u00a0]){_AMOUNT}(?!\s?%)")


# Labelled amounts may have 0 to 4 decimals ("2.441,5", "0", "1,0000").
_LOOSE_AMOUNT = (
    r"-?(?:\d{1,2}(?:,\d{2})+,\d{3}(?:\.\d{1,2})?|"
    r"\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,4})?)"
    r"(?![.,]?\d)(?!\s?%)"
)
LOOSE_AMOUNT_RE = re.compile(rf"(?<![\w.,'\u00a0/-]){_LOOSE_AMOUNT}")


@functools.lru_cache(maxsize=4096)
def parse_amount(text: str, *, strict: bool = True) -> Decimal | None:
    """Parse an amount written in any common European or English style.

    ``strict`` (the default) wants exactly two decimals, as amounts found by pattern
    alone must have; a labelled value may have none or up to four (``2.441,5``). The
    decimal separator is told from the digits by price-parser.
    """
    from price_parser import Price

    cleaned = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not re.fullmatch(_AMOUNT if strict else _LOOSE_AMOUNT, cleaned):
        return None
    negative = cleaned.startswith("-")
    digits = cleaned.lstrip("-")
    if not strict and re.fullmatch(r"\d{1,3}[.,]\d{3}", digits):
        # "1.005" / "1,005": a thousands group, never three decimals in an amount
        value: Decimal | None = Decimal(re.sub(r"[.,]", "", digits))
    else:
        value = Price.fromstring(digits.replace("'", "")).amount
    if value is None:
        return None
    return -value if negative else value


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end


def _labels(text: str, labels: Sequence[str]) -> Iterator[re.Match[str]]:
    pattern, letters_first = _label_pattern(tuple(labels))
    if not letters_first:
        return pattern.finditer(text)
    return _at_word_starts(pattern, text)


# A label that starts with a letter (or a class of letters) can only match where a word
# starts: trying the pattern there finds what ``finditer`` finds, without a try at each
# of the (mostly blank) positions of a laid-out page.
_LETTER_FIRST = re.compile(r"(?:[^\W\d_]|\[[^\W\d_]+\])(?![?*{])")
_LABEL_START = re.compile(r"(?<!\w)[^\W\d_]")
_GROUP = re.compile(r"\([^()]*\)")


def _letter_first(label: str) -> bool:
    """Whether every match of ``label`` starts with a letter (it opens with a letter or
    a class of letters, not optional, and has no alternative outside a group)."""
    if not _LETTER_FIRST.match(label):
        return False
    while _GROUP.search(label):
        label = _GROUP.sub("", label)
    return "|" not in label


@functools.lru_cache(maxsize=64)
def _label_pattern(labels: tuple[str, ...]) -> tuple[re.Pattern[str], bool]:
    pattern = re.compile(
        r"(?<![\w])(?:" + "|".join(labels) + r")(?![^\W\d_])", re.IGNORECASE | re.MULTILINE
    )
    return pattern, all(map(_letter_first, labels))


def _at_word_starts(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose matches start at word starts."""
    end = 0
    for start in _LABEL_START.finditer(text):
        if start.start() < end:
            continue  # inside the previous match: finditer does not overlap
        hit = pattern.match(text, start.start())
        if hit is not None:
            end = hit.end()
            yield hit


def find_amount_after(
    text: str, labels: Sequence[str], *, last: bool = False, exclude: Sequence[str] = ()
) -> Match | None:
    """The amount on the same line after a label (or alone on the next line).

    Args:
        labels: regular expressions for the label, e.g. ``r"sub\\s*total"``.
        last: take the last labelled amount in the document (totals come last).
        exclude: label continuations that disqualify a hit (``r"\\s*HT"`` for
            ``Total`` so that ``Total HT`` is not taken as the grand total).
    """
    found: list[Match] = []
    for hit in _labels(text, labels):
        if exclude and any(
            re.match(x, text[hit.end():], re.IGNORECASE) for x in exclude
        ):
            continue
        if any(re.search(x + r"$", text[max(0, hit.start() - 12):hit.start()], re.IGNORECASE)
               for x in (r"sub\s*", r"net\s*")) and "sub" not in hit.group(0).lower():
            continue
        _, line_end = _line_bounds(text, hit.end())
        amounts = list(AMOUNT_RE.finditer(text, hit.end(), line_end))
        if amounts:
            a = amounts[-1]
            found.append(Match(a.group(0), a.start(), a.end(), "label", hit.group(0)))
            continue
        next_start = line_end + 1
        if next_start < len(text):
            _, next_end = _line_bounds(text, next_start)
            line = text[next_start:next_end]
            only = re.fullmatch(rf"\s*(?:[A-Z]{{3}}|[€$£])?\s*({_AMOUNT})\s*(?:[A-Z]{{3}}|[€$£])?\s*",
                                line)
            if only:
                s = next_start + only.start(1)
                found.append(Match(only.group(1), s, s + len(only.group(1)), "label", hit.group(0)))
    if not found:
        return None
    return found[-1] if last else found[0]


_TAX_LABELS = (
    r"VAT", r"MwSt\.?", r"MWST\.?", r"USt\.?", r"TVA", r"IVA", r"Sales\s+tax", r"Tax",
    r"Umsatzsteuer", r"Mehrwertsteuer",
)
_RATE_RE = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def find_tax(text: str) -> tuple[Match | None, Match | None]:
    """The tax amount and its rate (percent), from the last tax line with an amount."""
    best: tuple[Match | None, Match | None] = (None, None)
    for hit in _labels(text, _TAX_LABELS):
        line_start, line_end = _line_bounds(text, hit.start())
        before = text[line_start:hit.start()].lower()
        after = text[hit.end():line_end]
        # "VAT ID", "VAT No", "Tax ID", "incl. VAT" lines are not the tax line.
        if re.match(r"\s*(?:-?ID|No|Nr|Reg|number|identification|intracom)", after, re.I):
            continue
        if re.search(r"(?:incl|excl|zzgl|inkl)\w*\.?\s*$", before):
            continue
        amounts = [a for a in AMOUNT_RE.finditer(text, hit.end(), line_end)  # none after an ID
                   if not re.search(r"\d{6,}", text[hit.end():a.start()])]  # "TVA: FR004372…"
        if not amounts:
            continue
        a = amounts[-1]
        rate = _RATE_RE.search(text, line_start, line_end)
        rate_match = (
            Match(rate.group(1).replace(",", "."), rate.start(1), rate.end(1), "label", hit.group(0))
            if rate else None
        )
        best = (Match(a.group(0), a.start(), a.end(), "label", hit.group(0)), rate_match)
    return best


# Dates -----------------------------------------------------------------------------
# Numeric dates are read here (the day/month order is the only question, and the
# caller decides it from language, country and plausibility); dates with a month
# name in any of the supported languages are read by dateparser.
_WORD = r"[^\W\d_]{3,12}\.?"
DATE_RE = re.compile(
    r"(?<![\d.,/-])(?:"
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<num>\d{1,2}(?:[./-]\d{1,2}[./-]|\.\s\d{1,2}\.\s)\d{4})"
    r"|(?P<num2>\d{1,2}(?P<sep>[./-])\d{1,2}(?P=sep)\d{2})"
    # "12-Jan-2024", "12-Jan-24", "12 Jan 24" (India, UK)
    r"|(?P<dmy2>\d{1,2}(?P<sep2>[-/ ])[^\W\d_]{3,9}\.?(?P=sep2)(?:\d{4}|\d{2}))"
    rf"|(?P<dmy>\d{{1,2}}(?:\.\s*|(?:er|st|nd|rd|th)\s*|\s+)(?:de\s+)?{_WORD}\s*(?:de\s+)?\d{{4}})"
    rf"|(?P<mdy>{_WORD}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s*\d{{4}})"
    r")(?![\d.,/-]?\d)",
    re.IGNORECASE,
)
LANGUAGES = ("en", "de", "fr", "nl", "es", "it", "pl")


@functools.lru_cache(maxsize=1024)
def _written_date(text: str) -> date | None:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

    parser = DateDataParser(
        languages=list(LANGUAGES),
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                  "DATE_ORDER": "DMY", "RETURN_TIME_AS_PERIOD": False},
    )
    found = parser.get_date_data(text).date_obj
    return found.date() if found is not None else None


def parse_date(text: str, *, month_first: bool = False) -> date | None:
    """Parse one date; ``month_first`` decides ambiguous ``01/02/2026`` (US style).

    A day over 12 settles the order whatever ``month_first`` says.
    """
    m = DATE_RE.fullmatch(text.strip())
    if not m:
        return None
    try:
        if m.group("iso"):
            y, mo, d = (int(x) for x in m.group("iso").split("-"))
            return date(y, mo, d)
        numeric = m.group("num") or m.group("num2")
        if numeric:
            a, b, year = (int(x) for x in re.split(r"[./-]", numeric))
            if year < 100:  # "10/18/18": a two-digit year is of this century or the last
                year += 2000 if year < 70 else 1900
            if month_first and a <= 12 and "." not in numeric:
                a, b = b, a
            if b > 12 and a <= 12:
                a, b = b, a
            return date(year, b, a)
    except ValueError:
        return None
    if m.group("dmy2"):
        day, month, yy = re.split(r"[-/ ]", m.group("dmy2"))
        full = int(yy) + (0 if len(yy) == 4 else 2000 if int(yy) < 70 else 1900)
        return _written_date(f"{day} {month} {full}")
    # "8thDecember 2021": OCR drops the space after an ordinal
    written = re.sub(r"(\d(?:st|nd|rd|th))(?=[^\W\d_])", r"\1 ", m.group(0))
    return _written_date(re.sub(r"\s+", " ", written))


def find_date_after(
    text: str, labels: Sequence[str], *, month_first: bool = False
) -> tuple[Match, date] | None:
    """The first date on the same line after one of ``labels``."""
    for hit in _labels(text, labels):
        _, line_end = _line_bounds(text, hit.end())
        for m in DATE_RE.finditer(text, hit.end(), min(len(text), line_end + 1 + 40)):
            if text.count("\n", hit.end(), m.start()) > 1:
                break
            parsed = parse_date(m.group(0), month_first=month_first)
            if parsed:
                return Match(parsed.isoformat(), m.start(), m.end(), "label", hit.group(0)), parsed
    return None


# Labels ----------------------------------------------------------------------------
SUBTOTAL_LABELS = (
    r"Sub\s*-?\s*total", r"Net\s+amount", r"Net\s+total", r"Total\s+net", r"Nettobetrag",
    r"Zwischensumme", r"Summe\s+netto", r"Total\s+HT", r"Montant\s+HT", r"Total\s+excl\.?\s+VAT",
)
TOTAL_LABELS = (
    r"Total\s+due", r"Amount\s+due", r"Balance\s+due", r"Grand\s+total", r"Total\s+amount",
    r"Invoice\s+total", r"Gesamtbetrag", r"Rechnungsbetrag", r"Endbetrag", r"Total\s+TTC",
    r"Net\s+[àa]\s+payer", r"Zu\s+zahlen", r"Total(?:\s+\([A-Z]{3}\))?",
)
INVOICE_DATE_LABELS = (
    r"Invoice\s+date", r"Date\s+of\s+invoice", r"Rechnungsdatum", r"Date\s+de\s+(?:la\s+)?facture",
    r"Datum", r"Date",
)
DUE_DATE_LABELS = (
    r"Due\s+date", r"Payment\s+due", r"Due", r"F[äa]llig\s+am", r"F[äa]lligkeit",
    r"Zahlbar\s+bis", r"[ÉE]ch[ée]ance", r"Date\s+d'[ée]ch[ée]ance",
)

# Identifiers -----------------------------------------------------------------------
INVOICE_NUMBER_LABELS = (
    r"Invoice\s+(?:No\.?|Number|Nr\.?|#)", r"Invoice\s*#", r"Inv\.\s*No\.?",
    r"Rechnungsnummer", r"Rechnungs-Nr\.?", r"Rechnung\s+Nr\.?", r"Facture\s+N[°o]\.?",
    r"N[°o]\s+de\s+facture", r"Num[ée]ro\s+de\s+facture", r"Invoice",
)
_TOKEN = re.compile(r"[:#.\s]*([A-Z0-9][A-Z0-9\-/_.]{1,30}[A-Z0-9])", re.IGNORECASE)


def has_label_before(text: str, start: int, labels: Sequence[str]) -> bool:
    """Whether one of ``labels`` stands right before ``start`` on its line, or ends the
    line above when the value opens its own line."""
    line_start = text.rfind("\n", 0, start) + 1
    before = text[line_start:start]
    if not before.strip() and line_start > 0:
        above = text.rfind("\n", 0, line_start - 1) + 1
        before = text[above:line_start - 1]
    pattern = r"(?:" + "|".join(labels) + r")[\s:#.°]*(?:[A-Z]{3}|[€$£])?\s*$"
    return re.search(pattern, before, re.IGNORECASE) is not None


def find_invoice_number(text: str) -> Match | None:
    """The invoice number after its label; must contain a digit."""
    for strict in (True, False):
        labels = INVOICE_NUMBER_LABELS[:-1] if strict else INVOICE_NUMBER_LABELS[-1:]
        for hit in _labels(text, labels):
            m = _TOKEN.match(text, hit.end())
            if not m or not re.search(r"\d", m.group(1)):
                continue
            if DATE_RE.fullmatch(m.group(1)):
                continue
            how: How = "label" if strict else "pattern"
            return Match(m.group(1), m.start(1), m.end(1), how, hit.group(0))
    return None


# (the look-ahead lets the scan skip every position that cannot start a match)
IBAN_RE = re.compile(r"(?=[A-Z])\b([A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?)\b")


def find_iban(text: str) -> Match | None:
    """The first IBAN with a valid checksum, preferring one after an ``IBAN`` label."""
    candidates = [m for m in IBAN_RE.finditer(text) if iban_is_valid(m.group(1))]
    if not candidates:
        return None
    labelled = [m for m in candidates if re.search(r"IBAN\W{0,3}$", text[max(0, m.start() - 8):m.start()], re.I)]
    m = (labelled or candidates)[0]
    how: How = "label" if labelled else "pattern"
    return Match(m.group(1).replace(" ", ""), m.start(1), m.end(1), how, "IBAN")


def find_bic(text: str) -> Match | None:
    m = re.search(r"\b(?:BIC|SWIFT)(?:/SWIFT)?\W{0,3}([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b", text)
    return Match(m.group(1), m.start(1), m.end(1), "label", "BIC") if m else None


_TAX_ID_RE = re.compile(
    r"(?:VAT\s*(?:ID|No\.?|Number|Reg\.?\s*No\.?)?|USt-?Id(?:Nr)?\.?|UID|Tax\s*ID|"
    r"N[°o]\s*TVA|TVA\s*intracom\w*|EIN|MWST(?:-Nr)?\.?)[^\w\n]{0,40}"
    r"([A-Z]{2}[ ]?[A-Z0-9][A-Z0-9 .\-]{6,16}[A-Z0-9]|\d{2}-\d{7})",
)


def find_tax_id(text: str) -> list[Match]:
    """Every VAT / tax identifier in the document, in order."""
    found = []
    for m in _TAX_ID_RE.finditer(text):
        # "CHE-217.548.307 MWST": the Swiss suffix (and a label word after the number)
        # is not part of the identifier
        value = re.sub(r"\s+(?:MWST|TVA|IVA|VAT|BTW|UID|HR|IVA)\b.*$", "", m.group(1).strip())
        found.append(Match(value, m.start(1), m.start(1) + len(value), "label", "tax id"))
    return found


def find_po_number(text: str) -> Match | None:
    m = re.search(
        r"\b(?:PO|P\.O\.|Purchase\s+order|Bestellnummer|Bon\s+de\s+commande)(?:\s*(?:No\.?|#|Nr\.?))?"
        r"\s*[:#]?\s*([A-Z0-9][A-Z0-9\-/]{2,30}[0-9])",
        text,
        re.IGNORECASE,
    )
    return Match(m.group(1), m.start(1), m.end(1), "label", "PO") if m else None


# Line items ------------------------------------------------------------------------
_AMOUNT_NO_SPACE = r"-?(?:\d{1,3}(?:[,.']\d{3})+|\d+)[.,]\d{2}(?![.,]?\d)"
_QTY = r"\d{1,3}(?:[,.' ]\d{3})+|\d+(?:[.,]\d{1,3})?"
_UNIT_WORD = r"(?:\s*(?!\d)[\w.²³/]{1,6})?"


def _item_re(amount: str) -> re.Pattern[str]:
    return re.compile(
        rf"^(?P<desc>\S.*?)\s+(?P<qty>{_QTY}){_UNIT_WORD}\s+"
        rf"(?:[A-Z]{{3}}\s|[€$£]\s?)?(?P<unit>{amount})\s+(?:[A-Z]{{3}}\s|[€$£]\s?)?(?P<amount>{amount})"
        r"(?:\s*(?:[A-Z]{3}|[€$£]))?\s*$"
    )


# Amounts with space thousands separators ("1 249,00") make "… 2026 1 249.00" ambiguous:
# try the reading without them first, then with them, and keep the one that adds up.
_ITEM_RES = (_item_re(_AMOUNT_NO_SPACE), _item_re(_AMOUNT))


@dataclass(frozen=True, slots=True)
class LineItem:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    start: int
    end: int
    # read from a laid-out table: the item's details (lines under its name), the
    # quantity its unit price is for ("per 100"), the row's own allowances/charges, and
    # the tax its amount includes (a gross amount: GST tables)
    detail: str = ""
    basis: Decimal = Decimal(1)
    adjustment: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)


def find_line_items(text: str) -> list[LineItem]:
    """Rows whose quantity times unit price equals their amount (to the cent)."""
    items: list[LineItem] = []
    offset = 0
    for line in text.split("\n"):
        body = line.strip()
        # A row ends with its amount; other lines are skipped before any backtracking.
        if not _ROW_END.search(body):
            offset += len(line) + 1
            continue
        start = offset + len(line) - len(line.lstrip())
        # Cells of a laid-out row are apart by runs of spaces: match one space instead.
        compact = re.sub(r"\s{2,}", " ", body)
        for pattern in _ITEM_RES:
            item = _line_item(pattern.match(compact), start, start + len(body))
            if item is not None:
                items.append(item)
                break
        else:
            item = _table_row(body, start)
            if item is not None:
                items.append(item)
                wrapped = _wrapped_description(text, offset + len(line) + 1, line, item)
                if wrapped is not None:
                    items[-1] = wrapped
        offset += len(line) + 1
    return items


def _wrapped_description(text: str, after: int, line: str, item: LineItem) -> LineItem | None:
    """The description of a table row continued on the lines below, in its column."""
    column = line.find(item.description)
    if column < 0:
        return None
    parts = [item.description]
    for below in text[after:after + 2000].split("\n")[:4]:
        cells = [m for m in re.finditer(r"\S+(?: \S+)*", below)]
        if len(cells) != 1 or abs(cells[0].start() - column) > 2 or AMOUNT_RE.search(below):
            break
        parts.append(cells[0].group(0))
    if len(parts) == 1:
        return None
    return LineItem(" ".join(parts), item.quantity, item.unit_price, item.amount, item.start,
                    item.end)


_CELL_SPLIT = re.compile(r"\s{2,}")
_NUMBER_CELL = re.compile(
    rf"(?:[A-Z]{{3}}\s|[€$£]\s?)?(?P<n>{_LOOSE_AMOUNT})(?:\s?(?P<unit>[^\W\d_][\w.²³/]{{0,5}}))?"
    r"(?:\s?(?:[A-Z]{3}|[€$£]))?")


def _table_row(body: str, start: int) -> LineItem | None:
    """A laid-out table row in any column order: the last cell is the amount, two
    numeric cells before it multiply to it (quantity x unit price), and the longest
    text cell is the description. Percent cells (a tax rate) are skipped."""
    cells = _CELL_SPLIT.split(body)
    while cells and re.fullmatch(r"\d{1,2}(?:[.,]\d{1,2})?\s?%", cells[-1]):
        cells.pop()  # a tax-rate column after the amount
    if len(cells) < 4:
        return None
    amount = parse_amount(cells[-1].strip(" €$£"), strict=True)
    if amount is None or amount == 0:
        return None
    numbers: list[tuple[int, Decimal, int]] = []
    texts: list[tuple[int, str]] = []
    for index, cell in enumerate(cells[:-1]):
        if "%" in cell:
            continue
        m = _NUMBER_CELL.fullmatch(cell)
        value = parse_amount(m.group("n"), strict=False) if m else None
        if value is not None:
            # a unit word ("10 Stk", "3 Piece") or an integer marks the quantity
            marked = 2 if m and m.group("unit") else 1 if re.fullmatch(r"\d+", m.group("n") if m
                                                                        else "") else 0
            numbers.append((index, value, marked))
        elif re.search(r"[^\W\d_]{3}", cell) and not re.search(r"\d{1,2}/\d{1,2}/\d{2}", cell):
            texts.append((index, cell.strip()))
    if not texts:
        return None
    for i, (_, first, first_marked) in enumerate(numbers):
        for _, second, second_marked in numbers[i + 1:]:
            if abs(money(first * second) - amount) > Decimal("0.01"):
                continue
            qty, unit = (second, first) if second_marked > first_marked else (first, second)
            if qty <= 0:
                continue
            desc = max(texts, key=lambda t: len(t[1]))[1]
            return LineItem(desc, qty, unit, amount, start, start + len(body))
    return None


_ROW_END = re.compile(r"\d[.,]\d{2}\s*(?:[A-Z]{3}|[€$£])?$")


def _quantities(text: str) -> list[Decimal]:
    """Readings of a quantity: ``1,260`` may be 1260 or 1.26; the amount decides."""
    readings = []
    if re.fullmatch(r"\d{1,3}(?:[,.' ]\d{3})+", text):
        readings.append(Decimal(re.sub(r"[,.' ]", "", text)))
    if re.fullmatch(r"\d+(?:[.,]\d{1,3})?", text):
        readings.append(Decimal(text.replace(",", ".")))
    return readings


def _line_item(m: re.Match[str] | None, start: int, end: int) -> LineItem | None:
    if m is None:
        return None
    unit, amount = parse_amount(m.group("unit")), parse_amount(m.group("amount"))
    if unit is None or amount is None:
        return None
    for qty in _quantities(m.group("qty")):
        if abs(money(qty * unit) - amount) <= Decimal("0.01"):
            break
    else:
        return None
    desc = re.sub(r"^\d{1,3}[.)]?\s+", "", m.group("desc")).strip()
    return LineItem(desc, qty, unit, amount, start, end)
