"""What a report is — organisation, report type, period, title — read from the report itself.

Every chunk carries this metadata, and questions are filtered by it ("Region Halland, oktober
2020"), so it has to be right for reports nobody has seen before. The sources, most trusted first:

1. the title page (`doc.title_text`; for a text extract without one, the lines before the first
   heading): reports name themselves there — "Månadsrapport / Regionkontoret / Okt 2020";
2. the PDF metadata (Title/Author/Subject) when it looks like words about the report, not
   "Microsoft Word - x.docx" or a person's name;
3. the body: who is named most often ("Region Halland", "Göteborgs Stad"), which period is
   reported on ("januari–augusti", "efter åtta månader");
4. the file name, only when nothing else says it.

Rules about periods (yyyymm):
- månadsrapport, uppföljningsrapport, delårsrapport run from January to the month named, year to
  date ("Okt 2020" -> 202001..202010), unless the document states a range ending in that month
  ("januari–februari 2020" — a range must end in the report's month to count, so "jan-juli" in
  a passage of an August report changes nothing);
- a delårsrapport that names only its year ("Delårsrapport 2021") takes its months from the
  document ("Under perioden januari - augusti", "efter åtta månader"); failing that, January to
  August, the closing date Swedish regions and municipalities use for the statutory interim report
  (any other report type without a month runs to December);
- årsredovisning, revisionsberättelse, verksamhetsberättelse cover their whole year (01..12);
- the year is the one printed with the report name on the title page ("Revisionsberättelse
  avseende ... under 2024" wins over "Handling 2025 nr 68", which precedes the name).

Organisation: the top-level body (Region X, X kommun, Xs Stad) named most often, weighting the
title page and PDF metadata above the body, plus the unit that wrote the report when the title
page or PDF metadata names one on a line of its own (Regionkontoret, Regionstyrelsen, Nämnden för
Intraservice). A fullmäktige is never the unit: reports are addressed to it, not written by it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from granska.ingest.errors import IngestError
from granska.ingest.periods import (
    find_month_ranges,
    find_month_years,
    find_years,
    month_name,
    months_elapsed,
)
from granska.types import ParsedDocument, ReportMeta

log = logging.getLogger(__name__)

FALLBACK_TYPE = "rapport"
FULL_YEAR_TYPES = frozenset({"årsredovisning", "revisionsberättelse", "verksamhetsberättelse"})
DEFAULT_DELAR_END_MONTH = 8  # see the module docstring

# Words that name a report kind (any inflection: "delårsrapporten") -> canonical report type.
# Order matters only for the file-name fallback, where "delarsrapport" must win over others.
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("delårsrapport", "delårsrapport"),
    ("delårsbokslut", "delårsrapport"),
    ("delårsredovisning", "delårsrapport"),
    ("månadsrapport", "månadsrapport"),
    ("månadsuppföljning", "månadsrapport"),
    ("månadsbokslut", "månadsrapport"),
    ("uppföljningsrapport", "uppföljningsrapport"),
    ("tertialrapport", "uppföljningsrapport"),
    ("tertialuppföljning", "uppföljningsrapport"),
    ("årsredovisning", "årsredovisning"),
    ("årsbokslut", "årsredovisning"),
    ("revisionsberättelse", "revisionsberättelse"),
    ("verksamhetsberättelse", "verksamhetsberättelse"),
)
_TYPE_RE = re.compile(
    r"(?<![a-zåäö])(?P<word>" + "|".join(w for w, _ in _TYPE_WORDS) + r")[a-zåäö]*(?:\s+(?P<n>\d)\b(?![,.]?\d))?",
    re.IGNORECASE,
)
_SELF_REFERENCE_RE = re.compile(
    r"\b(?:denna|detta|föreliggande|nuvarande)\s+(?P<word>" + "|".join(w for w, _ in _TYPE_WORDS) + ")",
    re.IGNORECASE,
)

_NAME = r"[A-ZÅÄÖ][a-zåäöéü]{2,}"
_NOT_NAMES = frozenset(
    "Varje Denna Den Det Vilken Annan Samma Egen Hela Respektive Aktuell Berörd Ingen Någon "
    "Alla Per Och Inom Från Till Mot Med Vid Hos Av Varsin Vår Vårt Er Din Min Ny Nya Övrig".split()
)
_REGION_RE = re.compile(
    rf"\bRegion (?P<dir>(?:Västra|Östra|Norra|Södra) )?(?P<name>{_NAME})(?P<lan> län)?(?![\wåäö-])"
)
_KOMMUN_RE = re.compile(rf"\b(?P<name>{_NAME}(?:-{_NAME})?) kommuns?\b")
_STAD_RE = re.compile(rf"\b(?P<name>{_NAME}) (?P<stad>[Ss]tad)s?\b")
_REGIONEN_RE = re.compile(rf"\b(?P<name>(?:(?:Västra|Östra|Norra|Södra) )?{_NAME}sregionen)\b")

# A unit that writes reports, when it stands alone on a title-page line or in PDF metadata.
_UNIT_SUFFIXES = "nämnden|styrelsen|kontoret|förvaltningen|revisionen|direktionen|utskottet"
_UNIT_RE = re.compile(
    rf"(?:(?:Nämnden|Förvaltningen|Styrelsen) för [\wåäöÅÄÖ -]{{2,60}}"
    rf"|[A-ZÅÄÖ][\wåäö-]*(?: och [\wåäö-]+)?(?:{_UNIT_SUFFIXES}))"
)
_UNIT_WORD_RE = re.compile(rf"\b(?P<unit>[A-ZÅÄÖ][a-zåäö]+(?:{_UNIT_SUFFIXES}))s?\b")  # genitive too

_JUNK_METADATA_RE = re.compile(
    r"^(?:microsoft\s+\w+\s*-|untitled|namnlös|dokument\d*$|document\d*$)|\.(?:docx?|xlsx?|pptx?|pdf|odt)\b",
    re.IGNORECASE,
)
_MARKUP_RE = re.compile(r"<[^>]+>|[*#_`]+|^-{3,}$|^>+")
_HEADING_LINE_RE = re.compile(r"^\d+(?:\.\d+)*\.?\s+[A-ZÅÄÖ]|^innehåll", re.IGNORECASE)
# A day number on the same line before a month ("28 oktober 2021"); "Uppföljningsrapport 2
# augusti 2019" is an ordinal, not a day.
_DAY_BEFORE_RE = re.compile(r"(?<!\d)(?<!rapport )\d{1,2}\.?[ \t\u00a0]*$", re.IGNORECASE)
_FILE_PERIOD_RE = re.compile(r"(?<!\d)(?P<year>(?:19|20)\d\d)(?:[-_ .](?P<month>0[1-9]|1[0-2]))?(?!\d)")

_GENERIC_FILE_WORDS = frozenset(
    "rapport report dokument document fil file final slutlig version utkast scan kopia copy ny".split()
)

_TITLE_WEIGHT = 5
_METADATA_WEIGHT = 8
_WINDOW = 160  # characters after the report name on the title page that belong to it


@dataclass(frozen=True)
class _Sources:
    """The texts metadata is read from, each cleaned once."""

    title: str  # title page
    meta_title: str  # PDF /Title, "" when absent or junk
    meta_author: str
    meta_subject: str
    body: str  # all blocks
    early: str  # the first blocks (summary, first section): where the period is stated
    stem: str  # file name without suffix

    @property
    def metadata(self) -> str:
        return "\n".join(t for t in (self.meta_title, self.meta_subject, self.meta_author) if t)


def infer_metadata(doc: ParsedDocument) -> ReportMeta:
    """Organisation, report type, period and a one-line title, from the document itself.

    Raises IngestError when not even a year can be found anywhere, file name included.
    """
    src = _sources(doc)
    report_type, ordinal = _report_type(src)
    organisation = _organisation(src)
    start, end, month_known = _period(src, report_type)
    title = _title(report_type, ordinal, start, end, month_known, organisation)
    meta = ReportMeta(organisation=organisation, report_type=report_type,
                      period_start=start, period_end=end, title=title)
    log.debug("metadata for %s: %s", doc.path, meta)
    return meta


# --- sources -----------------------------------------------------------------------------


def _clean_lines(text: str) -> str:
    lines = (_MARKUP_RE.sub("", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _sources(doc: ParsedDocument) -> _Sources:
    title = _clean_lines(doc.title_text)
    if not title:
        # A text extract without a recognised title page: the blocks before the first heading.
        leading = []
        for block in doc.blocks:
            if block.section:
                break
            leading.append(block.text)
        lines = []
        for line in _clean_lines("\n".join(leading)).splitlines()[:15]:
            if _HEADING_LINE_RE.match(line):
                break
            lines.append(line)
        title = "\n".join(lines)
    metadata = {key.lower(): " ".join(str(value).split()) for key, value in doc.pdf_metadata.items()}

    def useful(key: str) -> str:
        value = metadata.get(key, "")
        return "" if _JUNK_METADATA_RE.search(value) else value

    texts = [block.text for block in doc.blocks]
    return _Sources(
        title=title,
        meta_title=useful("title"),
        meta_author=useful("author"),
        meta_subject=useful("subject"),
        body="\n".join(texts),
        early="\n".join(texts[:40])[:25_000],
        stem=Path(doc.path).stem,
    )


def _fold(text: str) -> str:
    """Lower-case ASCII, for matching file names ("månadsrapport" -> "manadsrapport")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- report type -------------------------------------------------------------------------


def _canonical_type(word: str) -> str:
    word = word.lower()
    return next(kind for w, kind in _TYPE_WORDS if w == word)


def _report_type(src: _Sources) -> tuple[str, str]:
    """(report type, ordinal such as "2" in "Uppföljningsrapport 2", or "")."""
    for text in (src.title, src.meta_title, src.meta_subject):
        match = _TYPE_RE.search(text)
        if match:
            return _canonical_type(match["word"]), match["n"] or ""
    match = _SELF_REFERENCE_RE.search(src.body)
    if match:
        return _canonical_type(match["word"]), ""
    folded = _fold(src.stem)
    for word, kind in _TYPE_WORDS:
        if _fold(word) in folded:
            return kind, _file_ordinal(folded, _fold(word))
    counts = Counter(_canonical_type(m["word"]) for m in _TYPE_RE.finditer(src.early))
    if counts:
        return counts.most_common(1)[0][0], ""
    log.info("no report type found; using %r", FALLBACK_TYPE)
    return FALLBACK_TYPE, ""


def _file_ordinal(folded_stem: str, word: str) -> str:
    match = re.search(re.escape(word) + r"[-_ ](\d)(?!\d)", folded_stem)
    return match.group(1) if match else ""


# --- organisation ------------------------------------------------------------------------


def _top_level_counts(
    text: str, weight: int, counts: Counter[str], forms: defaultdict[str, Counter[str]]
) -> None:
    """Count Region/kommun/Stad names; `forms` keeps each key's spellings to pick the best one."""
    for m in _REGION_RE.finditer(text):
        name = m["name"]
        if not m["lan"] and name.endswith("s") and not name.endswith("ss"):
            name = name[:-1]  # genitive: "Region Hallands" -> "Region Halland"
        if name in _NOT_NAMES:
            continue
        key = f"Region {m['dir'] or ''}{name}{m['lan'] or ''}"
        counts[key] += weight
        forms[key][key] += weight
    for m in _REGIONEN_RE.finditer(text):
        counts[m["name"]] += weight
        forms[m["name"]][m["name"]] += weight
    for rx, noun in ((_KOMMUN_RE, "kommun"), (_STAD_RE, "stad")):
        for m in rx.finditer(text):
            name = m["name"]
            if name in _NOT_NAMES:
                continue
            key = f"stad:{name}"  # "Göteborgs kommun" is Göteborgs Stad: one key per place
            spelled = f"{name} {m['stad']}" if noun == "stad" else f"{name} kommun"
            counts[key] += weight
            forms[key][spelled] += weight


def _best_spelling(forms: Counter[str]) -> str:
    """A city's own name wins over "X kommun"; "Stad" capitalised wins (it is the proper name)."""
    stad = [f for f in forms if f.endswith(" Stad")] or [f for f in forms if f.endswith(" stad")]
    if stad:
        return max(stad, key=lambda f: forms[f])
    return forms.most_common(1)[0][0]


def _top_level(src: _Sources) -> str:
    counts: Counter[str] = Counter()
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    _top_level_counts(src.title, _TITLE_WEIGHT, counts, forms)
    _top_level_counts(src.metadata, _METADATA_WEIGHT, counts, forms)
    _top_level_counts(src.body, 1, counts, forms)
    if not counts:
        return ""
    return _best_spelling(forms[counts.most_common(1)[0][0]])


def _unit(src: _Sources) -> str:
    """The writing unit, from a title-page line of its own or a PDF metadata part."""
    candidates = src.title.splitlines()[:12]
    for text in (src.meta_author, src.meta_title):
        candidates += [part.strip() for part in re.split(r"[,;–—|]| - ", text)]
    for line in candidates:
        line = line.strip(" .:")
        if _UNIT_RE.fullmatch(line) and "fullmäktige" not in line.lower():
            return line
    if src.title:
        return ""
    # No title page at all: the unit the text keeps naming, if it clearly dominates.
    counts = Counter(m["unit"] for m in _UNIT_WORD_RE.finditer(src.early))
    if counts:
        word, count = counts.most_common(1)[0]
        if count >= 3:
            return word
    return ""


def _organisation(src: _Sources) -> str:
    top, unit = _top_level(src), _unit(src)
    if not top:
        top = _top_level_from_file_name(src.stem, unit)
    if unit and top and _fold(top) not in _fold(unit):
        return f"{top}, {unit}"
    return unit or top or src.stem


def _top_level_from_file_name(stem: str, unit: str) -> str:
    """Last resort: the place in the file name, its kind taken from the unit ("Regionkontoret")."""
    words = [w for w in re.split(r"[-_ ]+", _fold(stem)) if w.isalpha()]
    unit_folded = _fold(unit)
    types = {_fold(w) for w, _ in _TYPE_WORDS}
    places = [w for w in words if w not in types and w != unit_folded and w not in _GENERIC_FILE_WORDS]
    if not places or not (_FILE_PERIOD_RE.search(stem) or any(t in _fold(stem) for t in types)):
        return ""  # a name like "rapport.pdf" or "scan.pdf" names no place
    place = places[0].capitalize()
    log.info("organisation taken from the file name %r", stem)
    if unit_folded.startswith("region"):
        return f"Region {place}"
    if unit_folded.startswith("kommun"):
        return f"{place} kommun"
    return place


# --- period ------------------------------------------------------------------------------


def _window(src: _Sources) -> str:
    """The title-page text that belongs to the report name: from the name onwards."""
    match = _TYPE_RE.search(src.title)
    return src.title[match.start():match.start() + _WINDOW] if match else src.title


def _month_and_year(text: str) -> tuple[int | None, int | None]:
    """The first period phrase in the text: "Okt 2020", "jan–feb 2020" or a year alone.

    A month with a day before it ("fastställd 28 oktober 2021") is a date, not the period.
    """
    mentions = [
        m for m in find_month_ranges(text) + find_month_years(text)
        if m.year and not _DAY_BEFORE_RE.search(text, 0, m.position)
    ]
    spans = [(m.position, m.position + len(m.text)) for m in mentions]
    years = [(pos, year) for pos, year in find_years(text) if not any(a <= pos < b for a, b in spans)]
    candidates = [(m.position, m.end_month, m.year) for m in mentions] + [(pos, None, y) for pos, y in years]
    if not candidates:
        return None, None
    _, month, year = min(candidates, key=lambda c: c[0])
    return month, year


def _end_month_from_text(text: str, year: int) -> int | None:
    """A month the body says the period runs to: a range from January, or "efter n månader"."""
    for mention in find_month_ranges(text):
        if mention.start_month == 1 and mention.year in (None, year):
            return mention.end_month
    elapsed = months_elapsed(text)
    if elapsed:
        return elapsed[0][1]
    return None


def _start_month(texts: list[str], end_month: int, year: int) -> int:
    """January unless a stated range ends in the report's month (see module docstring)."""
    for text in texts:
        for mention in find_month_ranges(text):
            if mention.end_month == end_month and mention.year in (None, year):
                return mention.start_month or 1
    return 1


def _period(src: _Sources, report_type: str) -> tuple[int, int, bool]:
    """(period_start, period_end, whether the month was stated) as yyyymm."""
    month, year = _month_and_year(_window(src))
    if year is None:
        month, year = _month_and_year(src.title)
    for text in (src.meta_title, src.meta_subject):
        if year is not None and month is not None:
            break
        meta_month, meta_year = _month_and_year(text)
        if year is None:
            month, year = meta_month, meta_year
        elif month is None and meta_year == year:
            month = meta_month
    if year is None:
        month, year = _month_and_year(src.early)
    file_match = _FILE_PERIOD_RE.search(src.stem)
    if year is None and file_match:
        log.info("period taken from the file name %r", src.stem)
        year = int(file_match["year"])
        month = int(file_match["month"]) if file_match["month"] else None
    if year is None:
        years = Counter(y for _, y in find_years(src.body))
        if not years:
            raise IngestError(
                f"{src.stem}: kunde inte avgöra vilket år rapporten gäller (inget årtal på "
                "titelsidan, i texten eller i filnamnet)."
            )
        year = years.most_common(1)[0][0]
    if report_type in FULL_YEAR_TYPES:
        return year * 100 + 1, year * 100 + 12, False
    stated = month is not None
    if month is None:
        month = _end_month_from_text(src.early, year)
        stated = month is not None
    if month is None and file_match and int(file_match["year"]) == year and file_match["month"]:
        month, stated = int(file_match["month"]), True
    if month is None:
        month = DEFAULT_DELAR_END_MONTH if report_type == "delårsrapport" else 12
        log.info("%s: no month stated; assuming %s", src.stem, month_name(month))
    start = _start_month([src.title, src.meta_subject, src.meta_title, src.early], month, year)
    return year * 100 + start, year * 100 + month, stated


# --- title -------------------------------------------------------------------------------


def _title(report_type: str, ordinal: str, start: int, end: int, month_known: bool, organisation: str) -> str:
    """ "Månadsrapport oktober 2020 – Region Halland, Regionkontoret"; whole-year reports
    name only the year ("Revisionsberättelse 2024 – Göteborgs Stad")."""
    name = report_type.capitalize() + (f" {ordinal}" if ordinal else "")
    year = end // 100
    if report_type in FULL_YEAR_TYPES or (start % 100 == 1 and end % 100 == 12 and not month_known):
        when = f"{year}"
    else:
        when = f"{month_name(end % 100)} {year}"
    return f"{name} {when} – {organisation}" if organisation else f"{name} {when}"
