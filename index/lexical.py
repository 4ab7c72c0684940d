"""BM25 over chunks (bm25s), with a Swedish analyser, persisted beside the vector store.

Why a custom analyser instead of bm25s' tokenizer: its default drops "−2,5" and turns "82,7" into
"82" (MODELS.md), and the Snowball Swedish stemmer is inconsistent across inflections
("prognos" -> "progno", "prognosen" -> "prognos"). So numbers are normalised into single tokens,
and every word is indexed both as its surface form and as its stem, which lets either match.

The index is derived data: it is rebuilt from the chunks in the vector store, and the file
`state.json` records which registry state it was built from, so a stale index is detected.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import re
import time
from collections.abc import Iterable
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from granska.ingest.numbers import normalise_number_tokens
from granska.types import Chunk

log = logging.getLogger(__name__)

# Bump when `analyse` changes; the stop-word list is part of `analyser_version` by its fingerprint.
ANALYSER_REVISION = 6

# Where the stop words come from: NLTK's Swedish list as bundled by the distribution
# llama-index-core (a declared dependency in pyproject.toml), at this path inside it. Read as a
# file: NLTK's own loader may try a download (OFFLINE.md).
STOPWORDS_DISTRIBUTION = "llama-index-core"
STOPWORDS_PATH = "llama_index/core/_static/nltk_cache/corpora/stopwords/swedish"

# Seconds a replaced lexical index version is kept for readers still loading it (see `save`).
SUPERSEDED_GRACE = 120.0

_TOKEN = re.compile(r"-?\d+(?:,\d+)?|[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("swedish")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Swedish stop words from `STOPWORDS_DISTRIBUTION`'s file `STOPWORDS_PATH`.

    Found through the installed distribution's metadata, without importing it (importing
    llama-index costs a second, which a no-op re-ingest that only checks `analyser_version`
    should not pay). A missing list is an error, not an empty list: the analyser would silently
    index every "och" and "att".
    """
    try:
        path = Path(str(importlib.metadata.distribution(STOPWORDS_DISTRIBUTION).locate_file(STOPWORDS_PATH)))
    except importlib.metadata.PackageNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise RuntimeError(
            f"The Swedish stop-word list is missing ({STOPWORDS_DISTRIBUTION}: {STOPWORDS_PATH}); "
            "reinstall the declared dependency: pip install --force-reinstall 'llama-index-core>=0.14,<0.15'."
        )
    return frozenset(path.read_text(encoding="utf-8").split())


def analyser_version(words: Iterable[str] | None = None) -> str:
    """The analyser's identity: its revision and a fingerprint of the stop-word list (`words`,
    default `stopwords()`), so an upgrade of llama-index-core that changes the list makes every
    lexical index built with the old list stale, without anyone remembering to bump a number."""
    listed = "\n".join(sorted(stopwords() if words is None else words))
    return f"{ANALYSER_REVISION}-{hashlib.sha256(listed.encode('utf-8')).hexdigest()[:12]}"


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


# A stem that lost the e of an -el/-er word to an ending ("medel" -> "medlen", "regel" ->
# "reglerna", "nyckel" -> "nycklar"): a consonant before the final l or r, after a vowel.
_SYNCOPE = re.compile(r"[aeiouyåäö][bcdfgkmnpstv][lr]$")


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
            if _SYNCOPE.search(root):  # "utvecklingsmedlen" -> "utvecklingsmedl": also "...medel"
                forms.add(root[:-1] + "e" + root[-1])
            if "-" in token:  # "RK-avdelningarnas", "HR-medel": each part in all its forms
                for part in (p for p in token.split("-") if p and p not in stop):
                    forms.add(part)
                    if not part[0].isdigit():
                        forms.update(f for f in (stem(part), base_form(part)) if len(f) > 1)
                joined = token.replace("-", "")
                if joined.isalpha():  # a word hyphenated at a line break in a table cell: "Prognos-tiserat"
                    forms.update({joined, stem(joined), base_form(joined)})
        out.append((token, frozenset(forms)))
    return out


COMMON_WHOLE = 3


def split_compound(token: str, vocabulary: dict[str, int]) -> list[frozenset[str]]:
    """Split a Swedish compound into two parts the archive uses: "delårsresultatet" -> delår(s) + resultat.

    Tries every split point (with and without the linking -s-), keeps the split whose parts are
    both in the vocabulary (as surface, stem or base form) and are longest on the left; returns
    each part's forms, or [] when the word is not such a compound.

    A word the archive writes whole as a term of its own is not split: "regionkontoret" must not
    be found in any passage that says "region" and "kontor". That is when it is written whole in
    `COMMON_WHOLE` passages or more *and* in at least as many passages as its rarer part is
    written alone. A compound written whole more rarely than its parts is usually written as
    its parts elsewhere ("Investeringar ... Budget"). The comparison with the parts keeps the decision the same in an archive of 2 000
    reports as in one of 5: every count grows with the archive alike, while a fixed count alone
    (the rule before) stopped splitting every compound once enough reports repeated it.
    """
    stem = _stemmer().stemWord

    def frequency(forms: Iterable[str]) -> int:
        return max((vocabulary.get(f, 0) for f in forms), default=0)

    whole = frequency((token, stem(token), base_form(token)))
    if len(token) < 9 or not token.isalpha():
        return []  # short or not a word: nothing to split
    for i in range(len(token) - 4, 2, -1):
        head, tail = token[:i], token[i:]
        if i == 3 and not head.endswith("s"):
            continue  # a head of three letters only with its linking -s: "års|resultat", "dags|läge"
        heads = [head] + ([head[:-1]] if head.endswith("s") and (len(head) > 4 or i == 3) else [])
        tail_forms = frozenset({tail, stem(tail), base_form(tail)})
        if not any(f in vocabulary for f in tail_forms):
            continue
        for h in heads:
            head_forms = frozenset({h, stem(h), base_form(h)})
            if any(f in vocabulary for f in head_forms):
                if whole >= COMMON_WHOLE and whole >= min(frequency(head_forms), frequency(tail_forms)):
                    return []  # written whole as a term of its own
                return [head_forms, tail_forms]
    return []


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
        self._positions: dict[str, np.ndarray] | None = None

    def positions(self, document: str) -> np.ndarray:
        """Indices into `chunks` of one document's chunks, in order.

        Scoping a question to a few reports, and reading one report's table rows, must not cost a
        pass over every chunk of the archive (100 000 at a few thousand reports): the map is made
        once per index state, on first use.
        """
        if self._positions is None:
            grouped: dict[str, list[int]] = {}
            for i, chunk in enumerate(self.chunks):
                grouped.setdefault(chunk.document, []).append(i)
            self._positions = {name: np.asarray(ids, dtype=np.int64) for name, ids in grouped.items()}
        return self._positions.get(document, np.empty(0, dtype=np.int64))

    def document_chunks(self, document: str) -> list[Chunk]:
        return [self.chunks[int(i)] for i in self.positions(document)]

    def mask(self, documents: Iterable[str]) -> np.ndarray:
        """A boolean mask over `chunks`: True for the chunks of the given documents."""
        allowed = np.zeros(len(self.chunks), dtype=bool)
        for name in documents:
            allowed[self.positions(name)] = True
        return allowed

    def idf(self, form: str) -> float:
        """Inverse document frequency of one token form, for weighting query words by specificity."""
        import math

        n = max(len(self.chunks), 1)
        return math.log(1 + (n - self.doc_freq.get(form, 0) + 0.5) / (self.doc_freq.get(form, 0) + 0.5))

    @classmethod
    def build(cls, chunks: list[Chunk]) -> "LexicalIndex":
        bm25s = _bm25s()
        bm25 = None
        corpus = [analyse(c.index_text()) or [""] for c in chunks]
        # Document frequencies for weighting question words count passage text only: the title line
        # prefixed for retrieval would make "augusti" look common in an archive of August reports.
        doc_freq: dict[str, int] = {}
        for chunk in chunks:
            for token in set(analyse(chunk.text)):
                doc_freq[token] = doc_freq.get(token, 0) + 1
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        return cls(bm25, chunks, doc_freq)

    def save(self, folder: Path, state: dict, files: dict[str, str] | None = None) -> None:
        """Write a complete new version beside the current one, then switch `folder` to it atomically.

        `files` (name -> text) are written into the version too, so they switch with the index:
        the registry snapshot of `granska.index.snapshot` travels this way.

        `folder` is a relative symlink to a version folder `<name>-<stamp>`; replacing a symlink is
        one atomic rename, so a reader (which resolves it once, see `load`) sees the previous or the
        new version, never a half-written one or none at all (swapping two real folders leaves a
        moment with no index, and a crash in that moment leaves none). A replaced version is kept
        for `SUPERSEDED_GRACE` seconds, so a reader that resolved it just before the switch can
        finish; older ones, and versions of a writer killed mid-save, are removed here.
        """
        folder = Path(folder)
        version = folder.with_name(f"{folder.name}-{time.time_ns():x}-{os.getpid()}")
        version.mkdir(parents=True)
        if self._bm25 is not None:
            self._bm25.save(str(version / "bm25"), show_progress=False)
        with (version / "chunks.jsonl").open("w", encoding="utf-8") as fh:
            for chunk in self.chunks:
                fh.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        (version / "doc_freq.json").write_text(json.dumps(self.doc_freq, ensure_ascii=False), encoding="utf-8")
        for name, text in (files or {}).items():
            (version / name).write_text(text, encoding="utf-8")
        (version / "state.json").write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
        link = folder.with_name(f"{folder.name}.link-{os.getpid()}")
        link.unlink(missing_ok=True)
        os.symlink(version.name, link)
        if folder.is_symlink() and folder.resolve().is_dir():
            os.utime(folder.resolve())  # its mtime now says when it stopped being current
        elif folder.is_dir():  # a store written before versioned folders
            legacy = folder.with_name(folder.name + ".old")
            _rmtree(legacy)
            folder.rename(legacy)
        os.replace(link, folder)
        cutoff = time.time() - SUPERSEDED_GRACE
        for stale in folder.parent.glob(f"{folder.name}[-.]*"):
            if stale.name == version.name or stale.lstat().st_mtime > cutoff:
                continue
            if stale.is_symlink() or stale.is_file():
                stale.unlink(missing_ok=True)
            else:
                _rmtree(stale)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        bm25s = _bm25s()
        folder = Path(folder).resolve()  # one version throughout, even if a writer switches meanwhile
        chunks = []
        with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                chunks.append(Chunk.from_dict(json.loads(line)))
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
        tokens += self._compound_parts(query, weight_mask)
        ids, scores = self._bm25.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=weight_mask, n_threads=1
        )
        return [
            (self.chunks[int(i)], float(s)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0
        ]

    def _compound_parts(self, query: str, weight_mask: np.ndarray | None) -> list[str]:
        """The parts of a query compound that the searched reports never write whole:
        "investeringsbudgeten" is found where a table says "Investeringar ... Årsbudget" (see
        `split_compound`). Where the compound itself occurs, its parts would only dilute it."""
        vocab = self._vocab()
        out: list[str] = []
        for token, forms in analyse_words(query):
            parts = split_compound(token, self.doc_freq)
            whole = [f for f in forms if f in vocab]
            if not parts or (whole and self._bm25.retrieve([whole], k=1, show_progress=False, weight_mask=weight_mask,
                                                            n_threads=1)[1][0][0] > 0):
                continue
            out += [form for part in parts for form in sorted(part) if form in vocab]
        return out

    def _vocab(self) -> dict:
        return self._bm25.vocab_dict if self._bm25 is not None else {}


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def _bm25s():
    """bm25s, imported on first use (it pulls in scipy); its logger quietened after the import,
    because the import sets it to DEBUG and every index build would print a line."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
