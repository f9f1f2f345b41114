"""Prompt-injection detection by patterns: instructions aimed at a model.

Invoices and emails are written by outsiders. Text that addresses an AI, tries to
override its instructions, or hides itself (zero-width characters, long base64) is
reported with a score and the matched evidence. The detector is deliberately cheap
(about a millisecond per page) so it runs on every document.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["InjectionFinding", "detect_injection"]


@dataclass(frozen=True, slots=True)
class InjectionFinding:
    rule: str
    weight: float
    start: int
    end: int
    text: str


_RULES: tuple[tuple[str, float, re.Pattern[str]], ...] = tuple(
    (name, weight, re.compile(pattern, re.IGNORECASE))
    for name, weight, pattern in (
        ("override", 0.9,
         r"\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}?\b(?:previous|prior|above|"
         r"earlier|all|your|the|system)\b[^.\n]{0,20}?\b(?:instructions?|prompts?|rules?|guidelines?|"
         r"directives?|policies|checks?)"),
        ("addressed_to_ai", 0.6,
         r"\b(?:AI|LLM|GPT|language model|assistant|chatbot|agent|automated (?:system|processor))\s*[:,]"
         r"|\b(?:note|message|instructions?) (?:to|for) (?:the |any )?(?:AI|LLM|assistant|model|agent)s?\b"),
        ("role_override", 0.7,
         r"\byou are now\b|\bact as (?:an? )?(?:admin|administrator|approver|system)\b|"
         r"\bnew (?:system )?instructions?\s*:|^\s*(?:system|assistant)\s*:|<\|?(?:system|im_start)\|?>"),
        ("approval_demand", 0.5,
         r"\b(?:approve|authori[sz]e|release|pay)\b[^.\n]{0,30}\b(?:immediately|without (?:review|"
         r"approval|checks?)|automatically|for immediate payment)\b|\bmark (?:this|it) as (?:approved|paid"
         r"|verified)\b|\bskip (?:the )?(?:review|approval|verification)\b"),
        ("exfiltration", 0.7,
         r"\b(?:send|email|forward|reveal|print|output)\b[^.\n]{0,30}\b(?:system prompt|api key|"
         r"password|credentials|all (?:vendor|bank|customer) (?:data|details))\b"),
    )
)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")


def _normalise(text: str) -> str:
    # NFKC folds full-width and many look-alike letters onto ASCII; zero-width
    # characters split words so that patterns miss them.
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def detect_injection(text: str) -> tuple[float, list[InjectionFinding]]:
    """Score ``text`` for injected instructions.

    Returns:
        The combined score (noisy-OR of the rules that fired, 0..1) and the findings
        with their spans in ``text`` (spans refer to the original text when no
        characters were removed, else to the normalised text).
    """
    findings: list[InjectionFinding] = []
    hidden = len(_ZERO_WIDTH.findall(text))
    normalised = _normalise(text)
    if hidden >= 3:
        findings.append(InjectionFinding("zero_width_characters", 0.4, 0, 0, f"{hidden} hidden characters"))
    for name, weight, pattern in _RULES:
        for m in pattern.finditer(normalised):
            findings.append(InjectionFinding(name, weight, m.start(), m.end(), m.group(0)))
            break
    for m in _BASE64.finditer(normalised):
        try:
            decoded = base64.b64decode(m.group(0), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            continue
        inner, inner_findings = detect_injection(decoded) if len(decoded) < 4096 else (0.0, [])
        if inner >= 0.5:
            findings.append(InjectionFinding("base64_instruction", 0.8, m.start(), m.end(),
                                             decoded[:120]))
            break
    remaining = 1.0
    for f in findings:
        remaining *= 1.0 - f.weight
    return round(1.0 - remaining, 4), findings
