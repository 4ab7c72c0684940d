"""Figure verification: every number in an answer is checked against the passage it cites.

Extractive answers copy figures from their passages, so verification is a safety net that catches
bugs in rendering (a unit attached from the wrong column header, a lost minus sign) and, in LLM
mode, invented or altered numbers. A figure that is not found in its cited passage is marked
`verified: false` and the answer says so.
"""

from __future__ import annotations

from granska.ingest.numbers import parse_figures, same_figure
from granska.types import AnswerFigure, Chunk, Figure


def passage_figures(chunk: Chunk) -> list[Figure]:
    """The figures a passage states: those parsed at ingest (with table units) plus its text's own."""
    return list(chunk.figures) + parse_figures(chunk.text)


def verify_figures(text: str, citation: int, chunk: Chunk) -> list[AnswerFigure]:
    known = passage_figures(chunk)
    return [
        AnswerFigure(
            text=fig.text,
            value=fig.value,
            unit=fig.unit,
            citation=citation,
            verified=any(same_figure(fig, other) for other in known),
        )
        for fig in parse_figures(text)
    ]
