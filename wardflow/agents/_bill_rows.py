"""The charges of a bill read as its line items: the rows over a sum row.

A utility, phone or cloud bill prints its charges without a table header ("Compute
$812.40", "Energy charge  1,040 kWh  $0.1185  $123.24") over the row that adds them up
("Charges  $1,177.57"). Each row over the sum row is an item: its first cell the
description, its last the amount; a usage cell and a rate cell whose product is the
amount are its quantity and unit price (a rate in pence or cents, "24.50p", "8,12 ct",
is a hundredth of the currency), otherwise it is one unit at its amount. Decided by
where the amounts sit and by the arithmetic, not by words.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from wardflow.agents._candidates import sum_row_charges
from wardflow.agents._columns import line_cells
from wardflow.agents._labels import SUBTOTAL_LABELS, TAX_LABELS, TOTAL_LABELS
from wardflow.agents._parsers import LineItem, parse_amount
from wardflow.agents._table_header import word_match

__all__ = ["bill_rows"]

_CENT = Decimal("0.01")
_NUMBER = re.compile(r"[^\d-]{0,3}(-?\d[\d.,' ]*)\s?([^\W\d_]{0,6})\.?")
_HUNDREDTHS = re.compile(r"p|ct|c|cts|cent|cents", re.IGNORECASE)
# A row of the totals block ("Charges" + "Estimated Tax" add up to the total): no item.
_TOTALS_BLOCK = re.compile(
    "(?:"
    + "|".join(label for label, _ in (*SUBTOTAL_LABELS, *TOTAL_LABELS, *TAX_LABELS))
    + r")(?![^\W\d_])",
    re.IGNORECASE,
)


def bill_rows(text: str) -> list[LineItem]:
    """The rows over the first sum row of ``text`` (none where a row has no description,
    names a subtotal, a tax or a total, or holds other text than usage and rate cells)."""
    items = []
    for start, end, amount in sum_row_charges(text):
        line_start = text.rfind("\n", 0, start) + 1
        cells = line_cells(text, line_start, end)[:-1]  # the cells before the amount's
        if not cells or not re.search(r"[^\W\d_]{2}", text[cells[0][0] : cells[0][1]]):
            return []
        description = text[cells[0][0] : cells[0][1]]
        if word_match(_TOTALS_BLOCK, description):
            return []  # "Subtotal  100.00", "VAT  19.00" over "Total  119.00": a totals block
        value = Decimal(amount)
        middle = [text[c0:c1] for c0, c1 in cells[1:]]
        if any(_number(cell) is None for cell in middle):
            return []  # "JPMorgan Chase   ...   FREIGHT  0.00": other text beside the row
        usage = _usage(middle, value)
        quantity, unit = usage or (Decimal(1), value)
        items.append(LineItem(description, quantity, unit, value, line_start, end))
    return items


def _usage(cells: list[str], amount: Decimal) -> tuple[Decimal, Decimal] | None:
    """A quantity cell and a rate cell after it whose product is ``amount``."""
    numbers = [n for n in map(_number, cells) if n is not None]  # (every cell is one)
    for i, quantity in enumerate(numbers):
        for rate in numbers[i + 1 :]:
            if quantity > 0 and abs(quantity * rate - amount) <= _CENT:
                return quantity, rate
    return None


def _number(cell: str) -> Decimal | None:
    m = _NUMBER.fullmatch(cell.strip())
    if m is None:
        return None
    try:
        value = parse_amount(m.group(1).strip(), strict=False)
    except (InvalidOperation, ValueError):
        return None
    if value is None:
        return None
    return value / 100 if _HUNDREDTHS.fullmatch(m.group(2)) else value
