"""Which reports a question is about: decided against the catalogue, before retrieval."""

from __future__ import annotations

from granska.app.query import parse_question
from granska.app.scope import resolve_scope
from granska.index.registry import DocumentRecord


def report(name: str, start: int, end: int, organisation: str = "Göteborgs Stad, Nämnden för Intraservice") -> DocumentRecord:
    return DocumentRecord(
        document=name, doc_id=name, path=name, organisation=organisation, report_type="delårsrapport",
        period_start=start, period_end=end, title=name, pages=1, chunks=1, ingested_at="",
    )


ARCHIVE = [
    report("intraservice-2026-03.pdf", 202601, 202603),
    report("intraservice-2026-08.pdf", 202601, 202608),
    report("halland-2020-02.pdf", 202001, 202002, "Region Halland, Regionkontoret"),
    report("halland-2020-10.pdf", 202001, 202010, "Region Halland, Regionkontoret"),
]


def test_years_before_every_report_are_looked_for_in_the_nearest_later_report():
    scope = resolve_scope(parse_question("Hur många major incidents hade Intraservice 2025 jämfört med 2024?"), ARCHIVE)
    assert scope.refusal is None
    assert [d.document for d in scope.documents] == ["intraservice-2026-03.pdf", "intraservice-2026-08.pdf"]
    assert scope.required_all == {"2024", "2025"}  # only a passage that states both can answer
    assert scope.unstated and "ingen rapport för 2024, 2025" in scope.unstated


def test_the_rest_of_a_reports_year_is_looked_for_in_that_report():
    scope = resolve_scope(parse_question("Vad beräknas cybersäkerhetslagen kosta Intraservice april–december 2026?"), ARCHIVE)
    assert [d.document for d in scope.documents] == ["intraservice-2026-03.pdf"]
    assert scope.required_all == {"april", "december"}


def test_a_single_month_without_a_report_and_a_year_after_every_report_stay_refused():
    for question in ("Vad prognostiserar Regionkontoret för 2022?", "Vad var Regionkontorets årsprognos i december 2019?"):
        scope = resolve_scope(parse_question(question), ARCHIVE)
        assert scope.refusal is not None and not scope.documents, question


# --- scope as evidence: what the reports say, beside what they are catalogued as -------------

from granska.app.scope import Mentions  # noqa: E402
from granska.types import Chunk  # noqa: E402

AGENCY = [
    report("agency-2003.pdf", 200301, 200312, "Tullverket"),
    report("agency-2007.pdf", 200701, 200712, "Tullverket"),
]
def passage(document: str, text: str) -> Chunk:
    return Chunk(id=f"{document}-{len(text)}", text=text, document=document, doc_id=document, organisation="Tullverket",
                 report_type="årsredovisning", period_start=200301, period_end=200312, year=2003, page=1,
                 page_label="1", section="", kind="text")


SAYS = Mentions([
    passage("agency-2003.pdf", "Region Stockholm hade 588 anställda."),
    passage("agency-2003.pdf", "Antalet ärenden 2002 och 2003 jämförs."),
    passage("agency-2007.pdf", "Under 2007 ökade antalet ärenden."),
])


def test_a_place_no_report_is_catalogued_under_is_answered_by_the_reports_that_name_it():
    scope = resolve_scope(parse_question("Hur många anställda fanns i Region Stockholm 2003?"), AGENCY, SAYS)
    assert scope.refusal is None
    assert [d.document for d in scope.documents] == ["agency-2003.pdf"]
    assert "stockholm" in scope.required_all  # only a passage that names the place answers
    assert scope.unstated and "Stockholm" in scope.unstated


def test_a_place_no_report_names_is_still_refused():
    scope = resolve_scope(parse_question("Hur många anställda fanns i Region Skåne 2003?"), AGENCY, SAYS)
    assert scope.refusal is not None and "Skåne" in scope.refusal


def test_a_year_stated_by_a_later_report_is_looked_for_there():
    """Catalogued for 2003 and 2007: 2002 is stated in the 2003 report's comparison."""
    scope = resolve_scope(parse_question("Hur många ärenden hade Tullverket 2002?"), AGENCY, SAYS)
    assert scope.refusal is None and [d.document for d in scope.documents] == ["agency-2003.pdf"]
    assert scope.required_all == {"2002"}


def test_a_year_no_report_states_is_refused_and_without_evidence_the_catalogue_decides():
    assert resolve_scope(parse_question("Hur många ärenden hade Tullverket 2005?"), AGENCY, SAYS).refusal is not None
    assert resolve_scope(parse_question("Hur många anställda fanns i Region Stockholm 2003?"), AGENCY).refusal is not None


INTERIM = [report("alunda-2024-08.md", 202401, 202408, "Ålunda kommun")]
INTERIM_SAYS = Mentions([
    Chunk(id="a", text="Sjukfrånvaro män | Utfall januari-juni 2023 | Utfall januari-juni 2024", document="alunda-2024-08.md",
          doc_id="alunda-2024-08.md", organisation="Ålunda kommun", report_type="delårsrapport", period_start=202401,
          period_end=202408, year=2024, page=1, page_label="1", section="", kind="table"),
])


def test_a_month_range_of_an_earlier_year_is_looked_for_in_the_reports_that_state_that_year():
    """An interim report restates the same period a year before ("Utfall januari-juni 2023"); only
    a passage that states the range's months and its year answers. A single month stays refused."""
    scope = resolve_scope(parse_question("Hur hög var sjukfrånvaron bland män i Ålunda kommun under januari–juni 2023?"),
                          INTERIM, INTERIM_SAYS)
    assert scope.refusal is None and [d.document for d in scope.documents] == ["alunda-2024-08.md"]
    assert scope.required_all == {"januari", "juni", "2023"}
    for question in ("Hur hög var sjukfrånvaron i Ålunda kommun i juni 2023?",
                     "Hur hög var sjukfrånvaron i Ålunda kommun under januari–juni 2022?"):
        assert resolve_scope(parse_question(question), INTERIM, INTERIM_SAYS).refusal is not None, question


def test_a_month_range_within_a_year_a_report_covers_stays_with_the_catalogue():
    """ "april–december 2026" asked of a report for March 2026 is the rest of the year it
    forecasts, not an earlier period restated: the catalogue answers, with the report itself,
    though no passage states "2026" beside both months. Likewise a range another organisation's
    report is catalogued for is that report's, not one the named organisation restates."""
    march = [report("alunda-2026-03.pdf", 202601, 202603, "Ålunda kommun")]
    says = Mentions([Chunk(id="b", text="Kostnaderna för april till december beräknas till 24 mnkr.",
                           document="alunda-2026-03.pdf", doc_id="alunda-2026-03.pdf", organisation="Ålunda kommun",
                           report_type="delårsrapport", period_start=202601, period_end=202603, year=2026, page=1,
                           page_label="1", section="", kind="text")])
    scope = resolve_scope(parse_question("Vad kostar säkerhetsarbetet i Ålunda kommun april–december 2026?"), march, says)
    assert "2026" not in scope.required_all  # a passage saying the months answers; the catalogue gave the year
    both = INTERIM + [report("bjorke-2023-06.pdf", 202301, 202306, "Björke kommun")]
    scope = resolve_scope(parse_question("Hur hög var sjukfrånvaron bland män i Ålunda kommun under januari–juni 2023?"),
                          both, INTERIM_SAYS)
    assert "2023" not in scope.required_all
