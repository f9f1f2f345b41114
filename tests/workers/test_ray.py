"""Workers on Ray: the example inbox in parallel, a killed worker, limits across workers."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from wardflow.config import Settings
from wardflow.graphs.slots import SlotTable

NORDLICHT = {"2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf",
             "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"}


def _postings(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "erp.sqlite") as conn:
        return conn.execute("SELECT invoice_number, idempotency_key FROM invoices").fetchall()


def _overlaps(intervals: list[tuple[float, float]]) -> int:
    """The most intervals open at one instant."""
    edges = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    return home


def _check_example_batch(runs: list[dict[str, Any]], home: Path,
                         labels: dict[str, dict[str, Any]]) -> None:
    """Every document once; the 7 expected invoices posted once each. Of the two
    Nordlicht copies, whichever reached the duplicate check first is posted and the
    other is held as a duplicate (two workers race; a claim on the vendor decides)."""
    assert sorted(Path(r["document"]).name.split("#")[0] for r in runs) == sorted(labels)
    postings = _postings(home)
    expected = sorted(x["invoice_number"] for x in labels.values()
                      if x["expected_route"] == "post")
    assert sorted(number for number, _ in postings) == expected
    assert len({key for _, key in postings}) == len(postings) == 7
    for run in runs:
        name = Path(run["document"]).name.split("#")[0]
        if name in NORDLICHT:
            continue
        want = "posted" if labels[name]["expected_route"] == "post" else "awaiting_review"
        assert run["status"] == want, (name, run)
    pair = sorted((r["status"], r["reasons"]) for r in runs
                  if Path(r["document"]).name in NORDLICHT)
    assert pair[0][0] == "awaiting_review" and pair[1][0] == "posted"
    assert any("duplicate" in code for code in pair[0][1]), pair


# The slot table itself (no Ray) -------------------------------------------------------
def test_slot_table_limits_reenters_and_takes_back_expired_leases() -> None:
    now = [100.0]
    table = SlotTable({"tool:erp": 1}, lease_s=10.0, clock=lambda: now[0])
    assert table.try_acquire("tool:erp", "doc-a", pid=1)
    assert not table.try_acquire("tool:erp", "doc-b", pid=2)
    assert table.waiters() == {"doc-b": ("tool:erp", 2)}
    assert table.try_acquire("tool:erp", "doc-a")  # a retried document re-enters
    table.release("tool:erp", "doc-a")
    assert table.holders("tool:erp") == ["doc-a"]
    now[0] += 11  # doc-a's worker died: its lease runs out
    assert table.try_acquire("tool:erp", "doc-b")
    assert table.waiters() == {}
    assert table.try_acquire("model:x", "doc-c") and table.try_acquire("model:x", "doc-d")
    assert table.release_all("doc-b") == 1 and table.holders("tool:erp") == []
    assert [(k, h) for k, h, _, _ in table.history("tool:erp")] == [
        ("tool:erp", "doc-a"), ("tool:erp", "doc-b")]


def test_a_claim_is_one_holder_whatever_the_limits() -> None:
    table = SlotTable({})
    assert table.try_acquire("vendor:V1", "doc-a", limit=1)
    assert not table.try_acquire("vendor:V1", "doc-b", limit=1)
    assert table.try_acquire("vendor:V2", "doc-b", limit=1)


# On a real local cluster ------------------------------------------------------------
@pytest.mark.slow
def test_limit_holds_across_worker_processes(ray_address: str) -> None:
    import ray

    from wardflow.graphs.slots import RaySlots

    @ray.remote(num_cpus=0)
    def call(limit: int, key: str) -> tuple[int, float, float]:
        slots = RaySlots.open(Settings(worker_limits={key: limit}))
        with slots.hold(key):
            start = time.time()
            time.sleep(0.3)
            return os.getpid(), start, time.time()

    for limit in (1, 2):
        key = f"tool:test-{limit}-{time.time_ns()}"
        done = ray.get([call.remote(limit, key) for _ in range(4)])
        assert len({pid for pid, _, _ in done}) >= 2  # really several processes
        assert _overlaps([(s, e) for _, s, e in done]) == limit


@pytest.mark.slow
def test_process_with_two_workers_posts_each_expected_invoice_once(
    home: Path, ray_address: str, slot_table: Any, labels: dict[str, dict[str, Any]],
) -> None:
    import ray

    before = len(ray.get(slot_table.history.remote("tool:erp")))
    done = wardflow_cli(home, "process", str(INBOX), "--workers", "2", "--address",
                        ray_address, "--json", WARDFLOW_WORKER_LIMITS='{"tool:erp": 1}')
    assert done.returncode == 0, [(r["document"], r["status"], r["error"], r["note"])
                                  for r in json.loads(done.stdout or "[]")] or done.stderr
    _check_example_batch(json.loads(done.stdout), home, labels)

    # ERP calls went through the shared limit (one at a time), from both workers.
    calls = ray.get(slot_table.history.remote("tool:erp"))[before:]
    assert len(calls) >= 14
    assert _overlaps([(start, end) for _, _, start, end in calls]) == 1

    again = wardflow_cli(home, "process", str(INBOX), "--workers", "2", "--address",
                         ray_address, "--json")
    assert {r["note"] for r in json.loads(again.stdout)} <= {"already processed",
                                                             "already waiting for review"}
    assert len(_postings(home)) == 7


@pytest.mark.slow
def test_worker_killed_mid_batch_is_retried_and_nothing_posts_twice(
    home: Path, ray_address: str, slot_table: Any, labels: dict[str, dict[str, Any]],
) -> None:
    import ray

    from wardflow.graphs.workers import RayExecutor

    settings = Settings(home=home, model="none", max_invoice_age_days=36500,
                        worker_limits={"tool:erp": 1})
    # Hold the ERP slot so that both workers stop inside a run, waiting for it.
    assert ray.get(slot_table.try_acquire.remote("tool:erp", "test-blocker"))
    runs: list[dict[str, Any]] = []
    with RayExecutor(settings, workers=2, address=ray_address) as executor:
        batch = threading.Thread(target=lambda: runs.extend(
            r.to_dict() for r in executor.process([INBOX])))
        batch.start()
        deadline = time.monotonic() + 120
        waiting: dict[str, tuple[str, int]] = {}
        while len(waiting) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            waiting = ray.get(slot_table.waiters.remote())
        assert len(waiting) == 2, waiting
        victim, (_, pid) = sorted(waiting.items())[0]
        os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
        ray.get(slot_table.release.remote("tool:erp", "test-blocker"))
        batch.join(timeout=240)
        assert not batch.is_alive()

    _check_example_batch(runs, home, labels)
    [killed] = [r for r in runs if r["thread_id"] == victim]
    assert killed["note"] == "resumed after an interruption", killed
    assert killed["status"] in ("posted", "awaiting_review")


@pytest.mark.slow
def test_worker_command_joins_an_existing_cluster(
    home: Path, ray_address: str, slot_table: Any,
) -> None:
    import ray

    done = wardflow_cli(home, "worker", str(INBOX), "--address", ray_address, "--once",
                        "--workers", "1", "--json", WARDFLOW_WORKER_LIMITS='{"tool:erp": 1}')
    assert done.returncode == 0, done.stderr
    runs = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(runs) == 14 and len(_postings(home)) == 7
    # Its ERP calls were counted by this session's cluster: it joined it.
    holders = {h for _, h, _, _ in ray.get(slot_table.history.remote("tool:erp"))}
    assert {r["thread_id"] for r in runs if r["status"] == "posted"} <= holders


def test_workers_refuse_a_memory_that_only_one_process_may_write(tmp_path: Path) -> None:
    from wardflow.errors import ConfigError
    from wardflow.graphs.workers import RayExecutor

    shared = Settings(home=tmp_path, model="local/gemma-3-270m", memory="chroma")
    with pytest.raises(ConfigError, match="WARDFLOW_CHROMA_URL"):
        RayExecutor(shared, workers=2)
    # With a Chroma server, or without the memory, workers are fine (nothing started yet).
    RayExecutor(shared.model_copy(update={"chroma_url": "http://127.0.0.1:8000"}), workers=2)
    RayExecutor(shared.model_copy(update={"memory": "none"}), workers=2)
