"""The eval report's HTML page and the side-by-side comparison, on a real eval run."""

from __future__ import annotations

import copy
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from selenium import webdriver
from selenium.webdriver.common.by import By

from tests.conftest import EXAMPLES, INBOX, NOW
from tests.web.test_page import browser  # noqa: F401  (the page tests' headless Chromium)
from wardflow.config import Settings
from wardflow.evals.documents import evaluate_documents
from wardflow.evals.report import (
    ECE_TARGET,
    HEADLINE,
    compare_reports,
    compare_table,
    lookup,
    render_html,
)

# HTML elements that have no end tag.
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})
# SVG elements written self-closed (<rect .../>), which html.parser reports as start+end.
DIAGRAMS = ("raw_field", "field", "cross_validated.field", "raw_document", "document",
            "cross_validated.document")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The examples through the real graph, parsers only; all but the scanned image,
    whose OCR alone takes seconds."""
    tmp = tmp_path_factory.mktemp("eval")
    dataset = tmp / "examples"
    (dataset / "inbox").mkdir(parents=True)
    shutil.copy(EXAMPLES / "erp.json", dataset)
    lines = [line for line in (EXAMPLES / "labels.jsonl").read_text().splitlines()
             if line.strip() and not json.loads(line)["file"].endswith(".png")]
    for line in lines:
        shutil.copy(INBOX / json.loads(line)["file"], dataset / "inbox")
    (dataset / "labels.jsonl").write_text("\n".join(lines) + "\n")
    settings = Settings(home=tmp / "unused", model="none", tracing=False,
                        max_invoice_age_days=36500)
    return evaluate_documents(dataset, settings, clock=lambda: NOW)


class Page(HTMLParser):
    """The parsed page: every element with its attributes and the text inside it,
    checking that each element is closed in order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[tuple[str, list[str]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()
        assert not self.open, f"unclosed: {[tag for tag, _ in self.open]}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        body: list[str] = []
        self.elements.append((tag, {k: v or "" for k, v in attrs}, body))
        if tag not in VOID:
            self.open.append((tag, body))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        for _, body in self.open:
            body.append(data)

    def find(self, tag: str, cls: str | None = None) -> list[tuple[dict[str, str], str]]:
        return [(attrs, "".join(body)) for name, attrs, body in self.elements
                if name == tag and (cls is None or cls in attrs.get("class", "").split())]

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def _reliability(page: Page) -> dict[str, list[dict[str, str]]]:
    """Each reliability diagram's bars, by its label, in page order."""
    diagrams: dict[str, list[dict[str, str]]] = {}
    current: list[dict[str, str]] | None = None
    for name, attrs, _ in page.elements:
        if name == "svg":
            current = (diagrams.setdefault(attrs["aria-label"], [])
                       if "reliability" in attrs.get("class", "") else None)
        elif name == "rect" and current is not None and attrs.get("class") == "bin":
            current.append(attrs)
    return diagrams


def test_the_page_is_self_contained_and_well_formed(report: dict[str, Any]) -> None:
    text = render_html(report, generated=NOW)
    page = Page(text)
    assert not page.find("script") and "<script" not in text.lower()
    assert not page.find("link") and not page.find("img") and not page.find("iframe")
    for tag, attrs, _ in page.elements:
        for name in ("src", "href", "xlink:href", "action"):
            assert name not in attrs, f"<{tag} {name}=...> loads from elsewhere"
    assert not re.search(r"url\(|@import|https?://", text), "the page refers to the network"
    assert [name for name, _, _ in page.elements][:4] == ["html", "head", "meta", "title"]
    words = page.all_text
    for name in report["fields"]:
        assert name in words
    assert report["created"] in words  # the run's date, not the render's
    assert f"model {report['config']['model']}" in words


def test_the_page_shows_every_metric_the_report_has(report: dict[str, Any]) -> None:
    page = Page(render_html(report, generated=NOW))
    words = page.all_text
    assert {a["id"] for a, _ in page.find("section")} == {
        "fields", "routing", "reasons", "guard", "explanation", "calibration", "latency",
        "cost", "documents"}
    eces = [lookup(report, f"calibration.{d}.ece") for d in DIAGRAMS]
    eces += [spec["ece"] for spec in report["calibration"]["per_field"].values()]
    assert len(eces) > 10
    shown = {body for _, body in page.find("span", "ece")} | {
        body for _, body in page.find("td", "num")}
    for ece in eces:
        assert f"{ece:.4f}" in shown
    fields = report["fields"]["vendor_tax_id"]
    assert f"{fields['exact_match'] * 100:.1f} %" in words
    assert f"{report['latency_ms']['p95']:,.1f} ms" in words
    # One row per document, and the documents routed differently from their label marked.
    rows = page.find("tr", "wrong")
    wrong = [d for d in report["documents"]
             if d.get("expected_route") and d["route"] != d["expected_route"]]
    assert len(rows) == len(wrong)
    assert len(page.find("table", "documents")) == 1
    for doc in report["documents"]:
        assert doc["file"] in words
    # The confusion matrix adds up to the documents with an expected route.
    cells = [int(b) for a, b in page.find("td") if {"diag", "off"} & set(a.get("class", "").split())]
    assert sum(cells) == report["routing"]["documents"] > 0


def test_reliability_diagrams_have_one_bar_per_non_empty_bin(report: dict[str, Any]) -> None:
    page = Page(render_html(report))
    diagrams = _reliability(page)
    assert len(diagrams) == len(DIAGRAMS) == len(page.find("svg", "reliability"))
    for (label, bars), path in zip(diagrams.items(), DIAGRAMS, strict=True):
        bins = [b for b in lookup(report, f"calibration.{path}.bins") if b["count"]]
        assert bins, path
        assert len(bars) == len(bins), label
        assert [int(b["data-count"]) for b in bars] == [b["count"] for b in bins]
        for bar, row in zip(bars, bins, strict=True):
            # Bars stand on a 190-unit axis: their height is the bin's accuracy.
            assert float(bar["height"]) == pytest.approx(max(1.0, 190 * row["accuracy"]),
                                                         abs=0.1)
    assert len(page.find("line", "diag")) == len(DIAGRAMS)


def test_ece_is_marked_against_its_target(report: dict[str, Any]) -> None:
    changed = copy.deepcopy(report)
    changed["calibration"]["raw_field"]["ece"] = 0.2
    changed["calibration"]["field"]["ece"] = ECE_TARGET
    page = Page(render_html(changed))
    captions = [body for _, body in page.find("figcaption")]
    raw, calibrated = captions[0], captions[1]
    assert "raw" in raw and "0.2000" in raw and "fail" in raw and "pass" not in raw
    assert "calibrated" in calibrated and "0.0500" in calibrated and "pass" in calibrated


def test_values_from_documents_are_escaped(report: dict[str, Any]) -> None:
    hostile = copy.deepcopy(report)
    name = '<script>alert("x")</script>.pdf'
    value = '"><img src=x onerror=alert(1)>'
    hostile["documents"][0]["file"] = name
    hostile["documents"][0]["misses"] = {"vendor": {"expected": "A&B", "got": value,
                                                    "confidence": 0.5}}
    hostile["dataset"]["path"] = "</title><script>x</script>"
    text = render_html(hostile, title="<b>evil</b>")
    page = Page(text)
    assert not page.find("script") and not page.find("img")
    assert [body for _, body in page.find("h1")] == ["<b>evil</b>"]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.pdf" in text
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in text
    words = page.all_text
    assert name in words and value in words and "A&B" in words and "<b>evil</b>" in words


def _worse_baseline(report: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """The same run, made worse: lower total exact match, higher ECE, faster p50; one
    document routed to post against its label, another with an extra miss."""
    baseline = copy.deepcopy(report)
    baseline["config"]["model"] = "ollama/shadow-model"
    baseline["fields"]["total"]["exact_match"] = report["fields"]["total"]["exact_match"] - 0.25
    baseline["calibration"]["field"]["ece"] = report["calibration"]["field"]["ece"] + 0.1
    baseline["latency_ms"]["p50"] = report["latency_ms"]["p50"] / 2
    review = next(d for d in baseline["documents"]
                  if d["expected_route"] == "review" and d["route"] == "review")
    review["route"] = "post"
    missed = next(d for d in baseline["documents"] if not d["misses"] and d is not review)
    missed["misses"] = {"total": {"expected": "1.00", "got": "7.00", "confidence": 0.9}}
    return baseline, review["file"], missed["file"]


def test_compare_reports_says_which_way_each_metric_moved(report: dict[str, Any]) -> None:
    baseline, rerouted, fixed = _worse_baseline(report)
    diff = compare_reports(report, baseline)
    rows = {r["metric"]: r for r in diff["metrics"]}
    assert [r["metric"] for r in diff["metrics"]] == [path for path, _ in HEADLINE]
    total = rows["fields.total.exact_match"]
    assert total["delta"] == pytest.approx(0.25) and total["better"] is True
    ece = rows["calibration.field.ece"]
    assert ece["direction"] == "lower"
    assert ece["delta"] == pytest.approx(-0.1) and ece["better"] is True
    p50 = rows["latency_ms.p50"]
    assert p50["delta"] > 0 and p50["better"] is False
    assert rows["routing.recall"]["delta"] == 0 and rows["routing.recall"]["better"] is None
    assert diff["same_dataset"] is True
    assert diff["baseline"]["model"] == "ollama/shadow-model"
    changes = {c["file"]: c for c in diff["documents"]}
    assert set(changes) == {rerouted, fixed}
    assert changes[rerouted]["baseline_route"] == "post"
    assert changes[rerouted]["route"] == "review" and changes[rerouted]["better"] is True
    assert changes[fixed]["fixed"] == ["total"] and changes[fixed]["better"] is True
    # The other way round, the same changes are regressions.
    back = compare_reports(baseline, report)
    assert {r["metric"]: r["better"] for r in back["metrics"]}["fields.total.exact_match"] is False
    assert {c["file"]: c["better"] for c in back["documents"]} == {rerouted: False, fixed: False}
    assert next(c for c in back["documents"] if c["file"] == fixed)["broken"] == ["total"]


def test_every_headline_metric_is_in_a_real_report(report: dict[str, Any]) -> None:
    for path, way in HEADLINE:
        value = lookup(report, path)
        assert isinstance(value, int | float), path
        assert way == ("lower" if path.endswith(("ece", "p50", "p95", "usd", "tokens",
                                                 "false_positive_rate")) else "higher")
    assert compare_reports(report, report)["documents"] == []


def test_the_page_shows_the_baseline_side_by_side(report: dict[str, Any]) -> None:
    baseline, rerouted, fixed = _worse_baseline(report)
    page = Page(render_html(report, baseline=baseline))
    assert page.find("section")[0][0]["id"] == "comparison"
    words = page.all_text
    assert "ollama/shadow-model" in words
    assert "+25.0 pp" in {body for _, body in page.find("td", "better")}
    assert "-0.1000" in {body for _, body in page.find("td", "better")}
    worse = {body for _, body in page.find("td", "worse")}
    assert any(body.startswith("+") and body.endswith(" ms") for body in worse)
    changed = [body for _, body in page.find("tr", "better")]
    assert any(rerouted in row and "post" in row and "review" in row for row in changed)
    assert any(fixed in row and "total" in row for row in changed)
    # The documents table gains the baseline's route, marked where it differs.
    assert ["post"] == [body for _, body in page.find("td", "changed")]
    assert any("fixed since the baseline" in body for _, body in page.find("li", "fixed"))
    # Every metric cell of the fields table has its baseline and delta.
    heads = [body for _, body in page.find("th")]
    assert heads.count("baseline") >= 3 and heads.count("Δ") >= 3


def test_compare_table_for_the_terminal(report: dict[str, Any]) -> None:
    baseline, rerouted, _ = _worse_baseline(report)
    console = Console(width=200, record=True, color_system="truecolor")
    console.print(compare_table(compare_reports(report, baseline)))
    text = console.export_text(clear=False)
    coloured = console.export_text(styles=True)
    assert "against baseline ollama/shadow-model" in text
    line = next(row for row in text.splitlines() if "fields.total.exact_match" in row)
    assert "+25.0 pp" in line
    assert rerouted in text
    assert "\x1b[32m+25.0 pp" in coloured  # green: better
    assert re.search(r"\x1b\[31m\+[0-9.,]+ ms", coloured)  # red: p50 got slower


@pytest.mark.slow
def test_the_page_renders_in_chromium(report: dict[str, Any], tmp_path: Path,
                                      browser: webdriver.Chrome) -> None:  # noqa: F811
    page = tmp_path / "report.html"
    baseline, _, _ = _worse_baseline(report)
    page.write_text(render_html(report, baseline=baseline), encoding="utf-8")
    browser.get(page.as_uri())
    diagrams = browser.find_elements(By.CSS_SELECTOR, "svg.reliability")
    assert len(diagrams) == len(DIAGRAMS)
    for svg in diagrams:
        assert svg.size["width"] > 200 and svg.size["height"] > 200
        bars = svg.find_elements(By.CSS_SELECTOR, "rect.bin")
        assert bars and all(b.size["height"] > 0 and b.size["width"] > 0 for b in bars)
    latency = browser.find_element(By.CSS_SELECTOR, "svg.latency")
    assert latency.size["width"] > 300
    assert browser.find_element(By.ID, "documents").is_displayed()
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_the_page_shows_the_quality_gates_and_reds_only_a_failed_gate(
        report: dict[str, Any]) -> None:
    from wardflow.evals.documents import check_thresholds

    gated = copy.deepcopy(report)
    [name, *_] = gated["calibration"]["per_field"]
    gated["calibration"]["per_field"][name]["ece"] = 0.3  # above target, not gated
    gated["thresholds"] = check_thresholds(gated, {"routing.accuracy": {"min": 0.5}})
    assert all(g["passed"] for g in gated["thresholds"])
    page = Page(render_html(gated, generated=NOW))
    [(_, gates)] = [(a, b) for a, b in page.find("section") if a.get("id") == "gates"]
    assert "routing.accuracy" in gates and "all passed" in gates
    ece_rows = "".join(body for _, body in page.find("table", "ece"))
    assert "not gated" in ece_rows
    assert not [body for _, body in page.find("span", "fail")]  # no red while gates pass

    gated["thresholds"] = check_thresholds(
        gated, {f"calibration.per_field.{name}.ece": {"max": 0.1}})
    page = Page(render_html(gated, generated=NOW))
    failed = " ".join(body for _, body in page.find("span", "fail"))
    assert "gate failed" in failed and "1 failed" in failed
