"""The extractor's checks and how they move confidence.

Each check covers some fields: a passed one lifts them to at least
:data:`PASS_FLOOR`, a failed one caps them at :data:`FAIL_CAP` (see
:mod:`wardflow.agents.extractor`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wardflow.agents._parsers import AMOUNT_RE, money

if TYPE_CHECKING:
    from wardflow.agents.extractor import ExtractionPolicy, _Field

__all__ = ["CENT", "FAIL_CAP", "PASS_FLOOR", "REQUIRED_FIELDS", "apply_checks", "check",
           "run_checks", "vat_rates"]

REQUIRED_FIELDS = ("vendor", "invoice_number", "invoice_date", "currency", "total")

PASS_FLOOR = 0.99
FAIL_CAP = 0.5
CENT = Decimal("0.01")

_DISCOUNT = re.compile(r"skonto|remise|discount|rabatt|escompte|sconto|descuento|korting|"
                       r"allowance|nachlass|rabat", re.IGNORECASE)
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,2})?)\s?%")


def vat_rates(text: str) -> set[Decimal]:
    """The percentages printed on lines with an amount (item and VAT lines), discounts
    left out: more than one means several VAT rates."""
    rates: set[Decimal] = set()
    for line in text.splitlines():
        if "%" not in line or _DISCOUNT.search(line) or not AMOUNT_RE.search(line):
            continue
        rates.update(Decimal(m.group(1).replace(",", ".")) for m in _RATE.finditer(line))
    return rates


def check(name: str, passed: bool, detail: str, fields: Sequence[str]) -> dict[str, Any]:
    """One check's record.

    Args:
        name: the check's name.
        passed: whether it passed.
        detail: what was compared, in words.
        fields: the fields it covers.

    Returns:
        The JSON-safe record (``name``, ``passed``, ``detail``, ``fields``).
    """
    return {"name": name, "passed": passed, "detail": detail, "fields": list(fields)}


def run_checks(
    fields: dict[str, _Field],
    items: Sequence[Any],
    sums: Sequence[Decimal],
    disagreeing_currency: int,
    policy: ExtractionPolicy,
    invoice_date: date | None,
    due_date: date | None,
    *,
    several_rates: bool = False,
    discounts: Sequence[tuple[Decimal, str]] = (),
) -> list[dict[str, Any]]:
    """The arithmetic, date and currency checks of the extracted fields.

    Args:
        fields: the fields read so far, by name.
        items: the line items read.
        sums: the readings of the items' sum (see :func:`wardflow.agents._item_sums.item_sums`).
        disagreeing_currency: how many mentions of another currency the text has.
        policy: today's date and the oldest plausible invoice date.
        invoice_date: the invoice date read, if any.
        due_date: the due date read, if any.
        several_rates: whether the lines carry several VAT rates.
        discounts: the document-level discounts printed outside the item table, each
            with the text that prints it (its label and amount).

    Returns:
        The check records, in a fixed order.
    """

    def dec(name: str) -> Decimal | None:
        value = fields[name].value
        return Decimal(value) if value is not None else None

    checks = _amount_checks(dec("subtotal"), dec("tax"), dec("total"), fields["tax_rate"].value,
                            items, sums, several_rates=several_rates, discounts=discounts)
    checks += _date_checks(policy, invoice_date, due_date)
    if fields["currency"].value is not None:
        checks.append(check(
            "currency_consistent", disagreeing_currency == 0,
            f"{disagreeing_currency} mention(s) of another currency", ["currency"],
        ))
    return checks


def _amount_checks(
    subtotal: Decimal | None, tax: Decimal | None, total: Decimal | None, rate: str | None,
    items: Sequence[Any], sums: Sequence[Decimal], *, several_rates: bool,
    discounts: Sequence[tuple[Decimal, str]] = (),
) -> list[dict[str, Any]]:
    """Line items against the subtotal (or the total), subtotal plus tax against the
    total, and the one VAT rate against the tax."""
    checks = []
    if items and subtotal is not None:
        passed, detail = _items_against(sums, subtotal, "subtotal", discounts)
        # Which side is wrong is unknown, so the total is not trusted either.
        checks.append(check("line_items_sum", passed, detail, ["subtotal", "total"]))
    if subtotal is not None and tax is not None and total is not None:
        checks.append(check(
            "totals_add_up", abs(subtotal + tax - total) <= CENT,
            f"subtotal {subtotal} + tax {tax} = {subtotal + tax}, total is {total}",
            ["subtotal", "tax", "total"],
        ))
    elif subtotal is None and tax is None and total is not None and items:
        passed, detail = _items_against(sums, total, "total", discounts)
        checks.append(check("line_items_sum", passed, detail + " (no tax shown)", ["total"]))
    # One rate applied to the whole subtotal: not a check where lines carry several.
    if rate is not None and subtotal is not None and tax is not None and not several_rates:
        expected = money(subtotal * Decimal(rate) / 100)
        checks.append(check(
            "tax_rate_applied", abs(expected - tax) <= CENT,
            f"{rate}% of {subtotal} is {expected}, tax shown is {tax}", ["tax", "tax_rate"],
        ))
    return checks


def _items_against(sums: Sequence[Decimal], target: Decimal, name: str,
                   discounts: Sequence[tuple[Decimal, str]]) -> tuple[bool, str]:
    """Whether the items' sum gives ``target`` (the subtotal or total), and how.

    The rows, or only the top rows of bundles, plus the table's allowances and charges:
    the reading that matches, else the plain sum. Where none matches, a discount printed
    for the whole document outside the table may lie between the sum and the target:
    the sum less exactly that printed amount must give it, to the cent.
    """
    lines = next((s for s in sums if abs(s - target) <= CENT), sums[0])
    if abs(lines - target) <= CENT:
        return True, f"line items add up to {lines}, {name} is {target}"
    for amount, printed in discounts:
        if abs(lines - abs(amount) - target) <= CENT:
            return True, (f"line items add up to {lines}, less the discount printed as "
                          f"'{printed}' ({abs(amount)}) is {lines - abs(amount)}, "
                          f"{name} is {target}")
    return False, f"line items add up to {lines}, {name} is {target}"


def _date_checks(policy: ExtractionPolicy, invoice_date: date | None,
                 due_date: date | None) -> list[dict[str, Any]]:
    """The invoice date within the plausible range, and the due date not before it."""
    checks = []
    if invoice_date is not None:
        too_new = invoice_date > policy.today
        too_old = invoice_date < policy.today - timedelta(days=policy.max_invoice_age_days)
        detail = (
            "invoice date is in the future" if too_new
            else f"invoice date is more than {policy.max_invoice_age_days} days old" if too_old
            else "invoice date is plausible"
        )
        checks.append(check("date_sane", not (too_new or too_old), detail, ["invoice_date"]))
    if invoice_date is not None and due_date is not None:
        checks.append(check(
            "due_after_issue", due_date >= invoice_date,
            f"due {due_date.isoformat()}, issued {invoice_date.isoformat()}", ["due_date"],
        ))
    return checks


def apply_checks(fields: Mapping[str, _Field], checks: Sequence[Mapping[str, Any]],
                 soft: Collection[str] = ()) -> None:
    """Move each covered field's confidence by the checks: passes first, then failures,
    so that one failed check outweighs any number of passes.

    Args:
        fields: the fields, changed in place (confidence, checks, notes).
        checks: the check records.
        soft: names of checks whose failure is noted but does not cap confidence.
    """
    for found in sorted(checks, key=lambda c: not c["passed"]):
        for name in found["fields"]:
            f = fields[name]
            if f.value is None:
                continue
            f.checks.append(found["name"])
            if found["passed"]:
                f.confidence = max(f.confidence, PASS_FLOOR)
            elif found["name"] in soft:
                f.notes.append(found["detail"])
            else:
                f.confidence = min(f.confidence, FAIL_CAP)
                f.notes.append(found["detail"])


