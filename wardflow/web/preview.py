"""Page images of a stored document, so the page can show the original beside its text.

PDF pages are rendered with pypdfium2 (already used to read them), scaled down to fit
the pixel budget (``max_page_pixels``) whatever size the page claims; an image
document is its own single page.
"""

from __future__ import annotations

import io

from wardflow.errors import CorruptDocument, DocumentTooLarge
from wardflow.tools.documents import DocumentLimits, render_scale

__all__ = ["render_page"]

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
