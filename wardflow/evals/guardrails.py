"""Score the guard pipeline on a labelled injection dataset.

Any JSON-lines file whose objects have ``text`` and ``label`` (``injection`` or
``benign``) can be evaluated; optional fields: ``id``, ``boundary`` (``document``,
the default, or ``prompt``), ``split`` (e.g. ``dev`` / ``heldout``), ``style``,
``kind``, ``lang``. Each item goes through the pipeline at its boundary
(:meth:`~wardflow.guardrails.GuardPipeline.check_document` or ``check_prompt``); an
item counts as detected when an injection validator flags or blocks it.

The report gives recall, false-positive rate and latency (p50/p95) per validator and
overall, recall per split and per style, and the misses, as a JSON-ready dict.
``wardflow eval guardrails`` prints it (:func:`guardrails_eval`).

Usage::

    python -m wardflow.evals.guardrails [--dataset FILE.jsonl] [--loso] [--json]
        [--detector ngram|cascade] [--embeddings-cache FILE.npz]

With ``--loso`` the dataset is the classifier's training corpus
(:mod:`wardflow.guardrails.train_classifier`; items carry ``source`` and
``carrier``) and each source is scored by a detector trained without it, every
choice made without it (nested: see :func:`evaluate_loso`): the cascade (n-gram
model and MiniLM head) when the MiniLM package is installed, else the n-gram model.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.errors import ConfigError
from wardflow.evals._loso import (
    BAND_NOTE,
    DETECTORS,
    Detector,
    EmbeddingCache,
    cascade_fold,
    default_detector,
    ngram_fold,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from wardflow.guardrails.pipeline import GuardPipeline, GuardResult

__all__ = ["BUNDLED_DATASET", "evaluate_guardrails", "evaluate_loso", "guardrails_eval",
           "load_dataset", "report_table"]

BUNDLED_DATASET = Path(__file__).resolve().parent / "data" / "injections.jsonl"
RECALL_TARGET = 0.95
FPR_TARGET = 0.03
# Source groups of the nested threshold selection inside each leave-one-source-out fold.
INNER_FOLDS = 4
_DETECTORS = ("prompt_injection", "escalation")
_MAX_LISTED = 50


def load_dataset(path: Path | str) -> list[dict[str, Any]]:
    """The items of a JSON-lines dataset, checked.

    Raises:
        ConfigError: the file is missing, or a line is not an object with a string
            ``text`` and a ``label`` of ``injection`` or ``benign``.
    """
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").split("\n")  # not splitlines: U+2028 is text
    except OSError as err:
        raise ConfigError(f"cannot read the dataset {source}: {err.strerror}") from err
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(f"{source}:{number}: not JSON ({err.msg})") from err
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) \
                or item.get("label") not in ("injection", "benign"):
            raise ConfigError(f"{source}:{number}: expected an object with a string 'text' and"
                              " a 'label' of 'injection' or 'benign'")
        if item.get("boundary", "document") not in ("document", "prompt"):
            raise ConfigError(f"{source}:{number}: 'boundary' must be 'document' or 'prompt'")
        item.setdefault("id", f"line-{number}")
        items.append(item)
    if not items:
        raise ConfigError(f"{source}: the dataset is empty")
    return items


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` (nearest rank), rounded; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return round(ordered[index], 3)


def _rates(rows: Iterable[tuple[bool, bool]]) -> dict[str, Any]:
    """Recall and false-positive rate from (is_injection, detected) pairs."""
    tp = fp = fn = tn = 0
    for positive, detected in rows:
        if positive:
            tp, fn = tp + detected, fn + (not detected)
        else:
            fp, tn = fp + detected, tn + (not detected)
    return {
        "injections": tp + fn, "benign": fp + tn, "true_positives": tp,
        "false_negatives": fn, "false_positives": fp,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else None,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
    }


def _check(pipeline: GuardPipeline, item: dict[str, Any]) -> tuple[GuardResult, float]:
    started = time.perf_counter()
    if item.get("boundary", "document") == "prompt":
        result = pipeline.check_prompt(item["text"], principal="eval")
    else:
        result = pipeline.check_document(item["text"], scope=f"eval:{item['id']}")
    return result, (time.perf_counter() - started) * 1000


def _validator_rows(records: list[dict[str, Any]]) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    names = sorted({d.validator for r in records for d in r["result"].decisions})
    for name in names:
        pairs, times, fired = [], [], 0
        for record in records:
            decision = next((d for d in record["result"].decisions if d.validator == name), None)
            if decision is None:
                continue
            times.append(decision.ms)
            hit = decision.outcome != "pass"
            fired += hit
            pairs.append((record["positive"], hit))
        row = {"ran": len(times), "fired": fired,
               "p50_ms": percentile(times, 0.5), "p95_ms": percentile(times, 0.95)}
        if name in _DETECTORS:
            row |= _rates(pairs)
        rows[name] = row
    classifier = [(r["positive"], e["score"]) for r in records for d in r["result"].decisions
                  if d.validator == "prompt_injection" for e in d.evidence
                  if e.get("rule") == "model_classifier" and "score" in e]
    if classifier:
        rows["model_classifier"] = {"ran": len(classifier),
                                    **_rates((p, s >= 0.5) for p, s in classifier)}
    return rows


def _score(pipeline: GuardPipeline, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    records = []
    for item in items:
        result, ms = _check(pipeline, item)
        detected = any(d.validator in _DETECTORS and d.outcome in ("flagged", "blocked")
                       for d in result.decisions)
        score = max((d.score or 0.0 for d in result.decisions if d.validator in _DETECTORS),
                    default=0.0)
        records.append({"item": item, "result": result, "ms": ms, "detected": detected,
                        "positive": item["label"] == "injection", "score": score})
    return records


def _grouped(records: list[dict[str, Any]], *keys: str) -> dict[str, Any]:
    groups: dict[str, list[tuple[bool, bool]]] = {}
    for r in records:
        name = "/".join(str(r["item"].get(key, "all")) for key in keys)
        groups.setdefault(name, []).append((r["positive"], r["detected"]))
    return {name: _rates(rows) for name, rows in sorted(groups.items())}


def _report(records: list[dict[str, Any]], dataset: Path, pipeline: GuardPipeline,
            ) -> dict[str, Any]:
    overall = _rates((r["positive"], r["detected"]) for r in records)
    times = [r["ms"] for r in records]
    overall |= {"items": len(records), "p50_ms": percentile(times, 0.5),
                "p95_ms": percentile(times, 0.95), "mean_ms": round(statistics.fmean(times), 3)}
    recall, fpr = overall["recall"], overall["false_positive_rate"]
    return {
        "dataset": str(dataset),
        "threshold": pipeline.injection_threshold,
        "classifier": pipeline.classifier is not None,
        "injection_model": None if pipeline.injection_model is None
        else pipeline.injection_model.version,
        "overall": overall,
        "targets": {
            "recall": {"min": RECALL_TARGET, "value": recall,
                       "pass": recall is not None and recall >= RECALL_TARGET},
            "false_positive_rate": {"max": FPR_TARGET, "value": fpr,
                                    "pass": fpr is not None and fpr <= FPR_TARGET},
        },
        "validators": _validator_rows(records),
        "by_split": _grouped(records, "split"),
        "by_style": _grouped(records, "style"),
        "by_source": _grouped(records, "source"),
        "by_boundary": _grouped(records, "boundary"),
        "missed": [{"id": r["item"]["id"], "style": r["item"].get("style"),
                    "split": r["item"].get("split"), "score": round(r["score"], 4)}
                   for r in records if r["positive"] and not r["detected"]][:_MAX_LISTED],
        "false_positives": [{"id": r["item"]["id"], "style": r["item"].get("style"),
                             "score": round(r["score"], 4)}
                            for r in records if not r["positive"] and r["detected"]][:_MAX_LISTED],
    }


def _warm(pipeline: GuardPipeline) -> None:
    _check(pipeline, {"id": "warm-up", "text": "warm-up", "boundary": "document"})
    _check(pipeline, {"id": "warm-up", "text": "warm-up", "boundary": "prompt"})


def evaluate_guardrails(
    path: Path | str | None = None, *, pipeline: GuardPipeline | None = None,
) -> dict[str, Any]:
    """Run the pipeline on every item of a dataset and score it.

    Args:
        path: a JSON-lines dataset; the bundled corpus if ``None``.
        pipeline: the pipeline to score; a default one (patterns and the embedded
            classifier, in-memory vault) if ``None``.

    Returns:
        The report: ``overall`` (recall, false-positive rate, precision, p50/p95
        latency of a whole check in ms), ``targets`` (recall >= 0.95 and
        false-positive rate <= 0.03, each with ``pass``), ``validators`` (per
        validator: runs, fired, p50/p95 ms; recall and false-positive rate for the
        injection detectors), ``by_split``, ``by_style``, ``by_source``,
        ``by_boundary``, ``missed`` and ``false_positives`` (ids, at most 50 each).
    """
    from wardflow.guardrails.pipeline import GuardPipeline

    dataset = Path(path) if path is not None else BUNDLED_DATASET
    items = load_dataset(dataset)
    pipeline = pipeline or GuardPipeline()
    _warm(pipeline)
    return _report(_score(pipeline, items), dataset, pipeline)


def _folds(items: list[dict[str, Any]], held_out: list[str], inner_folds: int | None,
           cache: EmbeddingCache | None,
           ) -> tuple[list[dict[str, Any]], dict[str, Any], GuardPipeline]:
    """Each held-out source scored by the pipeline with its fold's model (the cascade
    with ``cache``, else the n-gram model); the records, each fold's choices, and the
    last fold's pipeline."""
    from wardflow.guardrails.pipeline import GuardPipeline

    records: list[dict[str, Any]] = []
    pipeline = GuardPipeline(injection_model=None)
    choices: dict[str, Any] = {}
    for name in held_out:
        training = [i for i in items if i.get("source") != name and i.get("carrier") != name]
        model, choices[name] = (ngram_fold(training, inner_folds) if cache is None
                                else cascade_fold(training, cache, inner_folds))
        pipeline = GuardPipeline(injection_model=model)
        _warm(pipeline)
        records += _score(pipeline, [i for i in items if i.get("source") == name])
        if cache is not None:
            choices[name]["head_units"] = getattr(model, "head_units", 0)
    return records, choices, pipeline


def evaluate_loso(path: Path | str | None = None, *, sources: Sequence[str] = (),
                  inner_folds: int | None = INNER_FOLDS, detector: Detector | None = None,
                  embeddings_cache: Path | None = None) -> dict[str, Any]:
    """Leave-one-source-out: for each source of the training corpus, train the
    embedded classifier on every other source (leaving out too every item built on
    that source's texts, see the ``carrier`` field) and score the held-out items
    with the full pipeline (rules and that model).

    Every choice of a fold (the n-gram thresholds; for the cascade also the stacker
    and its cuts) is made on out-of-fold scores of that fold's training sources alone
    (``inner_folds`` groups of them, as :func:`~wardflow.guardrails.train_classifier.
    select_threshold` deals them), never on the held-out source, so its false-positive
    rate is measured, not set. See :mod:`wardflow.evals._loso`.

    Args:
        path: the training corpus (``wardflow/evals/data/injection_corpus.jsonl``
            if ``None``).
        sources: only these held-out sources (all if empty).
        inner_folds: source groups of the inner selection (``None``: one per source,
            slower).
        detector: ``ngram`` (the n-gram model alone) or ``cascade`` (with the MiniLM
            head); ``None``: what the default install runs (the cascade when the
            MiniLM package is installed).
        embeddings_cache: the cascade's MiniLM embeddings, a ``.npz`` read and
            extended (``None``: computed, minutes on the whole corpus).

    Returns:
        A report like :func:`evaluate_guardrails` over all held-out items, with
        ``by_source`` (each source scored by the model that never saw it),
        ``by_boundary``, ``by_source_boundary``, ``split: "leave-one-source-out"``,
        ``detector``, and each fold's choices (``fold_thresholds``).

    Raises:
        ConfigError: an unknown source, or the cascade without the MiniLM package.
    """
    from wardflow.guardrails.train_classifier import (
        CORPUS_PATH,
        PROMPT_THRESHOLD_LOGIT,
        THRESHOLD_LOGIT,
    )

    dataset = Path(path) if path is not None else CORPUS_PATH
    items = load_dataset(dataset)
    names = sorted({str(i.get("source", "all")) for i in items})
    unknown = sorted(set(sources) - set(names))
    if unknown:
        raise ConfigError(f"no source {', '.join(unknown)} in {dataset}; it has {', '.join(names)}")
    detector = detector or default_detector()
    cache = EmbeddingCache(embeddings_cache) if detector == "cascade" else None
    records, choices, pipeline = _folds(items, list(sources or names), inner_folds, cache)
    report = _report(records, dataset, pipeline)
    report |= {"split": "leave-one-source-out", "inner_folds": inner_folds,
               "detector": detector, "fold_thresholds": choices,
               "by_source_boundary": _grouped(records, "source", "boundary")}
    if cache is not None:
        report |= {"band": f"{BAND_NOTE} ({THRESHOLD_LOGIT} documents, {PROMPT_THRESHOLD_LOGIT}"
                           " prompts)", "embeddings": {
            "cache": None if embeddings_cache is None else str(embeddings_cache),
            "computed": cache.computed, "cache_written": cache.save()}}
    return report


def _fmt(value: Any, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def report_table(report: dict[str, Any]) -> RenderableType:
    """The report as rich tables (overall and targets, per validator, per split)."""
    from rich.console import Group
    from rich.table import Table

    overall = report["overall"]
    split = f", {report['split']}" if report.get("split") else ""
    split += f", {report['detector']}" if report.get("detector") else ""
    head = Table(title=f"Guardrails evaluation: {Path(report['dataset']).name}"
                       f" ({overall['items']} items, threshold {report['threshold']:.2f}{split})")
    if report.get("band"):
        head.caption = f"MiniLM head's band: {report['band']}"
    for column in ("metric", "value", "target", "verdict"):
        head.add_column(column)
    targets = report["targets"]
    head.add_row("recall", _fmt(overall["recall"]), f">= {targets['recall']['min']:.2f}",
                 "PASS" if targets["recall"]["pass"] else "MISS")
    head.add_row("false-positive rate", _fmt(overall["false_positive_rate"]),
                 f"<= {targets['false_positive_rate']['max']:.2f}",
                 "PASS" if targets["false_positive_rate"]["pass"] else "MISS")
    head.add_row("precision", _fmt(overall["precision"]), "", "")
    head.add_row("latency p50 / p95 (ms)", f"{_fmt(overall['p50_ms'], '.2f')} /"
                 f" {_fmt(overall['p95_ms'], '.2f')}", "", "")
    validators = Table(title="Per validator")
    for column in ("validator", "ran", "fired", "recall", "FPR", "p50 ms", "p95 ms"):
        validators.add_column(column, justify="left" if column == "validator" else "right")
    for name, row in report["validators"].items():
        validators.add_row(name, str(row.get("ran", "-")), str(row.get("fired", "-")),
                           _fmt(row.get("recall")), _fmt(row.get("false_positive_rate")),
                           _fmt(row.get("p50_ms"), ".3f"), _fmt(row.get("p95_ms"), ".3f"))
    tables: list[RenderableType] = [head, validators]
    for key, title in (("by_split", "split"), ("by_source", "source"),
                       ("by_boundary", "boundary"), ("by_source_boundary", "source/boundary")):
        rows = report.get(key) or {}
        if not rows or list(rows) == ["all"]:
            continue
        table = Table(title=f"Per {title}")
        for column in (title, "injections", "benign", "recall", "FPR"):
            table.add_column(column, justify="left" if column == title else "right")
        for name, row in rows.items():
            table.add_row(name, str(row["injections"]), str(row["benign"]), _fmt(row["recall"]),
                          _fmt(row["false_positive_rate"]))
        tables.append(table)
    return Group(*tables)


def guardrails_eval(
    dataset: Path | None = None, as_json: bool = False, *, pipeline: GuardPipeline | None = None,
    loso: bool = False, detector: Detector | None = None, embeddings_cache: Path | None = None,
) -> tuple[dict[str, Any], RenderableType]:
    """For ``wardflow eval guardrails [--dataset FILE.jsonl] [--loso] [--json]``.

    Returns:
        The report (:func:`evaluate_loso` with ``loso``, of ``detector`` and with
        ``embeddings_cache``; else :func:`evaluate_guardrails`), and what to print:
        its JSON text when ``as_json``, else the tables of :func:`report_table`.
    """
    report = (evaluate_loso(dataset, detector=detector, embeddings_cache=embeddings_cache)
              if loso else evaluate_guardrails(dataset, pipeline=pipeline))
    shown: RenderableType = json.dumps(report, indent=2) if as_json else report_table(report)
    return report, shown


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the report (tables, or JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, default=None, help="JSON-lines file")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--loso", action="store_true",
                        help="leave-one-source-out on the training corpus (each fold's"
                        " choices made on its training sources only)")
    parser.add_argument("--detector", choices=DETECTORS, default=None,
                        help="--loso: the classifier trained per fold (default: the cascade"
                        " when the MiniLM package is installed, else ngram)")
    parser.add_argument("--embeddings-cache", type=Path, default=None,
                        help="--loso with the cascade: a .npz of MiniLM embeddings, read and"
                        " extended (without it the ~8,600 sentences are embedded: minutes)")
    args = parser.parse_args(argv)
    _, shown = guardrails_eval(args.dataset, args.json, loso=args.loso, detector=args.detector,
                               embeddings_cache=args.embeddings_cache)
    if isinstance(shown, str):
        sys.stdout.write(shown + "\n")
    else:
        from rich.console import Console

        Console().print(shown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
