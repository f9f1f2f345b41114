"""XML plumbing of :mod:`wardflow.tools.einvoice`: stepping through a parsed CII or UBL
tree by local names, each element's XPath, and the value parsers (decimals, dates,
compact identifiers) the readers share."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def _local(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class _Reader:
    """Steps through an XML tree by local names (CII D16B, ZUGFeRD 1 and UBL differ in
    namespaces, not in how they nest) and records each field's element path."""

    def __init__(self, tree: Any) -> None:
        self.tree = tree
        self.root = tree.getroot()
        self.paths: dict[str, str] = {}
        self.xpaths = _xpaths(tree)

    def all(self, start: Any, path: str) -> list[Any]:
        """Elements under ``start`` along ``path``: local names joined by ``/``, each
        step may list alternatives with ``|``."""
        found = [start]
        for step in path.split("/"):
            names = set(step.split("|"))
            found = [child for node in found for child in node if _local(child) in names]
        return found

    def one(self, start: Any, path: str, where: Callable[[Any], bool] | None = None) -> Any:
        for element in self.all(start, path):
            if where is None or where(element):
                return element
        return None

    def text(self, start: Any, path: str, field_name: str | None = None,
             where: Callable[[Any], bool] | None = None) -> str | None:
        element = self.one(start, path, where)
        if element is None or element.text is None or not element.text.strip():
            return None
        if field_name is not None:
            self.paths[field_name] = self.xpaths[element]
        return " ".join(element.text.split())

    def amount(self, start: Any, path: str, field_name: str | None = None,
               currency: str | None = None) -> Decimal | None:
        """An amount; where several elements match (a tax total in two currencies),
        the one in ``currency``."""
        elements = self.all(start, path)
        if currency is not None and len(elements) > 1:
            elements = sorted(elements, key=lambda e: e.get("currencyID") != currency)
        for element in elements:
            value = _decimal(element.text)
            if value is not None:
                if field_name is not None:
                    self.paths[field_name] = self.xpaths[element]
                return value
        return None

    def path(self, element: Any) -> str:
        return self.xpaths[element]


def _xpaths(tree: Any) -> dict[Any, str]:
    """Every element's XPath with the document's own prefixes (``/Invoice/cac:TaxTotal[2]``
    for a default namespace, where lxml's ``getpath`` writes ``*``), in one pass (lxml's
    ``getpath`` counts siblings anew for each element: quadratic on long invoices)."""
    root = tree.getroot()
    paths: dict[Any, str] = {root: "/" + _name(root)}
    stack = [root]
    while stack:
        parent = stack.pop()
        children = [c for c in parent if isinstance(c.tag, str)]
        counts: dict[str, int] = {}
        for child in children:
            counts[child.tag] = counts.get(child.tag, 0) + 1
        seen: dict[str, int] = {}
        prefix = paths[parent]
        for child in children:
            step = _name(child)
            if counts[child.tag] > 1:
                seen[child.tag] = seen.get(child.tag, 0) + 1
                step = f"{step}[{seen[child.tag]}]"
            paths[child] = f"{prefix}/{step}"
            stack.append(child)
    return paths


def _name(element: Any) -> str:
    local = _local(element)
    return f"{element.prefix}:{local}" if element.prefix else local


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str | None) -> date | None:
    """CII format 102 (``20240131``) or ISO (``2024-01-31``, UBL and CII 'udt:Date')."""
    if not text:
        return None
    digits = text.strip()
    try:
        if re.fullmatch(r"\d{8}", digits):
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        return date.fromisoformat(digits[:10])
    except ValueError:
        return None


def _compact(value: str | None) -> str | None:
    return re.sub(r"\s+", "", value).upper() if value else None


def _text_view(tree: Any, xpaths: Mapping[Any, str]) -> str:
    """One ``path: value`` line per element with text, in document order."""
    lines = []
    for element in tree.getroot().iter():
        if not isinstance(element.tag, str) or element.text is None:
            continue
        value = " ".join(element.text.split())
        if value:
            lines.append(f"{xpaths[element]}: {value}")
    return "\n".join(lines)
