"""Parsed blocks -> chunks: the unit that is embedded, indexed and cited.

Rules, and why:
- A chunk never crosses a section or a page, so its citation (page, section) is exact.
- Text: consecutive paragraphs of one section and page are packed up to `TEXT_TARGET` characters;
  longer paragraphs are split at sentence ends. Small chunks keep the answerer's evidence precise
  and stay far below e5's 512-token window.
- Tables: split into row groups; every piece repeats the caption and the header row, so a row is
  never read without its column meanings, and each row is a line "label | cell | cell".
- Figures are parsed from each chunk; a bare number in a table takes the unit its column header
  or caption states ("belopp i mnkr", "Årsprognos tkr"), else the report's declared unit, else
  the unit its prose shows the table is in (`ingest.units`, marked as inferred in the caption).
- Ids are `<doc_id[:16]>-<hash of the file name>-<position>`: deterministic, so re-ingesting the
  same file is idempotent, and two files with identical bytes under different names stay apart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from granska.ingest.numbers import parse_figure, parse_figures
from granska.ingest.table_rows import PATH_SEP, structure
from granska.ingest.units import infer_table_unit
from granska.types import Block, Chunk, Figure, ParsedDocument, ReportMeta, TableRow

TEXT_TARGET = 900
TEXT_MAX = 1200
TABLE_ROWS = 12
TABLE_MAX = 1400

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[A-ZÅÄÖ0-9•\-+–])")
_UNIT_IN_HEADER = re.compile(r"\b(tkr|mnkr|mkr|mdkr|msek|tusen kronor|miljoner kronor|kr|kronor)\b|%", re.I)
CELL_SEP = " | "
INFERRED_UNIT = "enheten härledd ur rapportens text"  # marks a table caption whose unit ingest inferred


# "Samtliga siffror redovisas i miljoner kronor, mnkr om inget annat anges": a report-wide unit.
_REPORT_UNIT = re.compile(
    r"\b(samtliga|alla)\s+(siffror|belopp|värden)\s+(redovisas|anges|är)\s+i\s+(miljoner kronor|mnkr|mkr|tusentals kronor|tusen kronor|tkr|kronor)",
    re.I,
)


def report_unit(doc: ParsedDocument) -> str | None:
    """The unit a report declares for all its figures, if it does."""
    for block in doc.blocks:
        match = _REPORT_UNIT.search(block.text)
        if match:
            return unit_of(match.group(4)) or {"tusentals kronor": "tkr"}.get(match.group(4).lower())
    return None


def chunk_document(doc: ParsedDocument, meta: ReportMeta, doc_id: str, document: str) -> list[Chunk]:
    """All chunks of one document, in reading order."""
    pieces: list[tuple[Block, str, list[Figure], list[TableRow]]] = []
    default_unit = report_unit(doc)
    prose = [(f, block.page) for block in doc.blocks if block.kind != "table" for f in parse_figures(block.text)]
    for block in doc.blocks:
        if block.kind == "table" and block.rows:
            pieces.extend((block, text, figs, typed) for text, figs, typed in _table_pieces(block, default_unit, prose))
        elif block.text.strip():
            pieces.extend((block, text, parse_figures(text), []) for text in _split_text(block.text))
    pieces = _pack_text(pieces)
    # The name is part of the id: two files with identical bytes are two documents of the archive.
    name_key = hashlib.sha256(document.encode("utf-8")).hexdigest()[:6]
    return [
        Chunk(
            id=f"{doc_id[:16]}-{name_key}-{position:05d}",
            text=text,
            document=document,
            doc_id=doc_id,
            organisation=meta.organisation,
            report_type=meta.report_type,
            period_start=meta.period_start,
            period_end=meta.period_end,
            year=meta.year,
            page=block.page,
            page_label=block.page_label or "",
            section=block.section,
            kind=block.kind,
            title=meta.title,
            figures=figures,
            position=position,
            rows=typed,
        )
        for position, (block, text, figures, typed) in enumerate(pieces)
    ]


def column_units(header: list[str], caption: str, default_unit: str | None = None) -> list[str | None]:
    """The unit each column's numbers are in: its header path, else the caption, else the report's."""
    caption_unit = unit_of(caption) or unit_of(" ".join(header[:1])) or default_unit
    return [unit_of(cell) or caption_unit for cell in header]


def unit_of(text: str) -> str | None:
    match = _UNIT_IN_HEADER.search(text or "")
    if not match:
        return None
    unit = match.group(0).lower()
    return {"kronor": "kr", "msek": "mnkr", "miljoner kronor": "mnkr", "tusen kronor": "tkr"}.get(unit, unit)


def _table_pieces(
    block: Block, default_unit: str | None = None, prose: list[tuple[Figure, int]] | None = None
) -> Iterator[tuple[str, list[Figure], list[TableRow]]]:
    """The table in pieces of at most TABLE_ROWS rows, each with the caption and the header line
    (stacked header cells joined per column), each row's label cell showing its label path."""
    rows = [[_clean_cell(c) for c in row] for row in block.rows or []]
    layout = structure(rows)
    header, body = layout.columns, rows[layout.header_rows:]
    caption = block.caption.strip()
    if not unit_of(caption) and not any(unit_of(h) for h in header):
        if default_unit:
            caption = f"{caption} (belopp i {default_unit})".strip()  # the report's own declaration, made visible
        elif inferred := infer_table_unit(block, prose or []):
            default_unit = inferred
            caption = f"{caption} (belopp i {inferred}; {INFERRED_UNIT})".strip()
    units = column_units(header, caption, default_unit)
    head_lines = ([caption] if caption else []) + [CELL_SEP.join(header)]
    group: list[tuple[list[str], list[str]]] = []
    for row, path in zip(body, layout.label_paths, strict=True):
        if group and (len(group) >= TABLE_ROWS or _size(head_lines, [r for r, _ in group] + [row]) > TABLE_MAX):
            yield _render_table(head_lines, group, header, units)
            group = []
        group.append((row, path))
    if group or not body:
        yield _render_table(head_lines, group, header, units)


def _render_table(
    head_lines: list[str], group: list[tuple[list[str], list[str]]], header: list[str], units: list[str | None]
) -> tuple[str, list[Figure], list[TableRow]]:
    lines = list(head_lines)
    figures: list[Figure] = []
    typed: list[TableRow] = []
    for row, path in group:
        lines.append(CELL_SEP.join([PATH_SEP.join(path) if path else row[0], *row[1:]]))
        cells: list[Figure | None] = []
        for col, cell in enumerate(row):
            figure = None
            if cell and (col > 0 or any(ch.isdigit() for ch in cell)):
                figure = parse_figure(cell, default_unit=units[col] if col < len(units) else None)
            if figure is not None:
                figures.append(figure)
            if col > 0:
                cells.append(figure)
        if any(c for c in row[1:]) or path:  # a group row is a row too (its cells empty)
            typed.append(TableRow(label_path=path, cells=row[1:], figures=cells,
                                  headers=[header[col] if col < len(header) else "" for col in range(1, len(row))]))
    return "\n".join(lines), figures, typed


def _size(head_lines: list[str], group: list[list[str]]) -> int:
    return sum(len(line) + 1 for line in head_lines) + sum(len(CELL_SEP.join(r)) + 1 for r in group)


def _clean_cell(cell: str | None) -> str:
    return " ".join((cell or "").split())


def _split_text(text: str) -> list[str]:
    """A paragraph run longer than TEXT_MAX, cut at sentence ends (never mid-sentence if avoidable)."""
    text = text.strip()
    if len(text) <= TEXT_MAX:
        return [text]
    out: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) + 1 > TEXT_TARGET:
            out.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip() if current else sentence
    if current:
        out.append(current)
    return out


def _pack_text(pieces: list[tuple[Block, str, list[Figure], list[TableRow]]]) -> list[tuple[Block, str, list[Figure], list[TableRow]]]:
    """Merge small consecutive text pieces of the same page and section up to TEXT_TARGET."""
    packed: list[tuple[Block, str, list[Figure], list[TableRow]]] = []
    for block, text, figures, typed in pieces:
        if packed:
            prev_block, prev_text, prev_figs, _ = packed[-1]
            if (
                block.kind == "text"
                and prev_block.kind == "text"
                and prev_block.page == block.page
                and prev_block.section == block.section
                and len(prev_text) + len(text) + 1 <= TEXT_TARGET
            ):
                packed[-1] = (prev_block, f"{prev_text}\n{text}", prev_figs + figures, [])
                continue
        packed.append((block, text, figures, typed))
    return packed
