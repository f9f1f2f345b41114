"""What every :class:`~wardflow.tools.storage.Storage` backend must do."""

from __future__ import annotations

from typing import Any

import pytest

from wardflow.errors import StorageError
from wardflow.tools.storage import Storage

__all__ = ["StorageConformance"]


class StorageConformance:
    """Provide a ``storage`` fixture returning an empty backend."""

    @pytest.fixture
    def storage(self) -> Storage:
        raise NotImplementedError("provide a `storage` fixture")

    def test_is_a_storage(self, storage: Any) -> None:
        assert isinstance(storage, Storage)

    def test_put_then_get_round_trips_bytes(self, storage: Storage) -> None:
        data = bytes(range(256)) * 4
        obj = storage.put("incoming/doc-1/a.pdf", data)
        assert obj.key == "incoming/doc-1/a.pdf" and obj.size == len(data)
        assert storage.get("incoming/doc-1/a.pdf") == data
        assert storage.exists("incoming/doc-1/a.pdf")

    def test_put_overwrites(self, storage: Storage) -> None:
        storage.put("k/a", b"one")
        storage.put("k/a", b"two")
        assert storage.get("k/a") == b"two"

    def test_get_missing_raises(self, storage: Storage) -> None:
        with pytest.raises(StorageError, match="no object"):
            storage.get("nope/missing.pdf")

    def test_move_is_idempotent(self, storage: Storage) -> None:
        storage.put("incoming/x.pdf", b"x")
        moved = storage.move("incoming/x.pdf", "archive/x.pdf")
        again = storage.move("incoming/x.pdf", "archive/x.pdf")
        assert moved.key == again.key == "archive/x.pdf"
        assert not storage.exists("incoming/x.pdf")
        assert storage.get("archive/x.pdf") == b"x"

    def test_move_missing_raises(self, storage: Storage) -> None:
        with pytest.raises(StorageError):
            storage.move("incoming/none.pdf", "archive/none.pdf")

    def test_list_by_prefix(self, storage: Storage) -> None:
        storage.put("a/1", b"1")
        storage.put("a/b/2", b"2")
        storage.put("c/3", b"3")
        assert storage.list("a") == ["a/1", "a/b/2"]
        assert storage.list("missing") == []

    def test_delete_removes_and_is_idempotent(self, storage: Storage) -> None:
        storage.put("archive/2026/x/a.pdf", b"a")
        storage.put("archive/2026/x/summary.json", b"{}")
        assert storage.delete("archive/2026/x/a.pdf") is True
        assert not storage.exists("archive/2026/x/a.pdf")
        assert storage.list("archive") == ["archive/2026/x/summary.json"]
        with pytest.raises(StorageError, match="no object"):
            storage.get("archive/2026/x/a.pdf")
        assert storage.delete("archive/2026/x/a.pdf") is False
        with pytest.raises(StorageError):
            storage.delete("../escape")

    @pytest.mark.parametrize(
        "key", ["../escape", "a/../../escape", "/etc/passwd", "", "a//b", "a\\b", "a\x00b"]
    )
    def test_keys_cannot_escape_the_root(self, storage: Storage, key: str) -> None:
        with pytest.raises(StorageError):
            storage.put(key, b"x")
