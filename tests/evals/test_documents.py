"""The document eval harness: the examples through the real graph, scored against labels."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, NOW, ROOT, wardflow_cli
from wardflow.agents.calibration import default_calibration
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.evals._calibration_sets import score_with
from wardflow.evals.documents import (
    check_thresholds,
    evaluate_documents,
    load_labels,
    load_thresholds,
    reason_given,
    same,
)

EINVOICES = ROOT / "tests" / "data" / "einvoices"


def _settings(tmp: Path) -> Settings:
    return Settings(home=tmp / "unused", model="none", tracing=False,
                    max_invoice_age_days=36500)


def _labels(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "labels.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def examples_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("eval")
    home = tmp / "runs"
    return evaluate_documents(EXAMPLES, _settings(tmp), home=home, clock=lambda: NOW), home


def test_examples_metrics_match_the_ground_truth(
        examples_run: tuple[dict[str, Any], Path]) -> None:
    from wardflow.runtime.workspace import Workspace

    report, home = examples_run
    labels = _labels(EXAMPLES)
    assert report["dataset"]["documents"] == len(labels) == len(report["documents"])
    # Recount field exact matches straight from the runs' states, not from the scorer.
    by_file = {d["file"]: d for d in report["documents"]}
    with Workspace(Settings(home=home, model="none", tracing=False)) as ws:
        for name in ("vendor", "invoice_number", "invoice_date", "currency", "total", "iban"):
            right = 0
            for label in labels:
                fields = ws.state(by_file[label["file"]]["thread_id"]).values["extraction"]["fields"]
                got = fields[name]["value"]
                right += (got is None and label[name] is None) or (
                    got is not None and label[name] is not None
                    and str(got).replace(" ", "").casefold()
                    == str(label[name]).replace(" ", "").casefold())
            assert report["fields"][name]["exact_match"] == round(right / len(labels), 4), name
    # Routing: every example goes where its label says, and the counts add up.
    expected = Counter(label["expected_route"] for label in labels)
    assert report["routing"]["confusion"] == {r: {r: n} for r, n in expected.items()}
    assert report["routing"]["tp"] == expected["review"] and report["routing"]["fp"] == 0
    assert report["reasons"]["expected"] == sum(len(x["expected_reasons"]) for x in labels)
    assert report["reasons"]["recall"] == 1.0
    # The one injected document is caught, and no clean one is flagged.
    injected = [x["file"] for x in labels if "prompt_injection" in x["expected_reasons"]]
    assert report["guard"]["tp"] == len(injected) == 1 and report["guard"]["fp"] == 0
    assert [d["file"] for d in report["documents"] if d["guard_flagged"]] == injected
    # Explanations: every claim cites evidence present in the run, every decision covered.
    assert report["explanation"]["grounded"] == 1.0
    assert report["explanation"]["coverage"] == 1.0
    assert report["explanation"]["claims"] > 10 * len(labels)
    latency = report["latency_ms"]
    # The first document's warm-up is left out, and the report says so.
    assert latency["n"] == len(labels) - 1 and 0 < latency["p50"] <= latency["p95"]
    assert latency["excludes_warmup"] == 1 and latency["warmup_ms"] > 0
    assert report["cost"] == {"llm_calls": 0, "llm_tokens": 0, "usd": 0}


def test_calibration_is_reported_and_meets_its_target(
        examples_run: tuple[dict[str, Any], Path]) -> None:
    report, _ = examples_run
    calibration = report["calibration"]
    pairs = [p for d in report["documents"] for p in d["pairs"]]
    assert calibration["field"]["n"] == len(pairs) > 100
    assert sum(b["count"] for b in calibration["field"]["bins"]) == len(pairs)
    # The map shipped in the package was applied (the examples are not among the sets
    # it was fitted on); the raw scores are reported beside the calibrated ones.
    assert report["config"]["calibration"] == default_calibration().version
    assert calibration["raw_field"]["n"] == calibration["field"]["n"]
    assert calibration["field"]["ece"] < calibration["raw_field"]["ece"]
    assert calibration["document"]["ece"] < calibration["raw_document"]["ece"]
    # What the report keeps of each run applies a map exactly as the graph did.
    replayed, through = score_with(report, default_calibration()), report["straight_through"]
    assert replayed["field"] == {"n": calibration["field"]["n"],
                                 "ece": calibration["field"]["ece"]}
    assert replayed["document"] == {"n": calibration["document"]["n"],
                                    "ece": calibration["document"]["ece"]}
    assert (replayed["through"], replayed["posted"]) == (through["through"],
                                                         through["posted"]["through"])
    raw = score_with(report, None)
    assert raw["field"]["ece"] == calibration["raw_field"]["ece"]
    accuracy = sum(1 for _, right in pairs if right) / len(pairs)
    assert calibration["field"]["accuracy"] == round(accuracy, 4)
    held_out = calibration["cross_validated"]
    assert held_out["document"]["n"] == len(report["documents"])
    # The target: ECE <= 0.05 on the examples, measured on held-out documents.
    assert held_out["field"]["ece"] <= 0.05
    assert held_out["document"]["ece"] <= 0.05
    # Raw document scores are under-confident (every required field right at 0.5-0.95).
    assert calibration["raw_document"]["ece"] > held_out["document"]["ece"]


def _dataset_copy(tmp: Path) -> Path:
    folder = tmp / "dataset"
    shutil.copytree(EXAMPLES / "inbox", folder / "inbox")
    shutil.copy(EXAMPLES / "erp.json", folder / "erp.json")
    shutil.copy(EXAMPLES / "labels.jsonl", folder / "labels.jsonl")
    return folder


def test_wrong_labels_are_scored_as_misses(tmp_path: Path) -> None:
    folder = _dataset_copy(tmp_path)
    labels = _labels(folder)
    clean = next(x for x in labels if x["expected_route"] == "post")
    keep = [clean, *[x for x in labels if x["expected_route"] == "review"][:2]]
    clean["total"] = "1.00"
    clean["expected_route"] = "review"
    (folder / "labels.jsonl").write_text("".join(json.dumps(x) + "\n" for x in keep))
    report = evaluate_documents(folder, _settings(tmp_path), clock=lambda: NOW)
    row = next(d for d in report["documents"] if d["file"] == clean["file"])
    assert row["misses"]["total"]["expected"] == "1.00"
    assert report["fields"]["total"]["exact_match"] == round(2 / 3, 4)
    assert report["fields"]["total"]["fp"] == 1 and report["fields"]["total"]["fn"] == 1
    # A document labelled "review" that posted is a missed review: recall drops.
    assert report["routing"]["fn"] == 1 and report["routing"]["recall"] == 0.6667
    assert report["routing"]["confusion"]["review"] == {"post": 1, "review": 2}


def test_real_einvoices_in_the_shared_label_format(tmp_path: Path) -> None:
    labels = load_labels(EINVOICES)
    assert [x.path.parent.name for x in labels] == ["docs", "docs"]
    assert all("invoice_date" in x.fields and x.expected_route is None for x in labels)
    report = evaluate_documents(EINVOICES, _settings(tmp_path), clock=lambda: NOW)
    assert report["routing"]["documents"] == 0 and report["routing"]["recall"] is None
    for name, row in report["fields"].items():
        truth = [x.fields[name] for x in labels]
        # Every labelled value is either found (tp) or missed (fn).
        assert row["tp"] + row["fn"] == sum(v is not None for v in truth), name
    for doc, label in zip(report["documents"], labels, strict=True):
        for name, miss in doc["misses"].items():
            assert miss["expected"] == label.fields[name]
            assert not same(name, miss["got"], miss["expected"])
    assert report["fields"]["currency"]["exact_match"] == 1.0  # both EUR


def test_reason_families() -> None:
    assert reason_given("duplicate", ["arithmetic", "duplicate_invoice_number"])
    assert reason_given("arithmetic", ["arithmetic"])
    assert not reason_given("duplicate", ["duplicates"])
    assert not reason_given("ocr", [])


def test_value_comparison() -> None:
    assert same("total", "1,005.55", 1005.55) and not same("total", "1005.56", 1005.55)
    assert same("vendor", "Kraxi GmbH.", "kraxi  gmbh")
    assert same("iban", "DE29 1002 0400", "de2910020400")
    assert same("due_date", None, None) and not same("due_date", "2026-01-01", None)
    assert same("tax_rate", "19.0", 19) and not same("tax_rate", "7", 19)


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "line 1: not JSON"),
    ('{"name": "x.pdf"}', "line 1: a label is an object with a string 'file'"),
    ('{"file": "missing.pdf"}', "missing.pdf is not in"),
    ('{"file": "labels.jsonl", "expected_route": "maybe"}', "expected_route 'maybe'"),
])
def test_bad_labels_name_their_line(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "labels.jsonl").write_text(line + "\n")
    with pytest.raises(ConfigError, match=message):
        load_labels(tmp_path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_labels(tmp_path / "nowhere")


def test_thresholds(tmp_path: Path) -> None:
    report = {"fields": {"total": {"exact_match": 0.9}}, "latency_ms": {"p95": None}}
    gates = {"fields.total.exact_match": {"min": 0.95}, "fields.vendor.exact_match": {"min": 0},
             "latency_ms.p95": {"max": 100.0}}
    results = check_thresholds(report, gates)
    assert [r["passed"] for r in results] == [False, False, False]  # low, absent, unmeasured
    assert check_thresholds(report, {"fields.total.exact_match": {"min": 0.9, "max": 1}}) == [
        {"metric": "fields.total.exact_match", "value": 0.9, "min": 0.9, "passed": True},
        {"metric": "fields.total.exact_match", "value": 0.9, "max": 1.0, "passed": True}]
    shipped = load_thresholds(EXAMPLES / "eval-thresholds.yaml")
    assert shipped["routing.recall"] == {"min": 1.0}
    bad = tmp_path / "t.yaml"
    for text, message in (("- a\n- b\n", "mapping"), ("x: {least: 1}\n", "min and/or max"),
                          ("x: {min: high}\n", "numbers"), ("x: [\n", "not YAML")):
        bad.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_thresholds(bad)


def test_shipped_gates_pass_on_the_examples(examples_run: tuple[dict[str, Any], Path]) -> None:
    report, _ = examples_run
    results = check_thresholds(report, load_thresholds(EXAMPLES / "eval-thresholds.yaml"))
    assert [r["metric"] for r in results if not r["passed"]] == []


@pytest.mark.slow
def test_cli_gates_fit_calibration_and_use_it(tmp_path: Path) -> None:
    folder = _dataset_copy(tmp_path)
    home = tmp_path / "home"
    strict = tmp_path / "strict.yaml"
    strict.write_text("line_items.recall: {min: 1.0}\nrouting.recall: {min: 1}\n")
    done = wardflow_cli(home, "eval", str(folder), "--thresholds", str(strict), "--json",
                        "--fit-calibration", "isotonic", "-o", str(tmp_path / "r.json"))
    assert done.returncode == 1, done.stderr  # a few wrapped line items are not read
    report = json.loads(done.stdout)
    assert [g["passed"] for g in report["thresholds"]] == [False, True]
    assert json.loads((tmp_path / "r.json").read_text())["format"] == "wardflow-eval/1"
    version = report["fitted_calibration"]["version"]
    stored = json.loads((home / "calibration.json").read_text())
    assert stored["version"] == version and stored["fitted_on"]["documents"] == 14
    # The graph now applies it: raw scores are kept, the version is recorded.
    done = wardflow_cli(home, "process", str(folder / "inbox" / _labels(folder)[0]["file"]))
    assert done.returncode == 0, done.stderr
    from wardflow.runtime.workspace import Workspace

    with Workspace(Settings(home=home, model="none", tracing=False)) as ws:
        extraction = ws.state(ws.threads()[0]).values["extraction"]
    assert extraction["calibration"]["version"] == version
    # the run names the map it applied, with when it was fitted
    assert extraction["calibration"]["fitted_at"] == stored["fitted_on"]["fitted_at"] is not None
    from wardflow.agents.calibration import Calibration

    mapping = Calibration.load(home / "calibration.json")
    vendor = extraction["fields"]["vendor"]
    # no vendor master in this home: found by pattern, scored by its seller evidence
    raw = vendor["raw_confidence"]
    assert vendor["method"] == "pattern" and 0.6 <= raw < 0.9
    assert vendor["confidence"] == mapping(raw) != raw
    # Usage errors are clear.
    done = wardflow_cli(home, "eval", str(folder), "--fit-calibration", "magic")
    assert done.returncode == 2 and "isotonic or platt" in done.stderr
    done = wardflow_cli(home, "eval", str(tmp_path / "nowhere"))
    assert done.returncode == 1 and "cannot read" in done.stderr
