"""Split untrusted text into the units the injection classifier scores.

An attack is usually one sentence in a long genuine text, so a document is scored
sentence by sentence (with offsets back into the text). PDF text layers wrap prose
over several lines: a line that does not end a sentence is joined with the next one
when that one continues it (starts in lower case). Lines that are mostly digits and
amounts (table rows, totals, bank details) carry no instruction and are skipped,
which is most of an invoice.

A markup heading in the middle of a line (a sentence run on after a reference without
a full stop: "Purchase order PO-55310 ### SYSTEM: ...") starts a unit of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Segment", "segments"]

_LINE = re.compile(r"[^\n\f]+")
# A sentence ends at . ! ? (or their full-width forms) followed by a space; a colon
# ends one only when a capital follows ("Note: Ignore ..." is two units).
_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=:)\s+(?=[A-ZÀ-Ý])")
_WORD = re.compile(r"[^\W\d_]{2,}")
# A markup heading inside a line ("... ### SYSTEM: ...").
_MARKUP = re.compile(r"[ \t]+(?=#{2,}[ \t]*\w)")
MAX_UNIT = 400
MIN_WORDS = 3


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit of text: ``text == source[start:end]``."""

    start: int
    end: int
    text: str


def _blocks(text: str) -> list[tuple[int, int]]:
    """Lines, with a wrapped line joined to its continuation."""
    blocks: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        start, end = m.start(), m.end()
        line = m.group(0)
        stripped = line.strip()
        if not stripped:
            continue
        if blocks:
            prev_start, prev_end = blocks[-1]
            prev = text[prev_start:prev_end].rstrip()
            gap = text[prev_end:start]
            if ("\n\n" not in gap and "\f" not in gap and prev and prev[-1] not in ".!?:;"
                    and stripped[0].islower() and prev_end - prev_start < 2 * MAX_UNIT):
                blocks[-1] = (prev_start, end)
                continue
        blocks.append((start, end))
    return blocks


def _worth_scoring(unit: str) -> bool:
    letters = sum(map(str.isalpha, unit))
    # Table rows and amounts: mostly digits and punctuation.
    if letters < 0.5 * (len(unit) - unit.count(" ")):
        return False
    return len(_WORD.findall(unit)) >= MIN_WORDS


def segments(text: str) -> list[Segment]:
    """The scoring units of ``text``: sentences within (joined) lines, at most
    :data:`MAX_UNIT` characters each, without the lines that are mostly numbers."""
    units: list[Segment] = []
    for block_start, block_end in _blocks(text):
        cursor = block_start
        pieces: list[tuple[int, int]] = []
        for m in _END.finditer(text, block_start, block_end):
            pieces.append((cursor, m.start()))
            cursor = m.end()
        pieces.append((cursor, block_end))
        for start, end in _run_on(text, pieces):
            while end - start > MAX_UNIT:  # a run-on "sentence": cut at a space
                cut = text.rfind(" ", start + MAX_UNIT // 2, start + MAX_UNIT)
                cut = cut if cut > start else start + MAX_UNIT
                _add(units, text, start, cut)
                start = cut
            _add(units, text, start, end)
    return units


def _run_on(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``pieces`` with each cut before a markup heading inside it."""
    out: list[tuple[int, int]] = []
    for start, end in pieces:
        for m in _MARKUP.finditer(text, start, end):
            if _WORD.search(text, start, m.start()):
                out.append((start, m.start()))
                start = m.end()
        out.append((start, end))
    return out


def _add(units: list[Segment], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    unit = text[start:end]
    if unit and _worth_scoring(unit):
        units.append(Segment(start, end, unit))
