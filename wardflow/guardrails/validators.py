"""wardflow's checks as guardrails-ai validators.

Each validator is registered with ``register_validator`` (names ``wardflow/...``) and
returns ``PassResult`` or ``FailResult`` with a ``fix_value`` where a fix exists
(redacted, tokenized or neutralised text), so it works in any ``guardrails.Guard``
with any on-fail action. The logic lives in plain modules (``injection``, ``pii``,
``secrets``, ``output``, ``tool_args``); the validators adapt it.

Importing this module imports guardrails-ai (about 2 to 4 s): only
:mod:`wardflow.guardrails.pipeline` does, on first use, after
:func:`~wardflow.guardrails._runtime.offline_guardrails` switched its metrics off.

Per-call inputs travel in the guard's ``metadata``: ``wardflow.verdicts`` (a list the
validators append a :class:`Verdict` to, so a caller gets evidence and timings
without reading guardrails-ai's history), ``wardflow.vault`` and ``wardflow.scope``
(PII tokens), ``wardflow.hidden`` (invisible PDF text), ``wardflow.fields`` and
``wardflow.source`` (model output), ``wardflow.tool``, ``wardflow.args`` and
``wardflow.approved_args_hash`` (tool calls).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from guardrails import Validator, register_validator  # type: ignore[import-untyped]
from guardrails.validator_base import (  # type: ignore[import-untyped]
    ErrorSpan,
    FailResult,
    PassResult,
)

from wardflow.errors import WardflowError
from wardflow.guardrails import output, tool_args
from wardflow.guardrails.injection import (
    InjectionFinding,
    detect_escalation,
    detect_injection,
    neutralise,
)
from wardflow.guardrails.injection_model import SENTENCE_RULE, SentenceScorer
from wardflow.guardrails.pii import find_pii, mask_pii
from wardflow.guardrails.secrets import redact_secrets
from wardflow.guardrails.vault import Vault

__all__ = [
    "ApprovedPostingValidator",
    "ArithmeticValidator",
    "EscalationValidator",
    "InvisibleTextValidator",
    "OutputSchemaValidator",
    "PiiValidator",
    "PromptInjectionValidator",
    "SecretsValidator",
    "StorageKeyValidator",
    "ToolArgSecretsValidator",
    "UnrevealedTokensValidator",
    "ValuesInSourceValidator",
    "Verdict",
]

SINK = "wardflow.verdicts"
_INVISIBLE_CHARS = ("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u180e"
                    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_HAS_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")


@dataclass
class Verdict:
    """What one validator found on one value (plain data).

    Attributes:
        validator: the validator's short name (``prompt_injection``).
        failed: whether it failed.
        score: its score (0..1), where it has one.
        evidence: what matched, already redacted (dicts of strings and numbers).
        detail: one line for a reviewer.
        fix: the fixed value, where the validator has a fix.
        ms: how long it took.
    """

    validator: str
    failed: bool
    score: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    detail: str = ""
    fix: str | None = None
    ms: float = 0.0


def _clean(text: str) -> str:
    """Evidence for state and audit: no credentials, no personal data."""
    return mask_pii(redact_secrets(text)[0])[:200]


class _Recorded(Validator):  # type: ignore[misc]  # guardrails-ai ships no type hints
    """Times :meth:`check`, records its verdict in the metadata sink, answers
    guardrails-ai with a pass or fail result."""

    short_name = ""

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        raise NotImplementedError

    def _validate(self, value: Any, metadata: dict[str, Any]) -> Any:
        started = time.perf_counter()
        verdict = self.check(value, metadata)
        verdict.ms = round((time.perf_counter() - started) * 1000, 3)
        sink = metadata.get(SINK)
        if isinstance(sink, list):
            sink.append(verdict)
        if not verdict.failed:
            return PassResult()
        spans = [ErrorSpan(start=e["start"], end=e["end"], reason=e.get("rule", verdict.validator))
                 for e in verdict.evidence
                 if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
                 and e["end"] > e["start"]]
        # guardrails-ai hands a result's metadata to the next validator in place of the
        # call's metadata: pass the call's own on, so the vault and scope reach it.
        return FailResult(
            error_message=f"{verdict.validator}: {verdict.detail}",
            fix_value=verdict.fix if verdict.fix is not None else value,
            error_spans=spans or None,
            metadata=metadata,
        )


# Findings listed one by one in a verdict's evidence; the rest are counted.
_EVIDENCE_FINDINGS = 50


def _finding_evidence(text: str, findings: Sequence[InjectionFinding]) -> list[dict[str, Any]]:
    # The page: documents join their pages with a form feed (tools.documents.PAGE_BREAK).
    listed: list[dict[str, Any]] = [
        {"rule": f.rule, "weight": f.weight, "start": f.start, "end": f.end,
         "page": text.count("\f", 0, f.start) + 1, "text": _clean(f.text)}
        for f in findings[:_EVIDENCE_FINDINGS]]
    if len(findings) > _EVIDENCE_FINDINGS:
        listed.append({"rule": "more_findings", "count": len(findings) - _EVIDENCE_FINDINGS})
    return listed


@register_validator(name="wardflow/prompt_injection", data_type="string")
class PromptInjectionValidator(_Recorded):
    """Instructions aimed at a model: patterns and heuristics first, then the
    embedded sentence classifier (:mod:`wardflow.guardrails.injection_model`), plus
    an optional model classifier. Its fix replaces each flagged sentence with a
    visible ``[UNTRUSTED TEXT REMOVED: ...]`` marker and drops invisible characters.

    Args:
        threshold: score at or above which the text fails.
        classifier: optional ``text -> probability of injection`` (e.g. a
            :class:`~wardflow.guardrails.classifier.ModelClassifier`); the score is
            the highest of the patterns', the embedded model's and this one's.
        model: the embedded sentence classifier; ``None`` turns it off.
        boundary: ``document`` (score each sentence) or ``prompt`` (each sentence
            and the whole prompt).
        on_fail: guardrails-ai on-fail action.
    """

    short_name = "prompt_injection"

    def __init__(self, threshold: float = 0.5, classifier: Callable[[str], float] | None = None,
                 model: SentenceScorer | None = None, boundary: str = "document",
                 on_fail: Any = None) -> None:
        super().__init__(on_fail=on_fail, threshold=threshold)
        self.threshold = threshold
        self.classifier = classifier
        self.model = model
        self.boundary: Literal["document", "prompt"] = \
            "prompt" if boundary == "prompt" else "document"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        score, findings = detect_injection(value, hidden=metadata.get("wardflow.hidden") or (),
                                           boundary=self.boundary)
        evidence = _finding_evidence(value, findings)
        if self.model is not None:
            scored = self.model.scan(value, boundary=self.boundary)
            hits = [InjectionFinding(SENTENCE_RULE, s, seg.start, seg.end, seg.text[:200])
                    for seg, s in scored if s >= self.threshold]
            model_score = max((s for _, s in scored), default=0.0)
            evidence += _finding_evidence(value, hits)
            evidence.append({"rule": "injection_model", "model": self.model.version,
                             "score": model_score, "sentences": len(scored)})
            findings += hits
            score = max(score, model_score)
        if self.classifier is not None:
            try:
                model_score = float(self.classifier(value))
            except WardflowError as err:  # a model failure must not hide the patterns' verdict
                evidence.append({"rule": "model_classifier", "error": str(err)[:200]})
            else:
                evidence.append({"rule": "model_classifier", "score": round(model_score, 4)})
                score = max(score, round(model_score, 4))
        if score < self.threshold:
            return Verdict(self.short_name, False, score, evidence)
        fixed, removed = neutralise(value, findings)
        rules = sorted({f.rule for f in findings})
        detail = (f"score {score:.2f} >= {self.threshold:.2f}: {', '.join(rules) or 'classifier'}"
                  f" ({len(removed)} passage(s))")
        return Verdict(self.short_name, True, score, evidence, detail, fixed)


@register_validator(name="wardflow/invisible_text", data_type="string")
class InvisibleTextValidator(_Recorded):
    """Zero-width and bidirectional-control characters, which hide or reorder text;
    the fix removes them."""

    short_name = "invisible_text"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        if value.isascii() or not _HAS_INVISIBLE.search(value):
            return Verdict(self.short_name, False)
        cleaned = value.translate(_INVISIBLE)
        removed = len(value) - len(cleaned)
        return Verdict(self.short_name, True, None, [{"count": removed}],
                       f"{removed} invisible character(s) removed", cleaned)


@register_validator(name="wardflow/escalation", data_type="string")
class EscalationValidator(_Recorded):
    """A user's request to lower the system's own controls (skip reviews, raise
    limits, delete the audit trail, claim a role)."""

    short_name = "escalation"

    def __init__(self, threshold: float = 0.5, on_fail: Any = None) -> None:
        super().__init__(on_fail=on_fail, threshold=threshold)
        self.threshold = threshold

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        score, findings = detect_escalation(value)
        failed = score >= self.threshold
        detail = f"asks to lower controls: {', '.join(sorted({f.rule for f in findings}))}" \
            if failed else ""
        return Verdict(self.short_name, failed, score, _finding_evidence(value, findings), detail)


@register_validator(name="wardflow/secrets", data_type="string")
class SecretsValidator(_Recorded):
    """Credentials (API keys, tokens, private keys, passwords); the fix redacts them."""

    short_name = "secrets"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        redacted, found = redact_secrets(value)
        if not found:
            return Verdict(self.short_name, False)
        evidence = [{"kind": s.kind, "start": s.start, "end": s.end} for s in found]
        kinds = sorted({s.kind for s in found})
        return Verdict(self.short_name, True, None, evidence,
                       f"{len(found)} credential(s) redacted: {', '.join(kinds)}", redacted)


@register_validator(name="wardflow/pii", data_type="string")
class PiiValidator(_Recorded):
    """Personal and payment data; the fix replaces it with vault tokens
    (``<IBAN_1>``) when the metadata carries a vault and a scope, else with its kind
    (``<IBAN>``)."""

    short_name = "pii"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        matches = find_pii(value)
        if not matches:
            return Verdict(self.short_name, False)
        vault = metadata.get("wardflow.vault")
        scope = metadata.get("wardflow.scope")
        if isinstance(vault, Vault) and isinstance(scope, str):
            fixed, mapping = vault.tokenize_matches(value, matches, scope=scope)
            tokens = {v: t for t, v in mapping.items()}
            labels = [tokens[m.value] for m in matches]
        else:
            fixed, labels = mask_pii(value), [f"<{m.kind}>" for m in matches]
        evidence = [{"kind": m.kind, "start": m.start, "end": m.end, "token": label}
                    for m, label in zip(matches, labels, strict=True)]
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.kind] = counts.get(m.kind, 0) + 1
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        return Verdict(self.short_name, True, None, evidence, f"tokenized {summary}", fixed)


def _issues_verdict(name: str, issues: Sequence[Any]) -> Verdict:
    evidence = [{"check": i.check, **({"field": i.field} if getattr(i, "field", None) else {}),
                 **({"argument": _clean(i.evidence)} if getattr(i, "evidence", "") else {}),
                 "detail": _clean(i.detail)} for i in issues]
    return Verdict(name, bool(issues), None, evidence, "; ".join(e["detail"] for e in evidence))


@register_validator(name="wardflow/output_schema", data_type="string")
class OutputSchemaValidator(_Recorded):
    """A model's fields are identifiers mapped to short strings or null."""

    short_name = "output_schema"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        return _issues_verdict(self.short_name, output.check_schema(metadata["wardflow.fields"]))


@register_validator(name="wardflow/values_in_source", data_type="string")
class ValuesInSourceValidator(_Recorded):
    """Every value a model returns is printed in the source document."""

    short_name = "values_in_source"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        issues = output.check_values_in_source(metadata["wardflow.fields"],
                                               metadata["wardflow.source"])
        return _issues_verdict(self.short_name, issues)


@register_validator(name="wardflow/arithmetic", data_type="string")
class ArithmeticValidator(_Recorded):
    """Subtotal + tax = total, when a model returns all three."""

    short_name = "arithmetic"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        return _issues_verdict(self.short_name, output.check_arithmetic(metadata["wardflow.fields"]))


@register_validator(name="wardflow/storage_key", data_type="string")
class StorageKeyValidator(_Recorded):
    """Storage keys stay inside the storage root (the storage tools' own check)."""

    short_name = "storage_key"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        issues = tool_args.check_storage_keys(metadata["wardflow.tool"], metadata["wardflow.args"])
        return _issues_verdict(self.short_name, issues)


@register_validator(name="wardflow/approved_posting", data_type="string")
class ApprovedPostingValidator(_Recorded):
    """An ERP posting carries exactly the approved arguments (the ERP tool's check)."""

    short_name = "approved_posting"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        issues = tool_args.check_approved_posting(
            metadata["wardflow.tool"], metadata["wardflow.args"],
            metadata.get("wardflow.approved_args_hash"))
        return _issues_verdict(self.short_name, issues)


@register_validator(name="wardflow/tool_arg_secrets", data_type="string")
class ToolArgSecretsValidator(_Recorded):
    """No credential in a tool's arguments."""

    short_name = "tool_arg_secrets"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        return _issues_verdict(self.short_name,
                               tool_args.check_arg_secrets(metadata["wardflow.args"]))


@register_validator(name="wardflow/unrevealed_tokens", data_type="string")
class UnrevealedTokensValidator(_Recorded):
    """No vault token in what reaches the ERP."""

    short_name = "unrevealed_tokens"

    def check(self, value: str, metadata: Mapping[str, Any]) -> Verdict:
        issues = tool_args.check_unrevealed_tokens(metadata["wardflow.tool"],
                                                   metadata["wardflow.args"])
        return _issues_verdict(self.short_name, issues)
