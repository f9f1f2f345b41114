"""The building blocks of the HTML eval report: escaped tags, tables, metric cells
and the inline SVG plots (see :mod:`wardflow.evals.report`)."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from wardflow.evals._report_values import (
    Report,
    _delta,
    _fmt,
    _fmt_delta,
    _number,
    lookup,
)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _tag(name: str, body: str, cls: str | None = None) -> str:
    attr = f' class="{_e(cls)}"' if cls else ""
    return f"<{name}{attr}>{body}</{name}>"


def _table(head: Sequence[str], rows: Iterable[str], cls: str = "") -> str:
    """A table; ``head`` is plain text, ``rows`` are ready ``<tr>`` (see :func:`_tr`)."""
    top = "".join(f"<th>{_e(h)}</th>" for h in head)
    return (f'<table class="{_e(cls)}"><thead><tr>{top}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _tr(cells: Iterable[str], cls: str | None = None) -> str:
    return _tag("tr", "".join(cells), cls)


def _delta_cell(path: str, delta: float | None, better: bool | None, sample: Any) -> str:
    cls = "same" if better is None else "better" if better else "worse"
    return f'<td class="num {cls}">{_e(_fmt_delta(path, delta, sample))}</td>'


def _cells(path: str, report: Report, baseline: Report | None) -> list[str]:
    """The value cell, and with a baseline its value and the delta."""
    value = lookup(report, path)
    cells = [f'<td class="num">{_e(_fmt(path, value))}</td>']
    if baseline is not None:
        before = lookup(baseline, path)
        delta, better = _delta(path, before, value)
        cells += [f'<td class="num base">{_e(_fmt(path, before))}</td>',
                  _delta_cell(path, delta, better, value)]
    return cells


def _heads(label: str, baseline: Report | None) -> list[str]:
    return [label, "baseline", "Δ"] if baseline is not None else [label]


def _metrics(report: Report, baseline: Report | None, metrics: Sequence[tuple[str, str]]) -> str:
    """A two-column table (metric, value), widened with the baseline when there is one."""
    rows = [_tr([f"<td>{_e(label)}</td>", *_cells(path, report, baseline)])
            for label, path in metrics]
    return _table(["metric", *_heads("value", baseline)], rows, "metrics")


def _bar(value: Any) -> str:
    share = min(1.0, max(0.0, float(value))) if _number(value) else 0.0
    return f'<td><span class="bar"><i style="width:{share * 100:.1f}%"></i></span></td>'


def _section(anchor: str, title: str, *parts: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{"".join(parts)}</section>'


# Plots -------------------------------------------------------------------------------------
_W, _H, _X0, _Y0, _PW, _PH = 260, 250, 40, 16, 205, 190


def _reliability_svg(bins: Sequence[Mapping[str, Any]], label: str) -> str:
    """Accuracy per confidence bin as bars, mean confidence as a tick in each, the
    diagonal of perfect calibration, and each bin's count above its bar."""
    def x(v: float) -> float:
        return _X0 + v * _PW

    def y(v: float) -> float:
        return _Y0 + (1 - v) * _PH

    parts = [f'<svg class="reliability" viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}"'
             f' role="img" aria-label="{_e(label)}"><title>{_e(label)}</title>',
             f'<rect class="frame" x="{_X0}" y="{_Y0}" width="{_PW}" height="{_PH}"/>']
    for tick in (0.0, 0.5, 1.0):
        parts.append(f'<text class="tick" x="{x(tick):.1f}" y="{_Y0 + _PH + 13}"'
                     f' text-anchor="middle">{tick:g}</text>'
                     f'<text class="tick" x="{_X0 - 4}" y="{y(tick) + 4:.1f}"'
                     f' text-anchor="end">{tick:g}</text>')
    for row in bins:
        if not row.get("count") or row.get("accuracy") is None:
            continue
        lo, hi, acc = float(row["lo"]), float(row["hi"]), float(row["accuracy"])
        conf = float(row.get("confidence") or 0.0)
        top = y(acc)
        tip = (f"{lo:g}–{hi:g}: {row['count']} values, mean confidence {conf:.3f},"
               f" accuracy {acc:.3f}")
        parts.append(
            f'<rect class="bin" data-count="{int(row["count"])}" x="{x(lo) + 1:.1f}" y="{top:.1f}"'
            f' width="{x(hi) - x(lo) - 2:.1f}" height="{max(1.0, y(0) - top):.1f}">'
            f"<title>{_e(tip)}</title></rect>"
            f'<line class="conf" x1="{x(lo) + 1:.1f}" x2="{x(hi) - 1:.1f}" y1="{y(conf):.1f}"'
            f' y2="{y(conf):.1f}"/>'
            f'<text class="count" x="{(x(lo) + x(hi)) / 2:.1f}" y="{max(top - 3, _Y0 - 3):.1f}"'
            f' text-anchor="middle">{int(row["count"])}</text>')
    parts.append(f'<line class="diag" x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}"/>'
                 f'<text class="axis" x="{_X0 + _PW / 2}" y="{_H - 4}" text-anchor="middle">'
                 "confidence</text>"
                 f'<text class="axis" x="12" y="{_Y0 + _PH / 2}" text-anchor="middle"'
                 f' transform="rotate(-90 12 {_Y0 + _PH / 2})">accuracy</text></svg>')
    return "".join(parts)


def _edges(values: Sequence[float], count: int = 10) -> list[float]:
    """Bin edges over the values: logarithmic when they span more than a decade (an OCR
    scan takes seconds, a text PDF milliseconds), else even."""
    lo, hi = min(values), max(values)
    if hi <= lo:
        return [lo, lo + 1.0]
    if lo > 0 and hi / lo > 10:
        a, b = math.log10(lo), math.log10(hi)
        return [10 ** (a + (b - a) * i / count) for i in range(count + 1)]
    return [lo + (hi - lo) * i / count for i in range(count + 1)]


def _latency_svg(values: Sequence[float], marks: Mapping[str, Any]) -> str:
    """A histogram of the documents' latencies, with the percentiles marked."""
    edges = _edges(values)
    counts = [0] * (len(edges) - 1)
    for v in values:
        index = next((i for i in range(len(counts)) if v < edges[i + 1]), len(counts) - 1)
        counts[index] += 1
    log = len(edges) > 2 and edges[0] > 0 and edges[-1] / edges[0] > 10

    def x(v: float) -> float:
        lo, hi = edges[0], edges[-1]
        share = (math.log10(v / lo) / math.log10(hi / lo)) if log else (v - lo) / (hi - lo)
        return _X0 + min(1.0, max(0.0, share)) * 400

    width, height, top = 460, 170, max(counts)
    parts = [f'<svg class="latency" viewBox="0 0 {width} {height}" width="{width}"'
             f' height="{height}" role="img" aria-label="latency histogram">'
             f'<rect class="frame" x="{_X0}" y="{_Y0}" width="400" height="120"/>']
    for i, n in enumerate(counts):
        if n:
            h = 120 * n / top
            parts.append(f'<rect class="lat" x="{x(edges[i]) + 1:.1f}" y="{_Y0 + 120 - h:.1f}"'
                         f' width="{max(1.0, x(edges[i + 1]) - x(edges[i]) - 2):.1f}"'
                         f' height="{h:.1f}"><title>{edges[i]:,.1f}–{edges[i + 1]:,.1f} ms:'
                         f" {n}</title></rect>")
    for name in ("p50", "p95"):
        if _number(marks.get(name)):
            at = x(float(marks[name]))
            side = "end" if at > _X0 + 360 else "start"
            parts.append(f'<line class="mark" x1="{at:.1f}" x2="{at:.1f}" y1="{_Y0}"'
                         f' y2="{_Y0 + 120}"/><text class="tick" x="{at + 3:.1f}"'
                         f' y="{_Y0 + (10 if name == "p50" else 22)}" text-anchor="{side}"'
                         f' dx="{-6 if side == "end" else 0}">{name}</text>')
    for v in (edges[0], edges[len(edges) // 2], edges[-1]):
        parts.append(f'<text class="tick" x="{x(v):.1f}" y="{_Y0 + 134}"'
                     f' text-anchor="middle">{v:,.0f}</text>')
    parts.append(f'<text class="axis" x="{_X0 + 200}" y="{height - 6}" text-anchor="middle">'
                 f"ms per document{' (log scale)' if log else ''}</text>"
                 f'<text class="tick" x="{_X0 - 4}" y="{_Y0 + 8}" text-anchor="end">{top}'
                 "</text></svg>")
    return "".join(parts)
