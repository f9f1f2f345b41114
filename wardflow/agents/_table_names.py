"""The description column of a line-item table (:mod:`wardflow.agents._table`).

A row's description is the text in the description column: from the row line down
while the column carries text (a wrapped description), or, where the row line has none
there, from the block drawn just above the row (a cell centred on the row). Lines
that start with a bullet or a ``Label: value`` pair are the item's details, not its
name. A table whose multi-line cells read ``name - description`` keeps the names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wardflow.agents._table_cells import Cell, Columns, Line
from wardflow.agents._table_numbers import bare_number, money_cell, read_cell

__all__ = ["NAME_SPLIT", "desc_cells", "description_block", "in_desc", "item_name", "split_cell"]

# A detail line of an item: a bullet, or "Label: value" / "Label :value".
_DETAIL = re.compile(r"^(?:[•·▪◦*]\s*|[-–]\s+|[^\W\d_][^:\d]{0,30}?\s?:(?:\s|\d|$))")
NAME_SPLIT = re.compile(r"\s+[-–]\s+")
_POSITION = re.compile(r"^\d{1,3}(?:\.\d{1,3})*[.)]?\s+")
_SLACK = 4


def in_desc(cell: Cell, columns: Columns) -> bool:
    return columns.desc_start - _SLACK <= cell.start < columns.desc_end - 1


def desc_cells(line: Line, columns: Columns) -> list[Cell]:
    return [
        split_cell(c, columns)[0]
        for c in line.cells
        if in_desc(c, columns) and not bare_number(c.text)
    ]


def split_cell(cell: Cell, columns: Columns) -> tuple[Cell, Cell | None]:
    """A description cell that runs into the next column ("SHIP. LABEL 54x101mm 136.00",
    one space apart): its text and the number at its end, when that number starts past
    the description column."""
    if cell.end <= columns.desc_end or not in_desc(cell, columns):
        return cell, None
    cut = cell.text.rfind(" ")
    if (
        cut < 0
        or cell.start + cut + 1 < columns.desc_end - _SLACK
        or read_cell(cell.text[cut + 1 :]) is None
    ):
        return cell, None
    return (
        Cell(cell.start, cell.start + cut, cell.text[:cut]),
        Cell(cell.start + cut + 1, cell.end, cell.text[cut + 1 :]),
    )


def description_block(
    lines: Sequence[Line],
    index: int,
    start: int,
    end: int,
    columns: Columns,
    consumed: set[int],
    rows: set[int],
) -> list[str]:
    """The description column's text of the row at ``index`` (name first, then details)."""
    own = desc_cells(lines[index], columns)
    block: list[str] = []
    above: list[int] = []
    if own:
        block.append(" ".join(c.text for c in own))
    else:
        # a cell centred on the row: its first lines are drawn above the row line
        k = index - 1
        while (
            k >= start
            and k not in rows
            and k not in consumed
            and lines[k].page == lines[index].page
        ):
            cells = desc_cells(lines[k], columns)
            if not cells or _DETAIL.match(cells[0].text):
                break
            above.insert(0, k)
            k -= 1
        boundary = k < start or k in rows or k in consumed or not desc_cells(lines[k], columns)
        if not boundary:
            above = []  # the text above continues another item's details
        block.extend(" ".join(c.text for c in desc_cells(lines[a], columns)) for a in above)
        consumed.update(above)
    below_limit = len(above) if above else None
    k = index + 1
    taken = 0
    while k < end and k not in rows and k not in consumed:
        if (below_limit is not None and taken >= below_limit) or lines[k].page != lines[index].page:
            break  # (a description does not go on over a page break)
        cells = desc_cells(lines[k], columns)
        if not cells or (k + 1 in rows and not desc_cells(lines[k + 1], columns)):
            break  # (the name of the next row, drawn above it)
        if any(money_cell(c.text) is not None for c in lines[k].cells if c not in cells):
            break  # a line with amounts of its own (a row that does not add up)
        block.append(" ".join(c.text for c in cells))
        consumed.add(k)
        taken += 1
        k += 1
    return block


def item_name(block: Sequence[str], *, split: bool) -> tuple[str, str]:
    """The item's name and its details from the description block's lines."""
    if not block:
        return "", ""
    first = _POSITION.sub("", block[0].strip(), count=1) or block[0].strip()
    parts = [first]
    rest: list[str] = []
    for k, text in enumerate(block[1:], 1):
        if _DETAIL.match(text):
            rest = list(block[k:])
            break
        parts.append(text.strip())
    halves = NAME_SPLIT.split(parts[0], maxsplit=1)
    if split and len(halves) == 2 and halves[0].strip():
        rest = [halves[1], *parts[1:], *rest]
        parts = [halves[0]]
    return _join(parts), _join(rest)


def _join(parts: Sequence[str]) -> str:
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out.endswith("-") and len(out) > 1 and out[-2].isalnum():
            out += part  # a word broken at its hyphen: "GWDSTG-DIN976-" + "A-4.8"
        else:
            out = f"{out} {part}" if out else part
    return out
