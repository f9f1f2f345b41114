"""Deterministic extraction against the example inbox's ground truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX
from wardflow.agents.extractor import ExtractionPolicy, extract_invoice
from wardflow.tools.documents import DocumentText, read_document
from wardflow.tools.erp import SqliteErp, load_master
from wardflow.tools.inbox import collect
from wardflow.tools.storage import LocalStorage

FIELDS = ("vendor", "invoice_number", "invoice_date", "due_date", "currency", "subtotal", "tax",
          "total", "iban")
PDFS = sorted(p.name for p in INBOX.iterdir() if p.suffix in (".pdf", ".eml"))
POLICY = ExtractionPolicy(today=date(2026, 11, 25))


@pytest.fixture(scope="module")
def vendors() -> list[Any]:
    erp = SqliteErp(":memory:")
    erp.import_master(load_master(EXAMPLES / "erp.json"))
    return erp.vendors()


def _document(name: str, tmp_path: Path) -> DocumentText:
    storage = LocalStorage(tmp_path / "s")
    [item] = list(collect([INBOX / name], storage, max_bytes=10**8))
    data = Path(item.path).read_bytes() if item.path else storage.get(item.storage_key or "")
    return read_document(data, item.name)


@pytest.mark.parametrize("name", PDFS)
def test_fields_match_ground_truth(
    name: str, tmp_path: Path, vendors: list[Any], labels: dict[str, dict[str, Any]]
) -> None:
    label = labels[name]
    extraction = extract_invoice(_document(name, tmp_path), vendors, POLICY)
    got = {f: extraction["fields"][f]["value"] for f in FIELDS}
    assert got == {f: label[f] for f in FIELDS}
    assert len(extraction["line_items"]) == len(label["line_items"])
    assert [i["amount"] for i in extraction["line_items"]] == [
        i["amount"] for i in label["line_items"]]


@pytest.mark.parametrize("name", PDFS)
def test_confidence_is_earned(
    name: str, tmp_path: Path, vendors: list[Any], labels: dict[str, dict[str, Any]]
) -> None:
    extraction = extract_invoice(_document(name, tmp_path), vendors, POLICY)
    reasons = labels[name]["expected_reasons"]
    if "arithmetic" in reasons or "unknown_vendor" in reasons:
        assert extraction["confidence"] < 0.9
    else:
        assert extraction["confidence"] >= 0.9
        assert extraction["low_confidence"] == []


def test_failed_check_outweighs_passed_ones(tmp_path: Path, vendors: list[Any]) -> None:
    doc = _document("2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf", tmp_path)
    extraction = extract_invoice(doc, vendors, POLICY)
    total = extraction["fields"]["total"]
    assert "totals_add_up" in total["checks"] and "line_items_sum" in total["checks"]
    assert total["confidence"] == 0.5
    assert any("line items add up to 1845.00" in n for n in total["notes"])


def test_future_date_lowers_confidence(vendors: list[Any]) -> None:
    text = "Nordlicht Software GmbH\nVAT ID: DE274518364\nInvoice No. A-1\nInvoice date 2027-01-05\nTotal EUR 10.00\n"
    extraction = extract_invoice(DocumentText((text,), "pdf-text"), vendors, POLICY)
    assert extraction["fields"]["invoice_date"]["confidence"] == 0.5
    assert "invoice_date" in extraction["low_confidence"]


@pytest.mark.slow
def test_scanned_image_is_read_by_ocr_and_capped(
    tmp_path: Path, vendors: list[Any], labels: dict[str, dict[str, Any]]
) -> None:
    name = "2026-10-09_scan_elbufer-druckerei.png"
    doc = _document(name, tmp_path)
    assert doc.method == "ocr" and doc.quality > 0.8
    extraction = extract_invoice(doc, vendors, POLICY)
    label = labels[name]
    for field in ("invoice_number", "invoice_date", "total", "iban", "currency"):
        assert extraction["fields"][field]["value"] == label[field], field
    assert extraction["confidence"] <= 0.85
