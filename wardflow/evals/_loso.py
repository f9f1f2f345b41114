"""The folds of ``wardflow eval guardrails --loso``: the embedded injection classifier
the settings select, trained without the held-out source.

Two detectors, as ``WARDFLOW_INJECTION_HEAD`` selects them
(:func:`~wardflow.guardrails.minilm_head.injection_model_from_settings`):

* ``ngram``: the n-gram model alone, its thresholds chosen out of fold on the fold's
  training sources (``select_threshold(..., folds=inner_folds)``);
* ``cascade`` (the default install): the n-gram model with the MiniLM head on its
  uncertain band (:class:`~wardflow.guardrails.minilm_head.CascadeModel`), trained the
  way ``train_classifier head`` trains the shipped one, on the fold's training sources
  only: the n-gram cuts, the stacker's weights and the cascade's cuts all come from
  out-of-fold scores of those sources (``inner_folds`` source groups).

The band of a fold is centred on that fold's own n-gram cut. The shipped head's band is
centred on the bundled thresholds (chosen one source at a time on the whole corpus),
so a fold's cascade is the shipped recipe, not the shipped weights.

The head needs each sentence's MiniLM embedding: :class:`EmbeddingCache` computes them
once per run (about 8,600 distinct sentences on the bundled corpus: 10 to 15 minutes
on a small CPU) or reads them from a ``.npz`` kept between runs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from wardflow.errors import ConfigError

if TYPE_CHECKING:
    from wardflow.config import Settings
    from wardflow.guardrails.injection_model import InjectionModel
    from wardflow.guardrails.minilm_head import CascadeModel
    from wardflow.tools.embedding import Embedder

__all__ = [
    "DETECTORS",
    "Detector",
    "EmbeddingCache",
    "cascade_fold",
    "default_detector",
    "detector_from_settings",
    "ngram_fold",
]

Detector = Literal["ngram", "cascade"]
DETECTORS: tuple[Detector, ...] = ("ngram", "cascade")
BAND_NOTE = (
    "each fold's band is centred on that fold's own out-of-fold n-gram cut; the"
    " shipped head's band is centred on the bundled thresholds"
)


def default_detector() -> Detector:
    """What the default install runs (``injection_head = "auto"``): the cascade when the
    MiniLM package is installed, else the n-gram model."""
    from wardflow.tools.embedding import minilm_available

    return "cascade" if minilm_available() else "ngram"


def detector_from_settings(settings: Settings) -> Detector:
    """The detector ``settings.injection_head`` selects (``off``: ``ngram``; ``minilm``:
    ``cascade``; ``auto``: :func:`default_detector`).

    Raises:
        ConfigError: ``minilm`` without the MiniLM package (the message says what to
            install).
    """
    if settings.injection_head == "off":
        return "ngram"
    if settings.injection_head == "minilm":
        from wardflow.tools.embedding import MiniLmEmbedding

        MiniLmEmbedding()  # raises the ConfigError that says what to install
        return "cascade"
    return default_detector()


class EmbeddingCache:
    """Sentence embeddings kept in memory and, with ``path``, in a ``.npz`` of
    ``texts`` and ``vecs`` (read when it exists; :meth:`save` writes it back when texts
    were added). An :class:`~wardflow.tools.embedding.Embedder` itself, so a fold's
    cascade embeds through it.

    Args:
        path: the cache file, or ``None`` (memory only: every sentence is embedded once
            per run).
        embedder: what computes a missing vector (``MiniLmEmbedding`` if ``None``).

    Raises:
        ConfigError: the MiniLM package is missing, or the file is unreadable or holds
            vectors of another dimension.
    """

    def __init__(self, path: Path | None = None, embedder: Embedder | None = None) -> None:
        if embedder is None:
            from wardflow.tools.embedding import MiniLmEmbedding

            embedder = MiniLmEmbedding()
        self.embedder = embedder
        self.name, self.dimension = embedder.name, embedder.dimension
        self.path = path
        self.computed = 0
        self._known: dict[str, np.ndarray] = {}
        if path is not None and path.is_file():
            self._known = self._read(path)

    def _read(self, path: Path) -> dict[str, np.ndarray]:
        try:
            with np.load(path, allow_pickle=False) as data:
                texts, vecs = data["texts"].tolist(), data["vecs"]
        except (OSError, ValueError, KeyError) as err:
            raise ConfigError(
                f"cannot read the embeddings cache {path}: {err}; delete it or name another file"
            ) from err
        if len(texts) != len(vecs) or (len(vecs) and vecs.shape[1] != self.dimension):
            raise ConfigError(
                f"the embeddings cache {path} does not hold {self.dimension}-"
                f"dimensional vectors of {self.name}; name another file"
            )
        return dict(zip(texts, vecs, strict=True))

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text (float32), computing the missing ones."""
        missing = sorted({t for t in texts if t not in self._known})
        if missing:
            fresh = np.array(self.embedder.embed(missing), dtype=np.float32)
            self._known.update(zip(missing, fresh, strict=True))
            self.computed += len(missing)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._known[t] for t in texts])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """:meth:`vectors` as the ``Embedder`` protocol returns them."""
        return [list(map(float, row)) for row in self.vectors(texts)]

    def save(self) -> bool:
        """Write the cache file if texts were added (atomically); whether it wrote."""
        if self.path is None or not self.computed:
            return False
        names = sorted(self._known)
        partial = self.path.with_name(self.path.name + ".partial.npz")
        np.savez(partial, texts=np.array(names), vecs=np.stack([self._known[n] for n in names]))
        os.replace(partial, self.path)
        return True


def ngram_fold(
    training: list[dict[str, Any]],
    inner_folds: int | None,
) -> tuple[InjectionModel, dict[str, Any]]:
    """The n-gram model of one fold and its choices (the thresholds)."""
    from wardflow.guardrails.train_classifier import select_threshold, train

    chosen = select_threshold(training, folds=inner_folds)
    thresholds = {k: chosen[k] for k in ("threshold_logit", "prompt_threshold_logit")}
    return train(
        training,
        target_precision_logit=chosen["threshold_logit"],
        prompt_threshold_logit=chosen["prompt_threshold_logit"],
    ), thresholds


def _ngram_cuts(scored: list[tuple[dict[str, Any], np.ndarray]]) -> dict[str, float]:
    """Per boundary, :func:`select_threshold`'s cut over the out-of-fold item logits."""
    from wardflow.guardrails._train_ngram import MAX_DOCUMENT_FPR, THRESHOLD_LOGIT, _cut

    cuts = {}
    for boundary in ("document", "prompt"):
        benign = [
            float(x[:, 0].max()) if len(x) else -99.0
            for item, x in scored
            if item["label"] == "benign" and item["boundary"] == boundary
        ]
        cuts[boundary] = _cut(benign, MAX_DOCUMENT_FPR) if benign else THRESHOLD_LOGIT
    return cuts


def _out_of_fold(
    training: list[dict[str, Any]],
    cache: EmbeddingCache,
    inner_folds: int | None,
) -> tuple[np.ndarray, list[tuple[dict[str, Any], np.ndarray]]]:
    """The stacker's weights, fitted on the out-of-fold sentence scores of the training
    sources, and each training item's out-of-fold stacker rows (one per gated unit)."""
    from wardflow.guardrails._train_head import (
        _gated_units,
        _item_units,
        _rows,
        fit_head,
        fit_logistic,
    )
    from wardflow.guardrails._train_ngram import _folds, train

    stack_x, stack_y = [], []
    scored: list[tuple[dict[str, Any], np.ndarray]] = []
    for group in _folds(training, inner_folds):
        held = set(group)
        rest = [i for i in training if i["source"] not in held and i["carrier"] not in held]
        if not _gated_units(rest)[0]:
            raise ConfigError(
                f"without {', '.join(group)} no sentence is left to train the"
                " MiniLM head on: the dataset needs more sources"
            )
        model, head = train(rest), fit_head(rest, cache.vectors)
        inside = [i for i in training if i["source"] in held]
        texts, boundaries, y = _gated_units(inside)
        stack_x.append(_rows(model, head, texts, boundaries, cache.vectors))
        stack_y.append(y)
        for item in inside:
            units = _item_units(item)
            scored.append(
                (item, _rows(model, head, units, [item["boundary"]] * len(units), cache.vectors))
            )
    stacker = fit_logistic(np.vstack(stack_x), np.concatenate(stack_y), l2=1e-3)
    return stacker, scored


def cascade_fold(
    training: list[dict[str, Any]], cache: EmbeddingCache, inner_folds: int | None
) -> tuple[CascadeModel, dict[str, Any]]:
    """The cascade of one fold (n-gram model, head, stacker, cuts: all from
    ``training``) and its choices; ``cache`` embeds its sentences."""
    from wardflow.guardrails._train_head import BAND, _cuts, fit_head
    from wardflow.guardrails._train_ngram import train
    from wardflow.guardrails.minilm_head import CascadeModel, MiniLmHead

    stacker, scored = _out_of_fold(training, cache, inner_folds)
    cuts = _ngram_cuts(scored)
    ngram = train(
        training, target_precision_logit=cuts["document"], prompt_threshold_logit=cuts["prompt"]
    )
    sources = sorted({i["source"] for i in training})
    head = MiniLmHead(
        tuple(float(v) for v in fit_head(training, cache.vectors)),
        tuple(float(v) for v in stacker),
        BAND,
        _cuts(scored, stacker),
        version="injection-minilm-head-v1-fold",
        meta={"sources": sources, "items": len(training), "folds": inner_folds},
    )
    choices = {
        "threshold_logit": cuts["document"],
        "prompt_threshold_logit": cuts["prompt"],
        "cascade_cuts": head.cuts,
        "band": list(BAND),
        "stacker": [round(v, 4) for v in head.stacker],
    }
    return CascadeModel(ngram, head, cache), choices
