"""Tables that a text extract lays out with spaces (a PDF-to-text converter keeping the page's
layout), read back into rows.

Such a converter prints each row's figures on one line, set apart by runs of spaces, and the
row's label, when it is too long for its column, on the lines around that line: the figures
stand at the label's vertical middle, so a label of three lines has one line above the figures
and one below ("Andel män som" / "92,3 %   97,4 %   ..." / "har heltid"), and a label of four
lines two above and two below. The header is printed the same way: its cells' lines read across
the columns ("Utfall jan 2020 Utfall jan 2021 ..." over "-jun 2020 -jun 2021 ..."), the label
column's header ("Namn") at its middle.

Reading it back:
- A **value line** ends with as many figures as the table has columns, set apart from each other
  by two or more spaces (the first may follow the label's words after one space).
- The **header** is the lines above the first row that name a year, and the short lines between
  them (the label column's header). Each header line is read across the columns when its words
  split into one part per column unambiguously: one part per run of spaces, one part ending at
  each year, or one part starting at each repetition of its first word; else the table keeps no
  header rather than a guessed one.
- The lines between two value lines are the end of the upper row's label and the start of the
  lower one's, split where the centring puts them: the upper row ends with as many lines as it
  began with above its figures.
- A word too long for the label column is cut at the column's width without a hyphen
  ("Långtidssjukfrå" / "nvaro"): a one-word line as long as the table's longest wrapped line
  (within a character) that the next line continues in lower case is joined to it without a space.

The table comes out as tab-separated lines, the form the text reader reads tables in; everything
that is not such a table stays as it was.
"""

from __future__ import annotations

import re

_FIGURE = r"[+\-−–]?\d{1,3}(?: \d{3})*(?:,\d+)?(?: ?%)?|[+\-−–]?\d+(?:,\d+)?(?: ?%)?"
_FIGURE_RE = re.compile(rf"(?:{_FIGURE})")
_TRAILING_FIGURE_RE = re.compile(rf"\s({_FIGURE})$")
_GAP_RE = re.compile(r"\s{2,}")
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_PURE_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_MAX_GAP = 6  # label lines between two value lines: three below one row, three above the next
_MAX_ABOVE = 8  # lines above the first row that may hold its header


def spaced_tables(lines: list[str]) -> list[str]:
    """The page's lines with each space-aligned table replaced by its tab-separated rows."""
    values = [_values(line) for line in lines]
    out: list[str] = []
    done = 0
    index = 0
    while index < len(lines):
        table = _table_at(lines, values, index, done)
        if table is None:
            index += 1
            continue
        start, end, rows = table
        out += lines[done:start]
        out += ["\t".join(row) for row in rows] + [""]
        done = index = end
    return out + lines[done:]


def _values(line: str) -> tuple[str, list[str]] | None:
    """(label words, figures) of a line that ends with two or more figures set apart by runs of
    spaces; None for any other line."""
    pieces = [p for p in _GAP_RE.split(line.strip()) if p]
    figures: list[str] = []
    while pieces and _FIGURE_RE.fullmatch(pieces[-1]):
        figures.insert(0, pieces.pop())
    if pieces:
        last = _TRAILING_FIGURE_RE.search(pieces[-1])
        if last is not None and figures:
            figures.insert(0, last.group(1))
            pieces[-1] = pieces[-1][:last.start()]
    if len(figures) < 2:
        return None
    return " ".join(pieces).strip(), figures


def _table_at(
    lines: list[str], values: list[tuple[str, list[str]] | None], index: int, done: int
) -> tuple[int, int, list[list[str]]] | None:
    """(first line, line after the last, rows) of a table whose first value line is `index`."""
    first = values[index]
    if first is None:
        return None
    width = len(first[1])
    # the value lines of one table: as many figures each, a few label lines apart, no blank line
    rows_at = [index]
    cursor = index + 1
    while cursor < len(lines) and lines[cursor].strip() and cursor - rows_at[-1] <= _MAX_GAP + 1:
        found = values[cursor]
        if found is not None:
            if len(found[1]) != width:
                break
            rows_at.append(cursor)
        cursor += 1
    if len(rows_at) < 2:
        return None
    # above the first row: its header (lines naming years) and the first lines of its label
    top = index
    while top > done and lines[top - 1].strip() and index - top < _MAX_ABOVE and values[top - 1] is None:
        top -= 1
    above = lines[top:index]
    dated = [i for i, line in enumerate(above) if _YEAR_RE.search(line)]
    if not dated:
        return None
    header_lines, before = above[dated[0]:dated[-1] + 1], [line.strip() for line in above[dated[-1] + 1:]]
    header = _header(header_lines, width)
    # each row's label: the lines between value lines, split by the centring
    rows: list[list[str]] = []
    labels: list[list[str]] = []
    bottom = rows_at[-1] + 1
    for number, at in enumerate(rows_at):
        if number + 1 < len(rows_at):
            gap = [line.strip() for line in lines[at + 1:rows_at[number + 1]]]
        else:
            gap = []
            while bottom < len(lines) and lines[bottom].strip() and values[bottom] is None and len(gap) < len(before):
                gap.append(lines[bottom].strip())
                bottom += 1
        prefix, figures = values[at]  # type: ignore[misc]
        after = gap[:len(before)] if number + 1 < len(rows_at) else gap
        labels.append([*before, *([prefix] if prefix else []), *after])
        rows.append(figures)
        before = gap[len(after):]
    if any(not label for label in labels):
        return None
    column = max((len(part) for label in labels for part in label if " " in part), default=0)
    body = [[_join_label(label, column), *figures] for label, figures in zip(labels, rows, strict=True)]
    return top + dated[0], bottom, [header, *body]


def _header(lines: list[str], width: int) -> list[str]:
    """[label column's header, one header per column]; all "" when a line does not split."""
    label: list[str] = []
    columns: list[list[str]] = [[] for _ in range(width)]
    for line in lines:
        parts = _across(line.strip(), width)
        if parts is None:
            if _YEAR_RE.search(line) or len(line.split()) > 3:
                return [""] * (width + 1)
            label.append(line.strip())  # a short line between the header's lines: the label column's
            continue
        for column, part in zip(columns, parts, strict=True):
            column.append(part)
    return [" ".join(label), *(" ".join(parts) for parts in columns)]


def _across(line: str, width: int) -> list[str] | None:
    """One part per column of a header line, where its words split unambiguously."""
    pieces = [p for p in _GAP_RE.split(line) if p]
    if len(pieces) == width:
        return pieces
    words = line.split()
    ends = [i for i, word in enumerate(words) if _PURE_YEAR_RE.fullmatch(word)]
    if len(ends) == width and ends[-1] == len(words) - 1:
        starts = [0, *(i + 1 for i in ends[:-1])]
        return [" ".join(words[s:e + 1]) for s, e in zip(starts, ends, strict=True)]
    starts = [i for i, word in enumerate(words) if word == words[0]]
    if len(starts) == width and len(words) > width:
        return [" ".join(words[s:e]) for s, e in zip(starts, [*starts[1:], len(words)], strict=True)]
    return None


def _join_label(parts: list[str], column: int) -> str:
    """A row label's lines as one label; a word cut at the column's width is joined back."""
    label = ""
    previous = ""
    for part in parts:
        cut = " " not in previous and len(previous) >= column - 1 and previous[-1:].isalpha()
        label = label + part if label and cut and part[:1].islower() else f"{label} {part}".strip()
        previous = part
    return label
