"""Typed table rows (ingest/table_rows.py and the chunker): header paths and row label paths,
on made-up tables that show each layout phenomenon, and their way through a chunk."""

from __future__ import annotations

from granska.ingest.chunk import chunk_document
from granska.ingest.table_rows import structure
from granska.types import Block, ParsedDocument, ReportMeta


def test_stacked_header_cells_join_per_column_and_span_right() -> None:
    rows = [
        ["Belopp i mnkr", "Period", "", "", "Helår", ""],
        ["", "Utfall", "Budget", "Avvikelse", "Prognos", "Budget"],
        ["Intäkter", "373,6", "375,7", "-2,1", "1 513,3", "1 506,8"],
    ]
    layout = structure(rows)
    assert layout.header_rows == 2
    assert layout.columns == ["Belopp i mnkr", "Period > Utfall", "Period > Budget", "Period > Avvikelse",
                              "Helår > Prognos", "Helår > Budget"]
    assert layout.label_paths == [["Intäkter"]]


def test_the_same_label_under_two_groups_keeps_its_group() -> None:
    rows = [
        ["Projekt (tkr)", "Budget", "Utfall"],
        ["Nyinvestering", "", ""],
        ["Lokaler", "1 200", "900"],
        ["Fordon", "300", "310"],
        ["Reinvestering", "", ""],
        ["Lokaler", "800", "750"],
        ["Summa reinvestering", "800", "750"],
        ["Totalt", "2 300", "1 960"],
    ]
    assert structure(rows).label_paths == [
        ["Nyinvestering"], ["Nyinvestering", "Lokaler"], ["Nyinvestering", "Fordon"],
        ["Reinvestering"], ["Reinvestering", "Lokaler"], ["Reinvestering", "Summa reinvestering"],
        ["Totalt"],  # the total closed its group
    ]


def test_nested_groups_of_a_balance_sheet() -> None:
    rows = [
        ["Balansräkning", "2024", "2023"],
        ["TILLGÅNGAR", "", ""],
        ["Anläggningstillgångar", "", ""],
        ["Maskiner och inventarier", "12,0", "13,5"],
        ["Summa anläggningstillgångar", "12,0", "13,5"],
        ["Omsättningstillgångar", "", ""],
        ["Kassa och bank", "379,0", "425,9"],
        ["Summa omsättningstillgångar", "379,0", "425,9"],
        ["SUMMA TILLGÅNGAR", "391,0", "439,4"],
        ["EGET KAPITAL OCH SKULDER", "", ""],
        ["Eget kapital", "100,0", "90,0"],
    ]
    paths = structure(rows).label_paths
    assert paths[2] == ["TILLGÅNGAR", "Anläggningstillgångar", "Maskiner och inventarier"]
    assert paths[3] == ["TILLGÅNGAR", "Summa anläggningstillgångar"]  # beside the group it sums
    assert paths[5] == ["TILLGÅNGAR", "Omsättningstillgångar", "Kassa och bank"]
    assert paths[7] == ["SUMMA TILLGÅNGAR"]  # a total in capitals closes the section
    assert paths[9] == ["EGET KAPITAL OCH SKULDER", "Eget kapital"]


def test_a_heading_in_capitals_holds_the_groups_in_small_letters_under_it() -> None:
    rows = [
        ["Belopp", "2024", "2023"],
        ["DRIFT", "", ""],
        ["Kostnader", "-2 039", "-1 870"],
        ["Finansiering av drift", "", ""],
        ["Intäkter av anslag", "2 019", "1 882"],
        ["Finansiering från staten:", "", ""],
        ["Anslagsmedel", "1 490", "1 240"],
        ["KASSAFLÖDE FRÅN DRIFT", "19", "41"],
        ["INVESTERINGAR", "", ""],
        ["Lån", "39", "19"],
    ]
    assert structure(rows).label_paths == [
        ["DRIFT"], ["DRIFT", "Kostnader"], ["DRIFT", "Finansiering av drift"],
        ["DRIFT", "Finansiering av drift", "Intäkter av anslag"], ["DRIFT", "Finansiering från staten:"],
        ["DRIFT", "Finansiering från staten:", "Anslagsmedel"], ["KASSAFLÖDE FRÅN DRIFT"],
        ["INVESTERINGAR"], ["INVESTERINGAR", "Lån"],
    ]


def test_capitals_say_nothing_in_a_table_set_all_in_capitals() -> None:
    rows = [["", "2024"], ["INTÄKTER", ""], ["AVGIFTER", "12"], ["BIDRAG", "3"], ["SUMMA", "15"]]
    assert structure(rows).label_paths == [["INTÄKTER"], ["INTÄKTER", "AVGIFTER"], ["INTÄKTER", "BIDRAG"],
                                           ["INTÄKTER", "SUMMA"]]


def test_outline_numbers_say_which_row_holds_which() -> None:
    rows = [
        ["Anslag", "Utfall"],
        ["UTGIFTSOMRÅDE 8 Migration", ""],
        ["12 MIGRATION", ""],
        ["12:1 Myndigheten (ram)", ""],
        ["12:1 ap.1 Förvaltning (ram)", "100"],
        ["12:1 ap 2 Prövning (ram)", "50"],
        ["Summa 12:1", "150"],
        ["12:2 Ersättningar (ram)", "70"],
        ["12:3 Åtgärder (ram)", ""],
        ["12:3:4 Återvandring (ram)", "5"],
        ["12:4 Biträde (ram)", "9"],
        ["Summa utgiftsområde 8", "234"],
    ]
    top = ["UTGIFTSOMRÅDE 8 Migration", "12 MIGRATION"]
    assert structure(rows).label_paths[3:] == [
        [*top, "12:1 Myndigheten (ram)", "12:1 ap.1 Förvaltning (ram)"],
        [*top, "12:1 Myndigheten (ram)", "12:1 ap 2 Prövning (ram)"],
        [*top, "Summa 12:1"],  # beside the group it names
        [*top, "12:2 Ersättningar (ram)"],  # "12:2" is beside "12:1", not inside it
        [*top, "12:3 Åtgärder (ram)"],
        [*top, "12:3 Åtgärder (ram)", "12:3:4 Återvandring (ram)"],
        [*top, "12:4 Biträde (ram)"],
        ["UTGIFTSOMRÅDE 8 Migration", "Summa utgiftsområde 8"],  # the outermost group keeps its total
    ]


def test_a_footnote_mark_after_a_label_is_not_part_of_it() -> None:
    rows = [["", "2006", "2007"], ["Anslagssparande (samtliga ramanslag) 5)", "85", "91"],
            ["Kostnader (not 5)", "1", "2"]]
    assert structure(rows).label_paths == [["Anslagssparande (samtliga ramanslag)"], ["Kostnader (not 5)"]]


def test_dashed_members_end_at_the_first_row_without_a_dash() -> None:
    rows = [
        ["Tjänster", "Intäkter", "Resultat"],
        ["Gemensamma tjänster", "", ""],
        ["- Ekonomi", "20,5", "6,8"],
        ["- HR", "35,8", "1,5"],
        ["Digital infrastruktur", "210,1", "15,7"],
    ]
    assert structure(rows).label_paths[1:] == [
        ["Gemensamma tjänster", "- Ekonomi"], ["Gemensamma tjänster", "- HR"], ["Digital infrastruktur"],
    ]


def test_a_text_table_has_one_header_row() -> None:
    """Every cell of a matrix of activities is words: its rows are rows, not more header lines."""
    rows = [
        ["Uppdrag", "Status", "Aktiviteter"],
        ["", "", "fortsätter under hösten."],
        ["Stärka språkutvecklingen", "Pågår", "Kompetenshöjande insatser"],
    ]
    assert structure(rows).header_rows == 1


def _doc(rows: list[list[str]]) -> tuple[ParsedDocument, ReportMeta]:
    block = Block(kind="table", text="", page=3, section="Ekonomi > Investeringar", rows=rows, caption="Investeringar (tkr)")
    meta = ReportMeta(organisation="Ålunda kommun", report_type="delårsrapport", period_start=202401, period_end=202408)
    return ParsedDocument(path="/arkiv/alunda.pdf", blocks=[block], page_count=3), meta


def test_chunks_carry_typed_rows_with_units_from_their_columns() -> None:
    doc, meta = _doc([
        ["Projekt", "Helår", ""],
        ["", "Budget", "Prognos"],
        ["Nyinvestering", "", ""],
        ["Lokaler", "1 200", "-900"],
        ["Reinvestering", "", ""],
        ["Lokaler", "800", "750"],
    ])
    (chunk,) = chunk_document(doc, meta, doc_id="0" * 64, document="alunda.pdf")
    assert [r.label_path for r in chunk.rows] == [
        ["Nyinvestering"], ["Nyinvestering", "Lokaler"], ["Reinvestering"], ["Reinvestering", "Lokaler"]]
    assert chunk.rows[0].cells == ["", ""]  # a group row is a row, with its cells empty
    first = chunk.rows[1]
    assert first.headers == ["Helår > Budget", "Helår > Prognos"] and first.cells == ["1 200", "-900"]
    assert [f.value for f in first.figures] == [1_200_000, -900_000]  # tkr from the caption
    assert "Projekt | Helår > Budget | Helår > Prognos" in chunk.text  # the header line shows the paths
    assert "Reinvestering > Lokaler | 800 | 750" in chunk.text  # a row is never read without its group


def test_a_long_table_keeps_its_second_header_row_and_groups_in_every_piece() -> None:
    """A table longer than one chunk is cut by the chunker, after the whole table's header rows
    and groups are read: rows of the last piece still sit under "Kommunen > Aug 2024" and under
    the group that opened in the first piece."""
    from granska.ingest.structure import BlockBuilder

    builder = BlockBuilder()
    builder.table([
        ["Miljoner kronor", "Kommunen", "", "Koncernen"],
        ["", "Aug 2023", "Aug 2024", "Aug 2024"],
        ["TILLGÅNGAR", "", "", ""],
        *[[f"Tillgångspost nummer {i} med ett långt namn", f"{i},1", f"{i},2", f"{i},3"] for i in range(60)],
    ], "Balansräkning", 3, None)
    (block,) = builder.finish()
    meta = ReportMeta(organisation="Ålunda kommun", report_type="delårsrapport", period_start=202401, period_end=202408)
    doc = ParsedDocument(path="/arkiv/alunda.pdf", blocks=[block], page_count=3)
    chunks = chunk_document(doc, meta, doc_id="0" * 64, document="alunda.pdf")
    assert len(chunks) > 2
    last = chunks[-1].rows[-1]
    assert last.label_path == ["TILLGÅNGAR", "Tillgångspost nummer 59 med ett långt namn"]
    assert last.headers == ["Kommunen > Aug 2023", "Kommunen > Aug 2024", "Koncernen > Aug 2024"]
    assert last.cells == ["59,1", "59,2", "59,3"]


def test_answer_rows_read_the_typed_rows_with_their_groups() -> None:
    """The answerer's row statements come from the chunk's typed rows: a row's groups belong to
    its label, so "Lokaler" under Reinvestering is told from "Lokaler" under Nyinvestering."""
    from granska.app.answer import candidates_from
    from granska.types import Hit

    doc, meta = _doc([
        ["Projekt", "Budget", "Prognos"],
        ["Nyinvestering", "", ""],
        ["Lokaler", "1 200", "-900"],
        ["Reinvestering", "", ""],
        ["Lokaler", "800", "750"],
    ])
    (chunk,) = chunk_document(doc, meta, doc_id="0" * 64, document="alunda.pdf")
    rows = candidates_from([Hit(chunk=chunk, score=1.0)])
    assert [c.label for c in rows] == ["Nyinvestering, Lokaler", "Reinvestering, Lokaler"]
    assert rows[1].text == "Reinvestering, Lokaler – Budget: 800 tkr, Prognos: 750 tkr"
    assert rows[1].row_key == "Lokaler"


def test_a_list_whose_value_column_is_symbols_is_rows_not_nested_groups() -> None:
    """A status column printed as coloured symbols reads as empty cells: the rows are a list,
    each its own label, not each one nested in the row before."""
    rows = [["Uppdrag", "Prognos"]] + [[f"Uppdrag nummer {n}", ""] for n in range(1, 9)]
    assert structure(rows).label_paths == [[f"Uppdrag nummer {n}"] for n in range(1, 9)]


def test_a_long_run_of_label_rows_nests_only_the_last_few_over_the_values() -> None:
    rows = [["Post", "2024"]] + [[f"Rubrik {n}", ""] for n in range(1, 7)] + [["Kassa", "10,0"]]
    paths = structure(rows).label_paths
    assert paths[0] == ["Rubrik 1"]  # six label rows deep is a list, not six groups
    assert paths[-1] == ["Rubrik 4", "Rubrik 5", "Rubrik 6", "Kassa"]


def test_a_header_wrapped_in_its_column_is_one_cell_and_a_spanning_one_heads_its_columns() -> None:
    rows = [
        ["Anslag", "Ingående", "Utgifter", "Kommunen", ""],
        ["", "överförings-", "2024-01-01", "2024-08-31", "Prognos 2024"],
        ["", "belopp", "-2024-12-31", "", ""],
        ["Badhus", "1 200", "900", "15,0", "16,0"],
    ]
    assert structure(rows).columns[1:] == ["Ingående överföringsbelopp", "Utgifter 2024-01-01 -2024-12-31",
                                           "Kommunen > 2024-08-31", "Kommunen > Prognos 2024"]
