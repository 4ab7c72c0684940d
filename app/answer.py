"""Extractive answers: pick the sentences or table rows that answer the question, and cite them.

Nothing is generated: every sentence of an answer is either copied from a cited passage or a
table row rendered with its column headers, plus short Swedish connecting labels. A passage is
only used when it covers enough of what the question is about (weighted by how specific each
word is); otherwise the answer is an honest refusal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from granska.app.acronyms import acronyms, expansions, spelled_out
from granska.app.query import YEAR, Query, expand_abbreviations
from granska.app.ranking import fitted_weights, score
from granska.app.scope import period_label
from granska.index.lexical import LexicalIndex, analyse, analyse_words, split_compound
from granska.index.values import query_values, states
from granska.ingest.chunk import CELL_SEP, unit_of  # the ingest's own unit rule for table columns
from granska.ingest.numbers import parse_figure, parse_figures
from granska.types import Chunk, Figure, Hit

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9+\-–•])")
_CAUSAL = re.compile(
    r"\b(beror|berodde|på grund av|pga|till följd av|förklaras|orsak|eftersom|med anledning av|kopplat till|avser|då |vilket)\b",
    re.I,
)
# A list item's marker: a bullet, a dash that is not a minus sign ("-2,5 mnkr" keeps its sign),
# or a number ("1. Kommunfullmäktige riktar anmärkning mot ...").
_BULLET = re.compile(r"^\s*(?:[•·●]|[\-–](?![\d,])|\d{1,2}[.)](?=\s))\s*")
# Column names of a whole year's figures ("Årsprognos", "Helår", "Budget 2018") and words that
# ask for the year to date instead ("ackumulerade", "periodens", "hittills").
_WHOLE_YEAR = re.compile(r"(års|helår|prognos|budget)", re.I)
_TO_DATE = re.compile(r"\b(ack\w*|period\w*|hittills|delår\w*|utfall\w*)", re.I)
_TOTAL_ROW = re.compile(r"(totalt|total|summa|samtliga|sammanlagt|sammantaget)\b", re.I)


@dataclass
class Candidate:
    """A sentence, bullet or table row that could answer, with where it comes from."""

    text: str  # as shown in the answer
    chunk: Chunk
    rank: int  # retrieval rank of its chunk
    kind: str  # "sentence" | "row"
    figures: list[Figure] = field(default_factory=list)
    seq: int = 0  # order within its chunk, to find neighbours
    line: int = 0  # the paragraph (line of its chunk) a sentence belongs to
    bullet: bool = False
    label: str = ""  # a table row's own label ("Sjukfrånvaro"); the rest of a row is column names and values
    row_key: str = ""  # the most specific label cell, which identifies the row across tables
    groups: tuple[str, ...] = ()  # the row groups it sits under ("Avfall & Återvinning" over "Utgifter")
    columns: tuple[str, ...] = ()  # a row's column headers over its figures ("Årsprognos tkr", "Budget 2024")
    coverage: float = 0.0
    score: float = 0.0
    features: dict[str, float] = field(default_factory=dict)  # app.ranking.FEATURES, set by score_candidates
    dense_rank: int | None = None  # its passage's rank among the dense hits
    lexical_rank: int | None = None  # ... and among the BM25 hits
    matched: frozenset[str] = frozenset()
    said: frozenset[str] = frozenset()  # the question words the statement itself says (not its headings)

    @property
    def first_column(self) -> str:
        """A row's column header over its first figure ("Årsprognos tkr"); "" for a sentence."""
        return self.columns[0] if self.columns else ""


def candidates_from(hits: list[Hit]) -> list[Candidate]:
    out: list[Candidate] = []
    by_position = {(h.chunk.document, h.chunk.position): h.chunk for h in hits}
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        if chunk.kind == "table":
            found = _row_candidates(chunk, rank)
        else:
            found = _sentence_candidates(chunk, rank, by_position.get((chunk.document, chunk.position - 1)))
        for cand in found:
            cand.dense_rank, cand.lexical_rank = hit.dense_rank, hit.lexical_rank
        out += found
    return out


def _sentence_candidates(chunk: Chunk, rank: int, previous: Chunk | None) -> list[Candidate]:
    out = []
    seq = 0
    begun = _begun_before(chunk, previous)
    for line_no, line in enumerate(chunk.text.split("\n")):
        bullet = bool(_BULLET.match(line))
        for sentence in _SENTENCE.split(_BULLET.sub("", line).strip()):
            sentence = sentence.strip()
            if seq == 0 and begun:
                sentence, begun = f"{begun} {sentence}", ""
            if len(sentence) > 15 or (bullet and len(sentence) >= 3):  # list items may be one word
                out.append(Candidate(sentence, chunk, rank, "sentence", parse_figures(sentence), seq=seq,
                                     bullet=bullet, line=line_no))
                seq += 1
    return out


def _begun_before(chunk: Chunk, previous: Chunk | None) -> str:
    """The start of a sentence that a page break cut ("... bibehålla en låg sjukfrånvaro.
    Sjukfrånvaron" | "har under 2019 minskat med 0,5 procent ..."), so that the sentence is quoted
    whole rather than from its middle; "" when the passage starts a sentence of its own."""
    if previous is None or not chunk.text[:1].islower() or not continues(previous, chunk):
        return ""
    tail = previous.text.rstrip().rsplit("\n", 1)[-1]
    if tail[-1:] in ".!?:":
        return ""
    return _BULLET.sub("", _SENTENCE.split(tail)[-1]).strip()


_ROW_UNIT_RE = re.compile(r"\((%|procent|tkr|mnkr|kr|antal|st|dagar|personer)\)", re.I)
_ROW_UNIT = {"%": "%", "procent": "%", "tkr": "tkr", "mnkr": "mnkr", "kr": "kr", "antal": "", "st": "", "dagar": "", "personer": ""}


def _row_candidates(chunk: Chunk, rank: int) -> list[Candidate]:
    """Each body row rendered as "label – column: value, column: value" (header meanings attached),
    from the chunk's typed rows; only the caption's unit is read from the passage's head lines."""
    lines = chunk.text.split("\n")
    header_idx = next((i for i, line in enumerate(lines) if CELL_SEP in line), None)
    if header_idx is None:
        return []
    caption = " ".join(lines[:header_idx])
    label_header = lines[header_idx].split(CELL_SEP)[0]
    caption_unit = unit_of(caption) or unit_of(label_header)
    out = []
    for seq, row in enumerate(chunk.rows):
        own = row.label_path[-1] if row.label_path else ""
        cells = [own, *row.cells]
        header = [label_header, *row.headers]
        # The label is the row's groups (ingest's label path: "Nyinvestering" over "Lokaler"),
        # then its leading text cells: a group column ("Ekonomi") may precede the indicator's
        # own name ("Prognos budgetavvikelse"); the last of them identifies the row. A table
        # without a label column ("Ack utfall förra året | Ack utfall i år | ...") starts with a
        # figure: its single row is about what the caption names.
        lead = 0 if own and parse_figure(own) is not None and len(parse_figures(own)) == 1 else 1
        while lead and lead < len(cells) - 1 and not any(ch.isdigit() for ch in cells[lead]) and cells[lead]:
            lead += 1
        names = [*row.label_path[:-1], *(c for c in cells[:lead] if c)]
        label = ", ".join(names)
        parts = []
        columns: list[str] = []
        # a row that states its own unit ("Genomsnittlig upplåningsränta (%)") overrides the caption's
        unit_mark = _ROW_UNIT_RE.search(label)
        row_unit = _ROW_UNIT[unit_mark.group(1).lower()] if unit_mark else None
        for col, cell in enumerate(cells[lead:], start=lead):
            cell = cell.strip()
            if not cell:
                continue
            name = header[col].strip() if col < len(header) else ""
            if any(ch.isdigit() for ch in cell):
                columns.append(name)
            unit = unit_of(name) or (row_unit if row_unit is not None else caption_unit)
            # A per cent from a caption or column may be one column's ("Avvikelse %") among
            # amounts, so only the row's own "(%)" gives its bare numbers a per cent sign.
            own_percent = unit == "%" and row_unit == "%" and not unit_of(name)
            shown = cell
            if unit and (unit != "%" or own_percent) and re.fullmatch(r"[+\-−–]?\d[\d \u00a0]*(,\d+)?", cell):
                shown = f"{cell} {unit}"  # a bare number takes the unit its row, column or caption states
            parts.append(f"{name}: {shown}" if name else shown)
        if not parts:
            continue
        text = f"{label} – {', '.join(parts)}" if label else ", ".join(parts)
        out.append(
            Candidate(text, chunk, rank, "row", parse_figures(", ".join(parts)), seq=seq, label=label or caption,
                      row_key=names[-1] if names else "", columns=tuple(columns),
                      groups=tuple(row.label_path[:-1]))
        )
    return out


def score_candidates(candidates: list[Candidate], query: Query, lexical: LexicalIndex) -> list[Candidate]:
    """Coverage of the question's content words (idf-weighted), plus small priors; best first.

    Words common to the whole archive (an organisation's name is in every chunk's title line)
    weigh little through their idf, so no word list decides what matters.
    """
    terms = list(query.terms)
    # A word weighs the mean idf of its forms: its rarest form alone ("avdelningen") would make a
    # common word ("avdelning") look specific; its commonest alone would hide real rarity.
    weights = [sum(lexical.idf(f) for f in forms) / len(forms) for _, forms in terms]
    parts_by_term = {tok: split_compound(tok, lexical.doc_freq) for tok, _ in terms}
    # Words the question offers as alternatives ("regional utveckling/Tillväxt") count once, as
    # the weightier of them, met by either.
    units = _alternative_units([tok for tok, _ in terms], query.alternatives)
    unit_weights = [max(weights[i] for i in unit) for unit in units]
    total = sum(unit_weights) or 1.0
    whole_year = not query.has_period and not _TO_DATE.search(query.text)
    asked_units = _asked_units(query.text)
    # A figure the question quotes ("varifrån kommer 12,5 mnkr?") is said by a statement that
    # states its value in any unit, rounding or sign ("12 500 tkr"): its words count as said.
    quoted = [(q, set(analyse(q.figure.text))) for q in query_values(query.text)]
    asked_acronyms = acronyms(query.text)
    for cand in candidates:
        # A row says its label and the column headers over its figures: "Nämnden – Prognos 2024:
        # -1,5 mnkr" states the forecast as plainly as a sentence would. The caption and section
        # are only context.
        own_text = f"{cand.label} {' '.join(cand.columns)}" if cand.kind == "row" else cand.text
        context_text = f"{cand.chunk.section} {_table_head(cand.chunk) if cand.kind == 'row' else ''}"
        if cand.kind == "row":
            context_text += f" {cand.text}"
        own = word_forms(own_text) | _said_by_acronym(query.text, asked_acronyms, own_text)
        context = word_forms(context_text) | _said_by_acronym(query.text, asked_acronyms, context_text)
        report = word_forms(cand.chunk.organisation)
        stated = {tok for q, toks in quoted if any(states(q, f) for f in cand.figures) for tok in toks}
        tiers = [1.0 if tok in stated else _tier(tok, forms, parts_by_term[tok], own, context, query.related.get(tok))
                 for tok, forms in terms]
        matched = {terms[i][0] for i, tier in enumerate(tiers) if tier}
        said = {terms[i][0] for i, tier in enumerate(tiers) if tier >= 0.75}
        got = sum(max(tiers[i] for i in unit) * weight for unit, weight in zip(units, unit_weights, strict=True))
        # Whether the report answers is judged without the words naming its own organisation
        # ("Värmland RS: ...", "Migrationsverkets ..."): the scope check already chose the report
        # by them, and every passage of it is about its organisation whether it repeats the name
        # or not. Ranking still prefers a passage that names it (a unit of the same name inside
        # the report), through the coverage feature and from_report.
        own_org = [any("-" not in terms[i][0] and terms[i][1] & report for i in unit) for unit in units]
        got_rest = sum(max(tiers[i] for i in unit) * weight
                       for unit, weight, org in zip(units, unit_weights, own_org, strict=True) if not org)
        rest = sum(weight for weight, org in zip(unit_weights, own_org, strict=True) if not org)
        # The report is about a word it names ("Regionkontoret"), so each of its passages is, a
        # little: enough to rank, not to lift a passage over the refusal threshold.
        from_report = sum(
            weight for unit, weight in zip(units, unit_weights, strict=True)
            if not any(tiers[i] for i in unit) and any(terms[i][1] & report for i in unit)
        )
        ranked_coverage = got / total if terms else 0.0
        cand.coverage = got_rest / rest if rest else ranked_coverage
        if query.indicators and not _names_indicator(cand, query.indicators):
            # a passage that never names the indicator asked about does not answer
            cand.coverage, ranked_coverage = cand.coverage * 0.5, ranked_coverage * 0.5
        cand.matched, cand.said = frozenset(matched), frozenset(said)
        cand.features = {
            "coverage": ranked_coverage,
            "from_report": from_report / total,
            "rank": 1 / (1 + cand.rank),
            "dense_rank": 1 / (1 + cand.dense_rank) if cand.dense_rank is not None else 0.0,
            "lexical_rank": 1 / (1 + cand.lexical_rank) if cand.lexical_rank is not None else 0.0,
            "figure_asked_has_figure": float(query.kind in ("figure", "compare") and bool(cand.figures)),
            "figure_asked_no_figure": float(query.kind == "figure" and not cand.figures),
            "why_causal": float(query.kind == "why" and bool(_CAUSAL.search(cand.text))),
            "why_cause_follows": 0.0,
            "list_intro": float(query.kind == "list" and cand.kind == "sentence" and bool(_INTRODUCES_LIST.search(cand.text))),
            "counts": float(bool(query.counted) and _counts(cand.text, query.counted)),
            "table_asked_row": float(query.wants_table and cand.kind == "row"),
            "total_row": float(cand.kind == "row" and bool(_TOTAL_ROW.match(cand.label))),
            "whole_year_column": float(whole_year and cand.kind == "row" and bool(_WHOLE_YEAR.match(cand.first_column))),
            "row": float(cand.kind == "row"),
            "unit_match": float(bool(asked_units) and any(f.unit in asked_units for f in cand.figures)),
        }
    if query.kind == "why":
        _mark_statements_with_their_cause(candidates)
    weights = fitted_weights()
    for cand in candidates:
        cand.score = score(cand.features, weights)
    _prefer_context_among_repeats(candidates)
    return sorted(candidates, key=lambda c: (-c.score, c.rank, c.chunk.position))


_ASKS_PERCENT = re.compile(r"\b(procent|andel(en)?|%|sjukfrånvaro\w*|soliditet\w*|personalomsättning\w*)", re.I)
_ASKS_MONEY = re.compile(r"\b(kronor|kr|tkr|mnkr|mdkr|kost\w*|belopp\w*|intäkt\w*|resultat\w*|överskott\w*|underskott\w*|budget\w*|prognos\w*|avvikelse\w*)\b", re.I)


def _said_by_acronym(question: str, asked_acronyms: set[str], text: str) -> set[str]:
    """The question's words a text says in the other spelling of an acronym: the words of
    "Vatten och avlopp" where the text writes "VA", and the "va" of "VA-verksamheten" where it
    writes "Vatten och avlopp"."""
    if not asked_acronyms and not spelled_out(question):
        return set()  # the question neither writes an acronym nor spells one out: nothing to match
    out: set[str] = set()
    for words in expansions(acronyms(text), question):
        out |= word_forms(" ".join(words))
    out |= {a.lower() for a in asked_acronyms if expansions({a}, text)}
    return out


def _asked_units(text: str) -> set[str]:
    """The units a question's answer is stated in, from what it asks about: a share in percent,
    an amount in kronor, a count ("hur många") without a unit."""
    units = set()
    if _ASKS_PERCENT.search(text):
        units.add("%")
    if _ASKS_MONEY.search(text):
        units.add("kr")
    if re.search(r"\bhur många\b|\bantal\w*", text, re.I):
        units.add("")
    return units


_COUNT = re.compile(r"(?<![\d,])\d[\d ]*\s+([a-zåäöA-ZÅÄÖ-]+)(?:\s+([a-zåäöA-ZÅÄÖ-]+))?")


def _counts(text: str, counted: frozenset[str]) -> bool:
    """Whether a number in the text counts the word asked about ("67 rektorer", "220 biträdande
    rektorer"), rather than only standing near it ("rektorerna (60 procents svarsfrekvens)")."""
    return any(
        forms & counted for match in _COUNT.finditer(text) for word in filter(None, match.groups())
        for _, forms in analyse_words(word)
    )


def _tier(
    tok: str, forms: frozenset[str], parts: list[frozenset[str]], own: set[str], context: set[str],
    related: frozenset[str] | None,
) -> float:
    """How well a statement says a question word. Its own words count fully, its section and
    column names (shared by every row of a table) less; a word found only in a compound, as its
    parts, misspelt or as a synonym counts less than the word itself."""
    if forms & own:
        return 1.0
    if _loosely_in(tok, forms, own, related) or (
        # "investerings|budgeten": section + column, a part also as the head of a word there
        # ("Årsbudget" is a budget; "Beredskapsplanering" is no "beredskap")
        parts and all(p & (own | context) or _is_head_of(p, own | context) or _inflected_in(p, own | context) for p in parts)
    ):
        return 0.75
    if forms & context:
        return 0.6
    if _loosely_in(tok, forms, context, related) or (parts and parts[-1] & own):
        return 0.45  # or the compound's head alone: a "helårsprognos" is a "prognos"
    return 0.0


def _alternative_units(tokens: list[str], alternatives: list[frozenset[str]]) -> list[list[int]]:
    """The question's words as scoring units: each word alone, or with the words it is offered
    as an alternative to."""
    units: list[list[int]] = []
    placed: dict[int, int] = {}
    for i, tok in enumerate(tokens):
        group = next((g for g in alternatives if tok in g), None)
        partner = next((placed[j] for j in range(i) if group is not None and tokens[j] in group and j in placed), None)
        if partner is None:
            placed[i] = len(units)
            units.append([i])
        else:
            placed[i] = partner
            units[partner].append(i)
    return units


def _mark_statements_with_their_cause(candidates: list[Candidate]) -> None:
    """A statement whose next sentence gives its cause ("Anmärkning har riktats mot nämnden." /
    "Anledningen är att ...") answers a why-question as well as one that names the cause itself."""
    following = {(c.chunk.id, c.seq): c for c in candidates if c.kind == "sentence"}
    for cand in candidates:
        nxt = following.get((cand.chunk.id, cand.seq + 1))
        if cand.kind == "sentence" and not _CAUSAL.search(cand.text) and nxt is not None and (
            _CAUSAL_START.match(nxt.text) or _CAUSE_LABEL.match(nxt.text)
        ):
            cand.features["why_cause_follows"] = 1.0


def _prefer_context_among_repeats(candidates: list[Candidate]) -> None:
    """A sentence a report prints twice (the summary repeats the detailed section) is taken from
    the place whose next sentence is about the question too: there it comes with its context."""
    following = {(c.chunk.id, c.seq): c for c in candidates if c.kind == "sentence"}
    repeats: dict[str, list[Candidate]] = {}
    for cand in candidates:
        if cand.kind == "sentence":
            repeats.setdefault(cand.text, []).append(cand)
    for group in (g for g in repeats.values() if len(g) > 1):
        def context(c: Candidate) -> float:
            nxt = following.get((c.chunk.id, c.seq + 1))
            return nxt.coverage if nxt is not None else 0.0
        best = max(group, key=context)
        if context(best) > 0:
            best.score = max(c.score for c in group) + 0.01


_NAME = re.compile(r"(?<=\s)[A-ZÅÄÖ][a-zåäöA-ZÅÄÖ-]{2,}")


def named(text: str) -> list[frozenset[str]]:
    """The forms of each name in a question: capitalised words after its first ("Närsjukvården",
    "Berendsen", "Värmland"); an abbreviation ("HoS") may be named by any word of its expansion.
    A passage answers only if it, its headings or its report name them: a forecast for
    Regionkontoret is no answer to what Närsjukvården forecasts."""
    return [frozenset(f for _, fs in analyse_words(expand_abbreviations(name)) for f in fs) for name in _NAME.findall(text)]


_PARAGRAPH_SUBJECT = 2  # sentences back in its paragraph that a sentence's subject may be named in


class ChapterWords:
    """What each chapter (a report's top-level section) says it is about: the word forms of its
    opening prose passage and of its headings, analysed on first use. Called with a passage, the
    forms of its chapter's opening. Only the opening counts: a chapter names its subject where it
    begins, and a unit named in passing further in (a partner, a neighbour) is not its subject;
    reading the whole chapter measured worse on the discovery sets (5 questions lost, 4 won)."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._chunks: dict[tuple[str, str], list[Chunk]] = {}
        for chunk in chunks:
            chapter = chunk.section.split(" > ")[0]
            if chapter:
                self._chunks.setdefault((chunk.document, chapter), []).append(chunk)
        self._forms: dict[tuple[str, str], set[str]] = {}

    def __call__(self, chunk: Chunk) -> set[str]:
        key = (chunk.document, chunk.section.split(" > ")[0])
        if key not in self._forms:
            chunks = sorted(self._chunks.get(key, ()), key=lambda c: c.position)
            opening = next((c.text for c in chunks if c.kind == "text"), "")
            self._forms[key] = word_forms(" ".join([opening, *{c.section for c in chunks}]))
        return self._forms[key]


def demote_unnamed(scored: list[Candidate], question: str,
                   chapter_says: Callable[[Chunk], set[str]] | None = None) -> list[Candidate]:
    """Candidates that do not name every name of the question can no longer answer (coverage 0),
    but stay in the list: the sentence after an answer ("Det beror dels på ...") continues it
    without repeating the name. A name is also named by its acronym ("VA" for "Vatten och
    avlopp"), and an acronym by the words it stands for.

    `chapter_says(chunk)` gives the word forms of the opening of the chunk's chapter (its
    top-level section): a report names the unit a chapter is about once, in its opening prose
    ("statistiken ... innefattar hela förvaltningen X"), and then tabulates without repeating it,
    so a table row in that chapter is about X as much as the prose is."""
    names = named(question)
    if not names:
        return scored
    asked_acronyms = acronyms(question)
    paragraphs: dict[tuple[str, int], list[Candidate]] = {}
    for cand in scored:
        if cand.kind == "sentence":
            paragraphs.setdefault((cand.chunk.id, cand.line), []).append(cand)
    for cand in scored:
        chunk = cand.chunk
        head = _table_head(chunk) if cand.kind == "row" else ""
        # A sentence goes on about what its paragraph has just named ("Service räknar med en
        # avvikelse ... Den huvudsakliga förklaringen är att flera projekt ..."): the two sentences
        # before it in its paragraph name its subject too.
        before = " ".join(c.text for c in paragraphs.get((chunk.id, cand.line), [])
                          if cand.kind == "sentence" and cand.seq - _PARAGRAPH_SUBJECT <= c.seq < cand.seq)
        said = f"{cand.text} {before} {chunk.section} {chunk.title} {chunk.organisation} {head}"
        words = word_forms(said) | _said_by_acronym(question, asked_acronyms, said)
        if chapter_says is not None:
            words |= chapter_says(chunk)
        if not all(forms & words or _compound_match(forms, words) for forms in names if forms):
            cand.coverage = cand.score = 0.0
    return sorted(scored, key=lambda c: (-c.score, c.rank, c.chunk.position))


def word_forms(text: str) -> set[str]:
    out: set[str] = set()
    for _, forms in analyse_words(text):
        out |= forms
    return out


def _compound_match(forms: frozenset[str], words: set[str]) -> bool:
    """Swedish compounds: "kostnad" in "kostnadsminskning", "sjukfrånvaro" in "korttidssjukfrånvaro"."""
    long_forms = [f for f in forms if len(f) >= 6 and not f[0].isdigit()]
    return any(w != f and (w.startswith(f) or w.endswith(f)) for f in long_forms for w in words if len(w) > len(f))


# What a free word adds to the head of a compound written apart: the definite article and the
# genitive ("års|resultat" is "årets resultat", "periods|resultat" "periodens resultat").
_PHRASE_ENDINGS = ("", "s", "en", "ens", "et", "ets", "n", "ns", "t", "ts")


def _inflected_in(forms: frozenset[str], words: set[str]) -> bool:
    """Whether a compound's part is a word there in its definite or genitive form: "års" (its
    linking -s dropped) in "årets", "periods" in "periodens"."""
    heads = {f[:-1] if f.endswith("s") and len(f) > 2 else f for f in forms if f.isalpha()}
    return any(w.startswith(h) and w[len(h):] in _PHRASE_ENDINGS for h in heads for w in words)


def _is_head_of(forms: frozenset[str], words: set[str]) -> bool:
    """Whether a word ends a compound there: "budget" in "årsbudget"."""
    return any(w != f and w.endswith(f) for f in forms if len(f) >= 5 and not f[0].isdigit() for w in words)


def _loosely_in(token: str, forms: frozenset[str], words: set[str], related: frozenset[str] | None) -> bool:
    """The word inside a compound, misspelt, or as a synonym (also inside a compound: "minskat" in
    "kostnadsminskning")."""
    return _compound_match(forms | (related or frozenset()), words) or _misspelt_in(token, words) or bool(
        related and related & words
    )


def _misspelt_in(token: str, words: set[str]) -> bool:
    """A long word written with one letter more, less, swapped or different ("korttidssjukfrånvaron"
    in the question, "Kortidssjukfrånvaron" in the report). Long words only: among words of eight
    letters or more, one edit apart almost always means the same word."""
    if len(token) < 8 or not token.isalpha():
        return False
    return any(abs(len(w) - len(token)) <= 1 and w != token and _one_edit(token, w) for w in words if len(w) >= 7)


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one insertion, deletion, substitution or adjacent swap."""
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]
        return a[i + 1:] == b[i + 1:] or swapped
    return a[i:] == b[i + 1:]


def _table_head(chunk: Chunk) -> str:
    """Caption and header row of a table chunk: what every row of it is about."""
    lines = chunk.text.split("\n")
    head = []
    for line in lines:
        head.append(line)
        if CELL_SEP in line:
            break
    return " ".join(head)


# A surplus or a deficit is what a budget table's deviation column shows ("Prognostiserad
# avvikelse mot budget: 0,0" is no surplus).
_INDICATOR_COLUMNS = {"överskott": "avvikelse", "underskott": "avvikelse"}


def _names_indicator(cand: Candidate, indicators: list[str]) -> bool:
    text = f"{cand.text} {cand.chunk.section.split(' > ')[-1]} {_table_head(cand.chunk) if cand.kind == 'row' else ''}".lower()
    return any(
        ind in text or (cand.kind == "row" and ind in _INDICATOR_COLUMNS and _INDICATOR_COLUMNS[ind] in text)
        for ind in indicators
    )


def report_label(chunk: Chunk) -> str:
    """"Månadsrapport oktober 2020 (Region Halland, Regionkontoret)"."""
    return f"{chunk.report_type.capitalize()} {period_label(chunk.period_end, chunk.period_start)} ({chunk.organisation})"


@dataclass
class Part:
    """One cited statement of an answer."""

    candidate: Candidate
    label: str = ""  # e.g. the report and period, when an answer spans several reports


@dataclass
class Draft:
    parts: list[Part]
    intro: str = ""
    computed: list[str] = field(default_factory=list)  # sentences with figures computed by granska
    contradictions: list = field(default_factory=list)  # app.contradictions.Contradiction: a report disagreeing with itself


def compose(
    query: Query, scored: list[Candidate], multi_document: bool, min_coverage: float, vocabulary: dict[str, int]
) -> Draft | None:
    """Choose the statements that answer; None when nothing covers the question well enough.

    `min_coverage` is calibrated on the dev set: false refusals count as much as false answers.
    """
    draft = _compose(query, scored, multi_document, min_coverage, vocabulary)
    if draft is not None and query.kind in ("figure", "compare"):
        shown = [p.candidate for p in draft.parts]
        draft.parts += [Part(c, p.label) for p in list(draft.parts) for c in _exact_behind(scored, p.candidate, shown)]
    return draft


def _exact_behind(scored: list[Candidate], said: Candidate, shown: list[Candidate]) -> list[Candidate]:
    """A table row about the same thing, in the same section or on the same page, that states
    exactly an amount the text rounds ("en kostnadsminskning med 2 mnkr" / "Kostnadsutveckling:
    ... Skillnad mot förra året: 2 330 tkr"): an auditor checks the exact figure, so it is shown
    beside the rounded one. The closest such amount wins; none when no row names the subject."""
    if said.kind != "sentence":
        return []
    words = {w for w in word_forms(said.text) if not w[0].isdigit() and not w[0] == "-"}
    best: tuple[float, Candidate] | None = None
    for f in (f for f in said.figures if f.unit == "kr" and f.value):
        step = _rounding_step(f)
        for row in scored:
            if (row.kind != "row" or row in shown or row.chunk.document != said.chunk.document
                    or (row.chunk.section != said.chunk.section and row.chunk.page != said.chunk.page)
                    or not (word_forms(row.label) & words or _compound_match(frozenset(word_forms(row.label)), words))):
                continue
            for g in row.figures:
                gap = abs(g.value - f.value)
                if g.unit == "kr" and gap <= step / 2 and _rounding_step(g) < step and (best is None or gap < best[0]):
                    best = (gap, row)
    if best is None:
        return []
    shown.append(best[1])
    return [best[1]]


def _rounding_step(figure: Figure) -> float:
    """The precision a money figure is written with: "2 mnkr" 1 000 000 kr, "2 330 tkr" 1 000 kr."""
    match = re.search(r"\d[\d \u00a0]*(?:,(\d+))?", figure.text)
    if match is None:
        return 0.0
    number = float(re.sub(r"[ \u00a0]", "", match.group(0)).replace(",", "."))
    decimals = len(match.group(1) or "")
    return abs(figure.value / number) * 10 ** -decimals if number else 0.0


def _compose(
    query: Query, scored: list[Candidate], multi_document: bool, min_coverage: float, vocabulary: dict[str, int]
) -> Draft | None:
    # Ranking adds small priors to coverage; whether the archive answers at all is coverage alone.
    best = next((c for c in scored if c.coverage >= min_coverage), None)
    if best is None:
        return None
    if query.kind == "figure" and not best.figures:
        # "Hur många/hur stor ...?" is answered by a statement with a figure, not by one that only
        # talks about the subject: the sentence right after it when that states one ("24 medarbetare
        # deltog i den sistnämnda"), else the best statement that has one; without any, the archive
        # does not state the figure.
        nxt = _next_sentence(scored, best)
        if nxt is not None and nxt.figures:
            return Draft([Part(best), Part(nxt)])
        best = next((c for c in scored if c.figures and c.coverage >= min_coverage), None)
        if best is None:
            return None
    if _INTRODUCES_LIST.search(best.text) and (query.kind in ("list", "why") or not multi_document):
        items = _following_items(scored, best)
        if items:
            return Draft([Part(best)] + [Part(c) for c in items])
    if query.kind == "why":
        return Draft(_why_parts(scored, best))
    if query.kind == "list":
        return Draft(_list_parts(scored, best))
    if query.kind == "compare" or (multi_document and query.kind in ("figure", "other")):
        # Periods the user named each get their own report's best statement; otherwise a report must
        # come close to the best one to be worth listing.
        periods = len(set(query.years)) + len({(m.year, m.month) for m in query.months})
        relative = 0.0 if query.kind == "compare" and periods >= 2 else 0.6
        per_doc = _best_per_document(
            scored, best, min_coverage, relative, need_figures=query.kind in ("figure", "compare"),
            second=query.kind != "compare",  # a comparison computes from one statement per period
        )
        if query.kind == "compare":
            # a comparison goes across reports only where each report is one of the periods
            # compared: two reports of the same period state both periods side by side, in one
            # table, and one period against its budget is one report's comparison
            per_doc = [c for c in per_doc if c.chunk.period_end // 100 in query.years] or per_doc
            reached = {c.chunk.period_end // 100 for c in per_doc} if len(set(query.years)) >= 2 else {
                c.chunk.period_end for c in per_doc}
            if periods < 2 or len(reached) < 2:
                per_doc = per_doc[:1]
        if len({c.chunk.document for c in per_doc}) > 1:
            parts = [Part(c, report_label(c.chunk)) for c in sorted(per_doc, key=lambda c: c.chunk.period_end)]
            draft = Draft(parts)
            if query.kind == "compare":
                draft.computed = _difference(parts)
            elif not query.has_period:
                draft.intro = "Frågan anger ingen period, och flera rapporter besvarar den:"
            return draft
        if query.kind == "compare" and query.sides:
            sided = _side_statements(scored, query.sides, vocabulary)
            if sided is not None:
                reports = {report_label(c.chunk) for c in sided}
                return Draft(
                    [Part(c, side.capitalize() + (f" ({report_label(c.chunk)})" if len(reports) > 1 else ""))
                     for c, side in zip(sided, query.sides, strict=True)],
                    intro=f"Enligt {_lower_first(next(iter(reports)))}:" if len(reports) == 1 else "",
                    computed=_side_difference(sided, query.sides),
                )
        if query.kind == "compare":
            both = _row_of_both_years(scored, best, query.years)
            if both is not None:
                return Draft([Part(both)])
            return Draft([Part(c) for c in _two_statements(scored, best)])
    chosen = [best] + _continuation(scored, best)
    if query.kind == "figure":
        chosen += _detailed_elsewhere(scored, best, named(query.text), chosen)
    if _CHANGE.search(query.text) and re.search(r"\bsedan\b", query.text, re.I):
        chosen += _other_change_statement(scored, chosen)
    return Draft([Part(c) for c in chosen])


def _detailed_elsewhere(
    scored: list[Candidate], best: Candidate, names: list[frozenset[str]], chosen: list[Candidate]
) -> list[Candidate]:
    """A summary sentence that lists several items with their amounts ("... bland annat
    försäljningen av textilier till Berendsen för +9,0 mnkr, ePlan drift -11,0 mnkr, ...") points
    to the detail: where the same report names the item asked about and states the same amount
    ("Region Hallands textilstock har sålts av till Berendsen ..." / "Denna åtgärd har medfört en
    engångsintäkt på ca 9 mnkr." / "Jämfört med budget ... +6,5 mnkr"), that passage follows."""
    amounts = [f for f in best.figures if f.unit == "kr"]
    if best.kind != "sentence" or len(amounts) < 3 or not names:
        return []
    by_place = {(c.chunk.id, c.seq): c for c in scored if c.kind == "sentence"}
    for cand in scored:
        if cand.kind != "sentence" or cand.chunk.document != best.chunk.document or cand.chunk.id == best.chunk.id:
            continue
        same = any(g.unit == "kr" and abs(g.value - f.value) <= max(_rounding_step(g), _rounding_step(f)) / 2
                   for g in cand.figures for f in amounts)
        before = by_place.get((cand.chunk.id, cand.seq - 1))
        if not same or before is None or before in chosen:
            continue
        words = word_forms(f"{before.text} {cand.text}")
        if all(forms & words or _compound_match(forms, words) for forms in names if forms):
            return [before, cand] + _continuation(scored, cand)
    return []


# Words that state a change: "har förbättrats med +4 mnkr", "från -15 mnkr till -11 mnkr".
_CHANGE = re.compile(r"\b(förbättra\w*|försämra\w*|förändra\w*|ändra\w*|ökat|ökade|minskat|minskade|från\s[^.]{1,40}\still)\b", re.I)


def _other_change_statement(scored: list[Candidate], chosen: list[Candidate]) -> list[Candidate]:
    """For "hur har X ändrats sedan ...?": a report often states the change twice, as an amount
    ("förbättrats med +4 mnkr") and as from-to ("från -15 mnkr till -11 mnkr"), in different
    places; the second statement of a change of the same subject completes the answer."""
    best = chosen[0]
    shown = {round(f.value, 2) for c in chosen for f in c.figures}
    for cand in scored[1:]:
        if cand.coverage < 0.6 * best.coverage:
            break
        if (cand.chunk.document == best.chunk.document and cand.figures and cand not in chosen
                and _CHANGE.search(cand.text) and not shown & {round(f.value, 2) for f in cand.figures}):
            return [cand]
    return []


def _side_statements(
    scored: list[Candidate], sides: tuple[str, str], vocabulary: dict[str, int]
) -> tuple[Candidate, Candidate] | None:
    """For "X i delåret jämfört med prognosen": the best statement with a figure that speaks of each
    side (the word, its compound parts or head), two different statements; None if either is missing."""
    chosen: list[Candidate] = []
    for side in sides:
        forms = frozenset(f for _, fs in analyse_words(side) for f in fs)
        parts = split_compound(side, vocabulary)

        def names_side(text: str) -> bool:
            words = word_forms(text)
            return bool(forms & words) or _compound_match(forms, words) or any(p & words for p in parts)

        pool = [c for c in scored if c.coverage and c.figures and all(c.text != o.text for o in chosen)]
        if chosen and names_side(chosen[0].text) and len(chosen[0].figures) >= 2:
            # the first statement states this side too: the other side is only looked for in its
            # report (one report's comparison), and without it the statement answers alone
            pool = [c for c in pool if c.chunk.document == chosen[0].chunk.document]
        # A statement that names the side itself first (a sentence, or a row's label); a row whose
        # column header names it only if none does (best first: the subject's words decide).
        found = next((c for c in pool if names_side(c.label if c.kind == "row" else f"{c.text} {c.chunk.leaf_section}")), None)
        found = found or next((c for c in pool if c.kind == "row" and names_side(c.text)), None)
        if found is None:
            return None
        chosen.append(found)
    return chosen[0], chosen[1]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _side_difference(statements: tuple[Candidate, Candidate], sides: tuple[str, str]) -> list[str]:
    """The difference between the two sides, only when each statement holds exactly one amount of
    the same unit: with more, which one the comparison means is a guess, and a computed figure must
    never rest on a guess."""
    from granska.ingest.numbers import format_figure

    a, b = ([f for f in c.figures if f.unit] for c in statements)
    if len(a) != 1 or len(b) != 1 or a[0].unit != b[0].unit:
        return []
    # ... and only between figures of the same measure: beside the side it speaks of, each
    # statement must say the same question words ("fonden efter bokslutet" and "en
    # budgetavvikelse på" are two amounts, not one measure at two times)
    side_words = {tok for side in sides for tok, _ in analyse_words(side)}
    measures = [c.said - side_words for c in statements]
    if not measures[0] or measures[0] != measures[1]:
        return []
    delta = b[0].value - a[0].value
    unit = "procentenheter" if a[0].unit == "%" else a[0].unit
    shown = format_figure(delta, unit)
    if delta > 0 and not shown.startswith("+"):
        shown = "+" + shown
    return [f"Skillnad från {sides[0]} till {sides[1]}: {shown} (beräknat av granska ur de citerade värdena)."]


def _row_of_both_years(scored: list[Candidate], best: Candidate, years: list[int]) -> Candidate | None:
    """A comparison of two years inside one report is answered by the table row that has a
    column for each ("Bokslut 2023: 12,0 mnkr, ..., Bokslut 2024: 13,5 mnkr"): it states both
    sides, where two sentences would each state one or neither. The best such row that covers
    the question as much as `_two_statements` asks of its statements; None when there is none."""
    asked = set(years)
    if len(asked) < 2:
        return None

    def states_both(c: Candidate) -> bool:
        return c.kind == "row" and asked <= {int(y) for y in YEAR.findall(" ".join(c.columns))}

    if states_both(best):
        return best
    return next((c for c in scored if c.chunk.document == best.chunk.document and c.coverage >= 0.5 * best.coverage
                 and states_both(c)), None)


def _two_statements(scored: list[Candidate], best: Candidate) -> list[Candidate]:
    """A comparison inside one report: the two best statements with figures (e.g. outcome and forecast)."""
    with_figures = [c for c in scored if c.figures and c.coverage >= 0.5 * best.coverage
                    and c.chunk.document == best.chunk.document]
    chosen = with_figures[:1]
    for cand in with_figures[1:]:
        # The other side is about the same thing: it says every word of the question the first
        # says ("kostnaderna ... förra året" is not answered by the income's change).
        if cand.text != chosen[0].text and not set(f.value for f in cand.figures) <= set(f.value for f in chosen[0].figures) \
                and chosen[0].said <= cand.said:
            chosen.append(cand)
            break
    return chosen or [best]


# A sentence that announces the items that follow: "... prognostiserar +14,7 mnkr varav",
# "... förklaras av", "fördelar sig med", or a colon.
_INTRODUCES_LIST = re.compile(r"(\bvarav|\bav|\bmed|:)\s*$", re.I)


def _following_items(scored: list[Candidate], intro: Candidate) -> list[Candidate]:
    """The bullet items after a list intro, in order, also past a chunk boundary (at most ten)."""
    run: list[Candidate] = []
    current = intro
    while len(run) < 10:
        nxt = _next_sentence(scored, current)
        if nxt is None:
            break
        if not nxt.bullet:
            # An item's second sentence, cut from its bullet by a chunk boundary ("• +5,1 mnkr på
            # grund av att införandet ... | Dels skrevs avtalet under först i juni ..."), belongs to
            # the list when another item follows it; otherwise the list has ended.
            after = _next_sentence(scored, nxt)
            if not run or after is None or not after.bullet:
                break
        run.append(nxt)
        current = nxt
    return run


def _next_sentence(scored: list[Candidate], cand: Candidate) -> Candidate | None:
    """The sentence that follows `cand` in the report: in its passage, or the first of the next
    passage of the same section when `cand` ends its passage (chunks are cut by size and page,
    not by meaning). None for a table row or when the next passage was not retrieved."""
    if cand.kind != "sentence":
        return None
    same_chunk = [c for c in scored if c.chunk.id == cand.chunk.id and c.kind == "sentence"]
    nxt = next((c for c in same_chunk if c.seq == cand.seq + 1), None)
    if nxt is not None or any(c.seq > cand.seq for c in same_chunk):
        return nxt
    chunk = cand.chunk
    return next(
        (c for c in scored if c.kind == "sentence" and c.seq == 0 and c.chunk.document == chunk.document
         and c.chunk.position == chunk.position + 1 and continues(chunk, c.chunk)),
        None,
    )


def continues(chunk: Chunk, nxt: Chunk) -> bool:
    """Whether `nxt` (the next passage of the report) goes on with `chunk`'s text: the same
    section on the same page, or over a page break under a heading that both pages still carry."""
    return nxt.section == chunk.section and (nxt.page == chunk.page or (bool(chunk.section) and nxt.page == chunk.page + 1))


def _continuation(scored: list[Candidate], best: Candidate) -> list[Candidate]:
    """The next sentence of the same passage when it continues the answer (figures or a cause)."""
    nxt = _next_sentence(scored, best)
    if nxt is None or nxt.bullet != best.bullet:
        return []
    if _CAUSAL_START.match(nxt.text) or (nxt.figures and (nxt.matched or _REFERS_BACK.match(nxt.text))):
        return [nxt]
    return []


# A sentence that goes on about the previous one's subject: "Den ackumulerade avvikelsen är ...",
# "Jämfört med budget innebär det ...".
_REFERS_BACK = re.compile(r"^(den|det|detta|denna|dessa|därav|varav|av dessa|jämfört med|i jämförelse med)\b", re.I)


_CAUSAL_START = re.compile(
    r"^((det|detta|förändringen|avvikelsen|överskottet|underskottet|orsaken|förklaringen)\b.{0,40}\b(beror|förklaras|orsakas)"
    r"|(anledningen|skälet|orsaken|förklaringen) (är|var|till)\b)",
    re.I,
)
# A label line that announces the cause below it: "Orsak till att avvikelsen uppstått".
_CAUSE_LABEL = re.compile(r"^(orsak|orsaker|anledning|anledningen|förklaring|bakgrund)\b[^.!?]*$", re.I)


def _cause_below(scored: list[Candidate], best: Candidate) -> list[Candidate]:
    """The cause a report gives right after a statement: the next sentence when it names a cause
    ("Anledningen är att ..."), or the sentence under a cause label ("Orsak till att avvikelsen
    uppstått" / "Leverantören har blivit utsatt för ...")."""
    nxt = _next_sentence(scored, best)
    if nxt is not None and _CAUSE_LABEL.match(nxt.text):
        after = _next_sentence(scored, nxt)
        return [after] if after is not None else []
    if nxt is not None and _CAUSAL_START.match(nxt.text):
        return [nxt]
    return []


# A sentence that makes something happen: "Klimatförändringarna gör att skyfallen blir vanligare",
# "... leder till", "... medför att".
_CAUSES = re.compile(r"\b(gör|gjorde|gjort|leder|ledde|lett|medför|medförde|medfört)\s+(att|till)\b", re.I)


def _cause_before(scored: list[Candidate], best: Candidate) -> list[Candidate]:
    """The sentence before a statement in its paragraph, when it says what makes something happen:
    a report may give the cause first ("Klimatförändringarna gör att skyfallen blir vanligare ...")
    and then what it does to the subject asked about ("... badvattenprovtagning ... blir allt mer
    tidskrävande")."""
    if best.kind != "sentence":
        return []
    prev = next((c for c in scored if c.chunk.id == best.chunk.id and c.kind == "sentence"
                 and c.seq == best.seq - 1 and c.line == best.line), None)
    return [prev] if prev is not None and _CAUSES.search(prev.text) else []


# A sentence that adds to the cause before it: "Dels skrevs avtalet under först i juni ...".
_GOES_ON = re.compile(r"^(dels|dessutom|därtill|vidare|även|samtidigt)\b", re.I)


def _explained_elsewhere(scored: list[Candidate], best: Candidate, chosen: list[Candidate]) -> list[Candidate]:
    """A summary states a figure ("Ett annat större prognosöverskott är +5,1 mnkr på ..."); the
    detailed section explains the same figure ("+5,1 mnkr på grund av att ..."). When nothing
    chosen gives a cause, the report's causal statement of the best statement's figure does, with
    the sentence that goes on with it."""
    if not best.figures or any(_CAUSAL.search(c.text) for c in chosen):
        return []
    values = {f.value for f in best.figures}
    cause = next((c for c in scored if c.chunk.document == best.chunk.document and c not in chosen
                  and _CAUSAL.search(c.text) and values & {f.value for f in c.figures}), None)
    if cause is None:
        return []
    nxt = _next_sentence(scored, cause)
    return [cause] + ([nxt] if nxt is not None and _GOES_ON.match(nxt.text) else [])


_PARAGRAPH_FOLLOWERS = 2


def _rest_of_paragraph(scored: list[Candidate], last: Candidate, chosen: list[Candidate]) -> list[Candidate]:
    """The sentences after a statement in its own paragraph (at most two): a why-answer whose
    statement says what happened but not why ("... blir allt mer tidskrävande.") finds the cause
    in the sentences that go on with it ("Klimatförändringarna gör att skyfallen blir vanligare ...")."""
    if last.kind != "sentence":
        return []
    out = []
    for cand in sorted((c for c in scored if c.chunk.id == last.chunk.id and c.kind == "sentence"
                        and c.line == last.line and c.seq > last.seq), key=lambda c: c.seq):
        if len(out) == _PARAGRAPH_FOLLOWERS or cand.bullet != last.bullet:
            break
        if cand not in chosen:
            out.append(cand)
    return out


def _why_parts(scored: list[Candidate], best: Candidate) -> list[Part]:
    """The best passage, the cause sentence or items that follow it, and other causal sentences
    of the same report (at most four statements, in reading order)."""
    chosen = _cause_before(scored, best) + [best] + (_cause_below(scored, best) or _continuation(scored, best))
    chosen += _items_after(scored, best)
    chosen += _explained_elsewhere(scored, best, chosen)
    pool = [c for c in scored if c.chunk.document == best.chunk.document and c.coverage >= 0.5 * best.coverage]
    chosen += [c for c in pool if _CAUSAL.search(c.text) and c not in chosen][: max(0, 3 - len(chosen))]
    if not any(_CAUSAL.search(c.text) for c in chosen):
        # no cause found anywhere: the statement's own paragraph goes on with it
        anchor = max((c for c in chosen if c.chunk.id == best.chunk.id and c.kind == "sentence"),
                     key=lambda c: c.seq, default=best)
        chosen += _rest_of_paragraph(scored, anchor, chosen)
    return [Part(c) for c in sorted(chosen[:6], key=lambda c: (c.chunk.position, c.seq))]


def _list_parts(scored: list[Candidate], best: Candidate) -> list[Part]:
    """The items of a list: the bullets after the best statement, the rows of the best table, or
    the rows of a table in the section the best sentence introduces (at most ten)."""
    intro = _list_intro(scored, best)
    if intro is not None:  # the best statement is one item of a list: the whole list answers
        return [Part(intro)] + [Part(c) for c in _following_items(scored, intro)]
    items = _items_after(scored, best)
    if items:
        return [Part(best)] + [Part(c) for c in items]
    # "... flera projekt inte följer ursprunglig tidplan. Det handlar bland annat om A, B och C.":
    # the next sentence refers back and runs through the items.
    nxt = _next_sentence(scored, best)
    if nxt is not None and _REFERS_BACK.match(nxt.text) and "," in nxt.text:
        return [Part(best), Part(nxt)]
    if best.kind == "row":
        rows = sorted((c for c in scored if c.chunk.id == best.chunk.id), key=lambda c: c.seq)
        return [Part(c) for c in rows[:10]]
    table_rows = sorted(
        (c for c in scored if c.kind == "row" and c.chunk.document == best.chunk.document
         and c.chunk.section == best.chunk.section and c.chunk.position >= best.chunk.position),
        key=lambda c: (c.chunk.position, c.seq),
    )
    if table_rows:
        return [Part(best)] + [Part(c) for c in table_rows[:10]]
    return [Part(best)]


def _list_intro(scored: list[Candidate], item: Candidate) -> Candidate | None:
    """The sentence that introduces the bullet list `item` belongs to ("Projekt som pågår i urval:")."""
    if not item.bullet:
        return None
    before = [c for c in scored if c.chunk.id == item.chunk.id and c.seq < item.seq and not c.bullet]
    intro = max(before, key=lambda c: c.seq, default=None)
    if intro is None or not _INTRODUCES_LIST.search(intro.text) or item not in _following_items(scored, intro):
        return None
    return intro


_LIST_LOOKAHEAD = 2  # sentences between a heading or statement and the intro of the list it leads to


def _items_after(scored: list[Candidate], best: Candidate) -> list[Candidate]:
    """A bullet run right after `best`, or after the list intro that follows it within the next
    `_LIST_LOOKAHEAD` sentences of its passage (a heading, a sentence on the cost, then "Ingående
    delar i arbetet avser:" and the items)."""
    if best.kind != "sentence":
        return []
    items = _following_items(scored, best)
    if items:
        return items
    for step in range(1, _LIST_LOOKAHEAD + 1):
        nxt = next((c for c in scored if c.chunk.id == best.chunk.id and c.seq == best.seq + step), None)
        if nxt is None or nxt.bullet:
            return []
        if _INTRODUCES_LIST.search(nxt.text):
            following = _following_items(scored, nxt)
            return [nxt] + following if following else []
    return []


def _best_per_document(
    scored: list[Candidate], best: Candidate, min_coverage: float, relative: float, need_figures: bool,
    second: bool = False,
) -> list[Candidate]:
    """Each report's own best statement, when it covers the question well enough on its own;
    with `second`, also its other statement of the figure when that one differs."""
    floor = max(min_coverage, relative * best.coverage)
    chosen: dict[str, list[Candidate]] = {}
    for cand in scored:
        if cand.coverage < floor or (need_figures and not cand.figures):
            continue
        mine = chosen.setdefault(cand.chunk.document, [])
        if not mine:
            mine.append(cand)
        elif second and _restates_differently(mine, cand):
            mine.append(cand)
    return [c for mine in chosen.values() for c in mine]


def _restates_differently(mine: list[Candidate], cand: Candidate) -> bool:
    """A report that states the figure asked about in its text and in a table, the one with values
    the other lacks ("2,40 procent" in the text, "2,35%" as the R12 average in the table; "-5,1%"
    in the text, the table also "15,8%" against the year before), shows both: picking one would
    hide from the reader that the report itself gives more."""
    first = mine[0]
    return (
        len(mine) == 1
        and cand.kind != first.kind
        and cand.score >= first.score - 0.05
        and cand.coverage >= first.coverage  # as much about the question: not a side remark with a figure
        and bool(cand.figures)
        and not {f.value for f in cand.figures} <= {f.value for f in first.figures}
    )


def _measure(cand: Candidate) -> frozenset[str] | str:
    """What a statement states a figure of: a row's label, else the question words it says itself."""
    return cand.row_key.lower() if cand.kind == "row" else cand.said


def _difference(parts: list[Part]) -> list[str]:
    """The change between the first and last period, computed here and labelled as computed."""
    from granska.ingest.numbers import format_figure

    first, last = parts[0].candidate, parts[-1].candidate
    if not first.figures or not last.figures:
        return []
    a, b = first.figures[0], last.figures[0]
    # only a figure of the same thing: two reports' best statements may state different measures
    # ("Verksamhetens resultat" in one, "Årets resultat" in the other), whose difference means nothing
    if a.unit != b.unit or _measure(first) != _measure(last):
        return []
    delta = b.value - a.value
    unit = "procentenheter" if a.unit == "%" else a.unit
    shown = format_figure(delta, unit)
    if delta > 0 and not shown.startswith("+"):
        shown = "+" + shown
    return [
        f"Förändring från {period_label(first.chunk.period_end)} till {period_label(last.chunk.period_end)}: "
        f"{shown} (beräknat av granska ur de citerade värdena)."
    ]
