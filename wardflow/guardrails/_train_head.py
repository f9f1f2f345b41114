"""Training of the MiniLM head (:mod:`wardflow.guardrails.minilm_head`).

The head is a logistic regression over each sentence's embedding; the stacker, over
[n-gram logit, head logit, rule score], is fitted on out-of-fold scores (the corpus'
sources dealt into 4 groups, each scored by an n-gram model and a head trained
without it, as ``select_threshold(..., folds=4)`` deals them), and its decision cut
per boundary is the lowest that keeps the out-of-fold benign items at or under 3 %
false positives with the cascade as it runs (the n-gram model outside the band).
Deterministic: Newton's method, no random start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from wardflow.guardrails import _train_ngram as tc
from wardflow.guardrails.injection import detect_injection
from wardflow.guardrails.injection_model import PROMPT_CHARS, InjectionModel, gated
from wardflow.guardrails.minilm_head import MiniLmHead, head_rows, stack_rows

__all__ = ["BAND", "fit_logistic", "train_head"]

# How far below and above the n-gram threshold the head decides (raw logits); fixed
# before the held-out measurement, not tuned on it.
BAND = (2.0, 1.5)
Vectors = Callable[[Sequence[str]], np.ndarray]


def fit_logistic(x: np.ndarray, y: np.ndarray, *, l2: float, iterations: int = 30) -> np.ndarray:
    """Class-balanced, L2-regularised logistic regression by Newton's method; the last
    column of ``x`` is the intercept (not regularised). Returns the weights."""
    pos = max(1.0, float(y.sum()))
    neg = max(1.0, float(len(y) - y.sum()))
    sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    reg = np.full(x.shape[1], l2 * len(y))
    reg[-1] = 0.0
    w = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        grad = x.T @ (sw * (p - y)) + reg * w
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def _gated_units(items: list[dict[str, Any]]) -> tuple[list[str], list[str], np.ndarray]:
    texts, labels, boundaries = tc.training_units(items)
    keep = [i for i, t in enumerate(texts) if gated(t)]
    return (
        [texts[i] for i in keep],
        [boundaries[i] for i in keep],
        np.array([labels[i] for i in keep], dtype=np.float64),
    )


def fit_head(items: list[dict[str, Any]], vectors: Vectors) -> np.ndarray:
    """The head's weights on the gated training sentences of ``items``."""
    texts, boundaries, y = _gated_units(items)
    return fit_logistic(head_rows(vectors(texts), boundaries), y, l2=1e-4)


def _rows(
    model: InjectionModel,
    head: np.ndarray,
    texts: list[str],
    boundaries: list[str],
    vectors: Vectors,
) -> np.ndarray:
    ngram = np.array([model.logit(t, b) for t, b in zip(texts, boundaries, strict=True)])  # type: ignore[arg-type]
    hd = head_rows(vectors(texts), boundaries) @ head if texts else np.zeros(0)
    rule = np.array(
        [
            detect_injection(t, boundary=b)[0]  # type: ignore[arg-type]
            for t, b in zip(texts, boundaries, strict=True)
        ]
    )
    prompt = np.array([b == "prompt" for b in boundaries], dtype=np.float64)
    return stack_rows(ngram, hd, rule, prompt)


def _item_units(item: dict[str, Any]) -> list[str]:
    units = [u.text for u in tc._segments(item["text"])]
    if item["boundary"] == "prompt" and item["text"].strip():
        units.insert(0, item["text"][:PROMPT_CHARS])
    return [u for u in units if gated(u)]


def _cuts(scored: list[tuple[dict[str, Any], np.ndarray]], stacker: np.ndarray) -> dict[str, float]:
    """Per boundary: the n-gram cut, then the cascade's cut, on out-of-fold items."""
    out: dict[str, float] = {}
    for boundary in ("document", "prompt"):
        rows = [
            (it, x) for it, x in scored if it["boundary"] == boundary and it["label"] == "benign"
        ]
        ngram_cut = tc._cut(
            [float(x[:, 0].max()) if len(x) else -99.0 for _, x in rows], tc.MAX_DOCUMENT_FPR
        )
        best = []
        for _, x in rows:
            if not len(x):
                best.append(-1e4)
                continue
            z = np.where(
                x[:, 0] >= ngram_cut + BAND[1],
                1e3,
                np.where(x[:, 0] < ngram_cut - BAND[0], -1e3, x @ stacker),
            )
            best.append(float(z.max()))
        out[boundary] = tc._cut(best, tc.MAX_DOCUMENT_FPR)
    return out


def train_head(items: list[dict[str, Any]], vectors: Vectors, *, folds: int = 4) -> MiniLmHead:
    """The head, its stacker and cuts, trained on the corpus ``items``.

    Args:
        items: the training corpus (:func:`~wardflow.guardrails.train_classifier.load_corpus`).
        vectors: texts -> their MiniLM embeddings (one row each).
        folds: source groups of the out-of-fold scores the stacker is fitted on.
    """
    stack_x, stack_y = [], []
    scored: list[tuple[dict[str, Any], np.ndarray]] = []
    for group in tc._folds(items, folds):
        held = set(group)
        rest = [i for i in items if i["source"] not in held and i["carrier"] not in held]
        model, head = tc.train(rest), fit_head(rest, vectors)
        inside = [i for i in items if i["source"] in held]
        texts, boundaries, y = _gated_units(inside)
        stack_x.append(_rows(model, head, texts, boundaries, vectors))
        stack_y.append(y)
        for item in inside:
            units = _item_units(item)
            scored.append(
                (item, _rows(model, head, units, [item["boundary"]] * len(units), vectors))
            )
    stacker = fit_logistic(np.vstack(stack_x), np.concatenate(stack_y), l2=1e-3)
    head = fit_head(items, vectors)
    meta = {
        "sources": sorted({i["source"] for i in items}),
        "items": len(items),
        "folds": folds,
        "embedding": "all-minilm-l6-v2",
    }
    return MiniLmHead(
        tuple(round(float(v), 6) for v in head),
        tuple(round(float(v), 6) for v in stacker),
        BAND,
        _cuts(scored, stacker),
        meta=meta,
    )


def cached_vectors(cache: Path | None = None) -> Vectors:
    """texts -> MiniLM embeddings, kept in memory and, with ``cache``, in a ``.npz`` of
    texts and vectors (read if it exists, rewritten when texts were added): embedding
    the corpus' ~8,600 sentences takes minutes on a small CPU.

    Raises:
        ConfigError: the MiniLM package is not installed.
    """
    from wardflow.tools.embedding import MiniLmEmbedding

    embedder = MiniLmEmbedding()
    known: dict[str, np.ndarray] = {}
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip(data["texts"].tolist(), data["vecs"], strict=True))

    def vectors(texts: Sequence[str]) -> np.ndarray:
        missing = sorted({t for t in texts if t not in known})
        if missing:
            fresh = np.array(embedder.embed(missing), dtype=np.float32)
            known.update(zip(missing, fresh, strict=True))
            if cache is not None:
                names = sorted(known)
                np.savez(cache, texts=np.array(names), vecs=np.stack([known[n] for n in names]))
        if not texts:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        return np.stack([known[t] for t in texts])

    return vectors
