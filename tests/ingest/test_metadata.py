"""Report metadata from the document itself: the seven known documents (PDF and text extract,
through pdfplumber and through the project's reader), plus synthetic title pages for the rules."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from granska.ingest.errors import IngestError
from granska.ingest.metadata import infer_metadata
from granska.ingest.periods import MONTHS, find_month_ranges, find_month_years, month_name, month_number, months_elapsed
from granska.types import Block, ParsedDocument, ReportMeta

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
from tests.conftest import REAL
from tests.conftest import TXT as CORPUS_TXT

HALLAND = "Region Halland, Regionkontoret"
EXPECTED: dict[str, tuple[str, str, int, int, str]] = {
    "halland-regionkontoret-manadsrapport-2018-09": (
        HALLAND, "månadsrapport", 201801, 201809,
        "Månadsrapport september 2018 – Region Halland, Regionkontoret"),
    "halland-regionkontoret-manadsrapport-2020-02": (
        HALLAND, "månadsrapport", 202001, 202002,
        "Månadsrapport februari 2020 – Region Halland, Regionkontoret"),
    "halland-regionkontoret-manadsrapport-2020-10": (
        HALLAND, "månadsrapport", 202001, 202010,
        "Månadsrapport oktober 2020 – Region Halland, Regionkontoret"),
    "halland-regionkontoret-uppfoljningsrapport-2-2019-08": (
        HALLAND, "uppföljningsrapport", 201901, 201908,
        "Uppföljningsrapport 2 augusti 2019 – Region Halland, Regionkontoret"),
    # The title page says only "Delårsrapport 2021"; the text says "Under perioden januari - augusti".
    "varmland-regionstyrelsen-delarsrapport-2021": (
        "Region Värmland, Regionstyrelsen", "delårsrapport", 202101, 202108,
        "Delårsrapport augusti 2021 – Region Värmland, Regionstyrelsen"),
    "goteborg-intraservice-delarsrapport-2026-03": (
        "Göteborgs Stad, Nämnden för Intraservice", "delårsrapport", 202601, 202603,
        "Delårsrapport mars 2026 – Göteborgs Stad, Nämnden för Intraservice"),
    # "Revisionsberättelse avseende Göteborgs Stads verksamheter under 2024" (Handling 2025 nr 68).
    "goteborg-revisionsberattelse-2024": (
        "Göteborgs Stad", "revisionsberättelse", 202401, 202412,
        "Revisionsberättelse 2024 – Göteborgs Stad"),
}

SAMPLE_PDFS = sorted(SAMPLE.glob("*.pdf"))
TXT_EXTRACTS = sorted(CORPUS_TXT.glob("*.txt"))
REAL_PDFS = sorted(REAL.glob("*.pdf"))
ALL_PDFS = SAMPLE_PDFS + REAL_PDFS


def check(meta: ReportMeta, stem: str) -> None:
    organisation, report_type, start, end, title = EXPECTED[stem]
    assert (meta.organisation, meta.report_type, meta.period_start, meta.period_end, meta.title) == (
        organisation, report_type, start, end, title)


@functools.cache
def _pdf_pages(path: Path) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    pdfplumber = pytest.importorskip("pdfplumber")
    with pdfplumber.open(path) as pdf:
        pages = tuple(page.extract_text() or "" for page in pdf.pages[:10])
        return pages, tuple((str(k), str(v)) for k, v in (pdf.metadata or {}).items())


def from_pdfplumber(path: Path, *, metadata: bool = True, name: str | None = None) -> ParsedDocument:
    """A ParsedDocument as the brief describes it: page 1 as title, a few pages as blocks."""
    pages, pairs = _pdf_pages(path)
    info = dict(pairs) if metadata else {}
    blocks = [Block("text", text, number) for number, text in enumerate(pages[1:], start=2)]
    return ParsedDocument(name or str(path), blocks, len(pages), title_text=pages[0], pdf_metadata=info)


def from_text(path: Path, *, name: str | None = None) -> ParsedDocument:
    """A text extract split into paragraphs: no title page, no PDF metadata."""
    paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return ParsedDocument(name or str(path), [Block("text", p, 1) for p in paragraphs], 1)


def test_every_expected_document_exists() -> None:
    stems = {p.stem for p in SAMPLE_PDFS + TXT_EXTRACTS}
    assert {s for s in EXPECTED if not s.startswith("goteborg")} <= stems
    if REAL.is_dir():
        assert {p.stem for p in REAL_PDFS} == {s for s in EXPECTED if s.startswith("goteborg")}


# --- the seven documents -----------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_PDFS, ids=lambda p: p.stem)
def test_pdf_with_its_metadata(path: Path) -> None:
    check(infer_metadata(from_pdfplumber(path)), path.stem)


@pytest.mark.parametrize("path", ALL_PDFS, ids=lambda p: p.stem)
def test_pdf_from_its_text_alone(path: Path) -> None:
    """No PDF metadata and a file name that says nothing: the pages must suffice."""
    doc = from_pdfplumber(path, metadata=False, name="/archive/rapport.pdf")
    check(infer_metadata(doc), path.stem)


@pytest.mark.parametrize("path", ALL_PDFS, ids=lambda p: p.stem)
def test_junk_pdf_metadata_is_ignored(path: Path) -> None:
    doc = from_pdfplumber(path, metadata=False)
    doc.pdf_metadata = {"Title": "Microsoft Word - slutversion_v3.docx", "Author": "Anna Andersson",
                        "Subject": ""}
    check(infer_metadata(doc), path.stem)


@pytest.mark.parametrize("path", TXT_EXTRACTS, ids=lambda p: p.stem)
def test_text_extract(path: Path) -> None:
    check(infer_metadata(from_text(path)), path.stem)


@pytest.mark.parametrize("path", TXT_EXTRACTS + ALL_PDFS, ids=lambda p: f"{p.stem}{p.suffix}")
def test_through_the_reader(path: Path) -> None:
    reader = pytest.importorskip("granska.ingest.reader")
    check(infer_metadata(reader.read_document(path)), path.stem)


def test_text_extracts_that_say_everything_need_no_file_name() -> None:
    """Only two extracts lean on their file name: 2018-09 never names its region and 2020-02
    has no title page nor the word "månadsrapport"; the others stand on their text."""
    for stem in ("halland-regionkontoret-manadsrapport-2020-10", "halland-regionkontoret-uppfoljningsrapport-2-2019-08",
                 "varmland-regionstyrelsen-delarsrapport-2021"):
        path = CORPUS_TXT / f"{stem}.txt"
        check(infer_metadata(from_text(path, name="/archive/rapport.txt")), stem)


# --- the rules, on synthetic title pages -------------------------------------------------


def doc(title: str, body: str = "", name: str = "/archive/rapport.pdf", **metadata: str) -> ParsedDocument:
    blocks = [Block("text", body, 2, section="1 Sammanfattning")] if body else []
    return ParsedDocument(name, blocks, 2, title_text=title, pdf_metadata=dict(metadata))


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("Region Skåne\nMånadsrapport\nHälso- och sjukvårdsnämnden\nJan–feb 2022", "",
         ("Region Skåne, Hälso- och sjukvårdsnämnden", "månadsrapport", 202201, 202202,
          "Månadsrapport februari 2022 – Region Skåne, Hälso- och sjukvårdsnämnden")),
        ("Månadsrapport sept 2019\nKommunstyrelsen", "Lunds kommun redovisar. Lunds kommuns resultat.",
         ("Lunds kommun, Kommunstyrelsen", "månadsrapport", 201901, 201909,
          "Månadsrapport september 2019 – Lunds kommun, Kommunstyrelsen")),
        ("Delårsrapport januari–juni 2022\nSocialnämnden", "Varje kommun ska ... Malmö stad har ... Malmö stad.",
         ("Malmö stad, Socialnämnden", "delårsrapport", 202201, 202206,
          "Delårsrapport juni 2022 – Malmö stad, Socialnämnden")),
        ("Delårsrapport 2023\nRegionstyrelsen", "Region Örebro län redovisar ett resultat efter åtta månader.",
         ("Region Örebro län, Regionstyrelsen", "delårsrapport", 202301, 202308,
          "Delårsrapport augusti 2023 – Region Örebro län, Regionstyrelsen")),
        ("Delårsrapport 2023\nRegionstyrelsen", "Region Örebro län redovisar.",  # no month anywhere
         ("Region Örebro län, Regionstyrelsen", "delårsrapport", 202301, 202308,
          "Delårsrapport augusti 2023 – Region Örebro län, Regionstyrelsen")),
        ("Delårsrapport per april 2024\nUtbildningsförvaltningen", "Göteborgs Stads resultat ... Göteborgs kommun",
         ("Göteborgs Stad, Utbildningsförvaltningen", "delårsrapport", 202401, 202404,
          "Delårsrapport april 2024 – Göteborgs Stad, Utbildningsförvaltningen")),
        ("Årsredovisning 2022\nVästra Götalandsregionen", "",
         ("Västra Götalandsregionen", "årsredovisning", 202201, 202212,
          "Årsredovisning 2022 – Västra Götalandsregionen")),
        ("Verksamhetsberättelse för 2021\nKulturnämnden\nStockholms stad", "",
         ("Stockholms stad, Kulturnämnden", "verksamhetsberättelse", 202101, 202112,
          "Verksamhetsberättelse 2021 – Stockholms stad, Kulturnämnden")),
        ("Uppföljningsrapport 1\napril 2019\nRegionkontoret\nRegion Halland", "",
         (HALLAND, "uppföljningsrapport", 201901, 201904,
          "Uppföljningsrapport 1 april 2019 – Region Halland, Regionkontoret")),
        ("Kommunfullmäktige\nHandling 2021 nr 12\nÅrsredovisning för Umeå kommun 2020", "",
         ("Umeå kommun", "årsredovisning", 202001, 202012, "Årsredovisning 2020 – Umeå kommun")),
        ("Delårsrapport 2021\nFastställd av regionstyrelsen 28 oktober 2021\nRegion Kronoberg", "",
         ("Region Kronoberg", "delårsrapport", 202101, 202108,
          "Delårsrapport augusti 2021 – Region Kronoberg")),
        ("Månadsrapport 2020-10\nSocialförvaltningen\nDatum: 2020-11-16", "Uppsala kommun.",
         ("Uppsala kommun, Socialförvaltningen", "månadsrapport", 202001, 202010,
          "Månadsrapport oktober 2020 – Uppsala kommun, Socialförvaltningen")),
    ],
)
def test_rules(title: str, body: str, expected: tuple[str, str, int, int, str]) -> None:
    meta = infer_metadata(doc(title, body))
    assert (meta.organisation, meta.report_type, meta.period_start, meta.period_end, meta.title) == expected


def test_a_range_in_passing_does_not_change_the_start() -> None:
    meta = infer_metadata(doc("Månadsrapport\nRegionkontoret\nAugusti 2019",
                              "Förskrivningen (jan-juli) ökade. Region Halland."))
    assert (meta.period_start, meta.period_end) == (201901, 201908)


def test_pdf_metadata_fills_what_the_title_page_lacks() -> None:
    meta = infer_metadata(doc("Delårsrapport 2021", "", Title="Delårsrapport 2021 – Regionstyrelsen",
                              Author="Region Värmland, Regionstyrelsen",
                              Subject="Delårsrapport januari–augusti 2021 för Regionstyrelsen"))
    assert (meta.organisation, meta.period_start, meta.period_end) == (
        "Region Värmland, Regionstyrelsen", 202101, 202108)
    meta = infer_metadata(doc("", "", Title="Uppföljningsrapport 2 augusti 2019 – Regionkontoret",
                              Author="Region Halland, Regionkontoret"))
    assert (meta.organisation, meta.report_type, meta.period_start, meta.period_end) == (
        HALLAND, "uppföljningsrapport", 201901, 201908)


def test_file_name_is_the_last_resort() -> None:
    meta = infer_metadata(doc("", "Inget här säger vad det är.", name="/a/halland-regionkontoret-manadsrapport-2020-02.pdf"))
    assert (meta.report_type, meta.period_start, meta.period_end) == ("månadsrapport", 202001, 202002)
    # A file name folds å/ä/ö away, so a place the document never prints is not made its name:
    # the file's stem stands, marked as unsure, for the user to correct.
    assert meta.organisation == "halland-regionkontoret-manadsrapport-2020-02"
    assert meta.provenance["organisation"].confidence == "låg"
    spelled = infer_metadata(doc("", "Hallands befolkning växer.", name="/a/halland-manadsrapport-2020-02.pdf"))
    assert spelled.organisation == "Halland"


def test_unknown_type_falls_back_to_rapport() -> None:
    meta = infer_metadata(doc("Lägesbild oktober 2021\nRegion Gotland", ""))
    assert (meta.report_type, meta.organisation, meta.period_end) == ("rapport", "Region Gotland", 202110)


def test_no_year_anywhere_is_an_ingest_error() -> None:
    with pytest.raises(IngestError):
        infer_metadata(doc("Lägesbild", "Inga årtal alls."))


# --- the month lexicon, reused by question understanding ---------------------------------


@pytest.mark.parametrize(("word", "month"), [("januari", 1), ("jan", 1), ("Jan.", 1), ("okt", 10),
                                             ("Okt", 10), ("sept", 9), ("sep", 9), ("mars", 3),
                                             ("maj", 5), ("december", 12)])
def test_months(word: str, month: int) -> None:
    assert month_number(word) == month
    assert MONTHS.get(word.lower().rstrip(".")) == month


def test_month_helpers() -> None:
    assert month_name(10) == "oktober"
    assert [(m.start_month, m.end_month, m.year) for m in find_month_ranges("jan–feb 2020 och maj t.o.m. augusti")] == [
        (1, 2, 2020), (5, 8, None)]
    assert [(m.end_month, m.year) for m in find_month_years("Okt 2020, 2020-10 men inte 2020-10-31")] == [
        (10, 2020), (10, 2020)]
    assert [n for _, n in months_elapsed("Efter 9 månader ... efter åtta månader")] == [9, 8]
