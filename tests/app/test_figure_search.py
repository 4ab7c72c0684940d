"""Figure search on the sample archive: a figure typed in another unit, rounding, spelling or
sign than the report prints it still finds the passage that states it (issue: figure search).

Each case: the query as a reader would type it, the document, the printing copied verbatim
from the report's page (tests/fixtures/sample-txt has the same text), and the value it states.
Whether a passage "states the value" is judged here on its own terms (the figure, rounded to the
coarser of the two printings, equals the other), not with the engine's matching code.
"""

from __future__ import annotations

import re
import pytest

from granska.types import Chunk, Figure

OCT_2020 = "halland-regionkontoret-manadsrapport-2020-10.pdf"
FEB_2020 = "halland-regionkontoret-manadsrapport-2020-02.pdf"
SEP_2018 = "halland-regionkontoret-manadsrapport-2018-09.pdf"
UR2_2019 = "halland-regionkontoret-uppfoljningsrapport-2-2019-08.pdf"
VARMLAND = "varmland-regionstyrelsen-delarsrapport-2021.pdf"

# (query, document, printed in the report, value, unit of the value: "kr", "%" or "" for digits as printed)
CASES = [
    ("402 510", OCT_2020, "-402 510 tkr", 402510, ""),
    ("5 966", OCT_2020, "-5 966 tkr", 5966, ""),
    ("55 691", VARMLAND, "-55 691", 55691, ""),
    ("119 097", VARMLAND, "-119 097", 119097, ""),
    ("402,5 mnkr", OCT_2020, "-402 510 tkr", 402.5e6, "kr"),
    ("417,2 mnkr", OCT_2020, "-417 170 tkr", 417.2e6, "kr"),
    ("530,4 miljoner kronor", OCT_2020, "-530 429 tkr", 530.4e6, "kr"),
    ("127,9 mnkr", OCT_2020, "127 919 tkr", 127.9e6, "kr"),
    ("134,3 mnkr", OCT_2020, "134 276 tkr", 134.3e6, "kr"),
    ("140 242 000 kr", OCT_2020, "140 242 tkr", 140_242_000, "kr"),
    ("25,85 mnkr", OCT_2020, "25 850tkr", 25.85e6, "kr"),
    ("46 750 000 kronor", OCT_2020, "46 750tkr", 46_750_000, "kr"),
    ("82 700 tkr", OCT_2020, "+82,7 mnkr", 82.7e6, "kr"),
    ("82,7 miljoner kronor", OCT_2020, "82 700 tkr", 82.7e6, "kr"),
    ("13 600 tkr", FEB_2020, "+13,6 mnkr", 13.6e6, "kr"),
    ("20 100 tkr", FEB_2020, "+20,1 mnkr", 20.1e6, "kr"),
    ("74,8 mnkr", FEB_2020, "-74 795 tkr", 74.8e6, "kr"),
    ("98,3 mnkr", FEB_2020, "-98 305 tkr", 98.3e6, "kr"),
    ("23,5 mnkr", FEB_2020, "23 510 tkr", 23.5e6, "kr"),
    ("2 330 000 kr", FEB_2020, "2 330 tkr", 2_330_000, "kr"),
    ("32,35 mnkr", FEB_2020, "32 350tkr", 32.35e6, "kr"),
    ("3 600 tkr", SEP_2018, "-3,6 mnkr", 3.6e6, "kr"),
    ("13,77 procent", SEP_2018, "13,77%", 13.77, "%"),
    ("3,38 procent", SEP_2018, "3,38%", 3.38, "%"),
    ("21,8 procent", OCT_2020, "21,8%", 21.8, "%"),
]

_SCALES = {"mdkr": 1e9, "mnkr": 1e6, "miljoner": 1e6, "tkr": 1e3, "tusen": 1e3}


def _step(text: str, value: float, unit: str) -> float:
    """The rounding step a printing shows, in the value's units: 10^-decimals times its scale
    (read from the unit word, or from value / printed digits for a cell under a header's unit)."""
    number = re.search(r"\d[\d\s\u00a0]*(?:,(\d+))?", text)
    decimals = len(number.group(1) or "") if number else 0
    if unit != "kr":
        return 10.0 ** -decimals
    digits = float(number.group(0).replace(" ", "").replace("\u00a0", "").replace(",", ".")) if number else 0
    scale = next((s for w, s in _SCALES.items() if w in text.lower()), abs(value) / digits if digits else 1.0)
    return scale * 10.0 ** -decimals


def _significant(text: str) -> int:
    return len(re.sub(r"\D", "", text).lstrip("0"))


def states_value(figure: Figure, query: str, value: float, unit: str) -> bool:
    """The reference judgement: the coarser printing (of two or more significant digits),
    rounded, equals the other; signs ignored."""
    if unit == "":
        digits = re.search(r"\d[\d\s\u00a0]*(?:,\d+)?", figure.text)
        if digits is None:
            return False
        shown = float(re.sub(r"[\s\u00a0]", "", digits.group(0)).replace(",", "."))
        return abs(shown - value) <= 1e-9 * value
    if figure.unit != unit:
        return False
    gap = abs(abs(figure.value) - value)
    steps = [0.0]
    if _significant(query) >= 2:
        steps.append(_step(query, value, unit))
    if _significant(figure.text) >= 2:
        steps.append(_step(figure.text, figure.value, unit))
    return gap <= max(steps) / 2 + 1e-9 * value


def chunk_states(chunk: Chunk, query: str, value: float, unit: str) -> bool:
    return any(states_value(f, query, value, unit) for f in chunk.figures)


@pytest.mark.parametrize("query, document, printing, value, unit", CASES, ids=[c[0] for c in CASES])
def test_a_figure_in_another_unit_or_rounding_is_found(engine, query, document, printing, value, unit) -> None:
    hits = engine.search(query, k=10)
    assert hits, query
    assert chunk_states(hits[0].chunk, query, value, unit), (query, hits[0].chunk.text[:200])
    stating = [chunk_states(h.chunk, query, value, unit) for h in hits]
    assert stating == sorted(stating, reverse=True), f"a passage without {query} ranks above one with it: {stating}"
    wanted = " ".join(printing.split())
    assert any(h.chunk.document == document and wanted in " ".join(h.chunk.text.split()) for h in hits), \
        f"{printing!r} in {document} not among the hits for {query!r}"
    assert all(h.matched for h, says in zip(hits, stating, strict=True) if says)  # the figure as printed comes along


def test_the_cases_are_quoted_from_the_reports(engine) -> None:
    """Each printing is on a page of its report: the cases are read, not invented."""
    for _, document, printing, _, _ in CASES:
        texts = (" ".join(c.text.split()) for c in engine.state().lexical.chunks if c.document == document)
        assert any(" ".join(printing.split()) in t for t in texts), (document, printing)


@pytest.mark.parametrize("value, unit, query", [
    (82.7e6, "kr", "82,7 mnkr"), (402510, "", "402 510"), (13.6e6, "kr", "13 600 tkr"), (3.38, "%", "3,38 procent"),
])
def test_value_lists_every_passage_that_states_it(engine, value, unit, query) -> None:
    """`find_value` (search --value, /api/search?value=) returns all of them, not the top k:
    counted against a scan of every chunk with the reference judgement."""
    expected = {c.id for c in engine.state().lexical.chunks if chunk_states(c, query, value, unit)}
    found = engine.find_value(query)
    assert {m.chunk.id for m in found} == expected
    assert len(expected) >= 1
    for match in found:
        assert match.figures and all(f.text in match.chunk.text or f.text in " ".join(match.chunk.text.split())
                                     for f in match.figures)


def test_value_search_respects_filters_and_rejects_text(engine) -> None:
    everywhere = engine.find_value("13,6 mnkr")
    assert {m.chunk.document for m in everywhere} >= {FEB_2020, UR2_2019}
    only = engine.find_value("13,6 mnkr", filters={"document": FEB_2020})
    assert only and {m.chunk.document for m in only} == {FEB_2020}
    with pytest.raises(ValueError, match="Ingen siffra"):
        engine.find_value("sjukfrånvaro")


def test_a_question_quoting_a_figure_cites_a_passage_stating_it(engine) -> None:
    answer = engine.ask("Varifrån kommer 402,5 mnkr?")
    assert not answer.refused, answer.answer
    assert any(c.document == OCT_2020 and "402 510" in c.text for c in answer.citations), answer.answer
