"""The claims of a run's explanation and the evidence each cites.

One builder per decision (ingest, guard, vendor, invoice, total, confidence, risk,
compliance, route, review, posting, archive, progress) turns a run's state and audit
records into :class:`Claim` s; :mod:`wardflow.agents.explain` says them (and may have a
model rephrase them), :mod:`wardflow.agents.grounding` checks them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from wardflow.observability.audit import AuditRecord
from wardflow.status import step_status

if TYPE_CHECKING:
    from rich.tree import Tree

__all__ = ["BUILDERS", "Claim", "Evidence", "Explanation", "Run", "describe", "lookup"]

Evidence = dict[str, Any]


# Results -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Claim:
    """One decision of a run, said in one sentence, with the evidence behind it.

    Attributes:
        decision: what was decided (``vendor``, ``total``, ``route``, ``review``...).
        text: the sentence shown.
        evidence: what the sentence rests on (see the module doc for the kinds).
        source: ``template``, or ``model`` when a model's rephrasing was kept.
        template: the template sentence (the same as ``text`` unless rephrased).
    """

    decision: str
    text: str
    evidence: list[Evidence]
    source: Literal["template", "model"] = "template"
    template: str = ""
    # Words a rephrasing must keep (the reviewer's name, the decision).
    must_mention: tuple[str, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: decision, text, evidence, source, template."""
        return {"decision": self.decision, "text": self.text, "evidence": self.evidence,
                "source": self.source, "template": self.template}


@dataclass(frozen=True)
class Explanation:
    """The claims about one run, in the order the run made its decisions."""

    thread_id: str | None
    claims: list[Claim]
    prompt_version: str | None = None
    llm_usage: list[dict[str, Any]] = field(default_factory=list)

    def decisions(self) -> list[str]:
        """The decisions covered, in order, each once."""
        return list(dict.fromkeys(c.decision for c in self.claims))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: thread id, prompt version, claims, model usage."""
        return {"thread_id": self.thread_id, "prompt_version": self.prompt_version,
                "claims": [c.to_dict() for c in self.claims], "llm_usage": self.llm_usage}

    def text(self) -> str:
        """Plain text: one line per claim, its evidence indented below it."""
        lines = [f"Explanation of {self.thread_id or 'the run'}"]
        for claim in self.claims:
            lines.append(f"- [{claim.decision}] {claim.text}")
            lines.extend(f"    * {describe(e)}" for e in claim.evidence)
        return "\n".join(lines)

    def render(self) -> Tree:
        """A rich tree: decisions, their claims, and the evidence of each (dimmed)."""
        from rich.markup import escape
        from rich.tree import Tree

        tree = Tree(f"[bold]Explanation of {escape(self.thread_id or 'the run')}[/bold]")
        branches: dict[str, Tree] = {}
        for claim in self.claims:
            branch = branches.get(claim.decision)
            if branch is None:
                branch = branches[claim.decision] = tree.add(f"[bold]{claim.decision}[/bold]")
            marker = " [cyan](model)[/cyan]" if claim.source == "model" else ""
            node = branch.add(escape(claim.text) + marker)
            for item in claim.evidence:
                node.add(f"[dim]{escape(describe(item))}[/dim]")
        return tree


def describe(item: Evidence, *, hashes: bool = True) -> str:
    kind = item.get("kind")
    if kind == "document":
        what = item.get("field") or f"rule {item.get('rule')}"
        return f"document, page {item.get('page')}: \"{item.get('text')}\" ({what})"
    if kind == "audit":
        tail = f" (hash {item['hash'][:16]})" if hashes else ""
        return f"audit record #{item['seq']} {item['action']} by {item['actor']} at {item['ts']}{tail}"
    if kind == "check":
        return f"check {item['name']}: {'passed' if item['passed'] else 'failed'}, {item['detail']}"
    if kind == "rule":
        return f"rule {item['rule']}: {item['outcome']}, {item['detail']}"
    if kind in ("risk_reason", "route_reason"):
        return f"{kind.replace('_', ' ')} {item['code']}: {item['detail']}"
    if kind == "validator":
        return f"guard {item['validator']} on {item['boundary']}: {item['outcome']} ({item['score']})"
    return f"state {item.get('path')} = {json.dumps(item.get('value'), default=str)}"


# Evidence ----------------------------------------------------------------------------
def _doc(name: str, spec: Mapping[str, Any]) -> Evidence | None:
    span = spec.get("evidence")
    if not isinstance(span, Mapping) or "text" not in span or span.get("start") is None:
        return None
    return {"kind": "document", "field": name, "value": spec.get("value"),
            "text": span["text"], "page": span.get("page"), "start": span.get("start"),
            "end": span.get("end"), "label": span.get("label")}


def _state(state: Mapping[str, Any], path: str) -> Evidence:
    return {"kind": "state", "path": path, "value": lookup(state, path)[1]}


def lookup(state: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    """``(found, value)`` at a dotted path (list items by index)."""
    value: Any = state
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _audit(record: AuditRecord, keys: Sequence[str] = ()) -> Evidence:
    item: Evidence = {"kind": "audit", "seq": record.seq, "hash": record.hash,
                      "action": record.action, "actor": record.actor, "ts": record.ts}
    if keys:
        item["payload"] = {k: record.payload.get(k) for k in keys}
    return item


def _check(check: Mapping[str, Any]) -> Evidence:
    return {"kind": "check", "name": check["name"], "passed": check["passed"],
            "detail": check["detail"]}


class Run:
    """The state and records of a run, with lookups the claim builders share."""

    def __init__(self, state: Mapping[str, Any], records: Sequence[AuditRecord]) -> None:
        self.state = state
        self.records = list(records)
        extraction = state.get("extraction") or {}
        self.fields: Mapping[str, Any] = extraction.get("fields") or {}
        self.extraction: Mapping[str, Any] = extraction

    def audit(self, action: str, **payload: Any) -> list[Evidence]:
        """The last record of ``action`` (whose payload has ``payload``), as evidence."""
        for record in reversed(self.records):
            if record.action == action and all(
                record.payload.get(k) == v for k, v in payload.items()
            ):
                return [_audit(record)]
        return []

    def audits(self, action: str) -> list[Evidence]:
        return [_audit(r) for r in self.records if r.action == action]

    def value(self, name: str) -> Any:
        return (self.fields.get(name) or {}).get("value")

    def doc(self, *names: str) -> list[Evidence]:
        """The document spans of fields; a field whose evidence is no span (a reviewer's
        correction) is cited by its evidence in the state."""
        found = []
        for name in names:
            spec = self.fields.get(name) or {}
            item = _doc(name, spec)
            if item is not None:
                found.append(item)
            elif isinstance(spec.get("evidence"), Mapping):
                found.append(_state(self.state, f"extraction.fields.{name}.evidence"))
        return found


def _quote(item: Evidence) -> str:
    if item["kind"] == "document":
        return f"'{item['text']}' on page {item['page']}"
    value = item.get("value") or {}
    return f"'{value.get('text')}' ({value.get('label')})"


# Claims ------------------------------------------------------------------------------
def _ingest(run: Run) -> list[Claim]:
    state, doc = run.state, run.state.get("document") or {}
    error = state.get("error") or {}
    if error:
        text = (f"The document {doc.get('source') or state.get('source')} could not be"
                f" processed at {error.get('stage')}: {error.get('detail')}.")
        evidence = [_state(state, "document.source"), _state(state, "error.stage"),
                    _state(state, "error.detail"), *run.audit("node.fail")]
        return [Claim("document", text, evidence)]
    if not doc:
        return []
    text = (f"The document {doc.get('name')} ({doc.get('media_type')}) was read with method"
            f" {state.get('text_method')}, text quality {state.get('text_quality')}")
    evidence = [_state(state, "document.name"), _state(state, "document.media_type"),
                _state(state, "text_method"), _state(state, "text_quality"),
                *run.audit("node.ingest")]
    if state.get("submitted_by"):
        text += f"; submitted by {state['submitted_by']}"
        evidence.append(_state(state, "submitted_by"))
    text += "."
    return [Claim("document", text, evidence)]


def _finding_span(text: str, finding: Mapping[str, Any]) -> Evidence:
    """A guard finding as a document span: the text at its offsets (a finding may carry
    a description instead of the match, e.g. homoglyphs), the description kept apart."""
    start, end = finding.get("start"), finding.get("end")
    said = str(finding.get("text"))
    quoted = text[start:end] if isinstance(start, int) and isinstance(end, int) else said
    span: Evidence = {"kind": "document", "field": None, "rule": finding.get("rule"),
                      "text": quoted or said, "start": start, "end": end,
                      "page": text.count("\f", 0, start or 0) + 1}
    if quoted and quoted != said:
        span["detail"] = said
    return span


def _guard(run: Run) -> list[Claim]:
    claims = []
    for index, decision in enumerate(run.state.get("guard") or []):
        item: Evidence = {"kind": "validator", "index": index,
                          **{k: decision.get(k) for k in ("validator", "boundary", "outcome",
                                                          "score")}}
        spans: list[Evidence] = [
            _finding_span(run.state.get("text") or "", f)
            # Only quoted matches (injections); personal data is cited by its token.
            for f in decision.get("evidence") or []
            if isinstance(f, Mapping) and f.get("text") is not None
        ]
        tokens = [str(f["token"]) for f in decision.get("evidence") or []
                  if isinstance(f, Mapping) and f.get("token")]
        if tokens:
            item["tokens"] = tokens
        name, boundary, score = decision.get("validator"), decision.get("boundary"), decision.get("score")
        scored = f" (score {score})" if score is not None else ""
        if decision.get("outcome") == "pass":
            text = f"The {name} screen of the {boundary} passed{scored}."
        else:
            found = "; ".join(f"{s['rule']} matched {_quote(s)}" for s in spans) or (
                f"replaced personal data with {', '.join(sorted(set(tokens)))}"
                if tokens else "")
            text = (f"The {name} screen {decision.get('outcome')} the {boundary}{scored}:"
                    f" {found or 'no span recorded'}.")
        claims.append(Claim("guard", text, [item, *spans, *run.audit("node.guard")]))
    return claims


def _vendor(run: Run) -> list[Claim]:
    vendor, vendor_id = run.value("vendor"), run.value("vendor_id")
    name_span = next(iter(run.doc("vendor")), None)
    if vendor is None:
        return [Claim("vendor", "No vendor name could be read from the document.",
                      [_state(run.state, "extraction.fields.vendor.value")])]
    printed = f", printed as {_quote(name_span)}" if name_span else ""
    if vendor_id is None:
        text = f"Vendor {vendor}{printed}, is not matched to any vendor in the vendor master."
        evidence = [*run.doc("vendor"), _state(run.state, "extraction.fields.vendor_id.value")]
        return [Claim("vendor", text, evidence)]
    id_span = next(iter(run.doc("vendor_id")), None)
    how = (f" by {id_span['label']} {id_span['text']} on page {id_span['page']}"
           if id_span and id_span["kind"] == "document" and id_span.get("label") else "")
    text = f"Vendor {vendor} ({vendor_id}){printed}, matched to the vendor master{how}."
    evidence = [*run.doc("vendor", "vendor_id"), *run.audit("tool.erp_lookup_vendor")]
    if not id_span or id_span["kind"] != "document":
        evidence.append(_state(run.state, "extraction.fields.vendor_id.value"))
    return [Claim("vendor", text, evidence)]


def _invoice(run: Run) -> list[Claim]:
    parts, evidence = [], []
    for name, label in (("invoice_number", "Invoice number"), ("invoice_date", "dated")):
        value = run.value(name)
        spans = run.doc(name)
        if value is None:
            parts.append(f"{label} not found")
            evidence.append(_state(run.state, f"extraction.fields.{name}.value"))
        else:
            parts.append(f"{label} {value}" + (f" ({_quote(spans[0])})" if spans else ""))
            evidence.extend(spans or [_state(run.state, f"extraction.fields.{name}.value")])
    evidence.extend(_check(c) for c in run.extraction.get("checks") or []
                    if c["name"] in ("date_sane", "due_after_issue") and not c["passed"])
    text = ", ".join(parts) + "."
    return [Claim("invoice", text[0].upper() + text[1:], evidence)]


def _total(run: Run) -> list[Claim]:
    total, currency = run.value("total"), run.value("currency")
    if total is None:
        return [Claim("total", "No total could be read from the document.",
                      [_state(run.state, "extraction.fields.total.value")])]
    spans = run.doc("total")
    printed = f", printed as {_quote(spans[0])}" if spans else ""
    checks = [c for c in run.extraction.get("checks") or []
              if set(c.get("fields") or ()) & {"total", "subtotal", "tax"}]
    said = "; ".join(f"check {c['name']} {'passed' if c['passed'] else 'failed'}: {c['detail']}"
                     for c in checks)
    text = f"Total {currency} {total}{printed}" + (f"; {said}." if said else ".")
    evidence = [*run.doc("total", "currency", "subtotal", "tax"), *map(_check, checks)]
    if not spans:
        evidence.append(_state(run.state, "extraction.fields.total.value"))
    return [Claim("total", text, evidence)]


def _confidence(run: Run) -> list[Claim]:
    extraction = run.extraction
    if "confidence" not in extraction:
        return []
    low = extraction.get("low_confidence") or []
    failed = [c for c in extraction.get("checks") or [] if not c["passed"]]
    text = (f"Extraction confidence {extraction['confidence']}; fields with low confidence:"
            f" {', '.join(low) or 'none'}; failed checks:"
            f" {', '.join(c['name'] for c in failed) or 'none'}.")
    evidence = [_state(run.state, "extraction.confidence"),
                _state(run.state, "extraction.low_confidence"), *map(_check, failed),
                *run.audit("node.extract")]
    claims = [Claim("confidence", text, evidence)]
    model = extraction.get("model")
    if isinstance(model, Mapping) and model.get("status"):
        keys = [k for k in ("status", "model", "prompt", "detail") if model.get(k)]
        which = (f" ({model.get('model')}, prompt {model.get('prompt')})"
                 if model.get("model") and model.get("prompt") else "")
        detail = f": {model['detail']}" if model.get("detail") else ""
        claims.append(Claim("model", f"The model reading{which} was {model['status']}{detail}.",
                            [_state(run.state, f"extraction.model.{k}") for k in keys]))
    for index, usage in enumerate(run.state.get("llm_usage") or []):
        text = (f"Model call by {usage.get('agent')} to {usage.get('model')}:"
                f" {usage.get('prompt_tokens')} prompt and {usage.get('completion_tokens')}"
                f" completion tokens in {usage.get('latency_ms')} ms.")
        claims.append(Claim("model", text, [_state(run.state, f"llm_usage.{index}")]))
    return claims


def _risk(run: Run) -> list[Claim]:
    risk = run.state.get("risk")
    if not isinstance(risk, Mapping):
        return []
    reasons = risk.get("reasons") or []
    lookups = run.audits("tool.erp_find_invoices")
    if not reasons:
        text = (f"Risk score {risk.get('score')}: no risk signal applied (no earlier posting"
                " of this document or number, vendor history, bank details and amount as"
                " expected).")
        return [Claim("risk", text, [_state(run.state, "risk.score"),
                                     _state(run.state, "risk.reasons"), *lookups])]
    claims = []
    for reason in reasons:
        item: Evidence = {"kind": "risk_reason", "code": reason.get("code"),
                          "weight": reason.get("weight"), "detail": reason.get("detail"),
                          "evidence": reason.get("evidence")}
        text = (f"Risk {reason.get('code')} (weight {reason.get('weight')}, risk score"
                f" {risk.get('score')}): {reason.get('detail')}.")
        claims.append(Claim("risk", text, [item, _state(run.state, "risk.score"), *lookups]))
    return claims


def _compliance(run: Run) -> list[Claim]:
    compliance = run.state.get("compliance")
    if not isinstance(compliance, Mapping):
        return []
    findings = compliance.get("findings") or []
    if not findings:
        return [Claim("compliance", f"Compliance {compliance.get('status')}: no rule applied.",
                      [_state(run.state, "compliance.status")])]
    claims = []
    for finding in findings:
        item: Evidence = {"kind": "rule", **{k: finding.get(k) for k in ("rule", "outcome",
                                                                        "detail", "action")}}
        if finding.get("outcome") == "pass":
            text = f"Rule {finding.get('rule')} passed: {finding.get('detail')}."
        else:
            text = (f"Rule {finding.get('rule')}: {finding.get('outcome')}, because"
                    f" {finding.get('detail')}; required: {finding.get('action')}.")
        claims.append(Claim("compliance", text, [item]))
    return claims


def _route(run: Run) -> list[Claim]:
    decision = run.state.get("decision")
    if not isinstance(decision, Mapping):
        return []
    reasons = decision.get("reasons") or []
    audit = run.audit("node.route")
    if decision.get("route") == "post":
        risk = run.state.get("risk") or {}
        text = (f"Routed to post without review: no review reason applied (confidence"
                f" {run.extraction.get('confidence')}, risk score {risk.get('score')},"
                f" compliance {(run.state.get('compliance') or {}).get('status')}).")
        evidence = [_state(run.state, "decision.route"), _state(run.state, "decision.reasons"),
                    _state(run.state, "extraction.confidence"), _state(run.state, "risk.score"),
                    _state(run.state, "compliance.status"), *audit]
        return [Claim("route", text, evidence, must_mention=("post",))]
    items: list[Evidence] = [{"kind": "route_reason", "index": i, "code": r.get("code"),
                              "detail": r.get("detail")} for i, r in enumerate(reasons)]
    said = "; ".join(f"{r['code']} ({r['detail']})" for r in items)
    text = f"Routed to review because of {said}; review deadline {decision.get('deadline')}."
    evidence = [_state(run.state, "decision.route"), *items,
                _state(run.state, "decision.deadline"), *audit]
    return [Claim("route", text, evidence, must_mention=("review",))]


def _review(run: Run) -> list[Claim]:
    """Every decision a reviewer made (and every refusal), from the audit log."""
    claims = []
    for record in run.records:
        payload = record.payload
        by = str(payload.get("by"))
        if record.action == "review.decision":
            keys = ["decision", "by", "at"] + [k for k in ("comment", "corrections")
                                               if payload.get(k)]
            comment = f", comment '{payload['comment']}'" if payload.get("comment") else ""
            if payload.get("decision") == "correct":
                fixed = ", ".join(f"{k} to {v}" for k, v in (payload.get("corrections") or {}).items())
                text = f"Corrected by {by} at {payload.get('at')}: {fixed}{comment}."
                must = (by, "correct")
            else:
                verb = "Approved" if payload.get("decision") == "approve" else "Rejected"
                text = f"{verb} by {by} at {payload.get('at')}{comment}."
                must = (by, verb.lower()[:6])
            claims.append(Claim("review", text, [_audit(record, keys)], must_mention=must))
        elif record.action == "review.refused":
            text = f"A decision by {by} was refused: {payload.get('reason')}."
            claims.append(Claim("review", text, [_audit(record, ["by", "reason"])],
                                must_mention=(by, "refused")))
    state, decision = run.state, run.state.get("decision") or {}
    if decision.get("route") == "review" and state.get("status") not in (
            "approved", "posted", "rejected", "failed", "cancelled"):
        text = f"Waiting for a reviewer; the review deadline is {decision.get('deadline')}."
        claims.append(Claim("review", text, [_state(state, "status"),
                                             _state(state, "decision.deadline")],
                            must_mention=("wait",)))
    return claims


def _posting(run: Run) -> list[Claim]:
    posting = run.state.get("posting")
    if not isinstance(posting, Mapping) or not posting.get("posting_id"):
        return []
    paths = ["posting.posting_id", "posting.approved_by", "posting.idempotency_key",
             "posting.currency", "posting.total"]
    evidence = [*(_state(run.state, p) for p in paths), *run.audit("tool.erp_post_invoice")]
    if posting.get("created") is False:
        text = (f"The ERP returned the earlier posting {posting['posting_id']} for idempotency"
                f" key {posting.get('idempotency_key')}: nothing was posted twice.")
        evidence.append(_state(run.state, "posting.created"))
    else:
        text = (f"Posted to the ERP as {posting['posting_id']} for {posting.get('currency')}"
                f" {posting.get('total')}, approved by {posting.get('approved_by')}, idempotency"
                f" key {posting.get('idempotency_key')}.")
    return [Claim("posting", text, evidence, must_mention=(str(posting["posting_id"]),))]


def _archive(run: Run) -> list[Claim]:
    key = run.state.get("archive_key")
    if not key:
        return []
    action = "node.fail" if run.state.get("status") == "failed" else "node.archive"
    return [Claim("archive", f"Stored as {key}.",
                  [_state(run.state, "archive_key"), *run.audit(action)])]


def _progress(run: Run) -> list[Claim]:
    """A blueprint run: what its last step did (``step_status``; ``status`` in a
    checkpoint from before it)."""
    progress = step_status(run.state)
    if progress is None:
        return []
    path = "step_status" if run.state.get("step_status") else "status"
    return [Claim("progress", f"Its last step: {progress}.", [_state(run.state, path)])]


BUILDERS: Final = (_ingest, _guard, _vendor, _invoice, _total, _confidence, _risk,
                    _compliance, _route, _review, _posting, _archive, _progress)
