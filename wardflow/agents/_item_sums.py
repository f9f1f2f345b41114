"""The net sums a table's line items can mean (:mod:`wardflow.agents._table`): all
rows, or only the top rows of bundles, each plus the table's allowances and charges."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from wardflow.agents._parsers import LineItem

__all__ = ["item_sums"]


def item_sums(items: Sequence[LineItem], adjustments: Sequence[Decimal] = ()) -> list[Decimal]:
    """The net sums the items can mean: all rows, and only the top rows where a row is
    a group whose amount the rows after it add up to (a bundle and its parts); each
    plus the table's allowances and charges; and, where rows include their tax, the
    rows without it."""
    extra = sum(adjustments, Decimal(0))
    flat = sum((i.amount for i in items), Decimal(0))
    sums = [flat + extra]
    top = _top_level([i.amount for i in items])
    if top != flat:
        sums.append(top + extra)
    if extra:
        sums.append(flat)
    taxes = sum((i.tax for i in items), Decimal(0))
    if taxes:  # gross rows (a GST table): the net sum is without the tax they include
        sums.append(flat - taxes + extra)
    return sums


def _top_level(amounts: Sequence[Decimal]) -> Decimal:
    """The sum of the rows that are not part of a group (a bundle row whose amount the
    rows right after it add up to, groups nested), from the last row up: linear in
    practice, quadratic at worst."""
    after = list(range(1, len(amounts) + 1))  # after[i]: the index after row i's group
    for i in range(len(amounts) - 1, -1, -1):
        running = Decimal(0)
        j = i + 1
        while j < len(amounts) and running < amounts[i]:
            running += amounts[j]
            j = after[j]
        if j > i + 2 and running == amounts[i] and amounts[i] > 0:
            after[i] = j
    total = Decimal(0)
    i = 0
    while i < len(amounts):
        total += amounts[i]
        i = after[i]
    return total
