"""Run labelled documents through the real graph and measure what came out.

A dataset is a folder with a ``labels.jsonl`` file: one JSON object per document.

``file`` (required)
    The document, relative to the folder (also looked up under ``inbox/`` and
    ``docs/``).
``vendor``, ``vendor_tax_id``, ``invoice_number``, ``invoice_date`` (or ``date``),
``due_date``, ``currency``, ``subtotal``, ``tax``, ``tax_rate``, ``total``, ``iban``,
``po_number``
    The expected value of each field the dataset labels; ``null`` when the document
    does not carry it (then reading a value is a false positive). A field left out is
    not scored. Amounts may be strings or numbers.
``line_items``
    Expected ``{description, quantity, unit_price, amount}`` rows (a ``null`` part is
    not compared).
``expected_route``
    ``post``, ``review`` or ``failed``; scored for routing when present.
``expected_reasons``
    Review reason codes the run should give (``arithmetic``, ``duplicate``,
    ``prompt_injection``...); scored as reason recall. A code names itself or its
    family: ``duplicate`` is given by ``duplicate_invoice_number``.
``injection``
    ``true`` when the document carries a prompt injection (also implied by an
    expected reason ``prompt_injection``, ``invisible_text`` or ``escalation``).
``language``, ``source`` (or ``source_repo``)
    For the per-language and per-source breakdown; a missing language is told from
    the document's text (:mod:`wardflow.evals._language`), a missing source is
    ``unlabelled``.

An optional ``erp.json`` next to ``labels.jsonl`` is imported as the vendor master
and purchase orders first. Each evaluation runs in a fresh data home, so nothing
from an earlier run (a duplicate, a vendor's history) leaks into it.

The report (:func:`evaluate_documents`) is a JSON-ready dict: per field precision,
recall and exact match; line items; routing (precision and recall of "needs review",
and the confusion matrix); reason recall; guard detection; explanation quality (share
of claims whose evidence is in the run, share whose sentence states only what its
evidence says, coverage of the run's decisions); calibration (reliability diagrams
and expected calibration error per field and per document); straight-through
processing (the share of documents posted without a human, and the share of those
with a core field wrong; the same at document confidence >= 0.90); a breakdown of
the core metrics per language and per source, and optionally calibration fitted on
all sources but one and measured on the one left out
(:func:`leave_one_source_out`); latency and model cost; and one row per document with
its misses. A document whose run raises is an error row naming the exception; the
eval goes on.

This module runs and scores; its parts live in private siblings, whose public names it
re-exports: the labels (``_labels``), comparing values (``_compare``), the metrics
(``_metrics``), the terminal tables (``_table``) and the quality gates (``_thresholds``).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.agents.calibration import CORROBORATED, Calibration, load_calibration
from wardflow.agents.extractor import REQUIRED_FIELDS
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.evals._compare import match_items, reason_given, same
from wardflow.evals._labels import (
    CORE_FIELDS,
    FIELDS,
    FORMAT,
    INJECTION_REASONS,
    STRAIGHT_THROUGH_CONFIDENCE,
    UNLABELLED,
    Label,
    load_labels,
)
from wardflow.evals._language import UNDETERMINED, detect_language
from wardflow.evals._metrics import leave_one_source_out, summarize
from wardflow.evals._table import report_table
from wardflow.evals._thresholds import check_thresholds, load_thresholds, lookup
from wardflow.runstate import Routing, RunState

if TYPE_CHECKING:
    from wardflow.observability.audit import AuditRecord
    from wardflow.runtime.workspace import Workspace

__all__ = ["CORE_FIELDS", "FIELDS", "FORMAT", "STRAIGHT_THROUGH_CONFIDENCE", "UNLABELLED",
           "Label", "check_thresholds", "evaluate_documents", "leave_one_source_out",
           "load_labels", "load_thresholds", "lookup", "reason_given", "report_table", "same",
           "score_run", "summarize"]

log = logging.getLogger(__name__)

_STOPS = ("flagged", "blocked")
# evaluate_documents' flag has the function's name.
_loso = leave_one_source_out


# One run -----------------------------------------------------------------------------
def _route(state: Mapping[str, Any], waiting: bool) -> str:
    if state.get("status") == "failed" or state.get("error"):
        return "failed"
    if waiting:
        return "review"
    return str(Routing.of(state.get("decision")).route or state.get("status") or "unknown")


def _expected_decisions(state: Mapping[str, Any]) -> set[str]:
    """The decisions a run made, named as :mod:`wardflow.agents.explain` names them."""
    made = {"document"}
    run = RunState.of(state)
    if state.get("guard"):
        made.add("guard")
    if run.field_value("vendor") is not None:
        made.add("vendor")
    if run.field_value("total") is not None:
        made.add("total")
    if state.get("extraction"):
        made.add("confidence")
    if run.risk is not None and run.risk.reasons:
        made.add("risk")
    if run.compliance is not None and run.compliance.findings:
        made.add("compliance")
    if state.get("decision"):
        made.add("route")
    if run.review is not None and run.review.decision:
        made.add("review")
    if run.posting is not None and run.posting.posting_id:
        made.add("posting")
    return made


def score_run(label: Label, state: Mapping[str, Any], *, waiting: bool,
              records: Sequence[AuditRecord] = ()) -> dict[str, Any]:
    """Compare one run's final state with its label.

    Args:
        label: what a perfect run would produce.
        state: the run's final graph state.
        waiting: whether the run waits for a human (an interrupt).
        records: the run's audit records, which its explanation cites.

    Returns:
        A dict: ``fields`` (per field: expected, got, confidence, right),
        ``line_items`` (expected, got, matched), ``route``, ``reasons``,
        ``guard_flagged``, ``explanation`` (claims, grounded, faithful, covered,
        decisions), ``pairs`` (confidence, right) for calibration, ``doc_pair``.
    """
    extraction = state.get("extraction") or {}
    scored = _score_fields(label, extraction.get("fields") or {})
    pairs = [(float(s["confidence"]), bool(s["right"])) for s in scored.values()
             if s["got"] is not None and s["confidence"] is not None]
    raw_pairs = [(float(s["raw_confidence"]), bool(s["right"])) for s in scored.values()
                 if s["got"] is not None and s["raw_confidence"] is not None]
    doc_pair, raw_doc_pair = _document_pairs(scored, extraction)
    items = None
    if label.line_items is not None:
        got_items = extraction.get("line_items") or []
        items = {"expected": len(label.line_items), "got": len(got_items),
                 "matched": match_items(got_items, label.line_items)}
    decision = state.get("decision") or {}
    reasons = [str(r.get("code")) for r in decision.get("reasons") or []]
    flagged = any(g.get("outcome") in _STOPS and g.get("validator") in INJECTION_REASONS
                  for g in state.get("guard") or [])
    core = [n for n in CORE_FIELDS if n in scored]
    return {
        "file": label.file, "fields": scored, "line_items": items,
        "language": label.language or detect_language(str(state.get("text") or "")),
        "source": label.source or UNLABELLED,
        "core_right": all(scored[n]["right"] for n in core) if core else None,
        "route": _route(state, waiting), "expected_route": label.expected_route,
        "reasons": reasons, "expected_reasons": list(label.expected_reasons),
        "guard_flagged": flagged, "injection": label.injection,
        "confidence": extraction.get("confidence"), "pairs": pairs, "raw_pairs": raw_pairs,
        "doc_pair": doc_pair, "raw_doc_pair": raw_doc_pair,
        "calibration_input": calibration_input(extraction),
        "explanation": _explanation(state, records),
    }


def _score_fields(label: Label, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Each labelled field: expected, got, right, confidence (as run and raw), method."""
    scored: dict[str, Any] = {}
    for name, want in label.fields.items():
        spec = fields.get(name) or {}
        got = spec.get("value")
        scored[name] = {"expected": want, "got": got, "right": same(name, got, want),
                        "confidence": spec.get("confidence"),
                        "raw_confidence": spec.get("raw_confidence", spec.get("confidence")),
                        "method": spec.get("method")}
    return scored


def _document_pairs(scored: Mapping[str, Any], extraction: Mapping[str, Any]
                    ) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    """(confidence, all required fields right) of the document, as run and raw; ``None``
    when no required field is labelled or the run has no document confidence."""
    required = [n for n in REQUIRED_FIELDS if n in scored]
    if not required or extraction.get("confidence") is None:
        return None, None
    all_right = all(scored[n]["right"] for n in required)
    raw_doc = extraction.get("raw_confidence", extraction["confidence"])
    return (float(extraction["confidence"]), all_right), (float(raw_doc), all_right)


def calibration_input(extraction: Mapping[str, Any]) -> dict[str, Any]:
    """What :func:`~wardflow.agents.calibration.apply_calibration` reads of the run, raw:
    how the text was read and, per field (the required ones always), whether it was
    found, its score, how it was found and whether the seller's identifiers vouch for
    it. So a map fitted later is applied to this run exactly as the graph would."""
    fields = extraction.get("fields") or {}
    out: dict[str, Any] = {}
    for name in dict.fromkeys([*REQUIRED_FIELDS, *fields]):
        spec = fields.get(name) or {}
        raw = spec.get("raw_confidence", spec.get("confidence"))
        out[name] = {"found": spec.get("value") is not None,
                     "raw_confidence": None if raw is None else float(raw),
                     "method": spec.get("method"),
                     "corroborated": any(str(n).startswith(CORROBORATED)
                                         for n in spec.get("notes") or ())}
    return {"method": extraction.get("method"), "fields": out}


def _explanation(state: Mapping[str, Any], records: Sequence[AuditRecord]) -> dict[str, Any]:
    """How well the run's explanation is grounded, and which decisions it covers."""
    from wardflow.agents.explain import explain_run, grounding_report

    explanation = explain_run(state, records)
    grounding = grounding_report(explanation, state, records)
    made = _expected_decisions(state)
    covered = made & set(explanation.decisions())
    return {"claims": grounding.claims, "grounded": grounding.grounded,
            "faithful": grounding.text_supported, "decisions": sorted(made),
            "covered": sorted(covered)}


# The whole dataset -------------------------------------------------------------------
@contextmanager
def _home(home: Path | None) -> Iterator[Path]:
    if home is not None:
        home.mkdir(parents=True, exist_ok=True)
        yield home
        return
    path = Path(tempfile.mkdtemp(prefix="wardflow-eval-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def evaluate_documents(
    dataset: Path | str, settings: Settings | None = None, *, home: Path | None = None,
    calibration: Calibration | None = None, progress: Any = None,
    clock: Callable[[], datetime] | None = None, leave_one_source_out: bool = False,
) -> dict[str, Any]:
    """Run every labelled document through the invoice graph and score the runs.

    Args:
        dataset: a folder with ``labels.jsonl`` (or the file itself).
        settings: the configuration under test (model, thresholds...); its ``home`` is
            replaced by a fresh one.
        home: keep the runs in this data home instead of a temporary one.
        calibration: use this calibration (else the one the settings would apply:
            ``calibration_file``, or ``calibration.json`` in the settings' home, else
            the map shipped in the package; none with ``calibration="off"``).
        progress: called with ``(index, total, file)`` before each document.
        clock: the runs' clock (default: now), for reproducible date checks.
        leave_one_source_out: also fit calibration on all sources but one and measure
            it on the one left out, per source (``report["leave_one_source_out"]``).

    Returns:
        The report (see the module doc); ``report["documents"]`` has one row per document.
    """
    from wardflow.runtime.workspace import Workspace

    labels = load_labels(dataset)
    base = settings or Settings()
    folder = Path(dataset) if Path(dataset).is_dir() else Path(dataset).parent
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    with _home(home) as data_home:
        run_settings, calibration = _run_settings(base, calibration, data_home)
        with Workspace(run_settings, clock=clock) as ws:
            _import_erp(ws, folder)
            for index, label in enumerate(labels):
                if progress is not None:
                    progress(index, len(labels), label.file)
                rows.append(_run_one(ws, label, latencies))
    # The first document pays the process's warm-up (imports, first OCR, model load):
    # it is left out of the latency figures, which say so (``excludes_warmup``).
    warmup = latencies.pop(0) if len(latencies) > 1 else None
    report = summarize(rows, latencies, warmup_ms=warmup)
    if leave_one_source_out:
        report["leave_one_source_out"] = _loso(rows)
    report["created"] = datetime.now(UTC).isoformat(timespec="seconds")
    report["dataset"] = {"path": str(folder), "documents": len(labels),
                         "labels_sha256": _digest(folder / "labels.jsonl")}
    report["config"] = {"model": base.model, "review_threshold": base.review_threshold,
                        "risk_threshold": base.risk_threshold,
                        "calibration": calibration.version if calibration else None}
    return report


def _run_settings(base: Settings, calibration: Calibration | None, data_home: Path
                  ) -> tuple[Settings, Calibration | None]:
    """The settings the runs use (``base`` in ``data_home``) and the calibration they
    apply: the given one, else the one ``base`` would apply (the user's file, else the
    map shipped in the package; none when calibration is off), stored in ``data_home``."""
    if calibration is None:
        calibration = load_calibration(base)
    overrides: dict[str, Any] = {"home": data_home, "calibration_file": None}
    if calibration is not None:
        overrides.update(calibration="auto",
                         calibration_file=calibration.save(data_home / "calibration.json"))
    return base.model_copy(update=overrides), calibration


def _import_erp(ws: Workspace, folder: Path) -> None:
    """Import the dataset's ``erp.json`` (when there is one) into the embedded ERP."""
    from wardflow.tools.erp import EmbeddedErp, load_master

    if (folder / "erp.json").is_file():
        if not isinstance(ws.erp, EmbeddedErp):
            raise ConfigError("the dataset's erp.json loads into the embedded ERP;"
                              " unset WARDFLOW_ERP_URL to evaluate")
        ws.erp.import_master(load_master(folder / "erp.json"))


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _run_one(ws: Workspace, label: Label, latencies: list[float]) -> dict[str, Any]:
    """One document's scored row; a run (or its scoring) that raises is an error row
    naming the exception, and the eval goes on with the next document."""
    from langgraph.errors import GraphBubbleUp

    try:
        return _score_one(ws, label, latencies)
    except GraphBubbleUp:
        raise
    except Exception as err:  # noqa: BLE001 - one document must not end the eval
        log.exception("%s: the run failed", label.file)
        return {"file": label.file, "error": f"{type(err).__name__}: {err}",
                "language": label.language or UNDETERMINED,
                "source": label.source or UNLABELLED}


def _score_one(ws: Workspace, label: Label, latencies: list[float]) -> dict[str, Any]:
    items = ws.items([label.path])
    if len(items) != 1:
        return {"file": label.file, "error": f"{len(items)} documents in {label.file}",
                "language": label.language or UNDETERMINED, "source": label.source or UNLABELLED}
    started = time.perf_counter()
    summary = ws.process_item(items[0])
    elapsed = (time.perf_counter() - started) * 1000
    latencies.append(elapsed)
    snapshot = ws.state(summary.thread_id)
    records = list(ws.audit.records(summary.thread_id))
    row = score_run(label, snapshot.values, waiting=bool(snapshot.interrupts), records=records)
    row.update(thread_id=summary.thread_id, latency_ms=round(elapsed, 1),
               llm_calls=summary.llm_calls, llm_tokens=summary.llm_tokens,
               llm_cost=summary.llm_cost, error=summary.error)
    return row
