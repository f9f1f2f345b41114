"""The operators' runs page in real headless Chromium: search and filter the runs,
open one, replay it with another threshold and see the difference, retry a
dead-lettered run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.web.conftest import PASSWORDS
from tests.web.test_operations import Ops, ops  # noqa: F401  (the fixture)
from tests.web.test_page import _log_in, _visible, _wait, browser  # noqa: F401

pytestmark = pytest.mark.slow


def _rows(driver: WebDriver) -> list[str]:
    # Read in one script call: the table may be re-rendered between a find and a read
    # (a stale element otherwise).
    threads = driver.execute_script(
        "return Array.from(document.querySelectorAll('#runs tr'),"
        " r => String(r.getAttribute('data-thread')));")
    return sorted(threads)


def _shows(driver: WebDriver, threads: list[str]) -> None:
    _wait(driver).until(lambda d: _rows(d) == sorted(threads))


def test_an_operator_filters_runs_replays_one_and_retries_another(
    browser: webdriver.Chrome, ops: Ops  # noqa: F811
) -> None:
    browser.get(f"{ops.url}/operations")
    _log_in(browser, "dan", PASSWORDS["dan"])
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "who-role"), "controller"))
    everything = [ops.parked, ops.over_limit, ops.bank]
    _shows(browser, everything)

    # Filter by state, then search, then reset.
    browser.find_element(By.CSS_SELECTOR, '#states input[value="dead_letter"]').click()
    _shows(browser, [ops.parked])
    browser.find_element(By.CSS_SELECTOR, '#states input[value="awaiting_review"]').click()
    _shows(browser, everything)
    browser.find_element(By.CSS_SELECTOR, '#states input[value="dead_letter"]').click()
    _shows(browser, [ops.over_limit, ops.bank])
    browser.find_element(By.ID, "q").send_keys("hansen")
    browser.find_element(By.ID, "search-apply").click()
    _shows(browser, [ops.over_limit])
    browser.find_element(By.ID, "search-reset").click()
    _shows(browser, everything)

    # Open the over-limit run: its steps, then a replay with a stricter threshold.
    browser.find_element(By.CSS_SELECTOR, f'#runs tr[data-thread="{ops.over_limit}"]').click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "run-thread"), ops.over_limit))
    steps = [s.get_attribute("data-node") for s in
             browser.find_elements(By.CSS_SELECTOR, "#steps tr")]
    assert steps[:6] == ["ingest", "guard", "extract", "risk", "compliance", "route"]
    assert not _visible(browser, "#cancel-box").find_element(By.ID, "cancel").is_enabled()
    # the strictest threshold: the run's calibrated confidence is just under 1
    browser.find_element(By.ID, "replay-threshold").send_keys("1")
    browser.find_element(By.ID, "replay").click()
    verdict = _visible(browser, "#replay-verdict")
    _wait(browser).until(lambda d: "difference(s)" in verdict.text)
    changed = browser.find_elements(By.CSS_SELECTOR, "#replay-rows tr.changed")
    assert changed and any("low_confidence" in row.text for row in changed)
    assert ops.postings() == []
    shots = os.environ.get("WARDFLOW_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(shots) / "runs-page.png"))

    # Retry the dead-lettered run once the ERP is back: posted once, however clicked.
    ops.erp.fail_next(0)
    browser.find_element(By.CSS_SELECTOR, f'#runs tr[data-thread="{ops.parked}"]').click()
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "run-thread"), ops.parked))
    retry = _visible(browser, "#retry")
    browser.execute_script("arguments[0].click(); arguments[0].click();", retry)
    _wait(browser, 60).until(ec.text_to_be_present_in_element((By.ID, "ops-notice"),
                                                              "now posted"))
    _wait(browser).until(ec.text_to_be_present_in_element((By.ID, "run-status"), "posted"))
    assert ops.postings() == ["NLS-INV-2026-0412"]
    assert len(ops.audit(ops.parked, "run.retried")) == 1
    assert browser.find_element(By.ID, "retry").is_displayed() is False
    logged = browser.get_log("browser")  # type: ignore[no-untyped-call]
    assert [e for e in logged if e["level"] == "SEVERE"] == []
