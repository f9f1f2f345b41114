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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wardflow.agents._bill_rows import bill_rows
from wardflow.agents._candidates import (
    Candidate,
    amount_candidates,
    best,
    date_candidates,
    invoice_number_candidates,
    sum_row_candidates,
)
from wardflow.agents._corrections import CORRECTABLE_FIELDS, apply_corrections
from wardflow.agents._currency import find_currency
from wardflow.agents._extract_checks import (
    CENT,
    REQUIRED_FIELDS,
    apply_checks,
    check,
    run_checks,
    vat_rates,
)
from wardflow.agents._item_sums import item_sums
from wardflow.agents._labels import detect_document_type, detect_language
from wardflow.agents._model_fields import ModelInvoice, merge_model_fields
from wardflow.agents._parsers import (
    DUE_DATE_LABELS,
    INVOICE_DATE_LABELS,
    SUBTOTAL_LABELS,
    TOTAL_LABELS,
    LineItem,
    Match,
    find_amount_after,
    find_bic,
    find_date_after,
    find_iban,
    find_invoice_number,
    find_line_items,
    find_po_number,
    find_tax,
    find_tax_id,
    money,
    parse_amount,
)
from wardflow.agents._party import CUT, SELLER_IDENTIFIERS, find_seller
from wardflow.agents._table import read_table
from wardflow.agents._tax_lines import summed_tax, tax_in_sum_row, unlabelled_total
from wardflow.agents.calibration import CORROBORATED
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

_BASE = {"master": 0.97, "label": 0.95, "computed": 0.9, "pattern": 0.6}

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
    fields, disagreeing = _header_fields(text, vendors, policy)
    items, sums = _amount_fields(text, fields)
    dated, due = fields["invoice_date"], fields["due_date"]
    discounts = [(Decimal(c.value), f"{c.label} {text[c.start:c.end]}")
                 for c in amount_candidates(text, "discount")]
    checks = run_checks(fields, items, sums, disagreeing, policy, _as_date(dated),
                        _as_date(due), several_rates=len(vat_rates(text)) > 1,
                        discounts=discounts)
    document_type = detect_document_type(text)
    total = fields["total"].value
    if total is not None and Decimal(total) < 0:
        checks.append(_credit_note_sign(document_type))
    # An invoice dated long ago is a risk (the risk agent names it), not a sign that its
    # date was misread: that failure does not lower the date's confidence. A date in the
    # future may be a misread (day and month swapped) and does.
    issued = _as_date(dated)
    soft = {"date_sane"} if issued is not None and issued <= policy.today else set()
    apply_checks(fields, checks, soft)
    if doc.method == "ocr":
        _cap_ocr(fields, doc, policy)

    required = {name: fields[name].confidence for name in REQUIRED_FIELDS}
    return {
        "fields": {name: _field_json(f, text) for name, f in fields.items()},
        "line_items": [_item_json(i, text) for i in items],
        "checks": checks,
        "confidence": round(min(required.values()), 4),
        "low_confidence": sorted(n for n, c in required.items() if c < 0.90),
        "method": doc.method,
        "pages": len(doc.pages),
        "document_type": document_type,
    }


def _header_fields(text: str, vendors: Sequence[Vendor],
                   policy: ExtractionPolicy) -> tuple[dict[str, _Field], int]:
    """Currency, seller, invoice number and dates, with how many mentions of another
    currency the text has."""
    fields: dict[str, _Field] = {}
    currency, _, disagreeing = find_currency(text)
    fields["currency"] = _Field.of(currency)
    language = detect_language(text)
    month_first = _month_first(text, language, currency)

    fields["vendor"], fields["vendor_id"], fields["vendor_tax_id"] = _vendor(text, vendors, policy)
    # The line-order parsers are the fallback where the layout finds no labelled value.
    fields["invoice_number"] = _pick(invoice_number_candidates(text),
                                     lambda: find_invoice_number(text))
    fields["invoice_date"] = _pick(
        date_candidates(text, "invoice_date", month_first=month_first),
        lambda: _old_date(find_date_after(text, INVOICE_DATE_LABELS, month_first=month_first)))
    fields["due_date"] = _pick(
        date_candidates(text, "due_date", month_first=month_first),
        lambda: _old_date(find_date_after(text, DUE_DATE_LABELS, month_first=month_first)))
    return fields, disagreeing


def _amount_fields(text: str, fields: dict[str, _Field]) -> tuple[list[LineItem], list[Decimal]]:
    """Add the amounts, VAT rate, bank details and order number to ``fields``; the line
    items and the readings of their sum."""
    # Items from the laid-out tables (header columns); rows found line by line where no
    # table header is found.
    table = read_table(text)
    # no table header: the rows whose arithmetic checks, or the charges over a bill's
    # sum row, whichever reads more rows
    items = table.items or max(find_line_items(text), bill_rows(text), key=len)
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
    if fields["tax"].value is None and fields["subtotal"].value is not None \
            and fields["total"].value is not None:
        fields["tax"] = _tax_from_rate(text, Decimal(fields["subtotal"].value),
                                       Decimal(fields["total"].value))
        sub = fields["subtotal"]
        row = None if fields["tax"].value is not None or sub.end is None else tax_in_sum_row(
            text, sub.end, Decimal(fields["total"].value) - Decimal(str(sub.value)))
        fields["tax"] = fields["tax"] if row is None else _money_field(row)
    fields["tax_rate"] = _Field.of(rate)
    fields["iban"] = _Field.of(find_iban(text))
    fields["bic"] = _Field.of(find_bic(text))
    fields["po_number"] = _Field.of(find_po_number(text))
    return items, sums


_RATE_LINE = re.compile(
    r"(?<![^\W\d_])(?:sales\s+tax|tax|vat|tva|mwst|ust|umsatzsteuer|btw|iva|impuesto|"
    r"imposta|vat\s+rate|tax\s+rate)(?![^\W\d_])[^\n%]{0,40}?(?P<rate>\d{1,2}(?:[.,]\d{1,3})?)"
    r"\s?%[ \t]*$", re.IGNORECASE | re.MULTILINE)


def _tax_from_rate(text: str, subtotal: Decimal, total: Decimal) -> _Field:
    """The tax as total minus subtotal where the document prints only its rate ("Sales
    Tax 3%", "Tax Rate 0%") and that rate of the subtotal is the difference."""
    for m in _RATE_LINE.finditer(text):
        rate = Decimal(m.group("rate").replace(",", "."))
        if abs(money(subtotal * rate / 100) - (total - subtotal)) <= CENT:
            found = _Field(str(money(total - subtotal)), _BASE["computed"], "computed",
                           m.start("rate"), m.end("rate"), m.group(0).strip())
            found.notes.append(f"total minus subtotal, {rate}% of the subtotal as printed")
            return found
    return _Field(None, 0.0, "missing")


def _credit_note_sign(document_type: str) -> dict[str, Any]:
    """The check of a negative total: right on a credit note only."""
    return check(
        "credit_note_sign", document_type == "credit_note",
        "a negative total on a document titled as a credit note"
        if document_type == "credit_note"
        else "a negative total on a document titled as an invoice, not a credit note",
        ["total"],
    )


def _cap_ocr(fields: Mapping[str, _Field], doc: DocumentText, policy: ExtractionPolicy) -> None:
    """Cap every found field of a document read by OCR (and say so)."""
    cap = min(policy.ocr_confidence_cap, max(doc.quality, 0.0))
    for f in fields.values():
        if f.value is not None:
            f.confidence = min(f.confidence, cap)
            f.notes.append(f"read by OCR (mean score {doc.quality:.2f})")


def _item_json(item: LineItem, text: str) -> dict[str, Any]:
    """A line item as JSON-safe data, with its evidence span."""
    return {
        "description": item.description,
        "quantity": str(item.quantity),
        "unit_price": str(item.unit_price),
        "amount": str(item.amount),
        "evidence": {"start": item.start, "end": item.end, "page": page_of(text, item.start)},
        **_item_extras(item),
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


_NUMERIC_DATE = re.compile(r"(?<![\d.,/-])(\d{1,2})([/-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d/-])")


def _month_first(text: str, language: str, currency: Match | None) -> bool:
    """The day/month order of the document's numeric dates: the one its own unambiguous
    dates show ("26/02/2019" is day first, "10/14/2019" month first); else US order
    (month first) for English documents in dollars or from the US."""
    day_first = month_first = False
    for m in _NUMERIC_DATE.finditer(text):
        a, b = int(m.group(1)), int(m.group(3))
        day_first |= 12 < a <= 31 and 1 <= b <= 12
        month_first |= 12 < b <= 31 and 1 <= a <= 12
    if day_first != month_first:
        return month_first
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
        best_of.setdefault(str(Decimal(c.value).quantize(CENT)), c)
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
    if item.tax:
        extras["tax"] = str(item.tax)
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
    # no subtotal label: a bill's sum row of its charges, where it adds up with the tax
    readings = subs or (sum_row_candidates(text) if taxes and totals else [])
    chosen: tuple[float, Candidate, Candidate, Candidate] | None = None
    for g in totals:
        for sub in readings:
            for tax in taxes:
                if abs(Decimal(sub.value) + Decimal(tax.value) - Decimal(g.value)) > CENT:
                    continue
                if Decimal(g.value) == 0 and Decimal(sub.value) == 0:
                    continue
                score = g.rank + sub.rank + tax.rank
                if any(abs(s - Decimal(sub.value)) <= CENT for s in sums):
                    score -= 1
                if chosen is None or score < chosen[0]:
                    chosen = (score, sub, tax, g)
    if chosen is not None:
        _, sub, tax, g = chosen
        return (_money_field(sub), _money_field(tax), _money_field(g))
    split = _split_tax(text, subs, totals)
    if split is not None:
        return split
    pick = [best(c) for c in (subs, taxes, totals)]
    pick[1] = summed_tax(text) or pick[1]
    if pick[0] is not None and pick[2] is None:
        pick[2] = unlabelled_total(text, Decimal(pick[0].value), taxes)
    return (_money_field(pick[0]), _money_field(pick[1]), _money_field(pick[2]))


def _split_tax(text: str, subs: Sequence[Candidate], totals: Sequence[Candidate]
               ) -> tuple[_Field, _Field, _Field] | None:
    """Subtotal, tax and total where the tax is printed on two lines that add up to it
    (CGST and SGST, two VAT rates) and no line gives the whole tax."""
    lines = [c for c in amount_candidates(text, "tax") if c.where == "right"]
    for g in totals:
        for sub in subs:
            for i, a in enumerate(lines):
                for b in lines[i + 1:]:
                    tax = Decimal(a.value) + Decimal(b.value)
                    gap = Decimal(g.value) - Decimal(sub.value) - tax
                    if a.start == b.start or abs(gap) > CENT:
                        continue
                    found = _Field(str(money(tax)), _BASE["computed"], "computed", a.start, b.end,
                                   f"{a.label} + {b.label}")
                    found.notes.append(f"the sum of two tax lines: {a.value} and {b.value}")
                    return _money_field(sub), found, _money_field(g)
    return None


def _money_field(c: Candidate | None) -> _Field:
    if c is None:
        return _Field(None, 0.0, "missing")
    # a sum of tax lines, or a total found by adding up: computed, not read from a label
    f = _from_candidate(c, "computed" if c.where in ("summed", "unlabelled") else "label")
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
    # A name cut from a longer cell after its label is not vouched for by the label.
    how = "label" if "after a seller label" in seller.evidence and CUT not in seller.evidence \
        else "pattern"
    # Without a seller label, each further independent piece of evidence (legal form,
    # letterhead, tax ID block, repetition, matching domain) makes the name likelier;
    # never enough to settle it without a reviewer (under 0.90).
    kinds = len(set(seller.evidence) - {CUT})
    score = _BASE[how] if how == "label" else min(_BASE[how] + 0.06 * (kinds - 1), 0.84)
    found = _Field(seller.name, score, how, seller.start, seller.end, "seller")
    found.notes.append("seller evidence: " + ", ".join(dict.fromkeys(seller.evidence)))
    vouch = [e for e in seller.evidence if e in SELLER_IDENTIFIERS]
    if how == "pattern" and vouch:
        found.notes.append(f"{CORROBORATED} " + ", ".join(vouch))
    return found, _Field(None, 0.0, "missing"), _Field.of(tax)


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
