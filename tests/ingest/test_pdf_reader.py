"""The PDF reader on the sample archive: pages, labels, furniture, sections, TOC, tables, text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from granska.ingest.reader import read_document
from granska.types import Block, ParsedDocument

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
NAMES = {
    "2018": "halland-regionkontoret-manadsrapport-2018-09.pdf",
    "2020-02": "halland-regionkontoret-manadsrapport-2020-02.pdf",
    "2020-10": "halland-regionkontoret-manadsrapport-2020-10.pdf",
    "ur2": "halland-regionkontoret-uppfoljningsrapport-2-2019-08.pdf",
    "varmland": "varmland-regionstyrelsen-delarsrapport-2021.pdf",
}


@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    return {key: read_document(SAMPLE / name) for key, name in NAMES.items()}


def text_blocks(doc: ParsedDocument) -> list[Block]:
    return [block for block in doc.blocks if block.kind == "text"]


def tables(doc: ParsedDocument) -> list[Block]:
    return [block for block in doc.blocks if block.kind == "table"]


def only_block(doc: ParsedDocument, needle: str) -> Block:
    found = [block for block in doc.blocks if needle in block.text]
    assert len(found) == 1, f"{needle!r} in {len(found)} blocks"
    return found[0]


def test_page_count_metadata_and_title(docs: dict[str, ParsedDocument]) -> None:
    doc = docs["2020-10"]
    assert doc.page_count == 13
    assert doc.pdf_metadata["Title"] == "Månadsrapport oktober 2020 – Regionkontoret"
    assert doc.pdf_metadata["Author"] == "Region Halland, Regionkontoret"
    assert "Subject" in doc.pdf_metadata
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in doc.pdf_metadata.items())
    assert doc.title_text.splitlines() == ["Region Halland", "Månadsrapport", "Regionkontoret", "Okt 2020"]
    assert docs["ur2"].page_count == 45


def test_block_page_label_and_section(docs: dict[str, ParsedDocument]) -> None:
    block = only_block(docs["2020-10"], "Prognosen är sedan augusti förbättrad med +4,5 mnkr, från + 78,2")
    assert block.kind == "text"
    assert (block.page, block.page_label) == (10, "10")
    assert block.section == "4 Ekonomi > 4.1 Prognos > 4.1.3 Prognosförändring sedan föregående rapport"


def test_every_page_label_is_the_printed_sida_number(docs: dict[str, ParsedDocument]) -> None:
    for doc in docs.values():
        for block in doc.blocks:
            if block.page > 1:
                assert block.page_label == str(block.page), (doc.path, block.page)


def test_running_headers_and_footers_are_removed(docs: dict[str, ParsedDocument]) -> None:
    for doc in docs.values():
        for block in doc.blocks:
            assert not re.search(r"Sida \d+ av \d+", block.text), block.text
            assert "Regionkontoret, Region Halland" not in block.text
            assert "Region Halland Månadsrapport oktober 2020 – Regionkontoret" not in block.text
            assert "Regionstyrelsen, Region Värmland" not in block.text


def test_table_of_contents_pages(docs: dict[str, ParsedDocument]) -> None:
    assert docs["2020-10"].toc_pages == [2]
    assert docs["ur2"].toc_pages == [2]
    assert docs["varmland"].toc_pages == [2]
    assert docs["2020-02"].toc_pages == []  # this report has no TOC: page 2 is content
    for doc in docs.values():
        assert not any(block.page in doc.toc_pages for block in doc.blocks)
        assert not any("......" in block.text for block in doc.blocks)
    assert any(block.page == 2 for block in docs["2020-02"].blocks)


def test_indicator_table_cells_as_printed(docs: dict[str, ParsedDocument]) -> None:
    matches = [t for t in tables(docs["2020-10"]) if t.rows and t.rows[0] == ["Indikator", "Årsprognos tkr", "Årsbudget tkr", "Avvikelse tkr"]]
    assert len(matches) == 1
    table = matches[0]
    assert ["Prognos budgetavvikelse", "82 700 tkr", "0 tkr", "82 700 tkr"] in table.rows
    assert (table.page, table.section) == (9, "4 Ekonomi > 4.1 Prognos > 4.1.1 Prognosindikator")
    assert table.caption == "4.1.1 Prognosindikator"
    assert table.text.splitlines()[0] == "Indikator | Årsprognos tkr | Årsbudget tkr | Avvikelse tkr"


def test_table_continued_over_a_page_break_keeps_its_header(docs: dict[str, ParsedDocument]) -> None:
    header = ["Uppdrag, belopp i mnkr", "Årsprognos", "Årsbudget", "Prognostiserad avvikelse mot budget"]
    pieces = [t for t in tables(docs["2020-10"]) if t.rows and t.rows[0] == header]
    assert [piece.page for piece in pieces] == [9, 10]
    assert ["Regionbidrag", "467,7", "467,7", "0,0"] in pieces[0].rows
    assert ["Total", "82,7", "0,0", "82,7"] in pieces[1].rows
    assert "Total | 82,7 | 0,0 | 82,7" in pieces[1].text
    assert pieces[0].caption == pieces[1].caption != ""
    assert pieces[1].section == pieces[0].section


def test_continued_table_without_repeated_header_gets_it(docs: dict[str, ParsedDocument]) -> None:
    # The "Investering (tkr)" table ends on page 12 with only its "Summa" row.
    pieces = [t for t in tables(docs["2020-10"]) if t.rows and t.rows[0][0] == "Investering (tkr)"]
    assert [piece.page for piece in pieces] == [11, 12]
    assert pieces[1].rows[1] == ["Summa", "14 548", "25 000", "46 750", "21 750"]


def test_table_text_is_not_repeated_in_text_blocks(docs: dict[str, ParsedDocument]) -> None:
    for needle in ("Regionbidrag 467,7", "82 700 tkr", "Personalomsättning 12,32%", "Total 82,7"):
        assert not any(needle in block.text for block in text_blocks(docs["2020-10"])), needle
    assert not any("135 092" in block.text for block in text_blocks(docs["varmland"]))


def test_cells_are_cleaned(docs: dict[str, ParsedDocument]) -> None:
    for doc in docs.values():
        for table in tables(doc):
            assert table.rows and all(len(row) == len(table.rows[0]) for row in table.rows)
            assert all(isinstance(cell, str) and "\n" not in cell for row in table.rows for cell in row)
    (group,) = [t for t in tables(docs["2020-10"]) if t.rows[0][:2] == ["Grupp", "Indikatorer"]]
    assert ["", "Sjukfrånvaro", "2,8%", "4,0%"] in group.rows  # None under a merged cell -> ""
    (year,) = [t for t in tables(docs["2018"]) if t.rows[0][0] == "Uppdrag"]
    assert ["RS drift av egna utvecklingsprojekt", "-0,4", "-0,5", "0,0", "0,0", "0,0"] in year.rows


def test_multi_line_and_deep_headings(docs: dict[str, ParsedDocument]) -> None:
    block = only_block(docs["2018"], "Efter 9 månader är årsprognosen -3,6 mnkr")
    assert block.section == "1 Periodens verksamhet, ekonomiskt resultat och årsprognos > 1.1 Sammanfattning"
    block = only_block(docs["varmland"], "Ökad samverkan leder till både effektivitets- och ekonomiska vinster")
    assert block.section.endswith("2.1.2 Effektivt genomförande > 2.1.2.1 Samverkan och samordning")
    assert block.section.startswith("2 Uppföljning av resultatmål > 2.1 Hållbar organisation")


def test_unnumbered_bold_heading_starts_a_subsection(docs: dict[str, ParsedDocument]) -> None:
    block = only_block(docs["2020-02"], "+6,3 Mnkr kopplat till vakanser")
    assert block.section == "4 Ekonomi > 4.2 Ekonomiskt resultat (ackumulerat) > Analys av resultatet"
    block = only_block(docs["varmland"], "Sedan lagstiftningen med barnkonventionen")
    assert block.section.endswith("3.2 Uppdrag enligt reglemente > Barnrätt")


def test_numbered_rows_and_years_are_not_headings(docs: dict[str, ParsedDocument]) -> None:
    parts = {part for doc in docs.values() for block in doc.blocks for part in block.section.split(" > ") if part}
    assert not any(re.match(r"\d{3,}", part) for part in parts), parts
    assert not any(part.startswith("51 ") for part in parts)
    numbered = [part for part in parts if part[0].isdigit()]
    assert numbered and all(re.match(r"^\d{1,2}(\.\d{1,2})* [A-ZÅÄÖ]", part) for part in numbered)


def test_paragraphs_bullets_and_numbers(docs: dict[str, ParsedDocument]) -> None:
    block = only_block(docs["2020-10"], "Budgeten för Regionkontorets avdelningar prognostiserar +33,2 mnkr varav")
    lines = block.text.splitlines()
    assert lines[0] == "Budgeten för Regionkontorets avdelningar prognostiserar +33,2 mnkr varav"
    assert lines[1] == "• +9,5 mnkr avser överskott på grund av vakanser och sjukskrivningar."
    # a wrapped bullet is one line, joined with a space
    assert any(line.startswith("• +5,0 mnkr i centrala anslag") and "strategisk kompetensförsörjning i väntan" in line for line in lines)
    assert "• -2,5 mnkr på grund av" in block.text
    assert only_block(docs["2020-10"], "budgeten för Hälso- och sjukvårdens Utvecklingsmedel som prognostiserar +50 mnkr")


def test_blocks_are_small_and_within_one_page_and_section(docs: dict[str, ParsedDocument]) -> None:
    for doc in docs.values():
        for block in text_blocks(doc):
            assert 0 < len(block.text) <= 1200
            assert block.text == block.text.strip()
        pages = [block.page for block in doc.blocks]
        assert pages == sorted(pages)
        assert all(1 <= page <= doc.page_count for page in pages)


TWO_COLUMNS = Path(__file__).parent / "fixtures" / "two-column-pages.pdf"  # two pages of an agency's annual report


def test_a_page_in_two_columns_reads_down_each_column():
    """pdfplumber clusters lines across the whole width; on a two-column page that interleaves
    the columns line by line. Each column must read as its own text, sentences whole."""
    from granska.ingest.reader import read_document

    text = " ".join(b.text for b in read_document(TWO_COLUMNS).blocks if b.page == 1)
    assert "att ett offentligt biträde tillvaratar den sökandes intressen genom att tillsammans med honom" in text
    assert "Migrationsöverdomstolens domar bildar praxis för Migrationsverkets beslutsfattande" in text
    # The left column's first section comes before the right column's headings.
    assert text.index("Arbetssätt") < text.index("Minskad total väntetid")


def test_a_table_page_is_not_taken_for_columns():
    """Figures on both sides of a gap are a table's columns, not text columns: rows stay whole."""
    import pdfplumber

    from granska.ingest.pdf import _read_page

    with pdfplumber.open(TWO_COLUMNS) as pdf:
        content = _read_page(pdf.pages[1], 2)
    assert {line.flow for line in content.lines} == {(0, 0)}


def test_a_space_lost_after_a_full_stop_or_comma_is_put_back():
    from granska.ingest.pdf import _LOST_SPACE_RE

    def fix(text: str) -> str:
        return _LOST_SPACE_RE.sub(lambda m: f"{m.group(0)} ", text)

    assert fix("under året.Antalet ökade") == "under året. Antalet ökade"
    assert fix("666 personer,vilket var") == "666 personer, vilket var"
    for kept in ("82,7 mnkr", "tabell 2.3.1", "www.migrationsverket.se", "t.ex. detta", "Region X,Y"):
        assert fix(kept) == kept
