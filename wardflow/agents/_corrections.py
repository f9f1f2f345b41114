"""A reviewer's corrections to an extraction: validated, normalised and re-checked
(re-exported by :mod:`wardflow.agents.extractor`)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from wardflow.agents._extract_checks import CENT, FAIL_CAP, REQUIRED_FIELDS, check
from wardflow.agents._parsers import iban_is_valid, money, parse_amount, parse_date
from wardflow.tools.erp import Vendor

__all__ = ["CORRECTABLE_FIELDS", "apply_corrections"]

CORRECTABLE_FIELDS = ("vendor", "invoice_number", "invoice_date", "due_date", "currency",
                      "subtotal", "tax", "total", "iban", "po_number")


def _corrected_value(name: str, raw: str) -> str:
    """The normalised form of a reviewer's value, or ValueError saying what is wrong."""
    value = raw.strip()
    if not value:
        raise ValueError(f"{name}: empty value")
    if name in ("subtotal", "tax", "total"):
        amount = parse_amount(value)
        if amount is None:
            try:
                amount = Decimal(value)
            except ArithmeticError as err:
                raise ValueError(f"{name}: {raw!r} is not an amount") from err
        if abs(amount) > Decimal("1e12"):
            raise ValueError(f"{name}: {raw!r} is not a plausible amount")
        return str(money(amount))
    if name in ("invoice_date", "due_date"):
        parsed = parse_date(value)
        if parsed is None:
            raise ValueError(f"{name}: {raw!r} is not a date (use YYYY-MM-DD)")
        return parsed.isoformat()
    if name == "currency":
        if not re.fullmatch(r"[A-Za-z]{3}", value):
            raise ValueError(f"{name}: {raw!r} is not an ISO currency code")
        return value.upper()
    if name == "iban":
        if not iban_is_valid(value):
            raise ValueError(f"{name}: {raw!r} fails the IBAN checksum")
        return value.replace(" ", "").upper()
    if len(value) > 200:
        raise ValueError(f"{name}: value too long")
    return value


def apply_corrections(
    extraction: Mapping[str, Any], corrections: Mapping[str, str], *, by: str,
    vendors: Sequence[Vendor],
) -> dict[str, Any]:
    """A copy of ``extraction`` with a reviewer's corrections, validated and re-checked.

    Corrected fields carry ``method="reviewer"``; the arithmetic checks are computed
    again from the new values, so a correction that breaks them is visible to the next
    reviewer. Raises ValueError naming the first invalid value.
    """
    unknown = sorted(set(corrections) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise ValueError(f"cannot correct {', '.join(unknown)}; fields: "
                         + ", ".join(CORRECTABLE_FIELDS))
    values = {name: _corrected_value(name, raw) for name, raw in corrections.items()}
    out = copy.deepcopy(dict(extraction))
    fields = out["fields"]
    for name, value in values.items():
        fields[name].update(value=value, confidence=1.0, method="reviewer",
                            evidence={"label": f"corrected by {by}", "text": value},
                            notes=[*fields[name]["notes"], f"corrected by {by}"])
    if "vendor" in values:
        match = next((v for v in vendors if v.name.casefold() == values["vendor"].casefold()), None)
        fields["vendor_id"].update(value=match.id if match else None,
                                   confidence=1.0 if match else 0.0, method="reviewer")
    checks = [c for c in out["checks"] if c["name"] not in ("totals_add_up", "tax_rate_applied")]
    dec = {n: Decimal(fields[n]["value"]) for n in ("subtotal", "tax", "total")
           if fields[n]["value"] is not None}
    if len(dec) == 3:
        ok = abs(dec["subtotal"] + dec["tax"] - dec["total"]) <= CENT
        checks.append(check("totals_add_up", ok, f"subtotal {dec['subtotal']} + tax {dec['tax']}"
                             f" = {dec['subtotal'] + dec['tax']}, total is {dec['total']}",
                             ["subtotal", "tax", "total"]))
        if not ok:
            for n in ("subtotal", "tax", "total"):
                fields[n]["confidence"] = min(fields[n]["confidence"], FAIL_CAP)
    out["checks"] = checks
    required = {n: fields[n]["confidence"] for n in REQUIRED_FIELDS}
    out["confidence"] = round(min(required.values()), 4)
    out["low_confidence"] = sorted(n for n, c in required.items() if c < 0.90)
    out["corrected"] = sorted({*out.get("corrected", []), *values})
    return out
