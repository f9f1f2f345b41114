"""The extract node's model reading: merged into the parsers' fields, its answer guarded.

A model's answer is untrusted input; an error while reading or checking it ends as
``invalid_output`` on the parsers' fields, never as an exception that stops the run.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wardflow.agents._model_fields import FIELD_MAP
from wardflow.agents.extractor import read_with_model
from wardflow.config import Settings
from wardflow.guardrails.pipeline import GuardPipeline
from wardflow.prompts import EXTRACT_INVOICE

if TYPE_CHECKING:
    from wardflow.llm.client import LLM

# What reading or checking an odd model answer can raise (decimal and date
# arithmetic, conversions, lookups of keys the answer lacks). Narrow on purpose: a
# GraphBubbleUp (interrupt) or a store error is not the model's doing.
_ANSWER_ERRORS = (ArithmeticError, ValueError, TypeError, LookupError, AttributeError,
                  RecursionError)
# Logged under the invoice graph's name, as before this module was split from it.
_log = logging.getLogger("wardflow.graphs.invoice")


def guarded_model_reading(
    extraction: dict[str, Any], text: str, shown: str, *, llm: LLM, guards: GuardPipeline,
    settings: Settings,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The model's reading merged in, with its usage and the guard's checks.

    A model's answer is untrusted input: whatever it holds (a 30-digit amount, an
    exponent, NaN, a control character, a value of the wrong type), an error while
    reading or checking it ends as ``model_failed`` on the parsers' fields, never
    as an exception that stops the run or the batch.

    Args:
        extraction: the parsers' extraction.
        text: the document's text; ``shown`` is the text the model is shown (guarded).
        llm: the model layer; ``guards`` checks its answer; ``settings`` say which
            fields it reads and when a field is settled.

    Returns:
        The merged extraction, the model's usage records and the guard's decisions.
    """
    try:
        merged, usage = read_with_model(
            extraction, text, llm, prompt_text=shown,
            only_open=settings.model_reads == "open",
            settled_at=settings.review_threshold)
        checks = (check_model_output(merged, shown, guards)
                  if (merged.get("model") or {}).get("status") == "ok" else [])
    except _ANSWER_ERRORS as err:
        _log.warning("the model's answer could not be read", exc_info=True)
        detail = (f"the model's answer could not be read ({type(err).__name__}: "
                  f"{str(err)[:200]}); the parsers' fields are kept")
        failed = dict(extraction, model={"status": "invalid_output", "detail": detail,
                                         "output": "", "prompt": EXTRACT_INVOICE.version})
        return failed, [], []
    return merged, usage, checks


def check_model_output(extraction: Mapping[str, Any], shown: str, guards: GuardPipeline
                       ) -> list[dict[str, Any]]:
    """Guard the model's answer. Values the merge already set aside (not printed in
    the document) are recorded as discarded (``fixed``); only an invented value that
    made it into a field stops the automatic path."""
    fields = extraction["fields"]
    answer = {attr: fields[name].get("model_value") for name, attr in FIELD_MAP.items()}
    used = {attr for name, attr in FIELD_MAP.items() if fields[name]["method"] == "model"}
    decisions = guards.check_model_output(answer, source_text=shown).to_dicts()
    for decision in decisions:
        if decision["outcome"] != "flagged":
            continue
        named = {e.get("field") for e in decision["evidence"] if isinstance(e, dict)}
        if named and not named & used:
            decision["outcome"] = "fixed"
            decision["detail"] += " (set aside: the parsers' values were kept)"
    return decisions
