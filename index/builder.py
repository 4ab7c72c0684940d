"""Writes documents into the archive: vector store, registry and lexical index, in a crash-safe order.

Order per document: delete its old chunks -> add the new chunks -> record it in the registry.
The lexical index is rebuilt from the vector store at the end and published, with a snapshot of
the registry, as one new generation: the state readers answer from. A crash at any point leaves a state
the next run repairs: chunks not in the registry are removed, documents whose registry entry is
missing are re-ingested, and a lexical index built from another registry state is rebuilt.
One writer at a time: a lock file in the store folder. Every change is recorded in the store's
audit trail (granska.index.audit) under the name of the user who made it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from granska.index.audit import AuditEntry, AuditLog, cli_user, differences, metadata_of, period_text
from granska.index.corrections import Corrections
from granska.index.registry import DocumentRecord, Registry
from granska.index.store import StoreError
from granska.ingest.corrections import parse_period
from granska.ingest.pipeline import PIPELINE_VERSION, discover, file_hash
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
        "corrections": root / "corrections.json",
    }


def writer_lock(settings: Settings, wait: float = 0.0) -> FileLock:
    """The store's single-writer lock (FileLock creates the folder on acquire); `_acquire` raises
    `StoreLocked` with a clear message."""
    return FileLock(str(store_paths(settings)["lock"]), timeout=wait)


@contextmanager
def _writing(root: Path) -> Iterator[None]:
    """Turn a failed write (read-only folder, full disk, Chroma refusing) into one clear `StoreError`.

    What was written before the failure is consistent (see the module docstring), so the message
    can tell the user to fix the cause and run the command again.
    """
    try:
        yield
    except OSError as exc:
        name = Path(str(exc.filename)).resolve() if exc.filename else None
        if name is not None and root.resolve() not in (name, *name.parents):
            raise  # an input file, not the store: the caller reports it as such
        raise StoreError(_unwritable(root, f"{exc.strerror or exc} ({exc.filename or root})")) from exc
    except Exception as exc:
        from chromadb.errors import ChromaError

        if isinstance(exc, ChromaError):
            raise StoreError(_unwritable(root, f"vektorlagret: {exc}")) from exc
        raise


def _unwritable(root: Path, reason: str) -> str:
    return (
        f"Kunde inte skriva till arkivet i {root}: {reason}. Kontrollera att mappen är skrivbar och att "
        "disken inte är full, och kör sedan kommandot igen: redan inlästa dokument är oförändrade."
    )


def _acquire(lock: FileLock) -> None:
    try:
        lock.acquire()
    except OSError as exc:
        if not isinstance(exc, Timeout):  # Timeout is a TimeoutError, hence an OSError
            raise StoreError(_unwritable(Path(lock.lock_file).parent, f"{exc.strerror or exc}")) from exc
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
        self.audit = AuditLog(self.paths["root"])

    # The embedding model (the heavy part) is loaded only when something must be written.
    def _components(self):
        store = self._vector_store()
        if self._embedder is None:
            from granska.index.embed import make_embedder

            self._embedder = make_embedder(self.settings)
        return store, self._embedder

    def _vector_store(self):
        if self._store is None:
            from granska.index.store import ChunkStore

            self._store = ChunkStore(self.settings, self.settings.embedder_fingerprint)
        return self._store

    def _store_matches(self, registry: Registry) -> bool:
        """The vector store holds as many chunks as the registry says (checked without the model).

        Catches a vector store and store folder that do not belong together, e.g. restored from
        backups taken at different times, so that even a run with no changed files repairs them.
        """
        return self._vector_store().count() == sum(rec.chunks for rec in registry.documents.values())

    def ingest(self, paths: list[Path], remove_missing: bool = True, on_file=None, *, user: str | None = None,
               upload: bool = False) -> IngestReport:
        """Bring the archive in line with the given files and folders (incremental, idempotent).

        A new file, or one whose content changed, is audited as `user`'s (default: the CLI's OS
        user) "ingest" or "reingest", or as "upload" when it came through the web app. A rebuild
        of unchanged content (a correction applied, a pipeline upgrade) is not: the correction
        has its own entry, and an upgrade changes nobody's data.
        """
        start = time.perf_counter()
        user = user or cli_user()
        action = "upload" if upload else None
        report = IngestReport()
        files = discover(paths)
        _acquire(self.lock)
        with _writing(self.paths["root"]):
            try:
                registry = Registry(self.paths["registry"])
                corrections = Corrections(self.paths["corrections"])
                todo: list[tuple[Path, str]] = []
                for path in files:
                    digest = file_hash(path)
                    record = registry.documents.get(path.name)
                    if (record is not None and record.doc_id == digest and record.pipeline == PIPELINE_VERSION
                            and record.corrected == corrections.get(path.name)):
                        report.unchanged.append(path.name)
                    else:
                        todo.append((path, digest))
                gone = self._missing(registry, paths, files) if remove_missing else []
                lexical_fresh = self._lexical_state() == self._lexical_key(registry)
                if not todo and not gone and lexical_fresh and self._store_matches(registry):
                    report.seconds = time.perf_counter() - start
                    return report
                store, _ = self._components()
                dropped = self._drop_orphans(store, registry)
                for path in files:  # registered as unchanged, but its chunks were incomplete: redo it
                    if path.name in dropped and path.name in report.unchanged:
                        report.unchanged.remove(path.name)
                        todo.append((path, file_hash(path)))
                for name in gone:
                    store.delete_document(name)
                    record = registry.documents.pop(name)
                    registry.save()
                    report.removed.append(name)
                    self.audit.append([AuditEntry(user, "remove", name, record.doc_id)])
                self._ingest_files(todo, registry, corrections, report, on_file, user, action)
                self.rebuild_lexical(registry)
            finally:
                self.lock.release()
        report.seconds = time.perf_counter() - start
        return report

    def correct(self, name: str, *, user: str | None = None, **fields: str | None) -> tuple[dict[str, str], IngestReport | None]:
        """Record a user's correction of a document's metadata and rebuild that document with it.

        Returns the document's whole correction and the ingest report; the report is None when
        the file is no longer where it was ingested from (the correction then applies the next
        time it is ingested). Raises KeyError for a document the archive does not hold. Audited
        as "correct" by `user` (default: the CLI's OS user).
        """
        _acquire(self.lock)
        try:
            registry = Registry(self.paths["registry"])
            if name not in registry.documents:
                raise KeyError(name)
            corrections = Corrections(self.paths["corrections"])
            correction = corrections.set(name, **fields)
            corrections.save()
            self.audit.append([_correction_entry(registry, name, correction, fields, user or cli_user())])
        finally:
            self.lock.release()
        path = Path(registry.documents[name].path)
        if not path.exists():
            return correction, None
        return correction, self.ingest([path], remove_missing=False, user=user)

    def read_corrections(self, file: Path, *, user: str | None = None) -> list[str]:
        """Corrections from a metadata file (see `Corrections.read_file`), saved and audited one
        "correct" per document; they are applied by the next ingest. Returns the names set."""
        _acquire(self.lock)
        try:
            registry = Registry(self.paths["registry"])
            corrections = Corrections(self.paths["corrections"])
            given = corrections.read_file(file)
            corrections.save()
            self.audit.append([_correction_entry(registry, name, corrections.get(name), fields, user or cli_user())
                               for name, fields in given.items()])
        finally:
            self.lock.release()
        return list(given)

    def remove(self, name: str, *, user: str | None = None) -> bool:
        """Delete one document (by file name) from the store, the registry and the lexical index;
        audited as `user`'s (default: the CLI's OS user) "remove"."""
        _acquire(self.lock)
        with _writing(self.paths["root"]):
            try:
                registry = Registry(self.paths["registry"])
                if name not in registry.documents:
                    return False
                store, _ = self._components()
                store.delete_document(name)
                record = registry.documents.pop(name)
                registry.save()
                self.rebuild_lexical(registry)
                self.audit.append([AuditEntry(user or cli_user(), "remove", name, record.doc_id)])
                return True
            finally:
                self.lock.release()

    def _ingest_files(self, todo, registry: Registry, corrections: Corrections, report: IngestReport, on_file,
                      user: str, action: str | None) -> None:
        """Parse the files (ahead, in worker processes: granska.ingest.parallel) and embed and
        write each in turn, so the cores parse the next report while this one embeds."""
        from tqdm import tqdm

        from granska.ingest.errors import IngestError
        from granska.ingest.parallel import parse_files

        store, embedder = self._components()
        work = ((path, digest, corrections.get(path.name)) for path, digest in todo)
        with (closing(parse_files(work, self.settings.ingest_workers)) as parsed,
              tqdm(total=len(todo), desc="Läser in", unit="fil", disable=not self.progress) as bar):
            for path, digest, result in parsed:
                bar.update()
                bar.set_postfix_str(path.name[:40])
                if isinstance(result, IngestError):
                    report.failed.append((str(path), str(result)))
                    log.warning("%s: %s", path, result)
                    continue
                if isinstance(result, BaseException):  # a parser bug must not stop the batch; say which file and why
                    report.failed.append((str(path), f"oväntat fel vid läsning: {type(result).__name__}: {result}"))
                    log.error("%s: unexpected error: %r\n%s", path, result, "".join(getattr(result, "__notes__", [])))
                    continue
                meta, chunks = result
                vectors = embedder.get_text_embedding_batch([c.embed_text() for c in chunks])
                self._write_document(store, registry, corrections, path, digest, meta, chunks, vectors, report,
                                     user, action)
                if on_file is not None:
                    on_file(path.name)

    def _write_document(self, store, registry: Registry, corrections: Corrections, path: Path, digest: str, meta,
                        chunks, vectors, report: IngestReport, user: str, action: str | None) -> None:
        """One document's chunks into the vector store, then its registry entry (the crash-safe
        order of the module docstring), then its audit entry."""
        previous = registry.documents.get(path.name)
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
            pipeline=PIPELINE_VERSION,
            provenance={k: v.to_dict() for k, v in meta.provenance.items()},
            corrected=corrections.get(path.name),
        )
        registry.save()
        (report.updated if previous else report.added).append(path.name)
        if previous is None or previous.doc_id != digest:
            self.audit.append([_ingest_entry(previous, registry.documents[path.name], user, action)])
        report.chunks_added += len(chunks)
        report.pages += max(c.page for c in chunks)

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
    def _drop_orphans(store, registry: Registry) -> set[str]:
        """Remove chunks of documents the registry does not hold (an interrupted earlier run), and
        registry entries whose chunks are not all in the store (a vector store restored from an
        older backup than the store folder); returns the names dropped, so they can be redone."""
        held = store.ids_by_document()
        dropped: set[str] = set()
        for name, ids in held.items():
            record = registry.documents.get(name)
            if record is None or len(ids) != record.chunks:
                log.info("Removing %d leftover chunks of %s", len(ids), name)
                store.delete_document(name)
                registry.documents.pop(name, None)
                dropped.add(name)
        for name in [n for n, rec in registry.documents.items() if rec.chunks and n not in held]:
            log.info("%s is registered but has no chunks in the vector store; it will be read again", name)
            del registry.documents[name]
            dropped.add(name)
        registry.save()
        return dropped

    def _lexical_state(self) -> str | None:
        from granska.index.lexical import LexicalIndex

        state = LexicalIndex.read_state(self.paths["lexical"])
        return state.get("built_from") if state else None

    @staticmethod
    def _lexical_key(registry: Registry) -> str:
        """What the lexical index must have been built from: this registry state and analyser."""
        from granska.index.lexical import analyser_version

        return f"analyser={analyser_version()};{registry.fingerprint()}"

    def rebuild_lexical(self, registry: Registry) -> None:
        """Rebuild the lexical index from the vector store and publish it with a snapshot of the
        registry as the next generation: the state readers see (see granska.index.snapshot)."""
        from granska.index.lexical import LexicalIndex
        from granska.index.snapshot import publish

        store, _ = self._components()
        chunks = sorted(store.all_chunks(), key=lambda c: (c.document, c.position))
        publish(self.paths["lexical"], LexicalIndex.build(chunks), registry, self._lexical_key(registry))


def _ingest_entry(previous: DocumentRecord | None, record: DocumentRecord, user: str, action: str | None) -> AuditEntry:
    """A file read in: what its content hash and metadata were before (None when new) and are now."""
    old = {"sha256": previous.doc_id, **metadata_of(previous)} if previous else {}
    changes = differences(old, {"sha256": record.doc_id, **metadata_of(record)})
    return AuditEntry(user, action or ("reingest" if previous else "ingest"), record.document, record.doc_id, changes)


def _correction_entry(registry: Registry, name: str, correction: dict[str, str], given: dict[str, str | None],
                      user: str) -> AuditEntry:
    """A correction: the fields given this time, from the values the document had to the corrected ones."""
    record = registry.documents.get(name)
    new = {k: correction[k] for k, v in given.items() if v and v.strip() and k in correction}
    if "period" in new:
        new["period"] = period_text(*parse_period(new["period"]))
    return AuditEntry(user, "correct", name, record.doc_id if record else None,
                      differences(metadata_of(record) if record else {}, new))
