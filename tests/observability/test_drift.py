"""Drift monitoring and the automatic kill-switch triggers, on real runs of the invoice graph."""

from __future__ import annotations

import importlib.util
import json
import math
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX, NOW, add_reviewers, wardflow_cli
from wardflow.agents.calibration import default_calibration
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.observability._drift_stats import kolmogorov_sf, ks_2samp, psi
from wardflow.observability._drift_store import SqliteDriftStore
from wardflow.observability.audit import AuditLog
from wardflow.observability.drift import ACTOR, DriftMonitor, Observation, compare
from wardflow.runtime.workspace import Workspace
from wardflow.tools.erp import load_master

# The example inbox without the scanned PNG (OCR takes seconds and adds nothing here).
REFERENCE_DOCS = sorted(p.name for p in INBOX.iterdir() if p.suffix != ".png")
INJECTED = "2026-11-05_sternberg-it_SIT-2026-0661.pdf"


# Statistics ----------------------------------------------------------------------------
def test_psi_matches_hand_computed_values() -> None:
    # Reference [1, 2, 3, 4] in 2 bins: the inner quantile 2.5 splits it half and half
    # (the bin {2.5} is empty on both sides and adds nothing).
    assert psi([1, 2, 3, 4], [1, 1, 1, 3], bins=2) == pytest.approx(
        (0.75 - 0.5) * math.log(0.75 / 0.5) + (0.25 - 0.5) * math.log(0.25 / 0.5))
    assert psi([1, 2, 3, 4], [1, 1, 1, 3], bins=2) == pytest.approx(0.25 * math.log(3))
    # An empty bin on the current side counts as epsilon.
    eps = 1e-4
    assert psi([1, 2, 3, 4], [1, 1, 1, 1], bins=2, epsilon=eps) == pytest.approx(
        0.5 * math.log(2) + (eps - 0.5) * math.log(eps / 0.5))
    # By default it is half a run of that side: 0.5 / 4.
    assert psi([1, 2, 3, 4], [1, 1, 1, 1], bins=2) == pytest.approx(
        0.5 * math.log(2) + (0.125 - 0.5) * math.log(0.125 / 0.5))
    assert psi([1, 2, 3, 4], [4, 3, 2, 1], bins=2) == 0.0


def test_psi_sees_a_shift_onto_or_off_a_point_mass() -> None:
    confidences = [0.95] * 140 + [0.5] * 20 + [0.6] * 20 + [0.85] * 20
    same = [0.95] * 35 + [0.5] * 5 + [0.6] * 5 + [0.85] * 5
    assert psi(confidences, same) == pytest.approx(0.0)
    assert psi([0.95] * 100, [0.5] * 10 + [0.95] * 40) > 0.2  # all reference on one value
    assert psi([0.0] * 180 + [0.8] * 20, [0.0] * 30 + [0.5] * 20) > 0.2  # risk off zero


def test_ks_statistic_and_p_value() -> None:
    # Empirical CDFs of [1,2,3,4] and [3,4,5,6] differ most at 2: 0.5 against 0.
    d, p = ks_2samp([1, 2, 3, 4], [3, 4, 5, 6])
    assert d == 0.5
    # Textbook critical values of the Kolmogorov distribution.
    assert kolmogorov_sf(1.3581) == pytest.approx(0.05, abs=1e-4)
    assert kolmogorov_sf(1.6276) == pytest.approx(0.01, abs=1e-4)
    # Stephens' correction: lambda = (sqrt(2) + 0.12 + 0.11 / sqrt(2)) * 0.5.
    assert p == pytest.approx(kolmogorov_sf((math.sqrt(2) + 0.12 + 0.11 / math.sqrt(2)) * 0.5))
    assert 0.5 < p < 0.6
    # Ties: equal samples are no evidence at all.
    assert ks_2samp([1, 1, 2], [1, 2, 1]) == (0.0, 1.0)
    rng = random.Random(3)
    a, b = [rng.gauss(0, 1) for _ in range(300)], [rng.gauss(0.5, 1) for _ in range(300)]
    assert ks_2samp(a, b)[1] < 1e-4


def _store(settings: Settings) -> SqliteDriftStore:
    return SqliteDriftStore(settings.drift_path, baseline=settings.drift_baseline_path)


def _obs(i: int, **values: Any) -> Observation:
    ts = (NOW + timedelta(minutes=i)).isoformat()
    return Observation(f"t{i}", ts, "posted", **values)


def test_equal_distributions_are_ok_and_a_shift_alerts(settings: Settings) -> None:
    rng = random.Random(11)

    def runs(start: int, n: int, scale: float, confidence: float) -> list[Observation]:
        return [_obs(start + i, amount=rng.lognormvariate(7.5, 0.8) * scale,
                     confidence=min(0.99, rng.gauss(confidence, 0.03)), risk=0.0,
                     route="post") for i in range(n)]

    reference = runs(0, 500, 1.0, 0.94)
    metrics = {m.name: m for m in compare(reference, runs(500, 100, 1.0, 0.94), settings)}
    assert {m.status for m in metrics.values()} == {"ok"}, metrics
    assert metrics["amount"].psi is not None and metrics["amount"].psi < 0.1

    shifted = {m.name: m for m in compare(reference, runs(600, 100, 10.0, 0.7), settings)}
    assert shifted["amount"].status == "alert" and shifted["amount"].psi > 1
    assert shifted["confidence"].status == "alert"
    assert shifted["amount"].p_value is not None and shifted["amount"].p_value < 1e-9
    assert shifted["risk"].status == "ok"  # constant on both sides


def test_rates_and_too_few_runs(settings: Settings) -> None:
    reference = [_obs(i, route="post") for i in range(40)]
    current = [_obs(40 + i, route="review", disagreements=("total",) if i < 20 else ())
               for i in range(40)]
    metrics = {m.name: m for m in compare(reference, current, settings)}
    assert (metrics["review"].reference, metrics["review"].current) == (0.0, 1.0)
    assert metrics["review"].status == "alert"
    assert metrics["disagreement:total"].current == 0.5
    assert metrics["disagreement:total"].status == "alert"
    assert metrics["guard_flag"].status == "ok"
    few = {m.name: m for m in compare(reference, current[:5], settings)}
    assert few["review"].status == "n/a"  # 5 runs are below drift_min_runs (30)


# A real data home ----------------------------------------------------------------------
def _make_invoices() -> ModuleType:
    """examples/make_invoices.py, to render invoices unlike the examples."""
    spec = importlib.util.spec_from_file_location("make_invoices", EXAMPLES / "make_invoices.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_invoices", module)
    spec.loader.exec_module(module)
    return module


def _render(folder: Path, *, factor: str = "1", suffix: str = "B",
            hidden: bool = False, count: int | None = None) -> Path:
    """Example invoices again, under new numbers, with prices times ``factor``
    (``hidden``: the one with the hidden prompt injection, ``count`` times)."""
    from decimal import Decimal

    mi = _make_invoices()
    chosen = [i for i in mi.invoices() if i.file_name.endswith(".pdf")
              and bool(i.hidden_text) == hidden]
    if count is not None:
        chosen = [chosen[0]] * count
    folder.mkdir(parents=True, exist_ok=True)
    for k, inv in enumerate(chosen):
        changed = replace(inv, number=f"{inv.number}-{suffix}{k}", lines=[
            replace(line, unit_price=line.unit_price * Decimal(factor)) for line in inv.lines])
        (folder / f"{suffix}{k:02d}.pdf").write_bytes(mi.render_pdf(changed))
    return folder


def _copy(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(INBOX / name, folder / name)
    return folder


@pytest.fixture
def drift_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"drift_min_runs": 10, "max_invoice_age_days": 36500})


@pytest.fixture
def ws(drift_settings: Settings, clock: Callable[[], datetime]) -> Iterator[Workspace]:
    with Workspace(drift_settings, clock=clock) as workspace:
        workspace.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(workspace.principals)
        yield workspace


def test_each_run_is_observed_as_it_finishes_and_collect_catches_up(
    ws: Workspace, tmp_path: Path,
) -> None:
    runs = list(ws.process([_copy(tmp_path / "in", REFERENCE_DOCS)]))
    observed = {o.thread_id: o for o in ws.monitor.observations()}
    assert set(observed) == {r.thread_id for r in runs}
    by_name = {Path(r.document).name: observed[r.thread_id] for r in runs}
    nordlicht = by_name["2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"]
    # the extractor's 0.95, through the calibration shipped in the package
    assert (nordlicht.confidence, nordlicht.amount, nordlicht.route) == (
        default_calibration()(0.95), 2146.76, "post")
    assert by_name[INJECTED].guard_flags == ("prompt_injection",)
    # CHF 3424.99 is compared in the approval currency (EUR).
    assert by_name["2026-10-02_alpenglanz_Rechnung_2026-3318.pdf"].amount == pytest.approx(
        3424.99 * 1.05)

    # Runs made without the hook (here: a lost drift.sqlite) are read back from the
    # checkpoints, once.
    ws.monitor.close()
    ws.settings.drift_path.unlink()

    def read(thread: str) -> tuple[dict[str, Any], str | None]:
        snapshot = ws.state(thread)
        return snapshot.values, snapshot.created_at

    assert ws.monitor.collect(ws.threads(), read) == len(runs)
    assert ws.monitor.collect(ws.threads(), read) == 0
    again = {o.thread_id: replace(o, ts="") for o in ws.monitor.observations()}
    assert again == {t: replace(o, ts="") for t, o in observed.items()}


def test_shifted_runs_alert_audit_and_engage_the_kill_switch(
    ws: Workspace, tmp_path: Path,
) -> None:
    list(ws.process([_copy(tmp_path / "in", REFERENCE_DOCS)]))
    baseline = ws.monitor.save_baseline(ws.monitor.observations())
    assert baseline == ws.settings.drift_baseline_path

    shifted = list(ws.process([_render(tmp_path / "x10", factor="10")]))
    assert len(shifted) == 11 and not any(r.error for r in shifted)
    report, alerts = ws.monitor.check(window=11, kill_switch=True)

    metrics = {m.name: m for m in report.metrics}
    assert report.status == "alert" and report.reference.startswith("baseline")
    assert metrics["amount"].status == "alert"
    assert metrics["amount"].psi is not None and metrics["amount"].psi > 1
    assert metrics["amount"].current == pytest.approx(10 * metrics["amount"].reference, rel=0.5)
    [alert] = alerts
    assert alert.kind == "drift" and alert.kill_switch and "amount PSI" in alert.reason
    records = [r for r in ws.audit.records() if r.actor == ACTOR]
    assert [r.action for r in records] == ["drift.alert", "control.kill_switch_on"]
    assert records[0].payload["current"] == "last 11 run(s)"
    assert "amount" in {m["name"] for m in records[0].payload["metrics"]}
    assert ws.audit.verify().ok
    [engaged] = ws.switch.engaged()
    assert (engaged.workflow, engaged.by) == ("*", ACTOR)

    [refused] = ws.process([INBOX / "2026-10-09_scan_elbufer-druckerei.png"])
    assert refused.error is not None and "kill switch on" in refused.error
    assert "drift alert" in refused.error


def test_guard_burst_engages_the_kill_switch_during_processing(
    drift_settings: Settings, clock: Callable[[], datetime], tmp_path: Path,
) -> None:
    settings = drift_settings.model_copy(update={
        "guard_alert_count": 4, "guard_alert_window_s": 600, "guard_alert_kill_switch": True})
    burst = _render(tmp_path / "burst", hidden=True, count=6)
    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        list(ws.process([_copy(tmp_path / "in", REFERENCE_DOCS[:3])]))
        runs = list(ws.process([burst]))

    assert [r.status for r in runs[:4]] == ["awaiting_review"] * 4
    assert all("prompt_injection" in r.reasons for r in runs[:4])
    # The fourth flagged document crossed the limit: the next ones never started.
    assert all(r.error and "guard alert: 4 flagged document(s)" in r.error for r in runs[4:])
    audit = AuditLog(settings.audit_path)
    try:
        alerts = [r for r in audit.records() if r.action == "guard.alert"]
        assert len(alerts) == 1 and alerts[0].actor == ACTOR
        assert alerts[0].payload["flagged_recent"] == 4
        assert alerts[0].payload["kill_switch"] is True
    finally:
        audit.close()


def test_guard_share_rule_alerts_once_per_window(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", guard_alert_count=100, guard_alert_runs=4,
                        guard_alert_share=0.5)
    now = [NOW]
    audit = AuditLog(settings.audit_path)
    monitor = DriftMonitor(settings, store=_store(settings), audit=audit, clock=lambda: now[0])
    flagged = {"decision": {"route": "review"}, "status": "routed",
               "guard": [{"validator": "secrets", "outcome": "flagged"}]}
    clean = {"decision": {"route": "post"}, "status": "posted", "guard": []}
    try:
        results = []
        for i, values in enumerate([clean, flagged, clean, clean, flagged, flagged, flagged]):
            now[0] = NOW + timedelta(minutes=i)
            results.append(monitor.after_run(f"t{i}", values))
        # After t4 two of the last four runs were flagged; t5 and t6 add to the same
        # episode, and a repeated run is not observed twice.
        assert [r is not None for r in results] == [False] * 4 + [True, False, False]
        assert monitor.after_run("t6", flagged) is None
        assert results[4] is not None and "50% of the last 4 runs" in results[4].reason
        assert not results[4].kill_switch  # no switch given
        now[0] = NOW + timedelta(hours=1)
        for i in range(7, 11):  # four new runs, all flagged: a new episode
            monitor.after_run(f"t{i}", flagged)
        assert len([r for r in audit.records() if r.action == "guard.alert"]) == 2
    finally:
        monitor.close()
        audit.close()


def test_reference_windows(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", drift_reference_runs=3)
    audit = AuditLog(":memory:")
    monitor = DriftMonitor(settings, store=_store(settings), audit=audit, clock=lambda: NOW + timedelta(days=10))
    try:
        for i in range(6):
            monitor.add(replace(_obs(0, amount=float(i)), thread_id=f"t{i}",
                                ts=(NOW + timedelta(days=i)).isoformat()))
        label, first = monitor.reference(None, exclude=["t0"])
        assert label == "first 3 run(s)" and [o.thread_id for o in first] == ["t1", "t2", "t3"]
        day = (NOW + timedelta(days=2)).date().isoformat()
        _, ranged = monitor.reference(f"{day}..")
        assert [o.thread_id for o in ranged] == ["t2", "t3", "t4", "t5"]
        _, ranged = monitor.reference(f"..{day}")
        assert [o.thread_id for o in ranged] == ["t0", "t1"]
        label, current = monitor.current(days=8.5)
        assert [o.thread_id for o in current] == ["t2", "t3", "t4", "t5"]
        assert [o.thread_id for o in monitor.current(window=2)[1]] == ["t4", "t5"]

        with pytest.raises(ConfigError, match="save one with `wardflow drift --save-baseline`"):
            monitor.reference("baseline")
        saved = monitor.save_baseline(first)
        assert monitor.reference(None)[1] == first  # a saved baseline wins
        assert monitor.reference(str(saved))[1] == first
        saved.write_text("{not json")
        with pytest.raises(ConfigError, match="is not a drift baseline"):
            monitor.reference("baseline")
        with pytest.raises(ConfigError, match="unknown reference 'last:3'"):
            monitor.reference("last:3")
        with pytest.raises(ConfigError, match="bad date range"):
            monitor.reference("2026-13-01..")
    finally:
        monitor.close()
        audit.close()


# Through the real command ----------------------------------------------------------------
def _process(home: Path, folder: Path) -> None:
    """Process documents in this process (the command under test is ``wardflow drift``)."""
    settings = Settings(home=home, model="none", max_invoice_age_days=36500)
    with Workspace(settings) as ws:
        if not ws.erp.vendors():
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        assert not any(r.error for r in ws.process([folder]))


@pytest.mark.slow
def test_drift_command_ok_then_alert_with_kill_switch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"WARDFLOW_DRIFT_MIN_RUNS": "10"}
    _process(home, _copy(tmp_path / "in", REFERENCE_DOCS))
    saved = wardflow_cli(home, "drift", "--save-baseline", check=True, **env)
    assert "13 run(s)" in saved.stdout

    # The same invoices under new numbers: no drift.
    _process(home, _render(tmp_path / "again", suffix="B"))
    ok = wardflow_cli(home, "drift", "--window", "11", "--json", **env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    report = json.loads(ok.stdout)
    assert report["status"] == "ok" and report["alerts"] == []
    amount = next(m for m in report["metrics"] if m["name"] == "amount")
    assert amount["psi"] < 0.1 and amount["n_reference"] == 13 and amount["n_current"] == 11

    _process(home, _render(tmp_path / "x10", factor="10", suffix="X"))
    alert = wardflow_cli(home, "drift", "--window", "11", "--kill-switch", **env)
    assert alert.returncode == 5, alert.stdout + alert.stderr
    assert "amount" in alert.stdout and "alert" in alert.stdout
    assert "kill switch engaged" in alert.stderr
    refused = wardflow_cli(home, "process", str(INBOX / INJECTED), **env)
    assert refused.returncode == 3
    assert f"kill switch on for invoice (by {ACTOR}): drift alert" in refused.stdout + refused.stderr

    audit = AuditLog(home / "audit.sqlite")
    try:
        mine = [r for r in audit.records() if r.actor == ACTOR]
        assert [r.action for r in mine] == ["drift.alert", "control.kill_switch_on"]
        assert mine[0].payload["kill_switch"] is True
        assert {m["name"] for m in mine[0].payload["metrics"]} >= {"amount", "review"}
    finally:
        audit.close()


def test_the_drift_store_opens_on_first_use_and_again_after_close(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    with AuditLog(":memory:") as audit:
        monitor = DriftMonitor(settings, store=_store(settings), audit=audit, clock=lambda: NOW)
        assert not settings.drift_path.exists()  # a workspace that never records a run
        monitor.close()  # closing an unopened monitor is harmless
        assert monitor.add(Observation("t1", NOW.isoformat(), "posted"))
        assert settings.drift_path.exists()
        monitor.close()
        assert not monitor.add(Observation("t1", NOW.isoformat(), "posted"))  # reopened
        assert [o.thread_id for o in monitor.observations()] == ["t1"]
        monitor.close()


def test_an_observation_reads_the_typed_stages_of_a_state() -> None:
    from wardflow.observability.drift import observe

    values = {
        "status": "awaiting_review",
        "decision": {"route": "review", "reasons": []},
        "extraction": {"confidence": 0.5, "fields": {
            "total": {"value": "10.00", "confidence": 0.5, "disagreement": {"model": "11.00"}},
            "currency": {"value": "EUR", "confidence": 1.0},
            "iban": None}},
        "compliance": {"findings": [], "amount_in_approval_currency": None},
        "risk": {"score": 0.3, "reasons": []},
    }
    seen = observe("doc-1", values, NOW.isoformat())
    assert seen is not None
    assert (seen.route, seen.confidence, seen.risk) == ("review", 0.5, 0.3)
    # No converted amount: the total as read.
    assert seen.amount == 10.0 and seen.disagreements == ("total",)
    assert observe("doc-1", {"status": "extracted", "extraction": values["extraction"]},
                   NOW.isoformat()) is None
