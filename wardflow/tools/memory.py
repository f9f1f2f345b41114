"""The invoice memory seam and its Chroma implementation.

Every invoice the risk agent assesses is stored once, keyed by its document id, with
a short text summary embedded by one of our own embedders
(:mod:`wardflow.tools.embedding`; Chroma's default would download a model) and the
facts a controller compares as metadata. The risk agent asks it for the nearest
earlier invoices to find near duplicates that an exact hash or number match misses.

chromadb is imported on first use only (it takes seconds to import). The embedded
``PersistentClient`` lives in ``home/chroma`` and is not safe for several processes
writing at once: point ``chroma_url`` at a Chroma server for that (workers on several
machines then share one memory).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from wardflow.errors import ConfigError, ToolError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wardflow.config import Settings
    from wardflow.tools.embedding import Embedder

__all__ = ["ChromaMemory", "InvoiceMemory", "InvoiceRecord", "SimilarInvoice", "open_memory",
           "record_from_extraction"]


@dataclass(frozen=True, slots=True)
class InvoiceRecord:
    """One remembered invoice. ``id`` is the document id (from the file's SHA-256),
    so storing the same document again replaces it instead of adding a copy."""

    id: str
    text: str
    sha256: str
    vendor: str = ""
    vendor_id: str = ""
    vendor_tax_id: str = ""
    invoice_number: str = ""
    invoice_date: str = ""
    due_date: str = ""
    currency: str = ""
    total: str = ""

    def metadata(self) -> dict[str, str]:
        # Chroma metadata values cannot be None: absent facts are empty strings.
        return {k: v for k, v in asdict(self).items() if k not in ("id", "text")}


@dataclass(frozen=True, slots=True)
class SimilarInvoice:
    """A remembered invoice and its cosine similarity to the query (1 = same text)."""

    record: InvoiceRecord
    similarity: float


@runtime_checkable
class InvoiceMemory(Protocol):
    """What the risk agent needs from a vector store of past invoices."""

    def upsert(self, record: InvoiceRecord) -> None: ...

    def similar(
        self, text: str, *, k: int = 5, exclude_id: str | None = None,
        where: Mapping[str, str] | None = None,
    ) -> list[SimilarInvoice]: ...

    def get(self, record_id: str) -> InvoiceRecord | None: ...

    def count(self) -> int: ...

    def delete(self, record_ids: Sequence[str]) -> int:
        """Forget these records (an erasure); returns how many existed."""
        ...


def record_from_extraction(document: Mapping[str, Any], extraction: Mapping[str, Any]
                           ) -> InvoiceRecord:
    """The memory record of an assessed invoice: its facts, and a summary to embed
    (vendor, number, dates, amount and line descriptions; the layout is left out so
    that a re-typed copy of the same invoice embeds close to the original)."""
    value = {name: f["value"] for name, f in extraction["fields"].items()}

    def text(name: str) -> str:
        v = value.get(name)
        return "" if v is None else str(v)

    lines = "; ".join(str(item.get("description") or "")
                      for item in extraction.get("line_items", [])[:20])
    summary = (f"Invoice {text('invoice_number')} from {text('vendor')}"
               f" dated {text('invoice_date')}, total {text('currency')} {text('total')}."
               f" {lines}").strip()
    return InvoiceRecord(
        id=document["id"], text=summary, sha256=document["sha256"], vendor=text("vendor"),
        vendor_id=text("vendor_id"), vendor_tax_id=text("vendor_tax_id"),
        invoice_number=text("invoice_number"), invoice_date=text("invoice_date"),
        due_date=text("due_date"), currency=text("currency"), total=text("total"),
    )


_RECORD_FIELDS = tuple(f.name for f in fields(InvoiceRecord))


def _record(record_id: str, text: str | None, meta: Mapping[str, Any] | None) -> InvoiceRecord:
    meta = meta or {}
    values = {name: str(meta.get(name) or "") for name in _RECORD_FIELDS
              if name not in ("id", "text")}
    return InvoiceRecord(id=record_id, text=text or "", **values)


class ChromaMemory:
    """Invoices in a Chroma collection, embedded by ``embedder``.

    Args:
        embedder: computes the vectors; its name is part of the collection name, so
            vectors of two embedders never meet in one collection.
        path: the ``PersistentClient`` folder (ignored when ``url`` is given).
        url: ``http(s)://host:port`` of a Chroma server (``chroma run``), which
            several machines share.
        collection: the collection name prefix.
        token: the server's token, sent as ``Authorization: Bearer`` (never logged).
        tenant: the server's tenant.
        database: the tenant's database.

    The client is created on first use, so building a graph does not import chromadb.
    Every failure of the store (a server down, refused, or gone mid-call) is raised as
    a :class:`~wardflow.errors.ToolError` of tool ``memory`` that says where; it is
    retryable when a server is used.
    """

    def __init__(self, embedder: Embedder, *, path: Path | None = None, url: str | None = None,
                 collection: str = "invoices", token: SecretStr | None = None,
                 tenant: str = "default_tenant", database: str = "default_database") -> None:
        if path is None and url is None:
            raise ConfigError("ChromaMemory needs a path or a url")
        if url is not None and urlsplit(url).scheme not in ("http", "https"):
            raise ConfigError(f"chroma_url must be http(s)://host:port, not {url!r}")
        self.embedder = embedder
        self.path = path
        self.url = url
        self.tenant, self.database = tenant, database
        self._token = token
        self.collection_name = f"{collection}-{embedder.name}"
        self._lock = threading.Lock()
        self._collection: Any = None  # chromadb Collection, typed loosely: imported lazily
        self._client: Any = None
        # The risk node searches with a text and then stores the same text: embed once.
        self._last: tuple[str, list[float]] | None = None

    def _embed(self, text: str) -> list[float]:
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        vector = self.embedder.embed([text])[0]
        self._last = (text, vector)
        return vector

    @contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        """Chroma's failures as a ToolError that says where and what to do."""
        try:
            yield
        except ToolError:
            raise
        # chromadb raises a bare Exception for an HTTP error without a Chroma error
        # body, so nothing narrower catches them all; no code here can reach interrupt().
        except Exception as err:
            self._collection = None  # opened again next time (a server restarted)
            where = self.url or self.path
            hint = (" (is the Chroma server running? check chroma_url, chroma_token,"
                    " chroma_tenant and chroma_database)" if self.url else "")
            raise ToolError("memory", f"invoice memory at {where}: cannot {what}:"
                            f" {type(err).__name__}: {err}{hint}",
                            retryable=self.url is not None) from err

    def _call(self, what: str, fn: Callable[[Any], Any]) -> Any:
        """``fn(collection)``; once more on a reopened collection if this one is gone
        (another machine compacted it after an erasure)."""
        try:
            collection = self._open()
            with self._calling(what):
                return fn(collection)
        except ToolError as err:
            if not _collection_gone(err.__cause__):
                raise
        collection = self._open()
        with self._calling(what):
            return fn(collection)

    def _open(self) -> Any:
        with self._lock:
            if self._collection is None:
                with self._calling("open the collection"):
                    client = self._connect()
                    _finish_compaction(client, self.collection_name,
                                       self._collection_options())
                    self._collection = client.get_or_create_collection(
                        self.collection_name, **self._collection_options())
                    self._client = client
            return self._collection

    def _collection_options(self) -> dict[str, Any]:
        return {"embedding_function": _chroma_function(self.embedder),
                "configuration": {"hnsw": {"space": "cosine"}}}

    def _connect(self) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        # Telemetry off: no data leaves the machine, and no network is tried.
        options: dict[str, Any] = {"anonymized_telemetry": False}
        if self._token is not None:
            options["chroma_client_auth_provider"] = (
                "chromadb.auth.token_authn.TokenAuthClientProvider")
            options["chroma_client_auth_credentials"] = self._token.get_secret_value()
        chroma_settings = ChromaSettings(**options)
        if self.url is not None:
            parts = urlsplit(self.url)
            return chromadb.HttpClient(
                host=parts.hostname or "localhost",
                port=parts.port or (443 if parts.scheme == "https" else 8000),
                ssl=parts.scheme == "https", settings=chroma_settings,
                tenant=self.tenant, database=self.database)
        assert self.path is not None
        self.path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.path), settings=chroma_settings)

    def upsert(self, record: InvoiceRecord) -> None:
        """Store or replace ``record`` (by id): a replayed step does not add a copy."""
        vector = self._embed(record.text)
        self._call("store a record", lambda c: c.upsert(
            ids=[record.id], documents=[record.text], embeddings=[vector],
            metadatas=[record.metadata()]))

    def upsert_many(self, records: Sequence[InvoiceRecord]) -> None:
        """Store many records in one call (bulk loads, benchmarks)."""
        if records:
            self._call("store records", lambda c: c.upsert(
                ids=[r.id for r in records], documents=[r.text for r in records],
                metadatas=[r.metadata() for r in records]))

    def similar(
        self, text: str, *, k: int = 5, exclude_id: str | None = None,
        where: Mapping[str, str] | None = None,
    ) -> list[SimilarInvoice]:
        """The ``k`` nearest remembered invoices, most similar first.

        ``where`` filters on metadata equality (``{"vendor_id": "V-001"}``);
        ``exclude_id`` leaves out the invoice being assessed.
        """
        clauses: list[dict[str, Any]] = [{key: value} for key, value in (where or {}).items()]
        filter_ = None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}
        vector = self._embed(text)

        def query(collection: Any) -> Any:
            if collection.count() == 0:
                return None
            return collection.query(query_embeddings=[vector], n_results=k + 1, where=filter_,
                                    include=["documents", "metadatas", "distances"])

        found = self._call("search", query)
        if found is None:
            return []
        out: list[SimilarInvoice] = []
        for rid, doc, meta, dist in zip(found["ids"][0], found["documents"][0],
                                        found["metadatas"][0], found["distances"][0],
                                        strict=True):
            if rid == exclude_id:
                continue
            out.append(SimilarInvoice(_record(rid, doc, meta), round(1.0 - float(dist), 4)))
        return out[:k]

    def get(self, record_id: str) -> InvoiceRecord | None:
        found = self._call("read a record", lambda c: c.get(
            ids=[record_id], include=["documents", "metadatas"]))
        if not found["ids"]:
            return None
        return _record(found["ids"][0], found["documents"][0], found["metadatas"][0])

    def count(self) -> int:
        return int(self._call("count records", lambda c: c.count()))

    def delete(self, record_ids: Sequence[str]) -> int:
        """Forget the records ``record_ids`` (an erasure); returns how many there were.

        The collection is then compacted (:meth:`_compact`): Chroma keeps every write
        in a log until its index is next saved, and a deleted record must not stay
        readable there. The embedded store's file is vacuumed too; a server's file
        keeps the freed pages until its operator runs ``chroma vacuum``.
        """
        ids = list(dict.fromkeys(record_ids))
        if not ids:
            return 0
        found: list[str] = list(self._call("delete records", lambda c: c.get(
            ids=ids, include=[])["ids"]))
        with self._calling("delete records"):
            if found:
                self._collection.delete(ids=found)
                self._compact()
            elif self.url is None:  # a retried erasure whose compaction failed
                assert self.path is not None
                _vacuum(self.path / "chroma.sqlite3")
        return len(found)

    def _compact(self) -> None:
        """Copy the collection's records into a new collection, then drop the old one
        with its write log (Chroma keeps every write in a log until its index is next
        saved, and ``chroma vacuum`` does not purge it sooner). Records other machines
        add meanwhile are copied too. A crash midway leaves the copy
        (``<name>-next``), which the next :meth:`_open` finishes; nothing is lost."""
        with self._lock:
            client, name, old = self._client, self.collection_name, self._collection
            _drop(client, f"{name}-next")
            fresh = client.create_collection(f"{name}-next", **self._collection_options())
            step = max(1, int(client.get_max_batch_size()))
            copied: set[str] = set()
            for _ in range(3):
                ids = [i for i in old.get(include=[])["ids"] if i not in copied]
                for i in range(0, len(ids), step):
                    rows = old.get(ids=ids[i:i + step],
                                   include=["documents", "metadatas", "embeddings"])
                    fresh.upsert(ids=rows["ids"], documents=rows["documents"],
                                 metadatas=rows["metadatas"], embeddings=rows["embeddings"])
                    copied.update(rows["ids"])
                if not ids:
                    break
            self._collection = None
            client.delete_collection(name)
            fresh.modify(name=name)
            self._collection = fresh
            if self.url is None:
                assert self.path is not None
                _vacuum(self.path / "chroma.sqlite3")


def _vacuum(path: Path) -> None:
    """``VACUUM`` Chroma's SQLite file, as ``chroma utils vacuum`` does: the pages the
    dropped log was in are free but not zeroed, and would still hold the records."""
    import sqlite3

    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        conn.execute("VACUUM")
        conn.execute("INSERT INTO maintenance_log (operation, timestamp)"
                     " VALUES ('vacuum', CURRENT_TIMESTAMP)")
    finally:
        conn.close()


def _collection_gone(err: BaseException | None) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(err, NotFoundError) or "does not exist" in str(err)


def _drop(client: Any, name: str) -> None:
    if name in {c if isinstance(c, str) else c.name for c in client.list_collections()}:
        client.delete_collection(name)


def _finish_compaction(client: Any, name: str, options: Mapping[str, Any]) -> None:
    """A compaction that crashed after dropping ``name`` left its copy: rename it. (A
    copy beside a whole ``name`` is left: another machine may be compacting; the
    next compaction drops it.)"""
    names = {c if isinstance(c, str) else c.name for c in client.list_collections()}
    if f"{name}-next" in names and name not in names:
        client.get_collection(f"{name}-next", embedding_function=options[
            "embedding_function"]).modify(name=name)


def _chroma_function(embedder: Embedder) -> Any:
    """``embedder`` as a Chroma ``EmbeddingFunction`` (built here, after chromadb is
    imported, so that this module stays light)."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class WardflowEmbedding(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self.embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:  # noqa: A002 (Chroma's name)
            import numpy as np

            return [np.asarray(v, dtype=np.float32) for v in embedder.embed(list(input))]

        @staticmethod
        def name() -> str:
            return f"wardflow-{embedder.name}"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": embedder.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> WardflowEmbedding:
            return WardflowEmbedding()

        def default_space(self) -> Any:
            return "cosine"

    return WardflowEmbedding()


def open_memory(settings: Settings) -> InvoiceMemory | None:
    """The memory ``settings`` ask for: ``None`` when off, else Chroma in
    ``home/chroma`` or at ``chroma_url``, embedded by ``settings.embedding``."""
    if not settings.memory_enabled:
        return None
    from wardflow.tools.embedding import embedder_from_settings

    return ChromaMemory(embedder_from_settings(settings), path=settings.chroma_path,
                        url=settings.chroma_url, token=settings.chroma_token,
                        tenant=settings.chroma_tenant, database=settings.chroma_database)
