"""Header rows and ends of line-item tables (:mod:`wardflow.agents._table`).

A table is found by its header row: column titles for description, quantity, unit
price, amount and VAT in the languages of :mod:`wardflow.agents._labels` (a title broken
over two lines counts), or a group's header of amount-only rows. It ends at a subtotal,
total or VAT-summary line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wardflow.agents._labels import SUBTOTAL_LABELS, TAX_LABELS, TOTAL_LABELS
from wardflow.agents._table_cells import VALUE_KINDS, Columns, Line

__all__ = ["TOTALS", "amount_header", "ends_table", "header_end", "table_header", "word_match"]

# Column titles per kind (all languages of _labels.py). Strong description titles win
# over weak ones ("Item" may be a code column).
_HEADS: dict[str, str] = {
    "description": (
        r"(?:item\s+|product\s+|line\s+)?description|descr\.?|designation|d[ée]signation|"
        r"libell[ée]|(?:artikel|leistungs|positions)?beschreibung|(?:artikel)?bezeichnung|"
        r"omschrijving|descripci[óo]n|concepto|descrizione|opis(?:\s+towaru)?|nazwa"
        r"(?:\s+towaru)?|ozna[čc]en[íi](?:\s+dod[áa]vky)?|popis|n[áa]zev(?:\s+polo[žz]ky)?"
    ),
    "weak_description": r"items?|products?|services?|particulars|artikel|leistung|article|"
    r"artikelnummer|art\.?|producto|prodotto|towar|us[łl]uga|polo[žz]ka",
    "quantity": r"qty\.?|quantity|quant\.|menge|anzahl|qt[ée]\.?|quantit[ée]|aantal|"
    r"cantidad|cant\.|quantit[àa]|q\.?t[àa]|ilo[śs][ćc]|hours|hrs|stunden|po[čc]et|"
    r"mno[žz]stv[íi]",
    "unit_price": r"unit\s*price|price|rate|unit\s*cost|(?:einzel|netto|st[üu]ck)?preis|"
    r"e-?preis|p\.\s?u\.(?:\s*ht)?|prix(?:\s+unitaire)?|(?:stuks?|eenheids)?prijs|tarief|"
    r"precio(?:\s+unitario)?|prezzo(?:\s+unitario)?|cena(?:\s+za\s+m\.\s?j\.|\s+jedn\.?)?|"
    r"jednotkov[áa]\s+cena",
    "amount": r"(?:line\s+)?amount|(?:line\s+)?total(?:\s+ht)?|betrag|nettobetrag|"
    r"gesamt(?:preis|betrag)?|summe|montant(?:\s+ht)?|bedrag|importe|importo|"
    r"totale|warto[śs][ćc](?:\s+netto)?|netto|taxable\s+value|celkem|[čc][áa]stka|bez\s+dph",
    "vat": r"vat(?:\s*%|\s+rate)?|tax|mwst\.?|ust\.?|steuersatz|tva|btw|iva|taux|%|"
    r"(?:gst|dph)\s?%|[cs]gst|igst|utgst|dph|sazba(?:\s+dph)?",
    "position": r"pos\.?|position|#|ligne|line|nr\.?|no\.?|lfd\.?",
}
_HEAD_RES = {
    kind: re.compile(rf"(?<![^\W\d_])(?:{words})(?![^\W\d_])", re.IGNORECASE)
    for kind, words in _HEADS.items()
}

# Lines that end the table: subtotals, totals and the VAT summary, in every language.
_END = re.compile(
    r"(?:sub\s*-?\s*total|subtota(?:al|le)|zwischensumme|[^\W\d_]*summe|"
    r"total[^\W\d_]*|totaa?l[^\W\d_]*|totale|gesamtbetrag|nettobetrag|endbetrag|"
    r"rechnungsbetrag|montant\s+(?:ht|ttc|total)|net\s+[àa]\s+payer|importe|razem|"
    r"umsatzsteuer[^\W\d_]*|mehrwertsteuer|d[ée]tail\s+(?:de\s+la\s+)?tva|"
    r"r[ée]capitulatif|(?:vat|tax)\s+(?:summary|breakdown|analysis))(?![^\W\d_])",
    re.IGNORECASE,
)
TOTALS = re.compile(
    r"(?:" + "|".join(label for label, _ in (*SUBTOTAL_LABELS, *TOTAL_LABELS)) + r")(?![^\W\d_])",
    re.IGNORECASE,
)
_TAXES = re.compile(
    r"(?:" + "|".join(label for label, _ in TAX_LABELS) + r")(?![^\W\d_])", re.IGNORECASE
)


def ends_table(line: Line) -> bool:
    """A subtotal, total or VAT line (one that is not a row) ends the table."""
    if word_match(_END, line.text) or word_match(TOTALS, line.text):
        return True
    return word_match(_TAXES, line.text) and _has_number(line)


_WORD_START = re.compile(r"(?<![^\W\d_])[^\W\d_]")


def word_match(pattern: re.Pattern[str], text: str) -> bool:
    """Whether ``pattern`` matches at the start of a word of ``text``: tried at word
    starts only, instead of at every position of a line that is mostly spaces."""
    match = pattern.match
    return any(match(text, m.start()) for m in _WORD_START.finditer(text))


# Substrings every description title contains (a plain test before the regex).
_DESCRIPTION_STEMS = (
    "descr",
    "sign",
    "libell",
    "schreib",
    "zeichn",
    "omschr",
    "ozna",
    "popis",
    "n\u00e1zev",
    "nazev",
    "polo",
    "concepto",
    "opis",
    "nazwa",
    "item",
    "product",
    "service",
    "particular",
    "artikel",
    "leistung",
    "article",
    "art",
    "produc",
    "prodott",
    "towar",
    "us",
)
_STEMS = re.compile("|".join(map(re.escape, _DESCRIPTION_STEMS)))
# Any description title: the cheap test that rules out most lines as a header.
_ANY_DESCRIPTION = re.compile(
    rf"(?:{_HEADS['description']}|{_HEADS['weak_description']})(?![^\W\d_])", re.IGNORECASE
)


def _kinds(line: Line) -> dict[str, tuple[int, int]]:
    """The column titles on a line: kind -> the span of the cell holding the title."""
    found: dict[str, tuple[int, int]] = {}
    for cell in line.cells:
        for kind, pattern in _HEAD_RES.items():
            if kind not in found and pattern.search(cell.text):
                found[kind] = (cell.start, cell.end)
                break
    if "description" not in found and "weak_description" in found:
        found["description"] = found["weak_description"]
    found.pop("weak_description", None)
    return found


def _has_number(line: Line) -> bool:
    return re.search(r"\d[.,]\d{2}(?!\d)", line.text) is not None


def table_header(lines: Sequence[Line], i: int) -> Columns | None:
    """The columns if line ``i`` is a table header (with the header lines around it)."""
    line = lines[i]
    folded = line.text.lower()
    if (
        not _STEMS.search(folded)
        or _has_number(line)
        or not word_match(_ANY_DESCRIPTION, line.text)
    ):
        return None
    kinds = _kinds(line)
    if "description" not in kinds or sum(k in kinds for k in VALUE_KINDS) < 2 - ("vat" in kinds):
        return None
    spans = dict(kinds)
    # Titles broken over lines ("Unit Price" over "Excl. VAT"): the lines just above
    # and below that carry no numbers add the kinds they name.
    for j in (i - 2, i - 1, i + 1, i + 2):
        if 0 <= j < len(lines) and not re.search(r"\d", lines[j].text):
            for kind, span in _kinds(lines[j]).items():
                spans.setdefault(kind, span)
    if sum(k in spans for k in VALUE_KINDS) < 2:
        return None
    d0, d1 = spans["description"]
    right = [s for kind, (s, _) in spans.items() if s > d0 + 1 and kind != "description"]
    # A description title with nothing left of it heads a column whose names start at
    # the left margin, under or before the (centred) title; one with titles left of it,
    # a column that starts after the nearest of them.
    end = min(right) if right else max(d1, d0 + 40)
    left = [c.end for c in line.cells if c.end < d0 - 1]
    return Columns(spans, max(left) + 2 if left else 0, end)


def header_end(lines: Sequence[Line], i: int) -> int:
    """The first line after header line ``i`` and its continuation (lines without digits)."""
    j = i + 1
    while (
        j < len(lines)
        and j <= i + 3
        and not re.search(r"\d", lines[j].text)
        and all(_title_cell(c.text) for c in lines[j].cells)
    ):
        j += 1
    return j


def _title_cell(text: str) -> bool:
    """A cell of a header's continuation line: a title ("for P.U."), a unit "(EUR)" or
    one short upper-case word."""
    if re.fullmatch(r"\([^)]{1,12}\)|[A-Z][A-Z.]{0,11}", text):
        return True
    for pattern in _HEAD_RES.values():
        m = pattern.search(text)
        if m is not None and 2 * (m.end() - m.start()) >= len(text):
            return True
    return False


# The title of a gross amount column after a net one ("Netto  Brutto", "Montant HT
# Montant TTC", "Net  Gross", "Excl. btw  Incl. btw").
_GROSS = re.compile(
    r"brutto(?:betrag)?|bruto|(?:montant\s+)?ttc|gross(?:\s+amount)?|lordo|"
    r"incl\.?\s*(?:vat|tax|btw)|inkl\.?\s*(?:mwst|ust)\.?",
    re.IGNORECASE,
)


def amount_header(line: Line) -> Columns | None:
    """A group's header of amount-only rows ("Sonstiges   Betrag", "Travel   Trips
    Amount", "Pos. Beschreibung   Preis"): no digits, a name title at the left margin,
    an amount title last (or a price title: a lone price column is the amount of one
    unit), and no other quantity or price title. A gross column after the amount's
    ("Netto  Brutto") is set aside: the item's amount is the net one."""
    cells = line.cells
    gross = len(cells) >= 3 and _GROSS.fullmatch(cells[-1].text) is not None
    titles = cells[:-1] if gross else cells
    if (
        not 2 <= len(titles) <= 6
        or cells[0].start > 2
        or re.search(r"\d", line.text)
        or not any(_HEAD_RES[k].fullmatch(titles[-1].text) for k in ("amount", "unit_price"))
        or ends_table(Line(line.offset, line.text[: cells[1].start]))  # the name's title
    ):
        return None
    if any(_HEAD_RES[k].search(c.text) for c in titles[:-1] for k in ("quantity", "unit_price")):
        return None
    spans = {
        "description": (cells[0].start, cells[0].end),
        "amount": (titles[-1].start, titles[-1].end),
    }
    if gross:
        spans["gross"] = (cells[-1].start, cells[-1].end)
    return Columns(spans, 0, cells[1].start)
