"""The eval report as one self-contained HTML page, and two reports side by side.

:func:`render_html` turns a ``wardflow-eval/1`` report (from
:func:`wardflow.evals.documents.evaluate_documents`) into a single HTML file: inline CSS
and SVG plots drawn here, no script and nothing fetched from elsewhere, so it can be
kept as a CI artifact or mailed as it is. File names, extracted values and reasons come
from documents, so every one of them is escaped.

:func:`compare_reports` sets two reports side by side (two models on one dataset: a
shadow evaluation) over the :data:`HEADLINE` metrics, each a dotted path into the report
as the thresholds file names them, and lists the documents whose route or misses
changed; :func:`compare_table` shows the comparison in the terminal.

This module lays out the page's sections; the metrics' directions and formats are in
``_report_values``, the comparison in ``_report_compare``, and the HTML building blocks
and SVG plots in ``_report_html`` (their public names are re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from wardflow.evals._report_compare import compare_reports, compare_table
from wardflow.evals._report_html import (
    _bar,
    _cells,
    _delta_cell,
    _e,
    _heads,
    _latency_svg,
    _metrics,
    _reliability_svg,
    _section,
    _table,
    _tr,
)
from wardflow.evals._report_values import (
    HEADLINE,
    Direction,
    Report,
    _delta,
    _fmt,
    _fmt_delta,
    _number,
    direction,
    lookup,
)
from wardflow.evals.documents import reason_given

__all__ = ["ECE_TARGET", "HEADLINE", "Direction", "Report", "compare_reports", "compare_table",
           "direction", "lookup", "render_html"]

ECE_TARGET = 0.05
"""The expected calibration error a confidence score should stay within (issue 7)."""


# Sections ----------------------------------------------------------------------------------
def _summary(report: Report, when: str) -> str:
    config, dataset = report.get("config") or {}, report.get("dataset") or {}
    items = [("dataset", dataset.get("path")), ("documents", dataset.get("documents")),
             ("errors", len(report.get("errors") or [])),
             ("labels sha256", str(dataset.get("labels_sha256") or "")[:16]),
             ("model", config.get("model")), ("review threshold", config.get("review_threshold")),
             ("risk threshold", config.get("risk_threshold")),
             ("calibration", config.get("calibration") or "none"),
             ("format", report.get("format")), ("date", when)]
    return ('<dl class="summary">'
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items) + "</dl>")


def _comparison(report: Report, baseline: Report) -> str:
    diff = compare_reports(report, baseline)
    who = diff["baseline"]
    intro = (f"<p>Baseline: model <code>{_e(who['model'])}</code> on <code>{_e(who['dataset'])}"
             f"</code> ({_e(who['documents'])} documents, calibration"
             f" {_e(who['calibration'] or 'none')}). Green is better, red worse.</p>")
    if diff["same_dataset"] is False:
        intro += '<p class="warn">The two reports were made on different labels.</p>'
    rows = [_tr([f"<td><code>{_e(r['metric'])}</code></td>",
                 f'<td class="num base">{_e(_fmt(r["metric"], r["baseline"]))}</td>',
                 f'<td class="num">{_e(_fmt(r["metric"], r["current"]))}</td>',
                 _delta_cell(r["metric"], r["delta"], r["better"], r["current"])])
            for r in diff["metrics"]]
    parts = [intro, _table(["metric", "baseline", "current", "Δ"], rows, "metrics")]
    changes = [_tr([f"<td>{_e(c['file'])}</td>", f"<td>{_e(c['expected_route'] or '–')}</td>",
                    f"<td>{_e(c['baseline_route'] or '–')}</td>",
                    f"<td>{_e(c['route'] or '–')}</td>",
                    f"<td>{_e(', '.join(c['fixed']))}</td>",
                    f"<td>{_e(', '.join([*c['broken'], *c['changed']]))}</td>"],
                   "same" if c["better"] is None else "better" if c["better"] else "worse")
               for c in diff["documents"]]
    parts.append(f"<h3>Documents that changed ({len(changes)})</h3>")
    parts.append(_table(["document", "expected", "baseline route", "route", "misses fixed",
                         "new or other misses"], changes, "changes") if changes
                 else "<p>No document changed its route or its misses.</p>")
    return _section("comparison", "Against the baseline", *parts)


def _fields(report: Report, baseline: Report | None) -> str:
    names = list(report.get("fields") or {})
    names += [n for n in (baseline or {}).get("fields") or {} if n not in names]
    head = ["field", "n", *_heads("precision", baseline), *_heads("recall", baseline),
            *_heads("exact match", baseline), ""]
    rows = []
    for name, path, count in [*((n, f"fields.{n}", "n") for n in names),
                              ("line items", "line_items", "documents")]:
        rows.append(_tr([f"<td><code>{_e(name)}</code></td>",
                         f'<td class="num">{_e(lookup(report, f"{path}.{count}"))}</td>',
                         *(cell for metric in ("precision", "recall", "exact_match")
                           for cell in _cells(f"{path}.{metric}", report, baseline)),
                         _bar(lookup(report, f"{path}.exact_match"))]))
    return _section("fields", "Fields", _table(head, rows, "fields"),
                    "<p>Exact match: the share of documents whose value equals the label"
                    " (an absent value that is absent counts). Line items: matched rows; exact"
                    " when every row of a document matches.</p>")


def _routing(report: Report, baseline: Report | None) -> str:
    metrics = _metrics(report, baseline, [
        ("precision of “needs review”", "routing.precision"),
        ("recall of “needs review”", "routing.recall"), ("accuracy", "routing.accuracy"),
        ("documents with an expected route", "routing.documents")])
    confusion = lookup(report, "routing.confusion") or {}
    order = {"post": 0, "review": 1, "failed": 2}
    routes = sorted({*confusion, *(g for row in confusion.values() for g in row)},
                    key=lambda r: (order.get(r, 9), r))
    if not routes:
        return _section("routing", "Routing", metrics,
                        "<p>No document in this dataset has an expected route.</p>")
    rows = [_tr([f"<th>{_e(want)}</th>", *(
        f'<td class="num {"diag" if want == got else "off" if n else ""}">{_e(n)}</td>'
        for got in routes for n in [(confusion.get(want) or {}).get(got, 0)])])
        for want in routes]
    return _section("routing", "Routing", metrics,
                    "<h3>Confusion matrix (rows: expected, columns: routed)</h3>",
                    _table(["expected \\ routed", *routes], rows, "confusion"))


def _reasons(report: Report, baseline: Report | None) -> str:
    found: dict[str, list[int]] = {}
    for doc in report.get("documents") or []:
        for code in doc.get("expected_reasons") or []:
            tally = found.setdefault(str(code), [0, 0])
            tally[0] += 1
            tally[1] += reason_given(str(code), doc.get("reasons") or [])
    rows = [_tr([f"<td><code>{_e(code)}</code></td>", f'<td class="num">{want}</td>',
                 f'<td class="num">{got}</td>',
                 f'<td class="num">{_e(_fmt("recall", got / want))}</td>'],
                None if got == want else "missed")
            for code, (want, got) in sorted(found.items())]
    return _section("reasons", "Review reasons", _metrics(report, baseline, [
        ("reason recall", "reasons.recall"), ("expected reasons", "reasons.expected")]),
        _table(["reason", "expected", "given", "recall"], rows, "reasons") if rows else "")


def _calibration(report: Report, baseline: Report | None) -> str:
    parts = ["<p>Bars: the share of right values in each confidence bin (its count above);"
             " orange tick: the bin's mean confidence; dashed: perfect calibration. ECE is"
             " the count-weighted gap between the two.</p>"]
    if not lookup(report, "config.calibration"):
        parts.append("<p>No calibration was applied in this run, so calibrated equals raw; the"
                     " cross-validated diagrams show what an isotonic map fitted on the other"
                     " documents achieves on each one.</p>")
    for level, raw in (("field", "raw_field"), ("document", "raw_document")):
        figures = [_figure(report, baseline, f"calibration.{path}", label) for path, label in (
            (raw, f"{level}-level, raw"), (level, f"{level}-level, calibrated"),
            (f"cross_validated.{level}", f"{level}-level, cross-validated"))]
        parts.append(f'<h3>{_e(level.capitalize())}-level</h3><div class="figures">'
                     f'{"".join(figures)}</div>')
    per_field = lookup(report, "calibration.per_field") or {}
    gates = {g.get("metric"): g for g in report.get("thresholds") or []}

    def verdict(name: str, ece: Any) -> str:
        gate = gates.get(f"calibration.per_field.{name}.ece")
        return f"<td>{_verdict(ece, gate, gated=bool(gates))}</td>"

    rows = [_tr([f"<td><code>{_e(name)}</code></td>", f'<td class="num">{_e(spec.get("n"))}</td>',
                 *_cells(f"calibration.per_field.{name}.ece", report, baseline),
                 verdict(name, spec.get("ece"))]) for name, spec in per_field.items()]
    parts += ["<h3>Expected calibration error per field (calibrated)</h3>",
              _table(["field", "n", *_heads("ECE", baseline), f"≤ {ECE_TARGET}"], rows, "ece")]
    return _section("calibration", "Calibration of confidence", *parts)


def _verdict(ece: Any, gate: Mapping[str, Any] | None = None, *, gated: bool = False) -> str:
    """Against the ECE target. Red ``fail`` only where a quality gate failed: when the
    run was gated and no gate covers the field, a miss is shown as information."""
    if not _number(ece):
        return '<span class="na">no data</span>'
    if gate is not None and not gate.get("passed"):
        return f'<span class="fail">gate failed (needs ≤ {_e(gate.get("max"))})</span>'
    if float(ece) <= ECE_TARGET:
        return f'<span class="pass">≤ {ECE_TARGET} pass</span>'
    if gated:
        return f'<span class="na">&gt; {ECE_TARGET} (not gated)</span>'
    return f'<span class="fail">&gt; {ECE_TARGET} fail</span>'


def _gates(report: Report) -> str:
    """The quality gates the run was checked against (``--thresholds``), if any."""
    gates = report.get("thresholds")
    if gates is None:
        return ""
    if not gates:
        return _section("gates", "Quality gates", "<p>No gates were given.</p>")
    rows = []
    for gate in gates:
        bound = f"≥ {gate['min']}" if "min" in gate else f"≤ {gate.get('max')}"
        verdict = ('<span class="pass">pass</span>' if gate.get("passed")
                   else '<span class="fail">FAIL</span>')
        rows.append(_tr([f"<td><code>{_e(gate.get('metric'))}</code></td>",
                         f'<td class="num">{_e(gate.get("value"))}</td>',
                         f"<td>{_e(bound)}</td>", f"<td>{verdict}</td>"]))
    failed = sum(1 for g in gates if not g.get("passed"))
    note = (f"<p>{len(gates)} gate(s): "
            + (f'<span class="fail">{failed} failed</span>' if failed
               else '<span class="pass">all passed</span>') + "</p>")
    return _section("gates", "Quality gates", note,
                    _table(["metric", "value", "needs", "result"], rows, "gates"))


def _figure(report: Report, baseline: Report | None, path: str, label: str) -> str:
    block = lookup(report, path) or {}
    ece = block.get("ece")
    gates = {g.get("metric"): g for g in report.get("thresholds") or []}
    verdict = _verdict(ece, gates.get(f"{path}.ece"), gated=bool(gates))
    caption = (f"<b>{_e(label)}</b><br>ECE <span class=\"ece\">{_e(_fmt('ece', ece))}</span>"
               f" {verdict}<br>n {_e(block.get('n'))}, accuracy"
               f" {_e(_fmt(path + '.accuracy', block.get('accuracy')))}, mean confidence"
               f" {_e(_fmt(path + '.mean_confidence', block.get('mean_confidence')))}")
    if baseline is not None:
        before = lookup(baseline, f"{path}.ece")
        delta, better = _delta(f"{path}.ece", before, ece)
        cls = "same" if better is None else "better" if better else "worse"
        caption += (f'<br>baseline {_e(_fmt("ece", before))} <span class="{cls}">'
                    f"{_e(_fmt_delta('ece', delta, ece))}</span>")
    svg = _reliability_svg(block.get("bins") or [], f"reliability diagram, {label}")
    return f'<figure class="diagram">{svg}<figcaption>{caption}</figcaption></figure>'


def _latency(report: Report, baseline: Report | None) -> str:
    values = [float(d["latency_ms"]) for d in report.get("documents") or []
              if _number(d.get("latency_ms"))]
    plot = (_latency_svg(values, report.get("latency_ms") or {}) if values
            else "<p>No timings.</p>")
    return _section("latency", "Latency", _metrics(report, baseline, [
        ("p50", "latency_ms.p50"), ("p95", "latency_ms.p95"), ("mean", "latency_ms.mean"),
        ("documents timed", "latency_ms.n")]), plot)


def _documents(report: Report, baseline: Report | None) -> str:
    changes = ({c["file"]: c for c in compare_reports(report, baseline)["documents"]}
               if baseline is not None else {})
    head = ["document", "route", "expected", *(["baseline route"] if baseline else []),
            "confidence", "reasons", "misses (expected → got)", "line items", "ms"]
    rows = []
    for doc in report.get("documents") or []:
        change = changes.get(doc.get("file")) or {}
        route, want = doc.get("route", "error"), doc.get("expected_route")
        wrong = (bool(want) and route != want) or bool(doc.get("error"))
        cells = [f"<td>{_e(doc.get('file'))}</td>",
                 f'<td class="{"bad" if want and route != want else ""}">{_e(route)}</td>',
                 f"<td>{_e(want or '–')}</td>"]
        if baseline is not None:
            old = change.get("baseline_route", route)
            cells.append(f'<td class="{"changed" if old != route else ""}">{_e(old)}</td>')
        cells += [f'<td class="num">{_e(_fmt("confidence", doc.get("confidence")))}</td>',
                  f"<td>{_reason_list(doc)}</td>", f"<td>{_miss_list(doc, change)}</td>",
                  f"<td>{_items(doc.get('line_items'))}</td>",
                  f'<td class="num">{_e(doc.get("latency_ms"))}</td>']
        rows.append(_tr(cells, "wrong" if wrong else None))
    return _section("documents", "Documents", _table(head, rows, "documents"))


def _reason_list(doc: Mapping[str, Any]) -> str:
    given, wanted = doc.get("reasons") or [], doc.get("expected_reasons") or []
    spans = [f'<span class="reason{" hit" if any(reason_given(w, [r]) for w in wanted) else ""}">'
             f'{_e(r)}</span>' for r in given]
    spans += [f'<span class="reason missing">missing: {_e(r)}</span>'
              for r in wanted if not reason_given(r, given)]
    return " ".join(spans)


def _miss_list(doc: Mapping[str, Any], change: Mapping[str, Any]) -> str:
    if doc.get("error"):
        return f'<span class="fail">{_e(doc["error"])}</span>'
    items = []
    for name, miss in (doc.get("misses") or {}).items():
        new = " new" if name in change.get("broken", ()) else ""
        items.append(f'<li class="miss{new}"><code>{_e(name)}</code> <q>{_e(miss.get("expected"))}'
                     f"</q> → <q>{_e(miss.get('got'))}</q>"
                     f" ({_e(_fmt('confidence', miss.get('confidence')))})</li>")
    items += [f'<li class="fixed"><code>{_e(name)}</code> fixed since the baseline</li>'
              for name in change.get("fixed", ())]
    return f'<ul class="misses">{"".join(items)}</ul>' if items else ""


def _items(items: Mapping[str, Any] | None) -> str:
    if not items:
        return ""
    exact = items.get("matched") == items.get("expected") == items.get("got")
    return (f'<span class="{"" if exact else "fail"}">{_e(items.get("matched"))}/'
            f'{_e(items.get("expected"))} (read {_e(items.get("got"))})</span>')


_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#1d2330;
padding:0 16px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #d7dbe3;
padding-bottom:4px;margin-top:32px}h3{font-size:15px}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px}dt{color:#5b6475}
dd{margin:0;font-family:ui-monospace,monospace}
table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d7dbe3;padding:3px 8px;
text-align:left;vertical-align:top}th{background:#f2f4f8}td.num{text-align:right;
white-space:nowrap;font-variant-numeric:tabular-nums}td.base{color:#5b6475}
.better{color:#137333;background:#e6f4ea}.worse{color:#a50e0e;background:#fce8e6}
tr.better td,tr.worse td{background:inherit}tr.better{background:#e6f4ea}
tr.worse{background:#fce8e6}tr.wrong,tr.missed{background:#fff4e5}td.bad{color:#a50e0e;font-weight:600}
td.changed{color:#8a4b00;font-weight:600}
.bar{display:inline-block;width:120px;height:10px;background:#eceff4}
.bar i{display:block;height:100%;background:#4c6ef5}
td.diag{background:#e6f4ea}td.off{background:#fce8e6}
.pass{color:#137333;font-weight:600}.fail{color:#a50e0e;font-weight:600}.na{color:#5b6475}
.warn{color:#8a4b00;font-weight:600}
.figures{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0;border:1px solid #d7dbe3;
padding:8px}figcaption{font-size:13px}
svg .frame{fill:#fafbfc;stroke:#b8bfcc}svg .bin{fill:#4c6ef5;fill-opacity:.75}
svg .lat{fill:#4c6ef5;fill-opacity:.75}svg .conf{stroke:#e8590c;stroke-width:2}
svg .diag{stroke:#5b6475;stroke-dasharray:4 3}svg .mark{stroke:#e8590c;stroke-dasharray:3 2}
svg text{font-size:10px;fill:#3b4252}svg .axis{font-size:11px}
.reason{display:inline-block;border-radius:3px;padding:0 4px;background:#eceff4;margin:1px}
.reason.hit{background:#e6f4ea}.reason.missing{background:#fce8e6;color:#a50e0e}
ul.misses{margin:0;padding-left:16px}li.new{color:#a50e0e}li.fixed{color:#137333}
"""


def render_html(report: Report, *, baseline: Report | None = None, title: str | None = None,
                generated: datetime | None = None) -> str:
    """The report as one self-contained HTML page (no script, nothing loaded from elsewhere).

    Args:
        report: a ``wardflow-eval/1`` report.
        baseline: another report to compare with (side-by-side columns, deltas coloured
            by whether the metric got better, route changes per document).
        title: the page's heading (default: the dataset's path).
        generated: the date shown when the report does not carry one (default: now).
    """
    dataset = lookup(report, "dataset.path") or "dataset"
    heading = title or f"wardflow eval: {dataset}"
    when = report.get("created") or (generated or datetime.now(UTC)).isoformat(
        timespec="seconds")
    sections = [
        _gates(report),
        _comparison(report, baseline) if baseline is not None else "",
        _fields(report, baseline), _routing(report, baseline), _reasons(report, baseline),
        _section("guard", "Guard detection (prompt injection)", _metrics(report, baseline, [
            ("recall", "guard.recall"), ("precision", "guard.precision"),
            ("false positive rate", "guard.false_positive_rate"),
            ("labelled documents", "guard.documents")])),
        _section("explanation", "Explanation quality", _metrics(report, baseline, [
            ("claims", "explanation.claims"),
            ("grounded (evidence found in the run)", "explanation.grounded"),
            ("faithful (sentence states only its evidence)", "explanation.faithful"),
            ("coverage of the run's decisions", "explanation.coverage")])),
        _calibration(report, baseline), _latency(report, baseline),
        _section("cost", "Model cost", _metrics(report, baseline, [
            ("LLM calls", "cost.llm_calls"), ("tokens", "cost.llm_tokens"),
            ("cost", "cost.usd")])),
        _documents(report, baseline),
    ]
    errors = report.get("errors") or []
    if errors:
        sections.append(_section("errors", f"Errors ({len(errors)})", "<ul>" + "".join(
            f"<li><code>{_e(e.get('file'))}</code>: {_e(e.get('error'))}</li>" for e in errors)
            + "</ul>"))
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(heading)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{_e(heading)}</h1>{_summary(report, str(when))}{''.join(sections)}"
            "</body></html>\n")
