"""A page scanned upside down is read in its order: RapidOCR turns each line upright but
returns the lines bottom first; when most lines were classified as turned by 180 degrees
the page is read again turned round."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont

from wardflow.tools import documents

LINES = (
    "Northwind Traders Ltd",
    "Invoice Number 4471",
    "Invoice Date 2025-03-04",
    "Consulting services 1200.00",
    "Total due 1440.00",
)


def _page(*, upside_down: bool) -> bytes:
    page = Image.new("RGB", (1000, 700), "white")
    draw, font = ImageDraw.Draw(page), ImageFont.load_default(size=36)
    for i, line in enumerate(LINES):
        draw.text((80, 80 + i * 110), line, fill="black", font=font)
    if upside_down:
        page = page.rotate(180)
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real: Callable[[Any], Any] = documents._rapid_lines

    def spy(image: Any) -> Any:
        calls.append(1)
        return real(image)

    monkeypatch.setattr(documents, "_rapid_lines", spy)
    return calls


def _order(text: str) -> list[int]:
    folded = text.casefold().replace(" ", "")
    return [folded.find(word) for word in ("northwind", "invoicenumber", "totaldue")]


@pytest.mark.slow
def test_an_upside_down_page_is_read_top_line_first(passes: list[int]) -> None:
    text = documents.read_document(_page(upside_down=True), "scan.png").text
    first, middle, last = _order(text)
    assert -1 not in (first, middle, last), text
    assert first < middle < last, text
    assert passes == [1, 1]


@pytest.mark.slow
def test_control_an_upright_page_is_read_once(passes: list[int]) -> None:
    text = documents.read_document(_page(upside_down=False), "scan.png").text
    first, middle, last = _order(text)
    assert -1 < first < middle < last, text
    assert passes == [1]
