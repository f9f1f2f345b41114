"""The extraction of an e-invoice: fields from its XML, checked, and compared with the
page the PDF shows.

The parsers have already read the visible text (``extract_invoice``); this module puts
the XML's values in their place (method ``xml``, evidence naming the element path),
runs the consistency checks on them (an XML can be wrong too: its sums and tax are
checked like any other reading), and compares what the page shows with what the XML
says. A PDF whose visible total, IBAN or seller differs from its XML is a known fraud
pattern (the page a human checks is not what the payment run reads); the differences
are listed in ``extraction["einvoice"]["mismatches"]`` for the risk agent.

Confidence is earned as in the extractor: an XML value starts at 0.97 (exact, but
only as right as the issuer's software), a passed check lifts the fields it covers to
0.99, a failed one caps them at 0.50, and a value the visible page also prints is
lifted to 0.99.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wardflow.tools.einvoice import EInvoice

if TYPE_CHECKING:
    from wardflow.agents.extractor import ExtractionPolicy
    from wardflow.tools.erp import Vendor

__all__ = ["merge_einvoice", "printed_amount", "printed_ibans", "printed_name"]

_BASE = 0.97
_PASS_FLOOR = 0.99
_FAIL_CAP = 0.5
_CENT = Decimal("0.01")
# The fields whose visible/XML difference is a risk signal (what gets paid, to whom).
COMPARED = ("total", "iban", "vendor")
_FIELDS = ("vendor", "vendor_tax_id", "invoice_number", "invoice_date", "due_date",
           "currency", "subtotal", "tax", "tax_rate", "total", "iban", "bic", "po_number")


def merge_einvoice(
    extraction: Mapping[str, Any], invoice: EInvoice, *, text: str, vendors: Sequence[Vendor],
    policy: ExtractionPolicy, standalone: bool, required: Sequence[str],
) -> dict[str, Any]:
    """The extraction with the e-invoice's values in place of the parsers'.

    Args:
        extraction: the parsers' reading of ``text`` (``extract_invoice``).
        invoice: the e-invoice read from the XML.
        text: the document's text: the visible page, or the XML's text view when the
            document is a standalone XML.
        vendors: the vendor master, to set ``vendor_id``.
        policy: today's date and the date sanity bounds.
        standalone: the document is the XML itself (nothing visible to compare with;
            evidence spans point into the text view).
        required: the fields the document's confidence is the minimum of.

    Returns:
        A new extraction dict; ``einvoice`` holds the XML's summary, the visible
        readings it was compared with and the ``mismatches``.
    """
    out = copy.deepcopy(dict(extraction))
    fields: dict[str, Any] = out["fields"]
    visible = {name: (fields.get(name) or {}).get("value") for name in _FIELDS}
    _place_values(fields, invoice, text, standalone)
    _match_vendor(fields, vendors, invoice)
    if invoice.line_items or standalone:
        out["line_items"] = [_line(invoice, line, text, standalone)
                             for line in invoice.line_items]
    checks = _checks(invoice, policy)
    _apply_checks(fields, checks)
    mismatches: list[dict[str, Any]] = []
    agreed: list[str] = []
    if not standalone:
        mismatches, agreed = _compare(invoice, text, visible)
        for name in agreed:
            spec = fields[name]
            spec["notes"].append("the visible page prints the same value")
            if not any(c["name"] in spec["checks"] and not c["passed"] for c in checks):
                spec["confidence"] = max(spec["confidence"], _PASS_FLOOR)
    if invoice.credit_note:
        fields["total"]["notes"].append(
            f"a credit note (type code {invoice.type_code}): the amounts are credits")
    out["einvoice"] = {
        **invoice.to_dict(), "source": "standalone" if standalone else "embedded",
        "visible": {} if standalone else visible, "visible_checks": extraction.get("checks", []),
        "agreed": agreed, "mismatches": mismatches,
    }
    out["checks"] = checks
    scores = {name: float((fields.get(name) or {}).get("confidence", 0.0)) for name in required}
    out["confidence"] = round(min(scores.values()), 4) if scores else 0.0
    out["low_confidence"] = sorted(n for n, c in scores.items() if c < 0.90)
    return out


def _place_values(fields: dict[str, Any], invoice: EInvoice, text: str,
                  standalone: bool) -> None:
    """Put the XML's values in place of the parsers' (a standalone XML's missing ones
    are missing; an embedded one's leave the page's reading)."""
    values = _values(invoice)
    for name in _FIELDS:
        value = values.get(name)
        if value is None:
            if standalone or name not in fields:
                fields[name] = _missing()
            continue
        fields[name] = {"value": value, "confidence": _BASE, "method": "xml",
                        "evidence": _evidence(invoice, name, value, text, standalone),
                        "checks": [], "notes": []}


def _apply_checks(fields: dict[str, Any], checks: Sequence[Mapping[str, Any]]) -> None:
    """Move the XML fields' confidence by the checks covering them: passes first, then
    failures, so that one failed check outweighs any number of passes."""
    for check in sorted(checks, key=lambda c: not c["passed"]):
        for name in check["fields"]:
            spec = fields.get(name)
            if spec is None or spec["value"] is None or spec["method"] != "xml":
                continue
            spec["checks"].append(check["name"])
            if check["passed"]:
                spec["confidence"] = max(spec["confidence"], _PASS_FLOOR)
            else:
                spec["confidence"] = min(spec["confidence"], _FAIL_CAP)
                spec["notes"].append(check["detail"])


def _values(invoice: EInvoice) -> dict[str, str | None]:
    def text(value: Any) -> str | None:
        if value is None:
            return None
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        return str(value)

    return {name: text(getattr(invoice, name)) for name in _FIELDS}


def _missing() -> dict[str, Any]:
    return {"value": None, "confidence": 0.0, "method": "missing", "evidence": None,
            "checks": [], "notes": []}


def _evidence(invoice: EInvoice, name: str, value: str, text: str,
              standalone: bool) -> dict[str, Any]:
    path = invoice.paths.get(name, "")
    evidence: dict[str, Any] = {"label": f"XML {path}", "path": path, "text": value,
                                "source": "einvoice", "attachment": invoice.attachment}
    if standalone and path:
        # The text view has one "path: value" line per element; point at the value.
        # (Numbers and dates are cited as the XML writes them.)
        line = f"{path}: "
        at = text.find("\n" + line)
        start = (at + 1 if at >= 0 else (0 if text.startswith(line) else -1))
        if start >= 0:
            begin = start + len(line)
            end = text.find("\n", begin)
            end = len(text) if end < 0 else end
            evidence.update(start=begin, end=end, page=1, text=text[begin:end])
    return evidence


def _line(invoice: EInvoice, line: Any, text: str, standalone: bool) -> dict[str, Any]:
    evidence: dict[str, Any] = {"path": line.path, "source": "einvoice"}
    if standalone:
        at = text.find(line.path + "/")
        if at >= 0:
            end = text.find("\n", at)
            evidence.update(start=at, end=len(text) if end < 0 else end, page=1)
    item = {"description": line.description,
            "quantity": None if line.quantity is None else str(line.quantity),
            "unit_price": None if line.unit_price is None else str(line.unit_price),
            "amount": None if line.amount is None else str(line.amount),
            "evidence": evidence}
    if line.line_id is not None:
        item["line_id"] = line.line_id
    if line.parent_line_id is not None:
        item["parent_line_id"] = line.parent_line_id
    return item


def _norm_id(value: str | None) -> str:
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def _match_vendor(fields: dict[str, Any], vendors: Sequence[Vendor], invoice: EInvoice) -> None:
    """``vendor_id`` from the vendor master: by VAT id, else by the exact name."""
    tax_id, name = _norm_id(invoice.vendor_tax_id), _fold(invoice.vendor or "")
    match, how = None, ""
    if tax_id:
        match = next((v for v in vendors if v.tax_id and _norm_id(v.tax_id) == tax_id), None)
        how = "tax id"
    if match is None and name:
        match = next((v for v in vendors if _fold(v.name) == name), None)
        how = "vendor name"
    if match is None:
        if invoice.vendor is not None:
            fields["vendor_id"] = _missing()
        return
    evidence = fields["vendor"]["evidence"] if invoice.vendor else None
    fields["vendor_id"] = {"value": match.id, "confidence": _PASS_FLOOR if how == "tax id"
                           else _BASE, "method": "master",
                           "evidence": evidence, "checks": [], "notes": [
                               f"matched in the vendor master by {how}"]}


# Checks ---------------------------------------------------------------------------------
def _check(name: str, passed: bool, detail: str, fields: Sequence[str]) -> dict[str, Any]:
    return {"name": name, "passed": passed, "detail": detail, "fields": list(fields)}


def _checks(invoice: EInvoice, policy: ExtractionPolicy) -> list[dict[str, Any]]:
    """The EN 16931 arithmetic (BR-CO-10..16), dates and currency, on the XML's values."""
    inv = invoice
    checks = [*_total_checks(inv), *_tax_checks(inv)]
    if inv.total is not None and inv.amount_due is not None:
        due = inv.total - (inv.prepaid or 0) + (inv.rounding or 0)
        checks.append(_check(
            "amount_due", abs(due - inv.amount_due) <= _CENT,
            f"total {inv.total} - prepaid {inv.prepaid or 0} + rounding {inv.rounding or 0} ="
            f" {due}, amount due is {inv.amount_due}", ["total"]))
    if inv.invoice_date is not None:
        too_new = inv.invoice_date > policy.today
        too_old = inv.invoice_date < policy.today - timedelta(days=policy.max_invoice_age_days)
        detail = ("invoice date is in the future" if too_new
                  else f"invoice date is more than {policy.max_invoice_age_days} days old"
                  if too_old else "invoice date is plausible")
        checks.append(_check("date_sane", not (too_new or too_old), detail, ["invoice_date"]))
    if inv.invoice_date is not None and inv.due_date is not None:
        checks.append(_check("due_after_issue", inv.due_date >= inv.invoice_date,
                             f"due {inv.due_date.isoformat()}, issued"
                             f" {inv.invoice_date.isoformat()}", ["due_date"]))
    if inv.currency is not None:
        others = sorted(inv.other_currencies)
        checks.append(_check("currency_consistent", not others,
                             f"amounts in {', '.join(others)} besides {inv.currency}" if others
                             else f"every amount is in {inv.currency}", ["currency"]))
    return checks


def _total_checks(inv: EInvoice) -> list[dict[str, Any]]:
    """The lines against the line total (or subtotal), the net total against the tax
    basis, and subtotal plus tax against the total."""
    checks: list[dict[str, Any]] = []
    top = [line for line in inv.line_items if line.parent_line_id is None]
    if top and all(line.amount is not None for line in top):
        lines = sum((line.amount for line in top if line.amount is not None), Decimal(0))
        target, name = (inv.line_total, "line total") if inv.line_total is not None else (
            inv.subtotal, "subtotal")
        if target is not None:
            # Only the lines are in question here; the totals have checks of their own.
            checks.append(_check("line_items_sum", abs(lines - target) <= _CENT,
                                 f"line items add up to {lines}, {name} is {target}",
                                 ["subtotal"] if target is inv.subtotal else []))
    if inv.line_total is not None and inv.subtotal is not None:
        net = inv.line_total - (inv.allowance_total or 0) + (inv.charge_total or 0)
        checks.append(_check(
            "net_total", abs(net - inv.subtotal) <= _CENT,
            f"line total {inv.line_total} - allowances {inv.allowance_total or 0} + charges"
            f" {inv.charge_total or 0} = {net}, tax basis is {inv.subtotal}", ["subtotal"]))
    if inv.subtotal is not None and inv.tax is not None and inv.total is not None:
        checks.append(_check(
            "totals_add_up", abs(inv.subtotal + inv.tax - inv.total) <= _CENT,
            f"subtotal {inv.subtotal} + tax {inv.tax} = {inv.subtotal + inv.tax}, total is"
            f" {inv.total}", ["subtotal", "tax", "total"]))
    return checks


def _tax_checks(inv: EInvoice) -> list[dict[str, Any]]:
    """The tax breakdown against the tax total, and each rate against its basis."""
    checks: list[dict[str, Any]] = []
    taxes = [t for t in inv.taxes if t.amount is not None]
    if taxes and inv.tax is not None:
        summed = sum((t.amount for t in taxes if t.amount is not None), Decimal(0))
        checks.append(_check("tax_breakdown_sum", abs(summed - inv.tax) <= _CENT,
                             f"the tax breakdown adds up to {summed}, tax total is {inv.tax}",
                             ["tax"]))
    wrong = [t for t in taxes if t.amount is not None and t.rate is not None
             and t.basis is not None and abs(_percent(t.basis, t.rate) - t.amount) > _CENT]
    rated = [t for t in taxes if t.rate is not None and t.basis is not None]
    if rated:
        detail = "; ".join(f"{t.rate}% of {t.basis} is {_percent(t.basis, t.rate):.2f},"
                           f" tax shown is {t.amount}" for t in (wrong or rated))
        checks.append(_check("tax_rate_applied", not wrong, detail, ["tax", "tax_rate"]))
    return checks


def _percent(basis: Decimal | None, rate: Decimal | None) -> Decimal:
    return (basis or Decimal(0)) * (rate or Decimal(0)) / 100


# Visible page vs XML ----------------------------------------------------------------------
def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w&]+", " ", folded).split())


def printed_name(name: str, text: str) -> bool:
    """Whether ``name`` is printed in ``text`` (case, punctuation and line breaks aside)."""
    wanted = _fold(name)
    return bool(wanted) and f" {wanted} " in f" {_fold(text)} "


_SPACES = re.compile(r"[\u00a0\u202f\u2009 ]")


def _renderings(amount: Decimal) -> set[str]:
    """How an amount is printed in the usual locales (1,005.55 / 1.005,55 / 1 005,55 /
    1'005.55 / 1005.55)."""
    value = abs(amount).quantize(_CENT)
    whole, cents = f"{value:.2f}".split(".")
    groups: list[str] = []
    rest = whole
    while len(rest) > 3:
        groups.insert(0, rest[-3:])
        rest = rest[:-3]
    groups.insert(0, rest)
    out = {f"{whole}.{cents}", f"{whole},{cents}"}
    for sep, dec in ((",", "."), (".", ","), (" ", ","), (" ", "."), ("'", ".")):
        out.add(sep.join(groups) + dec + cents)
    return out


def printed_amount(amount: Decimal, text: str) -> bool:
    """Whether ``amount`` is printed in ``text`` as a whole number (not inside a longer
    one), in any usual locale style, signed or not."""
    flat = _SPACES.sub(" ", text)
    for rendering in _renderings(amount):
        for m in re.finditer(re.escape(rendering), flat):
            before = flat[max(0, m.start() - 2):m.start()]
            after = flat[m.end():m.end() + 2]
            if re.search(r"\d$|\d[.,' ]$", before) or re.match(r"^\d|^[.,]\d", after):
                continue
            return True
    return False


_IBAN_LIKE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,30}")


def _iban_valid(iban: str) -> bool:
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def printed_ibans(text: str) -> list[str]:
    """The valid IBANs printed in ``text`` (compact), in order. A run of characters
    that looks like one is cut back until its checksum holds, so a following word
    does not spoil it."""
    found: list[str] = []
    for m in _IBAN_LIKE.finditer(text.upper()):
        compact = m.group(0).replace(" ", "")
        for end in range(len(compact), 13, -1):
            if _iban_valid(compact[:end]):
                if compact[:end] not in found:
                    found.append(compact[:end])
                break
    return found


def _compare(invoice: EInvoice, text: str, visible: Mapping[str, Any]
             ) -> tuple[list[dict[str, Any]], list[str]]:
    """Which of the XML's values the page prints, and which it contradicts."""
    mismatches: list[dict[str, Any]] = []
    agreed: list[str] = []

    def differ(name: str, xml: str, shown: Any, detail: str) -> None:
        mismatches.append({"field": name, "xml": xml, "visible": shown, "detail": detail})

    if invoice.total is not None:
        if printed_amount(invoice.total, text):
            agreed.append("total")
        else:
            differ("total", str(invoice.total), visible.get("total"),
                   f"the XML's total {invoice.total} is not printed on the page (the page"
                   f" reads {visible.get('total') or 'no total'})")
    if invoice.iban is not None:
        shown = printed_ibans(text)
        if invoice.iban in shown:
            agreed.append("iban")
        elif shown:
            differ("iban", invoice.iban, shown[0] if len(shown) == 1 else shown,
                   "the page asks for payment to another account than the XML")
    if invoice.vendor is not None:
        if printed_name(invoice.vendor, text):
            agreed.append("vendor")
        else:
            differ("vendor", invoice.vendor, visible.get("vendor"),
                   f"the XML's seller {invoice.vendor!r} is not printed on the page")
    checks: list[tuple[str, Callable[[], bool]]] = [
        ("invoice_number", lambda: bool(invoice.invoice_number)
         and printed_name(invoice.invoice_number or "", text)),
        ("subtotal", lambda: invoice.subtotal is not None
         and printed_amount(invoice.subtotal, text)),
        ("tax", lambda: invoice.tax is not None and printed_amount(invoice.tax, text)),
        ("vendor_tax_id", lambda: bool(invoice.vendor_tax_id) and _norm_id(
            invoice.vendor_tax_id) in _norm_id(text)),
    ]
    agreed.extend(name for name, printed in checks if printed())
    return mismatches, agreed
