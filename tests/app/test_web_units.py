"""Fast checks of the web app's pure parts: upload checks, snippets, highlighting (users file: test_users.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from granska.app.pages import PageError, check_page, line_boxes, matched_words, resolve_document
from granska.app.web import chat_text, citation_cards, progressive
from granska.app.webapi import ArchiveService, UploadRejected, clean_filters, exact_first, snippet_html

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


@pytest.fixture
def service(tmp_path):
    engine = SimpleNamespace(settings=SimpleNamespace(store=tmp_path / "store"))
    return ArchiveService(engine, max_upload_bytes=1000)


def test_upload_checks(service, tmp_path):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    assert service.check_upload(pdf, "../../etc/Rapport 2020 (1).pdf") == "Rapport-2020-1-.pdf"
    fake = tmp_path / "b.pdf"
    fake.write_bytes(b"<html>not a pdf</html>")
    big = tmp_path / "c.pdf"
    big.write_bytes(b"%PDF-" + b"x" * 2000)
    exe = tmp_path / "d.exe"
    exe.write_bytes(b"MZ")
    empty = tmp_path / "e.txt"
    empty.write_bytes(b"")
    for path, reason in [(fake, "ingen giltig PDF"), (big, "gränsen"), (exe, "bara PDF"), (empty, "tom")]:
        with pytest.raises(UploadRejected, match=reason):
            service.check_upload(path, path.name)


def test_rejected_uploads_are_reported_by_name_without_ingesting(service, tmp_path):
    exe = tmp_path / "virus.exe"
    exe.write_bytes(b"MZ")
    outcome = service.upload([(exe, "virus.exe")])
    assert outcome.failed == [("virus.exe", "bara PDF-, .txt- och .md-filer kan läsas in")]
    assert not outcome.added


def test_unknown_filters_are_refused():
    assert clean_filters({"organisation": "", "year": 2020}) == {"year": 2020}
    with pytest.raises(ValueError, match="kommun"):
        clean_filters({"kommun": "Halmstad"})


def test_snippets_mark_whole_figures_only():
    text = "Ack | -119 097 | Ackumulerad budgetavvikelse | 119\u00a0695 tkr | 182,75 och 82,7 mnkr och −2,5 mnkr"
    assert "<mark>119 695</mark>" in snippet_html(text, "119 695")  # snippets flatten any spacing
    assert "<mark>119</mark>" not in snippet_html(text, "119 695")
    marked = snippet_html(text, "82,7")
    assert marked.count("<mark>") == 1 and "<mark>82,7</mark>" in marked
    assert "<mark>−2,5</mark>" in snippet_html(text, "-2,5")
    assert "<mark>Ackumulerad</mark>" in snippet_html(text, "ackumulerad")
    assert "&lt;b&gt;" in snippet_html("<b>82,7</b>", "82,7")


def test_exact_matches_come_first():
    hits = [{"text": "119 097"}, {"text": "summa 119\u00a0695 tkr"}, {"text": "annat"}]
    assert [h["text"] for h in exact_first(hits, "119 695")][0] == "summa 119\u00a0695 tkr"


def test_passage_words_are_found_on_the_page():
    words = [
        {"text": t, "x0": 10.0 * i, "x1": 10.0 * i + 8, "top": 100.0, "bottom": 108.0}
        for i, t in enumerate("År 2020 prognostiserar Regionkontoret +82,7 mnkr. Sedan 2020 ingen".split())
    ]
    marked = [w["text"] for w in matched_words(words, "prognostiserar Regionkontoret +82,7 mnkr")]
    assert marked == ["prognostiserar", "Regionkontoret", "+82,7", "mnkr."]
    assert len(line_boxes(matched_words(words, "prognostiserar Regionkontoret +82,7 mnkr"))) == 1


def test_only_registry_documents_and_real_pages_are_served(tmp_path):
    record = SimpleNamespace(document="r.pdf", path=str(SAMPLE / "halland-regionkontoret-manadsrapport-2020-10.pdf"), pages=13)
    records = {"r.pdf": record}
    assert resolve_document(records, "r.pdf")[1].is_file()
    for name in ("../../etc/passwd", "/etc/passwd", "R.PDF", ""):
        with pytest.raises(PageError):
            resolve_document(records, name)
    for page in (0, -1, 14):
        with pytest.raises(PageError):
            check_page(record, Path(record.path), page)


def test_chat_rendering():
    citation = {"n": 1, "document": "r<x>.pdf", "organisation": "Region", "report_type": "månadsrapport", "period": "2020-10",
                "page": 9, "page_label": "9", "section": "4.1", "kind": "table", "text": "82,7 mnkr"}
    answer = {"answer": "Avvikelsen är 82,7 mnkr [1]", "citations": [citation], "warnings": ["x"]}
    assert "**Källor:** [1] r<x>.pdf, s. 9" in chat_text(answer)
    cards = citation_cards([citation])
    assert "r&lt;x&gt;.pdf" in cards and "api/pdf/r%3Cx%3E.pdf#page=9" in cards
    assert list(progressive("a b c d e", steps=2))[-1] == "a b c d e"



def test_snippet_marks_the_matched_figure_as_printed() -> None:
    """A search for "402,5 mnkr" finds "-402 510 tkr": the snippet centres on and marks the
    printing, which the query's own words would never match."""
    text = "Kostnader " + "mycket text " * 40 + "Ack utfall i år -402 510 tkr | 14 660 tkr"
    marked = snippet_html(text, "402,5 mnkr", figures=["-402 510 tkr"])
    assert "<mark>-402 510 tkr</mark>" in marked and marked.startswith("… ")
    assert "<mark>" not in snippet_html(text, "402,5 mnkr")
