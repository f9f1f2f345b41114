"""The dataset's metrics, from the per-document rows that ``score_run`` gives.

Per field precision, recall and exact match; line items; routing; reason recall; guard
detection; explanation quality; calibration; straight-through processing; the
breakdown per language and per source; calibration left one source out; latency and
model cost (see :mod:`wardflow.evals.documents`).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from wardflow.agents.calibration import expected_calibration_error, fit_isotonic, reliability
from wardflow.agents.extractor import REQUIRED_FIELDS
from wardflow.evals._compare import reason_given
from wardflow.evals._labels import (
    CORE_FIELDS,
    FIELDS,
    FORMAT,
    STRAIGHT_THROUGH_CONFIDENCE,
    UNLABELLED,
)
from wardflow.evals._language import UNDETERMINED
from wardflow.evals.guardrails import percentile


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {"tp": tp, "fp": fp, "fn": fn, "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn)}


def _field_metrics(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in FIELDS:
        scored = [r["fields"][name] for r in rows if name in r.get("fields", {})]
        if not scored:
            continue
        tp = sum(1 for s in scored if s["got"] is not None and s["right"])
        fp = sum(1 for s in scored if s["got"] is not None and not s["right"])
        fn = sum(1 for s in scored if s["expected"] is not None and not s["right"])
        out[name] = {**_prf(tp, fp, fn), "n": len(scored),
                     "exact_match": _ratio(sum(1 for s in scored if s["right"]), len(scored))}
    return out


def _calibration(pairs: Sequence[tuple[float, bool]]) -> dict[str, Any]:
    return {"n": len(pairs), "ece": expected_calibration_error(pairs),
            "accuracy": _ratio(sum(1 for _, r in pairs if r), len(pairs)),
            "mean_confidence": _ratio(sum(c for c, _ in pairs), len(pairs)),
            "bins": reliability(pairs)}


def _method_pairs(rows: Sequence[Mapping[str, Any]], key: str
                  ) -> dict[str, list[tuple[float, bool]]]:
    """(score, right) of every found field, by how the field was found (label, pattern,
    master, computed, xml...)."""
    out: dict[str, list[tuple[float, bool]]] = {}
    for r in rows:
        for s in r["fields"].values():
            if s["got"] is not None and s.get(key) is not None:
                out.setdefault(str(s.get("method") or "unknown"), []).append(
                    (float(s[key]), bool(s["right"])))
    return out


def _cross_validated(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Leave one document out: fit isotonic on the others, apply to its fields. An
    honest estimate of the calibrated error on documents the map has not seen."""
    fields: list[tuple[float, bool]] = []
    docs: list[tuple[float, bool]] = []
    for index, row in enumerate(rows):
        rest = [p for j, r in enumerate(rows) if j != index for p in r.get("raw_pairs", [])]
        if not rest or not row.get("raw_pairs"):
            continue
        fitted = fit_isotonic(rest)
        fields.extend((fitted(c), r) for c, r in row["raw_pairs"])
        if row.get("raw_doc_pair") is not None:
            required = [(c, r) for n, s in row["fields"].items() if n in REQUIRED_FIELDS
                        for c, r in [(s["raw_confidence"], s["right"])] if c is not None]
            if required:
                docs.append((min(fitted(c) for c, _ in required), bool(row["raw_doc_pair"][1])))
    return {"method": "isotonic, leave one document out",
            "field": _calibration(fields), "document": _calibration(docs)}


def _straight_through(rows: Sequence[Mapping[str, Any]],
                      threshold: float = STRAIGHT_THROUGH_CONFIDENCE) -> dict[str, Any]:
    """Straight-through processing over the documents whose core fields are labelled:
    ``rate`` is the share at document confidence >= ``threshold`` (what confidence
    alone would let through) and ``error_rate`` the share of those with a core field
    wrong (issue 15's target: at most 2 %); ``posted`` is the same for the documents
    the run actually posted (confidence, risk, compliance and guards together)."""
    core = [r for r in rows if r.get("core_right") is not None]
    confident = [r for r in core
                 if r.get("confidence") is not None and float(r["confidence"]) >= threshold]
    posted = [r for r in core if r.get("route") == "post"]
    return {
        "documents": len(core), "threshold": threshold, "through": len(confident),
        "rate": _ratio(len(confident), len(core)),
        "error_rate": _ratio(sum(1 for r in confident if not r["core_right"]), len(confident)),
        "posted": {"through": len(posted), "rate": _ratio(len(posted), len(core)),
                   "error_rate": _ratio(sum(1 for r in posted if not r["core_right"]),
                                        len(posted))},
    }


def _group(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The core metrics of a group of documents (a language, a source)."""
    scored = [r for r in rows if "fields" in r]
    fields: dict[str, Any] = {}
    for name in CORE_FIELDS:
        own = [r["fields"][name]["right"] for r in scored if name in r["fields"]]
        fields[name] = _ratio(sum(1 for ok in own if ok), len(own))
    items = [r["line_items"] for r in scored if r.get("line_items")]
    expected = sum(i["expected"] for i in items)
    core = [r["core_right"] for r in scored if r.get("core_right") is not None]
    pairs = [p for r in scored for p in r["pairs"]]
    through = _straight_through(scored)
    return {
        "documents": len(rows), "errors": len(rows) - len(scored), "fields": fields,
        "core_exact": _ratio(sum(1 for ok in core if ok), len(core)),
        "line_items_recall": _ratio(sum(i["matched"] for i in items), expected),
        "straight_through": through["rate"], "straight_through_error_rate": through["error_rate"],
        "field_ece": expected_calibration_error(pairs) if pairs else None,
    }


def _breakdown(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, missing in (("language", UNDETERMINED), ("source", UNLABELLED)):
        groups: dict[str, list[Mapping[str, Any]]] = {}
        for row in rows:
            groups.setdefault(str(row.get(key) or missing), []).append(row)
        out[key] = {name: _group(group) for name, group in sorted(groups.items())}
    return out


def leave_one_source_out(rows: Sequence[Mapping[str, Any]],
                         threshold: float = STRAIGHT_THROUGH_CONFIDENCE) -> dict[str, Any]:
    """Calibration fitted on every source but one and measured on the one left out.

    A rule or a calibration tuned to one source looks good on it and nowhere else; here
    each source is scored by an isotonic map that never saw it. Per held-out source:
    field and document ECE, and straight-through rate and error rate at calibrated
    document confidence >= ``threshold``; ``pooled`` adds the held-out scores up.
    """
    scored = [r for r in rows if "fields" in r]
    sources = sorted({str(r.get("source") or UNLABELLED) for r in scored})
    held: dict[str, Any] = {}
    pooled_fields: list[tuple[float, bool]] = []
    pooled_docs: list[tuple[float, bool, bool | None]] = []
    pooled_methods: dict[str, list[tuple[float, bool]]] = {}
    for source in sources:
        train = [p for r in scored if (r.get("source") or UNLABELLED) != source
                 for p in r.get("raw_pairs", [])]
        test = [r for r in scored if (r.get("source") or UNLABELLED) == source]
        if not train:
            held[source] = {"documents": len(test), "fitted_on_pairs": 0,
                            "note": "no other source to fit on"}
            continue
        fitted = fit_isotonic(train)
        fields = [(fitted(c), bool(ok)) for r in test for c, ok in r.get("raw_pairs", [])]
        for method, own in _method_pairs(test, "raw_confidence").items():
            pooled_methods.setdefault(method, []).extend((fitted(c), ok) for c, ok in own)
        docs: list[tuple[float, bool, bool | None]] = []
        for r in test:
            required = [float(f["raw_confidence"]) for n, f in r["fields"].items()
                        if n in REQUIRED_FIELDS and f["raw_confidence"] is not None]
            if required and r.get("raw_doc_pair") is not None:
                docs.append((min(fitted(c) for c in required), bool(r["raw_doc_pair"][1]),
                             r.get("core_right")))
        held[source] = {"documents": len(test), "fitted_on_pairs": len(train),
                        **_held_out(fields, docs, threshold)}
        pooled_fields.extend(fields)
        pooled_docs.extend(docs)
    return {"method": "isotonic fitted on every other source", "sources": len(sources),
            "held_out": held, "pooled": _held_out(pooled_fields, pooled_docs, threshold),
            "per_method": {m: {"n": len(p), "ece": expected_calibration_error(p)}
                           for m, p in sorted(pooled_methods.items())}}


def _held_out(fields: Sequence[tuple[float, bool]],
              docs: Sequence[tuple[float, bool, bool | None]], threshold: float
              ) -> dict[str, Any]:
    through = [core for c, _, core in docs if c >= threshold and core is not None]
    labelled = [core for _, _, core in docs if core is not None]
    return {
        "field": {"n": len(fields), "ece": expected_calibration_error(fields) if fields else None},
        "document": {"n": len(docs), "ece": expected_calibration_error(
            [(c, ok) for c, ok, _ in docs]) if docs else None},
        "straight_through": _ratio(len(through), len(labelled)),
        "straight_through_error_rate": _ratio(sum(1 for ok in through if not ok), len(through)),
    }


def summarize(rows: Sequence[dict[str, Any]], latencies: Sequence[float], *,
              warmup_ms: float | None = None) -> dict[str, Any]:
    """The dataset's metrics from its per-document rows.

    Args:
        rows: one row per document (see :func:`wardflow.evals.documents.score_run`); an
            error row has no ``fields``.
        latencies: the runs' latencies in milliseconds, the warm-up document's left out.
        warmup_ms: the warm-up document's latency, left out of ``latencies``.

    Returns:
        The report's metrics (see :mod:`wardflow.evals.documents`).
    """
    scored = [r for r in rows if "fields" in r]
    return {
        "format": FORMAT,
        "fields": _field_metrics(scored),
        "line_items": _line_items(scored),
        "routing": _routing(scored),
        "reasons": _reasons(scored),
        "guard": _guard(scored),
        "explanation": _explanation(scored),
        "calibration": _calibration_report(scored),
        "latency_ms": _latency(latencies, warmup_ms),
        "cost": {"llm_calls": sum(r.get("llm_calls", 0) for r in scored),
                 "llm_tokens": sum(r.get("llm_tokens", 0) for r in scored),
                 "usd": round(sum(r.get("llm_cost", 0.0) for r in scored), 6)},
        "straight_through": _straight_through(scored),
        "breakdown": _breakdown(rows),
        "errors": [{"file": r["file"], "error": r["error"]} for r in rows if r.get("error")],
        "documents": [_row(r) for r in rows],
    }


def _line_items(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Line items matched over all documents that label them."""
    items = [r["line_items"] for r in scored if r.get("line_items")]
    matched = sum(i["matched"] for i in items)
    return {**_prf(matched, sum(i["got"] for i in items) - matched,
                   sum(i["expected"] for i in items) - matched),
            "documents": len(items),
            "exact_match": _ratio(sum(1 for i in items if i["matched"] == i["expected"]
                                      == i["got"]), len(items))}


def _routing(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """"Needs review" precision and recall, accuracy and the confusion matrix."""
    routed = [r for r in scored if r.get("expected_route")]
    tp = sum(1 for r in routed if r["expected_route"] != "post" and r["route"] != "post")
    fp = sum(1 for r in routed if r["expected_route"] == "post" and r["route"] != "post")
    fn = sum(1 for r in routed if r["expected_route"] != "post" and r["route"] == "post")
    confusion: dict[str, dict[str, int]] = {}
    for r in routed:
        cell = confusion.setdefault(r["expected_route"], {})
        cell[r["route"]] = cell.get(r["route"], 0) + 1
    return {**_prf(tp, fp, fn), "documents": len(routed), "positive": "review",
            "accuracy": _ratio(sum(1 for r in routed if r["route"] == r["expected_route"]),
                               len(routed)),
            "confusion": confusion}


def _reasons(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Recall of the review reasons the labels expect."""
    expected_reasons = [(r, code) for r in scored for code in r["expected_reasons"]]
    return {"expected": len(expected_reasons),
            "recall": _ratio(sum(1 for r, code in expected_reasons
                                 if reason_given(code, r["reasons"])),
                             len(expected_reasons))}


def _guard(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Injection detection over the documents labelled for injection."""
    labelled = [r for r in scored if r.get("injection") is not None]
    g_tp = sum(1 for r in labelled if r["injection"] and r["guard_flagged"])
    g_fp = sum(1 for r in labelled if not r["injection"] and r["guard_flagged"])
    g_fn = sum(1 for r in labelled if r["injection"] and not r["guard_flagged"])
    benign = sum(1 for r in labelled if not r["injection"])
    return {**_prf(g_tp, g_fp, g_fn), "documents": len(labelled),
            "false_positive_rate": _ratio(g_fp, benign)}


def _explanation(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Shares of claims grounded and faithful, and of decisions covered."""
    claims = sum(r["explanation"]["claims"] for r in scored)
    decisions = sum(len(r["explanation"]["decisions"]) for r in scored)
    return {
        "claims": claims,
        "grounded": _ratio(sum(r["explanation"]["grounded"] for r in scored), claims),
        "faithful": _ratio(sum(r["explanation"]["faithful"] for r in scored), claims),
        "coverage": _ratio(sum(len(r["explanation"]["covered"]) for r in scored), decisions),
    }


def _calibration_report(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Calibration per field and per document, as run and raw, per field name, per
    method, and cross-validated."""
    pairs = [p for r in scored for p in r["pairs"]]
    raw_pairs = [p for r in scored for p in r["raw_pairs"]]
    doc_pairs = [r["doc_pair"] for r in scored if r["doc_pair"] is not None]
    raw_doc_pairs = [r["raw_doc_pair"] for r in scored if r["raw_doc_pair"] is not None]
    return {
        "field": _calibration(pairs), "document": _calibration(doc_pairs),
        "raw_field": _calibration(raw_pairs), "raw_document": _calibration(raw_doc_pairs),
        "per_field": _per_field(scored), "per_method": _per_method(scored),
        "cross_validated": _cross_validated(scored),
    }


def _per_field(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Expected calibration error of each field name."""
    per_field: dict[str, Any] = {}
    for name in FIELDS:
        own = [(float(s["confidence"]), bool(s["right"])) for r in scored
               for n, s in r["fields"].items()
               if n == name and s["got"] is not None and s["confidence"] is not None]
        if own:
            per_field[name] = {"n": len(own), "ece": expected_calibration_error(own)}
    return per_field


def _per_method(scored: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Calibration and accuracy by how a field was found."""
    per_method: dict[str, Any] = {}
    for method, own_pairs in sorted(_method_pairs(scored, "confidence").items()):
        raw_own = _method_pairs(scored, "raw_confidence")[method]
        per_method[method] = {"n": len(own_pairs), "ece": expected_calibration_error(own_pairs),
                              "raw_ece": expected_calibration_error(raw_own),
                              "accuracy": _ratio(sum(1 for _, r in own_pairs if r),
                                                 len(own_pairs))}
    return per_method


def _latency(latencies: Sequence[float], warmup_ms: float | None) -> dict[str, Any]:
    """Latency percentiles and mean; the warm-up document is reported apart."""
    return {"n": len(latencies), "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95),
            "mean": round(statistics.fmean(latencies), 1) if latencies else None,
            "excludes_warmup": 0 if warmup_ms is None else 1,
            "warmup_ms": None if warmup_ms is None else round(warmup_ms, 1)}


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    if "fields" not in row:
        return dict(row)
    return {
        "file": row["file"], "thread_id": row.get("thread_id"), "route": row["route"],
        "expected_route": row["expected_route"], "reasons": row["reasons"],
        "expected_reasons": row["expected_reasons"], "confidence": row["confidence"],
        "language": row.get("language"), "source": row.get("source"),
        "core_right": row.get("core_right"),
        "guard_flagged": row["guard_flagged"], "latency_ms": row.get("latency_ms"),
        "misses": {n: {"expected": s["expected"], "got": s["got"],
                       "confidence": s["confidence"]}
                   for n, s in row["fields"].items() if not s["right"]},
        "line_items": row["line_items"], "explanation": row["explanation"],
        "pairs": row["pairs"], "raw_pairs": row["raw_pairs"], "doc_pair": row["doc_pair"],
        "raw_doc_pair": row["raw_doc_pair"], "calibration_input": row.get("calibration_input"),
        "methods": {n: f.get("method") for n, f in row["fields"].items() if f["got"] is not None},
    }
