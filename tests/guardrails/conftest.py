"""Fixtures for the guard tests: the example documents' text and a pipeline."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import INBOX
from wardflow.guardrails import GuardPipeline, TokenVault
from wardflow.guardrails.injection import detect_injection
from wardflow.tools.documents import read_document

INJECTED = "2026-11-05_sternberg-it_SIT-2026-0661.pdf"
TWO_PAGES = "2026-09-03_brandt-buerobedarf_Rechnung_RE-2026-10873.pdf"
SCAN = "2026-10-09_scan_elbufer-druckerei.png"


def document_text(name: str) -> str:
    """The text of an example document; for an .eml, of its (one) PDF attachment."""
    path = INBOX / name
    if name.endswith(".eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        [part] = [p for p in message.iter_attachments() if p.get_filename()]
        payload = part.get_content()
        assert isinstance(payload, bytes)
        return read_document(payload, str(part.get_filename())).text
    return read_document(path.read_bytes(), name).text


def assert_rule_verdict(text: str, rule: str | None) -> None:
    """``rule`` fires and the text reaches 0.5, or (``rule`` None) the text stays below."""
    score, findings = detect_injection(text)
    if rule is None:  # the same shape addressed to people
        assert score < 0.5, findings
        return
    assert score >= 0.5 and rule in {f.rule for f in findings}, findings
    assert all(0 <= f.start < f.end <= len(text) for f in findings)


@pytest.fixture(scope="session")
def example_texts() -> dict[str, str]:
    """Every example with a text layer (the scanned PNG is read by OCR, see ``scan_text``)."""
    return {p.name: document_text(p.name) for p in sorted(INBOX.iterdir()) if p.name != SCAN}


@pytest.fixture(scope="session")
def scan_text() -> str:
    return document_text(SCAN)


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[TokenVault]:
    store = TokenVault(tmp_path / "vault.sqlite")
    yield store
    store.close()


@pytest.fixture
def pipeline(vault: TokenVault) -> GuardPipeline:
    return GuardPipeline(vault=vault)
