"""Guards for untrusted text, model output and tool calls, and the run-wide controls.

:class:`GuardPipeline` applies one set of validators at each boundary of a run (user
prompt, document text, model output, tool arguments) and returns JSON-safe
decisions. The validators are guardrails-ai validators
(:mod:`wardflow.guardrails.validators`); guardrails-ai itself is imported on the
first check, never by importing this package. The run-wide controls sit beside them:
the kill switch (:mod:`wardflow.guardrails.killswitch`), rate limits and the token
vault.

Import by absolute path (``wardflow.guardrails.injection``): inside this package a
plain ``import guardrails`` still means guardrails-ai.
"""

from wardflow.guardrails.injection import InjectionFinding, detect_injection
from wardflow.guardrails.pipeline import (
    Boundary,
    GuardDecision,
    GuardPipeline,
    GuardResult,
    Outcome,
)
from wardflow.guardrails.ratelimit import RateLimiter
from wardflow.guardrails.tool_guard import PipelineToolGuard
from wardflow.guardrails.vault import REVEAL_ROLES, TokenVault

__all__ = [
    "REVEAL_ROLES",
    "Boundary",
    "GuardDecision",
    "GuardPipeline",
    "GuardResult",
    "InjectionFinding",
    "Outcome",
    "PipelineToolGuard",
    "RateLimiter",
    "TokenVault",
    "detect_injection",
]
