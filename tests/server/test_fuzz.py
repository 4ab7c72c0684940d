"""Hostile input: figure parsing, text and PDF reading, and question parsing on random input.

Each of these sees text nobody controls (uploaded files, typed questions), so the contract is:
never an unexpected exception, always well-typed values; files that cannot be read raise
`IngestError` only, which the ingest reports per file and goes on.
"""

from __future__ import annotations

import itertools
import math
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from granska.app.query import Query, parse_question
from granska.app.scope import Scope, resolve_scope
from granska.index.registry import DocumentRecord
from granska.ingest.errors import IngestError
from granska.ingest.numbers import normalise_number_tokens, parse_figure, parse_figures
from granska.ingest.reader import read_document
from granska.ingest.text import read_text
from granska.types import Block, Figure, ParsedDocument
from tests.conftest import SAMPLE

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like a report: digits, separators (NBSP, U+202F, thin space), signs (U+2212,
# en dash), Swedish letters, units and punctuation, mixed with anything at all.
_REPORTISH = st.lists(
    st.one_of(
        st.sampled_from(list("0123456789 ,.%+-\u2212\u2013\u00a0\u202f\u2009\n\t\fåäöÅÄÖ()[]/:;")),
        st.sampled_from(["mnkr", "tkr", "kr", "mdkr", "procent", "procentenheter", "miljoner", "jan", "2020", "Sida 3 av 9"]),
    ),
    max_size=60,
).map("".join)
_ANY_TEXT = st.one_of(_REPORTISH, st.text(max_size=200))
_UNITS = st.one_of(st.none(), st.sampled_from(["kr", "tkr", "mnkr", "%", "procentenheter", ""]), st.text(max_size=8))


def _check_figure(figure: Figure, source: str) -> None:
    assert isinstance(figure, Figure)
    assert isinstance(figure.text, str) and figure.text and figure.text in source
    assert isinstance(figure.value, float) and not math.isnan(figure.value)
    assert figure.unit in ("kr", "%", "procentenheter", "")


@FUZZ
@given(text=_ANY_TEXT, unit=_UNITS)
def test_parse_figures_never_raises(text: str, unit: str | None) -> None:
    for figure in parse_figures(text, unit):
        _check_figure(figure, text)
    single = parse_figure(text, unit)
    assert single is None or (_check_figure(single, text) is None)


@FUZZ
@given(text=_ANY_TEXT)
def test_normalise_number_tokens_never_raises(text: str) -> None:
    out = normalise_number_tokens(text)
    assert isinstance(out, str)
    assert normalise_number_tokens(out) == out  # one pass gives the final tokens (queries and index agree)


# -- files ----------------------------------------------------------------------------------------

_WORKDIR = Path(tempfile.mkdtemp(prefix="granska-fuzz-"))
_counter = itertools.count()


def _write(data: bytes, suffix: str) -> Path:
    path = _WORKDIR / f"fil-{next(_counter)}{suffix}"
    path.write_bytes(data)
    return path


def _check_document(doc: ParsedDocument) -> None:
    assert isinstance(doc, ParsedDocument) and isinstance(doc.page_count, int)
    for block in doc.blocks:
        assert isinstance(block, Block) and isinstance(block.text, str) and isinstance(block.page, int)
        assert 1 <= block.page <= max(doc.page_count, 1)


_TEXT_FILES = st.one_of(
    _ANY_TEXT.map(lambda t: t.encode("utf-8")),
    _ANY_TEXT.map(lambda t: t.encode("cp1252", errors="replace")),
    _ANY_TEXT.map(lambda t: t.encode("utf-16")),
    st.binary(max_size=300),
)


@settings(FUZZ, max_examples=150)
@given(data=_TEXT_FILES, suffix=st.sampled_from([".txt", ".md"]))
def test_read_text_on_random_files(data: bytes, suffix: str) -> None:
    try:
        doc = read_text(_write(data, suffix))
    except IngestError as exc:
        assert str(exc)
        return
    _check_document(doc)


def _pdf_bytes() -> list[bytes]:
    return [p.read_bytes() for p in sorted(SAMPLE.glob("*.pdf"))[:2]]


@settings(FUZZ, max_examples=25)
@given(data=st.one_of(st.binary(max_size=2000), st.binary(max_size=200).map(lambda b: b"%PDF-1.7\n" + b)))
def test_random_bytes_as_pdf_raise_only_ingest_errors(data: bytes) -> None:
    try:
        _check_document(read_document(_write(data, ".pdf")))
    except IngestError:
        pass


@pytest.mark.slow
def test_truncated_and_damaged_pdfs_raise_only_ingest_errors() -> None:
    """Real PDFs cut at random points or with bytes flipped: read, or IngestError, nothing else."""
    rng = random.Random(7)
    for original in _pdf_bytes():
        cuts = [rng.randrange(1, len(original)) for _ in range(6)]
        damaged = []
        for _ in range(3):
            data = bytearray(original)
            for _ in range(20):
                data[rng.randrange(len(data))] = rng.randrange(256)
            damaged.append(bytes(data))
        for data in [original[:cut] for cut in cuts] + damaged:
            try:
                _check_document(read_document(_write(data, ".pdf")))
            except IngestError as exc:
                assert str(exc)


# -- questions ------------------------------------------------------------------------------------

REGISTRY = [
    DocumentRecord("a.pdf", "1" * 64, "/x/a.pdf", "Regionkontoret", "månadsrapport", 202001, 202010, "Månadsrapport oktober", 9, 30, "2020-11-01"),
    DocumentRecord("b.pdf", "2" * 64, "/x/b.pdf", "Regionkontoret", "uppföljningsrapport", 201901, 201908, "UR2", 40, 150, "2019-09-01"),
    DocumentRecord("c.pdf", "3" * 64, "/x/c.pdf", "Region Värmland", "delårsrapport", 202101, 202108, "Delår", 20, 33, "2021-09-01"),
]

_QUESTIONISH = st.lists(
    st.one_of(
        st.sampled_from([
            "Vad", "var", "prognosen", "sjukfrånvaron", "i", "oktober", "2020", "sedan augusti", "jämfört med",
            "Regionkontoret", "Region Värmland", "Halland", "hela regionen", "UR2", "efter två månader", "förra året",
            "enligt tabellen", "varför", "vilka", "mnkr", "−2,5", "119 695", "%", "?", "RK", "feb-", "okt-rapporten",
        ]),
        st.text(max_size=12),
    ),
    max_size=14,
).map(" ".join)


@settings(FUZZ, max_examples=300)
@given(text=st.one_of(_QUESTIONISH, st.text(max_size=300)))
def test_question_parsing_and_scope_never_raise(text: str) -> None:
    query = parse_question(text)
    assert isinstance(query, Query)
    assert all(isinstance(y, int) for y in query.years)
    assert all(isinstance(t, str) and isinstance(f, frozenset) for t, f in query.terms)
    scope = resolve_scope(query, REGISTRY)
    assert isinstance(scope, Scope)
    assert all(d in REGISTRY for d in scope.documents)
    assert scope.refusal is None or (isinstance(scope.refusal, str) and scope.refusal)
