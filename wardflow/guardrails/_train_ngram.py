"""The n-gram classifier's training, shared by :mod:`wardflow.guardrails.train_classifier`
(which documents the corpus and the command line) and the MiniLM head's training
(:mod:`wardflow.guardrails._train_head`): corpus units and their labels, the
logistic regression, the out-of-fold groups and cuts.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wardflow.guardrails._segments import Segment, segments
from wardflow.guardrails._train_corpus import SEED
from wardflow.guardrails.injection_model import (
    Boundary,
    InjectionModel,
    features,
    gated,
)

__all__ = [
    "CORPUS_PATH",
    "MAX_DOCUMENT_FPR",
    "PROMPT_THRESHOLD_LOGIT",
    "THRESHOLD_LOGIT",
    "load_corpus",
    "train",
    "training_units",
]

CORPUS_PATH = Path(__file__).resolve().parents[1] / "evals" / "data" / "injection_corpus.jsonl"
# The decision thresholds (raw logits), from `select_threshold` on the bundled corpus
# (pooled out-of-fold, leave-one-source-out, benign-document and benign-prompt FPR
# <= 0.03); `all` recomputes them, `train` uses these.
THRESHOLD_LOGIT = 1.237
PROMPT_THRESHOLD_LOGIT = 6.443
MAX_DOCUMENT_FPR = 0.03


@functools.lru_cache(maxsize=1 << 17)
def _features(text: str, boundary: Boundary) -> frozenset[str]:
    """:func:`features`, kept: leave-one-source-out trains ~90 models on the same units."""
    return frozenset(features(text, boundary))


@functools.lru_cache(maxsize=1 << 14)
def _segments(text: str) -> tuple[Segment, ...]:
    return tuple(segments(text))


def load_corpus(path: Path | str = CORPUS_PATH) -> list[dict[str, Any]]:
    """The corpus items of a JSON-lines file written by ``corpus``."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").split("\n")
            if line.strip()]


def training_units(items: Iterable[dict[str, Any]]) -> tuple[list[str], list[int], list[str]]:
    """Labelled units: each sentence of an item (1 inside an attack span, 0 outside
    any; partly covered ones are left out), and each prompt whole, with the boundary
    each was read at. Of an injection without spans, a sentence some benign item also
    has is benign, and one no benign item has that has a cue word (or link, or
    markup) is taken as the attack."""
    items = list(items)
    benign_units = {u.text for it in items if it["label"] == "benign"
                    for u in _segments(it["text"])}
    texts: list[str] = []
    labels: list[int] = []
    boundaries: list[str] = []

    def add(text: str, label: int, boundary: str) -> None:
        texts.append(text)
        labels.append(label)
        boundaries.append(boundary)

    for item in items:
        positive = item["label"] == "injection"
        boundary = "prompt" if item["boundary"] == "prompt" else "document"
        if boundary == "prompt":
            add(item["text"][:2000], int(positive), boundary)
        spans = item.get("spans") or []
        for unit in _segments(item["text"]):
            if not positive:
                add(unit.text, 0, boundary)
                continue
            if not spans:  # where the attack is is unknown: a new sentence with a cue
                if unit.text in benign_units or gated(unit.text):
                    add(unit.text, 0 if unit.text in benign_units else 1, boundary)
                continue
            covered = sum(max(0, min(unit.end, e) - max(unit.start, s)) for s, e in spans)
            share = covered / max(1, unit.end - unit.start)
            if share >= 0.5:
                add(unit.text, 1, boundary)
            elif share == 0:
                add(unit.text, 0, boundary)
    return texts, labels, boundaries


def _fit_adam(indices: Any, row_of: Any, values: Any, y: Any, sample_w: Any, n_features: int,
              *, epochs: int, l2: float, seed: int) -> tuple[Any, float]:
    """Weights and bias of the sample-weighted logistic regression on the sparse rows
    (``values`` at feature ``indices`` of row ``row_of``), by full-batch Adam."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 1e-3, n_features)
    b = 0.0
    m_w = np.zeros_like(w)
    v_w = np.zeros_like(w)
    m_b = v_b = 0.0
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    n = float(len(y))
    for step in range(1, epochs + 1):
        z = np.bincount(row_of, weights=values * w[indices], minlength=len(y)) + b
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
        g = sample_w * (p - y) / n
        grad_w = np.bincount(indices, weights=values * g[row_of], minlength=len(w)) + l2 * w
        grad_b = float(g.sum())
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        v_w = beta2 * v_w + (1 - beta2) * grad_w ** 2
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b ** 2
        w -= lr * (m_w / (1 - beta1 ** step)) / (np.sqrt(v_w / (1 - beta2 ** step)) + eps)
        b -= lr * (m_b / (1 - beta1 ** step)) / (np.sqrt(v_b / (1 - beta2 ** step)) + eps)
    return w, b


def train(
    items: Iterable[dict[str, Any]], *, epochs: int = 250, l2: float = 1e-4,
    min_count: int = 2, seed: int = SEED, target_precision_logit: float = THRESHOLD_LOGIT,
    prompt_threshold_logit: float = PROMPT_THRESHOLD_LOGIT,
) -> InjectionModel:
    """A logistic regression (class-balanced, L2, full-batch Adam) on the units of
    ``items``. ``target_precision_logit`` (documents) and ``prompt_threshold_logit``
    (prompts) move the decision threshold above 0 to trade a little recall for fewer
    false alarms over the many sentences of a document (see :func:`select_threshold`)."""
    import numpy as np

    texts, labels, boundaries = training_units(items)
    feats = [_features(t, "prompt" if b == "prompt" else "document")
             for t, b in zip(texts, boundaries, strict=True)]
    counts: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, c in counts.items() if c >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    rows_idx: list[list[int]] = [[index[f] for f in fs if f in index] for fs in feats]
    lengths = np.array([len(r) for r in rows_idx], dtype=np.int64)
    keep = lengths > 0
    y = np.array(labels, dtype=np.float64)[keep]
    norms = [1.0 / np.sqrt(max(1, sum(1 for f in fs if f[0] != "#"))) for fs in feats]
    rows_idx = [r for r, k in zip(rows_idx, keep, strict=True) if k]
    norms = [n for n, k in zip(norms, keep, strict=True) if k]
    lengths = lengths[keep]
    indices = np.concatenate([np.array(r, dtype=np.int64) for r in rows_idx])
    row_of = np.repeat(np.arange(len(rows_idx)), lengths)
    is_cue = np.array([f[0] == "#" for f in vocab])
    values = np.where(is_cue[indices], 1.0, np.repeat(np.array(norms), lengths))
    positives = max(1.0, y.sum())
    negatives = max(1.0, len(y) - y.sum())
    sample_w = np.where(y == 1, len(y) / (2 * positives), len(y) / (2 * negatives))
    w, b = _fit_adam(indices, row_of, values, y, sample_w, len(vocab), epochs=epochs, l2=l2,
                     seed=seed)
    weights = {f: round(float(x), 5) for f, x in zip(vocab, w, strict=True) if abs(x) >= 1e-3}
    meta = {"units": len(texts), "positive_units": int(sum(labels)), "features": len(weights),
            "epochs": epochs, "l2": l2, "seed": seed,
            "sources": sorted({it["source"] for it in items})}
    return InjectionModel(weights, round(float(b), 5), target_precision_logit,
                          "injection-ngram-v4", meta, prompt_threshold_logit)


def _item_logit(model: InjectionModel, item: dict[str, Any]) -> float:
    """The highest raw logit over the scored units of an item (as the pipeline scans it)."""
    boundary: Boundary = "prompt" if item.get("boundary") == "prompt" else "document"
    units = [u.text for u in _segments(item["text"])]
    if boundary == "prompt" and item["text"].strip():
        units.insert(0, item["text"][:2000])
    return max((model.logit(u, boundary) for u in units if gated(u)),
               default=-99.0)


def _folds(items: Sequence[dict[str, Any]], folds: int | None) -> list[list[str]]:
    """The held-out groups: one source each (``folds=None``), or the sources dealt
    round-robin into ``folds`` groups."""
    names = sorted({str(i.get("source")) for i in items})
    if folds is None or folds >= len(names):
        return [[n] for n in names]
    return [names[k::folds] for k in range(folds)]


def _cut(scores: list[float], max_fpr: float) -> float:
    """The lowest raw logit at which at most ``max_fpr`` of ``scores`` are at or above it."""
    ordered = sorted(scores, reverse=True)
    allowed = int(max_fpr * len(ordered))
    return round(ordered[allowed] + 0.001, 3) if allowed < len(ordered) else -99.0
