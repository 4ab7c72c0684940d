"""Writes documents into the archive: vector store, registry and lexical index, in a crash-safe order.

Order per document: delete its old chunks -> add the new chunks -> record it in the registry.
The lexical index is rebuilt from the vector store at the end. A crash at any point leaves a state
the next run repairs: chunks not in the registry are removed, documents whose registry entry is
missing are re-ingested, and a lexical index built from another registry state is rebuilt.
One writer at a time: a lock file in the store folder.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from granska.index.registry import DocumentRecord, Registry
from granska.ingest.pipeline import discover, file_hash
from granska.settings import Settings

log = logging.getLogger(__name__)


class StoreLocked(RuntimeError):
    """Another process is writing to the same store."""


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    chunks_added: int = 0
    pages: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{len(self.added)} tillagda, {len(self.updated)} uppdaterade, {len(self.unchanged)} oförändrade, "
            f"{len(self.removed)} borttagna, {len(self.failed)} misslyckade "
            f"({self.chunks_added} nya textstycken, {self.seconds:.1f} s)"
        )


def store_paths(settings: Settings) -> dict[str, Path]:
    root = Path(settings.store)
    return {
        "root": root,
        "registry": root / "registry.json",
        "lexical": root / "lexical",
        "lock": root / ".ingest.lock",
    }


def writer_lock(settings: Settings, wait: float = 0.0) -> FileLock:
    """The store's single-writer lock; `acquire` raises `StoreLocked` with a clear message."""
    paths = store_paths(settings)
    paths["root"].mkdir(parents=True, exist_ok=True)
    return FileLock(str(paths["lock"]), timeout=wait)


def _acquire(lock: FileLock) -> None:
    try:
        lock.acquire()
    except Timeout as exc:
        raise StoreLocked(
            f"Arkivet {Path(lock.lock_file).parent} uppdateras redan av en annan process; "
            "vänta tills den är klar och kör sedan kommandot igen."
        ) from exc


class ArchiveWriter:
    def __init__(
        self, settings: Settings, *, progress: bool = True, lock_wait: float = 0.0, store=None, embedder=None
    ) -> None:
        """`store` and `embedder` may be passed in by a process that already holds them (the web app)."""
        self.settings = settings
        self.progress = progress
        self.paths = store_paths(settings)
        self.lock = writer_lock(settings, lock_wait)
        self._store = store
        self._embedder = embedder

    # Heavy parts are loaded only when something must be written.
    def _components(self):
        if self._store is None:
            from granska.index.embed import embedder_fingerprint, make_embedder
            from granska.index.store import ChunkStore

            self._embedder = make_embedder(self.settings)
            self._store = ChunkStore(self.settings, embedder_fingerprint(self.settings))
        return self._store, self._embedder

    def ingest(self, paths: list[Path], remove_missing: bool = True, on_file=None) -> IngestReport:
        """Bring the archive in line with the given files and folders (incremental, idempotent)."""
        start = time.perf_counter()
        report = IngestReport()
        files = discover(paths)
        _acquire(self.lock)
        try:
            registry = Registry(self.paths["registry"])
            todo: list[tuple[Path, str]] = []
            for path in files:
                digest = file_hash(path)
                record = registry.documents.get(path.name)
                if record is not None and record.doc_id == digest:
                    report.unchanged.append(path.name)
                else:
                    todo.append((path, digest))
            gone = self._missing(registry, paths, files) if remove_missing else []
            lexical_fresh = self._lexical_state() == self._lexical_key(registry)
            if not todo and not gone and lexical_fresh:
                report.seconds = time.perf_counter() - start
                return report
            store, _ = self._components()
            self._drop_orphans(store, registry)
            for name in gone:
                store.delete_document(name)
                del registry.documents[name]
                registry.save()
                report.removed.append(name)
            self._ingest_files(todo, registry, report, on_file)
            self.rebuild_lexical(registry)
        finally:
            self.lock.release()
        report.seconds = time.perf_counter() - start
        return report

    def remove(self, name: str) -> bool:
        """Delete one document (by file name) from the store, the registry and the lexical index."""
        _acquire(self.lock)
        try:
            registry = Registry(self.paths["registry"])
            if name not in registry.documents:
                return False
            store, _ = self._components()
            store.delete_document(name)
            del registry.documents[name]
            registry.save()
            self.rebuild_lexical(registry)
            return True
        finally:
            self.lock.release()

    def _ingest_files(self, todo, registry: Registry, report: IngestReport, on_file) -> None:
        from tqdm import tqdm

        from granska.ingest.errors import IngestError
        from granska.ingest.pipeline import process_file

        store, embedder = self._components()
        bar = tqdm(todo, desc="Läser in", unit="fil", disable=not self.progress)
        for path, digest in bar:
            bar.set_postfix_str(path.name[:40])
            try:
                meta, chunks = process_file(path, digest)
            except IngestError as exc:
                report.failed.append((str(path), str(exc)))
                log.warning("%s: %s", path, exc)
                continue
            except Exception as exc:  # a parser bug must not stop the batch; say which file and why
                report.failed.append((str(path), f"oväntat fel vid läsning: {type(exc).__name__}: {exc}"))
                log.exception("%s: unexpected error", path)
                continue
            vectors = embedder.get_text_embedding_batch([c.embed_text() for c in chunks])
            existed = path.name in registry.documents
            store.delete_document(path.name)
            store.add(chunks, vectors)
            registry.documents[path.name] = DocumentRecord(
                document=path.name,
                doc_id=digest,
                path=str(path),
                organisation=meta.organisation,
                report_type=meta.report_type,
                period_start=meta.period_start,
                period_end=meta.period_end,
                title=meta.title,
                pages=max(c.page for c in chunks),
                chunks=len(chunks),
                ingested_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            )
            registry.save()
            (report.updated if existed else report.added).append(path.name)
            report.chunks_added += len(chunks)
            report.pages += max(c.page for c in chunks)
            if on_file is not None:
                on_file(path.name)

    @staticmethod
    def _missing(registry: Registry, roots: list[Path], files: list[Path]) -> list[str]:
        """Registered documents that lived under a given folder and are no longer there."""
        present = {p.name for p in files}
        folders = [Path(r).resolve() for r in roots if Path(r).is_dir()]
        gone = []
        for name, rec in registry.documents.items():
            path = Path(rec.path)
            if name not in present and not path.exists() and any(f in path.parents for f in folders):
                gone.append(name)
        return gone

    @staticmethod
    def _drop_orphans(store, registry: Registry) -> None:
        """Chunks of documents the registry does not hold (an interrupted earlier run) are removed."""
        for name, ids in store.ids_by_document().items():
            record = registry.documents.get(name)
            if record is None or len(ids) != record.chunks:
                log.info("Removing %d leftover chunks of %s", len(ids), name)
                store.delete_document(name)
                registry.documents.pop(name, None)
        registry.save()

    def _lexical_state(self) -> str | None:
        from granska.index.lexical import LexicalIndex

        state = LexicalIndex.read_state(self.paths["lexical"])
        return state.get("built_from") if state else None

    @staticmethod
    def _lexical_key(registry: Registry) -> str:
        """What the lexical index must have been built from: this registry state and analyser."""
        from granska.index.lexical import ANALYSER_VERSION

        return f"analyser={ANALYSER_VERSION};{registry.fingerprint()}"

    def rebuild_lexical(self, registry: Registry) -> None:
        from granska.index.lexical import LexicalIndex

        store, _ = self._components()
        chunks = sorted(store.all_chunks(), key=lambda c: (c.document, c.position))
        LexicalIndex.build(chunks).save(self.paths["lexical"], {"built_from": self._lexical_key(registry)})
