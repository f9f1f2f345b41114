"""data/invoices-authored and data/invoices-authored2 stay what their README says: invoices written for the project,
rebuilt by its script, with labels whose arithmetic is consistent. Only the data is
checked, never the extraction (the set measures rules not written from it)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest

from wardflow.evals._labels import load_labels

DATA = Path(__file__).resolve().parents[2] / "data"
SETS = {"invoices-authored": 12, "invoices-authored2": 7}


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
