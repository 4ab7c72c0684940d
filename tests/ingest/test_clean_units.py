"""Unit checks of the small pieces: hyphen joining, page labels, heading shapes, table cleanup."""

from __future__ import annotations

import pytest

from granska.ingest.clean import join_lines, join_wrapped, split_long
from granska.ingest.furniture import furniture_key, page_label, repeated_keys
from granska.ingest.structure import SectionTracker, is_toc_entry, parse_numbered_heading
from granska.ingest.tables import clean_table, render_table


@pytest.mark.parametrize(
    ("previous", "following", "joined"),
    [
        ("kompetens-", "försörjning", "kompetensförsörjning"),
        ("Hälso-", "och sjukvård", "Hälso- och sjukvård"),
        ("covid-19-", "pandemin", "covid-19-pandemin"),
        ("IT-", "säkerhet", "IT-säkerhet"),
        ("Utfall jan-", "aug 2019", "Utfall jan-aug 2019"),
        ("hålla ihop -", "och utveckla", "hålla ihop - och utveckla"),
        ("vård –", "Utvecklingsmedel", "vård – Utvecklingsmedel"),
        ("ett", "ord", "ett ord"),
    ],
)
def test_join_wrapped(previous: str, following: str, joined: str) -> None:
    assert join_wrapped(previous, following) == joined


def test_join_lines_keeps_bullets_on_their_own_lines() -> None:
    text = join_lines(["Varav:", "• +9,5 mnkr avser", "vakanser.", "\uf0b7 -2,5 mnkr", "1. Punkt ett", "2. Punkt två"])
    assert text.splitlines() == ["Varav:", "• +9,5 mnkr avser vakanser.", "• -2,5 mnkr", "1. Punkt ett", "2. Punkt två"]


def test_split_long_respects_limit_and_keeps_text() -> None:
    sentence = "Detta är en mening om budgeten som är ganska lång. "
    text = (sentence * 60).strip()
    pieces = split_long(text, 300)
    assert len(pieces) > 1 and all(len(piece) <= 300 for piece in pieces)
    assert " ".join(pieces) == text


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Regionkontoret, Region Halland Sida 8 av 13", "8"),
        ("5 (26)", "5"),
        ("Göteborgs Stad, grundskolenämnden protokoll 6(6)", "6"),
        ("12", "12"),
        ("Region Halland Månadsrapport oktober 2020 – Regionkontoret", None),
        ("2020", None),
    ],
)
def test_page_label(line: str, label: str | None) -> None:
    assert page_label(line) == label


def test_running_lines_found_by_repetition_with_digits_normalised() -> None:
    edges = [["Rapport 2020 – Kontoret", "Sida 1 av 3"], ["Rapport 2020 – Kontoret", "Sida 2 av 3"], ["1 Inledning"]]
    keys = repeated_keys(edges, page_count=3)
    assert furniture_key("Sida 3 av 3") in keys and furniture_key("Rapport 2020 – Kontoret") in keys
    assert furniture_key("1 Inledning") not in keys


@pytest.mark.parametrize(
    ("line", "parsed"),
    [
        ("4.1.3 Prognosförändring sedan föregående rapport", ((4, 1, 3), "Prognosförändring sedan föregående rapport")),
        ("2 Verksamhet", ((2,), "Verksamhet")),
        ("2020 tillsammans med", None),
        ("5 major incident inom tjänsteområde", None),
        ("20 Mnkr 0 Mnkr 20 Mnkr", None),
        ("Regionbidrag 467,7 467,7 0,0", None),
        ("51 Regionledningskont avdelningar 135 092 136 355", None),
    ],
)
def test_numbered_heading_shape(line: str, parsed: tuple | None) -> None:
    assert parse_numbered_heading(line) == parsed


def test_section_path_nesting() -> None:
    tracker = SectionTracker()
    tracker.numbered((4,), "Ekonomi")
    tracker.numbered((4, 1), "Prognos")
    tracker.numbered((4, 1, 3), "Prognosförändring")
    tracker.unnumbered("Analys")
    assert tracker.path == "4 Ekonomi > 4.1 Prognos > 4.1.3 Prognosförändring > Analys"
    assert tracker.accepts((4, 2)) and tracker.accepts((5,)) and not tracker.accepts((13,)) and not tracker.accepts((7, 1))
    tracker.numbered((4, 2), "Resultat")
    assert tracker.path == "4 Ekonomi > 4.2 Resultat"


def test_toc_entries() -> None:
    assert is_toc_entry("4.1 Prognos......................................... 9")
    assert is_toc_entry("1\tSammanfattning\t3")
    assert not is_toc_entry("Prognosen är +4,5 mnkr.")


def test_clean_table_merges_continuations_and_split_columns() -> None:
    raw = [
        ["Mått", None, None, "", "Utfall perioden", ""],
        [None, None, None, None, "jämfört med", None],
        ["", "IT-tjänster", "", "-2,7 %", "-2,7 %", None],
        [None, "leasing IT-utrustning", None, None, None, None],
        ["", "Personal\nkostnader", "", "", "7,6 %", ""],
    ]
    assert clean_table(raw) == [
        ["Mått", "Utfall perioden jämfört med"],
        ["IT-tjänster leasing IT-utrustning", "-2,7 %"],
        ["Personal kostnader", "7,6 %"],
    ]
    # a real row under a merged group cell is kept as a row
    assert clean_table([["Grupp", "Indikator", "Utfall"], ["Ekonomi", "A", "1"], [None, "B", "2"]])[2] == ["", "B", "2"]


def test_clean_table_spacer_rows_and_stray_cells_in_offset_grid_columns() -> None:
    # A boxed table: a wrapped header cell's second line sits below an empty spacer band, and a
    # two-line row ("Kommuninterna / bidrag") has its values one grid column to the left.
    raw = [
        ["Belopp", "", "Utfall", "", "", "Avvik", "", "", "Prognos"],
        ["", None, None, None, None, None, None, None, None],
        [None, None, None, None, None, "else", None, None, None],
        ["Intäkter", "", "", "373,6", "", "", "-2,1", "", "1 513,3"],
        ["Interna", "0", None, "", "0", None, "", "0", None],
        [None, None, None, None, None, None, None, None, None],
    ]
    assert clean_table(raw) == [
        ["Belopp", "Utfall", "Avvik else", "Prognos"],
        ["Intäkter", "373,6", "-2,1", "1 513,3"],
        ["Interna", "0", "0", "0"],
    ]


def test_render_table_one_line_per_row() -> None:
    assert render_table([["Post", "Belopp"], ["Rad 0", "0,0"]]) == "Post | Belopp\nRad 0 | 0,0"


def test_a_word_broken_over_two_lines_is_rejoined_by_the_documents_own_words() -> None:
    from granska.ingest.tables import rejoin_broken_words, vocabulary

    words = vocabulary(["Avvikelsen mot budget är liten. Motsvarande period i fjol gav en budgetavvikelse."])
    assert rejoin_broken_words("Avvik else", words) == "Avvikelse"  # the prose prints "avvikelsen"
    assert rejoin_broken_words("Budgetav vikelse", words) == "Budgetavvikelse"
    assert rejoin_broken_words("Motsvaran de period", words) == "Motsvarande period"
    assert rejoin_broken_words("Utfall fg år", words) == "Utfall fg år"  # whole words stay apart
    assert rejoin_broken_words("mot budget", words) == "mot budget"  # "mot" is a word of its own


def test_a_note_column_without_its_header_is_dropped() -> None:
    """A converter that lost the "Not" header still leaves a column of note numbers after the
    labels, on some rows only; a column of counts with a header is kept."""
    assert clean_table([["", "", "", ""], ["Mark", "2", "1621,9", "1793,9"], ["Pågående", "", "98,7", "214,9"]]) == [
        ["Mark", "1621,9", "1793,9"], ["Pågående", "98,7", "214,9"]]
    assert clean_table([["Avdelning", "Antal", "Kostnad"], ["A", "2", "1 000"], ["B", "", "200"]])[1] == ["A", "2", "1 000"]
