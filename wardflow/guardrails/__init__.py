"""Guards for untrusted text, model output and tool calls.

Import by absolute path (``wardflow.guardrails.injection``): inside this package a
plain ``import guardrails`` still means guardrails-ai.
"""

from wardflow.guardrails.injection import InjectionFinding, detect_injection

__all__ = ["InjectionFinding", "detect_injection"]
