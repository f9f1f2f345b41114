"""explain_run on real runs: every decision covered, every piece of evidence in the run,
model sentences kept only when grounded (litellm's mock provider stands in for the
external model, through the real LLM class)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tests.conftest import EXAMPLES, INBOX, NOW
from wardflow.agents.explain import (
    EXPLAIN_CLAIM,
    Claim,
    Explanation,
    explain_run,
    faithful,
    grounding_report,
    supported,
)
from wardflow.config import Settings
from wardflow.llm import LLM
from wardflow.observability.audit import AuditRecord
from wardflow.review.payloads import ReviewDecision
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
Run = tuple[dict[str, Any], list[AuditRecord]]


def _process(workspace: Workspace, name: str) -> str:
    [summary] = list(workspace.process([INBOX / name]))
    return summary.thread_id


def _run(workspace: Workspace, thread: str) -> Run:
    return dict(workspace.state(thread).values), list(workspace.audit.records(thread))


@pytest.fixture
def approved(workspace: Workspace) -> Run:
    """The over-limit invoice, paused for review, approved by carla, posted."""
    thread = _process(workspace, OVER_LIMIT)
    workspace.principals.add("carla", "controller")  # over-limit cases need a controller
    request = workspace.pending(thread)
    workspace.resume(thread, ReviewDecision(decision="approve", by="carla", comment="budget ok",
                                            args_hash=request.proposed_action.args_hash))
    return _run(workspace, thread)


def _claims(explanation: Explanation, decision: str) -> list[Claim]:
    return [c for c in explanation.claims if c.decision == decision]


def test_every_decision_of_the_run_is_explained(approved: Run) -> None:
    explanation = explain_run(*approved)
    assert explanation.decisions() == [
        "document", "guard", "vendor", "invoice", "total", "confidence", "risk",
        "compliance", "route", "review", "posting", "archive",
    ]
    assert all(c.evidence and c.source == "template" and c.text == c.template
               for c in explanation.claims)
    assert explanation.thread_id == approved[0]["document"]["id"]


def test_each_cited_piece_of_evidence_exists_in_the_run(approved: Run) -> None:
    state, records = approved
    explanation = explain_run(state, records)
    by_seq = {r.seq: r for r in records}
    fields = state["extraction"]["fields"]
    kinds = set()
    for claim in explanation.claims:
        for item in claim.evidence:
            kinds.add(item["kind"])
            if item["kind"] == "document":
                assert state["text"][item["start"]:item["end"]] == item["text"]
                if item["field"]:
                    assert fields[item["field"]]["evidence"]["text"] == item["text"]
                    assert fields[item["field"]]["evidence"]["page"] == item["page"]
            elif item["kind"] == "audit":
                assert by_seq[item["seq"]].hash == item["hash"]
                assert by_seq[item["seq"]].action == item["action"]
            elif item["kind"] == "check":
                assert {k: item[k] for k in ("name", "passed", "detail")} in [
                    {k: c[k] for k in ("name", "passed", "detail")}
                    for c in state["extraction"]["checks"]]
            elif item["kind"] == "rule":
                assert item["rule"] in [f["rule"] for f in state["compliance"]["findings"]]
    assert {"document", "audit", "check", "rule", "validator", "route_reason", "state"} <= kinds
    report = grounding_report(explanation, state, records)
    assert report.failures == []
    assert report.share == report.text_share == 1.0 and report.unchecked == 0


def test_the_approval_names_carla_and_cites_her_audit_record(approved: Run) -> None:
    state, records = approved
    [review] = _claims(explain_run(state, records), "review")
    assert review.text.startswith("Approved by carla at ") and "budget ok" in review.text
    [item] = review.evidence
    [record] = [r for r in records if r.action == "review.decision"]
    assert item["seq"] == record.seq and item["hash"] == record.hash
    assert item["actor"] == "user:carla"
    assert item["payload"]["at"] in review.text
    [posting] = _claims(explain_run(state, records), "posting")
    assert state["posting"]["posting_id"] in posting.text
    assert "approved by carla" in posting.text


def test_why_it_was_routed_to_review_and_why_this_vendor_and_total(approved: Run) -> None:
    explanation = explain_run(*approved)
    [route] = _claims(explanation, "route")
    assert route.text.startswith("Routed to review because of over_approval_limit")
    assert {"kind": "route_reason", "index": 0, "code": "over_approval_limit",
            "detail": approved[0]["decision"]["reasons"][0]["detail"]} in route.evidence
    [rule] = [c for c in _claims(explanation, "compliance") if "SOX-APPROVAL-LIMIT" in c.text]
    assert "needs_approval" in rule.text
    [vendor] = _claims(explanation, "vendor")
    assert "Hansen Maschinenbau GmbH (V009)" in vendor.text and "DE286530918" in vendor.text
    [total] = _claims(explanation, "total")
    assert "EUR 24500.01" in total.text and "'24,500.01' on page 1" in total.text
    assert any(e["kind"] == "check" and e["name"] == "totals_add_up" for e in total.evidence)


def test_a_duplicate_cites_the_earlier_posting(workspace: Workspace) -> None:
    _process(workspace, "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf")
    thread = _process(workspace, "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf")
    state, records = _run(workspace, thread)
    explanation = explain_run(state, records)
    [earlier] = workspace.erp.postings()
    [risk] = _claims(explanation, "risk")
    [reason] = [e for e in risk.evidence if e["kind"] == "risk_reason"]
    assert reason["evidence"]["posting_id"] == earlier.posting_id
    assert earlier.posting_id in risk.text
    assert _claims(explanation, "review")[0].text.startswith("Waiting for a reviewer")
    assert grounding_report(explanation, state, records).share == 1.0


def test_what_the_guard_found_is_quoted_from_the_document(workspace: Workspace) -> None:
    thread = _process(workspace, "2026-11-05_sternberg-it_SIT-2026-0661.pdf")
    state, records = _run(workspace, thread)
    [guard] = [c for c in _claims(explain_run(state, records), "guard")
               if "prompt_injection" in c.text]
    spans = [e for e in guard.evidence if e["kind"] == "document"]
    assert spans and "flagged" in guard.text
    for span in spans:
        assert state["text"][span["start"]:span["end"]] == span["text"]
        assert f"'{span['text']}'" in guard.text


def test_grounding_report_catches_evidence_that_is_not_in_the_run(approved: Run) -> None:
    state, records = approved
    explanation = explain_run(state, records)
    claims = explanation.claims
    forged_audit = {**next(e for c in claims for e in c.evidence if e["kind"] == "audit"),
                    "hash": "0" * 64}
    forged_span = {"kind": "document", "field": "total", "value": "24500.01",
                   "text": "99,999.00", "page": 1, "start": 671, "end": 680}
    forged_rule = {"kind": "rule", "rule": "SOX-MADE-UP", "outcome": "pass", "detail": "",
                   "action": "none"}
    forged = Explanation(explanation.thread_id, [
        *claims,
        Claim("review", "Approved by carla.", [forged_audit]),
        Claim("total", "Total 24500.01.", [forged_span]),
        Claim("compliance", "Rule SOX-MADE-UP passed.", [forged_rule]),
        Claim("posting", "Posted as P-000000000000.", [{"kind": "state",
                                                        "path": "posting.posting_id",
                                                        "value": "P-000000000000"}]),
        Claim("route", "Routed nowhere.", []),
        replace(claims[0], text=claims[0].text + " It cost EUR 12.50."),
    ])
    report = grounding_report(forged, state, records)
    assert report.claims == len(claims) + 6
    assert report.grounded == len(claims) + 1  # the sentence with a made-up amount
    assert report.text_supported == len(claims) + 5
    whys = [f["why"] for f in report.failures]
    assert "the audit record differs (hash or action)" in whys
    assert "the document has other text at these offsets" in whys
    assert "no such rule in the run" in whys
    assert "the state has another value there" in whys
    assert "no evidence cited" in whys
    assert "the sentence states something its evidence does not" in whys
    # Without records, audit evidence is counted as unchecked, not as verified.
    assert grounding_report(explanation, state).unchecked > 0


def _llm(tmp_path: Path, reply: str) -> LLM:
    config = tmp_path / "router.json"
    config.write_text(json.dumps({"model_list": [{"model_name": "default", "litellm_params": {
        "model": "openai/gpt-4o-mini", "api_key": "sk-test", "mock_response": reply}}]}))
    return LLM(Settings(home=tmp_path / "llm-home", llm_router_config=config))


@pytest.mark.parametrize("cut", [False, True], ids=["json", "json-cut-short"])
def test_a_model_sentence_is_kept_only_where_grounded(
    approved: Run, tmp_path: Path, cut: bool
) -> None:
    state, records = approved
    at = state["review"]["at"]
    reply = json.dumps({"sentence": f"carla approved this invoice at {at}."})
    if cut:  # a reply that ran out of tokens before the JSON closed
        reply = reply[:-2]
    explanation = explain_run(state, records, llm=_llm(tmp_path, reply))
    template = explain_run(state, records)
    assert explanation.prompt_version == EXPLAIN_CLAIM.version
    assert len(explanation.llm_usage) == len(explanation.claims)  # one call per claim
    kept = [c for c in explanation.claims if c.source == "model"]
    # Only the review claim has this time and name in its evidence.
    assert [(c.decision, c.text) for c in kept] == [("review", f"carla approved this invoice at {at}.")]
    assert kept[0].template == _claims(template, "review")[0].text
    others = [c for c in explanation.claims if c.source == "template"]
    assert [c.text for c in others] == [c.text for c in template.claims if c.decision != "review"]
    assert grounding_report(explanation, state, records).share == 1.0


def test_a_model_sentence_with_a_made_up_number_is_dropped(
    approved: Run, tmp_path: Path
) -> None:
    state, records = approved
    at = state["review"]["at"]
    reply = json.dumps({"sentence": f"carla approved EUR 99,999.00 at {at}."})
    explanation = explain_run(state, records, llm=_llm(tmp_path, reply))
    assert all(c.source == "template" for c in explanation.claims)
    assert explanation.to_dict()["claims"] == explain_run(state, records).to_dict()["claims"]


def test_faithful_refuses_what_a_small_model_writes(approved: Run) -> None:
    """Replies the embedded 270M model gave while rephrasing, and other slips."""
    explained = explain_run(*approved).claims
    claims = {c.decision: c for c in explained}
    document, total = claims["document"], claims["total"]
    guard = next(c for c in explained if c.decision == "guard" and "prompt_injection" in c.text)
    name = approved[0]["document"]["name"]
    assert faithful(document.text.replace(", text quality", "; its text quality"), document)
    assert not faithful("...", total)  # not a sentence
    assert not faithful("6,521.52", total)
    assert not faithful("Total EUR 24,500.01 on page 1.", total)  # facts dropped
    assert not faithful(document.text.replace("application/pdf", "application/json"), document)
    assert not faithful(guard.text.replace("passed", "did not pass"), guard)  # polarity
    assert not faithful(guard.text.replace("0.0", "0.7"), guard)  # a number made up
    assert not faithful(f"The document {name} was read.", document)


def test_a_flagged_document_is_never_shown_to_the_model(
    workspace: Workspace, tmp_path: Path
) -> None:
    thread = _process(workspace, "2026-11-05_sternberg-it_SIT-2026-0661.pdf")
    state, records = _run(workspace, thread)
    explanation = explain_run(state, records, llm=_llm(tmp_path, '{"sentence": "All fine."}'))
    assert explanation.llm_usage == []
    assert all(c.source == "template" for c in explanation.claims)


def test_render_and_to_dict(approved: Run) -> None:
    explanation = explain_run(*approved)
    console = Console(record=True, width=200)
    console.print(explanation.render())
    shown = console.export_text()
    assert "Approved by carla" in shown and "review.decision" in shown
    data = json.loads(json.dumps(explanation.to_dict()))
    assert [c["decision"] for c in data["claims"]] == [c.decision for c in explanation.claims]
    assert "Approved by carla" in explanation.text()


@pytest.mark.slow
def test_with_the_embedded_model_every_claim_stays_grounded(tmp_path: Path) -> None:
    """The local model reads the invoice and rephrases the claims: whatever it writes,
    the explanation cites only what the run holds and says only what its evidence does."""
    from wardflow.llm.local import bundled_gguf

    settings = Settings(home=tmp_path / "home",
                        local_model_path=bundled_gguf(tmp_path / "models"))
    with Workspace(settings, clock=lambda: NOW) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        thread = _process(ws, "2026-10-14_harrow-finch_INV-004127.pdf")
        state, records = _run(ws, thread)
        explanation = explain_run(state, records, llm=LLM(settings))
    assert "model" in explanation.decisions()  # the extractor's model call is explained
    assert len(explanation.llm_usage) == len(explanation.claims)
    assert all(u["model"] == "local/gemma-3-270m" for u in explanation.llm_usage)
    report = grounding_report(explanation, state, records)
    assert report.failures == [] and report.share == report.text_share == 1.0
    for claim in explanation.claims:
        if claim.source == "model":
            assert supported(claim.text, [claim.template, claim.evidence],
                             must_mention=claim.must_mention)
