"""Crash safety: ingests killed with SIGKILL at random points, a lexical index killed mid-save,
readers during repeated saves, a read-only store and a full disk.

Random points come from a seeded generator; the seed is in the assertion messages, so a failure
can be replayed with GRANSKA_CRASH_SEED.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from granska.index.lexical import LexicalIndex
from granska.index.registry import Registry
from granska.settings import Settings
from tests.server.conftest import (
    copy_folder,
    granska,
    granska_env,
    kill_group,
    make_corpus,
    start_granska,
    store_ids,
)


SEED = int(os.environ.get("GRANSKA_CRASH_SEED", time.time_ns() % 1_000_000))


def _registered(store: Path) -> int:
    path = store / "registry.json"
    return len(Registry(path).documents) if path.exists() else 0


def _run_and_kill(args: list, when, timeout: float = 180.0) -> bool:
    """Start `granska ingest`, SIGKILL it once `when()` is true; False if it finished first."""
    proc = start_granska(*args)
    deadline = time.monotonic() + timeout
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if when():
                return True
            time.sleep(0.02)
        assert proc.poll() is not None, "the ingest neither reached the kill point nor finished"
        assert proc.returncode == 0, proc.stderr.read()[-2000:]
        return False
    finally:
        kill_group(proc)


def _after(seconds: float, then=lambda: True):
    """A kill condition: `then()` has held for `seconds` (so the kill lands somewhere after that point)."""
    since: list[float] = []

    def when() -> bool:
        if not since and then():
            since.append(time.monotonic())
        return bool(since) and time.monotonic() - since[0] >= seconds

    return when


def _assert_registry_never_overclaims(store: Path, clean_ids: dict[str, set[str]], note: str) -> None:
    """Every document the registry holds is completely in the vector store (the crash-safe order)."""
    held = store_ids(Settings.from_env(store=store))
    for name in Registry(store / "registry.json").documents:
        assert held.get(name) == clean_ids[name], f"{note}: {name} registered but its chunks differ"


@pytest.mark.slow
def test_killed_ingests_are_repaired_by_the_next_run(clean_ids, tmp_path):
    rng = random.Random(SEED)
    make_corpus(tmp_path / "files", 2)  # the same four reports as the clean run
    store = tmp_path / "store"
    args = ["ingest", tmp_path / "files", "--store", store]
    kills = [
        ("during start-up", _after(rng.uniform(0.5, 4.0))),
        ("after the first report", _after(rng.uniform(0.0, 1.0), lambda: _registered(store) >= 1)),
        ("after the third report", _after(rng.uniform(0.0, 0.5), lambda: _registered(store) >= 3)),
    ]
    for label, when in kills:
        killed = _run_and_kill(args, when)
        if (store / "registry.json").exists():
            _assert_registry_never_overclaims(store, clean_ids, f"seed {SEED}, killed {label} ({killed})")
    done = granska(*args)
    assert done.returncode == 0, f"seed {SEED}: {done.stderr[-2000:]}"

    settings = Settings.from_env(store=store)
    assert store_ids(settings) == clean_ids, f"seed {SEED}"
    registry = Registry(store / "registry.json")
    assert {n: r.chunks for n, r in registry.documents.items()} == {n: len(i) for n, i in clean_ids.items()}
    lexical = LexicalIndex.load(store / "lexical")
    assert sorted(c.id for c in lexical.chunks) == sorted(i for ids in clean_ids.values() for i in ids)
    again = granska(*args)
    assert "4 oförändrade" in again.stdout and "0 tillagda" in again.stdout


_SAVER = """
import sys, json
from pathlib import Path
from granska.index.lexical import LexicalIndex
from granska.ingest.pipeline import file_hash, process_file

folder, files = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
chunks = [c for f in files for c in process_file(f, file_hash(f))[1]]
indexes = [LexicalIndex.build(chunks[:n]) for n in (len(chunks) // 2, len(chunks))]
print("ready", flush=True)
i = 0
while True:
    index = indexes[i % 2]
    index.save(folder, {"n": len(index.chunks)})
    i += 1
"""


def _start_saver(folder: Path, files: list[Path]) -> subprocess.Popen:
    """A process that saves two alternating lexical indexes into `folder` as fast as it can."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SAVER, str(folder), *map(str, files)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=granska_env(),
        start_new_session=True,
    )
    assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
    return proc


def test_lexical_save_killed_midway_leaves_a_complete_index(tmp_path, monkeypatch):
    rng = random.Random(SEED)
    files = make_corpus(tmp_path / "files", 1)
    folder = tmp_path / "store" / "lexical"
    for round_no in range(3):
        saver = _start_saver(folder, files)
        time.sleep(rng.uniform(0.05, 0.8))
        kill_group(saver)
        state = LexicalIndex.read_state(folder)
        note = f"seed {SEED}, round {round_no}"
        assert state is not None or round_no == 0, f"{note}: the index vanished"
        if state is not None:
            assert len(LexicalIndex.load(folder).chunks) == state["n"], note
    monkeypatch.setattr("granska.index.lexical.SUPERSEDED_GRACE", 0.0)  # no reader is left to wait for
    LexicalIndex.build([]).save(folder, {"n": 0})
    left = sorted(p.name for p in folder.parent.iterdir())
    assert left == ["lexical", os.readlink(folder)], f"leftovers of killed saves were not removed: {left}"
    assert LexicalIndex.read_state(folder) == {"n": 0}


def test_readers_never_see_a_half_written_index(tmp_path):
    files = make_corpus(tmp_path / "files", 1)
    folder = tmp_path / "store" / "lexical"
    LexicalIndex.build([]).save(folder, {"n": 0})
    LexicalIndex.load(folder).search("årsprognos", 3)  # warm up imports before timing the loop
    saver = _start_saver(folder, files)
    sizes: set[int] = set()
    loads = 0
    try:
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline and (loads < 60 or len(sizes - {0}) < 2):
            state = LexicalIndex.read_state(folder)
            assert state is not None, "the index was missing between two saves"
            index = LexicalIndex.load(folder)
            sizes.add(len(index.chunks))
            loads += 1
            assert index.search("årsprognos", 3) or not index.chunks
    finally:
        kill_group(saver)
    assert loads >= 10 and len(sizes - {0}) == 2, (loads, sizes)  # both alternating versions seen


@pytest.mark.slow
def test_engine_answers_unchanged_during_repeated_saves(small_store, tmp_path):
    """The engine reloads on every save (state.json changes) and must keep answering the same."""
    from granska.app.engine import Engine

    store = tmp_path / "store"
    copy_folder(small_store.store, store)
    engine = Engine(Settings.from_env(store=store))
    question = "Vad är årsprognosen efter 9 månader 2018?"
    expected = engine.ask(question).to_dict()
    script = (
        "import sys; from pathlib import Path; from granska.index.lexical import LexicalIndex as L; "
        "f = Path(sys.argv[1]); s = L.read_state(f); i = L.load(f); print('ready', flush=True)\n"
        "while True: i.save(f, s)"
    )
    saver = subprocess.Popen(
        [sys.executable, "-c", script, str(store / "lexical")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=granska_env(), start_new_session=True,
    )
    try:
        assert saver.stdout.readline().strip() == "ready", saver.stderr.read()[-2000:]
        reloads = 0
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            before = engine.state()
            got = engine.ask(question).to_dict()
            reloads += engine.state() is not before
            assert (got["answer"], got["citations"]) == (expected["answer"], expected["citations"])
    finally:
        kill_group(saver)
    assert reloads >= 3, "the engine never reloaded the index during the saves"


# -- unwritable stores --------------------------------------------------------------------------


def _mount(*args: str) -> bool:
    """Run mount as root; False where that is not allowed (then the test is skipped)."""
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(target: Path) -> None:
    if subprocess.run(["umount", str(target)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _assert_clear_failure(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Kunde inte skriva till arkivet" in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


def test_store_path_that_is_a_file_gives_a_clear_error(tmp_path):
    files = make_corpus(tmp_path / "files", 1)
    (tmp_path / "store").write_text("not a folder")
    done = granska("ingest", files[0], "--store", tmp_path / "store")
    _assert_clear_failure(done)


@pytest.mark.slow
def test_read_only_store_gives_a_clear_error(small_store, tmp_path):
    """A read-only bind mount (chmod does not stop root): ingest refuses clearly, reading still works."""
    source, mounted = tmp_path / "source", tmp_path / "ro"
    copy_folder(small_store.store, source)
    mounted.mkdir()
    if not _mount("--bind", "-o", "ro", str(source), str(mounted)):
        pytest.skip("needs root to make a read-only bind mount")
    try:
        files = make_corpus(tmp_path / "files", 1, start=5)
        _assert_clear_failure(granska("ingest", files[0], "--store", mounted))
        listed = granska("docs", "list", "--json", "--store", mounted)
        assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 2
        # The embedded Chroma database cannot even be opened read-only (SQLite writes on open).
        searched = granska("search", "årsprognos", "--store", mounted)
        assert searched.returncode == 2 and "Kunde inte öppna vektorlagret" in searched.stderr
        assert "Traceback" not in searched.stderr
    finally:
        _umount(mounted)


@pytest.mark.slow
def test_full_disk_fails_clearly_and_the_rerun_completes(clean_ids, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=400k", "tmpfs", str(disk)):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        files = make_corpus(tmp_path / "files", 1)  # copy 0 of both reports: also in the clean run
        store = disk / "store"
        _assert_clear_failure(granska("ingest", tmp_path / "files", "--store", store))
        assert _registered(store) < 2
        assert subprocess.run(["mount", "-o", "remount,size=64m", str(disk)]).returncode == 0
        done = granska("ingest", tmp_path / "files", "--store", store)
        assert done.returncode == 0, done.stderr[-2000:]
        assert store_ids(Settings.from_env(store=store)) == {p.name: clean_ids[p.name] for p in files}
    finally:
        _umount(disk)
