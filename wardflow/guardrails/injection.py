"""Prompt-injection detection by heuristics and patterns: instructions aimed at a model.

Invoices and emails are written by outsiders. Text that addresses an AI, tries to
override its instructions, asks it to skip a review or leak data, or hides itself
(zero-width or bidirectional characters, look-alike letters, spaced-out or
digit-for-letter words, base64 or hex, text a PDF does not show) is reported with a
score and the matched evidence; in a prompt, text the operator quotes or pastes is read
with the document rules as well. The detector is deliberately cheap (well under a
millisecond per page) so it runs on every document; a model-based classifier can be
added on top (:mod:`wardflow.guardrails.classifier`).

:func:`neutralise` turns findings into the text a model may see: every flagged
sentence is replaced by a visible ``[UNTRUSTED TEXT REMOVED: ...]`` marker.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from wardflow.guardrails._injection_rules import (
    BENIGN_FOLLOWER,
    BENIGN_OBJECT,
    ESCALATION_RULES,
    OPERATOR_PREFIXES,
    PREFIXES,
    PROMPT_RULES,
    RULES,
    VOCABULARY,
    VOCABULARY_PREFIXES,
    Rule,
)
from wardflow.guardrails._segments import run_on_breaks
from wardflow.guardrails._text import (
    TextView,
    invisible_count,
    leet_view,
    mixed_script_words,
    normalised_view,
    sentence_span,
    spaced_runs,
)

__all__ = ["InjectionFinding", "detect_escalation", "detect_injection", "neutralise", "score"]

_WORDS = re.compile(r"[^\W_]+")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/=])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text quoted in a prompt (25 characters or more), or pasted below a line that ends
# with a colon.
_QUOTED = re.compile(
    r'"([^"\n]{25,})"|\u201c([^\u201d]{25,})\u201d|\u201e([^\u201c\u201d]{25,})[\u201c\u201d]'
    r"|\u00ab\s*([^\u00bb]{25,})\u00bb|(?<![^\W\d_])'([^'\n]{25,})'(?![^\W\d_])"
    r"|:[ \t]*\n((?:.*\S.*(?:\n|$)){1,})"
)
# A prompt is short and holds no scanned codes: a blob of three words is worth decoding.
_BASE64_PROMPT = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
# Hex-encoded text ("69676e6f7265..."), at least 12 bytes; an even number of digits.
_HEX = re.compile(r"(?<![0-9A-Za-z])(?:[0-9a-fA-F]{2}){12,}(?![0-9A-Za-z])")
# Rules that need exact characters (markup, code names) gain nothing from the
# digit-for-letter view.
_LEET_SKIP = frozenset({"chat_markup", "tool_invocation"})
MARKER = "[UNTRUSTED TEXT REMOVED: {detail}]"


@dataclass(frozen=True, slots=True)
class InjectionFinding:
    """One matched signal.

    Attributes:
        rule: the rule's name (``instruction_override``, ``zero_width_characters``...).
        weight: how much it alone says "injection" (0..1).
        start: offset of the evidence in the text that was checked.
        end: end offset of the evidence.
        text: the evidence (at most 200 characters).
    """

    rule: str
    weight: float
    start: int
    end: int
    text: str



def score(findings: Iterable[InjectionFinding]) -> float:
    """Noisy-OR of the strongest finding of each rule, rounded to 4 places."""
    best: dict[str, float] = {}
    for f in findings:
        best[f.rule] = max(best.get(f.rule, 0.0), f.weight)
    remaining = 1.0
    for weight in best.values():
        remaining *= 1.0 - weight
    return round(1.0 - remaining, 4)


def _is_business_override(view: TextView, m: re.Match[str]) -> bool:
    # "disregard our previous payment instructions": the noun's qualifier or what
    # follows it makes the phrase about business, not about a model.
    matched = m.group(0)
    head = re.sub(r"\S+\s*$", "", matched)
    follower = view.text[m.end(): m.end() + 40]
    return bool(BENIGN_OBJECT.search(head) or BENIGN_FOLLOWER.search(follower))


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """The lower-cased text and its words (and prefix entries found), for pre-checks."""

    lowered: str
    words: frozenset[str]

    @classmethod
    def of(cls, text: str, *, operator: bool = False) -> _Vocabulary:
        """``operator``: also the prefix entries of the operator rules (prompts only)."""
        lowered = text.lower()
        words = set(_WORDS.findall(lowered))
        words.update(p + "*" for p in PREFIXES.findall(lowered))
        if operator:
            words.update(p + "*" for p in OPERATOR_PREFIXES.findall(lowered))
        return cls(lowered, frozenset(words))


def _matches(rule: Rule, text: str, lowered: str) -> Iterator[re.Match[str]]:
    """Matches of ``rule`` in ``text`` that start at a word boundary."""
    if len(lowered) != len(text):  # rare letters whose lower case is longer
        for found in rule.fallback.finditer(text):
            if _preceded(rule, text, found.start()):
                yield found
        return
    pos = 0
    while (m := rule.pattern.search(lowered, pos)) is not None:
        start = m.start()
        if start > 0 and lowered[start].isalnum() and lowered[start - 1].isalnum():
            pos = start + 1  # inside a word ("disapprove"): the prepared rule has no \b
            continue
        if not _preceded(rule, lowered, start):
            pos = start + 1
            continue
        yield m
        pos = max(m.end(), start + 1)


def _preceded(rule: Rule, text: str, start: int) -> bool:
    """Whether the text before ``start`` ends as the rule's ``before`` asks (``\\A`` in
    it: the start of the text, or of the 40 characters looked at)."""
    if rule.before is None:
        return True
    return rule.before.search(text[max(0, start - 40):start].lower()) is not None


def _match_rules(
    view: TextView, rules: Sequence[Rule], *, seen: set[str] | None = None,
    vocabulary: _Vocabulary | None = None, operator: bool = False,
) -> list[InjectionFinding]:
    vocabulary = vocabulary or _Vocabulary.of(view.text, operator=operator)
    findings: list[InjectionFinding] = []
    for rule in rules:
        if seen is not None and rule.name in seen:
            continue
        if not rule.may_match(vocabulary.words, vocabulary.lowered):
            continue
        # every place a rule matches is a finding (the score counts a rule once): an
        # attack repeated further down must leave the text a model sees as well
        for m in _matches(rule, view.text, vocabulary.lowered):
            if rule.name == "instruction_override" and _is_business_override(view, m):
                continue
            start, end = view.span(m.start(), m.end())
            evidence = view.text[m.start(): m.end()]
            findings.append(InjectionFinding(rule.name, rule.weight, start, end, evidence[:200]))
    return findings


def _obfuscation(text: str, view: TextView) -> list[InjectionFinding]:
    findings: list[InjectionFinding] = []
    zero_width, bidi = invisible_count(text)
    if zero_width:
        weight = 0.45 if zero_width >= 3 else 0.3
        findings.append(InjectionFinding("zero_width_characters", weight, 0, 0,
                                         f"{zero_width} zero-width characters"))
    if bidi:
        findings.append(InjectionFinding("bidi_controls", 0.4, 0, 0,
                                         f"{bidi} bidirectional control characters"))
    mixed = mixed_script_words(text)
    if mixed:
        start, end, word = mixed[0]
        findings.append(InjectionFinding("homoglyphs", 0.35, start, end,
                                         f"{len(mixed)} mixed-script words, e.g. {word!r}"))
    return findings


def _encoded(view: TextView, depth: int, rules: Sequence[Rule],
             boundary: Literal["document", "prompt"]) -> list[InjectionFinding]:
    findings: list[InjectionFinding] = []
    for start, end, collapsed in spaced_runs(view.text):
        inner = _match_rules(TextView(collapsed, None, len(collapsed)), rules,
                             operator=boundary == "prompt")
        if inner:
            s, e = view.span(start, end)
            findings.append(InjectionFinding("spaced_letters", 0.25, s, e, collapsed[:200]))
            findings.extend(InjectionFinding(f.rule, f.weight, s, e, collapsed[:200])
                            for f in inner)
    if depth > 0:
        return findings
    blobs = _BASE64_PROMPT if boundary == "prompt" else _BASE64
    for rule, start, end, decoded in _decoded_blobs(view.text, blobs, hex_runs=boundary == "prompt"):
        inner_score, _ = detect_injection(decoded, boundary=boundary, _depth=depth + 1)
        if inner_score >= 0.5:
            s, e = view.span(start, end)
            findings.append(InjectionFinding(rule, 0.8, s, e, decoded[:200]))
            break
    return findings


def _pasted(view: TextView) -> list[InjectionFinding]:
    """Findings of the document rules in text quoted or pasted into a prompt.

    A prompt's author may ask for a translation or "reply in German"; text he quotes
    ("translate this note: '...'") or pastes below a colon was written by someone else
    and is read as a document is.
    """
    findings: list[InjectionFinding] = []
    for m in _QUOTED.finditer(view.text):
        start = next(i for i in range(1, (m.lastindex or 0) + 1) if m.group(i) is not None)
        inner = m.group(start)
        _, found = detect_injection(inner, boundary="document", _depth=1)
        for f in found:
            s, e = view.span(m.start(start) + f.start, m.start(start) + f.end)
            findings.append(InjectionFinding(f.rule, f.weight, s, e, f.text))
    return findings


def _is_text(decoded: str) -> bool:
    """Whether decoded bytes read as text: hashes and ids decode to control bytes."""
    return not _CONTROL.search(decoded)


def _decoded_blobs(
    text: str, blobs: re.Pattern[str], *, hex_runs: bool
) -> Iterator[tuple[str, int, int, str]]:
    """Base64 (runs that ``blobs`` finds) and, with ``hex_runs`` (prompts: a document's
    hex runs are hashes and ids), hex runs of ``text`` that decode to UTF-8 text: the
    finding's rule name, the run's span and the decoded text."""
    for m in blobs.finditer(text):
        try:
            decoded = base64.b64decode(m.group(0), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if len(decoded) <= 4096 and _is_text(decoded):
            yield "base64_instruction", m.start(), m.end(), decoded
    for m in _HEX.finditer(text) if hex_runs else ():
        try:
            decoded = bytes.fromhex(m.group(0)).decode("utf-8")
        except (UnicodeDecodeError, ValueError):
            continue
        if len(decoded) <= 4096 and _is_text(decoded):
            yield "hex_instruction", m.start(), m.end(), decoded


# Rules anchored at the start of a line or sentence (a "^" that opens the pattern or
# one of its alternatives): only they can read a sentence run on after a signature
# differently once a line break marks where it starts.
_ANCHORED = tuple(r for r in RULES if re.search(r"(?:\A|\(\?:|\|)\^", r.fallback.pattern))


def _broken_at_run_ons(view: TextView) -> TextView:
    """``view`` with a line break where a sentence runs on after a signature or heading
    without a full stop (:func:`~wardflow.guardrails._segments.run_on_breaks`), so that
    rules anchored at the start of a line or sentence see it; offsets are unchanged."""
    breaks = run_on_breaks(view.text)
    if not breaks:
        return view
    chars = list(view.text)
    for offset in breaks:
        chars[offset] = "\n"
    return TextView("".join(chars), view.origin, view.length)


def detect_injection(
    text: str, *, hidden: Sequence[str] = (), boundary: Literal["document", "prompt"] = "document",
    _depth: int = 0,
) -> tuple[float, list[InjectionFinding]]:
    """Score ``text`` for injected instructions.

    Args:
        text: the untrusted text.
        hidden: snippets known to be invisible in the rendered document (white or
            tiny text, see :func:`wardflow.guardrails.hidden.find_hidden_text`); each
            one found in ``text`` is a finding.
        boundary: ``document`` (untrusted text: every rule) or ``prompt`` (the
            principal's own request: no rule about the reader's output or process,
            "translate your answer" is what a user may ask).

    Returns:
        The combined score (noisy-OR of the rules that fired, 0..1) and the findings,
        with spans in ``text``.
    """
    view = normalised_view(text)
    findings = _obfuscation(text, view)
    prompt = boundary == "prompt"
    vocabulary = _Vocabulary.of(view.text, operator=prompt)
    rules = RULES if boundary == "document" else PROMPT_RULES
    if any(r.may_match(vocabulary.words, vocabulary.lowered) for r in _ANCHORED):
        broken = _broken_at_run_ons(view)
        if broken is not view:  # the same words, a line break for a blank
            view, vocabulary = broken, _Vocabulary(broken.text.lower(), vocabulary.words)
    findings += _match_rules(view, rules, vocabulary=vocabulary)
    leet = leet_view(view, vocabulary.words, VOCABULARY, VOCABULARY_PREFIXES)
    if leet is not None:
        seen = {f.rule for f in findings}
        extra = _match_rules(leet, [r for r in rules if r.name not in _LEET_SKIP], seen=seen,
                             operator=prompt)
        if extra:
            findings.append(InjectionFinding("digits_for_letters", 0.25, extra[0].start,
                                             extra[0].end, extra[0].text))
            findings += extra
    findings += _encoded(view, _depth, rules, boundary)
    if boundary == "prompt" and _depth == 0:
        findings += _pasted(view)
    findings += _hidden(text, hidden)
    return score(findings), findings

# A word of letters (any script), and the punctuation that may close or open one.
_LETTERS = re.compile(r"[^\W\d_]{2,}")
_EDGE_PUNCTUATION = ".,;:!?()[]{}\"'«»„“”‘’"


def _hidden(text: str, hidden: Sequence[str]) -> list[InjectionFinding]:
    """Hidden snippets found in ``text``. One that reads as words is a signal of its own;
    a machine code (a filing mark, a document-management parameter, a scan or OMR id:
    fewer than two words of letters, and none of the rules' words) is evidence only, since real invoices carry such
    codes in white or tiny type: such a code is named in the evidence but does not flag a
    document on its own (words hidden next to it still do, and so do the other rules)."""
    findings = []
    for snippet in hidden:
        words = snippet.split()
        if sum(map(len, words)) < 12:
            continue
        # The text layer may break the hidden run into lines differently.
        m = re.search(r"\s+".join(map(re.escape, words)), text)
        if m is None:
            continue
        readable = sum(_LETTERS.fullmatch(w.strip(_EDGE_PUNCTUATION)) is not None for w in words)
        # words glued into one token ("Approve_this_invoice") still read as words when
        # one of them is a word the rules look for
        glued = not VOCABULARY.isdisjoint(_LETTERS.findall(snippet.lower()))
        code = readable < 2 and not glued
        rule, weight = ("hidden_code", 0.2) if code else ("hidden_text", 0.6)
        findings.append(InjectionFinding(rule, weight, m.start(), m.end(), m.group(0)[:200]))
    return findings


def detect_escalation(text: str) -> tuple[float, list[InjectionFinding]]:
    """Score a user's prompt for attempts to lower the system's own controls (skip
    reviews, raise limits, delete the audit trail, claim a role)."""
    view = normalised_view(text)
    findings = _match_rules(view, ESCALATION_RULES, operator=True)
    return score(findings), findings


def _regions(text: str, findings: Iterable[InjectionFinding]) -> list[tuple[int, int, set[str]]]:
    spans = sorted(
        (*sentence_span(text, f.start, f.end), f.rule)
        for f in findings if f.end > f.start
    )
    merged: list[tuple[int, int, set[str]]] = []
    for start, end, rule in spans:
        if merged:
            last_start, last_end, rules = merged[-1]
            gap = text[last_end:start]
            # Flagged sentences on one line (or only blank space apart) are one block.
            if start <= last_end or "\n" not in gap or not gap.strip():
                merged[-1] = (last_start, max(last_end, end), rules | {rule})
                continue
        merged.append((start, end, {rule}))
    return merged


def neutralise(text: str, findings: Iterable[InjectionFinding]) -> tuple[str, list[tuple[int, int]]]:
    """Replace each sentence that carries a finding with a visible marker.

    Returns:
        The text a model may see, and the removed spans of ``text``.
    """
    regions = _regions(text, findings)
    if not regions:
        return text, []
    out: list[str] = []
    cursor = 0
    for start, end, rules in regions:
        out.append(text[cursor:start])
        detail = f"{end - start} characters, {', '.join(sorted(rules))}"
        out.append(MARKER.format(detail=detail))
        cursor = end
    out.append(text[cursor:])
    return "".join(out), [(s, e) for s, e, _ in regions]
