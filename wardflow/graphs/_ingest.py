"""What the invoice graph's ``ingest`` node reads: the document's bytes, its media type
(a file that is not a document goes to the quarantine) and the e-invoice it is or carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wardflow.config import Settings
from wardflow.errors import DocumentError, DocumentTooLarge, UnsupportedDocument
from wardflow.tools.documents import DocumentLimits, check_email, sniff_media_type
from wardflow.tools.einvoice import embedded_einvoice, read_einvoice_xml
from wardflow.tools.quarantine import Quarantine
from wardflow.tools.storage import Storage


def read_source(state: Mapping[str, Any], source: str, storage: Storage,
                max_bytes: int) -> bytes:
    """The run's document: from storage (``storage_key``) or from its ``path``.

    Raises:
        DocumentError: the run names neither, or the file cannot be read.
        DocumentTooLarge: the file is over ``max_bytes``.
    """
    if state.get("storage_key"):
        return storage.get(state["storage_key"])
    path = state.get("path")
    if not path:
        raise DocumentError(source, "the run has neither a path nor a storage key")
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError as err:
        raise DocumentError(source, f"cannot read the file ({err.strerror})") from err
    if size > max_bytes:
        raise DocumentTooLarge(
            source, f"{size} bytes is over the limit of {max_bytes}"
            " (WARDFLOW_MAX_DOCUMENT_BYTES)")
    return file.read_bytes()


def sniffed(document: dict[str, Any], data: bytes, name: str, settings: Settings,
            quarantine: Quarantine) -> str:
    """The document's media type. A file that is not a document (it fails type
    sniffing, or is an email with nothing readable attached) is never stored where
    the review API could serve it: the run keeps the reason and the digest, the
    bytes go to the operator-only quarantine (wardflow/tools/quarantine.py).

    Raises:
        UnsupportedDocument: not a document (``document["quarantined"]`` says where
            its bytes went).
    """
    try:
        media_type = sniff_media_type(data, name)
        if media_type == "message/rfc822":
            # Over the attachment limit, none was read: say so, not "no attachment".
            check_email(data, name, DocumentLimits.from_settings(settings))
            raise UnsupportedDocument(name, f"{media_type} has no text of its own and no"
                                      " readable attachment")
    except UnsupportedDocument:
        kept = quarantine.put(document["id"], name, data)
        document["quarantined"] = kept.relative_to(quarantine.root.parent).as_posix()
        raise
    return media_type


def read_einvoice(data: bytes, name: str, media_type: str) -> dict[str, Any] | None:
    """The e-invoice a document is (standalone XML) or carries (a PDF's attachment), as
    plain data for the state; ``None`` when there is none. An XML that cannot be read
    fails the document; an unreadable attachment of a PDF is recorded (``error``) and
    the visible page is read as usual."""
    if media_type == "application/xml":
        return {**read_einvoice_xml(data, name).to_dict(), "source": "standalone"}
    if media_type != "application/pdf":
        return None
    try:
        found = embedded_einvoice(data, name)
    except DocumentError as err:
        return {"source": "embedded", "error": str(err), "reason": err.reason}
    return None if found is None else {**found.to_dict(), "source": "embedded"}
