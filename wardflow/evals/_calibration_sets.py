"""Calibration across labelled sets: fit one map on several eval reports, and measure a
map on a set it was not fitted on (leave one set out).

An eval report (``wardflow eval documents DATASET -o FILE``) keeps, per document, the
raw score and correctness of every labelled field (``raw_pairs``, ``methods`` and
``misses``) and what :func:`~wardflow.agents.calibration.apply_calibration` reads of the
run (``calibration_input``). So a map fitted later is applied to a stored run exactly as
the graph would apply it (the same function, on the same inputs: the document's
confidence is the lowest calibrated required field; a seller found by pattern alone,
and every field of a document read by OCR, stay under the review threshold), without
running the documents again.

Straight-through is measured two ways, as the report does: ``through`` counts the
documents at document confidence >= 0.90 (confidence alone), ``posted`` the documents
the run would post, i.e. whose only reason for review, if any, was low confidence, and
whose calibrated confidence reaches the review threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wardflow.agents.calibration import (
    CORROBORATED,
    Calibration,
    Method,
    apply_calibration,
    expected_calibration_error,
    fit_isotonic,
    fit_platt,
)
from wardflow.agents.extractor import REQUIRED_FIELDS
from wardflow.errors import ConfigError
from wardflow.evals._labels import STRAIGHT_THROUGH_CONFIDENCE

__all__ = ["fit_sets", "leave_one_set_out", "score_with"]

Report = Mapping[str, Any]
_LOW = "low_confidence"


def _rows(report: Report) -> list[Mapping[str, Any]]:
    """The report's scored documents (error rows have no ``raw_pairs``)."""
    return [r for r in report.get("documents") or [] if "raw_pairs" in r]


def _pairs(reports: Sequence[Report]) -> list[tuple[float, bool]]:
    return [
        (float(c), bool(ok))
        for report in reports
        for r in _rows(report)
        for c, ok in r["raw_pairs"]
    ]


def fit_sets(
    reports: Mapping[str, Report], method: Method, *, fitted_at: str | None = None
) -> Calibration:
    """One map fitted on the raw scores of every report, named in ``fitted_on`` (set,
    documents, labelled values) with the model the runs used, and ``fitted_at`` where
    given (the shipped map has none, so that refitting the same sets gives the same file).

    Raises:
        ConfigError: a report without raw scores, or runs of different models.
    """
    sets, models = [], set()
    for name, report in reports.items():
        rows = _rows(report)
        if not rows:
            raise ConfigError(f"{name}: no scored documents with raw scores in the report")
        models.add((report.get("config") or {}).get("model"))
        sets.append(
            {
                "name": name,
                "documents": len(rows),
                "pairs": sum(len(r["raw_pairs"]) for r in rows),
                "labels_sha256": (report.get("dataset") or {}).get("labels_sha256"),
            }
        )
    if len(models) > 1:
        raise ConfigError(
            f"the reports ran different models ({sorted(map(str, models))});"
            " fit on runs of one configuration"
        )
    pairs = _pairs(list(reports.values()))
    fitter = fit_isotonic if method == "isotonic" else fit_platt
    return fitter(
        pairs,
        fitted_on={
            "sets": sets,
            "documents": sum(s["documents"] for s in sets),
            "pairs": len(pairs),
            "model": models.pop(),
            **({"fitted_at": fitted_at} if fitted_at else {}),
        },
    )


def _calibrated(
    row: Mapping[str, Any], calibration: Calibration | None, threshold: float
) -> tuple[list[tuple[float, bool]], float | None]:
    """The run's labelled field pairs and document confidence under ``calibration`` (as
    run, raw, when ``None``), the calibrated ones computed by the graph's own
    :func:`apply_calibration` from what the report kept of the run."""
    if calibration is None:
        doc = row.get("raw_doc_pair")
        return (
            [(float(c), bool(ok)) for c, ok in row["raw_pairs"]],
            None if doc is None else float(doc[0]),
        )
    run = row["calibration_input"]
    fields = {
        name: {
            "value": True if spec["found"] else None,
            "confidence": spec["raw_confidence"] or 0.0,
            "method": spec["method"],
            "notes": [CORROBORATED] if spec["corroborated"] else [],
        }
        for name, spec in run["fields"].items()
    }
    extraction = apply_calibration(
        {"fields": fields, "method": run["method"]}, calibration, REQUIRED_FIELDS, threshold
    )
    # the labelled fields the run found, right unless listed among its misses
    pairs = [
        (float(fields[name]["confidence"]), name not in (row.get("misses") or {}))
        for name in row.get("methods") or {}
    ]
    return pairs, float(extraction["confidence"])


def _outcomes(
    report: Report, calibration: Calibration | None, threshold: float
) -> dict[str, list[Any]]:
    """The (score, right) pairs of fields and documents, and the core correctness of the
    documents through on confidence and of those the run would post."""
    rows = _rows(report)
    if calibration is not None and any(not r.get("calibration_input") for r in rows):
        raise ConfigError(
            "the report has no 'calibration_input' per document; run the eval"
            " again with this version of wardflow"
        )
    out: dict[str, list[Any]] = {
        "field": [],
        "document": [],
        "through": [],
        "posted": [],
        "core": [],
    }
    for r in rows:
        pairs, confidence = _calibrated(r, calibration, threshold)
        out["field"].extend(pairs)
        if confidence is None:
            continue
        if r.get("raw_doc_pair") is not None:
            out["document"].append((confidence, bool(r["raw_doc_pair"][1])))
        if r.get("core_right") is None:
            continue
        out["core"].append(bool(r["core_right"]))
        if confidence >= STRAIGHT_THROUGH_CONFIDENCE:
            out["through"].append(bool(r["core_right"]))
        others = [c for c in r.get("reasons") or () if c != _LOW]
        if r.get("route") in ("post", "review") and not others and confidence >= threshold:
            out["posted"].append(bool(r["core_right"]))
    return out


def _summary(out: Mapping[str, list[Any]]) -> dict[str, Any]:
    return {
        "core_labelled": len(out["core"]),
        "field": {"n": len(out["field"]), "ece": expected_calibration_error(out["field"])},
        "document": {"n": len(out["document"]), "ece": expected_calibration_error(out["document"])},
        "through": len(out["through"]),
        "through_wrong": out["through"].count(False),
        "posted": len(out["posted"]),
        "posted_wrong": out["posted"].count(False),
    }


def score_with(
    report: Report, calibration: Calibration | None, *, threshold: float = 0.90
) -> dict[str, Any]:
    """Field and document ECE, and straight-through, of a report's runs under
    ``calibration`` (``None``: the raw scores). ``threshold`` is the review threshold
    the runs routed by."""
    return _summary(_outcomes(report, calibration, threshold))


def leave_one_set_out(
    reports: Mapping[str, Report],
    methods: Sequence[Method] = ("isotonic", "platt"),
    *,
    threshold: float = 0.90,
) -> dict[str, Any]:
    """Per set: its raw scores, and each method's map fitted on every other set and
    applied to it; ``pooled`` adds the held-out documents of all sets up.

    Raises:
        ConfigError: fewer than two sets, or a report without raw scores.
    """
    if len(reports) < 2:
        raise ConfigError("leave one set out needs at least two eval reports")
    held: dict[str, Any] = {}
    pooled: dict[str, dict[str, list[Any]]] = {}
    for name, report in reports.items():
        rest = {n: r for n, r in reports.items() if n != name}
        fits: dict[str, Calibration | None] = {"raw": None}
        fits.update({m: fit_sets(rest, m) for m in methods})
        held[name] = {}
        for key, fitted in fits.items():
            out = _outcomes(report, fitted, threshold)
            for part, values in out.items():
                pooled.setdefault(key, {}).setdefault(part, []).extend(values)
            held[name][key] = {"version": fitted.version if fitted else None, **_summary(out)}
    return {
        "threshold": threshold,
        "sets": list(reports),
        "held_out": held,
        "pooled": {key: _summary(out) for key, out in pooled.items()},
    }
