"""Swedish figures: real strings from the corpus extracts, the strings that must not parse, and
properties (format -> parse round-trips; parsing never raises)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from granska.ingest.numbers import (
    format_figure,
    normalise_number_tokens,
    parse_figure,
    parse_figures,
    same_figure,
)
from granska.types import Figure

from tests.conftest import TXT as CORPUS_TXT
NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


def triples(text: str, default_unit: str | None = None) -> list[tuple[str, float, str]]:
    return [(f.text, f.value, f.unit) for f in parse_figures(text, default_unit=default_unit)]


# --- real strings (from /work/shared/corpus/txt) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("en ekonomisk avvikelse på +82,7 mnkr mot budget för 2020.",
         [("+82,7 mnkr", 82_700_000.0, "kr")]),
        ("Prognosen är sedan augusti förbättrad med +4,5 mnkr (från +78,2 mnkr till +82,7 mnkr).",
         [("+4,5 mnkr", 4_500_000.0, "kr"), ("+78,2 mnkr", 78_200_000.0, "kr"),
          ("+82,7 mnkr", 82_700_000.0, "kr")]),
        ("från + 78,2 mnkr till + 82,7 mnkr",
         [("+ 78,2 mnkr", 78_200_000.0, "kr"), ("+ 82,7 mnkr", 82_700_000.0, "kr")]),
        ("Prognos budgetavvikelse\t82 700 tkr\t0 tkr\t82 700 tkr",
         [("82 700 tkr", 82_700_000.0, "kr"), ("0 tkr", 0.0, "kr"), ("82 700 tkr", 82_700_000.0, "kr")]),
        ("Ackumulerad budgetavvikelse\t119 695 tkr\t0 tkr\t119 695 tkr",
         [("119 695 tkr", 119_695_000.0, "kr"), ("0 tkr", 0.0, "kr"), ("119 695 tkr", 119_695_000.0, "kr")]),
        ("-417 170 tkr\t-402 510 tkr\t14 660 tkr\t-530 429 tkr\t127 919 tkr\t-3,5%\t21,8%\t30,7%",
         [("-417 170 tkr", -417_170_000.0, "kr"), ("-402 510 tkr", -402_510_000.0, "kr"),
          ("14 660 tkr", 14_660_000.0, "kr"), ("-530 429 tkr", -530_429_000.0, "kr"),
          ("127 919 tkr", 127_919_000.0, "kr"), ("-3,5%", -3.5, "%"), ("21,8%", 21.8, "%"),
          ("30,7%", 30.7, "%")]),
        ("Prognos Investeringsbudgetavvikelse\t25 850tkr\t46 750tkr\t20 900tkr",
         [("25 850tkr", 25_850_000.0, "kr"), ("46 750tkr", 46_750_000.0, "kr"),
          ("20 900tkr", 20_900_000.0, "kr")]),
        (" Personalomsättning\t12,32%\t13%", [("12,32%", 12.32, "%"), ("13%", 13.0, "%")]),
        ("Kortidssjukfrånvaron (R12) ligger på 1,17 procent.", [("1,17 procent", 1.17, "%")]),
        ("Utfallet är 31 procentenheter lägre än den budgeterade kostnadsutvecklingen.",
         [("31 procentenheter", 31.0, "procentenheter")]),
        ("Akkumulerad budgetavvikelse\t120,0 Mnkr\t0,0Mnkr",
         [("120,0 Mnkr", 120_000_000.0, "kr"), ("0,0Mnkr", 0.0, "kr")]),
        ("- -2,5 mnkr på grund av att budgetposten", [("-2,5 mnkr", -2_500_000.0, "kr")]),
        ("Region Halland har beslutat om ett bidrag på 200 000 kr för 2020.",
         [("200 000 kr", 200_000.0, "kr")]),
        ("Regionstyrelsen visade ett underskott i delåret på -55,7 miljoner kronor",
         [("-55,7 miljoner kronor", -55_700_000.0, "kr")]),
        ("den ekonomiska årsprognosen efter åtta månader är +/-0 mnkr.",
         [("+/-0 mnkr", 0.0, "kr")]),
        ("Regionfastigheters resultat överstiger budget med +13,7 mkr.",
         [("+13,7 mkr", 13_700_000.0, "kr")]),
        ("Personalomsättningen på Regionkontoret för januari-februari (11%) har en minskande trend",
         [("11%", 11.0, "%")]),
        # A number wrapped away from its unit by the PDF line break stays one figure.
        ("(från +78,2 mnkr till +82,7\nmnkr)",
         [("+78,2 mnkr", 78_200_000.0, "kr"), ("+82,7\nmnkr", 82_700_000.0, "kr")]),
        ("Regionbidrag\t467,7\t467,7\t0,0", [("467,7", 467.7, ""), ("467,7", 467.7, ""), ("0,0", 0.0, "")]),
        ("Utvecklingsmedel Hälsa- och sjukvård\t-45,8\t-95,8\t50",
         [("-45,8", -45.8, ""), ("-95,8", -95.8, ""), ("50", 50.0, "")]),
        ("24 medarbetare (19 kvinnor och 5 män) deltog", [("24", 24.0, ""), ("19", 19.0, ""), ("5", 5.0, "")]),
        # A minus set apart from its number by a space, after the preposition that introduces the
        # amount (Kungsbacka's särredovisning 2024), is still a minus; between numbers a spaced
        # hyphen is a range or a dash.
        ("redovisar ett utfall för 2024 på - 10,3 miljoner kronor att jämföra med",
         [("- 10,3 miljoner kronor", -10_300_000.0, "kr")]),
        ("intervallet 2 - 3 mnkr", [("2", 2.0, ""), ("3 mnkr", 3_000_000.0, "kr")]),
    ],
)
def test_real_strings(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert triples(text) == expected


def test_real_strings_are_in_the_corpus() -> None:
    """The strings above are quoted, not invented: a few anchors prove it."""
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in CORPUS_TXT.glob("*.txt"))
    for quote in ("82 700 tkr", "25 850tkr", "+/-0 mnkr", "-55,7 miljoner kronor", "0,0Mnkr",
                  "+ 78,2 mnkr", "31 procentenheter", "1,17 procent"):
        assert quote in corpus


@pytest.mark.parametrize(
    "text",
    [
        "Regionkontorets arbete med verksamhetsplan 2020",  # a year
        "Ung Företagsamhet (UF) 2019–2021",  # a year range
        "Riktlinjer för det interna klimat- och miljöarbetet 2017-2020",
        "Se bidra till långsiktig kompetensförsörjning\t2017-12-31",  # a date
        "4.1.3 Prognosförändring sedan föregående rapport",  # a section number
        "Kortidssjukfrånvaron (R12) ligger lågt",
        "jämfört med Uppföljningsrapport 2 (UR2)",
        "konsekvenser relaterat till covid-19 har",
        "1 Sammanfattning",  # heading number
        "\t2.1.2 Effektivt genomförande\t4",  # heading and table-of-contents page
        "1\tSammanfattning\t3",
        "<b>1 Sammanfattning</b> .....\t<b>4</b>",
        "<b>Kommentar: utfall i augusti 2019 är ”nej”.</b> .....\t<b>36</b>",  # a wrapped TOC entry
        "Regionkontoret, Region Halland Sida 3 av 13",
        "Underlaget planeras vara klart enligt tidsplan den 15 september 2019.",
        "Personalomsättningen för den senaste 12-månadersperioden",
        "från och med årsskiftet 2020/2021",
        "Göteborgs Stad, org.nr 212000-1355",
        "Kommunfullmäktige\nHandling 2025 nr 68",
        "Nämnden för Intraservice\n1 (26)",
        "1. Kommunfullmäktige riktar anmärkning mot grundskolenämnden.",
        "Uppföljning av 2019-års risk- och sårbarhetsanalys",
        "jan-feb 2020, jan–aug, januari–augusti",
    ],
)
def test_not_figures(text: str) -> None:
    assert parse_figures(text) == []


# --- units, signs, separators ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value", "unit"),
    [
        ("82 700 tkr", 82_700_000.0, "kr"),
        (f"82{NBSP}700 tkr", 82_700_000.0, "kr"),
        (f"82{NNBSP}700{NBSP}tkr", 82_700_000.0, "kr"),
        (f"82{THIN}700 tkr", 82_700_000.0, "kr"),
        ("-2,5", -2.5, ""),
        ("\u22122,5", -2.5, ""),
        ("\u20132,5", -2.5, ""),
        ("+2,5", 2.5, ""),
        ("2,78%", 2.78, "%"),
        ("2,78 %", 2.78, "%"),
        ("3 procent", 3.0, "%"),
        ("1,5 p.e.", 1.5, "procentenheter"),
        ("2 procentenheter", 2.0, "procentenheter"),
        ("3 %-enheter", 3.0, "procentenheter"),
        ("82,7 mnkr", 82_700_000.0, "kr"),
        ("82,7 Mnkr", 82_700_000.0, "kr"),
        ("82,7 MSEK", 82_700_000.0, "kr"),
        ("82,7 mn kr", 82_700_000.0, "kr"),
        ("82,7 miljoner kronor", 82_700_000.0, "kr"),
        ("1,2 mdkr", 1_200_000_000.0, "kr"),
        ("1,2 miljarder kronor", 1_200_000_000.0, "kr"),
        ("150 tusen kronor", 150_000.0, "kr"),
        ("850 kr", 850.0, "kr"),
        ("850 kronor", 850.0, "kr"),
        ("±0 mnkr", 0.0, "kr"),
        ("0", 0.0, ""),
        ("1 143 942", 1_143_942.0, ""),
    ],
)
def test_parse_figure_cells(cell: str, value: float, unit: str) -> None:
    figure = parse_figure(cell)
    assert figure is not None
    assert (figure.text, figure.value, figure.unit) == (cell, value, unit)


def test_value_has_no_visible_float_error() -> None:
    assert parse_figure("82,7 mnkr").value == 82_700_000.0
    assert parse_figure("0,1 mnkr").value == 100_000.0
    assert parse_figure("119,7 mnkr").value == 119_700_000.0
    assert parse_figure("-0,0").value == 0.0


@pytest.mark.parametrize(
    ("cell", "default_unit", "value", "unit"),
    [
        ("467,7", "mnkr", 467_700_000.0, "kr"),
        ("-0,5", "mnkr", -500_000.0, "kr"),
        ("1 400", "tkr", 1_400_000.0, "kr"),
        ("12,3", "%", 12.3, "%"),
        ("135 092", "miljoner kronor", 135_092_000_000.0, "kr"),
        ("850 tkr", "mnkr", 850_000.0, "kr"),  # a written unit wins over the header's
    ],
)
def test_default_unit_applies_to_bare_numbers(cell: str, default_unit: str, value: float, unit: str) -> None:
    figure = parse_figure(cell, default_unit=default_unit)
    assert figure is not None and (figure.value, figure.unit) == (value, unit)
    assert figure.text == cell


def test_default_unit_in_running_text() -> None:
    text = "Regionbidrag 287,7 0,0 386,3 386,3 0,0"
    assert [f.value for f in parse_figures(text, default_unit="mnkr")] == [
        287_700_000.0, 0.0, 386_300_000.0, 386_300_000.0, 0.0]


@pytest.mark.parametrize("cell", ["", "Summa", "2020", "Budget 2018", "Utfall jan-aug 2019", "R12",
                                  "0,0 Mnkr 20", "—", "4.1"])
def test_parse_figure_rejects(cell: str) -> None:
    assert parse_figure(cell) is None
    assert parse_figure(cell, default_unit="tkr") is None or cell == "0,0 Mnkr 20"


def test_a_year_stays_a_year_under_a_default_unit() -> None:
    assert parse_figure("2020", default_unit="tkr") is None
    assert parse_figure("2 020", default_unit="tkr").value == 2_020_000.0


def test_grouped_number_is_never_split_into_its_groups() -> None:
    assert triples("Utfallet blev 82 700 tkr.") == [("82 700 tkr", 82_700_000.0, "kr")]
    assert triples("TOTALT 1 143 942 1 088 251 -55 691") == [
        ("1 143 942", 1_143_942.0, ""), ("1 088 251", 1_088_251.0, ""), ("-55 691", -55_691.0, "")]


def test_table_cells_in_pdf_text_are_split_at_two_groups() -> None:
    """pdfplumber separates cells with a single space, like thousands groups (module docstring)."""
    row = "51 Regionledningskont avdelningar 135 092 136 355 1 263 212 147 207 563 4 584"
    assert [f.value for f in parse_figures(row)] == [135_092, 136_355, 1_263, 212_147, 207_563, 4_584]
    assert triples("Laddstolpar 0 150") == [("0", 0.0, ""), ("150", 150.0, "")]  # no group starts with 0
    # Three groups or fewer stay one number: "1 000 850" cannot be told from two cells.
    assert triples("Laddstolpar 1 000 850") == [("1 000 850", 1_000_850.0, "")]
    # No-break spaces and an explicit "kr" keep a long number whole.
    assert parse_figure(f"1{NBSP}143{NBSP}942{NBSP}000").value == 1_143_942_000.0
    assert parse_figure("1 143 942 000 kr").value == 1_143_942_000.0


def test_figures_of_a_whole_report_extract() -> None:
    path = CORPUS_TXT / "halland-regionkontoret-manadsrapport-2020-10.txt"
    text = path.read_text(encoding="utf-8")
    figures = parse_figures(text)
    values = {(f.value, f.unit) for f in figures}
    assert (82_700_000.0, "kr") in values and (119_695_000.0, "kr") in values
    assert (2.78, "%") in values and (31.0, "procentenheter") in values
    assert all(f.value not in (2019.0, 2020.0, 2021.0) for f in figures if f.unit == "")
    assert len(figures) > 150


# --- normalising for the lexical index ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("82,7", "82,7"),
        ("119 695 tkr", "119695 tkr"),
        (f"119{NBSP}695", "119695"),
        ("\u22122,5 mnkr", "-2,5 mnkr"),
        ("\u20132,5", "-2,5"),
        ("+ 4,5 mnkr", "+4,5 mnkr"),
        ("2019–2021", "2019–2021"),
        ("covid-19", "covid-19"),
        ("Hälso- och sjukvård – 2 000 kr", "Hälso- och sjukvård – 2000 kr"),
        ("4.1.3 Prognos", "4.1.3 Prognos"),
    ],
)
def test_normalise_number_tokens(text: str, expected: str) -> None:
    assert normalise_number_tokens(text) == expected


# --- rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (82_700_000.0, "kr", "82,7 mnkr"),
        (14_660_000.0, "kr", f"14{NBSP}660 tkr"),
        (119_695_000.0, "kr", f"119{NBSP}695 tkr"),
        (50_000_000.0, "kr", "50 mnkr"),
        (-2_500_000.0, "kr", "-2,5 mnkr"),
        (2_500_000_000.0, "kr", "2,5 mdkr"),
        (850_000.0, "kr", "850 tkr"),
        (1_500.0, "kr", f"1{NBSP}500 kr"),
        (0.0, "kr", "0 kr"),
        (2.78, "%", "2,78 %"),
        (13.0, "%", "13 %"),
        (-3.5, "%", "-3,5 %"),
        (31.0, "procentenheter", "31 procentenheter"),
        (1093.0, "", f"1{NBSP}093"),
        (-0.5, "", "-0,5"),
    ],
)
def test_format_figure(value: float, unit: str, expected: str) -> None:
    assert format_figure(value, unit) == expected


def test_format_figure_ignores_float_noise_from_arithmetic() -> None:
    assert format_figure((0.1 + 0.2) * 1e6, "kr") == "300 tkr"
    assert format_figure(82.7e6 - 78.2e6, "kr") == "4,5 mnkr"
    assert format_figure(12.32 - 12.3, "procentenheter") == "0,02 procentenheter"


def test_format_figure_rejects_unknown_units() -> None:
    with pytest.raises(ValueError):
        format_figure(1.0, "mnkr")


# --- comparing ---------------------------------------------------------------------------


def fig(text: str, default_unit: str | None = None) -> Figure:
    figure = parse_figure(text, default_unit=default_unit)
    assert figure is not None, text
    return figure


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("82,7 mnkr", "82 700 tkr", True),
        ("82,7 mnkr", "82 700 000 kr", True),
        ("119,7 mnkr", "119 695 tkr", True),  # the report's own rounding (4.2 vs 4.2.1)
        ("14,7 mnkr", "14 660 tkr", True),
        ("20 Mnkr", "+20,1 mnkr", True),
        ("12,3 %", "12,32 %", True),
        ("12,3 %", "12,32%", True),
        ("12 %", "12,32 %", True),
        ("12,3 %", "12,4 %", False),
        ("12,3 %", "12,36 %", False),
        ("82,7 mnkr", "82,8 mnkr", False),
        ("82,7 mnkr", "82 600 tkr", False),
        ("-2,5 mnkr", "2,5 mnkr", False),
        ("\u22122,5 mnkr", "-2,5 mnkr", True),
        ("2,5 %", "2,5 procentenheter", False),
        ("2,5 %", "2,5", False),
        ("+/-0 mnkr", "0,0 mnkr", True),
    ],
)
def test_same_figure(a: str, b: str, same: bool) -> None:
    assert same_figure(fig(a), fig(b)) is same
    assert same_figure(fig(b), fig(a)) is same


def test_same_figure_with_header_units_and_without_text() -> None:
    assert same_figure(fig("82,7", default_unit="mnkr"), fig("82 700 tkr"))
    assert same_figure(fig("119,7", default_unit="mnkr"), fig("119 695 tkr"))
    assert same_figure(Figure("", 82_700_000.0, "kr"), fig("82,7 mnkr"))
    assert not same_figure(Figure("", 82_710_000.0, "kr"), Figure("", 82_700_000.0, "kr"))


# --- properties --------------------------------------------------------------------------

_kronor = st.integers(min_value=-10**13, max_value=10**13).map(lambda ore: ore / 100)
_percent = st.integers(min_value=-10**7, max_value=10**7).map(lambda n: n / 10**4)
_plain = st.integers(min_value=-10**12, max_value=10**12).map(lambda n: n / 10**4)


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.tuples(_kronor, st.just("kr")),
    st.tuples(_percent, st.sampled_from(["%", "procentenheter"])),
    st.tuples(_plain, st.just("")),
))
def test_format_then_parse_round_trips(case: tuple[float, str]) -> None:
    value, unit = case
    text = format_figure(value, unit)
    figure = parse_figure(text)
    assert figure is not None, text
    assert figure.text == text
    assert figure.unit == unit
    assert figure.value == value
    assert same_figure(figure, Figure(text, value, unit))


@settings(max_examples=400, deadline=None)
@given(st.tuples(_kronor, st.just("kr")))
def test_format_then_parse_round_trips_in_running_text(case: tuple[float, str]) -> None:
    value, unit = case
    text = f"Avvikelsen blev {format_figure(value, unit)} mot budget 2020."
    assert [f.value for f in parse_figures(text)] == [value]


_noisy = st.lists(
    st.sampled_from(list("0123456789 ,.-+−–±/%()\n\tkrtmnolpe.åäöKRMSEjanfebokt")
                    + [NBSP, NNBSP, THIN, "mnkr", "tkr", "procent", "2020", "R12", "sept "]),
    max_size=60,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=200), _noisy))
def test_parsing_never_raises_and_quotes_the_text(text: str) -> None:
    figures = parse_figures(text)
    at = 0
    for figure in figures:
        found = text.find(figure.text, at)
        assert found >= 0, (figure, text)
        at = found + len(figure.text)
        assert figure.unit in ("kr", "%", "procentenheter", "")
    parse_figure(text)
    parse_figures(text, default_unit="mnkr")
    normalised = normalise_number_tokens(text)
    assert normalise_number_tokens(normalised) == normalised
