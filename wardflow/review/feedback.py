"""Reviewer decisions as labelled examples, and an eval dataset made of them.

Nothing extra is recorded at review time: a run's checkpointed state (the fields as
finally accepted, the risk reasons) and its ``review.decision`` audit records (who
decided what, and when) already are the label. :func:`collect_examples` reads them
back; :func:`export_dataset` writes them in the format of
:mod:`wardflow.evals.documents` (``labels.jsonl``, the documents from storage, and the
vendor master as ``erp.json``), so ``wardflow eval DIR`` scores a configuration
against what reviewers decided.

What a decision says:

=============  ============================================================
decision       label
=============  ============================================================
reject         must not be paid as is (``must_not_pay``); route ``review``
correct        the fields as corrected are the truth; route ``review``
approve        the fields as shown are right; the invoice may be paid
=============  ============================================================

Runs that were posted automatically carry no human judgement and are left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wardflow.errors import ConfigError, RunNotFound, StorageError

if TYPE_CHECKING:
    from wardflow.runtime.workspace import Workspace

__all__ = ["LabelledExample", "collect_examples", "export_dataset"]

# The fields labels.jsonl scores (wardflow.evals.documents.FIELDS).
_FIELDS = ("vendor", "vendor_tax_id", "invoice_number", "invoice_date", "due_date", "currency",
           "subtotal", "tax", "tax_rate", "total", "iban", "po_number")


@dataclass(frozen=True)
class LabelledExample:
    """One run a human decided.

    Attributes:
        decision: the last decision (``approve``, ``reject``; ``correct`` when the run
            still waits for its approval after a correction).
        must_not_pay: the label the risk score predicts (True for a rejection).
        risk_reasons: the risk signals the run raised (the fit's inputs).
        corrected: the fields reviewers corrected.
        fields: the fields as finally accepted (empty for a rejection: nobody vouched
            for them).
    """

    thread_id: str
    document: Mapping[str, Any]
    decision: str
    decided_by: str
    decided_at: str
    must_not_pay: bool
    risk_reasons: tuple[str, ...]
    risk_score: float | None
    corrected: tuple[str, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "risk_reasons": list(self.risk_reasons),
                "corrected": list(self.corrected)}


def collect_examples(ws: Workspace) -> list[LabelledExample]:
    """Every invoice run with a recorded human decision, oldest first."""
    decisions: dict[str, list[Mapping[str, Any]]] = {}
    for record in ws.audit.records():
        if record.action == "review.decision" and record.thread_id:
            decisions.setdefault(record.thread_id, []).append(record.payload)
    examples = []
    for thread, made in decisions.items():
        try:
            values = ws.state(thread).values
        except RunNotFound:  # erased on request since
            continue
        if "extraction" not in values:
            continue
        examples.append(_example(thread, values, made))
    return examples


def _example(thread: str, values: Mapping[str, Any],
             made: Sequence[Mapping[str, Any]]) -> LabelledExample:
    last = made[-1]
    final = next((d for d in reversed(made) if d.get("decision") in ("approve", "reject")), last)
    corrected = sorted({str(c.get("field", name)) for d in made if d.get("decision") == "correct"
                        for name, c in _corrections(d)})
    decision = str(final.get("decision"))
    fields = {} if decision == "reject" else {
        name: f.get("value") for name, f in values["extraction"]["fields"].items()
        if name in _FIELDS}
    risk = values.get("risk") or {}
    return LabelledExample(
        thread_id=thread, document=dict(values.get("document") or {}), decision=decision,
        decided_by=str(final.get("by")), decided_at=str(final.get("at", "")),
        must_not_pay=decision == "reject",
        risk_reasons=tuple(r["code"] for r in risk.get("reasons", [])),
        risk_score=risk.get("score"), corrected=tuple(corrected), fields=fields,
    )


def _corrections(decision: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    raw = decision.get("corrections") or {}
    if isinstance(raw, Mapping):
        for name, value in raw.items():
            yield str(name), {"field": name, "value": value}
    elif isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping):
                yield str(item.get("field")), item


def export_dataset(ws: Workspace, folder: Path | str) -> list[LabelledExample]:
    """Write the labelled examples as an eval dataset in ``folder``.

    Raises:
        ConfigError: ``folder`` already holds a ``labels.jsonl``, or there is nothing
            to export yet.
    """
    out = Path(folder)
    if (out / "labels.jsonl").exists():
        raise ConfigError(f"{out / 'labels.jsonl'} exists; export into an empty folder")
    examples = collect_examples(ws)
    if not examples:
        raise ConfigError("no reviewed runs yet: decide some cases (`wardflow review`) first")
    out.mkdir(parents=True, exist_ok=True)
    lines, orders = [], set()
    written: list[LabelledExample] = []
    for example in examples:
        name = _document(ws, example, out)
        if name is None:
            continue
        label: dict[str, Any] = {"file": name, **example.fields}
        if example.decision in ("reject", "correct") or example.corrected:
            label["expected_route"] = "review"
        label.update(decision=example.decision, decided_by=example.decided_by,
                     decided_at=example.decided_at, must_not_pay=example.must_not_pay,
                     risk_reasons=list(example.risk_reasons), corrected=list(example.corrected),
                     thread_id=example.thread_id)
        lines.append(json.dumps(label, ensure_ascii=False, default=str))
        if example.fields.get("po_number"):
            orders.add(str(example.fields["po_number"]))
        written.append(example)
    (out / "labels.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "erp.json").write_text(json.dumps(_master(ws, orders), indent=2, default=str),
                                  encoding="utf-8")
    return written


def _document(ws: Workspace, example: LabelledExample, out: Path) -> str | None:
    """Copy the run's document from storage; None when it is gone (erased)."""
    values = ws.state(example.thread_id).values
    doc = example.document
    keys = [k for k in (values.get("archive_key"), doc.get("storage_key")) if k]
    for key in keys:
        try:
            data = ws.storage.get(str(key))
        except StorageError:
            continue
        name = f"{doc.get('id', example.thread_id)}-{_safe(str(doc.get('name', 'document')))}"
        (out / name).write_bytes(data)
        return name
    return None


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name) or "document"


def _master(ws: Workspace, orders: set[str]) -> dict[str, Any]:
    vendors = [asdict(v) for v in ws.erp.vendors()]
    found = [ws.erp.purchase_order(po) for po in sorted(orders)]
    return {"vendors": vendors,
            "purchase_orders": [asdict(po) for po in found if po is not None]}
