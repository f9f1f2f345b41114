"""Two eval reports side by side: metric by metric, and the documents that changed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wardflow.evals._report_values import (
    HEADLINE,
    Report,
    _delta,
    _fmt,
    _fmt_delta,
    lookup,
)

if TYPE_CHECKING:
    from rich.table import Table


def compare_reports(current: Report, baseline: Report) -> dict[str, Any]:
    """Two reports metric by metric, and the documents whose outcome changed.

    Returns:
        ``metrics``: one row per :data:`HEADLINE` metric, ``{metric, direction, baseline,
        current, delta, better}`` (``better`` is None when unchanged or not comparable);
        ``documents``: ``{file, expected_route, baseline_route, route, fixed, broken,
        changed, better}`` for each document whose route or misses differ, or that only
        one report has (its other route is None); ``same_dataset``: whether both ran on
        the same labels (None when a report does not say); who ran (``current``,
        ``baseline``: model, dataset, calibration).
    """
    rows = []
    for path, way in HEADLINE:
        before, after = lookup(baseline, path), lookup(current, path)
        delta, better = _delta(path, before, after)
        rows.append({"metric": path, "direction": way, "baseline": before, "current": after,
                     "delta": delta, "better": better})
    digests = (lookup(current, "dataset.labels_sha256"), lookup(baseline, "dataset.labels_sha256"))
    return {"format": "wardflow-eval-compare/1",
            "current": _identity(current), "baseline": _identity(baseline),
            "same_dataset": digests[0] == digests[1] if all(digests) else None,
            "metrics": rows, "documents": _document_changes(current, baseline)}


def _identity(report: Report) -> dict[str, Any]:
    return {"model": lookup(report, "config.model"), "dataset": lookup(report, "dataset.path"),
            "documents": lookup(report, "dataset.documents"),
            "calibration": lookup(report, "config.calibration")}


def _misses(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    if doc is None:
        return {}
    return {name: (miss or {}).get("got") for name, miss in (doc.get("misses") or {}).items()}


def _document_changes(current: Report, baseline: Report) -> list[dict[str, Any]]:
    before = {d.get("file"): d for d in baseline.get("documents") or []}
    after = {d.get("file"): d for d in current.get("documents") or []}
    changes = []
    for name in [*after, *(f for f in before if f not in after)]:
        old, new = before.get(name), after.get(name)
        was, now = _misses(old), _misses(new)
        old_route = None if old is None else old.get("route", "failed")
        new_route = None if new is None else new.get("route", "failed")
        changed = sorted(n for n in set(was) & set(now) if was[n] != now[n])
        if old_route == new_route and was == now:
            continue
        expected = (new or old or {}).get("expected_route")
        better = None
        if old_route != new_route and expected and old is not None and new is not None:
            better = True if new_route == expected else False if old_route == expected else None
        elif old_route == new_route and len(was) != len(now):
            better = len(now) < len(was)
        changes.append({"file": name, "expected_route": expected, "baseline_route": old_route,
                        "route": new_route, "fixed": sorted(set(was) - set(now)),
                        "broken": sorted(set(now) - set(was)), "changed": changed,
                        "better": better})
    return changes


def compare_table(diff: Mapping[str, Any]) -> Table:
    """A rich table of :func:`compare_reports`: the metrics, then the changed documents."""
    from rich.markup import escape
    from rich.table import Table

    current, baseline = diff.get("current") or {}, diff.get("baseline") or {}
    table = Table(title=escape(f"{current.get('model')} against baseline"
                               f" {baseline.get('model')}"), title_justify="left")
    if diff.get("same_dataset") is False:
        table.caption = "[yellow]the two reports were made on different labels[/yellow]"
    for column in ("metric", "baseline", "current", "delta"):
        table.add_column(column, justify="left" if column == "metric" else "right",
                         overflow="fold")
    for row in diff.get("metrics") or []:
        path = row["metric"]
        text = _fmt_delta(path, row["delta"], row["current"])
        table.add_row(path, _fmt(path, row["baseline"]), _fmt(path, row["current"]),
                      _rich_colour(text, row["better"]))
    changes = diff.get("documents") or []
    if changes:
        table.add_section()
    for change in changes:
        what = "; ".join(f"{label}: {', '.join(change[key])}" for key, label in (
            ("fixed", "fixed"), ("broken", "now wrong"), ("changed", "other value"))
            if change[key])
        table.add_row(escape(f"{change['file']} (expected {change['expected_route'] or '?'})"),
                      escape(str(change["baseline_route"])), escape(str(change["route"])),
                      _rich_colour(escape(what or "route"), change["better"]))
    return table


def _rich_colour(text: str, better: bool | None) -> str:
    if not text or better is None:
        return text
    colour = "green" if better else "red"
    return f"[{colour}]{text}[/{colour}]"
