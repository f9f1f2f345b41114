"""The review chat driven as a person would, in a pseudo-terminal (pexpect)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli

pytestmark = pytest.mark.slow

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
COPY = "2026-09-28_Nordlicht_Invoice_NLS-INV-2026-0412_COPY.pdf"
BANK = "2026-09-15_vanderberg-logistics_VDB-26-08841.pdf"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)
    wardflow_cli(home, "principals", "add", "dan", "--role", "controller", check=True)
    wardflow_cli(home, "principals", "add", "cleo", "--role", "clerk", check=True)
    wardflow_cli(home, "process", "--as", "sam", str(INBOX / CLEAN), str(INBOX / COPY),
                 str(INBOX / BANK), check=True)
    return home


def _chat(home: Path, who: str) -> pexpect.spawn:
    exe = Path(sys.executable).with_name("wardflow")
    command, args = (str(exe), []) if exe.exists() else (sys.executable, ["-m", "wardflow"])
    env = {**os.environ, "WARDFLOW_HOME": str(home), "WARDFLOW_MODEL": "none",
           "WARDFLOW_MAX_INVOICE_AGE_DAYS": "36500", "COLUMNS": "160", "TERM": "dumb"}
    child = pexpect.spawn(command, [*args, "review", "--as", who], env=env, encoding="utf-8",
                          timeout=60, dimensions=(50, 160))
    child.expect("wardflow review as " + who)
    return child


def test_a_reviewer_asks_then_approves(home: Path) -> None:
    child = _chat(home, "dan")
    child.expect("2 case\\(s\\) waiting")
    child.expect("review> ")
    child.sendline("open 1")  # highest risk first: the re-sent copy (duplicate, 0.90)
    child.expect("duplicate_invoice_number")
    child.expect("\\]> ")
    child.sendline("why was this flagged?")
    child.expect(r"was\s+already\s+posted\s+as\s+P-")
    child.sendline("show line items")
    child.expect("3 line item\\(s\\)")
    child.expect("Onboarding workshop")
    child.sendline("compare with the last invoice from this vendor")
    child.expect(r"last\s+posted\s+invoice\s+from\s+V001:\s+NLS-INV-2026-0412")
    child.sendline("reject because it is a copy of NLS-INV-2026-0412")
    child.expect("reject: doc-[0-9a-f]+ is now rejected")
    child.expect("1 case\\(s\\) waiting")
    child.sendline("open 1")
    child.expect("bank_details_changed")
    child.sendline("evidence iban")
    child.expect("iban = NL")
    child.sendline("approve verified by phone with the vendor")
    child.expect("approve: doc-[0-9a-f]+ is now posted \\(P-")
    child.expect("The inbox is empty")
    child.sendline("quit")
    child.expect(pexpect.EOF)

    listed = json.loads(wardflow_cli(home, "erp", "list", "--json", check=True).stdout)
    assert sorted(p["invoice_number"] for p in listed) == ["NLS-INV-2026-0412", "VDB-26-08841"]
    assert {p["approved_by"] for p in listed} == {"auto:policy-v1", "dan"}


def test_refusals_are_explained_in_the_chat(home: Path) -> None:
    child = _chat(home, "cleo")
    child.sendline("open 1")
    child.expect("\\]> ")
    child.sendline("approve")
    child.expect("refused:.*wrong-role: a clerk cannot approve")
    child.sendline("set total abc")
    child.expect("refused:.*invalid correction: total: 'abc' is not an amount")
    child.sendline("what is the weather?")
    child.expect("I can answer from the case")
    child.sendline("was the vendor found in the master data?")
    child.expect(r"(?i)vendor")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    assert json.loads(wardflow_cli(home, "erp", "list", "--json", check=True).stdout)[0][
        "invoice_number"] == "NLS-INV-2026-0412"


def test_non_interactive_review(home: Path) -> None:
    runs = json.loads(wardflow_cli(home, "status", "--json", check=True).stdout)
    bank = next(r for r in runs if "vanderberg" in r["document"])
    refused = wardflow_cli(home, "review", bank["thread_id"], "--as", "cleo", "--approve")
    assert refused.returncode == 4 and "wrong-role" in refused.stderr
    done = wardflow_cli(home, "review", bank["thread_id"], "--as", "dan", "--approve",
                        "--comment", "called the vendor", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "posted"
