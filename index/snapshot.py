"""The published index state: one generation's registry and lexical index, read together.

Why: a writer records each document in the store's registry as soon as its chunks are in Chroma,
and rebuilds the lexical index once, at the end; Chroma itself changes under readers all the time.
A reader that took the registry from one moment and the lexical index from another could cite a
document the other does not hold, or a half-replaced new version of one. So every publish (the end
of an ingest or a removal) writes a copy of the registry *into* the lexical index's new version
folder, which becomes current in one atomic symlink switch (`LexicalIndex.save`). A reader that
resolves the link once gets a registry, a lexical index and a generation number that belong
together: an `IndexState`. Chroma has no snapshot, so dense hits are kept only for chunks the
state's lexical index holds (`HybridRetriever`).

The store folder's own `registry.json` stays the writer's working record (crash safety, see
builder.py); readers use the snapshot.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from granska.index.lexical import LexicalIndex, analyser_version
from granska.index.registry import DocumentRecord, Registry

REGISTRY_FILE = "registry.json"  # the snapshot, inside a lexical index version folder
STATE_FILE = "state.json"  # written last into a version (see `LexicalIndex.save`)

Version = tuple[int, int, int]


@dataclass(frozen=True)
class IndexState:
    """One published state of the archive; a question reads one of these from start to end."""

    generation: int  # 1, 2, ... one per publish into this store; 0 before the first publish
    version: Version | None  # which published state file this is (see `published_version`)
    documents: Mapping[str, DocumentRecord]  # the registry of this state, by document name
    lexical: LexicalIndex  # this state's chunks, indexed
    analyser: str  # the analyser version the lexical index was built with

    @property
    def document_ids(self) -> frozenset[str]:
        """The content hashes of the documents this state covers."""
        return frozenset(rec.doc_id for rec in self.documents.values())

    @property
    def analyser_current(self) -> bool:
        """False when the index was built by another analyser (an upgrade changed it, or its
        stop-word list): questions would be analysed differently from the passages, so matching
        suffers until the next `granska ingest` rebuilds the index."""
        return self.analyser == analyser_version()


def empty_state() -> IndexState:
    """The state of a store nothing has been published in yet: no documents."""
    return IndexState(0, None, MappingProxyType({}), LexicalIndex.build([]), analyser_version())


def published_version(folder: Path) -> Version | None:
    """Which state is published in `folder`: device, inode and mtime of its state file, or None.

    One stat, which is all a reader pays per question when nothing changed. Every publish writes
    a new version folder, hence a new state file (a new inode), so this changes with each one.
    """
    try:
        st = os.stat(Path(folder) / STATE_FILE)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


def load_state(folder: Path, registry: Path) -> IndexState:
    """The state published in `folder`, read from one version folder (the link is resolved once,
    so a publish meanwhile cannot mix two versions in).

    Raises FileNotFoundError when the version was removed while it was read (a reader slower than
    `SUPERSEDED_GRACE`): call again. `registry` is the store's working registry, read only for a
    lexical index published before snapshots existed, restricted to the documents that index
    holds (what readers did then); the next ingest publishes a snapshot.
    """
    if published_version(folder) is None:
        return empty_state()
    version_folder = Path(folder).resolve()
    version = published_version(version_folder)
    state = json.loads((version_folder / STATE_FILE).read_text(encoding="utf-8"))
    lexical = LexicalIndex.load(version_folder)
    snapshot = version_folder / REGISTRY_FILE
    if snapshot.exists():
        documents = Registry(snapshot).documents
    else:
        held = {c.document for c in lexical.chunks}
        documents = {name: rec for name, rec in Registry(registry).documents.items() if name in held}
    return IndexState(
        generation=int(state.get("generation", 0)),
        version=version,
        documents=MappingProxyType(documents),
        lexical=lexical,
        analyser=str(state.get("analyser", "")),
    )


def publish(folder: Path, lexical: LexicalIndex, registry: Registry, built_from: str) -> int:
    """Make `lexical` with a snapshot of `registry` the current state, as the next generation,
    and return that generation. Only the writer calls this, under the store's lock, so the
    generations of a store only grow."""
    previous = LexicalIndex.read_state(folder) or {}
    generation = int(previous.get("generation", 0)) + 1
    state = {"built_from": built_from, "analyser": analyser_version(), "generation": generation}
    lexical.save(folder, state, {REGISTRY_FILE: registry.to_json()})
    return generation
