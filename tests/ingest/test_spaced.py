"""Space-aligned tables of text extracts (ingest/spaced.py), on a made-up page laid out the way a
PDF-to-text converter lays one out: labels wrapped around their figures, a header over three lines
with the label column's name between, a word cut at the label column's width."""

from __future__ import annotations

from granska.ingest.spaced import spaced_tables

PAGE = """3.2 Personal

Utfall jan 2022 Utfall jan 2023 Utfall jan
Namn
-jun 2022   -jun 2023 2024-jun 2024
Andel deltid   5 %        1,9 %      4,8 %
Andel kvinnor
3,3 %      1,5 %      4,5 %
som har deltid
Anställda
genomsnittlig
98 %      99,3 %      98,3 %
sysselsättnings
grad
Anställda totalt 103      110         111
Sjukfrånvaro,
andel av
sjukfrånvaro 60 41,1 %   24,7 %      40,8 %
dagar eller mer
Kvinnor
Pensionsavgån
0               1
gar
12

Personalen   ökade   med 8 personer."""


def test_rows_labels_and_header_of_a_space_aligned_table():
    out = spaced_tables(PAGE.split("\n"))
    rows = [line.split("\t") for line in out if "\t" in line]
    assert rows[0] == ["Namn", "Utfall jan 2022 -jun 2022", "Utfall jan 2023 -jun 2023", "Utfall jan 2024-jun 2024"]
    assert rows[1:] == [
        ["Andel deltid", "5 %", "1,9 %", "4,8 %"],
        ["Andel kvinnor som har deltid", "3,3 %", "1,5 %", "4,5 %"],
        ["Anställda genomsnittlig sysselsättningsgrad", "98 %", "99,3 %", "98,3 %"],
        ["Anställda totalt", "103", "110", "111"],
        ["Sjukfrånvaro, andel av sjukfrånvaro 60 dagar eller mer Kvinnor", "41,1 %", "24,7 %", "40,8 %"],
    ]
    # what is not a full row of the table stays text, as printed: a row with empty cells (its
    # figures cannot be placed without positions), the page number, a prose line with spaces
    assert out[0] == "3.2 Personal"
    assert "Pensionsavgån" in out and "12" in out and "Personalen   ökade   med 8 personer." in out


def test_a_header_that_does_not_split_across_the_columns_is_left_empty_not_guessed():
    page = ["Utfall jan 2022 och 2023 samt prognos", "Andel deltid   5 %     1,9 %", "Andel heltid   95 %    98,1 %"]
    rows = [line.split("\t") for line in spaced_tables(page) if "\t" in line]
    assert rows == [["", "", ""], ["Andel deltid", "5 %", "1,9 %"], ["Andel heltid", "95 %", "98,1 %"]]


def test_figures_in_prose_or_without_a_dated_header_stay_text():
    page = ["Resultatet blev   12,5 mnkr   och 3,2 mnkr", "Intäkter   1 200   1 300", "Kostnader   -900   -950"]
    assert spaced_tables(page) == page
