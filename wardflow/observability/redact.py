"""Masking of payment data before anything is written to a log, a trace or the audit.

This is the last line of defence for observability sinks: payloads are masked even
when the guard layer upstream already tokenised them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["redact"]

_IBAN = re.compile(r"\b([A-Z]{2})\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_SECRET_KEYS = re.compile(r"(?i)(pass(word)?|secret|token|api[_-]?key|authorization)")
# Credentials written inside a value: key=value pairs and well-known key formats.
_SECRET_VALUES = re.compile(
    r"(?i)\b((?:api[_-]?key|password|passwd|secret|token|bearer)\s*[=:]\s*)\S+"
    r"|\b(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,})"
)


def _mask_text(text: str) -> str:
    text = _SECRET_VALUES.sub(lambda m: (m.group(1) or "") + "[redacted]", text)
    text = _IBAN.sub(lambda m: f"{m.group(1)}**…{m.group(0).replace(' ', '')[-4:]}", text)
    return _CARD.sub(lambda m: "****" + re.sub(r"\D", "", m.group(0))[-4:], text)


def redact(value: Any) -> Any:
    """A copy of ``value`` with IBANs and card numbers masked and secret-named keys
    blanked, recursively through dicts, lists and tuples."""
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, Mapping):
        return {
            k: "[redacted]" if isinstance(k, str) and _SECRET_KEYS.search(k) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value
