"""Table cleanup and rendering, independent of where the cells came from.

pdfplumber returns the raw cell grid of a ruled table: `None` where a merged cell covers the
position, one grid row per text line in some layouts (Göteborg's boxed tables), padding columns
and the same value repeated in two adjacent grid columns. Cleaning turns that into the table a
reader sees: one row per logical row, one column per printed column, cells as printed.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from granska.ingest.clean import join_wrapped, normalise_spaces

Cell = str | None


def clean_table(raw: list[list[Cell]], columns_by_position: bool = False) -> list[list[str]]:
    """Return the logical rows of a raw cell grid (header row first); [] when nothing is left.

    `columns_by_position`: the grid's columns were found from the figures' right edges
    (ingest/unruled.py), so no printed column is split in two and no columns are merged: an
    items column beside its subtotals column agrees with it wherever both are filled."""
    # Empty grid rows (a thin spacer band under a header) go first, so a wrapped header cell's
    # second line folds into the header row, not into the spacer.
    rows = _merge_continuation_rows([list(row) for row in raw if row and any(row)])
    grid = [[_cell_text(cell) for cell in row] for row in rows]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    width = max(len(row) for row in grid)
    grid = [row + [""] * (width - len(row)) for row in grid]
    keep = [col for col in range(width) if any(row[col] for row in grid) and not _note_column(grid, col)]
    grid = [[row[col] for col in keep] for row in grid]
    if not columns_by_position:
        grid = _merge_duplicate_columns(grid)
    if len(grid[0]) > 2 and _unheaded_note_column(grid):
        grid = [[row[0], *row[2:]] for row in grid]
    return grid


_NOTE_HEADER_RE = re.compile(r"^(?:not|noter|note|nr)$", re.IGNORECASE)
_NOTE_REF_RE = re.compile(r"^\d{1,2}(?:\s*[,&-]\s*\d{1,2})*$")


_FIGURE_CELL_RE = re.compile(r"^[+\-−–]?\s?\d[\d \u00a0]*(?:[,.]\d+)?\s?%?$")


def is_figure_cell(cell: str) -> bool:
    """A cell holding one figure, as a body row prints it ("-0,8", "12 %"); a year is a header's."""
    cell = cell.strip()
    return bool(_FIGURE_CELL_RE.match(cell)) and not re.fullmatch(r"(?:19|20)\d\d", cell)


def is_figure_row(row: list[str]) -> bool:
    """A row whose value cells (after its label) are mostly figures: a body row, not a header
    ("Kassa och bank | 379,0 | 425,9"); a header's cells are words or years ("Bokslut 2024")."""
    cells = [c.strip() for c in row[1:] if c.strip()]
    return len(cells) >= 2 and sum(map(is_figure_cell, cells)) >= 0.6 * len(cells)


def _note_column(grid: list[list[str]], col: int) -> bool:
    """A column of note references ("Not" over 1, 2, 3 in a balance sheet, its header sometimes
    split "N ot", on the last line of a header wrapped over several): references to the notes,
    not amounts, so it is left out of the table's values."""
    first_body = next((i for i, row in enumerate(grid) if i and any(map(is_figure_cell, row[1:]))), 1)
    header = re.sub(r"\s+", "", next((row[col] for row in reversed(grid[:first_body]) if row[col]), ""))
    body = [row[col] for row in grid[first_body:] if row[col]]
    return bool(_NOTE_HEADER_RE.match(header)) and all(_NOTE_REF_RE.match(cell) for cell in body)


def _unheaded_note_column(grid: list[list[str]]) -> bool:
    """The note column of a table whose "Not" header a converter dropped (or which continues
    from an earlier page without one): the printed column right after the labels names nothing,
    holds note numbers (1, 2, ... never 0) on some rows only, since notes are cited where they
    apply, and every row with one has its amounts to the right, or nothing at all (a group
    heading that cites the note of its group: "Eget kapital | 4 | |")."""
    headed = not any(_AMOUNT_RE.match(c) for c in grid[0][1:])  # a continued table starts with a row of figures
    if headed and grid[0][1].strip():
        return False
    rows = grid[1:] if headed else grid
    body = [row[1] for row in rows if row[1]]
    return (
        0 < len(body) < len(rows)
        and all(_NOTE_REF_RE.match(cell) and not cell.startswith("0") for cell in body)
        and all(any(_AMOUNT_RE.match(c) for c in row[2:]) or not any(row[2:]) for row in rows if row[1])
        and any(any(_AMOUNT_RE.match(c) for c in row[2:]) for row in rows if row[1])
    )


_AMOUNT_RE = re.compile(r"^[+\-−–]?\s?\d[\d \u00a0]*(?:,\d+)?$")


def _cell_text(cell: Cell) -> str:
    """A cell's lines joined as a reader reads them: "Prognos-" + "avvikelse" is one word."""
    text = ""
    for line in (cell or "").split("\n"):
        text = join_wrapped(text, normalise_spaces(line))
    return text


def _merge_continuation_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Fold grid rows that only continue the cells of the row above (wrapped text in a cell).

    Such rows start under a merged cell (first cell None) and are mostly None; a real row under
    a merged group cell ("Medarbetare" spanning two indicators) has its own values.
    """
    out: list[list[Cell]] = []
    for row in rows:
        missing = sum(cell is None for cell in row)
        if out and row[0] is None and missing * 2 > len(row):
            above = out[-1]
            for col, cell in enumerate(row):
                if cell and col < len(above):
                    above[col] = f"{above[col]}\n{cell}" if above[col] else cell  # a line break: cleaning rejoins it
            continue
        out.append(row)
    return out


def _merge_duplicate_columns(grid: list[list[str]]) -> list[list[str]]:
    """Merge adjacent grid columns that never disagree into one printed column.

    pdfplumber splits one printed column into two grid columns when cell borders do not line
    up (merged header cells, boxed layouts); each value then shows in one of them, or the same
    value in both. Two real columns always disagree somewhere: at the latest in the header row.
    Columns that complement each other (never both filled) are merged first: a stray "0" that
    could join either neighbour belongs to the one with a hole where it sits, not to the one
    that happens to hold another "0" in the same row.
    """
    return _merge_adjacent(_merge_adjacent(grid, allow_equal=False), allow_equal=True)


def _merge_adjacent(grid: list[list[str]], allow_equal: bool) -> list[list[str]]:
    """One left-to-right pass merging each column into its right neighbour while they agree."""
    col = 0
    while grid and col < len(grid[0]) - 1:
        if all(not row[col] or not row[col + 1] or (allow_equal and row[col] == row[col + 1]) for row in grid):
            grid = [row[:col] + [row[col] or row[col + 1]] + row[col + 2:] for row in grid]
        else:
            col += 1
    return grid


_WORD_RE = re.compile(r"[A-Za-zÅÄÖåäöÉé]+")


def vocabulary(texts: list[str]) -> tuple[str, ...]:
    """The words (lower case, sorted) a document prints: what counts as a word when rejoining cells."""
    return tuple(sorted({w.lower() for text in texts for w in _WORD_RE.findall(text)}))


def _prints(word: str, words: tuple[str, ...], inflection: int = 0) -> bool:
    """The document prints the word, or (with `inflection`) the word plus at most that many
    letters of ending ("avvikelse" in "avvikelsen")."""
    at = bisect_left(words, word)
    return at < len(words) and words[at].startswith(word) and len(words[at]) - len(word) <= inflection


def rejoin_broken_words(cell: str, words: tuple[str, ...]) -> str:
    """Rejoin a word a narrow cell broke over two lines without a hyphen ("Avvik" / "else").

    The lines of a cell are joined with a space, which is right for whole words and wrong for a
    word broken mid-word. The document itself tells which is which: two pieces are one word when
    the document prints the joined word elsewhere (maybe inflected: "avvikelsen") and never
    prints the first piece alone.
    """
    tokens = cell.split(" ")
    out: list[str] = []
    for token in tokens:
        if out and token[:1].islower() and out[-1][-1:].isalpha():
            joined = out[-1] + token
            head = _WORD_RE.findall(out[-1])
            whole = joined.lower().strip(".,:;()")
            if head and len(whole) >= 6 and _prints(whole, words, inflection=3) and not _prints(head[-1].lower(), words):
                out[-1] = joined
                continue
        out.append(token)
    return " ".join(out)


def render_table(rows: list[list[str]]) -> str:
    """A readable rendering: one line per row, cells joined with " | "."""
    return "\n".join(" | ".join(row) for row in rows)
