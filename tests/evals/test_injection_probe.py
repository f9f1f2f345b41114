"""data/injection-probe stays what its README says: two halves of 60 attacks and 60
benign texts in seven languages, written by compose.py from the hand-written carriers and
sentences, and never part of the classifier's training corpus (it measures the detector,
so the detector must not have learnt it). Only the data is checked, never the detector."""

from __future__ import annotations

import json
import runpy
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "data" / "injection-probe"
CORPUS = ROOT / "wardflow" / "evals" / "data" / "injection_corpus.jsonl"
LANGS = {"en": 30, "de": 5, "fr": 5, "nl": 5, "es": 5, "it": 5, "pl": 5}


def _rows(path: Path) -> list[dict]:
    # split on newlines only: texts may hold other line separators (form feeds, U+2028)
    return [json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip()]


@pytest.fixture(scope="module")
def composed() -> dict[str, list[dict]]:
    sys.path.insert(0, str(PROBE))
    try:
        compose = runpy.run_path(str(PROBE / "compose.py"))
    finally:
        sys.path.remove(str(PROBE))
    return {half: compose["_items"](half) for half in ("A", "B")}


@pytest.mark.parametrize("half", ["A", "B"])
def test_compose_writes_the_committed_half(half: str, composed: dict[str, list[dict]]) -> None:
    assert composed[half] == _rows(PROBE / f"probe_{half}.jsonl")


@pytest.mark.parametrize("half", ["A", "B"])
def test_each_half_has_its_attacks_and_benign_texts_per_language(half: str) -> None:
    rows = _rows(PROBE / f"probe_{half}.jsonl")
    for label in ("injection", "benign"):
        assert Counter(r["lang"] for r in rows if r["label"] == label) == LANGS
    assert {r["boundary"] for r in rows} == {"document"}


def test_no_probe_text_or_sentence_is_in_the_training_corpus() -> None:
    corpus = "\x00".join(row["text"] for row in _rows(CORPUS))
    for half in ("A", "B"):
        for row in _rows(PROBE / f"probe_{half}.jsonl"):
            assert row["text"] not in corpus
    sys.path.insert(0, str(PROBE))
    try:
        sentences = runpy.run_path(str(PROBE / "sentences.py"))
    finally:
        sys.path.remove(str(PROBE))
    inserted = [
        s
        for table in (sentences["ATTACKS"], sentences["BENIGN"])
        for half in table.values()
        for group in half.values()
        for _, s in group
    ]
    assert len(inserted) == 240
    assert not [s for s in inserted if s in corpus]
