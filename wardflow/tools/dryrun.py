"""Side-effect-free stand-ins for the ERP and storage, for replays and what-if runs.

Each wraps a real backend: reads go to it, writes are kept in memory and recorded, so
a graph built on them behaves as if it had posted or stored (a second post of the
same key is a repeat, a stored object can be read back) while the real ERP and the
real storage tree stay exactly as they were. Both pass their seams' conformance
suites (``wardflow.testing``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wardflow.errors import StorageError
from wardflow.tools.erp import ErpAdapter, InvoicePosting, PostInvoice, PurchaseOrder, Vendor
from wardflow.tools.memory import InvoiceMemory, InvoiceRecord, SimilarInvoice
from wardflow.tools.storage import Storage, StoredObject, check_key

if TYPE_CHECKING:
    from wardflow.config import Settings

__all__ = ["DryRunErp", "DryRunMemory", "DryRunStorage", "DryWrite", "dry_memory"]


@dataclass(frozen=True, slots=True)
class DryWrite:
    """One write a dry-run backend was asked for and did not do."""

    op: str  # "post", "put", "move", "delete", "remember" or "forget"
    target: str  # the idempotency key, the storage key, the move's destination, a record
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "target": self.target, "detail": self.detail}


class DryRunErp:
    """An ERP that reads from ``base`` and only records postings.

    Args:
        base: the real ERP; only its read methods are called.
        hidden: posting ids the reads leave out. A replay hides the replayed run's own
            posting, or every replayed posted run would find itself as a duplicate.
        clock: the time a recorded posting carries.
    """

    def __init__(
        self, base: ErpAdapter, *, hidden: Collection[str] = (),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._base = base
        self._hidden = frozenset(hidden)
        self._clock = clock
        self._posted: dict[str, InvoicePosting] = {}
        self.writes: list[DryWrite] = []

    def find_vendor(
        self, *, name: str | None = None, tax_id: str | None = None, iban: str | None = None
    ) -> Vendor | None:
        return self._base.find_vendor(name=name, tax_id=tax_id, iban=iban)

    def vendors(self) -> list[Vendor]:
        return self._base.vendors()

    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        return self._base.purchase_order(po_number)

    def postings(self, *, vendor_id: str | None = None) -> list[InvoicePosting]:
        mine = [p for p in self._posted.values() if vendor_id in (None, p.vendor_id)]
        return self._visible(self._base.postings(vendor_id=vendor_id)) + mine

    def find_posting(
        self, *, vendor_id: str | None = None, invoice_number: str | None = None,
        document_sha256: str | None = None,
    ) -> list[InvoicePosting]:
        found = self._base.find_posting(vendor_id=vendor_id, invoice_number=invoice_number,
                                        document_sha256=document_sha256)
        wanted = {"vendor_id": vendor_id, "invoice_number": invoice_number,
                  "document_sha256": document_sha256}
        if all(v is None for v in wanted.values()):
            return []
        mine = [p for p in self._posted.values()
                if all(v is None or getattr(p, k) == v for k, v in wanted.items())]
        return self._visible(found) + mine

    def post_invoice(self, args: PostInvoice) -> InvoicePosting:
        """Record the posting and return it with a ``DRY-`` posting id; nothing is written."""
        first = self._posted.get(args.idempotency_key)
        if first is not None:
            return replace(first, created=False)
        already = [p.posting_id for p in self._base.find_posting(
            document_sha256=args.document_sha256) if p.idempotency_key == args.idempotency_key]
        posting = InvoicePosting(
            posting_id=f"DRY-{args.idempotency_key[:12]}", idempotency_key=args.idempotency_key,
            vendor_id=args.vendor_id, invoice_number=args.invoice_number,
            invoice_date=args.invoice_date, currency=args.currency, total=args.total,
            iban=args.iban, document_sha256=args.document_sha256, approved_by=args.approved_by,
            posted_at=self._clock().isoformat(),
        )
        self._posted[args.idempotency_key] = posting
        # A key the real ERP already holds would have been a repeat there: say so.
        self.writes.append(DryWrite("post", args.idempotency_key, {
            **args.model_dump(mode="json"), "already_posted_as": already[0] if already else None}))
        return posting

    def _visible(self, postings: list[InvoicePosting]) -> list[InvoicePosting]:
        return [p for p in postings if p.posting_id not in self._hidden]


class DryRunStorage:
    """Storage that reads from ``base`` and keeps every write in memory.

    Args:
        base: the real storage; only ``get``, ``exists`` and ``list`` are called.
        aliases: key -> where the object is now. A replay reads the document under the
            key its run stored it with, although that run has since archived it.
    """

    def __init__(self, base: Storage, *, aliases: Mapping[str, str] | None = None) -> None:
        self._base = base
        self._aliases = dict(aliases or {})
        self._objects: dict[str, bytes] = {}
        self._gone: set[str] = set()
        self.writes: list[DryWrite] = []

    def put(self, key: str, data: bytes) -> StoredObject:
        key = check_key(key)
        self._objects[key] = data
        self._gone.discard(key)
        self.writes.append(DryWrite("put", key, {
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}))
        return StoredObject(key=key, size=len(data), uri=f"dryrun:{key}")

    def get(self, key: str) -> bytes:
        key = check_key(key)
        if key in self._objects:
            return self._objects[key]
        if key in self._gone:
            raise StorageError("storage", f"no object {key!r}")
        if key in self._aliases and not self._base.exists(key):
            return self._base.get(self._aliases[key])
        return self._base.get(key)

    def move(self, src: str, dst: str) -> StoredObject:
        src, dst = check_key(src), check_key(dst)
        if not self.exists(src) and self.exists(dst):
            return StoredObject(key=dst, size=len(self.get(dst)), uri=f"dryrun:{dst}")
        data = self.get(src)
        self._objects[dst] = data
        self._objects.pop(src, None)
        self._gone.add(src)
        self._gone.discard(dst)
        self.writes.append(DryWrite("move", dst, {"src": src, "size": len(data)}))
        return StoredObject(key=dst, size=len(data), uri=f"dryrun:{dst}")

    def exists(self, key: str) -> bool:
        key = check_key(key)
        if key in self._objects:
            return True
        if key in self._gone:
            return False
        if self._base.exists(key):
            return True
        return key in self._aliases and self._base.exists(self._aliases[key])

    def delete(self, key: str) -> bool:
        key = check_key(key)
        found = self.exists(key)
        self._objects.pop(key, None)
        self._gone.add(key)
        if found:
            self.writes.append(DryWrite("delete", key, {}))
        return found

    def list(self, prefix: str = "") -> list[str]:
        def under(key: str) -> bool:
            return not prefix or key == prefix or key.startswith(prefix.rstrip("/") + "/")

        keys = {k for k in self._base.list(prefix) if k not in self._gone}
        keys.update(k for k in self._objects if under(k))
        return sorted(keys)


class DryRunMemory:
    """The invoice memory, read-only: searches and reads go to ``base``; a stored
    record is kept here (and found by :meth:`get`) but never reaches the real store,
    so a replay or shadow run does not rewrite the live memory."""

    def __init__(self, base: InvoiceMemory) -> None:
        self._base = base
        self._kept: dict[str, InvoiceRecord] = {}
        self.writes: list[DryWrite] = []

    def upsert(self, record: InvoiceRecord) -> None:
        self._kept[record.id] = record
        self.writes.append(DryWrite("remember", record.id, {"vendor": record.vendor}))

    def similar(self, text: str, *, k: int = 5, exclude_id: str | None = None,
                where: Mapping[str, str] | None = None) -> list[SimilarInvoice]:
        return self._base.similar(text, k=k, exclude_id=exclude_id, where=where)

    def get(self, record_id: str) -> InvoiceRecord | None:
        return self._kept.get(record_id) or self._base.get(record_id)

    def count(self) -> int:
        return self._base.count() + sum(1 for i in self._kept if self._base.get(i) is None)

    def delete(self, record_ids: Sequence[str]) -> int:
        gone = [i for i in dict.fromkeys(record_ids)
                if self._kept.pop(i, None) is not None or self._base.get(i) is not None]
        self.writes.extend(DryWrite("forget", i, {}) for i in gone)
        return len(gone)


def dry_memory(settings: Settings) -> DryRunMemory | None:
    """The memory ``settings`` name, read-only; ``None`` when it is off."""
    from wardflow.tools.memory import open_memory

    base = open_memory(settings)
    return DryRunMemory(base) if base is not None else None
