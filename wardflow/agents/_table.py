"""Line-item tables read from the page layout.

The document text is laid out as on the page (see :mod:`wardflow.tools._layout`), so a
table keeps its columns: cells are apart by two or more spaces and sit at about the
character column their x position gives. A table is found by its header row (column
titles for description, quantity, unit price, amount and VAT in the languages of
:mod:`wardflow.agents._labels`); it ends at a subtotal, total or VAT-summary line.

A row is a line of the table whose numbers agree: quantity x unit price (per price
basis, "per 100") plus the row's own allowances or charges equals the row's amount, to
the cent. Rows that do not add up are not items; the header's columns decide which
number is the quantity and which the unit price where both readings add up. A row whose
amount includes its tax (GST tables) adds up with the rate printed on it; an amount in
parentheses is negative; a form's empty rows (no name, all zeros) are no items.

Headers and table ends: :mod:`wardflow.agents._table_header`; descriptions:
:mod:`wardflow.agents._table_names`.
Allowance and charge lines of the table (discounts, surcharges without a quantity)
are kept apart: the line items plus them should give the subtotal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import permutations

from wardflow.agents._parsers import AMOUNT_RE, LineItem, money, parse_amount
from wardflow.agents._table_cells import VALUE_KINDS, Cell, Columns, Line, split_lines
from wardflow.agents._table_header import (
    TOTALS,
    amount_header,
    ends_table,
    header_end,
    table_header,
    word_match,
)
from wardflow.agents._table_names import (
    NAME_SPLIT,
    desc_cells,
    description_block,
    in_desc,
    item_name,
    split_cell,
)
from wardflow.agents._table_numbers import (
    DIGITS,
    PERCENT,
    Reading,
    money_cell,
    rate_cell,
    read_cell,
)

__all__ = ["TableReading", "read_table"]

_CENT = Decimal("0.01")
_ZERO = Decimal(0)
_BASES = (Decimal(1), Decimal(10), Decimal(100), Decimal(1000))  # "per 100" prices

# Words of a table line that is an allowance or a charge, not an item.
_ADJUSTMENT = re.compile(
    r"(?:remise|rabais|ristourne|discount|allowance|rabatt|nachlass|abschlag|"
    r"skonto|korting|descuento|sconto|rabat|charge|surcharge|frais|fee|zuschlag|toeslag|"
    r"recargo|supplemento|op[łl]ata)(?![^\W\d_])",
    re.IGNORECASE,
)
# A row ends with its amount (then perhaps a currency, a rate or a tax code).
_ROW_END = re.compile(
    r"\d[.,]\d{2}(?:\s*(?:[A-Z]{3}|[€$£])|\se)?\)?(?:\s+[-+]?\d{1,2}(?:[.,]\d{1,2})?"
    r"\s?%?)?(?:\s+[A-Z]\d?)?\s*$"
)
# A row whose amount is a whole number ("8   90   720", "$3,500", "($100)"): read only
# where that amount sits under the header's amount column.
_WHOLE_END = re.compile(
    r"(?<![\d.,'])\(?[€$£]?\d{1,3}(?:,\d{3})*(?:\s?[€$£])?\)?\s*$|"
    r"(?<![\d.,'])\(?[€$£]?\d+(?:\s?[€$£])?\)?\s*$"
)
_WHOLE_LAST = frozenset("0123456789€$£)")
# A rate under the tax title without its "%" ("12", "5.5"), not an amount ("21.60").
_BARE_RATE = re.compile(r"\d{1,2}(?:[.,]\d)?")


@dataclass
class TableReading:
    """Items and allowance/charge lines of a document's line-item tables.

    Attributes:
        items: the rows whose numbers add up, in page order.
        adjustments: amounts of allowance and charge lines inside the tables.
        tables: how many tables (header rows) were found.
    """

    items: list[LineItem] = field(default_factory=list)
    adjustments: list[Decimal] = field(default_factory=list)
    tables: int = 0


def read_table(text: str) -> TableReading:
    """The line items of the tables in ``text`` (laid-out document text)."""
    lines = split_lines(text)
    reading = TableReading()
    i = 0
    while i < len(lines):
        columns = table_header(lines, i) or amount_header(lines[i])
        if columns is None:
            i += 1
            continue
        reading.tables += 1
        i = _read_body(lines, header_end(lines, i), columns, reading)
    return reading


@dataclass(frozen=True, slots=True)
class _Row:
    index: int
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    basis: Decimal
    adjustment: Decimal
    tax: Decimal = _ZERO


def _read_body(lines: Sequence[Line], start: int, columns: Columns, reading: TableReading) -> int:
    """Reads the rows of one table from line ``start``; returns the line after it."""
    rows: list[_Row] = []
    printed: list[_Row] = []  # rows whose numbers do not multiply out
    adjustments: list[Decimal] = []
    heads: set[int] = set()  # (no item's description)
    j = start
    while j < len(lines):
        line = lines[j]
        if table_header(lines, j) is not None or amount_header(line) is not None:
            # the header repeated on the next page, or a next group: the table goes on
            heads.update(range(j, header_end(lines, j)))
            j = header_end(lines, j)
            continue
        row = _row(line, j, columns)
        if row is not None:
            rows.append(row)
            j += 1
            continue
        if ends_table(line):
            break
        adjustment = _adjustment(line)
        if adjustment is not None:
            adjustments.append(adjustment)
        elif loose := _as_printed(line, j, columns) or _amount_only(line, j, columns):
            printed.append(loose)
        j += 1
    end = j
    if printed and _adds_up(_sum_after(lines, end), (*rows, *printed), adjustments, reading):
        rows = sorted((*rows, *printed), key=lambda r: r.index)
    reading.adjustments.extend(adjustments)
    rows = [r for r in rows if not _filler(lines[r.index], r, columns)]
    consumed = heads
    row_lines = {r.index for r in rows}
    blocks = [
        description_block(lines, row.index, start, end, columns, consumed, row_lines)
        for row in rows
    ]
    _add_items(lines, rows, blocks, reading)
    return end


def _filler(line: Line, row: _Row, columns: Columns) -> bool:
    """A zero row of a form's empty lines ("1  0.00  0  0.00  0.00"): no name of its
    own, price and amount zero; not an item (a free item has its name on its row)."""
    return not row.amount and not row.unit_price and not desc_cells(line, columns)


def _add_items(
    lines: Sequence[Line], rows: Sequence[_Row], blocks: Sequence[list[str]], reading: TableReading
) -> None:
    """The rows with a description become the reading's items."""
    # A table whose cells of several lines start "name - description" (as EN 16931
    # renderings print them) names every item that way; otherwise a dash is part of
    # the name ("Road freight Rotterdam - Hamburg").
    structured = any(len(b) > 1 and NAME_SPLIT.search(b[0]) for b in blocks)
    for row, block in zip(rows, blocks, strict=True):
        name, detail = item_name(block, split=structured)
        if not name:
            continue
        line = lines[row.index]
        first = line.cells[0].start if line.cells else 0
        last = line.cells[-1].end if line.cells else 0
        reading.items.append(
            LineItem(
                name,
                row.quantity,
                row.unit_price,
                row.amount,
                line.offset + first,
                line.offset + last,
                detail=detail,
                basis=row.basis,
                adjustment=row.adjustment,
                tax=row.tax,
            )
        )


def _as_printed(line: Line, index: int, columns: Columns) -> _Row | None:
    """A row whose quantity, unit price and amount sit under their columns but do not
    multiply out ("Assembly  160 min  1  53.33  266.67": a price per hour of a time
    in minutes): taken as printed, only where the rows then add up to the table's sum."""
    if (
        any(k not in columns.spans for k in VALUE_KINDS)
        or _ROW_END.search(line.text) is None
        or not desc_cells(line, columns)
    ):
        return None
    nums = _numbers(line, columns)
    if len(nums) < 3 or columns.nearest(nums[-1].cell) != "amount":
        return None
    amount = money_cell(nums[-1].cell.text)
    q = min(nums[:-1], key=lambda n: columns.distance(n.cell, "quantity"))
    p = min(
        (n for n in nums[:-1] if n is not q), key=lambda n: columns.distance(n.cell, "unit_price")
    )
    if (
        amount is None
        or columns.nearest(q.cell) != "quantity"
        or columns.nearest(p.cell) != "unit_price"
        or q.unit
        or p.unit
    ):
        return None
    return _Row(index, q.values[-1], p.values[-1], amount, _BASES[0], _ZERO)


def _amount_only(line: Line, index: int, columns: Columns) -> _Row | None:
    """A row of a table without quantity and price columns: a name and one amount
    under the amount column, taken as one unit (only where the rows add up)."""
    if (
        "quantity" in columns.spans
        or "unit_price" in columns.spans
        or _ROW_END.search(line.text) is None
        or not desc_cells(line, columns)
    ):
        return None
    cells = [c for c in line.cells if columns.nearest(c) != "gross"]  # "Netto  Brutto": net
    last = cells[-1]
    if any(money_cell(c.text) is not None for c in cells[:-1]) or columns.nearest(last) != "amount":
        return None
    # the amount, or the amount that ends the cell ("0,30 e/km 135,00 e": a rate one
    # space before it)
    words = last.text.split(" ")
    amount = money_cell(last.text) or money_cell(" ".join(words[-2:])) or money_cell(words[-1])
    return _Row(index, Decimal(1), amount, amount, _BASES[0], _ZERO) if amount else None


def _adds_up(
    printed_sum: Decimal | None,
    rows: Sequence[_Row],
    adjustments: Sequence[Decimal],
    reading: TableReading,
) -> bool:
    """Whether the table's rows and allowances, alone or after the document's earlier
    tables (a sum carried over), give the sum printed after the table."""
    if printed_sum is None:
        return False
    table = sum((r.amount for r in rows), sum(adjustments, _ZERO))
    before = sum((i.amount for i in reading.items), sum(reading.adjustments, _ZERO))
    return printed_sum in (table, table + before)


def _sum_after(lines: Sequence[Line], end: int) -> Decimal | None:
    """The amount of the first subtotal or total line from ``end`` on (within three
    lines): what the table's rows and allowances add up to; the amount may follow its
    label one space apart ("Summe: 400.00$")."""
    for line in lines[end : end + 3]:
        if word_match(TOTALS, line.text) and line.cells:
            last = line.cells[-1].text
            amount = money_cell(last) or money_cell(last.rsplit(" ", 1)[-1])
            if amount is not None:
                return amount
    return None


def _adjustment(line: Line) -> Decimal | None:
    """The amount of an allowance or charge line of the table ("REMISE ... -5,00 20%")."""
    if not word_match(_ADJUSTMENT, line.text):
        return None
    found = list(AMOUNT_RE.finditer(line.text))
    return parse_amount(found[-1].group(0)) if found else None


class _Num:
    """A number cell of a row: its readings, floats of them, and what marks it."""

    __slots__ = ("cell", "first", "floats", "kind", "mark", "signed", "unit", "values")

    def __init__(self, cell: Cell, reading: Reading, first: bool, kind: str | None) -> None:
        self.cell, self.first, self.kind = cell, first, kind
        self.values, self.floats, self.unit, self.signed, self.mark = reading


def _numbers(line: Line, columns: Columns) -> list[_Num]:
    nums = []
    for k, cell in enumerate(line.cells):
        reading = read_cell(cell.text)
        if reading is None:
            cell = split_cell(cell, columns)[1] or cell
            reading = read_cell(cell.text)
        if reading is None or (reading[2] and in_desc(cell, columns)):
            continue  # "5 Storch" in the description column: a position and a name
        nums.append(_Num(cell, reading, k == 0, None))
    return nums


def _role(q: _Num, p: _Num, columns: Columns, by_header: bool) -> float:
    """How badly ``q`` as the quantity and ``p`` as the unit price fit: the header's
    columns where it has both, else the marks of a quantity; a position cell costs."""
    if by_header:
        for n in (q, p):
            if n.kind is None:
                n.kind = columns.nearest(n.cell) or ""
        cost = float((q.kind != "quantity") + (p.kind != "unit_price"))
    else:
        cost = float(q.mark < p.mark)
    return cost + (q.first or p.first) * 1.5


def _row(line: Line, index: int, columns: Columns) -> _Row | None:
    """The row's numbers if they add up: quantity x unit price / basis + adjustments."""
    whole = _ROW_END.search(line.text) is None
    if whole and (
        line.text.rstrip()[-1:] not in _WHOLE_LAST
        or _WHOLE_END.search(line.text, max(0, len(line.text) - 24)) is None
    ):
        return None
    # a table without a quantity column has rows of a price and an amount
    priced = "quantity" not in columns.spans
    if len(DIGITS.findall(line.text)) < 3 - priced:
        return None
    nums = _numbers(line, columns)
    if len(nums) < 3 - priced:
        return None
    last = nums[-1]
    amount = _whole(last, columns) if whole else money_cell(last.cell.text)
    if amount is None:
        return None
    others = nums[:-1]
    if priced:
        row = _priced(line, index, others, amount, columns)
        if row is not None or len(nums) < 3:
            return row
    target = float(amount)
    by_header = "quantity" in columns.spans and "unit_price" in columns.spans
    best: tuple[float, _Row] | None = None
    # Most rows are quantity x price with neither basis nor adjustment, and neither is
    # the position number that opens the line: tried first.
    for q, p in permutations([n for n in others if not n.first], 2):
        pf = p.floats[-1]
        for qv, qf in zip(q.values, q.floats, strict=True):
            if abs(qf * pf - target) > 0.016:
                continue
            pv = p.values[-1]
            role = _role(q, p, columns, by_header)
            if abs(money(qv * pv) - amount) <= _CENT and (best is None or role < best[0]):
                best = (role, _Row(index, qv, pv, amount, _BASES[0], _ZERO))
    if best is not None and best[0] < 1:
        return best[1]
    return (
        _with_basis(index, others, amount, columns, by_header, best)
        or _gross(line, index, others, amount, columns)
        or _one_unit(line, index, others, amount, columns)
    )


def _gross(
    line: Line, index: int, others: Sequence[_Num], amount: Decimal, columns: Columns
) -> _Row | None:
    """A row whose amount includes its tax (GST tables: "3  120.00  12  21.60  21.60
    403.20"; "$500  3  7.025%  $1,605.38"): quantity x unit price under their titles,
    plus the rate printed on the row (a percentage, or a number under the tax title)."""
    if "vat" not in columns.spans or "quantity" not in columns.spans:
        return None
    rates = [
        r
        for c in line.cells
        if (r := rate_cell(c.text)) is not None
        and (c.text.endswith("%") or (columns.nearest(c) == "vat" and _BARE_RATE.fullmatch(c.text)))
    ]
    if len(rates) > 1:  # a rate per part of the tax (CGST 9 % and SGST 9 %)
        rates.append(sum(rates, _ZERO))
    for q in (n for n in others if columns.nearest(n.cell) == "quantity" and not n.unit):
        for p in (n for n in others if columns.nearest(n.cell) == "unit_price"):
            net = money(q.values[-1] * p.values[-1])
            for rate in rates:
                if abs(money(net * (100 + rate) / 100) - amount) <= _CENT:
                    return _Row(
                        index, q.values[-1], p.values[-1], amount, _BASES[0], _ZERO, amount - net
                    )
    return None


def _one_unit(
    line: Line, index: int, others: Sequence[_Num], amount: Decimal, columns: Columns
) -> _Row | None:
    """A row with nothing under the quantity column and its amount under the price
    column ("Voucher  ($100)  ($100)"): one unit."""
    if any(columns.nearest(n.cell) == "quantity" for n in others if not n.first):
        return None
    return _priced(line, index, others, amount, columns)


_Best = tuple[float, _Row] | None


def _with_basis(
    index: int,
    others: Sequence[_Num],
    amount: Decimal,
    columns: Columns,
    by_header: bool,
    best: _Best,
) -> _Row | None:
    """The cheapest reading of quantity x price per basis ("per 100", or a unit cell of
    the row), plus the row's signed allowance, that gives ``amount``."""
    target = float(amount)
    for q, p in permutations(others, 2):
        rest = [n for n in others if n is not q and n is not p]
        extra = [n.values[-1] for n in rest if n.unit and n.values[-1] > 0]
        signed = sum((n.values[-1] for n in rest if n.signed), _ZERO)
        adjustments = (_ZERO, signed) if signed else (_ZERO,)
        pv, pf = p.values[-1], p.floats[-1]
        role = _role(q, p, columns, by_header)
        for qv, qf in zip(q.values, q.floats, strict=True):
            product = qf * pf
            for b_index, basis in enumerate((*_BASES, *extra)):
                share = product / float(basis)
                for adj in adjustments:
                    # a cheap float test first, then to the cent in decimals
                    if (
                        abs(share + float(adj) - target) > 0.016
                        or abs(money(qv * pv / basis) + adj - amount) > _CENT
                    ):
                        continue
                    cost = role + (b_index > 0) + (adj != 0)
                    if best is None or cost < best[0]:
                        best = (cost, _Row(index, qv, pv, amount, basis, adj))
    return best[1] if best else None


def _whole(num: _Num, columns: Columns) -> Decimal | None:
    """A whole-number amount, when it sits under the header's amount column."""
    value = num.values[-1]
    if (
        num.unit
        or (num.signed and not num.cell.text.startswith("("))  # "($100)": a credit
        or value != value.to_integral_value()
        or columns.nearest(num.cell) != "amount"
    ):
        return None
    return value


def _priced(
    line: Line, index: int, others: Sequence[_Num], amount: Decimal, columns: Columns
) -> _Row | None:
    """A row of a table without a quantity column: its unit price, less the discount
    percentage printed on it ("$4,500  25%  $3,375"), is its amount; one unit."""
    for p in others:
        if p.unit or columns.nearest(p.cell) != "unit_price":
            continue
        price = p.values[-1]
        rates = [
            Decimal(c.text.rstrip("% ").replace(",", ".").lstrip("+-"))
            for c in line.cells
            if c.start > p.cell.end and PERCENT.fullmatch(c.text) and columns.nearest(c) != "vat"
        ]  # (a VAT rate is no discount)
        for rate in rates or [_ZERO]:
            if money(price * (100 - rate) / 100) == amount:
                return _Row(index, Decimal(1), price, amount, _BASES[0], amount - price)
    return None
