"""``wardflow erp``: the embedded ERP."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from wardflow.cli._common import (
    JsonOption,
    guarded,
    load_settings,
    out,
    print_json,
)

__all__ = ["erp_app"]

erp_app = typer.Typer(help="The embedded ERP: vendors, purchase orders, posted invoices.",
                      no_args_is_help=True)


@erp_app.command("list")
def erp_list(as_json: JsonOption = False) -> None:
    """Posted invoices."""
    from wardflow.graphs.stores import open_erp

    erp = open_erp(load_settings())
    try:
        postings = erp.postings()
    finally:
        erp.close()
    if as_json:
        print_json([p.to_dict() for p in postings])
        return
    table = Table(title=f"{len(postings)} posted invoice(s)", title_justify="left")
    for column in ("posting", "vendor", "invoice", "date", "total", "approved by", "posted at"):
        table.add_column(column)
    for p in postings:
        table.add_row(p.posting_id, p.vendor_id, p.invoice_number, p.invoice_date,
                      f"{p.currency} {p.total}", p.approved_by, p.posted_at[:19])
    out.print(table)


@erp_app.command("vendors")
def erp_vendors(as_json: JsonOption = False) -> None:
    """The vendor master."""
    from wardflow.graphs.stores import open_erp

    erp = open_erp(load_settings())
    try:
        vendors = erp.vendors()
    finally:
        erp.close()
    if as_json:
        print_json([v.__dict__ if hasattr(v, "__dict__") else v.__repr__() for v in vendors])
        return
    table = Table(title=f"{len(vendors)} vendor(s)", title_justify="left")
    for column in ("id", "name", "tax id", "country", "currency"):
        table.add_column(column)
    for v in vendors:
        table.add_row(v.id, v.name, v.tax_id or "", v.country or "", v.currency or "")
    out.print(table)


@erp_app.command("import")
def erp_import(
    file: Annotated[Path, typer.Argument(help="JSON with 'vendors' and 'purchase_orders'.")],
) -> None:
    """Load a vendor master and purchase orders (upsert)."""
    from wardflow.graphs.stores import open_erp
    from wardflow.tools.erp import load_master

    def run() -> tuple[int, int]:
        erp = open_erp(load_settings())
        try:
            return erp.import_master(load_master(file))
        finally:
            erp.close()

    vendors, orders = guarded(run)
    out.print(f"imported {vendors} vendor(s) and {orders} purchase order(s) from {file}")
