"""The ERP seam and the embedded ERP, on SQLite (default) or Postgres.

The embedded ERP keeps a vendor master, purchase orders and posted invoices. Posting
is idempotent: every posting carries a unique idempotency key, and posting the same
key again returns the first posting instead of creating a second one.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from wardflow._postgres import PostgresStore
from wardflow._schema import Column, Index, Table, render
from wardflow._sqlite import SqliteStore, utc_now
from wardflow._store import StoreBackend
from wardflow.errors import ErpError

__all__ = [
    "EmbeddedErp",
    "ErpAdapter",
    "GoodsReceipt",
    "GoodsReceipts",
    "InvoicePosting",
    "PostInvoice",
    "PostgresErp",
    "PurchaseOrder",
    "SqliteErp",
    "Vendor",
]


class PostInvoice(BaseModel):
    """Arguments of an ERP invoice posting (also the tool's argument schema)."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str = Field(min_length=16, max_length=128)
    vendor_id: str
    invoice_number: str = Field(min_length=1, max_length=64)
    invoice_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    subtotal: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal
    iban: str | None = None
    po_number: str | None = None
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    approved_by: str


@dataclass(frozen=True, slots=True)
class Vendor:
    id: str
    name: str
    tax_id: str | None = None
    iban: str | None = None
    bic: str | None = None
    country: str | None = None
    currency: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    po_number: str
    vendor_id: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class GoodsReceipt:
    """Goods or services received against a purchase order line (three-way match)."""

    receipt_id: str
    po_number: str
    description: str
    quantity: Decimal
    received_at: str


@dataclass(frozen=True, slots=True)
class InvoicePosting:
    posting_id: str
    idempotency_key: str
    vendor_id: str
    invoice_number: str
    invoice_date: str
    currency: str
    total: Decimal
    iban: str | None
    document_sha256: str
    approved_by: str
    posted_at: str
    created: bool = True

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["total"] = str(self.total)
        return data


@runtime_checkable
class ErpAdapter(Protocol):
    """What wardflow needs from a system of record."""

    def find_vendor(
        self, *, name: str | None = None, tax_id: str | None = None, iban: str | None = None
    ) -> Vendor | None: ...

    def vendors(self) -> list[Vendor]: ...

    def purchase_order(self, po_number: str) -> PurchaseOrder | None: ...

    def postings(self, *, vendor_id: str | None = None) -> list[InvoicePosting]: ...

    def find_posting(
        self, *, vendor_id: str | None = None, invoice_number: str | None = None,
        document_sha256: str | None = None,
    ) -> list[InvoicePosting]: ...

    def post_invoice(self, args: PostInvoice) -> InvoicePosting: ...


@runtime_checkable
class GoodsReceipts(Protocol):
    """An ERP that records goods receipts; the risk agent then matches invoiced
    quantities against received ones. Optional: not every system of record has them."""

    def goods_receipts(self, po_number: str) -> list[GoodsReceipt]: ...


_TABLES = (
    Table("vendors", (
        Column("id"), Column("name", not_null=True), Column("tax_id"), Column("iban"),
        Column("bic"), Column("country"), Column("currency"), Column("email"),
    ), primary_key=("id",)),
    Table("purchase_orders", (
        Column("po_number"), Column("vendor_id", not_null=True, references="vendors(id)"),
        Column("amount", not_null=True), Column("currency", not_null=True),
    ), primary_key=("po_number",)),
    Table("invoices", (
        Column("posting_id"), Column("idempotency_key", not_null=True, unique=True),
        Column("vendor_id", not_null=True), Column("invoice_number", not_null=True),
        Column("invoice_date", not_null=True), Column("currency", not_null=True),
        Column("subtotal"), Column("tax"), Column("total", not_null=True),
        Column("iban"), Column("po_number"), Column("document_sha256", not_null=True),
        Column("approved_by", not_null=True), Column("posted_at", not_null=True),
    ), primary_key=("posting_id",), indexes=(
        Index("invoices_vendor", ("vendor_id", "invoice_number")),
        Index("invoices_doc", ("document_sha256",)),
    )),
    Table("goods_receipts", (
        Column("receipt_id", not_null=True), Column("po_number", not_null=True),
        Column("description", not_null=True), Column("quantity", not_null=True),
        Column("received_at", not_null=True),
    ), primary_key=("receipt_id", "description"),
        indexes=(Index("goods_receipts_po", ("po_number",)),)),
)

_POSTING_COLUMNS = (
    "posting_id, idempotency_key, vendor_id, invoice_number, invoice_date, currency, total,"
    " iban, document_sha256, approved_by, posted_at"
)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().replace(",", " ").replace(".", " ").split())


class EmbeddedErp(StoreBackend):
    """The embedded ERP, whichever database holds it: :class:`SqliteErp` or
    :class:`PostgresErp`. Its SQL is what both accept (``wardflow._postgres`` lets a
    psycopg connection run it); the database comes from the variant's second base."""

    # Master data -------------------------------------------------------------------
    def import_master(self, data: Mapping[str, Any]) -> tuple[int, int]:
        """Upsert vendors and purchase orders from ``{"vendors": [...], "purchase_orders": [...]}``.

        An optional ``"goods_receipts"`` list (receipt_id, po_number, description,
        quantity, received_at) is upserted too. Returns the number of vendors and
        purchase orders written.
        """
        vendors: Iterable[Mapping[str, Any]] = data.get("vendors", [])
        orders: Iterable[Mapping[str, Any]] = data.get("purchase_orders", [])
        receipts: Iterable[Mapping[str, Any]] = data.get("goods_receipts", [])
        try:
            vendor_rows = [
                (v["id"], v["name"], v.get("tax_id"), _compact(v.get("iban")), v.get("bic"),
                 v.get("country"), v.get("currency"), v.get("email"))
                for v in vendors
            ]
            order_rows = [
                (o["po_number"], o["vendor_id"], str(Decimal(str(o["amount"]))), o["currency"])
                for o in orders
            ]
            receipt_rows = [
                (r["receipt_id"], r["po_number"], r["description"],
                 str(Decimal(str(r["quantity"]))), r["received_at"])
                for r in receipts
            ]
        except (KeyError, TypeError, ArithmeticError) as err:
            raise ErpError("erp_import", f"malformed master data: {err!r}") from err
        try:
            with self._write() as conn:
                conn.executemany(_upsert("vendors", _VENDOR_COLUMNS, "id"), vendor_rows)
                conn.executemany(_upsert("purchase_orders", _ORDER_COLUMNS, "po_number"),
                                 order_rows)
                conn.executemany(
                    _upsert("goods_receipts", _RECEIPT_COLUMNS, "receipt_id, description"),
                    receipt_rows)
        except sqlite3.Error as err:
            raise ErpError("erp_import", str(err)) from err
        return len(vendor_rows), len(order_rows)

    def vendors(self) -> list[Vendor]:
        rows = self._conn.execute("SELECT * FROM vendors ORDER BY id").fetchall()
        return [Vendor(*row) for row in rows]

    def find_vendor(
        self, *, name: str | None = None, tax_id: str | None = None, iban: str | None = None
    ) -> Vendor | None:
        """Find a vendor by tax id, then by exact (case-insensitive) name, then by IBAN."""
        all_vendors = self.vendors()
        if tax_id:
            wanted = tax_id.replace(" ", "").upper()
            for vendor in all_vendors:
                if vendor.tax_id and vendor.tax_id.replace(" ", "").upper() == wanted:
                    return vendor
        if name:
            wanted = _normalise(name)
            for vendor in all_vendors:
                if _normalise(vendor.name) == wanted:
                    return vendor
        if iban:
            wanted = _compact(iban) or ""
            for vendor in all_vendors:
                if vendor.iban == wanted:
                    return vendor
        return None

    def purchase_order(self, po_number: str) -> PurchaseOrder | None:
        row = self._conn.execute(
            "SELECT po_number, vendor_id, amount, currency FROM purchase_orders"
            " WHERE po_number = ?",
            (po_number,),
        ).fetchone()
        return PurchaseOrder(row[0], row[1], Decimal(row[2]), row[3]) if row else None

    def goods_receipts(self, po_number: str) -> list[GoodsReceipt]:
        rows = self._conn.execute(
            "SELECT receipt_id, po_number, description, quantity, received_at"
            " FROM goods_receipts WHERE po_number = ? ORDER BY received_at, receipt_id",
            (po_number,),
        ).fetchall()
        return [GoodsReceipt(r[0], r[1], r[2], Decimal(r[3]), r[4]) for r in rows]

    # Invoices ----------------------------------------------------------------------
    def postings(self, *, vendor_id: str | None = None) -> list[InvoicePosting]:
        if vendor_id is None:
            rows = self._conn.execute(
                f"SELECT {_POSTING_COLUMNS} FROM invoices ORDER BY posted_at, posting_id"
            ).fetchall()
        else:
            rows = self._conn.execute(
                f"SELECT {_POSTING_COLUMNS} FROM invoices WHERE vendor_id = ?"
                " ORDER BY posted_at, posting_id",
                (vendor_id,),
            ).fetchall()
        return [_posting(row, created=False) for row in rows]

    def find_posting(
        self, *, vendor_id: str | None = None, invoice_number: str | None = None,
        document_sha256: str | None = None,
    ) -> list[InvoicePosting]:
        clauses, params = [], []
        for column, value in (
            ("vendor_id", vendor_id),
            ("invoice_number", invoice_number),
            ("document_sha256", document_sha256),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if not clauses:
            return []
        rows = self._conn.execute(
            f"SELECT {_POSTING_COLUMNS} FROM invoices WHERE {' AND '.join(clauses)}", params
        ).fetchall()
        return [_posting(row, created=False) for row in rows]

    def post_invoice(self, args: PostInvoice) -> InvoicePosting:
        """Post an invoice once. A second call with the same idempotency key returns
        the first posting with ``created=False``."""
        posted_at = self._clock().isoformat()
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO invoices VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                    " ON CONFLICT(idempotency_key) DO NOTHING",
                    (
                        f"P-{uuid.uuid4().hex[:12]}",
                        args.idempotency_key,
                        args.vendor_id,
                        args.invoice_number,
                        args.invoice_date,
                        args.currency,
                        None if args.subtotal is None else str(args.subtotal),
                        None if args.tax is None else str(args.tax),
                        str(args.total),
                        args.iban,
                        args.po_number,
                        args.document_sha256,
                        args.approved_by,
                        posted_at,
                    ),
                )
                created = cursor.rowcount == 1
                row = conn.execute(
                    f"SELECT {_POSTING_COLUMNS} FROM invoices WHERE idempotency_key = ?",
                    (args.idempotency_key,),
                ).fetchone()
        except sqlite3.Error as err:
            raise ErpError("erp_post_invoice", str(err), retryable=True) from err
        return _posting(row, created=created)


class SqliteErp(EmbeddedErp, SqliteStore):
    """The embedded ERP on one SQLite file (WAL, busy timeout; several processes ok).

    Args:
        path: the SQLite file, or ``":memory:"``.
        clock: returns the current time; injected by tests.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Callable[[], datetime] = utc_now,
        synchronous: str = "NORMAL",
        busy_timeout_s: float = 30.0,
    ) -> None:
        super().__init__(path, schema=render("sqlite", _TABLES), now=clock, synchronous=synchronous,
                         busy_timeout_s=busy_timeout_s)


class PostgresErp(EmbeddedErp, PostgresStore):
    """The embedded ERP's tables in a Postgres database (which may also hold the
    checkpoints, the audit log and the event ledger); idempotency keys stay UNIQUE.

    Args:
        url: a ``postgres://`` URL.
        clock: returns the current time; injected by tests.
        retry_s: how long a read or a posting waits for a database that went away.
    """

    def __init__(
        self, url: str, *, clock: Callable[[], datetime] = utc_now,
        retry_s: float = 30.0,
    ) -> None:
        super().__init__(url, schema=render("postgres", _TABLES), lock_name="wardflow.erp",
                         now=clock, retry_s=retry_s)

    # Idempotent writes (upserts, unique idempotency keys) wait out a restart.
    def import_master(self, data: Mapping[str, Any]) -> tuple[int, int]:
        import_master = super().import_master
        return self._retry(lambda: import_master(data))

    def post_invoice(self, args: PostInvoice) -> InvoicePosting:
        post_invoice = super().post_invoice
        return self._retry(lambda: post_invoice(args))


_VENDOR_COLUMNS = ("id", "name", "tax_id", "iban", "bic", "country", "currency", "email")
_ORDER_COLUMNS = ("po_number", "vendor_id", "amount", "currency")
_RECEIPT_COLUMNS = ("receipt_id", "po_number", "description", "quantity", "received_at")


def _upsert(table: str, columns: tuple[str, ...], key: str) -> str:
    """Insert or replace by ``key``, in the syntax SQLite and Postgres share."""
    keys = {k.strip() for k in key.split(",")}
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES"
            f" ({', '.join('?' * len(columns))}) ON CONFLICT ({key}) DO UPDATE SET {updates}")


def _compact(iban: str | None) -> str | None:
    return iban.replace(" ", "").upper() if iban else None


def _posting(row: tuple[Any, ...], *, created: bool) -> InvoicePosting:
    return InvoicePosting(
        posting_id=row[0],
        idempotency_key=row[1],
        vendor_id=row[2],
        invoice_number=row[3],
        invoice_date=row[4],
        currency=row[5],
        total=Decimal(row[6]),
        iban=row[7],
        document_sha256=row[8],
        approved_by=row[9],
        posted_at=row[10],
        created=created,
    )


def load_master(path: str | Path) -> dict[str, Any]:
    """Read a vendor-master JSON file (see ``examples/erp.json``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ErpError("erp_import", f"cannot read {path}: {err}") from err
    if not isinstance(data, dict):
        raise ErpError("erp_import", f"{path}: expected a JSON object with 'vendors'")
    return data
