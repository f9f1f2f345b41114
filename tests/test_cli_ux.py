"""The operator's and approver's CLI experience (issue 17), through the real entry point."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from tests.graphs.test_blueprints import FOUR_EYES, _contract

pytestmark = pytest.mark.slow


def test_four_eyes_refuses_the_same_approver_with_exit_4_and_keeps_ids(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for name in ("dan", "carla"):
        wardflow_cli(home, "principals", "add", name, "--role", "approver", "--limit", "1000",
                     check=True)
    blueprint = tmp_path / "four-eyes.yaml"
    blueprint.write_text(FOUR_EYES)
    [run] = json.loads(wardflow_cli(home, "blueprint", "run", str(blueprint),
                                    str(_contract(tmp_path)), "--as", "sam", "--json",
                                    check=True).stdout)
    thread = run["thread_id"]
    board = json.loads(wardflow_cli(home, "blueprint", "status", str(blueprint), thread,
                                    "--json", check=True).stdout)["approvals"]
    ids = {p["step"]: p["id"] for p in board["pending"]}
    assert sorted(ids) == ["sign_off__1", "sign_off__2"]
    assert board["approved"] == [] and board["may_approve"] == ["carla", "dan"]

    first = wardflow_cli(home, "blueprint", "decide", str(blueprint), thread, "--as", "dan",
                         "--approve", "--interrupt", ids["sign_off__1"])
    assert first.returncode == 0, first.stderr
    assert "approved by: dan (sign_off__1)" in first.stdout
    assert "may still approve: carla" in first.stdout

    again = wardflow_cli(home, "blueprint", "decide", str(blueprint), thread, "--as", "dan",
                         "--approve", "--interrupt", ids["sign_off__2"])
    assert again.returncode == 4
    assert "four-eyes" in again.stderr and "dan already approved" in again.stderr

    # The pending approval keeps its id: the next approver uses the one listed before.
    done = wardflow_cli(home, "blueprint", "decide", str(blueprint), thread, "--as", "carla",
                        "--approve", "--interrupt", ids["sign_off__2"], "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["step_status"]) == ("completed", "archive: stored")
    assert result["outputs"]["sign_off"] == {"approved": True, "by": ["carla", "dan"]}
    audit = wardflow_cli(home, "audit", "show", thread, "--json", check=True).stdout
    assert "four-eyes: dan already approved" in audit


CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


@pytest.fixture
def erp_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    return home


def _spawn(home: Path, *args: str, columns: int = 80) -> Any:
    import pexpect

    exe = Path(sys.executable).with_name("wardflow")
    command, pre = (str(exe), []) if exe.exists() else (sys.executable, ["-m", "wardflow"])
    env = {**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none",
           "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500", "COLUMNS": str(columns), "TERM": "xterm"}
    return pexpect.spawn(command, [*pre, *args], env=env, encoding="utf-8", timeout=240,
                         dimensions=(40, columns))


def test_process_shows_n_of_total_piped_and_a_bar_on_a_terminal(erp_home: Path) -> None:
    piped = wardflow_cli(erp_home, "process", str(INBOX / CLEAN), str(INBOX / OVER_LIMIT))
    assert piped.returncode == 0, piped.stderr
    lines = [line for line in piped.stderr.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == ["[1/2", "[2/2"]
    assert "posted" in lines[0] and "awaiting_review" in lines[1]
    assert "\x1b[" not in piped.stderr  # plain lines, no terminal control codes

    child = _spawn(erp_home, "process", str(INBOX / CLEAN), str(INBOX / OVER_LIMIT),
                   str(INBOX / "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"))
    child.expect("processing")  # the rich bar, with its n/N counter
    child.expect(r"\d/3")
    import pexpect

    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_start_up_is_its_own_step_not_part_of_the_posting(erp_home: Path) -> None:
    wardflow_cli(erp_home, "principals", "add", "carla", "--role", "controller", check=True)
    [run] = json.loads(wardflow_cli(erp_home, "process", str(INBOX / OVER_LIMIT), "--json",
                                    check=True).stdout)
    thread = run["thread_id"]
    shown = json.loads(wardflow_cli(erp_home, "review", thread, "--as", "carla", "--json",
                                    check=True).stdout)
    wardflow_cli(erp_home, "resume", thread, "--approve", "--by", "carla", "--comment",
                 "checked the contract", "--hash", shown["args_hash"], check=True)
    steps = json.loads(wardflow_cli(erp_home, "trace", thread, "--json", check=True).stdout)
    nodes = [s["node"] for s in steps]
    # One start-up per process: the one that processed, the one that approved.
    assert nodes.count("startup") == 2 and nodes[0] == "startup"
    resumed = nodes.index("startup", 1)
    posting = [t for s in steps[resumed + 1:] for t in s["tools"]
               if t["tool"] == "erp_post_invoice"]
    assert len(posting) == 1
    startup_ms = steps[resumed]["ms"]
    # The guard set-up a fresh process needs is timed in start-up, not in the posting.
    assert posting[0]["ms"] < startup_ms, (posting, startup_ms)


COPY = "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"


def test_status_filters_ids_that_never_wrap_and_the_approvers_inbox(erp_home: Path) -> None:
    wardflow_cli(erp_home, "principals", "add", "dan", "--role", "approver", "--limit",
                 "100000", check=True)
    wardflow_cli(erp_home, "principals", "add", "carla", "--role", "controller", check=True)
    runs = json.loads(wardflow_cli(erp_home, "process", str(INBOX / CLEAN), str(INBOX / COPY),
                                   str(INBOX / OVER_LIMIT), "--json", check=True).stdout)
    by_name = {Path(r["document"]).name: r for r in runs}

    def status(*args: str) -> list[str]:
        done = wardflow_cli(erp_home, "status", *args, "--json")
        assert done.returncode == 0, done.stderr
        return sorted(Path(r["document"]).name for r in json.loads(done.stdout))

    assert status("--state", "awaiting_review") == sorted([COPY, OVER_LIMIT])
    assert status("--state", "posted") == [CLEAN]
    assert status("--vendor", "hansen") == [OVER_LIMIT]
    assert status("--vendor", "nordlicht", "--state", "posted") == [CLEAN]
    assert status("--reason", "over_approval") == [OVER_LIMIT]
    assert status("--older-than", "1d") == []
    assert len(status("--older-than", "0m")) == 3
    bad = wardflow_cli(erp_home, "status", "--older-than", "soon")
    assert bad.returncode == 1 and "30m, 4h, 2d" in bad.stderr

    # An 80-column terminal: every thread id is printed whole, on one line.
    child = _spawn(erp_home, "status", columns=80)
    import pexpect

    text = ""
    while True:
        try:
            text += child.read_nonblocking(4096, timeout=120)
        except pexpect.EOF:
            break
    for run in runs:
        assert run["thread_id"] in text

    # The approver's inbox: what dan can decide first, then what needs a controller.
    listed = json.loads(wardflow_cli(erp_home, "review", "--list", "--as", "dan", "--json",
                                     check=True).stdout)
    flags = [c["can_decide"] for c in listed]
    assert flags == sorted(flags, reverse=True) and False in flags
    over = next(c for c in listed if c["thread_id"] == by_name[OVER_LIMIT]["thread_id"])
    assert not over["can_decide"] and "controller" in over["why_not"]
    carla = json.loads(wardflow_cli(erp_home, "review", "--list", "--as", "carla", "--json",
                                    check=True).stdout)
    assert next(c for c in carla if c["thread_id"] == over["thread_id"])["can_decide"]


def test_small_messages_read_well(tmp_path: Path) -> None:
    home = tmp_path / "home"
    wardflow_cli(home, "principals", "add", "ann", "--role", "approver", "--limit", "10",
                 check=True)
    import subprocess

    exe = Path(sys.executable).with_name("wardflow")
    short = subprocess.run([str(exe), "principals", "password", "ann", "--password-stdin"],
                           input="short\n", capture_output=True, text=True,
                           env={**os.environ, "WARDFLOW_HOME": str(home)}, timeout=120)
    assert short.returncode == 2
    assert short.stderr.startswith("error: a password needs at least"), short.stderr
    assert "-:" not in short.stderr

    helped = wardflow_cli(home, "review", "--help", COLUMNS="200").stdout
    for option in ("--approve", "--reject", "--comment", "--list", "--sweep"):
        line = next(x for x in helped.splitlines() if option in x)
        assert len(line.split(option, 1)[1].strip(" │")) > 10, line  # has a description

    swept = wardflow_cli(home, "review", "--sweep", check=True)
    assert "sweep: 0 event(s); no case is overdue or due a reminder" in swept.stdout


def _run_in(folder: Path, *args: str, stdin: str = "") -> Any:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("WARDFLOW_")}
    exe = Path(sys.executable).with_name("wardflow")
    return subprocess.run([str(exe), *args], cwd=folder, env={**env, "WARDFLOW_MODEL": "none"},
                          input=stdin, capture_output=True, text=True, timeout=240)


def test_init_scaffolds_a_project_and_blueprint_graph_writes_svg(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    refused = _run_in(tmp_path, "init", "books")
    assert refused.returncode == 2 and "--principal NAME" in refused.stderr
    done = _run_in(tmp_path, "init", "books", "--principal", "carla", "--role", "controller")
    assert done.returncode == 0, done.stderr
    project = tmp_path / "books"
    assert (project / "inbox").is_dir() and (project / "wardflow.toml").is_file()
    # The project works from its folder: its settings, its principal, its blueprint.
    listed = _run_in(project, "principals", "list", "--json")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["carla"]
    assert (project / ".wardflow").is_dir()
    valid = _run_in(project, "blueprint", "validate", "blueprints/invoice.yaml")
    assert valid.returncode == 0, valid.stderr
    again = _run_in(tmp_path, "init", "books", "--principal", "dan", "--role", "approver",
                    "--limit", "500")
    assert again.returncode == 0 and "kept" in again.stdout and "created" not in again.stdout

    drawn = _run_in(project, "blueprint", "graph", "blueprints/invoice.yaml", "--svg", "g.svg")
    assert drawn.returncode == 0, drawn.stderr
    svg = ET.parse(project / "g.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    nodes = {g.get("data-node") for g in svg.iter("{http://www.w3.org/2000/svg}g")
             if g.get("data-node")}
    mermaid = _run_in(project, "blueprint", "graph", "blueprints/invoice.yaml").stdout
    assert nodes and all(node in mermaid for node in nodes)
    assert "process_invoice" in nodes


def test_init_asks_for_the_principal_on_a_terminal(tmp_path: Path) -> None:
    import pexpect

    env = {k: v for k, v in os.environ.items() if not k.startswith("WARDFLOW_")}
    exe = Path(sys.executable).with_name("wardflow")
    child = pexpect.spawn(str(exe), ["init", "books"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=120)
    child.expect("Your name")
    child.sendline("erin")
    child.expect("Role")
    child.sendline("approver")
    child.expect("Approval limit")
    child.sendline("2500")
    child.expect("principal erin \\(approver\\) added")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_third_party_log_lines_go_to_a_file_not_the_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from wardflow.cli._progress import _THIRD_PARTY, quiet_third_party_logs

    saved = {n: (lg.handlers[:], lg.level, lg.propagate)
             for n in _THIRD_PARTY for lg in [logging.getLogger(n)]}
    try:
        logs = tmp_path / "home" / "logs"
        quiet_third_party_logs(logs)
        assert not logs.exists()  # nothing logged, nothing made
        logging.getLogger("LiteLLM").warning("provider list is long")
        logging.getLogger("guardrails").info("hub check")  # below WARNING: dropped
        captured = capsys.readouterr()
        assert "provider list" not in captured.err + captured.out
        text = (logs / "wardflow.log").read_text()
        assert "provider list is long" in text and "hub check" not in text
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.level, logger.propagate = handlers, level, propagate
