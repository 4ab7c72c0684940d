"""An embedder for the scale benchmark that embeds each passage shape once (see eval/scale.py).

Re-issued copies of a report differ from their original in figures, month names and place
names only; their passages get the vector of the first passage of the same shape, embedded
for real, moved by a small random step (seeded by the copy's own text) so that the copy sits
as close to its original as real copies do: embedded for real, 150 re-issued passages had a
cosine similarity of 0.975 (mean; median 0.979, 5th percentile 0.944) to their first copy.
Without the step, hundreds of identical vectors per passage degrade Chroma's HNSW graph
(every unscoped query then returned the same few copies), which no real archive does.
Queries are embedded for real every time.
"""

from __future__ import annotations

import hashlib
import math
import re
from typing import Any

import numpy as np

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from granska.eval.synthetic import MONTH_WORD_RE, rename_place


def passage_shape(text: str, places: tuple[str, ...]) -> str:
    """What re-issued copies of one passage share: digits, month names and place names masked."""
    shape = re.sub(r"\d", "0", text)
    shape = MONTH_WORD_RE.sub("MÅNAD", shape)
    for place in places:
        shape = rename_place(shape, place, "ORT")
    return shape


COPY_SIMILARITY = 0.975
"""Mean cosine similarity of a re-issued passage's real embedding to its first copy's (measured)."""


def _moved(vector: list[float], text: str) -> list[float]:
    """`vector` moved by Gaussian noise seeded by `text`, scaled so that the expected cosine
    similarity to `vector` is COPY_SIMILARITY (1 / sqrt(1 + d sigma^2) for unit vectors)."""
    base = np.asarray(vector, dtype=np.float64)
    sigma = math.sqrt((1 / COPY_SIMILARITY**2 - 1) / base.size)
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    moved = base + np.random.default_rng(seed).normal(0.0, sigma, base.size)
    return (moved / np.linalg.norm(moved)).tolist()


class ReusedEmbedding(BaseEmbedding):
    """The real embedder for each distinct passage shape; its vector, moved a little, for every copy."""

    model_name: str = "reused"
    _inner: Any = PrivateAttr(default=None)
    _places: tuple[str, ...] = PrivateAttr(default=())
    _vectors: dict[str, list[float]] = PrivateAttr(default_factory=dict)
    embedded: int = 0
    reused: int = 0

    def __init__(self, inner: BaseEmbedding, places: tuple[str, ...]) -> None:
        super().__init__(embed_batch_size=2048)
        self._inner = inner
        self._places = places

    @classmethod
    def class_name(cls) -> str:
        return "ReusedEmbedding"

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        shapes = [passage_shape(text, self._places) for text in texts]
        new: dict[str, str] = {}
        for shape, text in zip(shapes, texts):
            if shape not in self._vectors:
                new.setdefault(shape, text)  # the first copy is embedded
        if new:
            vectors = self._inner.get_text_embedding_batch(list(new.values()))
            self._vectors.update(zip(new, vectors))
        self.embedded += len(new)
        self.reused += len(texts) - len(new)
        return [self._vectors[shape] if new.get(shape) == text else _moved(self._vectors[shape], text)
                for shape, text in zip(shapes, texts)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._inner.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
