"""From extracted PDF pages to a ParsedDocument: furniture, TOC, headings, paragraphs, tables.

Works on plain data (`PageContent`), not on pdfplumber objects, so every decision here can be
tested and reasoned about without a PDF. Decisions that need the whole document (body font
size, which edge lines repeat) are made first; then pages are walked in reading order.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from granska.ingest.clean import is_bullet, join_lines
from granska.ingest.furniture import EDGE_LINES, edge_furniture, page_label
from granska.ingest.structure import TOC_TITLE_RE, BlockBuilder, is_toc_entry, parse_numbered_heading
from granska.types import ParsedDocument

_EDGE_ZONE = 0.12  # share of the page height, at top and bottom, where furniture can sit
_FURNITURE_KEPT = 12  # distinct running header/footer texts kept for metadata inference


@dataclass
class Line:
    """One text line of a page, with the font evidence heading detection needs."""

    text: str
    top: float
    bottom: float
    x0: float
    size: float
    bold: bool
    flow: tuple[int, int] = (0, 0)  # (band, column) on a page of text columns; see pdf.py


@dataclass
class PageTable:
    rows: list[list[str]]
    top: float
    bottom: float
    flow: tuple[int, int] = (0, 0)


@dataclass
class PageContent:
    number: int
    height: float
    lines: list[Line] = field(default_factory=list)  # outside tables, top to bottom
    tables: list[PageTable] = field(default_factory=list)
    char_count: int = 0
    image_count: int = 0
    ocr: bool = False  # lines read by OCR from the page image (no text layer)


def assemble(path: str, pages: list[PageContent], metadata: dict[str, str]) -> ParsedDocument:
    """Interpret extracted pages: drop furniture and TOC pages, then emit blocks in reading order."""
    labels, furniture = _strip_furniture(pages)
    body_size = _body_size(pages)
    toc_pages = [page.number for page in pages if _is_toc(page.lines)]
    walker = _Walker(body_size)
    for page in pages:
        if page.number not in toc_pages:
            walker.page(page, labels.get(page.number))
    title_lines = [line.text for line in pages[0].lines] if pages else []
    blocks = walker.builder.finish()
    ocr_pages = {page.number for page in pages if page.ocr}
    for block in blocks:
        block.ocr = block.page in ocr_pages
    return ParsedDocument(
        path=path,
        blocks=blocks,
        page_count=len(pages),
        title_text="\n".join(title_lines),
        pdf_metadata=metadata,
        toc_pages=toc_pages,
        furniture=furniture,
    )


def _edges(page: PageContent) -> tuple[list[Line], list[Line]]:
    """The outermost lines at the top and at the bottom edge of a page."""
    top = [line for line in page.lines[:EDGE_LINES] if line.top < _EDGE_ZONE * page.height]
    bottom = [line for line in page.lines[-EDGE_LINES:][::-1] if line.bottom > (1 - _EDGE_ZONE) * page.height]
    return top, bottom


def _strip_furniture(pages: list[PageContent]) -> tuple[dict[int, str], list[str]]:
    """Remove running headers/footers and page-number lines; return the printed page labels and
    the distinct furniture texts (a running header names the report and its publisher)."""
    edges = [_edges(page) for page in pages]
    found = edge_furniture([([line.text for line in top], [line.text for line in bottom]) for top, bottom in edges])
    labels: dict[int, str] = {}
    furniture: dict[str, None] = {}
    for page, (top, bottom), (n_top, n_bottom, label) in zip(pages, edges, found, strict=True):
        drop = top[:n_top] + bottom[:n_bottom]
        if label is not None:
            labels[page.number] = label
        page.lines = [line for line in page.lines if not any(line is dropped for dropped in drop)]
        furniture.update((line.text, None) for line in drop if page_label(line.text) is None)
    return labels, list(furniture)[:_FURNITURE_KEPT]


def _body_size(pages: list[PageContent]) -> float:
    """The font size most text is set in; headings are recognised relative to it."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _is_toc(lines: list[Line]) -> bool:
    entries = sum(1 for line in lines if is_toc_entry(line.text))
    titled = any(TOC_TITLE_RE.match(line.text) for line in lines[:3])
    return (titled and entries >= 2) or (entries >= 5 and entries * 2 >= len(lines))


class _Walker:
    """Walks pages in reading order and feeds headings, paragraphs and tables to a BlockBuilder."""

    def __init__(self, body_size: float) -> None:
        self.body = body_size
        self.builder = BlockBuilder()
        # The table that ended the previous page, as (columns, header, caption): a table that
        # opens the next page with the same columns continues it.
        self._open_table: tuple[int, list[str], str] | None = None
        self._last_header: list[str] = []
        self._last_caption = ""

    def page(self, page: PageContent, label: str | None) -> None:
        # Reading order: top to bottom, and on a page set in columns, each band of the page
        # (between full-width lines and tables) left column before right column.
        items: list[Line | PageTable] = sorted([*page.lines, *page.tables], key=lambda item: (*item.flow, item.top))
        continued, self._open_table = self._open_table, None
        paragraph: list[Line] = []
        caption = ""  # a heading or one-line paragraph right above the next item
        index = 0
        while index < len(items):
            item = items[index]
            if isinstance(item, PageTable):
                if len(paragraph) == 1 and len(paragraph[0].text) <= 150 and not is_bullet(paragraph[0].text):
                    caption = paragraph[0].text
                self._paragraph(paragraph, page.number, label)
                paragraph = []
                self._table(item, caption, continued if index == 0 else None, page.number, label)
                if index == len(items) - 1:
                    self._open_table = (len(item.rows[0]), self._last_header, self._last_caption)
                caption = ""
                index += 1
                continue
            heading = self._heading(items, index)
            if heading is not None:
                consumed, number, title = heading
                self._paragraph(paragraph, page.number, label)
                paragraph = []
                if number is None:
                    self.builder.heading_unnumbered(title)
                else:
                    self.builder.heading_numbered(number, title)
                caption = self.builder.sections.last_title
                index += consumed
                continue
            if paragraph and self._breaks(paragraph[-1], item):
                self._paragraph(paragraph, page.number, label)
                paragraph = []
            paragraph.append(item)
            caption = ""
            index += 1
        self._paragraph(paragraph, page.number, label)

    def _table(
        self,
        table: PageTable,
        caption: str,
        continued: tuple[int, list[str], str] | None,
        page: int,
        label: str | None,
    ) -> None:
        """Emit a table; one that opens a page with the columns of the table that ended the
        previous page continues it: it gets that table's caption and, if not repeated, header."""
        rows = table.rows
        if continued and continued[0] == len(rows[0]):
            caption = continued[2]
            if rows[0] != continued[1]:
                rows = [continued[1], *rows]
        caption = caption or self.builder.sections.last_title
        self._last_header, self._last_caption = rows[0], caption
        self.builder.table(rows, caption, page, label)

    def _breaks(self, previous: Line, line: Line) -> bool:
        """A new paragraph starts after a vertical gap or at a change of font size."""
        gap = line.top - previous.bottom
        return gap > 0.7 * max(line.size, previous.size) or abs(line.size - previous.size) > 1.0

    def _paragraph(self, lines: list[Line], page: int, label: str | None) -> None:
        if lines:
            self.builder.paragraph(join_lines([line.text for line in lines]), page, label)

    def _styled(self, line: Line) -> bool:
        return line.bold and line.size >= self.body - 0.6 or line.size >= self.body + 1.5

    def _minor_numbered(self, line: Line, numbered: tuple[tuple[int, ...], str] | None) -> bool:
        """A bold numbered line set smaller than the body ("5.2.1.1 Åtgärdsplan" at 10 pt in 11 pt
        text) is a deep heading when it continues the outline: size alone would miss it, and the
        number plus the outline keep small bold notes and list items out."""
        return (
            line.bold
            and numbered is not None
            and line.size >= self.body - 2.5
            and not line.text.endswith((".", ",", ";", ":"))
            and self.builder.sections.accepts(numbered[0])
        )

    def _heading(self, items: list[Line | PageTable], index: int) -> tuple[int, tuple[int, ...] | None, str] | None:
        """If a heading starts at items[index], return (lines spanned, number or None, title)."""
        line = items[index]
        assert isinstance(line, Line)
        if is_bullet(line.text) or line.text.endswith("-"):
            return None
        numbered = parse_numbered_heading(line.text)
        if not self._styled(line) and not self._minor_numbered(line, numbered):
            return self._plain_numbered_heading(items, index)
        parts = [line.text]
        previous = line
        for follower in items[index + 1:index + 3]:
            if not isinstance(follower, Line) or not self._continues_heading(previous, follower, numbered is not None):
                break
            parts.append(follower.text)
            previous = follower
        text = " ".join(parts)
        if numbered:
            number, title = parse_numbered_heading(text) or numbered
            return len(parts), number, title
        words = text.split()
        if (
            len(text) <= 100
            and len(words) <= 14
            and text[0].isalpha()
            and text[0].isupper()
            and text[-1] not in ".,;:"
            and ". " not in text
        ):
            return len(parts), None, text
        return None

    def _plain_numbered_heading(self, items: list[Line | PageTable], index: int) -> tuple[int, tuple[int, ...], str] | None:
        """A numbered line in body font is a heading only when it stands alone (a paragraph of
        its own, not a list item: "1 Inledning", never "1. Nämnden beslutar") and continues the
        outline ("3.1.1.1" right after "3.1.1")."""
        line = items[index]
        assert isinstance(line, Line)
        numbered = parse_numbered_heading(line.text)
        if numbered is None or not re.match(r"^\d+(?:\.\d+)*\s", line.text) or len(line.text) > 120:
            return None
        if line.text.endswith((".", ",", ";", ":")) or not self.builder.sections.accepts(numbered[0]):
            return None
        before = items[index - 1] if index > 0 else None
        after = items[index + 1] if index + 1 < len(items) else None
        if isinstance(before, Line) and not self._breaks(before, line):
            return None
        if isinstance(after, Line) and not self._breaks(line, after):
            return None
        return 1, numbered[0], numbered[1]

    @staticmethod
    def _continues_heading(previous: Line, follower: Line, numbered: bool) -> bool:
        """Whether `follower` is the wrapped rest of the heading whose last line is `previous`."""
        if follower.bold != previous.bold or abs(follower.size - previous.size) > 0.6:
            return False
        if follower.top - previous.bottom > 0.9 * previous.size:
            return False
        if parse_numbered_heading(follower.text) or is_bullet(follower.text):
            return False
        return numbered or follower.text[:1].islower()
