"""Merging a model's reading of an invoice with the parsers' fields.

The model is a second, independent reader. Where both agree, confidence rises a
little. Where they disagree, the field is flagged with both values, and the document
decides which reading it supports:

- a value the checks confirm (subtotal + tax = total, one currency...) stands; a model
  value that would fail those checks is noted and set aside;
- otherwise the model's value counts as competing evidence only if it is printed
  in the document right after a label for that field; then the field's confidence
  drops below the review threshold and a human decides;
- a model value that is not in the document, or sits next to another field's label
  (a VAT number offered as the invoice number), is never used: small models invent
  and confuse things.

Where the parsers found nothing, a model value that is printed after the field's label
is adopted at a confidence that still sends the document to review.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field

from wardflow.agents._parsers import (
    AMOUNT_RE,
    DATE_RE,
    INVOICE_DATE_LABELS,
    INVOICE_NUMBER_LABELS,
    TOTAL_LABELS,
    has_label_before,
    parse_amount,
    parse_date,
)
from wardflow.tools.documents import page_of

__all__ = ["ModelInvoice", "merge_model_fields"]

_AGREE_BONUS = 0.03
_AGREE_CAP = 0.99
_DISAGREE_CAP = 0.6
_MODEL_ONLY = 0.7


class ModelInvoice(BaseModel):
    """What the extractor asks the model for (kept small: small models are weak)."""

    # Required (though nullable), so that constrained decoding writes every key.
    # Tight lengths bound how long a confused model can ramble (each generated token
    # costs tens of milliseconds under the JSON grammar).
    vendor_name: str | None = Field(max_length=80)
    invoice_number: str | None = Field(max_length=40)
    invoice_date: str | None = Field(max_length=24)
    currency: str | None = Field(max_length=3)
    total_amount: str | None = Field(max_length=24)


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
        try:
            if amount is None:
                amount = Decimal(value.replace(",", ""))
            return str(amount.quantize(Decimal("0.01")))
        except InvalidOperation:  # not a number, or absurdly long
            return None
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


_LABELS = {
    "invoice_number": INVOICE_NUMBER_LABELS,
    "invoice_date": INVOICE_DATE_LABELS,
    "total": TOTAL_LABELS,
}


def _verified(extraction: Mapping[str, Any], field: str) -> bool:
    """The field passed at least one check and failed none."""
    results = [c["passed"] for c in extraction["checks"] if field in c["fields"]]
    return bool(results) and all(results)


def _supported(field: str, span: tuple[int, int] | None, text: str,
               extraction: Mapping[str, Any]) -> bool:
    """Whether the document backs the model's value as well as it backs the parsers'."""
    if span is None or _verified(extraction, field):
        return False
    if field == "vendor":
        # A vendor matched in the vendor master outranks a model's guess.
        return bool(extraction["fields"]["vendor"]["method"] != "master")
    labels = _LABELS.get(field)
    return labels is not None and has_label_before(text, span[0], labels)


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
            supported = _supported(field, span, text, extraction)
            entry["disagreement"] = {"parser": entry["value"], "model": raw,
                                     "model_in_document": span is not None,
                                     "model_supported": supported}
            if supported:
                entry["confidence"] = min(entry["confidence"], _DISAGREE_CAP)
                entry["notes"].append(f"the model read {raw!r}, which the document also supports")
                disagreements.append(field)
            elif _verified(extraction, field):
                entry["notes"].append(f"the model read {raw!r}; the checks confirm the parsers")
            else:
                entry["notes"].append(f"the model read {raw!r}, which the document does not"
                                      " support as this field")
        elif span is not None and (field in ("vendor", "currency")
                                   or _supported(field, span, text, extraction)):
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
