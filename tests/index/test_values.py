"""Figures as values (index/values.py): which printings state the same value, without the sample."""

from __future__ import annotations

import pytest

from granska.index.values import PRINTED, ValueIndex, query_values, states
from granska.ingest.numbers import parse_figure, parse_figures, printed
from granska.types import Chunk, Figure


def chunk(n: int, text: str, figures: list[Figure], period_end: int = 202010) -> Chunk:
    return Chunk(id=f"c{n}", text=text, document=f"d{n % 3}.pdf", doc_id="x", organisation="Ålunda kommun",
                 report_type="månadsrapport", period_start=202001, period_end=period_end, year=period_end // 100,
                 page=1, page_label="1", section="Ekonomi", kind="text", figures=figures, position=n)


def one(text: str, unit: str | None = None) -> Figure:
    figure = parse_figure(text, default_unit=unit)
    assert figure is not None, text
    return figure


@pytest.mark.parametrize("query, printing, unit", [
    ("402,5 mnkr", "-402 510", "tkr"),  # the query's precision: 402 510 tkr rounds to 402,5 mnkr
    ("24,5 mnkr", "24 487 tkr", None),
    ("13 600 tkr", "+13,6 mnkr", None),  # the passage's own rounding
    ("82 700 000 kr", "82,7 mnkr", None),
    ("82,7 miljoner kronor", "82 700 tkr", None),
    ("2,78 procent", "2,78%", None),
    ("5 966", "-5 966", "tkr"),  # a bare number: the digits as printed, under the header's unit
    ("55 691", "-55 691", None),
    ("-14,7 mnkr", "14 660 tkr", None),  # the sign is ignored
    ("2 mnkr", "2 000 tkr", None),
])
def test_printings_that_state_the_value(query: str, printing: str, unit: str | None) -> None:
    (q,) = query_values(query)
    assert states(q, one(printing, unit))


@pytest.mark.parametrize("query, printing, unit", [
    ("82,7 mnkr", "78,2 mnkr", None),  # a near figure is another figure
    ("402,5 mnkr", "402 610 tkr", None),
    ("24,5 mnkr", "24 587 tkr", None),
    ("2 mnkr", "2,4 mnkr", None),  # one significant digit is not rounding licence
    ("2,4 mnkr", "2 mnkr", None),
    ("2,78 procent", "2,78 mnkr", None),  # another dimension
    ("82,7 mnkr", "82,7", None),  # a bare printing without a unit is not kronor
    ("5 966", "5 967", "tkr"),
])
def test_printings_that_do_not(query: str, printing: str, unit: str | None) -> None:
    (q,) = query_values(query)
    assert not states(q, one(printing, unit))


def test_a_query_without_a_figure_quotes_none() -> None:
    assert query_values("sjukfrånvaro 2020") == []  # a year is no figure
    assert query_values("prognosen för investeringar") == []


def test_bare_queries_compare_the_digits_as_printed() -> None:
    (q,) = query_values("402 510")
    assert q.dimension == PRINTED and q.magnitude == 402510
    shown = printed(one("-402 510", "tkr"))
    assert shown is not None and shown.number == 402510 and shown.significant == 6


def test_the_index_finds_every_passage_and_ranks_exact_first() -> None:
    chunks = [
        chunk(0, "Kostnader -402 510 tkr", [one("-402 510 tkr")]),
        chunk(1, "Utfallet 402,5 mnkr", [one("402,5 mnkr")], period_end=202008),
        chunk(2, "Utfallet 402,6 mnkr", [one("402,6 mnkr")]),
        chunk(3, "Cirka 400 mnkr", [one("400 mnkr")]),
        chunk(4, "Ingen siffra här", []),
    ]
    index = ValueIndex(chunks)
    found = index.find(query_values("402 510 tkr"))
    assert [m.chunk.id for m in found] == ["c0", "c1"]  # 402,5 mnkr is 402 510 tkr rounded
    assert found[0].exact and not found[1].exact  # at the query's precision vs. only the passage's
    assert [f.text for f in found[0].figures] == ["-402 510 tkr"]
    coarse = index.find(query_values("402,5 mnkr"))
    assert [m.chunk.id for m in coarse] == ["c0", "c1"] and all(m.exact for m in coarse)
    assert index.find(query_values("402,5 mnkr"), allowed=lambda c: c.id != "c0")[0].chunk.id == "c1"


def test_passages_stating_more_of_the_quoted_values_rank_first() -> None:
    chunks = [
        chunk(0, "Prognos 82,7 mnkr", parse_figures("Prognos 82,7 mnkr")),
        chunk(1, "Från 78,2 mnkr till 82,7 mnkr", parse_figures("Från 78,2 mnkr till 82,7 mnkr")),
    ]
    found = ValueIndex(chunks).find(query_values("78 200 tkr och 82 700 tkr"))
    assert [m.chunk.id for m in found] == ["c1", "c0"]
    assert found[0].queries == 2
