"""The tools agents call: ERP lookup and post, storage put/get/archive.

Each is a langchain-core tool with a typed argument schema, so a model can call it
through tool calling and a node can call it directly; both paths go through the same
guard and audit wrapper.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from wardflow.errors import GuardViolation, StorageError
from wardflow.observability.audit import AuditSink, digest
from wardflow.observability.tracing import DISABLED, Telemetry
from wardflow.tools._governed import GovernedTool, ToolGuard
from wardflow.tools.erp import ErpAdapter, PostInvoice
from wardflow.tools.storage import Storage, check_key

__all__ = ["ApprovedPostingGuard", "StorageKeyGuard", "Toolset"]


class VendorLookup(BaseModel):
    """Find a vendor in the vendor master."""

    name: str | None = None
    tax_id: str | None = None
    iban: str | None = None


class InvoiceLookup(BaseModel):
    """Find posted invoices by vendor, invoice number or document hash."""

    vendor_id: str | None = None
    invoice_number: str | None = None
    document_sha256: str | None = None


class StoragePut(BaseModel):
    key: str = Field(description="relative key, e.g. incoming/doc-1/invoice.pdf")
    data: bytes


class StorageGet(BaseModel):
    key: str


class StorageArchive(BaseModel):
    src: str
    dst: str


class StorageKeyGuard:
    """Storage keys must stay inside the storage root (no ``..``, no absolute paths)."""

    def check(self, tool: str, args: BaseModel, metadata: Mapping[str, Any]) -> None:
        for name in ("key", "src", "dst"):
            key = getattr(args, name, None)
            if key is not None:
                try:
                    check_key(key)
                except StorageError as err:
                    raise GuardViolation("storage_key", str(err), evidence=str(key)[:80]) from err


class ApprovedPostingGuard:
    """An ERP posting must carry exactly the arguments a reviewer (or the auto-approval
    policy) approved.

    The caller passes the approved proposal's hash as ``approved_args_hash`` in the
    call's metadata: the digest of the posting arguments without ``approved_by``, the
    same hash a reviewer is shown. A missing approval, or any difference (a changed
    amount, another IBAN), blocks the post.
    """

    def check(self, tool: str, args: BaseModel, metadata: Mapping[str, Any]) -> None:
        if tool != "erp_post_invoice":
            return
        approved = metadata.get("approved_args_hash")
        if approved is None:
            raise GuardViolation("approved_posting", "no approval is attached to this posting")
        proposal = {k: v for k, v in args.model_dump(mode="json").items() if k != "approved_by"}
        actual = digest(proposal)
        if approved != actual:
            raise GuardViolation(
                "approved_posting", "posting arguments differ from the approved ones",
                evidence=f"approved {approved[:12]}, got {actual[:12]}",
            )


class Toolset:
    """The governed tools over one ERP and one storage.

    Args:
        erp: the system of record.
        storage: where documents live.
        audit: the audit log every call is written to.
        guards: extra tool guards, run after the built-in ones.
    """

    def __init__(
        self,
        erp: ErpAdapter,
        storage: Storage,
        audit: AuditSink,
        *,
        guards: Sequence[ToolGuard] = (),
        telemetry: Telemetry = DISABLED,
    ) -> None:
        self.erp = erp
        self.storage = storage
        checks: list[ToolGuard] = [StorageKeyGuard(), ApprovedPostingGuard(), *guards]

        put, get, archive = _storage_calls(storage)
        lookup_vendor, find_invoices, post = _erp_calls(erp)

        def tool(name: str, description: str, schema: type[BaseModel], func: Any,
                 **options: Any) -> GovernedTool:
            return GovernedTool(name, description, schema, func, audit=audit, guards=checks,
                                telemetry=telemetry, **options)

        self.storage_put = tool(
            "storage_put", "Store a document's bytes under a key.", StoragePut, put,
            audit_args=_put_record)
        self.storage_get = tool(
            "storage_get", "Read a stored document.", StorageGet, get, side_effects=False,
            audit_args=_get_record)
        self.storage_archive = tool(
            "storage_archive", "Move a stored document to its archive key.", StorageArchive,
            archive)
        self.erp_lookup_vendor = tool(
            "erp_lookup_vendor", "Find a vendor in the ERP vendor master by tax id, name or IBAN.",
            VendorLookup, lookup_vendor, side_effects=False)
        self.erp_find_invoices = tool(
            "erp_find_invoices", "Find posted invoices by vendor, invoice number or document hash.",
            InvoiceLookup, find_invoices, side_effects=False)
        self.erp_post_invoice = tool(
            "erp_post_invoice",
            "Post an approved invoice to the ERP. Idempotent: the same key never posts twice.",
            PostInvoice, post)

    def all(self) -> list[GovernedTool]:
        """Every tool."""
        return [
            self.storage_put, self.storage_get, self.storage_archive,
            self.erp_lookup_vendor, self.erp_find_invoices, self.erp_post_invoice,
        ]

    def as_tools(self) -> list[BaseTool]:
        """Every tool as a langchain-core tool, for binding to a model."""
        return [t.as_tool() for t in self.all()]


_Call = Callable[[BaseModel], Any]


def _storage_calls(storage: Storage) -> tuple[_Call, _Call, _Call]:
    """The storage tools' bodies: put, get and archive."""

    def put(a: BaseModel) -> dict[str, Any]:
        assert isinstance(a, StoragePut)
        obj = storage.put(a.key, a.data)
        return {"key": obj.key, "size": obj.size}

    def get(a: BaseModel) -> dict[str, Any]:
        assert isinstance(a, StorageGet)
        data = storage.get(a.key)
        return {"key": a.key, "size": len(data), "data_b64": base64.b64encode(data).decode()}

    def archive(a: BaseModel) -> dict[str, Any]:
        assert isinstance(a, StorageArchive)
        obj = storage.move(a.src, a.dst)
        return {"key": obj.key, "size": obj.size}

    return put, get, archive


def _erp_calls(erp: ErpAdapter) -> tuple[_Call, _Call, _Call]:
    """The ERP tools' bodies: vendor lookup, invoice lookup and posting."""

    def lookup_vendor(a: BaseModel) -> dict[str, Any] | None:
        assert isinstance(a, VendorLookup)
        vendor = erp.find_vendor(name=a.name, tax_id=a.tax_id, iban=a.iban)
        return None if vendor is None else asdict(vendor)

    def find_invoices(a: BaseModel) -> list[dict[str, Any]]:
        assert isinstance(a, InvoiceLookup)
        return [p.to_dict() for p in erp.find_posting(
            vendor_id=a.vendor_id, invoice_number=a.invoice_number,
            document_sha256=a.document_sha256,
        )]

    def post(a: BaseModel) -> dict[str, Any]:
        assert isinstance(a, PostInvoice)
        return erp.post_invoice(a).to_dict()

    return lookup_vendor, find_invoices, post


def _put_record(a: BaseModel) -> dict[str, Any]:
    """What the audit log keeps of a put: the document's size and hash, not its bytes."""
    assert isinstance(a, StoragePut)
    return {"key": a.key, "size": len(a.data), "sha256": hashlib.sha256(a.data).hexdigest()}


def _get_record(a: BaseModel) -> dict[str, Any]:
    return a.model_dump(mode="json")
