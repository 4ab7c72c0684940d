"""Files -> chunks: discovery, content hashing and the per-file parse -> metadata -> chunk path.

Hashing and discovery import nothing heavy, so a re-ingest of an unchanged archive is decided
before pdfplumber or the embedding model is loaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from granska.types import Chunk, ReportMeta

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")

# Bump when reading, metadata, chunking or the embedded text changes what a file turns into:
# documents ingested by another version are re-processed on the next ingest even though their
# bytes did not change.
PIPELINE_VERSION = 23


# A folder's own documentation (an archive copied from a repository keeps its README or SOURCES
# file) is no report; a file named on the command line is read whatever its name.
_NOT_REPORTS = frozenset({"readme", "sources", "license", "licence", "changelog", "contributing"})


def discover(paths: Iterable[Path]) -> list[Path]:
    """Supported files under the given files and folders (recursive), sorted, without duplicates."""
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                if (candidate.is_file() and candidate.suffix.lower() in SUPPORTED_SUFFIXES
                        and candidate.stem.lower() not in _NOT_REPORTS):
                    found[candidate.resolve()] = None
        elif path.is_file():
            found[path.resolve()] = None
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return list(found)


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes: the document's identity (`doc_id`)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def process_file(path: Path, doc_id: str, correction: dict[str, str] | None = None) -> tuple[ReportMeta, list[Chunk]]:
    """Read, infer metadata (with a user's correction applied) and chunk one file; raises
    `IngestError` with a reason for bad input."""
    from granska.ingest.chunk import chunk_document
    from granska.ingest.corrections import apply_correction
    from granska.ingest.errors import IngestError
    from granska.ingest.metadata import infer_metadata
    from granska.ingest.reader import read_document

    if Path(path).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"filtypen {Path(path).suffix or '(ingen)'} stöds inte: använd PDF, .txt eller .md")
    doc = read_document(Path(path))
    meta = apply_correction(infer_metadata(doc), correction or {})
    chunks = chunk_document(doc, meta, doc_id, Path(path).name)
    if not chunks:
        raise IngestError("dokumentet innehåller ingen text att indexera")
    return meta, chunks
