"""The held-out invoice set (data/invoices-heldout) stays what its README says it is.

Only the data is checked here, never the extraction: the set measures rules that were
not written while looking at it, so no test may hold a floor on what the parsers read
from it (see its README). What is checked: ``wardflow eval`` accepts the labels, every
label is in the schema of data/invoices, every file is small and from a source listed
in the README with a permissive licence, at most three files a source, and no source
of the development sets or of the reserved blind-evaluation sets.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from wardflow.evals._labels import load_labels

ROOT = Path(__file__).resolve().parents[2] / "data"
DATASET = ROOT / "invoices-heldout"
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


def test_eval_accepts_every_label_and_each_names_its_file() -> None:
    labels = load_labels(DATASET)
    assert len(labels) == len(_rows(DATASET)) >= 12
    assert {label.path.name for label in labels} == {p.name for p in (DATASET / "docs").iterdir()}


def test_labels_follow_the_schema_of_the_development_set() -> None:
    keys = set(_rows(ROOT / "invoices")[0])
    for row in _rows(DATASET):
        assert set(row) == keys, row["file"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]), row["file"]
        assert row["due_date"] is None or row["due_date"] > row["date"], row["file"]
        assert row["format"] in FORMATS[Path(row["file"]).suffix], row["file"]
        assert row["document_type"] in {"invoice", "credit_note"}, row["file"]
        items = row["line_items"]
        assert items is None or all(
            set(item) == {"description", "quantity", "unit_price", "amount"} for item in items
        ), row["file"]


def test_sources_are_new_permissive_listed_and_small() -> None:
    readme = (DATASET / "README.md").read_text(encoding="utf-8")
    used = (ROOT / "invoices" / "README.md").read_text(encoding="utf-8")
    per_source: dict[str, int] = {}
    for row in _rows(DATASET):
        repo = row["source_repo"].removeprefix("https://github.com/")
        per_source[repo] = per_source.get(repo, 0) + 1
        assert row["license"] in PERMISSIVE, row["file"]
        assert repo in readme and row["source_commit"][:7] in readme, row["file"]
        assert repo not in used, f"{repo} is a source of data/invoices"
        assert not any(name in repo.lower() for name in RESERVED), repo
        assert (DATASET / row["file"]).stat().st_size < 2 * 1024 * 1024, row["file"]
    assert max(per_source.values()) <= 3, per_source
