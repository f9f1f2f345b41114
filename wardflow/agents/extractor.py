"""The extractor agent: invoice fields with evidence and earned confidence.

Confidence is never the model's (or a parser's) say-so. Each field starts from how it
was found (next to its label, by pattern only, from the vendor master) and is then
raised by checks it passes and cut by checks it fails:

============  =====================================================================
found by      base confidence
============  =====================================================================
master        0.97 (vendor matched in the ERP's vendor master by tax id or name)
label         0.95 (value next to its label)
pattern       0.60 (pattern anywhere in the text)
============  =====================================================================

A passed check lifts the fields it covers to at least 0.99; a failed check caps them
at 0.50. Text read by OCR caps every field at ``ocr_confidence_cap``. The document's
confidence is the lowest confidence among the required fields.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wardflow.agents._candidates import (
    Candidate,
    amount_candidates,
    best,
    date_candidates,
    invoice_number_candidates,
)
from wardflow.agents._labels import detect_document_type, detect_language
from wardflow.agents._model_fields import ModelInvoice, merge_model_fields
from wardflow.agents._parsers import (
    AMOUNT_RE,
    DUE_DATE_LABELS,
    INVOICE_DATE_LABELS,
    SUBTOTAL_LABELS,
    TOTAL_LABELS,
    LineItem,
    Match,
    find_amount_after,
    find_bic,
    find_currency,
    find_date_after,
    find_iban,
    find_invoice_number,
    find_line_items,
    find_po_number,
    find_tax,
    find_tax_id,
    iban_is_valid,
    money,
    parse_amount,
    parse_date,
)
from wardflow.agents._party import find_seller
from wardflow.agents._table import item_sums, read_table
from wardflow.errors import ModelOutputError, ModelUnavailable
from wardflow.prompts import EXTRACT_INVOICE
from wardflow.tools.documents import DocumentText, page_of
from wardflow.tools.erp import Vendor

if TYPE_CHECKING:
    from wardflow.llm.client import LLM

__all__ = [
    "CORRECTABLE_FIELDS",
    "REQUIRED_FIELDS",
    "ExtractionPolicy",
    "apply_corrections",
    "extract_invoice",
    "open_fields",
    "read_with_model",
]

REQUIRED_FIELDS = ("vendor", "invoice_number", "invoice_date", "currency", "total")

_BASE = {"master": 0.97, "label": 0.95, "computed": 0.9, "pattern": 0.6}
_PASS_FLOOR = 0.99
_FAIL_CAP = 0.5
_CENT = Decimal("0.01")

_LEGAL_SUFFIX = re.compile(
    r"^(?P<name>[A-Z0-9][\w&.,' -]{1,60}?\s(?:GmbH(?: & Co\. KG)?|AG|KG|Ltd\.?|Limited|plc|Inc\.?|"
    r"LLC|Corp\.?|SAS|SARL|S\.A\.?|B\.V\.|N\.V\.|S\.r\.l\.|Oy|AB|ApS|A/S))\s*$",
    re.MULTILINE,
)
_BUYER_MARKERS = re.compile(
    r"Bill\s+to|Invoice\s+to|Sold\s+to|Customer|Rechnungsempf[äa]nger|Kunde|Client|Factur[ée]\s+[àa]",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ExtractionPolicy:
    """What the extractor needs to know beyond the text."""

    today: date
    ocr_confidence_cap: float = 0.85
    max_invoice_age_days: int = 730
    buyer_names: Sequence[str] = ()


@dataclass
class _Field:
    value: str | None
    confidence: float
    how: str
    start: int | None = None
    end: int | None = None
    label: str = ""
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, m: Match | None, value: str | None = None, how: str | None = None) -> _Field:
        if m is None:
            return cls(None, 0.0, "missing")
        used = how or m.how
        return cls(value if value is not None else m.value, _BASE[used], used, m.start, m.end,
                   m.label)


def extract_invoice(
    doc: DocumentText, vendors: Sequence[Vendor], policy: ExtractionPolicy
) -> dict[str, Any]:
    """Extract invoice fields from document text.

    Args:
        doc: the document's text, page by page.
        vendors: the vendor master, to recognise the issuer.
        policy: today's date, the OCR cap and date sanity bounds.

    Returns:
        A JSON-safe dict: ``fields`` (value, confidence, evidence, checks per field),
        ``line_items``, ``checks`` (name, passed, detail, fields), ``confidence``,
        ``method`` and ``low_confidence`` (required fields under 0.90).
    """
    text = doc.text
    fields: dict[str, _Field] = {}
    currency, _, disagreeing = find_currency(text)
    fields["currency"] = _Field.of(currency)
    language = detect_language(text)
    month_first = _month_first(text, language, currency)

    fields["vendor"], fields["vendor_id"], fields["vendor_tax_id"] = _vendor(text, vendors, policy)
    # The line-order parsers are the fallback where the layout finds no labelled value.
    fields["invoice_number"] = _pick(invoice_number_candidates(text),
                                     lambda: find_invoice_number(text))
    dated = _pick(date_candidates(text, "invoice_date", month_first=month_first),
                  lambda: _old_date(find_date_after(text, INVOICE_DATE_LABELS,
                                                    month_first=month_first)))
    fields["invoice_date"] = dated
    due = _pick(date_candidates(text, "due_date", month_first=month_first),
                lambda: _old_date(find_date_after(text, DUE_DATE_LABELS,
                                                  month_first=month_first)))
    fields["due_date"] = due
    # Items from the laid-out tables (header columns); rows found line by line where no
    # table header is found.
    table = read_table(text)
    items = table.items or find_line_items(text)
    sums = item_sums(items, table.adjustments) if items else []
    tax_match, rate = find_tax(text)
    fields["subtotal"], fields["tax"], fields["total"] = _choose_amounts(
        text, sums,
        old_subtotal=lambda: find_amount_after(text, SUBTOTAL_LABELS),
        old_tax=lambda: tax_match,
        old_total=lambda: find_amount_after(
            text, TOTAL_LABELS, last=True,
            exclude=(r"\s*(?:HT|net|excl|netto|TVA|VAT|tax)\b", r"\s*\n\s*(?:HT)\b"),
        ),
    )
    fields["tax_rate"] = _Field.of(rate)
    fields["iban"] = _Field.of(find_iban(text))
    fields["bic"] = _Field.of(find_bic(text))
    fields["po_number"] = _Field.of(find_po_number(text))

    checks = _run_checks(fields, items, sums, disagreeing, policy, _as_date(dated),
                         _as_date(due), several_rates=len(_vat_rates(text)) > 1)
    document_type = detect_document_type(text)
    total = fields["total"].value
    if total is not None and Decimal(total) < 0:
        checks.append(_check(
            "credit_note_sign", document_type == "credit_note",
            "a negative total on a document titled as a credit note"
            if document_type == "credit_note"
            else "a negative total on a document titled as an invoice, not a credit note",
            ["total"],
        ))
    # An invoice dated long ago is a risk (the risk agent names it), not a sign that its
    # date was misread: that failure does not lower the date's confidence. A date in the
    # future may be a misread (day and month swapped) and does.
    issued = _as_date(dated)
    soft = {"date_sane"} if issued is not None and issued <= policy.today else set()
    # Passes first, then failures: one failed check outweighs any number of passes.
    for check in sorted(checks, key=lambda c: not c["passed"]):
        for name in check["fields"]:
            f = fields[name]
            if f.value is None:
                continue
            f.checks.append(check["name"])
            if check["passed"]:
                f.confidence = max(f.confidence, _PASS_FLOOR)
            elif check["name"] in soft:
                f.notes.append(check["detail"])
            else:
                f.confidence = min(f.confidence, _FAIL_CAP)
                f.notes.append(check["detail"])
    if doc.method == "ocr":
        cap = min(policy.ocr_confidence_cap, max(doc.quality, 0.0))
        for f in fields.values():
            if f.value is not None:
                f.confidence = min(f.confidence, cap)
                f.notes.append(f"read by OCR (mean score {doc.quality:.2f})")

    required = {name: fields[name].confidence for name in REQUIRED_FIELDS}
    return {
        "fields": {name: _field_json(f, text) for name, f in fields.items()},
        "line_items": [
            {
                "description": i.description,
                "quantity": str(i.quantity),
                "unit_price": str(i.unit_price),
                "amount": str(i.amount),
                "evidence": {"start": i.start, "end": i.end, "page": page_of(text, i.start)},
                **_item_extras(i),
            }
            for i in items
        ],
        "checks": checks,
        "confidence": round(min(required.values()), 4),
        "low_confidence": sorted(n for n, c in required.items() if c < 0.90),
        "method": doc.method,
        "pages": len(doc.pages),
        "document_type": document_type,
    }


# Header facts sit at the top and totals at the bottom; a small model reads both better
# without the middle of a long line-item table.
_HEAD_CHARS, _TAIL_CHARS = 3000, 1500


def _clip(text: str) -> str:
    if len(text) <= _HEAD_CHARS + _TAIL_CHARS:
        return text
    return f"{text[:_HEAD_CHARS]}\n[...]\n{text[-_TAIL_CHARS:]}"


def open_fields(extraction: Mapping[str, Any], *, settled_at: float = 0.9) -> list[str]:
    """The required fields the parsers and checks did not settle: missing, or under
    ``settled_at`` (the review threshold)."""
    fields = extraction.get("fields", {})
    return [name for name in REQUIRED_FIELDS
            if (fields.get(name) or {}).get("value") is None
            or float((fields.get(name) or {}).get("confidence", 0.0)) < settled_at]


def read_with_model(
    extraction: dict[str, Any], text: str, llm: LLM, *, prompt_text: str | None = None,
    only_open: bool = True, settled_at: float = 0.9,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Let the model read the invoice beside the parsers and merge the two readings.

    ``prompt_text`` is what the model is shown (the guarded text: injected passages
    marked, personal data tokenized); evidence spans always refer to ``text``.

    With ``only_open`` (the default) the model is asked only when a required field is
    still open (see :func:`open_fields`); otherwise ``extraction["model"]`` says it was
    skipped and no call is made.

    Returns the merged extraction and the usage records of the model calls. A model
    that fails (unreachable, or invalid output after repairs) leaves the parsers'
    fields as they are and says so in ``extraction["model"]``, which routes the
    document to review; it never crashes the run.
    """
    if only_open and not open_fields(extraction, settled_at=settled_at):
        # Every required field was read and passed its checks: the model could only
        # agree (or be set aside), so its seconds per document are saved.
        return dict(extraction, model={"status": "skipped", "prompt": EXTRACT_INVOICE.version,
                                       "detail": "the parsers settled every required field"}), []
    try:
        shown = _clip(prompt_text if prompt_text is not None else text)
        result = llm.structured("extractor", EXTRACT_INVOICE.messages(document=shown),
                                ModelInvoice)
    except ModelOutputError as err:
        failed = dict(extraction, model={"status": "invalid_output", "detail": str(err),
                                         "output": err.output[:500],
                                         "prompt": EXTRACT_INVOICE.version})
        return failed, list(err.usage)
    except ModelUnavailable as err:
        return dict(extraction, model={"status": "unavailable", "detail": str(err),
                                       "prompt": EXTRACT_INVOICE.version}), []
    assert isinstance(result.value, ModelInvoice)
    merged = merge_model_fields(extraction, result.value, text, required=REQUIRED_FIELDS)
    merged["model"] = {"status": "ok", "prompt": EXTRACT_INVOICE.version,
                       "model": result.usage[-1].model}
    return merged, [u.to_dict() for u in result.usage]


def _as_date(f: _Field) -> date | None:
    return date.fromisoformat(f.value) if f.value is not None else None


def _old_date(found: tuple[Match, date] | None) -> Match | None:
    return found[0] if found else None


def _month_first(text: str, language: str, currency: Match | None) -> bool:
    """US order (month first) for English documents in dollars or from the US."""
    if language != "en":
        return False
    if currency is not None and currency.value == "USD":
        return True
    return re.search(r"\b(?:USA|United\s+States|[A-Z]{2}\s+\d{5}(?:-\d{4})?$)", text,
                     re.MULTILINE) is not None


def _from_candidate(c: Candidate, how: str = "label") -> _Field:
    return _Field(c.value, _BASE[how] if c.where != "below" else _BASE[how] - 0.02, how,
                  c.start, c.end, c.label)


def _pick(candidates: Sequence[Candidate], fallback: Callable[[], Match | None]) -> _Field:
    """The best-ranked candidate; the line-order parser's value when there is none."""
    chosen = best(candidates)
    if chosen is not None:
        f = _from_candidate(chosen)
        others = sorted({c.value for c in candidates if c.value != chosen.value})
        if others:
            f.notes.append("other candidates: " + ", ".join(others[:3]))
        return f
    return _Field.of(fallback())


def _amount_candidates(text: str, name: str, fallback: Callable[[], Match | None]
                       ) -> list[Candidate]:
    found = amount_candidates(text, name)
    old = fallback() if not found else None
    if old is not None:
        value = parse_amount(old.value)
        if value is not None:
            found.append(Candidate(str(value), old.start, old.end, old.label, 2.5, "line"))
    best_of: dict[str, Candidate] = {}
    for c in sorted(found, key=lambda c: (c.rank, c.start)):
        best_of.setdefault(str(Decimal(c.value).quantize(_CENT)), c)
    return sorted(best_of.values(), key=lambda c: (c.rank, c.start))[:8]


def _item_extras(item: LineItem) -> dict[str, str]:
    """What a table row adds to an item: its details, price basis and own adjustments."""
    extras = {}
    if item.detail:
        extras["detail"] = item.detail
    if item.basis != 1:
        extras["price_basis"] = str(item.basis)
    if item.adjustment:
        extras["adjustment"] = str(item.adjustment)
    return extras


def _choose_amounts(
    text: str, sums: Sequence[Decimal], *, old_subtotal: Callable[[], Match | None],
    old_tax: Callable[[], Match | None], old_total: Callable[[], Match | None],
) -> tuple[_Field, _Field, _Field]:
    """Subtotal, tax and total: the best-ranked reading in which they add up, else each
    field's best candidate (and the checks will say what does not add up)."""
    subs = _amount_candidates(text, "subtotal", old_subtotal)
    taxes = _amount_candidates(text, "tax", old_tax)
    totals = _amount_candidates(text, "total", old_total)
    chosen: tuple[float, Candidate, Candidate, Candidate] | None = None
    for g in totals:
        for sub in subs:
            for tax in taxes:
                if abs(Decimal(sub.value) + Decimal(tax.value) - Decimal(g.value)) > _CENT:
                    continue
                if Decimal(g.value) == 0 and Decimal(sub.value) == 0:
                    continue
                score = g.rank + sub.rank + tax.rank
                if any(abs(s - Decimal(sub.value)) <= _CENT for s in sums):
                    score -= 1
                if chosen is None or score < chosen[0]:
                    chosen = (score, sub, tax, g)
    if chosen is not None:
        _, sub, tax, g = chosen
        return (_money_field(sub), _money_field(tax), _money_field(g))
    pick = [best(c) for c in (subs, taxes, totals)]
    return (_money_field(pick[0]), _money_field(pick[1]), _money_field(pick[2]))


def _money_field(c: Candidate | None) -> _Field:
    if c is None:
        return _Field(None, 0.0, "missing")
    f = _from_candidate(c)
    f.value = str(money(Decimal(c.value)))
    return f


def _amount(m: Match | None) -> _Field:
    if m is None:
        return _Field.of(None)
    value = parse_amount(m.value)
    return _Field.of(m, str(value) if value is not None else None)


def _vendor(
    text: str, vendors: Sequence[Vendor], policy: ExtractionPolicy
) -> tuple[_Field, _Field, _Field]:
    tax_ids = find_tax_id(text)
    compact = {re.sub(r"[\s.\-]", "", t.value).upper(): t for t in tax_ids}
    folded = text.casefold()
    for vendor in vendors:
        if vendor.tax_id:
            hit = compact.get(re.sub(r"[\s.\-]", "", vendor.tax_id).upper())
            if hit:
                name_at = folded.find(vendor.name.casefold())
                start = name_at if name_at >= 0 else hit.start
                end = start + len(vendor.name) if name_at >= 0 else hit.end
                return (
                    _Field(vendor.name, _BASE["master"], "master", start, end, "vendor master"),
                    _Field(vendor.id, _BASE["master"], "master", hit.start, hit.end, "tax id"),
                    _Field(hit.value, _BASE["label"], "label", hit.start, hit.end, "tax id"),
                )
    for vendor in vendors:
        at = folded.find(vendor.name.casefold())
        if at >= 0:
            tax = tax_ids[0] if tax_ids else None
            return (
                _Field(vendor.name, _BASE["master"], "master", at, at + len(vendor.name),
                       "vendor master"),
                _Field(vendor.id, 0.9, "master", at, at + len(vendor.name), "vendor name"),
                _Field.of(tax),
            )
    # Unknown issuer: the seller found as a party on the page, never the buyer.
    tax = tax_ids[0] if tax_ids else None
    seller = find_seller(text, policy.buyer_names)
    if seller is None:
        return _Field(None, 0.0, "missing"), _Field(None, 0.0, "missing"), _Field.of(tax)
    how = "label" if "after a seller label" in seller.evidence else "pattern"
    # Without a seller label, each further independent piece of evidence (legal form,
    # letterhead, tax ID block, repetition, matching domain) makes the name likelier;
    # never enough to settle it without a reviewer (under 0.90).
    kinds = len(set(seller.evidence))
    score = _BASE[how] if how == "label" else min(_BASE[how] + 0.06 * (kinds - 1), 0.84)
    found = _Field(seller.name, score, how, seller.start, seller.end, "seller")
    found.notes.append("seller evidence: " + ", ".join(dict.fromkeys(seller.evidence)))
    return found, _Field(None, 0.0, "missing"), _Field.of(tax)


_DISCOUNT = re.compile(r"skonto|remise|discount|rabatt|escompte|sconto|descuento|korting|"
                       r"allowance|nachlass|rabat", re.IGNORECASE)
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def _vat_rates(text: str) -> set[Decimal]:
    """The percentages printed on lines with an amount (item and VAT lines), discounts
    left out: more than one means several VAT rates."""
    rates: set[Decimal] = set()
    for line in text.splitlines():
        if "%" not in line or _DISCOUNT.search(line) or not AMOUNT_RE.search(line):
            continue
        rates.update(Decimal(m.group(1).replace(",", ".")) for m in _RATE.finditer(line))
    return rates


def _check(name: str, passed: bool, detail: str, fields: Sequence[str]) -> dict[str, Any]:
    return {"name": name, "passed": passed, "detail": detail, "fields": list(fields)}


def _run_checks(
    fields: dict[str, _Field],
    items: Sequence[Any],
    sums: Sequence[Decimal],
    disagreeing_currency: int,
    policy: ExtractionPolicy,
    invoice_date: date | None,
    due_date: date | None,
    *,
    several_rates: bool = False,
) -> list[dict[str, Any]]:
    def dec(name: str) -> Decimal | None:
        value = fields[name].value
        return Decimal(value) if value is not None else None

    checks = []
    subtotal, tax, total = dec("subtotal"), dec("tax"), dec("total")
    if items and subtotal is not None:
        # The rows, or only the top rows of bundles, plus the table's allowances and
        # charges: the reading that matches the subtotal, else the plain sum.
        lines = next((s for s in sums if abs(s - subtotal) <= _CENT), sums[0])
        checks.append(_check(
            "line_items_sum", abs(lines - subtotal) <= _CENT,
            # Which side is wrong is unknown, so the total is not trusted either.
            f"line items add up to {lines}, subtotal is {subtotal}", ["subtotal", "total"],
        ))
    if subtotal is not None and tax is not None and total is not None:
        checks.append(_check(
            "totals_add_up", abs(subtotal + tax - total) <= _CENT,
            f"subtotal {subtotal} + tax {tax} = {subtotal + tax}, total is {total}",
            ["subtotal", "tax", "total"],
        ))
    elif subtotal is None and tax is None and total is not None and items:
        lines = next((s for s in sums if abs(s - total) <= _CENT), sums[0])
        checks.append(_check(
            "line_items_sum", abs(lines - total) <= _CENT,
            f"line items add up to {lines}, total is {total} (no tax shown)", ["total"],
        ))
    rate = fields["tax_rate"].value
    # One rate applied to the whole subtotal: not a check where lines carry several.
    if rate is not None and subtotal is not None and tax is not None and not several_rates:
        expected = money(subtotal * Decimal(rate) / 100)
        checks.append(_check(
            "tax_rate_applied", abs(expected - tax) <= _CENT,
            f"{rate}% of {subtotal} is {expected}, tax shown is {tax}", ["tax", "tax_rate"],
        ))
    if invoice_date is not None:
        too_new = invoice_date > policy.today
        too_old = invoice_date < policy.today - timedelta(days=policy.max_invoice_age_days)
        detail = (
            "invoice date is in the future" if too_new
            else f"invoice date is more than {policy.max_invoice_age_days} days old" if too_old
            else "invoice date is plausible"
        )
        checks.append(_check("date_sane", not (too_new or too_old), detail, ["invoice_date"]))
    if invoice_date is not None and due_date is not None:
        checks.append(_check(
            "due_after_issue", due_date >= invoice_date,
            f"due {due_date.isoformat()}, issued {invoice_date.isoformat()}", ["due_date"],
        ))
    if fields["currency"].value is not None:
        checks.append(_check(
            "currency_consistent", disagreeing_currency == 0,
            f"{disagreeing_currency} mention(s) of another currency", ["currency"],
        ))
    return checks


def _field_json(f: _Field, text: str) -> dict[str, Any]:
    evidence = None
    if f.start is not None and f.end is not None:
        evidence = {
            "start": f.start,
            "end": f.end,
            "page": page_of(text, f.start),
            "text": text[f.start:f.end],
            "label": f.label,
        }
    return {
        "value": f.value,
        "confidence": round(f.confidence, 4),
        "method": f.how,
        "evidence": evidence,
        "checks": f.checks,
        "notes": f.notes,
    }


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
        ok = abs(dec["subtotal"] + dec["tax"] - dec["total"]) <= _CENT
        checks.append(_check("totals_add_up", ok, f"subtotal {dec['subtotal']} + tax {dec['tax']}"
                             f" = {dec['subtotal'] + dec['tax']}, total is {dec['total']}",
                             ["subtotal", "tax", "total"]))
        if not ok:
            for n in ("subtotal", "tax", "total"):
                fields[n]["confidence"] = min(fields[n]["confidence"], _FAIL_CAP)
    out["checks"] = checks
    required = {n: fields[n]["confidence"] for n in REQUIRED_FIELDS}
    out["confidence"] = round(min(required.values()), 4)
    out["low_confidence"] = sorted(n for n, c in required.items() if c < 0.90)
    out["corrected"] = sorted({*out.get("corrected", []), *values})
    return out
