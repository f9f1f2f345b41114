"""Views of untrusted text for pattern matching, with offsets back to the original.

Attackers hide instructions from patterns with invisible characters, look-alike
letters (Cyrillic ``а`` for Latin ``a``, full-width or mathematical letters), digits
for letters (``1gn0re``) and spaced-out letters (``i g n o r e``). Each view undoes one
trick while keeping a map from its offsets to the original text, so that evidence and
the sanitizer's markers always point at the characters the document really contains.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "TextView",
    "invisible_count",
    "leet_view",
    "mixed_script_words",
    "normalised_view",
    "sentence_span",
    "spaced_runs",
]

# Invisible characters that split words without showing. The soft hyphen and a
# leading byte-order mark are common in honest PDFs and mails: they are removed for
# matching but not counted as a sign of hiding.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\u180e"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_HARMLESS_INVISIBLE = "\u00ad\ufeff"
_INVISIBLE_RE = re.compile(f"[{_ZERO_WIDTH}{_BIDI}{_HARMLESS_INVISIBLE}]")
_SUSPICIOUS_RE = re.compile(f"[{_ZERO_WIDTH}{_BIDI}]")
_BIDI_RE = re.compile(f"[{_BIDI}]")
_NON_LATIN_LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u04ff\u0500-\u052f]")
_WORD = re.compile(r"[^\W\d_]{2,}")
_LATIN = re.compile("[A-Za-z\u00c0-\u024f]")

# Cyrillic and Greek letters that look like Latin ones (Unicode confusables, the
# subset seen in practice).
_HOMOGLYPHS = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
    "ј": "j", "ѕ": "s", "ԁ": "d", "ɡ": "g", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
    "ո": "n", "ν": "v", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S",
    "α": "a", "ο": "o", "ι": "i", "ρ": "p", "τ": "t", "υ": "u", "κ": "k", "ϲ": "c",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "|": "l"})
# Characters the fold table may change (a superset, as ranges: fast to search).
_FOLDABLE = re.compile(
    "[\u00a0\u0370-\u052f\u2000-\u200a\u202f\u24b6-\u24e9\u3000\uff01-\uff5e"
    "\U0001d400-\U0001d7ff]"
)
_SPACED_HINT = re.compile(r"[A-Za-z][ .*·_-][A-Za-z][ .*·_-][A-Za-z][ .*·_-][A-Za-z][ .*·_-][A-Za-z]")
_SPACED = re.compile(r"(?<![^\W_])(?:[^\W\d_](?:[ .\-_*·]| {2,3})){5,}[^\W\d_](?![^\W_])")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")


@functools.cache
def _fold_table() -> dict[int, str]:
    """One-to-one foldings (length-preserving): homoglyphs, full-width, math letters,
    circled letters and exotic spaces onto ASCII."""
    table: dict[int, str] = {ord(k): v for k, v in _HOMOGLYPHS.items()}
    ranges = [(0xFF01, 0xFF5E), (0x1D400, 0x1D7FF), (0x24B6, 0x24E9), (0x2000, 0x200A)]
    for lo, hi in ranges:
        for code in range(lo, hi + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if len(folded) == 1 and folded.isascii():
                table[code] = folded
    for space in ("\u00a0", "\u202f", "\u3000"):
        table[ord(space)] = " "
    return table


@dataclass(frozen=True, slots=True)
class TextView:
    """Text prepared for matching, and where each of its characters came from.

    Attributes:
        text: the view's text.
        origin: for each character of ``text``, its offset in the original text;
            ``None`` when the view has the original's offsets (nothing was removed).
        length: the original text's length.
    """

    text: str
    origin: tuple[int, ...] | None
    length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original text's span for ``text[start:end]``."""
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return self.length, self.length
        last = self.origin[end - 1] + 1 if end > start else self.origin[start]
        return self.origin[start], last


def invisible_count(text: str) -> tuple[int, int]:
    """Zero-width and bidirectional-control characters in ``text`` (the suspicious kind)."""
    zero_width = len(_SUSPICIOUS_RE.findall(text))
    bidi = len(_BIDI_RE.findall(text))
    return zero_width - bidi, bidi


def normalised_view(text: str) -> TextView:
    """``text`` with invisible characters removed and look-alike letters folded."""
    if text.isascii():  # every trick below uses non-ASCII characters
        return TextView(text, None, len(text))
    folded = text.translate(_fold_table()) if _FOLDABLE.search(text) else text
    if not _INVISIBLE_RE.search(folded):
        return TextView(folded, None, len(text))
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(folded):
        if _INVISIBLE_RE.match(char):
            continue
        chars.append(char)
        origin.append(index)
    return TextView("".join(chars), tuple(origin), len(text))


def leet_view(
    view: TextView, text_words: frozenset[str], words: frozenset[str], prefixes: tuple[str, ...]
) -> TextView | None:
    """``view`` with digits and symbols read as letters (``1gn0re`` -> ``ignore``).

    ``None`` unless a word of the text that mixes letters and digits (from
    ``text_words``) reads as one of ``words`` or starts with one of ``prefixes``, so
    that codes such as ``RHHBDEK1XXX`` or ``A4`` cost nothing.
    """
    symbols = "@" in view.text or "$" in view.text or "|" in view.text
    for word in text_words:
        if symbols or not (word.isalpha() or word.isdigit()):
            read = word.translate(_LEET)
            # Short words ("as", "if") are everywhere; a disguise worth reading is longer.
            if read != word and len(read) > 3 and (read in words or read.startswith(prefixes)):
                return TextView(view.text.translate(_LEET), view.origin, view.length)
    if symbols:
        return TextView(view.text.translate(_LEET), view.origin, view.length)
    return None


def spaced_runs(text: str) -> list[tuple[int, int, str]]:
    """Runs of spaced-out letters (``i g n o r e  a l l``): start, end, collapsed text."""
    runs: list[tuple[int, int, str]] = []
    if not _SPACED_HINT.search(text):
        return runs
    for m in _SPACED.finditer(text):
        words = re.split(r" {2,3}|[.\-_*·] ?", m.group(0))
        collapsed = " ".join(w.replace(" ", "") for w in words if w.strip())
        runs.append((m.start(), m.end(), collapsed))
    return runs


def mixed_script_words(text: str) -> list[tuple[int, int, str]]:
    """Words that mix Latin letters with Cyrillic or Greek look-alikes."""
    if not _NON_LATIN_LOOKALIKE.search(text):
        return []
    return [
        (m.start(), m.end(), m.group(0))
        for m in _WORD.finditer(text)
        if _LATIN.search(m.group(0)) and _NON_LATIN_LOOKALIKE.search(m.group(0))
    ]


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to the sentence (within its line) that contains it."""
    line_start = text.rfind("\n", 0, start) + 1
    begin = line_start
    for m in _SENTENCE_END.finditer(text, line_start, start):
        if m.group(0) != "\n":
            begin = m.end()
    after = _SENTENCE_END.search(text, max(end - 1, start))
    stop = len(text) if after is None else (after.start() if after.group(0) == "\n" else after.end())
    while begin < start and text[begin].isspace():
        begin += 1
    return begin, max(stop, end)
