"""data/injection-probe stays what its README says: halves A and B of 60 attacks and 60
benign documents in seven languages, half C with as many documents plus 40 attacks and 40
benign operator prompts, all written by compose.py from the hand-written carriers and
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
PROMPT_LANGS = {"en": 20, "de": 4, "fr": 4, "nl": 3, "es": 3, "it": 3, "pl": 3}
HALVES = ("A", "B", "C")


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
    return {half: compose["_items"](half) for half in HALVES}


def _sentences(module: str) -> dict[str, list[str]]:
    """Every inserted sentence of a sentences module, per table name."""
    sys.path.insert(0, str(PROBE))
    try:
        tables = runpy.run_path(str(PROBE / module))
    finally:
        sys.path.remove(str(PROBE))
    out: dict[str, list[str]] = {}
    for name, table in tables.items():
        if name.isupper() and isinstance(table, dict):
            groups = (
                table.values()
                if module == "sentences_c.py"
                else [group for half in table.values() for group in half.values()]
            )
            out[name] = [s for group in groups for _, s in group]
    return out


@pytest.mark.parametrize("half", HALVES)
def test_compose_writes_the_committed_half(half: str, composed: dict[str, list[dict]]) -> None:
    assert composed[half] == _rows(PROBE / f"probe_{half}.jsonl")


@pytest.mark.parametrize("half", ["A", "B"])
def test_each_half_has_its_attacks_and_benign_texts_per_language(half: str) -> None:
    rows = _rows(PROBE / f"probe_{half}.jsonl")
    for label in ("injection", "benign"):
        assert Counter(r["lang"] for r in rows if r["label"] == label) == LANGS
    assert {r["boundary"] for r in rows} == {"document"}


def test_half_c_has_documents_and_prompts_per_language() -> None:
    rows = _rows(PROBE / "probe_C.jsonl")
    for boundary, langs in (("document", LANGS), ("prompt", PROMPT_LANGS)):
        for label in ("injection", "benign"):
            assert (
                Counter(
                    r["lang"] for r in rows if r["label"] == label and r["boundary"] == boundary
                )
                == langs
            )
    assert {r["source"] for r in rows} == {"probe-C"}
    assert all(r["split"] == r["lang"] for r in rows)
    assert {r["style"] for r in rows if r["boundary"] == "prompt"} == {"prompt"}
    assert len({r["text"] for r in rows}) == len(rows) == 200


def test_half_c_is_written_afresh_not_taken_from_a_or_b() -> None:
    earlier = "\x00".join(r["text"] for half in "AB" for r in _rows(PROBE / f"probe_{half}.jsonl"))
    fresh = [s for group in _sentences("sentences_c.py").values() for s in group]
    assert len(fresh) == 200
    assert not [s for s in fresh if s in earlier]


def test_no_probe_text_or_sentence_is_in_the_training_corpus() -> None:
    corpus = "\x00".join(row["text"] for row in _rows(CORPUS))
    for half in HALVES:
        for row in _rows(PROBE / f"probe_{half}.jsonl"):
            assert row["text"] not in corpus
    ab = [s for group in _sentences("sentences.py").values() for s in group]
    c = [s for group in _sentences("sentences_c.py").values() for s in group]
    assert (len(ab), len(c)) == (240, 200)
    assert not [s for s in ab + c if s in corpus]
