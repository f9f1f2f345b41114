"""The inbox: turn paths (files, folders, maildirs, ``.eml`` emails) into documents.

An email becomes one document per attachment that wardflow can read (PDF, image or
e-invoice XML); attachments are saved to storage under ``attachments/`` before any
processing, so nothing depends on the email staying where it was. Each document gets a stable id
from its content, which is also its default thread id: processing the same bytes
twice finds the same run.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from wardflow.errors import OutsideInboxRoots
from wardflow.tools.storage import Storage

__all__ = [
    "MAX_ATTACHMENTS",
    "InboxItem",
    "attachment_count",
    "collect",
    "document_id",
    "inside_inbox_roots",
]

# The default of ``Settings.max_email_attachments``.
MAX_ATTACHMENTS = 20

# E-invoices also travel as plain XML attachments (XRechnung, Peppol UBL).
_READABLE = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".xml")
_HIDDEN = re.compile(r"^[.~]")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One document to process.

    Attributes:
        document_id: ``doc-`` and 16 hex digits of the content's SHA-256.
        source: where it came from, as the user named it (``mail.eml#invoice.pdf``).
        name: the document's file name.
        path: a local file to read, or ``None`` when the bytes are in storage.
        storage_key: the storage key of an already-saved attachment.
        origin: provenance (email sender, subject, message id).
    """

    document_id: str
    source: str
    name: str
    path: str | None = None
    storage_key: str | None = None
    origin: dict[str, Any] = field(default_factory=dict)

    def graph_input(self) -> dict[str, Any]:
        """The invoice graph's input for this document."""
        return {
            "source": self.source,
            "name": self.name,
            "path": self.path,
            "storage_key": self.storage_key,
            "origin": dict(self.origin),
        }


def document_id(data: bytes) -> str:
    return "doc-" + hashlib.sha256(data).hexdigest()[:16]


def inside_inbox_roots(
    paths: Iterable[str | Path], roots: Sequence[Path], *, workdir: Path
) -> list[Path]:
    """Resolve ``paths`` (relative ones against ``workdir``, symlinks followed) and make
    sure each lies inside one of ``roots``, every file under a folder included (a link
    in an inbox that points elsewhere counts as elsewhere). Reads no file's content.

    Args:
        roots: the allowed inbox roots, already resolved
            (:meth:`wardflow.config.Settings.inbox_root_paths`).

    Returns:
        The resolved paths, in order.

    Raises:
        OutsideInboxRoots: the first path, or file under a folder, outside every root.
    """
    base = workdir.resolve()

    def inside(path: Path) -> bool:
        return any(path.is_relative_to(root) for root in roots)

    def refuse(raw: str | Path) -> OutsideInboxRoots:
        shown = [str(r.relative_to(base)) if r.is_relative_to(base) else str(r) for r in roots]
        return OutsideInboxRoots(str(raw), shown)

    resolved = []
    for raw in paths:
        try:
            named = Path(raw).expanduser()
        except RuntimeError:  # ~someone who does not exist: taken literally
            named = Path(raw)
        target = (base / named).resolve()
        if not inside(target):
            raise refuse(raw)
        try:
            folder = target.is_dir()
        except OSError:  # a name too long for the file system: no folder, nothing to read
            folder = False
        if folder:
            for path in sorted(target.rglob("*")):
                if (path.is_file() or path.is_symlink()) and not inside(path.resolve()):
                    raise refuse(path.relative_to(base) if path.is_relative_to(base) else path)
        resolved.append(target)
    return resolved


def collect(paths: Iterable[str | Path], storage: Storage, *, max_bytes: int,
            max_attachments: int = MAX_ATTACHMENTS) -> Iterator[InboxItem]:
    """Expand ``paths`` into documents, in a stable order.

    Folders are walked recursively (hidden files skipped); a maildir's messages and
    ``.eml`` files are opened and their attachments saved to ``storage``. Files of
    other types are still yielded, so that the graph records why they failed; so is
    an email with more than ``max_attachments`` attachments (none of them is saved).
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _collect_folder(path, storage, max_bytes, max_attachments)
        else:
            yield from _collect_file(path, storage, max_bytes, max_attachments, is_email=None)


def _collect_folder(folder: Path, storage: Storage, max_bytes: int,
                    max_attachments: int) -> Iterator[InboxItem]:
    if (folder / "cur").is_dir() and (folder / "new").is_dir():
        for sub in ("new", "cur"):
            for path in sorted((folder / sub).iterdir()):
                if path.is_file() and not _HIDDEN.match(path.name):
                    yield from _collect_file(path, storage, max_bytes, max_attachments,
                                             is_email=True)
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(_HIDDEN.match(part) for part in path.relative_to(folder).parts):
            yield from _collect_file(path, storage, max_bytes, max_attachments, is_email=None)


def _collect_file(
    path: Path, storage: Storage, max_bytes: int, max_attachments: int, *,
    is_email: bool | None
) -> Iterator[InboxItem]:
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError:
        # Let ingest report the missing file under a stable id.
        yield InboxItem(_path_id(source, -1), source, path.name, path=source)
        return
    if size > max_bytes or size == 0:
        yield InboxItem(_path_id(source, size), source, path.name, path=source)
        return
    data = path.read_bytes()
    if is_email or (is_email is None and path.suffix.lower() == ".eml"):
        items = list(_attachments(data, source, storage, max_bytes, max_attachments))
        if items:
            yield from items
            return
    yield InboxItem(document_id(data), source, path.name, path=source)


def _attachments(
    data: bytes, source: str, storage: Storage, max_bytes: int,
    max_attachments: int = MAX_ATTACHMENTS,
) -> Iterator[InboxItem]:
    """The readable attachments of an email, saved to ``storage``; none when it has
    more than ``max_attachments`` (the email itself is then refused with the count)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or attachment_count(message) > max_attachments:
        return
    origin = {
        "email_from": str(message.get("From", "")),
        "email_subject": str(message.get("Subject", "")),
        "email_message_id": str(message.get("Message-ID", "")),
        "email_date": str(message.get("Date", "")),
    }
    email_key = hashlib.sha256(data).hexdigest()[:16]
    for index, part in enumerate(message.iter_attachments()):
        filename = part.get_filename() or f"attachment-{index}"
        safe = _UNSAFE_NAME.sub("_", Path(filename).name).strip(" .") or f"attachment-{index}"
        if not safe.lower().endswith(_READABLE):
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes) or not payload or len(payload) > max_bytes:
            continue
        key = f"attachments/{email_key}/{index}-{safe}"
        storage.put(key, payload)
        yield InboxItem(
            document_id(payload),
            f"{source}#{safe}",
            safe,
            storage_key=key,
            origin=origin,
        )


def attachment_count(message: EmailMessage) -> int:
    """How many attachments ``message`` has (counting stops just past the cap)."""
    return sum(1 for _ in message.iter_attachments())


def _path_id(source: str, size: int) -> str:
    return "doc-" + hashlib.sha256(f"{Path(source).resolve()}:{size}".encode()).hexdigest()[:16]
