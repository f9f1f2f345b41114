"""Text a PDF carries but does not show: a classic carrier of indirect injection.

A reader sees nothing, the text layer (and so a model) reads everything. A text
object counts as hidden when it is rendered invisibly (render mode 3), transparent,
tiny (under 2.5 pt once scaled), or white-ish with nothing dark painted beneath it
(white text on a coloured header bar is ordinary design and is not reported).

Pass the snippets to :meth:`GuardPipeline.check_document(..., hidden=...)
<wardflow.guardrails.pipeline.GuardPipeline.check_document>`, where each one found in
the text is an injection signal on its own. About 1 to 2 ms per page (page objects,
no rendering).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["HiddenText", "find_hidden_text", "hidden_in_page"]

_MIN_SIZE_PT = 2.5
_WHITE = 235
_MIN_CHARS = 12


@dataclass(frozen=True, slots=True)
class HiddenText:
    """One hidden text object.

    Attributes:
        page: 1-based page number.
        text: the object's text.
        reason: ``tiny``, ``invisible``, ``transparent`` or ``white_on_white``.
    """

    page: int
    text: str
    reason: str


class _Probe:
    """The pdfium calls of the pass, with their ctypes out-parameters allocated once per
    page instead of once per object (a page has hundreds of text objects)."""

    __slots__ = ("a", "b", "bottom", "g", "left", "matrix", "r", "raw", "right", "size", "top")

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.r, self.g, self.b, self.a = (ctypes.c_uint() for _ in range(4))
        self.left, self.bottom, self.right, self.top = (ctypes.c_float() for _ in range(4))
        self.size = ctypes.c_float()
        self.matrix = raw.FS_MATRIX()

    def fill(self, handle: Any) -> tuple[int, int, int, int]:
        if not self.raw.FPDFPageObj_GetFillColor(handle, self.r, self.g, self.b, self.a):
            return (0, 0, 0, 255)
        return (self.r.value, self.g.value, self.b.value, self.a.value)

    def bounds(self, handle: Any) -> tuple[float, float, float, float]:
        self.raw.FPDFPageObj_GetBounds(handle, self.left, self.bottom, self.right, self.top)
        return (self.left.value, self.bottom.value, self.right.value, self.top.value)

    def font_size(self, handle: Any) -> float:
        if not self.raw.FPDFTextObj_GetFontSize(handle, self.size):
            return 12.0
        matrix = self.matrix
        self.raw.FPDFPageObj_GetMatrix(handle, matrix)
        scale = max(abs(matrix.a) + abs(matrix.c), abs(matrix.b) + abs(matrix.d)) or 1.0
        return float(self.size.value) * scale


def _text_of(raw: Any, handle: Any, textpage: Any) -> str:
    size = raw.FPDFTextObj_GetText(handle, textpage, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    raw.FPDFTextObj_GetText(handle, textpage, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)),
                            size)
    return buffer.raw.decode("utf-16-le", errors="replace").rstrip("\x00")


def _dark_beneath(probe: _Probe, box: tuple[float, float, float, float],
                  below: list[Any]) -> bool:
    """Whether something dark is painted (earlier) under the middle of ``box``."""
    raw = probe.raw
    x = (box[0] + box[2]) / 2
    y = (box[1] + box[3]) / 2
    for handle in below:
        left, bottom, right, top = probe.bounds(handle)
        if left <= x <= right and bottom <= y <= top:
            if raw.FPDFPageObj_GetType(handle) != raw.FPDF_PAGEOBJ_PATH:
                return True  # an image or a shading: assume it shows the text
            r, g, b, a = probe.fill(handle)
            if a > 64 and min(r, g, b) < _WHITE:
                return True
    return False


def _objects(raw: Any, page: Any) -> Iterator[tuple[Any, int]]:
    """The page's objects in paint order with their types, and those of its form
    XObjects one level down (as ``page.get_objects(max_depth=2)``, without a Python
    wrapper per object).

    Raises:
        pypdfium2.PdfiumError: pdfium cannot count or give an object (a damaged page).
    """
    from pypdfium2 import PdfiumError

    get_type = raw.FPDFPageObj_GetType
    form = raw.FPDF_PAGEOBJ_FORM
    count = raw.FPDFPage_CountObjects(page)
    if count < 0:
        raise PdfiumError("Failed to get number of pageobjects.")
    for i in range(count):
        handle = raw.FPDFPage_GetObject(page, i)
        if not handle:
            raise PdfiumError("Failed to get pageobject.")
        kind = get_type(handle)
        yield handle, kind
        if kind == form:
            inner = raw.FPDFFormObj_CountObjects(handle)
            if inner < 0:
                raise PdfiumError("Failed to get number of pageobjects.")
            for j in range(inner):
                child = raw.FPDFFormObj_GetObject(handle, j)
                if not child:
                    raise PdfiumError("Failed to get pageobject.")
                yield child, get_type(child)


def find_hidden_text(data: bytes) -> list[HiddenText]:
    """Hidden text objects of a PDF (empty for anything else or an unreadable PDF).

    Where the document's text is read anyway, pass :func:`hidden_in_page` to
    :func:`wardflow.tools.documents.read_document` instead: the PDF is then opened and
    each page loaded once for both.
    """
    if not data.lstrip()[:5] == b"%PDF-":
        return []
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return []
    found: list[HiddenText] = []
    try:
        for number, page in enumerate(pdf, 1):
            found.extend(hidden_in_page(number, page, None))
            page.close()
    finally:
        pdf.close()
    return found


def hidden_in_page(number: int, page: Any, textpage: Any | None) -> list[HiddenText]:
    """Hidden text objects of one open pypdfium2 page (``number`` is 1-based).

    ``textpage`` is the page's text page when the caller has one open already; the
    function never closes what it was given. A damaged page gives what was found so far.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    found: list[HiddenText] = []
    own = None
    painted = (raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_SHADING)
    below: list[Any] = []  # handles of what was painted so far (valid while open)
    probe = _Probe(raw)
    text_kind = raw.FPDF_PAGEOBJ_TEXT
    # The tests of _hidden_reason for the common case (an ordinary visible text object),
    # inlined: a page has hundreds of text objects, and the pass runs on every PDF.
    render_mode, invisible = raw.FPDFTextObj_GetTextRenderMode, raw.FPDF_TEXTRENDERMODE_INVISIBLE
    get_fill, get_size, get_matrix = (raw.FPDFPageObj_GetFillColor, raw.FPDFTextObj_GetFontSize,
                                      raw.FPDFPageObj_GetMatrix)
    r, g, b, a, size, matrix = probe.r, probe.g, probe.b, probe.a, probe.size, probe.matrix
    try:
        for handle, kind in _objects(raw, page.raw):
            if kind != text_kind:
                if kind in painted:
                    below.append(handle)
                continue
            if render_mode(handle) != invisible and get_fill(handle, r, g, b, a) \
                    and a.value >= 16 and min(r.value, g.value, b.value) < _WHITE \
                    and get_size(handle, size):
                get_matrix(handle, matrix)
                scale = max(abs(matrix.a) + abs(matrix.c), abs(matrix.b) + abs(matrix.d)) or 1.0
                if float(size.value) * scale >= _MIN_SIZE_PT:
                    continue  # visible: drawn, opaque, dark enough and large enough
            reason = _hidden_reason(probe, handle, below)
            if reason is not None:
                if textpage is None:
                    own = textpage = page.get_textpage()
                text = _text_of(raw, handle, textpage.raw).strip()
                if len(text) >= _MIN_CHARS:
                    found.append(HiddenText(number, text, reason))
    except pdfium.PdfiumError:
        return found
    finally:
        if own is not None:
            own.close()
    return found


def _hidden_reason(probe: _Probe, handle: Any, below: list[Any]) -> str | None:
    raw = probe.raw
    if raw.FPDFTextObj_GetTextRenderMode(handle) == raw.FPDF_TEXTRENDERMODE_INVISIBLE:
        return "invisible"
    r, g, b, a = probe.fill(handle)
    if a < 16:
        return "transparent"
    if probe.font_size(handle) < _MIN_SIZE_PT:
        return "tiny"
    if min(r, g, b) >= _WHITE and not _dark_beneath(probe, probe.bounds(handle), below):
        return "white_on_white"
    return None
