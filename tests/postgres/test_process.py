"""The whole example inbox through the real ``wardflow`` entry point with every store in
Postgres, and a database restart and an outage in the middle of the batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli

pytestmark = pytest.mark.slow


def _env(url: str) -> dict[str, str]:
    return {"WARDFLOW_CHECKPOINTER": url, "WARDFLOW_DATABASE_URL": url}


def _expected(labels: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(x["invoice_number"] for x in labels.values() if x["expected_route"] == "post")


def _check_outcome(home: Path, url: str, labels: dict[str, dict[str, Any]]) -> None:
    """Seven posted once each, the other seven waiting for review with their reasons,
    the audit chain intact, and nothing kept in SQLite files."""
    env = _env(url)
    listed = json.loads(wardflow_cli(home, "erp", "list", "--json", check=True, **env).stdout)
    assert sorted(p["invoice_number"] for p in listed) == _expected(labels)
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT idempotency_key),"
                           " count(DISTINCT document_sha256) FROM invoices").fetchone()
    assert row == (7, 7, 7)
    runs = json.loads(wardflow_cli(home, "status", "--json", check=True, **env).stdout)
    assert len(runs) == 14
    for run in runs:
        label = labels[Path(run["document"]).name.split("#")[0]]
        if label["expected_route"] == "post":
            assert run["status"] == "posted", run
        else:
            assert run["status"] == "awaiting_review" and run["reasons"], run
    verified = wardflow_cli(home, "audit", "verify", check=True, **env)
    assert "audit chain intact" in verified.stdout
    for name in ("erp.sqlite", "audit.sqlite", "checkpoints.sqlite"):
        assert not (home / name).exists(), name


def test_example_inbox_on_postgres_posts_the_seven(
    tmp_path: Path, postgres_url: str, labels: dict[str, dict[str, Any]]
) -> None:
    home, env = tmp_path / "home", _env(postgres_url)
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True, **env)
    result = wardflow_cli(home, "process", str(INBOX), "--json", **env)
    assert result.returncode == 0, result.stderr
    assert postgres_url.split("@")[0].split(":")[-1] not in result.stderr  # no password
    _check_outcome(home, postgres_url, labels)
    again = json.loads(wardflow_cli(home, "process", str(INBOX), "--json", check=True,
                                    **env).stdout)
    assert {r["note"] for r in again} >= {"already processed"}
    _check_outcome(home, postgres_url, labels)


def _postings(url: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute("SELECT count(*) FROM invoices").fetchone()
    except psycopg.Error:
        return -1
    return int(row[0]) if row else 0


def test_database_restart_mid_batch_posts_each_invoice_once(
    tmp_path: Path, postgres_server: Any, postgres_url: str,
    labels: dict[str, dict[str, Any]],
) -> None:
    home, env = tmp_path / "home", _env(postgres_url)
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True, **env)
    exe = Path(sys.executable).with_name("wardflow")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "wardflow"]
    batch = subprocess.Popen(
        [*command, "process", str(INBOX), "--json"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
        env={**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none",
             "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500", **env})
    try:
        deadline = time.monotonic() + 120
        while _postings(postgres_url) < 1 and batch.poll() is None:
            assert time.monotonic() < deadline, "the batch posted nothing in 120 s"
            time.sleep(0.02)
        before = _postings(postgres_url)
        assert batch.poll() is None and 1 <= before < 7, "the restart must land mid-batch"
        postgres_server.restart()  # pg_ctl restart -m fast: every connection is cut
        time.sleep(3)
        assert batch.poll() is None, "the batch must still run for the second outage"
        postgres_server.stop()  # then two seconds with no database at all
        time.sleep(2)
        postgres_server.start_again()
        stdout, stderr = batch.communicate(timeout=240)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 0, stderr
    assert "lost" in stderr or "reconnecting" in stderr  # it did see the restart
    runs = json.loads(stdout)
    assert len(runs) == 14 and not [r for r in runs if r["error"]]
    _check_outcome(home, postgres_url, labels)
