"""Amounts of the totals block that no single label gives.

The tax printed as components on consecutive lines ("Total CGST" and "Total SGST", or
one VAT line per rate) is their sum; the total printed without a label on the line under
the tax is the amount that the subtotal and the tax add up to ("Celkem bez DPH 1 000,00",
"DPH 21 % 210,00", then "1 210,00 Kč" alone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from wardflow.agents._candidates import Candidate, amount_candidates
from wardflow.agents._currency import CURRENCY_CELL
from wardflow.agents._parsers import (
    LOOSE_AMOUNT_RE,
    money,
    parse_amount,
)

__all__ = ["summed_tax", "tax_in_sum_row", "unlabelled_total"]

# A component of the tax: a GST part ("CGST", "Total SGST") or a line with its rate.
_PART = re.compile(r"(?<![^\W\d_])(?:[csu]gst|utgst)(?![^\W\d_])", re.IGNORECASE)
_RATE = re.compile(r"\d(?:[.,]\d{1,3})?\s?%")
_CENT = Decimal("0.01")
# A line that holds nothing besides its amount but a currency.
_CURRENCY_ONLY = rf"\s*{CURRENCY_CELL}?\s*"


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at)


def summed_tax(text: str) -> Candidate | None:
    """The sum of two or more tax components printed on consecutive lines, or None when
    the tax is printed on one line (or the lines hold a tax total)."""
    lines = sorted(
        (c for c in amount_candidates(text, "tax") if c.where == "right"), key=lambda c: c.start
    )
    runs: list[list[Candidate]] = []
    for c in lines:
        if runs and _line(text, c.start) - _line(text, runs[-1][-1].start) == 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    for run in runs:
        if len(run) < 2 or not all(_is_part(text, c) for c in run):
            continue
        total = sum((Decimal(c.value) for c in run), Decimal(0))
        label = " + ".join(dict.fromkeys(c.label for c in run))
        return Candidate(str(money(total)), run[0].start, run[-1].end, label, 1, "summed")
    return None


def _is_part(text: str, c: Candidate) -> bool:
    line_start = text.rfind("\n", 0, c.start) + 1
    before = text[line_start : c.start]
    return bool(_PART.search(c.label) or _RATE.search(before))


def unlabelled_total(text: str, subtotal: Decimal, taxes: Sequence[Candidate]) -> Candidate | None:
    """An amount printed alone on one of the two lines under a tax line that equals the
    subtotal plus that tax."""
    for tax in taxes:
        want = subtotal + Decimal(tax.value)
        at = text.find("\n", tax.end)
        for _ in range(2):
            if at == -1:
                break
            end = text.find("\n", at + 1)
            line = text[at + 1 : end if end != -1 else len(text)]
            m = LOOSE_AMOUNT_RE.search(line)
            rest = line[: m.start()] + line[m.end() :] if m else line
            if m and re.fullmatch(_CURRENCY_ONLY, rest):
                value = parse_amount(m.group(0), strict=False)
                if value is not None and abs(value - want) <= _CENT:
                    start = at + 1 + m.start()
                    return Candidate(
                        str(money(value)),
                        start,
                        start + len(m.group(0)),
                        "unlabelled, under the tax",
                        3,
                        "below",
                    )
            at = end
    return None


def tax_in_sum_row(text: str, subtotal_end: int, tax: Decimal) -> Candidate | None:
    """The tax of a table's sum row whose tax column has only rates above it ("Razem:
    3 000,00  690,00  3 690,00" under "Wartość netto  VAT  Wartość brutto"): the amount
    printed next after the subtotal on its line, when it is the total minus the subtotal."""
    line_end = text.find("\n", subtotal_end)
    m = LOOSE_AMOUNT_RE.search(text, subtotal_end, len(text) if line_end == -1 else line_end)
    if m is None or text[subtotal_end : m.start()].strip():
        return None
    value = parse_amount(m.group(0), strict=False)
    if value is None or abs(value - tax) > _CENT:
        return None
    return Candidate(
        str(money(value)), m.start(), m.end(), "sum row, after the subtotal", 2, "right"
    )
