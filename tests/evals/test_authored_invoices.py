"""data/invoices-authored, -authored2 and -authored3 stay what their READMEs say: invoices
written for the project, rebuilt by their scripts, with labels whose arithmetic is
consistent and whose format and page count are those of the file. Only the data is
checked, never the extraction (each set measures rules not written from it)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from wardflow.evals._labels import load_labels

DATA = Path(__file__).resolve().parents[2] / "data"
SETS = {"invoices-authored": 12, "invoices-authored2": 7, "invoices-authored3": 13}


def _rows(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "labels.jsonl").read_text("utf-8").splitlines()]


@pytest.mark.parametrize("name", SETS)
def test_eval_accepts_the_labels_and_each_names_its_file(name: str) -> None:
    folder = DATA / name
    labels = load_labels(folder)
    assert len(labels) == len(_rows(folder)) >= SETS[name]
    assert {label.path.name for label in labels} == {p.name for p in (folder / "docs").iterdir()}


@pytest.mark.parametrize("name", SETS)
def test_the_labels_add_up(name: str) -> None:
    for row in _rows(DATA / name):
        items = row["line_items"] or []
        assert not items or round(sum(i["amount"] for i in items), 2) == row["subtotal"]
        assert all(
            abs(i["quantity"] * i["unit_price"] - i["amount"]) < 0.005
            for i in items
            if i["quantity"] is not None
        ), row["file"]
        assert round(row["subtotal"] + (row["tax"] or 0), 2) == row["total"], row["file"]


@pytest.mark.parametrize("name", SETS)
def test_the_script_writes_these_labels(name: str) -> None:
    make = runpy.run_path(str(DATA / name / "make.py"))
    assert make["labels"]() == _rows(DATA / name)


@pytest.mark.parametrize("name", SETS)
def test_each_label_states_the_format_and_pages_of_its_file(name: str) -> None:
    for row in _rows(DATA / name):
        path = DATA / name / row["file"]
        if row["format"] == "image_png":
            with Image.open(path) as image:
                assert image.format == "PNG", row["file"]
            assert row["pages"] == 1
        else:
            assert row["format"] == "pdf_text_layer", row["file"]
            pdf = pypdfium2.PdfDocument(path)
            try:
                assert len(pdf) == row["pages"], row["file"]
                chars = [pdf[i].get_textpage().count_chars() for i in range(len(pdf))]
                assert all(n > 0 for n in chars), row["file"]
            finally:
                pdf.close()
