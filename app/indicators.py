"""Indicators over time: the key figures that the reports' indicator tables repeat, report by report.

Follow-up reports restate the same indicators every month or tertial (sjukfrånvaro,
personalomsättning, prognos budgetavvikelse, ...), so reading one indicator across the archive
gives its trend without anyone re-typing figures. Everything here is a pure function of the
archive's chunks (`LexicalIndex.chunks`): no index, model or UI is involved, and each value keeps
the chunk, page and row it was read from, so the chart can be checked against the printed page.

Rules, and why:
- Only *indicator tables* are read: tables whose header names the label column "Indikator(er)",
  "Nyckeltal" or "...mått". Budget-line tables ("Uppdrag | Årsprognos | Årsbudget") repeat labels
  such as "Regionbidrag" or "Totalt" in several tables of one report with different column
  meanings, which would mix unlike quantities and raise false contradictions.
- The row label is the last text cell before the row's first figure, so both "Sjukfrånvaro | 2,2%"
  and "Medarbetare | Sjukfrånvaro | 2,2%" (a group column first) give "Sjukfrånvaro". Rows without
  a text label have no indicator name and are skipped.
- Names are normalised (lower case, parenthetical qualifiers, "R12" and "medel" removed), and
  spelling variants of one name ("Akkumulerad" / "Ackumulerad budgetavvikelse": same digits,
  same number of words, similarity >= 0.9) are merged under the variant most reports use.
- An indicator is offered when its name recurs in at least two reports.
- The value column: the first column, left to right, whose header says outcome ("Utfall",
  not "utfall förra året"), else forecast ("Årsprognos", "Prognos helår"), else result
  ("Ack resultat"), else any other column except budget, target and comment columns
  ("Årsbudget", "Målvärde", "Kommentar"): a figure in those is not the indicator's value.
  Only cells that hold exactly one figure count. The unit comes from the figure itself, else from
  the column header, else from the caption (as chunking does).
- One report stating one indicator with values that differ beyond the rounding their text shows
  (`same_figure`: "2,8 %" agrees with "2,78 %", "82,7 mnkr" does not with "78,2 mnkr") is a
  contradiction: all values are kept and the contradiction is reported with its pages.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Iterable

from granska.ingest.chunk import unit_of
from granska.ingest.numbers import format_figure, parse_figure, same_figure
from granska.types import Chunk, Figure

MIN_REPORTS = 2
SIMILAR_NAMES = 0.9
_LABEL_HEADER = re.compile(r"indikator|nyckeltal|mått", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\([^)]*\)")
_QUALIFIER = re.compile(r"\b(?:r12|medel)\b")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_LETTER = re.compile(r"[^\W\d_]")
_DIGITS = re.compile(r"\d+")
# Header ranks, best first; a header matching none of them ranks after all of them.
_OUTCOME = re.compile(r"utfall", re.IGNORECASE)
_PAST_YEAR = re.compile(r"förra|föreg", re.IGNORECASE)
_FORECAST = re.compile(r"prognos", re.IGNORECASE)
_RESULT = re.compile(r"resultat", re.IGNORECASE)
_NOT_A_VALUE = re.compile(r"budget|mål|kommentar", re.IGNORECASE)


@dataclass(frozen=True)
class IndicatorPoint:
    """One value of one indicator as one report prints it, with everything needed to cite it."""

    indicator: str  # the normalised name the value is filed under
    period_end: int  # yyyymm of the report
    period: str  # "2020-10"
    value: float  # canonical, as `Figure.value` (kronor, percent points, plain number)
    unit: str  # "kr", "%", "procentenheter" or ""
    text: str  # the figure as printed: "82 700 tkr"
    label: str  # the row label as printed: "Sjukfrånvaro (R12 medel)"
    column: str  # the header of the value's column: "Utfall"
    document: str
    organisation: str
    report_type: str
    page: int
    page_label: str
    chunk_id: str
    row: str  # the table row as the chunk holds it, to mark it on the page image
    contradictory: bool = False

    @property
    def formatted(self) -> str:
        """The value in Swedish, as granska writes figures ("82,7 mnkr", "2,78 %")."""
        return format_figure(self.value, self.unit)

    @property
    def page_ref(self) -> str:
        """The printed page number readers look for ("s. 9"), the PDF page when none is printed."""
        return f"s. {self.page_label or self.page}"

    def to_dict(self) -> dict:
        return {**asdict(self), "formatted": self.formatted}


@dataclass(frozen=True)
class Contradiction:
    """Different values for one indicator in one report: each distinct value with its first source."""

    indicator: str
    document: str
    period: str
    values: tuple[IndicatorPoint, ...]

    @property
    def message(self) -> str:
        """The Swedish warning line: "Motstridiga värden för 2020-10: 82,7 mnkr (s. 9) och 78,2 mnkr (s. 13)"."""
        parts = [f"{p.formatted} ({p.page_ref})" for p in self.values]
        listed = ", ".join(parts[:-1]) + f" och {parts[-1]}"
        return f"Motstridiga värden för {self.period}: {listed}"

    def to_dict(self) -> dict:
        return {
            "indicator": self.indicator,
            "document": self.document,
            "period": self.period,
            "message": self.message,
            "values": [p.to_dict() for p in self.values],
        }


@dataclass
class IndicatorSeries:
    """All values of one indicator across the archive, oldest report first."""

    name: str
    points: list[IndicatorPoint] = field(default_factory=list)
    contradictions: list[Contradiction] = field(default_factory=list)

    @property
    def title(self) -> str:
        return display_name(self.name)

    @property
    def unit(self) -> str:
        """The unit most values are in (a stated unit wins a tie): the one the chart plots."""
        counts = Counter(p.unit for p in self.points)
        return max(counts, key=lambda u: (counts[u], u != "")) if counts else ""

    @property
    def reports(self) -> list[str]:
        return sorted({p.document for p in self.points})

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "unit": self.unit,
            "reports": len(self.reports),
            "points": [p.to_dict() for p in self.points],
            "contradictions": [c.to_dict() for c in self.contradictions],
        }


# -- names ----------------------------------------------------------------------------------------
def normalise_label(label: str) -> str:
    """The name a row label is filed under: "Sjukfrånvaro (R12 medel)" -> "sjukfrånvaro"."""
    text = _PARENTHETICAL.sub(" ", label.lower())
    text = _QUALIFIER.sub(" ", text)
    return _EDGE.sub("", " ".join(text.split()))


def display_name(name: str) -> str:
    """A name as a heading or menu entry: first letter upper case."""
    return name[:1].upper() + name[1:]


def _variants_of_one_name(a: str, b: str) -> bool:
    """Spelling variants ("akkumulerad" / "ackumulerad"), never two numbered items ("mål 1" / "mål 2")."""
    return (
        _DIGITS.findall(a) == _DIGITS.findall(b)
        and len(a.split()) == len(b.split())
        and SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAMES
    )


def _canonical_names(points: Iterable[IndicatorPoint]) -> dict[str, str]:
    """Each raw name -> the variant most reports use (alphabetical on a tie), for merging typos."""
    reports: dict[str, set[str]] = defaultdict(set)
    for p in points:
        reports[p.indicator].add(p.document)
    ranked = sorted(reports, key=lambda n: (-len(reports[n]), n))
    canonical: dict[str, str] = {}
    for name in ranked:
        canonical[name] = next((c for c in dict.fromkeys(canonical.values()) if _variants_of_one_name(name, c)), name)
    return canonical


# -- reading tables -------------------------------------------------------------------------------
def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]


def _figure_cell(cell: str, unit: str | None) -> Figure | None:
    """The figure a cell holds when the cell is just that figure (a comment citing one is not)."""
    figure = parse_figure(cell, default_unit=unit)
    if figure is None or _LETTER.search(cell.replace(figure.text, "")):
        return None
    return figure


def _column_rank(header: str) -> int | None:
    """How well a header says "this is the indicator's value" (lower is better; None: never)."""
    if _OUTCOME.search(header) and not _PAST_YEAR.search(header):
        return 0
    if _FORECAST.search(header):
        return 1
    if _RESULT.search(header):
        return 2
    if _NOT_A_VALUE.search(header):
        return None
    return 3


def _split_table(chunk: Chunk) -> tuple[str, list[str], list[str]] | None:
    """(caption, header cells, row lines) of a table chunk; the header is the first line with cells."""
    lines = chunk.text.split("\n")
    at = next((i for i, line in enumerate(lines) if "|" in line), None)
    if at is None:
        return None
    return " ".join(lines[:at]), _cells(lines[at]), lines[at + 1 :]


def table_points(chunk: Chunk) -> list[IndicatorPoint]:
    """The indicator values of one table chunk (none when it is not an indicator table)."""
    if chunk.kind != "table":
        return []
    parts = _split_table(chunk)
    if parts is None:
        return []
    caption, header, rows = parts
    caption_unit = unit_of(caption) or unit_of(header[0])
    units = [unit_of(cell) or caption_unit for cell in header]
    points: list[IndicatorPoint] = []
    for line in rows:
        cells = _cells(line)
        figures = [_figure_cell(cell, units[i] if i < len(units) else caption_unit) for i, cell in enumerate(cells)]
        first = next((i for i, f in enumerate(figures) if f is not None), None)
        if first is None:
            continue
        label_at = next((i for i in range(first - 1, -1, -1) if cells[i]), None)
        if label_at is None or not _LABEL_HEADER.search(" ".join(header[: first])):
            continue
        ranked = [
            (rank, i) for i in range(first, min(len(cells), len(header)))
            if figures[i] is not None and (rank := _column_rank(header[i])) is not None
        ]
        name = normalise_label(cells[label_at])
        if not ranked or not name:
            continue
        col = min(ranked)[1]
        figure = figures[col]
        points.append(
            IndicatorPoint(
                indicator=name, period_end=chunk.period_end, period=chunk.period, value=figure.value,
                unit=figure.unit, text=figure.text, label=cells[label_at], column=header[col],
                document=chunk.document, organisation=chunk.organisation, report_type=chunk.report_type,
                page=chunk.page, page_label=chunk.page_label, chunk_id=chunk.id, row=line,
            )
        )
    return points


def extract_points(chunks: Iterable[Chunk]) -> list[IndicatorPoint]:
    """Every indicator value in the chunks, names merged across spelling variants, in report order."""
    raw = [p for chunk in chunks for p in table_points(chunk)]
    canonical = _canonical_names(raw)
    merged = [p if canonical[p.indicator] == p.indicator else _renamed(p, canonical[p.indicator]) for p in raw]
    return sorted(merged, key=lambda p: (p.period_end, p.organisation, p.document, p.page, p.chunk_id))


def _renamed(point: IndicatorPoint, name: str) -> IndicatorPoint:
    return IndicatorPoint(**{**asdict(point), "indicator": name})


# -- series ---------------------------------------------------------------------------------------
def available(chunks: Iterable[Chunk], min_reports: int = MIN_REPORTS) -> list[IndicatorSeries]:
    """The indicators stated in at least `min_reports` reports, as series, alphabetically."""
    by_name: dict[str, list[IndicatorPoint]] = defaultdict(list)
    for p in extract_points(chunks):
        by_name[p.indicator].append(p)
    return [
        build_series(name, points)
        for name, points in sorted(by_name.items())
        if len({p.document for p in points}) >= min_reports
    ]


def series(chunks: Iterable[Chunk], name: str) -> IndicatorSeries | None:
    """One indicator's series (its name in any form a label takes), None when the archive lacks it."""
    wanted = normalise_label(name)
    points = [p for p in extract_points(chunks) if p.indicator == wanted]
    return build_series(wanted, points) if points else None


def build_series(name: str, points: list[IndicatorPoint]) -> IndicatorSeries:
    """A series from its points, with each report's contradictory values found and marked."""
    by_report: dict[str, list[IndicatorPoint]] = defaultdict(list)
    for p in points:
        by_report[p.document].append(p)
    contradictions = [c for group in by_report.values() if (c := find_contradiction(group)) is not None]
    marked = {p.chunk_id + p.row for c in contradictions for p in _members(c, by_report[c.document])}
    points = [_flagged(p) if p.chunk_id + p.row in marked else p for p in points]
    return IndicatorSeries(name=name, points=points, contradictions=contradictions)


def find_contradiction(points: list[IndicatorPoint]) -> Contradiction | None:
    """Values of one indicator in one report that cannot all be the same figure, or None.

    Values in different units are not compared (a bare "-3,6" says nothing about "0 tkr").
    """
    distinct: list[IndicatorPoint] = []
    for p in points:
        if not any(_same(p, d) for d in distinct):
            distinct.append(p)
    clashing = [d for d in distinct if any(o.unit == d.unit and not _same(o, d) for o in distinct)]
    if len(clashing) < 2:
        return None
    first = clashing[0]
    return Contradiction(indicator=first.indicator, document=first.document, period=first.period, values=tuple(clashing))


def _members(contradiction: Contradiction, points: list[IndicatorPoint]) -> list[IndicatorPoint]:
    """The report's points that carry one of the clashing values (a value printed twice is marked twice)."""
    return [p for p in points if any(_same(p, v) for v in contradiction.values)]


def _same(a: IndicatorPoint, b: IndicatorPoint) -> bool:
    return same_figure(Figure(a.text, a.value, a.unit), Figure(b.text, b.value, b.unit))


def _flagged(point: IndicatorPoint) -> IndicatorPoint:
    return IndicatorPoint(**{**asdict(point), "contradictory": True})
