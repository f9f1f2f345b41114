"""The data home's files hold password hashes, vault values, run state and documents:
they are created readable by their owner only, SQLite's -wal and -shm files included,
whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from wardflow.config import Settings
from wardflow.runtime.workspace import Workspace

BANK = "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"


@pytest.fixture
def open_umask() -> Iterator[None]:
    # The loosest common umask: group and others may read (and the group write).
    old = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(old)


def _password(home: Path, name: str, password: str) -> None:
    exe = Path(sys.executable).with_name("wardflow")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "wardflow"]
    subprocess.run([*command, "principals", "password", name, "--password-stdin"],
                   input=password + "\n", text=True, capture_output=True, check=True,
                   env={**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none"},
                   timeout=300)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secret_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    wardflow_cli(home, "principals", "add", "dan", "--role", "controller", check=True)
    _password(home, "dan", "a-long-enough-password")
    wardflow_cli(home, "tokens", "create", "dan", check=True)
    wardflow_cli(home, "process", str(INBOX / BANK), check=True)

    assert _mode(home) == 0o700
    databases = sorted(home.glob("*.sqlite"))
    names = {p.name for p in databases}
    assert {"review.sqlite", "vault.sqlite", "checkpoints.sqlite", "audit.sqlite",
            "erp.sqlite"} <= names, names
    # SQLite removes its -wal and -shm files when the last connection closes: look while
    # a workspace has every database open and has written to the audit log.
    with Workspace(Settings(home=home, model="none")) as ws:
        ws.status()
        ws.audit.append("test.marker", {}, actor="test")
        side = [p for p in home.iterdir() if p.name.endswith(("-wal", "-shm"))]
        assert {"audit.sqlite-wal", "audit.sqlite-shm"} <= {p.name for p in side}
        loose = {p.name: oct(_mode(p)) for p in [*databases, *side] if _mode(p) & 0o077}
    assert not loose, loose
    storage = home / "storage"
    assert _mode(storage) == 0o700
    documents = [p for p in storage.rglob("*") if p.is_file()]
    assert documents and not [p for p in documents if _mode(p) & 0o077]
