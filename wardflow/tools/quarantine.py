"""The quarantine: operator-only copies of files that are not documents.

A file that fails type sniffing (not a PDF, PNG, JPEG or TIFF, or an email with
nothing readable attached) is never put in storage, so nothing the review API or the
web pages serve can reach it. Its run keeps the reason and the SHA-256 digest; the
bytes go to ``HOME/quarantine/<document id>/<name>`` (folder ``0700``, file ``0600``),
for an operator with shell access to inspect or delete.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from wardflow.errors import StorageError

__all__ = ["Quarantine"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Quarantine:
    """A local folder outside storage, readable only by the account running wardflow."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, document_id: str, name: str, data: bytes) -> Path:
        """Keep ``data`` (written once; the same document again is the same file).

        Returns:
            The file's path.

        Raises:
            StorageError: it could not be written.
        """
        safe = _UNSAFE.sub("_", Path(name).name).strip("._") or "document"
        folder = self.root / _UNSAFE.sub("_", document_id)
        target = folder / safe
        try:
            for path in (self.root, folder):
                path.mkdir(mode=0o700, exist_ok=True, parents=True)
                os.chmod(path, 0o700)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        except FileExistsError:
            pass  # the same content id: kept before
        except OSError as err:
            raise StorageError("quarantine", f"cannot keep {safe}: {err.strerror}",
                               retryable=True) from err
        return target
