"""Table chunks for unit tests, made by the real chunker from a table written as granska renders
it ("caption\nheader | header\nlabel | value"), so the tests see the typed rows (label paths,
header paths, figures in their column's unit) that ingest gives every table chunk."""

from __future__ import annotations

from dataclasses import replace

from granska.ingest.chunk import CELL_SEP, chunk_document
from granska.types import Block, Chunk, ParsedDocument, ReportMeta


def table_chunk(
    chunk_id: str, text: str, *, document: str = "rapport.pdf", organisation: str = "Region A, Regionkontoret",
    section: str = "", page: int = 1, position: int = 0, period_end: int = 202010,
) -> Chunk:
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if CELL_SEP.strip() in line)
    rows = [[cell.strip() for cell in f" {line} ".split(CELL_SEP.strip())] for line in lines[at:]]
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    block = Block(kind="table", text=text, page=page, page_label=str(page), section=section, rows=rows,
                  caption=" ".join(lines[:at]))
    meta = ReportMeta(organisation=organisation, report_type="månadsrapport", period_start=period_end // 100 * 100 + 1,
                      period_end=period_end)
    (chunk,) = chunk_document(ParsedDocument(path=f"/arkiv/{document}", blocks=[block], page_count=page), meta,
                              doc_id=document, document=document)
    return replace(chunk, id=chunk_id, position=position)
