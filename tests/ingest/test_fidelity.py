"""Figure fidelity: every figure of a report's text extract is among the figures ingest keeps.

Each sample PDF has a text extract of the same report in the shared corpus. An answer can only
cite a figure that survived reading, cleaning, tables and chunking, so the share of the
extract's figures (`parse_figures`) found among the ingested chunks' figures (`chunk.figures`,
plus `parse_figures(chunk.text)`), compared with `same_figure`, measures what ingest loses.

The floors are the measured shares. The extracts are not byte-identical to the PDFs; the known
misses are extract-vs-PDF differences, not ingest losses:
- manadsrapport-2020-02: the extract glues two table cells into "13,0%Medarbetare", so its
  figure reads as a bare 13,0; the PDF cell is "13,0%" and ingest keeps it as 13,0 %.
A share below its floor is a regression: run this file with `-s` to see the missed figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from granska.ingest.numbers import parse_figures, same_figure
from granska.ingest.pipeline import file_hash, process_file
from granska.types import Figure

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
from tests.conftest import TXT  # noqa: E402

# Measured share of the extract's figures found in the ingested chunks, per report.
FLOORS: dict[str, float] = {
    "halland-regionkontoret-manadsrapport-2018-09": 1.0,
    "halland-regionkontoret-manadsrapport-2020-02": 121 / 122,
    "halland-regionkontoret-manadsrapport-2020-10": 1.0,
    "halland-regionkontoret-uppfoljningsrapport-2-2019-08": 1.0,
    "varmland-regionstyrelsen-delarsrapport-2021": 1.0,
}

def ingested_figures(pdf: Path) -> list[Figure]:
    """The figures a search can cite: those recorded on each chunk and those in its text."""
    _meta, chunks = process_file(pdf, file_hash(pdf))
    figures: list[Figure] = []
    for chunk in chunks:
        figures.extend(chunk.figures)
        figures.extend(parse_figures(chunk.text))
    return figures


def missed(expected: list[Figure], found: list[Figure]) -> list[Figure]:
    return [figure for figure in expected if not any(same_figure(figure, other) for other in found)]


def test_every_sample_report_with_an_extract_has_a_floor() -> None:
    measured = {path.stem for path in SAMPLE.glob("*.pdf") if (TXT / f"{path.stem}.txt").is_file()}
    assert measured == set(FLOORS)


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_extract_figures_survive_ingest(name: str, record_property: pytest.RecordProperty) -> None:
    expected = parse_figures((TXT / f"{name}.txt").read_text(encoding="utf-8"))
    assert expected, "the extract holds no figures: the comparison would be empty"
    misses = missed(expected, ingested_figures(SAMPLE / f"{name}.pdf"))
    share = 1 - len(misses) / len(expected)
    record_property("figure_share", round(share, 4))
    print(f"{name}: {len(expected) - len(misses)}/{len(expected)} figures ({share:.1%})")
    for figure in misses:
        print(f"  missed {figure.text!r} = {figure.value} {figure.unit}".rstrip())
    assert share >= FLOORS[name] - 1e-9, [figure.text for figure in misses]
