"""Every answer reads one published index state, while other processes change the archive.

The real `granska ingest` and `granska docs remove` commands add, change and remove documents in
a store on a real Chroma server. Meanwhile an engine in this process and a running `granska chat`
(over its HTTP API) answer and search in a loop. Each answer and each search result reports the
generation of the state it was computed from; every cited passage must be of a document of that
generation, in that generation's version of it (chunk ids begin with the document's content
hash), as the builder published it. After each command the generation it published is recorded
and checked against the files themselves, and the test waits until both readers have answered
from it, so every generation is read. Bounded loops and generous timeouts, no timing assertions.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from granska.app.engine import Engine
from granska.index.builder import ArchiveWriter, store_paths
from granska.index.snapshot import load_state
from granska.ingest.pipeline import file_hash
from granska.settings import Settings
from tests.server.conftest import ChromaServer, free_port, granska, kill_group, make_corpus, start_granska

pytestmark = pytest.mark.slow

QUESTIONS = (
    "Vad är årsprognosen efter 9 månader 2018?",
    "Vad var den ekonomiska årsprognosen efter två månader 2020?",
    "Vad låg personalomsättningen på i februari 2020?",
)
SEARCH = "årsprognos"
MAX_ROUNDS = 5000  # per reader; each round is one question and one search
COMMAND_TIMEOUT = 300.0
READ_TIMEOUT = 240.0  # for a reader to answer from a newly published generation
STARTUP_TIMEOUT = 240.0

Cited = list[tuple[str, str]]  # (document, chunk id)


class Reader:
    """Asks and searches in a loop on its own thread, recording what each result cites."""

    def __init__(self, name: str, ask: Callable[[str], tuple[int, bool, Cited]], search: Callable[[str], list[tuple[int, str, str]]]) -> None:
        self.name, self._ask, self._search = name, ask, search
        self.answers: list[tuple[int, Cited]] = []  # (generation, cited)
        self.searches: list[tuple[set[int], Cited]] = []  # (generations of the hits, hits)
        self.answered = 0  # answers that were not refusals
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for i in range(MAX_ROUNDS):
            if self._stop.is_set():
                return
            try:
                generation, refused, cited = self._ask(QUESTIONS[i % len(QUESTIONS)])
                self.answered += not refused
                self.answers.append((generation, cited))
                hits = self._search(SEARCH)
                self.searches.append(({g for g, _, _ in hits}, [(d, c) for _, d, c in hits]))
            except BaseException as exc:  # noqa: BLE001 - a failure in the thread is the test's failure
                self.errors.append(exc)
                return

    def newest(self) -> int:
        return max((g for g, _ in self.answers), default=0)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=120)

    @property
    def stopped(self) -> bool:
        return not self._thread.is_alive()


def _engine_reader(engine: Engine) -> Reader:
    def ask(question: str):
        answer = engine.ask(question)
        return answer.generation, answer.refused, [(c.document, c.chunk_id) for c in answer.citations]

    def search(query: str):
        return [(h.generation, h.chunk.document, h.chunk.id) for h in engine.search(query, k=10)]

    return Reader("engine", ask, search)


def _http_reader(url: str) -> Reader:
    def ask(question: str):
        body = json.dumps({"question": question}).encode("utf-8")
        request = urllib.request.Request(url + "/api/ask", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as resp:
            answer = json.loads(resp.read())
        # The HTTP answer leaves out chunk ids; its passages are checked by document here, and
        # by chunk id through /api/search.
        return answer["generation"], answer["refused"], [(c["document"], "") for c in answer["citations"]]

    def search(query: str):
        with urllib.request.urlopen(f"{url}/api/search?q={urllib.parse.quote(query)}&k=10", timeout=120) as resp:
            return [(h["generation"], h["document"], h["id"]) for h in json.loads(resp.read())]

    return Reader("http", ask, search)


def _start_chat(store: Path, chroma_url: str):
    port = free_port()
    proc = start_granska("chat", "--store", store, "--port", str(port), "--chroma-url", chroma_url)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"granska chat exited with {proc.returncode}: {proc.stderr.read()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/api/documents", timeout=5) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            pass
        if time.monotonic() > deadline:
            kill_group(proc)
            raise AssertionError(f"granska chat did not answer within {STARTUP_TIMEOUT:.0f} s")
        time.sleep(0.5)


def _wait_until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + READ_TIMEOUT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_every_answer_and_search_reads_one_published_state(tmp_path):
    server = ChromaServer(tmp_path / "chroma", tmp_path / "chroma.log")
    chat = None
    readers: list[Reader] = []
    try:
        store, files = tmp_path / "store", tmp_path / "files"
        settings = Settings.from_env(store=store, chroma_url=server.url)
        paths = store_paths(settings)
        make_corpus(files, 1)
        assert len(ArchiveWriter(settings, progress=False).ingest([files]).added) == 2
        published: dict[int, dict[str, str]] = {}  # generation -> {document: content hash}, as the builder wrote it

        def record() -> int:
            state = load_state(paths["lexical"], paths["registry"])
            on_disk = {p.name: file_hash(p) for p in files.glob("*.txt")}
            assert {n: r.doc_id for n, r in state.documents.items()} == on_disk, f"generation {state.generation}"
            published[state.generation] = on_disk
            return state.generation

        record()
        chat, url = _start_chat(store, server.url)
        readers = [_engine_reader(Engine(settings)), _http_reader(url)]
        for reader in readers:
            reader.start()
        for reader in readers:  # the first generation is read before anything else is published
            _wait_until(lambda: reader.answers or reader.errors, f"{reader.name} to answer")

        def run(*args: str | Path) -> None:
            done = granska(*args, "--store", store, "--chroma-url", server.url, timeout=COMMAND_TIMEOUT)
            assert done.returncode == 0, done.stderr[-3000:]
            generation = record()
            for reader in readers:
                _wait_until(lambda: reader.newest() >= generation or reader.errors, f"{reader.name} to read generation {generation}")

        first, second = sorted(files.glob("*.txt"))
        make_corpus(files, 1, start=1)  # two new reports
        run("ingest", files, "--keep-missing")
        changed = sorted(files.glob("*kopia1.txt"))[0]  # a changed report: same name, new content
        changed.write_text(changed.read_text(encoding="utf-8") + "\nÅrsprognosen justeras i denna version.\n", encoding="utf-8")
        run("ingest", files, "--keep-missing")
        first.unlink()  # the removed report's file goes too, so that the files say what the archive holds
        run("docs", "remove", first.name)
        second.unlink()  # gone from its folder: the next ingest removes it, and adds two more
        make_corpus(files, 1, start=2)
        run("ingest", files)
    finally:
        for reader in readers:
            reader.stop()
        if chat is not None:
            kill_group(chat)
        server.stop()

    assert sorted(published) == [1, 2, 3, 4, 5]
    for reader in readers:
        assert reader.stopped, f"{reader.name}: the reader did not stop"
        assert not reader.errors, f"{reader.name}: {reader.errors[0]!r}"
        assert reader.answered, f"{reader.name}: every answer was a refusal"
        assert {g for g, _ in reader.answers} == set(published), reader.name  # and each was read
        for generation, cited in reader.answers:
            _assert_of_state(published, generation, cited, f"{reader.name} answer")
        for generations, hits in reader.searches:
            assert hits and len(generations) == 1, f"{reader.name}: one search mixed generations {generations}"
            _assert_of_state(published, generations.pop(), hits, f"{reader.name} search")


def _assert_of_state(published: dict[int, dict[str, str]], generation: int, cited: Cited, what: str) -> None:
    assert generation in published, f"{what}: generation {generation} was never published"
    documents = published[generation]
    for document, chunk_id in cited:
        assert document in documents, f"{what}: {document} is not in generation {generation}"
        assert chunk_id == "" or chunk_id.startswith(documents[document][:16]), (
            f"{what}: {chunk_id} is not generation {generation}'s version of {document}"
        )
