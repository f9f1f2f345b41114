"""Where label candidates are tried: the word starts whose letter can open a label.

The starts are grouped by letter once per text (speed), so each label set's first-letter
class is tried once per distinct letter; they must be exactly the word starts that the
class matches one by one, in text order, whatever the letters' case or script.
Every text here is synthetic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from wardflow.agents import _labels
from wardflow.agents._candidates import (
    _first_letters,
    _label_hits,
    _starts_with,
    _word_starts,
)

TEXTS = (
    "Rechnung Nr. RE-2026-10873 vom 25.04.2026\nGesamtbetrag  1.234,56 EUR\f"
    "Invoice number: INV-7  Total due: $5,270.00",
    "FACTURE N° F-12  Date: 03/02/2026\nMontant TTC  1 249,00 €\n"
    "Factuurnummer 2026-0001  Totaalbedrag € 12,00",
    # case and script edge cases: dotted capital I, long s, Kelvin sign, ligature,
    # digits and underscores glued to letters, Greek and Cyrillic words
    "İnvoice ſum \u212aelvin ﬁnal 2nd_total _Total x1Total Σύνολο Итого\tRaţă Łódź",
    "",
    "    \n\f  ",
)


def _label_sets() -> list[Sequence[tuple[str, int]]]:
    sets = [
        value
        for name, value in vars(_labels).items()
        if name.endswith("_LABELS") and isinstance(value, (list, tuple)) and value
    ]
    assert len(sets) >= 5
    return sets


def _reference_starts(text: str, first: re.Pattern[str]) -> list[int]:
    return [at for at in _word_starts(text) if first.match(text, at)]


@pytest.mark.parametrize("text", TEXTS)
def test_starts_with_is_the_word_starts_the_class_matches(text: str) -> None:
    tried = 0
    for labels in _label_sets():
        first, _ = _first_letters(labels)
        if first is None:
            continue
        tried += 1
        assert _starts_with(text, first) == _reference_starts(text, first)
    assert tried


@pytest.mark.parametrize("text", TEXTS)
def test_case_insensitive_class_matches_every_case(text: str) -> None:
    first = re.compile("[rtg]", re.IGNORECASE)
    expected = _reference_starts(text, first)
    assert _starts_with(text, first) == expected
    if "Rechnung" in text:
        assert text.index("Rechnung") in expected and text.index("Total") in expected


def test_label_hits_find_each_label_at_its_word_start() -> None:
    text = TEXTS[0]
    hits = [(m.start(), m.group(0)) for m, _ in _label_hits(text, _labels.TOTAL_LABELS, None)]
    assert (text.index("Gesamtbetrag"), "Gesamtbetrag") in hits
    assert any(start == text.index("Total due") for start, _ in hits)
    assert [start for start, _ in hits] == sorted(start for start, _ in hits)
