"""Filters in a request ("only the Nordlicht invoices", "dated after 2026-09-01",
"under 1,000 EUR", "the new ones"), and the words of a request nobody answered for.

The planner reads a request by consuming what it understands: each rule that matches
blanks its span. Whatever is left, bar filler words, is a part of the request that would
otherwise be dropped in silence, so the plan is refused with that part named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wardflow.errors import WardflowError

__all__ = ["DocumentFilter", "FilterError", "consume", "leftover", "read_filters"]

STATUSES = ("new", "awaiting_review", "posted", "failed")


class FilterError(WardflowError, ValueError):
    """A filter was recognised but its value cannot be used (an unknown vendor, ...)."""


@dataclass(frozen=True)
class DocumentFilter:
    """Which documents of a folder a plan handles. Empty: all of them.

    Vendor, date and amount are read from each document (the deterministic extractor)
    before anything runs; status is the state of the document's run, if any.
    """

    vendor_ids: tuple[str, ...] = ()
    vendor_names: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    statuses: tuple[str, ...] = ()
    phrases: tuple[str, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.vendor_ids or self.vendor_names or self.date_from or self.date_to
                    or self.amount_min is not None or self.amount_max is not None
                    or self.statuses)

    def needs_reading(self) -> bool:
        """Whether the documents must be read (not only their run state) to filter."""
        return bool(self.vendor_ids or self.vendor_names or self.date_from or self.date_to
                    or self.amount_min is not None or self.amount_max is not None)

    def describe(self) -> str:
        parts = []
        if self.vendor_names:
            parts.append("from " + " or ".join(self.vendor_names))
        if self.date_from:
            parts.append(f"dated on or after {self.date_from.isoformat()}")
        if self.date_to:
            parts.append(f"dated on or before {self.date_to.isoformat()}")
        if self.amount_min is not None:
            parts.append(f"with a total of at least {self.amount_min}")
        if self.amount_max is not None:
            parts.append(f"with a total of at most {self.amount_max}")
        if self.statuses:
            parts.append("whose run is " + " or ".join(s.replace("_", " ")
                                                         for s in self.statuses))
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "vendor_ids": list(self.vendor_ids), "vendor_names": list(self.vendor_names),
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "amount_min": None if self.amount_min is None else str(self.amount_min),
            "amount_max": None if self.amount_max is None else str(self.amount_max),
            "statuses": list(self.statuses),
        }

    def admits(self, fields: Mapping[str, Any], status: str) -> str | None:
        """None when a document with these extracted ``fields`` (value per name) and run
        ``status`` passes; otherwise why not."""
        if self.statuses and status not in self.statuses:
            return f"its run is {status.replace('_', ' ')}"
        if self.vendor_ids or self.vendor_names:
            vid, name = fields.get("vendor_id"), str(fields.get("vendor") or "")
            if not (vid in self.vendor_ids or any(_names_match(n, name)
                                                  for n in self.vendor_names)):
                return f"vendor {name or 'not recognised'}"
        if self.date_from or self.date_to:
            try:
                day = date.fromisoformat(str(fields.get("invoice_date")))
            except ValueError:
                return "no invoice date could be read"
            if (self.date_from and day < self.date_from) or (self.date_to and day > self.date_to):
                return f"dated {day.isoformat()}"
        if self.amount_min is not None or self.amount_max is not None:
            try:
                total = Decimal(str(fields.get("total")))
            except ArithmeticError:
                return "no total could be read"
            if ((self.amount_min is not None and total < self.amount_min)
                    or (self.amount_max is not None and total > self.amount_max)):
                return f"total {total}"
        return None


def _names_match(wanted: str, name: str) -> bool:
    """Whether ``wanted`` names this vendor: its words start the name's words in order."""
    words = re.findall(r"\w+", name.casefold())
    asked = re.findall(r"\w+", wanted.casefold())
    return bool(asked) and any(words[i:i + len(asked)] == asked
                               for i in range(len(words) - len(asked) + 1))


_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DATE = (rf"(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}\.? {_MONTHS} \d{{4}}|{_MONTHS} \d{{1,2}},? \d{{4}}"
         rf"|{_MONTHS} \d{{4}})")
_AMOUNT = r"(?:EUR|USD|GBP|CHF|€|\$|£)?\s*\d[\d.,']*(?:\s*(?:EUR|USD|GBP|CHF|€|\$|£))?"
_DOCS = r"(?:invoices?|documents?|files?|ones|bills?)"

_VENDOR_ONLY = re.compile(rf"\bonly (?:the )?(?P<v>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)*)"
                          rf"(?:'s)? {_DOCS}\b")
_VENDOR_FROM = re.compile(rf"\b(?:{_DOCS} )?(?:from|by|of) (?:the )?(?:vendor|supplier)s? "
                          r"(?P<v>[\w&.'-]+(?: [A-Z][\w&.'-]*)*)|\b(?:issued by|from) "
                          r"(?P<w>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*)*)\b(?!/)")
_BETWEEN_DATES = re.compile(rf"\b(?:dated |issued )?between (?P<a>{_DATE}) and (?P<b>{_DATE})",
                            re.IGNORECASE)
_DATE_FROM = re.compile(rf"\b(?:dated |issued )?(?:on or after|after|since|from) (?P<d>{_DATE})",
                        re.IGNORECASE)
_DATE_TO = re.compile(rf"\b(?:dated |issued )?(?:on or before|before|until|up to) (?P<d>{_DATE})",
                      re.IGNORECASE)
_DATE_IN = re.compile(rf"\b(?:dated |issued )?in (?P<d>{_MONTHS} \d{{4}})", re.IGNORECASE)
_BETWEEN_AMOUNTS = re.compile(rf"\b(?:(?:with a |with |whose )?totals? |totall?ing |of )?between"
                              rf" (?P<a>{_AMOUNT}) and (?P<b>{_AMOUNT})", re.IGNORECASE)
_AMOUNT_MAX = re.compile(rf"\b(?:(?:with a |with |whose )?totals? |totall?ing |of )?(?:under|below|"
                         rf"less than|at most|up to) (?P<a>{_AMOUNT})", re.IGNORECASE)
_AMOUNT_MIN = re.compile(rf"\b{_DOCS} (?:(?:with a |with |whose )?totals? |totall?ing |of )?"
                         rf"(?:over|above|more than|at least) (?P<a>{_AMOUNT})", re.IGNORECASE)
_STATUS = re.compile(
    r"\b(?:that are |which are |still )?(?P<s>new|unprocessed|not yet processed|failed|posted|"
    r"awaiting review|waiting for review|pending review|in review)\b", re.IGNORECASE)
_STATUS_NAMES = {"new": "new", "unprocessed": "new", "not yet processed": "new",
                 "failed": "failed", "posted": "posted", "awaiting review": "awaiting_review",
                 "waiting for review": "awaiting_review", "pending review": "awaiting_review",
                 "in review": "awaiting_review"}

# Words that carry no condition of their own.
_FILLER = frozenset("""
a an the all every each any of my our your their this these those please now then and also
just kindly can could would you me us for to in into from at under on with by that which are
is be it them there here it's let's i we ones one invoices invoice documents document files file
pdfs pdf bills bill folder folders directory inbox new_ thanks thank
""".split())


def consume(pattern: re.Pattern[str], text: str) -> tuple[list[re.Match[str]], str]:
    """Every match of ``pattern`` in ``text``, and ``text`` with them blanked out."""
    found = list(pattern.finditer(text))
    for m in reversed(found):
        text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return found, text


_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%B %Y", "%b %Y")


def _day(text: str, *, end: bool = False) -> date:
    """A date as written in a request; a month alone is its first (or, as an ``end``,
    its last) day."""
    import calendar

    cleaned = re.sub(r"[.,]", "", text).strip()
    cleaned = re.sub(r"\bsept\b", "sep", cleaned, flags=re.IGNORECASE)
    for fmt in _FORMATS:
        try:
            day = datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
        if end and "%d" not in fmt:
            day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return day
    raise FilterError(f"{text!r} is not a date")


def _money(text: str) -> Decimal:
    digits = re.sub(r"[^\d.,']", "", text).replace("'", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", digits):
        digits = re.sub(r"[.,]", "", digits)
    else:
        digits = digits.replace(",", ".")
    try:
        value = Decimal(digits)
    except ArithmeticError as err:
        raise FilterError(f"{text.strip()!r} is not an amount") from err
    if not value.is_finite() or value < 0 or value > Decimal("1e9"):
        raise FilterError(f"{text.strip()!r} is not a sensible amount")
    return value


def _vendor(wanted: str, vendors: Sequence[tuple[str, str]] | None) -> tuple[str, ...]:
    if vendors is None:
        return ()
    ids = tuple(vid for vid, name in vendors
                if vid.casefold() == wanted.casefold() or _names_match(wanted, name))
    if not ids:
        raise FilterError(f"no vendor in the ERP is called {wanted!r} (`wardflow erp vendors`"
                          " lists them)")
    return ids


def read_filters(text: str, vendors: Sequence[tuple[str, str]] | None
                 ) -> tuple[DocumentFilter, str]:
    """The filters in ``text``, and ``text`` with them blanked out.

    Raises:
        FilterError: a filter whose value is not usable.
    """
    values: dict[str, Any] = {}
    phrases: list[str] = []
    names: list[str] = []
    ids: list[str] = []
    for pattern in (_VENDOR_ONLY, _VENDOR_FROM):
        found, text = consume(pattern, text)
        for m in found:
            wanted = (m.groupdict().get("v") or m.groupdict().get("w") or "").strip()
            names.append(wanted)
            ids.extend(_vendor(wanted, vendors))
            phrases.append(m.group(0))
    found, text = consume(_BETWEEN_DATES, text)
    for m in found:
        values["date_from"], values["date_to"] = _day(m["a"]), _day(m["b"], end=True)
        phrases.append(m.group(0))
    for pattern, key in ((_DATE_FROM, "date_from"), (_DATE_TO, "date_to")):
        found, text = consume(pattern, text)
        for m in found:
            values[key] = _day(m["d"], end=key == "date_to")
            phrases.append(m.group(0))
    found, text = consume(_DATE_IN, text)
    for m in found:
        values["date_from"], values["date_to"] = _day(m["d"]), _day(m["d"], end=True)
        phrases.append(m.group(0))
    found, text = consume(_BETWEEN_AMOUNTS, text)
    for m in found:
        values["amount_min"], values["amount_max"] = _money(m["a"]), _money(m["b"])
        phrases.append(m.group(0))
    for pattern, key in ((_AMOUNT_MAX, "amount_max"), (_AMOUNT_MIN, "amount_min")):
        found, text = consume(pattern, text)
        for m in found:
            values[key] = _money(m["a"])
            phrases.append(m.group(0))
    found, text = consume(_STATUS, text)
    statuses = sorted({_STATUS_NAMES[m["s"].lower()] for m in found})
    phrases.extend(m.group(0) for m in found)
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values[
            "date_to"]:
        raise FilterError("the date range is empty (its start is after its end)")
    if (values.get("amount_min") is not None and values.get("amount_max") is not None
            and values["amount_min"] > values["amount_max"]):
        raise FilterError("the amount range is empty (its minimum is above its maximum)")
    result = DocumentFilter(vendor_ids=tuple(dict.fromkeys(ids)),
                            vendor_names=tuple(dict.fromkeys(names)),
                            statuses=tuple(statuses), phrases=tuple(phrases), **values)
    return result, text


def leftover(text: str) -> str | None:
    """The parts of ``text`` (with recognised spans blanked) that carry meaning, each as
    the phrase it forms, or None when only filler words are left."""
    phrases = []
    for segment in re.split(r"\s{2,}", text):
        words = [w.strip(",;:!?\"()") for w in segment.split()]
        content = [i for i, w in enumerate(words) if w.rstrip(".").lower() not in _FILLER
                   and w.strip(".")]
        if content:
            phrases.append(" ".join(words[content[0]:content[-1] + 1]).rstrip("."))
    return "; ".join(f"'{p}'" for p in phrases) or None
