"""A page with no ink is not sent to OCR (seconds of CPU for nothing); a page with ink is."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw

from wardflow.errors import EmptyDocument
from wardflow.tools import documents


def _scan(ink: bool) -> bytes:
    page = Image.new("RGB", (850, 1100), "white")
    if ink:
        ImageDraw.Draw(page).rectangle((100, 100, 400, 140), fill="black")
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=100.0)  # an image-only PDF: no text layer
    return out.getvalue()


@pytest.fixture
def ocr_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real: Callable[[Any], tuple[str, float]] = documents._ocr_rapid

    def spy(image: Any) -> tuple[str, float]:
        calls.append(1)
        return real(image)

    monkeypatch.setattr(documents, "_ocr_rapid", spy)
    return calls


@pytest.mark.slow
def test_blank_scanned_page_skips_ocr(ocr_calls: list[int]) -> None:
    with pytest.raises(EmptyDocument, match="neither a text layer nor readable"):
        documents.read_document(_scan(ink=False), "blank.pdf")
    assert ocr_calls == []


@pytest.mark.slow
def test_a_page_with_ink_is_still_read(ocr_calls: list[int]) -> None:
    with pytest.raises(EmptyDocument):  # a black bar has no text, but it was looked at
        documents.read_document(_scan(ink=True), "bar.pdf")
    assert ocr_calls == [1]
