"""Parsing in worker processes gives what parsing in-process gives, in order, a file's failure
staying that file's."""

from __future__ import annotations

from pathlib import Path

import pytest

from granska.ingest.errors import IngestError
from granska.ingest.parallel import parse_files
from granska.ingest.pipeline import file_hash, process_file
from tests.conftest import TXT

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def batch(tmp_path: Path) -> list[Path]:
    """Two real PDFs, a file that is not a PDF, an empty one and a text extract, in that order."""
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"<html><body>404 Not Found</body></html>")
    empty = tmp_path / "tom.pdf"
    empty.write_bytes(b"")
    text = sorted(TXT.glob("*.txt"))[0]
    return [FIXTURES / "alunda-unruled-table.pdf", broken, FIXTURES / "two-column-pages.pdf", empty, text]


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_parse_like_the_process_in_order(batch: list[Path], workers: int) -> None:
    todo = [(path, file_hash(path), None) for path in batch]
    results = list(parse_files(todo, workers))
    assert [path for path, _, _ in results] == batch
    assert [digest for _, digest, _ in results] == [digest for _, digest, _ in todo]
    for (path, digest, result) in results:
        if path.name in ("trasig.pdf", "tom.pdf"):
            assert isinstance(result, IngestError), (path, result)
            with pytest.raises(IngestError) as in_process:
                process_file(path, digest)
            assert str(result) == str(in_process.value)  # the same message the user would read
        else:
            meta, chunks = result
            expected_meta, expected_chunks = process_file(path, digest)
            assert meta == expected_meta
            assert chunks == expected_chunks
            assert chunks and all(chunk.document == path.name for chunk in chunks)


def test_a_correction_reaches_the_worker(batch: list[Path]) -> None:
    path = batch[0]
    todo = [(path, file_hash(path), {"organisation": "Rättad nämnd"}), (batch[2], file_hash(batch[2]), None)]
    (_, _, (meta, chunks)), (_, _, (other, _)) = parse_files(todo, 1)
    assert meta.organisation == "Rättad nämnd"
    assert other.organisation != "Rättad nämnd"


def test_no_workers_parses_in_process(batch: list[Path]) -> None:
    todo = [(path, file_hash(path), None) for path in batch]
    assert [type(r).__name__ for _, _, r in parse_files(todo, 0)] == [
        type(r).__name__ for _, _, r in parse_files(todo, 1)]
