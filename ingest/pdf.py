"""PDF extraction with pdfplumber: per page, the text lines outside tables and the cleaned tables.

This is the only module that opens PDFs. Each page is processed once (one `find_tables()`, one
line clustering of the page's characters) and closed, so memory stays flat on long documents.
A page without a text layer but with images is a scan: `ocr.py` reads it when tesseract is
installed. Layout interpretation (furniture, headings, paragraphs) is in `layout.py`.
"""

from __future__ import annotations

import bisect
import collections
import itertools
import logging
import re
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException
from pdfplumber.utils.text import chars_to_textmap

from granska.ingest import ocr
from granska.ingest.errors import IngestError
from granska.ingest.layout import Line, PageContent, PageTable, assemble
from granska.ingest.tables import clean_table
from granska.ingest.unruled import find_tables as find_unruled
from granska.types import ParsedDocument

log = logging.getLogger(__name__)

_ENCRYPTION_ERRORS = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")


def read_pdf(path: Path) -> ParsedDocument:
    """Read a PDF into a ParsedDocument, or raise IngestError saying why it cannot be read."""
    _check_bytes(path)
    started = time.perf_counter()
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise IngestError(f"{path.name}: PDF-filen har inga sidor; exportera om dokumentet.")
            metadata = {str(key): _metadata_text(value) for key, value in (pdf.metadata or {}).items()}
            pages = [_read_page(_upright(pdf, page), number) for number, page in enumerate(pdf.pages, start=1)]
    except IngestError:
        raise
    except PdfminerException as exc:
        raise _explain(path, exc.args[0] if exc.args else exc) from exc
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise _explain(path, exc) from exc
    if not any(page.char_count or page.lines for page in pages):
        if any(page.image_count for page in pages):
            if any(page.ocr for page in pages):
                raise IngestError(
                    f"{path.name}: skannad PDF utan textlager, och OCR med tesseract hittade ingen text "
                    "på sidorna; kontrollera skanningens kvalitet."
                )
            raise IngestError(
                f"{path.name}: skannad PDF utan textlager (sidorna är bilder). OCR kräver tesseract: "
                "installera tesseract-ocr och tesseract-ocr-swe (t.ex. `bash scripts/install-ocr.sh`) och läs "
                "in filen igen, eller kör `ocrmypdf in.pdf ut.pdf` och läs in resultatet."
            )
        raise IngestError(f"{path.name}: PDF:en innehåller ingen extraherbar text; kontrollera filen.")
    ocr_pages = [page.number for page in pages if page.ocr]
    if ocr_pages:
        log.info("%s: pages %s have no text layer and were read by OCR", path.name, ocr_pages)
    document = assemble(str(path), pages, metadata)
    elapsed = time.perf_counter() - started
    log.info("read %s: %d pages, %d blocks in %.2f s", path.name, len(pages), len(document.blocks), elapsed)
    return document


def _check_bytes(path: Path) -> None:
    """Reject files that are not PDFs before pdfminer spends time on them."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise IngestError(f"{path.name}: filen kan inte läsas ({exc.strerror}); kontrollera sökväg och behörighet.") from exc
    if not head:
        raise IngestError(f"{path.name}: filen är tom (0 byte); hämta eller exportera dokumentet på nytt.")
    if b"%PDF-" not in head:
        raise IngestError(
            f"{path.name}: filen är inte en PDF (saknar %PDF-huvud) trots filändelsen .pdf; "
            "kontrollera att rätt fil har sparats."
        )


def _explain(path: Path, exc: BaseException) -> IngestError:
    name = type(exc).__name__
    if name in _ENCRYPTION_ERRORS or "encrypt" in str(exc).lower() or "password" in str(exc).lower():
        return IngestError(
            f"{path.name}: krypterad PDF (lösenordsskyddad); spara en okrypterad kopia, t.ex. med "
            "`qpdf --decrypt in.pdf ut.pdf`, och läs in den."
        )
    log.debug("pdfminer failed on %s", path, exc_info=exc)
    return IngestError(
        f"{path.name}: trasig eller ofullständig PDF ({name}: {exc}); hämta filen på nytt eller "
        "exportera om den."
    )


def _metadata_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return ", ".join(_metadata_text(item) for item in value)
    return str(value)


def _read_page(page: Any, number: int) -> PageContent:
    try:
        content = PageContent(number=number, height=float(page.height), image_count=len(page.images))
        chars = [char for char in page.chars if _is_horizontal(char)]
        content.char_count = sum(1 for char in chars if char["text"].strip())
        if not content.char_count:
            if content.image_count and ocr.available():
                content.ocr = True
                try:
                    content.lines = ocr.page_lines(page)
                except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                    log.warning("OCR of page %d failed: %s", number, exc)
                log.debug("OCR of page %d: %d lines", number, len(content.lines))
            return content
        boxes: list[tuple[float, float, float, float]] = []
        for table in _outermost(page.find_tables()):
            raw = table.extract()
            rows = clean_table(raw)
            # A one-column "table" is a framed text box, a one-row "table" the rules drawn above
            # and below an unruled table (every figure lands in one cell), and a grid whose cells
            # hold little of the text inside it was drawn by rules between rows that leave the
            # labels outside every cell: all are read as text (unruled tables by position).
            # A grid whose cells each hold several printed rows (every line ending in its figure)
            # has rules around groups of rows only: it is read by position too.
            if (len(rows) >= 2 and max(len(row) for row in rows) >= 2 and _cells_hold_the_text(raw, chars, table.bbox)
                    and not _cells_span_rows(raw)):
                boxes.append(table.bbox)
                content.tables.append(PageTable(rows=rows, top=table.bbox[1], bottom=table.bbox[3]))
        free = [char for char in chars if not any(_inside(char, box) for box in boxes)]
        if free:
            content.lines = _text_lines(free, float(page.width), content.tables)
        return content
    finally:
        page.close()


def _text_lines(chars: list[dict[str, Any]], width: float, tables: list[PageTable]) -> list[Line]:
    """The page's text lines, top to bottom; on a page set in two columns each line is one
    column's, with its place in the reading order (`Line.flow`), so that a paragraph reads down
    its column instead of across both (pdfplumber clusters lines across the whole page width)."""
    raws = chars_to_textmap(chars).extract_text_lines(strip=True, return_chars=True)
    gutter = _gutter(raws, width)
    if gutter is None:
        # Tables set without rules are read from their words' positions (ingest/unruled.py).
        used: set[int] = set()
        for found in find_unruled(raws):
            # cleaned as a ruled table's cells are (a note-number column is left out of the values)
            tables.append(PageTable(rows=clean_table(found.rows, columns_by_position=True), top=found.top, bottom=found.bottom))
            used.update(found.lines)
        tables.sort(key=lambda t: t.top)
        return [line for i, raw in enumerate(raws) if i not in used and (line := _line(raw)) is not None]
    full: set[int] = set()  # ids of the chars of lines that run across the page
    for raw in raws:
        glyphs = [c for c in raw["chars"] if c["text"].strip()]
        right = [c for c in glyphs if c["x0"] >= gutter]
        if _crosses(glyphs, gutter) or (right and len(right) < len(glyphs) and not _prose(right)):
            full.update(id(c) for c in raw["chars"])  # a heading or figure row across the page
    groups: dict[int, list[dict[str, Any]]] = {0: [], 1: [], 2: []}  # full width, left, right
    for c in chars:  # the page's own chars, spaces included, so words stay apart
        groups[0 if id(c) in full else 1 if (c["x0"] + c["x1"]) / 2 < gutter else 2].append(c)
    lines: list[tuple[int, Line]] = []
    for column, group in groups.items():
        if group:
            lines += [(column, line) for raw in chars_to_textmap(group).extract_text_lines(strip=True, return_chars=True)
                      if (line := _line(raw)) is not None]
    edges = sorted([line.top for column, line in lines if column == 0] + [t.top for t in tables])
    for column, line in lines:
        if column == 0:
            line.flow = (2 * bisect.bisect_left(edges, line.top) + 1, 0)
        else:
            line.flow = (2 * bisect.bisect_right(edges, line.top), column)
    for table in tables:
        table.flow = (2 * bisect.bisect_left(edges, table.top) + 1, 0)
    return sorted((line for _, line in lines), key=lambda line: line.top)


_MIN_COLUMN_LINES = 8


def _spans(glyphs: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """Runs of a line's glyphs without a gap wider than about a word space: its words and phrases."""
    if not glyphs:
        return []
    size = statistics.median(c["size"] for c in glyphs)
    out: list[list[float]] = []
    for c in sorted(glyphs, key=lambda c: c["x0"]):
        if out and c["x0"] - out[-1][1] <= 1.2 * size:
            out[-1][1] = max(out[-1][1], c["x1"])
        else:
            out.append([c["x0"], c["x1"]])
    return [(a, b) for a, b in out]


def _crosses(glyphs: list[dict[str, Any]], x: float) -> bool:
    return any(a < x < b for a, b in _spans(glyphs))


def _prose(glyphs: list[dict[str, Any]]) -> bool:
    """Mostly letters: a column of text, not the figures of a table row."""
    letters = sum(1 for c in glyphs if c["text"].isalpha())
    return bool(glyphs) and letters >= 0.6 * len(glyphs)


def _gutter(raws: list[dict[str, Any]], width: float) -> float | None:
    """The x of the empty strip between two columns of text, or None for a one-column page.

    In the middle of the page (30-70 % of its width), an x crossed by almost no line's words,
    with prose on both sides of it (at least 30 % of the lines on each), in a strip at least 6 pt
    wide; its centre. Figures on a side (a table drawn without rules) do not make a column.
    """
    lines = [sorted((c for c in raw["chars"] if c["text"].strip()), key=lambda c: c["x0"]) for raw in raws]
    lines = [g for g in lines if g]
    if len(lines) < _MIN_COLUMN_LINES:
        return None
    spans = [_spans(g) for g in lines]
    # per line: glyph centres in order and a running count of letters, to split it at any x cheaply
    centres = [[(c["x0"] + c["x1"]) / 2 for c in g] for g in lines]
    letters = [list(itertools.accumulate((c["text"].isalpha() for c in g), initial=0)) for g in lines]
    enough = max(_MIN_COLUMN_LINES // 2, 0.3 * len(lines))
    run: list[int] = []
    best: list[int] = []
    for x in range(int(0.3 * width), int(0.7 * width) + 1):
        crossing = sum(1 for sp in spans if any(a < x < b for a, b in sp))
        left = right = left_prose = right_prose = 0
        if crossing <= max(1, 0.04 * len(lines)):
            for xs, acc in zip(centres, letters, strict=True):
                k = bisect.bisect_left(xs, x)
                if k:
                    left += 1
                    left_prose += acc[k] >= 0.6 * k
                if k < len(xs):
                    right += 1
                    right_prose += acc[-1] - acc[k] >= 0.6 * (len(xs) - k)
        if (crossing <= max(1, 0.04 * len(lines)) and left >= enough and right >= enough
                and right_prose >= 0.7 * right and left_prose >= 0.7 * left):
            run.append(x)
            if len(run) > len(best):
                best = list(run)
        else:
            run = []
    if len(best) < 6:
        return None
    return (best[0] + best[-1]) / 2


def _quarter_turns(char: dict[str, Any]) -> int:
    """How many quarter turns clockwise make the glyph upright: its writing direction is the text
    matrix's first column (up the page: 1, down: 3, upside down: 2, upright: 0)."""
    a, b = char["matrix"][:2]
    if abs(a) >= abs(b):
        return 0 if a > 0 else 2
    return 1 if b > 0 else 3


def _upright(pdf: Any, page: Any) -> Any:
    """The page turned so that most of its text reads left to right.

    A landscape table printed on a portrait page (an annual report's appropriation account, a
    list of investment projects) sets its glyphs at a quarter turn; read as it is, every line
    comes out one letter at a time, backwards. When most of the page's glyphs share one turn,
    the page's /Rotate is set to undo it and the page is read again: pdfminer applies /Rotate
    before layout, so words, rules and table cells all come out upright. A few rotated glyphs
    (a signature id in the margin) do not turn the page; they stay out of the text.
    """
    glyphs = [char for char in page.chars if char["text"].strip()]
    if not glyphs:
        return page
    turns = collections.Counter(_quarter_turns(char) for char in glyphs)
    turn, count = turns.most_common(1)[0]
    if turn == 0 or count <= len(glyphs) / 2:
        return page
    rotation = (page.rotation + 90 * turn) % 360
    page.close()
    page.page_obj.attrs["Rotate"] = rotation
    page.page_obj.rotate = rotation
    log.debug("page %d: text set at %d quarter turns, read turned upright", page.page_number, turn)
    return pdfplumber.page.Page(pdf, page.page_obj, page_number=page.page_number, initial_doctop=page.initial_doctop)


def _is_horizontal(char: dict[str, Any]) -> bool:
    """Keep upright, horizontal glyphs: rotated margin stamps (signature ids) are not text."""
    a, b, c, d = char["matrix"][:4]
    return abs(b) + abs(c) < 0.1 * (abs(a) + abs(d)) and a > 0 and d > 0


def _outermost(tables: list[Any]) -> list[Any]:
    """Drop tables nested inside another table (pdfplumber also reports inner header boxes)."""

    def area(bbox: tuple[float, ...]) -> float:
        return (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])

    def contains(outer: tuple[float, ...], inner: tuple[float, ...]) -> bool:
        return (
            outer[0] - 1 <= inner[0] and outer[1] - 1 <= inner[1] and inner[2] <= outer[2] + 1 and inner[3] <= outer[3] + 1
        )

    return [
        table
        for table in tables
        if not any(other is not table and area(other.bbox) > area(table.bbox) and contains(other.bbox, table.bbox) for other in tables)
    ]


_CELLS_HOLD = 0.8  # share of a grid's printed characters its cells must hold to be read as the grid


def _cells_hold_the_text(raw: list[list[str | None]], chars: list[dict[str, Any]], box: tuple[float, float, float, float]) -> bool:
    inside = sum(1 for c in chars if c["text"].strip() and _inside(c, box))
    held = sum(len("".join((cell or "").split())) for row in raw for cell in row)
    return held >= _CELLS_HOLD * inside


_ROW_END_RE = re.compile(r"\d\)?$")  # a printed row's last figure, perhaps with its footnote mark


def _cells_span_rows(raw: list[list[str | None]]) -> bool:
    """Whether two or more cells hold several rows each: lines that each end in a figure."""
    spanning = sum(1 for row in raw for cell in row
                   if sum(1 for line in (cell or "").split("\n") if _ROW_END_RE.search(line.strip())) >= 2)
    return spanning >= 2


def _inside(char: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


# Tightly set text loses the space after a full stop or comma when its gap is below pdfplumber's
# tolerance ("under året.Antalet", "personer,vilket"): put it back between words (never between
# digits, so "82,7" and "2.3.1" stay, nor before a lower-case letter after a full stop, so web
# addresses stay).
_LOST_SPACE_RE = re.compile(r"(?<=[a-zåäö]{2})(?:(\.)(?=[A-ZÅÄÖ][a-zåäö])|(,)(?=[a-zåäö]{2}))")


def _line(raw: dict[str, Any]) -> Line | None:
    glyphs = [char for char in raw["chars"] if char["text"].strip()]
    text = _LOST_SPACE_RE.sub(lambda m: f"{m.group(0)} ", raw["text"].strip())
    if not glyphs or not text:
        return None
    bold = sum(1 for char in glyphs if _is_bold(char["fontname"]))
    return Line(
        text=text,
        top=float(raw["top"]),
        bottom=float(raw["bottom"]),
        x0=float(raw["x0"]),
        size=round(statistics.median(char["size"] for char in glyphs), 1),
        bold=bold >= 0.8 * len(glyphs),
    )


def _is_bold(fontname: str) -> bool:
    name = fontname.lower()
    return "bold" in name or "black" in name or "heavy" in name or "semibold" in name
