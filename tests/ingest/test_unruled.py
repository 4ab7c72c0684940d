"""Tables set without rules, read from their words' positions (ingest/unruled.py), on a made-up
page (tests/ingest/fixtures/alunda-unruled-table.pdf; make_unruled_table.py makes it)."""

from __future__ import annotations

from pathlib import Path

from granska.ingest.chunk import chunk_document
from granska.ingest.metadata import infer_metadata
from granska.ingest.reader import read_document

PDF = Path(__file__).parent / "fixtures" / "alunda-unruled-table.pdf"


def test_an_unruled_table_is_read_as_a_table_with_its_header_lines_and_group_rows() -> None:
    doc = read_document(PDF)
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.rows[:3] == [["", "Utfall", "Utfall", "Budget"], ["", "2024", "2023", "2024"],
                              ["Verksamhetens intäkter", "", "", ""]]
    assert ["Bidrag", "4 210", "3 998", "–"] in table.rows  # a dash keeps its column
    assert ["Personalkostnader", "-9 870", "-9 456", "-10 100"] in table.rows
    assert table.rows[-1] == ["Årets resultat", "5 481", "4 412", "600"]
    prose = " ".join(b.text for b in doc.blocks if b.kind == "text")
    assert "ökade med 12 procent" in prose and "5 481 tkr, vilket är 4 881 tkr bättre" in prose  # prose stays prose
    assert "Personalkostnader" not in prose


def test_its_rows_reach_the_chunks_typed_with_header_and_label_paths() -> None:
    doc = read_document(PDF)
    chunks = chunk_document(doc, infer_metadata(doc), doc_id="0" * 64, document=PDF.name)
    rows = [r for c in chunks for r in c.rows]
    staff = next(r for r in rows if r.label_path[-1] == "Personalkostnader")
    assert staff.label_path == ["Verksamhetens kostnader", "Personalkostnader"]
    # "Utfall" over "2024" in one column, spanning nothing: one header wrapped over two lines
    assert staff.headers == ["Utfall 2024", "Utfall 2023", "Budget 2024"]
    assert staff.figures[0] is not None and staff.figures[0].value == -9_870_000  # tkr from the caption


BALANCE = Path(__file__).parent / "fixtures" / "alunda-unruled-balance.pdf"


def test_a_balance_sheet_between_two_rules_with_notes_footnote_marks_and_wrapped_labels() -> None:
    """tests/ingest/fixtures/make_unruled_balance.py: the rules above and below the table make
    pdfplumber see a grid whose cells hold none of the labels, so the page is read by position;
    the note column goes, the header's superscript "1)" is no part of the year, a group heading
    with a note number and one a blank line lower still head their rows, a row with one empty
    cell keeps its column, a wrapped label is one label, and the footnote stays text."""
    doc = read_document(BALANCE)
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert table.rows[0] == ["Belopp i tkr", "2024", "2023"]
    assert ["Pågående nyanläggningar", "272", ""] in table.rows
    assert ["Intäkter av avgifter som inte disponeras av myndigheten", "55 530", "38 112"] in table.rows
    assert table.rows[-1] == ["Summa fordringar", "55 561", "40 739"]
    chunks = chunk_document(doc, infer_metadata(doc), doc_id="0" * 64, document=BALANCE.name)
    rows = {r.label_path[-1]: r for c in chunks for r in c.rows}
    assert rows["Maskiner och inventarier"].label_path == ["TILLGÅNGAR", "Materiella anläggningstillgångar", "Maskiner och inventarier"]
    assert rows["Kundfordringar"].label_path == ["TILLGÅNGAR", "Fordringar", "Kundfordringar"]
    assert rows["Kundfordringar"].headers == ["2024", "2023"]
    prose = " ".join(b.text for b in doc.blocks if b.kind == "text")
    assert "Jämförelsetalen för 2023" in prose


ROTATED = Path(__file__).parent / "fixtures" / "alunda-rotated-table.pdf"


def test_a_landscape_table_on_a_portrait_page_is_read_upright_with_its_wrapped_header() -> None:
    """Every glyph of the page is set at a quarter turn: read as it is, each line comes out one
    letter at a time; turned upright, it is a table whose header is wrapped over three lines,
    whose labels hold item numbers set apart by tabs, and whose note column is not an amount."""
    doc = read_document(ROTATED)
    (table,) = [b for b in doc.blocks if b.kind == "table"]
    assert ["3:1 ap 2 Badhus (ram)", "1 200", "14 000", "", "15 200", "1 900"] in table.rows  # note 12 left out
    chunks = chunk_document(doc, infer_metadata(doc), doc_id="0" * 64, document=ROTATED.name)
    rows = {r.label_path[-1]: r for c in chunks for r in c.rows}
    halls = rows["3:1 ap 4 Idrottshallar (ram)"]
    assert halls.label_path == ["UTGIFTSOMRÅDE 7 Ålunda och omnejd", "3 FRITID", "3:1 Ålunda fritid (ram)",
                                "3:1 ap 4 Idrottshallar (ram)"]
    assert halls.headers == ["Ingående överföringsbelopp", "Årets tilldelning enligt regleringsbrev", "Indragning",
                             "Totalt disponibelt belopp", "Utgående överföringsbelopp"]
    assert halls.cells == ["-300", "9 500", "-120", "9 080", "410"]


FINANCING = Path(__file__).parent / "fixtures" / "alunda-unruled-financing.pdf"


def test_a_financing_analysis_with_a_year_over_two_columns_and_notes_under_its_figures() -> None:
    """tests/ingest/fixtures/make_unruled_financing.py: each year heads the items' column and
    the subtotals' column beside it (neither is merged into the other, though they agree where
    both are filled), a "(not 7)" under a figure is no part of any label, and capitals head the
    groups in small letters."""
    doc = read_document(FINANCING)
    financing, appropriations = [b for b in doc.blocks if b.kind == "table"]
    assert financing.rows[0] == ["", "Bå 2024", "Bå 2024", "Bå 2023", "Bå 2023"]
    assert ["Kostnader", "-1 204 117", "-1 204 117", "-1 101 950", "-1 101 950"] in financing.rows
    assert ["Intäkter av avgifter", "6 215", "", "5 873", ""] in financing.rows
    assert ["KASSAFLÖDE FRÅN DRIFT", "", "-21 866", "", "-7 112"] in financing.rows
    assert not any("not 7" in row[0] for row in financing.rows)
    chunks = chunk_document(doc, infer_metadata(doc), doc_id="0" * 64, document=FINANCING.name)
    rows = {r.label_path[-1]: r for c in chunks for r in c.rows}
    assert rows["Intäkter av bidrag"].label_path == ["DRIFT", "Finansiering av drift", "Intäkter av bidrag"]
    assert rows["Intäkter av bidrag"].headers == ["Bå 2024", "Bå 2024", "Bå 2023", "Bå 2023"]
    assert rows["KASSAFLÖDE FRÅN DRIFT"].label_path == ["KASSAFLÖDE FRÅN DRIFT"]
    assert rows["Lån i Riksgäldskontoret"].label_path == ["INVESTERINGAR", "Lån i Riksgäldskontoret"]
    # a label wrapped onto a line in small letters, and a bracketed qualifier on the figures' line
    top = ["UTGIFTSOMRÅDE 8 Migration", "3 MIGRATIONSPOLITIK"]
    assert rows["3:2 Ersättningar till kommuner för åtgärder för nyanlända (ram)"].label_path[:-1] == top
    assert rows["3:9 Överföringskostnader (ram) (Äldre anslag från Bå 2019)"].cells == ["144", "", "-144", ""]
    assert rows["Summa 3 Migrationspolitik"].label_path == ["UTGIFTSOMRÅDE 8 Migration", "Summa 3 Migrationspolitik"]
