"""Fault-injection fixtures: a data home with the example master data, a fake cloud
ERP on 127.0.0.1, settings with short retry waits, and the CLI's view of the runs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, add_reviewers, wardflow_cli
from wardflow.config import Settings
from wardflow.runtime.workspace import Workspace
from wardflow.testing.fake_erp import FakeErpServer
from wardflow.tools.erp import EmbeddedErp, SqliteErp, load_master

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"

# Short waits: the policies' shape (attempts, backoff) is what is tested, not the clock.
FAST_RETRIES = {"retry_initial_s": 0.01, "retry_max_interval_s": 0.05}
FAST_ENV = {"WARDFLOW_RETRY_INITIAL_S": "0.01", "WARDFLOW_RETRY_MAX_INTERVAL_S": "0.05"}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def remote_erp(tmp_path: Path) -> Iterator[FakeErpServer]:
    """A cloud ERP holding the example vendor master, in its own SQLite file."""
    erp = SqliteErp(tmp_path / "cloud-erp.sqlite")
    erp.import_master(load_master(EXAMPLES / "erp.json"))
    with FakeErpServer(erp, token="erp-test-token") as server:
        yield server
    erp.close()


@pytest.fixture
def open_workspace(home: Path, clock: Callable[[], datetime]) -> Callable[..., Workspace]:
    """A workspace over ``home`` with the given settings (fast retries, parsers only)."""

    def make(**overrides: Any) -> Workspace:
        settings = Settings(home=home, max_invoice_age_days=36500,
                            **{"model": "none", **FAST_RETRIES, **overrides})
        ws = Workspace(settings, clock=clock)
        if isinstance(ws.erp, EmbeddedErp):  # a remote ERP holds its own vendor master
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        if not ws.principals.get("carla"):
            add_reviewers(ws.principals)
        return ws

    return make


def cli_status(home: Path, **env: str) -> list[dict[str, Any]]:
    """``wardflow status --json`` in a subprocess: what an operator sees."""
    shown = wardflow_cli(home, "status", "--json", check=True, **env)
    return json.loads(shown.stdout)  # type: ignore[no-any-return]


def postings_by_key(path: Path) -> dict[str, int]:
    """Rows per idempotency key in an ERP's SQLite file (the key is unique; this says so)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT idempotency_key, COUNT(*) FROM invoices GROUP BY idempotency_key").fetchall()
    return dict(rows)


def invoice_numbers(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return sorted(r[0] for r in conn.execute("SELECT invoice_number FROM invoices"))
