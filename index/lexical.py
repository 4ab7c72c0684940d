"""BM25 over chunks (bm25s), with a Swedish analyser, persisted beside the vector store.

Why a custom analyser instead of bm25s' tokenizer: its default drops "−2,5" and turns "82,7" into
"82" (MODELS.md), and the Snowball Swedish stemmer is inconsistent across inflections
("prognos" -> "progno", "prognosen" -> "prognos"). So numbers are normalised into single tokens,
and every word is indexed both as its surface form and as its stem, which lets either match.

The index is derived data: it is rebuilt from the chunks in the vector store, and the file
`state.json` records which registry state it was built from, so a stale index is detected.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from granska.ingest.numbers import normalise_number_tokens
from granska.types import Chunk, Figure

log = logging.getLogger(__name__)

# Bump when `analyse` changes: a lexical index built by another analyser version is rebuilt.
ANALYSER_VERSION = 2

_TOKEN = re.compile(r"-?\d+(?:,\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("swedish")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Swedish stop words from the NLTK list that llama-index-core bundles (read as a file: no NLTK call)."""
    import llama_index.core

    path = Path(llama_index.core.__file__).parent / "_static/nltk_cache/corpora/stopwords/swedish"
    words = path.read_text(encoding="utf-8").split() if path.exists() else []
    return frozenset(words)


_DEFINITE_PLURAL = ("arna", "erna", "orna", "ena", "na", "en", "et")
_VOWELS = set("aeiouyåäö")


def base_form(token: str) -> str:
    """Strip Swedish genitive, definite and plural endings that Snowball leaves on.

    Snowball keeps "sjukfrånvaron" (definite of "sjukfrånvaro") and "regionkontorets" whole, so
    a question in the indefinite form would not meet the report's definite form. Conservative:
    the remainder must keep four letters, and a genitive -s only goes after n/t/a/e.
    """
    t = token
    if len(t) > 5 and t[-1] == "s" and t[-2] in "ntae":
        t = t[:-1]
    for suffix in _DEFINITE_PLURAL:
        if t.endswith(suffix) and len(t) - len(suffix) >= 4:
            return t[: -len(suffix)]
    if len(t) > 5 and t[-1] == "n" and t[-2] in _VOWELS:
        return t[:-1]
    return t


def analyse_words(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each content word with its forms (surface, Snowball stem, base form, hyphen parts); numbers as themselves.

    Matching two texts word by word on any shared form copes with the stemmer's inconsistency.
    """
    stem = _stemmer().stemWord
    stop = stopwords()
    out: list[tuple[str, frozenset[str]]] = []
    for token in _TOKEN.findall(normalise_number_tokens(text).lower()):
        if token in stop:
            continue
        forms = {token}
        if not token[0].isdigit() and token[0] != "-":
            root = stem(token)
            if len(root) > 1:
                forms.add(root)
            forms.add(base_form(token))
            if "-" in token:
                forms.update(p for p in token.split("-") if p and p not in stop)
        out.append((token, frozenset(forms)))
    return out


def analyse(text: str) -> list[str]:
    """Lower-cased index tokens: numbers as single tokens, words as surface form plus stem."""
    out: list[str] = []
    for token, forms in analyse_words(text):
        out.append(token)
        out.extend(sorted(forms - {token}))
    return out


class LexicalIndex:
    """A BM25 index over chunks, with the chunks themselves kept beside it for filtering and answers."""

    def __init__(self, bm25, chunks: list[Chunk], doc_freq: dict[str, int] | None = None) -> None:
        self._bm25 = bm25
        self.chunks = chunks
        self.doc_freq = doc_freq or {}

    def idf(self, form: str) -> float:
        """Inverse document frequency of one token form, for weighting query words by specificity."""
        import math

        n = max(len(self.chunks), 1)
        return math.log(1 + (n - self.doc_freq.get(form, 0) + 0.5) / (self.doc_freq.get(form, 0) + 0.5))

    @classmethod
    def build(cls, chunks: list[Chunk]) -> "LexicalIndex":
        import bm25s

        bm25 = None
        corpus = [analyse(c.embed_text()) or [""] for c in chunks]
        doc_freq: dict[str, int] = {}
        for tokens in corpus:
            for token in set(tokens):
                doc_freq[token] = doc_freq.get(token, 0) + 1
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        return cls(bm25, chunks, doc_freq)

    def save(self, folder: Path, state: dict) -> None:
        """Write atomically enough for readers: new files in a temp folder, then swapped in."""
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        if tmp.exists():
            _rmtree(tmp)
        tmp.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"), show_progress=False)
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for chunk in self.chunks:
                fh.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        (tmp / "doc_freq.json").write_text(json.dumps(self.doc_freq, ensure_ascii=False), encoding="utf-8")
        (tmp / "state.json").write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        if old.exists():
            _rmtree(old)
        if folder.exists():
            folder.rename(old)
        tmp.rename(folder)
        if old.exists():
            _rmtree(old)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        import bm25s

        folder = Path(folder)
        chunks = []
        with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                data = json.loads(line)
                data["figures"] = [Figure(**f) for f in data.get("figures", [])]
                chunks.append(Chunk(**data))
        bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False) if chunks else None
        doc_freq = json.loads((folder / "doc_freq.json").read_text(encoding="utf-8"))
        return cls(bm25, chunks, doc_freq)

    @staticmethod
    def read_state(folder: Path) -> dict | None:
        path = Path(folder) / "state.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> list[tuple[Chunk, float]]:
        """Top-k chunks by BM25; `allowed` is a boolean mask over `self.chunks` (metadata filters)."""
        tokens = [t for t in analyse(query) if t in self._vocab()]
        if self._bm25 is None or not tokens:
            return []
        k = min(k, len(self.chunks))
        weight_mask = None if allowed is None else allowed.astype(np.float32)
        ids, scores = self._bm25.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=weight_mask, n_threads=1
        )
        return [
            (self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]

    def _vocab(self) -> dict:
        return self._bm25.vocab_dict if self._bm25 is not None else {}


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
