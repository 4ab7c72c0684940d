"""Scoring of one answer against one ground-truth question, and aggregation per category.

Everything here is a pure function of (question item, answer object, retrieved passages), so the
suite can re-score stored answers without re-running the app, and the unit tests can pin every
rule with hand-written answers. The question items are the JSON lines of `eval/questions/*.jsonl`
(schema in DESIGN.md, plus an optional `unit`); the answer object is DESIGN.md's `--json` shape.

Rules, each chosen so that a correct Swedish answer passes in any reasonable wording and a wrong
one cannot:

Figures (`figure_ok`)
    Every expected figure must be stated in the answer text. Matching goes through
    `granska.ingest.numbers`, so it is unit-, scale- and sign-aware: "82,7 mnkr" = "82 700 tkr" =
    "82,7 miljoner kronor"; "2,78%" = "2,78 %" = "2,78 procent"; U+2212, en dash and hyphen are one
    minus; a figure may be rounded to the precision the answer writes ("12,3 %" for "12,32%"),
    but a different unit ("82,7 tkr") or a different number never matches. Bare numbers in an
    expected figure take the item's optional `unit` (the unit a table header states, e.g.
    "mnkr"); without it they only match bare numbers. A negative expected figure also matches the
    same figure written without a sign when the answer states the direction in words next to it
    ("minskade med 2,5 mnkr", "ett underskott på 2,5 mnkr"): within the clause, up to
    `_DIRECTION_BEFORE` characters before and `_DIRECTION_AFTER` after the figure.
    Accounting signs: when an expected figure is written without a sign but every occurrence of
    it in the item's evidence carries a minus (a table that books costs and investments as
    negative amounts: expected "288,0", evidence "TOTAL -104,7 -227,1 -288,0"), the sign is a
    bookkeeping convention rather than a direction, and either sign matches.

Keywords (`keyword_coverage`)
    Share of the item's keywords found in the answer, case-insensitively. Text and keywords are
    split into tokens of letters and digits; a keyword is found when each of its tokens matches
    some answer token. Tokens match when their Swedish Snowball stems are equal; when the answer
    token starts with the keyword token's stem and that stem has at least `_MIN_PREFIX_STEM`
    characters; or when the two stems share all but the last character of the shorter one and
    that has at least `_MIN_TRIMMED_STEM` characters (Snowball leaves "utvecklingsmedlen" as
    "utvecklingsmedl" but "utvecklingsmedel" whole). This lets
    inflection and compounding through ("vakanser" -> "vakanserna", "överklagande" ->
    "överklagats", "avgång" -> "avgångarna") while a short stem such as "hr" has to match a whole
    word and "överskott" never meets "överskrida".

Refusals (`refusal_ok`, `correct_refusal`, `false_refusal`)
    An `unanswerable` item must be refused (`refused: true`); any other item must not be.
    A refusal of an unanswerable item passes only if the answer text states no figure that is
    absent from its cited passages (`invented_figures`): pointing at the nearest period the
    archive does hold is helpful, inventing a number is not.

Citations (`citation_ok`)
    At least one citation's `document` is among the item's `source`, and every expected figure
    occurs in the text of some cited passage (same figure matching, the item's `unit` applying to
    bare table numbers in the passage, or else the unit the table's column header or caption
    states: "Investering (tkr)" over "1 000" shows 1 mnkr; no sign-by-words allowance: the
    passage must show the figure). Not applicable (None) to unanswerable items.

Retrieval (`recall@5`, `recall@10`)
    Share of the item's evidence strings that the top k retrieved passages hold. An evidence
    string is held when its whitespace-normalised text is contained in a passage, or, because
    chunking may split a passage or re-flow a table row, when at least `_TOKEN_OVERLAP` of its
    tokens occur in one passage of one of the item's source documents. Not applicable (None)
    without evidence or without retrieved passages.

Passing (`passed`)
    figure_table, figure_text, compare, ambiguous_period: not refused, figure_ok and citation_ok.
    why, list: not refused, keyword_coverage >= `KEYWORD_PASS`, and a source document cited; an
    item with expected figures and no keywords: not refused, figure_ok, a source cited.
    unanswerable: refused and no invented figures.
"""

from __future__ import annotations

import math
import os
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import Stemmer

from granska.ingest.chunk import CELL_SEP, unit_of  # the passage format and unit rule ingest writes tables with
from granska.ingest.numbers import parse_figure, parse_figures, same_figure
from granska.types import Figure

CATEGORIES: tuple[str, ...] = (
    "figure_table", "figure_text", "why", "list", "compare", "unanswerable", "ambiguous_period",
)
FIGURE_CATEGORIES = frozenset({"figure_table", "figure_text", "compare", "ambiguous_period"})
KEYWORD_CATEGORIES = frozenset({"why", "list"})

KEYWORD_PASS = 0.6
"""Keyword share a why/list answer needs: most of the reasons or items, not necessarily all."""

_MIN_PREFIX_STEM = 4
_MIN_TRIMMED_STEM = 6
_TOKEN_OVERLAP = 0.8
_DIRECTION_BEFORE = 60
_DIRECTION_AFTER = 30

# Stems of words that say "negative" in a Swedish report answer: "minskade", "minskning",
# "underskott", "negativ", "lägre", "sämre", "försämrades", "sjönk", "sjunkit", "minus",
# "förlust", "dyrare", "överskrider", "nedgång", "tapp".
_NEGATIVE_CUE_RE = re.compile(
    r"\b(?:minsk|underskott|negativ|lägre|sämre|försämr|sjönk|sjunk|minus|förlust|dyrare"
    r"|överskrid|nedgång|tapp)\w*",
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(r"[.;:!?\n]\s|[;\n]")
_CITATION_MARK_RE = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]")
_TOKEN_RE = re.compile(r"[0-9a-zåäöéüæø]+", re.IGNORECASE)


def normalise_ws(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space.

    PDF extraction, chunking and the question files break lines in different places; comparing
    after this normalisation makes containment checks independent of line breaks.
    """
    return re.sub(r"\s+", " ", text).strip()


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN_RE.findall(text)]


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("swedish")


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    return _stemmer().stemWord(token)


# --- figures -----------------------------------------------------------------------------


def expected_figures(item: Mapping[str, Any]) -> list[Figure]:
    """The item's expected figures, parsed with the item's `unit` for bare table numbers.

    Raises ValueError for a figure string that holds no figure or several, because a question
    file the scorer cannot read would silently score every answer as wrong.
    """
    unit = item.get("unit")
    out = []
    for text in item.get("figures", []):
        figure = parse_figure(text, default_unit=unit)
        if figure is None:
            raise ValueError(f"{item.get('id')}: expected figure {text!r} is not one figure")
        out.append(figure)
    return out


def _strip_citation_marks(text: str) -> str:
    """Remove "[1]", "[2, 3]" markers, which would otherwise read as the bare numbers 1, 2, 3."""
    return _CITATION_MARK_RE.sub(" ", text)


def _located_figures(text: str, default_unit: str | None = None) -> list[tuple[int, Figure]]:
    """Figures of `text` with their start offsets (parse_figures keeps order and exact text)."""
    located, cursor = [], 0
    for figure in parse_figures(text, default_unit=default_unit):
        at = text.find(figure.text, cursor)
        if at < 0:
            at = cursor
        located.append((at, figure))
        cursor = at + len(figure.text)
    return located


def _clause_around(text: str, start: int, end: int) -> str:
    """The text near a figure, cut at clause boundaries so a cue from another sentence is ignored."""
    before = text[max(0, start - _DIRECTION_BEFORE):start]
    breaks = list(_CLAUSE_BREAK_RE.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    after = text[end:end + _DIRECTION_AFTER]
    cut = _CLAUSE_BREAK_RE.search(after)
    if cut:
        after = after[:cut.start()]
    return before + " " + after


def _is_unsigned(figure: Figure) -> bool:
    return not figure.text.lstrip().startswith(("+", "-", "−", "–", "±"))


def _magnitude(figure: Figure) -> Figure:
    return Figure(figure.text, abs(figure.value), figure.unit)


def accounting_signed(item: Mapping[str, Any], figure_text: str) -> bool:
    """Whether an unsigned expected figure occurs in the item's evidence only with a minus.

    Such a sign is the table's bookkeeping convention (costs, investments), so the answer may
    state the amount with or without it.
    """
    if normalise_ws(figure_text)[:1] in "+-−–±":
        return False
    pattern = re.compile(rf"(?<![\d,])([-−–]?){re.escape(normalise_ws(figure_text))}(?!\d|,\d)")
    signs = [m.group(1) for ev in item.get("evidence") or [] for m in pattern.finditer(normalise_ws(ev))]
    return bool(signs) and all(signs)


def figure_in_text(expected: Figure, text: str, *, allow_direction_words: bool = True,
                   either_sign: bool = False, default_unit: str | None = None) -> bool:
    """Whether `text` states `expected` (see the module docstring for the matching rules).

    `either_sign` is for accounting-signed figures (see `accounting_signed`).
    """
    clean = _strip_citation_marks(text)
    for at, found in _located_figures(clean, default_unit):
        if same_figure(expected, found):
            return True
        if either_sign and same_figure(_magnitude(expected), _magnitude(found)):
            return True
        if (allow_direction_words and expected.value < 0 and found.value > 0
                and _is_unsigned(found)
                and same_figure(Figure(expected.text, -expected.value, expected.unit), found)
                and _NEGATIVE_CUE_RE.search(_clause_around(clean, at, at + len(found.text)))):
            return True
    return False


def _figure_in_passages(expected: Figure, passages: Iterable[str], unit: str | None,
                        either_sign: bool) -> bool:
    return any(
        figure_in_text(expected, passage, allow_direction_words=False, either_sign=either_sign,
                       default_unit=unit)
        or (unit is None and any(
            figure_in_text(expected, cell, allow_direction_words=False, either_sign=either_sign,
                           default_unit=cell_unit)
            for cell, cell_unit in _table_cells(passage) if cell_unit))
        for passage in passages
    )


def _table_cells(passage: str) -> list[tuple[str, str | None]]:
    """A cited table passage's cells, each with the unit its column header or the caption states
    ("Investering (tkr)" over "1 000"): the passage shows "1 000 tkr" though the cell prints a
    bare number. [] for a passage that is not a table (no header line of cells)."""
    lines = passage.split("\n")
    at = next((i for i, line in enumerate(lines) if CELL_SEP in line), None)
    if at is None:
        return []
    header = lines[at].split(CELL_SEP)
    table_unit = unit_of(" ".join(lines[:at])) or unit_of(header[0])
    units = [unit_of(name) or table_unit for name in header]
    return [(cell, units[col] if col < len(units) else table_unit)
            for line in lines[at + 1:] for col, cell in enumerate(line.split(CELL_SEP))]


def invented_figures(answer_text: str, cited_texts: Sequence[str]) -> list[str]:
    """Figures the answer states that no cited passage shows: numbers with nothing behind them."""
    out = []
    for _, found in _located_figures(_strip_citation_marks(answer_text)):
        if not any(figure_in_text(found, cited, allow_direction_words=False) for cited in cited_texts):
            out.append(found.text)
    return out


# --- keywords ----------------------------------------------------------------------------


def _token_matches(keyword_token: str, answer_tokens: Iterable[str]) -> bool:
    stem = _stem(keyword_token)
    for token in answer_tokens:
        other = _stem(token)
        if other == stem:
            return True
        if len(stem) >= _MIN_PREFIX_STEM and token.startswith(stem):
            return True
        shorter = min(len(stem), len(other))
        if shorter >= _MIN_TRIMMED_STEM and len(os.path.commonprefix([stem, other])) >= shorter - 1:
            return True
    return False


def keyword_present(keyword: str, text: str) -> bool:
    """Whether every token of `keyword` occurs in `text`, allowing Swedish inflection."""
    answer_tokens = set(_tokens(text))
    keyword_tokens = _tokens(keyword)
    return bool(keyword_tokens) and all(_token_matches(k, answer_tokens) for k in keyword_tokens)


def keyword_coverage(keywords: Sequence[str], text: str) -> float | None:
    """Share of `keywords` present in `text`; None when the item has no keywords."""
    if not keywords:
        return None
    return sum(keyword_present(k, text) for k in keywords) / len(keywords)


# --- retrieval ---------------------------------------------------------------------------


def evidence_retrieved(evidence: str, passages: Sequence[Mapping[str, Any]],
                       sources: Sequence[str]) -> bool:
    """Whether one evidence string is held by one of `passages` (containment or token overlap)."""
    needle = normalise_ws(evidence)
    needle_tokens = _tokens(needle)
    for passage in passages:
        text = normalise_ws(str(passage.get("text", "")))
        if needle and needle in text:
            return True
        if needle_tokens and passage.get("document") in sources:
            have = set(_tokens(text))
            if sum(t in have for t in needle_tokens) / len(needle_tokens) >= _TOKEN_OVERLAP:
                return True
    return False


def recall_at(item: Mapping[str, Any], retrieved: Sequence[Mapping[str, Any]] | None,
              k: int) -> float | None:
    """Share of the item's evidence strings held by the top `k` retrieved passages."""
    evidence = item.get("evidence") or []
    if not evidence or retrieved is None:
        return None
    top = list(retrieved)[:k]
    sources = item.get("source") or []
    return sum(evidence_retrieved(ev, top, sources) for ev in evidence) / len(evidence)


# --- one question ------------------------------------------------------------------------


def _latency(answer: Mapping[str, Any], latency_ms: float | None) -> float | None:
    if latency_ms is not None:
        return float(latency_ms)
    total = (answer.get("timings_ms") or {}).get("total")
    return float(total) if total is not None else None


def score_question(item: Mapping[str, Any], answer: Mapping[str, Any],
                   retrieved: Sequence[Mapping[str, Any]] | None = None,
                   latency_ms: float | None = None) -> dict[str, Any]:
    """Per-question scores for one answer object (DESIGN.md shape) to one question item.

    `retrieved` is the ranked list of passage dicts (`document`, `text`) the retriever returned
    for the question, when the run recorded it; `latency_ms` overrides the answer's own
    `timings_ms.total`. Metrics that do not apply to the item are None, never a made-up 0 or 1,
    so that summaries average only what was measured.
    """
    category = item["category"]
    if category not in CATEGORIES:
        raise ValueError(f"{item.get('id')}: unknown category {category!r}")
    text = str(answer.get("answer", ""))
    refused = bool(answer.get("refused"))
    citations = answer.get("citations") or []
    cited_texts = [str(c.get("text", "")) for c in citations]
    cited_docs = {c.get("document") for c in citations}
    sources = item.get("source") or []
    unit = item.get("unit")
    expected = list(zip(expected_figures(item),
                        [accounting_signed(item, t) for t in item.get("figures", [])]))
    answerable = category != "unanswerable"

    figure_ok = (
        all(figure_in_text(f, text, either_sign=signless) for f, signless in expected)
        if expected else None
    )
    coverage = keyword_coverage(item.get("keywords") or [], text)
    cited_source = bool(cited_docs & set(sources)) if answerable else None
    citation_ok = (
        bool(cited_source)
        and all(_figure_in_passages(f, cited_texts, unit, signless) for f, signless in expected)
        if answerable else None
    )
    invented = invented_figures(text, cited_texts) if not answerable else []

    if category in FIGURE_CATEGORIES:
        passed = not refused and figure_ok is not False and bool(citation_ok)
    elif category in KEYWORD_CATEGORIES and coverage is None and expected:
        # A why/list item that names the figure of its cause instead of keywords ("en rättning
        # om 34,4 miljoner kronor") is passed by stating that figure, from a source.
        passed = not refused and figure_ok is True and bool(cited_source)
    elif category in KEYWORD_CATEGORIES:
        passed = (not refused and coverage is not None and coverage >= KEYWORD_PASS
                  and bool(cited_source))
    else:
        passed = refused and not invented

    return {
        "id": item.get("id"),
        "category": category,
        "passed": bool(passed),
        "figure_ok": figure_ok,
        "keyword_coverage": coverage,
        "refused": refused,
        "refusal_ok": refused if not answerable else not refused,
        "correct_refusal": refused if not answerable else None,
        "false_refusal": refused if answerable else None,
        "invented_figures": invented,
        "cited_source": cited_source,
        "citation_ok": citation_ok,
        "recall@5": recall_at(item, retrieved, 5),
        "recall@10": recall_at(item, retrieved, 10),
        "latency_ms": _latency(answer, latency_ms),
    }


# --- aggregation -------------------------------------------------------------------------


def _mean(values: Iterable[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: an observed latency, never an interpolated one."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _summary(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    latencies = [r["latency_ms"] for r in rows if r.get("latency_ms") is not None]
    unanswerable = [r for r in rows if r["category"] == "unanswerable"]
    answerable = [r for r in rows if r["category"] != "unanswerable"]
    return {
        "n": len(rows),
        "passed": sum(bool(r["passed"]) for r in rows),
        "pass_rate": _mean(r["passed"] for r in rows),
        "figure_accuracy": _mean(r.get("figure_ok") for r in rows),
        "keyword_coverage": _mean(r.get("keyword_coverage") for r in rows),
        "correct_refusals": sum(bool(r.get("correct_refusal")) for r in unanswerable),
        "correct_refusal_rate": _mean(r.get("correct_refusal") for r in unanswerable),
        "false_refusals": sum(bool(r.get("false_refusal")) for r in answerable),
        "false_refusal_rate": _mean(r.get("false_refusal") for r in answerable),
        "citation_accuracy": _mean(r.get("citation_ok") for r in rows),
        "recall@5": _mean(r.get("recall@5") for r in rows),
        "recall@10": _mean(r.get("recall@10") for r in rows),
        "latency_ms_median": statistics.median(latencies) if latencies else None,
        "latency_ms_p95": _percentile(latencies, 95) if latencies else None,
    }


def summarise(scored: list[dict]) -> dict:
    """Aggregate per-question scores overall and per category (categories in canonical order).

    Rates are over the questions a metric applies to (None values are skipped); counts of
    refusals are absolute so a report can say "3 of 18".
    """
    by_category = {
        category: _summary([r for r in scored if r["category"] == category])
        for category in CATEGORIES
        if any(r["category"] == category for r in scored)
    }
    return {"overall": _summary(scored), "by_category": by_category}
