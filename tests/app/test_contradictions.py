"""Contradictions: one report stating one indicator with different values."""

from granska.app.contradictions import find_contradictions, normalise_label, row_groups
from granska.ingest.numbers import parse_figures
from granska.types import Chunk
from tests.tables import table_chunk


def table(i: int, text: str) -> Chunk:
    return table_chunk(f"t{i}", text, document="r.pdf", organisation="Region A, Kontoret", page=i, position=i)


FORECAST = table(9, "4.1.1 Prognosindikator\nIndikator | Årsprognos tkr | Årsbudget tkr\nPrognos budgetavvikelse | 82 700 tkr | 0 tkr")
KEY_FIGURES = table(13, "5 Verksamhetsmått\nGrupp | Indikatorer | Utfall | Målvärde\nEkonomi | Prognos budgetavvikelse | 78,2 Mnkr |")
AGREEING = table(14, "Bilaga\nIndikator | Utfall\nPrognos budgetavvikelse (R12) | 82,7 mnkr")


def test_same_row_with_another_value_is_flagged_when_the_answer_gives_one_of_them():
    found = find_contradictions(parse_figures("+82,7 mnkr"), row_groups([FORECAST, KEY_FIGURES]))
    assert len(found) == 1
    assert [r.chunk.page for r in found[0].rows] == [9, 13]
    assert normalise_label(found[0].label) == "prognos budgetavvikelse"


def test_agreeing_values_zero_and_unrelated_answers_are_not_flagged():
    assert not find_contradictions(parse_figures("+82,7 mnkr"), row_groups([FORECAST, AGREEING]))  # 82 700 tkr = 82,7 mnkr
    assert not find_contradictions(parse_figures("0 tkr"), row_groups([FORECAST, KEY_FIGURES]))  # zero identifies nothing
    assert not find_contradictions(parse_figures("2,78 %"), row_groups([FORECAST, KEY_FIGURES]))


def test_labels_normalise_qualifiers_and_row_numbers():
    assert normalise_label("Sjukfrånvaro (R12 medel)") == normalise_label("sjukfrånvaro")
    assert normalise_label("51 Regionledningskont avdelningar") == "regionledningskont avdelningar"


def test_an_item_in_two_tables_under_different_measures_is_not_a_contradiction():
    forecast = table(4, "Prognos\nUppdrag | Årsprognos | Årsbudget\nRegionbidrag | 448,9 mnkr | 448,9 mnkr")
    period = table(6, "Resultat\nUppdrag | Periodens ack. utfall | Periodens ack. budget\nRegionbidrag | 76,4 mnkr | 76,4 mnkr")
    assert not find_contradictions(parse_figures("448,9 mnkr"), row_groups([forecast, period]))
    revised = table(7, "Prognos, bilaga\nUppdrag | Årsprognos | Årsbudget\nRegionbidrag | 450,0 mnkr | 448,9 mnkr")
    assert find_contradictions(parse_figures("448,9 mnkr"), row_groups([forecast, revised]))  # same measure, two values


def test_the_same_label_under_two_groups_is_two_items_not_a_contradiction():
    projects = table(20, "Investeringar\nProjekt | Bokslut 2024\nVatten och avlopp |\nUtgifter | -190,6 mnkr\n"
                         "Avfall och återvinning |\nUtgifter | -24,8 mnkr")
    assert not find_contradictions(parse_figures("-190,6 mnkr"), row_groups([projects]))
    summary = table(21, "Sammandrag\nProjekt | Bokslut 2024\nVatten och avlopp |\nUtgifter | -180,0 mnkr")
    found = find_contradictions(parse_figures("-190,6 mnkr"), row_groups([projects, summary]))
    assert [r.chunk.page for r in found[0].rows] == [20, 21]  # the same group's row, another value
