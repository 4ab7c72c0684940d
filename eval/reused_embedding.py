"""An embedder for the scale benchmark that embeds each passage shape once (see eval/scale.py).

Re-issued copies of a report differ from their original in figures, month names and place
names only; their passages get the vector of the first passage of the same shape, embedded
for real. Queries are embedded for real every time.
"""

from __future__ import annotations

import re
from typing import Any

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


class ReusedEmbedding(BaseEmbedding):
    """The real embedder for each distinct passage shape; its vector again for every copy."""

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
        return [self._vectors[shape] for shape in shapes]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._inner.get_query_embedding(query)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)
