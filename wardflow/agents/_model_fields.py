"""Merging a model's reading of an invoice with the parsers' fields.

The model is a second, independent reader. Where both agree, confidence rises a
little; where they disagree, the field is flagged with both values and, if the
model's value is really printed in the document, its confidence drops below the
review threshold. A model value that is not in the document is never used: a small
model invents things.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field

from wardflow.agents._parsers import AMOUNT_RE, DATE_RE, parse_amount, parse_date
from wardflow.tools.documents import page_of

__all__ = ["ModelInvoice", "merge_model_fields"]

_AGREE_BONUS = 0.03
_AGREE_CAP = 0.99
_DISAGREE_CAP = 0.6
_MODEL_ONLY = 0.7


class ModelInvoice(BaseModel):
    """What the extractor asks the model for (kept small: small models are weak)."""

    vendor_name: str | None = Field(default=None, max_length=200)
    invoice_number: str | None = Field(default=None, max_length=64)
    invoice_date: str | None = Field(default=None, max_length=40)
    currency: str | None = Field(default=None, max_length=8)
    total_amount: str | None = Field(default=None, max_length=40)


FIELD_MAP = {
    "vendor": "vendor_name",
    "invoice_number": "invoice_number",
    "invoice_date": "invoice_date",
    "currency": "currency",
    "total": "total_amount",
}


def _norm(field: str, value: str | None) -> str | None:
    """A comparable form of a value, or None if it cannot be read."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if field == "vendor":
        return re.sub(r"[^0-9a-z]", "", value.casefold()) or None
    if field == "invoice_number":
        return re.sub(r"\s", "", value).upper()
    if field == "invoice_date":
        parsed = parse_date(value) or parse_date(value, month_first=True)
        return parsed.isoformat() if parsed else None
    if field == "currency":
        return value.upper() if re.fullmatch(r"[A-Za-z]{3}", value) else None
    if field == "total":
        amount = parse_amount(re.sub(r"[^\d.,' -]", "", value).strip())
        if amount is None:
            try:
                amount = Decimal(value.replace(",", ""))
            except InvalidOperation:
                return None
        return str(amount.quantize(Decimal("0.01")))
    return value


def _agree(field: str, parser: str | None, model: str | None) -> bool:
    if parser is None or model is None:
        return False
    if field == "vendor":
        return parser in model or model in parser
    return parser == model


def _find(field: str, raw: str, normalised: str, text: str) -> tuple[int, int] | None:
    """Where the model's value is printed in the document, if anywhere."""
    at = text.casefold().find(raw.casefold())
    if at >= 0 and len(raw) >= 2:
        return at, at + len(raw)
    if field == "invoice_date":
        for m in DATE_RE.finditer(text):
            parsed = parse_date(m.group(0)) or parse_date(m.group(0), month_first=True)
            if parsed and parsed.isoformat() == normalised:
                return m.start(), m.end()
    if field == "total":
        for m in AMOUNT_RE.finditer(text):
            amount = parse_amount(m.group(0))
            if amount is not None and str(amount) == normalised:
                return m.start(), m.end()
    return None


def merge_model_fields(
    extraction: Mapping[str, Any], reading: ModelInvoice, text: str, *, required: tuple[str, ...]
) -> dict[str, Any]:
    """A copy of ``extraction`` with the model's reading folded in, field by field."""
    merged = copy.deepcopy(dict(extraction))
    fields = merged["fields"]
    disagreements = []
    for field, attr in FIELD_MAP.items():
        raw = getattr(reading, attr)
        entry = fields[field]
        parser = _norm(field, entry["value"])
        model = _norm(field, raw)
        entry["model_value"] = raw
        if model is None:
            continue
        span = _find(field, raw or "", model, text)
        if parser is not None and _agree(field, parser, model):
            entry["confidence"] = round(min(_AGREE_CAP, max(entry["confidence"],
                                                            entry["confidence"] + _AGREE_BONUS)), 4)
            entry["notes"].append("the model read the same value")
        elif parser is not None:
            entry["disagreement"] = {"parser": entry["value"], "model": raw,
                                     "model_in_document": span is not None}
            if span is not None:
                entry["confidence"] = min(entry["confidence"], _DISAGREE_CAP)
                entry["notes"].append(f"the model read {raw!r}, which is also printed")
                disagreements.append(field)
            else:
                entry["notes"].append(f"the model read {raw!r}, which is not in the document")
        elif span is not None:
            entry.update(value=_adopted(field, model, raw or ""), confidence=_MODEL_ONLY,
                         method="model", evidence={"start": span[0], "end": span[1],
                                                   "page": page_of(text, span[0]),
                                                   "text": text[span[0]:span[1]],
                                                   "label": "model"})
            entry["notes"].append("found by the model only")
    scores = {name: fields[name]["confidence"] for name in required}
    merged["confidence"] = round(min(scores.values()), 4)
    merged["low_confidence"] = sorted(n for n, c in scores.items() if c < 0.90)
    merged["disagreements"] = disagreements
    return merged


def _adopted(field: str, normalised: str, raw: str) -> str:
    # Vendor names keep their printed form; the rest use the normalised form the
    # parsers produce, so downstream code sees one format.
    return raw.strip() if field == "vendor" else normalised
