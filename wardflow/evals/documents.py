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
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import statistics
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.agents.calibration import (
    Calibration,
    expected_calibration_error,
    fit_isotonic,
    reliability,
)
from wardflow.agents.extractor import REQUIRED_FIELDS
from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.evals._language import UNDETERMINED, detect_language
from wardflow.evals.guardrails import percentile
from wardflow.runstate import Routing, RunState

if TYPE_CHECKING:
    from wardflow.observability.audit import AuditRecord
    from wardflow.runtime.workspace import Workspace

__all__ = ["CORE_FIELDS", "FIELDS", "Label", "evaluate_documents", "leave_one_source_out",
           "load_labels", "score_run"]

log = logging.getLogger(__name__)

FORMAT = "wardflow-eval/1"
FIELDS = ("vendor", "vendor_tax_id", "invoice_number", "invoice_date", "due_date", "currency",
          "subtotal", "tax", "tax_rate", "total", "iban", "po_number")
_ALIASES = {"date": "invoice_date"}
_AMOUNTS = frozenset({"subtotal", "tax", "total"})
_INJECTION_REASONS = frozenset({"prompt_injection", "invisible_text", "escalation"})
_ROUTES = frozenset({"post", "review", "failed"})
_STOPS = ("flagged", "blocked")
# The fields an invoice cannot be booked without being right (issue 15's "core").
CORE_FIELDS = ("vendor", "invoice_number", "invoice_date", "total")
# A document at or above this confidence would go straight through on confidence alone.
STRAIGHT_THROUGH_CONFIDENCE = 0.90
UNLABELLED = "unlabelled"


@dataclass(frozen=True)
class Label:
    """One labelled document: where it is and what a perfect run would produce."""

    file: str
    path: Path
    fields: Mapping[str, Any]
    line_items: Sequence[Mapping[str, Any]] | None
    expected_route: str | None
    expected_reasons: tuple[str, ...]
    injection: bool | None
    language: str | None = None
    source: str | None = None


def load_labels(dataset: Path | str) -> list[Label]:
    """The labels of a dataset folder, each resolved to its document.

    Raises:
        ConfigError: no ``labels.jsonl``, a line that is not a JSON object with a
            ``file``, a file that is not there, or an unknown route; the message names
            the line.
    """
    folder = Path(dataset)
    source = folder / "labels.jsonl" if folder.is_dir() else folder
    folder = source.parent
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise ConfigError(f"cannot read {source}: {err.strerror}; a dataset is a folder"
                          " with labels.jsonl (see wardflow/evals/documents.py)") from err
    labels = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            raise ConfigError(f"{where}: not JSON ({err.msg})") from err
        if not isinstance(raw, dict) or not isinstance(raw.get("file"), str):
            raise ConfigError(f"{where}: a label is an object with a string 'file'")
        path = _resolve(folder, raw["file"])
        if path is None:
            raise ConfigError(f"{where}: {raw['file']} is not in {folder} (nor inbox/, docs/)")
        route = raw.get("expected_route")
        if route is not None and route not in _ROUTES:
            raise ConfigError(f"{where}: expected_route {route!r} is not one of"
                              f" {', '.join(sorted(_ROUTES))}")
        fields = {_ALIASES.get(str(k), str(k)): v for k, v in raw.items()
                  if _ALIASES.get(str(k), str(k)) in FIELDS}
        reasons = tuple(str(r) for r in raw.get("expected_reasons") or ())
        injection = raw.get("injection")
        if injection is None and "expected_reasons" in raw:
            injection = bool(_INJECTION_REASONS & set(reasons))
        labels.append(Label(raw["file"], path, fields, raw.get("line_items"), route, reasons,
                            injection, _optional_text(raw.get("language")),
                            _optional_text(raw.get("source")) or _repo(raw.get("source_repo"))))
    if not labels:
        raise ConfigError(f"{source} has no labels")
    return labels


def _optional_text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _repo(url: Any) -> str | None:
    """``owner/name`` of a repository URL (``https://github.com/owner/name``)."""
    if not isinstance(url, str) or not url.strip():
        return None
    parts = [p for p in re.sub(r"^[a-z]+://[^/]+/", "", url.strip()).split("/") if p]
    return "/".join(parts[:2]).removesuffix(".git") if parts else None


def _resolve(folder: Path, name: str) -> Path | None:
    for base in (folder, folder / "inbox", folder / "docs"):
        candidate = (base / name).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            return candidate
    return None


# Comparing values --------------------------------------------------------------------
def _text(value: Any) -> str:
    folded = unicodedata.normalize("NFKC", str(value)).casefold()
    return " ".join(re.sub(r"[.,;:]+(\s|$)", r"\1", folded).split())


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value).replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def same(name: str, got: Any, want: Any) -> bool:
    """Whether an extracted value matches the label's (``None`` matches ``None``)."""
    if got is None or want is None:
        return got is None and want is None
    if name in _AMOUNTS or name in ("quantity", "unit_price", "amount"):
        return _amount(got) is not None and _amount(got) == _amount(want)
    if name == "tax_rate":
        try:
            return abs(float(got) - float(want)) < 1e-6
        except (TypeError, ValueError):
            return False
    if name in ("iban", "vendor_tax_id", "po_number", "invoice_number", "currency"):
        return re.sub(r"\s+", "", str(got)).upper() == re.sub(r"\s+", "", str(want)).upper()
    return _text(got) == _text(want)


def _same_item(got: Mapping[str, Any], want: Mapping[str, Any]) -> bool:
    for part in ("quantity", "unit_price", "amount"):
        if want.get(part) is not None and not same(part, got.get(part), want[part]):
            return False
    a, b = set(_text(got.get("description", "")).split()), set(
        _text(want.get("description", "")).split())
    return not b or len(a & b) / len(a | b) >= 0.5


def _match_items(got: Sequence[Mapping[str, Any]], want: Sequence[Mapping[str, Any]]) -> int:
    free = list(got)
    hits = 0
    for item in want:
        for index, candidate in enumerate(free):
            if _same_item(candidate, item):
                hits += 1
                del free[index]
                break
    return hits


def reason_given(expected: str, codes: Sequence[str]) -> bool:
    """Whether a run gave an expected reason: the code itself, or one of its family
    (``duplicate`` is given by ``duplicate_invoice_number``)."""
    return any(code == expected or code.startswith(expected + "_") for code in codes)


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

    Returns a dict: ``fields`` (per field: expected, got, confidence, right),
    ``line_items`` (expected, got, matched), ``route``, ``reasons``, ``guard_flagged``,
    ``explanation`` (claims, grounded, faithful, covered, decisions), ``pairs``
    (confidence, right) for calibration, ``doc_pair``.
    """
    from wardflow.agents.explain import explain_run, grounding_report

    extraction = state.get("extraction") or {}
    fields = extraction.get("fields") or {}
    scored: dict[str, Any] = {}
    for name, want in label.fields.items():
        spec = fields.get(name) or {}
        got = spec.get("value")
        scored[name] = {"expected": want, "got": got, "right": same(name, got, want),
                        "confidence": spec.get("confidence"),
                        "raw_confidence": spec.get("raw_confidence", spec.get("confidence")),
                        "method": spec.get("method")}
    pairs = [(float(s["confidence"]), bool(s["right"])) for s in scored.values()
             if s["got"] is not None and s["confidence"] is not None]
    raw_pairs = [(float(s["raw_confidence"]), bool(s["right"])) for s in scored.values()
                 if s["got"] is not None and s["raw_confidence"] is not None]
    required = [n for n in REQUIRED_FIELDS if n in scored]
    doc_pair = None
    if required and extraction.get("confidence") is not None:
        all_right = all(scored[n]["right"] for n in required)
        doc_pair = (float(extraction["confidence"]), all_right)
        raw_doc = extraction.get("raw_confidence", extraction["confidence"])
        raw_doc_pair = (float(raw_doc), all_right)
    else:
        raw_doc_pair = None
    items = None
    if label.line_items is not None:
        got_items = extraction.get("line_items") or []
        items = {"expected": len(label.line_items), "got": len(got_items),
                 "matched": _match_items(got_items, label.line_items)}
    decision = state.get("decision") or {}
    reasons = [str(r.get("code")) for r in decision.get("reasons") or []]
    flagged = any(g.get("outcome") in _STOPS and g.get("validator") in _INJECTION_REASONS
                  for g in state.get("guard") or [])
    explanation = explain_run(state, records)
    grounding = grounding_report(explanation, state, records)
    made = _expected_decisions(state)
    covered = made & set(explanation.decisions())
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
        "explanation": {"claims": grounding.claims, "grounded": grounding.grounded,
                        "faithful": grounding.text_supported, "decisions": sorted(made),
                        "covered": sorted(covered)},
    }


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
            ``calibration_file``, or ``calibration.json`` in the settings' home).
        progress: called with ``(index, total, file)`` before each document.
        clock: the runs' clock (default: now), for reproducible date checks.
        leave_one_source_out: also fit calibration on all sources but one and measure
            it on the one left out, per source (``report["leave_one_source_out"]``).

    Returns:
        The report (see the module doc); ``report["documents"]`` has one row per document.
    """
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import EmbeddedErp, load_master

    labels = load_labels(dataset)
    base = settings or Settings()
    folder = Path(dataset) if Path(dataset).is_dir() else Path(dataset).parent
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    with _home(home) as data_home:
        overrides: dict[str, Any] = {"home": data_home}
        stored = None
        if calibration is not None:
            stored = calibration.save(data_home / "calibration.json")
        elif base.calibration_file is not None or base.calibration_path.exists():
            calibration = Calibration.load(base.calibration_path)
            stored = calibration.save(data_home / "calibration.json")
        overrides["calibration_file"] = stored
        run_settings = base.model_copy(update=overrides)
        with Workspace(run_settings, clock=clock) as ws:
            if (folder / "erp.json").is_file():
                if not isinstance(ws.erp, EmbeddedErp):
                    raise ConfigError("the dataset's erp.json loads into the embedded ERP;"
                                      " unset WARDFLOW_ERP_URL to evaluate")
                ws.erp.import_master(load_master(folder / "erp.json"))
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


# Metrics -----------------------------------------------------------------------------
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


# evaluate_documents' flag has the function's name.
_loso = leave_one_source_out


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
    """The dataset's metrics from its per-document rows (see :func:`score_run`);
    ``warmup_ms``: the warm-up document's latency, left out of ``latencies``."""
    scored = [r for r in rows if "fields" in r]
    routed = [r for r in scored if r.get("expected_route")]
    tp = sum(1 for r in routed if r["expected_route"] != "post" and r["route"] != "post")
    fp = sum(1 for r in routed if r["expected_route"] == "post" and r["route"] != "post")
    fn = sum(1 for r in routed if r["expected_route"] != "post" and r["route"] == "post")
    confusion: dict[str, dict[str, int]] = {}
    for r in routed:
        cell = confusion.setdefault(r["expected_route"], {})
        cell[r["route"]] = cell.get(r["route"], 0) + 1
    expected_reasons = [(r, code) for r in scored for code in r["expected_reasons"]]
    labelled = [r for r in scored if r.get("injection") is not None]
    g_tp = sum(1 for r in labelled if r["injection"] and r["guard_flagged"])
    g_fp = sum(1 for r in labelled if not r["injection"] and r["guard_flagged"])
    g_fn = sum(1 for r in labelled if r["injection"] and not r["guard_flagged"])
    benign = sum(1 for r in labelled if not r["injection"])
    items = [r["line_items"] for r in scored if r.get("line_items")]
    matched = sum(i["matched"] for i in items)
    claims = sum(r["explanation"]["claims"] for r in scored)
    decisions = sum(len(r["explanation"]["decisions"]) for r in scored)
    pairs = [p for r in scored for p in r["pairs"]]
    raw_pairs = [p for r in scored for p in r["raw_pairs"]]
    doc_pairs = [r["doc_pair"] for r in scored if r["doc_pair"] is not None]
    raw_doc_pairs = [r["raw_doc_pair"] for r in scored if r["raw_doc_pair"] is not None]
    per_field: dict[str, Any] = {}
    for name in FIELDS:
        own = [(float(s["confidence"]), bool(s["right"])) for r in scored
               for n, s in r["fields"].items()
               if n == name and s["got"] is not None and s["confidence"] is not None]
        if own:
            per_field[name] = {"n": len(own), "ece": expected_calibration_error(own)}
    per_method: dict[str, Any] = {}
    for method, own_pairs in sorted(_method_pairs(scored, "confidence").items()):
        raw_own = _method_pairs(scored, "raw_confidence")[method]
        per_method[method] = {"n": len(own_pairs), "ece": expected_calibration_error(own_pairs),
                              "raw_ece": expected_calibration_error(raw_own),
                              "accuracy": _ratio(sum(1 for _, r in own_pairs if r),
                                                 len(own_pairs))}
    return {
        "format": FORMAT,
        "fields": _field_metrics(scored),
        "line_items": {**_prf(matched, sum(i["got"] for i in items) - matched,
                              sum(i["expected"] for i in items) - matched),
                       "documents": len(items),
                       "exact_match": _ratio(sum(1 for i in items if i["matched"] == i["expected"]
                                                 == i["got"]), len(items))},
        "routing": {**_prf(tp, fp, fn), "documents": len(routed), "positive": "review",
                    "accuracy": _ratio(sum(1 for r in routed if r["route"] == r["expected_route"]),
                                       len(routed)),
                    "confusion": confusion},
        "reasons": {"expected": len(expected_reasons),
                    "recall": _ratio(sum(1 for r, code in expected_reasons
                                         if reason_given(code, r["reasons"])),
                                     len(expected_reasons))},
        "guard": {**_prf(g_tp, g_fp, g_fn), "documents": len(labelled),
                  "false_positive_rate": _ratio(g_fp, benign)},
        "explanation": {
            "claims": claims,
            "grounded": _ratio(sum(r["explanation"]["grounded"] for r in scored), claims),
            "faithful": _ratio(sum(r["explanation"]["faithful"] for r in scored), claims),
            "coverage": _ratio(sum(len(r["explanation"]["covered"]) for r in scored), decisions),
        },
        "calibration": {
            "field": _calibration(pairs), "document": _calibration(doc_pairs),
            "raw_field": _calibration(raw_pairs), "raw_document": _calibration(raw_doc_pairs),
            "per_field": per_field, "per_method": per_method,
            "cross_validated": _cross_validated(scored),
        },
        "latency_ms": {"n": len(latencies), "p50": percentile(latencies, 0.5),
                       "p95": percentile(latencies, 0.95),
                       "mean": round(statistics.fmean(latencies), 1) if latencies else None,
                       "excludes_warmup": 0 if warmup_ms is None else 1,
                       "warmup_ms": None if warmup_ms is None else round(warmup_ms, 1)},
        "cost": {"llm_calls": sum(r.get("llm_calls", 0) for r in scored),
                 "llm_tokens": sum(r.get("llm_tokens", 0) for r in scored),
                 "usd": round(sum(r.get("llm_cost", 0.0) for r in scored), 6)},
        "straight_through": _straight_through(scored),
        "breakdown": _breakdown(rows),
        "errors": [{"file": r["file"], "error": r["error"]} for r in rows if r.get("error")],
        "documents": [_row(r) for r in rows],
    }


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
        "raw_doc_pair": row["raw_doc_pair"],
        "methods": {n: f.get("method") for n, f in row["fields"].items() if f["got"] is not None},
    }


# Terminal ----------------------------------------------------------------------------
def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def report_table(report: Mapping[str, Any]) -> Any:
    """The report as rich tables: fields, then the run-level metrics, then misses."""
    from rich.console import Group
    from rich.table import Table

    fields = Table(title=f"Fields ({report['dataset']['documents']} documents,"
                         f" model {report['config']['model']})")
    for column in ("field", "n", "precision", "recall", "exact match"):
        fields.add_column(column, justify="left" if column == "field" else "right")
    for name, row in report["fields"].items():
        fields.add_row(name, str(row["n"]), _fmt(row["precision"]), _fmt(row["recall"]),
                       _fmt(row["exact_match"]))
    items = report["line_items"]
    fields.add_row("line items", str(items["tp"] + items["fn"]), _fmt(items["precision"]),
                   _fmt(items["recall"]), _fmt(items["exact_match"]))
    runs = Table(title="Routing, guards, explanations, calibration, cost")
    runs.add_column("metric")
    runs.add_column("value", justify="right")
    routing, guard, expl = report["routing"], report["guard"], report["explanation"]
    calibration = report["calibration"]
    cv = calibration["cross_validated"]
    through = report["straight_through"]
    rows = [
        ("routing: needs-review precision", routing["precision"]),
        ("routing: needs-review recall", routing["recall"]),
        ("routing: accuracy", routing["accuracy"]),
        ("review reasons: recall", report["reasons"]["recall"]),
        ("guard: injection recall", guard["recall"]),
        ("guard: false-positive rate", guard["false_positive_rate"]),
        ("explanations: claims grounded in the run", expl["grounded"]),
        ("explanations: sentences faithful to evidence", expl["faithful"]),
        ("explanations: decisions covered", expl["coverage"]),
        ("calibration: field ECE (as run)", calibration["field"]["ece"]),
        ("calibration: document ECE (as run)", calibration["document"]["ece"]),
        ("calibration: field ECE (raw scores)", calibration["raw_field"]["ece"]),
        ("calibration: document ECE (raw scores)", calibration["raw_document"]["ece"]),
        ("calibration: field ECE (isotonic, held out)", cv["field"]["ece"]),
        ("calibration: document ECE (isotonic, held out)", cv["document"]["ece"]),
        (f"straight-through: share at confidence >= {through['threshold']:.2f}",
         through["rate"]),
        ("straight-through: share of those with a core field wrong", through["error_rate"]),
        ("straight-through: share posted without review", through["posted"]["rate"]),
        ("straight-through: share of posted with a core field wrong",
         through["posted"]["error_rate"]),
        ("latency p50 / p95 ms", f"{_fmt(report['latency_ms']['p50'])} /"
                                 f" {_fmt(report['latency_ms']['p95'])}"
                                 + (" (warm-up document excluded)"
                                    if report['latency_ms'].get('excludes_warmup') else "")),
        ("model calls / tokens / USD", f"{report['cost']['llm_calls']} /"
                                       f" {report['cost']['llm_tokens']} / {report['cost']['usd']}"),
    ]
    for name, value in rows:
        runs.add_row(name, _fmt(value))
    misses = Table(title="Documents with a miss or a wrong route")
    for column in ("document", "route (expected)", "confidence", "misses: expected -> got"):
        misses.add_column(column)
    for doc in report["documents"]:
        if "misses" not in doc:
            misses.add_row(doc["file"], "error", "-", str(doc.get("error")))
            continue
        wrong_route = doc["expected_route"] and doc["route"] != doc["expected_route"]
        if not doc["misses"] and not wrong_route:
            continue
        route = f"{doc['route']} ({doc['expected_route'] or '-'})"
        said = "; ".join(f"{n}: {m['expected']!r} -> {m['got']!r}" for n, m in doc["misses"].items())
        misses.add_row(doc["file"], f"[red]{route}[/red]" if wrong_route else route,
                       _fmt(doc["confidence"]), said or "-")
    tables: list[Any] = [fields, runs]
    for key in ("language", "source"):
        tables.append(_breakdown_table(key, report["breakdown"][key]))
    if report.get("leave_one_source_out"):
        tables.append(_loso_table(report["leave_one_source_out"]))
    return Group(*tables, misses)


def _breakdown_table(key: str, groups: Mapping[str, Mapping[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title=f"Per {key}")
    columns = (key, "docs", "errors", *CORE_FIELDS, "core all right", "line items",
               "straight-through", "ST errors", "field ECE")
    for column in columns:
        table.add_column(column, justify="left" if column == key else "right")
    for name, g in groups.items():
        table.add_row(name, str(g["documents"]), str(g["errors"]),
                      *(_fmt(g["fields"][n]) for n in CORE_FIELDS), _fmt(g["core_exact"]),
                      _fmt(g["line_items_recall"]), _fmt(g["straight_through"]),
                      _fmt(g["straight_through_error_rate"]), _fmt(g["field_ece"]))
    return table


def _loso_table(loso: Mapping[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="Calibration left one source out (isotonic fitted on the others)")
    for column in ("held-out source", "docs", "fitted on pairs", "field ECE", "document ECE",
                   "straight-through", "ST errors"):
        table.add_column(column, justify="left" if column == "held-out source" else "right")

    def row(name: str, docs: Any, pairs: Any, h: Mapping[str, Any]) -> None:
        table.add_row(name, str(docs), str(pairs), _fmt((h.get("field") or {}).get("ece")),
                      _fmt((h.get("document") or {}).get("ece")), _fmt(h.get("straight_through")),
                      _fmt(h.get("straight_through_error_rate")))

    for name, h in loso["held_out"].items():
        row(name, h["documents"], h["fitted_on_pairs"], h)
    row("all held out", "-", "-", loso["pooled"])
    for method, h in (loso.get("per_method") or {}).items():
        table.add_row(f"  fields found by {method}", "-", str(h["n"]), _fmt(h["ece"]), "-",
                      "-", "-")
    return table


# Thresholds --------------------------------------------------------------------------
def lookup(report: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of the report (``fields.total.exact_match``)."""
    value: Any = report
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(path)
        value = value[part]
    return value


def load_thresholds(path: Path | str) -> dict[str, dict[str, float]]:
    """Quality gates from a YAML (or JSON) file: ``metric.path: {min: x}`` or ``{max: y}``.

    Raises:
        ConfigError: unreadable, not a mapping of gates, or a gate without min/max.
    """
    import yaml

    source = Path(path)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read the thresholds {source}: {err.strerror}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{source} is not YAML: {err}") from err
    if not isinstance(data, dict) or not data:
        raise ConfigError(f"{source}: thresholds are a mapping of metric: {{min: x}} or {{max: y}}")
    gates: dict[str, dict[str, float]] = {}
    for metric, gate in data.items():
        if not isinstance(gate, dict) or not gate or set(gate) - {"min", "max"}:
            raise ConfigError(f"{source}: {metric}: give min and/or max (got {gate!r})")
        try:
            gates[str(metric)] = {k: float(v) for k, v in gate.items()}
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{source}: {metric}: bounds are numbers ({err})") from err
    return gates


def check_thresholds(report: Mapping[str, Any],
                     gates: Mapping[str, Mapping[str, float]]) -> list[dict[str, Any]]:
    """One row per gate: metric, value, bound, passed. A metric the report does not have
    (or that is ``None``, nothing to measure) fails: a gate never passes by omission."""
    results = []
    for metric, gate in gates.items():
        try:
            value = lookup(report, metric)
        except KeyError:
            value = None
        for kind, bound in gate.items():
            ok = isinstance(value, (int, float)) and (
                value >= bound if kind == "min" else value <= bound)
            results.append({"metric": metric, "value": value, kind: bound, "passed": ok})
    return results
