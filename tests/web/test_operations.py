"""The operators' runs API over real HTTP: list and search runs, a run's step history,
and the role-checked, audited actions (retry, cancel, replay)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from langgraph.types import Command

from tests.conftest import EXAMPLES, INBOX, add_reviewers
from tests.web.conftest import BANK, CLEAN, PASSWORDS, SECRET, start_server
from wardflow.config import Settings
from wardflow.errors import RunCancelled
from wardflow.runtime.workspace import Workspace
from wardflow.testing.fake_erp import FakeErpServer
from wardflow.tools.erp import SqliteErp, load_master
from wardflow.web import CredentialStore, create_app

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
ERP_TOKEN = "erp-test-token"


@dataclass
class Ops:
    """A live review server over a data home whose ERP is a real HTTP server that
    refuses postings until ``erp.fail_next(0)``; the runs of three documents."""

    client: httpx.Client
    url: str
    erp: FakeErpServer
    cloud: SqliteErp
    settings: Settings
    open: Callable[[], Workspace]
    parked: str  # dead-lettered at post_to_erp (the ERP was down)
    over_limit: str  # awaiting review
    bank: str  # awaiting review
    tokens: dict[str, str]

    def auth(self, name: str) -> dict[str, str]:
        if name not in self.tokens:
            answer = self.client.post("/api/login", json={"principal": name,
                                                          "password": PASSWORDS[name]})
            assert answer.status_code == 200, answer.text
            self.tokens[name] = answer.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def get(self, path: str, who: str = "dan", **params: Any) -> httpx.Response:
        return self.client.get(path, params=params, headers=self.auth(who))

    def post(self, path: str, who: str = "dan", body: Any = None) -> httpx.Response:
        return self.client.post(path, json=body if body is not None else {},
                                headers=self.auth(who))

    def postings(self) -> list[str]:
        return [p.invoice_number for p in self.cloud.postings()]

    def audit(self, thread: str, action: str) -> list[Any]:
        with self.open() as ws:
            return [r for r in ws.audit.records(thread) if r.action == action]


@pytest.fixture
def ops(tmp_path: Path, clock: Callable[[], datetime]) -> Iterator[Ops]:
    cloud = SqliteErp(tmp_path / "cloud-erp.sqlite")
    cloud.import_master(load_master(EXAMPLES / "erp.json"))
    with FakeErpServer(cloud, token=ERP_TOKEN) as erp:
        erp.fail_next(1000, status=502, method="POST")
        settings = Settings(home=tmp_path / "home", model="none", max_invoice_age_days=36500,
                            erp_url=erp.url, erp_token=ERP_TOKEN, retry_initial_s=0.01,
                            retry_max_interval_s=0.02)

        def open_ws() -> Workspace:
            return Workspace(settings, clock=clock)

        with open_ws() as ws:
            add_reviewers(ws.principals)
            credentials = CredentialStore(settings.review_path)
            for name, password in PASSWORDS.items():
                credentials.set_password(ws.principals, name, password)
            credentials.close()
            runs = {Path(r.document).name: r for r in ws.process(
                [INBOX / CLEAN, INBOX / OVER_LIMIT, INBOX / BANK], submitted_by="sam")}
        assert runs[CLEAN].status == "dead_letter", runs[CLEAN]
        assert runs[OVER_LIMIT].status == runs[BANK].status == "awaiting_review"
        app = create_app(settings, workspace_factory=open_ws, secret=SECRET)
        server, thread, port = start_server(app)
        url = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=url, timeout=120) as client:
            yield Ops(client, url, erp, cloud, settings, open_ws, runs[CLEAN].thread_id,
                      runs[OVER_LIMIT].thread_id, runs[BANK].thread_id, {})
        server.should_exit = True
        thread.join(timeout=30)
    cloud.close()


def _ids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return sorted(r["thread_id"] for r in answer.json()["runs"])


def test_the_list_searches_filters_and_pages(ops: Ops) -> None:
    every = ops.get("/api/runs")
    assert _ids(every) == sorted([ops.parked, ops.over_limit, ops.bank])
    body = every.json()
    assert body["may_act"] is True and body["total"] == 3
    assert {"running", "awaiting_review", "awaiting_approval", "dead_letter", "failed",
            "posted", "rejected", "cancelled"} <= set(body["states"])
    assert body["counts"] == {"dead_letter": 1, "awaiting_review": 2}
    row = next(r for r in body["runs"] if r["thread_id"] == ops.parked)
    assert row["dead_letter"]["stage"] == "post_to_erp"
    assert row["may"] == {"retry": True, "cancel": True, "replay": True}

    assert _ids(ops.get("/api/runs", state="dead_letter")) == [ops.parked]
    assert _ids(ops.get("/api/runs", state=["posted", "awaiting_review"])) == sorted(
        [ops.over_limit, ops.bank])
    assert _ids(ops.get("/api/runs", state="cancelled")) == []
    # Search: vendor, document name, thread id (words, any case).
    assert _ids(ops.get("/api/runs", q="hansen")) == [ops.over_limit]
    assert _ids(ops.get("/api/runs", q="VAN DER BERG")) == [ops.bank]
    assert _ids(ops.get("/api/runs", q="NLS-INV-2026-0412")) == [ops.parked]
    assert _ids(ops.get("/api/runs", q=ops.bank[:10])) == [ops.bank]
    assert _ids(ops.get("/api/runs", q="nobody-has-this")) == []

    pages = [ops.get("/api/runs", per_page=2, page=n).json() for n in (1, 2)]
    assert [p["pages"] for p in pages] == [2, 2] and [len(p["runs"]) for p in pages] == [2, 1]
    assert sorted(r["thread_id"] for p in pages for r in p["runs"]) == _ids(every)

    assert ops.get("/api/runs", state="sleeping").status_code == 422
    # Everyone's work: an auditor reads it, a clerk and an approver do not.
    assert ops.get("/api/runs", "ada").json()["may_act"] is False
    for who in ("cleo", "carla"):
        assert ops.get("/api/runs", who).status_code == 403
        assert ops.get(f"/api/runs/{ops.bank}", who).status_code == 403
    assert ops.client.get("/api/runs").status_code == 401


def test_a_run_shows_every_step_with_its_times_and_outcome(ops: Ops) -> None:
    answer = ops.get(f"/api/runs/{ops.over_limit}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    steps = body["steps"]
    assert [s["node"] for s in steps] == ["ingest", "guard", "extract", "risk", "compliance",
                                          "route", "review"]
    for step in steps[:-1]:
        assert step["started"] and step["ended"] and step["ms"] is not None, step
        assert datetime.fromisoformat(step["ended"]) >= datetime.fromisoformat(step["started"])
        assert step["outcome"], step
    assert steps[-1]["status"] == "waiting"
    assert body["run"]["status"] == "awaiting_review"
    assert "ingest" in [c["written_by"] for c in body["checkpoints"]]
    parked = ops.get(f"/api/runs/{ops.parked}").json()
    assert "run.dead_letter" in [a["action"] for a in parked["actions"]]
    assert ops.get("/api/runs/doc-0000000000000000").status_code == 404


def test_retry_posts_a_dead_lettered_run_once_however_often_it_is_clicked(ops: Ops) -> None:
    # Refused to anyone but a controller, and nothing is retried or audited.
    for who in ("cleo", "carla", "ada"):
        assert ops.post(f"/api/runs/{ops.parked}/retry", who).status_code == 403
    assert ops.audit(ops.parked, "run.retried") == []

    ops.erp.fail_next(0)
    answers: list[httpx.Response] = []

    def click() -> None:
        answers.append(httpx.post(f"{ops.url}/api/runs/{ops.parked}/retry",
                                  headers=ops.auth("dan"), timeout=120))

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 409], [a.text for a in answers]
    done = next(a for a in answers if a.status_code == 200).json()
    assert done["run"]["status"] == "posted" and done["history"]["run"]["status"] == "posted"
    assert "not in the dead letter" in next(
        a for a in answers if a.status_code == 409).json()["detail"]
    assert ops.postings() == ["NLS-INV-2026-0412"]
    [record] = ops.audit(ops.parked, "run.retried")
    assert record.actor == "user:dan" and record.payload["via"] == "login"
    assert record.payload["stage"] == "post_to_erp"


def test_a_cancelled_run_never_posts(ops: Ops) -> None:
    path = f"/api/runs/{ops.over_limit}/cancel"
    assert ops.post(path, "cleo", {"reason": "duplicate"}).status_code == 403
    assert ops.post(path, "carla", {"reason": "duplicate"}).status_code == 403
    assert ops.post(path, "dan", {}).status_code == 422  # a reason is required
    assert ops.audit(ops.over_limit, "run.cancelled") == []

    answer = ops.post(path, "dan", {"reason": "sent to the wrong company"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["cancelled"]["was"] == "awaiting_review"
    assert answer.json()["history"]["run"]["status"] == "cancelled"
    again = ops.post(path, "dan", {"reason": "double click"})
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    [record] = ops.audit(ops.over_limit, "run.cancelled")
    assert record.actor == "user:dan"
    assert record.payload["reason"] == "sent to the wrong company"

    # Every way back in finds nothing to decide or resume, and nothing posts.
    ops.erp.fail_next(0)
    with ops.open() as ws:
        hash_ = ws.state(ops.over_limit).values["proposal"]["args_hash"]
    decided = ops.post(f"/api/cases/{ops.over_limit}/decision", "dan",
                       {"decision": "approve", "args_hash": hash_})
    assert decided.status_code in (403, 409) and "not waiting" in decided.json()["detail"]
    resumed = ops.post(f"/runs/{ops.over_limit}/resume", "dan",
                       {"decision": "approve", "args_hash": hash_})
    assert resumed.status_code == 409
    with ops.open() as ws:
        [again_processed] = ws.process([INBOX / OVER_LIMIT])
        assert again_processed.status == "cancelled"
        assert again_processed.note == "already processed"
        config: Any = {"configurable": {"thread_id": ops.over_limit}}
        ws.graph.invoke(Command(resume={"decision": "approve", "by": "dan",
                                        "args_hash": hash_}), config)
        assert ws.status(ops.over_limit)[0].status == "cancelled"
        # Even a caller who drives the graph itself and starts the thread over: the
        # posting step refuses a run that was cancelled.
        ws.graph.invoke({"path": str(INBOX / OVER_LIMIT), "submitted_by": "sam"}, config)
        fresh = ws.state(ops.over_limit).values["proposal"]["args_hash"]
        with pytest.raises(RunCancelled, match="cancelled by dan"):
            ws.graph.invoke(Command(resume={"decision": "approve", "by": "dan",
                                            "comment": "budget approved",
                                            "args_hash": fresh}), config)
    assert ops.postings() == []
    assert _ids(ops.get("/api/runs", state="cancelled")) == [ops.over_limit]
    finished = ops.post(f"/api/runs/{ops.over_limit}/retry", "dan")
    assert finished.status_code == 409


def test_replay_with_other_settings_shows_the_difference(ops: Ops) -> None:
    path = f"/api/runs/{ops.over_limit}/replay"
    assert ops.post(path, "cleo", {"review_threshold": 0.99}).status_code == 403
    refused = ops.post(path, "dan", {"model": "openai/gpt-4o"})
    assert refused.status_code == 403 and "model" in refused.json()["detail"]
    assert ops.post(path, "dan", {"review_threshold": 2}).status_code == 422

    # the strictest threshold: the run's calibrated confidence is just under 1
    answer = ops.post(path, "dan", {"from_checkpoint": "risk", "review_threshold": 1.0})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["settings_changed"] == {"review_threshold": [0.9, 1.0]}
    assert report["from"]["next"] == ["risk"]
    assert report["changed"] is True and report["changes"]
    changed = {r["what"] for r in report["rows"] if r["changed"]}
    assert changed == {c["what"] for c in report["changes"]}
    assert any("low_confidence" in str(r["replay"]) for r in report["rows"] if r["changed"])
    [record] = ops.audit(ops.over_limit, "replay.run")
    assert record.actor == "user:dan"
    # Nothing real moved.
    assert ops.postings() == []
    with ops.open() as ws:
        assert ws.status(ops.over_limit)[0].status == "awaiting_review"
