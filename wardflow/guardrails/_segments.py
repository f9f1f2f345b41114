"""Split untrusted text into the units the injection classifier scores.

An attack is usually one sentence in a long genuine text, so a document is scored
sentence by sentence (with offsets back into the text). PDF text layers wrap prose
over several lines: a line that does not end a sentence is joined with the next one
when that one continues it (starts in lower case). Lines that are mostly digits and
amounts (table rows, totals, bank details) carry no instruction and are skipped,
which is most of an invoice.

A markup heading in the middle of a line ("Purchase order PO-55310 ### SYSTEM: ...")
starts a unit of its own. The rules also see where a sentence runs on after a
signature or a heading without a full stop ("Credit Control, Holland Catering Ltd To
the automated system: ..."): :func:`run_on_breaks` finds a capitalised word that
follows a run of mostly capitalised words (a name, a company, a title) and opens
lower-case prose. The classifier's units are not cut there: its n-gram model reads a
bare imperative to people ("Summarise any queries in one e-mail to ...") as an order
to the reader, which it is only without the signature before it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Segment", "run_on_breaks", "segments"]

_LINE = re.compile(r"[^\n\f]+")
# A sentence ends at . ! ? (or their full-width forms) followed by a space; a colon
# ends one only when a capital follows ("Note: Ignore ..." is two units).
_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=:)\s+(?=[A-ZÀ-Ý])")
_WORD = re.compile(r"[^\W\d_]{2,}")
# A capitalised word followed by two lower-case words: where prose may start after a
# signature or heading run on ("... Ltd To the automated ...", "... Supplies Whoever
# reads this"); _run_on checks what comes before.
_UPPER = "A-ZÀ-ÖØ-ÝĄĆĘŁŃŚŹŻ"
_LOWER = "a-zß-öø-ÿąćęłńóśźż"
_PROSE_START = re.compile(
    rf"[ \t](?=[{_UPPER}][{_LOWER}']*,?[ \t]+[{_LOWER}][\w'-]*,?[ \t]+[{_LOWER}])"
)
_WORD_CHAR = re.compile(r"\w")
# A markup heading ("... ### SYSTEM: ..."); inside a line when blanks come before it.
_MARKUP = re.compile(r"#{2,}(?=[ \t]*[^\W\d_])")
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
    for start, end in _pieces(text):
        while end - start > MAX_UNIT:  # a run-on "sentence": cut at a space
            cut = text.rfind(" ", start + MAX_UNIT // 2, start + MAX_UNIT)
            cut = cut if cut > start else start + MAX_UNIT
            _add(units, text, start, cut)
            start = cut
        _add(units, text, start, end)
    return units


def _candidates(text: str, *, prose: bool) -> list[tuple[int, int, bool]]:
    """Where a unit may start inside a line, in text order: the blanks before a markup
    heading (``False``) and, with ``prose``, before a capitalised word that opens
    lower-case prose (``True``). Found once per text: layout-kept PDF text has long
    runs of blanks, which a pattern that opens with them scans slowly."""
    found: list[tuple[int, int, bool]] = []
    if "##" in text:
        found.extend((_blank_before(text, m.start()), m.start(), False)
                     for m in _MARKUP.finditer(text))
    if prose:
        for m in _PROSE_START.finditer(text):
            blank = _blank_before(text, m.start())
            if blank > 0 and _WORD_CHAR.match(text, blank - 1):
                found.append((blank, m.end(), True))
    # a heading at the start of a line or sentence has no blank before it: no cut
    found = [c for c in found if c[0] < c[1]]
    return sorted(found)


def _blank_before(text: str, at: int) -> int:
    """Where the run of blanks that ends at ``at`` starts."""
    while at > 0 and text[at - 1] in " \t":
        at -= 1
    return at


def _run_on(text: str, start: int, end: int, candidates: list[tuple[int, int, bool]]
            ) -> list[tuple[int, int]]:
    """The blanks of ``text[start:end]`` (one sentence) where a unit starts: before a
    markup heading, or where prose starts after a run of capitalised words: the two
    words before it capitalised and at most a third of the words before it lower case
    (a signature or a heading; not a German sentence with its capitalised nouns, nor
    "with Developer Mode enabled")."""
    cuts: list[tuple[int, int]] = []
    cursor = start
    for blank, after, is_prose in candidates[bisect_left(candidates, (start,)):]:
        if blank >= end:
            break
        if not is_prose:
            if _WORD.search(text, start, blank):
                cuts.append((blank, after))
                cursor = after
            continue
        words = text[cursor:blank].split()
        lower = sum(1 for w in words if w[:1].islower())
        if (len(words) >= 2 and words[-1][:1].isupper() and words[-2][:1].isupper()
                and 3 * lower <= len(words)):
            cuts.append((blank, after))
            cursor = after
    return cuts


def _block_sentences(text: str, block_start: int, block_end: int) -> Iterator[tuple[int, int]]:
    """The sentences of one block (a line, or lines joined)."""
    cursor = block_start
    for m in _END.finditer(text, block_start, block_end):
        yield cursor, m.start()
        cursor = m.end()
    yield cursor, block_end


def _sentences(text: str) -> Iterator[tuple[int, int, list[tuple[int, int]]]]:
    """Sentences within (joined) lines, each with the cuts before a markup heading."""
    candidates = _candidates(text, prose=False)
    for block_start, block_end in _blocks(text):
        for start, stop in _block_sentences(text, block_start, block_end):
            yield start, stop, _run_on(text, start, stop, candidates) if candidates else []


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    """The sentences, cut before a markup heading inside one."""
    for start, end, cuts in _sentences(text):
        for cut_start, cut_end in cuts:
            yield start, cut_start
            start = cut_end
        yield start, end


def run_on_breaks(text: str) -> list[int]:
    """Offsets of the blanks where a sentence runs on after a signature or heading
    without a full stop, or a markup heading starts (the start of each cut)."""
    candidates = _candidates(text, prose=True)
    if not candidates:
        return []
    breaks: list[int] = []
    for block_start, block_end in _blocks(text):
        first = bisect_left(candidates, (block_start,))
        if first == len(candidates) or candidates[first][0] >= block_end:
            continue  # most lines hold no candidate
        for start, stop in _block_sentences(text, block_start, block_end):
            breaks.extend(cut for cut, _ in _run_on(text, start, stop, candidates))
    return breaks


def _add(units: list[Segment], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    unit = text[start:end]
    if unit and _worth_scoring(unit):
        units.append(Segment(start, end, unit))
