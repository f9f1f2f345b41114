"""Whether an explanation is grounded in its run.

:func:`supported` and :func:`faithful` check a sentence against a claim's evidence (a
model's rephrasing is kept only when faithful); :func:`grounding_report` checks every
claim's evidence against the run's state and audit records.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from wardflow.agents._claims import Claim, Evidence, Explanation, lookup
from wardflow.observability.audit import AuditRecord

__all__ = ["GroundingReport", "faithful", "grounding_report", "supported"]


# Grounding ---------------------------------------------------------------------------
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*(?:[-./:+@,*'][A-Za-z0-9_]+)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+)$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T")
# Words that turn a statement around: a rephrasing must use the same ones.
_POLARITY: Final = frozenset({
    "not", "no", "never", "none", "without", "pass", "passed", "fail", "failed", "flagged",
    "approve", "approved", "reject", "rejected", "refused", "correct", "corrected", "review",
    "post", "posted", "waiting", "unknown", "missing", "below", "above", "exceeds", "within",
})
# Words that carry no fact of the run but are spelled like identifiers.
_VOCABULARY: Final = frozenset({"erp", "iban", "pdf", "ocr", "vat", "id", "ok", "ai", "i"})


def _normal(token: str) -> str:
    token = token.lower()
    if _THOUSANDS.match(token):
        token = token.replace(",", "")
    if _NUMBER.match(token):
        try:
            return format(Decimal(token).normalize(), "f")
        except InvalidOperation:
            return token
    return token


def _tokens(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            found |= _tokens(key) | _tokens(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found |= _tokens(item)
    elif value is not None:
        for token in _TOKEN.findall(str(value)):
            found.add(_normal(token))
            if match := _ISO_TIME.match(token):
                found.add(match.group(1))
    return found


def _significant(sentence: str) -> list[str]:
    """Tokens that state a fact: numbers, identifiers, codes, proper nouns."""
    out = []
    for match in _TOKEN.finditer(sentence):
        token = match.group(0)
        initial = bool(_SENTENCE_START.search(sentence[:match.start()]))
        if (any(c.isdigit() for c in token) or any(c in token for c in "_-./:@")
                or any(c.isupper() for c in token[1:])
                or (token[0].isupper() and not initial)):
            if token.lower() not in _VOCABULARY:
                out.append(token)
    return out


def supported(
    sentence: str, evidence: Iterable[Any], *, must_mention: Sequence[str] = ()
) -> bool:
    """Whether every number, identifier and proper noun in ``sentence`` appears in
    ``evidence`` (strings, mappings, lists), and it mentions each of ``must_mention``."""
    allowed = _tokens(list(evidence))
    lowered = sentence.lower()
    if any(term.lower() not in lowered for term in must_mention):
        return False
    return all(_normal(t) in allowed for t in _significant(sentence))


def faithful(sentence: str, claim: Claim) -> bool:
    """Whether ``sentence`` may replace ``claim``'s template sentence: it is a sentence,
    states only facts in the claim's evidence (or template), keeps every number and
    identifier of the template, uses the same words of polarity (not, passed, failed,
    approved...) and mentions what the claim must name."""
    words = [w.lower() for w in _TOKEN.findall(sentence)]
    if len(words) < 3 or len(sentence) > 2 * len(claim.template or claim.text) + 200:
        return False
    template = claim.template or claim.text
    if not supported(sentence, [template, claim.evidence], must_mention=claim.must_mention):
        return False
    said = {_normal(w) for w in words}
    if any(_normal(t) not in said for t in _significant(template)):
        return False
    template_words = {w.lower() for w in _TOKEN.findall(template)}
    return _POLARITY & set(words) == _POLARITY & template_words


@dataclass(frozen=True)
class GroundingReport:
    """How well an explanation is grounded in its run.

    Attributes:
        claims: how many claims.
        grounded: claims whose every cited evidence item exists in the run.
        share: ``grounded / claims`` (1.0 for an empty explanation).
        text_supported: claims whose sentence states only facts in its evidence.
        text_share: ``text_supported / claims``.
        failures: ``{"claim", "decision", "evidence" or "text", "why"}`` per problem.
        unchecked: audit evidence items not verified (no records were given).
    """

    claims: int
    grounded: int
    share: float
    text_supported: int
    text_share: float
    failures: list[dict[str, Any]]
    unchecked: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The report's fields as a dict."""
        return dict(self.__dict__)


def grounding_report(
    explanation: Explanation, state: Mapping[str, Any],
    records: Sequence[AuditRecord] | None = None,
) -> GroundingReport:
    """Check each claim's evidence against the run, and each sentence against its evidence.

    A claim is grounded when it cites evidence and every item exists in the run: the
    document span at its offsets and page, the check, rule, risk reason, validator or
    route reason in the state, the value at a state path, the audit record with that
    sequence number and hash (audit items count as unchecked when ``records`` is not
    given).
    """
    by_seq = {r.seq: r for r in records} if records is not None else None
    failures: list[dict[str, Any]] = []
    grounded = text_ok = unchecked = 0
    for index, claim in enumerate(explanation.claims):
        problems = [] if claim.evidence else ["no evidence cited"]
        for item in claim.evidence:
            if item.get("kind") == "audit" and by_seq is None:
                unchecked += 1
                continue
            why = _verify(item, state, by_seq or {})
            if why:
                problems.append(why)
                failures.append({"claim": index, "decision": claim.decision,
                                 "evidence": item, "why": why})
        if not claim.evidence:
            failures.append({"claim": index, "decision": claim.decision, "why": problems[0]})
        grounded += not problems
        basis = [claim.evidence, claim.template] if claim.source == "model" else [claim.evidence]
        if supported(claim.text, basis):
            text_ok += 1
        else:
            failures.append({"claim": index, "decision": claim.decision, "text": claim.text,
                             "why": "the sentence states something its evidence does not"})
    total = len(explanation.claims)
    return GroundingReport(total, grounded, grounded / total if total else 1.0, text_ok,
                           text_ok / total if total else 1.0, failures, unchecked)


def _verify(item: Evidence, state: Mapping[str, Any], by_seq: Mapping[int, AuditRecord]) -> str:
    """Why ``item`` does not hold in the run ('' when it does)."""
    kind = item.get("kind")
    extraction = state.get("extraction") or {}
    if kind == "document":
        text, start, end = state.get("text") or "", item.get("start"), item.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            return "document span without offsets"
        if not text[start:end].startswith(str(item.get("text"))) or not item.get("text"):
            return "the document has other text at these offsets"
        if item.get("page") != text.count("\f", 0, start) + 1:
            return "the span is on another page"
        name = item.get("field")
        if name is not None:
            spec = (extraction.get("fields") or {}).get(name) or {}
            if spec.get("value") != item.get("value") or (spec.get("evidence") or {}).get(
                    "text") != item.get("text"):
                return f"field {name} has another value or evidence"
        return ""
    if kind == "audit":
        record = by_seq.get(item.get("seq", -1))
        if record is None:
            return "no audit record with this sequence number"
        if record.hash != item.get("hash") or record.action != item.get("action"):
            return "the audit record differs (hash or action)"
        if any(record.payload.get(k) != v for k, v in (item.get("payload") or {}).items()):
            return "the audit record's payload differs"
        return ""
    if kind == "state":
        found, value = lookup(state, str(item.get("path")))
        if not found:
            return "no such path in the state"
        return "" if value == item.get("value") else "the state has another value there"
    pools: dict[str, tuple[Any, tuple[str, ...]]] = {
        "check": (extraction.get("checks"), ("name", "passed", "detail")),
        "rule": ((state.get("compliance") or {}).get("findings"),
                 ("rule", "outcome", "detail", "action")),
        "risk_reason": ((state.get("risk") or {}).get("reasons"),
                        ("code", "weight", "detail", "evidence")),
        "validator": (state.get("guard"), ("validator", "boundary", "outcome", "score")),
        "route_reason": ((state.get("decision") or {}).get("reasons"), ("code", "detail")),
    }
    if kind not in pools:
        return f"unknown evidence kind {kind!r}"
    pool, keys = pools[str(kind)]
    if any(isinstance(e, Mapping) and all(e.get(k) == item.get(k) for k in keys)
           for e in pool or []):
        return ""
    return f"no such {kind} in the run"
