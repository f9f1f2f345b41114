"""Shadow mode: a candidate configuration beside the live one, disagreements recorded, and
nothing done: no posting, no stored object, no checkpoint, no case for a human."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import INBOX, wardflow_cli
from wardflow.operations.replay import replay_settings
from wardflow.operations.shadow import ShadowResult, shadow_run
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


def _footprint(ws: Workspace) -> dict[str, Any]:
    """Everything a run can change, except the audit log."""
    return {"postings": [p.posting_id for p in ws.erp.postings()],
            "storage": sorted(str(p.relative_to(ws.storage.root))
                              for p in ws.storage.root.rglob("*") if p.is_file()),
            "threads": ws.threads(), "inbox": [c.thread_id for c in ws.inbox()]}


def _candidate(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "candidate.toml"
    path.write_text(text)
    return path


def _live_then_shadow(ws: Workspace, tmp_path: Path, name: str, candidate: str
                      ) -> tuple[Any, dict[str, Any], ShadowResult]:
    """The live run, what it left, and the shadow run (checked to leave nothing)."""
    settings = replay_settings(ws.settings, config_file=_candidate(tmp_path, candidate))
    [item] = ws.items([INBOX / name])
    live = ws.process_item(item)
    before = _footprint(ws)
    result = shadow_run(ws, item, settings)
    assert _footprint(ws) == before  # ERP row count, storage, checkpoints, inbox
    return live, before, result


def test_shadow_records_disagreements_and_never_acts(workspace: Workspace,
                                                     tmp_path: Path) -> None:
    live, before, result = _live_then_shadow(workspace, tmp_path, CLEAN, "approval_limit = 1000")
    assert live.status == "posted"
    assert len(before["postings"]) == 1
    differ = {d["what"]: (d["live"], d["shadow"]) for d in result.to_dict()["disagreements"]}
    assert differ["route"] == ("post", "review")
    assert differ["outcome"] == ("posted", "awaiting_review")
    assert differ["finding SOX-APPROVAL-LIMIT"] == ("pass", "needs_approval")
    assert "field total" not in differ  # the same document reads the same
    assert result.settings_changed["approval_limit"] == ["10000", "1000"]
    record = list(workspace.audit.records())[-1]
    assert record.action == "shadow.compare" and record.thread_id == live.thread_id
    assert record.payload["agree"] is False
    assert {d["what"] for d in record.payload["disagreements"]} == set(differ)


def test_a_shadow_that_would_post_posts_nothing(workspace: Workspace, tmp_path: Path) -> None:
    live, before, result = _live_then_shadow(workspace, tmp_path, OVER_LIMIT,
                                             "approval_limit = 100000")
    assert live.status == "awaiting_review"
    assert result.shadow.status == "posted" and result.shadow.posting is not None
    assert [w["op"] for w in result.would_do].count("post") == 1
    assert before["postings"] == [] and before["inbox"] == [live.thread_id]
    # The same configuration agrees with itself.
    [item] = workspace.items([INBOX / OVER_LIMIT])
    same = shadow_run(workspace, item, workspace.settings)
    assert same.to_dict()["agree"] is True and same.disagreements == []


@pytest.mark.slow
def test_process_with_shadow_through_the_command(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert wardflow_cli(home, "erp", "import", str(INBOX.parent / "erp.json")).returncode == 0
    candidate = _candidate(tmp_path, "approval_limit = 1000\nreview_threshold = 0.5\n")
    result = wardflow_cli(home, "process", "--shadow", str(candidate), str(INBOX / CLEAN),
                          str(INBOX / OVER_LIMIT), "--json", "--as", "sam")
    assert result.returncode == 0, result.stderr
    runs = {Path(r["document"]).name: r for r in json.loads(result.stdout)}
    assert runs[CLEAN]["status"] == "posted"
    assert not runs[CLEAN]["shadow"]["agree"]
    assert runs[OVER_LIMIT]["shadow"]["agree"]  # both send it to review
    listed = json.loads(wardflow_cli(home, "erp", "list", "--json").stdout)
    assert [p["invoice_number"] for p in listed] == ["NLS-INV-2026-0412"]
    bad = wardflow_cli(home, "process", "--shadow", str(_candidate(tmp_path, "home = 'x'\n")),
                       str(INBOX / CLEAN))
    assert bad.returncode == 1 and "cannot change" in bad.stderr
