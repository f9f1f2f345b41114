"""Shared fixtures: a data home in tmp_path, the example inbox, a fixed clock."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from wardflow.config import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
INBOX = EXAMPLES / "inbox"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Parsers only: the tests that need the local model ask for it (tests/llm/).
    return Settings(home=tmp_path / "home", model="none")


@pytest.fixture
def labels() -> dict[str, dict[str, Any]]:
    return {
        record["file"]: record
        for record in map(json.loads, (EXAMPLES / "labels.jsonl").read_text().splitlines())
    }


@pytest.fixture
def workspace(settings: Settings, clock: Callable[[], datetime]) -> Iterator[Any]:
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(ws.principals)
        yield ws


def add_reviewers(store: Any) -> None:
    """The reviewers the tests use."""
    from decimal import Decimal

    store.add("carla", "approver", approval_limit=Decimal("50000"))
    store.add("eve", "approver", approval_limit=Decimal("5000"))
    store.add("dan", "controller")
    store.add("cleo", "clerk")
    store.add("ada", "auditor")


@pytest.fixture
def inbox_copy(tmp_path: Path) -> Callable[..., Path]:
    """Copy chosen example documents into a fresh folder."""

    def copy(*names: str) -> Path:
        folder = tmp_path / "inbox"
        folder.mkdir(exist_ok=True)
        for name in names:
            shutil.copy(INBOX / name, folder / name)
        return folder

    return copy


def wardflow_cli(home: Path, *args: str, check: bool = False, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``wardflow`` entry point in a subprocess."""
    exe = Path(sys.executable).with_name("wardflow")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "wardflow"]
    full_env = {
        **os.environ,
        "WARDFLOW_HOME": str(home),
        # The examples are dated 2026; keep them plausible whenever the tests run.
        "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500",
        "WARDFLOW_MODEL": "none",
        **env,
    }
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=full_env, check=check,
        timeout=300,
    )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """A real PostgreSQL server for the session (tests/postgres/server.py); fails, with
    how to install it, where Debian's postgresql package is missing."""
    from tests.postgres.server import PostgresServer

    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: Any, request: pytest.FixtureRequest) -> str:
    """A fresh database on the session's server, for one test."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9]", "_", request.node.name.lower())[:40]
    return str(postgres_server.create_database(f"t_{name}_{uuid.uuid4().hex[:6]}"))


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[Any]:
    """A real Chroma server for the session (tests/chroma/server.py): the installed
    chromadb package's ``chroma run`` on 127.0.0.1, telemetry off."""
    from tests.chroma.server import ChromaServer

    with ChromaServer() as server:
        yield server


@pytest.fixture
def chroma_url(chroma_server: Any) -> str:
    """The session's Chroma server (tests keep apart by collection name)."""
    return str(chroma_server.url)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[Any]:
    """A real S3-protocol server for the session (moto's standalone server on
    127.0.0.1, tests/s3/server.py); each test makes its own bucket."""
    from tests.s3.server import S3Server

    with S3Server() as server:
        yield server
