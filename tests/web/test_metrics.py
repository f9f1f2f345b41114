"""``GET /metrics``: a real server scraped and parsed with Prometheus' text parser, its
numbers checked against what the stores say."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import datetime
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from tests.conftest import INBOX
from tests.web.conftest import SECRET, Cases, start_server
from wardflow.config import Settings
from wardflow.observability.audit import AuditLog
from wardflow.review.tokens import TokenStore
from wardflow.runtime.workspace import Workspace
from wardflow.web import create_app
from wardflow.web._metrics_read import AuditTally
from wardflow.web.metrics import WardflowCollector

MORE = ("2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf",
        "2026-10-14_harrow-finch_INV-004127.pdf", "2026-11-05_sternberg-it_SIT-2026-0661.pdf")
SCRAPER = "scraper-token-0123456789abcdef"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def served(settings: Settings, cases: Cases, workspace: Workspace,
           clock: Callable[[], datetime]) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    tokens = TokenStore(settings.review_path)
    issued = {name: tokens.create(workspace.principals, name, name="tests", expires_days=30,
                                  by="admin", audit=workspace.audit)[0]
              for name in ("ada", "cleo")}
    tokens.close()
    served = settings.model_copy(update={"metrics_token": SecretStr(SCRAPER)})
    app = create_app(served, secret=SECRET,
                     workspace_factory=lambda: Workspace(served, clock=clock))
    server, thread, port = start_server(app)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        yield client, issued
    server.should_exit = True
    thread.join(timeout=30)


def _scrape(client: httpx.Client, token: str) -> Samples:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text)
            for s in family.samples}


def _one(samples: Samples, name: str, **labels: str) -> float:
    return samples[name, tuple(sorted(labels.items()))]


def test_metrics_are_what_the_stores_say(served: tuple[httpx.Client, dict[str, str]],
                                         workspace: Workspace) -> None:
    started = time.time()
    client, issued = served
    # Two more documents, processed (outside the server) before the scrape.
    list(workspace.process([INBOX / MORE[0], INBOX / MORE[1]], submitted_by="sam"))
    samples = _scrape(client, SCRAPER)

    views = workspace.status()
    by_status = Counter(v.status for v in views)
    assert by_status["posted"] >= 2 and by_status["awaiting_review"] >= 2
    for status in ("posted", "awaiting_review", "dead_letter", "failed", "rejected"):
        assert _one(samples, "wardflow_runs", status=status) == by_status[status], status
    assert _one(samples, "wardflow_review_queue_depth", status="awaiting_review") == \
        len(workspace.inbox())
    assert _one(samples, "wardflow_dead_letter_runs") == by_status["dead_letter"]
    oldest = _one(samples, "wardflow_review_queue_oldest_age_seconds")
    assert 0 < oldest < time.time() - started + 60
    assert _one(samples, "wardflow_review_queue_age_seconds_gcount") == len(workspace.inbox())

    postings = workspace.erp.postings()
    assert len(postings) == by_status["posted"]
    assert _one(samples, "wardflow_erp_posts_total") == len(postings)
    assert _one(samples, "wardflow_erp_refusals_total", outcome="blocked") == 0
    assert _one(samples, "wardflow_dead_letters_total") == 0

    records = list(workspace.audit.records())
    steps: dict[str, list[float]] = {}
    flags: Counter[tuple[str, str, str]] = Counter()
    for record in records:
        if record.action.startswith("node."):
            steps.setdefault(record.action[5:], []).append(record.payload["ms"] / 1000)
            for g in record.payload.get("guard") or []:
                if g["outcome"] != "pass":
                    flags[g["boundary"], g["validator"], g["outcome"]] += 1
    assert {"ingest", "guard", "extract", "route", "post_to_erp", "archive"} <= set(steps)
    for node, times in steps.items():
        assert _one(samples, "wardflow_stage_duration_seconds_count", node=node) == len(times)
        assert _one(samples, "wardflow_stage_duration_seconds_sum", node=node) == \
            pytest.approx(sum(times))
        assert _one(samples, "wardflow_stage_duration_seconds_bucket", node=node,
                    le="+Inf") == len(times)
    assert flags  # the examples have personal data the document guard tokenizes
    shown = {k[1]: v for k, v in samples.items() if k[0] == "wardflow_guard_flags_total"}
    assert shown == {(("boundary", b), ("outcome", o), ("validator", v)): n
                     for (b, v, o), n in flags.items()}
    assert _one(samples, "wardflow_model_calls") == sum(v.llm_calls for v in views)

    # An auditor's API token may scrape too; within the cache window (15 s) the stores
    # are not read again, so a run processed since is not yet counted.
    list(workspace.process([INBOX / MORE[2]], submitted_by="sam"))
    assert len(workspace.threads()) == len(views) + 1
    again = _scrape(client, issued["ada"])
    assert sum(v for k, v in again.items() if k[0] == "wardflow_runs") == len(views)


def test_metrics_need_a_reader(served: tuple[httpx.Client, dict[str, str]]) -> None:
    client, issued = served
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    clerk = client.get("/metrics", headers={"Authorization": f"Bearer {issued['cleo']}"})
    assert clerk.status_code == 403


def test_the_audit_is_read_incrementally_with_refusals_and_tool_blocks() -> None:
    audit = AuditLog(":memory:")
    tally = AuditTally()
    post: dict[str, Any] = {"tool": "erp_post_invoice", "outcome": "ok"}
    audit.append("tool.erp_post_invoice", post)
    audit.append("tool.erp_post_invoice", {**post, "outcome": "blocked",
                                           "validator": "approved_posting"})
    audit.append("tool.erp_post_invoice", {**post, "outcome": "error"})
    assert tally.read(audit) == 3
    audit.append("run.dead_letter", {"stage": "post_to_erp"})
    assert tally.read(audit) == 1  # only the new record
    assert tally.read(audit) == 0
    assert (tally.erp_posts, dict(tally.erp_refusals), tally.dead_letters) == (
        1, {"blocked": 1, "error": 1}, 1)
    assert tally.guard_flags == {("tool_args", "approved_posting", "blocked"): 1}
    audit.close()


def test_a_later_collection_reads_what_is_new(workspace: Workspace) -> None:
    """Past the cache window the stores are read again: the audit log from where the
    last collection stopped, and the numbers still equal what the stores say."""
    tick = [0.0]
    collector = WardflowCollector(lambda: nullcontext(workspace), lambda: workspace.audit,
                                  ttl_s=15.0, monotonic=lambda: tick[0])

    def collected() -> tuple[float, float, float]:
        samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
                   for family in collector.collect() for s in family.samples}
        return (samples["wardflow_erp_posts_total", ()],
                samples["wardflow_stage_duration_seconds_count", (("node", "ingest"),)],
                sum(v for k, v in samples.items() if k[0] == "wardflow_runs"))

    def stored() -> tuple[float, float, float]:
        ingests = sum(1 for r in workspace.audit.records() if r.action == "node.ingest")
        return len(workspace.erp.postings()), ingests, len(workspace.threads())

    list(workspace.process([INBOX / MORE[1]], submitted_by="sam"))
    first = stored()
    assert collected() == first
    list(workspace.process([INBOX / MORE[0], INBOX / MORE[2]], submitted_by="sam"))
    assert stored() != first and collected() == first  # cached
    tick[0] = 15.0
    assert collected() == stored()
