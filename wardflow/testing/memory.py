"""What every :class:`~wardflow.tools.memory.InvoiceMemory` backend must do.

Provide a ``memory`` fixture returning an empty backend. The texts are chosen so that
any reasonable embedding ranks them the same way (shared words and numbers).
"""

from __future__ import annotations

from typing import Any

import pytest

from wardflow.tools.memory import InvoiceMemory, InvoiceRecord

__all__ = ["MemoryConformance"]


def _record(rid: str, text: str, vendor_id: str) -> InvoiceRecord:
    return InvoiceRecord(id=rid, text=text, sha256=rid.ljust(64, "0"), vendor_id=vendor_id,
                         invoice_number=rid.upper(), total="100.00", currency="EUR")


class MemoryConformance:
    """Provide a ``memory`` fixture returning an empty backend."""

    @pytest.fixture
    def memory(self) -> Any:
        raise NotImplementedError("provide a `memory` fixture")

    def test_is_an_invoice_memory(self, memory: Any) -> None:
        assert isinstance(memory, InvoiceMemory)
        assert memory.count() == 0
        assert memory.similar("anything") == []

    def test_upsert_replaces_by_id(self, memory: InvoiceMemory) -> None:
        first = _record("inv-1", "Invoice INV-1 from Acme GmbH, consulting", "V1")
        memory.upsert(first)
        memory.upsert(first)
        assert memory.count() == 1
        assert memory.get("inv-1") == first
        assert memory.get("inv-2") is None

    def test_similar_ranks_filters_and_excludes(self, memory: InvoiceMemory) -> None:
        memory.upsert(_record("inv-1", "Invoice 1041 from Acme GmbH, cloud hosting April", "V1"))
        memory.upsert(_record("inv-2", "Road freight Rotterdam Hamburg, full truck load", "V2"))
        memory.upsert(_record("inv-3", "Invoice 1042 from Acme GmbH, cloud hosting May", "V1"))
        query = "Acme GmbH invoice 1041, cloud hosting for April"
        hits = memory.similar(query, k=3)
        assert hits[0].record.id == "inv-1"
        assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
        assert [h.record.id for h in memory.similar(query, where={"vendor_id": "V2"})] == ["inv-2"]
        assert "inv-1" not in [h.record.id for h in memory.similar(query, exclude_id="inv-1")]
        assert len(memory.similar(query, k=1)) == 1

    def test_delete_forgets_records(self, memory: InvoiceMemory) -> None:
        memory.upsert(_record("inv-1", "Invoice 1041 from Acme GmbH, cloud hosting April", "V1"))
        memory.upsert(_record("inv-2", "Road freight Rotterdam Hamburg, full truck load", "V2"))
        assert memory.delete(["inv-1", "inv-9"]) == 1
        assert memory.get("inv-1") is None and memory.count() == 1
        assert [h.record.id for h in memory.similar("Acme GmbH invoice 1041")] == ["inv-2"]
        assert memory.delete(["inv-1"]) == 0 and memory.delete([]) == 0
