"""Write the data home that ``tests/graphs/test_checkpoint_compat.py`` opens.

It holds checkpoints as the version of wardflow that ran this script wrote them
(the version before typed run state, ``RunView``): an invoice run that posted, one
waiting for review, a blueprint run that posted through the invoice graph and one
waiting for an approval, all in the SQLite checkpointer. Run it again only to add a
home for another version (``python tests/data/checkpoints/make_checkpoints.py NAME``),
never to overwrite one: the point is that the files stay as an older version wrote them.
Parsers only (``model="none"``) and a fixed clock, so it needs no model and no network.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
INBOX = ROOT / "examples" / "inbox"
POSTS = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
REVIEWED = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"
BLUEPRINT_POSTS = "2026-10-02_alpenglanz_Rechnung_2026-3318.pdf"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# What the home keeps: the checkpoints and what resuming a run needs (the ERP, the
# reviewers, the audit log, the vault of tokenized personal data, storage).
KEEP = ("checkpoints.sqlite", "erp.sqlite", "review.sqlite", "audit.sqlite", "vault.sqlite",
        "control.sqlite", "storage")


def _contract(folder: Path) -> Path:
    from fpdf import FPDF

    path = folder / "contract.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Service Agreement between Acme GmbH and Wardflow Demo Corp.\n"
                         "The parties agree on the following invoice schedule.")
    pdf.output(str(path))
    return path


def make(name: str) -> Path:
    """Write ``HERE/name`` (a data home); refuses to overwrite one."""
    from wardflow.config import Settings
    from wardflow.graphs.blueprint import load_blueprint
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    target = HERE / name
    if target.exists():
        raise SystemExit(f"{target} exists: checkpoints of a version are never rewritten")
    work = HERE / f".{name}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    home = work / "home"
    settings = Settings(home=home, model="none", tracing=False)
    with Workspace(settings, clock=lambda: NOW) as ws:
        ws.erp.import_master(load_master(ROOT / "examples" / "erp.json"))
        ws.principals.add("carla", "approver", approval_limit=Decimal("50000"))
        ws.principals.add("dan", "controller")
        inbox = work / "inbox"
        inbox.mkdir()
        for doc in (POSTS, REVIEWED):
            shutil.copy(INBOX / doc, inbox / doc)
        runs = ws.process([inbox])
        assert sorted(r.status for r in runs) == ["awaiting_review", "posted"], runs
        invoice = load_blueprint(ROOT / "examples" / "blueprints" / "invoice.yaml", settings)
        [posted] = ws.run_blueprint(invoice, [INBOX / BLUEPRINT_POSTS])
        assert posted["status"] == "completed", posted
        classify = load_blueprint(ROOT / "examples" / "blueprints" / "classify-and-archive.yaml",
                                  settings)
        [waiting] = ws.run_blueprint(classify, [_contract(work)], submitted_by="sam")
        assert waiting["waiting"], waiting
    target.mkdir()
    for entry in KEEP:
        source = home / entry
        if source.is_dir():
            shutil.copytree(source, target / entry)
        elif source.exists():
            shutil.copy(source, target / entry)
    for database in target.glob("*.sqlite"):
        with sqlite3.connect(database) as db:  # WAL folded in, free pages dropped
            db.execute("VACUUM")
    shutil.rmtree(work)
    return target


if __name__ == "__main__":
    print(make(sys.argv[1] if len(sys.argv) > 1 else "v0"))
