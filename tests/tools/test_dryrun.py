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


def test_dry_run_memory_searches_the_real_store_and_never_writes_it(tmp_path: Path) -> None:
    from wardflow.tools.dryrun import DryRunMemory
    from wardflow.tools.embedding import embedder_for
    from wardflow.tools.memory import ChromaMemory, InvoiceRecord

    real = ChromaMemory(embedder_for("lexical"), path=tmp_path / "chroma")
    known = InvoiceRecord(id="doc-1", text="Nordlicht Software invoice NLS-1 total 2146.76",
                          sha256="a" * 64, vendor="Nordlicht Software GmbH")
    real.upsert(known)
    dry = DryRunMemory(real)
    dry.upsert(InvoiceRecord(id="doc-2", text="Nordlicht Software invoice NLS-2 total 99.00",
                             sha256="b" * 64, vendor="Nordlicht Software GmbH"))
    assert real.count() == 1 and real.get("doc-2") is None  # the live store is untouched
    assert dry.get("doc-2") is not None and dry.count() == 2
    assert [w.op for w in dry.writes] == ["remember"]
    found = dry.similar("Nordlicht Software invoice NLS-1", k=1)
    assert [f.record.id for f in found] == ["doc-1"]
