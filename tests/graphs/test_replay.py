"""Replay: a past run again from a checkpoint, other settings, no side effects."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX, NOW, wardflow_cli
from wardflow.config import Settings
from wardflow.errors import ConfigError, RunNotFound, WardflowError
from wardflow.graphs.blueprint import load_blueprint
from wardflow.operations.replay import (
    CheckpointNotFound,
    ReplayResult,
    checkpoints,
    replay,
    replay_settings,
)
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"  # posted, raw confidence 0.95
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"  # waits for review


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # Replays see the day their checkpoint was written: keep the 2026 examples plausible.
    return Settings(home=tmp_path / "home", model="none", max_invoice_age_days=36500)


def _run(ws: Workspace, name: str) -> str:
    [summary] = list(ws.process([INBOX / name]))
    return summary.thread_id


def _replay(ws: Workspace, thread: str, at: str | None = None, **changes: Any) -> ReplayResult:
    changed = Settings.model_validate({**ws.settings.model_dump(), **changes})
    return replay(ws, thread, at, settings=changed, by="alice", clock=lambda: NOW)


def _changed(result: ReplayResult) -> dict[str, tuple[Any, Any]]:
    return {r.what: (r.original, r.replay) for r in result.changes}


def test_checkpoints_list_steps_and_the_node_that_wrote_each(workspace: Workspace) -> None:
    thread = _run(workspace, CLEAN)

    listed = checkpoints(workspace, thread)

    assert [c.step for c in listed] == list(range(-1, 9))
    assert [c.written_by for c in listed] == [
        "input", "__start__", "ingest", "guard", "extract", "risk", "compliance", "route",
        "post_to_erp", "archive"]
    assert listed[2].next == ("guard",) and listed[-1].next == ()
    assert all(datetime.fromisoformat(c.created_at) for c in listed)


def test_a_higher_review_threshold_sends_a_posted_run_to_review(workspace: Workspace) -> None:
    thread = _run(workspace, CLEAN)

    # the strictest threshold: the clean run's calibrated confidence is just under 1
    result = _replay(workspace, thread, review_threshold=1.0)

    assert result.checkpoint.written_by == "ingest"
    assert result.chosen == "the first checkpoint after ingest (default)"
    assert result.settings_changed == {"review_threshold": [0.9, 1.0]}
    changed = _changed(result)
    assert changed["outcome"] == ("posted", "awaiting_review")
    assert changed["route"] == ("post", "review")
    assert changed["review reasons"] == ([], ["low_confidence"])
    assert changed["posting"] == ("V001 NLS-INV-2026-0412 EUR 2146.76", "not posted")
    # Extraction, risk and compliance ran again and agree with the original.
    assert not any(w.startswith(("field ", "risk", "finding", "confidence")) for w in changed)
    assert [r["code"] for r in result.review] == ["low_confidence"]
    assert "below 1.00" in result.review[0]["detail"]
    assert result.would_do == []  # stopped at the review: nothing posted, nothing archived
    data = json.loads(json.dumps(result.to_dict()))
    assert data["changed"] is True and data["replay"]["status"] == "awaiting_review"


def test_same_settings_reproduce_the_run_and_would_post_the_same(workspace: Workspace) -> None:
    thread = _run(workspace, CLEAN)
    [posting] = workspace.erp.postings()

    result = _replay(workspace, thread)

    # Its own posting is hidden from the duplicate checks, or it would be a duplicate.
    assert result.changes == [] and result.replay.risk_reasons == ()
    [post] = [w for w in result.would_do if w["op"] == "post"]
    assert post["detail"]["already_posted_as"] == posting.posting_id
    assert post["detail"]["total"] == "2146.76"
    assert {w["op"] for w in result.would_do} == {"post", "move", "put"}
    assert any(posting.posting_id in n and "hidden" in n for n in result.notes)


def test_a_mid_run_checkpoint_keeps_the_steps_before_it(workspace: Workspace) -> None:
    thread = _run(workspace, CLEAN)
    after_compliance = next(c for c in checkpoints(workspace, thread)
                            if c.written_by == "compliance")

    # A lower approval limit changes the compliance check, which only a replay from
    # before compliance runs again.
    full = _replay(workspace, thread, approval_limit=1000)
    late = _replay(workspace, thread, after_compliance.checkpoint_id[:-4], approval_limit=1000)
    by_step = _replay(workspace, thread, str(after_compliance.step), approval_limit=1000)
    by_node = _replay(workspace, thread, "route", approval_limit=1000)

    assert _changed(full)["finding SOX-APPROVAL-LIMIT"] == ("pass", "needs_approval")
    assert _changed(full)["outcome"] == ("posted", "awaiting_review")
    for result in (late, by_step, by_node):
        assert result.checkpoint == after_compliance
        assert result.changes == [] and result.replay.status == "posted"
    assert late.chosen.startswith("checkpoint") and by_node.chosen == "before node route"


def _files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _tokens(settings: Settings) -> int:
    with sqlite3.connect(settings.vault_path) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM vault_tokens").fetchone()[0])


def test_side_effects_are_disabled(workspace: Workspace, settings: Settings) -> None:
    posted, waiting = _run(workspace, CLEAN), _run(workspace, OVER_LIMIT)
    before = {
        "postings": workspace.erp.postings(),
        "storage": _files(settings.storage_root),
        "audit": list(workspace.audit.records()),
        "history": {t: checkpoints(workspace, t) for t in (posted, waiting)},
        "tokens": _tokens(settings),
    }

    # Each would post, archive and (from the input) store the document again.
    results = [
        _replay(workspace, waiting, approval_limit=50000),
        _replay(workspace, posted, "-1"),
    ]

    assert results[0].replay.status == "posted" and results[0].original.status == "awaiting_review"
    assert [w["op"] for w in results[1].would_do] == ["post", "put", "move", "put"]
    assert all(any(w["op"] == "post" for w in r.would_do) for r in results)
    assert workspace.erp.postings() == before["postings"]
    assert _files(settings.storage_root) == before["storage"]
    assert {t: checkpoints(workspace, t) for t in (posted, waiting)} == before["history"]
    assert workspace.state(waiting).interrupts  # still waiting for its reviewer
    assert _tokens(settings) == before["tokens"]
    # The audit log gains one record per replay, saying who replayed what, and nothing else.
    records = list(workspace.audit.records())
    assert records[:len(before["audit"])] == before["audit"]
    added = records[len(before["audit"]):]
    assert [(r.action, r.actor, r.thread_id) for r in added] == [
        ("replay.run", "user:alice", waiting), ("replay.run", "user:alice", posted)]
    assert added[0].payload["settings_changed"] == {"approval_limit": ["10000", "50000"]}
    assert added[1].payload["step"] == -1
    assert workspace.audit.verify().ok


def test_unknown_thread_and_checkpoint_are_clear_errors(workspace: Workspace) -> None:
    thread = _run(workspace, CLEAN)

    with pytest.raises(RunNotFound, match="no run with thread id 'doc-nope'"):
        replay(workspace, "doc-nope")
    with pytest.raises(CheckpointNotFound, match="no checkpoint '42'.*--list"):
        replay(workspace, thread, "42")
    with pytest.raises(CheckpointNotFound, match="matches 10 checkpoints"):
        replay(workspace, thread, "1f")  # every id's prefix
    assert not [r for r in workspace.audit.records() if r.action == "replay.run"]


def test_a_blueprint_run_is_refused(workspace: Workspace, settings: Settings) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "classify-and-archive.yaml", settings)
    [run] = workspace.run_blueprint(blueprint, [INBOX / CLEAN])

    with pytest.raises(WardflowError, match="not an invoice run.*classify_document"):
        replay(workspace, run["thread_id"])


def test_replay_settings_from_a_file_model_and_threshold(settings: Settings,
                                                         tmp_path: Path) -> None:
    file = tmp_path / "replay.toml"
    file.write_text('review_threshold = 0.5\napproval_limit = "2500"\nmodel = "x/y"\n')

    made = replay_settings(settings, config_file=file, model="none", review_threshold=0.8)

    assert (made.review_threshold, str(made.approval_limit), made.model) == (0.8, "2500", "none")
    assert made.home == settings.home
    for text, error in (("bogus = 1\n", "unknown setting"), ('home = "/elsewhere"\n', "--home"),
                        ("review_threshold = 3\n", "review_threshold"), ("[x\n", "cannot read")):
        file.write_text(text)
        with pytest.raises(ConfigError, match=error):
            replay_settings(settings, config_file=file)


def test_cli_unknown_checkpoint_exits_with_code_one(workspace: Workspace,
                                                   settings: Settings) -> None:
    thread = _run(workspace, CLEAN)

    missing = wardflow_cli(settings.home, "replay", thread, "--from", "99")

    assert missing.returncode == 1 and "no checkpoint '99'" in missing.stderr
    assert f"wardflow replay {thread} --list" in missing.stderr


@pytest.mark.slow
def test_cli_lists_and_replays_with_a_config_file(workspace: Workspace, settings: Settings,
                                                  tmp_path: Path) -> None:
    thread = _run(workspace, CLEAN)
    config = tmp_path / "stricter.toml"
    config.write_text("review_threshold = 1.0\n")

    listed = wardflow_cli(settings.home, "replay", thread, "--list", "--json", check=True)
    table = wardflow_cli(settings.home, "replay", thread, "--from", "extract", "--config",
                         str(config), "--as", "bob", check=True)
    as_json = wardflow_cli(settings.home, "replay", thread, "--threshold", "1.0", "--json",
                           check=True)
    unknown = wardflow_cli(settings.home, "replay", "doc-nope")

    assert [c["written_by"] for c in json.loads(listed.stdout)][2] == "ingest"
    assert "would go to review" in table.stdout and "low_confidence" in table.stdout
    assert "review_threshold 0.90 -> 1.00" in table.stdout
    data = json.loads(as_json.stdout)
    assert data["changed"] and data["original"]["status"] == "posted"
    assert data["replay"]["route"] == "review"
    actors = [r.actor for r in workspace.audit.records(thread) if r.action == "replay.run"]
    assert actors[0] == "user:bob" and len(actors) == 2
    assert len(workspace.erp.postings()) == 1
    assert unknown.returncode == 1 and "no run with thread id 'doc-nope'" in unknown.stderr


@pytest.mark.slow
def test_cli_replays_with_the_local_model(workspace: Workspace, settings: Settings,
                                          tmp_path: Path) -> None:
    from wardflow.llm.local import bundled_gguf

    thread = _run(workspace, CLEAN)  # parsers only
    gguf = bundled_gguf(tmp_path / "models")

    done = wardflow_cli(settings.home, "replay", thread, "--model", "local/gemma-3-270m",
                        "--json", WARDFLOW_LOCAL_MODEL_PATH=str(gguf),
                        WARDFLOW_MODEL_READS="always")

    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["settings_changed"]["model"] == ["none", "local/gemma-3-270m"]
    assert data["original"]["model_calls"] == 0 and data["replay"]["model_calls"] >= 1
    # The model reads the document; the parsers' checked values stand.
    assert data["replay"]["fields"]["total"] == "2146.76"
    assert data["replay"]["fields"]["iban"] == data["original"]["fields"]["iban"]
    assert len(workspace.erp.postings()) == 1
