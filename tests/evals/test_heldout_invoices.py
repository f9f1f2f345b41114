"""The held-out invoice sets (data/invoices-heldout, data/invoices-heldout2) stay what
their READMEs say they are.

Only the data is checked here, never the extraction: a held-out set measures rules that
were not written while looking at it, so no test may hold a floor on what the parsers
read from it (see each README). What is checked: ``wardflow eval`` accepts the labels,
every label is in the schema of data/invoices, every file is small and from a source
listed in the README with a permissive licence, at most three files a source, no source
of the development set or of the reserved blind-evaluation sets, and no source in two
labelled sets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from wardflow.evals._labels import load_labels

ROOT = Path(__file__).resolve().parents[2] / "data"
# Each held-out set with the fewest labels it was collected with.
HELDOUT = {"invoices-heldout": 12, "invoices-heldout2": 10}
LABELLED = ("invoices", *HELDOUT)
PERMISSIVE = {
    "MIT",
    "MIT-0",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "CC0-1.0",
    "CC-BY-4.0",
}
RESERVED = (
    "invoice-x/invoice2data",
    "zugferd/corpus",
    "zugferd/mustangproject",
    "konik",
    "zugferd",
)
FORMATS = {".pdf": {"pdf_text_layer", "pdf_scanned"}, ".png": {"image_png"}, ".jpg": {"image_jpg"}}


def _rows(folder: Path) -> list[dict]:
    return [
        json.loads(line)
        for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _repo(row: dict) -> str:
    return row["source_repo"].removeprefix("https://github.com/")


@pytest.mark.parametrize("name", HELDOUT)
def test_eval_accepts_every_label_and_each_names_its_file(name: str) -> None:
    dataset = ROOT / name
    labels = load_labels(dataset)
    assert len(labels) == len(_rows(dataset)) >= HELDOUT[name]
    assert {label.path.name for label in labels} == {p.name for p in (dataset / "docs").iterdir()}


@pytest.mark.parametrize("name", HELDOUT)
def test_labels_follow_the_schema_of_the_development_set(name: str) -> None:
    keys = set(_rows(ROOT / "invoices")[0])
    for row in _rows(ROOT / name):
        assert set(row) == keys, row["file"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]), row["file"]
        # Due on the day of issue is printed on some invoices; before it, never.
        assert row["due_date"] is None or row["due_date"] >= row["date"], row["file"]
        assert row["format"] in FORMATS[Path(row["file"]).suffix], row["file"]
        assert row["document_type"] in {"invoice", "credit_note"}, row["file"]
        items = row["line_items"]
        assert items is None or all(
            set(item) == {"description", "quantity", "unit_price", "amount"} for item in items
        ), row["file"]


@pytest.mark.parametrize("name", HELDOUT)
def test_sources_are_new_permissive_listed_and_small(name: str) -> None:
    dataset = ROOT / name
    readme = (dataset / "README.md").read_text(encoding="utf-8")
    used = (ROOT / "invoices" / "README.md").read_text(encoding="utf-8")
    per_source: dict[str, int] = {}
    for row in _rows(dataset):
        repo = _repo(row)
        per_source[repo] = per_source.get(repo, 0) + 1
        assert row["license"] in PERMISSIVE, row["file"]
        assert repo in readme and row["source_commit"][:7] in readme, row["file"]
        assert repo not in used, f"{repo} is a source of data/invoices"
        assert not any(name in repo.lower() for name in RESERVED), repo
        assert (dataset / row["file"]).stat().st_size < 2 * 1024 * 1024, row["file"]
    assert max(per_source.values()) <= 3, per_source


def test_no_source_is_in_two_labelled_sets() -> None:
    seen: dict[str, str] = {}
    for name in LABELLED:
        for repo in {_repo(row).casefold() for row in _rows(ROOT / name)}:
            assert repo not in seen, f"{repo} is in {seen.get(repo)} and {name}"
            seen[repo] = name
