"""Which reports a question is about, decided against what the archive holds and says.

Refusing by similarity score does not work on this kind of archive (MODELS.md: near-miss
questions score like answerable ones). So a question that names an organisation, a period or a
report the archive does not hold is refused here, before retrieval, naming what the archive holds.

The catalogue (each report's inferred organisation and period) is a strong hint, never a veto on
its own: inference can be wrong on a layout nobody has seen, and reports speak of more than their
own organisation and period (an agency's regional offices, a kommun's nämnder, an annual report's
columns for earlier years). So before refusing, the reports' own words are asked (`Mentions`: which
documents say a word): a place or a year that no report is catalogued under, but that some report
states, scopes the question to those reports, and only a passage that states it can answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from granska.app.query import Query
from granska.index.lexical import analyse_words
from granska.index.registry import DocumentRecord
from granska.ingest.periods import find_month_ranges, month_name
from granska.types import Chunk

# Words of organisation names too generic to identify one ("Region", "Nämnden för", "Stad").
_GENERIC_ORG_WORDS = frozenset(
    "region regionen regionens stad staden kommun kommunen nämnden nämnd för och förvaltning förvaltningen".split()
)


def period_label(period_end: int, period_start: int | None = None) -> str:
    """"oktober 2020"; a whole-year span reads "2024"."""
    year, month = divmod(period_end, 100)
    if period_start is not None and period_start == year * 100 + 1 and month == 12:
        return str(year)
    return f"{month_name(month)} {year}"


class Mentions:
    """Which documents say a word (lower-case, as a word of its own), from the indexed passages.

    Built on first use: most questions name a place and period the catalogue already holds, so
    the word map is not made at start-up or on reload unless a question needs it."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._chunks = chunks
        self._words: dict[str, set[str]] | None = None

    def documents(self, word: str) -> set[str]:
        if self._words is None:
            self._words = {}
            for chunk in self._chunks:
                for found in set(re.findall(r"\w+", chunk.text.lower())):
                    self._words.setdefault(found, set()).add(chunk.document)
        return self._words.get(word.lower(), set())

    def all_of(self, words: list[str]) -> set[str]:
        found = [self.documents(w) for w in words]
        return set.intersection(*found) if found else set()


@dataclass
class Scope:
    documents: list[DocumentRecord]
    refusal: str | None = None  # why the archive cannot answer, in Swedish
    restricted: bool = False  # the question itself narrowed the documents
    required_words: set[str] = field(default_factory=set)  # a passage must say one of these (a month inside a report's span)
    required_all: set[str] = field(default_factory=set)  # a passage must say each of these (a period told from another report)
    unstated: str | None = None  # the refusal when no passage says them
    # What the archive lacks: for a refusal, its kind ("organisation" or "period"); for a scope
    # that only passages stating a period or place may answer, what is missing if none does.
    missing: str | None = None


def organisation_words(records: list[DocumentRecord]) -> dict[str, set[str]]:
    """Identifying words of each organisation in the archive, with their forms."""
    out: dict[str, set[str]] = {}
    for rec in records:
        forms: set[str] = set()
        for token, word_forms in analyse_words(rec.organisation):
            if token not in _GENERIC_ORG_WORDS and len(token) > 2:
                forms |= word_forms
        out[rec.organisation] = forms
    return out


def archive_summary(records: list[DocumentRecord]) -> str:
    """One sentence naming what the archive holds, for refusals."""
    if not records:
        return "Arkivet är tomt."
    items = sorted(
        {f"{rec.report_type} {period_label(rec.period_end, rec.period_start)} ({rec.organisation})" for rec in records}
    )
    return "Arkivet innehåller: " + "; ".join(items) + "."


def resolve_scope(query: Query, records: list[DocumentRecord], mentions: Mentions | None = None) -> Scope:
    docs = list(records)
    org_forms = organisation_words(records)
    named_orgs = {
        organisation for _, forms in query.terms for organisation, known in org_forms.items() if forms & known
    }
    archive_text = " ".join(rec.organisation.lower() for rec in records)
    unknown_places = [p for p in query.places if p not in archive_text]
    if unknown_places and not named_orgs:
        # No report is catalogued under the place; a report that speaks of it (an agency's
        # regional offices, a kommun's neighbour) may still answer, in a passage that names it.
        speaking = _stating(mentions, docs, [w for p in unknown_places for w in p.split()])
        if not speaking:
            return Scope([], refusal=_no_org(unknown_places, records), missing="organisation")
        scope = resolve_scope(replace(query, places=[p for p in query.places if p not in unknown_places]), speaking, mentions)
        if scope.refusal is not None:  # the place is what the archive lacks first
            return Scope([], refusal=_no_org(unknown_places, records), missing="organisation")
        scope.restricted = True
        scope.required_all |= set(unknown_places)
        scope.unstated = scope.unstated or _no_org(unknown_places, records)
        scope.missing = scope.missing or "organisation"
        return scope
    # A place name is a hard restriction: "Regionkontoret i Halland 2021" is not answered from Värmland.
    known_places = [p for p in query.places if p in archive_text]
    if known_places:
        docs = [d for d in docs if any(p in d.organisation.lower() for p in known_places)]
        named_orgs &= {d.organisation for d in docs}
    if query.whole_organisation and all("," in d.organisation for d in docs):
        return Scope([], refusal=_only_units(docs or records), missing="organisation")
    # An organisation word is a strong hint, not a hard filter: "Regionstyrelsen" names one
    # organisation in the archive but is also discussed in another's reports.
    attempts = [[d for d in docs if d.organisation in named_orgs], docs] if named_orgs else [docs]
    for candidates in attempts:
        by_period = _filter_period(query, candidates)
        if by_period is None:
            return Scope(candidates, restricted=candidates is not docs)
        if by_period:
            return Scope(by_period, restricted=True)
        if candidates is not docs:
            # The organisation asked about tells of the period in another of its reports: that is
            # a better source than other organisations' reports for the period.
            told = _elsewhere(query, candidates, mentions, docs)
            if told is not None and told.documents:
                told.unstated, told.missing = _no_period(query, candidates), "period"
                return told
    spanning = _spanning_month(query, attempts[0])
    if spanning:
        words = {month_name(m.month) for m in query.months}
        return Scope(spanning, restricted=True, required_words=words, missing="period")
    told = _elsewhere(query, attempts[0], mentions, docs)
    if told is not None and told.documents:
        told.unstated, told.missing = _no_period(query, attempts[0] or records), "period"
        return told
    return Scope([], refusal=_no_period(query, attempts[0] or records), missing="period")


def _elsewhere(query: Query, docs: list[DocumentRecord], mentions: Mentions | None,
               archive: list[DocumentRecord]) -> Scope | None:
    """The reports that state a period none is catalogued for: by their words when the index is
    at hand (an empty scope when none states it), else by the catalogue's neighbours. `archive`
    is every report the question may be answered from, `docs` those tried now."""
    stated = _stated_years(query, docs, mentions, archive)
    return stated if stated is not None else _told_from_another_period(query, docs)


def _stating(mentions: Mentions | None, docs: list[DocumentRecord], words: list[str]) -> list[DocumentRecord]:
    if mentions is None or not words:
        return []
    saying = mentions.all_of(words)
    return [d for d in docs if d.document in saying]


def _stated_years(query: Query, docs: list[DocumentRecord], mentions: Mentions | None,
                  archive: list[DocumentRecord]) -> Scope | None:
    """A year no report is catalogued for, that reports state (a comparison column, a review of
    earlier years, a year inferred wrongly): those reports, answered only by a passage that states
    the year; no such report, a refusal (an empty scope). None without the evidence to decide.

    A single month stays with the catalogue: a month without its report is a near miss. A month
    range with its year ("januari–juni 2023") is a period of account, and reports restate the
    same period of earlier years beside their own ("Utfall januari-juni 2023" next to 2024): it
    is told by a passage that states its first and last month and its year. Not when a report of
    the archive is catalogued for the range (the organisation word named another body's report),
    nor in a year a report tried covers: there a range is its own period or the part of the year
    it forecasts ("april till december"), which the catalogue answers."""
    if not query.years or query.report_number or query.months_elapsed or mentions is None:
        return None
    if query.months:
        ranges = [m for m in find_month_ranges(query.text)
                  if m.year is not None and m.start_month is not None and m.start_month < m.end_month]
        if len(ranges) != 1 or len(query.months) != 1 or query.months[0].month != ranges[0].end_month:
            return None
        told = ranges[0]
        if any(d.period_start // 100 <= told.year <= d.period_end // 100 for d in docs) or _filter_period(query, archive):
            return None
        words = {month_name(told.start_month), month_name(told.end_month), str(told.year)}
        return Scope(_stating(mentions, docs, [str(told.year)]), restricted=True, required_all=words)
    years = [str(y) for y in query.years]
    return Scope(_stating(mentions, docs, years), restricted=True, required_all=set(years))


def _told_from_another_period(query: Query, docs: list[DocumentRecord]) -> Scope | None:
    """A period no report covers may still be stated in a neighbouring report, in so many words.

    Reports look back: a 2026 report's table has "Utfall 2025" and "Utfall 2024" columns. And
    they look ahead over the rest of their year: a report to March forecasts "april till december".
    So a question about years before every report of the organisation is searched in its nearest
    later reports, and a month range that starts right after a report ends is searched in that
    report; in both cases only a passage that states each asked period can answer. A single month
    without a report ("mars 2020") is not told this way and stays refused.
    """
    if query.report_number or query.months_elapsed:
        return None
    if query.years and not query.months:
        later = sorted({d.period_start // 100 for d in docs if d.period_start // 100 > max(query.years)})
        nearest = [d for d in docs if later and d.period_start // 100 == later[0]]
        if nearest:
            return Scope(nearest, restricted=True, required_all={str(y) for y in query.years})
        return None
    for mention in find_month_ranges(query.text):
        if mention.year is None or mention.start_month is None:
            continue
        before = mention.year * 100 + mention.start_month - 1
        ending = [d for d in docs if d.period_end == before]
        if ending:
            words = {month_name(mention.start_month), month_name(mention.end_month)}
            return Scope(ending, restricted=True, required_all=words)
    return None


def _union_of_periods(query: Query, docs: list[DocumentRecord]) -> list[DocumentRecord]:
    singles = [replace(query, kind="figure", months=[m], years=[y for y in query.years if not m.year], report_number=None) for m in query.months]
    month_years = {m.year for m in query.months if m.year}
    singles += [replace(query, kind="figure", months=[], years=[y], report_number=None) for y in query.years if y not in month_years]
    if query.report_number:
        singles.append(replace(query, kind="figure", months=[], years=[], report_number=query.report_number))
    chosen: dict[str, DocumentRecord] = {}
    for single in singles:
        for doc in _filter_period(single, docs) or []:
            chosen[doc.document] = doc
    return sorted(chosen.values(), key=lambda d: d.period_end)


def _spanning_month(query: Query, docs: list[DocumentRecord]) -> list[DocumentRecord]:
    """Reports whose period covers a month asked about ("juli 2019" inside January–August 2019)."""
    if not query.months or query.report_number or query.months_elapsed:
        return []
    out = []
    for doc in docs:
        for m in query.months:
            years = [m.year] if m.year else sorted({doc.period_start // 100, doc.period_end // 100})
            if any(doc.period_start <= y * 100 + m.month <= doc.period_end for y in years):
                out.append(doc)
                break
    return out


def _filter_period(query: Query, docs: list[DocumentRecord]) -> list[DocumentRecord] | None:
    """Documents matching the period the question names; None when it names none.

    A comparison names several periods ("sept 2018 med UR2 2019"): the union of each one's reports.
    """
    if not query.has_period:
        return None
    if query.kind == "compare":
        return _union_of_periods(query, docs)
    out = docs
    if query.months:
        wanted = {(m.year, m.month) for m in query.months}
        out = [
            d for d in out
            if any(d.period_end % 100 == month and (year is None or d.period_end // 100 == year) for year, month in wanted)
        ]
        if query.years and not any(m.year for m in query.months):
            out = [d for d in out if d.period_end // 100 in query.years]
    elif query.years:
        out = [d for d in out if d.period_end // 100 in query.years or d.period_start // 100 in query.years]
    if query.months_elapsed:
        out = [d for d in out if d.period_end - d.period_start + 1 == query.months_elapsed]
    if query.report_number and not query.months:
        pattern = re.compile(rf"\b{query.report_number}\b")
        out = [d for d in out if d.report_type == "uppföljningsrapport" and pattern.search(d.title)]
    if query.last_year and not (query.months or query.years):
        return None
    return out


def _only_units(records: list[DocumentRecord]) -> str:
    units = ", ".join(sorted({r.organisation for r in records}))
    return (
        "Det framgår inte av rapporterna i arkivet: frågan gäller hela organisationen, men arkivet har bara "
        f"rapporter för enskilda delar av den ({units}). {archive_summary(records)}"
    )


def _no_org(places: list[str], records: list[DocumentRecord]) -> str:
    names = ", ".join(p.title() for p in places)
    return f"Det framgår inte av rapporterna i arkivet: arkivet har inga rapporter från {names}. {archive_summary(records)}"


def _no_period(query: Query, records: list[DocumentRecord]) -> str:
    asked = []
    for m in query.months:
        asked.append(f"{month_name(m.month)} {m.year}" if m.year else month_name(m.month))
    if not query.months:
        asked.extend(str(y) for y in query.years)
    if query.months_elapsed:
        asked.append(f"perioden efter {query.months_elapsed} månader")
    if query.report_number:
        asked.append(f"uppföljningsrapport {query.report_number}")
    what = ", ".join(asked) or "den perioden"
    return f"Det framgår inte av rapporterna i arkivet: det finns ingen rapport för {what}. {archive_summary(records)}"
