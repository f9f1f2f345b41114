from __future__ import annotations

from decimal import Decimal
from typing import Any

from wardflow.agents.compliance import CompliancePolicy, check_compliance, find_card_numbers
from wardflow.agents.risk import assess_risk, combine
from wardflow.tools.erp import InvoicePosting, PurchaseOrder, Vendor

VENDOR = Vendor("V1", "Acme GmbH", "DE1", "DE89370400440532013000")


def _extraction(**values: Any) -> dict[str, Any]:
    base = {"vendor": "Acme GmbH", "vendor_id": "V1", "invoice_number": "A-1", "total": "119.00",
            "subtotal": "100.00", "currency": "EUR", "iban": "DE89370400440532013000",
            "po_number": None}
    base.update(values)
    return {"fields": {k: {"value": v} for k, v in base.items()}, "checks": []}


def _posting(number: str, total: str) -> InvoicePosting:
    return InvoicePosting("P-1", "k" * 16, "V1", number, "2026-01-01", "EUR", Decimal(total),
                          None, "0" * 64, "auto", "2026-01-02")


def _risk(extraction: dict[str, Any], **kw: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"document_sha256": "0" * 64, "vendor": VENDOR, "same_document": [],
                            "same_number": [], "vendor_history": [], "purchase_order": None}
    args.update(kw)
    return assess_risk(extraction, **args)


def test_noisy_or_combination() -> None:
    assert combine([]) == 0.0
    assert combine([0.9]) == 0.9
    assert combine([0.15, 0.3]) == 0.405


def test_clean_invoice_has_no_risk() -> None:
    assert _risk(_extraction()) == {"score": 0.0, "reasons": [], "vendor_id": "V1"}


def test_changed_bank_details_are_named_and_masked() -> None:
    report = _risk(_extraction(iban="GB33BUKB20201555555555"))
    [reason] = report["reasons"]
    assert reason["code"] == "bank_details_changed"
    assert "5555" in reason["detail"] and "20201555555555" not in reason["detail"]
    assert report["score"] == 0.8


def test_unknown_vendor_duplicate_and_outlier() -> None:
    history = [_posting(f"A-{i}", "100.00") for i in range(3)]
    report = _risk(_extraction(total="9000.00"), vendor=VENDOR,
                   same_number=[_posting("A-1", "119.00")], vendor_history=history)
    codes = [r["code"] for r in report["reasons"]]
    assert codes == ["duplicate_invoice_number", "amount_outlier", "round_amount"]
    assert _risk(_extraction(), vendor=None)["reasons"][0]["code"] == "unknown_vendor"


def test_purchase_order_checks() -> None:
    po = PurchaseOrder("PO-1", "V2", Decimal("50.00"), "EUR")
    codes = [r["code"] for r in _risk(_extraction(po_number="PO-1"), purchase_order=po)["reasons"]]
    assert codes == ["po_vendor_mismatch", "amount_over_po"]
    codes = [r["code"] for r in _risk(_extraction(po_number="PO-9"))["reasons"]]
    assert codes == ["po_not_found"]


def _policy(converted: str | None) -> CompliancePolicy:
    return CompliancePolicy(Decimal("10000"), "EUR", Decimal(converted) if converted else None)


def test_approval_limit_rule() -> None:
    risk = {"reasons": []}
    ok = check_compliance(_extraction(), risk, "", _policy("119.00"))
    assert ok["status"] == "pass"
    over = check_compliance(_extraction(total="24500.01"), risk, "", _policy("24500.01"))
    assert over["status"] == "needs_approval"
    assert over["findings"][0]["rule"] == "SOX-APPROVAL-LIMIT"
    unknown_rate = check_compliance(_extraction(currency="XYZ"), risk, "", _policy(None))
    assert unknown_rate["status"] == "needs_approval"


def test_card_numbers_need_luhn_and_ignore_ibans() -> None:
    assert find_card_numbers("card 4111 1111 1111 1111") == [(5, 24)]
    assert find_card_numbers("card 4111 1111 1111 1112") == []
    assert find_card_numbers("IBAN: GB45 TMBK 4027 1631 8572 64") == []
    report = check_compliance(_extraction(), {"reasons": []}, "pay with 4111111111111111",
                              _policy("1"))
    assert [f["rule"] for f in report["findings"]][-1] == "PCI-CARD-DATA"
