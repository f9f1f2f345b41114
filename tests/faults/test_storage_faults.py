"""Storage fails (a full disk): the step is retried, then the run is parked; a run that
already posted stays posted exactly once when its archive step fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import INBOX, wardflow_cli
from tests.faults.conftest import CLEAN, FAST_ENV, cli_status, postings_by_key
from wardflow.errors import ReviewError, StorageError
from wardflow.runtime.workspace import Workspace
from wardflow.tools.storage import FaultyStorage, LocalStorage, with_storage_faults


def test_fault_knob_fails_the_next_writes_then_passes(tmp_path: Path) -> None:
    storage = with_storage_faults(LocalStorage(tmp_path), ["after:ingest", "storage:put:2"])
    assert isinstance(storage, FaultyStorage)
    for _ in range(2):
        with pytest.raises(StorageError, match="No space left") as caught:
            storage.put("a/b", b"x")
        assert caught.value.retryable
    assert storage.put("a/b", b"x").size == 1 and storage.get("a/b") == b"x"
    plain = LocalStorage(tmp_path)
    assert with_storage_faults(plain, ["before:archive"]) is plain


def test_write_failing_twice_is_retried_and_the_run_posts(
    open_workspace: Callable[..., Workspace],
) -> None:
    with open_workspace(fault_inject=("storage:put:2",)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        errors = [r.payload for r in ws.audit.records(run.thread_id)
                  if r.action == "tool.storage_put" and r.payload["outcome"] == "error"]
        postings = ws.erp.postings()
    assert run.status == "posted", run
    assert len(errors) == 2 and "No space left" in errors[0]["error"]
    assert [p.invoice_number for p in postings] == ["NLS-INV-2026-0412"]


@pytest.mark.slow
def test_full_disk_parks_the_run_and_process_resumes_it(
    open_workspace: Callable[..., Workspace], home: Path
) -> None:
    with open_workspace(fault_inject=("storage:put:1000",)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
    assert run.status == "dead_letter"
    assert run.dead_letter is not None
    assert (run.dead_letter["stage"], run.dead_letter["reason"], run.dead_letter["attempts"]) == (
        "ingest", "storage_unavailable", 4)
    [shown] = cli_status(home)
    assert shown["status"] == "dead_letter" and shown["dead_letter"]["stage"] == "ingest"
    assert "No space left" in shown["error"]

    # The disk has room again: the same command picks the run up where it stopped.
    done = wardflow_cli(home, "process", str(INBOX / CLEAN), "--json", **FAST_ENV)
    assert done.returncode == 0, done.stderr
    assert '"retried from the dead letter"' in done.stdout
    [shown] = cli_status(home)
    assert shown["status"] == "posted" and shown["error"] is None
    assert list(postings_by_key(home / "erp.sqlite").values()) == [1]


def test_archive_failing_after_the_post_parks_it_posted_once(
    open_workspace: Callable[..., Workspace], home: Path
) -> None:
    with open_workspace(fault_inject=("storage:move:1000",)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        assert run.status == "dead_letter"
        assert run.dead_letter is not None and run.dead_letter["stage"] == "archive"
        assert run.posting_id is not None  # posted before the archive step failed
    with open_workspace() as ws:
        retried = ws.retry(run.thread_id)
        with pytest.raises(ReviewError, match="not in the dead letter"):
            ws.retry(run.thread_id)
    assert retried.status == "posted" and retried.posting_id == run.posting_id
    assert list(postings_by_key(home / "erp.sqlite").values()) == [1]
    assert list((home / "storage").glob(f"archive/posted/*/{CLEAN}"))
    assert cli_status(home)[0]["status"] == "posted"
