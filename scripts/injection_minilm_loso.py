"""Does a head over MiniLM sentence embeddings help the injection classifier, held out?

Leave-one-source-out on the training corpus (``wardflow/evals/data/injection_corpus.jsonl``),
the rules included, as ``wardflow eval guardrails --loso`` scores it: for each held-out
source, the n-gram model and a logistic head over the MiniLM embedding of each sentence
are trained on the other sources (and not on the items built on the held-out one's
texts). Every choice of a fold (the cuts at 3 % benign false positives, the stacker's
weights) is made on out-of-fold scores of that fold's training sources (4 source
groups, like ``select_threshold(..., folds=4)``); the held-out source plays no part.

Variants, each OR'ed with the rules (``detect_injection``, and ``detect_escalation``
at the prompt boundary) like the pipeline:

* ``ngram``: today's classifier;
* ``head``: the MiniLM head alone, on the same (gated) sentences;
* ``stack``: a logistic regression over [n-gram logit, head logit, the sentence's rule
  score], per boundary;
* ``cascade``: the n-gram decides a sentence whose logit is outside a band around its
  cut (``--band LOW HIGH``, logits below and above, fixed before measuring); in the
  band the stacker decides.

This script compares the variants (a research tool). The detector that ships (the
n-gram model, or the cascade by default) is measured by the package itself, with the
same folds and choices: ``wardflow eval guardrails --loso --json [--detector ngram|cascade]
[--embeddings-cache FILE]`` (:mod:`wardflow.evals._loso`), whose cascade column this
script's ``cascade`` reproduces (``data/injection/LOSO.md``).

Embeddings are cached (``--cache``, a ``.npz`` of texts and vectors, read and written by
:class:`wardflow.evals._loso.EmbeddingCache`; missing ones are computed with
:class:`wardflow.tools.embedding.MiniLmEmbedding`, about 14 ms each on two quiet cores).

Usage::

    python scripts/injection_minilm_loso.py [--cache /tmp/minilm_units.npz] [--out report.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wardflow.evals._loso import EmbeddingCache  # noqa: E402
from wardflow.guardrails import _train_ngram as tc  # noqa: E402
from wardflow.guardrails._train_head import fit_logistic  # noqa: E402
from wardflow.guardrails.injection import detect_escalation, detect_injection  # noqa: E402
from wardflow.guardrails.injection_model import _weighted, gated  # noqa: E402
from wardflow.guardrails.minilm_head import head_rows, stack_rows  # noqa: E402

MAX_FPR = 0.03
VARIANTS = ("ngram", "head", "stack", "cascade")


# Units --------------------------------------------------------------------------------
def item_units(item: dict[str, Any]) -> list[str]:
    """The gated units the pipeline scores for an item (a prompt also whole)."""
    units = [u.text for u in tc._segments(item["text"])]
    if item["boundary"] == "prompt" and item["text"].strip():
        units.insert(0, item["text"][:2000])
    return [u for u in units if gated(u)]


def rule_hit(item: dict[str, Any]) -> bool:
    """Whether the rules alone flag the item (as the pipeline's detectors do)."""
    boundary = item["boundary"]
    hit = detect_injection(item["text"], boundary=boundary)[0] >= 0.5
    return hit or (boundary == "prompt" and detect_escalation(item["text"])[0] >= 0.5)


def ngram_logit(model: Any, text: str, boundary: str) -> float:
    """``InjectionModel.logit`` over the training script's cached features."""
    grams, cues = _weighted(set(tc._features(text, boundary)))
    w = model.weights
    total = sum(w.get(f, 0.0) for f in grams) / np.sqrt(max(1, len(grams)))
    return float(model.bias + total + sum(w.get(f, 0.0) for f in cues))


# Heads --------------------------------------------------------------------------------
class Fold:
    """The two models of one training set and how they score units."""

    def __init__(self, items: list[dict[str, Any]], vecs: dict[str, np.ndarray]) -> None:
        self.ngram = tc.train(items)
        texts, labels, boundaries = tc.training_units(items)
        keep = [i for i, t in enumerate(texts) if gated(t)]
        texts = [texts[i] for i in keep]
        boundaries = [boundaries[i] for i in keep]
        y = np.array([labels[i] for i in keep], dtype=np.float64)
        self.head = fit_logistic(
            head_rows(np.stack([vecs[t] for t in texts]), boundaries), y, l2=1e-4
        )
        self.vecs = vecs

    def scores(self, texts: list[str], boundaries: list[str]) -> tuple[np.ndarray, np.ndarray]:
        ng = np.array(
            [ngram_logit(self.ngram, t, b) for t, b in zip(texts, boundaries, strict=True)]
        )
        hd = (
            head_rows(np.stack([self.vecs[t] for t in texts]), boundaries) @ self.head
            if texts
            else np.zeros(0)
        )
        return ng, hd


# Scoring ------------------------------------------------------------------------------
def unit_scores(
    variant: str,
    ng: np.ndarray,
    hd: np.ndarray,
    st: np.ndarray,
    cut_ng: float,
    band: tuple[float, float],
) -> np.ndarray:
    """A variant's score of each unit (the cascade: the n-gram outside its band)."""
    if variant == "ngram":
        return ng
    if variant == "head":
        return hd
    if variant == "stack":
        return st
    low, high = band
    return np.where(ng >= cut_ng + high, 1e3, np.where(ng < cut_ng - low, -1e3, st))


class Scored:
    """Units of a set of items with their scores from one fold's models."""

    def __init__(
        self,
        items: list[dict[str, Any]],
        fold: Fold,
        units: dict[str, list[str]],
        rules: dict[tuple[str, str], float],
    ) -> None:
        self.items = items
        self.spans: list[tuple[int, int]] = []
        texts: list[str] = []
        boundaries: list[str] = []
        for item in items:
            us = units[item["id"]]
            self.spans.append((len(texts), len(texts) + len(us)))
            texts += us
            boundaries += [item["boundary"]] * len(us)
        self.prompt = np.array([b == "prompt" for b in boundaries], dtype=np.float64)
        self.ng, self.hd = fold.scores(texts, boundaries)
        self.rule = np.array([rules[(t, b)] for t, b in zip(texts, boundaries, strict=True)])
        self.st = np.zeros(len(texts))

    def item_max(self, per_unit: np.ndarray) -> list[float]:
        return [float(per_unit[a:b].max()) if b > a else -1e4 for a, b in self.spans]


def cuts_for(
    scored: list[Scored], variant: str, cut_ng: dict[str, float], band: tuple[float, float]
) -> dict[str, float]:
    """Per boundary, the cut at which at most 3 % of the benign items score above."""
    out: dict[str, float] = {}
    for boundary in ("document", "prompt"):
        benign: list[float] = []
        for s in scored:
            per_unit = unit_scores(variant, s.ng, s.hd, s.st, cut_ng.get(boundary, 0.0), band)
            benign += [
                z
                for it, z in zip(s.items, s.item_max(per_unit), strict=True)
                if it["label"] == "benign" and it["boundary"] == boundary
            ]
        out[boundary] = tc._cut(benign, MAX_FPR) if benign else 0.0
    return out


def labelled(
    items: list[dict[str, Any]], fold: Fold, rules: dict[tuple[str, str], float]
) -> tuple[np.ndarray, np.ndarray]:
    """The stacker's rows and labels: the gated training units of ``items`` scored by
    a fold that never saw them."""
    texts, labels, boundaries = tc.training_units(items)
    keep = [i for i, t in enumerate(texts) if gated(t)]
    texts = [texts[i] for i in keep]
    boundaries = [boundaries[i] for i in keep]
    for t, b in zip(texts, boundaries, strict=True):
        if (t, b) not in rules:
            rules[(t, b)] = detect_injection(t, boundary=b)[0]  # type: ignore[arg-type]
    ng, hd = fold.scores(texts, boundaries)
    rule = np.array([rules[(t, b)] for t, b in zip(texts, boundaries, strict=True)])
    prompt = np.array([b == "prompt" for b in boundaries], dtype=np.float64)
    return stack_rows(ng, hd, rule, prompt), np.array([labels[i] for i in keep], dtype=float)


def outer_fold(
    held: str,
    items: list[dict[str, Any]],
    units: dict[str, list[str]],
    rules: dict[tuple[str, str], float],
    vecs: dict[str, np.ndarray],
    band: tuple[float, float],
) -> tuple[list[tuple[dict[str, Any], dict[str, bool]]], dict[str, Any]]:
    """The held-out source's items with each variant's verdict, and the fold's choices."""
    training = [i for i in items if i["source"] != held and i["carrier"] != held]
    inner: list[Scored] = []
    rows, ys = [], []
    for group in tc._folds(training, 4):
        out = set(group)
        fold = Fold(
            [i for i in training if i["source"] not in out and i["carrier"] not in out], vecs
        )
        group_items = [i for i in training if i["source"] in out]
        inner.append(Scored(group_items, fold, units, rules))
        x, y = labelled(group_items, fold, rules)
        rows.append(x)
        ys.append(y)
    stacker = fit_logistic(np.vstack(rows), np.concatenate(ys), l2=1e-3)
    for s in inner:
        s.st = stack_rows(s.ng, s.hd, s.rule, s.prompt) @ stacker
    cuts = {"ngram": cuts_for(inner, "ngram", {}, band)}
    for variant in VARIANTS[1:]:
        cuts[variant] = cuts_for(inner, variant, cuts["ngram"], band)
    final = Scored([i for i in items if i["source"] == held], Fold(training, vecs), units, rules)
    final.st = stack_rows(final.ng, final.hd, final.rule, final.prompt) @ stacker
    verdicts = []
    for k, item in enumerate(final.items):
        b = item["boundary"]
        a, e = final.spans[k]
        verdict = {}
        for variant in VARIANTS:
            per_unit = unit_scores(
                variant, final.ng[a:e], final.hd[a:e], final.st[a:e], cuts["ngram"][b], band
            )
            verdict[variant] = bool(per_unit.size and per_unit.max() >= cuts[variant][b])
        verdicts.append((item, verdict))
    cut_ng = np.array(
        [cuts["ngram"][it["boundary"]] for it in final.items for _ in units[it["id"]]]
    )
    in_band = (final.ng >= cut_ng - band[0]) & (final.ng < cut_ng + band[1])
    return verdicts, {
        "cuts": cuts,
        "stacker": [round(float(v), 4) for v in stacker],
        "units": int(final.ng.size),
        "in_band": int(in_band.sum()),
    }


# Report -------------------------------------------------------------------------------
def rates(rows: list[tuple[bool, bool]]) -> dict[str, Any]:
    """Counts, recall and false-positive rate of (is_injection, detected) pairs."""
    pos = [d for p, d in rows if p]
    neg = [d for p, d in rows if not p]
    return {
        "injections": len(pos),
        "benign": len(neg),
        "recall": round(sum(pos) / len(pos), 3) if pos else None,
        "fpr": round(sum(neg) / len(neg), 3) if neg else None,
    }


def report(
    verdicts: list[tuple[dict[str, Any], dict[str, bool]]], hits: dict[str, bool]
) -> dict[str, Any]:
    """Per variant (rules OR'ed in): overall, per boundary, per source and boundary."""
    out: dict[str, Any] = {}
    for variant in (*VARIANTS, "rules"):
        groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        for item, verdict in verdicts:
            detected = hits[item["id"]] or (variant != "rules" and verdict[variant])
            row = (item["label"] == "injection", detected)
            for key in ("overall", item["boundary"], f"{item['source']}/{item['boundary']}"):
                groups[key].append(row)
        out[variant] = {k: rates(v) for k, v in sorted(groups.items())}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/minilm_units.npz"))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--band", type=float, nargs=2, default=(2.0, 1.5))
    parser.add_argument("--sources", nargs="*", default=[])
    args = parser.parse_args(argv)
    started = time.process_time()
    items = tc.load_corpus()
    units = {it["id"]: item_units(it) for it in items}
    cache = EmbeddingCache(args.cache)
    needed = sorted({u for us in units.values() for u in us} | set(tc.training_units(items)[0]))
    vecs = dict(zip(needed, cache.vectors(needed), strict=True))
    cache.save()
    rules = {
        (u, it["boundary"]): detect_injection(u, boundary=it["boundary"])[0]
        for it in items
        for u in units[it["id"]]
    }
    hits = {it["id"]: rule_hit(it) for it in items}
    verdicts: list[tuple[dict[str, Any], dict[str, bool]]] = []
    folds: dict[str, Any] = {}
    for name in args.sources or sorted({i["source"] for i in items}):
        got, folds[name] = outer_fold(name, items, units, rules, vecs, tuple(args.band))
        verdicts += got
        sys.stderr.write(f"{name}: {folds[name]['cuts']} {time.process_time() - started:.0f}s\n")
    result = {
        "report": report(verdicts, hits),
        "folds": folds,
        "band": args.band,
        "cpu_s": round(time.process_time() - started, 1),
    }
    text = json.dumps(result, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(
        json.dumps({v: result["report"][v]["overall"] for v in result["report"]}) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
