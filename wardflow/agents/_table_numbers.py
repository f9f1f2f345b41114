"""What the cells of a line-item table read as: numbers with their readings (a grouped
"1,260" is 1260 or 1.26), money, bare numbers and percentages
(:mod:`wardflow.agents._table`). Each is cached by cell text: the same texts come back
on every row and every document."""

from __future__ import annotations

import functools
import re
from decimal import Decimal

from wardflow.agents._parsers import parse_amount

__all__ = [
    "DIGITS",
    "NUMBER",
    "PERCENT",
    "Reading",
    "bare_number",
    "money_cell",
    "rate_cell",
    "read_cell",
]

# (TeX's euro sign without a Unicode map reads as a lone "e" after an amount: "280,00 e")
NUMBER = re.compile(
    r"(?:[A-Z]{3}\s|[€$£]\s?)?(?P<n>[-+]?(?:\d{1,3}(?:[,.'\u00a0 ]\d{3})+(?:[.,]\d{1,4})?|"
    r"\d+(?:[.,]\d{1,4})?))(?:\s?(?P<unit>(?!e$)[^\W\d_][\w.²³/]{0,7}))?"
    r"(?:\s?(?:[A-Z]{3}|[€$£]|(?<=\d[.,]\d\d\s)e))?"
)
PERCENT = re.compile(r"[-+]?\d{1,2}(?:[.,]\d{1,2})?\s?%")
# A tax rate: "18", "7.025%", "12,5 %" (at most 100).
_RATE = re.compile(r"(\d{1,3}(?:[.,]\d{1,3})?)\s?%?")
# An amount in parentheses is negative (accounting style): "($100)", "(1.234,50 €)".
_PARENS = re.compile(r"\((?P<inner>[^()]+)\)")


def _signed(text: str) -> str:
    """``text`` with an amount in parentheses written with a minus: "($100)" -> "$-100"."""
    m = _PARENS.fullmatch(text.strip())
    if m is None:
        return text
    inner = m.group("inner").strip()
    found = NUMBER.fullmatch(inner)
    if found is None or found.group("unit") or found.group("n")[0] in "+-":
        return text
    return inner[: found.start("n")] + "-" + inner[found.start("n") :]


@functools.lru_cache(maxsize=4096)
def rate_cell(text: str) -> Decimal | None:
    """The tax rate a cell reads as ("18", "7.025%"), ``None`` if it is none."""
    m = _RATE.fullmatch(text.strip())
    if m is None:
        return None
    rate = Decimal(m.group(1).replace(",", "."))
    return rate if 0 < rate <= 100 else None


@functools.lru_cache(maxsize=4096)
def money_cell(text: str) -> Decimal | None:
    m = NUMBER.fullmatch(_signed(text).strip())
    if m is None or m.group("unit"):
        return None
    return parse_amount(m.group("n").lstrip("+"), strict=True)


@functools.lru_cache(maxsize=4096)
def bare_number(text: str) -> bool:
    m = NUMBER.fullmatch(_signed(text))
    return (m is not None and not m.group("unit")) or PERCENT.fullmatch(text) is not None


# A number cell's readings, their floats, whether a unit word follows, whether it is
# signed, and its mark: a unit word ("3 Stk") or a whole number marks a quantity.
Reading = tuple[tuple[Decimal, ...], tuple[float, ...], bool, bool, int]
DIGITS = re.compile(r"\d+(?:[.,' ]\d+)*")
_GROUPED = re.compile(r"-?\d{1,3}(?:[,.' ]\d{3})+")


@functools.lru_cache(maxsize=4096)
def read_cell(text: str) -> Reading | None:
    """What a cell's text reads as a number (``None``: not a number); the same cell
    texts come back on every row and every document."""
    # (a date never reads as one number: "17.02.2026", "02/17/26" do not match)
    text = _signed(text)
    m = NUMBER.fullmatch(text)
    if m is None:
        return None
    raw = m.group("n").lstrip("+")
    values: list[Decimal] = []
    if _GROUPED.fullmatch(raw):  # "1,260": 1260 or 1.26
        values.append(Decimal(re.sub(r"[,.' ]", "", raw)))
    value = parse_amount(raw, strict=False)
    if value is not None and value not in values:
        values.append(value)
    if not values:
        return None
    unit = bool(m.group("unit"))
    mark = 2 if unit else 1 if values[-1] == values[-1].to_integral_value() else 0
    return (
        tuple(values),
        tuple(map(float, values)),
        unit,
        raw.startswith("-") or text.startswith("+"),
        mark,
    )
