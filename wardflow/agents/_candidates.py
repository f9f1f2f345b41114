"""Candidates for invoice fields: values next to their labels, read from the page layout.

The document text is laid out as on the page (see :mod:`wardflow.tools._layout`): a
label's value is the first cell to its right on the same line, or the cell below it in
the same column (a table header over its values). Each field keeps every candidate it
finds, with its evidence span and the rank of its label; the extractor picks one
consistent reading among them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from wardflow.agents._columns import column_sum, line_cells, sum_rows, value_above
from wardflow.agents._currency import CURRENCY_CELL
from wardflow.agents._labels import (
    DISCOUNT_LABELS,
    DUE_DATE_LABELS,
    INVOICE_DATE_LABELS,
    INVOICE_NUMBER_LABELS,
    NOT_DUE,
    NOT_INVOICE_DATE,
    NOT_INVOICE_NUMBER,
    NOT_TOTAL,
    SUBTOTAL_LABELS,
    TAX_LABELS,
    TOTAL_LABELS,
    Label,
    compile_labels,
)
from wardflow.agents._parsers import (
    DATE_RE,
    LOOSE_AMOUNT_RE,
    parse_amount,
    parse_date,
)

__all__ = [
    "Candidate",
    "amount_candidates",
    "date_candidates",
    "invoice_number_candidates",
    "sum_row_candidates",
    "sum_row_charges",
]

# Right of a label: separators, then the value.
# ´ ` ˆ: accents a TeX font writes as characters of their own ("Numero de facture : ´ 12")
_SEPARATORS = re.compile(r"[ \t:#.°º=()\-–´`ˆ]*(?:\((?:[^)\n]{0,40})\)[ \t:´]*)?")
_CURRENCY = CURRENCY_CELL
_BELOW_LINES = 4
_ID_BEFORE = re.compile(r"(?:n[°º]|no\.?|nr\.?|id|ident)\s*[:.]?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible value of a field.

    Attributes:
        value: the normalised value (ISO date, decimal string, identifier).
        start: where the value is printed in the text.
        end: where it ends.
        label: the label text it was found by.
        rank: lower is better (the label's rank, plus a penalty for a weaker position).
        where: ``right`` (same line), ``below`` (same column), ``above`` (a value over its
            label in a box) or ``title``.
    """

    value: str
    start: int
    end: int
    label: str
    rank: float
    where: str


ValueAt = Callable[[str, int, int], "tuple[int, int, str] | None"]


_WORD_START = re.compile(r"(?<![^\W\d_])[^\W\d_]")


@functools.lru_cache(maxsize=4)
def _word_starts(text: str) -> tuple[int, ...]:
    return tuple(m.start() for m in _WORD_START.finditer(text))


@functools.lru_cache(maxsize=4)
def _word_starts_by_letter(text: str) -> dict[str, tuple[int, ...]]:
    """The word starts of ``text`` grouped by their first letter (each group ascending):
    a label set's first-letter class is then tried once per distinct letter, not once
    per word of the document."""
    groups: dict[str, list[int]] = {}
    for at in _word_starts(text):
        groups.setdefault(text[at], []).append(at)
    return {letter: tuple(starts) for letter, starts in groups.items()}


def _starts_with(text: str, first: re.Pattern[str]) -> list[int]:
    """The word starts of ``text`` whose letter ``first`` (a one-character class)
    matches, ascending."""
    can_start = first.match
    found = [at for letter, starts in _word_starts_by_letter(text).items()
             if can_start(letter) for at in starts]
    found.sort()
    return found


def _label_hits(text: str, labels: Sequence[Label], exclude: str | None
                ) -> Iterator[tuple[re.Match[str], float]]:
    not_after = re.compile(exclude, re.IGNORECASE) if exclude else None
    words, compounds, ranks = _compiled(labels)
    first_word, first_compound = _first_letters(labels)
    hits: list[re.Match[str]] = []
    if words is not None:
        match = words.match
        # only where a label's first letter is, when the labels say which letters
        starts = (_word_starts(text) if first_word is None
                  else _starts_with(text, first_word))
        hits.extend(m for m in (match(text, at) for at in starts) if m)
    if compounds is not None:
        hits.extend((first_compound or compounds).finditer(text))
    for hit in sorted(hits, key=lambda h: h.start()):
        if not_after is not None and not_after.match(text, hit.end()):
            continue
        yield hit, ranks[hit.lastgroup or ""]


_Compiled = tuple["re.Pattern[str] | None", "re.Pattern[str] | None", dict[str, int]]
_CACHE: dict[int, _Compiled] = {}


_FIRST: dict[int, tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = {}


def _first_letters(labels: Sequence[Label]) -> tuple[re.Pattern[str] | None,
                                                      re.Pattern[str] | None]:
    """For the word labels, the characters their matches can start with (a class tried
    before the whole pattern at each word start); for the compound labels, their
    pattern behind a look-ahead on those characters (``finditer`` then skips the other
    positions at once). ``None`` where the first characters are not known."""
    key = id(labels)
    if key not in _FIRST:
        words, compounds, _ = _compiled(labels)
        plain = [label for label, _ in labels if not label.startswith("~")]
        tilde = [label.lstrip("~") for label, _ in labels if label.startswith("~")]
        first_word = _first_class(plain) if words is not None else None
        compound_class = _first_class(tilde) if compounds is not None else None
        first_compound = (re.compile(f"(?={compound_class.pattern}){compounds.pattern}",
                                     re.IGNORECASE)
                          if compounds is not None and compound_class is not None else None)
        _FIRST[key] = (first_word, first_compound)
    return _FIRST[key]


def _first_class(labels: Sequence[str]) -> re.Pattern[str] | None:
    """A case-insensitive class of every character a match of ``labels`` can start with,
    from the parsed patterns; ``None`` when a label can start otherwise (or empty)."""
    chars: set[str] = set()
    for label in labels:
        try:
            import re._constants as sre_constants  # type: ignore[import-not-found]
            import re._parser as sre  # type: ignore[import-not-found]

            first = _first_of(list(sre.parse(label)), sre_constants)
        except (ImportError, AttributeError, re.error):
            return None
        if first is None:
            return None
        chars |= first
    if not chars:
        return None
    return re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]", re.IGNORECASE)


def _first_of(items: list[Any], c: Any) -> set[str] | None:
    """The characters a parsed sequence can start with (``c``: the parser's constants),
    or ``None`` when that is not known or it can match nothing at all."""
    found: set[str] = set()
    for op, arg in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero width: the next item starts it
            continue
        if op is c.LITERAL:
            return found | {chr(arg)}
        if op is c.IN:
            if not all(o is c.LITERAL for o, _ in arg):
                return None
            return found | {chr(a) for _, a in arg}
        if op is c.SUBPATTERN:
            first = _first_of(list(arg[-1]), c)
            return None if first is None else found | first
        if op is c.BRANCH:
            for branch in arg[1]:
                first = _first_of(list(branch), c)
                if first is None:
                    return None
                found |= first
            return found
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            first = _first_of(list(arg[2]), c)
            if first is None:
                return None
            found |= first
            if arg[0] >= 1:
                return found
            continue  # optional: what follows may start the match too
        return None
    return None


def _compiled(labels: Sequence[Label]) -> _Compiled:
    key = id(labels)
    if key not in _CACHE:
        _CACHE[key] = compile_labels(labels)
    return _CACHE[key]


def _find(text: str, labels: Sequence[Label], value_at: ValueAt, *, exclude: str | None = None,
          below: bool = True, not_before: re.Pattern[str] | None = None,
          columns: bool = False) -> list[Candidate]:
    """Each label's value: right of it, else below it in its column (``columns``: an
    amount column's sum row, or a value above the label in its box; see
    :mod:`wardflow.agents._columns`)."""
    found: list[Candidate] = []
    for hit, rank in _label_hits(text, labels, exclude):
        line_start = text.rfind("\n", 0, hit.start()) + 1
        if _ID_BEFORE.search(text, max(line_start, hit.start() - 8), hit.start()):
            continue  # "N° TVA", "USt-ID": an identifier's label, not the field's
        if not_before is not None and not_before.search(
                text, max(line_start, hit.start() - 24), hit.start()):
            continue  # "Due Date", "Lieferdatum": another date's label
        line_end = _line_end(text, hit.end())
        pos = _SEPARATORS.match(text, hit.end(), line_end)
        at = pos.end() if pos else hit.end()
        value = value_at(text, at, line_end)
        if value is not None:
            # "Totaal  210,00  26,10  236,10": a sum row of a table, the first value of
            # which is only the label's when nothing better is printed
            row = columns and _more_amounts(text, value[1], line_end)
            found.append(Candidate(value[2], value[0], value[1], hit.group(0),
                                   rank + (1 if row else 0), "right"))
            continue
        # a value over its label is a cell that is an amount ("Pune 411038" is an address)
        over = value_above(text, hit.start(), _amount_at) if columns else None
        if not below or text[at:line_end].strip() and not _gap_before(text, hit.end(), line_end):
            if over is not None:
                found.append(Candidate(over[2], over[0], over[1], hit.group(0), rank + 0.5,
                                       "above"))
            continue
        rest = re.search(r"\S", text[at:line_end])
        next_col = at - line_start + rest.start() if rest else None
        alone = rest is None and not text[line_start:hit.start()].strip()
        under = _below(text, hit.start() - line_start, hit.end() - line_start, line_end,
                       value_at, next_col, alone=alone)
        if under is not None and columns:
            under = column_sum(text, under, value_at) or under
        if under is not None:
            found.append(Candidate(under[2], under[0], under[1], hit.group(0), rank + 0.5,
                                   "below"))
        elif over is not None:
            found.append(Candidate(over[2], over[0], over[1], hit.group(0), rank + 0.5, "above"))
    return found


def _more_amounts(text: str, at: int, line_end: int) -> bool:
    """Whether two more amount cells follow ``at`` on its line."""
    cells = line_cells(text, at, line_end)
    return sum(_amount_at(text, c0, c1) is not None for c0, c1 in cells) >= 2


def _gap_before(text: str, at: int, line_end: int) -> bool:
    """Whether the rest of the line after ``at`` is another cell (a header row); a
    currency after the label ("Taxable Value ₹", "Betrag in EUR") is part of it."""
    return re.match(rf"[\s:]*(?:(?:in\s+)?{_CURRENCY}[\s:]*)?(?:\s{{2,}}|$)",
                    text[at:line_end]) is not None


def _line_end(text: str, offset: int) -> int:
    ends = [e for e in (text.find("\n", offset), text.find("\f", offset)) if e != -1]
    return min(ends) if ends else len(text)


def _below(text: str, col0: int, col1: int, line_end: int, value_at: ValueAt,
           next_col: int | None = None, *, alone: bool = False) -> tuple[int, int, str] | None:
    """A value in the label's column on one of the next lines.

    The column runs from the label to the next header cell (``next_col``): a value that
    ends inside it is the label's, right-aligned or not; one that only overlaps the
    label's start belongs to the column on the left. After the last header cell a
    right-aligned value may end far right of its label. A label ``alone`` on its line
    reads the next line when that line is one cell, wherever it starts: a value in a
    larger font than its label is laid out left of where it ends on the page.
    """
    start = line_end + 1
    for line_number in range(_BELOW_LINES):
        if start >= len(text) or text[start - 1] == "\f":
            return None
        end = _line_end(text, start)
        line = text[start:end]
        cells = [(m.start(), m.end()) for m in re.finditer(r"\S+(?: \S+)*", line)]
        pick = None
        if next_col is not None:  # a value that ends inside the column
            pick = next(((c0, c1) for c0, c1 in cells
                         if col0 < c1 <= next_col + 2 and c0 >= col0 - 15), None)
        if pick is None:  # a value under the label
            pick = next(((c0, c1) for c0, c1 in cells
                         if not (c1 < col0 - 2 or c0 > col1 + 4 or c0 < col0 - 15)), None)
        if pick is None and next_col is None:  # right-aligned after the last header cell
            pick = next(((c0, c1) for c0, c1 in cells
                         if c1 > col0 and col0 - 15 <= c0 <= col1 + 60), None)
        if pick is None and alone and line_number == 0 and len(cells) == 1:
            value = value_at(text, start + cells[0][0], start + cells[0][1])
            if value is not None:
                return value
        if pick is not None:
            c0, c1 = pick
            if _OWN_LABEL.match(line, c0, c1):
                return None  # "Total CGST: 25.35" under "Grand Total": another label's line
            value = value_at(text, start + c0, start + c1)
            if value is None and next_col is not None and c1 > next_col:
                # a cell that runs into the next column one space apart ("$56.49 PT")
                cut = line.rfind(" ", c0, next_col + 2)
                value = value_at(text, start + c0, start + cut) if cut > c0 else None
            return value  # (None: other text in the column, not this label's value)
        start = end + 1
    return None


# A cell that starts with its own label: words, then a colon.
_OWN_LABEL = re.compile(r"[^\W\d_][^:\d\n]*:")


# Values --------------------------------------------------------------------------------
def _amount_at(text: str, at: int, end: int) -> tuple[int, int, str] | None:
    m = re.compile(rf"(?:{_CURRENCY}\s?)?").match(text, at, end)
    at = m.end() if m else at
    amount = LOOSE_AMOUNT_RE.match(text, at, end)
    if amount is None:
        return None
    tail = text[amount.end():end]
    # " e": a euro sign that a TeX font without a Unicode map writes as the letter e
    # "15,00 € · IVA 21% 3,15 €": a middle dot or bar between two label-value pairs
    if not re.match(rf"\s*(?:{_CURRENCY}|e(?![^\W\d_]))?(?:\s{{2,}}|\s*[·•|]|\s*$)", tail):
        return None  # a number inside a phrase, not an amount cell
    if re.search(r"\d \d", amount.group(0)) and not re.search(r"[.,]\d{1,2}$", amount.group(0)):
        return None  # digits in space-separated groups without cents: an identifier
    if re.fullmatch(r"-?(?:\d{8,}|0\d+)", amount.group(0)):
        return None  # "01177710074", "12345678": a tax or company number, not an amount
    if re.fullmatch(r"\d{4}", amount.group(0)) and _ends_date(text, amount.start(), amount.end()):
        return None  # "TOTAL AMOUNT DUE ON February 2, 2025  $1,284.57": the date's year
    value = parse_amount(amount.group(0), strict=False)
    if value is None:
        return None
    return amount.start(), amount.end(), str(value)


def _ends_date(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is the year that ends a date printed before it."""
    line_start = text.rfind("\n", 0, start) + 1
    return any(m.end() == end for m in DATE_RE.finditer(text, max(line_start, start - 24), end))


# A rate and the word for the base it applies to ("5,5 % sur", "20% on", "19 % auf",
# "21% over", "22% su", "21 % sobre", "23% od"): the amount after it is that base.
_RATE_BASE = re.compile(r"%[ \t]*(?:sur|on|of|auf|von|op|over|su|sobre|de|od)[ \t]*"
                        rf"(?:{_CURRENCY}[ \t]?)?$", re.IGNORECASE)


def _amount_in_line(text: str, at: int, end: int) -> tuple[int, int, str] | None:
    """The first amount cell in the rest of the line (after a rate, a currency...)."""
    # "Gutschriftsbetrag -499,80": the separators ate the minus sign of the amount
    if at and text[at - 1] == "-" and text[at:at + 1].isdigit():
        signed = _amount_at(text, at - 1, end)
        if signed is not None:
            return signed
    direct = _amount_at(text, at, end)
    if direct is not None:
        return direct
    # words between the label and the amount ("in EUR", "19 % MwSt.") are allowed
    # when they are short; a long phrase means the amount belongs to something else.
    for m in LOOSE_AMOUNT_RE.finditer(text, at, end):
        between = text[at:m.start()]
        if len(re.findall(r"[^\W\d_]{4,}", between)) > 2 or len(between.split()) > 6:
            return None
        if re.search(r"\d{6,}", between):
            return None  # "TVA: FR00437254437-capital 18668261,18": after an identifier
        if _RATE_BASE.search(between):
            continue  # "TVA 5,5 % sur 876,00   48,18 €": the base the rate applies to
        value = _amount_at(text, m.start(), end)
        if value is not None:
            return value
    return None


# "Sous-total", "Sub-Total", "Zwischen-Summe": the total label ends a subtotal's.
_SUB_BEFORE = re.compile(r"(?:sous|sub|zwischen)[ \t]*-?[ \t]*$", re.IGNORECASE)
# "Totaal ex BTW", "Celkem bez DPH", "Total excl. VAT": a tax word that names the base;
# "Total incl. VAT", "Gesamt inkl. MwSt.", "Total (IVA": one that names the gross total.
_NET_BEFORE = re.compile(r"(?<![^\W\d_])(?:ex(?:cl|kl)?\.?|excluding|bez|zonder|ohne|hors|sans|"
                         r"incl\.?|inkl\.?|including|inclusive|einschl\.?|inclusief|"
                         r"total\s*\(|"
                         r"before|sin|senza)[ \t]*$", re.IGNORECASE)


_CHARGES: tuple[Label, ...] = ((r"charges", 3),)
_IN_PHRASE = re.compile(r"\S ?$")
# "LESS DISCOUNT 1436", "Total after discount": the amount after the discount, not it.
_AFTER_DISCOUNT = re.compile(r"(?:less|after|nach|apr[èe]s|total|summe)[ \t]*$", re.IGNORECASE)


def amount_candidates(text: str, field: str) -> list[Candidate]:
    """Candidates for ``subtotal``, ``tax``, ``total`` or a document-level ``discount``
    (right of its label only)."""
    if field == "discount":
        return _find(text, DISCOUNT_LABELS, _amount_in_line, below=False,
                     not_before=_AFTER_DISCOUNT)
    if field == "total":
        found = _find(text, TOTAL_LABELS, _amount_in_line, exclude=NOT_TOTAL,
                      not_before=_SUB_BEFORE, columns=True)
        # en: a "Charges" column of a header row ("Invoice Number  Date  Charges") is the
        # total where no total label is printed; never a label in a phrase ("Delivery
        # charges") nor a value to its right (a charge line)
        return found or [c for c in _find(text, _CHARGES, _amount_in_line,
                                          not_before=_IN_PHRASE) if c.where == "below"]
    if field == "subtotal":
        return _find(text, SUBTOTAL_LABELS, _amount_in_line,
                     exclude=r"[ \t]?(?:vat|tax|tva|mwst|ust\b|btw|iva)", columns=True)
    return _find(text, TAX_LABELS, _amount_in_line,
                 exclude=r"\s*[-.]?\s*(?:id\b|no\b|nr|reg|number|identification|intracom|-?nummer"
                         r"|satz|rate|taux|%|code|categor|kategorie|exempt|befreit|clause|"
                         r"identifier|aufschl|summary|inclu|inbegriffen|incl\b)",
                 not_before=_NET_BEFORE, columns=True)


def sum_row_candidates(text: str) -> list[Candidate]:
    """A bill's sum rows: labelled amounts that add up the amounts printed over them (a
    subtotal where no subtotal label is printed, when the tax and the total agree)."""
    return [Candidate(v[2], v[0], v[1], "sum row", 3, "right")
            for v, _ in sum_rows(text, _amount_at)]


def sum_row_charges(text: str) -> list[tuple[int, int, str]]:
    """The amounts a bill's sum row adds up (of its first sum row), first printed first."""
    return next((rows for _, rows in sum_rows(text, _amount_at)), [])


def _date_at(month_first: bool) -> ValueAt:
    def at(text: str, pos: int, end: int) -> tuple[int, int, str] | None:
        m = DATE_RE.match(text, pos, end)
        if m is None:
            return None
        parsed = parse_date(m.group(0), month_first=month_first)
        if parsed is None:
            return None
        return m.start(), m.end(), parsed.isoformat()
    return at


_TITLE_DATE = (
    r"~(?:rechnung|invoice|facture|factuur|factura|fattura|faktura|gutschrift|avoir)"
    r"[^\n]{0,60}?\b(?:vom|du|dated|del|van|z\s+dnia|of)"
)


_TITLE_LABELS: tuple[Label, ...] = ((_TITLE_DATE, 0),)
# Another document named on this one, whose number and date are not this one's:
# "Bezug: Rechnung Nr. 2025-0871 vom 02.07.2025", "Acompte versé (facture FA2025-0312)",
# "zu Ihrer Rechnung", "Ref.: Invoice 4471", "Dotyczy: faktura nr 12/2024".
_REFERENCE_BEFORE = re.compile(
    r"(?:\(|\b(?:bezug|betreff|referenz|reference|ref|objet|r[ée]f[ée]rence|r[ée]f|betreft|"
    r"referentie|oggetto|rif|riferimento|asunto|referencia|dotyczy)\b\.?[ \t]*:?[ \t]*"
    r"|\b(?:zu|zur|ihre[rn]?|your|votre|vos|uw|vostra|vuestra|do)\s+(?:ihrer\s+)?)$",
    re.IGNORECASE)
_OTHER_DATE = re.compile(
    r"(?:due|delivery|shipment|shipping|ship|order|payment|service|expiry|value|posting|"
    r"print|liefer|leistungs|bestell|zahlungs|f[äa]lligkeits|livraison|commande|"
    r"[ée]ch[ée]ance|levering|vervaldatum|entrega|vencimiento|consegna|scadenza|"
    r"dostawy|p[łl]atno[śs]ci)[\s-]*$", re.IGNORECASE)


def date_candidates(text: str, field: str, *, month_first: bool) -> list[Candidate]:
    """Candidates for ``invoice_date`` or ``due_date``."""
    value_at = _date_at(month_first)
    if field == "due_date":
        return _find(text, DUE_DATE_LABELS, value_at, exclude=NOT_DUE)
    found = _find(text, INVOICE_DATE_LABELS, value_at, exclude=NOT_INVOICE_DATE,
                  not_before=_OTHER_DATE)
    found += [
        Candidate(c.value, c.start, c.end, c.label, 0.5, c.where)
        for c in _find(text, _TITLE_LABELS, value_at, below=False,
                       not_before=_REFERENCE_BEFORE)
    ]
    if not found:
        # No labelled date: the first date of the header (under a title "Invoice 123").
        header_end = _nth_line_end(text, 8)
        for m in DATE_RE.finditer(text, 0, header_end):
            parsed = parse_date(m.group(0), month_first=month_first)
            if parsed is not None:
                found.append(Candidate(parsed.isoformat(), m.start(), m.end(), "header", 4,
                                       "header"))
                break
    return found


def _nth_line_end(text: str, lines: int) -> int:
    end = 0
    for _ in range(lines):
        nxt = text.find("\n", end + 1)
        if nxt == -1:
            return len(text)
        end = nxt
    return min(end, text.find("\f") if "\f" in text else end)


def parse_iso(value: str) -> date:
    return date.fromisoformat(value)


# Invoice number -----------------------------------------------------------------------
_NUMBER = re.compile(r"[A-Z0-9](?:[A-Z0-9\-/_.]{0,30}[A-Z0-9])?", re.IGNORECASE)
_DATE_LINKS = {"vom", "du", "of", "dated", "del", "van", "z", "from", "le", "den"}
_WORDS = re.compile(r"(?:no|nr|num|number|nummer|date|datum)$", re.IGNORECASE)
# en: the house number's street, "2200 Western Ave", "48 Alder Street", "9 Cooper Lane"
_STREET_AFTER = re.compile(
    r" (?:[A-Z][\w'.-]*[ \t]){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Boulevard|Blvd"
    r"|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy|Square|Sq"
    r"|Crescent|Close|Row|Walk|Quay)\b\.?")


def _number_at(text: str, at: int, end: int) -> tuple[int, int, str] | None:
    if text.startswith("#", at):
        at += 1  # "#INV-5170" on the line under a bare "INVOICE" title: a number sign
    m = _NUMBER.match(text, at, end)
    if m is None or not re.search(r"\d", m.group(0)) or _WORDS.match(m.group(0)):
        return None
    if DATE_RE.fullmatch(m.group(0)):
        return None
    after = text[m.end():m.end() + 2]
    if after[:1] not in ("", " ", "\n", "\f", ",", ";", ")"):
        return None
    word = re.match(r" ([^\W\d_]+)", text[m.end():m.end() + 12])
    if word and word.group(1).islower() and word.group(1) not in _DATE_LINKS:
        return None  # "123 items": the number is part of a phrase
    if _STREET_AFTER.match(text, m.end(), min(len(text), m.end() + 60)):
        return None  # "2200 Western Ave, Suite 410" under a bare title: a street address
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{2})", m.group(0)):
        return None  # an amount
    return m.start(), m.end(), m.group(0)


# Polish invoice numbers are often a sequence, month and year: "2/11/2023".
_SLASHED_NUMBER_LABELS: tuple[Label, ...] = (
    (r"numer\s+faktury", 0), (r"faktur[ay]\s*(?:vat\s*)?(?:nr\.?|numer)", 0),
)


def _slashed_number_at(text: str, at: int, end: int) -> tuple[int, int, str] | None:
    m = re.compile(r"\d{1,6}/\d{1,2}/\d{4}(?=[\s,;)]|$)").match(text, at, end)
    return (m.start(), m.end(), m.group(0)) if m else None


# es: "Referencia: #1721" in the header is the invoice's number where no invoice-number
# label is printed (the weakest label); only with its colon (not "Referencia del
# pedido: ..."), and never read below: a "Referencia" column of an item table holds
# article codes.
_REFERENCE_LABELS: tuple[Label, ...] = ((r"referencia(?=[ \t]*:)", 4),)


def invoice_number_candidates(text: str) -> list[Candidate]:
    """Candidates for the invoice number."""
    found = (_find(text, INVOICE_NUMBER_LABELS, _number_at, exclude=NOT_INVOICE_NUMBER,
                   not_before=_REFERENCE_BEFORE)
             + _find(text, _SLASHED_NUMBER_LABELS, _slashed_number_at)
             + _find(text, _REFERENCE_LABELS, _number_at, below=False))
    # "INVOICE INVOICE-2025-001": a title word glued to the number by a hyphen is part of
    # it, not its label ("2025-001")
    return [c for c in found if not _GLUED_TITLE.search(text, max(0, c.start - 12), c.start)]


_GLUED_TITLE = re.compile(r"(?<![^\W\d_])(?:invoice|rechnung|facture|factuur|factura|fattura|"
                          r"faktura|inv)-$", re.IGNORECASE)


def best(candidates: Sequence[Candidate]) -> Candidate | None:
    """The best-ranked candidate, the first printed among equals."""
    return min(candidates, key=lambda c: (c.rank, c.start), default=None)


def decimal(c: Candidate) -> Decimal:
    return Decimal(c.value)
