"""The vector store: Chroma (embedded `PersistentClient`, or a server via `HttpClient`) behind
llama-index's `ChromaVectorStore`.

Embeddings are always computed by granska and passed in, so Chroma's default embedding function
(which downloads an ONNX model) is never used; telemetry is off.
"""

from __future__ import annotations

import json
import threading
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlparse

from granska.settings import Settings
from granska.types import Chunk

log = logging.getLogger(__name__)

_SCALAR_FIELDS = (
    "document",
    "organisation",
    "report_type",
    "period_start",
    "period_end",
    "year",
    "page",
    "page_label",
    "section",
    "kind",
    "title",
    "position",
)


def chunk_metadata(chunk: Chunk) -> dict[str, str | int | float]:
    """Flat metadata for Chroma (scalars only; figures as a JSON string)."""
    meta: dict[str, str | int | float] = {name: getattr(chunk, name) for name in _SCALAR_FIELDS}
    meta["figures_json"] = json.dumps([asdict(f) for f in chunk.figures], ensure_ascii=False)
    if chunk.rows:
        meta["rows_json"] = json.dumps([asdict(r) for r in chunk.rows], ensure_ascii=False)
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict) -> Chunk:
    """Inverse of `chunk_metadata`; `doc_id` is the node's source document (the content hash)."""
    return Chunk.from_dict({
        "id": chunk_id,
        "text": text,
        "document": str(meta["document"]),
        "doc_id": str(meta.get("doc_id", "")),
        "organisation": str(meta["organisation"]),
        "report_type": str(meta["report_type"]),
        "period_start": int(meta["period_start"]),
        "period_end": int(meta["period_end"]),
        "year": int(meta["year"]),
        "page": int(meta["page"]),
        "page_label": str(meta.get("page_label", "")),
        "section": str(meta.get("section", "")),
        "kind": meta.get("kind", "text"),
        "title": str(meta.get("title", "")),
        "figures": json.loads(meta.get("figures_json") or "[]"),
        "position": int(meta.get("position", 0)),
        "rows": json.loads(meta.get("rows_json") or "[]"),
    })


class StoreError(RuntimeError):
    """The archive cannot be opened or written: an unreachable Chroma server, a read-only store
    folder, a full disk. Raised with a message a user can act on instead of a library traceback."""


def make_client(settings: Settings):
    """Embedded client in `<store>/chroma`, or an HTTP client when `chroma_url` is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if not url.hostname:
            raise ValueError(f"GRANSKA_CHROMA_URL {settings.chroma_url!r} is not an http://host:port URL.")
        try:
            return chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        except ValueError as exc:  # chromadb's "Could not connect to a Chroma server"
            raise StoreError(
                f"Chroma-servern {settings.chroma_url} svarar inte ({exc}); starta den "
                "(`chroma run --path MAPP --port N`) eller rätta GRANSKA_CHROMA_URL / --chroma-url."
            ) from exc
    path = Path(settings.store) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class ChunkStore:
    """Chunks with their embeddings in one Chroma collection."""

    def __init__(self, settings: Settings, fingerprint: str) -> None:
        self.settings = settings
        self.fingerprint = fingerprint
        self._lock = threading.RLock()  # reopen() swaps the client under readers and writers
        self._client = None
        self._open()

    def _open(self) -> None:
        from chromadb.errors import ChromaError

        settings, fingerprint = self.settings, self.fingerprint
        try:
            self._client = make_client(settings)
            self.collection = self._client.get_or_create_collection(
                name=settings.collection,
                embedding_function=None,
                metadata={"hnsw:space": "cosine", "embedder": fingerprint},
            )
        except ChromaError as exc:  # e.g. an embedded database in a read-only folder: SQLite must write to open it
            raise StoreError(
                f"Kunde inte öppna vektorlagret ({settings.chroma_url or Path(settings.store) / 'chroma'}): {exc}. "
                "En inbäddad Chroma-databas måste ligga i en skrivbar mapp, även för läsning; läsare med "
                "skrivskyddad arkivmapp behöver en Chroma-server (GRANSKA_CHROMA_URL)."
            ) from exc
        stored = (self.collection.metadata or {}).get("embedder")
        if stored and stored != fingerprint:
            raise RuntimeError(
                f"The store was embedded with {stored!r} but granska is configured for {fingerprint!r}: "
                "re-ingest into a new store (or a new collection) to switch models."
            )
        self._vector_store = None

    @property
    def vector_store(self):
        """llama-index's view of the collection, made on first use: importing llama-index costs a
        second, which a no-op re-ingest (that only counts chunks) does not need to pay."""
        if self._vector_store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._vector_store = ChromaVectorStore(chroma_collection=self.collection)
        return self._vector_store

    def reopen(self) -> None:
        """See what another process wrote to an embedded store.

        Chroma keeps one system per path in a process and does not pick up another process's
        writes to it, so the old client is closed (releasing that system) and a new one opened.
        A Chroma server needs none of this: every request reads its current state.
        """
        if self.settings.chroma_url:
            return
        with self._lock:
            close = getattr(self._client, "close", None)
            if close is not None:
                close()
            self._open()

    def add(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = [
            TextNode(
                id_=chunk.id,
                text=chunk.text,
                metadata=chunk_metadata(chunk),
                embedding=vector,
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.doc_id)},
            )
            for chunk, vector in zip(chunks, embeddings, strict=True)
        ]
        if nodes:
            with self._lock:
                self.vector_store.add(nodes)

    def delete_document(self, document: str) -> None:
        """Remove every chunk of one document (by file name), whatever its content hash was."""
        with self._lock:
            self.collection.delete(where={"document": document})

    def count(self) -> int:
        with self._lock, self._reading():
            return self.collection.count()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Chroma 1.5's embedded store sometimes cannot load a large collection's HNSW index in a
        new process (seen here at 110 000 passages in about half the processes opened;
        chroma-core/chroma#5925, #7090); retrying in the same process does not help. Say so, and
        what to do, instead of a Rust traceback."""
        from chromadb.errors import InternalError

        try:
            yield
        except InternalError as exc:
            if "hnsw" not in str(exc).lower() or self.settings.chroma_url:
                raise
            raise StoreError(
                f"Vektorlagret i {self.settings.store} kunde inte läsa sitt HNSW-index ({exc}). Det är ett känt fel "
                "i Chromas inbäddade lager för stora samlingar: starta programmet igen, och kör Chroma som server "
                "för ett arkiv av den här storleken (`chroma run --path <mapp>` och GRANSKA_CHROMA_URL)."
            ) from exc

    def ids_by_document(self) -> dict[str, set[str]]:
        """Chunk ids per document name, to check the store against the registry."""
        records = self.collection.get(include=["metadatas"])
        out: dict[str, set[str]] = {}
        for chunk_id, meta in zip(records["ids"], records["metadatas"] or [], strict=True):
            out.setdefault(str(meta["document"]), set()).add(chunk_id)
        return out

    def all_chunks(self, batch: int = 2000) -> Iterable[Chunk]:
        """Every chunk in the store, streamed in batches (the lexical index is rebuilt from these)."""
        offset = 0
        while True:
            records = self.collection.get(
                include=["documents", "metadatas"], limit=batch, offset=offset
            )
            ids = records["ids"]
            if not ids:
                return
            for chunk_id, text, meta in zip(ids, records["documents"], records["metadatas"], strict=True):
                yield chunk_from_record(chunk_id, text or "", meta)
            offset += len(ids)

    def similarities(self, embedding: list[float], documents: tuple[str, ...]) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of every chunk of the given documents, best first: an exact
        search, for a question scoped to a few reports.

        Chroma's HNSW search applies a metadata filter to the neighbours it finds, so a filter that
        keeps a few hundred of 100 000 chunks returns few or none of them (measured: none, for a
        one-report filter at 110 000 passages); reading those few hundred vectors and ranking them
        here is exact and takes milliseconds.
        """
        import numpy as np

        where = {"document": documents[0]} if len(documents) == 1 else {"document": {"$in": list(documents)}}
        with self._lock, self._reading():
            records = self.collection.get(where=where, include=["embeddings"])
        ids = records["ids"]
        if not ids:
            return []
        vectors = np.asarray(records["embeddings"], dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        query = np.asarray(embedding, dtype=np.float32)
        sims = vectors @ (query / max(float(np.linalg.norm(query)), 1e-12))
        return [(ids[i], float(sims[i])) for i in np.argsort(-sims, kind="stable")]

    def query(self, embedding: list[float], k: int, filters=None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity, optionally restricted by llama-index `MetadataFilters`."""
        from llama_index.core.vector_stores.types import VectorStoreQuery

        with self._lock, self._reading():
            if self.collection.count() == 0:
                return []
            result = self.vector_store.query(
                VectorStoreQuery(query_embedding=embedding, similarity_top_k=k, filters=filters)
            )
        # A chunk deleted by a writer while the query ran comes back without its metadata: it is
        # no longer in the archive, so it is no hit (readers keep only their own state's ids anyway).
        return [
            (chunk_from_record(node.node_id, node.get_content(), {**node.metadata, "doc_id": node.ref_doc_id or ""}), float(sim))
            for node, sim in zip(result.nodes or [], result.similarities or [], strict=True)
            if "document" in (node.metadata or {})
        ]
