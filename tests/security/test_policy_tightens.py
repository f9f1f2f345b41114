"""Policy only tightens: a prompt, a blueprint or an API body may make review stricter
than the settings, never looser; a loosening request is refused with the reason and
audited (issue 14, finding 1)."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from wardflow.config import Settings
from wardflow.graphs.blueprint import BlueprintError, parse_blueprint
from wardflow.runtime.workspace import Workspace

# EUR 24,500.01: over the default auto-approval limit of EUR 10,000.
OVER_LIMIT = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
LOOSE = "process the invoices in inbox over 900,000,000 EUR"


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with an ``inbox`` holding the over-limit invoice."""
    work = tmp_path / "work"
    (work / "inbox").mkdir(parents=True)
    shutil.copy(INBOX / OVER_LIMIT, work / "inbox" / OVER_LIMIT)
    monkeypatch.chdir(work)
    return work


# The central rule ----------------------------------------------------------------------
def test_tighten_applies_stricter_knobs_and_refuses_every_looser_one() -> None:
    from wardflow.agents.overrides import PolicyOverride, tighten
    from wardflow.errors import PolicyError

    settings = Settings(home=Path("unused"), model="none")
    stricter = tighten(settings, PolicyOverride(
        approval_limit=Decimal("5000"), review_threshold=0.95, risk_threshold=0.3,
        po_required_from=Decimal("1000"), compliance_packs=("gdpr", "pci", "sox")),
        source="prompt")
    assert stricter.approval_limit == Decimal("5000") and stricter.review_threshold == 0.95
    assert stricter.risk_threshold == 0.3 and stricter.po_required_from == Decimal("1000")
    # A limit in another currency is converted; the approval currency stays EUR, since
    # the reviewers' own limits are in it.
    yen = tighten(settings, PolicyOverride(approval_limit=Decimal("100000"), currency="JPY"),
                  source="prompt")
    assert (yen.approval_limit, yen.approval_currency) == (Decimal("620.00"), "EUR")

    with pytest.raises(PolicyError) as refused:
        tighten(settings, PolicyOverride(
            approval_limit=Decimal("9000"), currency="GBP", review_threshold=0.5,
            risk_threshold=0.9, po_required_from=Decimal("50000"),
            compliance_packs=("pci",)), source="prompt")
    assert refused.value.violations == [
        "an approval limit of GBP 9000 (EUR 10530.00), above the configured EUR 10000",
        "review only below confidence 0.5, under the configured 0.9",
        "review only from risk 0.9, above the configured 0.5",
        "a purchase order only from 50000, above the configured 10000",
        "the compliance packs pci without the configured pack(s) sox, gdpr",
    ]
    with pytest.raises(PolicyError, match="no exchange rate"):
        tighten(settings, PolicyOverride(approval_limit=Decimal("1"), currency="XAU"),
                source="prompt")


# The CLI -------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_prompt_cannot_raise_the_approval_limit(inbox: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    wardflow_cli(home, "erp", "import", str(EXAMPLES / "erp.json"), check=True)

    loose = wardflow_cli(home, "run", LOOSE, "--yes", "--json", "--as", "cleo")

    assert loose.returncode == 4, loose.stdout
    assert "policy only tightens" in loose.stderr
    assert "above the configured EUR 10000" in " ".join(loose.stderr.split())
    with Workspace(Settings(home=home, model="none")) as ws:
        assert ws.erp.postings() == [] and ws.threads() == []
        [record] = [r for r in ws.audit.records() if r.action == "policy.refused"]
        assert record.actor == "user:cleo"
        assert record.payload["requested"] == {"approval_limit": "900000000", "currency": "EUR"}


def test_cli_blueprint_cannot_drop_a_compliance_pack_or_let_a_clerk_approve(
    tmp_path: Path
) -> None:
    file = tmp_path / "loose.yaml"
    file.write_text(
        "name: loose\ncompliance: [pci]\ntrigger:\n  event: document_uploaded\nsteps:\n"
        "  - name: sign_off\n    type: approval_task\n    role: clerk\n")
    result = wardflow_cli(tmp_path / "home", "blueprint", "validate", str(file))
    assert result.returncode == 1
    assert "loose.yaml:2: policy only tightens: the compliance packs pci without the" \
           " configured pack(s) sox, gdpr" in " ".join(result.stderr.split())
    assert "role must be approver or controller" in result.stderr
    # Adding a pack to the configured ones is stricter, and valid.
    settings = Settings(home=tmp_path / "home", model="none", compliance_packs=("gdpr",))
    assert parse_blueprint(file.read_text().replace("role: clerk", "role: controller")
                           .replace("[pci]", "[gdpr, pci]"), settings).compliance == (
        "gdpr", "pci")
    with pytest.raises(BlueprintError, match="without the configured pack"):
        parse_blueprint(file.read_text(), settings)


# The API -------------------------------------------------------------------------------
@pytest.mark.parametrize("prompt", [LOOSE, "process the invoices in inbox over 9,000 GBP"])
def test_api_prompt_cannot_raise_the_approval_limit(
    client: httpx.Client, workspace: Workspace, inbox: Path, prompt: str
) -> None:
    response = client.post("/runs", json={"prompt": prompt})

    assert response.status_code == 403, response.text
    body = response.json()
    assert body["detail"].startswith("plan refused: policy only tightens: the prompt asks for"
                                     " an approval limit of ")
    assert body["rule"] == "policy-only-tightens"
    assert body["violations"][0].endswith("above the configured EUR 10000")
    # Refused before anything ran or was stored, and audited.
    assert workspace.threads() == [] and workspace.storage.list() == []
    assert workspace.erp.postings() == []
    refused = [r for r in workspace.audit.records() if r.action == "policy.refused"]
    assert [(r.actor, r.payload["rule"]) for r in refused] == [
        ("user:cleo", "policy-only-tightens")]


def test_run_plan_applies_the_limit_through_the_central_rule(
    workspace: Workspace, inbox: Path
) -> None:
    # A plan built in Python (no planner, no API) meets the same rule in run_plan.
    from wardflow.agents.planner import Plan
    from wardflow.errors import PolicyError

    loose = Plan(LOOSE, "process", "rules", path="inbox", approval_limit=Decimal("900000000"),
                 currency="EUR")
    with pytest.raises(PolicyError):
        workspace.run_plan(loose, submitted_by="cleo")
    assert workspace.threads() == []
    strict = Plan("...", "process", "rules", path="inbox", approval_limit=Decimal("5000"),
                  currency="EUR")
    [run] = workspace.run_plan(strict, submitted_by="cleo")["runs"]
    assert run["status"] == "awaiting_review" and "over_approval_limit" in run["reasons"]
    assert json.dumps(run)  # plain data
