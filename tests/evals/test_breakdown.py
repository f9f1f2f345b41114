"""The eval's per-language and per-source breakdown, straight-through rates, the
leave-one-source-out calibration, and error rows for documents whose run raises.

Run on tests/data/einvoices/xml: real CII e-invoices from three repositories and two
synthetic UBL ones, read as standalone XML documents."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import INBOX, NOW, ROOT
from wardflow.config import Settings
from wardflow.evals._language import detect_language
from wardflow.evals.documents import CORE_FIELDS, evaluate_documents, report_table
from wardflow.tools.documents import read_document

XML = ROOT / "tests" / "data" / "einvoices" / "xml"


def _settings(tmp: Path) -> Settings:
    return Settings(home=tmp / "unused", model="none", tracing=False, max_invoice_age_days=36500)


def _labels(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (folder / "labels.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def xml_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("xml-eval")
    return evaluate_documents(XML, _settings(tmp), clock=lambda: NOW, leave_one_source_out=True)


def test_e_invoice_xml_is_read_exactly(xml_report: dict[str, Any]) -> None:
    for name in (*CORE_FIELDS, "due_date", "currency", "subtotal", "tax"):
        assert xml_report["fields"][name]["exact_match"] == 1.0, name
    items = xml_report["line_items"]
    assert items["recall"] == items["precision"] == 1.0
    assert xml_report["errors"] == []


def test_breakdown_counts_every_document_once_per_key(xml_report: dict[str, Any]) -> None:
    labels = _labels(XML)
    breakdown = xml_report["breakdown"]
    assert Counter({k: g["documents"] for k, g in breakdown["language"].items()}) == Counter(
        x["language"] for x in labels)
    # A source is the label's source, else the owner/name of its source_repo URL.
    sources = Counter(x.get("source") or "/".join(x["source_repo"].split("/")[3:5])
                      for x in labels)
    assert {k: g["documents"] for k, g in breakdown["source"].items()} == dict(sources)
    for group in breakdown["source"].values():
        assert group["core_exact"] == 1.0 and group["errors"] == 0


def test_straight_through_is_recounted_from_the_rows(xml_report: dict[str, Any]) -> None:
    docs = xml_report["documents"]
    through = xml_report["straight_through"]
    confident = [d for d in docs if d["confidence"] >= through["threshold"]]
    assert through["through"] == len(confident)
    assert through["rate"] == round(len(confident) / len(docs), 4)
    assert through["error_rate"] == round(
        sum(1 for d in confident if not d["core_right"]) / len(confident), 4)
    # No vendor master in this dataset: nothing is posted without a human.
    assert through["posted"]["through"] == 0


def test_leave_one_source_out_never_fits_on_the_held_out_source(
        xml_report: dict[str, Any]) -> None:
    loso = xml_report["leave_one_source_out"]
    pairs = Counter()
    for doc in xml_report["documents"]:
        pairs[doc["source"]] += len(doc["raw_pairs"])
    assert set(loso["held_out"]) == set(pairs)
    for source, held in loso["held_out"].items():
        assert held["fitted_on_pairs"] == sum(pairs.values()) - pairs[source], source
        assert held["field"]["n"] == pairs[source]
    assert loso["pooled"]["field"]["n"] == sum(pairs.values())


def test_the_table_shows_the_breakdown(xml_report: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console(width=220, record=True)
    console.print(report_table(xml_report))
    text = console.export_text()
    assert "Per language" in text and "Per source" in text
    assert "left one source out" in text and "wardflow synthetic" in text


def test_a_document_that_raises_is_an_error_row_and_the_eval_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "dataset"
    folder.mkdir()
    labels = _labels(XML)[:2]
    for label in labels:
        shutil.copy(XML / label["file"], folder / label["file"])
    labels[0]["line_items"] = 5  # the scorer cannot compare this: it raises
    (folder / "labels.jsonl").write_text("".join(json.dumps(x) + "\n" for x in labels))

    report = evaluate_documents(folder, _settings(tmp_path), clock=lambda: NOW)

    [error] = report["errors"]
    assert error["file"] == labels[0]["file"] and error["error"].startswith("TypeError: ")
    assert report["fields"]["total"]["n"] == 1  # the other document was scored
    assert report["breakdown"]["source"][report["documents"][1]["source"]]["errors"] == 0


@pytest.mark.parametrize(("name", "language"), [
    ("2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf", "en"),
    ("2026-09-03_brandt-buerobedarf_Rechnung_RE-2026-10873.pdf", "de"),
    ("2026-10-07_lumiere-traduction_Facture_F2026-0917.pdf", "fr"),
])
def test_language_is_told_from_the_text(name: str, language: str) -> None:
    assert detect_language(read_document((INBOX / name).read_bytes(), name).text) == language


def test_too_little_text_is_undetermined() -> None:
    assert detect_language("INV-0001 2026-01-01 EUR 100.00") == "und"
