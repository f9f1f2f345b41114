"""data/invoices-authored stays what its README says: invoices written for the project,
rebuilt by its script, with labels whose arithmetic is consistent. Only the data is
checked, never the extraction (the set measures rules not written from it)."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

from wardflow.evals._labels import load_labels

SET = Path(__file__).resolve().parents[2] / "data" / "invoices-authored"


def _rows(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "labels.jsonl").read_text("utf-8").splitlines()]


def test_eval_accepts_the_labels_and_each_names_its_file() -> None:
    labels = load_labels(SET)
    assert len(labels) == len(_rows(SET)) >= 12
    assert {label.path.name for label in labels} == {p.name for p in (SET / "docs").iterdir()}


def test_the_labels_add_up() -> None:
    for row in _rows(SET):
        items = row["line_items"]
        assert round(sum(i["amount"] for i in items), 2) == row["subtotal"], row["file"]
        assert all(abs(i["quantity"] * i["unit_price"] - i["amount"]) < 0.005 for i in items)
        assert round(row["subtotal"] + (row["tax"] or 0), 2) == row["total"], row["file"]


def test_the_script_writes_these_labels() -> None:
    make = runpy.run_path(str(SET / "make.py"))
    assert make["labels"]() == _rows(SET)
