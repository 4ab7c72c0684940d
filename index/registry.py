"""The document registry: which documents the store holds, by name, with their content hash.

It is written (atomically) only after a document's chunks are fully in the vector store, so after
a crash the registry never claims a document the store does not fully hold; the next ingest
re-does any document whose registry entry is missing or stale.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from granska.types import format_period


@dataclass
class DocumentRecord:
    document: str  # file name, the document's name in the archive
    doc_id: str  # content hash
    path: str  # where it was ingested from
    organisation: str
    report_type: str
    period_start: int
    period_end: int
    title: str
    pages: int
    chunks: int
    ingested_at: str
    pipeline: int = 0  # the ingest pipeline version that produced the chunks
    # field -> {"source", "confidence"}: where organisation, report_type and period were read
    provenance: dict[str, dict[str, str]] = field(default_factory=dict)
    corrected: dict[str, str] = field(default_factory=dict)  # the user's correction the chunks were built with

    @property
    def year(self) -> int:
        return self.period_end // 100

    @property
    def period(self) -> str:
        return format_period(self.period_end)


class Registry:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.documents: dict[str, DocumentRecord] = {}
        if self.path.exists():
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            self.documents = {name: DocumentRecord(**rec) for name, rec in raw.get("documents", {}).items()}

    def to_json(self) -> str:
        """The file's text; also what a published index state keeps as its snapshot (see snapshot.py)."""
        data = {"documents": {name: asdict(rec) for name, rec in sorted(self.documents.items())}}
        return json.dumps(data, ensure_ascii=False, indent=1)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def fingerprint(self) -> str:
        """Identifies the registry's content; the lexical index records the one it was built from."""
        return ",".join(f"{name}:{rec.doc_id}" for name, rec in sorted(self.documents.items()))
