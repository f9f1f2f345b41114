"""A worker SIGKILLed while posting to the cloud ERP: mid-request (the ERP commits after
the worker died) and between the ERP's answer and the checkpoint. The next ``wardflow
process`` posts again with the same Idempotency-Key; the ERP answers 409 with the first
posting, so there is exactly one. (The embedded-ERP cases: tests/graphs/test_crash_recovery.py.)"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import INBOX, wardflow_cli
from tests.faults.conftest import CLEAN, FAST_ENV, cli_status, invoice_numbers, postings_by_key
from wardflow.testing.fake_erp import FakeErpServer

pytestmark = pytest.mark.slow


def _env(home: Path, server: FakeErpServer) -> dict[str, str]:
    return {**FAST_ENV, "WARDFLOW_ERP_URL": server.url, "WARDFLOW_ERP_TOKEN": "erp-test-token"}


def _cloud(server: FakeErpServer) -> Path:
    return Path(server.erp._conn.execute("PRAGMA database_list").fetchone()[2])


def _finish_and_check(home: Path, server: FakeErpServer) -> None:
    resumed = wardflow_cli(home, "process", str(INBOX / CLEAN), "--json", **_env(home, server))
    assert resumed.returncode == 0, resumed.stderr
    [run] = json.loads(resumed.stdout)
    assert run["status"] == "posted" and run["note"] == "resumed after an interruption"
    assert invoice_numbers(_cloud(server)) == ["NLS-INV-2026-0412"]
    assert list(postings_by_key(_cloud(server)).values()) == [1]
    [shown] = cli_status(home, **_env(home, server))
    assert shown["status"] == "posted" and shown["posting_id"] == run["posting_id"]


def test_killed_between_the_erp_answer_and_the_checkpoint(
    home: Path, remote_erp: FakeErpServer
) -> None:
    crashed = wardflow_cli(home, "process", str(INBOX / CLEAN), **_env(home, remote_erp),
                           WARDFLOW_FAULT_INJECT='["after:post_to_erp"]')
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert list(postings_by_key(_cloud(remote_erp)).values()) == [1]
    # (``wardflow status`` shows it "interrupted" before post_to_erp: tests/graphs/test_crash_recovery.py)
    _finish_and_check(home, remote_erp)
    assert [m for m, _ in remote_erp.requests].count("POST") == 2  # 201, then 409


def test_killed_mid_request_while_the_erp_is_still_posting(
    home: Path, remote_erp: FakeErpServer
) -> None:
    remote_erp.slow_next(1, seconds=2.0, method="POST")
    worker = subprocess.Popen(
        [sys.executable, "-m", "wardflow", "process", str(INBOX / CLEAN)],
        env={**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none",
             "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500", **_env(home, remote_erp)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and ("POST", "/postings") not in remote_erp.requests:
        assert worker.poll() is None, "the worker ended before posting"
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    assert worker.wait(timeout=30) == -signal.SIGKILL
    while time.monotonic() < deadline and not postings_by_key(_cloud(remote_erp)):
        time.sleep(0.05)  # the ERP finishes the request its client no longer waits for
    assert list(postings_by_key(_cloud(remote_erp)).values()) == [1]
    _finish_and_check(home, remote_erp)
