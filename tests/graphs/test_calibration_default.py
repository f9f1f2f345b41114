"""The calibration the graph applies: the map shipped in the package when the user has
none, the user's own map when there is one, the raw scores when switched off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.conftest import INBOX, add_reviewers
from wardflow.agents.calibration import default_calibration, fit_platt
from wardflow.config import Settings
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"


def _run(settings: Settings, clock: Callable[[], datetime]) -> tuple[str, dict[str, Any]]:
    """The run's status and its extraction, checked against the extract step's audit
    record (which names the calibration it applied)."""
    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(INBOX.parent / "erp.json"))
        add_reviewers(ws.principals)
        [item] = ws.items([INBOX / CLEAN])
        summary = ws.process_item(item)
        extraction = ws.state(summary.thread_id).values["extraction"]
        [record] = [r for r in ws.audit.records(summary.thread_id) if r.action == "node.extract"]
    audited = record.payload["extraction"]
    assert audited["confidence"] == extraction["confidence"]
    assert audited.get("calibration") == (extraction.get("calibration") or {}).get("version")
    assert audited.get("raw_confidence") == extraction.get("raw_confidence")
    return summary.status, extraction


def test_the_shipped_map_applies_when_the_user_has_none(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    shipped = default_calibration()
    status, extraction = _run(Settings(home=tmp_path / "home", model="none"), clock)
    assert status == "posted"  # a clean invoice still goes straight through
    assert extraction["calibration"]["version"] == shipped.version
    found = {n: f for n, f in extraction["fields"].items() if f["value"] is not None}
    assert found and all(f["confidence"] == shipped(f["raw_confidence"]) for f in found.values())
    assert extraction["confidence"] >= extraction["raw_confidence"]


def test_the_users_map_wins_and_off_gives_raw_scores(
    tmp_path: Path, clock: Callable[[], datetime]
) -> None:
    settings = Settings(home=tmp_path / "home", model="none")
    own = fit_platt([(0.5, False), (0.9, True), (0.95, True)])
    own.save(settings.calibration_path)
    _, extraction = _run(settings, clock)
    assert extraction["calibration"]["version"] == own.version != default_calibration().version
    _, raw = _run(
        settings.model_copy(update={"home": tmp_path / "other", "calibration": "off"}), clock
    )
    assert "calibration" not in raw and "raw_confidence" not in raw
    assert all("raw_confidence" not in f for f in raw["fields"].values())
    vendor = extraction["fields"]["vendor"]
    assert raw["fields"]["vendor"]["confidence"] == vendor["raw_confidence"]
