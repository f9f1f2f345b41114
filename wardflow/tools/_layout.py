"""Page layout: text pieces with boxes, grouped into lines and laid out in columns.

A PDF draws text in whatever order its producer chose; an invoice's label and its value
are often far apart in that order although they sit side by side on the page. Here the
pieces of a page (words from pypdfium2's character boxes, or OCR boxes) are grouped
into lines from top to bottom, and each line is written with its pieces at the column
their x position gives. Pieces separated by a visible gap get at least two spaces
between them; words of one phrase get one. Parsers can then find a value to the right
of its label on the same line, or below it at about the same column.

Coordinates are in page units with y growing downwards (``top < bottom``).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Piece", "layout_placed", "layout_text", "ocr_pieces", "pdf_page_pieces", "respace"]

# A gap wider than this share of the text height separates two cells (a column gap);
# a narrower one is a space between words of the same phrase.
_CELL_GAP = 0.8
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text on one line: its box and its text."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


def pdf_page_pieces(raw: Any, textpage: Any, text: str, page_height: float) -> list[Piece]:
    """The words of a PDF page (from ``text``, the page's full text) with their boxes.

    One box query per word end (the loose box of its first and last character) instead of
    one per character: pdfium already puts a space or a line break between text that
    is apart, so a word never spans a gap.
    """
    box = raw.FS_RECTF()
    loose = raw.FPDFText_GetLooseCharBox
    handle = textpage
    pieces: list[Piece] = []
    # The phrase being built: left, top, right, bottom (y up, as pdfium gives), words.
    x0 = top = x1 = bottom = 0.0
    words: list[str] = []
    for m in _WORD.finditer(text):
        first, last = m.start(), m.end() - 1
        if not loose(handle, first, box):
            continue
        left, wtop, wbottom, right = box.left, box.top, box.bottom, box.right
        if last != first and loose(handle, last, box):
            right = box.right
            wtop, wbottom = max(wtop, box.top), min(wbottom, box.bottom)
        if right < left:  # right-to-left or rotated text: keep the extent
            left, right = right, left
        if words:
            height = max(top - bottom, wtop - wbottom, 0.1)
            gap = left - x1
            if (abs((wtop + wbottom) - (top + bottom)) < 0.8 * height
                    and -0.3 * height <= gap < _CELL_GAP * height):
                x1, top, bottom = right, max(top, wtop), min(bottom, wbottom)
                words.append(m.group(0))
                continue
            pieces.append(Piece(x0, page_height - top, x1, page_height - bottom, " ".join(words)))
        x0, top, x1, bottom, words = left, wtop, right, wbottom, [m.group(0)]
    if words:
        pieces.append(Piece(x0, page_height - top, x1, page_height - bottom, " ".join(words)))
    return pieces


def layout_text(pieces: Sequence[Piece]) -> str:
    """The page's text, line by line from the top, each piece at its column."""
    return layout_placed(pieces)[0]


def layout_placed(pieces: Sequence[Piece]) -> tuple[str, list[tuple[int, int, Piece]]]:
    """:func:`layout_text`, and where each piece it kept landed in that text
    (``(start, end, piece)``), so that a span of the text maps back to page boxes."""
    pieces = [p for p in pieces if p.text.strip()]
    if not pieces:
        return "", []
    lines: list[list[Piece]] = []
    centre = height = total = 0.0
    # (middle, x0, height, piece), computed once: the properties cost a call each
    keyed = sorted(((p.top + p.bottom) / 2, p.x0, max(p.bottom - p.top, 0.1), i, p)
                   for i, p in enumerate(pieces))
    line: list[Piece] = []
    for middle, _, size, _, piece in keyed:
        # Same line when the vertical centres are within ~half a text height.
        if lines and abs(middle - centre) < 0.45 * min(size, height):
            line.append(piece)
            total += middle
            centre, height = total / len(line), max(height, size)
        else:
            line = [piece]
            lines.append(line)
            centre = total = middle
            height = size
    widths = [(p.x1 - p.x0) / len(p.text) for p in pieces if len(p.text) >= 3 and p.x1 > p.x0]
    char_width = statistics.median(widths) if widths else 5.0
    margin = min(p.x0 for p in pieces)
    out: list[str] = []
    placed: list[tuple[int, int, Piece]] = []
    offset = 0
    for line in lines:
        text = ""
        prev: Piece | None = None
        prev_height = 0.0
        for piece in sorted(line, key=_by_x0):
            piece_height = max(piece.bottom - piece.top, 0.1)
            if prev is not None and piece.x0 < prev.x1 - 0.5 * piece_height \
                    and piece.text == prev.text:
                continue  # the same text drawn twice (fake bold): keep one
            column = round((piece.x0 - margin) / char_width)
            if prev is None:
                text = " " * max(column, 0)
            else:
                cell = piece.x0 - prev.x1 >= _CELL_GAP * max(piece_height, prev_height)
                pad = max(column - len(text), 2) if cell else 1
                text += " " * pad
            start = offset + len(text)
            placed.append((start, start + len(piece.text), piece))
            text += piece.text
            prev, prev_height = piece, piece_height
        out.append(text.rstrip())
        offset += len(out[-1]) + 1
    return "\n".join(out), placed


def _by_x0(piece: Piece) -> float:
    return piece.x0


def ocr_pieces(boxes: Sequence[tuple[Sequence[Sequence[float]], str]]) -> list[Piece]:
    """Pieces from OCR boxes (four corner points, text)."""
    pieces = []
    for corners, text in boxes:
        xs = [float(c[0]) for c in corners]
        ys = [float(c[1]) for c in corners]
        pieces.append(Piece(min(xs), min(ys), max(xs), max(ys), text.strip()))
    return pieces



# Spaces in OCR'd text lines ------------------------------------------------------------
# The recogniser often drops the space between words of a small Latin-script line
# ("500Stk", "WardflowDemo"). Its character boxes still show the gap: the distance
# between two characters' centres is about the mean of their advance widths, plus a
# space's width (about a quarter of an em) where a space was printed. Advance widths
# by character class, in em (as in common proportional fonts).
_NARROW = frozenset("iljI.,:;!|'`·")
_SEMI = frozenset("ftr-/()[]1")
_WIDE = frozenset("mwMW@%")
# How much wider than expected (in em) a gap must be to be read as a space, by what the
# characters on either side are. The recogniser's boxes are too coarse to tell a space
# between two lower-case letters from a wide letter pair, so spaces are put back only
# where the script itself marks a likely word boundary too: a lower-case letter then a
# capital ("WardflowDemo"), a letter next to a digit ("500Stk", "HafenstraBe12"), and
# after a colon, comma or semicolon ("Bank:Hanseatische"), or a full stop before a
# capital or a digit ("GmbH.Große", "zzgl.19%"). Never inside a number ("1.728,36"), an
# e-mail address or a web address, and only in scripts that space their words.
_CASE_GAP = 0.25
_DIGIT_GAP = 0.3
_PUNCT_GAP = 0.3
_AFTER_PUNCT = frozenset(":;,")
_ADDRESS = re.compile(r"@|://|\bwww\.", re.IGNORECASE)


def _advance(char: str) -> float:
    if char in _NARROW:
        return 0.28
    if char in _SEMI:
        return 0.36
    if char in _WIDE:
        return 0.85
    return 0.68 if char.isupper() else 0.55


def _space_needed(before: str, after: str, prior: str) -> float | None:
    """The excess gap (in em) that makes a space between ``before`` and ``after``
    (``prior`` is the character before ``before``); ``None``: never a space there."""
    if not (_cased_or_digit(after) and (_cased_or_digit(before) or before in _AFTER_PUNCT
                                         or before == ".")):
        return None
    if before.islower() and after.isupper():
        return _CASE_GAP
    if before.isalpha() and after.isdigit() or before.isdigit() and after.isalpha():
        return _DIGIT_GAP
    if before in _AFTER_PUNCT or before == "." and (after.isupper() or after.isdigit()):
        return None if prior.isdigit() and after.isdigit() else _PUNCT_GAP
    return None


def _cased_or_digit(char: str) -> bool:
    """A letter of a script that spaces its words (Latin, Greek, Cyrillic, ...: below
    the CJK block) or a digit."""
    return char.isalnum() and ord(char) < 0x2E80


def respace(text: str, chars: Sequence[str], boxes: Sequence[Sequence[Sequence[float]]]
            ) -> str:
    """``text`` of one OCR'd line with the spaces its character boxes show put back.

    Args:
        text: the recognised text (returned as is when the boxes do not fit it).
        chars: the recognised characters, one per box (spaces included).
        boxes: each character's box, four corner points (x, y).
    """
    if len(chars) != len(boxes) or "".join(chars) != text or len(chars) < 4:
        return text
    centres = [sum(float(p[0]) for p in box) / len(box) for box in boxes]
    pairs: list[tuple[int, float, float]] = []
    for i in range(1, len(chars)):
        before, after = chars[i - 1], chars[i]
        if before.isspace() or after.isspace():
            continue
        expected = (_advance(before) + _advance(after)) / 2
        pairs.append((i, centres[i] - centres[i - 1], expected))
    if len(pairs) < 3:
        return text
    # The line's em from its own characters: robust to a few gaps that are spaces.
    em = statistics.median(distance / expected for _, distance, expected in pairs)
    if em <= 0:
        return text
    if _ADDRESS.search(text):
        return text  # an e-mail or web address: its dots and letters are not words
    gaps = set()
    for i, distance, expected in pairs:
        needed = _space_needed(chars[i - 1], chars[i], chars[i - 2] if i > 1 else " ")
        if needed == _CASE_GAP and not (i + 1 < len(chars) and chars[i + 1].isalpha()):
            continue  # a lone capital ends a word ("GmbH"), it does not start one
        if needed is not None and distance - expected * em >= needed * em:
            gaps.add(i)
    if not gaps:
        return text
    return "".join(f" {c}" if i in gaps else c for i, c in enumerate(chars))
