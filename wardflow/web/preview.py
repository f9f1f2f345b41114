"""Page images of a stored document, so the page can show the original beside its text.

PDF pages are rendered with pypdfium2 (already used to read them); an image document
is its own single page.
"""

from __future__ import annotations

import io

from wardflow.errors import CorruptDocument

__all__ = ["render_page"]

_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff", "image/webp"})


def render_page(data: bytes, media_type: str, page: int, *, dpi: int = 110) -> tuple[bytes, str]:
    """Page ``page`` (1-based) of a document as ``(image bytes, media type)``.

    Raises:
        CorruptDocument: the document cannot be rendered, or has no such page.
    """
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
            if not 1 <= page <= len(pdf):
                raise CorruptDocument("document", f"no page {page}; it has {len(pdf)}")
            image = pdf[page - 1].render(scale=dpi / 72).to_pil()
        finally:
            pdf.close()
    except pdfium.PdfiumError as err:
        raise CorruptDocument("document", f"cannot render page {page}: {err}") from err
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), "image/png"
