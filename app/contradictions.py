"""Contradictions: one report stating the same indicator with different values.

The signal is deliberately narrow, so that a flag means something: table rows with the same
label (normalised: case, reference-period qualifiers such as "(R12 medel)", leading row numbers)
in one report whose first figures differ. Reports do this when a summary table is not updated
with the rest (a forecast of 82 700 tkr in the forecast table, 78,2 Mnkr in the key-figure table).
A label that names a measure ("Prognos budgetavvikelse", "Sjukfrånvaro") says what is measured,
whatever the column; a label that names a unit or an item ("Regionkontoret", "Regionbidrag") does
not, so its rows only compare under the same column header (an item's accumulated outcome and its
annual forecast are two measures, not a contradiction). Rows under different row groups are
different items, whatever their label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from granska.app.answer import Candidate, candidates_from
from granska.ingest.numbers import same_figure
from granska.types import Chunk, Figure, Hit

# Words that make a row label a measure in itself, not an item measured by its columns.
MEASURES = (
    "prognos", "avvikelse", "resultat", "sjukfrånvaro", "personalomsättning", "kostnadsutveckling",
    "intäktsutveckling", "andel",
)
_QUALIFIER = re.compile(r"\([^)]*\)")
_LEADING_NUMBER = re.compile(r"^\d+\s+")


def normalise_label(label: str) -> str:
    text = _LEADING_NUMBER.sub("", _QUALIFIER.sub(" ", label.lower()))
    return " ".join(text.split())


@dataclass
class Contradiction:
    label: str  # the row label as printed in the first row
    rows: list[Candidate]  # each states a different value; the first agrees with the answer


def row_groups(document_chunks: list[Chunk]) -> list[list[Candidate]]:
    """A report's table rows with figures, grouped by normalised label (computed once per report)."""
    tables = [c for c in document_chunks if c.kind == "table"]
    rows = [cand for cand in candidates_from([Hit(chunk=c, score=0.0) for c in tables]) if cand.row_key and cand.figures]
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for row in rows:
        label = normalise_label(row.row_key)
        measure = "" if any(word in label for word in MEASURES) else normalise_label(row.first_column)
        groups.setdefault((label, measure), []).append(row)
    return [g for g in groups.values() if len(g) > 1]


def _same_item(a: Candidate, b: Candidate) -> bool:
    """Rows under different groups are different items ("Utgifter" of two projects), whatever
    their label says; a row without groups may restate a grouped one (a summary table)."""
    return not a.groups or not b.groups or [normalise_label(g) for g in a.groups] == [normalise_label(g) for g in b.groups]


def find_contradictions(answer_figures: list[Figure], groups: list[list[Candidate]]) -> list[Contradiction]:
    """Row groups in one report that disagree, where one of the values is a figure the answer gives."""
    found: list[Contradiction] = []
    for group in groups:
        distinct: list[Candidate] = []
        unit = group[0].figures[0].unit
        for row in (r for r in group if r.figures[0].unit == unit):  # values in other units do not compare
            if not any(same_figure(row.figures[0], other.figures[0]) for other in distinct):
                distinct.append(row)
        if len(distinct) < 2:
            continue
        # Zero (and a rounded zero: "0 Mnkr" covers -0,3 mnkr) agrees with too much to identify a row.
        telling = [f for f in answer_figures if f.value != 0]
        agreeing = [r for r in distinct if r.figures[0].value != 0 and any(same_figure(r.figures[0], f) for f in telling)]
        if agreeing:
            first = agreeing[0]
            others = [r for r in distinct if r is not first and _same_item(first, r)]
            if others:
                found.append(Contradiction(first.row_key, [first] + others))
    return found
