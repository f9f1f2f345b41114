"""Build the injection training corpus and train the embedded classifier.

Deterministic (fixed seed, no network): the same sources give the same corpus and
the same weights. The sources (``data/injection/``, listed with URL, commit and
licence in ``data/injection/SOURCES.md``) are:

* ``garak-latent``: NVIDIA/garak's latent-injection probes (instructions, payloads,
  separators) inside their own benign contexts and inside invoice and e-mail text;
* ``garak-promptinject``: garak's PromptInject subset (goal hijacking, prompt
  leaking) appended to its benign task prompts and inserted into documents;
* ``garak-dan``: garak's DAN jailbreak prompts (the prompt boundary);
* ``garak-prompts``: garak's benign task prompts and "normal instructions";
* ``gen-attacks``: attack sentences written for wardflow in seven languages
  (:mod:`wardflow.guardrails._train_templates`) inside invoice and e-mail text;
* ``gen-reader`` and ``gen-tasks``: two more attack sets written separately (addressed
  to the reading model; what a tool-using agent is told to do, in all seven languages);
* ``agentdojo``: ethz-spylab/agentdojo's injection goals in its attack templates
  inside documents, its environments' benign texts, its user tasks' prompts (benign);
* ``gen-emails``, ``gen-letters``, ``gen-notices`` and ``gen-requests``: benign
  business e-mails, letters, notices and payment requests in seven languages, same
  module (template sets written separately); ``gen-prompts``: benign user prompts;
* ``gen-compose`` and ``gen-instruct``: attacks composed from parts (who is addressed,
  when, what the reader is told to do, a push) and benign requests to people of the
  same shape inside benign e-mails, seven languages
  (:mod:`wardflow.guardrails._train_compose`);
* ``pyrit`` and ``langkit``: jailbreak prompts (Azure/PyRIT's in-the-wild and own
  templates around its red-team objectives, its prompt-extraction seeds; whylabs/
  langkit's reference jailbreaks), whole at the prompt boundary and their opening
  sentences pasted into invoice and e-mail text;
* ``dev-invoices`` and ``examples``: benign invoice texts read by wardflow's reader;
* ``wardflow-bundled``: the project's own labelled corpus
  (``wardflow/evals/data/injections.jsonl``).

Each corpus item records its ``source``, its ``carrier`` (the benign text an attack
was put into) and the character ``spans`` of the attack, so training can label each
sentence, and leave-one-source-out evaluation can keep a whole source (and every
item built on its carriers) out of training.

Usage::

    python -m wardflow.guardrails.train_classifier corpus   # data -> the corpus
    python -m wardflow.guardrails.train_classifier train    # corpus -> the weights
    python -m wardflow.guardrails.train_classifier all
    python -m wardflow.guardrails.train_classifier threshold  # re-derive THRESHOLD_LOGIT

The decision threshold (:data:`THRESHOLD_LOGIT`) is chosen out of fold: each source
is scored by a model trained without it (leave-one-source-out, as ``wardflow eval
guardrails --loso`` does), a document's score is its highest sentence's, and the
threshold is the lowest that keeps the pooled false-positive rate on the benign
documents at or under 3 % (:func:`select_threshold`).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from wardflow.guardrails._segments import Segment, segments
from wardflow.guardrails._train_corpus import SEED, SOURCES_DIR, build_corpus
from wardflow.guardrails.injection_model import (
    DEFAULT_MODEL_PATH,
    Boundary,
    InjectionModel,
    features,
    gated,
)

__all__ = ["CORPUS_PATH", "PROMPT_THRESHOLD_LOGIT", "THRESHOLD_LOGIT", "build_corpus",
           "load_corpus", "select_threshold", "train", "training_units"]

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


def select_threshold(
    items: Sequence[dict[str, Any]], *, max_fpr: float = MAX_DOCUMENT_FPR,
    folds: int | None = None, **train_args: Any,
) -> dict[str, Any]:
    """The decision thresholds chosen out of fold: every source scored by a model that
    never saw it (nor the items built on its texts); per boundary, the lowest raw
    logit at which at most ``max_fpr`` of the benign documents (of the benign
    prompts) have a unit at or above it.

    Args:
        items: the corpus (or the training part of an outer fold).
        max_fpr: the false-positive rate allowed on benign items.
        folds: ``None`` holds out one source at a time; a number groups the sources
            into that many folds (fewer trainings, for nested evaluation).
        **train_args: passed to :func:`train`.

    Returns:
        ``threshold_logit`` (documents) and ``prompt_threshold_logit``, the benign
        document count and false positives at it, and the classifier's own recall on
        injected documents and prompts there.
    """
    scored: list[tuple[dict[str, Any], float]] = []
    for group in _folds(items, folds):
        held = set(group)
        model = train([i for i in items if i.get("source") not in held
                       and i.get("carrier") not in held], **train_args)
        scored += [(i, _item_logit(model, i)) for i in items if i.get("source") in held]
    cuts: dict[str, float] = {}
    for boundary in ("document", "prompt"):
        benign = [z for i, z in scored if i["label"] == "benign"
                  and i.get("boundary", "document") == boundary]
        cuts[boundary] = _cut(benign, max_fpr) if benign else THRESHOLD_LOGIT
    documents = [z for i, z in scored if i["label"] == "benign"
                 and i.get("boundary", "document") == "document"]
    hits = {b: [z >= cuts[b] for i, z in scored if i["label"] == "injection"
                and i.get("boundary", "document") == b] for b in ("document", "prompt")}
    return {"threshold_logit": cuts["document"], "prompt_threshold_logit": cuts["prompt"],
            "benign_documents": len(documents),
            "false_positives": sum(z >= cuts["document"] for z in documents),
            "recall": {b: round(sum(h) / len(h), 4) if h else None for b, h in hits.items()}}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``corpus``, ``train``, ``all`` or ``threshold``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("step", choices=("corpus", "train", "all", "threshold"))
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR)
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_PATH)
    args = parser.parse_args(argv)
    if args.step in ("corpus", "all"):
        items = build_corpus(args.sources)
        args.corpus.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items),
                               encoding="utf-8")
        sys.stdout.write(f"{len(items)} items -> {args.corpus}\n")
    if args.step in ("train", "all"):
        corpus = load_corpus(args.corpus)
        cuts: dict[str, Any] = {}
        if args.step == "all":  # thresholds out of fold, then the model on everything
            chosen = select_threshold(corpus)
            cuts = {"target_precision_logit": chosen["threshold_logit"],
                    "prompt_threshold_logit": chosen["prompt_threshold_logit"]}
            sys.stdout.write(json.dumps(chosen) + "\n")
        model = train(corpus, **cuts)
        model.save(args.out)
        sys.stdout.write(f"{model.meta['features']} features from {model.meta['units']} units"
                         f" -> {args.out}\n")
    if args.step == "threshold":
        sys.stdout.write(json.dumps(select_threshold(load_corpus(args.corpus))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
