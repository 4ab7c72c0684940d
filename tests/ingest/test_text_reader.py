"""The text-extract reader (.txt/.md) on the corpus extracts and on small generated files."""

from __future__ import annotations

from pathlib import Path

import pytest

from granska.ingest.errors import IngestError
from granska.ingest.reader import read_document
from granska.types import Block, ParsedDocument

from tests.conftest import TXT
NAMES = {
    "2018": "halland-regionkontoret-manadsrapport-2018-09.txt",
    "2020-02": "halland-regionkontoret-manadsrapport-2020-02.txt",
    "2020-10": "halland-regionkontoret-manadsrapport-2020-10.txt",
    "ur2": "halland-regionkontoret-uppfoljningsrapport-2-2019-08.txt",
    "varmland": "varmland-regionstyrelsen-delarsrapport-2021.txt",
}

@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    return {key: read_document(TXT / name) for key, name in NAMES.items()}


def only_block(doc: ParsedDocument, needle: str) -> Block:
    found = [block for block in doc.blocks if needle in block.text]
    assert len(found) == 1, f"{needle!r} in {len(found)} blocks"
    return found[0]


def test_sections_from_numbered_headings(docs: dict[str, ParsedDocument]) -> None:
    block = only_block(docs["2020-10"], "Prognosen är sedan augusti förbättrad med +4,5 mnkr, från")
    assert block.section == "4 Ekonomi > 4.1 Prognos > 4.1.3 Prognosförändring sedan föregående rapport"
    assert (block.page, block.page_label) == (1, None)
    # a heading right after a text line (no blank line) still closes the paragraph before it
    block = only_block(docs["2020-02"], "Totalt 20,1 0,0 20,1 13,6")
    assert block.section.endswith("4.2.1 Resultaträkning")
    block = only_block(docs["ur2"], "Bredbandsutbyggnaden i Halland fortgår")
    assert block.section.endswith("2.1.1 Hög attraktivitet > 2.1.1.5 Digitalisering för hållbar och attraktiv samhällsutveckling")


def test_tab_separated_tables(docs: dict[str, ParsedDocument]) -> None:
    tables = [block for block in docs["2018"].blocks if block.kind == "table"]
    (indicator,) = [t for t in tables if t.rows[0] == ["Indikator", "Ack resultat", "Ack budget", "Ack avvikelse"]]
    assert indicator.rows[1] == ["Resultat jämfört med budget, ackumulerat", "23,2", "0,1", "23,1"]
    assert indicator.caption == "Under avsnitt 1.2 finns mer detaljerade siffror per uppdrag."
    (varm,) = [t for t in docs["varmland"].blocks if t.kind == "table" and ["TOTALT", "1 143 942", "1 088 251", "-55 691", "1 652 222", "1 771 318", "-119 097"] in t.rows]
    assert varm.section == "2 Uppföljning av resultatmål > 2.1 Hållbar organisation - Ekonomi i balans"
    assert not any("1 143 942" in block.text for block in docs["varmland"].blocks if block.kind == "text")


def test_markup_and_toc_are_removed(docs: dict[str, ParsedDocument]) -> None:
    for doc in docs.values():
        for block in doc.blocks:
            cells = " ".join(cell for row in block.rows or [] for cell in row)
            for text in (block.text, cells, block.section, block.caption):
                for markup in ("<p>", "</p>", "<b>", "</b>", "<i>", "**", "\t", "....."):
                    assert markup not in text, (doc.path, markup, text[:200])
            assert "Innehållsförteckning" not in block.text
            assert not block.text.startswith("#")
    assert docs["ur2"].title_text.splitlines()[2:4] == ["Uppföljningsrapport 2", "Augusti 2019"]


def test_wrapped_lines_hyphens_and_bullets(docs: dict[str, ParsedDocument]) -> None:
    block = only_block(docs["2020-02"], "Regionkontoret arbetar för att hålla ihop - och utveckla")
    assert "Region Hallands kärnprocesser kring ekonomi" in block.text  # wrapped line joined with a space
    block = only_block(docs["2020-02"], "Utöver det administrativa stödet")
    assert "på hälso- och sjukvårdsavdelningen" in block.text  # "hälso-" + "och" keeps the hyphen
    block = only_block(docs["2020-02"], "+3,2 mnkr avser vakanser")
    assert "\uf0b7" not in block.text and "• +3,2 mnkr avser vakanser." in block.text.splitlines()


def test_form_feed_pages_labels_and_running_lines(tmp_path: Path) -> None:
    pages = [
        "Rapport X – Förvaltningen\n1 Inledning\nDetta är kompetens-\nförsörjning i Hälso-\noch sjukvården.\nSida 1 av 3",
        "Rapport X – Förvaltningen\nInnehållsförteckning\n1 Inledning ........ 1\n2 Ekonomi ........ 3\nSida 2 av 3",
        "Rapport X – Förvaltningen\n2 Ekonomi\nPost\tUtfall\tBudget\nLöner\t-2,5\t−3,0\n\nResultatet är +82,7 mnkr.\nSida 3 av 3",
    ]
    path = tmp_path / "rapport.txt"
    path.write_text("\f".join(pages), encoding="utf-8")
    doc = read_document(path)
    assert doc.page_count == 3
    assert doc.toc_pages == [2]
    assert all("Rapport X" not in block.text and "Sida" not in block.text for block in doc.blocks)
    first = doc.blocks[0]
    assert (first.page, first.page_label, first.section) == (1, "1", "1 Inledning")
    assert first.text == "Detta är kompetensförsörjning i Hälso- och sjukvården."
    (table,) = [block for block in doc.blocks if block.kind == "table"]
    assert table.rows == [["Post", "Utfall", "Budget"], ["Löner", "-2,5", "−3,0"]]
    assert (table.page, table.page_label, table.section, table.caption) == (3, "3", "2 Ekonomi", "2 Ekonomi")
    assert doc.blocks[-1].text == "Resultatet är +82,7 mnkr."


def test_markdown_headings_and_html(tmp_path: Path) -> None:
    path = tmp_path / "rapport.md"
    path.write_text(
        "# Månadsrapport mars\n\n## 3 Medarbetare\n\n<p>Sjukfrånvaron är <b>2,2%</b>.</p>\n\n"
        "**Analys**\n\nText om analysen\nsom fortsätter här.\n\n2020 tillsammans med andra.\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert [(block.section, block.text) for block in doc.blocks] == [
        ("3 Medarbetare", "Sjukfrånvaron är 2,2%."),
        ("3 Medarbetare > Analys", "Text om analysen som fortsätter här.\n2020 tillsammans med andra."),
    ]


def test_empty_or_binary_text_is_rejected(tmp_path: Path) -> None:
    empty = tmp_path / "tom.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(IngestError, match="tom"):
        read_document(empty)
    binary = tmp_path / "bild.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(IngestError, match="binär"):
        read_document(binary)


def test_markdown_pipe_tables_page_comments_and_note_columns(tmp_path):
    """A converter's markdown: page comments are pages with their printed numbers, pipe tables are
    tables (stacked header rows joined per column, a note-reference column left out), links keep
    their text."""
    from granska.ingest.text import read_text

    md = tmp_path / "rapport.md"
    md.write_text(
        "<!-- sida 8 -->\n\nSärredovisning 2024\n\nNämnden för Ekonomi      Ålunda kommun\n\n"
        "<!-- sida 9 -->\n\nNämnden för Ekonomi      Ålunda kommun\n\n## 1 Drift\n\nUtfallet blev bra.\n\n"
        "[Tabell 9-1](tabeller/9-1.csv)\n\n"
        "| Miljoner kronor | N<br>ot | Bokslut | Bokslut |\n| | | 2023 | 2024 |\n| --- | --- | --- | --- |\n"
        "| Verksamhetens intäkter | 1 | 205,2 | 224,1 |\n|  |  |  |  |\n| Verksamhetens kostnader | 2 | -213,3 | -234,4 |\n\n"
        "<!-- sida 10 -->\n\nNämnden för Ekonomi      Ålunda kommun\n\nSlut.\n",
        encoding="utf-8",
    )
    doc = read_text(md)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1
    assert tables[0].rows == [["Miljoner kronor", "Bokslut 2023", "Bokslut 2024"],
                              ["Verksamhetens intäkter", "205,2", "224,1"],
                              ["Verksamhetens kostnader", "-213,3", "-234,4"]]
    assert tables[0].caption == "Tabell 9-1" and tables[0].page_label == "9"
    text = " ".join(b.text for b in doc.blocks)
    assert "<!--" not in text and "](" not in text
    inside = " ".join(b.text for b in doc.blocks if b.page > 1)
    assert "Ålunda kommun" not in inside  # the running header is furniture, kept for metadata only
    assert doc.furniture == ["Nämnden för Ekonomi Ålunda kommun"]
    assert doc.page_count == 3


def test_a_table_without_a_header_row_keeps_its_first_row():
    """A table continued on the next page (or whose header a converter collapsed into one cell)
    starts with a row of figures: it takes the previous table's header, or none, but its figures
    never become column names."""
    from granska.ingest.structure import BlockBuilder
    from granska.ingest.tables import is_figure_row

    assert is_figure_row(["Kassa och bank", "379,0", "425,9", "264,0"])
    assert not is_figure_row(["Miljoner kronor", "Bokslut 2023", "2024", "Prognos"])
    builder = BlockBuilder()
    builder.table([["Tillgångar", "2023", "2024"], ["Mark", "1621,9", "1793,9"]], "Balansräkning", 3, "3")
    builder.table([["Kassa och bank", "72,6", "67,0"], ["Summa", "1799,4", "2081,6"]], "", 4, "4")
    builder.table([["Låneskuld", "1 550", "1 450", "1 300"], ["Ränta", "0,55", "0,54", "0,71"]], "Låneskuld", 5, "5")
    first, continued, lone = [b for b in builder.finish() if b.kind == "table"]
    assert continued.rows[0] == ["Tillgångar", "2023", "2024"] and continued.rows[1][0] == "Kassa och bank"
    assert continued.caption == "Balansräkning"
    assert lone.rows[0] == ["", "", "", ""] and lone.rows[1][0] == "Låneskuld"


def test_a_header_collapsed_into_the_first_cell_is_spread_over_its_columns(tmp_path):
    """Some converters write a table's header as one first cell (its printed lines joined by
    <br>, every other cell empty). Where every line names every column it is spread back; where
    a line names only some columns the header stays empty rather than guessed. Group rows keep
    their empty cells (trailing tabs), a date over two lines is one date."""
    from granska.ingest.chunk import chunk_document
    from granska.ingest.text import read_text
    from granska.types import ReportMeta

    md = tmp_path / "rapport.md"
    md.write_text(
        "## Drift\n\n"
        "| Miljoner kronor Utfall jan-jun Utfall jan-jun<br>2023 2024 |  |  |\n| --- | --- | --- |\n"
        "| Nämnd A | -3,7 | -2,6 |\n| Nämnd B | -196,2 | -180,7 |\n\n"
        "| Miljoner kronor Utfall jan-jun Utfall jan-jun Budget<br>2023 2024 2024 |  |  |  |\n| --- | --- | --- | --- |\n"
        "| Nämnd A | -3,7 | -2,6 | -5,2 |\n| Nämnd B | -196,2 | -180,7 | -285,7 |\n\n"
        "## Investeringar\n\n"
        "| Miljoner kronor Delår Delår Budget Avvikelse<br>2023 2024 2024 |  |  |  |  |\n| --- | --- | --- | --- | --- |\n"
        "| Inkomster | 20,9 | 26,7 | 125,5 | -55,0 |\n| Utgifter | 1,0 | 2,0 | 3,0 | 4,0 |\n\n"
        "## Balans\n\n"
        "| Miljoner kronor | Kommunen |  |\n| --- | --- | --- |\n|  | 2023-08-<br>31 | Aug 2024 |\n"
        "| TILLGÅNGAR |  |  |\n| Anläggningstillgångar |  |  |\n| Mark | 1,0 | 2,0 |\n"
        "| Summa anläggningstillgångar | 1,0 | 2,0 |\n| Omsättningstillgångar |  |  |\n| Kassa | 3,0 | 4,0 |\n",
        encoding="utf-8",
    )
    doc = read_text(md)
    drift, mixed, investments, balance = [b for b in doc.blocks if b.kind == "table"]
    assert drift.rows[0] == ["Miljoner kronor", "Utfall jan-jun 2023", "Utfall jan-jun 2024"]
    assert mixed.rows[0][1:] == ["", "", ""]  # two words over some columns, one over another: not guessed
    assert investments.rows[0] == ["Miljoner kronor Delår Delår Budget Avvikelse 2023 2024 2024", "", "", "", ""]
    meta = ReportMeta(organisation="Ålunda kommun", report_type="delårsrapport", period_start=202401, period_end=202408)
    rows = [r for c in chunk_document(doc, meta, doc_id="0" * 64, document="rapport.md") for r in c.rows]
    kassa = next(r for r in rows if r.label_path[-1] == "Kassa")
    assert kassa.label_path == ["TILLGÅNGAR", "Omsättningstillgångar", "Kassa"]
    assert kassa.headers == ["Kommunen > 2023-08-31", "Kommunen > Aug 2024"]
    inkomster = next(r for r in rows if r.label_path[-1] == "Inkomster")
    assert inkomster.headers == ["", "", "", ""] and inkomster.cells == ["20,9", "26,7", "125,5", "-55,0"]


def test_a_running_header_a_converter_moved_into_the_page_is_furniture(tmp_path):
    """A converter that keeps a PDF page's running header as a spaced line wherever it fell
    (under the page's first heading, or mid-page) still repeats it with only the page number
    changing: it is furniture, not a passage. A heading that recurs with its own number ("Mål 2")
    and a table's caption are not."""
    from granska.ingest.text import read_text

    pages = []
    for n, topic in zip(range(3, 8), ["Ekonomi", "Personal", "Investeringar", "Miljö", "Framtid"], strict=True):
        pages.append(
            f"<!-- sida {n} -->\n\n## {n} {topic}\n\nMål {n}\n\nAvsnittet om {topic.lower()} börjar här.\n\n"
            f"Ålunda kommun          Delårsbokslut 2024                  {n}\n\n"
            f"Tabell {n}-1\n\n| Post | 2024 |\n| --- | --- |\n| Intäkter | {n},0 |\n| Kostnader | -{n},5 |\n\n"
            f"Så slutar avsnittet om {topic.lower()}.\n"
        )
    md = tmp_path / "rapport.md"
    md.write_text("\n".join(pages), encoding="utf-8")
    doc = read_text(md)
    text = "\n".join(b.text for b in doc.blocks)
    assert "Delårsbokslut 2024" not in text
    assert doc.furniture == ["Ålunda kommun Delårsbokslut 2024 3"]
    assert "Mål 5" in text
    assert [b.caption for b in doc.blocks if b.kind == "table"] == [f"Tabell {n}-1" for n in range(3, 8)]


def test_a_first_body_row_a_converter_put_inside_the_header_cells_is_split_off(tmp_path):
    """Some converters write the first body row as each header cell's last line ("Bokslut<br>
    2023<br>-0,8"). A figure is never a header's last line, so the row is split off: its label is
    the label cell's last wrapped line (with lines that continue it), the lines above it are the
    label column's header. Where any column's last line is no figure, nothing is split."""
    from granska.ingest.text import read_text

    md = tmp_path / "rapport.md"
    md.write_text(
        "## Drift\n\n"
        "| Miljoner kronor<br>Nämnden för Kultur<br>& Fritid | Bokslut<br>2023<br>-0,8 | Budget-<br>avvikelse<br>-0,1 |\n"
        "| --- | --- | --- |\n| Periodens<br>resultat | -0,8 | -0,1 |\n\n"
        "## Noter\n\n"
        "| Intäkter (mkr)<br>Avgifter | År 2023<br>171,6 | År 2024<br>184,4 |\n| --- | --- | --- |\n"
        "| Övriga intäkter | 10,7 | 6,5 |\n\n"
        "| Miljoner kronor<br>Nämnd A | Bokslut<br>2023 | Budget<br>2024 |\n| --- | --- | --- |\n| Nämnd B | 1,0 | 2,0 |\n",
        encoding="utf-8",
    )
    merged, notes, plain = [b for b in read_text(md).blocks if b.kind == "table"]
    assert merged.rows[:2] == [["Miljoner kronor", "Bokslut 2023", "Budgetavvikelse"],
                               ["Nämnden för Kultur & Fritid", "-0,8", "-0,1"]]
    assert merged.rows[2] == ["Periodens resultat", "-0,8", "-0,1"]
    assert notes.rows[:2] == [["Intäkter (mkr)", "År 2023", "År 2024"], ["Avgifter", "171,6", "184,4"]]
    assert plain.rows[0] == ["Miljoner kronor Nämnd A", "Bokslut 2023", "Budget 2024"]


def test_a_table_continued_on_the_next_page_keeps_its_header_and_open_groups(tmp_path):
    """A balance sheet cut by a page break: the rows on the next page (no header, a note column
    whose group heading cites a note with no amounts beside it) take the header of the page before
    and sit under the group still open there, as a reader who turned the page reads them."""
    from granska.ingest.chunk import chunk_document
    from granska.ingest.text import read_text
    from granska.types import ReportMeta

    md = tmp_path / "rapport.md"
    md.write_text(
        "## Balansräkning\n\n"
        "| Miljoner kronor | Not | År 2023 | År 2024 |\n| --- | --- | --- | --- |\n"
        "| Anläggningstillgångar |  |  |  |\n| Mark | 2 | 1621,9 | 1793,9 |\n"
        "| Omsättningstillgångar |  |  |  |\n| Kundfordringar |  | 38,0 | 37,9 |\n\n"
        "<!-- sida 2 -->\n\n"
        "| Summa omsättningstillgångar | 3 | 72,6 | 67,0 |\n| --- | --- | --- | --- |\n"
        "| Eget kapital | 4 |  |  |\n| Årets resultat |  | -8,1 | -10,3 |\n",
        encoding="utf-8",
    )
    doc = read_text(md)
    meta = ReportMeta(organisation="Ålunda kommun", report_type="årsredovisning", period_start=202401, period_end=202412)
    rows = {tuple(r.label_path): r for c in chunk_document(doc, meta, doc_id="0" * 64, document="rapport.md") for r in c.rows}
    summa = rows[("Omsättningstillgångar", "Summa omsättningstillgångar")]
    assert summa.headers == ["År 2023", "År 2024"] and summa.cells == ["72,6", "67,0"]
    assert rows[("Eget kapital", "Årets resultat")].cells == ["-8,1", "-10,3"]


def test_a_running_header_of_two_lines_is_furniture_and_still_dates_the_report(tmp_path):
    """A running header of the publisher's line over the report's title line ("Ålunda kommun" /
    "Delårsrapport augusti 2024") is furniture line by line from the page's edge, as in a PDF;
    body text that only happens to follow it is kept. When the title page's title is that same
    header line, the period is still read from the header."""
    from granska.ingest.metadata import infer_metadata
    from granska.ingest.text import read_text

    pages = ["<!-- sida 1 -->\n\nDelårsrapport         augusti      2024\n\nNämnden för Teknik\n"]
    for n, topic in zip(range(2, 7), ["Ekonomi", "Personal", "Investeringar", "Miljö", "Framtid"], strict=True):
        pages.append(
            f"<!-- sida {n} -->\n\nNämnden för Teknik                   Ålunda kommun\nDelårsrapport augusti 2024\n\n"
            f"## {n} {topic}\n\nAvsnittet om {topic.lower()} börjar här med 2020 som jämförelseår.\n\n{n}\n"
        )
    md = tmp_path / "rapport.md"
    md.write_text("\n".join(pages), encoding="utf-8")
    doc = read_text(md)
    text = "\n".join(b.text for b in doc.blocks)
    assert "Delårsrapport augusti 2024" not in text and "Ålunda kommun" not in text
    assert "Avsnittet om personal börjar här med 2020 som jämförelseår." in text
    assert set(doc.furniture) >= {"Nämnden för Teknik Ålunda kommun", "Delårsrapport augusti 2024"}
    meta = infer_metadata(doc)
    assert (meta.period_start, meta.period_end) == (202401, 202408)


def test_a_collapsed_header_stacked_deeper_on_its_last_columns_is_spread_over_them(tmp_path):
    """A converter that writes a table's whole header into its first cell, the header printed
    to different depths (years one line deep, "Prognos 2024" two): the label's line names the
    first columns, the lines above and below it the deeper last ones. A label wrapped under a
    one-line header stays the label; a shape that does not fit (a deeper line naming some of the
    deep columns only, or years out of order) is left collapsed rather than guessed."""
    from granska.ingest.text import read_text

    md = tmp_path / "rapport.md"
    md.write_text(
        "# Finansiering\n\n"
        "| Prognos Augusti<br>Låneskuld, miljoner kronor 2020 2021 2022<br>2024 2024 |  |  |  |  |  |\n"
        "| --- | --- | --- | --- | --- | --- |\n| Genomsnittlig ränta (%) | 0,55 | 0,54 | 0,71 | 1,57 | 1,35 |\n\n"
        "| Pensioner, miljoner 2023 Prognos 2024<br>kronor |  |  |\n| --- | --- | --- |\n| Pensionskostnad | 524 | 630 |\n\n"
        "| Utfall Utfall<br>Prognos till till<br>Resultat, miljoner kronor 2021 2022<br>2024 augusti augusti<br>2023 2024"
        " |  |  |  |  |  |\n| --- | --- | --- | --- | --- | --- |\n| Kommunen | 1 | 2 | 3 | 4 | 5 |\n\n"
        "| Prognos<br>Miljoner kronor 2024 2023<br>2025 |  |  |  |\n| --- | --- | --- | --- |\n| Intäkter | 1 | 2 | 3 |\n",
        encoding="utf-8",
    )
    loans, pensions, partial, unordered = [b for b in read_text(md).blocks if b.kind == "table"]
    assert loans.rows[0] == ["Låneskuld, miljoner kronor", "2020", "2021", "2022", "Prognos 2024", "Augusti 2024"]
    assert loans.rows[1][4] == "1,57"
    assert pensions.rows[0] == ["Pensioner, miljoner kronor", "2023", "Prognos 2024"]
    assert partial.rows[0][1:] == ["", "", "", "", ""]
    assert unordered.rows[0][1:] == ["", "", ""]
