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
