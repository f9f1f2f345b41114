"""The eval report in the terminal, as rich tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wardflow.evals._labels import CORE_FIELDS


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def report_table(report: Mapping[str, Any]) -> Any:
    """The report as rich tables.

    Args:
        report: an eval report (see :func:`wardflow.evals.documents.evaluate_documents`).

    Returns:
        A rich ``Group``: fields, the run-level metrics, the breakdown per language and
        per source, calibration left one source out (when run), then the misses.
    """
    from rich.console import Group

    tables: list[Any] = [_fields_table(report), _runs_table(report)]
    for key in ("language", "source"):
        tables.append(_breakdown_table(key, report["breakdown"][key]))
    if report.get("leave_one_source_out"):
        tables.append(_loso_table(report["leave_one_source_out"]))
    return Group(*tables, _misses_table(report))


def _fields_table(report: Mapping[str, Any]) -> Any:
    """Precision, recall and exact match per field, then line items."""
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
    return fields


def _runs_table(report: Mapping[str, Any]) -> Any:
    """Routing, guards, explanations, calibration, straight-through, latency and cost."""
    from rich.table import Table

    runs = Table(title="Routing, guards, explanations, calibration, cost")
    runs.add_column("metric")
    runs.add_column("value", justify="right")
    for name, value in _run_metrics(report):
        runs.add_row(name, _fmt(value))
    return runs


def _run_metrics(report: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The run-level metrics of :func:`_runs_table`, as (name, value) rows."""
    routing, guard, expl = report["routing"], report["guard"], report["explanation"]
    calibration = report["calibration"]
    cv = calibration["cross_validated"]
    through = report["straight_through"]
    return [
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


def _misses_table(report: Mapping[str, Any]) -> Any:
    """The documents with a miss or a wrong route, and the error rows."""
    from rich.table import Table

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
    return misses


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
