"""The review page in real headless Chromium: log in, open a case, ask, approve."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from tests.conftest import INBOX
from tests.web.conftest import PASSWORDS, Cases, LiveServer
from wardflow.runtime.workspace import Workspace

pytestmark = pytest.mark.slow

CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = ("/usr/bin/chromedriver", "chromedriver")
# The network is closed: without these flags Chromium tries to reach Google's services.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1440,1100")


def _find(candidates: tuple[str, ...]) -> str:
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail(f"{candidates[0]} is missing; the page test needs Chromium and its driver:"
                " apt-get install -y chromium chromium-driver")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = _find(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(_find(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver: WebDriver, timeout: float = 30) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, timeout)


def _visible(driver: WebDriver, css: str) -> WebElement:
    element: WebElement = _wait(driver).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, css)))
    return element


def _log_in(driver: WebDriver, name: str, password: str) -> None:
    for field, text in (("login-name", name), ("login-password", password)):
        _visible(driver, f"#{field}").clear()
        driver.find_element(By.ID, field).send_keys(text)
    driver.find_element(By.ID, "login-submit").click()


def test_a_controller_reviews_and_approves_in_the_browser(
    browser: webdriver.Chrome, server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    browser.get(server.url)
    _log_in(browser, "dan", "not his password")
    _wait(browser).until(ec.text_to_be_present_in_element(
        (By.ID, "login-error"), "unknown principal or wrong password"))
    _log_in(browser, "dan", PASSWORDS["dan"])
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "who-role"), "controller"))
    browser.get_log("browser")  # drop the failed login's 401 from the console log

    # The inbox, riskiest first; open the bank-change case.
    items = _wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".case-item"))
    assert [i.get_attribute("data-thread") for i in items] == [cases.copy, cases.bank]
    browser.find_element(By.CSS_SELECTOR, f'.case-item[data-thread="{cases.bank}"]').click()
    _wait(browser).until(ec.text_to_be_present_in_element(
        (By.ID, "case-title"), "Van der Berg Logistics"))
    assert "bank_details_changed" in browser.find_element(By.ID, "case-reasons").text

    # The document text with the evidence of each field highlighted.
    marks = browser.find_elements(By.CSS_SELECTOR, "#doc-text mark")
    iban = next(m for m in marks if "iban" in (m.get_attribute("data-fields") or "").split())
    assert iban.text.replace(" ", "") == workspace.pending(cases.bank).fields["iban"]["value"]
    browser.find_element(By.CSS_SELECTOR, '#fields tr[data-field="iban"]').click()
    _wait(browser).until(lambda d: "on" in (iban.get_attribute("class") or ""))

    # Ask in the chat; the answer streams in.
    chat = browser.find_element(By.ID, "chat-input")
    chat.send_keys("why was this flagged?")
    browser.find_element(By.ID, "chat-send").click()
    answer = _visible(browser, ".chat-msg.bot[data-done='true']")
    assert "bank_details_changed" in answer.text and "streaming" not in (
        answer.get_attribute("class") or "")
    # For the docs: WARDFLOW_WEB_SCREENSHOT=path saves the page as a reviewer sees it.
    screenshot = os.environ.get("WARDFLOW_WEB_SCREENSHOT")
    if screenshot:
        browser.save_screenshot(screenshot)

    # The original, rendered page by page.
    browser.find_element(By.ID, "tab-original").click()
    page = _visible(browser, "#doc-original img")
    _wait(browser).until(lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", page) > 500)

    # Approve: a confirmation shows what will be posted; cancelling posts nothing.
    browser.find_element(By.ID, "approve").click()
    dialog = _visible(browser, "#confirm")
    request = workspace.pending(cases.bank)
    shown = {dt.text: dd.text for dt, dd in zip(
        dialog.find_elements(By.CSS_SELECTOR, "dt"), dialog.find_elements(By.CSS_SELECTOR, "dd"),
        strict=True)}
    args = request.proposed_action.args or {}
    assert shown["Proposal hash"] == request.proposed_action.args_hash
    assert shown["Amount"] == f"{args['currency']} {args['total']}"
    assert shown["IBAN"].replace(" ", "") == args["iban"]
    assert shown["Vendor"].startswith("Van der Berg Logistics")
    assert "required" in browser.find_element(By.ID, "comment-need").text  # high risk
    browser.find_element(By.ID, "confirm-cancel").click()
    _wait(browser).until_not(ec.visibility_of_element_located((By.ID, "confirm")))
    assert workspace.status(cases.bank)[0].waiting_for_review
    # Confirmed without the required comment: the page asks for it, nothing is sent.
    browser.find_element(By.ID, "approve").click()
    _visible(browser, "#confirm-ok").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "confirm-error"),
                                                          "A comment is required"))
    assert workspace.status(cases.bank)[0].waiting_for_review
    browser.find_element(By.ID, "confirm-comment").send_keys("new account confirmed by phone")
    shot = os.environ.get("WARDFLOW_SCREENSHOTS")
    if shot:  # for the docs: WARDFLOW_SCREENSHOTS=docs writes docs/review-decision.png
        browser.save_screenshot(str(Path(shot) / "review-decision.png"))
    browser.find_element(By.ID, "confirm-ok").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "notice"), "is now posted"))
    _wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".case-item")) == 1)
    remaining = browser.find_element(By.CSS_SELECTOR, ".case-item")
    assert remaining.get_attribute("data-thread") == cases.copy
    posted = [p for p in workspace.erp.postings() if p.invoice_number == "VDB-26-08841"]
    assert [(p.approved_by, p.currency) for p in posted] == [("dan", "EUR")]
    [record] = [r for r in workspace.audit.records(cases.bank) if r.action == "review.decision"]
    assert record.payload["comment"] == "new account confirmed by phone"
    # No script error or failed request since the login.
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


INJECTION = "2026-11-05_sternberg-it_SIT-2026-0661.pdf"


def test_a_flagged_case_is_red_with_its_passage_marked_in_the_text_and_on_the_page(
    browser: webdriver.Chrome, server: LiveServer, cases: Cases, workspace: Workspace
) -> None:
    [run] = list(workspace.process([INBOX / INJECTION], submitted_by="sam"))
    thread = run.thread_id
    browser.get(server.url)
    _log_in(browser, "carla", PASSWORDS["carla"])
    item = _visible(browser, f'.case-item[data-thread="{thread}"]')
    # Risk 0.00, and still red: the status is not the risk score.
    assert item.find_element(By.CSS_SELECTOR, ".case-level").get_attribute("data-level") == "flagged"
    assert item.find_element(By.CSS_SELECTOR, ".risk").text == "risk 0.00"
    item.click()
    badge = _visible(browser, "#case-status .case-level")
    assert badge.text.lower() == "flagged"
    assert _rgb(badge.value_of_css_property("background-color"))[0] > 150  # red
    assert "guard: prompt_injection" in browser.find_element(By.ID, "case-status-why").text

    # The passage the guard flagged is marked in the text, and the reason links to it.
    marked = browser.find_elements(By.CSS_SELECTOR, "#doc-text mark.passage")
    assert "ignore previous instructions" in " ".join(m.text for m in marked)
    browser.find_element(By.CSS_SELECTOR, ".passage-link[data-passage='1']").click()
    _wait(browser).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#doc-text mark.passage.on"))
    shot = os.environ.get("WARDFLOW_SCREENSHOTS")
    if shot:  # for the docs: WARDFLOW_SCREENSHOTS=docs writes docs/review-flagged.png
        _wait(browser).until(lambda d: d.execute_script(  # the smooth scroll has settled
            "const b = document.getElementById('doc-text'), m = arguments[0];"
            " return Math.abs(b.scrollTop - (m.offsetTop - b.clientHeight / 2)) < 30"
            " || b.scrollTop + b.clientHeight >= b.scrollHeight - 2", marked[0]))
        browser.save_screenshot(str(Path(shot) / "review-flagged.png"))

    # The original: the passage boxed on the page image; zoom in and out.
    browser.find_element(By.ID, "tab-original").click()
    page = _visible(browser, "#doc-original .page img")
    _wait(browser).until(lambda d: d.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", page) > 500)
    box = browser.find_element(By.CSS_SELECTOR, '#doc-original .box.passage[data-key="passage:1"]')
    assert box.is_displayed() and box.size["width"] > 20
    width = page.size["width"]
    browser.find_element(By.ID, "zoom-in").click()
    browser.find_element(By.ID, "zoom-in").click()
    _wait(browser).until(lambda d: page.size["width"] >= 1.9 * width)
    assert browser.find_element(By.ID, "zoom-level").text == "200%"
    browser.find_element(By.ID, "zoom-out").click()
    _wait(browser).until(lambda d: page.size["width"] < 1.6 * width)
    # Every field's evidence box can be shown; one field's on a click on its row.
    fields = browser.find_elements(By.CSS_SELECTOR, "#doc-original .box.field")
    assert fields and not any(f.is_displayed() for f in fields)
    browser.find_element(By.CSS_SELECTOR, '#fields tr[data-field="iban"]').click()
    iban = browser.find_element(By.CSS_SELECTOR, '#doc-original .box.field[data-key="field:iban"]')
    _wait(browser).until(lambda d: iban.is_displayed())
    browser.find_element(By.ID, "show-boxes").click()
    _wait(browser).until(lambda d: all(f.is_displayed() for f in fields))
    browser.find_element(By.ID, "show-boxes").click()
    browser.find_element(By.ID, "zoom-out").click()

    # "approve" typed in the chat opens the same confirmation; cancelling posts nothing.
    browser.find_element(By.ID, "chat-input").send_keys("approve")
    browser.find_element(By.ID, "chat-send").click()
    _visible(browser, "#confirm")
    assert browser.find_element(By.CSS_SELECTOR, 'dd[data-what="status"]').text.startswith(
        "flagged")
    browser.find_element(By.ID, "confirm-cancel").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "chat-log"), "Cancelled"))
    assert workspace.status(thread)[0].waiting_for_review

    # Edit: the same confirmation, with the field and its new value; it posts nothing.
    browser.find_element(By.ID, "edit").click()
    _visible(browser, "#confirm-edit")
    Select(browser.find_element(By.ID, "edit-field")).select_by_value("invoice_number")
    browser.find_element(By.ID, "edit-value").send_keys("SIT-2026-0661-A")
    browser.find_element(By.ID, "confirm-ok").click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "case-reasons"),
                                                          "reviewer_correction"))
    case = workspace.pending(thread)
    assert case.fields["invoice_number"]["value"] == "SIT-2026-0661-A" and case.editors == ["carla"]
    assert not [p for p in workspace.erp.postings() if p.invoice_number.startswith("SIT-")]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(part) for part in css[css.index("(") + 1:css.index(")")].split(",")[:3])
