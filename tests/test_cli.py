"""The ``wardflow`` command through its real entry point, in subprocesses."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli

pytestmark = pytest.mark.slow

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    done = wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    assert "imported 14 vendor(s) and 5 purchase order(s)" in done.stdout
    wardflow_cli(home, "principals", "add", "carla", "--role", "controller", check=True)
    return home


def test_whole_example_inbox_routes_as_labelled(home: Path, labels: dict[str, dict]) -> None:
    result = wardflow_cli(home, "process", str(INBOX), "--json")

    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert len(runs) == len(labels) == 14
    for run in runs:
        label = labels[Path(run["document"]).name.split("#")[0]]
        expected = "posted" if label["expected_route"] == "post" else "awaiting_review"
        assert run["status"] == expected, (run["document"], run["reasons"])
        for reason in label["expected_reasons"]:
            assert any(reason.split("_")[0] in code for code in run["reasons"]), (reason, run)

    listed = json.loads(wardflow_cli(home, "erp", "list", "--json", check=True).stdout)
    posted = sorted(x["invoice_number"] for x in labels.values() if x["expected_route"] == "post")
    assert sorted(p["invoice_number"] for p in listed) == posted


def test_status_lists_runs_and_one_run(home: Path) -> None:
    wardflow_cli(home, "process", str(INBOX / CLEAN), str(INBOX / OVER_LIMIT), check=True)

    table = wardflow_cli(home, "status", check=True).stdout
    assert "posted" in table and "awaiting_review" in table
    runs = json.loads(wardflow_cli(home, "status", "--json", check=True).stdout)
    assert [r["waiting_for_review"] for r in runs] == [False, True]
    one = json.loads(wardflow_cli(home, "status", runs[1]["thread_id"], "--json", check=True).stdout)
    assert one["reasons"] == ["over_approval_limit"]
    assert one["confidence"] >= 0.9 and one["risk"] == 0.0


def test_resume_approve_and_exit_codes(home: Path) -> None:
    [run] = json.loads(wardflow_cli(home, "process", str(INBOX / OVER_LIMIT), "--json",
                                    check=True).stdout)

    both = wardflow_cli(home, "resume", run["thread_id"], "--approve", "--reject")
    assert both.returncode == 2 and "exactly one" in both.stderr
    missing = wardflow_cli(home, "resume", "doc-nope", "--approve")
    assert missing.returncode == 1 and "no run with thread id 'doc-nope'" in missing.stderr
    shown = json.loads(wardflow_cli(home, "review", run["thread_id"], "--as", "carla", "--json",
                                    check=True).stdout)
    approved = wardflow_cli(home, "resume", run["thread_id"], "--approve", "--by", "carla",
                            "--hash", shown["args_hash"], "--reason", "budget approved")
    assert approved.returncode == 0, approved.stderr
    again = wardflow_cli(home, "resume", run["thread_id"], "--reject", "--by", "carla")
    assert again.returncode == 4 and "not waiting for review" in again.stderr
    table = wardflow_cli(home, "erp", "list", check=True).stdout
    assert "HM-2026-0077" in table and "carla" in table


def test_slack_ids_are_linked_to_active_principals_only(home: Path) -> None:
    linked = wardflow_cli(home, "principals", "slack", "carla", "U024BE7LH")
    assert linked.returncode == 0 and "U024BE7LH decides as carla" in linked.stdout
    bad_id = wardflow_cli(home, "principals", "slack", "carla", "carla")
    assert bad_id.returncode == 4 and "is not a Slack user id" in bad_id.stderr
    nobody = wardflow_cli(home, "principals", "slack", "nobody", "U0NOBODY")
    assert nobody.returncode == 4 and "not an active principal" in nobody.stderr


def test_bad_inputs_are_parked_with_reasons_and_the_batch_goes_on(
    home: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a-corrupt.pdf").write_bytes(b"%PDF-1.7\n1 0 obj <<>> garbage\n%%EOF")
    (folder / "b-empty.pdf").write_bytes(b"")
    (folder / "c-notes.txt").write_text("not an invoice format")
    (folder / "d-huge.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 4096)
    (folder / "e-good.pdf").write_bytes((INBOX / CLEAN).read_bytes())

    result = wardflow_cli(home, "process", str(folder), "--json",
                          WARDFLOW_MAX_DOCUMENT_BYTES="4000")

    assert result.returncode == 3
    runs = {Path(r["document"]).name: r for r in json.loads(result.stdout)}
    assert runs["e-good.pdf"]["status"] == "posted"
    expected = {
        "a-corrupt.pdf": "not a readable PDF",
        "b-empty.pdf": "empty",
        "c-notes.txt": "unsupported file type",
        "d-huge.pdf": "over the limit of 4000",
    }
    for name, message in expected.items():
        assert runs[name]["status"] == "failed", runs[name]
        assert name in runs[name]["error"] and message in runs[name]["error"]
    reasons = {
        json.loads(p.read_text())["name"]: json.loads(p.read_text())
        for p in (home / "storage" / "failed").glob("*/reason.json")
    }
    assert set(reasons) == set(expected)
    assert reasons["a-corrupt.pdf"]["error"]["reason"] == "corrupt"
    assert reasons["d-huge.pdf"]["error"]["reason"] == "too_large"
    # The readable bad files are kept next to their reason; nothing is dropped.
    assert list((home / "storage" / "failed").glob("*/a-corrupt.pdf"))
    # A file that is not a document is not stored where the review API serves from: its
    # reason and digest are, its bytes only in the operator-only quarantine.
    notes = reasons["c-notes.txt"]
    assert not list((home / "storage").rglob("c-notes.txt")) and notes["stored_as"] is None
    assert (home / notes["quarantined_as"]).read_text() == "not an invoice format"
    assert notes["sha256"] == hashlib.sha256(b"not an invoice format").hexdigest()
    assert (folder / "d-huge.pdf").exists()


def test_missing_path_is_a_usage_error(home: Path) -> None:
    result = wardflow_cli(home, "process", "no/such/folder")
    assert result.returncode == 2
    assert "no such file or folder: no/such/folder" in result.stderr


def test_audit_verify_and_show(home: Path) -> None:
    [run] = json.loads(wardflow_cli(home, "process", str(INBOX / CLEAN), "--json",
                                    check=True).stdout)
    assert "audit chain intact" in wardflow_cli(home, "audit", "verify", check=True).stdout
    shown = wardflow_cli(home, "audit", "show", run["thread_id"], check=True).stdout
    assert "node.post_to_erp" in shown and "tool.erp_post_invoice" in shown


def test_email_attachment_is_processed(home: Path) -> None:
    eml = INBOX / "2026-11-02_billing-datenhafen-hosting.eml"
    [run] = json.loads(wardflow_cli(home, "process", str(eml), "--json", check=True).stdout)
    assert run["document"].endswith(".eml#DH-2026-11-0208.pdf")
    assert run["status"] == "posted"
