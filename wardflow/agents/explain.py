"""Why a run did what it did: one claim per decision, each citing its evidence.

:func:`explain_run` reads a run's final state and its audit records and writes a
claim for every decision: how the document was read, what the guard found, which
vendor and why, the invoice number and date, the total and the checks behind it, the
confidence, each risk reason, each compliance rule, the route, the review (who, when,
what), the posting and the archive. Each claim cites evidence that exists in the run:

``document``     a span of the document text (field, value, text, page, offsets)
``check``        an extraction check (``state["extraction"]["checks"]``)
``rule``         a compliance finding (``state["compliance"]["findings"]``)
``risk_reason``  a risk reason, with its own evidence (prior posting ids...)
``validator``    a guard decision (``state["guard"]``)
``route_reason`` a reason the route node gave (``state["decision"]["reasons"]``)
``state``        a value at a path in the state (``posting.posting_id``)
``audit``        an audit record (seq, hash, action, actor, time)

The sentences come from templates and are always available. Given a model, each claim
is offered to it for rephrasing, and its sentence replaces the template's only if
:func:`faithful`: every number, identifier and proper noun in it appears in the claim's
evidence, it keeps every one of the template's, it uses the same words of polarity
(not, passed, failed, approved...) and names what the claim must name (the reviewer,
the decision). Nothing is sent to a model for a document the guard flagged.
:func:`grounding_report` checks an explanation against the run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final, Protocol

from wardflow.agents._claims import BUILDERS, Claim, Explanation, Run, describe
from wardflow.agents.grounding import GroundingReport, faithful, grounding_report, supported
from wardflow.errors import WardflowError
from wardflow.observability.audit import AuditRecord
from wardflow.prompts import EXPLAIN_CLAIM

__all__ = [
    "EXPLAIN_CLAIM", "ChatModel", "Claim", "Explanation", "GroundingReport", "explain_run",
    "faithful", "grounding_report", "supported",
]

_RESPONSE_FORMAT: Final = {
    "type": "json_schema",
    "json_schema": {"name": "Sentence", "strict": True, "schema": {
        "type": "object", "properties": {"sentence": {"type": "string"}},
        "required": ["sentence"], "additionalProperties": False}},
}


class ChatModel(Protocol):
    """What :func:`explain_run` needs of a model: ``wardflow.llm.LLM`` fits."""

    def complete(
        self, agent: str, messages: Sequence[Mapping[str, str]], *,
        response_format: Mapping[str, Any] | None = None, max_tokens: int = 512,
    ) -> tuple[str, Any]:
        """One chat completion: the text and a usage record (with ``to_dict()``)."""
        ...


def explain_run(
    state: Mapping[str, Any], records: Sequence[AuditRecord], *, llm: ChatModel | None = None,
) -> Explanation:
    """Explain every decision of a run, each claim citing its evidence.

    Args:
        state: the run's state values (``Workspace.state(thread).values``).
        records: the run's audit records (``AuditLog.records(thread)``).
        llm: a model to rephrase the claims (agent ``explainer``); a sentence it
            writes is kept only if it is grounded in the claim's evidence.

    Returns:
        The explanation; with no ``llm`` (or none of its sentences kept), every
        sentence is the template's.
    """
    run = Run(state, records)
    claims = [replace(c, template=c.text) for build in BUILDERS for c in build(run)]
    thread = next((r.thread_id for r in records if r.thread_id), None) or (
        (state.get("document") or {}).get("id"))
    if llm is None:
        return Explanation(thread, claims)
    if any(g.get("outcome") in ("flagged", "blocked") for g in state.get("guard") or []):
        # The evidence quotes a document the guard flagged: no model sees it.
        return Explanation(thread, claims, EXPLAIN_CLAIM.version)
    usage: list[dict[str, Any]] = []
    rephrased = [_rephrase(llm, claim, usage) for claim in claims]
    return Explanation(thread, rephrased, EXPLAIN_CLAIM.version, usage)


def _rephrase(llm: ChatModel, claim: Claim, usage: list[dict[str, Any]]) -> Claim:
    evidence = "\n".join(f"- {describe(e, hashes=False)}" for e in claim.evidence)[:1500]
    messages = EXPLAIN_CLAIM.messages(statement=claim.text, evidence=evidence)
    try:
        text, used = llm.complete("explainer", messages, response_format=_RESPONSE_FORMAT,
                                  max_tokens=160)
    except WardflowError:
        return claim
    if hasattr(used, "to_dict"):
        usage.append(used.to_dict())
    sentence = _sentence(text)
    if sentence != claim.text and faithful(sentence, claim):
        return replace(claim, text=sentence, source="model")
    return claim


_JSON_SENTENCE = re.compile(r'"sentence"\s*:\s*"((?:[^"\\]|\\.)*)')


def _sentence(text: str) -> str:
    """The sentence in a model's reply: its JSON ``sentence`` (even when the JSON was
    cut short), else its first line."""
    text = text.strip()
    match = _JSON_SENTENCE.search(text)
    if match:
        try:
            text = json.loads(f'"{match.group(1)}"')
        except json.JSONDecodeError:
            text = match.group(1)
    lines = text.strip().splitlines()
    return lines[0].strip().strip('"').strip() if lines else ""
