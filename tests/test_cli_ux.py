"""The operator's and approver's CLI experience (issue 17), through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import wardflow_cli
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
    assert result["status"] == "archive: stored"
    assert result["outputs"]["sign_off"] == {"approved": True, "by": ["carla", "dan"]}
    audit = wardflow_cli(home, "audit", "show", thread, "--json", check=True).stdout
    assert "four-eyes: dan already approved" in audit
