"""The risk signals added for issue 9: one document that triggers each, one that does not.

Near duplicates go through the real Chroma store and the real MiniLM embedding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from wardflow.agents.risk import WEIGHTS, RiskPolicy, assess_risk, combine
from wardflow.config import Settings
from wardflow.tools.embedding import MiniLmEmbedding
from wardflow.tools.erp import GoodsReceipt, PurchaseOrder, SqliteErp, Vendor
from wardflow.tools.memory import ChromaMemory, record_from_extraction

VENDOR = Vendor("V1", "Nordlicht Software GmbH", "DE274518364", "DE29100204000471182035",
                country="DE")
PO = PurchaseOrder("PO-1", "V1", Decimal("5000"), "EUR")
LINES = [{"description": "Workflow Cloud Business plan, 25 seats", "quantity": "25"},
         {"description": "Onboarding workshop (remote), hours", "quantity": "4"}]


def _extraction(**values: Any) -> dict[str, Any]:
    base = {"vendor": VENDOR.name, "vendor_id": "V1", "vendor_tax_id": VENDOR.tax_id,
            "invoice_number": "NLS-INV-2026-0412", "invoice_date": "2026-08-14",
            "total": "2146.76", "subtotal": "1804.00", "tax_rate": 19.0, "currency": "EUR",
            "iban": VENDOR.iban, "po_number": None}
    lines = values.pop("line_items", LINES)
    checks = values.pop("checks", [])
    base.update(values)
    return {"fields": {k: {"value": v} for k, v in base.items()}, "line_items": lines,
            "checks": checks}


def _codes(extraction: dict[str, Any], **kw: Any) -> list[str]:
    args: dict[str, Any] = {"document_sha256": "0" * 64, "vendor": VENDOR, "same_document": [],
                            "same_number": [], "vendor_history": [], "purchase_order": None}
    args.update(kw)
    return [r["code"] for r in assess_risk(extraction, **args)["reasons"]]


# Near duplicates ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def memory(tmp_path_factory: pytest.TempPathFactory) -> ChromaMemory:
    store = ChromaMemory(MiniLmEmbedding(), path=tmp_path_factory.mktemp("chroma"))
    store.upsert(record_from_extraction({"id": "doc-original", "sha256": "1" * 64},
                                        _extraction()))
    store.upsert(record_from_extraction(
        {"id": "doc-other-vendor", "sha256": "2" * 64},
        _extraction(vendor="Kessler Elektrotechnik GmbH", vendor_id="V9",
                    vendor_tax_id="DE147260831", invoice_number="NLS-INV-2026-0413")))
    return store


def _near(memory: ChromaMemory, extraction: dict[str, Any]) -> dict[str, Any] | None:
    record = record_from_extraction({"id": "doc-new", "sha256": "3" * 64}, extraction)
    similar = memory.similar(record.text, exclude_id=record.id)
    report = assess_risk(extraction, document_sha256="3" * 64, vendor=VENDOR, same_document=[],
                         same_number=[], vendor_history=[], purchase_order=None, similar=similar)
    return next((r for r in report["reasons"] if r["code"] == "near_duplicate"), None)


def test_near_duplicate_resent_with_a_suffix_and_a_new_date(memory: ChromaMemory) -> None:
    reason = _near(memory, _extraction(invoice_number="NLS-INV-2026-0412-R",
                                       invoice_date="2026-08-18"))
    assert reason is not None
    assert reason["weight"] == WEIGHTS["near_duplicate"] >= 0.5
    assert reason["evidence"]["document_id"] == "doc-original"
    assert reason["evidence"]["agree"] == ["total", "invoice_date", "invoice_number"]
    assert reason["evidence"]["similarity"] >= 0.85


def test_same_vendors_next_invoice_is_not_a_near_duplicate(memory: ChromaMemory) -> None:
    # Reads alike (same vendor, same services) but another number, month and total.
    assert _near(memory, _extraction(invoice_number="NLS-INV-2026-0519",
                                     invoice_date="2026-10-14", total="2391.10")) is None
    # A monthly subscription: same total, the next number, a month later; a weekly fee:
    # same total, next number, a week later.
    assert _near(memory, _extraction(invoice_number="NLS-INV-2026-0413",
                                     invoice_date="2026-09-14")) is None
    assert _near(memory, _extraction(invoice_number="NLS-INV-2026-0413",
                                     invoice_date="2026-08-21")) is None
    # Re-issued under a new number on the same day, same total: flagged.
    assert _near(memory, _extraction(invoice_number="NLS-INV-2026-0977")) is not None


@pytest.mark.parametrize(("a", "b", "same"), [
    ("NLS-INV-2026-0412", "nlsinv2026412", True), ("NLS-INV-2026-0412", "NLS-INV-2026-0412-R", True),
    ("INV 1041", "inv-1041", True), ("HM-2026-0077", "HM-2026-0078", False),
    ("2026-3318", "2026-3381", True), ("2026-3318", "2026-3328", False),
    ("RE-10873", "GS-10873", False),
])
def test_invoice_numbers_written_another_way(a: str, b: str, same: bool) -> None:
    from wardflow.agents.risk import _similar_number

    assert _similar_number(a, b) is same


def test_same_facts_from_another_vendor_is_not_a_near_duplicate(memory: ChromaMemory) -> None:
    other = Vendor("V7", "Brandt Bürobedarf GmbH", "DE123987656", None, country="DE")
    extraction = _extraction(vendor=other.name, vendor_id="V7", vendor_tax_id=other.tax_id,
                             invoice_number="NLS-INV-2026-0412-R")
    record = record_from_extraction({"id": "doc-new", "sha256": "3" * 64}, extraction)
    report = assess_risk(extraction, document_sha256="3" * 64, vendor=other, same_document=[],
                         same_number=[], vendor_history=[], purchase_order=None,
                         similar=memory.similar(record.text))
    assert "near_duplicate" not in [r["code"] for r in report["reasons"]]


def test_near_duplicate_is_not_counted_twice_with_an_erp_duplicate(memory: ChromaMemory) -> None:
    from wardflow.tools.erp import InvoicePosting

    posted = InvoicePosting("P-1", "k" * 16, "V1", "NLS-INV-2026-0412", "2026-08-14", "EUR",
                            Decimal("2146.76"), None, "1" * 64, "auto", "2026-08-15")
    extraction = _extraction()
    record = record_from_extraction({"id": "doc-new", "sha256": "3" * 64}, extraction)
    codes = _codes(extraction, same_number=[posted], similar=memory.similar(record.text))
    assert codes == ["duplicate_invoice_number"]


# Approval limit, tax rate, three-way match, dates ----------------------------------------
@pytest.mark.parametrize(("amount", "flagged"), [
    ("9800.00", True), ("9500.00", True), ("9499.99", False), ("10000.00", False),
    (None, False),
])
def test_just_under_the_approval_limit(amount: str | None, flagged: bool) -> None:
    codes = _codes(_extraction(total=amount or "1.00"),
                   approval_amount=Decimal(amount) if amount else None)
    assert ("just_under_approval_limit" in codes) is flagged
    # Weak alone: it never reaches review by itself (combined with a round amount
    # neither).
    assert combine([WEIGHTS["just_under_approval_limit"], WEIGHTS["round_amount"]]) < 0.5


def test_just_under_limit_uses_the_policy() -> None:
    policy = RiskPolicy(approval_limit=Decimal("5000"), just_under_limit_band=0.1)
    assert "just_under_approval_limit" in _codes(
        _extraction(), approval_amount=Decimal("4600"), policy=policy)
    assert RiskPolicy.from_settings(Settings(approval_limit=Decimal("5000"))).approval_limit \
        == Decimal("5000")


@pytest.mark.parametrize(("po", "amount", "flagged"), [
    (None, "12000.00", True),            # no PO, over the bar
    (None, "5000.00", True),             # exactly at it
    (None, "4999.99", False),            # under it
    ("PO-2026-031", "12000.00", False),  # has a PO (checked by the other PO signals)
])
def test_no_po_no_pay(po: str | None, amount: str, flagged: bool) -> None:
    policy = RiskPolicy(po_required_from=Decimal("5000"))
    reasons = assess_risk(_extraction(po_number=po, total=amount), document_sha256="0" * 64,
                          vendor=VENDOR, same_document=[], same_number=[], vendor_history=[],
                          purchase_order=None, approval_amount=Decimal(amount), policy=policy)
    found = [r for r in reasons["reasons"] if r["code"] == "po_missing"]
    assert bool(found) is flagged
    if found:
        assert found[0]["evidence"] == {"field": "po_number", "amount": amount,
                                        "required_from": "5000"}
    # Off when the policy has no bar; the default bar is the approval limit.
    assert "po_missing" not in _codes(_extraction(total="99999.00"),
                                      approval_amount=Decimal("99999.00"))
    assert RiskPolicy.from_settings(Settings()).po_required_from == Decimal("10000")


@pytest.mark.parametrize(("rate", "vendor", "tax_id", "flagged"), [
    (16.0, VENDOR, None, True),      # Germany's 2020 Covid rate, no longer valid
    (19.0, VENDOR, None, False),
    (7.0, VENDOR, None, False),       # reduced rate
    (0.0, VENDOR, None, False),       # reverse charge / exempt
    (19.0, None, "FR96514839265", True),   # country from the tax id: France has no 19%
    (20.0, None, "FR96514839265", False),
    (7.25, None, "94-3187265", False),     # US sales tax: not checked
    (7.7, Vendor("V5", "Alpenglanz AG", country="CH"), None, True),  # Swiss rate before 2024
    (8.1, Vendor("V5", "Alpenglanz AG", country="CH"), None, False),
])
def test_tax_rate_not_valid_for_the_country(
    rate: float, vendor: Vendor | None, tax_id: str | None, flagged: bool
) -> None:
    extraction = _extraction(tax_rate=rate, vendor_tax_id=tax_id or VENDOR.tax_id)
    reasons = assess_risk(extraction, document_sha256="0" * 64, vendor=vendor, same_document=[],
                          same_number=[], vendor_history=[], purchase_order=None)["reasons"]
    found = [r for r in reasons if r["code"] == "tax_rate_invalid"]
    assert bool(found) is flagged
    if found:
        assert found[0]["evidence"]["rate"] == str(Decimal(str(rate)))


def _receipt(description: str, quantity: str) -> GoodsReceipt:
    return GoodsReceipt("GR-1", "PO-1", description, Decimal(quantity), "2026-08-10")


@pytest.mark.parametrize(("receipts", "flagged"), [
    ([("Workflow Cloud Business plan 25 seats", "20"),
      ("Onboarding workshop (remote), hours", "4")], True),    # 25 invoiced, 20 received
    ([("Workflow Cloud Business plan, 25 seats", "25")], True),  # workshop never received
    ([("Workflow Cloud Business plan, 25 seats", "15"),
      ("Workflow Cloud Business plan, 25 seats", "10"),
      ("Onboarding workshop (remote), hours", "4")], False),   # two partial receipts
    ([], False),                                                # no receipt: no three-way match
])
def test_quantity_mismatch_three_way_match(receipts: list[tuple[str, str]], flagged: bool) -> None:
    reasons = assess_risk(
        _extraction(po_number="PO-1"), document_sha256="0" * 64, vendor=VENDOR,
        same_document=[], same_number=[], vendor_history=[], purchase_order=PO,
        goods_receipts=[_receipt(d, q) for d, q in receipts])["reasons"]
    found = [r for r in reasons if r["code"] == "quantity_mismatch"]
    assert bool(found) is flagged
    if found:
        assert found[0]["evidence"]["po_number"] == "PO-1"


def test_goods_receipts_import_into_the_embedded_erp(tmp_path: Path) -> None:
    erp = SqliteErp(tmp_path / "erp.sqlite")
    erp.import_master({
        "vendors": [{"id": "V1", "name": "Nordlicht Software GmbH"}],
        "purchase_orders": [{"po_number": "PO-1", "vendor_id": "V1", "amount": "5000",
                             "currency": "EUR"}],
        "goods_receipts": [{"receipt_id": "GR-1", "po_number": "PO-1", "quantity": 20,
                            "description": "Cloud plan seats", "received_at": "2026-08-10"}],
    })
    assert erp.goods_receipts("PO-1") == [
        GoodsReceipt("GR-1", "PO-1", "Cloud plan seats", Decimal("20"), "2026-08-10")]
    assert erp.goods_receipts("PO-2") == []


@pytest.mark.parametrize(("detail", "passed", "kind"), [
    ("invoice date is in the future", False, "future"),
    ("invoice date is more than 730 days old", False, "old"),
    ("invoice date is plausible", True, None),
])
def test_date_in_the_future_or_very_old(detail: str, passed: bool, kind: str | None) -> None:
    checks = [{"name": "date_sane", "passed": passed, "detail": detail}]
    reasons = assess_risk(_extraction(checks=checks), document_sha256="0" * 64, vendor=VENDOR,
                          same_document=[], same_number=[], vendor_history=[],
                          purchase_order=None)["reasons"]
    found = [r for r in reasons if r["code"] == "date_implausible"]
    assert (found[0]["evidence"]["kind"] if found else None) == kind


@pytest.mark.parametrize(("total", "flagged"), [("3000.00", True), ("2146.76", False),
                                                ("500.00", False)])
def test_round_amount(total: str, flagged: bool) -> None:
    assert ("round_amount" in _codes(_extraction(total=total))) is flagged


def test_policy_weights_replace_the_defaults() -> None:
    policy = RiskPolicy(weights={**WEIGHTS, "round_amount": 0.6})
    report = assess_risk(_extraction(total="3000.00"), document_sha256="0" * 64, vendor=VENDOR,
                         same_document=[], same_number=[], vendor_history=[],
                         purchase_order=None, policy=policy)
    assert report["score"] == 0.6


# Through the graph -----------------------------------------------------------------------
NLS = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
NLS_COPY = "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"


def test_graph_finds_a_near_duplicate_that_was_never_posted(
    tmp_path: Path, clock: Callable[[], datetime], inbox_copy: Callable[..., Path],
) -> None:
    from tests.conftest import EXAMPLES
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    # A low approval limit keeps the original in review (not posted), so the ERP
    # duplicate checks cannot see it; only the memory can.
    settings = Settings(home=tmp_path / "home", model="none", memory="chroma",
                        approval_limit=Decimal("1000"))
    folder = inbox_copy(NLS, NLS_COPY)
    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        original, copy = ws.process([folder / NLS, folder / NLS_COPY])
        list(ws.process([folder / NLS]))  # the same document once more
    assert "near_duplicate" not in original.reasons
    assert "near_duplicate" in copy.reasons and "duplicate_invoice_number" not in copy.reasons
    memory = ChromaMemory(MiniLmEmbedding(), path=settings.chroma_path)
    assert memory.count() == 2  # processing a document again does not add a copy
