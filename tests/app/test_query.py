"""Question understanding: periods, references, kinds, places and indicators."""

import pytest

from granska.app.query import MonthRef, parse_question


def terms(q: str) -> list[str]:
    return [t for t, _ in parse_question(q).terms]


@pytest.mark.parametrize(
    ("question", "months", "years"),
    [
        ("Hur hög var sjukfrånvaron i oktober 2020?", [MonthRef(2020, 10)], [2020]),
        ("sjukfrånvaro okt 2020", [MonthRef(2020, 10)], [2020]),
        ("Vad säger oktoberrapporten om prognosen?", [MonthRef(None, 10)], []),
        ("Resultat för jan–feb 2020?", [MonthRef(2020, 2)], [2020]),  # a range names the month it runs to
        ("Hur stor var sjukfrånvaron 2019?", [], [2019]),
    ],
)
def test_periods(question, months, years):
    q = parse_question(question)
    assert q.months == months
    assert q.years == years


def test_reference_month_is_not_a_period_but_stays_a_content_word():
    q = parse_question("varför är prognosen förbättrad sedan augusti?")
    assert q.months == [] and q.reference_months == [MonthRef(None, 8)]
    assert "augusti" in terms("varför är prognosen förbättrad sedan augusti?")
    assert q.kind == "why"


def test_reference_year_is_not_a_period():
    assert parse_question("Vilka investeringar sköts upp till 2021?").years == []
    assert parse_question("Jämför sjukfrånvaron 2019 med 2020").years == [2019, 2020]


def test_elapsed_months_and_report_number():
    q = parse_question("Vad var resultatet efter två månader 2020?")
    assert q.months_elapsed == 2 and "två" not in terms("Vad var resultatet efter två månader 2020?")
    assert parse_question("Vad säger UR2 om ePlan?").report_number == 2


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Varför ökade kostnaderna?", "why"),
        ("Vilka aktiviteter följer inte planen?", "list"),
        ("Jämför personalomsättningen i februari 2020 och oktober 2020", "compare"),
        ("Hur stor var sjukfrånvaron i februari 2020?", "figure"),
    ],
)
def test_kinds(question, kind):
    assert parse_question(question).kind == kind


def test_places_indicators_whole_organisation_and_abbreviations():
    q = parse_question("Hur hög är sjukfrånvaron i hela Region Skåne?")
    assert q.places == ["skåne"] and q.whole_organisation and q.indicators == ["sjukfrånvaro"]
    assert "regionkontoret" in terms("Personalomsättning RK okt 2020?")
    assert "okt" not in terms("Personalomsättning RK okt 2020?")


def test_direction_words_match_their_synonyms_unless_negated():
    q = parse_question("Varför sjunker personalomsättningen i början av 2020?")
    assert "minskande" in q.related["sjunker"] and "början" not in terms(q.text)
    assert parse_question("Varför har sjukfrånvaron inte ökat under pandemin?").related == {}


def test_report_names_are_scope_not_content():
    assert terms("Vad är årsprognosen enligt prognosindikatorn i okt-rapporten?") == ["årsprognosen", "prognosindikatorn"]
    assert "delårsrapporten" not in terms("Vilka projekt pågår enligt delårsrapporten?")


def test_a_unit_kind_before_its_name_only_classifies():
    assert terms("Hur stor prognosavvikelse har avdelningen Hållbar utveckling?") == ["prognosavvikelse", "hållbar", "utveckling"]
    assert "avdelningen" in terms("Vad prognostiserar avdelningen för 2020?")  # no name follows: it is the subject


def test_a_comparison_inside_one_report_has_two_sides():
    q = parse_question("Budgetmedlen till RS förfogande: överskott i delåret jämfört med prognosen?")
    assert (q.kind, q.sides) == ("compare", ("delåret", "prognosen"))
    assert parse_question("Hur skiljer sig delårsresultatet från helårsprognosen?").sides == ("delårsresultatet", "helårsprognosen")
    periods = parse_question("Hur mycket lägre var kostnaderna jan–feb 2020 än samma period 2019?")
    assert periods.kind == "compare" and periods.sides is None  # two periods: compared by report


def test_the_same_period_of_another_year():
    q = parse_question("Hur mycket lägre var kostnaderna jan–feb 2020 än samma period 2019?")
    assert q.kind == "compare" and MonthRef(2019, 2) in q.months and MonthRef(2020, 2) in q.months
    assert "period" not in terms(q.text)


def test_a_part_of_the_year_is_a_period_not_a_topic():
    assert terms("Vilka tjänster drabbades under första kvartalet 2026?") == ["tjänster", "drabbades"]


def test_the_same_period_the_year_before_is_last_year():
    q = parse_question("Hur mycket lägre var kostnaderna jan–feb 2020 än samma period 2019?")
    assert "förra" in terms(q.text) and "föregående" in q.related["förra"]


def test_during_the_period_is_time_not_topic():
    assert terms("Vilka aktiviteter har Region Värmland genomfört under perioden?") == ["aktiviteter", "region", "värmland", "genomfört"]


def test_a_season_before_a_year_is_a_period_and_how_many_names_what_is_counted():
    query = parse_question("Hur många rektorer fanns i grundskoleförvaltningen hösten 2024?")
    assert query.years == [2024]
    assert [t for t, _ in query.terms] == ["rektorer", "grundskoleförvaltningen"]
    assert "rektor" in query.counted
    assert "hösten" in [t for t, _ in parse_question("Vad planeras under hösten?").terms]  # no year: a topic


def test_question_frames_are_not_topic_words():
    assert [t for t, _ in parse_question("Vilka poster ligger bakom avdelningarnas överskott?").terms] == [
        "avdelningarnas", "överskott"]
    assert [t for t, _ in parse_question("Hur ser kostnadsutvecklingen ut?").terms] == ["kostnadsutvecklingen"]
    assert [t for t, _ in parse_question("Varför ger FVIS-införandet ett överskott?").terms][0] != "ger"


def test_what_something_costs_asks_for_a_figure():
    assert parse_question("Vad kostar FVIS?").kind == "figure"
    assert parse_question("Vad beräknas cybersäkerhetslagen kosta 2026?").kind == "figure"


def test_an_abbreviation_is_expanded_only_as_written_in_capitals():
    """"HoS" is hälso- och sjukvård; "hos nämnden" is the preposition."""
    assert "hälso" in {tok for tok, _ in parse_question("Vad prognostiserar HoS för 2020?").terms}
    assert "hälso" not in {tok for tok, _ in parse_question("Vilka projekt hos nämnden är försenade?").terms}
