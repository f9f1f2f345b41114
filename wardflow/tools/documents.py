"""Reading documents: type sniffing, PDF text layer, OCR for images and scans.

PDF text comes from pypdfium2 (fast, permissive licence). Images and PDFs without a
text layer go through OCR: RapidOCR (ONNX models shipped in its wheel, offline) by
default, Tesseract when installed and chosen. Pages are joined with a form feed
(``\\f``) so an offset into the text always maps back to its page.

The text is laid out as it sits on the page, not in the order a PDF happens to draw
it: characters (with their boxes) and OCR boxes are grouped into lines from top to
bottom, and each piece of a line is placed at the column its x position gives (as
``pdftotext -layout`` does). A label's value printed to its right is then on the same
line, separated by at least two spaces where a gap separates the cells, and a value
printed below a label in a table column starts at about the same column on a
following line. Parsers read that geometry from the text alone, so every evidence
span still points into the one text the document has.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from wardflow.errors import (
    ConfigError,
    CorruptDocument,
    DocumentError,
    DocumentTooLarge,
    EmptyDocument,
    UnsupportedDocument,
)
from wardflow.tools._layout import layout_text, ocr_pieces, pdf_page_pieces, respace
from wardflow.tools.einvoice import looks_like_xml, read_einvoice_xml, xml_syntax

if TYPE_CHECKING:
    from wardflow.config import Settings

__all__ = [
    "DocumentLimits",
    "DocumentText",
    "MediaType",
    "PageHook",
    "check_email",
    "page_of",
    "read_document",
    "render_scale",
    "sniff_media_type",
]

MediaType = Literal["application/pdf", "image/png", "image/jpeg", "image/tiff", "message/rfc822",
                    "application/xml"]
Method = Literal["pdf-text", "ocr", "xml"]

_log = logging.getLogger(__name__)

PAGE_BREAK = "\f"
# A PDF page with fewer visible characters than this is treated as a scan.
_MIN_TEXT_CHARS = 20


@dataclass(frozen=True, slots=True)
class DocumentText:
    pages: tuple[str, ...]
    method: Method
    # Mean OCR confidence (0..1) when ``method == "ocr"``; 1.0 for a text layer.
    quality: float = 1.0

    @property
    def text(self) -> str:
        return PAGE_BREAK.join(self.pages)


@dataclass(frozen=True, slots=True)
class DocumentLimits:
    """How much of an untrusted document wardflow will read (the ``Settings`` of the
    same names; the defaults are theirs).

    Attributes:
        max_pages: pages a PDF may have.
        max_page_pixels: a rendered page (OCR, preview) is scaled down to fit this.
        max_image_pixels: an image with more pixels is refused before it is decoded.
        ocr_dpi: the resolution scans are rendered at for OCR (then capped as above).
        timeout_s: wall-clock budget for reading one document, checked between pages.
        max_email_attachments: an email with more attachments is refused as a whole.
    """

    max_pages: int = 50
    max_page_pixels: int = 12_000_000
    max_image_pixels: int = 50_000_000
    ocr_dpi: int = 200
    timeout_s: float = 120.0
    max_email_attachments: int = 20

    @classmethod
    def from_settings(cls, settings: Settings) -> DocumentLimits:
        """The limits ``settings`` configure."""
        return cls(max_pages=settings.max_pages, max_page_pixels=settings.max_page_pixels,
                   max_image_pixels=settings.max_image_pixels, ocr_dpi=settings.ocr_dpi,
                   timeout_s=settings.document_read_timeout_s,
                   max_email_attachments=settings.max_email_attachments)


def render_scale(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """The pdfium scale that renders a ``width_pt`` x ``height_pt`` page at ``dpi``,
    lowered so that the image has at most ``max_pixels`` pixels."""
    scale = dpi / 72
    area = max(width_pt, 1.0) * max(height_pt, 1.0)
    if area * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / area) * 0.999  # rounding up must not cross it
    return scale


def page_of(text: str, offset: int) -> int:
    """The 1-based page number that ``offset`` in ``DocumentText.text`` falls on."""
    return text.count(PAGE_BREAK, 0, offset) + 1


def sniff_media_type(data: bytes, name: str) -> MediaType:
    """Tell the document type from its first bytes (and, for email, its name)."""
    if not data:
        raise EmptyDocument(name, "the file is empty")
    head = data[:1024]
    if head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if looks_like_xml(data):
        # An e-invoice (CII or UBL) is told by its root element. Any other XML, and XML
        # that cannot be read safely (a DTD, entities, oversized, broken), is not a
        # document: refused as unsupported, so its bytes are never served for review.
        try:
            xml_syntax(data, name)
        except UnsupportedDocument:
            raise
        except DocumentError as err:
            raise UnsupportedDocument(name, f"XML that is not a readable e-invoice:"
                                            f" {err.detail}") from err
        return "application/xml"
    if name.lower().endswith(".eml"):
        return "message/rfc822"
    raise UnsupportedDocument(
        name, "unsupported file type; wardflow reads PDF, PNG, JPEG, TIFF, e-invoice XML"
              " (CII, UBL) and .eml email"
    )


PageHook = Callable[[int, Any, Any], None]


def read_document(data: bytes, name: str, *, ocr_backend: str = "rapidocr",
                  limits: DocumentLimits | None = None,
                  clock: Callable[[], float] = time.monotonic,
                  on_pdf_page: PageHook | None = None) -> DocumentText:
    """Extract the text of a PDF or image, within ``limits``.

    Args:
        on_pdf_page: called for each page of a PDF while it is open, with the 1-based
            page number, the pypdfium2 page and its text page, so that another pass
            over the page (hidden-text detection) shares this one's load. It must not
            close them.

    Raises:
        EmptyDocument, UnsupportedDocument, CorruptDocument: with the file name and
            the reason, so the caller can park the document in ``failed/``.
        DocumentTooLarge: the document is over one of ``limits`` (the message names
            the setting to raise).
    """
    limits = limits or DocumentLimits()
    budget = _Budget(name, limits.timeout_s, clock)
    media_type = sniff_media_type(data, name)
    if media_type == "application/pdf":
        return _read_pdf(data, name, ocr_backend, limits, budget, on_pdf_page)
    if media_type == "application/xml":
        # The e-invoice's text view: one "element path: value" line per element.
        return DocumentText((read_einvoice_xml(data, name).text,), "xml")
    if media_type.startswith("image/"):
        image = _open_image(data, name, limits)
        text, quality = _ocr(image, ocr_backend)
        budget.check("OCR")
        if not text.strip():
            raise EmptyDocument(name, "OCR found no text in the image")
        return DocumentText((text,), "ocr", quality)
    if media_type == "message/rfc822":
        check_email(data, name, limits)
    raise UnsupportedDocument(name, f"{media_type} has no text of its own; read its attachments")


def check_email(data: bytes, name: str, limits: DocumentLimits) -> None:
    """Refuse an email over the attachment limit (why none of them was read).

    Raises:
        DocumentTooLarge: it has more than ``limits.max_email_attachments``.
    """
    import email
    import email.policy
    from email.message import EmailMessage

    message = email.message_from_bytes(data, policy=email.policy.default)
    if isinstance(message, EmailMessage):
        count = sum(1 for _ in message.iter_attachments())
        if count > limits.max_email_attachments:
            raise DocumentTooLarge(name, f"the email has {count} attachments, more than the"
                                   f" limit of {limits.max_email_attachments}"
                                   " (WARDFLOW_MAX_EMAIL_ATTACHMENTS); none was processed")


class _Budget:
    """The wall-clock budget of reading one document."""

    def __init__(self, name: str, seconds: float, clock: Callable[[], float]) -> None:
        self.name, self.seconds, self.clock = name, seconds, clock
        self.deadline = clock() + seconds

    def check(self, stage: str) -> None:
        if self.clock() > self.deadline:
            raise DocumentTooLarge(self.name, f"{stage} took longer than {self.seconds:g} s"
                                   " (WARDFLOW_DOCUMENT_READ_TIMEOUT_S)")


def _read_pdf(data: bytes, name: str, ocr_backend: str, limits: DocumentLimits,
              budget: _Budget, on_page: PageHook | None = None) -> DocumentText:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as err:
        raise CorruptDocument(name, f"not a readable PDF ({err})") from err
    try:
        if len(pdf) == 0:
            raise EmptyDocument(name, "the PDF has no pages")
        if len(pdf) > limits.max_pages:
            raise DocumentTooLarge(name, f"the PDF has {len(pdf)} pages, more than the limit"
                                   f" of {limits.max_pages} (WARDFLOW_MAX_PAGES)")
        pages: list[str] = []
        for number, page in enumerate(pdf, 1):
            pages.append(_pdf_page_text(number, page, on_page))
            budget.check("reading the text layer")
        if sum(len(p.strip()) for p in pages) >= _MIN_TEXT_CHARS:
            return DocumentText(tuple(p.replace(PAGE_BREAK, "\n") for p in pages), "pdf-text")
        # No text layer: a scan. Render each page, within the pixel budget, and read it.
        ocr_pages, qualities = [], []
        for page in pdf:
            width, height = page.get_size()
            scale = render_scale(width, height, limits.ocr_dpi, limits.max_page_pixels)
            image = page.render(scale=scale).to_pil()
            text, quality = _ocr(image, ocr_backend)
            ocr_pages.append(text)
            qualities.append(quality)
            page.close()
            budget.check("OCR")
    except pdfium.PdfiumError as err:
        raise CorruptDocument(name, f"damaged PDF page ({err})") from err
    finally:
        pdf.close()
    if not any(p.strip() for p in ocr_pages):
        raise EmptyDocument(name, "the PDF has neither a text layer nor readable scanned text")
    return DocumentText(tuple(ocr_pages), "ocr", sum(qualities) / len(qualities))


def _pdf_page_text(number: int, page: Any, on_page: PageHook | None) -> str:
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        # pdfium marks a hyphen where a word was broken across lines as U+FFFE
        text = textpage.get_text_range().replace("\ufffe", "-")
        pieces = pdf_page_pieces(raw, textpage.raw, text, float(page.get_height()))
        if on_page is not None:
            on_page(number, page, textpage)
    finally:
        textpage.close()
        page.close()
    return layout_text(pieces)


def _open_image(data: bytes, name: str, limits: DocumentLimits) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        # Pillow reads only the header here: the size is known before anything is
        # decoded, so a small file that unpacks to gigabytes is refused for free.
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > limits.max_image_pixels:
            raise DocumentTooLarge(name, f"the image is {width}x{height} pixels, more than the"
                                   f" limit of {limits.max_image_pixels}"
                                   " (WARDFLOW_MAX_IMAGE_PIXELS)")
        image.load()
    except Image.DecompressionBombError as err:
        raise DocumentTooLarge(name, f"the image is a decompression bomb ({err}); wardflow"
                               f" reads images of up to {limits.max_image_pixels} pixels"
                               " (WARDFLOW_MAX_IMAGE_PIXELS)") from err
    except (UnidentifiedImageError, OSError, ValueError) as err:
        raise CorruptDocument(name, f"not a readable image ({err})") from err
    rgb = image.convert("RGB")
    if width * height > limits.max_page_pixels:
        factor = math.sqrt(limits.max_page_pixels / (width * height))
        rgb = rgb.resize((max(1, int(width * factor)), max(1, int(height * factor))))
    return rgb


def _ocr(image: Any, backend: str) -> tuple[str, float]:
    if _blank(image):
        # Nothing to read, and OCR of a blank page costs seconds: a PDF whose text
        # layer is gone (damaged, or sent to waste a worker's time) renders blank.
        return "", 0.0
    if backend == "tesseract":
        return _ocr_tesseract(image)
    return _ocr_rapid(image)


def _blank(image: Any) -> bool:
    """The page is one flat colour: no ink anywhere (a few ms for a page at 200 dpi)."""
    low, high = image.convert("L").getextrema()
    return bool(high - low < 8)


# The orientation RapidOCR's line classifier gave each text line of the last page this
# thread read ("0" or "180"); RapidOCR turns each line upright but does not return it.
_orientation = threading.local()


@functools.cache
def _rapid_engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()
    classify = engine.text_cls

    def recorded(images: Any) -> Any:
        images, labels, elapsed = classify(images)
        _orientation.labels = [str(label) for label, _score in labels]
        return images, labels, elapsed

    engine.text_cls = recorded
    return engine


def _rapid_lines(image: Any) -> tuple[Any, bool]:
    """RapidOCR's lines of ``image``, and whether most of them were upside down (a page
    scanned upside down: its lines come back bottom line first)."""
    import numpy as np

    # With the character boxes, so that spaces the recogniser dropped between words
    # ("500Stk", "WardflowDemo") are put back where the gap between characters says so.
    engine, pixels = _rapid_engine(), np.asarray(image)
    _orientation.labels = []
    try:
        result, _ = engine(pixels, return_word_box=True)
    except (ValueError, IndexError, ZeroDivisionError):  # the boxes' arithmetic on an odd line
        _log.warning("OCR character boxes failed; reading the lines without them",
                     exc_info=True)
        result, _ = engine(pixels)
    labels = _orientation.labels
    turned = sum("180" in label for label in labels)
    return result, len(labels) >= 3 and turned >= 2 * len(labels) / 3


def _ocr_rapid(image: Any) -> tuple[str, float]:
    result, upside_down = _rapid_lines(image)
    if result and upside_down:
        turned, still = _rapid_lines(image.rotate(180))
        if turned and not still:  # turned round, its lines read upright
            _log.info("the page was upside down; read it turned by 180 degrees")
            result = turned
    if not result:
        return "", 0.0
    pieces = ocr_pieces([(line[0], respace(line[1], line[4], line[3])
                          if len(line) > 4 else line[1]) for line in result])
    scores = [float(line[2]) for line in result]
    return layout_text(pieces), sum(scores) / len(scores)


def _ocr_tesseract(image: Any) -> tuple[str, float]:
    try:
        import pytesseract
    except ImportError as err:
        raise ConfigError(
            "the Tesseract OCR backend needs `pip install 'wardflow[tesseract]'` and the"
            " tesseract-ocr system package"
        ) from err
    data = pytesseract.image_to_data(image, output_type=pytesseract.Output.DICT)
    scores = [float(c) / 100 for c in data["conf"] if float(c) >= 0]
    text = pytesseract.image_to_string(image)
    return text, (sum(scores) / len(scores)) if scores else 0.0
