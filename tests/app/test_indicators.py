"""Indicators over time: reading indicator tables, choosing columns, series and contradictions.

Hand-made table chunks pin down each rule; the sample archive checks the rules on real reports
(the session's ingested store), and the API routes and chart are exercised on the same archive.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from granska.app.indicators import (
    available,
    build_series,
    extract_points,
    find_contradiction,
    normalise_label,
    series,
    table_points,
)
from granska.types import Chunk

OCT_2020 = "halland-regionkontoret-manadsrapport-2020-10.pdf"


def _chunk(text: str, document: str = "rapport-2020-10.pdf", period_end: int = 202010, page: int = 1,
           kind: str = "table") -> Chunk:
    return Chunk(
        id=f"{document}-{page}-{abs(hash(text)) % 10_000}", text=text, document=document, doc_id=document,
        organisation="Region X, Kontoret", report_type="månadsrapport", period_start=period_end // 100 * 100 + 1,
        period_end=period_end, year=period_end // 100, page=page, page_label=str(page), section="", kind=kind,
    )


# -- names -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Sjukfrånvaro (R12 medel)", "sjukfrånvaro"),
        ("Personalomsättning R12", "personalomsättning"),
        ("  Prognos budgetavvikelse ", "prognos budgetavvikelse"),
        ("Resultat jämfört med budget, ackumulerat", "resultat jämfört med budget, ackumulerat"),
        ("Kostnadsutveckling, medel:", "kostnadsutveckling"),
    ],
)
def test_labels_are_normalised(label, name):
    assert normalise_label(label) == name


# -- reading one table -------------------------------------------------------------------------
def test_outcome_column_wins_even_when_not_first():
    text = "3.2 Sjukfrånvaro\nIndikator | Årsbudget | Utfall | Målvärde\nSjukfrånvaro (R12 medel) | 5% | 2,78% | 4%"
    [point] = table_points(_chunk(text))
    assert (point.indicator, point.value, point.unit, point.column) == ("sjukfrånvaro", 2.78, "%", "Utfall")
    assert point.label == "Sjukfrånvaro (R12 medel)" and point.text == "2,78%"
    assert point.row == "Sjukfrånvaro (R12 medel) | 5% | 2,78% | 4%"


def test_forecast_column_with_the_unit_in_its_header():
    text = "4.1.1 Prognosindikator\nIndikator | Årsprognos tkr | Årsbudget tkr | Avvikelse tkr\nPrognos budgetavvikelse | 82 700 | 0 | 82 700"
    [point] = table_points(_chunk(text))
    assert point.column == "Årsprognos tkr"
    assert (point.value, point.unit, point.formatted) == (82_700_000.0, "kr", "82,7 mnkr")


def test_budget_and_target_columns_are_never_the_value():
    text = "Indikator | Ack budget | Ack avvikelse | Målvärde\nAckumulerad budgetavvikelse | 0 Mnkr | 20 Mnkr | 0 Mnkr"
    [point] = table_points(_chunk(text))
    assert point.column == "Ack avvikelse" and point.value == 20_000_000.0
    only_targets = "Indikator | Årsbudget | Målvärde\nSjukfrånvaro | 4% | 4%"
    assert table_points(_chunk(only_targets)) == []


def test_a_group_column_before_the_label():
    text = "5 Verksamhetsmått\nGrupp | Indikatorer | Utfall | Målvärde\nMedarbetare | Personalomsättning | 11,6% | 13,0%\n | Sjukfrånvaro | 2,2% | 4,0%"
    points = table_points(_chunk(text))
    assert [(p.indicator, p.value) for p in points] == [("personalomsättning", 11.6), ("sjukfrånvaro", 2.2)]


def test_what_is_not_an_indicator_value():
    budget_lines = "Uppdrag, belopp i mnkr | Årsprognos | Årsbudget\nRegionbidrag | 448,9 | 448,9"
    comment_only = "Indikatorer | Utfall | Kommentar\nSjukfrånvaro | | Låg, män 2,90 % och kvinnor"
    no_label = "Indikator | Utfall\n | 30,5%"
    text_chunk = _chunk("Indikator | Utfall\nSjukfrånvaro | 2,2%", kind="text")
    assert table_points(_chunk(budget_lines)) == []
    assert table_points(_chunk(comment_only)) == []
    assert table_points(_chunk(no_label)) == []
    assert table_points(text_chunk) == []


# -- series ------------------------------------------------------------------------------------
def _sjukfranvaro(document: str, period_end: int, value: str, page: int = 4) -> Chunk:
    return _chunk(f"Indikator | Utfall\nSjukfrånvaro (R12 medel) | {value}", document, period_end, page)


def test_only_indicators_of_several_reports_are_offered():
    chunks = [
        _sjukfranvaro("a.pdf", 201809, "3,38%"),
        _sjukfranvaro("b.pdf", 202002, "2,2%"),
        _chunk("Indikator | Utfall\nEnbart här | 7%", "b.pdf", 202002),
    ]
    offered = available(chunks)
    assert [s.name for s in offered] == ["sjukfrånvaro"]
    assert [p.period for p in offered[0].points] == ["2018-09", "2020-02"]
    assert series(chunks, "Enbart här").points[0].value == 7.0  # still there when asked for by name
    assert series(chunks, "finns inte") is None


def test_spelling_variants_are_merged_under_the_common_name():
    chunks = [
        _chunk("Indikator | Ack resultat\nAckumulerad budgetavvikelse | 20 Mnkr", "a.pdf", 202002),
        _chunk("Indikator | Ack resultat\nAckumulerad budgetavvikelse | 119 695 tkr", "b.pdf", 202010, page=10),
        _chunk("Indikatorer | Utfall\nAkkumulerad budgetavvikelse | 119,7 Mnkr", "b.pdf", 202010, page=13),
        _chunk("Indikator | Utfall\nMål 1 | 5%\nMål 2 | 6%", "a.pdf", 202002),
    ]
    names = {p.indicator for p in extract_points(chunks)}
    assert names == {"ackumulerad budgetavvikelse", "mål 1", "mål 2"}


def test_differing_values_in_one_report_are_a_contradiction():
    chunks = [
        _chunk("Indikator | Årsprognos tkr | Årsbudget tkr\nPrognos budgetavvikelse | 82 700 tkr | 0 tkr", OCT_2020, 202010, 9),
        _chunk("Grupp | Indikatorer | Utfall\nEkonomi | Prognos budgetavvikelse | 78,2 Mnkr", OCT_2020, 202010, 13),
        _chunk("Indikator | Årsprognos\nPrognos budgetavvikelse | 13,6 Mnkr", "feb.pdf", 202002, 4),
    ]
    found = series(chunks, "prognos budgetavvikelse")
    [clash] = found.contradictions
    assert clash.message == "Motstridiga värden för 2020-10: 82,7 mnkr (s. 9) och 78,2 mnkr (s. 13)"
    assert [(p.period, p.formatted, p.contradictory) for p in found.points] == [
        ("2020-02", "13,6 mnkr", False), ("2020-10", "82,7 mnkr", True), ("2020-10", "78,2 mnkr", True),
    ]


def test_rounding_and_other_units_are_no_contradiction():
    rounded = [_sjukfranvaro("r.pdf", 202010, "2,78%", 8), _sjukfranvaro("r.pdf", 202010, "2,8%", 13)]
    assert find_contradiction(extract_points(rounded)) is None
    mixed = [
        _chunk("Indikator | Årsprognos\nEkonomisk avvikelse | -3,6", "r.pdf", 202010),
        _chunk("Indikator | Årsprognos\nEkonomisk avvikelse | 0 tkr", "r.pdf", 202010, 2),
    ]
    built = build_series("ekonomisk avvikelse", extract_points(mixed))
    assert built.contradictions == [] and built.unit == "kr"


# -- the sample archive ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_chunks(engine) -> list[Chunk]:
    return engine.state().lexical.chunks


def test_sample_offers_the_recurring_indicators(sample_chunks):
    names = {s.name for s in available(sample_chunks)}
    assert {"sjukfrånvaro", "personalomsättning", "prognos budgetavvikelse", "periodresultat",
            "ackumulerad budgetavvikelse", "kostnadsutveckling"} <= names
    assert not names & {"regionbidrag", "totalt", "total"}, "budget lines are no indicators"


def test_sample_sick_leave_across_four_reports(sample_chunks):
    found = series(sample_chunks, "Sjukfrånvaro")
    assert sorted({p.period for p in found.points}) == ["2018-09", "2019-08", "2020-02", "2020-10"]
    first = {p.period: p for p in reversed(found.points)}
    assert {period: p.value for period, p in first.items()} == {"2018-09": 3.38, "2019-08": 2.35, "2020-02": 2.2, "2020-10": 2.78}
    assert all(p.unit == "%" and p.column == "Utfall" for p in found.points)
    assert found.contradictions == [], "2,78 % and 2,8 % in the October report are one value, rounded"
    oct_pages = sorted(p.page for p in found.points if p.document == OCT_2020)
    assert oct_pages == [8, 13]


def test_sample_october_forecast_contradiction_is_flagged(sample_chunks):
    found = series(sample_chunks, "prognos budgetavvikelse")
    [clash] = found.contradictions
    assert clash.document == OCT_2020
    assert clash.message == "Motstridiga värden för 2020-10: 82,7 mnkr (s. 9) och 78,2 mnkr (s. 13)"
    october = [p for p in found.points if p.period == "2020-10"]
    assert {p.text for p in october} == {"82 700 tkr", "78,2 Mnkr"} and all(p.contradictory for p in october)
    assert not any(p.contradictory for p in found.points if p.period == "2020-02")


# -- API and chart -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(engine):
    from granska.app.webapi import ArchiveService, api_router

    def open_access(request: Request) -> None:
        """No login in these tests; the authorizer itself is tested with the full app."""

    app = FastAPI()
    app.include_router(api_router(ArchiveService(engine), open_access))
    with TestClient(app) as client:
        yield client


def test_api_lists_indicators(api):
    listed = api.get("/api/indicators").json()
    sick = next(i for i in listed if i["name"] == "sjukfrånvaro")
    assert sick["title"] == "Sjukfrånvaro" and sick["unit"] == "%" and sick["reports"] == 4
    assert sick["periods"] == ["2018-09", "2019-08", "2020-02", "2020-10"]


def test_api_series_with_citations_and_contradictions(api):
    body = api.get("/api/indicators/prognos budgetavvikelse").json()
    assert body["unit"] == "kr" and body["reports"] == 2
    point = body["points"][0]
    assert {"period", "value", "unit", "text", "formatted", "label", "column", "document", "page", "page_label",
            "chunk_id", "contradictory"} <= set(point)
    assert body["contradictions"][0]["message"].startswith("Motstridiga värden för 2020-10: 82,7 mnkr (s. 9)")
    assert api.get("/api/indicators/Sjukfrånvaro (R12 medel)").json()["name"] == "sjukfrånvaro"
    missing = api.get("/api/indicators/antal patienter")
    assert missing.status_code == 404 and "finns inte" in missing.json()["detail"]


def test_chart_table_and_warning_for_the_ui(sample_chunks):
    from granska.app.web import indicator_chart, indicator_rows, indicator_summary

    found = series(sample_chunks, "prognos budgetavvikelse")
    image = indicator_chart(found)
    assert image.size[0] >= 800 and image.size[1] >= 400
    rows = indicator_rows(found)
    assert [r[0] for r in rows] == ["2020-02", "2020-02", "2020-10", "2020-10"]
    assert [r[-1] for r in rows if r[0] == "2020-10"] == ["Motstridigt värde", "Motstridigt värde"]
    assert "⚠️ Motstridiga värden för 2020-10: 82,7 mnkr (s. 9) och 78,2 mnkr (s. 13)" in indicator_summary(found)
