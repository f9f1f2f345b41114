"""document_uploaded events: one run per document, exactly once, across restarts."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import EXAMPLES, INBOX
from wardflow.graphs.blueprint import load_blueprint
from wardflow.runtime.events import SqliteEventLedger
from wardflow.runtime.workspace import Workspace

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OTHER = "2026-10-02_alpenglanz_Rechnung_2026-3318.pdf"


def test_watcher_runs_each_new_document_once(workspace: Workspace) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "invoice.yaml", workspace.settings)
    folder = workspace.storage.root / "inbox"
    folder.mkdir(parents=True)
    shutil.copy(INBOX / CLEAN, folder / CLEAN)

    [first] = workspace.watch_once(blueprint)
    assert first["outputs"]["process_invoice"]["status"] == "posted"
    assert workspace.watch_once(blueprint) == []  # nothing new

    shutil.copy(INBOX / OTHER, folder / OTHER)
    [second] = workspace.watch_once(blueprint)
    assert second["document"].endswith(OTHER)
    assert sorted(p.invoice_number for p in workspace.erp.postings()) == [
        "2026-3318", "NLS-INV-2026-0412"]
    ledger = SqliteEventLedger(workspace.settings.control_path)
    assert [e.state for e in ledger.entries("invoice")] == ["done", "done"]
    ledger.close()


def test_an_event_left_open_by_a_crash_is_finished_not_repeated(
    workspace: Workspace, tmp_path: Path
) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "invoice.yaml", workspace.settings)
    folder = tmp_path / "drop"
    folder.mkdir()
    shutil.copy(INBOX / CLEAN, folder / CLEAN)
    # A watcher recorded the event and died before starting the run.
    items = workspace.items([folder])
    ledger = SqliteEventLedger(workspace.settings.control_path)
    assert ledger.record("invoice", items[0].document_id, items[0].source)
    ledger.close()

    [result] = workspace.watch_once(blueprint, folder)
    assert result["outputs"]["process_invoice"]["status"] == "posted"
    assert workspace.watch_once(blueprint, folder) == []
    assert len(workspace.erp.postings()) == 1
