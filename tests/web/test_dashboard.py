"""The auditor dashboard and run pages against a real uvicorn server on 127.0.0.1, over
runs processed from examples/inbox and decided through the real API."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from tests.conftest import EXAMPLES, INBOX
from tests.web import test_page
from tests.web.conftest import CLEAN, PASSWORDS, Cases, LiveServer
from tests.web.test_page import _log_in, _visible, _wait
from wardflow.agents.calibration import default_calibration
from wardflow.graphs.blueprint import load_blueprint
from wardflow.observability.viewer import run_path
from wardflow.runtime.workspace import Workspace
from wardflow.web.auth import CredentialStore

KESSLER = "2026-08-21_kessler-elektrotechnik_K-2026-1530.pdf"  # raw confidence 0.5
HANSEN = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"  # over the approval limit
GREIFENSTEIN = "2026-11-10_greifenstein-eventtechnik_GE-2026-0093.pdf"  # raw 0.78, unknown vendor
SHIPPED = default_calibration()  # the calibration the runs apply
MORE_PASSWORDS = {"root": "root-admin-password", "eve": "eve-approver-password"}
SVG = "{http://www.w3.org/2000/svg}"
browser = test_page.browser  # headless Chromium, as the review page's test starts it


@dataclass
class Audited:
    """Thread ids by document, after the decisions below."""

    clean: str
    copy: str
    bank: str
    kessler: str
    hansen: str
    greifenstein: str


def _hash(server: LiveServer, thread: str) -> str:
    detail = server.client.get(f"/api/cases/{thread}", headers=server.auth("dan")).json()
    return str(detail["request"]["proposed_action"]["args_hash"])


@pytest.fixture
def audited(server: LiveServer, cases: Cases, workspace: Workspace) -> Audited:
    """Six runs: one posted by policy, and decisions by four people.

    carla approves the duplicate copy (posted), dan rejects the bank change, cleo corrects
    Kessler's total (still waiting), and a caller that bypasses the API has cleo approve
    Hansen, which the graph refuses and audits.
    """
    workspace.principals.add("root", "admin")
    credentials = CredentialStore(workspace.settings.review_path)
    for name, password in MORE_PASSWORDS.items():
        credentials.set_password(workspace.principals, name, password)
    credentials.close()
    runs = {r.document.rsplit("/", 1)[-1]: r.thread_id for r in workspace.process(
        [INBOX / CLEAN, INBOX / KESSLER, INBOX / HANSEN, INBOX / GREIFENSTEIN],
        submitted_by="sam")}
    for who, thread, body in (
        ("carla", cases.copy, {"decision": "approve", "args_hash": _hash(server, cases.copy),
                               "comment": "credit note checked"}),
        ("dan", cases.bank, {"decision": "reject", "comment": "account not confirmed"}),
        ("cleo", runs[KESSLER], {"decision": "correct", "corrections": {"total": "1.800,00"}}),
    ):
        response = server.decide(who, thread, **body)
        assert response.status_code == 200, (who, response.text)
    from langgraph.types import Command

    workspace.graph.invoke(Command(resume={"decision": "approve", "by": "cleo", "args_hash": "x"}),
                           {"configurable": {"thread_id": runs[HANSEN]}})
    return Audited(runs[CLEAN], cases.copy, cases.bank, runs[KESSLER], runs[HANSEN],
                   runs[GREIFENSTEIN])


_TOKENS: dict[tuple[str, str], str] = {}


def _get(server: LiveServer, path: str, who: str = "ada", **params: Any) -> httpx.Response:
    # One login per person and server: scrypt makes each login take a while.
    token = _TOKENS.get((server.url, who))
    if token is None:
        token = _TOKENS[server.url, who] = server.token(who, {**PASSWORDS, **MORE_PASSWORDS}[who])
    return server.client.get(path, params=params, headers={"Authorization": f"Bearer {token}"})


def _listed(server: LiveServer, **params: Any) -> set[str]:
    response = _get(server, "/api/audit/runs", **params)
    assert response.status_code == 200, response.text
    return {r["thread_id"] for r in response.json()["runs"]}


def test_the_dashboard_lists_runs_decisions_and_reviewers(
    server: LiveServer, audited: Audited, workspace: Workspace
) -> None:
    data = _get(server, "/api/audit/runs").json()
    runs = {r["thread_id"]: r for r in data["runs"]}
    assert set(runs) == set(workspace.threads()) and data["total"] == 6
    clean, copy, bank = runs[audited.clean], runs[audited.copy], runs[audited.bank]
    assert (clean["status"], clean["route"], clean["decided_by"], clean["decision"]) == (
        "posted", "post", "auto:policy-v1", "auto")
    assert (clean["document"], clean["vendor"], clean["total"], clean["currency"]) == (
        CLEAN, "Nordlicht Software GmbH", "2146.76", "EUR")
    assert clean["confidence"] == SHIPPED(0.95)  # the extractor's 0.95, calibrated
    assert clean["risk"] == 0.0 and clean["reviewers"] == []
    assert (copy["status"], copy["decided_by"], copy["decision"]) == ("posted", "carla", "approve")
    assert copy["decided_at"] == "2026-11-25T12:00:00+00:00"  # the graph's clock
    assert copy["posting_id"] and copy["risk"] == 0.9
    assert (bank["status"], bank["decided_by"], bank["decision"]) == ("rejected", "dan", "reject")
    kessler = runs[audited.kessler]
    assert (kessler["status"], kessler["decision"], kessler["reviewers"]) == (
        "awaiting_review", "correct", ["cleo"])
    hansen = runs[audited.hansen]
    assert hansen["status"] == "awaiting_review" and hansen["decided_by"] is None
    assert hansen["reviewers"] == ["cleo"]  # the refused attempt is on record
    starts = [r["started"] for r in data["runs"]]
    assert starts == sorted(starts, reverse=True)

    decisions = [(d["thread_id"], d["by"], d["decision"]) for d in data["decisions"]]
    assert sorted(decisions) == sorted([
        (audited.copy, "carla", "approve"), (audited.bank, "dan", "reject"),
        (audited.kessler, "cleo", "correct"), (audited.hansen, "cleo", "refused")])
    refused = next(d for d in data["decisions"] if d["decision"] == "refused")
    assert "clerk cannot approve" in refused["reason"]
    corrected = next(d for d in data["decisions"] if d["decision"] == "correct")
    assert corrected["corrections"] == ["total"]
    reviewers = {r["name"]: r for r in data["reviewers"]}
    assert {n: (r["approved"], r["rejected"], r["corrected"], r["refused"], r["runs"])
            for n, r in reviewers.items()} == {
        "carla": (1, 0, 0, 0, 1), "dan": (0, 1, 0, 0, 1), "cleo": (0, 0, 1, 1, 2)}
    assert data["counts"] == {"posted": 2, "rejected": 1, "awaiting_review": 3}
    assert data["reviewer_names"] == ["carla", "cleo", "dan"]
    assert data["classes"]["wfHigh"].startswith("fill:#c8e6c9")


def test_filters_give_the_known_runs(server: LiveServer, audited: Audited) -> None:
    a = audited
    assert _listed(server, status="posted") == {a.clean, a.copy}
    assert _listed(server, status="awaiting_review") == {a.kessler, a.hansen, a.greifenstein}
    assert _listed(server, route="post") == {a.clean}
    assert _listed(server, reviewer="dan") == {a.bank}
    assert _listed(server, reviewer="cleo") == {a.kessler, a.hansen}
    assert _listed(server, reviewer="nobody") == set()
    assert _listed(server, vendor="NORDLICHT") == {a.clean, a.copy}
    assert _listed(server, min_confidence=0.95) == {a.clean, a.copy, a.bank, a.hansen}
    assert _listed(server, max_confidence=SHIPPED(0.5)) == {a.kessler}
    assert _listed(server, min_confidence=SHIPPED(0.5) + 0.01, max_confidence=0.95) == {
        a.greifenstein}  # raw 0.78, calibrated: the unknown vendor sends it to review
    assert _listed(server, status="posted", vendor="nordlicht", reviewer="carla") == {a.copy}
    # Empty form fields mean "any".
    assert len(_listed(server, status="", vendor="", reviewer="")) == 6
    # Only cleo's decisions (and reviewers) when filtered by cleo.
    data = _get(server, "/api/audit/runs", reviewer="cleo").json()
    assert {d["by"] for d in data["decisions"]} == {"cleo"}
    assert [r["name"] for r in data["reviewers"]] == ["cleo"]
    assert data["counts"] == {"awaiting_review": 2} and data["total"] == 6


def test_the_date_range_is_inclusive_and_on_the_run_start(
    server: LiveServer, audited: Audited
) -> None:
    runs = _get(server, "/api/audit/runs").json()["runs"]
    days = sorted({date.fromisoformat(r["started"][:10]) for r in runs})
    first, last = days[0], days[-1]
    assert len(_listed(server, since=first.isoformat(), until=last.isoformat())) == 6
    assert _listed(server, until=(first - timedelta(days=1)).isoformat()) == set()
    assert _listed(server, since=(last + timedelta(days=1)).isoformat()) == set()
    on_last = {r["thread_id"] for r in runs if r["started"].startswith(last.isoformat())}
    assert _listed(server, since=last.isoformat()) == on_last


@pytest.mark.parametrize("params", [{"min_confidence": "2"}, {"max_confidence": "-0.1"},
                                    {"since": "last tuesday"}, {"until": "2026-13-01"},
                                    {"vendor": "x" * 201}])
def test_bad_filters_are_422(server: LiveServer, cases: Cases, params: dict[str, str]) -> None:
    response = _get(server, "/api/audit/runs", **params)
    assert response.status_code == 422, response.text


def test_only_auditors_controllers_and_admins_may_read(
    server: LiveServer, audited: Audited
) -> None:
    paths = ["/api/audit/runs", f"/api/audit/runs/{audited.copy}",
             f"/api/audit/runs/{audited.copy}/diagram"]
    for who in ("ada", "dan", "root"):
        for path in paths:
            assert _get(server, path, who).status_code == 200, (who, path)
    for who, role in (("cleo", "clerk"), ("carla", "approver")):
        for path in paths:
            response = _get(server, path, who)
            assert response.status_code == 403, (who, path)
            assert response.json()["detail"] == (
                f"{who} is {role}: the audit dashboard is for auditors, controllers and admins")
    for path in paths:
        assert server.client.get(path).status_code == 401
        bad = server.client.get(path, headers={"Authorization": "Bearer forged"})
        assert bad.status_code == 401


def test_a_run_with_its_steps_decisions_and_diagram(
    server: LiveServer, audited: Audited, workspace: Workspace
) -> None:
    data = _get(server, f"/api/audit/runs/{audited.copy}").json()
    assert data["run"]["decided_by"] == "carla"
    steps = run_path(workspace.state(audited.copy).values,
                     list(workspace.audit.records(audited.copy)))
    assert data["steps"] == json.loads(json.dumps([s.to_dict() for s in steps]))
    assert [s["node"] for s in data["steps"]] == [
        "ingest", "guard", "extract", "risk", "compliance", "route", "review", "post_to_erp",
        "archive"]
    assert [(d["by"], d["decision"], d["comment"]) for d in data["decisions"]] == [
        ("carla", "approve", "credit note checked")]
    diagram = data["diagram"]
    assert diagram["graph"] == "invoice"
    nodes = {g.attrib["data-node"]: g.attrib["class"].split()
             for g in ET.fromstring(diagram["svg"]).iter(f"{SVG}g")}
    assert nodes["extract"] == ["node", "wfHigh"] and nodes["ingest"] == ["node", "wfVisited"]
    assert nodes["fail"] == ["node", "wfUnvisited"]
    assert "class extract,risk,compliance,route,review,post_to_erp,archive wfHigh" in (
        diagram["mermaid"])

    svg = _get(server, f"/api/audit/runs/{audited.copy}/diagram", format="svg")
    assert svg.headers["content-type"] == "image/svg+xml"
    assert svg.text == diagram["svg"]
    source = _get(server, f"/api/audit/runs/{audited.copy}/diagram", format="mermaid")
    assert source.headers["content-type"].startswith("text/plain")
    assert source.headers["content-disposition"] == f'attachment; filename="{audited.copy}.mmd"'
    assert source.text == diagram["mermaid"]
    assert _get(server, f"/api/audit/runs/{audited.copy}/diagram",
                format="png").status_code == 422

    # Waiting for review (dashed amber); corrected at confidence 0.5 and waiting again
    # (amber, as its last completed step); refused inside the graph (red).
    for thread, review in ((audited.greifenstein, "wfWaiting"), (audited.kessler, "wfMid"),
                           (audited.hansen, "wfLow")):
        waiting = _get(server, f"/api/audit/runs/{thread}").json()
        assert waiting["steps"][-1]["status"] == "waiting"
        classes = {g.attrib["data-node"]: g.attrib["class"].split()
                   for g in ET.fromstring(waiting["diagram"]["svg"]).iter(f"{SVG}g")}
        assert classes["review"] == ["node", review], thread
        assert classes["post_to_erp"] == ["node", "wfUnvisited"]
    for path in ("/api/audit/runs/doc-0000", "/api/audit/runs/doc-0000/diagram"):
        missing = _get(server, path)
        assert missing.status_code == 404 and "doc-0000" in missing.json()["detail"]


def test_a_blueprint_run_is_drawn_as_its_path(
    server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    blueprint = load_blueprint(EXAMPLES / "blueprints" / "classify-and-archive.yaml",
                               workspace.settings)
    [result] = workspace.run_blueprint(blueprint, [INBOX / CLEAN], submitted_by="sam")
    thread = str(result["thread_id"])
    assert thread in _listed(server)
    diagram = _get(server, f"/api/audit/runs/{thread}/diagram").json()
    assert diagram["graph"] == "path"
    nodes = [g.attrib["data-node"] for g in ET.fromstring(diagram["svg"]).iter(f"{SVG}g")]
    assert nodes == ["__start__", "ingest", "classify_document", "human_review", "archive",
                     "__end__"]


def test_the_pages_are_served_self_contained(server: LiveServer, cases: Cases) -> None:
    for path in ("/audit", f"/audit/runs/{cases.copy}"):
        page = server.client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert "http" not in page.text and "style=" not in page.text
        assert "<script>" not in page.text  # scripts only from /static
    for asset in ("/static/client.js", "/static/audit.js", "/static/audit.css"):
        response = server.client.get(asset)
        assert response.status_code == 200
        assert "http://" not in response.text and "https://" not in response.text
    assert server.client.get("/audit/runs/%3Cscript%3E").status_code == 422


# In the browser -------------------------------------------------------------------------
@pytest.mark.slow
def test_the_dashboard_and_a_run_page_in_the_browser(
    browser: webdriver.Chrome, server: LiveServer, audited: Audited
) -> None:
    browser.get(f"{server.url}/audit")
    _log_in(browser, "ada", PASSWORDS["ada"])
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "who-role"), "auditor"))
    rows = _wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#runs tr.run-row"))
    assert len(rows) == 6
    assert browser.find_element(By.CSS_SELECTOR, '#reviewers tr[data-reviewer="cleo"]').text \
        .split() == ["cleo", "0", "0", "1", "1", "2"]

    # Filter by vendor: the two Nordlicht invoices, and the URL keeps the filter.
    browser.find_element(By.ID, "f-vendor").send_keys("nordlicht")
    browser.find_element(By.ID, "f-apply").click()
    _wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#runs tr.run-row")) == 2)
    shown = {r.get_attribute("data-thread") for r in
             browser.find_elements(By.CSS_SELECTOR, "#runs tr.run-row")}
    assert shown == {audited.clean, audited.copy} and "vendor=nordlicht" in browser.current_url
    screenshots = os.environ.get("WARDFLOW_AUDIT_SCREENSHOTS")  # a folder, for the docs
    if screenshots:
        browser.save_screenshot(f"{screenshots}/dashboard.png")

    # The run page: the graph with the path coloured by confidence.
    browser.find_element(By.CSS_SELECTOR, f'#runs tr[data-thread="{audited.copy}"] a').click()
    _visible(browser, '#diagram svg g.node[data-node="extract"]')
    classes = {g.get_attribute("data-node"): (g.get_attribute("class") or "").split()[-1]
               for g in browser.find_elements(By.CSS_SELECTOR, "#diagram svg g.node")}
    assert classes["ingest"] == classes["guard"] == "wfVisited"
    assert {classes[n] for n in ("extract", "risk", "compliance", "route", "review",
                                 "post_to_erp", "archive")} == {"wfHigh"}
    assert classes["fail"] == "wfUnvisited"
    fill = browser.find_element(By.CSS_SELECTOR, '#diagram g[data-node="extract"] rect')
    assert browser.execute_script("return getComputedStyle(arguments[0]).fill", fill) == (
        "rgb(200, 230, 201)")  # #c8e6c9, shown despite the strict CSP
    steps = browser.find_elements(By.CSS_SELECTOR, "#steps tr")
    assert [s.get_attribute("data-node") for s in steps][-3:] == ["review", "post_to_erp",
                                                                  "archive"]
    assert "carla" in browser.find_element(By.ID, "decisions").text
    assert "classDef wfHigh" in (browser.find_element(By.ID, "mermaid-source")
                                 .get_attribute("textContent") or "")
    browser.find_element(By.ID, "copy-mermaid").click()
    _wait(browser).until(lambda d: d.find_element(By.ID, "copy-result").text != "")
    if screenshots:
        browser.save_screenshot(f"{screenshots}/run.png")
    # No script error, failed request or CSP violation.
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    # A clerk signs in and is told why not.
    browser.find_element(By.ID, "logout").click()
    browser.get(f"{server.url}/audit")
    _log_in(browser, "cleo", PASSWORDS["cleo"])
    _wait(browser).until(ec.text_to_be_present_in_element(
        (By.ID, "audit-error"), "the audit dashboard is for auditors, controllers and admins"))
