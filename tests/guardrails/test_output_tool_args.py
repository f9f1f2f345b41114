"""Model output checks (schema, values in the source, arithmetic) and tool-call
checks (storage keys, approved postings, credentials, unrevealed tokens)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from wardflow.guardrails.output import (
    amounts_in,
    check_arithmetic,
    check_schema,
    check_values_in_source,
    dates_in,
)
from wardflow.guardrails.tool_args import (
    check_approved_posting,
    check_arg_secrets,
    check_storage_keys,
    check_unrevealed_tokens,
)
from wardflow.observability.audit import digest

SOURCE = ("Nordlicht Software GmbH\nInvoice No. NLS-INV-2026-0412\nInvoice date 14 August 2026\n"
          "Subtotal 1,804.00\nVAT 19% 342.76\nTotal due EUR 2,146.76\nRechnungsdatum 03.09.2026\n"
          "Gesamtbetrag 2.912,00 EUR\nTotal TTC 2 368,80 EUR\nTotal CHF 3'424.99")


def test_amounts_and_dates_in_every_format() -> None:
    amounts = amounts_in(SOURCE)
    for value in ("2146.76", "2912.00", "2368.80", "3424.99", "342.76"):
        assert Decimal(value) in amounts, value
    assert {date(2026, 8, 14), date(2026, 9, 3)} <= dates_in(SOURCE)
    assert date(2026, 10, 7) in dates_in("Date de facture 07/10/2026, le 7 octobre 2026")


def test_values_printed_in_the_source_pass() -> None:
    fields = {"vendor_name": "Nordlicht Software GmbH", "invoice_number": "NLS-INV-2026-0412",
              "invoice_date": "2026-08-14", "currency": "EUR", "total_amount": "2146.76",
              "subtotal": "1.804,00", "po_number": None}
    assert check_values_in_source(fields, SOURCE) == []


@pytest.mark.parametrize(("field", "value"), [
    ("vendor_name", "Acme Payments Ltd"), ("total_amount", "2416.76"),
    ("invoice_date", "2026-08-15"), ("invoice_number", "NLS-INV-2026-9999"), ("currency", "USD"),
])
def test_invented_values_are_flagged(field: str, value: str) -> None:
    [issue] = check_values_in_source({field: value}, SOURCE)
    assert issue.check == "not_in_source" and issue.field == field


def test_arithmetic() -> None:
    assert check_arithmetic({"subtotal": "1804.00", "tax": "342.76", "total": "2146.76"}) == []
    [issue] = check_arithmetic({"subtotal": "1804.00", "tax": "342.76", "total": "2246.76"})
    assert issue.check == "arithmetic"
    assert check_arithmetic({"total": "2146.76"}) == []


def test_schema() -> None:
    assert check_schema({"vendor_name": "X", "po_number": None}) == []
    issues = check_schema({"total": 12.5, "bad name": "x", "note": "a\x00b", "long": "x" * 5000})
    assert sorted(i.field or "" for i in issues) == ["bad name", "long", "note", "total"]


def test_storage_keys_stay_inside_the_root() -> None:
    assert check_storage_keys("storage_put", {"key": "incoming/doc-1/a.pdf"}) == []
    for key in ("../etc/passwd", "/abs/path", "a/./b", "a\\b"):
        [issue] = check_storage_keys("storage_put", {"key": key})
        assert issue.check == "storage_key"
    [issue] = check_storage_keys("storage_archive", {"src": "ok/a", "dst": "x/../../y"})
    assert "dst=" in issue.evidence


def _posting() -> dict[str, Any]:
    return {"idempotency_key": "k" * 32, "vendor_id": "V-1", "invoice_number": "NLS-INV-2026-0412",
            "invoice_date": "2026-08-14", "currency": "EUR", "subtotal": "1804.00",
            "tax": "342.76", "total": "2146.76", "iban": "DE29100204000471182035",
            "po_number": None, "document_sha256": "a" * 64}


def test_posting_must_equal_the_approved_arguments() -> None:
    args = _posting()
    approved = digest(args)  # what the graph's proposal hashes
    posted = {**args, "approved_by": "carla"}
    assert check_approved_posting("erp_post_invoice", posted, approved) == []
    [changed] = check_approved_posting("erp_post_invoice", {**posted, "total": "9146.76"}, approved)
    assert "differ" in changed.detail
    [missing] = check_approved_posting("erp_post_invoice", posted, None)
    assert "no approval" in missing.detail
    [invalid] = check_approved_posting("erp_post_invoice", {"total": "x"}, approved)
    assert "invalid posting arguments" in invalid.detail
    assert check_approved_posting("storage_put", posted, None) == []


def test_no_credentials_and_no_tokens_in_tool_arguments() -> None:
    [issue] = check_arg_secrets({"note": "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789"})
    assert issue.check == "tool_arg_secrets" and "github_token" in issue.detail
    [token] = check_unrevealed_tokens("erp_post_invoice", {"iban": "<IBAN_1>"})
    assert "reveal" in token.detail
    assert check_unrevealed_tokens("erp_post_invoice", {"iban": "DE29100204000471182035"}) == []
