"""The seller of an invoice, found as a party on the page, never the buyer.

Candidates come from the places a seller's name is printed: after a seller label
("Verkäufer", "Fournisseur", "From"... with its "Name:" line), the letterhead at the top
of the first page, a name with a legal form (GmbH, SARL, B.V., Ltd...), and the name
lines of the block that carries the seller's VAT ID or IBAN. Each candidate gathers
evidence (a seller label, a legal form, its place at the top, its repetition in the
document, a web or mail domain that matches it, a tax ID or IBAN in its block); one
inside a buyer block ("Rechnungsempfänger", "Bill to", "Client"...) is never the seller.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from wardflow.agents._labels import (
    BUYER_LABELS,
    DUE_DATE_LABELS,
    INVOICE_DATE_LABELS,
    INVOICE_NUMBER_LABELS,
    SELLER_LABELS,
    SUBTOTAL_LABELS,
    TOTAL_LABELS,
)
from wardflow.agents._not_party import not_a_name

__all__ = ["CUT", "SELLER_IDENTIFIERS", "Party", "find_seller"]

# Evidence from the seller's own identifiers: its tax ID or IBAN block, its web or mail
# domain, the account holder of its bank details.
SELLER_IDENTIFIERS = frozenset({"block of a tax ID or IBAN", "matches a web or mail domain",
                                "named as the account holder"})
# The evidence note of a labelled name cut from a longer cell.
CUT = "cut from a longer cell"

_LEGAL_FORM = re.compile(
    r"(?<![^\W\d_])(?:GmbH(?:\s*&\s*Co\.?\s*KG(?:aA)?)?|GMBH|AG|KG|OHG|UG|e\.\s?K\.|KGaA|Ltd\.?|"
    r"LTD\.?|Limited|LIMITED|LLP|plc|PLC|Inc\.?|INC\.?|LLC|Corp\.?|CORP\.?|Corporation|CORPORATION|Co\.|"
    r"SAS|S\.A\.S\.|SARL|S\.A\.R\.L\.|SA|S\.A\.|SNC|EURL|SCOP|B\.V\.|BV|N\.V\.|NV|V\.O\.F\.|"
    r"S\.L\.|SL|S\.L\.U\.|S\.r\.l\.|Srl|SRL|S\.p\.A\.|"
    r"SpA|S\.a\.s\.|sp\.\s?z\s?o\.\s?o\.|S\.A\.|Oy|AB|ApS|A/S|AS|GbR|eG|Sagl|"
    r"s\.\s?r\.\s?o\.|S\.\s?R\.\s?O\.|a\.\s?s\.|A\.\s?S\.)(?![^\W\d_])"
)
_CELL = re.compile(r"\S+(?: \S+)*")
_SELLER = re.compile(rf"(?<![^\W\d_])(?:{SELLER_LABELS})(?![^\W\d_])\s*:?\s*$", re.IGNORECASE)
# A label and its value in one cell: "FROM: Company ABC", "Customer name: ACME CORP".
_SELLER_INLINE = re.compile(rf"^(?:{SELLER_LABELS})\s*:\s*(?P<name>\S.*)$", re.IGNORECASE)
_BUYER_INLINE = re.compile(rf"^(?:{BUYER_LABELS})(?:\s+name)?\s*:\s*(?P<name>\S.*)$",
                           re.IGNORECASE)
_BUYER = re.compile(rf"(?<![^\W\d_])(?:{BUYER_LABELS})(?![^\W\d_])", re.IGNORECASE)
_NAME_LABEL = re.compile(r"^(?:name|nom|naam|nombre|nome|nazwa|firma|company|raison\s+sociale)"
                         r"\s*:\s*(?P<name>\S.*)$", re.IGNORECASE)
_NAME_ONLY = re.compile(r"^(?:name|nom|naam|nombre|nome|nazwa|firma|company)\s*:?$", re.I)
_TAX_OR_BANK = re.compile(
    r"\b(?:[A-Z]{2}\s?\d{2}(?:\s?[A-Z0-9]{4}){3,7}|(?:ATU|CHE|DE|FR|NL|BE|ES|IT|PL|GB|LU|AT)"
    r"[\s.-]?[0-9A-Z]{2}[\s.-]?\d{3}[\s.-]?\d{3}[\s.-]?\d{0,5}[A-Z0-9]{0,3}"
    r"|\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z])\b"  # India: a GSTIN
)
_ROLE = re.compile(rf"(?:{SELLER_LABELS}|{BUYER_LABELS}|name|info|mail|contact|invoice|billing)",
                   re.IGNORECASE)
_DOMAIN = re.compile(r"(?:www\.|@)([a-z0-9-]{3,})\.", re.IGNORECASE)
_SENTENCE = re.compile(
    r"\b(?:is|are|sold|by|est|sont|par|wird|werden|bitte|please|pay|zahlbar|"
    r"geschäftsführer|sitz|capital|rcs|hrb|amtsgericht|registergericht)\b", re.IGNORECASE)
# Words that name the seller after them: "sold by", "Verkauft von", "Vendu et expédié
# par"; "Receipt from".
_SOLD_BY_WORDS = r"(?i:sold|verkauft|vendu(?:\s+et\s+exp[ée]di[ée])?)\s+(?i:by|von|par)"
_FROM_WORDS = r"(?:receipt|invoice|bill|statement)\s+from"
_NOT_A_NAME = re.compile(
    r"^(?:logo|rechnung|invoice|facture|factuur|factura|fattura|faktura|avoir|gutschrift|"
    r"credit\s+note|page|seite|visualisierung|original|kopie|copy|duplicate|tax\s+invoice|"
    r"adresse|address|date|datum|repr[ée]sentant|contact|"
    r"receipt|quittung|re[çc]u|ricevuta|recibo|kwitantie|paragon)\b"
    r"|^(?:page|seite|pagina|strona|str\.)\s*\d"  # "Page2de2", "Seite 1 von 3"
    r"|^(?:none|n/?a|aucune?|n[ée]ant|keine?|ninguno|nessuno|geen|brak|[žz][áa]dn[ýy])$"  # no value
    # a phrase that names the seller after it ("Verkauft von …", "Receipt from …")
    rf"|^(?:{_SOLD_BY_WORDS}|{_FROM_WORDS})\b"
    # "Your reference", "Unsere Bestellnummer", "Vos identifiants", "Your total": words
    # addressed to the reader, not a name, unless the line ends in a legal form ("Our
    # Daily Loaf Bakery Ltd")
    rf"|^(?:vos|nos|your|our|ihre|unsere)\b(?!.*{_LEGAL_FORM.pattern}\.?\s*$)"
    # thanks to the reader ("Thanks for riding, Sam", "Merci de votre visite")
    r"|^(?:thanks?|thank\s+you|merci|danke|vielen\s+dank|gracias|grazie|bedankt|dank\s+u)\b",
    re.IGNORECASE)


# A party label or a tax word alone is no name ("Crediteur", "Dodavatel:", "CGST").
_LABEL_ONLY = re.compile(
    rf"^(?:{SELLER_LABELS}|{BUYER_LABELS}|an|[csiu]?gst|vat|tax|btw|mwst|ust|tva|iva|dph|hsn"
    rf"(?:\s+code)?)\s*:?$", re.IGNORECASE)
# A bank's name printed after its label ("Bank:", "Název banky", "Bank Name:").
_BANK_WORDS = (r"(?:bank(?:\s*name)?|name\s+of\s+(?:the\s+)?bank|bankverbindung|kreditinstitut|"
               r"n[áa]zev\s+banky|banka|banque|nom\s+de\s+la\s+banque|banco|nazwa\s+banku)")
_BANK_LABEL = re.compile(rf"(?:^|\s){_BANK_WORDS}\s*:?\s*$", re.IGNORECASE)
# A document's title: "Debet Factuur", "Tax Invoice", "Proforma-Rechnung".
_TITLE = re.compile(
    r"(?:^|\s)(?:debet|debit|credit|tax|commercial|pro-?\s?forma|shipping|sales)[\s-]?"
    r"(?:invoice|factuur|faktura|rechnung|facture|factura|fattura)$", re.IGNORECASE)
# A German address block's header: "An", "An:".
_ADDRESSEE = re.compile(r"^an\s*:?$", re.IGNORECASE)
# The addressee named in a salutation: "Guten Tag Muster GmbH,", "Dear Jane Roe,".
_SALUTATION = re.compile(
    r"^(?:guten\s+tag|hallo|sehr\s+geehrte[rs]?|dear|hello|hi|bonjour|beste|geachte|"
    r"estimad[oa]s?|gentile|dobr[ýy]\s+den|szanown[iy])\s+(?P<name>[^,\n]{2,70}),",
    re.IGNORECASE)


_AMOUNT_WORD = re.compile(
    r"^(?:(?:sub|sous-?)?\s*total|amount|balance|summe|zwischensumme|gesamt\w*|betrag|"
    r"totaal|totale|razem|montant|importe|importo)\b", re.IGNORECASE)


@dataclass
class Party:
    """A seller candidate: its name, where it is printed, and the evidence for it."""

    name: str
    start: int
    end: int
    score: float = 0.0
    evidence: list[str] = field(default_factory=list)
    # How far ahead of the next candidate (a different name) this one is.
    margin: float = 0.0

    def add(self, points: float, why: str) -> None:
        if why in self.evidence:
            return
        self.score += points
        self.evidence.append(why)


@dataclass(frozen=True, slots=True)
class _Cell:
    line: int
    col0: int
    col1: int
    start: int
    text: str


def _cells(text: str) -> list[list[_Cell]]:
    lines: list[list[_Cell]] = []
    offset = 0
    for number, line in enumerate(text.split("\n")):
        lines.append([
            _Cell(number, m.start(), m.end(), offset + m.start(), m.group(0))
            for m in _CELL.finditer(line.replace("\f", " "))
        ])
        offset += len(line) + 1
    return lines


def _region(lines: list[list[_Cell]], cell: _Cell, depth: int) -> list[_Cell]:
    """The cell's block: the cells below it that start near its column."""
    out = []
    for row in lines[cell.line + 1:cell.line + 1 + depth]:
        near = [c for c in row if abs(c.col0 - cell.col0) <= 3]
        if not near:
            if row:
                continue
            break
        out.extend(near)
    return out


# Where a name ends: a separator, or a comma that no legal form follows ("Acme, Inc.").
_GLYPHS = re.compile(r"^[^\w\s\"'(&@]+\s*")
_NAME_END = re.compile(rf"\s+[·•|]\s+|,\s(?!{_LEGAL_FORM.pattern})|\s+-\s+|\s+–\s+")
_MORE_LEGAL = re.compile(rf",?\s*{_LEGAL_FORM.pattern}")
# Where a cell's first segment ends: a separator; commas kept ("Cityville, ST 12345").
_SEGMENT_END = re.compile(r"\s+[·•|]\s+|\s+[-–]\s+")


@functools.lru_cache(maxsize=4096)
def _name_of(text: str, *, cut: bool = True, whole: bool = False,
             labelled: bool = False) -> str | None:
    """A cell's text cut to the name (before a separator, after its legal forms), or None
    if it is no name. ``whole``: the cell is a labelled name ("Name: ..."), kept whole;
    ``labelled``: the value of a seller label, which may be printed in lower case and, when
    it ends in a legal form, hold a word of a sentence ("This Is Us B.V.")."""
    if text.rstrip().endswith(":") or re.match(r"\d+[,\s]", text) or _LABEL_ONLY.match(text) \
            or _SALUTATION.match(text) or _TITLE.search(text):
        return None  # a label, a street address, a salutation or a document's title
    # a bullet or logo glyph before the name ("◆ Acme Inc.") is no part of it
    name = _GLYPHS.sub("", (text if whole else _NAME_END.split(text)[0]).strip(" :;,"))
    legal = _LEGAL_FORM.search(name)
    if not legal and not_a_name(text if whole else _SEGMENT_END.split(text)[0]):
        return None  # an address, a country, a phone or mail line, a date or an amount
    if legal and cut and (legal.start() or name == legal.group(0)):  # "SARL Atelier …": whole
        end = legal.end()
        while more := _MORE_LEGAL.match(name, end):  # "Corp Ltd.", "GmbH & Co. KG"
            end = more.end()
        name = name[:end]
    if not re.search(r"[^\W\d_]{2}", name) or len(name) < 2 or len(name) > 70 \
            or (name.islower() and not labelled):
        return None
    if _SENTENCE.search(name) and not (labelled and _LEGAL_FORM.search(name.split()[-1])):
        return None
    if len(name.split()) > 7 or _NOT_A_NAME.match(name):
        return None
    if _AMOUNT_WORD.match(name) and not _LEGAL_FORM.search(name):
        return None  # "Total", "Balance due": a totals line, not a company
    if re.search(r"\d{3,}|@|www\.|https?:|\b\d{4,5}\b|:", name):
        return None
    if re.search(r"\s\d{1,4}[a-z]?$", name) and not _LEGAL_FORM.search(name):
        return None  # "Waalhaven Oostzijde 84": a street and its number
    return name


def find_seller(text: str, buyer_names: Sequence[str] = ()) -> Party | None:
    """The best-supported seller name, or None when no candidate has support."""
    lines = _cells(text)
    first_page_lines = text.split("\f", 1)[0].count("\n") + 1
    candidates: dict[tuple[int, int], Party] = {}

    def offer(cell: _Cell, name: str, points: float, why: str) -> None:
        at = cell.start + cell.text.find(name)
        key = (at, at + len(name))
        party = candidates.setdefault(key, Party(name, key[0], key[1]))
        party.add(points, why)

    buyer = _label_evidence(lines, offer, text.casefold())
    buyer |= _payee_and_sender(lines, offer)
    _issuer_phrases(lines, offer)
    buyer_names = [*buyer_names, *_labelled_buyers(lines)]
    top = _letterhead_end(lines, min(12, first_page_lines))
    for number, row in enumerate(lines):
        for cell in row:
            name = _name_of(cell.text)
            if name is None or _FIELD_LABEL.fullmatch(cell.text):
                continue
            if _LEGAL_FORM.search(name):
                offer(cell, name, 2, "legal form")
            if number < top:
                offer(cell, name, 1.5, "letterhead")
    _two_line_names(lines, top, candidates)
    _block_evidence(text, lines, candidates, offer)
    ranked = _ranked(text, candidates, buyer, buyer_names)
    if not ranked:
        return None
    best = _legal_name(text, ranked[0])
    others = [p.score for p in ranked[1:] if p.name.casefold() != best.name.casefold()]
    best.margin = best.score - (others[0] if others else 0.0)
    return best


# Up to three capitalised words (or "&") between a trade name and its legal form, one
# space apart (two or more are a cell gap: "Jane Doe     Acme Corp" are two cells).
_MORE_NAME = r"(?: (?:&|[A-ZÀ-Þ][\w'.&-]*)){0,3}?,? "


def _legal_name(text: str, party: Party) -> Party:
    """The seller's legal name where the document prints it: a letterhead's trade name
    ("Lefort & Associés") completed from its legal line ("Lefort & Associés Conseil SAS –
    RCS Lille ..."). The name found keeps its score; its evidence says where the rest is."""
    if _LEGAL_FORM.search(party.name):
        return party
    pattern = rf"(?<![^\W\d_])(?i:{re.escape(party.name)}){_MORE_NAME}{_LEGAL_FORM.pattern}"
    m = re.search(pattern, text)
    if m is None or "\n" in m.group(0):
        return party
    legal = Party(m.group(0), m.start(), m.end(), party.score, [*party.evidence])
    legal.add(0, "legal name printed with its legal form")
    return legal


# A field's label alone ("Due date", "Invoice date", "Total") is no name.
_FIELD_LABEL = re.compile(
    "(?:" + "|".join(label for label, _ in (*INVOICE_NUMBER_LABELS, *INVOICE_DATE_LABELS,
                                            *DUE_DATE_LABELS, *TOTAL_LABELS, *SUBTOTAL_LABELS)
                     if not label.startswith("~")) + r")\s*[:#.]?", re.IGNORECASE)
# An amount with its cents ("$50.00", "1.234,56"), not part of a date ("15.12.2025").
_PRICE = re.compile(r"(?<![\d][./-])(?<!\d[./-]\d)\d[.,]\d{2}(?![\d./-])")


def _letterhead_end(lines: list[list[_Cell]], most: int) -> int:
    """The number of lines at the top that may hold the letterhead: up to ``most``, and
    not from a table's header on: the first line of four or more columns, or the line
    above the first that prints an amount ("Description", "Quantity" are no letterhead)."""
    for number, row in enumerate(lines[:most]):
        if len(row) >= 4:
            return number
        if any(_PRICE.search(c.text) for c in row):
            return max(number - 1, 0)
    return most


_APART = 30  # columns between a letterhead name and the next cell on its line


def _two_line_names(lines: list[list[_Cell]], top: int,
                    candidates: dict[tuple[int, int], Party]) -> None:
    """A letterhead name set over two lines in the same column: one word alone, then the
    rest of the name ending in its legal form ("Harrowgate" over "Textiles Ltd."), with
    at most a line of another column's text between them."""
    for number, row in enumerate(lines[:max(top - 1, 0)]):
        for cell in row:
            first = _name_of(cell.text)
            if first is None or " " in first or _LEGAL_FORM.search(first) \
                    or any(0 < c.col0 - cell.col1 < _APART for c in row):
                continue  # not one word alone ("Status   PAID": a label and its value)
            # the next cell in its column, on the next line or, past a line that holds
            # only another column's text, the one after
            under = next(([c for c in lines[n] if abs(c.col0 - cell.col0) <= 1]
                          for n in (number + 1, number + 2) if n < len(lines)
                          and any(c.col0 <= cell.col1 for c in lines[n])), [])
            rest = _name_of(under[0].text) if under else None
            legal = _LEGAL_FORM.search(rest) if rest else None
            if rest is None or legal is None or not legal.start() or legal.end() != len(rest):
                continue
            key = (cell.start, under[0].start + len(rest))
            party = candidates.setdefault(key, Party(f"{first} {rest}", *key))
            party.add(2, "legal form")
            party.add(1.5, "letterhead")
            party.add(0.5, "name over two lines")


# For the attention of: "t.a.v. crediteurenadministratie", "z. Hd. Herr Hansen", "Attn:
# Accounts Payable", "à l'attention de", "c.a. ufficio acquisti", "do rąk własnych".
_ATTENTION = re.compile(
    r"(?:t\.\s?a\.\s?v\.|z\.\s?hd\.?|zu\s+h[äa]nden|attn\b\.?|attention\b|[àa]\s+l'attention|"
    r"all'attenzione|a\s+la\s+atenci[óo]n|c\.\s?a\.|do\s+r[ąa]k)", re.IGNORECASE)

# Credits a cell with a name: (cell, name, points, why).
_Offer = Callable[[_Cell, str, float, str], None]


def _label_evidence(lines: list[list[_Cell]], offer: _Offer, folded: str) -> set[tuple[int, int]]:
    """Offer the names after each seller label; the (line, column) of every cell in a
    buyer block. ``folded``: the document's text, case-folded."""
    buyer: set[tuple[int, int]] = set()
    for row in lines:
        for i, cell in enumerate(row):
            if (_BUYER.search(cell.text) or _ADDRESSEE.match(cell.text)) and len(cell.text) < 40 \
                    and not re.search(r"\d", cell.text):
                buyer.update((c.line, c.col0) for c in _with_values(lines, [cell, *_region(
                    lines, cell, 8)]))
            if i and _BANK_LABEL.search(row[i - 1].text):
                buyer.add((cell.line, cell.col0))  # a bank's name is not the seller
            if _ATTENTION.match(cell.text) and cell.line:
                # the addressee's name is the line above "t.a.v. ...", "z. Hd. ..."
                buyer.update((c.line, c.col0) for c in lines[cell.line - 1]
                             if abs(c.col0 - cell.col0) <= 3)
            if _SELLER.match(cell.text):
                _after_seller_label(lines, row, cell, offer, folded)
            inline = _SELLER_INLINE.match(cell.text)
            name = _name_of(inline.group("name"), cut=False, labelled=True) if inline else None
            if inline and name:
                name = _uncut(inline.group("name"), name, folded)
            if inline and name:
                value = _Cell(cell.line, cell.col0, cell.col1, cell.start + inline.start("name"),
                              inline.group("name"))
                offer(value, name, 5, "after a seller label")
                _note_cut(value, value.text, name, offer)
    return buyer


def _with_values(lines: list[list[_Cell]], block: list[_Cell]) -> list[_Cell]:
    """The cells of a block with the value printed right of each label in it ("Company
    : Tessellate Software Pvt Ltd" in a guest's block of labels)."""
    out = []
    for cell in block:
        out.append(cell)
        right = [c for c in lines[cell.line] if c.col0 > cell.col1]
        if right and right[0].text.startswith(":") and not cell.text.endswith(":"):
            out.append(right[0])
    return out


# The seller named in a phrase: "Receipt from Name Ltd" (a cell that opens with it), "All
# services are sold by Name Inc. and its affiliates", "Verkauft von Name GmbH", "Vendu et
# expédié par Name SAS" (in a sentence, only a name that ends in a legal form).
_FROM_TITLE = re.compile(rf"^{_FROM_WORDS}\s+(?P<name>\S.*)$", re.IGNORECASE)
_SOLD_BY = re.compile(  # the legal form keeps its case ("as", "sa" are words too)
    rf"(?<![^\W\d_]){_SOLD_BY_WORDS}\s+"
    rf"(?P<name>[^\W\d_][^,;:\n]{{0,60}}?{_LEGAL_FORM.pattern}\.?)")


def _issuer_phrases(lines: list[list[_Cell]], offer: _Offer) -> None:
    """Offer the seller a receipt's title or a "sold by" sentence names."""
    for row in lines:
        for cell in row:
            titled = _FROM_TITLE.match(cell.text)
            if titled and (name := _name_of(titled.group("name"), cut=False, labelled=True)):
                value = _Cell(cell.line, cell.col0, cell.col1,
                              cell.start + titled.start("name"), titled.group("name"))
                offer(value, name, 5, "named as the sender in the title")
            for sold in _SOLD_BY.finditer(cell.text):
                name = _name_of(sold.group("name"), cut=False, labelled=True)
                if name is None or not name[0].isupper():  # "sold by us to …", "by the …"
                    continue
                value = _Cell(cell.line, cell.col0, cell.col1, cell.start + sold.start("name"),
                              sold.group("name"))
                offer(value, name, 4, "named as the seller in a sentence")


# The payee named next to the bank account: the seller (or whoever it assigned its claims to).
_PAYEE = re.compile(
    r"^(?:account\s+(?:holder|name)|beneficiary(?:\s+name)?|payee|kontoinhaber(?:in)?|"
    r"beg[üu]nstigter|zahlungsempf[äa]nger|titulaire(?:\s+du\s+compte)?|b[ée]n[ée]ficiaire|"
    r"rekeninghouder|ten\s+name\s+van|t\.\s?n\.\s?v\.|titular(?:\s+de\s+la\s+cuenta)?|"
    r"intestatario|beneficiario|w[łl]a[śs]ciciel\s+rachunku|majitel\s+[úu][čc]tu)"
    r"\s*:\s*(?P<name>\S.*)$", re.IGNORECASE)
# The return address above a window envelope's addressee: "Name · Street 1 · 12345 City".
_SENDER_SEP = re.compile(r"\s*[·•|]\s*")


def _payee_and_sender(lines: list[list[_Cell]], offer: _Offer) -> set[tuple[int, int]]:
    """Offer the account holder printed with the bank details, and the name that opens a
    return-address line ("Name · Street 1 · 12345 City", printed small above the window
    of the envelope); the block under that line is the addressee's (returned as buyer
    cells)."""
    buyer: set[tuple[int, int]] = set()
    for row in lines:
        for cell in row:
            payee = _PAYEE.match(cell.text)
            name = _name_of(payee.group("name"), cut=False, whole=True) if payee else None
            if payee and name:
                value = _Cell(cell.line, cell.col0, cell.col1, cell.start + payee.start("name"),
                              payee.group("name"))
                offer(value, name, 2.5, "named as the account holder")
            parts = _SENDER_SEP.split(cell.text)
            if len(parts) < 3 or not any(not_a_name(p) == "postal address" for p in parts[1:]):
                continue
            name = _name_of(parts[0], cut=False, whole=True)
            if name:
                offer(_Cell(cell.line, cell.col0, cell.col1, cell.start, parts[0]), name, 3,
                      "opens a return-address line")
            # the addressee's block, whether or not the sender's name reads as one
            buyer.update((c.line, c.col0) for c in _region(lines, cell, 6))
    return buyer


def _labelled_buyers(lines: list[list[_Cell]]) -> list[str]:
    """The names printed after a buyer label in the same cell ("Customer name: ACME") or
    greeted in a salutation ("Guten Tag Muster GmbH,")."""
    found = []
    for row in lines:
        for cell in row:
            m = _BUYER_INLINE.match(cell.text) or _SALUTATION.match(cell.text)
            if m and _name_of(m.group("name"), cut=False):
                found.append(m.group("name"))
    return found


def _core(name: str) -> str:
    """A name without its legal forms and punctuation, folded: "Microsoft Corp" and
    "MICROSOFT CORPORATION" are one party."""
    return " ".join(re.sub(r"[^\w\s]", " ", _LEGAL_FORM.sub(" ", name)).casefold().split())


def _after_seller_label(lines: list[list[_Cell]], row: list[_Cell], cell: _Cell,
                        offer: _Offer, folded: str) -> None:
    """Offer the seller's name given in the block of a seller label: its "Name:" line,
    else the cell right of the label or the first one below it."""
    block = _region(lines, cell, 8)
    for c in block:
        if _NAME_ONLY.match(c.text):
            right = [r for r in lines[c.line] if r.col0 > c.col1]
            # "Nazwa   Netto   VAT": a table's header row, not a "Name:" line
            name = _name_of(right[0].text, cut=False, whole=True) \
                if right and not _FIELD_LABEL.fullmatch(right[0].text) else None
            if name:
                offer(right[0], name, 6, "after a seller label")
                return
        m = _NAME_LABEL.match(c.text)
        name = _name_of(m.group("name"), cut=False, whole=True) if m else None
        if m and name:
            offer(c, name, 6, "after a seller label")
            return
    right = [c for c in row if c.col0 > cell.col1]
    # the cell to its right ("From: ACME"), else the first below it (the right cell may
    # be another column's label: "From:   Invoice Number")
    for c in right[:1] + block[:1]:
        name = _name_of(c.text, cut=False, labelled=True)
        if name:
            name = _uncut(c.text, name, folded)
            offer(c, name, 5, "after a seller label")
            _note_cut(c, c.text, name, offer)
            return


def _uncut(cell: str, name: str, folded: str) -> str:
    """The labelled cell whole where it was cut at a separator but is printed again
    whole elsewhere in the document ("DEMO - Sliced Invoices" under "From:" and in the
    footer's "Thanks for choosing DEMO - Sliced Invoices"): a tagline is not repeated
    with the name. A name that ends in its legal form is never extended."""
    whole = cell.strip(" :;,")
    if name == whole or _LEGAL_FORM.search(name) or folded.count(whole.casefold()) < 2:
        return name
    return _name_of(whole, cut=False, whole=True) or name


def _note_cut(cell: _Cell, text: str, name: str, offer: _Offer) -> None:
    """Say so when a labelled name was cut from a longer cell ("DEMO - Sliced Invoices"
    gives "DEMO"): the label no longer vouches for all of it."""
    if name != text.strip(" :;,"):
        offer(cell, name, 0, CUT)


def _ranked(text: str, candidates: dict[tuple[int, int], Party], buyer: set[tuple[int, int]],
            buyer_names: Sequence[str]) -> list[Party]:
    """The candidates outside buyer blocks and not named as the buyer, credited for
    repetition and a matching web or mail domain, best first."""
    folded = text.casefold()
    domains = {d.casefold() for d in _DOMAIN.findall(text)}
    buyers = {b.casefold() for b in buyer_names}
    buyer_cores = {_core(b) for b in buyer_names} - {""}
    ranked: list[Party] = []
    for (start, _), party in candidates.items():
        line = text.count("\n", 0, start)
        col = start - (text.rfind("\n", 0, start) + 1)
        if (line, col) in buyer or any((line, c) in buyer for c in range(col - 3, col + 4)):
            continue
        if party.name.casefold() in buyers or _core(party.name) in buyer_cores:
            continue
        repeats = folded.count(party.name.casefold())
        if repeats > 1:
            party.add(min(repeats - 1, 2) * 0.75, "printed again")
        words = [w for w in re.findall(r"[^\W\d_]{4,}", party.name.casefold())
                 if not _ROLE.fullmatch(w)]
        # the name's word inside the domain ("acme" in acme-solutions.com); a domain
        # inside a longer word is no match ("hinkelstein" in "Hinkelsteininvest")
        if any(w in d for w in words for d in domains if len(d) >= 4):
            party.add(2.5, "matches a web or mail domain")
        ranked.append(party)
    ranked.sort(key=lambda p: -p.score)
    return ranked


def _block_evidence(text: str, lines: list[list[_Cell]], candidates: dict[tuple[int, int], Party],
                    offer: object) -> None:
    """Name-like lines of the block above a tax ID or IBAN get credit for it."""
    for row in lines:
        for cell in row:
            if not _TAX_OR_BANK.search(cell.text):
                continue
            for back in range(cell.line - 1, max(cell.line - 12, -1), -1):
                near = [c for c in lines[back] if abs(c.col0 - cell.col0) <= 3]
                if not near:
                    break
                for c in near:
                    name = _name_of(c.text)
                    if name is not None and callable(offer):
                        offer(c, name, 2 if back < cell.line - 1 else 1, "block of a tax ID or IBAN")
