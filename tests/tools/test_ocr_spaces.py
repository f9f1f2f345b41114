"""Spaces the OCR recogniser dropped are put back from its character boxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from wardflow.tools._layout import _advance, respace
from wardflow.tools.documents import read_document

EXAMPLE_SCAN = Path(__file__).resolve().parents[2] / "examples/inbox/2026-10-09_scan_elbufer-druckerei.png"


def _boxes(chars: str, gaps: dict[int, float], em: float = 20.0) -> list[list[list[float]]]:
    """Character boxes as a proportional font draws ``chars``: each character as wide as
    its advance, plus ``gaps[i]`` em of blank space before character ``i``."""
    boxes, x = [], 100.0
    for i, char in enumerate(chars):
        x += gaps.get(i, 0.0) * em
        width = _advance(char) * em
        boxes.append([[x, 10.0], [x + width, 10.0], [x + width, 30.0], [x, 30.0]])
        x += width
    return boxes


def _respace(text: str, gaps: dict[int, float]) -> str:
    return respace(text, list(text), _boxes(text, gaps))


def test_a_space_wide_gap_at_a_word_boundary_becomes_a_space() -> None:
    assert _respace("500Stk", {3: 0.5}) == "500 Stk"
    assert _respace("WardflowDemo Corp.", {8: 0.5}) == "Wardflow Demo Corp."
    assert _respace("HafenstraBe12", {11: 0.5}) == "HafenstraBe 12"
    assert _respace("Bank:Hanseatische", {5: 0.5}) == "Bank: Hanseatische"


def test_glued_characters_without_a_gap_stay_glued() -> None:
    for text in ("500Stk", "WardflowDemo", "HafenstraBe12", "Bank:Hanseatische"):
        assert _respace(text, {}) == text


def test_no_space_inside_numbers_addresses_or_words_that_are_not_boundaries() -> None:
    # digits of one number, a decimal comma, thousands point
    assert _respace("Total 1.728,36", {8: 0.6, 9: 0.6, 11: 0.6, 12: 0.6}) == "Total 1.728,36"
    # a capital that ends a word (legal forms)
    assert _respace("Kraxi GmbH", {9: 0.6}) == "Kraxi GmbH"
    # two lower-case letters: the boxes cannot tell a space from a wide pair
    assert _respace("Gesellschaft", {5: 0.6}) == "Gesellschaft"
    # e-mail and web addresses
    assert _respace("info@kraxi.Com", {5: 0.6, 11: 0.6}) == "info@kraxi.Com"
    assert _respace("www.Elbufer.de", {4: 0.6}) == "www.Elbufer.de"


def test_scripts_without_spaces_between_words_are_left_alone() -> None:
    assert _respace("発票番号12345", {4: 0.8}) == "発票番号12345"


def test_boxes_that_do_not_fit_the_text_leave_it_unchanged() -> None:
    assert respace("500Stk", list("500St"), _boxes("500St", {3: 0.5})) == "500Stk"
    assert respace("500Stk", list("500Stk"), _boxes("500St", {3: 0.5})) == "500Stk"


@pytest.mark.slow
def test_the_scanned_example_reads_with_its_spaces() -> None:
    text = read_document(EXAMPLE_SCAN.read_bytes(), EXAMPLE_SCAN.name).text
    assert "500 Stk" in text
    assert "Wardflow Demo" in text
    assert "1.728,36 EUR" in text
