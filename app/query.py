"""Question understanding: what period, which organisation, what kind of answer, which terms.

The result drives retrieval filters/boosts, the scope check that decides honest refusals, and the
shape of the answer. Everything here is general Swedish (month names, question words, causal
markers, region names), never tied to one report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from granska.index.lexical import analyse_words
from granska.ingest.periods import MONTHS, find_month_ranges

Kind = Literal["figure", "why", "list", "compare", "other"]

# Sweden's 21 regions and the largest municipalities: mentions of these are checked against the
# archive, so a question about an organisation the archive does not hold is refused.
PLACES = (
    "stockholm", "uppsala", "sörmland", "södermanland", "östergötland", "jönköping", "kronoberg",
    "kalmar", "gotland", "blekinge", "skåne", "halland", "västra götaland", "värmland", "örebro",
    "västmanland", "dalarna", "gävleborg", "västernorrland", "jämtland", "härjedalen",
    "västerbotten", "norrbotten", "göteborg", "malmö", "linköping", "västerås", "helsingborg",
    "norrköping", "umeå", "lund", "borås", "halmstad", "karlstad", "luleå", "sundsvall",
)

_WHY = re.compile(r"\b(varför|vad beror|beror det|förklara|förklaring|orsak|anledning|vad ligger bakom|hur kommer det sig)", re.I)
_LIST = re.compile(r"\b(vilka|lista|räkna upp|vad ingår|vilka är|nämn)\b", re.I)
_COMPARE = re.compile(
    r"\b(jämför|jämfört|jämförelse|skillnad|skiljer sig|förändrats|förändrades|ändrats|ändrades|förändring|ökat|"
    r"minskat|utvecklats|utvecklades|utveckling(en)? mellan|mellan \S+ och|"
    r"mot förra|än (i|samma|under|för)|vs|versus|gentemot|(lägre|högre|mer|mindre|större|färre|fler) än)\b",
    re.I,
)
# Where a comparison's two sides meet: "överskott i delåret | jämfört med | prognosen".
_SIDE_MARKER = re.compile(r"\s(?:jämfört med|jämfört mot|i jämförelse med|vs\.?|versus|gentemot|från|än|mot)\s", re.I)
_FIGURE = re.compile(r"\b(hur (mycket|stor|stort|stora|hög|högt|höga|låg|lågt|många)|vad (var|är|blev|blir|landade|landar|hamnar|slutar|prognostiserar|visar|kostar|kostade|beräknas \w+ kosta)|vilken|vilket|belopp|andel|siffra|nivå|procent|mnkr|tkr|kr)\b", re.I)
YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_REFERENCE_BEFORE = re.compile(r"(sedan|från|jämfört med|mot|efter)\s+$", re.I)
# "sköts upp till 2021", "inför 2022": a year that is a target date, not the period reported on.
_REFERENCE_YEAR_BEFORE = re.compile(
    r"\b(till|inför|sedan|från|fram till|senast|jämfört med|jämförelse med|mot)\s+(år\s+|året\s+)?$", re.I
)

# Abbreviations common in Swedish regional and municipal reporting, expanded before analysis so
# "RK", "HoS" or "RS" match the words the reports print.
ABBREVIATIONS = {
    "rk": "Regionkontoret",
    "rs": "Regionstyrelsen",
    "rf": "Regionfullmäktige",
    "kf": "kommunfullmäktige",
    "ks": "kommunstyrelsen",
    "hos": "hälso- och sjukvård",
    "hsv": "hälso- och sjukvård",
    "hr": "HR personal",
    "ur": "uppföljningsrapport",
}
_ABBREVIATION = re.compile(r"\b(" + "|".join(k for k in ABBREVIATIONS if k != "ur") + r")\b", re.I)


def _abbreviations_in(text: str) -> list[re.Match[str]]:
    """Abbreviations as written: with two capitals at least ("RK", "HoS"), so the preposition
    "hos" or the word "hr" in running text is not taken for one."""
    return [m for m in _ABBREVIATION.finditer(text) if sum(ch.isupper() for ch in m.group(0)) >= 2]


def expand_abbreviations(text: str) -> str:
    """"RK okt 2020" -> "RK Regionkontoret okt 2020": the original stays, so exact matches still count."""
    for m in reversed(_abbreviations_in(text)):
        text = f"{text[:m.end()]} {ABBREVIATIONS[m.group(0).lower()]}{text[m.end():]}"
    return text


def _abbreviated(text: str) -> list[frozenset[str]]:
    """An abbreviation and the words it stands for are one thing asked about: a passage that
    writes "Regionkontoret" says what "RK" asks, so the pair counts once, met by either."""
    return [frozenset({m.group(0).lower()} | {tok for tok, _ in content_terms(ABBREVIATIONS[m.group(0).lower()])})
            for m in _abbreviations_in(text)]


_UR = re.compile(r"\b(?:ur|uppföljningsrapport)\s*(\d)\b", re.I)
# "första kvartalet", "andra halvåret", "under perioden": a time, a period rather than a topic.
_PART_OF_YEAR = re.compile(
    r"\b((första|andra|tredje|fjärde|sista)\s+(kvartalet|halvåret|tertialet)|under (perioden|året))\b", re.I
)
_SAME_PERIOD = re.compile(r"\b(?:samma|motsvarande) period(?:en)?\s+(?:år\s+)?((?:19|20)\d\d)\b", re.I)
_MONTHS_AFTER = re.compile(r"efter\s+(en|ett|två|tre|fyra|fem|sex|sju|åtta|nio|tio|elva|tolv|\d{1,2})\s+månader", re.I)
_NUMBER_WORDS = {"en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12}
# The whole organisation rather than one of its units: "hela Region Värmland", "Region Halland totalt".
_WHOLE_ORGANISATION = re.compile(
    r"\bhela (region(en)?|kommunen|staden|landstinget)\b|\b(region \w+|regionen|kommunen) (totalt|som helhet|sammantaget)\b",
    re.I,
)
# Indicators the reports state; a question naming one is only answered by a passage that names it.
INDICATORS = (
    "sjukfrånvaro", "korttidssjukfrånvaro", "personalomsättning", "prognos", "årsprognos", "budgetavvikelse",
    "investering", "kostnadsutveckling", "intäktsutveckling", "periodresultat", "resultat", "anställda",
    "årsarbetare", "medarbetare", "överskott", "underskott", "nettokostnad", "regionbidrag", "pensionskostnad",
    "besparingskrav", "effektivisering", "avgångar", "rekrytering", "lönekostnad", "personalkostnad",
)
_LAST_YEAR = re.compile(r"\b(förra året|i fjol|föregående år)\b", re.I)

# Words that say what kind of question it is, not what it is about.
_QUESTION_WORDS = frozenset(
    """vad hur varför vilken vilket vilka när var finns fanns stor stort stora mycket många hög högt höga
    låg lågt låga blev är var visar visade enligt rapporten rapport rapporterna arkivet beror säger
    uppgår uppgick ligger låg kan jag vill veta ge mig lista nämn jämför jämfört skillnad mellan
    siffra siffran siffror belopp beloppet procent månad månaden året år skiljer
    ger gav fick får ser ut bakom poster""".split()  # light verbs and frames: "hur ser X ut", "vilka poster ligger bakom X"
)


# Words that place a question in time ("i början av 2020", "i slutet av året") rather than name
# what it is about; the period itself is parsed from the year or month beside them.
_TIME_FRAMING = frozenset("början slutet mitten inledningen hittills".split())
# "hösten 2024": the year is the period asked about; a report says "oktober år 2024", not the season.
_SEASON_OF_YEAR = re.compile(r"\b(våren|sommaren|hösten|vintern)\s+(?=(?:19|20)\d\d\b)", re.I)
# "Hur många rektorer ...": a count, answered where a number counts that word ("67 rektorer").
# "regional utveckling/Tillväxt", "avdelningarna/Bas": the question offers either word.
_ALTERNATIVE = re.compile(r"\b([a-zåäö]{3,})/([a-zåäö]{3,})\b")
_HOW_MANY = re.compile(r"\bhur\s+många\s+([a-zåäö-]+)", re.I)

# Words of one meaning in Swedish report language, in the forms reports use: directions of change
# (a question's "sjunker" is answered by a report's "minskande trend") and the period before
# ("förra året" by "föregående år").
SYNONYMS = (
    "ökar ökat ökade ökning ökningen ökande stiger steg stigit stigande högre växer växande".split(),
    "minskar minskat minskade minskning minskningen minskande sjunker sjönk sjunkit sjunkande lägre faller föll".split(),
    "förbättras förbättrats förbättrad förbättrade förbättring förbättringen".split(),
    "försämras försämrats försämrad försämrade försämring försämringen".split(),
    "förra föregående fjol fjolåret".split(),
    "flyttas flyttats flyttades skjuts sköts skjutits senareläggs senarelagts senarelades".split(),
    "landar landade hamnar hamnade slutar slutade".split(),
    "ändrats ändrad ändrades förändrats förändrad förändrades förändring".split(),
    "kosta kostar kostade kostat kostnad kostnader kostnaden kostnaderna".split(),
)


@dataclass(frozen=True)
class MonthRef:
    year: int | None
    month: int

    def yyyymm(self, default_year: int | None = None) -> int | None:
        year = self.year or default_year
        return year * 100 + self.month if year else None


@dataclass
class Query:
    text: str
    kind: Kind
    years: list[int] = field(default_factory=list)
    months: list[MonthRef] = field(default_factory=list)  # the period(s) asked about
    reference_months: list[MonthRef] = field(default_factory=list)  # "sedan augusti": a comparison point
    months_elapsed: int | None = None  # "efter två månader"
    report_number: int | None = None  # "UR2"
    last_year: bool = False
    places: list[str] = field(default_factory=list)  # region/municipality names mentioned
    whole_organisation: bool = False  # "hela Region X": the whole organisation, not a unit of it
    indicators: list[str] = field(default_factory=list)  # indicator stems named (see INDICATORS)
    wants_table: bool = False  # "enligt tabellen": the user points at a table
    terms: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # content words with their forms
    related: dict[str, frozenset[str]] = field(default_factory=dict)  # a term's synonyms' forms (weaker matches)
    sides: tuple[str, str] | None = None  # a comparison's two sides, when they are not periods
    counted: frozenset[str] = frozenset()  # forms of what "hur många" counts
    alternatives: list[frozenset[str]] = field(default_factory=list)  # "utveckling/Tillväxt": either word

    @property
    def has_period(self) -> bool:
        return bool(self.years or self.months or self.months_elapsed or self.report_number or self.last_year)


def _month_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, month, matched word) for month names, also as the head of compounds ("oktoberrapporten")."""
    out = []
    for match in re.finditer(r"[a-zåäö]+", text.lower()):
        word = match.group(0)
        for name, number in MONTHS.items():
            if word == name or (len(name) >= 5 and word.startswith(name)) or (
                len(name) >= 3 and word.startswith(name) and word[len(name):] in ("rapporten", "rapport", "siffran")
            ):
                out.append((match.start(), number, word))
                break
    return out


def parse_question(text: str) -> Query:
    lowered = text.lower()
    years: list[int] = []
    reference_years: list[int] = []
    for match in YEAR.finditer(text):
        before = text[max(0, match.start() - 15):match.start()]
        after_reference_month = re.search(rf"(sedan|från|jämfört med|mot)\s+({_MONTH_WORDS})\w*\s+$", before, re.I)
        is_reference = _REFERENCE_YEAR_BEFORE.search(before) or after_reference_month
        (reference_years if is_reference else years).append(int(match.group(1)))
    months: list[MonthRef] = []
    references: list[MonthRef] = []
    # "jan–feb 2020" names the month it runs to; the range's first month is not a period of its own.
    range_starts = {m.position for m in find_month_ranges(text)}
    reference_words: set[str] = set()
    for start, month, word in _month_matches(text):
        if start in range_starts:
            continue
        after = text[start:start + 30]
        year_match = re.match(r"[^\d]{0,25}?\b(19[89]\d|20[0-4]\d)\b", after)
        ref = MonthRef(int(year_match.group(1)) if year_match else None, month)
        if _REFERENCE_BEFORE.search(text[max(0, start - 15):start]):
            references.append(ref)
            reference_words.add(word)
        else:
            months.append(ref)
    # "jan–feb 2020 än samma period 2019": the same months of the other year.
    for same in _SAME_PERIOD.finditer(text):
        other = int(same.group(1))
        months += [MonthRef(other, m.month) for m in list(months) if m.year and m.year != other]
    # "jan–feb 2020": a range names the month it runs to.
    elapsed_match = _MONTHS_AFTER.search(lowered)
    elapsed = None
    if elapsed_match:
        raw = elapsed_match.group(1)
        elapsed = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
    # "samma period 2019" asked about 2020 is the previous year, which a report states as "förra året".
    previous_year = any(int(m.group(1)) + 1 in {r.year for r in months} for m in _SAME_PERIOD.finditer(text))
    cleaned = _SAME_PERIOD.sub(" förra året " if previous_year else " ", _PART_OF_YEAR.sub(" ", _SEASON_OF_YEAR.sub(" ", text)))
    terms = content_terms(expand_abbreviations(_UR.sub(" ", _MONTHS_AFTER.sub(" ", cleaned))), keep=reference_words)
    ur = _UR.search(text)
    if ur and re.search(r"\b(sedan|jämfört med|förra|föregående|tidigare)\b", text[: ur.start()], re.I):
        ur = None  # "sedan förra rapporten (UR1)": the report compared with, not the one asked about
    places = [p for p in PLACES if re.search(rf"\b{p}", lowered)]
    kind: Kind = "other"
    if _COMPARE.search(text) and reference_years and len(set(years + reference_years)) >= 2:
        years = sorted(set(years + reference_years))  # "2019 jämfört med 2020": both are periods asked about
    if _WHY.search(text):
        kind = "why"
    elif _COMPARE.search(text) and references and (months or years):
        # "feb jämfört med okt 2020": both sides of a comparison are periods asked about
        year = next((m.year for m in months + references if m.year), years[0] if years else None)
        months = [MonthRef(m.year or year, m.month) for m in months + references]
        kind = "compare"
    elif _COMPARE.search(text) and (len(months) + len(set(years)) >= 2 or references):
        kind = "compare"
    elif _COMPARE.search(text) and comparison_sides(text):
        kind = "compare"
    elif _LIST.search(text):
        kind = "list"
    elif _FIGURE.search(text) or any(re.search(rf"\b\w*{ind}", lowered) for ind in INDICATORS):
        kind = "figure"  # naming an indicator without asking why or which asks for its value
    return Query(
        text=text,
        kind=kind,
        years=sorted(set(years)),
        months=months,
        reference_months=references,
        months_elapsed=elapsed,
        report_number=int(ur.group(1)) if ur else None,
        last_year=bool(_LAST_YEAR.search(text)),
        places=places,
        whole_organisation=bool(_WHOLE_ORGANISATION.search(text)),
        wants_table=bool(re.search(r"\btabell", lowered)),
        indicators=[ind for ind in INDICATORS if re.search(rf"\b\w*{ind}", lowered)],
        # the words that make it a comparison name the operation, not what is compared
        terms=[t for t in terms if not (kind == "compare" and _COMPARE.fullmatch(t[0]))],
        related=related_terms(terms, text),
        sides=comparison_sides(text) if kind == "compare" and len(months) + len(set(years)) < 2 and not references else None,
        counted=_counted(text),
        alternatives=[frozenset(m.group(1, 2)) for m in _ALTERNATIVE.finditer(lowered)] + _abbreviated(text),
    )


_TIME_SIDE = re.compile(
    rf"\s*(samma period|motsvarande period|förra|föregående|i fjol|fjolåret|året innan|tidigare år|(19|20)\d\d|{_MONTH_WORDS})",
    re.I,
)


def comparison_sides(text: str) -> tuple[str, str] | None:
    """The two things a comparison inside one report sets against each other: the content word
    right before the marker and the one right after ("överskott i delåret jämfört med prognosen"
    -> delåret, prognosen; "skiljer sig delårsresultatet från helårsprognosen")."""
    marker = _SIDE_MARKER.search(text)
    if marker is None or _TIME_SIDE.match(text[marker.end():]):
        return None  # "jämfört med samma period förra året": two periods, not two sides
    before = content_terms(text[: marker.start()])
    after = content_terms(text[marker.end():])
    if not before or not after or before[-1][0] == after[0][0]:
        return None
    return before[-1][0], after[0][0]


def _counted(text: str) -> frozenset[str]:
    match = _HOW_MANY.search(text)
    words = analyse_words(match.group(1)) if match else []
    return words[0][1] if words else frozenset()


def content_terms(text: str, keep: set[str] | None = None) -> list[tuple[str, frozenset[str]]]:
    """Content words with their forms: no question words, years or month names (also as compound heads).

    Month words in `keep` stay: "sedan augusti" is part of what a passage must say, not a filter.
    """
    month_words = {word for _, _, word in _month_matches(text)} - (keep or set())
    classifiers = {m.group(1).lower() for m in _NAMED_UNIT.finditer(text)}
    out = []
    for token, forms in analyse_words(text):
        if token in _QUESTION_WORDS or token in _TIME_FRAMING or YEAR.fullmatch(token) or token in month_words or (
            token in MONTHS and token not in (keep or set())
        ) or _names_a_report_by_month(token) or _REPORT_WORD.search(token) or token in classifiers:
            continue
        out.append((token, forms))
    return out


# "avdelningen Hållbar utveckling", "förvaltningen Regionservice": a kind of unit before its
# name only classifies it; the name identifies it (and the kind word would match other units).
_NAMED_UNIT = re.compile(
    r"\b(avdelningen|enheten|förvaltningen|nämnden|bolaget|sektionen|området|verksamhetsområdet|staben)\s+(?=[A-ZÅÄÖ])"
)

# "delårsrapporten", "uppföljningsrapporten": the kind of report is a scope, matched against the
# catalogue's report types, not a word a passage must contain.
_REPORT_WORD = re.compile(r"rapport(en|er|erna)?$")


def _names_a_report_by_month(token: str) -> bool:
    """"okt-rapporten", "feb-rapporten": a report named by its month, a period and not a topic."""
    head, _, tail = token.partition("-")
    return head in MONTHS and tail.startswith("rapport")


def related_terms(terms: list[tuple[str, frozenset[str]]], text: str) -> dict[str, frozenset[str]]:
    """For each term with synonyms (`SYNONYMS`), the forms of the other words of its meaning.

    A negated one ("har inte ökat") has none: a passage that says it rose does not answer why it
    did not. Used when matching, not when weighting: the word's own rarity decides its weight.
    """
    negated = {m.group(1).lower() for m in _NEGATED.finditer(text)}
    out = {}
    for token, forms in terms:
        group = next((g for g in SYNONYMS if token in g), None)
        if group is not None and token not in negated:
            out[token] = _SYNONYM_FORMS[id(group)] - forms
    return out


_NEGATED = re.compile(r"\b(?:inte|ej|aldrig|icke)\s+(?:har\s+|hade\s+)?(\w+)", re.I)


_SYNONYM_FORMS = {
    id(group): frozenset(f for _, forms in analyse_words(" ".join(group)) for f in forms) for group in SYNONYMS
}
