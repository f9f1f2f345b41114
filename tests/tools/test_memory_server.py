"""The invoice memory on a real Chroma server (``chroma run`` from the installed chromadb
package, on 127.0.0.1): the conformance suite, two machines sharing it, a server that
is down or refuses, and the settings that reach it (token, tenant, database)."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from wardflow.config import Settings
from wardflow.errors import ConfigError, ToolError
from wardflow.testing.memory import MemoryConformance
from wardflow.tools.embedding import LexicalEmbedding
from wardflow.tools.memory import ChromaMemory, InvoiceRecord, open_memory

ROOT = Path(__file__).resolve().parents[2]


def _collection() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


def _record(rid: str, text: str, **meta: str) -> InvoiceRecord:
    return InvoiceRecord(id=rid, text=text, sha256=rid * 4, **meta)


class TestChromaMemoryServer(MemoryConformance):
    @pytest.fixture
    def memory(self, chroma_url: str) -> ChromaMemory:
        return ChromaMemory(LexicalEmbedding(), url=chroma_url, collection=_collection())


_OTHER_MACHINE = """
import sys
from wardflow.config import Settings
from wardflow.tools.memory import InvoiceRecord, open_memory
memory = open_memory(Settings(home=sys.argv[1], memory="chroma", embedding="lexical",
                              chroma_url=sys.argv[2]))
memory.collection_name = sys.argv[3]
memory.upsert(InvoiceRecord(id="doc-b", text="Invoice B-7 from Brandt Logistik, road freight"
                            " Hamburg", sha256="b" * 64, vendor_id="V2"))
print(memory.count())
"""


def test_two_machines_share_one_memory(chroma_url: str, tmp_path: Path) -> None:
    """An upsert through one client (another process, another data home) is found by
    ``similar`` through another, and the other way round."""
    here = open_memory(Settings(home=tmp_path / "a", memory="chroma", embedding="lexical",
                                chroma_url=chroma_url))
    assert isinstance(here, ChromaMemory)
    here.collection_name = f"{_collection()}-{here.embedder.name}"
    here.upsert(_record("doc-a", "Invoice A-1 from Acme GmbH, cloud hosting", vendor_id="V1"))
    other = subprocess.run(
        [sys.executable, "-c", _OTHER_MACHINE, str(tmp_path / "b"), chroma_url,
         here.collection_name], capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(ROOT)})
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == "2"  # it saw this machine's record too
    hits = here.similar("Brandt Logistik invoice B-7, road freight to Hamburg", k=1)
    assert [h.record.id for h in hits] == ["doc-b"] and hits[0].record.vendor_id == "V2"
    assert not (tmp_path / "a" / "chroma").exists()  # nothing embedded in a data home


def test_a_server_that_goes_down_gives_a_clear_retryable_error(chroma_server: Any) -> None:
    memory = ChromaMemory(LexicalEmbedding(), url=chroma_server.url, collection=_collection())
    memory.upsert(_record("doc-1", "Invoice A-1 from Acme GmbH"))
    chroma_server.stop()
    try:
        with pytest.raises(ToolError) as caught:
            memory.similar("Acme GmbH invoice A-1")
        err = caught.value
        assert err.tool == "memory" and err.retryable
        assert chroma_server.url in str(err) and "is the Chroma server running?" in str(err)
        # A client that starts while the server is down gets the same kind of error.
        fresh = ChromaMemory(LexicalEmbedding(), url=chroma_server.url)
        with pytest.raises(ToolError, match="cannot open the collection"):
            fresh.count()
    finally:
        chroma_server.start()
    # Back up, the same client works again and the record survived the restart.
    assert memory.get("doc-1") is not None


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.seen.append({"path": self.path, **dict(self.headers.items())})
        identity = self.path.endswith("/auth/identity")
        body = (b'{"user_id":"u","tenant":"acme","databases":["invoices_eu"]}' if identity
                else b'{"error":"AuthError","message":"unauthorized"}')
        self.send_response(200 if identity else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """A server on 127.0.0.1 that records the headers it gets and refuses every call."""
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_token_tenant_and_database_reach_the_server(refusing_server: str,
                                                    tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, memory="chroma", embedding="lexical",
                        chroma_url=refusing_server, chroma_token=SecretStr("s3cret-token"),
                        chroma_tenant="acme", chroma_database="invoices_eu")
    memory = open_memory(settings)
    assert isinstance(memory, ChromaMemory)
    assert "s3cret" not in repr(settings) and "s3cret" not in repr(vars(memory))
    with pytest.raises(ToolError) as caught:
        memory.count()
    assert "s3cret" not in str(caught.value)
    assert _Recorder.seen, "the client never reached the server"
    assert all(h.get("Authorization") == "Bearer s3cret-token" for h in _Recorder.seen)
    assert any("/tenants/acme" in h["path"] for h in _Recorder.seen)


def test_a_url_that_is_not_http_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="http"):
        ChromaMemory(LexicalEmbedding(), url="127.0.0.1:8000")


def test_a_run_with_the_memory_down_goes_to_review_and_says_why(
    tmp_path: Path, clock: Any,
) -> None:
    """A Chroma server that is down does not fail the run: the near-duplicate check
    that could not run becomes a risk reason, and the invoice waits for a human."""
    from tests.chroma.server import _free_port
    from tests.conftest import EXAMPLES, INBOX
    from wardflow.runtime.workspace import Workspace
    from wardflow.tools.erp import load_master

    down = f"http://127.0.0.1:{_free_port()}"
    settings = Settings(home=tmp_path / "home", model="none", memory="chroma",
                        embedding="lexical", chroma_url=down)
    with Workspace(settings, clock=clock) as ws:
        ws.erp.import_master(load_master(EXAMPLES / "erp.json"))
        [run] = ws.process([INBOX / "2026-08-14_nordlicht-software_NLS-INV-2026-0412.pdf"])
        risk = ws.state(run.thread_id).values["risk"]
    assert run.status == "awaiting_review" and "memory_unavailable" in run.reasons
    [reason] = [r for r in risk["reasons"] if r["code"] == "memory_unavailable"]
    assert reason["weight"] >= 0.5 and down in reason["evidence"]["error"]


def test_an_erasure_on_one_machine_leaves_the_others_working(chroma_url: str) -> None:
    """A delete compacts the collection (so Chroma's write log no longer holds the
    record); a machine that had the old collection open reopens it and goes on."""
    name = _collection()
    one = ChromaMemory(LexicalEmbedding(), url=chroma_url, collection=name)
    two = ChromaMemory(LexicalEmbedding(), url=chroma_url, collection=name)
    one.upsert(_record("doc-1", "Invoice A-1 from Acme GmbH for Janet Quorvald"))
    one.upsert(_record("doc-2", "Invoice B-7 from Brandt Logistik, road freight"))
    assert two.count() == 2  # its collection is open now
    assert one.delete(["doc-1"]) == 1
    assert [h.record.id for h in two.similar("Acme GmbH invoice A-1")] == ["doc-2"]
    two.upsert(_record("doc-3", "Invoice C-3 from Carl Crane"))
    assert one.count() == 2 and one.get("doc-1") is None and two.get("doc-3") is not None
