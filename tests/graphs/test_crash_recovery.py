"""Crashes and restarts: a SIGKILLed worker's run resumes and posts exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"

pytestmark = pytest.mark.slow


def _postings(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "erp.sqlite") as conn:
        return conn.execute("SELECT invoice_number, idempotency_key FROM invoices").fetchall()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    wardflow_cli(home, "principals", "add", "carla", "--role", "controller", check=True)
    return home


@pytest.mark.parametrize(
    "fault",
    ["before:ingest", "after:ingest", "after:extract", "after:route", "before:post_to_erp", "after:post_to_erp",
     "before:archive"],
)
def test_killed_worker_resumes_and_posts_exactly_once(home: Path, fault: str) -> None:
    crashed = wardflow_cli(home, "process", str(INBOX / CLEAN),
                           WARDFLOW_FAULT_INJECT=json.dumps([fault]))
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    expected_before = 1 if fault in ("after:post_to_erp", "before:archive") else 0
    assert len(_postings(home)) == expected_before

    status = json.loads(wardflow_cli(home, "status", "--json", check=True).stdout)
    assert status[0]["status"] == "interrupted" and status[0]["next"], status

    resumed = wardflow_cli(home, "process", str(INBOX / CLEAN), "--json")
    assert resumed.returncode == 0, resumed.stderr
    [run] = json.loads(resumed.stdout)
    assert run["status"] == "posted"
    assert run["note"] == "resumed after an interruption"
    assert [p[0] for p in _postings(home)] == ["NLS-INV-2026-0412"]
    storage = home / "storage"
    assert list(storage.glob("archive/posted/*/" + CLEAN))
    assert not list(storage.glob("incoming/*/*"))


def test_replayed_post_is_answered_by_the_first_posting(home: Path) -> None:
    wardflow_cli(home, "process", str(INBOX / CLEAN),
                 WARDFLOW_FAULT_INJECT='["after:post_to_erp"]')
    wardflow_cli(home, "process", str(INBOX / CLEAN), check=True)
    shown = json.loads(wardflow_cli(home, "audit", "show", "--json",
                                    _thread_of(home), check=True).stdout)
    posts = [r["payload"] for r in shown if r["action"] == "tool.erp_post_invoice"]
    assert len(posts) == 2
    assert posts[0]["result"]["created"] is True
    assert posts[1]["result"]["created"] is False
    assert posts[0]["result"]["posting_id"] == posts[1]["result"]["posting_id"]


def _thread_of(home: Path) -> str:
    [run] = json.loads(wardflow_cli(home, "status", "--json", check=True).stdout)
    return str(run["thread_id"])


def test_paused_run_is_resumed_by_another_process(home: Path) -> None:
    first = wardflow_cli(home, "process", str(INBOX / OVER_LIMIT), "--json", check=True)
    [run] = json.loads(first.stdout)
    assert run["status"] == "awaiting_review"

    shown = json.loads(wardflow_cli(home, "review", run["thread_id"], "--as", "carla", "--json",
                                    check=True).stdout)
    decided = wardflow_cli(home, "resume", run["thread_id"], "--approve", "--by", "carla",
                           "--hash", shown["args_hash"], "--reason", "budget approved", "--json")
    assert decided.returncode == 0, decided.stderr
    assert json.loads(decided.stdout)["status"] == "posted"
    assert [p[0] for p in _postings(home)] == ["HM-2026-0077"]
    nodes = [r["action"] for r in json.loads(
        wardflow_cli(home, "audit", "show", "--json", run["thread_id"], check=True).stdout)]
    # Nodes before the interrupt ran once, not again on resume.
    assert nodes.count("node.ingest") == 1 and nodes.count("node.route") == 1
    assert nodes.count("tool.storage_put") == 2  # ingest, then the archive summary


def test_sigkill_at_a_random_moment_loses_nothing_and_posts_nothing_twice(
    home: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500",
           "WARDFLOW_MODEL": "none"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "wardflow", "process", str(INBOX)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and worker.poll() is None:
        if (home / "erp.sqlite").exists() and len(_postings(home)) >= 2:
            break
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    finished = wardflow_cli(home, "process", str(INBOX), "--json")
    assert finished.returncode == 0, finished.stderr
    runs = json.loads(finished.stdout)
    assert len(runs) == 14
    odd = [(r["document"], r["status"], r["error"], r["note"]) for r in runs
           if r["status"] not in ("posted", "awaiting_review")]
    assert odd == []
    keys = [key for _, key in _postings(home)]
    assert len(keys) == len(set(keys))
    numbers = sorted(number for number, _ in _postings(home))
    assert numbers == sorted(r_number(run) for run in runs if run["status"] == "posted")


def r_number(run: dict[str, object]) -> str:
    labels = {
        json.loads(line)["file"]: json.loads(line)
        for line in (EXAMPLES / "labels.jsonl").read_text().splitlines()
    }
    name = Path(str(run["document"])).name.split("#")[0]
    return str(labels[name]["invoice_number"])
