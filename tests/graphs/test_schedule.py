"""Schedules: the cron parser, the missed-run policy across restarts (persisted state,
injected clock), the kill switch, the CLI, and ``wardflow serve`` firing a schedule."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES, INBOX, ROOT, wardflow_cli
from wardflow.config import Settings
from wardflow.graphs.blueprint import Blueprint, BlueprintError, load_blueprint, parse_blueprint
from wardflow.graphs.cron import CronError, parse_cron
from wardflow.guardrails.killswitch import KillSwitch
from wardflow.observability.audit import AuditLog
from wardflow.runtime.schedule import Scheduler, SqliteScheduleStore, load_scheduled
from wardflow.runtime.workspace import Workspace

NIGHTLY = EXAMPLES / "blueprints" / "nightly-archive.yaml"
CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# The cron parser -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("*/15 * * * *", "2026-01-31T23:50", "2026-02-01T00:00"),
        ("*/15 * * * *", "2026-01-31T23:45", "2026-02-01T00:00"),  # strictly after
        ("0 0 31 * *", "2026-01-31T00:00", "2026-03-31T00:00"),  # no 31 February
        ("0 0 31 * *", "2026-04-01T00:00", "2026-05-31T00:00"),  # no 31 April
        ("0 0 1 * *", "2026-12-31T23:59", "2027-01-01T00:00"),
        ("0 12 29 2 *", "2026-03-01T00:00", "2028-02-29T12:00"),  # leap day
        ("0 12 29 2 *", "2096-03-01T00:00", "2104-02-29T12:00"),  # 2100 is not a leap year
        ("0 9 * * mon-fri", "2026-11-27T09:00", "2026-11-30T09:00"),  # Friday -> Monday
        ("0 0 * * 7", "2026-01-01T00:00", "2026-01-04T00:00"),  # 7 is Sunday too
        ("0 0 * * sun", "2026-01-01T00:00", "2026-01-04T00:00"),
        # Both day fields restricted: either matches (Vixie cron).
        ("0 0 13 * fri", "2026-01-01T00:00", "2026-01-02T00:00"),  # Friday 2nd
        ("0 0 13 * fri", "2026-01-09T00:00", "2026-01-13T00:00"),  # Tuesday 13th
        # Day of month starts with '*': both must match (odd days that are Fridays).
        ("0 0 */2 * fri", "2026-01-01T00:00", "2026-01-09T00:00"),
        ("5/20 * * * *", "2026-01-01T00:06", "2026-01-01T00:25"),
        ("0 8-18/5,22 * * *", "2026-01-01T13:00", "2026-01-01T18:00"),
        ("0 8-18/5,22 * * *", "2026-01-01T18:00", "2026-01-01T22:00"),
        ("0 0 1 jan,JUL *", "2026-02-01T00:00", "2026-07-01T00:00"),
        ("@hourly", "2026-01-01T10:30", "2026-01-01T11:00"),
        ("@weekly", "2026-01-01T00:00", "2026-01-04T00:00"),
    ],
)
def test_next_fire(expression: str, after: str, expected: str) -> None:
    assert parse_cron(expression).next_fire(at(after)) == at(expected)


def test_next_fire_in_a_timezone_with_daylight_saving() -> None:
    berlin = parse_cron("30 2 * * *", "Europe/Berlin")
    # 29 March 2026: 02:00 -> 03:00; 02:30 does not exist and fires when the gap ends.
    assert berlin.next_fire(at("2026-03-28T12:00")) == at("2026-03-29T01:00")
    # 25 October 2026: 02:30 happens twice and fires once, the first time (CEST).
    first = berlin.next_fire(at("2026-10-24T12:00"))
    assert first == at("2026-10-25T00:30")
    assert berlin.next_fire(first) == at("2026-10-26T01:30")  # CET from now on
    assert parse_cron("0 9 * * *", "America/New_York").next_fire(
        at("2026-07-01T00:00")) == at("2026-07-01T13:00")


def test_next_fire_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_cron("* * * * *").next_fire(datetime(2026, 1, 1))


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("every day", "not a 5-field cron expression"),
        ("* * * *", "got 4 field"),
        ("61 * * * *", "minute: '61' is not valid; use 0-59"),
        ("* 24 * * *", "hour: '24' is not valid; use 0-23"),
        ("* * 0 * *", "day of month: '0' is not valid; use 1-31"),
        ("* * * 13 *", "month: '13' is not valid; use 1-12 or jan-dec"),
        ("* * * * 8", "day of week: '8' is not valid; use 0-7 or sun-sat"),
        ("* * * smarch *", "month: 'smarch' is not valid"),
        ("* * * * funday", "day of week: 'funday' is not valid"),
        ("5-1 * * * *", "minute: '5-1' is not valid"),
        ("* * 5-1 * *", "day of month: '5-1' is not valid"),
        ("*/0 * * * *", "minute: '\\*/0' is not valid"),
        ("1,,2 * * * *", "minute: '1,,2' is not valid"),
        ("0 0 30 2 *", "never fires"),
        ("0 0 31 4,6,9,11 *", "never fires"),
    ],
)
def test_invalid_cron_expressions(expression: str, reason: str) -> None:
    with pytest.raises(CronError, match=reason):
        parse_cron(expression)


def test_unknown_timezone() -> None:
    with pytest.raises(CronError, match="unknown timezone 'Mars/Olympus'"):
        parse_cron("* * * * *", "Mars/Olympus")


# Blueprints ----------------------------------------------------------------------------
BAD_SCHEDULE = """\
name: bad-schedule
trigger:
  schedule: "0 25 * * *"
  timezone: "Europe/Atlantis"
  missed: "always"
  source: "nowhere"
steps:
  - name: archive
    type: storage
    destination: archive
"""


def test_invalid_schedules_are_reported_with_their_lines(settings: Settings) -> None:
    with pytest.raises(BlueprintError) as caught:
        parse_blueprint(BAD_SCHEDULE, settings, path="bad.yaml")
    assert [(p.line, p.reason) for p in caught.value.problems] == [
        (3, "schedule '0 25 * * *': hour: '25' is not valid; use 0-23, '*', lists (a,b),"
            " ranges (a-b) and steps (*/n, a-b/n)"),
        (4, "unknown timezone 'Europe/Atlantis'; use an IANA name such as 'Europe/Berlin'"
            " or 'UTC'"),
        (5, "missed must be skip or run_once, not 'always'"),
        (6, "unknown source 'nowhere'; map it in storage_locations or use 'maildir:<path>',"
            " 'redis-stream:<stream>' or 'nats:<subject>'"),
    ]
    assert "bad.yaml:3:" in str(caught.value)


def test_schedule_keys_belong_to_schedules(settings: Settings) -> None:
    text = ("trigger:\n  event: document_uploaded\n  missed: skip\n"
            "steps: [{name: a, type: agent, agent: invoice}]\n")
    with pytest.raises(BlueprintError, match="<blueprint>:3: only schedule triggers take 'missed'"):
        parse_blueprint(text, settings)


def test_the_example_validates(settings: Settings) -> None:
    blueprint = load_blueprint(NIGHTLY, settings)
    trigger = blueprint.trigger
    assert (trigger.kind, trigger.schedule, trigger.timezone, trigger.missed, trigger.source) == (
        "schedule", "0 2 * * *", "Europe/Berlin", "run_once", "inbox")
    assert [b.name for b in load_scheduled([NIGHTLY.parent], settings)] == ["nightly-archive"]


# The scheduler: missed runs, restarts, the kill switch ---------------------------------
def _blueprint(settings: Settings, cron: str, missed: str = "skip") -> Blueprint:
    text = NIGHTLY.read_text().replace('"0 2 * * *"', f'"{cron}"').replace(
        "missed: run_once", f"missed: {missed}").replace('"Europe/Berlin"', '"UTC"')
    return parse_blueprint(text, settings, name="nightly-archive")


def _actions(settings: Settings) -> list[tuple[str, str]]:
    audit = AuditLog(settings.audit_path)
    try:
        return [(r.action, r.payload["slot"]) for r in audit.records()
                if r.action.startswith("schedule.")]
    finally:
        audit.close()


def test_a_slot_fires_once_even_across_a_restart(settings: Settings) -> None:
    blueprint = _blueprint(settings, "0 * * * *")
    first = Scheduler(settings, [blueprint])
    assert first.tick(at("2026-11-25T09:40")) == []  # counting starts now
    assert first.next_fire(at("2026-11-25T09:40")) == at("2026-11-25T10:00")
    [fired] = first.tick(at("2026-11-25T10:00:10"))
    assert (fired.slot, fired.state, fired.runs) == ("2026-11-25T10:00:00+00:00", "fired", 0)
    # The server restarts within the same minute: a new scheduler, the same state.
    assert Scheduler(settings, [blueprint]).tick(at("2026-11-25T10:00:40")) == []
    assert first.tick(at("2026-11-25T10:30")) == []
    assert _actions(settings) == [("schedule.fired", "2026-11-25T10:00:00+00:00")]


@pytest.mark.parametrize("missed", ["skip", "run_once"])
def test_missed_runs_after_a_restart(settings: Settings, missed: str) -> None:
    blueprint = _blueprint(settings, "0 * * * *", missed)
    Scheduler(settings, [blueprint]).tick(at("2026-11-25T09:40"))
    assert [f.state for f in Scheduler(settings, [blueprint]).tick(at("2026-11-25T10:00:05"))
            ] == ["fired"]
    # Down from 10:30 to 13:20: the 11:00, 12:00 and 13:00 slots passed unfired.
    restarted = Scheduler(settings, [blueprint])
    [late] = restarted.tick(at("2026-11-25T13:20"))
    assert late.slot == "2026-11-25T13:00:00+00:00"
    assert "3 missed slot(s) since 2026-11-25T11:00:00+00:00" in late.detail
    assert late.state == ("missed" if missed == "skip" else "fired")
    assert restarted.tick(at("2026-11-25T13:21")) == []  # never twice
    [on_time] = restarted.tick(at("2026-11-25T14:00:30"))
    assert (on_time.state, on_time.detail) == ("fired", "")
    expected = "schedule.missed" if missed == "skip" else "schedule.fired"
    assert [a for a, _ in _actions(settings)] == ["schedule.fired", expected, "schedule.fired"]


def test_a_restart_just_after_a_slot_fires_it_and_counts_the_rest_as_missed(
    settings: Settings,
) -> None:
    blueprint = _blueprint(settings, "0 * * * *")
    store = SqliteScheduleStore(settings.control_path)
    store.set_last_slot("nightly-archive", at("2026-11-25T10:00"))
    store.close()
    [fired] = Scheduler(settings, [blueprint]).tick(at("2026-11-25T13:02"))
    assert (fired.slot, fired.state) == ("2026-11-25T13:00:00+00:00", "fired")
    assert fired.detail.startswith("2 missed slot(s) since 2026-11-25T11:00")


def test_a_long_outage_is_counted_without_walking_every_slot(settings: Settings) -> None:
    blueprint = _blueprint(settings, "* * * * *")
    store = SqliteScheduleStore(settings.control_path)
    store.set_last_slot("nightly-archive", at("2025-11-25T12:00"))
    store.close()
    started = time.perf_counter()
    [missed] = Scheduler(settings, [blueprint]).tick(at("2026-11-25T12:00:30"))
    assert time.perf_counter() - started < 5
    assert missed.slot == "2026-11-25T12:00:00+00:00" and missed.state == "fired"
    assert missed.detail.startswith("more than 1000 missed slot(s)")


def test_two_schedulers_ticking_at_once_fire_one_slot_once(settings: Settings) -> None:
    blueprint = _blueprint(settings, "*/5 * * * *")
    Scheduler(settings, [blueprint]).tick(at("2026-11-25T09:59"))
    results: list[int] = []
    barrier = threading.Barrier(4)

    def tick() -> None:
        scheduler = Scheduler(settings, [blueprint])
        barrier.wait()
        results.append(len(scheduler.tick(at("2026-11-25T10:00:01"))))

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]


def test_the_kill_switch_skips_a_firing_and_it_is_not_made_up(settings: Settings) -> None:
    blueprint = _blueprint(settings, "0 * * * *", "run_once")
    folder = settings.storage_root / "inbox"
    folder.mkdir(parents=True)
    shutil.copy(INBOX / CLEAN, folder / CLEAN)
    scheduler = Scheduler(settings, [blueprint])
    scheduler.tick(at("2026-11-25T09:59"))
    switch = KillSwitch(settings.control_path)
    switch.engage("auditors in", by="dan", workflow="nightly-archive")
    [skipped] = scheduler.tick(at("2026-11-25T10:00:10"))
    assert (skipped.state, skipped.runs) == ("skipped", 0)
    assert "kill switch on for nightly-archive (by dan): auditors in" in skipped.detail
    assert not list((settings.storage_root).glob("archive/**/*.pdf"))
    switch.release(workflow="nightly-archive")
    switch.close()
    assert scheduler.tick(at("2026-11-25T10:10")) == []
    [fired] = scheduler.tick(at("2026-11-25T11:00:10"))
    assert (fired.state, fired.runs) == ("fired", 1)
    assert list(settings.storage_root.glob(f"archive/**/{CLEAN}"))
    assert [a for a, _ in _actions(settings)] == ["schedule.skipped", "schedule.fired"]


def test_a_firing_runs_each_document_of_its_source_once(workspace: Workspace) -> None:
    settings = workspace.settings
    blueprint = _blueprint(settings, "*/10 * * * *")
    folder = settings.storage_root / "inbox"
    folder.mkdir(parents=True)
    shutil.copy(INBOX / CLEAN, folder / CLEAN)
    scheduler = Scheduler(settings, [blueprint])
    scheduler.tick(at("2026-11-25T09:55"))
    assert [f.runs for f in scheduler.tick(at("2026-11-25T10:00"))] == [1]
    [again] = workspace.run_blueprint(blueprint, [folder])
    assert (again["status"], again["step_status"]) == ("completed", "archive: stored")
    archived = list(settings.storage_root.glob(f"archive/**/{CLEAN}"))
    assert len(archived) == 1
    scheduler.tick(at("2026-11-25T10:10"))  # the same document is not run again
    assert len(list(settings.storage_root.glob(f"archive/**/{CLEAN}"))) == 1


# The CLI and the server ----------------------------------------------------------------
@pytest.mark.slow
def test_schedule_tick_and_list_through_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    file = tmp_path / "hourly.yaml"
    file.write_text(NIGHTLY.read_text().replace('"0 2 * * *"', '"0 * * * *"')
                    .replace("missed: run_once", "missed: skip"))
    assert "nothing due" in wardflow_cli(home, "schedule", "tick", str(file), "--now",
                                         "2026-11-25T00:30:00+01:00", check=True).stdout
    fired = wardflow_cli(home, "schedule", "tick", str(file), "--now", "2026-11-25T01:00:20+01:00",
                         "--json", check=True)
    assert [(f["slot"], f["state"]) for f in json.loads(fired.stdout)] == [
        ("2026-11-25T00:00:00+00:00", "fired")]
    # Another process, the same slot: nothing.
    again = wardflow_cli(home, "schedule", "tick", str(file), "--now", "2026-11-25T00:00:50",
                         "--json", check=True)
    assert json.loads(again.stdout) == []
    [row] = json.loads(wardflow_cli(home, "schedule", "list", str(file), "--json",
                                    check=True).stdout)
    assert row["last_slot"] == "2026-11-25T00:00:00+00:00"
    assert row["firings"][0]["state"] == "fired" and row["missed"] == "skip"
    bad = wardflow_cli(home, "schedule", "tick", str(file), "--now", "yesterday")
    assert bad.returncode == 2 and "not an ISO 8601 time" in bad.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text(file.read_text().replace('"0 * * * *"', '"0 * * * * *"'))
    failed = wardflow_cli(home, "schedule", "list", str(broken))
    assert failed.returncode == 1 and "broken.yaml:8:" in failed.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_wardflow_serve_fires_a_schedule(tmp_path: Path) -> None:
    """The real server process fires a every-minute schedule without waiting a minute:
    the state says the previous minute was handled, so this minute's slot is due."""
    home = tmp_path / "home"
    settings = Settings(home=home, model="none")
    file = tmp_path / "every-minute.yaml"
    file.write_text(NIGHTLY.read_text().replace('"0 2 * * *"', '"* * * * *"'))
    (settings.storage_root / "inbox").mkdir(parents=True)
    shutil.copy(INBOX / CLEAN, settings.storage_root / "inbox" / CLEAN)
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    store = SqliteScheduleStore(settings.control_path)
    store.set_last_slot("nightly-archive", minute - timedelta(minutes=1))

    exe = Path(sys.executable).with_name("wardflow")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "wardflow"]
    port = _free_port()
    env = {**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none",
           "PYTHONPATH": str(ROOT), "WARDFLOW_WEB_SECRET": "x" * 32}
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), "--blueprints", str(file),
         "--schedule-interval", "0.5"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not any(f.state == "fired" for f in store.firings("nightly-archive")):
            assert process.poll() is None and time.monotonic() < deadline, "nothing fired"
            time.sleep(0.2)
        while True:  # and the review page is served alongside
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "not serving"
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        output = log.read()
        log.close()
    # This minute's slot, and the next one's if the run crossed a minute boundary.
    fired = [f for f in store.firings("nightly-archive") if f.state == "fired"]
    store.close()
    assert fired and all(f.slot >= minute.isoformat() for f in fired), output
    assert fired[0].runs == 1, output
    assert list(settings.storage_root.glob(f"archive/**/{CLEAN}")), output
