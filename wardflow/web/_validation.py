"""422 answers that never echo a secret back.

Pydantic reports each error with the ``input`` it refused; for a missing or extra
field that input is the whole object around it. A login body with a typo would then
come back with its password in the response (and in any proxy or browser log).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["safe_errors"]

# A field whose name contains one of these holds a secret.
_SECRET_WORDS = ("password", "secret", "token", "key", "signature", "authorization",
                 "credential")
_MASK = "***"


def _is_secret(name: object) -> bool:
    return isinstance(name, str) and any(word in name.lower() for word in _SECRET_WORDS)


def _scrub(value: object) -> object:
    """``value`` with every secret-named entry of its mappings masked, and infinities
    and NaN as text (JSON has no such numbers: they would make the answer a 500)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _MASK if _is_secret(k) else _scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v) for v in value]
    return value


def safe_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's error list, safe to send back.

    An error on a secret field (a password, a token) loses its ``input`` and ``ctx``
    (which can quote the value); in any other ``input`` the secret-named entries are
    masked. ``ctx`` keeps plain values only (an exception there is not JSON; its text
    is in ``msg`` already).
    """
    safe = []
    for error in errors:
        out = {k: v for k, v in error.items() if k != "url"}
        if any(_is_secret(part) for part in out.get("loc", ())):
            out.pop("input", None)
            out.pop("ctx", None)
        elif "input" in out:
            out["input"] = _scrub(out["input"])
        if isinstance(out.get("ctx"), Mapping):
            out["ctx"] = {k: _scrub(v) for k, v in out["ctx"].items()
                          if isinstance(v, (str, int, float, bool, type(None)))}
        safe.append(out)
    return safe
