"""Helpers for the server, concurrency, crash and restore tests: a real `chroma run`, the real
`granska` command in subprocesses, and a small text corpus that ingests in seconds.

The corpus is made of the two smallest text extracts, copied under several names with one
distinct line each: identical bytes would give identical document ids (content hashes), and
these tests are about many *different* documents arriving, not about duplicates.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TXT

BIN = Path(sys.executable).parent
SMALL = ("halland-regionkontoret-manadsrapport-2018-09.txt", "halland-regionkontoret-manadsrapport-2020-02.txt")
HEARTBEAT = "/api/v2/heartbeat"  # chromadb 1.5.9 (the v1 path answers 410 Gone)
STARTUP_TIMEOUT = 60.0

def make_corpus(folder: Path, copies: int, start: int = 0) -> list[Path]:
    """`copies` small reports per source file, each with its own name and a distinct last line."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + copies):
        for name in SMALL:
            target = folder / name.replace(".txt", f"-kopia{i}.txt")
            target.write_text(
                (TXT / name).read_text(encoding="utf-8") + f"\nKopia {i} av rapporten för arkivtest.\n", encoding="utf-8"
            )
            out.append(target)
    return out


def granska_env(**extra: str) -> dict[str, str]:
    """The environment for `granska` subprocesses: offline switches, no inherited store settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANSKA_")}
    env.update(HF_HUB_OFFLINE="1", NO_PROXY="127.0.0.1,localhost", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def granska(*args: str | Path, timeout: float = 240.0, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `granska` command to completion (the way an operator runs it)."""
    return subprocess.run(
        [str(BIN / "granska"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=granska_env(**env),
    )


def start_granska(*args: str | Path, **env: str) -> subprocess.Popen[str]:
    """Start `granska` in its own process group, so that a test can kill it and all it started."""
    return subprocess.Popen(
        [str(BIN / "granska"), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=granska_env(**env),
        start_new_session=True,
    )


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process started with `start_new_session` and everything in its group."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ChromaServer:
    """A real `chroma run` from the installed chromadb, on loopback, stopped with its process group."""

    def __init__(self, path: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("w")
        self.proc = subprocess.Popen(
            [str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=granska_env(ANONYMIZED_TELEMETRY="False"),
            start_new_session=True,
        )
        self._wait_ready(log)

    def _wait_ready(self, log: Path) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + HEARTBEAT, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"chroma run did not answer {HEARTBEAT} within {STARTUP_TIMEOUT:.0f} s")

    def stop(self) -> None:
        kill_group(self.proc)
        self._log.close()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    root = tmp_path_factory.mktemp("chroma-server")
    server = ChromaServer(root / "data", root / "server.log")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clean_ids(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Chunk ids per document of an uninterrupted in-process ingest of `make_corpus(…, 2)`.

    Chunk ids are content hash + position, so any other store holding the same files
    completely and nothing else has exactly these ids.
    """
    from granska.index.builder import ArchiveWriter
    from granska.settings import Settings

    root = tmp_path_factory.mktemp("clean")
    files = make_corpus(root / "files", 2)
    settings = Settings.from_env(store=root / "store")
    report = ArchiveWriter(settings, progress=False).ingest([root / "files"])
    assert sorted(report.added) == sorted(p.name for p in files) and not report.failed
    return store_ids(settings)


def store_ids(settings) -> dict[str, set[str]]:
    """Chunk ids per document, read back from the vector store in a fresh process.

    A fresh process because chromadb keeps one cached client per store path per process: a client
    opened here before another process wrote to the same embedded store would answer from stale
    state (or fail), which is not what is being tested.
    """
    script = (
        "import json, sys; from pathlib import Path; from granska.settings import Settings; "
        "from granska.index.store import ChunkStore; "
        "s = Settings.from_env(store=Path(sys.argv[1])); "
        "ids = ChunkStore(s, s.embedder_fingerprint).ids_by_document(); "
        "print(json.dumps({k: sorted(v) for k, v in ids.items()}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(settings.store)], capture_output=True, text=True, timeout=120, env=granska_env()
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {name: set(ids) for name, ids in json.loads(done.stdout.splitlines()[-1]).items()}


def copy_folder(src: Path, dst: Path) -> None:
    """Copy keeping symlinks as symlinks (the lexical index is a symlink to its current version)."""
    shutil.copytree(src, dst, symlinks=True)


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory):
    """Settings of a store holding `make_corpus(…, 1)` (two small reports), ingested once; copy it
    (`copy_folder`) before changing it."""
    from granska.index.builder import ArchiveWriter
    from granska.settings import Settings

    root = tmp_path_factory.mktemp("small")
    make_corpus(root / "files", 1)
    settings = Settings.from_env(store=root / "store")
    report = ArchiveWriter(settings, progress=False).ingest([root / "files"])
    assert len(report.added) == 2 and not report.failed
    return settings
