"""Every principal's actions are rate-limited: review decisions (CLI and web go through
``Workspace.resume``), runs started through the API, and the planner, each against the
principal's own budget and the workflow's, shared through the data home."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES, INBOX, add_reviewers
from tests.web.conftest import SECRET, start_server
from wardflow.config import Settings
from wardflow.errors import RateLimited
from wardflow.review.payloads import ReviewDecision
from wardflow.review.tokens import TokenStore
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master
from wardflow.web import create_app

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
BANK = "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"
LOW_CONFIDENCE = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"
CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
ALPEN = "2026-10-02_alpenglanz_Rechnung_2026-3318.pdf"


@pytest.fixture
def limited(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", model="none", max_invoice_age_days=36500,
                    rate_limit_principal=2, rate_limit_workflow=3, rate_limit_window_s=600)


@pytest.fixture
def ws(limited: Settings, clock: Callable[[], datetime]) -> Iterator[Workspace]:
    with Workspace(limited, clock=clock) as workspace:
        workspace.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(workspace.principals)
        yield workspace


def _decision(ws: Workspace, thread: str, who: str, decision: str) -> ReviewDecision:
    request = ws.pending(thread)
    return ReviewDecision(decision=decision, by=who,  # type: ignore[arg-type]
                          comment="checked", args_hash=request.proposed_action.args_hash)


@pytest.mark.slow
def test_review_decisions_are_limited_per_reviewer_and_per_workflow(ws: Workspace) -> None:
    runs = list(ws.process([INBOX / OVER_LIMIT, INBOX / BANK, INBOX / LOW_CONFIDENCE]))
    assert all(r.waiting_for_review for r in runs)
    over, bank, low = (r.thread_id for r in runs)

    assert ws.resume(over, _decision(ws, over, "dan", "approve")).status == "posted"
    assert ws.resume(bank, _decision(ws, bank, "dan", "reject")).status == "rejected"
    with pytest.raises(RateLimited, match="principal:dan"):
        ws.resume(low, _decision(ws, low, "dan", "reject"))
    assert ws.status(low)[0].waiting_for_review  # refused before anything moved
    # Another reviewer has a budget of their own; the workflow's (3) is then spent.
    assert ws.resume(low, _decision(ws, low, "carla", "reject")).status == "rejected"
    with pytest.raises(RateLimited, match="workflow:review"):
        ws.resume(low, ReviewDecision(decision="reject", by="eve"))


def test_the_limit_holds_across_processes_of_one_data_home(
    ws: Workspace, limited: Settings, clock: Callable[[], datetime]
) -> None:
    [run] = ws.process([INBOX / OVER_LIMIT])
    ws.rate_limit("dan", "review")
    with Workspace(limited, clock=clock) as other:  # another connection, as another process
        other.rate_limit("dan", "review")
        with pytest.raises(RateLimited):
            other.resume(run.thread_id, _decision(other, run.thread_id, "dan", "approve"))


@pytest.mark.slow
def test_runs_api_answers_429_when_a_principal_starts_too_many_runs(
    limited: Settings, ws: Workspace, clock: Callable[[], datetime]
) -> None:
    tokens = TokenStore(limited.review_path)
    token = tokens.create(ws.principals, "cleo", name="tests", expires_days=1, by="admin",
                          audit=ws.audit)[0]
    tokens.close()
    app = create_app(limited, secret=SECRET,
                     workspace_factory=lambda: Workspace(limited, clock=clock))
    server, thread, port = start_server(app)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            def upload(name: str) -> httpx.Response:
                data = (INBOX / name).read_bytes()
                return client.post("/runs", headers={"Authorization": f"Bearer {token}"},
                                   files={"document": (name, data, "application/pdf")})

            assert upload(CLEAN).status_code == 202
            assert upload(ALPEN).status_code == 202
            blocked = upload(OVER_LIMIT)
            assert blocked.status_code == 429, blocked.text
            assert int(blocked.headers["Retry-After"]) >= 1
            assert "principal:cleo" in blocked.json()["detail"]
            deadline = time.monotonic() + 60
            while app.state.runs.active():
                assert time.monotonic() < deadline
                time.sleep(0.05)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    started = {r.document.rsplit("/", 1)[-1].split(":")[-1] for r in ws.status()}
    assert OVER_LIMIT not in started and {CLEAN, ALPEN} <= started


