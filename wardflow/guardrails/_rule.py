"""One pattern rule of the injection detector, and how a rule is written
(:mod:`wardflow.guardrails._injection_rules`, :mod:`wardflow.guardrails._reader_rules`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern rule.

    Attributes:
        name: what the rule detects; shown as evidence.
        weight: how much one match alone says "injection" (0..1).
        pattern: the regular expression, prepared for lower-cased text (see
            :func:`_prepare`); match it against ``text.lower()``.
        fallback: the same, case-insensitive, for texts whose lower-case form has
            another length (so offsets would shift).
        groups: cheap pre-check: the pattern can only match when every group shares
            an entry with the text's words (an entry ending in ``*`` is a word
            prefix, found by :data:`PREFIXES`). Expressions with many alternatives
            cost up to a millisecond per page; most rules need not run on most
            invoices.
        substrings: the rule runs (also) when one of these is in the lower-cased text.
        before: what the few characters before a match must end with (checked after
            the match: a pattern that opens with literal words scans fastest).
    """

    name: str
    weight: float
    pattern: re.Pattern[str]
    fallback: re.Pattern[str]
    groups: tuple[frozenset[str], ...] = ()
    substrings: tuple[str, ...] = ()
    before: re.Pattern[str] | None = None

    def may_match(self, words: frozenset[str], lowered: str) -> bool:
        """Whether the pattern can match a text with these words and prefixes."""
        if any(s in lowered for s in self.substrings):
            return True
        if not self.groups:
            return not self.substrings
        return all(not group.isdisjoint(words) for group in self.groups)


def _prepare(pattern: str) -> str:
    """Lower-case a pattern's literals and drop the ``\\b`` that opens each alternative.

    ``re`` scans fastest for a pattern that starts with literal alternatives and has
    no IGNORECASE: about 5x faster than the case-insensitive pattern with a leading
    ``\\b``. The matcher checks the word boundary before a match instead.
    """
    out: list[str] = []
    escaped = False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = not escaped and char == "\\"
    return "".join(out).replace("|\\b", "|").removeprefix("\\b")


def _rule(name: str, weight: float, groups: str, pattern: str, substrings: str = "",
          before: str | None = None) -> Rule:
    """A rule; ``groups`` are words separated by spaces, groups separated by ``|``;
    ``substrings`` are separated by spaces (``~`` is a space inside one); ``before``
    is matched against the lower-cased text before a match and must end there."""
    return Rule(
        name, weight, re.compile(_prepare(pattern), re.MULTILINE),
        re.compile(pattern, re.IGNORECASE | re.MULTILINE),
        tuple(frozenset(g.split()) for g in groups.split("|") if g.strip()),
        tuple(x.replace("~", " ") for x in substrings.split()),
        None if before is None else re.compile(f"(?:{before})$"),
    )
