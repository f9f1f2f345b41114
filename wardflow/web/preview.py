"""Page images of a stored document, so the page can show the original beside its text,
and the boxes on them where evidence (a field's value, a guard passage) was read.

PDF pages are rendered with pypdfium2 (already used to read them), scaled down to fit
the pixel budget (``max_page_pixels``) whatever size the page claims; an image
document is its own single page.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from wardflow.errors import CorruptDocument, DocumentTooLarge
from wardflow.tools._layout import Piece, layout_placed, pdf_page_pieces
from wardflow.tools.documents import PAGE_BREAK, DocumentLimits, render_scale

__all__ = ["evidence_boxes", "render_page"]

_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff", "image/webp"})


def render_page(data: bytes, media_type: str, page: int, *, dpi: int = 110,
                limits: DocumentLimits | None = None) -> tuple[bytes, str]:
    """Page ``page`` (1-based) of a document as ``(image bytes, media type)``.

    Raises:
        CorruptDocument: the document cannot be rendered, or has no such page.
        DocumentTooLarge: the document has more pages than ``limits.max_pages``.
    """
    limits = limits or DocumentLimits()
    if media_type in _IMAGE_TYPES:
        if page != 1:
            raise CorruptDocument("document", f"an image has one page, not {page}")
        return data, media_type
    if media_type != "application/pdf":
        raise CorruptDocument("document", f"no preview for {media_type}")
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
        try:
            if len(pdf) > limits.max_pages:
                raise DocumentTooLarge("document", f"the PDF has {len(pdf)} pages, more than"
                                       f" the limit of {limits.max_pages} (WARDFLOW_MAX_PAGES)")
            if not 1 <= page <= len(pdf):
                raise CorruptDocument("document", f"no page {page}; it has {len(pdf)}")
            sheet = pdf[page - 1]
            width, height = sheet.get_size()
            scale = render_scale(width, height, dpi, limits.max_page_pixels)
            image = sheet.render(scale=scale).to_pil()
        finally:
            pdf.close()
    except pdfium.PdfiumError as err:
        raise CorruptDocument("document", f"cannot render page {page}: {err}") from err
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), "image/png"


def evidence_boxes(data: bytes, media_type: str, text: str,
                   spans: Mapping[str, tuple[int, int]], *,
                   limits: DocumentLimits | None = None) -> dict[str, list[dict[str, float]]]:
    """Where spans of the document's extracted ``text`` sit on its pages.

    Each page a span falls on is laid out again from its text layer, exactly as it
    was read; where that gives back the stored page text, the span's characters map
    to the boxes of the words they are in. Boxes are fractions of the page
    (``{page, x, y, w, h}``, origin top left), so they scale with the page image.
    A scan (OCR), an image, or a page whose text no longer matches has no boxes.

    Args:
        spans: a key (``field:iban``, ``passage:1``) -> ``(start, end)`` in ``text``.

    Raises:
        CorruptDocument: the PDF cannot be read.
    """
    if media_type != "application/pdf" or not spans:
        return {}
    import pypdfium2 as pdfium

    limits = limits or DocumentLimits()
    pages = text.split(PAGE_BREAK)
    wanted = _spans_by_page(text, pages, spans)
    boxes: dict[str, list[dict[str, float]]] = {}
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            if len(pdf) > limits.max_pages:
                return {}
            for number, on_page in sorted(wanted.items()):
                if number < len(pdf):
                    for key, found in _page_boxes(pdf, number, pages[number], on_page):
                        boxes.setdefault(key, []).extend(found)
        finally:
            pdf.close()
    except pdfium.PdfiumError as err:
        raise CorruptDocument("document", f"cannot read the text layer: {err}") from err
    return boxes


def _spans_by_page(
    text: str, pages: list[str], spans: Mapping[str, tuple[int, int]],
) -> dict[int, list[tuple[str, int, int]]]:
    """The valid spans of ``text`` by page index, as ``(key, start, end)`` within the
    page's text (``pages`` is ``text`` split at its page breaks)."""
    bases = [0]
    for page_text in pages:
        bases.append(bases[-1] + len(page_text) + 1)
    wanted: dict[int, list[tuple[str, int, int]]] = {}
    for key, (start, end) in spans.items():
        if not 0 <= start < end <= len(text):
            continue
        number = text.count(PAGE_BREAK, 0, start)
        wanted.setdefault(number, []).append((key, start - bases[number], end - bases[number]))
    return wanted


def _page_boxes(
    pdf: Any, number: int, stored: str, on_page: list[tuple[str, int, int]],
) -> list[tuple[str, list[dict[str, float]]]]:
    """``(key, boxes)`` for each span on page ``number`` of ``pdf``; none when the page,
    laid out again, does not give back its ``stored`` text."""
    import pypdfium2.raw as raw

    page = pdf[number]
    textpage = page.get_textpage()
    try:
        width, height = page.get_size()
        # Read as wardflow/tools/documents.py reads it (a broken-word hyphen
        # is U+FFFE in pdfium); any other difference means no boxes, below.
        page_text = textpage.get_text_range().replace("\ufffe", "-")
        pieces = pdf_page_pieces(raw, textpage.raw, page_text, height)
    finally:
        textpage.close()
        page.close()
    laid, placed = layout_placed(pieces)
    if laid.replace(PAGE_BREAK, "\n") != stored:
        return []  # read another way (OCR, a changed reader): no honest boxes
    out = []
    for key, start, end in on_page:
        found = _piece_boxes(placed, start, end, width, height)
        for box in found:
            box["page"] = number + 1
        out.append((key, found))
    return out


def _piece_boxes(placed: list[tuple[int, int, Piece]], start: int, end: int, width: float,
                 height: float) -> list[dict[str, float]]:
    """The part of each placed piece that ``[start, end)`` covers, as page fractions
    (within a piece, characters are taken as equally wide)."""
    out = []
    for left, right, piece in placed:
        if right <= start or end <= left:
            continue
        share = (piece.x1 - piece.x0) / max(right - left, 1)
        x0 = piece.x0 + share * (max(start, left) - left)
        x1 = piece.x0 + share * (min(end, right) - left)
        out.append({"x": round(x0 / width, 5), "y": round(piece.top / height, 5),
                    "w": round((x1 - x0) / width, 5),
                    "h": round((piece.bottom - piece.top) / height, 5)})
    return out
