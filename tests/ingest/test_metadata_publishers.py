"""Report metadata on publishers the rules were not written for: the real documents' opening pages
(shipped as a fixture, tests/ingest/fixtures/title_pages.json, so these run without ../shared),
and synthetic title pages for each phenomenon: a body that says what it is, a publisher named in
the genitive or by its web domain, the year of the paperwork against the year reported on, report
types beyond the sample, a name spelled as the document spells it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from granska.ingest.metadata import infer_metadata
from granska.ingest.text import read_text
from granska.types import HIGH, LOW, Block, ParsedDocument

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "title_pages.json").read_text(encoding="utf-8"))

# (organisation, report_type, period_start, period_end), read from each document by eye.
EXPECTED = {
    "goteborg-intraservice-delarsrapport-2026-03.pdf": ("Göteborgs Stad, Nämnden för Intraservice", "delårsrapport", 202601, 202603),
    "goteborg-revisionsberattelse-2024.pdf": ("Göteborgs Stad", "revisionsberättelse", 202401, 202412),
    "migrationsverket-arsredovisning-2001.pdf": ("Migrationsverket", "årsredovisning", 200101, 200112),
    "migrationsverket-arsredovisning-2003.pdf": ("Migrationsverket", "årsredovisning", 200301, 200312),
    "migrationsverket-arsredovisning-2007.pdf": ("Migrationsverket", "årsredovisning", 200701, 200712),
    "kungsbacka-delarsrapport-2024-08.md": ("Kungsbacka kommun", "delårsrapport", 202401, 202408),
    "kungsbacka-delarsrapport-miljo-halsoskydd-2024-08.md": (
        "Kungsbacka kommun, Nämnden för Miljö & Hälsoskydd", "delårsrapport", 202401, 202408),
    "kungsbacka-sarredovisning-teknik-2024.md": ("Kungsbacka kommun, Nämnden för Teknik", "särredovisning", 202401, 202412),
}


def _document(name: str, tmp_path: Path, *, pdf_metadata: bool = True, file_name: str | None = None) -> ParsedDocument:
    entry = FIXTURE[name]
    if "text" in entry:
        path = tmp_path / (file_name or name)
        path.write_text(entry["text"], encoding="utf-8")
        return read_text(path)
    pages = entry["pages"]
    blocks = [Block("text", text, number) for number, text in enumerate(pages[1:], start=2) if text]
    return ParsedDocument(str(tmp_path / (file_name or name)), blocks, len(pages), title_text=pages[0],
                          pdf_metadata=entry["pdf_metadata"] if pdf_metadata else {})


def _fields(doc: ParsedDocument) -> tuple[str, str, int, int]:
    meta = infer_metadata(doc)
    return meta.organisation, meta.report_type, meta.period_start, meta.period_end


def test_fixture_covers_every_real_document() -> None:
    assert set(FIXTURE) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_document(name: str, tmp_path: Path) -> None:
    assert _fields(_document(name, tmp_path)) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.endswith(".pdf")))
def test_real_document_without_pdf_metadata_or_telling_file_name(name: str, tmp_path: Path) -> None:
    """The pages alone must say who published the report and when."""
    assert _fields(_document(name, tmp_path, pdf_metadata=False, file_name="rapport.pdf")) == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_field_says_where_it_came_from(name: str, tmp_path: Path) -> None:
    meta = infer_metadata(_document(name, tmp_path))
    assert set(meta.provenance) == {"organisation", "report_type", "period"}
    for how in meta.provenance.values():
        assert how.source and how.confidence in ("hög", "medel", "låg")


def _synthetic(title: str, body: str, name: str = "dokument.pdf", meta: dict | None = None) -> ParsedDocument:
    blocks = [Block("text", para, i + 2) for i, para in enumerate(body.split("\n\n"))]
    return ParsedDocument(f"/archive/{name}", blocks, len(blocks) + 1, title_text=title, pdf_metadata=meta or {})


def test_a_kommunalforbund_is_its_own_publisher_not_the_region_it_lies_in() -> None:
    body = ("Räddningstjänsten Norrdal är ett kommunalförbund med fyra medlemskommuner.\n\n"
            + "Samverkan med Region Västmark sker löpande. Region Västmark ansvarar för ambulansen. " * 4)
    doc = _synthetic("Årsredovisning 2024\nRäddningstjänsten Norrdal", body)
    meta = infer_metadata(doc)
    assert meta.organisation == "Räddningstjänsten Norrdal"
    assert meta.provenance["organisation"].confidence == HIGH


def test_the_year_of_the_paperwork_is_not_the_year_reported_on() -> None:
    """An audit office's report for 2024, printed as a council document of 2025."""
    title = "Kommunfullmäktige\nHandling 2025 nr 12\nRevisionens årsredogörelse för 2024\nStadsrevisionen"
    meta = infer_metadata(_synthetic(title, "Revisionen har under året granskat nämnderna."))
    assert (meta.report_type, meta.period_start, meta.period_end) == ("årsredogörelse", 202401, 202412)
    assert meta.organisation.endswith("Stadsrevisionen")


def test_a_date_on_the_title_page_is_not_the_period() -> None:
    title = "Delårsrapport\nVersion till kommunstyrelsen 2025-10-21\nper 31 augusti 2025\nÅlunda kommun"
    meta = infer_metadata(_synthetic(title, "Ålunda kommun redovisar ett överskott."))
    assert (meta.period_start, meta.period_end) == (202501, 202508)


def test_an_audit_summary_is_not_an_annual_report() -> None:
    title = "Rapportsammandrag\nGranskning av årsredovisning 2024\nÅlunda kommun"
    meta = infer_metadata(_synthetic(title, "Vi har granskat kommunens årsredovisning."))
    assert meta.report_type == "granskningsrapport"
    assert meta.period_end == 202412


@pytest.mark.parametrize(("title", "expected"), [
    ("Mål och budget 2026\nÅlunda kommun", "budget"),
    ("Verksamhetsplan 2026\nÅlunda kommun", "verksamhetsplan"),
    ("Årsbokslut 2024\nSocialnämnden\nÅlunda kommun", "årsbokslut"),
    ("Månadsuppföljning april 2025\nÅlunda kommun", "månadsrapport"),
    ("Verksamhetsberättelse 2024\nÅlunda kommun", "verksamhetsberättelse"),
])
def test_report_types_beyond_the_sample(title: str, expected: str) -> None:
    assert infer_metadata(_synthetic(title, "Ålunda kommun har en budget i balans.")).report_type == expected


def test_budget_in_the_body_does_not_make_a_report_a_budget() -> None:
    meta = infer_metadata(_synthetic("Rapport\nÅlunda kommun 2024", "Denna budget följs upp. Budget och utfall."))
    assert meta.report_type != "budget"


def test_a_publisher_named_in_the_genitive_and_by_its_web_domain() -> None:
    body = "Produktion: Tullverket\nInternet: www.tullverket.se\n\n" + "Region Norrdal och Region Söderdal samverkar. " * 5
    assert infer_metadata(_synthetic("Årsredovisning\n2019", body)).organisation == "Tullverket"
    meta = infer_metadata(_synthetic("Årsredovisning\n2019", "Region Norrdal. " * 5, meta={"Title": "Tullverkets årsredovisning 2019"}))
    assert meta.organisation == "Tullverket"


def test_a_nämnd_of_a_kommun_keeps_both() -> None:
    title = "Delårsrapport augusti 2024\nNämnden för Kultur & Fritid      Ålunda kommun"
    meta = infer_metadata(_synthetic(title, "Ålunda kommun. Nämnden har ett överskott."))
    assert meta.organisation == "Ålunda kommun, Nämnden för Kultur & Fritid"


def test_a_name_from_the_file_is_spelled_as_the_document_spells_it() -> None:
    """No Region/kommun/Stad phrase anywhere: the file name's place, in the document's spelling."""
    doc = _synthetic("Månadsuppföljning\nKommunstyrelsen", "I Härryda ökar befolkningen. Härryda växer.",
                     name="harryda-manadsuppfoljning-2025-04.pdf")
    meta = infer_metadata(doc)
    assert "Härryda" in meta.organisation and "Harryda" not in meta.organisation
    assert meta.provenance["organisation"].confidence == LOW
