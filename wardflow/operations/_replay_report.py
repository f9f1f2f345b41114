"""What a replay reports: the original run and the replay side by side, as rows, a
rich table and JSON (see :mod:`wardflow.operations.replay`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table

__all__ = ["CheckpointInfo", "Outcome", "ReplayResult", "Row", "compare", "outcome"]


@dataclass(frozen=True)
class CheckpointInfo:
    """One checkpoint of a run: after ``step``, written by ``written_by``."""

    checkpoint_id: str
    step: int
    written_by: str
    next: tuple[str, ...]
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "next": list(self.next)}


@dataclass(frozen=True)
class Outcome:
    """What a run decided, compared field by field between the original and the replay."""

    status: str
    route: str | None = None
    reasons: tuple[str, ...] = ()
    confidence: float | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    risk_score: float | None = None
    risk_reasons: tuple[str, ...] = ()
    compliance: str | None = None
    findings: dict[str, str] = field(default_factory=dict)
    posting: dict[str, Any] | None = None
    model_calls: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "reasons": list(self.reasons),
                "risk_reasons": list(self.risk_reasons)}


@dataclass(frozen=True)
class Row:
    """One compared value. ``kind`` ``info`` rows are shown but never count as changes."""

    what: str
    original: Any
    replay: Any
    kind: str

    @property
    def changed(self) -> bool:
        return self.kind != "info" and self.original != self.replay


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did and what would have changed.

    Attributes:
        checkpoint: where the replay started; ``chosen`` says how it was picked.
        settings_changed: setting -> ``[original, replay]``, for every setting that differs.
        review: the reasons the replay would go to review (empty when it would not).
        would_do: the side effects the replay asked for and did not do (posts, writes).
        notes: what to keep in mind when reading the comparison.
    """

    thread_id: str
    checkpoint: CheckpointInfo
    chosen: str
    settings_changed: dict[str, list[Any]]
    original: Outcome
    replay: Outcome
    rows: list[Row]
    review: list[dict[str, Any]]
    would_do: list[dict[str, Any]]
    notes: list[str]

    @property
    def changes(self) -> list[Row]:
        return [row for row in self.rows if row.changed]

    def to_dict(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id, "from": self.checkpoint.to_dict(),
            "chosen": self.chosen, "settings_changed": self.settings_changed,
            "changed": bool(self.changes),
            "changes": [{"what": r.what, "original": r.original, "replay": r.replay}
                        for r in self.changes],
            "original": self.original.to_dict(), "replay": self.replay.to_dict(),
            "review": self.review, "would_do": self.would_do, "notes": self.notes,
        }

    def render(self) -> RenderableType:
        """The comparison as a rich table, changed rows marked, then reasons and notes."""
        cp = self.checkpoint
        table = Table(title=f"{self.thread_id}: replay from step {cp.step} (after"
                            f" {cp.written_by}, {cp.checkpoint_id}), {self.chosen}",
                      title_justify="left")
        for column in ("", "what", "original run", "replay"):
            table.add_column(column, overflow="fold")
        for row in self.rows:
            mark = "[yellow]≠[/yellow]" if row.changed else ""
            new = _would(row.replay) if row.what == "outcome" else _text(row.replay)
            table.add_row(mark, row.what, _text(row.original),
                          f"[yellow]{new}[/yellow]" if row.changed else new)
        lines: list[RenderableType] = [table]
        changed = ", ".join(f"{k} {_text(a)} -> {_text(b)}"
                            for k, (a, b) in self.settings_changed.items())
        lines.append(f"settings: {changed or 'as in the data home (no change)'}")
        lines.append(f"{len(self.changes)} change(s)")
        if self.review:
            lines.append("would go to review: " + "; ".join(
                f"{r.get('code')}: {r.get('detail')}" for r in self.review))
        lines.extend(f"not done: {_effect(effect)}" for effect in self.would_do)
        lines.extend(f"note: {note}" for note in self.notes)
        return Group(*lines)



def outcome(values: Mapping[str, Any], *, waiting: bool, next_: Sequence[str],
             posting: Mapping[str, Any] | None) -> Outcome:
    extraction = values.get("extraction") or {}
    decision = values.get("decision") or {}
    risk = values.get("risk") or {}
    compliance = values.get("compliance") or {}
    if waiting:
        status = "awaiting_review"
    elif next_:
        status = f"stopped before {next_[0]}"
    else:
        status = str(values.get("status", "unknown"))
    return Outcome(
        status=status, route=decision.get("route"),
        reasons=tuple(r["code"] for r in decision.get("reasons", [])),
        confidence=extraction.get("confidence"),
        fields={n: f.get("value") for n, f in (extraction.get("fields") or {}).items()},
        risk_score=risk.get("score"), risk_reasons=tuple(r["code"] for r in risk.get("reasons", [])),
        compliance=compliance.get("status"),
        findings={f["rule"]: f["outcome"] for f in compliance.get("findings", [])},
        posting=dict(posting) if posting else None,
        model_calls=len(values.get("llm_usage") or []),
    )


def compare(a: Outcome, b: Outcome) -> list[Row]:
    rows = [
        Row("outcome", a.status, b.status, "outcome"),
        Row("route", a.route, b.route, "outcome"),
        Row("review reasons", list(a.reasons), list(b.reasons), "outcome"),
        Row("confidence", a.confidence, b.confidence, "extraction"),
    ]
    rows += [Row(f"field {name}", a.fields.get(name), b.fields.get(name), "field")
             for name in dict.fromkeys([*a.fields, *b.fields])]
    rows += [Row("risk score", a.risk_score, b.risk_score, "risk"),
             Row("risk reasons", list(a.risk_reasons), list(b.risk_reasons), "risk"),
             Row("compliance", a.compliance, b.compliance, "compliance")]
    rows += [Row(f"finding {rule}", a.findings.get(rule), b.findings.get(rule), "compliance")
             for rule in dict.fromkeys([*a.findings, *b.findings])]
    rows += [Row("posting", _posting(a.posting), _posting(b.posting), "posting"),
             Row("model calls", a.model_calls, b.model_calls, "info")]
    return rows


def _posting(posting: Mapping[str, Any] | None) -> str:
    if not posting:
        return "not posted"
    return (f"{posting['vendor_id']} {posting['invoice_number']} {posting['currency']}"
            f" {posting['total']}")


def _would(status: str) -> str:
    return {"awaiting_review": "would go to review", "posted": "would post",
            "rejected": "would be rejected", "failed": "would fail"}.get(
        status, f"would end {status}")


def _effect(effect: Mapping[str, Any]) -> str:
    detail = effect["detail"]
    if effect["op"] == "post":
        return f"post {_posting(detail)} (key {effect['target']})"
    if effect["op"] == "move":
        return f"move {detail['src']} -> {effect['target']}"
    return f"put {effect['target']} ({detail['size']} bytes)"


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return str(value)
