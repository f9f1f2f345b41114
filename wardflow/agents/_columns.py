"""Amounts read from a column of the page layout rather than beside their label.

Two layouts that a value-right-of-its-label reading gets wrong:

- a column of values under a header label that ends in its own sum (a tax summary table
  with one row per rate and a sum row: "Netto / 400,00 / 100,00 / 500,00"): the label's
  value is the sum, not the first row;
- a box that prints its value above its label ("754.00" over "Subtotal"): a row of
  label cells under a row of value cells, each value over its own label.

- a bill's sum row under its charges ("Compute  $812.40" ... "Charges  $1,177.57"): a
  labelled amount that is the sum of the amounts right-aligned over it.

All are decided by where the text sits and by the arithmetic, not by words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

__all__ = ["column_sum", "line_cells", "sum_rows", "value_above"]

ValueAt = Callable[[str, int, int], "tuple[int, int, str] | None"]
_CELL = re.compile(r"\S+(?: \S+)*")
_MIN_ROWS = 2  # a sum row needs at least two rows above it
# The space between two amounts with cents: "970,00 223,10" (not "1 193,10": one amount)
_AMOUNTS_APART = re.compile(r"(?<=[.,]\d\d) (?=-?\d[\d.,']*[.,]\d\d(?![\d.,]))")


def _line_start(text: str, offset: int) -> int:
    return max(text.rfind("\n", 0, offset), text.rfind("\f", 0, offset)) + 1


def _line_end(text: str, offset: int) -> int:
    ends = [e for e in (text.find("\n", offset), text.find("\f", offset)) if e != -1]
    return min(ends) if ends else len(text)


def line_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The cells of the line ``text[start:end]``, at their offsets in ``text``; two
    amounts with cents one space apart ("970,00 223,10": narrow columns) are two cells."""
    cells = []
    for m in _CELL.finditer(text, start, end):
        c0 = m.start()
        for gap in _AMOUNTS_APART.finditer(text, m.start(), m.end()):
            cells.append((c0, gap.start()))
            c0 = gap.end()
        cells.append((c0, m.end()))
    return cells


def _values_only(
    text: str, start: int, value_at: ValueAt
) -> list[tuple[tuple[int, int], tuple[int, int, str]]] | None:
    """The cells of the line at ``start`` with their values, when every cell is a value."""
    if start >= len(text):
        return None
    cells = line_cells(text, start, _line_end(text, start))
    values = [value_at(text, c0, c1) for c0, c1 in cells]
    if not cells or any(v is None for v in values):
        return None
    return [(cell, v) for cell, v in zip(cells, values, strict=True) if v is not None]


def column_sum(
    text: str, first: tuple[int, int, str], value_at: ValueAt
) -> tuple[int, int, str] | None:
    """The sum row of the column that ``first`` (a value read under a header label) starts:
    the last of the consecutive values printed in the same column when it equals the sum
    of the ones above it; ``None`` when the column does not end in its sum."""
    col0 = first[0] - _line_start(text, first[0])
    col1 = first[1] - _line_start(text, first[0])
    values = [first]
    start = _line_end(text, first[1]) + 1
    while start < len(text) and text[start - 1] != "\f":
        end = _line_end(text, start)
        cell = next(
            (
                (c0, c1)
                for c0, c1 in line_cells(text, start, end)
                if c0 - start <= col1 + 1 and c1 - start >= col0 - 1
            ),
            None,
        )
        value = value_at(text, *cell) if cell is not None else None
        if value is None:
            break
        values.append(value)
        start = end + 1
    if len(values) <= _MIN_ROWS:
        return None
    *rows, last = values
    return last if sum(Decimal(v[2]) for v in rows) == Decimal(last[2]) else None


def value_above(text: str, label_start: int, value_at: ValueAt) -> tuple[int, int, str] | None:
    """The value printed above the label cell at ``label_start``, in a box whose value
    sits over its label: the label's line holds no value at all and the line above holds
    nothing but values, one of them over the label."""
    line_start = _line_start(text, label_start)
    line_end = _line_end(text, label_start)
    if line_start == 0 or text[line_start - 1] == "\f":
        return None
    if any(value_at(text, c0, c1) for c0, c1 in line_cells(text, line_start, line_end)):
        return None  # a row with its values: not a row of labels
    if text[line_end : line_end + 1] == "\n" and _values_only(text, line_end + 1, value_at):
        return None  # rows of labels and of values alternate: each label's is below it
    gap = re.compile(r"\s{2,}|$").search(text, label_start, line_end)
    col0, col1 = label_start - line_start, (gap.start() if gap else line_end) - line_start
    above = _line_start(text, line_start - 1)
    values = _values_only(text, above, value_at)
    for (c0, c1), value in values or ():
        if c0 - above <= col1 + 2 and c1 - above >= col0 - 2:
            return value
    return None


Value = tuple[int, int, str]


def sum_rows(text: str, value_at: ValueAt) -> list[tuple[Value, list[Value]]]:
    """Each labelled amount that ends its line and equals the sum of the two or more
    amounts that end the nearest lines above it, in the same column (right-aligned), with
    those amounts (first printed first). Zeros adding up to zero are no sum."""
    found = []
    start = 0
    while start < len(text):
        end = _line_end(text, start)
        cells = line_cells(text, start, end)
        value = value_at(text, *cells[-1]) if len(cells) >= 2 else None
        if value is not None and re.search(r"[^\W\d_]{3}", text[start : cells[-1][0]]):
            above = _column_above(text, start, cells[-1][1] - start, value_at)
            running = Decimal(0)
            for count, row in enumerate(above, 1):
                running += Decimal(row[2])
                if count >= _MIN_ROWS and running == Decimal(value[2]) != 0:
                    found.append((value, above[:count][::-1]))
                    break
        start = end + 1
    return found


def _column_above(
    text: str, line_start: int, right: int, value_at: ValueAt
) -> list[tuple[int, int, str]]:
    """The amounts that end the consecutive lines above ``line_start`` at column ``right``."""
    values = []
    while line_start > 0 and text[line_start - 1] != "\f":
        line_start = _line_start(text, line_start - 1)
        cells = line_cells(text, line_start, _line_end(text, line_start))
        if not cells or abs(cells[-1][1] - line_start - right) > 1:
            break
        value = value_at(text, *cells[-1])
        if value is None:
            break
        values.append(value)
    return values
