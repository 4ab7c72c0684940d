"""Figures as values: every passage that states a value, whatever unit, rounding or sign it is
printed with.

Someone checking a figure types it as they read it somewhere else: "12,5 mnkr" for a table's
"-12 480" under "tkr", "4 300 tkr" for "+4,3 mnkr", "3,4 procent" for "3,4 %". Words and
vectors cannot see that these are one value (BM25 sees other tokens, embeddings barely tell
119 695 from 119 659), so figure search compares the canonical values ingest already read into
each chunk's `figures` (`Chunk.figures`: kronor, percent, percentage points, bare numbers; table
cells carry their column's unit), never the text again.

When two printings are the same value (the rules of `same_figure`, without the sign):
- a query with a unit compares values in that unit's dimension (kronor with kronor, at any
  scale); a bare number compares the digits as printed (`numbers.printed`), in whatever unit the
  passage's table header gives them: "12 480" finds the cell "-12 480" of a tkr table;
- the less precise printing decides: "12,5 mnkr" matches 12 480 tkr (rounded to the query's
  precision it is 12,5), and "4 300 tkr" matches "4,3 mnkr" (the passage's own rounding).
  A match at the query's precision is `exact`; one only within the passage's rounding is not,
  and ranks after it;
- rounding counts only for a printing of two or more significant digits: "2 mnkr" is near
  every amount from 1,5 to 2,5 mnkr, so it matches only 2 000 tkr, 2,0 mnkr and the like
  (the same caution as the unit inference in `ingest/units.py`);
- the sign is ignored: costs are printed without a minus in one table and with one in another,
  deviations with a plus; the printed text (with its sign) is returned, so the reader sees it.

The index is a few sorted arrays per dimension, built once per index state from the chunks the
engine already holds: a lookup is two binary searches and a vectorised check, so listing every
passage that states a value stays well under the 300 ms a search may take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from granska.ingest.numbers import parse_figures, printed, rounding_step
from granska.types import Chunk, Figure

PRINTED = "tryckt"  # the dimension of bare numbers: digits as printed, whatever their unit
_REL_SLACK = 1e-9  # float noise of values computed as digits x scale
_WINDOW = 1.06  # rounding of >= 2 significant digits moves a value by at most 5 %


@dataclass(frozen=True)
class ValueQuery:
    """One figure of a query, in the dimension it is compared in."""

    figure: Figure  # as parsed from the query ("12,5 mnkr" -> 12 500 000 kr)
    dimension: str  # "kr", "%", "procentenheter", or PRINTED for a bare number
    magnitude: float  # absolute value in that dimension
    tolerance: float  # half the query's rounding step; 0 when it has one significant digit


@dataclass(frozen=True)
class ValueMatch:
    """A passage that states one or more of the query's values."""

    chunk: Chunk
    figures: tuple[Figure, ...]  # the passage's figures that match, as printed there
    exact: bool  # some figure matches at the query's own precision
    queries: int  # how many of the query's figures the passage states


def query_values(text: str) -> list[ValueQuery]:
    """The figures a search or question quotes, ready to be looked up; [] when it quotes none."""
    out: list[ValueQuery] = []
    for figure in parse_figures(text):
        if not figure.value:
            continue
        shown = printed(figure)
        significant = shown.significant if shown else 0
        if figure.unit:
            step = rounding_step(figure)
            out.append(ValueQuery(figure, figure.unit, abs(figure.value), step / 2 if significant >= 2 else 0.0))
        elif shown is not None:
            out.append(ValueQuery(figure, PRINTED, shown.number, shown.step / 2 if significant >= 2 else 0.0))
    return out


def _readings(figure: Figure) -> list[tuple[str, float, float]]:
    """(dimension, magnitude, tolerance) under which a passage's figure can be looked up: its
    value in its unit's dimension (if it has a unit) and its digits as printed."""
    shown = printed(figure)
    if not figure.value or shown is None:
        return []
    coarse = shown.significant >= 2
    out = [(PRINTED, shown.number, shown.step / 2 if coarse else 0.0)]
    if figure.unit:
        out.append((figure.unit, abs(figure.value), rounding_step(figure) / 2 if coarse else 0.0))
    return out


def _same(gap, magnitude, q: ValueQuery, tolerance):
    """(states the value, at the query's precision) for a gap between a figure and the query."""
    slack = _REL_SLACK * np.maximum(magnitude, q.magnitude) + 1e-12
    exact = gap <= q.tolerance + slack
    return exact | (gap <= tolerance + slack), exact


def states(q: ValueQuery, figure: Figure) -> bool:
    """True when the figure (as a passage prints it) states the query's value."""
    return any(
        bool(_same(abs(magnitude - q.magnitude), magnitude, q, tolerance)[0])
        for dimension, magnitude, tolerance in _readings(figure) if dimension == q.dimension
    )


class _Dimension:
    """The figures of one dimension, sorted by magnitude, with their rounding tolerance."""

    def __init__(self, rows: list[tuple[float, float, int, int]]) -> None:
        rows.sort()
        self.magnitude = np.array([r[0] for r in rows], dtype=np.float64)
        self.tolerance = np.array([r[1] for r in rows], dtype=np.float64)
        self.chunk = np.array([r[2] for r in rows], dtype=np.int64)
        self.figure = np.array([r[3] for r in rows], dtype=np.int64)

    def find(self, q: ValueQuery) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(chunk index, figure index, exact) of every figure stating the query's value."""
        lo = np.searchsorted(self.magnitude, min(q.magnitude - q.tolerance, q.magnitude / _WINDOW), "left")
        hi = np.searchsorted(self.magnitude, max(q.magnitude + q.tolerance, q.magnitude * _WINDOW), "right")
        mags, tols = self.magnitude[lo:hi], self.tolerance[lo:hi]
        keep, exact = _same(np.abs(mags - q.magnitude), mags, q, tols)
        return self.chunk[lo:hi][keep], self.figure[lo:hi][keep], exact[keep]


class ValueIndex:
    """Where each value is stated in the archive (see the module docstring for what "same" means)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        rows: dict[str, list[tuple[float, float, int, int]]] = {}
        for c, chunk in enumerate(chunks):
            for f, figure in enumerate(chunk.figures):
                for dimension, magnitude, tolerance in _readings(figure):
                    rows.setdefault(dimension, []).append((magnitude, tolerance, c, f))
        self._dimensions = {name: _Dimension(found) for name, found in rows.items()}

    def find(self, queries: list[ValueQuery], allowed=None) -> list[ValueMatch]:
        """Every passage stating any of the values, best first: the most of the query's values,
        then a match at the query's precision, then the latest report, then reading order.
        `allowed(chunk) -> bool` restricts the passages (the search's filters)."""
        found: dict[int, tuple[set[int], set[int], bool]] = {}  # chunk -> (figure indices, queries, exact)
        for n, q in enumerate(queries):
            dimension = self._dimensions.get(q.dimension)
            if dimension is None:
                continue
            for c, f, exact in zip(*dimension.find(q), strict=True):
                figures, matched, was_exact = found.setdefault(int(c), (set(), set(), False))
                figures.add(int(f))
                matched.add(n)
                found[int(c)] = (figures, matched, was_exact or bool(exact))
        matches = []
        for c, (figures, matched, exact) in found.items():
            chunk = self.chunks[c]
            if allowed is not None and not allowed(chunk):
                continue
            shown = tuple({chunk.figures[f].text: chunk.figures[f] for f in sorted(figures)}.values())  # once per printing
            matches.append(ValueMatch(chunk=chunk, figures=shown, exact=exact, queries=len(matched)))
        matches.sort(key=lambda m: (-m.queries, not m.exact, -m.chunk.period_end, m.chunk.document, m.chunk.position))
        return matches
