"""Document structure shared by the readers: headings, section paths, TOC lines and block packing.

Both readers turn their input into a stream of headings, paragraphs and tables in reading order;
`BlockBuilder` turns that stream into `Block`s that never cross a section or page boundary and
stay small enough to cite (a paragraph, or a few short paragraphs of one section on one page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from granska.ingest.clean import split_long
from granska.ingest.table_rows import structure
from granska.ingest.tables import is_figure_row, render_table
from granska.types import SECTION_SEP, Block

MAX_BLOCK_CHARS = 1200

# "4.1.3 Prognosförändring ..." / "2 Verksamhet" / "1. Inledning": one- or two-digit parts, so a
# year ("2020 tillsammans med") never reads as a heading number.
_NUMBERED_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,5})\.?\s+(\S.*)$")
_NUMBER_TOKEN_RE = re.compile(r"^[-−+]?\d[\d\s,.:%]*$")
# Units and words that follow a figure at the start of a table row, never a heading title.
_NOT_TITLE_WORDS = frozenset("mnkr tkr kr mdkr miljoner procent st % mkr".split())

TOC_TITLE_RE = re.compile(r"^(#+\s*)?(innehållsförteckning|innehåll|table of contents|contents)\s*:?$", re.I)
# A TOC entry ends in a page number after dotted leaders (PDF) or a tab (Word text exports).
TOC_ENTRY_RE = re.compile(r"(?:\.{4,}|…{2,}|(?:\s?\.){4,})\s*\d{1,3}\s*$|\t\s*\d{1,3}\s*$")


def parse_numbered_heading(text: str) -> tuple[tuple[int, ...], str] | None:
    """Return (number, title) when `text` has the shape of a numbered heading, else None.

    This is the pattern test only; callers add the evidence they have (font, position, order),
    because list items and table rows can have the same shape.
    """
    match = _NUMBERED_RE.match(text.strip())
    if not match or len(text) > 200:
        return None
    number = tuple(int(part) for part in match.group(1).split("."))
    title = match.group(2).strip()
    first = title[0]
    if not (first.isalpha() and first.isupper()) and first not in "\"”'«":
        return None
    words = title.split()
    if words[0].lower().strip(",.") in _NOT_TITLE_WORDS:
        return None
    if sum(1 for word in words if _NUMBER_TOKEN_RE.match(word)) >= 2:
        return None
    if 0 in number[1:] or number[0] == 0:
        return None
    return number, title


def is_toc_entry(text: str) -> bool:
    """True for a table-of-contents line: a title followed by leaders and a page number."""
    return bool(TOC_ENTRY_RE.search(text))


@dataclass
class SectionTracker:
    """The heading path at the current point of a document.

    Numbered headings nest by their numbers ("4" > "4.1" > "4.1.3"); an unnumbered heading
    ("Analys av resultatet") hangs below the current numbered heading until the next heading.
    """

    _numbered: list[tuple[tuple[int, ...], str]] = field(default_factory=list)
    _unnumbered: str = ""

    def numbered(self, number: tuple[int, ...], title: str) -> None:
        depth = len(number)
        self._numbered = [(num, text) for num, text in self._numbered if len(num) < depth]
        self._numbered.append((number, title))
        self._unnumbered = ""

    def unnumbered(self, title: str) -> None:
        self._unnumbered = title

    def accepts(self, number: tuple[int, ...]) -> bool:
        """Whether `number` can follow the current path in a plausible outline.

        Used where there is no font evidence (text extracts): a heading continues the outline
        (next top-level number, or a child/sibling of a heading on the path).
        """
        if len(number) == 1:
            current = self._numbered[0][0][0] if self._numbered else 0
            return current < number[0] <= current + 2
        parent = number[:-1]
        return any(num == parent for num, _ in self._numbered) or any(
            num[:-1] == parent and num[-1] < number[-1] for num, _ in self._numbered
        )

    @property
    def path(self) -> str:
        parts = [f"{'.'.join(map(str, num))} {title}" for num, title in self._numbered]
        if self._unnumbered:
            parts.append(self._unnumbered)
        return SECTION_SEP.join(parts)

    @property
    def last_title(self) -> str:
        if self._unnumbered:
            return self._unnumbered
        if self._numbered:
            num, title = self._numbered[-1]
            return f"{'.'.join(map(str, num))} {title}"
        return ""


@dataclass
class BlockBuilder:
    """Collects headings, paragraphs and tables in reading order and packs them into Blocks."""

    sections: SectionTracker = field(default_factory=SectionTracker)
    blocks: list[Block] = field(default_factory=list)
    _pending: list[str] = field(default_factory=list)
    _pending_key: tuple[int, str | None, str] | None = None

    def heading_numbered(self, number: tuple[int, ...], title: str) -> None:
        self._flush()
        self.sections.numbered(number, title)

    def heading_unnumbered(self, title: str) -> None:
        self._flush()
        self.sections.unnumbered(title)

    def paragraph(self, text: str, page: int, page_label: str | None) -> None:
        """Add one paragraph; it joins the pending block if section, page and size allow."""
        if not text.strip():
            return
        key = (page, page_label, self.sections.path)
        if key != self._pending_key:
            self._flush()
            self._pending_key = key
        for piece in split_long(text, MAX_BLOCK_CHARS):
            size = sum(len(p) + 1 for p in self._pending)
            if self._pending and size + len(piece) > MAX_BLOCK_CHARS:
                self._flush()
                self._pending_key = key
            self._pending.append(piece)

    def table(self, rows: list[list[str]], caption: str, page: int, page_label: str | None) -> None:
        """Add a table as one block, however long: the chunker splits it into pieces after it has
        read the whole table's header rows and row groups (a piece cut here would lose the second
        header row and the groups its first rows sit under).

        A table whose first row is a row of figures has no header of its own (a table continued
        on the next page, a header collapsed into one cell by a converter): it takes the header of
        the table before it in the same section when that has as many columns, and the row groups
        still open at that table's end (the continued rows sit under them, as a reader who turned
        the page knows), else an empty header, so that its first row stays a row and its figures
        never become column names."""
        self._flush()
        if rows and is_figure_row(rows[0]):
            width = len(rows[0])
            previous = next((b for b in reversed(self.blocks) if b.kind == "table"), None)
            if previous is not None and previous.section == self.sections.path and previous.rows and len(previous.rows[0]) == width:
                before = structure(previous.rows)
                groups = [[group, *[""] * (width - 1)] for group in before.open_groups]
                rows = [*previous.rows[:before.header_rows], *groups, *rows]
                caption = caption or previous.caption
            else:
                rows = [[""] * width, *rows]
        self.blocks.append(
            Block(
                kind="table",
                text=render_table(rows),
                page=page,
                page_label=page_label,
                section=self.sections.path,
                rows=rows,
                caption=caption,
            )
        )

    def finish(self) -> list[Block]:
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        if self._pending and self._pending_key is not None:
            page, label, section = self._pending_key
            self.blocks.append(
                Block(kind="text", text="\n".join(self._pending), page=page, page_label=label, section=section)
            )
        self._pending = []
        self._pending_key = None
