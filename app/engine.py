"""The engine: the one public entry point for asking, searching and listing the archive.

CLI, web app, HTTP API and the accuracy suite all go through `Engine`, so they give the same
answers. It answers every question from one published index state (granska.index.snapshot: the
registry, lexical index and retriever of one generation), and swaps in a new one when an ingest or
removal publishes it; questions keep being answered meanwhile, from the state they started in.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from granska.app.answer import (
    Candidate, ChapterWords, Draft, candidates_from, compose, continues, demote_unnamed, report_label,
    score_candidates,
)
from granska.app.query import Query, parse_question
from granska.app.scope import Mentions, archive_summary, resolve_scope
from granska.app.verify import verify_figures
from granska.index.builder import store_paths
from granska.index.registry import DocumentRecord
from granska.index.retrieve import Filters, HybridRetriever, Mode
from granska.index.snapshot import IndexState, empty_state, load_state, published_version
from granska.index.values import ValueIndex, ValueMatch, ValueQuery, query_values
from granska.ingest.chunk import INFERRED_UNIT
from granska.ingest.periods import month_number, months_named
from granska.settings import Settings
from granska.types import Answer, Chunk, Citation, Hit

log = logging.getLogger(__name__)

_NO_ANSWER = "Det framgår inte av rapporterna i arkivet"
MAX_SESSIONS = 10_000  # follow-up context is kept for the most recent sessions only
_LOAD_ATTEMPTS = 10  # reads of a published state whose version was retired meanwhile
_LOAD_WAIT = 0.2
_LLM_PASSAGES = 4  # passages given to the LLM, at most...
_LLM_CHARS = 6000  # ...and characters in all: ~2,000 tokens of Swedish, inside a 4,096-token context


class EmptyArchive(RuntimeError):
    """The store holds no documents yet."""


@dataclass(frozen=True)
class _View:
    """Everything a question reads, derived from one published `IndexState` and never mixed with
    another: the registry, the lexical index and the retriever over them belong to one generation."""

    state: IndexState
    retriever: HybridRetriever
    mentions: Mentions  # which reports say a word: the scope check's evidence
    by_position: dict[tuple[str, int], Chunk]
    row_groups: dict[str, list] = field(default_factory=dict)  # per report, filled on first use (contradictions)

    @cached_property
    def chapter_says(self) -> ChapterWords:
        """Where a question's name may be said for a passage that does not repeat it."""
        return ChapterWords(list(self.by_position.values()))

    @cached_property
    def values(self) -> ValueIndex:
        """The state's figures by value (figure search), built on first use: one per state."""
        return ValueIndex(self.state.lexical.chunks)


class Engine:
    def __init__(self, settings: Settings | None = None, mode: Mode = "hybrid") -> None:
        from granska.index.embed import make_embedder
        from granska.index.store import ChunkStore

        self.settings = settings or Settings.from_env()
        self.mode = mode
        self.paths = store_paths(self.settings)
        self._lock = threading.RLock()
        self._reload_lock = threading.Lock()
        self._sessions: OrderedDict[str, Query] = OrderedDict()  # last question per session, least recent first
        self.embedder = make_embedder(self.settings)
        self.store = ChunkStore(self.settings, self.settings.embedder_fingerprint)
        self._view = self._view_of(self._read_state() or empty_state())  # unreadable now: the next question retries
        self._llm = None
        if self.settings.llm_url:
            from granska.app.llm import LLMWriter

            self._llm = LLMWriter(self.settings.llm_url, self.settings.llm_model or "default")

    # -- loading -----------------------------------------------------------------------------
    def _read_state(self) -> IndexState | None:
        """The state the store publishes now; None if its version kept vanishing while read."""
        for _ in range(_LOAD_ATTEMPTS):
            try:
                state = load_state(self.paths["lexical"], self.paths["registry"])
            except FileNotFoundError:  # a version retired while it was read: read the current one
                time.sleep(_LOAD_WAIT)
                continue
            if not state.analyser_current:
                log.warning("The lexical index of %s was built by another analyser version; "
                            "run `granska ingest` on the archive to rebuild it.", self.settings.store)
            return state
        return None

    def _view_of(self, state: IndexState) -> _View:
        retriever = HybridRetriever(
            self.store,
            state.lexical,
            self.embedder,
            mode=self.mode,
            dense_weight=self.settings.dense_weight,
            lexical_weight=self.settings.lexical_weight,
            rrf_k=self.settings.rrf_k,
            candidates=self.settings.candidates,
            top_k=self.settings.top_k,
        )
        by_position = {(c.document, c.position): c for c in state.lexical.chunks}
        return _View(state, retriever, Mentions(state.lexical.chunks), by_position)

    def _current(self, wait: bool = False) -> _View:
        """The view to answer from: the one held, or a new one when the store published a newer state.

        A question calls this once and reads only the view it got, so it sees one state from start
        to end whatever is published meanwhile. Nothing changed costs one stat. A new state is
        loaded by one thread while the others go on answering from the view they have (`wait`
        makes a caller wait for it instead, e.g. right after its own upload); the swap is one
        attribute assignment under the lock.
        """
        view = self._view
        if published_version(self.paths["lexical"]) == view.state.version:
            return view
        if not self._reload_lock.acquire(blocking=wait):
            return view
        try:
            if published_version(self.paths["lexical"]) != self._view.state.version:
                state = self._read_state()
                if state is not None:
                    self.store.reopen()  # another process may have written to an embedded store
                    self._view = self._view_of(state)
            return self._view
        finally:
            self._reload_lock.release()

    def refresh(self) -> None:
        """Pick up the state an ingest published since the last question, waiting for it if another
        thread is loading it."""
        self._current(wait=True)

    def state(self) -> IndexState:
        """The published state questions are answered from now (reloaded first if a newer one is out)."""
        return self._current().state

    # -- public API --------------------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        return sorted(self.state().documents.values(), key=lambda r: (r.organisation, r.period_end, r.document))

    def search(self, query: str, k: int = 10, filters: dict | None = None) -> list[Hit]:
        """The top-k passages; when the query quotes a figure, the passages stating its value
        (in any unit, rounding or sign) come first, so a figure is found however it is typed.
        Each hit carries the generation of the index state it was found in."""
        view = self._current()
        docs = self._filter_documents(view, filters)
        flt = Filters(document=tuple(d.document for d in docs)) if filters else Filters()
        if filters and not docs:
            return []
        values = query_values(query)
        pool = max(k, self.settings.candidates) if values else k
        hits = self._known(view, view.retriever.search(query, flt, pool))
        if values:
            hits = stating_first(hits, self._stating(view, values, flt), k)
        for hit in hits:
            hit.generation = view.state.generation
        return hits

    def find_value(self, value: str, filters: dict | None = None) -> list[ValueMatch]:
        """Every passage of the archive that states the value (not just the top k), best first."""
        values = query_values(value)
        if not values:
            raise ValueError(f"Ingen siffra i {value!r}: skriv t.ex. 12,5 mnkr, 12 500 tkr eller 3,4 procent.")
        view = self._current()
        docs = self._filter_documents(view, filters)
        if filters and not docs:
            return []
        return self._stating(view, values, Filters(document=tuple(d.document for d in docs)) if filters else Filters())

    def _stating(self, view: _View, values: list[ValueQuery], flt: Filters) -> list[ValueMatch]:
        """The passages of this state stating any of the values (the state's own value index, so
        it never mixes two generations)."""
        known = view.state.documents
        return view.values.find(values, lambda c: c.document in known and flt.matches(c))

    def ask(self, question: str, filters: dict | None = None, session: str | None = None, id: str | None = None) -> Answer:
        start = time.perf_counter()
        view = self._current()
        query = self._with_context(parse_question(question), session)
        docs = self._filter_documents(view, filters)
        timings: dict[str, float] = {}
        if not docs:
            answer = self._refusal(question, f"{_NO_ANSWER}: {archive_summary(list(view.state.documents.values()))}")
        else:
            scope = resolve_scope(query, docs, view.mentions)
            if scope.refusal:
                answer = self._refusal(question, scope.refusal, scope.missing)
            else:
                t0 = time.perf_counter()
                hits = self._retrieve(view, query, scope.documents, self._scope_filters(scope, filters))
                timings["retrieve"] = (time.perf_counter() - t0) * 1000
                t1 = time.perf_counter()
                scored = self._scored(view, question, query, scope, hits)
                multi = len({d.document for d in scope.documents}) > 1
                draft = compose(query, scored, multi, self.settings.min_coverage, view.state.lexical.doc_freq)
                if draft is not None:
                    self._flag_contradictions(view, draft)
                answer = self._render(question, draft) if draft else self._refusal(
                    question, scope.unstated or f"{_NO_ANSWER}: rapporterna anger inte det som frågan gäller. "
                    f"{archive_summary(scope.documents)}",
                    scope.missing or "measure",
                )
                if self._llm is not None and draft is not None:
                    answer = self._llm_answer(question, answer, hits)
                timings["answer"] = (time.perf_counter() - t1) * 1000
        if session is not None:
            with self._lock:
                self._sessions[session] = query
                self._sessions.move_to_end(session)
                while len(self._sessions) > MAX_SESSIONS:
                    self._sessions.popitem(last=False)
        timings["total"] = (time.perf_counter() - start) * 1000
        answer.timings_ms = {k: round(v, 1) for k, v in timings.items()}
        answer.id = id
        answer.generation = view.state.generation
        return answer

    def candidates(self, question: str, filters: dict | None = None) -> tuple[Query, list[Candidate]]:
        """The statements the answerer chooses from, scored and best first ([] when the scope
        check refuses): what eval/fit.py fits the ranking weights on, through the same path as `ask`."""
        view = self._current()
        query = parse_question(question)
        docs = self._filter_documents(view, filters)
        scope = resolve_scope(query, docs, view.mentions) if docs else None
        if scope is None or scope.refusal:
            return query, []
        hits = self._retrieve(view, query, scope.documents, self._scope_filters(scope, filters))
        return query, self._scored(view, question, query, scope, hits)

    # -- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _scope_filters(scope, filters: dict | None) -> Filters:
        restrict = scope.restricted or bool(filters)
        return Filters(document=tuple(d.document for d in scope.documents)) if restrict else Filters()

    @staticmethod
    def _scored(view: _View, question: str, query: Query, scope, hits: list[Hit]) -> list[Candidate]:
        scored = score_candidates(candidates_from(hits), query, view.state.lexical)
        if scope.required_words or scope.required_all:
            # Only a statement that says the period (or place) told from another report may
            # answer; the rest of its passage (the list it introduces, the cause after it) stays
            # at hand to complete the answer, with no coverage of its own to answer alone.
            def stating(c) -> bool:
                return ((not scope.required_words or any(_says(c.text, w) for w in scope.required_words))
                        and all(_says(c.text, w) for w in scope.required_all))

            answering: set[str] = set()
            for c in scored:
                if stating(c):
                    answering.add(c.chunk.id)
                else:
                    c.coverage = 0.0
            scored = [c for c in scored if c.chunk.id in answering]
        return demote_unnamed(scored, question, view.chapter_says)

    @staticmethod
    def _filter_documents(view: _View, filters: dict | None) -> list[DocumentRecord]:
        """Documents allowed by user filters (organisation and report type match case-insensitively, in part)."""
        docs = list(view.state.documents.values())
        for key, value in (filters or {}).items():
            if value in (None, "", []):
                continue
            wanted = str(value).lower()
            if key == "year":
                docs = [d for d in docs if str(d.year) == wanted or str(d.period_start // 100) == wanted]
            elif key in ("organisation", "report_type", "document"):
                docs = [d for d in docs if wanted in str(getattr(d, key)).lower()]
            else:
                raise ValueError(f"Okänt filter {key!r}: använd organisation, report_type, year eller document.")
        return docs

    def _with_context(self, query: Query, session: str | None) -> Query:
        """A follow-up ("och i februari?", "varför då?") borrows the topic of the session's last question."""
        previous = self._sessions.get(session) if session else None
        if previous is None or len(query.terms) > 1:
            return query
        merged = replace(
            previous,
            text=f"{previous.text} {query.text}",
            terms=previous.terms + query.terms,
            related={**previous.related, **query.related},
        )
        if query.has_period:
            merged = replace(
                merged,
                years=query.years,
                months=query.months,
                months_elapsed=query.months_elapsed,
                report_number=query.report_number,
                last_year=query.last_year,
            )
        if query.kind != "other":
            merged = replace(merged, kind=query.kind)
        return merged

    def _llm_answer(self, question: str, extractive: Answer, hits: list[Hit]) -> Answer:
        """LLM mode: the model writes from numbered passages; its text is used only if every citation
        and figure checks out against those passages (`guard`), else the extractive answer stands."""
        from granska.app.llm import LLMUnavailable, Passage, guard

        chunks = {c.chunk_id for c in extractive.citations}
        ordered = [h.chunk for h in hits if h.chunk.id in chunks] + [h.chunk for h in hits if h.chunk.id not in chunks]
        passages, size = [], 0
        for chunk in ordered:
            if len(passages) == _LLM_PASSAGES or size + len(chunk.text) > _LLM_CHARS:
                break  # the prompt must fit a small model's context, or every answer would fall back
            passages.append(Passage.from_chunk(len(passages) + 1, chunk))
            size += len(chunk.text)
        try:
            checked = guard(self._llm.write(question, passages), passages)
        except LLMUnavailable as exc:
            log.warning("LLM mode unavailable, answering extractively: %s", exc)
            return extractive
        if checked is None:
            log.info("LLM answer failed verification; answering extractively")
            return extractive
        by_n = {p.n: chunk for p, chunk in zip(passages, ordered, strict=False)}
        citations = [Citation.from_chunk(n, by_n[n]) for n in checked.cited]
        answer = Answer(question=question, answer=checked.text, refused=False, citations=citations, figures=list(checked.figures))
        answer.warnings.append("Svaret är formulerat av en språkmodell; varje siffra är kontrollerad mot de citerade källorna.")
        return answer

    @staticmethod
    def _known(view: _View, hits: list[Hit]) -> list[Hit]:
        """Hits from documents the view's registry holds (a store published before registry
        snapshots may index a document its registry has not got)."""
        return [h for h in hits if h.chunk.document in view.state.documents]

    def _retrieve(self, view: _View, query: Query, documents: list[DocumentRecord], flt: Filters) -> list[Hit]:
        """The passages to answer from, each with the next passage of its section:
        chunks are cut by size, so a list's items or a statement's cause may begin in the next one."""
        hits = self._search(view, query, documents, flt)
        seen = {h.chunk.id for h in hits}
        for hit in list(hits):
            chunk = view.by_position.get((hit.chunk.document, hit.chunk.position + 1))
            if chunk is not None and chunk.id not in seen and continues(hit.chunk, chunk):
                seen.add(chunk.id)
                hits.append(Hit(chunk=chunk, score=0.0))
            # A passage that begins mid-sentence gets the one before it, where the sentence starts.
            before = view.by_position.get((hit.chunk.document, hit.chunk.position - 1))
            if hit.chunk.text[:1].islower() and before is not None and before.id not in seen and continues(before, hit.chunk):
                seen.add(before.id)
                hits.append(Hit(chunk=before, score=0.0))
        return hits

    def _search(self, view: _View, query: Query, documents: list[DocumentRecord], flt: Filters) -> list[Hit]:
        """Top passages; a question that spans several reports also gets the best few of each report,
        so that one report's strong passages cannot crowd another's answer out of the top-k."""
        retriever = view.retriever
        vector = retriever.embed(query.text)
        hits = self._known(view, retriever.search(query.text, flt, self.settings.top_k, vector=vector))
        seen = {h.chunk.id for h in hits}
        # A quoted figure ("varifrån kommer 12,5 mnkr?") brings the passages stating its value
        # in any unit or rounding, which neither BM25 nor the embedding can see as the same.
        values = query_values(query.text)
        for match in self._stating(view, values, flt)[: self.settings.top_k] if values else ():
            if match.chunk.id not in seen:
                seen.add(match.chunk.id)
                hits.append(Hit(chunk=match.chunk, score=0.0, matched=list(match.figures)))
        for side in query.sides or ():
            # Each side of "X i delåret jämfört med prognosen" on its own (the subject's words and
            # the side's): the passages about one side must not be crowded out by the other's.
            alone = " ".join([t for t, _ in query.terms if t not in query.sides] + [side])
            for hit in self._known(view, retriever.search(alone, flt, self.settings.per_document_k)):
                if hit.chunk.id not in seen:
                    seen.add(hit.chunk.id)
                    hits.append(hit)
        if query.kind in ("why", "list") or not 1 < len(documents) <= 12:
            return hits
        for doc in documents:
            for hit in self._known(view, retriever.search(query.text, Filters(document=(doc.document,)), self.settings.per_document_k, vector=vector)):
                if hit.chunk.id not in seen:
                    seen.add(hit.chunk.id)
                    hits.append(hit)
        return hits

    @staticmethod
    def _flag_contradictions(view: _View, draft: Draft) -> None:
        """When a report states an answered figure with another value elsewhere, cite both and say so."""
        from granska.app.contradictions import find_contradictions, row_groups

        by_document: dict[str, list] = {}
        for part in draft.parts:
            by_document.setdefault(part.candidate.chunk.document, []).extend(part.candidate.figures)
        for document, figures in by_document.items():
            groups = view.row_groups.get(document)
            if groups is None:
                groups = row_groups(view.state.lexical.document_chunks(document))
                view.row_groups[document] = groups
            draft.contradictions.extend(find_contradictions(figures, groups)[:2])

    def _refusal(self, question: str, text: str, missing: str | None = None) -> Answer:
        return Answer(question=question, answer=text, refused=True, missing=missing)

    def _render(self, question: str, draft: Draft) -> Answer:
        citations: list[Citation] = []
        numbers: dict[str, int] = {}
        figures = []
        lines: list[str] = []

        def cite(chunk) -> int:
            if chunk.id not in numbers:
                numbers[chunk.id] = len(citations) + 1
                citations.append(Citation.from_chunk(numbers[chunk.id], chunk))
            return numbers[chunk.id]

        for part in draft.parts:
            chunk = part.candidate.chunk
            n = cite(chunk)
            figures.extend(verify_figures(part.candidate.text, n, chunk))
            lines.append(f"{part.label}: {part.candidate.text} [{n}]" if part.label else f"{part.candidate.text} [{n}]")
        labels = {p.label for p in draft.parts}
        if "" in labels:
            label = report_label(draft.parts[0].candidate.chunk)
            head = f"Enligt {label[0].lower()}{label[1:]}:"
            body = ("\n".join(f"- {line}" for line in lines) if len(lines) > 1 and _is_list(draft) else " ".join(lines))
            text = f"{head} {body}" if "\n" not in body else f"{head}\n{body}"
        else:
            text = "\n".join(([draft.intro] if draft.intro else []) + [f"- {line}" for line in lines])
        if draft.computed:
            text += "\n" + " ".join(draft.computed)
        notes = []
        for found in draft.contradictions:
            values = []
            for row in found.rows:
                n = cite(row.chunk)
                values.append(f"{row.figures[0].text} [{n}]")
                figures.extend(verify_figures(row.figures[0].text, n, row.chunk))
            notes.append(f"Rapporten anger olika värden för {found.label.strip()}: {' och '.join(values)}.")
        if notes:
            text += "\n" + " ".join(f"Obs: {note}" for note in notes)
        answer = Answer(question=question, answer=text, refused=False, citations=citations, figures=figures)
        answer.warnings.extend(notes)  # the UIs and the CLI put their own "Obs:" before a warning
        unverified = [f.text for f in figures if not f.verified]
        if unverified:
            answer.warnings.append("Kunde inte verifieras mot källan: " + ", ".join(unverified))
        inferred = sorted({f"[{c.n}]" for c in citations if c.kind == "table" and INFERRED_UNIT in c.text})
        if inferred:
            answer.warnings.append(
                f"Tabellen {', '.join(inferred)} anger ingen enhet; enheten är härledd ur rapportens text, "
                "där samma belopp står avrundade."
            )
        return answer


def stating_first(hits: list[Hit], stating: list[ValueMatch], k: int) -> list[Hit]:
    """The passages that state a quoted value, then the rest of the retrieval's hits.

    Among those stating it: the most of the quoted values, a match at the query's precision,
    then the retrieval's order (its words and meaning), then `ValueIndex.find`'s order. No passage
    without the value ranks above one with it.
    """
    rank = {h.chunk.id: i for i, h in enumerate(hits)}
    by_id = {h.chunk.id: h for h in hits}
    order = sorted(range(len(stating)), key=lambda i: (
        -stating[i].queries, not stating[i].exact, rank.get(stating[i].chunk.id, len(hits)), i))
    out = []
    for i in order[:k]:
        match = stating[i]
        hit = by_id.get(match.chunk.id) or Hit(chunk=match.chunk, score=0.0)
        out.append(replace(hit, matched=list(match.figures)))
    taken = {h.chunk.id for h in out}
    out.extend(h for h in hits if h.chunk.id not in taken)
    return out[:k]


def _says(text: str, word: str) -> bool:
    """Whether a passage states a word ("2024") as a word of its own; a month in any of the forms
    reports write it ("juni" is said by "jun" in "jan-jun 2024", "augusti" by "augustiprognosen")."""
    month = month_number(word)
    if month is not None:
        return word.lower() in text.lower() or month in months_named(text)
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.I) is not None


def _is_list(draft: Draft) -> bool:
    return all(p.candidate.kind == "row" for p in draft.parts) or len(draft.parts) > 2


def open_engine(store: Path | None = None, **overrides) -> Engine:
    """An engine on the given store (else the configured one)."""
    return Engine(Settings.from_env(store=store, **overrides))
