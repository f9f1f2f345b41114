"""The embedded backends pass their seams' conformance suites."""

from __future__ import annotations

from pathlib import Path

import pytest

from wardflow.testing import ErpConformance, StorageConformance
from wardflow.tools.erp import SqliteErp
from wardflow.tools.storage import LocalStorage


class TestLocalStorage(StorageConformance):
    @pytest.fixture
    def storage(self, tmp_path: Path) -> LocalStorage:
        return LocalStorage(tmp_path / "storage")

    def test_symlink_out_of_the_root_is_refused(self, storage: LocalStorage, tmp_path: Path) -> None:
        from wardflow.errors import StorageError

        outside = tmp_path / "outside"
        outside.mkdir()
        (storage.root / "link").symlink_to(outside)
        with pytest.raises(StorageError, match="outside the storage root"):
            storage.put("link/x.pdf", b"x")
        assert not (outside / "x.pdf").exists()


@pytest.mark.parametrize("where", ["memory", "file"])
class TestSqliteErp(ErpConformance):
    @pytest.fixture
    def erp(self, where: str, tmp_path: Path) -> SqliteErp:
        return SqliteErp(":memory:" if where == "memory" else tmp_path / "erp.sqlite")


def test_two_connections_to_one_erp_file_never_post_twice(tmp_path: Path) -> None:
    from wardflow.testing.erp import MASTER, _args

    a, b = SqliteErp(tmp_path / "erp.sqlite"), SqliteErp(tmp_path / "erp.sqlite")
    a.import_master(MASTER)
    results = [a.post_invoice(_args()), b.post_invoice(_args())]
    assert [r.created for r in results] == [True, False]
    assert len(b.postings()) == 1
