"""GDPR erasure reaches every place a run leaves personal data: a real invoice naming a
person and carrying a card number is processed, the person is erased, and then no file
of the data home, no storage object, memory record, drift sample or span holds the name
or the card number (the audit keeps its redacted records). Then the same with the
audit, ERP and checkpoints in a real Postgres."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.agents.test_policy_packs import _pdf
from tests.conftest import EXAMPLES, INBOX, wardflow_cli
from wardflow.config import Settings
from wardflow.observability.viewer import read_spans
from wardflow.operations.erasure import erase_subject
from wardflow.runtime.workspace import Workspace
from wardflow.tools.documents import read_document
from wardflow.tools.embedding import LexicalEmbedding
from wardflow.tools.erp import load_master
from wardflow.tools.memory import ChromaMemory
from wardflow.tools.storage import LocalStorage

CLEAN = "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"
OTHER = "2026-10-20_hansen-maschinenbau_HM-2026-0077.pdf"
NAME = "Janet Quorvald"
CARD = "4111 1111 1111 1111"
# The name, and the card number however it is written (spaces, dashes, none).
LEAK = re.compile(rb"quorvald|4111[ -]?1111[ -]?1111[ -]?1111", re.IGNORECASE)


@pytest.fixture
def subject_pdf(tmp_path: Path) -> Path:
    """The clean example invoice, renumbered, with a line of work for a person and
    her card number."""
    text = read_document((INBOX / CLEAN).read_bytes(), CLEAN).text
    text = text.replace("NLS-INV-2026-0412", "NLS-INV-2026-0415").replace(
        "Onboarding workshop (remote), hours", "Onboarding for Janet Quorvald, hours")
    return _pdf(tmp_path / "onboarding.pdf",
                f"{text}\nPaid by {NAME}, card {CARD}, exp 12/29")


def _leaks(home: Path, storage: LocalStorage | None = None) -> list[str]:
    """Every file of the home (and, read as documents, every storage object) that holds
    the name or the card number."""
    found = [str(p.relative_to(home)) for p in sorted(home.rglob("*"))
             if p.is_file() and LEAK.search(p.read_bytes())]
    for key in storage.list() if storage is not None else []:
        assert storage is not None
        data = storage.get(key)
        text = read_document(data, key).text.encode() if key.endswith(".pdf") else data
        if LEAK.search(text):
            found.append(f"storage:{key}")
    return found


def _memory_texts(home: Path, url: str | None = None) -> list[str]:
    memory = ChromaMemory(LexicalEmbedding(), path=home / "chroma", url=url)
    rows = memory._open().get(include=["documents", "metadatas"])
    return [f"{rid} {doc} {meta}" for rid, doc, meta in
            zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)]


@pytest.fixture
def process(tmp_path: Path, clock: Callable[[], datetime], subject_pdf: Path
            ) -> Callable[..., Iterator[tuple[Workspace, str, str]]]:
    def run(**overrides: Any) -> Iterator[tuple[Workspace, str, str]]:
        settings = Settings(home=tmp_path / "home", model="none", memory="chroma",
                            embedding="lexical", **overrides)
        with Workspace(settings, clock=clock) as ws:
            ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
            [jane] = ws.process([subject_pdf])
            [other] = ws.process([INBOX / OTHER])
            ws.telemetry.force_flush()
            yield ws, jane.thread_id, other.thread_id
    return run


def _check_before(ws: Workspace, jane: str, *, sqlite: bool = True) -> str:
    """The places this test checks do hold the run's data before the erasure (so each
    check below can fail)."""
    values = ws.state(jane).values
    doc = values["document"]["id"]
    assert NAME in values["text"] and CARD in values["text"]
    assert ws.storage.list(f"incoming/{doc}") or ws.storage.list(f"archive/rejected/{doc}")
    assert any(NAME in t for t in _memory_texts(ws.settings.home, ws.settings.chroma_url))
    assert any(o.thread_id == jane for o in ws.monitor.observations())
    assert read_spans(ws.settings.traces_path, thread_id=jane)
    assert not sqlite or any(f.startswith("checkpoints.sqlite")
                             for f in _leaks(ws.settings.home))
    return str(doc)


def test_erasure_leaves_the_subject_nowhere_in_the_data_home(
    process: Callable[..., Iterator[tuple[Workspace, str, str]]],
) -> None:
    runs = process()
    ws, jane, other = next(runs)
    home = ws.settings.home
    doc = _check_before(ws, jane)
    other_keys = ws.storage.list(f"incoming/{ws.state(other).values['document']['id']}")

    report = erase_subject(ws, NAME, by="dpo", reason="ticket 7")
    assert report.threads == [jane] and not report.not_erased
    assert report.storage_keys and report.memory_records == 1
    assert report.drift_samples == 1 and report.trace_spans > 0 and report.vault_tokens > 0
    assert not ws.storage.list(f"incoming/{doc}") and ws.storage.list() == other_keys
    assert all(jane not in o.thread_id for o in ws.monitor.observations())
    assert read_spans(ws.settings.traces_path, thread_id=jane) == []
    assert read_spans(ws.settings.traces_path, thread_id=other)  # another run's stay
    assert ws.audit.verify().ok
    [note] = [r for r in ws.audit.records() if r.action == "gdpr.erasure"]
    assert note.payload["memory_records"] == 1 and NAME not in str(note.payload)
    storage = LocalStorage(ws.settings.home / "storage")
    with pytest.raises(StopIteration):
        next(runs)  # closes the workspace: every file at rest

    assert _leaks(home, storage) == []
    texts = _memory_texts(home)
    assert len(texts) == 1 and not any(doc in t or NAME in t for t in texts)


def test_cli_erasure_on_postgres_s3_and_a_chroma_server_leaves_the_subject_nowhere(
    process: Callable[..., Iterator[tuple[Workspace, str, str]]], postgres_url: str,
    chroma_server: Any, s3_server: Any,
) -> None:
    """Audit, ERP and checkpoints in Postgres, documents in S3, the memory on a Chroma
    server: the erasure (through the real command) cleans them and the data home."""
    import psycopg

    bucket = s3_server.bucket(versioned=True)  # a delete must not leave old versions
    s3 = s3_server.env(bucket)
    # The only test that uses the default collection of the session's server.
    runs = process(database_url=postgres_url, checkpointer=postgres_url,
                   chroma_url=chroma_server.url, **s3)
    ws, jane, _ = next(runs)
    home = ws.settings.home
    _check_before(ws, jane, sqlite=False)
    with pytest.raises(StopIteration):
        next(runs)

    def database_leaks() -> list[str]:
        found = []
        with psycopg.connect(postgres_url) as conn:
            tables = conn.execute("SELECT table_name FROM information_schema.tables"
                                  " WHERE table_schema = 'public'").fetchall()
            for (table,) in tables:
                for (row,) in conn.execute(f'SELECT t::text FROM "{table}" t'):
                    if LEAK.search(row.encode()):
                        found.append(table)
        return sorted(set(found))

    assert any(t.startswith("checkpoint") for t in database_leaks())

    def bucket_leaks() -> list[str]:
        client = s3_server.client()
        found = []
        for item in client.list_object_versions(Bucket=bucket).get("Versions", []):
            data = client.get_object(Bucket=bucket, Key=item["Key"],
                                     VersionId=item["VersionId"])["Body"].read()
            if item["Key"].endswith(".pdf"):
                data = read_document(data, item["Key"]).text.encode()
            if LEAK.search(data):
                found.append(item["Key"])
        return found

    assert bucket_leaks()  # the raw document kept at ingest
    env = {"WARDFLOW_DATABASE_URL": postgres_url, "WARDFLOW_CHECKPOINTER": postgres_url,
           "WARDFLOW_MEMORY": "chroma", "WARDFLOW_EMBEDDING": "lexical",
           "WARDFLOW_CHROMA_URL": chroma_server.url,
           **{f"WARDFLOW_{k.upper()}": str(v) for k, v in s3.items()}}
    erased = wardflow_cli(home, "gdpr", "erase", NAME, "--as", "dpo", **env)
    assert erased.returncode == 0, erased.stderr
    assert "1 memory record(s)" in erased.stdout and "1 drift sample(s)" in erased.stdout
    assert "chroma vacuum" in erased.stdout  # what the server's operator must do
    assert database_leaks() == [] and bucket_leaks() == []
    assert not any(NAME in t for t in _memory_texts(home, chroma_server.url))
    assert _leaks(home, LocalStorage(home / "storage")) == []
    verified = wardflow_cli(home, "audit", "verify", **env)
    assert verified.returncode == 0 and "audit chain intact" in verified.stdout


def test_a_place_that_fails_is_listed_and_a_second_erasure_finishes(
    process: Callable[..., Iterator[tuple[Workspace, str, str]]],
) -> None:
    """Storage refuses the first delete (a full disk, an S3 outage): the erasure goes
    on with the other places, names the failure, and keeps the run so that running it
    again finds it and finishes."""
    from wardflow.tools.storage import FaultyStorage, with_storage_faults

    runs = process()
    ws, jane, _ = next(runs)
    doc = ws.state(jane).values["document"]["id"]
    ws.storage = with_storage_faults(ws.storage, ["storage:delete:1"])
    assert isinstance(ws.storage, FaultyStorage)
    first = erase_subject(ws, NAME, by="dpo")
    assert first.threads == [jane] and len(first.not_erased) == 1
    assert first.not_erased[0].startswith("storage: cannot delete")
    assert first.memory_records == 1 and first.trace_spans > 0
    assert jane in ws.threads()  # kept for the rerun
    second = erase_subject(ws, NAME, by="dpo")
    assert second.threads == [jane] and not second.not_erased and second.storage_keys
    assert jane not in ws.threads() and not ws.storage.list(f"incoming/{doc}")
    assert ws.audit.verify().ok
    assert [r.payload["not_erased"] != [] for r in ws.audit.records()
            if r.action == "gdpr.erasure"] == [True, False]
    with pytest.raises(StopIteration):
        next(runs)
