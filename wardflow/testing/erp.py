"""What every :class:`~wardflow.tools.erp.ErpAdapter` backend must do.

The suite loads master data through ``import_master`` when the backend has it; a
backend for a real ERP provides a ``seeded_erp`` fixture holding the vendor
``V-TEST`` (tax id ``DE999999999``, IBAN ``DE89370400440532013000``).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import pytest

from wardflow.tools.erp import ErpAdapter, PostInvoice

__all__ = ["ErpConformance", "MASTER"]

MASTER = {
    "vendors": [
        {"id": "V-TEST", "name": "Test Vendor GmbH", "tax_id": "DE999999999",
         "iban": "DE89 3704 0044 0532 0130 00", "country": "DE", "currency": "EUR"},
    ],
    "purchase_orders": [
        {"po_number": "PO-T-1", "vendor_id": "V-TEST", "amount": "100.00", "currency": "EUR"},
    ],
}


def _args(number: str = "T-1", total: str = "119.00", key: str | None = None) -> PostInvoice:
    sha = hashlib.sha256(number.encode()).hexdigest()
    return PostInvoice(
        idempotency_key=key or f"key-{sha[:24]}", vendor_id="V-TEST", invoice_number=number,
        invoice_date="2026-10-01", currency="EUR", subtotal=Decimal("100.00"),
        tax=Decimal("19.00"), total=Decimal(total), document_sha256=sha, approved_by="tester",
    )


class ErpConformance:
    """Provide an ``erp`` fixture returning an empty backend with ``import_master``,
    or override ``seeded_erp``."""

    @pytest.fixture
    def erp(self) -> Any:
        raise NotImplementedError("provide an `erp` fixture")

    @pytest.fixture
    def seeded_erp(self, erp: Any) -> ErpAdapter:
        erp.import_master(MASTER)
        return erp  # type: ignore[no-any-return]

    def test_is_an_erp_adapter(self, seeded_erp: Any) -> None:
        assert isinstance(seeded_erp, ErpAdapter)

    def test_find_vendor_by_tax_id_name_and_iban(self, seeded_erp: ErpAdapter) -> None:
        assert seeded_erp.find_vendor(tax_id="DE 999 999 999") is not None
        assert seeded_erp.find_vendor(name="test vendor gmbh") is not None
        found = seeded_erp.find_vendor(iban="DE89370400440532013000")
        assert found is not None and found.id == "V-TEST"
        assert seeded_erp.find_vendor(name="Someone Else Ltd") is None

    def test_purchase_order_lookup(self, seeded_erp: ErpAdapter) -> None:
        po = seeded_erp.purchase_order("PO-T-1")
        assert po is not None and po.amount == Decimal("100.00")
        assert seeded_erp.purchase_order("PO-NONE") is None

    def test_post_is_idempotent(self, seeded_erp: ErpAdapter) -> None:
        first = seeded_erp.post_invoice(_args())
        second = seeded_erp.post_invoice(_args())
        assert first.created and not second.created
        assert first.posting_id == second.posting_id
        assert len(seeded_erp.postings()) == 1

    def test_different_keys_post_separately(self, seeded_erp: ErpAdapter) -> None:
        seeded_erp.post_invoice(_args("T-1"))
        seeded_erp.post_invoice(_args("T-2", "238.00"))
        assert sorted(p.invoice_number for p in seeded_erp.postings(vendor_id="V-TEST")) == [
            "T-1", "T-2"]
        [hit] = seeded_erp.find_posting(vendor_id="V-TEST", invoice_number="T-2")
        assert hit.total == Decimal("238.00")
        assert seeded_erp.find_posting() == []
