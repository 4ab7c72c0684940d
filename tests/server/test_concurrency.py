"""Readers and writers at the same time: an engine answering while another process ingests, and
two ingest processes started on one store."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from granska.app.engine import Engine
from granska.index.builder import ArchiveWriter
from granska.index.lexical import LexicalIndex
from granska.index.registry import Registry
from granska.settings import Settings
from tests.server.conftest import ChromaServer, copy_folder, granska, kill_group, make_corpus, start_granska, store_ids

pytestmark = pytest.mark.slow

READER_DEADLINE = 240.0  # seconds; the ingest normally ends long before
MAX_ITERATIONS = 2000


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["server", "embedded"])
def test_reader_answers_consistently_while_another_process_ingests(mode, small_store, tmp_path):
    store = tmp_path / "store"
    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log") if mode == "server" else None
    try:
        if server is None:
            copy_folder(small_store.store, store)
            settings = Settings.from_env(store=store)
        else:
            settings = Settings.from_env(store=store, chroma_url=server.url)
            make_corpus(tmp_path / "base", 1)
            assert len(ArchiveWriter(settings, progress=False).ingest([tmp_path / "base"]).added) == 2
        _read_while_ingesting(settings, tmp_path, mode)
    finally:
        if server is not None:
            server.stop()


def _read_while_ingesting(settings: Settings, tmp_path: Path, mode: str) -> None:
    store = settings.store
    base = sorted(Registry(store / "registry.json").documents)[0]  # the 2018-09 report, copy 0
    engine = Engine(settings)
    question, scope = "Vad är årsprognosen efter 9 månader 2018?", {"document": base}
    expected = engine.ask(question, filters=scope).to_dict()
    expected_hits = [h.chunk.id for h in engine.search("årsprognos", k=5, filters=scope)]
    assert not expected["refused"], expected["answer"]

    new = make_corpus(tmp_path / "new", 1, start=1)
    errors: list[BaseException] = []
    answers: list[str] = []
    stop = threading.Event()

    def read() -> None:
        for _ in range(MAX_ITERATIONS):
            if stop.is_set():
                return
            try:
                got = engine.ask(question, filters=scope).to_dict()
                hits = [h.chunk.id for h in engine.search("årsprognos", k=5, filters=scope)]
                answers.append(got["answer"])
                assert (got["answer"], got["citations"], got["figures"]) == (
                    expected["answer"], expected["citations"], expected["figures"]
                )
                # The same passages; their order may shift, because BM25's statistics (idf, mean
                # length) legitimately change as the other documents arrive.
                assert sorted(hits) == sorted(expected_hits)
            except BaseException as exc:  # noqa: BLE001 - every failure in the thread is the test's failure
                errors.append(exc)
                return

    reader = threading.Thread(target=read, daemon=True)
    writer = start_granska("ingest", tmp_path / "new", "--store", store, "--keep-missing", *_url(settings))
    reader.start()
    try:
        out, err = writer.communicate(timeout=READER_DEADLINE)
    finally:
        stop.set()
        reader.join(timeout=60)
        kill_group(writer)
    assert writer.returncode == 0, err[-3000:]
    assert not errors, errors[0]
    assert len(answers) >= 3, "the reader barely ran while the ingest was going on"

    # After the ingest the same engine sees the new documents, in both retrievers.
    documents = {d.document for d in engine.documents()}
    assert documents == set(Registry(store / "registry.json").documents)
    assert {p.name for p in new} <= documents and base in documents
    assert len(engine.state().lexical.chunks) == engine.store.count()
    assert engine.ask(question, filters=scope).to_dict()["answer"] == expected["answer"]
    newest = new[-1].name
    try:
        dense = engine.store.query(engine.embedder.get_query_embedding("årsprognos"), 3, _only(newest))
    except Exception as exc:
        from chromadb.errors import ChromaError

        if mode == "embedded" and isinstance(exc, ChromaError):
            pytest.xfail(
                "an engine's embedded Chroma client does not see vectors another process added "
                f"({exc}); several processes need a Chroma server (docs/operations.md)"
            )
        raise
    assert dense and {chunk.document for chunk, _ in dense} == {newest}


def _url(settings: Settings) -> list[str]:
    return ["--chroma-url", settings.chroma_url] if settings.chroma_url else []


def _only(document: str):
    from granska.index.retrieve import Filters

    return Filters(document=(document,)).to_metadata_filters()


def test_two_ingests_at_once_one_waits_and_the_store_ends_clean(clean_ids, tmp_path):
    make_corpus(tmp_path / "files", 2)  # the same four reports as the clean run
    store = tmp_path / "store"
    first = start_granska("ingest", tmp_path / "files", "--store", store)
    try:
        # Start the second once the first holds the lock and is writing (its vector store exists).
        _wait_for(lambda: (store / "chroma").exists() or first.poll() is not None, 120, "the first ingest to start")
        second = granska("ingest", tmp_path / "files", "--store", store, timeout=120)
        out, err = first.communicate(timeout=300)
    finally:
        kill_group(first)
    assert first.returncode == 0, err[-3000:]
    if second.returncode == 0:  # only if the first finished before the second looked: nothing left to do
        assert "0 tillagda" in second.stdout and "4 oförändrade" in second.stdout
    else:
        assert second.returncode == 3, second.stderr[-2000:]
        assert "uppdateras redan" in second.stderr and "Traceback" not in second.stderr

    settings = Settings.from_env(store=store)
    assert store_ids(settings) == clean_ids
    registry = Registry(store / "registry.json")
    assert {name: rec.chunks for name, rec in registry.documents.items()} == {n: len(i) for n, i in clean_ids.items()}
    lexical = LexicalIndex.load(Path(store) / "lexical")
    assert sorted(c.id for c in lexical.chunks) == sorted(i for ids in clean_ids.values() for i in ids)
