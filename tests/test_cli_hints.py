"""Every hint the CLI prints works when pasted as-is (issue 17, item 5): the commands are
run exactly as printed, through the real entry point, on fresh data homes."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli

pytestmark = pytest.mark.slow

OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
BANK = "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"
REFUSED_FOR_WHO = ("unknown-reviewer", "segregation-of-duties", "wrong-role", "over-limit")


def _hints(text: str, prefix: str = "") -> list[str]:
    """The ``wardflow ...`` commands printed on lines starting with ``prefix``."""
    return [m[1] for m in re.finditer(rf"^\s*{re.escape(prefix)}\s*(wardflow [^\n`]+?)\s*$",
                                      text, re.MULTILINE)]


def _paste(home: Path, command: str) -> subprocess.CompletedProcess[str]:
    """Run a printed command as a shell would split it."""
    argv = shlex.split(command)
    assert argv[0] == "wardflow", command
    result = wardflow_cli(home, *argv[1:])
    for rule in REFUSED_FOR_WHO:
        assert rule not in result.stderr, (command, result.stderr)
    return result


def test_hints_after_init_decide_each_case_as_printed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    home = project / ".wardflow"
    made = wardflow_cli(home, "init", str(project), "--principal", "alice")
    assert made.returncode == 0, made.stderr
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    processed = wardflow_cli(home, "process", str(INBOX / OVER_LIMIT), str(INBOX / BANK))
    assert processed.returncode == 0, processed.stderr
    opened = _hints(processed.stdout)
    assert len(opened) == 2 and all(" --as alice" in h for h in opened), processed.stdout

    for hint in opened:
        shown = _paste(home, hint)
        assert shown.returncode == 0, shown.stderr
        [approve] = _hints(shown.stdout, "approve:")
        [reject] = _hints(shown.stdout, "reject:")
        assert "--hash" in approve and '--comment "WHY"' in reject
        assert '--reason "WHY"' in approve  # both cases need a reason (over limit, high risk)
        decided = _paste(home, approve)
        assert decided.returncode == 0, decided.stderr
        assert " posted " in decided.stdout, decided.stdout
    assert "waiting for review" not in wardflow_cli(home, "status", check=True).stdout


def test_a_refusal_names_who_may_decide_and_that_command_works(tmp_path: Path) -> None:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    wardflow_cli(home, "principals", "add", "dan", "--role", "controller", check=True)
    [thread] = re.findall(r"wardflow review (\S+) --as dan", wardflow_cli(
        home, "process", str(INBOX / OVER_LIMIT), "--as", "sam", check=True).stdout)

    # Not a principal, then the submitter: refused with exit 4, and who may instead.
    for who in ("nobody", "sam"):
        refused = wardflow_cli(home, "review", thread, "--as", who, "--reject",
                               "--comment", "x")
        assert refused.returncode == 4, refused.stderr
        [hint] = re.findall(r"`(wardflow [^`]+)`", refused.stderr.split("\n", 1)[-1])
        assert hint == f"wardflow review {thread} --as dan"
        assert _paste(home, hint).returncode == 0


def test_with_nobody_who_may_decide_the_hint_says_how_to_add_one(tmp_path: Path) -> None:
    # The README's setup: a vendor master, then process; no principal yet.
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    processed = wardflow_cli(home, "process", str(INBOX / OVER_LIMIT), check=True)
    [add] = re.findall(r"`(wardflow principals add [^`]+)`", processed.stdout)
    assert add == "wardflow principals add NAME --role controller"
    added = _paste(home, add.replace("NAME", "dana"))
    assert added.returncode == 0, added.stderr
    [opened] = _hints(wardflow_cli(home, "status", check=True).stdout)
    assert opened.endswith("--as dana")
    shown = _paste(home, opened)
    assert shown.returncode == 0 and _hints(shown.stdout, "approve:"), shown.stdout
