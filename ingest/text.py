"""Plain-text and Markdown extracts (.txt, .md) read into the same Blocks as PDFs.

The extracts in the archive are conversions of the same reports: headings as numbered lines or
Markdown (`#`, `**bold**`), stray HTML tags from a Word export, hard-wrapped paragraphs, tables
as tab-separated rows or laid out with spaces (ingest/spaced.py), and a table of contents
with dotted leaders or tab-separated page numbers. Form feeds, when present, separate pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from granska.ingest.clean import is_bullet, join_lines, join_wrapped, normalise_bullet, normalise_spaces
from granska.ingest.errors import IngestError
from granska.ingest.furniture import EDGE_LINES, edge_furniture, furniture_key, page_label, repeated_keys
from granska.ingest.periods import DATED_TOKEN_RE
from granska.ingest.spaced import spaced_tables
from granska.ingest.structure import TOC_TITLE_RE, BlockBuilder, is_toc_entry, parse_numbered_heading
from granska.ingest.tables import clean_table, is_figure_cell
from granska.types import ParsedDocument

_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_BREAK_TAG_RE = re.compile(r"<br\s*/?>|</p>\s*<p>", re.I)
_MD_HEADING_RE = re.compile(r"^\s*(#{1,6})\s+")
_MD_STRONG_RE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MD_EM_RE = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_RULE_RE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_TITLE_LINES = 20
# A converter's page comment: "<!-- sida 9 -->", "<!-- page 9 -->", "<!-- PageNumber="9" -->", "<!-- PageBreak -->".
_PAGE_COMMENT_RE = re.compile(r"<!--\s*(?:sida|page|pagenumber|pagebreak)\b\W*(\d*)[^>]*-->", re.I)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)\s]*\)")  # "[Tabell 13-1](x.csv)" -> "Tabell 13-1"
_PIPE_ROW_RE = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")


@dataclass
class _Line:
    text: str  # cleaned, tabs kept (they mark table cells)
    markdown_level: int = 0  # 1-6 for "#"-headings
    emphasised: bool = False  # the whole line was bold/italic (**...**, <b>...</b>)
    spaced: bool = False  # words set apart by runs of spaces: a line of a page's layout, as a converter kept it


def read_text(path: Path) -> ParsedDocument:
    """Read a .txt/.md extract into a ParsedDocument, or raise IngestError saying why not."""
    text = _decode(path).replace("\r\n", "\n").replace("\r", "\n")
    raw_pages, marked = _pages(text)
    paged = len(raw_pages) > 1
    pages = [[_clean(line) for line in spaced_tables(_pipe_tables(page.split("\n")))] for page in raw_pages]
    labels, furniture = _strip_furniture(pages) if paged else ({}, [])
    for number, label in marked.items():
        labels[number] = label  # the converter's page number is the one printed on the page
    builder = BlockBuilder()
    toc_pages: list[int] = []
    title_lines: list[str] = []
    for number, lines in enumerate(pages, start=1):
        lines, toc_at = _drop_toc(lines)
        if toc_at is not None and paged:
            toc_pages.append(number)
        if number == 1:
            title_lines = _title_lines(lines, toc_at)
        _walk(lines, builder, number, labels.get(number))
    return ParsedDocument(
        path=str(path),
        blocks=builder.finish(),
        page_count=len(pages),
        title_text="\n".join(title_lines),
        toc_pages=toc_pages,
        furniture=furniture,
    )


def _pages(text: str) -> tuple[list[str], dict[int, str]]:
    """The text's pages (form feeds or page comments) and the labels page comments give them."""
    if not _PAGE_COMMENT_RE.search(text):
        return text.split("\f"), {}
    pages: list[str] = []
    labels: dict[int, str] = {}
    parts = _PAGE_COMMENT_RE.split(text)  # text, number, text, number, ...
    if parts[0].strip():
        pages.append(parts[0])
    for number, body in zip(parts[1::2], parts[2::2], strict=True):
        if number:
            labels[len(pages) + 1] = number  # the page the comment opens
        pages += body.split("\f")
    return pages or [""], labels


def _pipe_tables(lines: list[str]) -> list[str]:
    """Markdown pipe tables as tab-separated rows, the form `_walk` reads tables in: header rows
    (every row above the `| --- |` rule) joined per column ("Bokslut" over "2024" is "Bokslut
    2024"), a header a converter collapsed into the first cell spread back over its columns
    (`_collapsed_header`), a cell's `<br>` lines joined as wrapped lines ("2023-08-" over "31"
    is "2023-08-31"), empty spacer rows dropped."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        if not _PIPE_ROW_RE.match(lines[index]):
            out.append(lines[index])
            index += 1
            continue
        end = index
        while end < len(lines) and _PIPE_ROW_RE.match(lines[end]):
            end += 1
        block = lines[index:end]
        rule = next((i for i, line in enumerate(block) if _PIPE_RULE_RE.match(line)), None)
        cells = [[[part.strip() for part in _BREAK_TAG_RE.split(cell)] for cell in line.strip().strip("|").split("|")]
                 for i, line in enumerate(block) if i != rule]
        rows = [[_joined(cell) for cell in row] for row in cells]
        if rule == 1 and rows and (spread := _collapsed_header(cells[0]) or _stacked_header(cells[0])):
            rows[0] = spread
        elif rule == 1 and rows and (merged := _merged_first_row(cells[0])):
            rows[0:1] = merged
        rows = [row for row in rows if any(row)]
        if rule and rule > 1 and rows:
            width = max(len(row) for row in rows[:rule])
            header = [" ".join(row[col] for row in rows[:rule] if col < len(row) and row[col]) for col in range(width)]
            rows = [header, *rows[rule:]]
        # a lone cell stays a line of text; a table needs two columns
        out += ["\t".join(cell or " " for cell in row) if len(row) > 1 else row[0] for row in rows]
        out.append("")
        index = end
    return out


def _joined(lines: list[str]) -> str:
    text = ""
    for line in lines:
        text = join_wrapped(text, normalise_spaces(line))
    return text


def _collapsed_header(row: list[list[str]]) -> list[str] | None:
    """The header row some converters write as one first cell, every other cell empty: the
    header's printed lines, each read across all the columns ("Miljoner kronor Delår Delår
    Budget" over "2023 2024 2024"). It is spread back only where that is unambiguous: every line
    names every column, once (one word each, or the same words repeated per column:
    "Utfall januari-juni Utfall januari-juni"), and only the first line has words before them,
    the label column's header. A line naming some columns only (a stacked header deeper on some
    columns than others) leaves the header as it was: without the words' positions there is no
    telling which columns it names, and a wrong column name is worse than none."""
    columns = len(row) - 1
    if columns < 2 or any(any(part for part in cell) for cell in row[1:]):
        return None
    lines = [line.split() for line in row[0] if line.strip()]
    if len(lines) < 2:
        return None
    per_column: list[list[str]] = [[] for _ in range(columns)]
    label: list[str] = []
    for number, words in enumerate(lines):
        split = _across(words, columns, allow_label=number == 0)
        if split is None:
            return None
        before, parts = split
        label = label or before
        for column, part in enumerate(parts):
            per_column[column].append(part)
    return [" ".join(label), *(" ".join(parts) for parts in per_column)]


def _stacked_header(row: list[list[str]]) -> list[str] | None:
    """A collapsed header (see `_collapsed_header`) whose columns are printed to different
    depths: on the label's line the label, then the one-line headers of the first columns, each
    ending in its year or date ("Låneskuld, miljoner kronor 2020 2021 2022 2023"); the remaining,
    deeper columns printed on the lines above and below, each line naming every one of them once
    ("Prognos Augusti" over "2024 2024"). A line without figures under a header that names every
    column on the label's line is the label wrapped ("... miljoner" over "kronor"). Spread back
    only when every line fits that shape and the columns' years run in order, oldest first (the
    layout of a comparison over years); anything else is left as it was."""
    columns = len(row) - 1
    if columns < 2 or any(any(part for part in cell) for cell in row[1:]):
        return None
    lines = [line.split() for line in row[0] if line.strip()]
    at = next((i for i, words in enumerate(lines)
               if not _dated(words[0]) and any(_dated(w) for w in words)), None)
    if at is None:
        return None
    words = lines[at]
    first = next(i for i, word in enumerate(words) if _dated(word))
    label, heads, current = words[:first], [], []
    for word in words[first:]:
        current.append(word)
        if _dated(word):
            heads.append(current)
            current = []
    deep = columns - len(heads)
    if current or deep < 0:
        return None
    stacked: list[list[str]] = [[] for _ in range(deep)]
    for number, others in enumerate(lines):
        if number == at:
            continue
        if deep == 0 and number > at and not any(ch.isdigit() for word in others for ch in word):
            label += others
        elif deep and len(others) == deep:
            for column, word in enumerate(others):
                stacked[column].append(word)
        else:
            return None
    headers = [*heads, *stacked]
    if not all(headers) or not all(_dated(h[-1]) for h in headers):
        return None
    years = [int(h[-1][:4]) for h in headers]
    if years != sorted(years):
        return None
    return [" ".join(label), *(" ".join(h) for h in headers)]


def _dated(word: str) -> bool:
    return bool(DATED_TOKEN_RE.fullmatch(word))


def _merged_first_row(row: list[list[str]]) -> list[list[str]] | None:
    """[header, first body row] of a header row some converters write with the first body row
    inside its cells, as each cell's last line ("Bokslut<br>2023<br>-0,8", "Miljoner kronor<br>
    Nämnden för Miljö<br>& Hälsoskydd"): every value cell has lines above a last line that is a
    figure, which no header prints. The label cell's last wrapped line (with the lines that
    continue it: starting in lower case, "&" or "(") is the row's label, the lines above it the
    label column's header; a label cell of one line is left alone, since it could be either."""
    values = row[1:]
    if not values or not all(len(cell) >= 2 and is_figure_cell(cell[-1]) for cell in values):
        return None
    segments: list[list[str]] = []
    for line in (part for part in row[0] if part):
        if segments and (line[:1] in "&(" or line[:1].islower()):
            segments[-1].append(line)
        else:
            segments.append([line])
    if len(segments) < 2:
        return None
    header = [_joined([line for seg in segments[:-1] for line in seg]), *(_joined(cell[:-1]) for cell in values)]
    return [header, [_joined(segments[-1]), *(cell[-1] for cell in values)]]


def _across(words: list[str], columns: int, allow_label: bool) -> tuple[list[str], list[str]] | None:
    """(words before the columns, one part per column) for a header line read across the columns."""
    for size in range(len(words) // columns, 0, -1):  # repeated groups first: "Utfall jan-jun" twice
        tail = words[len(words) - size * columns:]
        groups = [tail[i:i + size] for i in range(0, len(tail), size)]
        before = words[:len(words) - size * columns]
        # a column's word among the label's says the columns were counted from the wrong word
        # ("Belopp Utfall jan-jun Utfall jan-jun Budget": two words per column but one)
        if (size == 1 or all(g == groups[0] for g in groups)) and (allow_label or not before) and not set(before) & set(tail):
            return before, [" ".join(g) for g in groups]
    return None


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{path.name}: filen kan inte läsas ({exc.strerror}); kontrollera sökväg och behörighet.") from exc
    if not data.strip():
        raise IngestError(f"{path.name}: textfilen är tom; exportera dokumentet på nytt.")
    if b"\x00" in data[:4096]:
        raise IngestError(f"{path.name}: filen är binär, inte text; kontrollera filändelsen.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Windows exports are cp1252; every byte sequence decodes, so this cannot fail.
        return data.decode("cp1252", errors="replace")


def _clean(raw: str) -> _Line:
    """Strip Markdown and HTML markup from one line, remembering what it said about structure."""
    line = raw.rstrip(" \r\n")  # not tabs: a group row's empty cells are trailing tabs
    if _RULE_RE.match(line):
        return _Line("")
    level = 0
    heading = _MD_HEADING_RE.match(line)
    if heading:
        level = len(heading.group(1))
        line = line[heading.end():]
    bare = line.strip()
    emphasised = bool(
        re.fullmatch(r"(\*\*|__).+\1", bare) or re.fullmatch(r"\*[^*].*\*", bare) or re.fullmatch(r"(?i)<(b|strong|i|em)>.*</\1>", bare)
    )
    line = _BREAK_TAG_RE.sub(" ", line)
    line = _COMMENT_RE.sub("", line)
    line = _TAG_RE.sub("", line)
    line = _MD_LINK_RE.sub(r"\1", line)
    line = _MD_STRONG_RE.sub(lambda m: m.group(1) or m.group(2), line)
    line = _MD_EM_RE.sub(r"\1", line)
    cells = [normalise_spaces(cell) for cell in line.split("\t")]
    spaced = bool(re.search(r"\S {3,}\S", line))
    return _Line("\t".join(cells) if any(cells) else "", level, emphasised, spaced)


def _strip_furniture(pages: list[list[_Line]]) -> tuple[dict[int, str], list[str]]:
    """Drop running header/footer lines and page numbers of form-feed pages; return page labels
    and the distinct furniture texts (a running header names the report and its publisher)."""
    edges = []
    for lines in pages:
        filled = [line for line in lines if line.text]
        edges.append((filled[:EDGE_LINES], filled[::-1][:EDGE_LINES]))
    found = edge_furniture([([line.text for line in top], [line.text for line in bottom]) for top, bottom in edges])
    labels: dict[int, str] = {}
    furniture: dict[str, None] = {}
    for number, ((top, bottom), (n_top, n_bottom, label)) in enumerate(zip(edges, found, strict=True), start=1):
        if label is not None:
            labels[number] = label
        for line in top[:n_top] + bottom[:n_bottom]:
            if page_label(line.text) is None:
                furniture[line.text] = None
            line.text = ""
    keys = {furniture_key(text) for text in furniture}
    for line in _numbered_running_lines(pages):
        if furniture_key(line.text) not in keys:  # one of "... 24", "... 25": the header is one text
            keys.add(furniture_key(line.text))
            furniture[line.text] = None
        line.text = ""
    return labels, list(furniture)[:12]


_WORD_RE = re.compile(r"[^\W\d_]{2,}")  # a running header names something; a row of spaced figures does not


def _numbered_running_lines(pages: list[list[_Line]]) -> list[_Line]:
    """Running headers a converter moved off the page's edge (below the first heading, or into
    the middle of the page's text): a line whose text recurs on several pages with only its
    number changing ("Ålunda kommun   Delårsbokslut 2024   24", then "... 25"), set with the page
    layout's runs of spaces. The changing number is what tells it from a heading that merely
    recurs ("Kommentar"), the spacing what tells it from a numbered heading ("Mål 2"); table rows,
    captions and rows of spaced figures are never furniture."""
    candidates: list[list[_Line]] = []
    for lines in pages:
        filled = [line for line in lines if line.text]
        # a table's caption ("Tabell 9-1" over the table) is numbered by page too: not furniture
        lone = [line for line, nxt in zip(filled, [*filled[1:], None]) if "\t" not in line.text
                and (nxt is None or "\t" not in nxt.text)]
        candidates.append([line for line in lone if line.spaced and len(_WORD_RE.findall(line.text)) >= 2])
    keys = repeated_keys([[line.text for line in lines] for lines in candidates], len(pages))
    texts: dict[str, set[str]] = {}
    for lines in candidates:
        for line in lines:
            if "#" in furniture_key(line.text):
                texts.setdefault(furniture_key(line.text), set()).add(line.text)
    counters = {key for key in keys if len(texts.get(key, ())) >= 2}
    return [line for lines in candidates for line in lines if furniture_key(line.text) in counters]


def _drop_toc(lines: list[_Line]) -> tuple[list[_Line], int | None]:
    """Remove a table of contents (title line plus its entries); return the lines and where it was.

    Without a title, only a run of dotted-leader entries counts: tab-separated rows ending in a
    number are as likely to be a table.
    """
    index = 0
    while index < len(lines):
        titled = bool(TOC_TITLE_RE.match(lines[index].text.strip()))
        end = index + 1 if titled else index
        entries = 0
        while end < len(lines) and (not lines[end].text or is_toc_entry(lines[end].text)):
            if lines[end].text:
                if not titled and "\t" in lines[end].text and not re.search(r"\.{4,}|…", lines[end].text):
                    break
                entries += 1
            end += 1
        if (titled and entries >= 2) or entries >= 5:
            return lines[:index] + lines[end:], index
        index += 1
    return lines, None


def _title_lines(lines: list[_Line], toc_at: int | None) -> list[str]:
    """The opening lines of the extract, before the TOC or the first numbered heading."""
    out: list[str] = []
    for position, line in enumerate(lines):
        if (toc_at is not None and position >= toc_at) or parse_numbered_heading(line.text.replace("\t", " ")):
            break
        if line.text:
            out.append(line.text.replace("\t", " "))
        if len(out) >= _TITLE_LINES:
            break
    return out


def _walk(lines: list[_Line], builder: BlockBuilder, page: int, label: str | None) -> None:
    """Feed headings, paragraphs (blank-line separated) and tab-separated tables to the builder."""
    paragraph: list[str] = []
    caption = ""  # a heading or one-line paragraph right above the next table

    def flush() -> None:
        nonlocal caption
        if paragraph:
            short = len(paragraph) == 1 and len(paragraph[0]) <= 150 and not is_bullet(paragraph[0])
            caption = normalise_bullet(paragraph[0]) if short else ""
            builder.paragraph(join_lines(paragraph), page, label)
            paragraph.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.text:
            flush()
            index += 1
            continue
        if "\t" in line.text:
            end = index
            while end < len(lines) and "\t" in lines[end].text:
                end += 1
            if end - index >= 2:
                flush()
                rows = clean_table([line.text.split("\t") for line in lines[index:end]])
                if rows and len(rows[0]) >= 2:
                    builder.table(rows, caption or builder.sections.last_title, page, label)
                    caption = ""
                    index = end
                    continue
        flat = normalise_spaces(line.text.replace("\t", " "))
        heading = _heading(line, flat, builder)
        if heading is not None:
            flush()
            number, title = heading
            if number is None:
                builder.heading_unnumbered(title)
            else:
                builder.heading_numbered(number, title)
            caption = builder.sections.last_title
        else:
            paragraph.append(flat)
        index += 1
    flush()


def _heading(line: _Line, text: str, builder: BlockBuilder) -> tuple[tuple[int, ...] | None, str] | None:
    """(number or None, title) if the line's markup or numbering says it is a heading."""
    numbered = parse_numbered_heading(text)
    explicit = line.markdown_level > 0 or (line.emphasised and len(text) <= 100)
    if numbered and (explicit or _plausible(text, numbered[0], builder)):
        return numbered
    if explicit and not numbered and text[:1].isalpha():
        return None, text
    return None


def _plausible(text: str, number: tuple[int, ...], builder: BlockBuilder) -> bool:
    """Without font evidence, a numbered line is a heading only if it is short, not a sentence,
    and continues the outline (so "3 mnkr ..." or a wrapped "13 olika ..." never is)."""
    return len(text) <= 150 and not text.endswith((".", ",", ";")) and builder.sections.accepts(number)
