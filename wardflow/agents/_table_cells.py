"""Lines and cells of laid-out text, and the columns a table header gives them
(:mod:`wardflow.agents._table`): cells are apart by two or more spaces and sit at about
the character column their x position gives."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["VALUE_KINDS", "Cell", "Columns", "Line", "split_lines"]

VALUE_KINDS = ("quantity", "unit_price", "amount")
_CELL = re.compile(r"\S+(?: \S+)*")
_LINE = re.compile(r"[^\n\f]+")


class Cell(NamedTuple):
    start: int
    end: int
    text: str


class Line:
    """A line of the laid-out text; its cells are split on first use (most lines of a
    document are never looked at cell by cell)."""

    __slots__ = ("_cells", "offset", "page", "text")

    def __init__(self, offset: int, text: str, page: int = 0) -> None:
        self.offset, self.text, self.page = offset, text, page
        self._cells: tuple[Cell, ...] | None = None

    @property
    def cells(self) -> tuple[Cell, ...]:
        if self._cells is None:
            self._cells = tuple(
                Cell(m.start(), m.end(), m.group(0)) for m in _CELL.finditer(self.text)
            )
        return self._cells


@dataclass
class Columns:
    """Where the header put each kind of column (character columns of the laid-out line)."""

    spans: dict[str, tuple[int, int]]
    desc_start: int
    desc_end: int

    def distance(self, cell: Cell, kind: str) -> float:
        """How far ``cell`` is from the column of ``kind``: right-aligned numbers end
        near the title's end, left-aligned ones start near its start, so the closest of
        the three distances counts (infinite where the header has no such column)."""
        if kind not in self.spans:
            return float("inf")
        s, e = self.spans[kind]
        centre = (cell.start + cell.end) / 2
        return min(abs(centre - (s + e) / 2), abs(cell.end - e), abs(cell.start - s))

    def nearest(self, cell: Cell) -> str | None:
        kinds = [k for k in (*VALUE_KINDS, "vat", "gross") if k in self.spans]
        return min(kinds, key=lambda k: self.distance(cell, k), default=None)


def split_lines(text: str) -> list[Line]:
    """The non-empty lines of ``text``, with their offsets and page numbers."""
    lines: list[Line] = []
    offset = 0
    for page, part in enumerate(text.split("\f")):
        lines.extend(Line(offset + m.start(), m.group(0), page) for m in _LINE.finditer(part))
        offset += len(part) + 1
    return lines
