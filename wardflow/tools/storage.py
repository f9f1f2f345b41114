"""Document storage: a small seam and its local-filesystem implementation.

Keys are ``/``-separated relative paths (``incoming/doc-1a2b/invoice.pdf``). An S3
implementation fills the same :class:`Storage` protocol: keys map to object names.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, runtime_checkable

from wardflow.errors import StorageError

__all__ = ["FaultyStorage", "LocalStorage", "Storage", "StoredObject", "check_key",
           "with_storage_faults"]


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

    def delete(self, key: str) -> bool:
        """Remove the object at ``key``; ``False`` if there was none (a retried
        erasure must not fail)."""
        ...


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
        # Documents hold personal data: the root is owner-only (files are mkstemp 0600).
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

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

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as err:
            raise StorageError("storage", f"cannot delete {key!r}: {err}",
                               retryable=True) from err
        # Empty folders named after a document go too (a name can be personal data).
        parent = path.parent
        while parent != self.root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
        return True


class FaultyStorage:
    """A storage whose next writes fail as a full disk would (``ENOSPC``), for the
    fault-injection tests: ``Settings.fault_inject`` entries ``storage:put:N``,
    ``storage:move:N`` and ``storage:delete:N`` (see :func:`with_storage_faults`).
    Reads always pass through.

    Args:
        inner: the storage that does the work once the failures are used up.
        put_failures: how many ``put`` calls fail before they succeed again.
        move_failures: how many ``move`` calls fail.
        delete_failures: how many ``delete`` calls fail.
    """

    def __init__(self, inner: Storage, *, put_failures: int = 0, move_failures: int = 0,
                 delete_failures: int = 0) -> None:
        self.inner = inner
        self._left = {"put": put_failures, "move": move_failures, "delete": delete_failures}
        self._lock = threading.Lock()

    def _fail(self, op: str, key: str) -> None:
        with self._lock:
            if self._left[op] <= 0:
                return
            self._left[op] -= 1
        cause = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        raise StorageError("storage", f"cannot {op} {key!r}: {cause}", retryable=True) from cause

    def put(self, key: str, data: bytes) -> StoredObject:
        self._fail("put", key)
        return self.inner.put(key, data)

    def get(self, key: str) -> bytes:
        return self.inner.get(key)

    def move(self, src: str, dst: str) -> StoredObject:
        self._fail("move", src)
        return self.inner.move(src, dst)

    def exists(self, key: str) -> bool:
        return self.inner.exists(key)

    def list(self, prefix: str = "") -> list[str]:
        return self.inner.list(prefix)

    def delete(self, key: str) -> bool:
        self._fail("delete", key)
        return self.inner.delete(key)


def with_storage_faults(storage: Storage, faults: Iterable[str]) -> Storage:
    """``storage``, wrapped in a :class:`FaultyStorage` when ``faults`` (the entries of
    ``Settings.fault_inject``) name storage faults such as ``storage:put:3``."""
    counts = {"put": 0, "move": 0, "delete": 0}
    for fault in faults:
        kind, _, rest = fault.partition(":")
        op, _, count = rest.partition(":")
        if kind == "storage" and op in counts:
            counts[op] += int(count) if count.isdigit() else 1
    if not any(counts.values()):
        return storage
    return FaultyStorage(storage, put_failures=counts["put"], move_failures=counts["move"],
                         delete_failures=counts["delete"])
