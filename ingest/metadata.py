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
from granska.types import HIGH, LOW, MEDIUM, ParsedDocument, Provenance, ReportMeta

log = logging.getLogger(__name__)

FALLBACK_TYPE = "rapport"
FULL_YEAR_TYPES = frozenset({
    "årsredovisning", "årsbokslut", "revisionsberättelse", "verksamhetsberättelse", "årsredogörelse",
    "särredovisning", "budget", "verksamhetsplan", "granskningsrapport",
})
DEFAULT_DELAR_END_MONTH = 8  # see the module docstring

# Words that name a report kind (any inflection: "delårsrapporten") -> canonical report type.
# Order matters only for the file-name fallback, where "delarsrapport" must win over others.
# On the title page the leftmost report word wins: "Rapportsammandrag – granskning av
# årsredovisning 2024" is a summary of an audit, not an annual report.
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
    ("rapportsammandrag", "granskningsrapport"),
    ("granskningsrapport", "granskningsrapport"),
    ("revisionsrapport", "granskningsrapport"),
    ("årsredogörelse", "årsredogörelse"),
    ("revisionsberättelse", "revisionsberättelse"),
    ("särredovisning", "särredovisning"),
    ("årsredovisning", "årsredovisning"),
    ("årsbokslut", "årsbokslut"),
    ("verksamhetsberättelse", "verksamhetsberättelse"),
    ("mål och budget", "budget"),
    ("verksamhetsplan", "verksamhetsplan"),
    ("budget", "budget"),
)
# Words that are a report's name only on its title page: the body says "budget" everywhere.
_TITLE_ONLY_TYPES = frozenset({"budget", "mål och budget", "verksamhetsplan"})
_TYPE_RE = re.compile(
    r"(?<![a-zåäö])(?:(?P<word>" + "|".join(w for w, _ in _TYPE_WORDS if w not in _TITLE_ONLY_TYPES)
    + r")[a-zåäö]*|(?P<titleword>" + "|".join(w for w, _ in _TYPE_WORDS if w in _TITLE_ONLY_TYPES)
    + r")(?:en|s)?(?![a-zåäö]))(?:\s+(?P<n>\d)\b(?![,.]?\d))?",
    re.IGNORECASE,
)


def _type_word(match: re.Match) -> str:
    return match["word"] or match["titleword"]
_SELF_REFERENCE_RE = re.compile(
    r"\b(?:denna|detta|föreliggande|nuvarande)\s+(?P<word>"
    + "|".join(w for w, _ in _TYPE_WORDS if w not in _TITLE_ONLY_TYPES) + ")",
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
    rf"(?:(?:Nämnden|Förvaltningen|Styrelsen) för [\wåäöÅÄÖ &-]{{2,60}}"
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
    furniture: str  # running headers and footers
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
    report_type, ordinal, type_from = _report_type(src)
    organisation, organisation_from = _organisation(src)
    start, end, month_known, period_from = _period(src, report_type)
    title = _title(report_type, ordinal, start, end, month_known, organisation)
    meta = ReportMeta(organisation=organisation, report_type=report_type,
                      period_start=start, period_end=end, title=title,
                      provenance={"organisation": organisation_from, "report_type": type_from, "period": period_from})
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
        furniture="\n".join(_clean_lines(text) for text in doc.furniture),
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
    word = " ".join(word.lower().split())
    return next(kind for w, kind in _TYPE_WORDS if w == word)


def _report_type(src: _Sources) -> tuple[str, str, Provenance]:
    """(report type, ordinal such as "2" in "Uppföljningsrapport 2", or "", where it came from)."""
    for text, where in ((src.title, "titelsidan"), (src.meta_title, "PDF-metadata (titel)"),
                        (src.meta_subject, "PDF-metadata (ämne)")):
        match = _TYPE_RE.search(text)
        if match:
            return _canonical_type(_type_word(match)), match["n"] or "", Provenance(where, HIGH)
    match = _SELF_REFERENCE_RE.search(src.body)
    if match:
        return _canonical_type(match["word"]), "", Provenance(f"texten: \"{match.group(0)}\"", MEDIUM)
    folded = _fold(src.stem)
    for word, kind in _TYPE_WORDS:
        if _fold(word).replace(" ", "-") in folded:
            return kind, _file_ordinal(folded, _fold(word)), Provenance("filnamnet", LOW)
    counts = Counter(_canonical_type(m["word"]) for m in _TYPE_RE.finditer(src.early) if m["word"])
    if counts:
        return counts.most_common(1)[0][0], "", Provenance("texten (vanligaste rapportordet)", LOW)
    log.info("no report type found; using %r", FALLBACK_TYPE)
    return FALLBACK_TYPE, "", Provenance("inget rapportord hittades", LOW)


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


def _top_level(src: _Sources, publisher: str = "") -> str:
    """The Region/kommun/Stad named most often; one whose name the report gives as its publisher
    (its web domain, "Ålunda kommuns delårsrapport") wins over any count of mentions."""
    counts: Counter[str] = Counter()
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    _top_level_counts(src.title, _TITLE_WEIGHT, counts, forms)
    _top_level_counts(src.furniture, _TITLE_WEIGHT, counts, forms)
    _top_level_counts(src.metadata, _METADATA_WEIGHT, counts, forms)
    _top_level_counts(src.body, 1, counts, forms)
    if not counts:
        return ""
    if publisher:
        folded = _fold(publisher)
        owned = [key for key in counts if _fold(key.split(":")[-1].removeprefix("Region ")) in folded]
        if owned:
            return _best_spelling(forms[max(owned, key=lambda k: counts[k])])
    return _best_spelling(forms[counts.most_common(1)[0][0]])


def _layout_lines(text: str) -> list[str]:
    """Lines, with a line's layout columns apart ("Nämnden för Teknik      Ålunda kommun" is a
    running header with two fields) and runs of spaces inside a field collapsed."""
    out = []
    for line in text.splitlines():
        out += [" ".join(part.split()) for part in re.split(r"\s{3,}|\t", line) if part.strip()]
    return out


def _unit(src: _Sources) -> str:
    """The writing unit, from a title-page line of its own or a PDF metadata part."""
    candidates = _layout_lines(src.title)[:14]
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


# "Räddningstjänsten Storgöteborg är ett kommunalförbund": a body that says what it is, and is
# its own publisher, whoever its members or the region around it are.
_SELF_STATEMENT_RE = re.compile(
    r"(?P<name>[A-ZÅÄÖ][\wåäö&-]+(?: (?:[A-ZÅÄÖ&][\wåäö&-]*|och|för|i)){0,5}) är (?:ett|en) (?:\w+ )?"
    r"(?P<kind>kommunalförbund|samordningsförbund|förvaltningsmyndighet|myndighet|aktiebolag|bolag|stiftelse)\b"
)
_INDEPENDENT_KINDS = frozenset({"kommunalförbund", "samordningsförbund", "förvaltningsmyndighet", "myndighet",
                                "aktiebolag", "bolag", "stiftelse"})
# "Tullverkets årsredovisning 2019", "Ålunda kommuns delårsrapport": the genitive before
# the report's name on its title page or in its PDF title is the publisher.
_GENITIVE_RE = re.compile(
    r"(?P<name>[A-ZÅÄÖ][\wåäö-]+(?: (?:[A-ZÅÄÖ][\wåäö-]+|kommun|stad|län))*?)s (?=(?i:"
    + "|".join(w for w, _ in _TYPE_WORDS) + "))"
)
_DOMAIN_RE = re.compile(r"(?:\bwww\.|@)(?P<label>[a-z0-9åäö-]{3,})\.(?:se|nu|org|com|eu)\b", re.IGNORECASE)
_GENERIC_PUBLISHERS = frozenset(
    "region regionen kommun kommunen nämnden nämnd förbundet bolaget verket styrelsen förvaltningen stadens "
    "stad staden koncernen".split()
)
_CAPITALISED_RE = re.compile(r"\b[A-ZÅÄÖ][\wåäö-]{3,}")


def _publisher(src: _Sources) -> tuple[str, bool, Provenance] | None:
    """The body the report itself says published it: (name, whether it stands on its own rather
    than within a kommun or region, where that was read)."""
    match = _SELF_STATEMENT_RE.search(src.early)
    if match and match["name"].lower() not in _GENERIC_PUBLISHERS:
        return match["name"], match["kind"] in _INDEPENDENT_KINDS, Provenance(f"texten: \"{match.group(0)}\"", HIGH)
    for text, where in ((src.meta_title, "PDF-metadata (titel)"), (" ".join(_layout_lines(src.title)), "titelsidan")):
        # lower-case start allowed only inside the name ("Ålunda kommuns"), never for its first word
        for match in _GENITIVE_RE.finditer(text):
            name = match["name"]
            if (name[0].isupper() and name.split()[-1].lower() not in _GENERIC_PUBLISHERS
                    and not re.search(f"(?:{_UNIT_SUFFIXES})$", name, re.IGNORECASE)):  # "Revisionens": a unit, read as one
                return name, not _TOP_LEVEL_FORM_RE.search(name), Provenance(f"{where}: \"{match.group(0).strip()}\"", HIGH)
    head = "\n".join([src.title, src.metadata, src.early[:6000]])
    domain = _DOMAIN_RE.search(head)
    if domain:
        label = _fold(domain["label"]).replace("-", "")
        if re.match(r"(?:region|landsting)", label) or label.endswith(("kommun", "stad")):
            # "regionhalland.se": the region's own name, which the Region/kommun count reads.
            return label.removeprefix("region").removeprefix("landsting"), False, Provenance(f"webbadressen {domain.group(0)}", MEDIUM)
        for word in _CAPITALISED_RE.findall(f"{src.title}\n{src.body}"):
            if _fold(word).replace("-", "") == label:
                return word, not _is_place_word(word, src), Provenance(f"webbadressen {domain.group(0)}", MEDIUM)
    return None


_TOP_LEVEL_FORM_RE = re.compile(r"^Region |\bkommun$|\b[Ss]tad$|regionen$")


def _is_place_word(word: str, src: _Sources) -> bool:
    """"Ålunda" (of alunda.se) names a kommun the text calls "Ålunda kommun"."""
    return re.search(rf"\b(?:Region {re.escape(word)}|{re.escape(word)}s? (?:kommun|[Ss]tad))\b", src.body) is not None


def _organisation(src: _Sources) -> tuple[str, Provenance]:
    publisher = _publisher(src)
    unit = _unit(src)
    if publisher is not None and publisher[1]:
        return publisher[0], publisher[2]  # a body of its own, whatever region or members it names
    top = _top_level(src, publisher[0] if publisher else "")
    where = publisher[2] if publisher else Provenance("texten (oftast nämnda region/kommun)", MEDIUM)
    if publisher and not top:
        top = publisher[0]
    if not top:
        top, from_file = _top_level_from_file_name(src, unit)
        where = from_file if top else where
    if unit and top and _fold(top) not in _fold(unit):
        return f"{top}, {unit}", where
    if unit or top:
        return unit or top, where
    return src.stem, Provenance("filnamnet", LOW)


def _top_level_from_file_name(src: _Sources, unit: str) -> tuple[str, Provenance]:
    """Last resort: the place in the file name, its kind taken from the unit ("Regionkontoret"),
    spelled as the document spells it ("harryda" -> "Härryda"), never transliterated."""
    stem = src.stem
    words = [w for w in re.split(r"[-_ ]+", _fold(stem)) if w.isalpha()]
    unit_folded = _fold(unit)
    types = {_fold(w) for w, _ in _TYPE_WORDS}
    places = [w for w in words if w not in types and w != unit_folded and w not in _GENERIC_FILE_WORDS]
    if not places or not (_FILE_PERIOD_RE.search(stem) or any(t in _fold(stem) for t in types)):
        return "", Provenance("", LOW)  # a name like "rapport.pdf" or "scan.pdf" names no place
    # "Härryda", "Härrydas": a file name folds å/ä/ö away, so the place is taken only in a spelling
    # the document itself prints; a name it never prints is no name for it.
    spelled = next((w.removesuffix("s") if _fold(w) != places[0] else w
                    for w in _CAPITALISED_RE.findall(f"{src.title}\n{src.body}") if _fold(w) in (places[0], places[0] + "s")), "")
    if not spelled:
        return "", Provenance("", LOW)
    place = spelled
    where = Provenance("filnamnet, stavat som i texten", LOW)
    log.info("organisation taken from the file name %r", stem)
    if unit_folded.startswith("region"):
        return f"Region {place}", where
    if unit_folded.startswith("kommun"):
        return f"{place} kommun", where
    return place, where


# --- period ------------------------------------------------------------------------------


def _window(src: _Sources) -> str:
    """The title-page text that belongs to the report name: from the name onwards."""
    match = _TYPE_RE.search(src.title)
    return src.title[match.start():match.start() + _WINDOW] if match else src.title


# A year that dates the paperwork, not the period reported on: "Handling 2025 nr 68", "Dnr
# KS-2024-00517", "Version till kommunstyrelsen 2024-10-22", "Tryckeri: ... 2002".
_ADMINISTRATIVE_BEFORE_RE = re.compile(
    r"(?:handling|dnr|diarienr|diarienummer|ärende|nr|version|datum|daterad|beslutad|antagen|antogs|"
    r"fastställd|justerad|tryck\w*|utgiven|publicerad|reviderad|[A-ZÅÄÖ]{2,4}-)[^\n]{0,40}$",
    re.IGNORECASE,
)
_ISO_DATE_RE = re.compile(r"(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)")
# "per 31 augusti 2025", "t.o.m. 30 april": a day before a month that ends the period reported on.
_PERIOD_END_DAY_RE = re.compile(r"(?:\bper|t\.?\s?o\.?\s?m\.?|till och med)\s+\d{1,2}\.?\s*$", re.IGNORECASE)


def _administrative(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    if _ADMINISTRATIVE_BEFORE_RE.search(text, line_start, pos):
        return True
    return any(m.start() <= pos < m.end() for m in _ISO_DATE_RE.finditer(text, line_start, pos + 10))


def _month_and_year(text: str) -> tuple[int | None, int | None]:
    """The first period phrase in the text: "Okt 2020", "jan–feb 2020" or a year alone.

    A month with a day before it ("fastställd 28 oktober 2021") is a date, not the period, unless
    the day ends the period ("per 31 augusti 2025"); a year that dates the paperwork ("Handling
    2025 nr 68", "2024-10-22") is not the period either.
    """
    mentions = [
        m for m in find_month_ranges(text) + find_month_years(text)
        if m.year and (not _DAY_BEFORE_RE.search(text, 0, m.position) or _PERIOD_END_DAY_RE.search(text, 0, m.position))
        and not _administrative(text, m.position)
    ]
    spans = [(m.position, m.position + len(m.text)) for m in mentions]
    years = [(pos, year) for pos, year in find_years(text)
             if not any(a <= pos < b for a, b in spans) and not _administrative(text, pos)]
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


def _period(src: _Sources, report_type: str) -> tuple[int, int, bool, Provenance]:
    """(period_start, period_end, whether the month was stated, where it was read) as yyyymm."""
    where = Provenance("titelsidan", HIGH)
    month, year = _month_and_year(_window(src))
    if year is None:
        month, year = _month_and_year(src.title)
    if year is None:
        # A title page whose title is also the running header ("Delårsrapport augusti 2024" on
        # every page) loses it to the furniture; the header still states the period.
        month, year = _month_and_year(src.furniture)
        where = Provenance("sidhuvud/sidfot", HIGH)
    for text in (src.meta_title, src.meta_subject):
        if year is not None and month is not None:
            break
        meta_month, meta_year = _month_and_year(text)
        if year is None:
            month, year = meta_month, meta_year
            where = Provenance("PDF-metadata", HIGH)
        elif month is None and meta_year == year:
            month = meta_month
    if year is None:
        month, year = _month_and_year(src.early)
        where = Provenance("texten (första perioduppgiften)", MEDIUM)
    file_match = _FILE_PERIOD_RE.search(src.stem)
    if year is None and file_match:
        log.info("period taken from the file name %r", src.stem)
        year = int(file_match["year"])
        month = int(file_match["month"]) if file_match["month"] else None
        where = Provenance("filnamnet", LOW)
    if year is None:
        years = Counter(y for _, y in find_years(src.body))
        if not years:
            raise IngestError(
                f"{src.stem}: kunde inte avgöra vilket år rapporten gäller (inget årtal på "
                "titelsidan, i texten eller i filnamnet)."
            )
        year = years.most_common(1)[0][0]
        where = Provenance("texten (vanligaste årtalet)", LOW)
    if report_type in FULL_YEAR_TYPES and month is None:
        return year * 100 + 1, year * 100 + 12, False, where
    stated = month is not None
    if month is None:
        month = _end_month_from_text(src.early, year)
        stated = month is not None
        if stated:
            where = Provenance(f"{where.source}; månaden ur texten", MEDIUM)
    if month is None and file_match and int(file_match["year"]) == year and file_match["month"]:
        month, stated = int(file_match["month"]), True
        where = Provenance(f"{where.source}; månaden ur filnamnet", LOW)
    if month is None:
        month = DEFAULT_DELAR_END_MONTH if report_type == "delårsrapport" else 12
        log.info("%s: no month stated; assuming %s", src.stem, month_name(month))
        where = Provenance(f"{where.source}; året står, månaden är antagen ({month_name(month)})", LOW)
    start = _start_month([src.title, src.meta_subject, src.meta_title, src.early], month, year)
    return year * 100 + start, year * 100 + month, stated, where


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


def title_for(meta: ReportMeta, inferred_title: str = "") -> str:
    """The title line of metadata set by a user; keeps an ordinal the inferred title had
    ("Uppföljningsrapport 2") when the type is unchanged."""
    ordinal = ""
    match = _TYPE_RE.search(inferred_title)
    if match and match["n"] and _canonical_type(_type_word(match)) == meta.report_type:
        ordinal = match["n"]
    whole_year = meta.period_start % 100 == 1 and meta.period_end % 100 == 12
    return _title(meta.report_type, ordinal, meta.period_start, meta.period_end, not whole_year, meta.organisation)
