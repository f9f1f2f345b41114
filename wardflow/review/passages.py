"""The passages of a document that the guard flagged, numbered for the reviewer.

A guard finding (a review reason with the guard's matches) carries the offsets of
every rule that fired; overlapping and adjacent matches are one passage. Passages are
numbered across the case from 1, in the order of the text, so that the chat's
``passage N`` and the page's highlight ``N`` name the same sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wardflow.review.status import is_guard_reason

__all__ = ["Passage", "guard_passages"]

# Matches this close together (a space, a full stop) belong to one passage.
_JOIN_GAP = 2


@dataclass(frozen=True)
class Passage:
    """One flagged passage.

    Attributes:
        number: 1-based, across the case.
        code: the guard validator that flagged it (``prompt_injection``).
        start: offset in the document's extracted text.
        end: offset after its last character.
        page: the page it is on, if known.
        text: the passage as the document has it.
        rules: the rules that matched inside it.
    """

    number: int
    code: str
    start: int
    end: int
    page: int | None
    text: str
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "code": self.code, "start": self.start, "end": self.end,
                "page": self.page, "text": self.text, "rules": list(self.rules)}


def guard_passages(reasons: Sequence[Mapping[str, Any]], text: str | None = None
                   ) -> list[Passage]:
    """The flagged passages of a case's guard findings, numbered in text order.

    Args:
        reasons: the case's review reasons (only guard findings count).
        text: the extracted text the offsets point into; with it, a passage's text is
            read from there (trimmed), else it is the longest match's text.
    """
    found: list[tuple[int, int, str, int | None, str, tuple[str, ...]]] = []
    for reason in reasons:
        if not is_guard_reason(reason):
            continue
        matches = [m for m in reason["evidence"]["matches"] if isinstance(m, Mapping)
                   and isinstance(m.get("start"), int) and isinstance(m.get("end"), int)
                   and m["start"] < m["end"]]
        for group in _merged(sorted(matches, key=lambda m: (m["start"], m["end"]))):
            start, end = group[0]["start"], max(m["end"] for m in group)
            quoted = max((str(m.get("text") or "") for m in group), key=len)
            if text is not None and 0 <= start < end <= len(text):
                piece = text[start:end]
                start += len(piece) - len(piece.lstrip())
                end -= len(piece) - len(piece.rstrip())
                quoted = text[start:end]
            page = next((m["page"] for m in group if isinstance(m.get("page"), int)), None)
            rules = tuple(dict.fromkeys(str(m.get("rule")) for m in group))
            found.append((start, end, str(reason.get("code")), page, quoted, rules))
    found.sort(key=lambda f: (f[0], f[1]))
    return [Passage(i, code, start, end, page, quoted, rules)
            for i, (start, end, code, page, quoted, rules) in enumerate(found, 1)]


def _merged(matches: list[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    groups: list[list[Mapping[str, Any]]] = []
    reach = -1
    for match in matches:
        if groups and match["start"] <= reach + _JOIN_GAP:
            groups[-1].append(match)
            reach = max(reach, match["end"])
        else:
            groups.append([match])
            reach = match["end"]
    return groups
