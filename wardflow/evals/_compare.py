"""Comparing what a run extracted with what its label expects."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from wardflow.evals._labels import AMOUNT_FIELDS


def _text(value: Any) -> str:
    folded = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(re.sub(r"[.,;:]+(\s|$)", r"\1", folded).split())


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def same(name: str, got: Any, want: Any) -> bool:
    """Whether an extracted value matches the label's (``None`` matches ``None``)."""
    if got is None or want is None:
        return got is None and want is None
    if name in AMOUNT_FIELDS or name in ("quantity", "unit_price", "amount"):
        return _amount(got) is not None and _amount(got) == _amount(want)
    if name == "tax_rate":
        try:
            return abs(float(got) - float(want)) < 1e-6
        except (TypeError, ValueError):
            return False
    if name in ("iban", "vendor_tax_id", "po_number", "invoice_number", "currency"):
        return re.sub(r"\s+", "", str(got)).upper() == re.sub(r"\s+", "", str(want)).upper()
    return _text(got) == _text(want)


def _same_item(got: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    for part in ("quantity", "unit_price", "amount"):
        if want.get(part) is not None and not same(part, got.get(part), want[part]):
            return False
    a, b = set(_text(got.get("description", "")).split()), set(
        _text(want.get("description", "")).split())
    return not b or len(a & b) / len(a | b) >= 0.5


def match_items(got: Sequence[Mapping[str, Any]], want: Sequence[Mapping[str, Any]]) -> int:
    free = list(got)
    hits = 0
    for item in want:
        for index, candidate in enumerate(free):
            if _same_item(candidate, item):
                hits += 1
                del free[index]
                break
    return hits


def reason_given(expected: str, codes: Sequence[str]) -> bool:
    """Whether a run gave an expected reason: the code itself, or one of its family
    (``duplicate`` is given by ``duplicate_invoice_number``)."""
    return any(code == expected or code.startswith(expected + "_") for code in codes)
