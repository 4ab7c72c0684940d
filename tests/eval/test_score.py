"""The scorer's rules, pinned with hand-written answers that must pass and answers that must fail.

A scorer that lets a wrong answer through makes every later accuracy number meaningless, so the
failing cases (wrong figure, wrong unit, no citation, false refusal, invented figure) matter as
much as the equivalent formats that must pass.
"""

from __future__ import annotations

import pytest

from granska.eval.score import (
    KEYWORD_PASS,
    expected_figures,
    figure_in_text,
    keyword_coverage,
    keyword_present,
    recall_at,
    score_question,
    summarise,
)
from granska.ingest.numbers import parse_figure

O20 = "halland-regionkontoret-manadsrapport-2020-10.pdf"
F20 = "halland-regionkontoret-manadsrapport-2020-02.pdf"

PROGNOSIS_PASSAGE = (
    "Sammantaget prognostiserar Regionkontorets verksamhet en ekonomisk avvikelse på +82,7 mnkr\n"
    "mot budget för 2020."
)

FORECAST_ITEM = {
    "id": "t-1", "question": "Vad prognostiserar Regionkontoret för 2020?", "category": "figure_text",
    "answer": "+82,7 mnkr", "figures": ["82,7 mnkr"], "keywords": [], "source": [O20],
    "evidence": ["Sammantaget prognostiserar Regionkontorets verksamhet en ekonomisk avvikelse på +82,7 mnkr"],
}
TEXTILE_ITEM = {
    "id": "t-2", "question": "Textilstocken?", "category": "figure_text", "answer": "-2,5 mnkr",
    "figures": ["-2,5 mnkr"], "keywords": [], "source": [F20],
    "evidence": ["-2,5 mnkr på grund av att budgetposten för intäkten"],
}
TABLE_ITEM = {
    "id": "t-3", "question": "Regionkontorets avvikelse i tabellen?", "category": "figure_table",
    "answer": "33,2 mnkr", "figures": ["33,2"], "unit": "mnkr", "keywords": [], "source": [O20],
    "evidence": ["Regionkontoret -239,4 -272,6 33,2"],
}
WHY_ITEM = {
    "id": "t-4", "question": "Varför?", "category": "why", "answer": "…", "figures": [],
    "keywords": ["vakanser", "covid-19", "HR"], "source": [F20], "evidence": ["+3,2 mnkr avser vakanser."],
}
UNANSWERABLE_ITEM = {
    "id": "t-5", "question": "Vad var årsprognosen i mars 2020?", "category": "unanswerable",
    "answer": "Finns inte.", "figures": [], "keywords": [], "source": [], "evidence": [],
}


def citation(document: str, text: str, n: int = 1) -> dict:
    return {"n": n, "document": document, "organisation": "Region Halland, Regionkontoret",
            "report_type": "månadsrapport", "period": "2020-10", "page": 3, "page_label": "3",
            "section": "1 Sammanfattning", "kind": "text", "text": text}


def answer(text: str, citations: list[dict] | None = None, refused: bool = False,
           total_ms: float = 120.0) -> dict:
    return {"id": "x", "question": "?", "answer": text, "refused": refused,
            "citations": citations or [], "figures": [],
            "timings_ms": {"retrieve": 0.0, "answer": 0.0, "total": total_ms}}


# --- figures: equivalent formats pass -------------------------------------------------------

@pytest.mark.parametrize("written", [
    "82,7 mnkr", "82 700 tkr", "82 700 000 kr", "82,7 miljoner kronor", "+82,7 mnkr", "82,7 Mnkr",
    "82,7 mkr", "82\u00a0700 tkr",
])
def test_money_in_any_scale_passes(written: str) -> None:
    result = score_question(FORECAST_ITEM, answer(
        f"Regionkontoret prognostiserar {written} för 2020 [1].", [citation(O20, PROGNOSIS_PASSAGE)]))
    assert result["figure_ok"] and result["citation_ok"] and result["passed"]


@pytest.mark.parametrize("written", ["2,78%", "2,78 %", "2,78 procent", "2,8 %"])
def test_percent_in_any_format_passes(written: str) -> None:
    expected = parse_figure("2,78%")
    assert figure_in_text(expected, f"Sjukfrånvaron låg på {written} i oktober.")


@pytest.mark.parametrize("written", [
    "−2,5 mnkr", "–2,5 mnkr", "-2,5 mnkr", "-2 500 tkr",
    "intäkten minskade med 2,5 mnkr",
    "ett underskott på 2,5 mnkr",
    "budgeten blir 2,5 mnkr sämre",
    "2,5 mnkr lägre än budget",
])
def test_negative_figure_with_any_minus_or_stated_direction_passes(written: str) -> None:
    passage = "-2,5 mnkr på grund av att budgetposten för intäkten kopplat till försäljning av textilstocken"
    result = score_question(TEXTILE_ITEM, answer(f"Textilstocken ger {written} [1].", [citation(F20, passage)]))
    assert result["figure_ok"] and result["passed"]


def test_table_number_takes_the_items_unit() -> None:
    passage = "Uppdrag, belopp i mnkr Årsprognos Årsbudget mot budget\nRegionkontoret -239,4 -272,6 33,2"
    for written in ("33,2 mnkr", "33 200 tkr", "+33,2 miljoner kronor"):
        result = score_question(TABLE_ITEM, answer(f"Avvikelsen är {written} [1].", [citation(O20, passage)]))
        assert result["passed"], written
    assert expected_figures(TABLE_ITEM)[0].value == 33_200_000.0


# --- figures: wrong answers fail ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Regionkontoret prognostiserar +78,2 mnkr för 2020.",      # wrong figure (the August value)
    "Regionkontoret prognostiserar 82,7 tkr för 2020.",         # right number, wrong unit
    "Regionkontoret prognostiserar 82,7 för 2020.",             # no unit at all
    "Regionkontoret prognostiserar -82,7 mnkr för 2020.",       # wrong sign
    "Regionkontoret prognostiserar 8 270 tkr för 2020.",        # wrong scale
])
def test_wrong_figure_fails(text: str) -> None:
    result = score_question(FORECAST_ITEM, answer(text, [citation(O20, PROGNOSIS_PASSAGE)]))
    assert result["figure_ok"] is False and not result["passed"]


@pytest.mark.parametrize("written", [
    "2,5 mnkr",                         # sign dropped, no direction stated
    "+2,5 mnkr",                        # explicit wrong sign
    "intäkten ökade med 2,5 mnkr",      # wrong direction in words
    "ett överskott på 2,5 mnkr",
])
def test_negative_figure_without_direction_fails(written: str) -> None:
    result = score_question(TEXTILE_ITEM, answer(f"Textilstocken ger {written}.", [citation(F20, "-2,5 mnkr")]))
    assert result["figure_ok"] is False and not result["passed"]


def test_direction_word_in_another_sentence_does_not_count() -> None:
    text = "Kostnaderna minskade. Textilstocken påverkar med 2,5 mnkr."
    assert not figure_in_text(parse_figure("-2,5 mnkr"), text)


def test_table_number_in_wrong_unit_fails() -> None:
    passage = "Regionkontoret -239,4 -272,6 33,2"
    for written in ("33,2 tkr", "33,2"):
        result = score_question(TABLE_ITEM, answer(f"Avvikelsen är {written}.", [citation(O20, passage)]))
        assert not result["figure_ok"], written


def test_accounting_signed_table_figure_matches_either_sign() -> None:
    item = {"id": "t-6", "question": "Investeringsbudget 2019?", "category": "figure_table",
            "answer": "288,0 mnkr", "figures": ["288,0"], "unit": "mnkr", "keywords": [],
            "source": [O20], "evidence": ["TOTAL -104,7 -227,1 -288,0 60,9"]}
    cited = [citation(O20, "Investeringar (Mnkr) Ack.utfall Årsprognos Årsbudget Avvikelse\nTOTAL -104,7 -227,1 -288,0 60,9")]
    for written in ("288,0 mnkr", "-288 mnkr", "288 000 tkr"):
        assert score_question(item, answer(f"Årsbudgeten är {written} [1].", cited))["passed"], written
    assert not score_question(item, answer("Årsbudgeten är 28,8 mnkr [1].", cited))["passed"]


def test_signed_expectation_is_not_accounting_signed() -> None:
    passage = "-2,5 mnkr på grund av att budgetposten"
    result = score_question(TEXTILE_ITEM, answer("Effekten är +2,5 mnkr [1].", [citation(F20, passage)]))
    assert not result["passed"]
    unsigned_positive = dict(TABLE_ITEM, evidence=["Regionkontoret -239,4 -272,6 33,2"])
    result = score_question(unsigned_positive, answer("Avvikelsen är -33,2 mnkr [1].",
                                                      [citation(O20, "Regionkontoret -239,4 -272,6 33,2")]))
    assert not result["figure_ok"]


# --- citations -----------------------------------------------------------------------------

def test_a_cited_table_shows_its_bare_numbers_in_the_unit_its_header_or_caption_states() -> None:
    """ "Investering (tkr)" over "1 000" shows 1 mnkr; a column's own unit ("Årsprognos mnkr")
    overrides the caption's, and a number in another unit or another column's unit is no match."""
    item = {"id": "t-7", "question": "Laddstolpar: budget?", "category": "figure_table", "answer": "1 mnkr",
            "figures": ["1 mnkr"], "keywords": [], "source": [O20], "evidence": ["Laddstolpar för elbilar | 0 | 150"]}
    table = ("4.3 Investeringar\nInvestering (tkr) | Utfall oktober | Årsprognos | Årsbudget\n"
             "Laddstolpar för elbilar | 0 | 150 | 1 000")
    assert score_question(item, answer("Årsbudget: 1 000 tkr [1].", [citation(O20, table)]))["passed"]
    in_mnkr = table.replace("(tkr)", "(mnkr)")
    assert not score_question(item, answer("Årsbudget: 1 000 tkr [1].", [citation(O20, in_mnkr)]))["citation_ok"]
    per_column = "Investering (mnkr) | Utfall | Årsbudget tkr\nLaddstolpar för elbilar | 0 | 1 000"
    assert score_question(item, answer("Årsbudget: 1 mnkr [1].", [citation(O20, per_column)]))["citation_ok"]


def test_figure_without_citation_fails() -> None:
    result = score_question(FORECAST_ITEM, answer("Prognosen är +82,7 mnkr."))
    assert result["figure_ok"] is True
    assert result["citation_ok"] is False and not result["passed"]


def test_citation_of_wrong_document_fails() -> None:
    wrong = citation("halland-regionkontoret-manadsrapport-2018-09.pdf", PROGNOSIS_PASSAGE)
    result = score_question(FORECAST_ITEM, answer("Prognosen är +82,7 mnkr [1].", [wrong]))
    assert result["citation_ok"] is False and not result["passed"]


def test_cited_passage_must_show_the_figure() -> None:
    unrelated = citation(O20, "Sjukfrånvaron på Regionkontoret ligger fortsatt på en låg nivå.")
    result = score_question(FORECAST_ITEM, answer("Prognosen är +82,7 mnkr [1].", [unrelated]))
    assert result["cited_source"] is True and result["citation_ok"] is False and not result["passed"]


def test_figure_in_second_citation_is_enough() -> None:
    cites = [citation(O20, "Sjukfrånvaron är låg."), citation(O20, "Prognos budgetavvikelse 82 700 tkr", n=2)]
    assert score_question(FORECAST_ITEM, answer("Prognosen är 82,7 mnkr [2].", cites))["passed"]


# --- refusals ------------------------------------------------------------------------------

def test_refusal_on_answerable_question_fails() -> None:
    refusal = answer("Det framgår inte av rapporterna i arkivet.", refused=True)
    result = score_question(FORECAST_ITEM, refusal)
    assert result["false_refusal"] is True and result["refusal_ok"] is False and not result["passed"]
    assert result["correct_refusal"] is None


def test_plain_refusal_on_unanswerable_passes() -> None:
    result = score_question(UNANSWERABLE_ITEM, answer(
        "Det framgår inte av rapporterna i arkivet; det finns ingen rapport för mars 2020.", refused=True))
    assert result["passed"] and result["correct_refusal"] is True and result["refusal_ok"] is True
    assert result["false_refusal"] is None and result["citation_ok"] is None


def test_invented_figure_on_unanswerable_fails() -> None:
    made_up = answer("Årsprognosen i mars 2020 var +41,3 mnkr.", refused=False)
    result = score_question(UNANSWERABLE_ITEM, made_up)
    assert result["refusal_ok"] is False and not result["passed"]
    assert result["invented_figures"] == ["+41,3 mnkr"]


def test_refusal_with_uncited_figure_fails() -> None:
    result = score_question(UNANSWERABLE_ITEM, answer(
        "Det finns ingen marsrapport, men prognosen låg troligen kring 40 mnkr.", refused=True))
    assert result["refused"] and not result["passed"]


def test_refusal_pointing_at_a_cited_neighbouring_period_passes() -> None:
    feb = citation(F20, "Den ekonomiska årsprognosen efter två månader är +13,6 mnkr.")
    result = score_question(UNANSWERABLE_ITEM, answer(
        "Det finns ingen rapport för mars 2020. Närmast är februari: +13,6 mnkr [1].", [feb], refused=True))
    assert result["passed"] and result["invented_figures"] == []


# --- keywords ------------------------------------------------------------------------------

@pytest.mark.parametrize("keyword,text", [
    ("vakanser", "Överskottet beror på vakanserna."),
    ("vakanser", "VAKANSER på HR"),
    ("överklagande", "Upphandlingen har överklagats."),
    ("avgångar", "färre avgången"),
    ("covid-19", "på grund av Covid-19-pandemin"),
    ("pensionskostnader", "ökade pensionskostnaderna"),
    ("Digital Well Arena", "projektet Digital Well Arena"),
    ("utvecklingsmedel", "utvecklingsmedlen är inte beslutade"),
    ("utvecklingsmedlen", "outnyttjade utvecklingsmedel"),
])
def test_keyword_found_through_inflection_and_case(keyword: str, text: str) -> None:
    assert keyword_present(keyword, text)


@pytest.mark.parametrize("keyword,text", [
    ("HR", "HRM-systemet"),                  # short stem: whole word only
    ("vakanser", "vakuum"),
    ("Digital Well Arena", "en digital arena"),  # every token of a phrase is needed
    ("överskott", "kostnaderna överskrider budget"),
])
def test_keyword_not_found(keyword: str, text: str) -> None:
    assert not keyword_present(keyword, text)


def test_keyword_coverage_and_why_pass_threshold() -> None:
    assert keyword_coverage([], "x") is None
    text = "Vakanserna och covid-19 förklarar det."
    assert keyword_coverage(WHY_ITEM["keywords"], text) == pytest.approx(2 / 3)
    cited = [citation(F20, "+3,2 mnkr avser vakanser.")]
    assert 2 / 3 >= KEYWORD_PASS
    assert score_question(WHY_ITEM, answer(text + " [1]", cited))["passed"]
    assert not score_question(WHY_ITEM, answer("Det beror på vakanser [1].", cited))["passed"]
    assert not score_question(WHY_ITEM, answer(text))["passed"]  # no source cited


# --- retrieval -----------------------------------------------------------------------------

def _passages(n_noise: int, hit: dict) -> list[dict]:
    noise = [{"document": O20, "text": f"Ett annat stycke nummer {i} om sjukfrånvaro."} for i in range(n_noise)]
    return noise + [hit]


def test_recall_by_containment_across_line_breaks() -> None:
    hit = {"document": O20, "text": "Inledning.\n" + PROGNOSIS_PASSAGE}
    assert recall_at(FORECAST_ITEM, _passages(2, hit), 5) == 1.0
    assert recall_at(FORECAST_ITEM, _passages(7, hit), 5) == 0.0
    assert recall_at(FORECAST_ITEM, _passages(7, hit), 10) == 1.0


def test_recall_by_token_overlap_needs_the_right_document() -> None:
    split = "Sammantaget prognostiserar Regionkontorets verksamhet en ekonomisk avvikelse på +82,7"
    assert recall_at(FORECAST_ITEM, [{"document": O20, "text": split}], 5) == 1.0
    assert recall_at(FORECAST_ITEM, [{"document": F20, "text": split}], 5) == 0.0
    half = "Sammantaget prognostiserar Regionkontorets verksamhet"
    assert recall_at(FORECAST_ITEM, [{"document": O20, "text": half}], 5) == 0.0


def test_recall_not_applicable() -> None:
    assert recall_at(UNANSWERABLE_ITEM, [{"document": O20, "text": "x"}], 5) is None
    assert recall_at(FORECAST_ITEM, None, 5) is None


def test_recall_is_share_of_evidence_strings() -> None:
    item = dict(FORECAST_ITEM, evidence=["+82,7 mnkr", "Sjukfrånvaro 2,78% 4%"])
    assert recall_at(item, [{"document": O20, "text": PROGNOSIS_PASSAGE}], 5) == 0.5


# --- expected figures and aggregation --------------------------------------------------------

def test_expected_figure_that_is_not_one_figure_is_an_error() -> None:
    with pytest.raises(ValueError):
        expected_figures(dict(FORECAST_ITEM, figures=["ingen siffra"]))


def test_citation_markers_are_not_figures() -> None:
    result = score_question(UNANSWERABLE_ITEM, answer("Det framgår inte av arkivet [1][2].", refused=True))
    assert result["invented_figures"] == [] and result["passed"]


def test_summarise_per_category_and_overall() -> None:
    cited = [citation(O20, PROGNOSIS_PASSAGE)]
    scored = [
        score_question(FORECAST_ITEM, answer("+82,7 mnkr [1]", cited, total_ms=100.0),
                       retrieved=[{"document": O20, "text": PROGNOSIS_PASSAGE}]),
        score_question(FORECAST_ITEM, answer("Det framgår inte.", refused=True, total_ms=300.0),
                       retrieved=[]),
        score_question(UNANSWERABLE_ITEM, answer("Det framgår inte.", refused=True, total_ms=200.0)),
        score_question(UNANSWERABLE_ITEM, answer("Den var 12 mnkr.", total_ms=400.0)),
    ]
    summary = summarise(scored)
    overall, text, unans = summary["overall"], summary["by_category"]["figure_text"], summary["by_category"]["unanswerable"]
    assert list(summary["by_category"]) == ["figure_text", "unanswerable"]
    assert overall["n"] == 4 and overall["passed"] == 2 and overall["pass_rate"] == 0.5
    assert text["figure_accuracy"] == 0.5 and text["citation_accuracy"] == 0.5
    assert text["false_refusals"] == 1 and text["false_refusal_rate"] == 0.5
    assert text["recall@5"] == 0.5 and text["recall@10"] == 0.5
    assert unans["correct_refusals"] == 1 and unans["correct_refusal_rate"] == 0.5
    assert unans["figure_accuracy"] is None and unans["recall@5"] is None
    assert overall["latency_ms_median"] == 250.0 and overall["latency_ms_p95"] == 400.0
    assert overall["keyword_coverage"] is None


def test_a_why_item_with_a_figure_and_no_keywords_passes_by_the_figure() -> None:
    item = {**WHY_ITEM, "id": "t-6", "keywords": [], "figures": ["34,4 miljoner kronor"],
            "evidence": ["beror på en rättning som har gjorts om 34,4 miljoner kronor"]}
    passage = "Avskrivningarna har ökat, vilket beror på en rättning som har gjorts om 34,4 miljoner kronor."
    right = score_question(item, answer(f"{passage} [1]", [citation(F20, passage)]))
    assert right["passed"]
    wrong = score_question(item, answer("Avskrivningarna ökade med 3,4 miljoner kronor. [1]", [citation(F20, passage)]))
    assert not wrong["passed"]
