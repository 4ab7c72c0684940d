"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by weighted reciprocal rank fusion.

Why not llama-index's `QueryFusionRetriever`: its RRF mode ignores retriever weights and fixes
k=60, while the measured optimum here is dense weight 2-3 with k 10-30 (MODELS.md). The fusion is a
llama-index `BaseRetriever`, so it composes with the rest of llama-index (query engines, LLM mode).
Metadata filters are applied inside both retrievers, before ranking, so a filter never empties a
top-k that a post-filter would have.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from granska.index.lexical import LexicalIndex, analyse
from granska.index.store import ChunkStore, chunk_metadata
from granska.types import Chunk, Hit

Mode = Literal["hybrid", "dense", "lexical"]
_WIDER_POOL = 4  # the second dense query's pool, times the first's, when hits of another state were dropped
EXACT_DENSE_LIMIT = 5000
"""A question scoped to reports holding at most this many chunks is ranked densely by an exact
search over their vectors (`ChunkStore.similarities`), not by Chroma's filtered HNSW search."""


@dataclass(frozen=True)
class Filters:
    """Exact-match metadata filters; each list means "any of these"."""

    organisation: tuple[str, ...] = ()
    report_type: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    document: tuple[str, ...] = ()
    period_end: tuple[int, ...] = field(default=())

    def is_empty(self) -> bool:
        return not (self.organisation or self.report_type or self.year or self.document or self.period_end)

    def _items(self) -> list[tuple[str, tuple]]:
        return [
            (name, values)
            for name, values in (
                ("organisation", self.organisation),
                ("report_type", self.report_type),
                ("year", self.year),
                ("document", self.document),
                ("period_end", self.period_end),
            )
            if values
        ]

    def to_metadata_filters(self) -> MetadataFilters | None:
        if self.is_empty():
            return None
        filters = [
            MetadataFilter(key=name, value=values[0], operator=FilterOperator.EQ)
            if len(values) == 1
            else MetadataFilter(key=name, value=list(values), operator=FilterOperator.IN)
            for name, values in self._items()
        ]
        return MetadataFilters(filters=filters)

    @property
    def documents_only(self) -> bool:
        """Restricted by document names and nothing else (the scope check's filter)."""
        return bool(self.document) and self == Filters(document=self.document)

    def matches(self, chunk: Chunk) -> bool:
        return all(getattr(chunk, name) in values for name, values in self._items())


class HybridRetriever(BaseRetriever):
    """Dense + lexical retrieval over the same chunks, fused by weighted RRF."""

    def __init__(
        self,
        store: ChunkStore,
        lexical: LexicalIndex,
        embed_model,
        *,
        mode: Mode = "hybrid",
        dense_weight: float = 2.0,
        lexical_weight: float = 1.0,
        rrf_k: int = 20,
        candidates: int = 40,
        top_k: int = 8,
    ) -> None:
        super().__init__()
        self.store = store
        self.lexical = lexical
        self.embed_model = embed_model
        self.mode = mode
        self.dense_weight = dense_weight
        self.lexical_weight = lexical_weight
        self.rrf_k = rrf_k
        self.candidates = candidates
        self.top_k = top_k
        self._by_id = {c.id: c for c in lexical.chunks}

    def embed(self, query: str) -> list[float] | None:
        """The query vector, computed once and reusable across several filtered searches."""
        return self.embed_model.get_query_embedding(query) if self.mode in ("hybrid", "dense") else None

    def search(
        self, query: str, filters: Filters | None = None, k: int | None = None, vector: list[float] | None = None
    ) -> list[Hit]:
        """The fused top-k for one query."""
        k = k or self.top_k
        filters = filters or Filters()
        pool = max(self.candidates, k)
        dense: list[tuple[Chunk, float]] = []
        lexical: list[tuple[Chunk, float]] = []
        if self.mode in ("hybrid", "dense"):
            vector = vector if vector is not None else self.embed(query)
            dense = self._dense(vector, pool, filters)
        if self.mode in ("hybrid", "lexical"):
            mask = None
            if filters.documents_only:
                mask = self.lexical.mask(filters.document)
            elif not filters.is_empty():
                mask = np.fromiter((filters.matches(c) for c in self.lexical.chunks), dtype=bool)
            lexical = self.lexical.search(query, pool, mask)
        return self._fuse(dense, lexical, self._lexical_boost(query))[:k]

    def _dense(self, vector: list[float], pool: int, filters: Filters) -> list[tuple[Chunk, float]]:
        """The nearest chunks of this retriever's index state, and no others.

        Chroma is shared and changes under readers: an ingest adds a document's chunks before it
        publishes the new state, a removal deletes them before. The lexical index is one published
        state (granska.index.snapshot), so a dense hit counts only if the lexical index holds its
        chunk id, and is returned as the lexical index's chunk (with that state's metadata). By
        chunk id rather than document name, because a document being replaced keeps its name but
        its new chunks get new ids (content hash + position); and rather than a generation stored
        in Chroma's metadata, because that needs no change to stored chunks. When dropped hits
        leave the pool short, one wider query makes up for them. A question scoped to a few
        reports is ranked exactly over their vectors instead (`EXACT_DENSE_LIMIT`).
        """
        if filters.documents_only:
            if sum(self.lexical.positions(name).size for name in filters.document) <= EXACT_DENSE_LIMIT:
                scored = self.store.similarities(vector, filters.document)
                return [(self._by_id[i], score) for i, score in scored if i in self._by_id][:pool]
        flt = filters.to_metadata_filters()
        kept: list[tuple[Chunk, float]] = []
        for size in (pool, pool * _WIDER_POOL):
            found = self.store.query(vector, size, flt)
            kept = [(self._by_id[chunk.id], score) for chunk, score in found if chunk.id in self._by_id]
            if len(kept) >= pool or len(found) < size:
                break
        return kept[:pool]

    @staticmethod
    def _lexical_boost(query: str) -> float:
        """Embeddings barely tell 119 695 from 119 659; the more numeric a query, the more BM25 decides."""
        tokens = analyse(query)
        if not tokens:
            return 1.0
        numeric = sum(t[0].isdigit() or (t[0] == "-" and t[1:2].isdigit()) for t in tokens)
        return 1.0 + 3.0 * numeric / len(tokens)

    def _fuse(self, dense: list[tuple[Chunk, float]], lexical: list[tuple[Chunk, float]], boost: float = 1.0) -> list[Hit]:
        hits: dict[str, Hit] = {}
        for rank, (chunk, _) in enumerate(dense):
            hit = hits.setdefault(chunk.id, Hit(chunk=chunk, score=0.0))
            hit.dense_rank = rank + 1
            hit.score += self.dense_weight / (self.rrf_k + rank + 1)
        for rank, (chunk, _) in enumerate(lexical):
            hit = hits.setdefault(chunk.id, Hit(chunk=chunk, score=0.0))
            hit.lexical_rank = rank + 1
            hit.score += boost * self.lexical_weight / (self.rrf_k + rank + 1)
        return sorted(hits.values(), key=lambda h: (-h.score, h.chunk.id))

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(
                node=TextNode(id_=h.chunk.id, text=h.chunk.text, metadata=chunk_metadata(h.chunk)),
                score=h.score,
            )
            for h in self.search(query_bundle.query_str)
        ]
