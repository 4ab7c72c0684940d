"""The Swedish analyser and BM25 index: numbers as tokens, surface forms beside stems."""

import numpy as np

from granska.index.lexical import LexicalIndex, analyse, analyse_words
from granska.types import Chunk


def chunk(i: int, text: str, org: str = "Region A, Kontoret") -> Chunk:
    return Chunk(
        id=f"c{i}", text=text, document=f"d{i}.pdf", doc_id="h", organisation=org, report_type="månadsrapport",
        period_start=202001, period_end=202010, year=2020, page=1, page_label="1", section="", kind="text",
    )


def test_numbers_survive_as_single_tokens():
    tokens = analyse("Avvikelse 82,7 mnkr och −2,5 mnkr samt 119 695 tkr")
    assert {"82,7", "-2,5", "119695"} <= set(tokens)
    assert "82" not in tokens and "695" not in tokens


def test_surface_form_and_stem_both_indexed():
    forms = dict(analyse_words("prognosen prognos"))
    assert forms["prognosen"] & forms["prognos"]  # the stemmer disagrees with itself; a shared form remains
    assert "och" not in analyse("kostnader och intäkter")  # Swedish stop words dropped


def test_search_respects_the_filter_mask(tmp_path):
    chunks = [chunk(0, "Sjukfrånvaron var 2,78 %"), chunk(1, "Sjukfrånvaron var 3,38 %", "Region B, Styrelsen")]
    index = LexicalIndex.build(chunks)
    index.save(tmp_path / "lex", {"registry": "x"})
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert [c.id for c, _ in loaded.search("sjukfrånvaro", 5)] in (["c0", "c1"], ["c1", "c0"])
    only_b = np.array([False, True])
    assert [c.id for c, _ in loaded.search("sjukfrånvaro", 5, only_b)] == ["c1"]
    assert [c.id for c, _ in loaded.search("3,38", 5)] == ["c1"]
    assert LexicalIndex.read_state(tmp_path / "lex") == {"registry": "x"}


def test_a_documents_chunks_and_mask_come_from_its_positions_and_match_the_filter():
    from dataclasses import replace

    from granska.index.retrieve import Filters

    chunks = [replace(chunk(i, f"Sjukfrånvaron var {i},5 %"), document=f"d{i % 3}.pdf") for i in range(7)]
    index = LexicalIndex.build(chunks)
    assert [c.id for c in index.document_chunks("d1.pdf")] == ["c1", "c4"]
    assert index.document_chunks("saknas.pdf") == []
    wanted = Filters(document=("d0.pdf", "d2.pdf"))
    assert index.mask(wanted.document).tolist() == [wanted.matches(c) for c in chunks]
    assert {c.document for c, _ in index.search("sjukfrånvaro", 10, index.mask(wanted.document))} == {"d0.pdf", "d2.pdf"}


def test_definite_and_genitive_forms_meet_the_indefinite():
    from granska.index.lexical import base_form

    assert base_form("sjukfrånvaron") == base_form("sjukfrånvarons") == "sjukfrånvaro"
    assert base_form("regionkontorets") == "regionkontor"
    assert base_form("prognos") == "prognos"  # a word ending in -s is not a genitive
    assert set(analyse("sjukfrånvaro")) & set(analyse("Sjukfrånvaron"))


def test_compounds_split_into_parts_the_archive_uses():
    from granska.index.lexical import split_compound

    vocabulary = {"delår": 3, "resultat": 5, "prognos": 4, "regionkontoret": 9}
    assert split_compound("delårsresultatet", vocabulary) == [
        frozenset({"delårs", "delår"}), frozenset({"resultatet", "resultat"})
    ]
    assert split_compound("regionkontoret", vocabulary) == []  # used whole: not split
    assert split_compound("budgetering", vocabulary) == []  # no known parts


def test_whether_a_compound_is_split_does_not_depend_on_the_archives_size():
    from granska.index.lexical import split_compound

    # the sample's counts: "investeringsbudget" once, its parts often; "regionkontoret" often, "kontor" once
    sample = {"investeringsbudget": 1, "investering": 10, "budget": 51, "regionkontoret": 48, "region": 112,
              "kontor": 1}
    for times in (1, 3, 400):  # the same reports re-issued: every count grows alike
        vocabulary = {word: n * times for word, n in sample.items()}
        assert split_compound("investeringsbudgeten", vocabulary), times
        assert split_compound("regionkontoret", vocabulary) == [], times


def test_parent_headings_are_indexed_but_not_embedded():
    """The lexical index sees the whole heading path; the embedder only the title and the leaf
    heading (the full path was 15% of embedding time and gave no accuracy)."""
    c = chunk(0, "Utfallet är 12 mnkr.")
    c.title, c.section = "Månadsrapport oktober 2020", "4 Ekonomi > 4.1 Investeringar > 4.1.3 Fastigheter"
    assert c.embed_text() == "Månadsrapport oktober 2020 | 4.1.3 Fastigheter\nUtfallet är 12 mnkr."
    assert "4 Ekonomi > 4.1 Investeringar" in c.index_text()
    only_parent = LexicalIndex.build([c, chunk(1, "Annat stycke.")]).search("investeringar", 5)
    assert [hit.id for hit, _ in only_parent] == ["c0"]


def test_hyphenated_parts_have_all_their_forms():
    forms = dict(analyse_words("RK-avdelningarnas"))["rk-avdelningarnas"]
    assert {"rk", "avdelningarnas"} <= forms and forms & dict(analyse_words("avdelningar"))["avdelningar"]


def test_a_word_hyphenated_at_a_line_break_meets_the_whole_word():
    # A table header cell prints "Prognos-tiserat resultat": one word, broken over two lines.
    forms = dict(analyse_words("Prognos-tiserat"))["prognos-tiserat"]
    assert forms & dict(analyse_words("prognostiseras"))["prognostiseras"]


def test_a_compound_the_searched_reports_never_write_whole_is_found_by_its_parts():
    written_whole = chunk(0, "Årets investeringsbudget används för utrustning.")
    written_apart = chunk(1, "Investeringar (belopp i mnkr) | Utfall | Budget 2018\nTotalt | 0,4 | 3,5")
    other = chunk(2, "Budget och utfall följs upp varje månad.")
    index = LexicalIndex.build([written_whole, written_apart, other])
    only_apart = np.array([False, True, True])
    assert [c.id for c, _ in index.search("investeringsbudgeten", 5, only_apart)][0] == "c1"
    # Where the compound itself is written, its parts would only dilute it.
    assert [c.id for c, _ in index.search("investeringsbudgeten", 5)] == ["c0"]


def test_an_el_word_that_lost_its_e_meets_its_base_form():
    # Snowball leaves "utvecklingsmedlen" as "utvecklingsmedl" but "utvecklingsmedel" whole.
    assert dict(analyse_words("utvecklingsmedlen"))["utvecklingsmedlen"] & dict(analyse_words("Utvecklingsmedel"))["utvecklingsmedel"]
    assert dict(analyse_words("reglerna"))["reglerna"] & dict(analyse_words("regel"))["regel"]
    assert "kontrol" not in dict(analyse_words("kontroll"))["kontroll"]  # two consonants: no e was lost


def test_stop_words_come_from_the_declared_source():
    import tomllib
    from pathlib import Path

    from granska.index.lexical import STOPWORDS_DISTRIBUTION, STOPWORDS_PATH, stopwords

    words = stopwords()
    assert len(words) > 100 and {"och", "att", "det", "som"} <= words
    assert STOPWORDS_PATH.endswith("stopwords/swedish")
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(dep.startswith(STOPWORDS_DISTRIBUTION) for dep in pyproject["project"]["dependencies"])


def test_the_analyser_version_follows_the_stop_word_list():
    from granska.index.lexical import analyser_version, stopwords

    words = stopwords()
    assert analyser_version() == analyser_version(sorted(words, reverse=True))  # the list's order is no change
    assert analyser_version(words - {"och"}) != analyser_version()
    assert analyser_version(words | {"arkivtest"}) != analyser_version()
