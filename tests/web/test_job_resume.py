"""What a restarted server does with the jobs it left: a prompt's batch runs again from
its stored plan (the plan's tighter approval limit still holds), a job whose work cannot
be rebuilt fails saying so, and another server's jobs are left alone. In process: the
jobs are recorded as a server that died would have left them."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.conftest import EXAMPLES, INBOX, add_reviewers
from tests.web.conftest import CLEAN, SECRET
from wardflow.agents.planner import DocumentFilter, Plan
from wardflow.config import Settings
from wardflow.graphs.invoice import AUTO_APPROVER
from wardflow.runtime.jobs import JobRecord, PostgresJobStore, server_owner
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master
from wardflow.tools.inbox import document_id
from wardflow.web import create_app
from wardflow.web._run_work import _plan_spec, plan_from_dict

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


def test_a_plan_survives_its_round_trip() -> None:
    plan = Plan(prompt="process the invoices in inbox from Acme over 100 EUR",
                action="process", source="rules", path="inbox",
                approval_limit=Decimal("5000"), currency="EUR", steps=["a", "b"],
                filters=DocumentFilter(vendor_ids=("V-1",), amount_min=Decimal("100"),
                                       date_from=datetime(2026, 1, 1).date(),
                                       statuses=("failed",)))
    again = plan_from_dict(json.loads(json.dumps(plan.to_dict())))
    assert again.to_dict() == plan.to_dict() and again.filters == plan.filters


@pytest.fixture(params=["sqlite", "postgres"])
def home(request: pytest.FixtureRequest, settings: Settings, clock: Callable[[], datetime]
         ) -> Iterator[tuple[Settings, Workspace]]:
    """A data home with its ERP and reviewers; on Postgres, every store at the URL."""
    update: dict[str, Any] = {"max_invoice_age_days": 36500}
    if request.param == "postgres":
        update["database_url"] = SecretStr(str(request.getfixturevalue("postgres_url")))
    settings = settings.model_copy(update=update)
    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(ws.principals)
        yield settings, ws


def test_a_restarted_server_resumes_its_prompt_batch_and_no_other_job(
    home: tuple[Settings, Workspace], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, clock: Callable[[], datetime],
) -> None:
    settings, workspace = home
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inbox").mkdir()
    for name in (CLEAN, OVER_LIMIT):
        shutil.copy(INBOX / name, tmp_path / "inbox" / name)
    clean, held = (document_id((INBOX / name).read_bytes()) for name in (CLEAN, OVER_LIMIT))
    plan = Plan(prompt="process the invoices in inbox and hold anything over 5,000 EUR",
                action="process", source="rules", path="inbox",
                approval_limit=Decimal("5000"), currency="EUR")
    me, now = server_owner(settings.home), time.time()
    spec = json.dumps(_plan_spec(plan, [clean, held]))
    store = workspace.services.jobs  # control.sqlite, or the table at database_url
    assert isinstance(store, PostgresJobStore) == (settings.database_url is not None)
    store.put([JobRecord(clean, me, "b1", "cleo", "running", None, "", spec, now),
               JobRecord(held, me, "b1", "cleo", "queued", None, "", spec, now),
               JobRecord("doc-strange", me, "b2", "cleo", "queued", None, "", '{"kind": "?"}',
                         now),
               JobRecord("doc-theirs", "other-host:/home", "b3", "cleo", "queued", None, "",
                         spec, now)])
    app = create_app(settings, secret=SECRET,
                     workspace_factory=lambda: Workspace(settings, clock=clock))
    jobs = app.state.runs
    try:
        deadline = time.monotonic() + 120
        while jobs.active():
            assert time.monotonic() < deadline, jobs.active()
            time.sleep(0.05)
        ended = {t: jobs.get(t) for t in (clean, held, "doc-strange")}
        assert {t: j.state for t, j in ended.items() if j} == {
            clean: "finished", held: "finished", "doc-strange": "failed"}
        strange = ended["doc-strange"]
        assert strange is not None and "cannot be started again" in str(strange.error)
        theirs = store.get("doc-theirs")
        assert theirs is not None and theirs.state == "queued"
        assert [(p.invoice_number, p.approved_by) for p in workspace.erp.postings()] == [
            ("NLS-INV-2026-0412", AUTO_APPROVER)]
        # The plan's approval limit (5,000 EUR, under the settings') still holds.
        request = workspace.pending(held)
        assert [r.code for r in request.reasons] == ["over_approval_limit"]
        assert [r.state for r in map(store.get, (clean, held)) if r] == ["finished"] * 2
    finally:
        jobs.shutdown()
        app.state.wardflow.services.close()
