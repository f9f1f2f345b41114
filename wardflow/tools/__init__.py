"""Tools agents call: the ERP, storage and the inbox, each a seam with an embedded
implementation, exposed as governed langchain-core tools by :class:`Toolset`."""

from wardflow.tools.erp import ErpAdapter, InvoicePosting, PostInvoice, SqliteErp, Vendor
from wardflow.tools.s3storage import S3Storage
from wardflow.tools.storage import LocalStorage, Storage, StoredObject

__all__ = [
    "ErpAdapter",
    "InvoicePosting",
    "LocalStorage",
    "PostInvoice",
    "S3Storage",
    "SqliteErp",
    "Storage",
    "StoredObject",
    "Vendor",
]
