"""Golden pages: the reader's tables, section paths and page labels on hand-checked pages.

Each `golden/*.json` names a PDF page chosen for a hard case (a table spanning pages, a ruled
table with wrapped cells or a two-row header, a small-font deep heading, a "9 (29)" footer label)
and holds what a person reads on that page: every table row (header first, cells as printed),
the table's caption and section, the section paths of the page's blocks in reading order, and the
printed page label. The values were checked against the rendered page
(`pdftoppm -png -r 80 -f N -l N file.pdf out`), not copied from the reader's output.

`pdf` is "sample/<file>" (data/sample) or "real/<file>" (the shared corpus, skipped if absent).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from granska.ingest.reader import read_document
from tests.conftest import REAL
from granska.types import Block, ParsedDocument

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
SOURCES = {"sample": ROOT / "data" / "sample", "real": REAL}


@cache
def read(path: Path) -> ParsedDocument:
    """Each PDF is read once for all its golden pages."""
    return read_document(path)


def page_blocks(golden: dict[str, Any]) -> list[Block]:
    source, name = golden["pdf"].split("/", 1)
    path = SOURCES[source] / name
    if not path.is_file():
        pytest.skip(f"{path} not present")
    blocks = [block for block in read(path).blocks if block.page == golden["page"]]
    assert blocks, f"no blocks on page {golden['page']}"
    return blocks


def sections_in_order(blocks: list[Block]) -> list[str]:
    """The section path of each run of blocks, in reading order."""
    paths: list[str] = []
    for block in blocks:
        if not paths or paths[-1] != block.section:
            paths.append(block.section)
    return paths


GOLDEN_FILES = sorted(GOLDEN.glob("*.json"))


def test_golden_pages_exist() -> None:
    assert len(GOLDEN_FILES) >= 8


@pytest.mark.parametrize("golden_file", GOLDEN_FILES, ids=[path.stem for path in GOLDEN_FILES])
def test_golden_page(golden_file: Path) -> None:
    golden = json.loads(golden_file.read_text(encoding="utf-8"))
    blocks = page_blocks(golden)
    assert {block.page_label for block in blocks} == {golden["page_label"]}
    assert sections_in_order(blocks) == golden["sections"]
    tables = [block for block in blocks if block.kind == "table"]
    assert len(tables) == len(golden["tables"]), [table.rows[0] for table in tables if table.rows]
    for table, expected in zip(tables, golden["tables"]):
        assert table.rows == expected["rows"]
        assert (table.caption, table.section) == (expected["caption"], expected["section"])
