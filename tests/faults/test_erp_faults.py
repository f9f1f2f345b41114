"""The cloud ERP fails: 5xx, timeouts, a lost answer after the posting was committed.

Each run ends posted exactly once (one row per idempotency key in the ERP), or parked
in the dead letter with its stage, reason and attempts, as ``wardflow status`` shows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from tests.faults.conftest import CLEAN, FAST_ENV, cli_status, invoice_numbers, postings_by_key
from wardflow.runtime.workspace import Workspace
from wardflow.testing import ErpConformance
from wardflow.testing.erp import MASTER
from wardflow.testing.fake_erp import FakeErpServer
from wardflow.tools.erp import SqliteErp, load_master
from wardflow.tools.erp_http import HttpErp

TOKEN = "erp-test-token"


class TestHttpErpConformance(ErpConformance):
    """The REST adapter and the fake cloud ERP pass the same suite as the embedded ERP."""

    @pytest.fixture
    def seeded_erp(self, tmp_path: Path) -> Iterator[HttpErp]:
        backend = SqliteErp(tmp_path / "cloud.sqlite")
        backend.import_master(MASTER)
        with FakeErpServer(backend, token=TOKEN) as server:
            client = HttpErp(server.url, token=TOKEN, timeout_s=5)
            yield client
            client.close()
        backend.close()


def test_wrong_token_is_refused_without_retry(remote_erp: FakeErpServer) -> None:
    from wardflow.errors import ErpError

    with pytest.raises(ErpError, match="HTTP 401") as caught:
        HttpErp(remote_erp.url, token="wrong").vendors()
    assert not caught.value.retryable


def _cloud(server: FakeErpServer) -> Path:
    return Path(server.erp._conn.execute("PRAGMA database_list").fetchone()[2])


def _posts(server: FakeErpServer) -> int:
    return sum(1 for method, _ in server.requests if method == "POST")


def _remote(server: FakeErpServer, **more: object) -> dict[str, object]:
    return {"erp_url": server.url, "erp_token": TOKEN, **more}


def test_5xx_twice_then_ok_posts_exactly_once(
    remote_erp: FakeErpServer, open_workspace: Callable[..., Workspace], home: Path
) -> None:
    remote_erp.fail_next(2, status=503, method="POST")
    with open_workspace(**_remote(remote_erp)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        assert run.status == "posted", run
        # The workspace's ERP is the cloud one: what it lists is what was posted there.
        assert isinstance(ws.erp, HttpErp)
        assert [p.posting_id for p in ws.erp.postings()] == [run.posting_id]
    assert _posts(remote_erp) == 3
    assert list(postings_by_key(_cloud(remote_erp)).values()) == [1]
    [shown] = cli_status(home)
    assert shown["status"] == "posted" and shown["posting_id"] == run.posting_id


@pytest.mark.slow
def test_erp_down_parks_the_run_then_retry_posts_once(
    remote_erp: FakeErpServer, open_workspace: Callable[..., Workspace], home: Path
) -> None:
    remote_erp.fail_next(1000, status=502, method="POST")
    with open_workspace(**_remote(remote_erp)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        records = [r.action for r in ws.audit.records(run.thread_id)]
    assert run.status == "dead_letter"
    assert run.dead_letter is not None
    assert run.dead_letter["stage"] == "post_to_erp"
    assert run.dead_letter["reason"] == "erp_unavailable"
    assert run.dead_letter["attempts"] == 4 == _posts(remote_erp)
    assert "HTTP 502" in (run.error or "")
    assert "run.dead_letter" in records
    assert postings_by_key(_cloud(remote_erp)) == {}

    env = {**FAST_ENV, "WARDFLOW_ERP_URL": remote_erp.url, "WARDFLOW_ERP_TOKEN": TOKEN}
    [shown] = cli_status(home, **env)
    assert shown["status"] == "dead_letter" and shown["next"] == ["post_to_erp"]
    assert shown["dead_letter"]["stage"] == "post_to_erp"
    assert shown["dead_letter"]["attempts"] == 4

    # Still down: a retry parks it again, nothing posted.
    with open_workspace(**_remote(remote_erp)) as ws:
        assert ws.retry(run.thread_id).status == "dead_letter"
    assert _posts(remote_erp) == 8 and postings_by_key(_cloud(remote_erp)) == {}

    remote_erp.fail_next(0)
    fixed = wardflow_cli(home, "resume", run.thread_id, "--retry", "--json", **env)
    assert fixed.returncode == 0, fixed.stderr
    shown = json.loads(fixed.stdout)
    assert shown["status"] == "posted" and shown["dead_letter"] is None
    assert shown["error"] is None and shown["note"] == "retried from the dead letter"
    assert invoice_numbers(_cloud(remote_erp)) == ["NLS-INV-2026-0412"]
    assert list(postings_by_key(_cloud(remote_erp)).values()) == [1]


def test_timeout_is_retried_and_the_late_post_does_not_duplicate(
    remote_erp: FakeErpServer, open_workspace: Callable[..., Workspace]
) -> None:
    # The first post waits 1.5 s on the server, past the client's 0.3 s timeout; the
    # server still commits it afterwards, after the retry has posted.
    remote_erp.slow_next(1, seconds=1.5, method="POST")
    with open_workspace(**_remote(remote_erp, erp_timeout_s=0.3)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
    assert run.status == "posted", run
    assert _posts(remote_erp) >= 2
    time.sleep(1.6)  # let the slow request finish on the server
    assert list(postings_by_key(_cloud(remote_erp)).values()) == [1]


def test_lost_answer_after_commit_is_found_by_key_not_posted_twice(
    remote_erp: FakeErpServer, open_workspace: Callable[..., Workspace], home: Path
) -> None:
    remote_erp.drop_next_posts(1)
    with open_workspace(**_remote(remote_erp)) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
        posts = [r.payload for r in ws.audit.records(run.thread_id)
                 if r.action == "tool.erp_post_invoice"]
    assert run.status == "posted", run
    assert _posts(remote_erp) == 1
    assert any("key=" in target for method, target in remote_erp.requests if method == "GET")
    assert [p["outcome"] for p in posts] == ["ok"]
    assert posts[0]["result"]["posting_id"] == run.posting_id
    assert list(postings_by_key(_cloud(remote_erp)).values()) == [1]
    assert cli_status(home)[0]["status"] == "posted"


@pytest.mark.slow
def test_erp_gone_then_restarted_resumes_the_parked_run(
    tmp_path: Path, open_workspace: Callable[..., Workspace], home: Path
) -> None:
    backend = SqliteErp(tmp_path / "restarted.sqlite")
    backend.import_master(load_master(EXAMPLES / "erp.json"))
    gone = FakeErpServer(backend, token=TOKEN).start()
    url = gone.url
    gone.stop()  # connection refused from now on
    with open_workspace(erp_url=url, erp_token=TOKEN) as ws:
        [run] = list(ws.process([INBOX / CLEAN]))
    assert run.status == "dead_letter" and run.dead_letter is not None
    # The first ERP call is the extractor's vendor-master read (a model node: 2 attempts).
    assert (run.dead_letter["stage"], run.dead_letter["reason"],
            run.dead_letter["attempts"]) == ("extract", "erp_unavailable", 2)
    assert "ConnectError" in run.dead_letter["detail"]
    [shown] = cli_status(home)
    assert shown["status"] == "dead_letter" and shown["dead_letter"]["stage"] == "extract"

    with FakeErpServer(backend, token=TOKEN) as back, \
            open_workspace(erp_url=back.url, erp_token=TOKEN) as ws:
        [again] = list(ws.process([INBOX / CLEAN]))
    assert again.status == "posted" and again.note == "retried from the dead letter"
    assert list(postings_by_key(tmp_path / "restarted.sqlite").values()) == [1]
    backend.close()
