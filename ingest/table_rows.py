"""A table's cell grid -> typed rows: each value cell with its column's header path, each row
with its label path.

A reader of a table reads more than the cell: the column's header, stacked over two or three lines
("Period" spanning "Utfall | Budget | Avvikelse"), and the groups the row sits under (a "Lokaler"
row under "Nyinvestering" is not the "Lokaler" row under "Reinvestering"). Both are read here,
once, at ingest, from the layout of the grid alone, so nothing downstream re-parses table text:

- **Header rows** are the leading rows before the first body row: rows[0] always (the reader
  puts the header first), then, before a row of figures, any following row whose value cells are
  short names or years, no figure, and that has no label of its own or sits under a row whose
  cells span (a text table's rows are all words: they are rows, not headers). A header cell that spans columns (followed by empty
  cells in an upper header row) applies to each column under it up to the next named cell. A
  column's header path is its header cells top to bottom, joined by " > ".
- **Group rows** are body rows with a label and no values at all: they head the rows after
  them. A group row directly after another one nests inside it. The group ends at a total row
  that closes it (a bare "Summa" or "Totalt" inside it, as printed; a total that names an open
  group, "Summa 12:1" or "Summa kassa och bank", closes that group and sits beside it, except
  that a table's outermost group keeps its total; a group row right after a total opens the
  closed group's sibling), at the next group row (which replaces it, unless the group has held
  groups of its own: then it is a section, "TILLGÅNGAR" over "Anläggningstillgångar" and
  "Omsättningstillgångar"), or, when its first row was marked as a member by a leading dash or
  bullet ("- Ekonomi"), at the first row without that mark. A label-only row heads nothing when
  no row with values comes within `_MAX_DEPTH` rows after it: a table whose value column holds
  symbols or colours (a list of assignments with a traffic light each) is a list of rows, not
  one row nested in the one before, dozens deep (near the table's end, where the next page may
  continue the group, a table that has values elsewhere keeps the group).
- **Typography and numbering outrank order**: in a table that mixes both, a heading in capitals
  ("DRIFT") holds the groups in small letters after it, and a row in capitals with figures
  ("KASSAFLÖDE FRÅN DRIFT", "SUMMA TILLGÅNGAR") closes the sections; labels that start with
  outline numbers nest by them ("12:1:1" inside "12:1", "12:2" beside it). A footnote mark after
  a label ("... ramanslag) 5)") is no part of it.
Rows carry the cells exactly as printed; figures are parsed by the chunker, which knows the
units of the columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from granska.ingest.numbers import parse_figures
from granska.ingest.tables import is_figure_row

PATH_SEP = " > "

_TOTAL_RE = re.compile(r"^(?:summa|totalt|total|s:a|delsumma|sammanlagt)\b", re.IGNORECASE)
_MEMBER_RE = re.compile(r"^\s*(?:[-–•·]\s+)")
_MAX_DEPTH = 3  # groups nest section > group > subgroup at most; a longer run of label-only rows is a list
_YEAR_RE = re.compile(r"(?:19|20)\d\d(?:-\d\d-\d\d|[-/]\d\d)?")  # a year, a date, "2023/24": header words


@dataclass
class _Group:
    label: str
    dashed: bool = False  # its members are marked by a leading dash or bullet
    members: int = 0
    sections: bool = False  # it has held a group of its own: a section ("TILLGÅNGAR") of groups
    rank: int = 1  # 2 for a heading in capitals (see `_mixes_capitals`)
    number: tuple[str, ...] = ()  # its outline number ("12", "1") when it has one


@dataclass(frozen=True)
class TableStructure:
    """Header paths per column and the label path of every body row (index into the rows)."""

    header_rows: int  # how many leading rows are header
    columns: list[str]  # header path per column, " > "-joined ("" where no header names it)
    label_paths: list[list[str]]  # per body row (rows[header_rows:]), the groups then its own label
    open_groups: list[str]  # the groups still open after the last row, outermost first


def _has_figure(cell: str) -> bool:
    return bool(cell.strip()) and bool(parse_figures(_YEAR_RE.sub("", cell)))


_HEADER_CELL_MAX = 40  # header cells are names ("Utfall", "Budget helår 2021"), not sentences


def _is_header_row(row: list[str], above: list[str]) -> bool:
    """A further header line: names, no figures, and either no label of its own or under a
    line whose cells span (empty cells beside a group name: "Period" over three columns)."""
    values = [c for c in row[1:] if c.strip()]
    if not values or any(_has_figure(c) or len(c) > _HEADER_CELL_MAX for c in values):
        return False
    return not row[0].strip() or any(not c.strip() for c in above[1:])


def _unwrap(header: list[list[str]], width: int) -> list[list[str]]:
    """A header cell wrapped over several lines in its column is one cell. A line that starts
    with a letter in lower case continues the cell above it ("Ingående" / "överförings-" /
    "belopp" is "Ingående överföringsbelopp"), and so does one starting with a digit or a dash
    under a cell that does not span the columns to its right ("Utgifter" / "2007-01-01" /
    "-2007-12-31" is one date range; "Kommunen" over "2024-08-31 | Prognos 2024" is two
    headers); a capital starts a header of its own ("Period" over "Utfall")."""
    grid = [[row[col].strip() if col < len(row) else "" for col in range(width)] for row in header]
    for col in range(width):
        top = None  # level of the cell the lines below continue
        for level in range(len(grid)):
            cell = grid[level][col]
            if not cell:
                continue
            spans = col + 1 < width and top is not None and not grid[top][col + 1] and grid[level][col + 1]
            if top is not None and (cell[0].islower() or (not cell[0].isalpha() and not spans)):
                above = grid[top][col]
                grid[top][col] = (f"{above[:-1]}{cell}" if above.endswith("-") and cell[0].islower()
                                  else f"{above} {cell}")
                grid[level][col] = ""
            else:
                top = level
    return grid


def _header_paths(header: list[list[str]], width: int) -> list[str]:
    """Each column's header cells top to bottom; an upper cell spans right over empty cells
    whose column has a header of its own on the next line ("Period" over "Utfall | Budget")."""
    grid = _unwrap(header, width)
    paths: list[list[str]] = [[] for _ in range(width)]
    for level, row in enumerate(grid):
        last = level == len(grid) - 1
        below = grid[level + 1] if not last else None
        current = ""
        for col in range(width):
            cell = row[col]
            if cell:
                current = cell
            elif last or col == 0 or not below[col]:
                current = ""
            if current and (not paths[col] or paths[col][-1] != current):
                paths[col].append(current)
    return [PATH_SEP.join(parts) for parts in paths]


def structure(rows: list[list[str]]) -> TableStructure:
    """The header paths and row label paths of a cleaned table (header row first)."""
    if not rows:
        return TableStructure(0, [], [], [])
    width = max(len(r) for r in rows)
    count = 1
    figures_follow = [is_figure_row(row) for row in rows]
    while count < len(rows) - 1 and any(figures_follow[count + 1:]) and _is_header_row(rows[count], rows[count - 1]):
        count += 1
    columns = _header_paths(rows[:count], width)
    body = [[_without_footnote_mark(row[0].strip()) if row else "", *row[1:]] for row in rows[count:]]
    by_capitals = _mixes_capitals([row[0] for row in body])
    groups: list[_Group] = []  # outermost first
    paths: list[list[str]] = []
    closed = False  # the row before closed a group with its total
    valued = [any(c.strip() for c in row[1:]) for row in body]
    for index, row in enumerate(body):
        label = row[0]
        values = [c for c in row[1:] if c.strip()]
        rank = 2 if by_capitals and _is_capitals(label) else 1
        number = _outline_number(label)
        while groups and groups[-1].rank < rank:
            groups.pop()  # a heading in capitals is not inside one in small letters
        while number and groups and groups[-1].number and not _inside(number, groups[-1].number):
            groups.pop()  # "12:2" is beside "12:1", not inside it
        ahead = valued[index + 1:index + 1 + _MAX_DEPTH]
        # near the end a group row may head rows the next page continues: a table with values keeps it
        if label and not values and (any(ahead) or (len(ahead) < _MAX_DEPTH and any(valued))):
            top = groups[-1] if groups else None
            if (top and top.members and not closed and not top.sections and top.rank == rank
                    and not (number and top.number)):
                groups.pop()  # a group row after the rows of a group: the next group beside it
            closed = False  # after a total, the group it closed is gone: the next one is its sibling
            if groups:
                groups[-1].sections = True
            paths.append([g.label for g in groups] + [label])
            groups.append(_Group(label, rank=rank, number=number))
            continue
        closed = False
        if rank > 1 and values:
            groups.clear()  # a row in capitals with figures ("SUMMA TILLGÅNGAR") closes the sections
        member = bool(_MEMBER_RE.match(label))
        if groups and groups[-1].members == 0:
            groups[-1].dashed = member  # the first row says how members are marked
        elif groups and groups[-1].dashed and not member:
            groups.pop()  # the dashed members have ended
        named = _closes(label, groups)
        if named is not None:
            # "Summa 12:1" closes "12:1" and sits beside it; a table's outermost group keeps its total
            paths.append([g.label for g in groups[:max(named, 1)]] + [label])
            del groups[named:]
            closed = True
            continue
        if groups:
            groups[-1].members += 1
        paths.append([g.label for g in groups] + ([label] if label else []))
        if groups and _TOTAL_RE.match(label):
            groups.pop()  # the total closes its group
            closed = True
    return TableStructure(count, columns, paths, [g.label for g in groups])


_CAPITALS_MIN_LETTERS = 5  # "TILLGÅNGAR", "DRIFT"; shorter words in capitals are abbreviations ("LSS", "IT")
_FOOTNOTE_TAIL_RE = re.compile(r"\s+\d{1,2}\)$")
_OUTLINE_RE = re.compile(r"^(\d{1,4}(?:[:.]\d{1,3})*)(?:\s+ap\.?\s*(\d{1,3}))?(?=\s|$)")


def _is_capitals(label: str) -> bool:
    """Set in capitals: its first word of `_CAPITALS_MIN_LETTERS` letters or more is
    ("UTGIFTSOMRÅDE 8 Invandrare och flyktingar", "12 MIGRATION", "SUMMA TILLGÅNGAR")."""
    word = next((w for w in label.split() if sum(c.isalpha() for c in w) >= _CAPITALS_MIN_LETTERS), "")
    return bool(word) and all(c.isupper() for c in word if c.isalpha())


def _mixes_capitals(labels: list[str]) -> bool:
    """Whether capitals rank a table's headings: a label set in capitals outranks one in small
    letters ("DRIFT" holds "Finansiering av drift:" and its rows), but only in a table that
    mixes both; in a table set all in capitals (or none) the case says nothing."""
    capitals = [_is_capitals(label) for label in labels if label]
    return any(capitals) and not all(capitals)


def _without_footnote_mark(label: str) -> str:
    """"Anslagssparande (samtliga ramanslag) 5)" is the label and footnote 5's mark: a trailing
    "N)" whose label has no open bracket for it to close. The footnote itself is read as text
    where it is printed, below the table."""
    match = _FOOTNOTE_TAIL_RE.search(label)
    if match and label[:match.start()].count("(") == label[:match.start()].count(")"):
        return label[:match.start()]
    return label


def _outline_number(label: str) -> tuple[str, ...]:
    """The outline number a label starts with ("12:1:1", "12.1", "12:1 ap 3" = 12, 1, 3), which
    says which row holds which more surely than the layout does; () when it has none."""
    match = _OUTLINE_RE.match(label)
    if not match:
        return ()
    parts = tuple(re.split(r"[:.]", match.group(1)))
    return parts + ((match.group(2),) if match.group(2) else ())


def _inside(number: tuple[str, ...], group: tuple[str, ...]) -> bool:
    return len(number) > len(group) and number[:len(group)] == group


def _closes(label: str, groups: list[_Group]) -> int | None:
    """Index of the open group a total names ("Summa 12:1", "Summa kassa och bank",
    "Summa utgiftsområde 8" for "UTGIFTSOMRÅDE 8 Invandrare och flyktingar"), innermost first;
    None for a total that names none ("Summa", "Totalt": it closes the group it ends)."""
    match = _TOTAL_RE.match(label)
    if not match:
        return None
    name = " ".join(label[match.end():].split()).casefold()
    if not name:
        return None
    for index in range(len(groups) - 1, -1, -1):
        group = " ".join(groups[index].label.split()).casefold().rstrip(":")
        if group == name or (group.startswith(name) and not group[len(name)].isalnum()
                             and group[len(name)] not in ":."):
            return index
    return None
