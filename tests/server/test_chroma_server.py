"""Chroma server mode: a real `chroma run`, granska pointed at it with --chroma-url / GRANSKA_CHROMA_URL.

The registry and lexical index stay in the --store folder, so several app instances share one
Chroma server plus one store folder; these tests check that this gives the same answers as the
embedded store and that every instance sees what any writer ingested.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace

import pytest

from granska.app.engine import Engine
from granska.settings import Settings
from tests.conftest import SAMPLE
from tests.server.conftest import HEARTBEAT, ChromaServer, granska, make_corpus

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?",  # figure in text
    "Prognos budgetavvikelse i tkr enligt prognosindikatorn, oktober 2020?",  # table figure
    "Varför har sjukfrånvaron på Regionkontoret inte ökat under pandemin?",  # why
    "Vilka investeringar sköts upp till 2021?",  # list
    "Jämför årsprognosen för 2020 i feb- och okt-rapporten",  # comparison over two reports
    "Vad var Regionkontorets årsprognos i mars 2020?",  # refusal: not in the archive
    "Hur hög är sjukfrånvaron på Regionkontoret?",  # no period: per-report answers
    "årsprognos efter 9 månader 2018?",
]


def _essence(answer) -> dict:
    """What a user sees: the text, each citation's report and page, and the figures."""
    data = answer.to_dict()
    return {
        "answer": data["answer"],
        "refused": data["refused"],
        "citations": [(c["document"], c["page"]) for c in data["citations"]],
        "figures": data["figures"],
    }


@pytest.fixture(scope="module")
def server_store(chroma_server, tmp_path_factory) -> Settings:
    """The sample archive ingested through the server by the CLI, into its own store folder."""
    store = tmp_path_factory.mktemp("server-store")
    done = granska("ingest", SAMPLE, "--store", store, "--chroma-url", chroma_server.url, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 tillagda" in done.stdout
    assert not (store / "chroma").exists(), "with a server, no embedded Chroma may be created in the store folder"
    return Settings.from_env(store=store, chroma_url=chroma_server.url)


def test_heartbeat_path(chroma_server):
    import urllib.request

    with urllib.request.urlopen(chroma_server.url + HEARTBEAT, timeout=5) as resp:
        assert "nanosecond heartbeat" in json.loads(resp.read())


def test_server_answers_equal_embedded_answers(server_store, sample_store, engine):
    served = Engine(server_store)
    assert served.store.count() == engine.store.count()
    for question in QUESTIONS:
        assert _essence(served.ask(question)) == _essence(engine.ask(question)), question
    hits = [(h.chunk.id, h.chunk.page) for h in served.search("119 695", k=5)]
    assert hits == [(h.chunk.id, h.chunk.page) for h in engine.search("119 695", k=5)]


def test_cli_commands_use_the_server(server_store, chroma_server):
    """ask and search through the CLI read the server (the store folder has no chroma/ to fall back on)."""
    url = chroma_server.url
    asked = granska("ask", QUESTIONS[0], "--json", "--store", server_store.store, "--chroma-url", url)
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert json.loads(asked.stdout)["citations"]
    found = granska("search", "119 695", "-k", "3", "--json", "--store", server_store.store, GRANSKA_CHROMA_URL=url)
    assert found.returncode == 0, found.stderr[-2000:]
    assert json.loads(found.stdout)
    down = granska("ask", QUESTIONS[0], "--store", server_store.store, "--chroma-url", "http://127.0.0.1:9")
    assert down.returncode == 2 and "svarar inte" in down.stderr and "Traceback" not in down.stderr


def test_instances_see_a_document_ingested_by_another_process(tmp_path):
    """Two engines on one server + store folder pick up a third process's ingest (state.json changes).

    Its own server: a store folder owns its collection (an ingest removes chunks its registry does
    not know), so two store folders must never share one collection on one server.
    """
    server = ChromaServer(tmp_path / "chroma", tmp_path / "server.log")
    try:
        settings = Settings.from_env(store=tmp_path / "store", chroma_url=server.url)
        first, second = make_corpus(tmp_path / "src", 1)
        folder = tmp_path / "files"
        folder.mkdir()
        shutil.copy(first, folder / first.name)
        done = granska("ingest", folder, "--store", settings.store, GRANSKA_CHROMA_URL=server.url)
        assert done.returncode == 0, done.stderr[-2000:]
        a, b = Engine(settings), Engine(settings)
        assert {d.document for d in a.documents()} == {d.document for d in b.documents()} == {first.name}
        shutil.copy(second, folder / second.name)
        done = granska("ingest", folder, "--store", settings.store, "--chroma-url", server.url)
        assert done.returncode == 0, done.stderr[-2000:]
        for engine in (a, b):
            assert {d.document for d in engine.documents()} == {first.name, second.name}
            hits = engine.search("Kopia 0 av rapporten", k=5, filters={"document": second.name})
            assert hits and {h.chunk.document for h in hits} == {second.name}
            assert len(engine.state().lexical.chunks) == engine.store.count()
        _read_only_reader(settings, tmp_path / "ro")
    finally:
        server.stop()


def _read_only_reader(settings: Settings, mounted) -> None:
    """With a server, an instance only reads the store folder, so a read-only mount serves."""
    mounted.mkdir()
    if os.geteuid() != 0 or subprocess.run(
        ["mount", "--bind", "-o", "ro", str(settings.store), str(mounted)], capture_output=True
    ).returncode != 0:
        return  # needs root; the rest of the test has run
    try:
        reader = Engine(replace(settings, store=mounted))
        assert len(reader.documents()) == 2
        assert reader.search("Kopia 0 av rapporten", k=3)
    finally:
        if subprocess.run(["umount", str(mounted)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mounted)], capture_output=True)
