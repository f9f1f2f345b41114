"""Bounded document reading: pixel budgets for renders and OCR, page and attachment
counts, decompression bombs and a wall-clock budget, each refused with the setting to
raise and the run failed with the reason (never an exception out of ``process``).

The documents are made here: a few hundred bytes of PDF can declare a page of
7200 x 7200 pt, a few hundred bytes of PNG a 20000 x 20000 image.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, INBOX, add_reviewers
from wardflow.config import Settings
from wardflow.errors import DocumentTooLarge
from wardflow.tools.documents import read_document
from wardflow.web.preview import render_page

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"


def _pdf(pages: int, size_pt: float, text: str | None = None) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(size_pt, size_pt))
    pdf.set_font("Helvetica", size=12)
    for _ in range(pages):
        pdf.add_page()
        if text:
            pdf.text(40, 40, text)
    return bytes(pdf.output())


def _png_header_only(width: int, height: int) -> bytes:
    """A valid PNG signature and IHDR for ``width`` x ``height`` with one tiny IDAT."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def _rss_peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def workspace_with(tmp_path: Path, clock: Callable[[], datetime]
                   ) -> Iterator[Callable[..., Any]]:
    """A workspace over a fresh data home with the given settings."""
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    opened: list[Any] = []

    def make(**overrides: Any) -> Any:
        settings = Settings(home=tmp_path / "home", model="none", max_invoice_age_days=36500,
                            **overrides)
        ws = Workspace(settings, clock=clock)
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        add_reviewers(ws.principals)
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


def test_a_huge_page_is_previewed_within_the_pixel_budget() -> None:
    data = _pdf(1, 7200, "Invoice 1")
    assert len(data) < 2000  # a small file that asks for a 11000 x 11000 px preview
    image, media_type = render_page(data, "application/pdf", 1)
    from PIL import Image

    with Image.open(io.BytesIO(image)) as shown:
        width, height = shown.size
    assert media_type == "image/png"
    assert width * height <= 12_000_000  # the default max_page_pixels
    assert width == height and width > 3000  # scaled down, not cropped or refused


def test_render_scale_keeps_small_pages_and_shrinks_big_ones() -> None:
    from wardflow.tools.documents import render_scale

    a4 = render_scale(595, 842, 200, 12_000_000)
    assert a4 == pytest.approx(200 / 72)
    huge = render_scale(14400, 14400, 200, 12_000_000)
    assert (14400 * huge) ** 2 <= 12_000_000 < (14400 * huge * 1.01) ** 2


def test_a_scanned_huge_page_is_read_by_ocr_within_the_budget(
    workspace_with: Callable[..., Any], tmp_path: Path
) -> None:
    # No text layer: OCR renders it. At 200 dpi the page would be 10000 x 10000 px
    # (400 MB as BGRA, as much again as RGB); with a budget of 0.3 MP it is about 1 MB.
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pdf(1, 3600))
    ws = workspace_with(max_page_pixels=300_000)
    # A small scan first loads the OCR models and the graph, so that only the huge
    # page's render shows in the peak.
    small = tmp_path / "small.pdf"
    small.write_bytes(_pdf(1, 150))
    assert [r.status for r in ws.process([small])] == ["failed"]
    before = _rss_peak_kib()
    [run] = ws.process([path])
    grown_mib = (_rss_peak_kib() - before) / 1024
    # A blank scan has no text: a clear failure, parked with its reason.
    assert run.status == "failed"
    # OCR's own buffers vary by some 100-200 MiB from one image shape to the next;
    # the unbounded render alone would add 700.
    assert grown_mib < 350, f"peak memory grew {grown_mib:.0f} MiB"


def test_too_many_pages_fail_the_run_with_the_limit(
    workspace_with: Callable[..., Any], tmp_path: Path
) -> None:
    path = tmp_path / "long.pdf"
    path.write_bytes(_pdf(5, 600, "Invoice page text long enough to be a text layer"))
    ws = workspace_with(max_pages=3)
    [run] = ws.process([path])
    assert run.status == "failed"
    [state] = [ws.state(run.thread_id).values]
    assert state["error"]["reason"] == "too_large"
    assert "5 pages, more than the limit of 3 (WARDFLOW_MAX_PAGES)" in state["error"]["detail"]


@pytest.mark.parametrize(("side", "shown"), [(12000, "the image is 12000x12000 pixels"),
                                              (20000, "decompression bomb")])
def test_a_decompression_bomb_image_is_refused_before_decoding(
    workspace_with: Callable[..., Any], tmp_path: Path, side: int, shown: str
) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(side, side))  # 144 or 400 MP from ~100 bytes
    ws = workspace_with()
    [run] = ws.process([path])
    assert run.status == "failed"
    error = ws.state(run.thread_id).values["error"]
    assert error["reason"] == "too_large"
    assert shown in error["detail"]
    assert "WARDFLOW_MAX_IMAGE_PIXELS" in error["detail"]


def test_an_email_with_too_many_attachments_is_refused_whole(
    workspace_with: Callable[..., Any], tmp_path: Path
) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "ap@example.com", "x"
    message.set_content("invoices attached")
    invoice = (INBOX / CLEAN).read_bytes()
    for index in range(4):
        message.add_attachment(invoice + b"%" + str(index).encode(), maintype="application",
                               subtype="pdf", filename=f"invoice-{index}.pdf")
    path = tmp_path / "many.eml"
    path.write_bytes(message.as_bytes())
    ws = workspace_with(max_email_attachments=3)
    [run] = ws.process([path])
    assert run.status == "failed"
    error = ws.state(run.thread_id).values["error"]
    assert error["reason"] == "too_large"
    assert "4 attachments, more than the limit of 3" in error["detail"]
    assert ws.erp.postings() == []


def test_reading_stops_at_the_wall_clock_budget() -> None:
    from wardflow.tools.documents import DocumentLimits

    ticks = iter(range(0, 1000, 10))  # every look at the clock: 10 s later
    data = _pdf(3, 600, "Invoice page text long enough to be a text layer")
    with pytest.raises(DocumentTooLarge, match="longer than 15 s"):
        read_document(data, "slow.pdf", limits=DocumentLimits(timeout_s=15),
                      clock=lambda: float(next(ticks)))


def test_the_document_limits_default_to_the_settings_defaults(tmp_path: Path) -> None:
    from wardflow.tools.documents import DocumentLimits

    assert DocumentLimits.from_settings(Settings(home=tmp_path)) == DocumentLimits()
