"""The dry-run ERP and storage pass their seams' suites and never write to their base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wardflow.testing import ErpConformance, StorageConformance
from wardflow.testing.erp import MASTER, _args
from wardflow.tools.dryrun import DryRunErp, DryRunStorage
from wardflow.tools.erp import SqliteErp
from wardflow.tools.storage import LocalStorage


class TestDryRunStorage(StorageConformance):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> Iterator[DryRunStorage]:
        base = LocalStorage(tmp_path / "storage")
        yield DryRunStorage(base)
        assert not any(base.root.rglob("*")), "a dry-run write reached the real storage"


class TestDryRunErp(ErpConformance):
    @pytest.fixture
    def seeded_erp(self) -> Iterator[DryRunErp]:
        base = SqliteErp(":memory:")
        base.import_master(MASTER)
        yield DryRunErp(base)
        assert base.postings() == [], "a dry-run posting reached the real ERP"


def test_dry_erp_hides_a_posting_and_says_when_a_key_is_already_posted() -> None:
    base = SqliteErp(":memory:")
    base.import_master(MASTER)
    real = base.post_invoice(_args("T-1"))
    base.post_invoice(_args("T-2", "238.00"))

    dry = DryRunErp(base, hidden=[real.posting_id])
    again = dry.post_invoice(_args("T-1"))

    assert [p.invoice_number for p in dry.find_posting(vendor_id="V-TEST")] == ["T-2", "T-1"]
    assert again.posting_id.startswith("DRY-") and again.created
    assert [w.detail["already_posted_as"] for w in dry.writes] == [real.posting_id]
    assert len(base.postings()) == 2


def test_dry_storage_reads_an_archived_document_under_its_first_key(tmp_path: Path) -> None:
    base = LocalStorage(tmp_path / "storage")
    base.put("archive/posted/doc-1/a.pdf", b"pdf")
    dry = DryRunStorage(base, aliases={"incoming/doc-1/a.pdf": "archive/posted/doc-1/a.pdf"})

    assert dry.get("incoming/doc-1/a.pdf") == b"pdf"
    moved = dry.move("incoming/doc-1/a.pdf", "archive/rejected/doc-1/a.pdf")

    assert moved.key == "archive/rejected/doc-1/a.pdf" and not dry.exists("incoming/doc-1/a.pdf")
    assert dry.list("archive") == ["archive/posted/doc-1/a.pdf", "archive/rejected/doc-1/a.pdf"]
    assert [(w.op, w.target) for w in dry.writes] == [("move", "archive/rejected/doc-1/a.pdf")]
    assert base.list() == ["archive/posted/doc-1/a.pdf"]
