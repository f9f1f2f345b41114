"""Document storage: a small seam and its local-filesystem implementation.

Keys are ``/``-separated relative paths (``incoming/doc-1a2b/invoice.pdf``). An S3
implementation fills the same :class:`Storage` protocol: keys map to object names.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

from wardflow.errors import StorageError

__all__ = ["LocalStorage", "Storage", "StoredObject", "check_key"]


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    uri: str


@runtime_checkable
class Storage(Protocol):
    """Where documents live while and after they are processed."""

    def put(self, key: str, data: bytes) -> StoredObject: ...

    def get(self, key: str) -> bytes: ...

    def move(self, src: str, dst: str) -> StoredObject: ...

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> list[str]: ...


def check_key(key: str) -> str:
    """Return ``key`` normalised, or raise if it could escape the storage root."""
    if not key or "\x00" in key or "\\" in key:
        raise StorageError("storage", f"invalid key {key!r}")
    path = PurePosixPath(key)
    if path.is_absolute() or any(part in ("..", ".", "") for part in key.split("/")):
        raise StorageError("storage", f"key {key!r} escapes the storage root")
    return str(path)


class LocalStorage:
    """Files under one root directory; writes are atomic (temp file + rename).

    Args:
        root: the directory that holds every key; created if missing.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root):
            # A symlink inside the root pointed outside it.
            raise StorageError("storage", f"key {key!r} resolves outside the storage root")
        return path

    def put(self, key: str, data: bytes) -> StoredObject:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as err:
            raise StorageError("storage", f"cannot write {key!r}: {err}", retryable=True) from err
        return StoredObject(key=check_key(key), size=len(data), uri=path.as_uri())

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as err:
            raise StorageError("storage", f"no object {key!r}") from err
        except OSError as err:
            raise StorageError("storage", f"cannot read {key!r}: {err}", retryable=True) from err

    def move(self, src: str, dst: str) -> StoredObject:
        source, target = self._path(src), self._path(dst)
        if not source.exists() and target.exists():
            # Already moved: a retried or resumed step must not fail.
            return StoredObject(key=check_key(dst), size=target.stat().st_size, uri=target.as_uri())
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except FileNotFoundError as err:
            raise StorageError("storage", f"no object {src!r}") from err
        except OSError as err:
            raise StorageError("storage", f"cannot move {src!r}: {err}", retryable=True) from err
        return StoredObject(key=check_key(dst), size=target.stat().st_size, uri=target.as_uri())

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> list[str]:
        base = self._path(prefix) if prefix else self.root
        if base.is_file():
            return [check_key(prefix)]
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )
