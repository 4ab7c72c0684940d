"""Backup and restore exactly as docs/operations.md describes them, on the sample archive."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from granska.index.registry import Registry
from granska.settings import Settings
from tests.conftest import SAMPLE
from tests.server.conftest import granska, granska_env, kill_group, store_ids

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?",
    "Vilka investeringar sköts upp till 2021?",
    "Vad var Regionkontorets årsprognos i mars 2020?",
    "Hur hög är sjukfrånvaron på Regionkontoret?",
]


def _essence(data: dict) -> tuple:
    return data["answer"], [(c["document"], c["page"]) for c in data["citations"]], data["figures"]


def _hold_writer_lock(store) -> subprocess.Popen:
    """`flock STORE/.ingest.lock …`: the operator's way to keep writers out during a backup."""
    proc = subprocess.Popen(
        ["flock", str(store / ".ingest.lock"), "sleep", "120"], start_new_session=True
    )
    time.sleep(0.5)
    return proc


def test_backup_delete_restore_gives_the_same_answers(sample_store, engine, tmp_path):
    live, backup = tmp_path / "store", tmp_path / "backup"
    subprocess.run(["cp", "-a", str(sample_store.store), str(live)], check=True)

    # While the backup holds the writer lock, an ingest is refused (exit 3), not interleaved.
    holder = _hold_writer_lock(live)
    try:
        refused = granska("ingest", SAMPLE, "--store", live)
        assert refused.returncode == 3 and "uppdateras redan" in refused.stderr
        subprocess.run(["cp", "-a", str(live), str(backup)], check=True)
    finally:
        kill_group(holder)

    shutil.rmtree(live)
    subprocess.run(["cp", "-a", str(backup), str(live)], check=True)

    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps({"id": str(i), "question": q}) + "\n" for i, q in enumerate(QUESTIONS)))
    asked = granska("ask", "--file", questions, "--json", "--store", live)
    assert asked.returncode == 0, asked.stderr[-2000:]
    restored = [json.loads(line) for line in asked.stdout.splitlines() if line.startswith("{")]
    assert [_essence(a) for a in restored] == [_essence(engine.ask(q).to_dict()) for q in QUESTIONS]
    again = granska("ingest", SAMPLE, "--store", live)
    assert again.returncode == 0 and "5 oförändrade" in again.stdout and "0 tillagda" in again.stdout


def test_vector_store_older_than_the_registry_is_repaired(small_store, tmp_path):
    """A restore that pairs a store folder with an older vector store: the next ingest re-reads
    the documents the vector store lacks, even though their files did not change."""
    store = tmp_path / "store"
    subprocess.run(["cp", "-a", str(small_store.store), str(store)], check=True)
    victim = sorted(Registry(store / "registry.json").documents)[0]
    script = (
        "import sys; from pathlib import Path; from granska.settings import Settings; "
        "from granska.index.store import ChunkStore; "
        "s = Settings.from_env(store=Path(sys.argv[1])); ChunkStore(s, s.embedder_fingerprint).delete_document(sys.argv[2])"
    )
    subprocess.run([sys.executable, "-c", script, str(store), victim], check=True, env=granska_env(), timeout=120)
    files = small_store.store.parent / "files"
    done = granska("ingest", files, "--store", store)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 tillagda" in done.stdout and "1 oförändrade" in done.stdout, done.stdout
    assert store_ids(Settings.from_env(store=store)) == store_ids(small_store)
