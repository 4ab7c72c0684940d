"""Tables set without rules: rows of a label and figures aligned in columns by position alone.

Statistics tables, income statements and key-figure tables are often typeset with no lines at all
(pdfplumber's `find_tables` sees nothing), so their rows came out as prose: "Intäkter av avgifter
12 345 11 234". Read as text, the figures lose their columns (which year? budget or outcome?).
Here such a run of lines is read back into a table from the x-positions of its words:

- a **figure line** is one whose word runs (`spans`: glyphs without a gap wider than a word space)
  end in two or more figures (a figure, or a dash for an empty cell), after an optional label;
- a **run** is three or more figure lines one below the other, with at most two label-only lines
  between them (group headings such as "Verksamhetens intäkter", which may sit a blank line
  below the row above); once a run has begun, a row with one empty cell (a label and one
  figure) belongs to it too;
- the **columns** are the right edges of the figures (numbers are right-aligned), clustered; every
  figure of the run must sit on one of them, else the lines are not a table and stay text;
- up to two **header lines** directly above the run belong to it when each of their word runs
  ends at, or is centred over, one of the columns.
Prose with a few numbers never has three lines of two or more aligned trailing figures, and a
two-column page is left alone (its lines are read column by column before this).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Any

_FIGURE_RE = re.compile(r"^[+\-−–]?\s?\d[\d \u00a0]*(?:,\d+)?\s?%?$|^[-–—]$")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")  # a column header ("2024"), not a figure
_NOTE_LINE_RE = re.compile(r"^(?:\d{1,2}\)|\*+)\s")  # a footnote starts with its mark: "1) Jämförelsetalen ..."
# A reference to a note, set on a line of its own under the figure it annotates ("(not 35)") or
# beside the label ("5)"): not a label line, not a cell. The note itself is text further on.
_NOTE_REF_RE = re.compile(r"^(?:\((?:not|note)\s*\d{1,3}[a-z]?\)|\d{1,2}\))$", re.IGNORECASE)
# A short number inside a label is the item's number, set apart by a tab ("12:1 ap  3  IT-verksamhet",
# "UTGIFTSOMRÅDE  8  Invandrare"): part of the label. A figure before the label's words is not.
_ITEM_NUMBER_RE = re.compile(r"^\d{1,2}$")
_MIN_FIGURE_LINES = 3
_MAX_LABEL_LINES = 3  # label-only lines (group headings, nested up to three deep) inside a run or above it
_MAX_HEADER_LINES = 4  # headers wrapped over up to four lines ("Ingående / överförings- / belopp")
_GROUP_GAP = 3.0  # a group heading inside a run may sit a blank line's height below the row above (in type sizes)


@dataclass
class Span:
    text: str
    x0: float
    x1: float
    parts: tuple["Span", ...] = ()  # the words a phrase was merged from (a header line may need them apart)


@dataclass
class UnruledTable:
    rows: list[list[str]]
    top: float
    bottom: float
    lines: list[int]  # indices of the raw lines it was read from


def spans(raw: dict[str, Any]) -> list[Span]:
    """A line's word runs, left to right: glyphs closer than a fifth of the type size form a word;
    words a word space apart form a phrase (`_merge_words`); wider gaps separate columns."""
    glyphs = sorted((c for c in raw["chars"] if c["text"].strip()), key=lambda c: c["x0"])
    if not glyphs:
        return []
    size = statistics.median(c["size"] for c in glyphs)
    words: list[Span] = []
    for index, c in enumerate(glyphs):
        if _footnote_mark(glyphs, index, size):
            continue

        if words and c["x0"] - words[-1].x1 <= 0.2 * size:
            words[-1].text += c["text"]
            words[-1].x1 = max(words[-1].x1, c["x1"])
        else:
            words.append(Span(c["text"], c["x0"], c["x1"]))
    return _merge_words(words, size)


def _footnote_mark(glyphs: list[dict[str, Any]], index: int, size: float) -> bool:
    """A footnote reference set as a superscript right after a figure ("2000" with a small "1)"):
    smaller type than the line's, at most half a letter after a digit. It refers to a note, it is not part of the
    figure or header ("20001)" is the year 2000 and note 1)."""
    c = glyphs[index]
    if c["size"] >= 0.8 * size or not re.fullmatch(r"[\d)*]", c["text"]):
        return False
    start = index
    while start > 0 and glyphs[start - 1]["size"] < 0.8 * size:
        start -= 1
    return start > 0 and glyphs[start - 1]["text"].isdigit() and glyphs[start]["x0"] - glyphs[start - 1]["x1"] <= 0.5 * size


def _merge_words(out: list[Span], size: float) -> list[Span]:
    """Join runs separated by an ordinary word space ("Intäkter av avgifter"), and the digit groups
    of one number ("12 345"), which sit a thin space apart."""
    merged: list[Span] = []
    for span in out:
        if merged:
            gap = span.x0 - merged[-1].x1
            # an item number a word space after a word is the label's ("Summa utgiftsområde 8")
            both_words = not _is_figure(merged[-1].text) and not _is_amount_in_label(span)
            one_number = re.fullmatch(r"[+\-−–]?\d{1,3}(?: \d{3})*", merged[-1].text) and re.fullmatch(r"\d{3}(?:,\d+)?%?", span.text)
            if (both_words and gap <= 0.6 * size) or (one_number and gap <= 0.45 * size):
                merged[-1] = Span(f"{merged[-1].text} {span.text}", merged[-1].x0, span.x1,
                                  (*(merged[-1].parts or (merged[-1],)), span))
                continue
        merged.append(span)
    return merged


def _figures_after_label(row: list[Span], least: int = 2) -> tuple[list[Span], list[Span]] | None:
    """(label spans, figure spans) when the line ends in `least` or more figures, else None."""
    n = len(row)
    while n and _is_figure(row[n - 1].text):
        n -= 1
    figures = row[n:]
    if len(figures) < least or any(map(_is_amount_in_label, row[:n])):
        return None
    return row[:n], figures


def _is_amount_in_label(span: Span) -> bool:
    """A figure among a line's label words that is not an item number: the line is not one row."""
    return _is_figure(span.text) and not _ITEM_NUMBER_RE.match(span.text)


def _is_figure(text: str) -> bool:
    return bool(_FIGURE_RE.match(text)) and not _YEAR_RE.match(text)


def _columns(edges: list[float], tolerance: float) -> list[float]:
    """Right edges clustered into columns (a cluster's median), left to right."""
    clusters: list[list[float]] = []
    for x in sorted(edges):
        if clusters and x - clusters[-1][-1] <= tolerance:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return [statistics.median(c) for c in clusters]


def _nearest(columns: list[float], x: float, tolerance: float) -> int | None:
    best = min(range(len(columns)), key=lambda i: abs(columns[i] - x))
    return best if abs(columns[best] - x) <= tolerance else None


def find_tables(raws: list[dict[str, Any]]) -> list[UnruledTable]:
    """The unruled tables among a page's text lines (top to bottom), see the module docstring."""
    lines = [spans(raw) for raw in raws]
    sizes = [statistics.median(c["size"] for c in raw["chars"] if c["text"].strip()) for raw in raws if raw["chars"]]
    size = statistics.median(sizes) if sizes else 10.0
    tolerance = 1.5 * size
    found: list[UnruledTable] = []
    i = 0
    while i < len(lines):
        if _figures_after_label(lines[i]) is None:
            i += 1
            continue
        members, j, labels_in_a_row = [i], i + 1, 0
        while j < len(lines):
            if _is_note_line(lines[j]):
                members.append(j)
                j += 1
                continue
            # inside a run, a row with one empty cell has one figure ("Övriga intäkter ... 57")
            if _figures_after_label(lines[j], least=1) is not None and lines[j][0].text and not _is_figure(lines[j][0].text):
                members.append(j)
                labels_in_a_row = 0
            elif lines[j] and labels_in_a_row < _MAX_LABEL_LINES and raws[j]["top"] - raws[j - 1]["bottom"] < _GROUP_GAP * size:
                members.append(j)
                labels_in_a_row += 1
            else:
                break
            j += 1
        while members and _figures_after_label(lines[members[-1]], least=1) is None:
            members.pop()  # a run ends on a figure line
        table = _table(raws, lines, members, tolerance)
        if table is not None:
            found.append(table)
            i = members[-1] + 1
        else:
            i += 1
    return found


def _table(raws, lines: list[list[Span]], members: list[int], tolerance: float) -> UnruledTable | None:
    full_rows = [m for m in members if _figures_after_label(lines[m]) is not None]
    if len(full_rows) < _MIN_FIGURE_LINES:
        return None
    columns = _columns([s.x1 for m in full_rows for s in _figures_after_label(lines[m])[1]], tolerance)
    if len(columns) < 2:
        return None
    def raw_text(m: int) -> str:
        return " ".join(span.text for span in lines[m])

    def off_columns(m: int) -> bool:
        split = _figures_after_label(lines[m], least=1)
        return split is None or any(_nearest(columns, span.x1, tolerance) is None for span in split[1])

    while members[-1] not in full_rows and (off_columns(members[-1]) or _NOTE_LINE_RE.match(raw_text(members[-1]))):
        # a line after the table ending in one number off the columns or starting with a note
        # mark (a footnote and the page number), and the label lines before it
        members = members[:-1]
    rows: list[list[str]] = []
    lefts = list(columns)  # each column's left edge: where its widest figure starts
    for m in members:
        if _is_note_line(lines[m]):
            continue
        split = _figures_after_label(lines[m], least=1)
        label_spans, figures = split if split else (lines[m], [])
        cells = [""] * len(columns)
        for span in figures:
            col = _nearest(columns, span.x1, tolerance)
            if col is None or cells[col]:
                return None  # a figure off the columns, or two in one: not this kind of table
            cells[col] = span.text
            lefts[col] = min(lefts[col], span.x0)
        rows.append([" ".join(s.text for s in label_spans), *cells])
    rows = _join_wrapped_labels(rows)
    first = start = members[0]
    while (first > 0 and first - 1 not in members and start - first < _MAX_LABEL_LINES
           and (heading := _group_heading(lines[first - 1], columns, tolerance)) is not None
           and raws[first]["top"] - raws[first - 1]["bottom"] < tolerance):
        first -= 1  # a group heading right above the first row ("Verksamhetens intäkter")
        members = [first, *members]
        rows.insert(0, heading)
    header: list[list[str]] = []
    leaning: list[list[tuple[int, int]]] = []  # per header line: (its column, the headerless neighbour)
    prose = False
    while not prose and first > 0 and len(header) < _MAX_HEADER_LINES:
        above = lines[first - 1]
        if not above or raws[first]["top"] - raws[first - 1]["bottom"] > 1.5 * tolerance:
            break
        cells = [""] * len(columns)
        label = []
        line_leaning = []
        for span in _header_spans(above, columns, tolerance):
            col = _nearest(columns, span.x1, tolerance)
            centre = (span.x0 + span.x1) / 2
            by_centre = col is None
            if by_centre:
                col = _nearest(columns, centre, 4 * tolerance) if span.x0 > columns[0] - 8 * tolerance else None
            if col is not None:
                own_centre = (lefts[col] + columns[col]) / 2
                if col + 1 < len(columns) and span.x1 > columns[col] + tolerance / 2 and centre > (own_centre + columns[col]) / 2:
                    line_leaning.append((col, col + 1))
                elif by_centre and centre < lefts[col] and col > 0:
                    line_leaning.append((col, col - 1))
            if col is None:
                if cells != [""] * len(columns):
                    prose = True  # words left of filled cells: prose
                    break
                label.append(span.text)
                continue
            cells[col] = f"{cells[col]} {span.text}".strip()
        if prose or all(not c for c in cells) or any(_is_figure(c) for c in cells if c):
            break
        header.insert(0, [" ".join(label), *cells])
        leaning.insert(0, line_leaning)
        first -= 1
    _spread_spanning(header, leaning)
    return _done(raws, header, rows, members, first)


def _spread_spanning(header: list[list[str]], leaning: list[list[tuple[int, int]]]) -> None:
    """A header centred over two columns ("Bå 2003" over the items' column and the subtotals'
    column beside it) leans out of the column it is nearest to, towards a column with no header
    of its own: it heads both. It leans right when it ends past its column's right edge and its
    middle is in the right half of the column (a header right-aligned with its column ends at
    the edge, one centred over it has its middle in the middle); one placed by its middle alone
    leans left when its middle is left of the column's figures."""
    for line, pairs in zip(header, leaning, strict=True):
        for col, other in pairs:
            if not any(above[1 + other] for above in header):
                line[1 + other] = line[1 + col]


def _header_spans(line: list[Span], columns: list[float], tolerance: float) -> list[Span]:
    """A header line's cells: two narrow columns' headers a word space apart ("belopp
    regleringsbrev") were merged into one phrase; split it where a word ends on a column of its own."""
    out: list[Span] = []
    for span in line:
        cut = next((i for i, part in enumerate(span.parts[:-1])
                    if _nearest(columns, part.x1, tolerance / 3) is not None
                    and _nearest(columns, part.x1, tolerance) != _nearest(columns, span.x1, tolerance)), None)
        if cut is None:
            out.append(span)
            continue
        left, right = span.parts[:cut + 1], span.parts[cut + 1:]
        out += [Span(" ".join(p.text for p in left), left[0].x0, left[-1].x1, left),
                *_header_spans([Span(" ".join(p.text for p in right), right[0].x0, right[-1].x1, right if len(right) > 1 else ())],
                               columns, tolerance)]
    return out


def _group_heading(line: list[Span], columns: list[float], tolerance: float) -> list[str] | None:
    """The row of a group heading above a table's first row: a label left of the columns, alone
    or with one figure on a column (a note reference: "Materiella anläggningstillgångar  14").
    The label may start with its item number ("12  MIGRATION")."""
    split = _figures_after_label(line, least=1)
    label, figures = split if split else (line, [])
    if (not label or len(figures) > 1 or label[-1].x1 >= columns[0] - 2 * tolerance
            or not any(not _is_figure(s.text) for s in label) or any(map(_is_amount_in_label, label))):
        return None
    cells = [""] * len(columns)
    for span in figures:
        col = _nearest(columns, span.x1, tolerance)
        if col is None:
            return None
        cells[col] = span.text
    return [" ".join(s.text for s in label), *cells]


def _is_note_line(line: list[Span]) -> bool:
    return bool(line) and all(_NOTE_REF_RE.match(span.text) for span in line)


def _join_wrapped_labels(rows: list[list[str]]) -> list[list[str]]:
    """A row label too long for its column wraps: the line that continues it starts in lower case
    ("... intäkter som inte" over "disponeras av myndigheten", or a bracketed qualifier: "(Ram)"),
    and the figures stand on its first or its last line. A group heading starts with a capital. So a line without figures
    whose next row's label starts in lower case (or with a bracket) begins that row's label, and
    one that starts in lower case itself ends the label of the row (or group heading) above."""
    out: list[list[str]] = []
    for row in rows:
        label, values = row[0], row[1:]
        if not any(values) and out and (label[:1].islower() or (label[:1] == "(" and any(out[-1][1:]))):
            out[-1] = [f"{out[-1][0]} {label}", *out[-1][1:]]
            continue
        out.append(row)
    merged: list[list[str]] = []
    for row in out:
        if merged and not any(merged[-1][1:]) and any(row[1:]) and (row[0][:1].islower() or row[0][:1] == "("):
            merged[-1] = [f"{merged[-1][0]} {row[0]}", *row[1:]]
            continue
        merged.append(row)
    return merged


def _done(raws, header: list[list[str]], rows: list[list[str]], members: list[int], first: int) -> UnruledTable:
    if not header:
        header = [[""] * len(rows[0])]
    used = list(range(first, members[0])) + members
    return UnruledTable(rows=header + rows, top=float(raws[used[0]]["top"]), bottom=float(raws[members[-1]]["bottom"]),
                        lines=used)
