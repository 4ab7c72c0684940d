"""Tables set without rules: rows of a label and figures aligned in columns by position alone.

Statistics tables, income statements and key-figure tables are often typeset with no lines at all
(pdfplumber's `find_tables` sees nothing), so their rows came out as prose: "Intäkter av avgifter
12 345 11 234". Read as text, the figures lose their columns (which year? budget or outcome?).
Here such a run of lines is read back into a table from the x-positions of its words:

- a **figure line** is one whose word runs (`spans`: glyphs without a gap wider than a word space)
  end in two or more figures (a figure, or a dash for an empty cell), after an optional label;
- a **run** is three or more figure lines one below the other, with at most two label-only lines
  between them (group headings such as "Verksamhetens intäkter");
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
_MIN_FIGURE_LINES = 3
_MAX_LABEL_LINES = 2  # label-only lines (group headings) inside a run
_MAX_HEADER_LINES = 2


@dataclass
class Span:
    text: str
    x0: float
    x1: float


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
    for c in glyphs:
        if words and c["x0"] - words[-1].x1 <= 0.2 * size:
            words[-1].text += c["text"]
            words[-1].x1 = max(words[-1].x1, c["x1"])
        else:
            words.append(Span(c["text"], c["x0"], c["x1"]))
    return _merge_words(words, size)


def _merge_words(out: list[Span], size: float) -> list[Span]:
    """Join runs separated by an ordinary word space ("Intäkter av avgifter"), and the digit groups
    of one number ("12 345"), which sit a thin space apart."""
    merged: list[Span] = []
    for span in out:
        if merged:
            gap = span.x0 - merged[-1].x1
            both_words = not _is_figure(merged[-1].text) and not _is_figure(span.text)
            one_number = re.fullmatch(r"[+\-−–]?\d{1,3}(?: \d{3})*", merged[-1].text) and re.fullmatch(r"\d{3}(?:,\d+)?%?", span.text)
            if (both_words and gap <= 0.6 * size) or (one_number and gap <= 0.45 * size):
                merged[-1] = Span(f"{merged[-1].text} {span.text}", merged[-1].x0, span.x1)
                continue
        merged.append(span)
    return merged


def _figures_after_label(row: list[Span]) -> tuple[list[Span], list[Span]] | None:
    """(label spans, figure spans) when the line ends in two or more figures, else None."""
    n = len(row)
    while n and _is_figure(row[n - 1].text):
        n -= 1
    figures = row[n:]
    if len(figures) < 2 or any(_is_figure(s.text) for s in row[:n]):
        return None
    return row[:n], figures


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
            if _figures_after_label(lines[j]) is not None:
                members.append(j)
                labels_in_a_row = 0
            elif lines[j] and labels_in_a_row < _MAX_LABEL_LINES and raws[j]["top"] - raws[j - 1]["bottom"] < 1.5 * size:
                members.append(j)
                labels_in_a_row += 1
            else:
                break
            j += 1
        while members and _figures_after_label(lines[members[-1]]) is None:
            members.pop()  # a run ends on a figure line
        table = _table(raws, lines, members, tolerance)
        if table is not None:
            found.append(table)
            i = members[-1] + 1
        else:
            i += 1
    return found


def _table(raws, lines: list[list[Span]], members: list[int], tolerance: float) -> UnruledTable | None:
    figure_rows = [m for m in members if _figures_after_label(lines[m]) is not None]
    if len(figure_rows) < _MIN_FIGURE_LINES:
        return None
    columns = _columns([s.x1 for m in figure_rows for s in _figures_after_label(lines[m])[1]], tolerance)
    if len(columns) < 2:
        return None
    rows: list[list[str]] = []
    for m in members:
        split = _figures_after_label(lines[m])
        label_spans, figures = split if split else (lines[m], [])
        cells = [""] * len(columns)
        for span in figures:
            col = _nearest(columns, span.x1, tolerance)
            if col is None or cells[col]:
                return None  # a figure off the columns, or two in one: not this kind of table
            cells[col] = span.text
        rows.append([" ".join(s.text for s in label_spans), *cells])
    first = members[0]
    while (first > 0 and first - 1 not in members and len(members) - len(figure_rows) < 2 * _MAX_LABEL_LINES
           and lines[first - 1] and _figures_after_label(lines[first - 1]) is None and len(lines[first - 1]) == 1
           and lines[first - 1][0].x1 < columns[0] - 2 * tolerance
           and raws[first]["top"] - raws[first - 1]["bottom"] < tolerance):
        first -= 1  # a group heading right above the first row ("Verksamhetens intäkter")
        members = [first, *members]
        rows.insert(0, [lines[first][0].text, *[""] * len(columns)])
    header = []
    while first > 0 and len(header) < _MAX_HEADER_LINES:
        above = lines[first - 1]
        if not above or raws[first]["top"] - raws[first - 1]["bottom"] > 1.5 * tolerance:
            break
        cells = [""] * len(columns)
        label = []
        for span in above:
            col = _nearest(columns, span.x1, tolerance)
            if col is None:
                col = _nearest(columns, (span.x0 + span.x1) / 2, 4 * tolerance) if span.x0 > columns[0] - 8 * tolerance else None
            if col is None:
                if cells != [""] * len(columns):
                    return _done(raws, header, rows, members, first)  # words left of filled cells: prose
                label.append(span.text)
                continue
            cells[col] = f"{cells[col]} {span.text}".strip()
        if all(not c for c in cells) or any(_is_figure(c) for c in cells if c):
            break
        header.insert(0, [" ".join(label), *cells])
        first -= 1
    return _done(raws, header, rows, members, first)


def _done(raws, header: list[list[str]], rows: list[list[str]], members: list[int], first: int) -> UnruledTable:
    if not header:
        header = [[""] * len(rows[0])]
    used = list(range(first, members[0])) + members
    return UnruledTable(rows=header + rows, top=float(raws[used[0]]["top"]), bottom=float(raws[members[-1]]["bottom"]),
                        lines=used)
